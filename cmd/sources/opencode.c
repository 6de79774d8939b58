/*
 * OpenCode: ${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db (and
 * opencode-<channel>.db), table message(id, session_id, data JSON), when
 * built with libsqlite3; and the older storage/message/<session>/<msg>.json
 * files. A message id found in a database is not read again from a file.
 *
 * An assistant message carries tokens {input (uncached), output,
 * reasoning, cache {read, write}}, time.created (ms), modelID,
 * path.cwd and cost (OpenCode's own figure: kept as recorded when > 0).
 * Reasoning is billed as output and kept apart by OpenCode, so it is
 * added to output here. Per-step "step-finish" parts repeat the same
 * usage and are not read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef HAVE_SQLITE3
#include <sqlite3.h>
#endif

#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "sources/sources.h"

struct keyset {
	uint64_t *k;
	size_t nr, alloc;
};

#ifdef HAVE_SQLITE3
static void keyset_add(struct keyset *ks, uint64_t key)
{
	ALLOC_GROW(ks->k, ks->nr + 1, ks->alloc);
	ks->k[ks->nr++] = key;
}
#endif

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int keyset_has(const struct keyset *ks, uint64_t key)
{
	return ks->nr && bsearch(&key, ks->k, ks->nr, sizeof(*ks->k),
				 cmp_u64) != NULL;
}

static uint64_t message_key(const char *id)
{
	return hash_bytes(id, strlen(id), 0x6f63);
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
	rec->ev.tool = TOOL_OPENCODE;
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
	return 0;
}

#ifdef HAVE_SQLITE3
/* A file name as a URI path: escape what URIs reserve. */
static void uri_path(struct strbuf *sb, const char *path)
{
	const char *p;

	for (p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p == ' ')
			strbuf_addf(sb, "%%%02X", (unsigned char)*p);
		else
			strbuf_addch(sb, *p);
	}
}

static sqlite3_stmt *db_prepare(sqlite3 *db)
{
	static const char *queries[] = {
		"SELECT m.id, m.session_id, m.data, s.directory "
		"FROM message m LEFT JOIN session s ON s.id = m.session_id",
		"SELECT id, session_id, data, NULL FROM message",
	};
	sqlite3_stmt *st = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(queries); i++)
		if (sqlite3_prepare_v2(db, queries[i], -1, &st, NULL) ==
		    SQLITE_OK)
			return st;
	return NULL;
}

static sqlite3 *db_open(const char *path, const char *mode)
{
	struct strbuf uri = STRBUF_INIT;
	sqlite3 *db = NULL;

	strbuf_addstr(&uri, "file:");
	uri_path(&uri, path);
	strbuf_addf(&uri, "?%s", mode);
	if (sqlite3_open_v2(uri.buf, &db,
			    SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		db = NULL;
	} else {
		sqlite3_busy_timeout(db, 2000);
	}
	strbuf_release(&uri);
	return db;
}

static void read_db(struct source_ctx *ctx, const char *path,
		    struct keyset *keys)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	uint64_t row = 0;
	int rc;

	/*
	 * Read-only first, so that a WAL still being written is seen; a
	 * folder we may not write (no -shm) falls back to immutable.
	 */
	db = db_open(path, "mode=ro");
	if (db && !(st = db_prepare(db))) {
		sqlite3_close(db);
		db = NULL;
	}
	if (!db) {
		db = db_open(path, "immutable=1");
		if (db)
			st = db_prepare(db);
	}
	if (!st) {
		source_bad_line(ctx, path, 0, "cannot read OpenCode database");
		goto cleanup;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *sess = (const char *)sqlite3_column_text(st, 1);
		const char *data = (const char *)sqlite3_column_blob(st, 2);
		int len = sqlite3_column_bytes(st, 2);
		const char *dir = (const char *)sqlite3_column_text(st, 3);
		struct json *msg;
		struct source_rec rec;
		const char *why = NULL;
		int r;

		row++;
		msg = data && len > 0 ? json_parse(data, (size_t)len) : NULL;
		if (!msg) {
			source_bad_line(ctx, path, row, "malformed JSON");
			continue;
		}
		r = message_rec(ctx, msg, id, sess, dir, &rec, &why);
		if (r < 0)
			source_bad_line(ctx, path, row, why);
		else if (!r) {
			if (rec.key)
				keyset_add(keys, rec.key);
			usage_set_add(ctx->out, &rec.ev);
		}
		json_free(msg);
	}
	if (rc != SQLITE_DONE)
		source_bad_line(ctx, path, row + 1, sqlite3_errmsg(db));
cleanup:
	sqlite3_finalize(st);
	sqlite3_close(db);
}
#endif

