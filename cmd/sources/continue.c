/*
 * Continue: ${CONTINUE_GLOBAL_DIR:-~/.continue}/dev_data/0.2.0/
 * tokensGenerated.jsonl, one line a call, appended to (read from where
 * the last run stopped): {model, provider, promptTokens,
 * generatedTokens, createdAt, sessionId}. Continue reports no cache
 * counts: input = promptTokens, output = generatedTokens. The same calls
 * are in devdata.sqlite, which is not read.
 *
 * A line names no folder: the work tree is the workspaceDirectory that
 * sessions/sessions.json gives its session. It is looked up on every
 * run, not kept with the line, since a session is listed only once it
 * is saved.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "sources/sources.h"

/* The members read of a line (skimmed). */
enum { K_PROMPT, K_GENERATED, K_CREATED, K_TIMESTAMP, K_SESSION, K_MODEL,
       K__NR };
static const struct json_key line_keys[K__NR] = {
	JSON_KEY("promptTokens"), JSON_KEY("generatedTokens"),
	JSON_KEY("createdAt"), JSON_KEY("timestamp"), JSON_KEY("sessionId"),
	JSON_KEY("model"),
};

/* The text of a line's strings, kept between lines. */
struct continue_text {
	struct strbuf ts, model;
	struct source_memo session;
};
#define CONTINUE_TEXT_INIT { STRBUF_INIT, STRBUF_INIT, SOURCE_MEMO_INIT }

static int continue_line(struct source_ctx *ctx, struct source_file *f,
			 const char *line, size_t len, uint64_t lineno,
			 int partial, void *data)
{
	struct continue_text *tx = data;
	struct json_raw v[K__NR];
	const char *ts, *why = NULL;
	struct source_rec rec;
	int st = 0, r;

	r = source_line_skim(ctx, f, line, len, lineno, partial, line_keys,
			     K__NR, v, NULL);
	if (r)
		return r > 0;
	memset(&rec, 0, sizeof(rec));
	st |= json_raw_u64(&v[K_PROMPT], &rec.ev.input) == JSON_NUM_BAD;
	st |= json_raw_u64(&v[K_GENERATED], &rec.ev.output) == JSON_NUM_BAD;
	ts = source_raw_cstr(&v[K_CREATED], &tx->ts);
	if (!ts)
		ts = source_raw_cstr(&v[K_TIMESTAMP], &tx->ts);
	if (st)
		why = "bad token counter";
	else if (!rec.ev.input && !rec.ev.output)
		return 0;
	else if (!ts || date_parse_iso(ts, &rec.ev.time) ||
		 !source_time_ok(ctx, rec.ev.time))
		why = "bad or missing timestamp";
	if (why) {
		source_bad_line(ctx, f->path, lineno, why);
		return 0;
	}
	rec.ev.tool = TOOL_CONTINUE;
	rec.ev.model = event_intern(source_raw_cstr(&v[K_MODEL], &tx->model));
	source_memo_session(&tx->session, &v[K_SESSION], rec.ev.session);
	source_file_add(f, &rec);
	return 0;
}

static void continue_text_release(struct continue_text *tx)
{
	strbuf_release(&tx->ts);
	strbuf_release(&tx->model);
	source_memo_release(&tx->session);
}

static const char * const continue_filter[] = { "Tokens\"", NULL };

void source_continue_parse_mem(struct source_ctx *ctx,
			       struct source_file *f,
			       const char *buf, size_t len)
{
	struct continue_text tx = CONTINUE_TEXT_INIT;

	source_scan_mem(ctx, f, buf, len, continue_filter, continue_line,
			&tx);
	source_file_emit(ctx, f);
	continue_text_release(&tx);
}

/* sessions.json: each session's folder, by the hash of its session. */
struct session_dirs {
	struct u64map map;        /* key of the session hash -> index + 1 */
	const char **cwd;
	size_t nr, alloc;
};

static uint64_t session_key(const char *session)
{
	return hash_bytes(session, strlen(session), 0x636f);
}

