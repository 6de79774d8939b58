/*
 * OpenCode: ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db (and
 * opencode-<channel>.db), table message(id, session_id, data JSON), when
 * built with libsqlite3; and the older storage/message/<session>/<msg>.json
 * files. Kilo CLI, a fork, keeps the same in kilo.db under
 * ${KILO_DATA_DIR:-~/.local/share/kilo}.
 *
 * A message counts once: by its id (a channel database repeats the
 * main one's rows, a message file repeats a row), and by its content,
 * because a forked session copies the earlier messages under new ids
 * with the same time.created, model and token counts. Databases are
 * read in name order and rows in id order (ids ascend with time), so
 * the original of a copy is the one kept.
 *
 * An assistant message carries tokens {input (uncached), output,
 * reasoning, cache {read, write}}, time.created (ms), modelID,
 * path.cwd and cost (OpenCode's own figure: kept as recorded when > 0).
 * Reasoning is billed as output and kept apart by OpenCode, so it is
 * added to output here. Per-step "step-finish" parts repeat the same
 * usage and are not read.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "sources/db.h"
#include "sources/sources.h"

static uint64_t message_key(const char *id)
{
	return hash_bytes(id, strlen(id), 0x6f63);
}

/* What a forked session's copy of a message has in common with it. */
static uint64_t content_key(const struct usage_event *ev)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t key;

	strbuf_addf(&sb, "%" PRId64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		    " %" PRIu64 " %s", ev->time, ev->input, ev->output,
		    ev->cache_read, ev->cache_write,
		    ev->model ? ev->model : "");
	key = hash_bytes(sb.buf, sb.len, 0x6f64);
	strbuf_release(&sb);
	return key;
}

/*
 * One message to a record: 0 when billable, 1 when not (not an
 * assistant message, no tokens), -1 when bad (why is set).
 */
static int message_rec(struct source_ctx *ctx, const struct json *msg,
		       const char *id, const char *session,
		       const char *directory, struct source_rec *rec,
		       const char **why)
{
	const struct json *tok = json_get(msg, "tokens");
	uint64_t input, output, reasoning, cread, cwrite;
	const char *role = json_get_str(msg, "role");
	const char *cwd;
	double created, cost;
	int bad = 0;

	memset(rec, 0, sizeof(*rec));
	if (!json_is_object(msg)) {
		*why = "not a JSON object";
		return -1;
	}
	if (!role || strcmp(role, "assistant") || !json_is_object(tok))
		return 1;
	bad |= json_get_u64(tok, "input", &input) == JSON_NUM_BAD;
	bad |= json_get_u64(tok, "output", &output) == JSON_NUM_BAD;
	bad |= json_get_u64(tok, "reasoning", &reasoning) == JSON_NUM_BAD;
	bad |= json_get_u64(tok, "cache.read", &cread) == JSON_NUM_BAD;
	bad |= json_get_u64(tok, "cache.write", &cwrite) == JSON_NUM_BAD;
	if (bad) {
		*why = "bad token counter";
		return -1;
	}
	if (!input && !output && !reasoning && !cread && !cwrite)
		return 1;
	if (json_double(json_get(msg, "time.created"), &created) ||
	    created < 0 || created > 9e15 ||
	    !source_time_ok(ctx, (int64_t)created)) {
		*why = "bad or missing time.created";
		return -1;
	}
	rec->ev.time = (int64_t)created;
	rec->ev.tool = ctx->src ? ctx->src->tool : TOOL_OPENCODE;
	rec->ev.model = event_intern(json_get_str(msg, "modelID"));
	cwd = json_get_str(msg, "path.cwd");
	if (!cwd || *cwd != '/')
		cwd = json_get_str(msg, "path.root");
	if (!cwd || *cwd != '/')
		cwd = directory;
	rec->ev.cwd = cwd && *cwd == '/' ? event_intern(cwd) : NULL;
	if (!session)
		session = json_get_str(msg, "sessionID");
	event_session_hash(rec->ev.session, session ? session : "");
	rec->ev.input = input;
	rec->ev.output = output + reasoning;
	rec->ev.cache_read = cread;
	rec->ev.cache_write = cwrite;
	if (!json_double(json_get(msg, "cost"), &cost) && cost > 0 &&
	    cost < 1e9) {
		rec->ev.cost = cost;
		rec->ev.cost_known = 1;
		rec->ev.cost_recorded = 1;
	}
	if (!id)
		id = json_get_str(msg, "id");
	rec->key = id ? message_key(id) : 0;
	rec->key2 = content_key(&rec->ev);
	return 0;
}

/* One row of the message table (see db_queries). */
static int db_row(struct source_ctx *ctx, struct source_db *db,
		  struct source_rec *rec, const char **why, void *data)
{
	size_t len, n;
	const char *id = source_db_text(db, 0, &n);
	const char *sess = source_db_text(db, 1, &n);
	const char *msg_s = source_db_text(db, 2, &len);
	const char *dir = source_db_text(db, 3, &n);
	struct json *msg = msg_s && len ? json_parse(msg_s, len) : NULL;
	int r = -1;

	(void)data;
	*why = "malformed JSON";
	if (msg)
		r = message_rec(ctx, msg, id, sess, dir, rec, why);
	json_free(msg);
	return r;
}

static const char * const db_queries[] = {
	"SELECT m.id, m.session_id, m.data, s.directory, m.rowid AS rowid "
	"FROM message m LEFT JOIN session s ON s.id = m.session_id "
	"ORDER BY m.id",
	"SELECT id, session_id, data, NULL, rowid AS rowid FROM message ORDER BY id",
	"SELECT id, session_id, data, NULL FROM message ORDER BY id",
	NULL
};

