/*
 * Goose: sessions/sessions.db (SQLite) under its data folder,
 * table sessions, one row a session. Goose keeps no record per call:
 * accumulated_input_tokens and accumulated_output_tokens are the
 * session's totals so far (input_tokens and output_tokens, the last
 * call's, stand in where they are NULL); it has no cache counts. The
 * totals are spread over the session's window, created_at to
 * updated_at (source_emit_spread()). The model is model_config_json's
 * model_name, the work tree working_dir.
 *
 * Before the database, Goose kept a session a file, sessions/<id>.jsonl:
 * its first line the session's metadata with the same counters and
 * working_dir (no model), each other line a message, created in Unix
 * seconds. Its window is its first to its last message. A session
 * found twice (in two databases, or imported into the database and
 * still in its file) counts once, with the larger totals; on a tie the
 * file's, whose window its messages give (the import stamps the row
 * with the file's times).
 */
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "base/json.h"
#include "sources/db.h"
#include "sources/sources.h"

/* The seed of a session id's key, shared by both formats. */
#define GOOSE_SEED 0x676f

enum {
	C_ID, C_MODEL, C_CWD, C_CREATED, C_UPDATED, C_ACC_IN, C_ACC_OUT,
	C_IN, C_OUT
};

static const char * const queries[] = {
	"SELECT id, model_config_json, working_dir, created_at, updated_at, "
	"accumulated_input_tokens, accumulated_output_tokens, input_tokens, "
	"output_tokens, rowid AS rowid FROM sessions ORDER BY id",
	"SELECT id, model_config_json, working_dir, created_at, updated_at, "
	"NULL, NULL, input_tokens, output_tokens, rowid AS rowid "
	"FROM sessions ORDER BY id",
	NULL
};

/* The accumulated column, else the plain one; -1 when bad. */
static int counter(struct source_db *db, int acc, int plain, uint64_t *out)
{
	int64_t v;
	int r = source_db_int(db, acc, &v);

	if (r == 1)
		r = source_db_int(db, plain, &v);
	*out = (uint64_t)v;
	return r < 0 ? -1 : 0;
}

/* SQLite's CURRENT_TIMESTAMP text (UTC), ISO 8601, or Unix seconds. */
static int db_time(struct source_db *db, int col, int64_t *ms)
{
	size_t len;
	const char *s;

	if (!source_db_int(db, col, ms)) {
		*ms *= 1000;
		return 0;
	}
	s = source_db_text(db, col, &len);
	return s ? date_parse_iso(s, ms) : -1;
}

static int session_row(struct source_ctx *ctx, struct source_db *db,
		       struct source_rec *rec, const char **why, void *data)
{
	size_t len;
	const char *id = source_db_text(db, C_ID, &len);
	const char *cwd = source_db_text(db, C_CWD, &len);
	const char *cfg = source_db_text(db, C_MODEL, &len);
	struct json *model = cfg ? json_parse(cfg, len) : NULL;
	const char *name = json_get_str(model, "model_name");
	int64_t end;
	int ret = -1;

	(void)data;
	if (counter(db, C_ACC_IN, C_IN, &rec->ev.input) ||
	    counter(db, C_ACC_OUT, C_OUT, &rec->ev.output)) {
		*why = "bad token counter";
		goto cleanup;
	}
	ret = 1;
	if (!rec->ev.input && !rec->ev.output)
		goto cleanup;
	ret = -1;
	if (!id || db_time(db, C_CREATED, &rec->ev.time) ||
	    !source_time_ok(ctx, rec->ev.time)) {
		*why = "bad or missing created_at";
		goto cleanup;
	}
	if (db_time(db, C_UPDATED, &end) || !source_time_ok(ctx, end))
		end = rec->ev.time;
	source_db_event(rec, TOOL_GOOSE, rec->ev.time, end, name, cwd,
			cwd ? strlen(cwd) : 0, id, GOOSE_SEED);
	ret = 0;
cleanup:
	json_free(model);
	return ret;
}

static const struct source_db_read db_read = { queries, session_row, NULL };

/* A legacy session file as it is read. */
struct legacy {
	struct source_rec rec;  /* the totals, from the first line */
	struct strbuf cwd;
	int64_t first, last;    /* message times, ms; 0 = none yet */
	int usage;              /* the first line gave usage */
};

