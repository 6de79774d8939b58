/*
 * Zed's agent: threads/threads.db (SQLite) under Zed's data folder,
 * table threads(id, updated_at, created_at, folder_paths, data_type,
 * data), one row a thread; data is the thread as JSON, zstd-compressed
 * when data_type is "zstd".
 *
 * Only threads on Zed's own service (model.provider "zed.dev") count:
 * with another provider's key the calls may also be logged by that
 * provider's tool, and external agents run inside Zed (Claude Code,
 * Codex) keep their own logs, read as those tools'. Imported threads
 * ("imported": true) were counted where they came from. The thread's
 * cumulative_token_usage {input_tokens, output_tokens,
 * cache_creation_input_tokens, cache_read_input_tokens} (cache apart
 * from input) is its running total; the sum of request_token_usage,
 * the last request of each turn, stands in only without it. No time
 * per call is kept: the totals are spread over the thread's window,
 * created_at to updated_at (source_emit_spread()). The work tree is
 * the first of folder_paths (one a line).
 */
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "sources/db.h"
#include "sources/sources.h"
#include "sources/zstd.h"

/* A thread's JSON is a few MB at most. */
#define MAX_THREAD ((size_t)64 << 20)

enum { C_ID, C_UPDATED, C_CREATED, C_FOLDERS, C_TYPE, C_DATA };

static const char * const queries[] = {
	"SELECT id, updated_at, created_at, folder_paths, data_type, data, "
	"rowid AS rowid FROM threads ORDER BY id",
	"SELECT id, updated_at, NULL, folder_paths, data_type, data, "
	"rowid AS rowid FROM threads ORDER BY id",
	"SELECT id, updated_at, NULL, NULL, data_type, data, "
	"rowid AS rowid FROM threads ORDER BY id",
	NULL
};

/* A TokenUsage object into the record; -1 when a counter is bad. */
static int add_usage(const struct json *u, struct usage_event *ev)
{
	uint64_t in, out, cw, cr;
	int bad = 0;

	bad |= json_get_u64(u, "input_tokens", &in) == JSON_NUM_BAD;
	bad |= json_get_u64(u, "output_tokens", &out) == JSON_NUM_BAD;
	bad |= json_get_u64(u, "cache_creation_input_tokens", &cw) ==
	       JSON_NUM_BAD;
	bad |= json_get_u64(u, "cache_read_input_tokens", &cr) ==
	       JSON_NUM_BAD;
	if (bad || !json_is_object(u))
		return -1;
	ev->input += in;
	ev->output += out;
	ev->cache_write += cw;
	ev->cache_read += cr;
	return 0;
}

/*
 * The thread's totals: its cumulative usage, else the sum of its
 * requests'. Each is a small value of the thread, parsed alone.
 */
static int thread_usage(const struct json_raw *cum_raw,
			const struct json_raw *req_raw,
			struct usage_event *ev)
{
	struct json *cum = NULL, *req = NULL;
	const struct json *u;
	int ret = -1;

	if (cum_raw->p) {
		cum = json_parse(cum_raw->p, cum_raw->len);
		if (add_usage(cum, ev) < 0)
			goto cleanup;
	}
	ret = 0;
	if (ev->input || ev->output || ev->cache_write || ev->cache_read ||
	    !req_raw->p)
		goto cleanup;
	req = json_parse(req_raw->p, req_raw->len);
	for (u = json_child(req); u; u = json_next(u))
		if (add_usage(u, ev) < 0) {
			ret = -1;
			break;
		}
cleanup:
	json_free(cum);
	json_free(req);
	return ret;
}

static int db_time(struct source_db *db, int col, int64_t *ms)
{
	size_t len;
	const char *s = source_db_text(db, col, &len);

	return s ? date_parse_iso(s, ms) : -1;
}

enum { T_MODEL, T_IMPORTED, T_CUMULATIVE, T_REQUESTS, T__NR };
static const struct json_key thread_keys[T__NR] = {
	JSON_KEY("model"), JSON_KEY("imported"),
	JSON_KEY("cumulative_token_usage"), JSON_KEY("request_token_usage"),
};
enum { M_PROVIDER, M_MODEL, M__NR };
static const struct json_key model_keys[M__NR] = {
	JSON_KEY("provider"), JSON_KEY("model"),
};

