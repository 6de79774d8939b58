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

/* v in decimal, then a space. */
static void add_num(struct strbuf *sb, uint64_t v)
{
	char buf[21], *p = buf + sizeof(buf);

	*--p = ' ';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	strbuf_add(sb, p, (size_t)(buf + sizeof(buf) - p));
}

/*
 * What a forked session's copy of a message has in common with it:
 * "<time> <input> <output> <cache read> <cache write> <model>" hashed,
 * written without printf (which cost as much as the rest of a message),
 * in tmp.
 */
static uint64_t content_key(const struct usage_event *ev, struct strbuf *tmp)
{
	strbuf_reset(tmp);
	add_num(tmp, (uint64_t)ev->time);
	add_num(tmp, ev->input);
	add_num(tmp, ev->output);
	add_num(tmp, ev->cache_read);
	add_num(tmp, ev->cache_write);
	if (ev->model)
		strbuf_addstr(tmp, ev->model);
	return hash_bytes(tmp->buf, tmp->len, 0x6f64);
}

enum {
	K_ROLE, K_TOKENS, K_TIME, K_MODEL, K_PATH, K_SESSION, K_COST, K_ID,
	K__NR
};
static const struct json_key msg_keys[K__NR] = {
	JSON_KEY("role"), JSON_KEY("tokens"), JSON_KEY("time"),
	JSON_KEY("modelID"), JSON_KEY("path"), JSON_KEY("sessionID"),
	JSON_KEY("cost"), JSON_KEY("id"),
};
enum { T_INPUT, T_OUTPUT, T_REASONING, T_CACHE, T__NR };
static const struct json_key tok_keys[T__NR] = {
	JSON_KEY("input"), JSON_KEY("output"), JSON_KEY("reasoning"),
	JSON_KEY("cache"),
};
static const struct json_key cache_keys[2] = {
	JSON_KEY("read"), JSON_KEY("write"),
};
static const struct json_key created_key[1] = { JSON_KEY("created") };
static const struct json_key path_keys[2] = {
	JSON_KEY("cwd"), JSON_KEY("root"),
};

/* The working directory: path.cwd, else path.root, else directory. */
static const char *message_cwd(const struct json_raw *path,
			       const char *directory, struct strbuf *tmp)
{
	struct json_raw v[2];
	const char *cwd = NULL;
	int i;

	if (json_raw_is_object(path) &&
	    !json_skim(path->p, path->len, path_keys, 2, v))
		for (i = 0; i < 2; i++) {
			cwd = source_raw_cstr(&v[i], tmp);
			if (cwd && *cwd == '/')
				return event_intern(cwd);
		}
	return directory && *directory == '/' ? event_intern(directory) : NULL;
}

/* Where a message comes from: what its row or file says beside it. */
struct message_from {
	const char *id;          /* else its "id", else file_id */
	const char *file_id;
	const char *session;     /* else its "sessionID" */
	const char *directory;   /* the session's, when path says none */
};

/*
 * One message (its JSON text) to a record: 0 when billable, 1 when not
 * (not an assistant message, no tokens), -1 when bad (why is set).
 */
static int message_rec(struct source_ctx *ctx, const char *buf, size_t len,
		       const struct message_from *from,
		       struct source_rec *rec, const char **why)
{
	struct json_raw m[K__NR], tok[T__NR], cache[2], created;
	struct json_skim_sub csub = { T_CACHE, cache_keys, 2, cache, 0, NULL };
	struct json_skim_sub tsub = { K_TOKENS, tok_keys, T__NR, tok, 0,
				      &csub };
	struct strbuf tmp = STRBUF_INIT;
	const char *session = from->session, *id = from->id;
	uint64_t input, output, reasoning, cread, cwrite;
	double t, cost;
	int bad = 0, ret = -1;

	memset(rec, 0, sizeof(*rec));
	if (json_skim_sub(buf, len, msg_keys, K__NR, m, &tsub, 0, NULL)) {
		*why = source_skim_why(buf, len);
		return -1;
	}
	ret = 1;
	if (!json_raw_streq(&m[K_ROLE], "assistant") ||
	    !json_raw_is_object(&m[K_TOKENS]))
		goto cleanup;
	ret = -1;
	bad |= json_raw_u64(&tok[T_INPUT], &input) == JSON_NUM_BAD;
	bad |= json_raw_u64(&tok[T_OUTPUT], &output) == JSON_NUM_BAD;
	bad |= json_raw_u64(&tok[T_REASONING], &reasoning) == JSON_NUM_BAD;
	bad |= json_raw_u64(&cache[0], &cread) == JSON_NUM_BAD;
	bad |= json_raw_u64(&cache[1], &cwrite) == JSON_NUM_BAD;
	if (bad) {
		*why = "bad token counter";
		goto cleanup;
	}
	ret = 1;
	if (!input && !output && !reasoning && !cread && !cwrite)
		goto cleanup;
	ret = -1;
	if (!json_raw_is_object(&m[K_TIME]) ||
	    json_skim(m[K_TIME].p, m[K_TIME].len, created_key, 1, &created) ||
	    json_raw_double(&created, &t) || t < 0 || t > 9e15 ||
	    !source_time_ok(ctx, (int64_t)t)) {
		*why = "bad or missing time.created";
		goto cleanup;
	}
	rec->ev.time = (int64_t)t;
	rec->ev.tool = ctx->src ? ctx->src->tool : TOOL_OPENCODE;
	rec->ev.model = event_intern(source_raw_cstr(&m[K_MODEL], &tmp));
	rec->ev.cwd = message_cwd(&m[K_PATH], from->directory, &tmp);
	if (!session)
		session = source_raw_cstr(&m[K_SESSION], &tmp);
	event_session_hash(rec->ev.session, session ? session : "");
	rec->ev.input = input;
	rec->ev.output = output + reasoning;
	rec->ev.cache_read = cread;
	rec->ev.cache_write = cwrite;
	if (!json_raw_double(&m[K_COST], &cost) && cost > 0 && cost < 1e9) {
		rec->ev.cost = cost;
		rec->ev.cost_known = 1;
		rec->ev.cost_recorded = 1;
	}
	if (!id)
		id = source_raw_cstr(&m[K_ID], &tmp);
	if (!id)
		id = from->file_id;
	rec->key = id ? message_key(id) : 0;
	rec->key2 = content_key(&rec->ev, &tmp);
	ret = 0;
cleanup:
	strbuf_release(&tmp);
	return ret;
}