static const struct source_db_read db_read = { db_queries, db_row, NULL };

/* Add the records not seen yet, by id or by content, to the output. */
static void emit_new(struct source_ctx *ctx, struct u64map *seen,
		     const struct source_file *f)
{
	size_t i;

	for (i = 0; i < f->nr; i++) {
		const struct source_rec *r = &f->rec[i];

		if ((r->key && u64map_find(seen, r->key, 0)) ||
		    (r->key2 && u64map_find(seen, r->key2, 0)))
			continue;
		if (r->key)
			u64map_find(seen, r->key, 1);
		if (r->key2)
			u64map_find(seen, r->key2, 1);
		usage_set_add(ctx->out, &r->ev);
	}
}

/* <name>.db and <name>-<channel>.db in base. */
static void read_dbs(struct source_ctx *ctx, const char *base,
		     const char *name, struct u64map *seen)
{
	struct strvec names = STRVEC_INIT, dbs = STRVEC_INIT;
	size_t i, nlen = strlen(name);

	if (dir_list(base, &names) < 0)
		return;
	for (i = 0; i < names.nr; i++) {
		const char *n = names.v[i];
		size_t len = strlen(n);

		if (len >= nlen + 3 && !strncmp(n, name, nlen) &&
		    !strcmp(n + len - 3, ".db") &&
		    (len == nlen + 3 || (n[nlen] == '-' && len > nlen + 4)))
			strvec_pushf(&dbs, "%s/%s", base, n);
	}
	strvec_clear(&names);
	source_sort_paths(&dbs);
	for (i = 0; i < dbs.nr; i++) {
		struct source_file *f = source_db_get(ctx, dbs.v[i], &db_read);

		if (f)
			emit_new(ctx, seen, f);
	}
	strvec_clear(&dbs);
}

/* The text of one message file to f's record. */
static void parse_message(struct source_ctx *ctx, struct source_file *f,
			  const char *buf, size_t len)
{
	struct strbuf id = STRBUF_INIT;
	const char *path = f->path;
	struct json *msg = NULL;
	struct source_rec rec;
	const char *why = NULL, *base;
	int r;

	msg = json_parse(buf, len);
	if (!msg) {
		source_bad_line(ctx, path, 0, "malformed JSON");
		goto cleanup;
	}
	/* The file is named after the message when the id is missing. */
	base = strrchr(path, '/');
	strbuf_addstr(&id, base ? base + 1 : path);
	if (id.len > 5)
		strbuf_setlen(&id, id.len - 5);
	if (json_get_str(msg, "id")) {
		strbuf_reset(&id);
		strbuf_addstr(&id, json_get_str(msg, "id"));
	}
	r = message_rec(ctx, msg, id.buf, NULL, NULL, &rec, &why);
	if (r < 0)
		source_bad_line(ctx, path, 0, why);
	else if (!r)
		source_file_add(f, &rec);
cleanup:
	json_free(msg);
	strbuf_release(&id);
}

void source_opencode_parse_mem(struct source_ctx *ctx, struct source_file *f,
			       const char *buf, size_t len)
{
	parse_message(ctx, f, buf, len);
	source_file_emit(ctx, f);
}

/* One storage/message/<session>/<message>.json file. */
static struct source_file *read_message_file(struct source_ctx *ctx,
					     const char *path)
{
	struct strbuf doc = STRBUF_INIT;
	struct source_file *f;
	int changed = 0;

	f = source_file_get(ctx, path, &changed);
	if (f && changed && !source_read_whole(ctx, f, &doc))
		parse_message(ctx, f, doc.buf, doc.len);
	strbuf_release(&doc);
	return f;
}

static void read_files(struct source_ctx *ctx, const char *base,
		       struct u64map *seen)
{
	static const char * const suffixes[] = { ".json", NULL };
	struct strvec files = STRVEC_INIT;
	struct strbuf dir = STRBUF_INIT;
	size_t i;

	strbuf_addf(&dir, "%s/storage/message", base);
	source_find_files(ctx, dir.buf, suffixes, &files);
	source_sort_paths(&files);
	for (i = 0; i < files.nr; i++) {
		struct source_file *f = read_message_file(ctx, files.v[i]);

		if (f)
			emit_new(ctx, seen, f);
	}
	strvec_clear(&files);
	strbuf_release(&dir);
}

int source_opencode_read(struct source_ctx *ctx)
{
	struct strvec bases = STRVEC_INIT;
	struct u64map seen = U64MAP_INIT;
	int kilo = ctx->src && ctx->src->tool == TOOL_KILO_CLI;
	const char *name = kilo ? "kilo" : "opencode";
	const char *env = kilo ? getenv("KILO_DATA_DIR") : NULL;
	const char *xdg = getenv("XDG_DATA_HOME");
	size_t i;

	if (ctx->paths.nr)
		for (i = 0; i < ctx->paths.nr; i++)
			strvec_push(&bases, ctx->paths.v[i]);
	else if (env && *env == '/')
		strvec_push(&bases, env);
	else if (xdg && *xdg == '/')
		strvec_pushf(&bases, "%s/%s", xdg, name);
	else if (source_home())
		strvec_pushf(&bases, "%s/.local/share/%s", source_home(),
			     name);

	/* Databases first: their rows win over the files. */
	for (i = 0; i < bases.nr; i++)
		read_dbs(ctx, bases.v[i], name, &seen);
	for (i = 0; i < bases.nr; i++)
		read_files(ctx, bases.v[i], &seen);
	u64map_release(&seen);
	strvec_clear(&bases);
	return 0;
}