static void read_dbs(struct source_ctx *ctx, const char *base,
		     struct keyset *keys)
{
	struct strvec names = STRVEC_INIT, dbs = STRVEC_INIT;
	size_t i;

	if (dir_list(base, &names) < 0)
		return;
	for (i = 0; i < names.nr; i++) {
		const char *name = names.v[i];
		size_t len = strlen(name);

		if (!strcmp(name, "opencode.db") ||
		    (!strncmp(name, "opencode-", 9) && len > 12 &&
		     !strcmp(name + len - 3, ".db")))
			strvec_pushf(&dbs, "%s/%s", base, name);
	}
	strvec_clear(&names);
	source_sort_paths(&dbs);
	for (i = 0; i < dbs.nr; i++) {
#ifdef HAVE_SQLITE3
		read_db(ctx, dbs.v[i], keys);
#else
		/* Built without libsqlite3: "doctor" says so. */
		(void)keys;
#endif
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

struct file_rec {
	const struct source_rec *rec;
	size_t order;
};

static int cmp_file_rec(const void *a, const void *b)
{
	const struct file_rec *x = a, *y = b;

	if (x->rec->key != y->rec->key)
		return x->rec->key < y->rec->key ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void read_files(struct source_ctx *ctx, const char *base,
		       const struct keyset *db_keys)
{
	static const char * const suffixes[] = { ".json", NULL };
	struct strvec files = STRVEC_INIT;
	struct strbuf dir = STRBUF_INIT;
	struct file_rec *all = NULL;
	size_t nr = 0, alloc = 0, i, j;

	strbuf_addf(&dir, "%s/storage/message", base);
	source_find_files(ctx, dir.buf, suffixes, &files);
	source_sort_paths(&files);
	for (i = 0; i < files.nr; i++) {
		struct source_file *f = read_message_file(ctx, files.v[i]);

		for (j = 0; f && j < f->nr; j++) {
			if (f->rec[j].key && keyset_has(db_keys, f->rec[j].key))
				continue;
			ALLOC_GROW(all, nr + 1, alloc);
			all[nr].rec = &f->rec[j];
			all[nr].order = nr;
			nr++;
		}
	}
	if (nr)
		qsort(all, nr, sizeof(*all), cmp_file_rec);
	/* Two copies of one message: the first file wins. */
	for (i = 0; i < nr; i++)
		if (!i || !all[i].rec->key ||
		    all[i].rec->key != all[i - 1].rec->key)
			usage_set_add(ctx->out, &all[i].rec->ev);
	free(all);
	strvec_clear(&files);
	strbuf_release(&dir);
}

int source_opencode_read(struct source_ctx *ctx)
{
	struct strvec bases = STRVEC_INIT;
	struct keyset keys = { NULL, 0, 0 };
	const char *xdg = getenv("XDG_DATA_HOME");
	size_t i;

	if (ctx->paths.nr)
		for (i = 0; i < ctx->paths.nr; i++)
			strvec_push(&bases, ctx->paths.v[i]);
	else if (xdg && *xdg == '/')
		strvec_pushf(&bases, "%s/opencode", xdg);
	else if (source_home())
		strvec_pushf(&bases, "%s/.local/share/opencode",
			     source_home());

	/* Databases first: their rows win over the files. */
	for (i = 0; i < bases.nr; i++)
		read_dbs(ctx, bases.v[i], &keys);
	if (keys.nr)
		qsort(keys.k, keys.nr, sizeof(*keys.k), cmp_u64);
	for (i = 0; i < bases.nr; i++)
		read_files(ctx, bases.v[i], &keys);
	free(keys.k);
	strvec_clear(&bases);
	return 0;
}