/* One row of the message table (see db_queries). */
static int db_row(struct source_ctx *ctx, struct source_db *db,
		  struct source_rec *rec, const char **why, void *data)
{
	size_t len, n;
	struct message_from from = { NULL, NULL, NULL, NULL };
	const char *msg = source_db_text(db, 2, &len);

	(void)data;
	from.id = source_db_text(db, 0, &n);
	from.session = source_db_text(db, 1, &n);
	from.directory = source_db_text(db, 3, &n);
	if (!msg || !len) {
		*why = "malformed JSON";
		return -1;
	}
	return message_rec(ctx, msg, len, &from, rec, why);
}

static const char * const db_queries[] = {
	"SELECT m.id, m.session_id, m.data, s.directory, m.rowid AS rowid "
	"FROM message m LEFT JOIN session s ON s.id = m.session_id "
	"ORDER BY m.id",
	"SELECT id, session_id, data, NULL, rowid AS rowid FROM message ORDER BY id",
	"SELECT id, session_id, data, NULL FROM message ORDER BY id",
	NULL
};

static const struct source_db_read db_read = { db_queries, db_row, NULL, NULL };

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
		     const char *name, struct source_files *all)
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
			source_files_add(all, f);
	}
	strvec_clear(&dbs);
}

/* The text of one message file to f's record. */
static void parse_message(struct source_ctx *ctx, struct source_file *f,
			  const char *buf, size_t len)
{
	struct strbuf id = STRBUF_INIT;
	struct message_from from = { NULL, NULL, NULL, NULL };
	const char *path = f->path, *why = NULL, *base;
	struct source_rec rec;
	int r;

	/* The file is named after the message when the id is missing. */
	base = strrchr(path, '/');
	strbuf_addstr(&id, base ? base + 1 : path);
	if (id.len > 5)
		strbuf_setlen(&id, id.len - 5);
	from.file_id = id.buf;
	r = message_rec(ctx, buf, len, &from, &rec, &why);
	if (r < 0)
		source_bad_line(ctx, path, 0, why);
	else if (!r)
		source_file_add(f, &rec);
	strbuf_release(&id);
}

void source_opencode_parse_mem(struct source_ctx *ctx, struct source_file *f,
			       const char *buf, size_t len)
{
	parse_message(ctx, f, buf, len);
	source_file_emit(ctx, f);
}

/* One storage/message/<session>/<message>.json file, read into doc. */
static struct source_file *read_message_file(struct source_ctx *ctx,
					     const char *path,
					     struct strbuf *doc)
{
	struct source_file *f;
	int changed = 0;

	f = source_file_get(ctx, path, &changed);
	strbuf_reset(doc);
	if (f && changed && !source_file_read(ctx, f, doc))
		parse_message(ctx, f, doc->buf, doc->len);
	return f;
}

static void read_files(struct source_ctx *ctx, const char *base,
		       struct source_files *all)
{
	static const char * const suffixes[] = { ".json", NULL };
	struct strvec files = STRVEC_INIT;
	struct strbuf dir = STRBUF_INIT, doc = STRBUF_INIT;
	size_t i;

	strbuf_addf(&dir, "%s/storage/message", base);
	/*
	 * A message's file is written when the message starts, dated by
	 * then: a session folder the hook's window leaves out holds none
	 * of its messages.
	 */
	source_find_new_files(ctx, dir.buf, suffixes, &files);
	source_sort_paths(&files);
	for (i = 0; i < files.nr; i++) {
		struct source_file *f = read_message_file(ctx, files.v[i],
							  &doc);

		if (f)
			source_files_add(all, f);
	}
	strvec_clear(&files);
	strbuf_release(&dir);
	strbuf_release(&doc);
}

int source_opencode_read(struct source_ctx *ctx)
{
	struct strvec bases = STRVEC_INIT;
	struct u64map seen = U64MAP_INIT;
	struct source_files all = { NULL, 0, 0 };
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
	ctx->lazy_records = 1;
	for (i = 0; i < bases.nr; i++)
		read_dbs(ctx, bases.v[i], name, &all);
	for (i = 0; i < bases.nr; i++)
		read_files(ctx, bases.v[i], &all);
	if (!source_reuse_result(ctx)) {
		size_t n = 0;

		/* two keys a record, the map sized once */
		for (i = 0; i < all.nr; i++)
			n += 2 * all.f[i]->nr;
		u64map_reserve(&seen, n);
		for (i = 0; i < all.nr; i++)
			emit_new(ctx, &seen, all.f[i]);
	}
	free(all.f);
	u64map_release(&seen);
	strvec_clear(&bases);
	return 0;
}