/* The accumulated counter, else the plain one; -1 when bad. */
static int meta_counter(const struct json *meta, const char *acc,
			const char *plain, uint64_t *out)
{
	const struct json *v = json_get(meta, acc);

	*out = 0;
	if (!v || json_is_null(v))
		v = json_get(meta, plain);
	if (!v || json_is_null(v))
		return 0;
	return json_u64(v, out) == JSON_NUM_OK ? 0 : -1;
}

static int legacy_meta(struct source_ctx *ctx, struct source_file *f,
		       const char *line, size_t len, int partial,
		       struct legacy *l)
{
	struct json *meta;
	const char *cwd;

	if (source_line_json(ctx, f, line, len, 1, partial, &meta))
		return 1;
	if (!meta)
		return 0;
	if (meta_counter(meta, "accumulated_input_tokens", "input_tokens",
			 &l->rec.ev.input) ||
	    meta_counter(meta, "accumulated_output_tokens", "output_tokens",
			 &l->rec.ev.output))
		source_bad_line(ctx, f->path, 1, "bad token counter");
	else
		l->usage = l->rec.ev.input || l->rec.ev.output;
	cwd = json_get_str(meta, "working_dir");
	if (cwd)
		strbuf_addstr(&l->cwd, cwd);
	json_free(meta);
	return 0;
}

/* A message's created: Unix seconds (milliseconds read too). */
static int legacy_time(const struct json_raw *v, int64_t *ms)
{
	double d;

	if (!v->p || json_raw_double(v, &d) || d < 0 || d > 1e14 ||
	    d != (double)(int64_t)d)
		return -1;
	*ms = d < 1e10 ? (int64_t)d * 1000 : (int64_t)d;
	return 0;
}

static int legacy_line(struct source_ctx *ctx, struct source_file *f,
		       const char *line, size_t len, uint64_t lineno,
		       int partial, void *data)
{
	static const struct json_key keys[] = { JSON_KEY("created") };
	struct legacy *l = data;
	struct json_raw v;
	int64_t ms;

	if (lineno == 1)
		return legacy_meta(ctx, f, line, len, partial, l);
	if (json_skim(line, len, keys, 1, &v) < 0) {
		if (partial)
			return 1;
		source_bad_line(ctx, f->path, lineno,
				source_skim_why(line, len));
		return 0;
	}
	if (legacy_time(&v, &ms) || !source_time_ok(ctx, ms)) {
		source_bad_line(ctx, f->path, lineno,
				"bad or missing created time");
		return 0;
	}
	if (!l->first || ms < l->first)
		l->first = ms;
	if (ms > l->last)
		l->last = ms;
	return 0;
}

/* The session of a scanned file, if it had usage, into its records. */
static void legacy_session(struct source_ctx *ctx, struct source_file *f,
			   struct legacy *l)
{
	const char *base = strrchr(f->path, '/');
	struct strbuf id = STRBUF_INIT;

	if (!l->usage)
		goto cleanup;
	if (!l->first) {
		/* no message timed: when the file was last written */
		l->first = l->last = (int64_t)(f->mtime_ns / 1000000);
		if (!source_time_ok(ctx, l->first)) {
			source_bad_line(ctx, f->path, 1, "no message time");
			goto cleanup;
		}
	}
	strbuf_addstr(&id, base ? base + 1 : f->path);
	strbuf_setlen(&id, id.len - strlen(".jsonl"));
	source_db_event(&l->rec, TOOL_GOOSE, l->first, l->last, NULL,
			l->cwd.buf, l->cwd.len, id.buf, GOOSE_SEED);
	source_file_add(f, &l->rec);
cleanup:
	strbuf_release(&id);
	strbuf_release(&l->cwd);
}

static void legacy_init(struct legacy *l)
{
	memset(l, 0, sizeof(*l));
	strbuf_init(&l->cwd, 0);
}

static int is_legacy(const char *path)
{
	size_t len = strlen(path);

	return len > 6 && !strcmp(path + len - 6, ".jsonl");
}

