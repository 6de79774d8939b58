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

static int thread_usage(const struct json *th, struct usage_event *ev)
{
	const struct json *cum = json_get(th, "cumulative_token_usage");
	const struct json *u;

	if (cum && add_usage(cum, ev) < 0)
		return -1;
	if (ev->input || ev->output || ev->cache_write || ev->cache_read)
		return 0;
	for (u = json_child(json_get(th, "request_token_usage")); u;
	     u = json_next(u))
		if (add_usage(u, ev) < 0)
			return -1;
	return 0;
}

static int db_time(struct source_db *db, int col, int64_t *ms)
{
	size_t len;
	const char *s = source_db_text(db, col, &len);

	return s ? date_parse_iso(s, ms) : -1;
}

/* The thread's JSON, decompressed when it is zstd; NULL when bad. */
static struct json *thread_json(struct source_db *db, const char **why)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len, tlen;
	const char *type = source_db_text(db, C_TYPE, &tlen);
	const char *data = source_db_text(db, C_DATA, &len);
	struct json *th = NULL;

	*why = "malformed JSON";
	if (!data || !type) {
		*why = "no data";
	} else if (!strcmp(type, "zstd")) {
		if (source_zstd_decode(data, len, MAX_THREAD, &sb) < 0)
			*why = source_zstd_supported() ? "bad zstd data" :
			       "built without zstd support";
		else
			th = json_parse(sb.buf, sb.len);
	} else if (!strcmp(type, "json")) {
		th = json_parse(data, len);
	} else {
		*why = "unknown data_type";
	}
	strbuf_release(&sb);
	return th;
}

static int thread_row(struct source_ctx *ctx, struct source_db *db,
		      struct source_rec *rec, const char **why, void *data)
{
	size_t len;
	const char *id = source_db_text(db, C_ID, &len);
	const char *folders = source_db_text(db, C_FOLDERS, &len);
	struct json *th = thread_json(db, why);
	const char *provider = json_get_str(th, "model.provider");
	const char *model = json_get_str(th, "model.model");
	int64_t end;
	int ret = -1;

	(void)data;
	if (!json_is_object(th) || !id)
		goto cleanup;
	ret = 1;
	if (json_bool(json_get(th, "imported")) || !provider ||
	    strcmp(provider, "zed.dev"))
		goto cleanup;
	ret = -1;
	if (thread_usage(th, &rec->ev) < 0) {
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
	source_db_event(rec, TOOL_ZED, rec->ev.time, end, model, folders,
			folders ? strcspn(folders, "\n") : 0, id, 0x7a65);
	ret = 0;
cleanup:
	json_free(th);
	return ret;
}

static const struct source_db_read db_read = { queries, thread_row, NULL };

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
