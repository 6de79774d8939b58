/*
 * Goose: sessions/sessions.db (SQLite) under its data folder.
 *
 * Table sessions, one row a session: accumulated_input_tokens and
 * accumulated_output_tokens are its totals so far (input_tokens and
 * output_tokens, the last call's, stand in where they are NULL), with
 * accumulated_cache_read_tokens and accumulated_cache_write_tokens
 * since Goose's schema 14. Goose's input counts include the cache
 * reads and writes: the fresh input is input - cache read - cache
 * write, and a row whose cache counts exceed its input is warned about
 * and its input counted as given.
 *
 * Since schema 15, table usage_ledger holds a row per model call: each
 * is an event at its own time (Unix seconds), on its own model. Its
 * 'carried_forward' row holds what the session used before the ledger
 * existed, stamped with the time of the upgrade: it is spread over the
 * session's window up to that time. Goose takes a session's use to be
 * max(totals, ledger sum), counter by counter, so where the totals
 * exceed the ledger's sum the difference is spread over the session's
 * window, created_at to updated_at, as the totals of sessions without
 * a ledger are (source_emit_spread()): each call counts once. A
 * sub-agent's session holds its own calls only: every row counts.
 *
 * Costs, in USD, are Goose's where it recorded one (a ledger row's
 * cost; accumulated_cost less the ledger's costs), as other tools'
 * recorded costs are. The model is the ledger row's, else
 * model_config_json's model_name, the work tree working_dir.
 *
 * Before the database, Goose kept a session a file, sessions/<id>.jsonl
 * (kept after Goose imports it): its first line the session's metadata
 * with the same totals and working_dir (no model, no cache counts),
 * each other line a message, created in Unix seconds. Its window is its
 * first to its last message.
 *
 * A session found twice (in two databases, or in the database and its
 * file) counts once, from the reading where it used the most; on a tie
 * the file's, whose window its messages give (the import stamps the
 * row with the file's times).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "sources/db.h"
#include "sources/sources.h"

#define GOOSE_SEED 0x676f
/* a ledger time from here on is in milliseconds */
#define MS_FROM 10000000000LL

enum {
	C_ID, C_MODEL, C_CWD, C_CREATED, C_UPDATED, C_ACC_IN, C_ACC_OUT,
	C_IN, C_OUT, C_ACC_CR, C_ACC_CW, C_ACC_COST, C_LID, C_LTIME,
	C_LMODEL, C_LIN, C_LOUT, C_LCR, C_LCW, C_LCOST, C_LSOURCE
};

#define SESSION(acc, cache, cost) \
	"s.id AS id, s.model_config_json, s.working_dir, s.created_at, " \
	"s.updated_at, " acc ", s.input_tokens, s.output_tokens, " cache \
	", " cost
#define ACC "s.accumulated_input_tokens, s.accumulated_output_tokens"
#define CACHE \
	"s.accumulated_cache_read_tokens, s.accumulated_cache_write_tokens"
#define TOTALS(acc, cache, cost) \
	"SELECT " SESSION(acc, cache, cost) ", NULL AS lid, NULL, NULL, " \
	"NULL, NULL, NULL, NULL, NULL, NULL, s.rowid AS rowid FROM sessions s"

/*
 * The newest schema first. A session's ledger rows come before its own
 * row (a NULL lid sorts last, descending), which takes their sums off.
 */
static const char * const queries[] = {
	"SELECT " SESSION(ACC, CACHE, "s.accumulated_cost") ", "
	"l.rowid AS lid, l.created_timestamp, l.model, l.input_tokens, "
	"l.output_tokens, l.cache_read_tokens, l.cache_write_tokens, l.cost, "
	"l.cost_source, s.rowid AS rowid FROM sessions s "
	"JOIN usage_ledger l ON l.session_id = s.id UNION ALL "
	TOTALS(ACC, CACHE, "s.accumulated_cost") " ORDER BY id, lid DESC",
	TOTALS(ACC, CACHE, "s.accumulated_cost") " ORDER BY id",
	TOTALS(ACC, "NULL, NULL", "s.accumulated_cost") " ORDER BY id",
	TOTALS(ACC, "NULL, NULL", "NULL") " ORDER BY id",
	TOTALS("NULL, NULL", "NULL, NULL", "NULL") " ORDER BY id",
	NULL
};