void source_goose_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len)
{
	struct legacy l;

	if (!is_legacy(f->path)) {
		source_db_read_mem(ctx, f, buf, len, &db_read);
		return;
	}
	legacy_init(&l);
	source_scan_mem(ctx, f, buf, len, NULL, legacy_line, &l);
	legacy_session(ctx, f, &l);
	source_emit_spread(ctx, &f, 1);
}

/* The session files under dir, read again whole when they changed. */
static void legacy_read(struct source_ctx *ctx, const char *dir,
			struct source_files *out)
{
	static const char * const suffixes[] = { ".jsonl", NULL };
	struct source_files todo = { NULL, 0, 0 };
	struct strvec files = STRVEC_INIT;
	size_t i;

	source_find_files(ctx, dir, suffixes, &files);
	source_sort_paths(&files);
	source_files_collect(ctx, &files, out, &todo);
	for (i = 0; i < todo.nr; i++) {
		struct source_file *f = todo.f[i];
		struct legacy l;

		/* Goose rewrites the totals on the first line */
		source_file_reset(f);
		legacy_init(&l);
		if (!source_scan(ctx, f, NULL, legacy_line, &l))
			legacy_session(ctx, f, &l);
		else
			strbuf_release(&l.cwd);
	}
	free(todo.f);
	strvec_clear(&files);
}

/*
 * Every reading of each session, less those of the database that a
 * file's reading of the same session equals or exceeds: so the larger
 * counts, and on a tie the file.
 */
static void goose_emit(struct source_ctx *ctx, const struct source_files *dbs,
		       const struct source_files *files)
{
	const struct source_rec **all = NULL;
	struct u64map best = U64MAP_INIT;
	size_t i, j, nr = 0, alloc = 0, *slot;

	for (i = 0; i < files->nr; i++)
		for (j = 0; j < files->f[i]->nr; j++) {
			const struct source_rec *r = &files->f[i]->rec[j];

			ALLOC_GROW(all, nr + 1, alloc);
			all[nr++] = r;
			if (!r->key)
				continue;
			slot = u64map_find(&best, r->key, 1);
			if (!*slot || source_rec_total(r) >
				      source_rec_total(all[*slot - 1]))
				*slot = nr;
		}
	for (i = 0; i < dbs->nr; i++)
		for (j = 0; j < dbs->f[i]->nr; j++) {
			const struct source_rec *r = &dbs->f[i]->rec[j];

			slot = r->key ? u64map_find(&best, r->key, 0) : NULL;
			if (slot && source_rec_total(all[*slot - 1]) >=
				    source_rec_total(r))
				continue;
			ALLOC_GROW(all, nr + 1, alloc);
			all[nr++] = r;
		}
	source_emit_spread_recs(ctx, all, nr);
	u64map_release(&best);
	free(all);
}

/* The folders that may hold sessions/. */
static void goose_dirs(struct source_ctx *ctx, struct strvec *dirs)
{
	const char *root = getenv("GOOSE_PATH_ROOT");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = source_home();
	size_t i;

	for (i = 0; i < ctx->paths.nr; i++)
		strvec_push(dirs, ctx->paths.v[i]);
	if (ctx->paths.nr)
		return;
	if (root && *root == '/') {
		strvec_pushf(dirs, "%s/data", root);
		return;
	}
	if (xdg && *xdg == '/')
		strvec_pushf(dirs, "%s/goose", xdg);
	else
		strvec_pushf(dirs, "%s/.local/share/goose", home);
	strvec_pushf(dirs, "%s/Library/Application Support/goose", home);
	strvec_pushf(dirs, "%s/.local/share/Block/goose", home);
}

int source_goose_read(struct source_ctx *ctx)
{
	struct source_files dbs = { NULL, 0, 0 }, files = { NULL, 0, 0 };
	struct strvec dirs = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	ctx->lazy_records = 1;
	goose_dirs(ctx, &dirs);
	source_db_collect(ctx, &dirs, "sessions/sessions.db", &db_read, &dbs);
	for (i = 0; i < dirs.nr; i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/sessions", dirs.v[i]);
		legacy_read(ctx, sb.buf, &files);
	}
	if (!source_reuse_result(ctx))
		goose_emit(ctx, &dbs, &files);
	free(dbs.f);
	free(files.f);
	strvec_clear(&dirs);
	strbuf_release(&sb);
	return 0;
}