static void load_sessions(const struct strbuf *text, struct session_dirs *sd)
{
	struct strbuf sb = STRBUF_INIT;
	struct json *doc = json_parse(text->buf, text->len);
	const struct json *s;

	for (s = json_child(doc); s; s = json_next(s)) {
		const char *id = json_get_str(s, "sessionId");
		const char *dir = json_get_str(s, "workspaceDirectory");
		char session[13];

		if (!id || !*id || !dir || source_uri_path(dir, &sb))
			continue;
		event_session_hash(session, id);
		ALLOC_GROW(sd->cwd, sd->nr + 1, sd->alloc);
		sd->cwd[sd->nr++] = event_intern(sb.buf);
		*u64map_find(&sd->map, session_key(session), 1) = sd->nr;
	}
	json_free(doc);
	strbuf_release(&sb);
}

static const char *session_cwd(struct session_dirs *sd, const char *session)
{
	size_t *slot;

	if (!*session)
		return NULL;
	slot = u64map_find(&sd->map, session_key(session), 0);
	return slot && *slot ? sd->cwd[*slot - 1] : NULL;
}

/* One base folder: its calls, and its session list as of this run. */
struct continue_base {
	struct source_file *tokens;
	struct strbuf sessions;
};

/*
 * The session list is looked up as a file too, so that a change to it
 * alone makes the last result stale.
 */
static void read_base(struct source_ctx *ctx, const char *base,
		      struct continue_base *cb)
{
	struct strbuf sb = STRBUF_INIT;
	struct source_file *f;
	int changed = 0;

	strbuf_addf(&sb, "%s/dev_data/0.2.0/tokensGenerated.jsonl", base);
	if (access(sb.buf, F_OK))
		goto cleanup;
	cb->tokens = source_file_get(ctx, sb.buf, &changed);
	if (cb->tokens && changed) {
		struct continue_text tx = CONTINUE_TEXT_INIT;

		source_scan(ctx, cb->tokens, continue_filter, continue_line,
			    &tx);
		continue_text_release(&tx);
	}
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/sessions/sessions.json", base);
	if (access(sb.buf, F_OK))
		goto cleanup;
	f = source_file_get(ctx, sb.buf, &changed);
	if (f && changed)
		source_file_read(ctx, f, &cb->sessions);
	else if (f && strbuf_read_file(&cb->sessions, sb.buf, 4096) < 0)
		strbuf_reset(&cb->sessions);
cleanup:
	strbuf_release(&sb);
}

static void emit_base(struct source_ctx *ctx, struct continue_base *cb)
{
	struct session_dirs sd = { U64MAP_INIT, NULL, 0, 0 };
	size_t i;

	load_sessions(&cb->sessions, &sd);
	for (i = 0; cb->tokens && i < cb->tokens->nr; i++) {
		struct usage_event ev = cb->tokens->rec[i].ev;

		ev.cwd = session_cwd(&sd, ev.session);
		usage_set_add(ctx->out, &ev);
	}
	u64map_release(&sd.map);
	free(sd.cwd);
}

int source_continue_read(struct source_ctx *ctx)
{
	struct continue_base *cb;
	struct strbuf sb = STRBUF_INIT;
	size_t i, n = ctx->paths.nr ? ctx->paths.nr : 1;

	ctx->lazy_records = 1;
	cb = xcalloc(n, sizeof(*cb));
	for (i = 0; i < n; i++) {
		strbuf_init(&cb[i].sessions, 0);
		if (ctx->paths.nr) {
			read_base(ctx, ctx->paths.v[i], &cb[i]);
			continue;
		}
		source_default_dir(&sb, "CONTINUE_GLOBAL_DIR", ".continue");
		read_base(ctx, sb.buf, &cb[i]);
	}
	if (!source_reuse_result(ctx))
		for (i = 0; i < n; i++)
			emit_base(ctx, &cb[i]);
	for (i = 0; i < n; i++)
		strbuf_release(&cb[i].sessions);
	free(cb);
	strbuf_release(&sb);
	return 0;
}