/* The text a row's strings are kept in. */
struct zed_read {
	struct strbuf json, provider, model;
};

/*
 * The members of the thread's JSON we read, decompressed when it is
 * zstd (the messages, its bulk, skipped unparsed); -1 when bad.
 */
static int thread_skim(struct source_db *db, struct zed_read *rd,
		       struct json_raw *v, struct json_raw *model,
		       const char **why)
{
	struct json_skim_sub sub = { T_MODEL, model_keys, M__NR, model, 0,
				     NULL };
	size_t len, tlen;
	const char *type = source_db_text(db, C_TYPE, &tlen);
	const char *data = source_db_text(db, C_DATA, &len);

	if (!data || !type) {
		*why = "no data";
		return -1;
	} else if (!strcmp(type, "zstd")) {
		strbuf_reset(&rd->json);
		if (source_zstd_decode(data, len, MAX_THREAD, &rd->json) < 0) {
			*why = source_zstd_supported() ? "bad zstd data" :
			       "built without zstd support";
			return -1;
		}
		data = rd->json.buf;
		len = rd->json.len;
	} else if (strcmp(type, "json")) {
		*why = "unknown data_type";
		return -1;
	}
	if (json_skim_sub(data, len, thread_keys, T__NR, v, &sub, 0, NULL) ||
	    sub.bad) {
		*why = "malformed JSON";
		return -1;
	}
	return 0;
}

static int thread_row(struct source_ctx *ctx, struct source_db *db,
		      struct source_rec *rec, const char **why, void *data)
{
	struct zed_read rd = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	size_t len;
	const char *id = source_db_text(db, C_ID, &len);
	const char *folders = source_db_text(db, C_FOLDERS, &len);
	struct json_raw v[T__NR], m[M__NR];
	const char *provider, *model;
	int64_t end;
	int ret = -1;

	(void)data;
	if (thread_skim(db, &rd, v, m, why) < 0)
		goto cleanup;
	*why = "malformed JSON";
	if (!id)
		goto cleanup;
	ret = 1;
	provider = source_raw_cstr(&m[M_PROVIDER], &rd.provider);
	if (json_raw_bool(&v[T_IMPORTED]) || !provider ||
	    strcmp(provider, "zed.dev"))
		goto cleanup;
	ret = -1;
	if (thread_usage(&v[T_CUMULATIVE], &v[T_REQUESTS], &rec->ev) < 0) {
		*why = "bad token counter";
		goto cleanup;
	}
	ret = 1;
	if (!source_rec_total(rec))
		goto cleanup;
	ret = -1;
	if (db_time(db, C_UPDATED, &end) || !source_time_ok(ctx, end)) {
		*why = "bad or missing updated_at";
		goto cleanup;
	}
	if (db_time(db, C_CREATED, &rec->ev.time) || rec->ev.time > end ||
	    !source_time_ok(ctx, rec->ev.time))
		rec->ev.time = end;
	model = source_raw_cstr(&m[M_MODEL], &rd.model);
	source_db_event(rec, TOOL_ZED, rec->ev.time, end, model, folders,
			folders ? strcspn(folders, "\n") : 0, id, 0x7a65);
	ret = 0;
cleanup:
	strbuf_release(&rd.json);
	strbuf_release(&rd.provider);
	strbuf_release(&rd.model);
	return ret;
}

static const struct source_db_read db_read = { queries, thread_row, NULL, NULL };

void source_zed_parse_mem(struct source_ctx *ctx, struct source_file *f,
			  const char *buf, size_t len)
{
	source_db_read_mem(ctx, f, buf, len, &db_read);
}

int source_zed_read(struct source_ctx *ctx)
{
	struct strvec dirs = STRVEC_INIT;
	const char *xdg = getenv("XDG_DATA_HOME");
	size_t i;

	for (i = 0; i < ctx->paths.nr; i++)
		strvec_push(&dirs, ctx->paths.v[i]);
	if (!ctx->paths.nr) {
		if (xdg && *xdg == '/')
			strvec_pushf(&dirs, "%s/zed", xdg);
		else
			strvec_pushf(&dirs, "%s/.local/share/zed",
				     source_home());
		strvec_pushf(&dirs, "%s/Library/Application Support/Zed",
			     source_home());
	}
	source_db_read_spread(ctx, &dirs, "threads/threads.db", &db_read);
	strvec_clear(&dirs);
	return 0;
}