struct goose_db {
	struct strbuf sid;       /* the session whose ledger rows are summed */
	uint64_t in, out, cr, cw;
	double cost;
	struct strbuf why;       /* a bad ledger row's */
	uint64_t over;           /* rows with more cache than input */
	struct strbuf over_sid;  /* the first one's session */
};
#define GOOSE_DB_INIT { STRBUF_INIT, 0, 0, 0, 0, 0, STRBUF_INIT, 0, \
			STRBUF_INIT }

static void goose_db_release(struct goose_db *g)
{
	strbuf_release(&g->sid);
	strbuf_release(&g->why);
	strbuf_release(&g->over_sid);
}

/* The rows of session id start: nothing of its ledger summed yet. */
static void goose_session(struct goose_db *g, const char *id)
{
	strbuf_reset(&g->sid);
	strbuf_addstr(&g->sid, id);
	g->in = g->out = g->cr = g->cw = 0;
	g->cost = 0;
}

/* Before a database is read. */
static void goose_db_start(struct goose_db *g)
{
	goose_session(g, "");
	g->over = 0;
	strbuf_reset(&g->over_sid);
}

/* One warning a database read for the rows whose cache exceeds input. */
static void goose_warn_over(const struct goose_db *g, const char *path)
{
	if (g->over > 1)
		warning("%s: %llu Goose usage rows count more cache tokens "
			"than input (first: session '%s'): their input is "
			"counted as given", path, (unsigned long long)g->over,
			g->over_sid.buf);
	else if (g->over)
		warning("%s: session '%s' counts more cache tokens than "
			"input: its input is counted as given", path,
			g->over_sid.buf);
}

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

/* A counter column, 0 when NULL; -1 when bad. */
static int count(struct source_db *db, int col, uint64_t *out)
{
	return counter(db, col, col, out);
}

/* A cost in USD: *known unless NULL; -1 when bad. */
static int cost_col(struct source_db *db, int col, double *cost, int *known)
{
	int r = source_db_cost(db, col, cost);

	*known = !r;
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

/* created_timestamp: Unix seconds, or milliseconds as Goose reads them */
static int ledger_time(struct source_db *db, int64_t *ms)
{
	size_t len;
	const char *s = source_db_text(db, C_LTIME, &len);
	char *end;
	long long v;

	if (!s)
		return -1;
	v = strtoll(s, &end, 10);
	if (end == s || *end || v < 0)
		return -1;
	*ms = v < MS_FROM ? v * 1000 : v;
	return 0;
}

/* model_config_json's model_name, interned; NULL when none. */
static const char *session_model(struct source_db *db)
{
	size_t len;
	const char *cfg = source_db_text(db, C_MODEL, &len);
	struct json *j = cfg ? json_parse(cfg, len) : NULL;
	const char *name = json_get_str(j, "model_name");
	const char *ret = name && *name ? event_intern(name) : NULL;

	json_free(j);
	return ret;
}

/* Goose's input includes the cache reads and writes: take them off. */
static void split(struct goose_db *g, uint64_t in, uint64_t cr, uint64_t cw,
		  struct usage_event *ev)
{
	ev->cache_read = cr;
	ev->cache_write = cw;
	ev->input = in;
	if (cr + cw <= in)
		ev->input = in - cr - cw;
	else if (!g->over++)
		strbuf_addstr(&g->over_sid, g->sid.buf);
}

static void set_cost(struct source_rec *rec, double cost)
{
	rec->ev.cost = cost;
	rec->ev.cost_known = rec->ev.cost_recorded = 1;
}

/* A call: its ledger row, summed for its session's row to take off. */
static int ledger_row(struct source_ctx *ctx, struct source_db *db,
		      struct source_rec *rec, const char **why,
		      struct goose_db *g, int64_t lid)
{
	size_t len;
	const char *cwd = source_db_text(db, C_CWD, &len);
	const char *model = source_db_text(db, C_LMODEL, &len);
	const char *kind = source_db_text(db, C_LSOURCE, &len);
	uint64_t in = 0, out = 0, cr = 0, cw = 0;
	int64_t t = 0, start;
	double cost = 0;
	int known = 0;

	strbuf_reset(&g->why);
	if (count(db, C_LIN, &in) || count(db, C_LOUT, &out) ||
	    count(db, C_LCR, &cr) || count(db, C_LCW, &cw))
		strbuf_addstr(&g->why, "bad token counter");
	else if (cost_col(db, C_LCOST, &cost, &known))
		strbuf_addstr(&g->why, "bad cost");
	else if (ledger_time(db, &t) || !source_time_ok(ctx, t))
		strbuf_addstr(&g->why, "bad or missing created_timestamp");
	if (g->why.len) {
		strbuf_addf(&g->why, " in usage_ledger row %lld",
			    (long long)lid);
		*why = g->why.buf;
		return -1; /* its tokens stay in the session's remainder */
	}
	g->in += in;
	g->out += out;
	g->cr += cr;
	g->cw += cw;
	g->cost += cost;
	if (!(in | out | cr | cw) && !(cost > 0))
		return 1;
	/* what came before the ledger: over the session up to the upgrade */
	if (!kind || strcmp(kind, "carried_forward") ||
	    db_time(db, C_CREATED, &start) || start > t ||
	    !source_time_ok(ctx, start))
		start = t;
	split(g, in, cr, cw, &rec->ev);
	rec->ev.output = out;
	if (known)
		set_cost(rec, cost);
	source_db_event(rec, TOOL_GOOSE, start, t,
			model && *model ? model : session_model(db), cwd,
			cwd ? strlen(cwd) : 0, g->sid.buf, GOOSE_SEED);
	rec->key = hash_bytes(&lid, sizeof(lid), rec->key);
	return 0;
}

static uint64_t less(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* A session's totals, less its ledger rows' sums. */
static int session_row(struct source_ctx *ctx, struct source_db *db,
		       struct source_rec *rec, const char **why,
		       struct goose_db *g)
{
	size_t len;
	const char *cwd = source_db_text(db, C_CWD, &len);
	uint64_t in, out, cr, cw;
	int64_t start, end;
	double cost;
	int known;

	if (counter(db, C_ACC_IN, C_IN, &in) ||
	    counter(db, C_ACC_OUT, C_OUT, &out) ||
	    count(db, C_ACC_CR, &cr) || count(db, C_ACC_CW, &cw)) {
		*why = "bad token counter";
		return -1;
	}
	if (cost_col(db, C_ACC_COST, &cost, &known)) {
		*why = "bad cost";
		return -1;
	}
	in = less(in, g->in);
	out = less(out, g->out);
	cr = less(cr, g->cr);
	cw = less(cw, g->cw);
	/* what is left once a float sum of the same costs is taken off */
	cost = cost - g->cost > 1e-9 ? cost - g->cost : 0;
	if (!(in | out | cr | cw) && !(cost > 0))
		return 1;
	if (!*g->sid.buf || db_time(db, C_CREATED, &start) ||
	    !source_time_ok(ctx, start)) {
		*why = "bad or missing created_at";
		return -1;
	}
	if (db_time(db, C_UPDATED, &end) || !source_time_ok(ctx, end))
		end = start;
	split(g, in, cr, cw, &rec->ev);
	rec->ev.output = out;
	if (known)
		set_cost(rec, cost);
	source_db_event(rec, TOOL_GOOSE, start, end, session_model(db), cwd,
			cwd ? strlen(cwd) : 0, g->sid.buf, GOOSE_SEED);
	return 0;
}

static int goose_row(struct source_ctx *ctx, struct source_db *db,
		     struct source_rec *rec, const char **why, void *data)
{
	struct goose_db *g = data;
	size_t len;
	const char *id = source_db_text(db, C_ID, &len);
	int64_t lid;

	if (!id)
		id = "";
	if (strcmp(g->sid.buf, id))
		goose_session(g, id);
	if (!source_db_int(db, C_LID, &lid))
		return ledger_row(ctx, db, rec, why, g, lid);
	return session_row(ctx, db, rec, why, g);
}

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

struct pick {
	const struct source_rec *r;
	size_t file, nr;
};

static int cmp_pick(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;
	int c = memcmp(x->r->ev.session, y->r->ev.session,
		       sizeof(x->r->ev.session));

	if (c)
		return c;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static int same_session(const struct pick *a, const struct pick *b)
{
	return !memcmp(a->r->ev.session, b->r->ev.session,
		       sizeof(a->r->ev.session));
}

/*
 * A session found in several files (databases or its own file) counts
 * once, from the first where its records (ledger rows and remainder)
 * add up to the most; then its records are emitted, the spans spread
 * (source_emit_spread()).
 */
static void goose_emit(struct source_ctx *ctx, struct source_file **files,
		       size_t nr)
{
	struct source_file keep, *kp = &keep;
	struct pick *all = NULL;
	size_t n = 0, alloc = 0, i, j, k, best;

	memset(&keep, 0, sizeof(keep));
	for (i = 0; i < nr; i++)
		for (j = 0; j < files[i]->nr; j++) {
			ALLOC_GROW(all, n + 1, alloc);
			all[n].r = &files[i]->rec[j];
			all[n].file = i;
			all[n].nr = j;
			n++;
		}
	if (n)
		qsort(all, n, sizeof(*all), cmp_pick);
	for (i = 0; i < n; i = j) {
		uint64_t most = 0;

		best = i;
		for (j = i; j < n && same_session(&all[j], &all[i]); j = k) {
			uint64_t sum = 0;

			for (k = j; k < n && all[k].file == all[j].file &&
			     same_session(&all[k], &all[j]); k++)
				sum += source_rec_total(all[k].r);
			if (sum > most) {
				most = sum;
				best = j;
			}
		}
		for (k = best; k < j && all[k].file == all[best].file; k++) {
			ALLOC_GROW(keep.rec, keep.nr + 1, keep.alloc);
			keep.rec[keep.nr++] = *all[k].r;
		}
	}
	source_emit_spread(ctx, &kp, 1);
	free(keep.rec);
	free(all);
}

void source_goose_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len)
{
	struct goose_db g = GOOSE_DB_INIT;
	struct source_db_read how = { queries, goose_row, NULL, &g };
	struct legacy l;

	if (is_legacy(f->path)) {
		legacy_init(&l);
		source_scan_mem(ctx, f, buf, len, NULL, legacy_line, &l);
		legacy_session(ctx, f, &l);
		goose_emit(ctx, &f, 1);
		return;
	}
	goose_db_start(&g);
	source_db_read_mem(ctx, f, buf, len, &how);
	goose_warn_over(&g, f->path);
	goose_db_release(&g);
}

/* The folders that may hold sessions/sessions.db. */
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

int source_goose_read(struct source_ctx *ctx)
{
	struct strvec dirs = STRVEC_INIT;
	struct source_files files = { NULL, 0, 0 };
	struct strbuf path = STRBUF_INIT;
	struct goose_db g = GOOSE_DB_INIT;
	struct source_db_read how = { queries, goose_row, NULL, &g };
	size_t i;

	goose_dirs(ctx, &dirs);
	ctx->lazy_records = 1;
	/* the session files first, so that they win a tie (goose_emit()) */
	for (i = 0; i < dirs.nr; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/sessions", dirs.v[i]);
		legacy_read(ctx, path.buf, &files);
	}
	for (i = 0; i < dirs.nr; i++) {
		struct source_file *f;

		strbuf_reset(&path);
		strbuf_addf(&path, "%s/sessions/sessions.db", dirs.v[i]);
		if (access(path.buf, F_OK) < 0)
			continue; /* not this system's folder */
		goose_db_start(&g);
		f = source_db_get(ctx, path.buf, &how);
		goose_warn_over(&g, path.buf);
		if (f)
			source_files_add(&files, f);
	}
	if (!source_reuse_result(ctx))
		goose_emit(ctx, files.f, files.nr);
	free(files.f);
	goose_db_release(&g);
	strbuf_release(&path);
	strvec_clear(&dirs);
	return 0;
}
