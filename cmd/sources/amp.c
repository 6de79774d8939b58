/*
 * Amp: ${AMP_DATA_DIR:-~/.local/share/amp}/threads/T-*.json, one JSON
 * document per thread, rewritten as the thread goes on: a file that
 * changed is read again whole.
 *
 * Two layouts. Current threads put the usage of each call on its
 * assistant message: messages[].usage {inputTokens, outputTokens,
 * cacheCreationInputTokens, cacheReadInputTokens, model, timestamp},
 * cache disjoint from input (totalInputTokens is their sum, not input).
 * Older threads keep a ledger, usageLedger.events[] {id, timestamp,
 * model, tokens {input, output}, toMessageId}, whose cache counts are on
 * the message it names; a thread with a ledger is read from the ledger
 * alone, so no call counts twice. "~debug.lastInferenceUsage" repeats
 * the last call and is never read.
 *
 * The work tree is the thread's env.initial.trees[0].uri (file://).
 * The document is skimmed, not parsed into a tree: its messages are
 * mostly text never read.
 */
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "sources/sources.h"

/*
 * The members read, skimmed: the thread (its messages and ledger events
 * one element at a time), a message, its usage, a ledger event.
 */
enum { T_ID, T_ENV, T_LEDGER, T_MESSAGES, T__NR };
static const struct json_key thread_keys[T__NR] = {
	JSON_KEY("id"), JSON_KEY("env"), JSON_KEY("usageLedger"),
	JSON_KEY("messages"),
};
static const struct json_key ledger_keys[1] = { JSON_KEY("events") };
enum { M_ROLE, M_USAGE, M_TIMESTAMP, M_MODEL, M_ID, M__NR };
static const struct json_key msg_keys[M__NR] = {
	JSON_KEY("role"), JSON_KEY("usage"), JSON_KEY("timestamp"),
	JSON_KEY("model"), JSON_KEY("messageId"),
};
/* The counters in the order of struct amp_counts. */
enum { U_INPUT, U_OUTPUT, U_CACHE_WRITE, U_CACHE_READ, U_TIMESTAMP, U_MODEL,
       U__NR };
static const struct json_key usage_keys[U__NR] = {
	JSON_KEY("inputTokens"), JSON_KEY("outputTokens"),
	JSON_KEY("cacheCreationInputTokens"), JSON_KEY("cacheReadInputTokens"),
	JSON_KEY("timestamp"), JSON_KEY("model"),
};
enum { E_ID, E_TIMESTAMP, E_MODEL, E_TOKENS, E_TO, E__NR };
static const struct json_key event_keys[E__NR] = {
	JSON_KEY("id"), JSON_KEY("timestamp"), JSON_KEY("model"),
	JSON_KEY("tokens"), JSON_KEY("toMessageId"),
};
static const struct json_key tokens_keys[2] = {
	JSON_KEY("input"), JSON_KEY("output"),
};

/* An assistant message's id and cache counts, for the ledger layout. */
struct amp_msg {
	char *id;
	uint64_t cache_write, cache_read;
	int bad;
};

struct amp_thread {
	struct source_ctx *ctx;
	struct source_file *f;
	const char *id;           /* the thread id */
	const char *cwd;          /* interned, or NULL */
	struct amp_msg *msg;      /* the ledger layout's messages */
	size_t msg_nr, msg_alloc;
	struct strbuf ts, model, call, tmp;
};

/* Counters first..last of raw into val; -1 when one is bad. */
static int read_counters(const struct json_raw *raw, int first, int last,
			 uint64_t **val)
{
	int i;

	for (i = first; i <= last; i++)
		if (json_raw_u64(&raw[i], val[i - first]) == JSON_NUM_BAD)
			return -1;
	return 0;
}

/*
 * The common end of both layouts: time, model, thread and key. Returns 0
 * when rec is an event, 1 when there is nothing to count, -1 when bad
 * (*why set).
 */
static int finish_rec(struct source_ctx *ctx, struct amp_thread *t,
		      struct source_rec *rec, const char *ts,
		      const char *model, const char *call_id,
		      const char **why)
{
	struct strbuf key = STRBUF_INIT;
	struct usage_event *ev = &rec->ev;

	if (!ev->input && !ev->output && !ev->cache_write && !ev->cache_read)
		return 1;
	if (!ts || date_parse_iso(ts, &ev->time) ||
	    !source_time_ok(ctx, ev->time)) {
		*why = "bad or missing timestamp";
		return -1;
	}
	ev->tool = TOOL_AMP;
	ev->model = model && *model ? event_intern(model) : NULL;
	ev->cwd = t->cwd;
	event_session_hash(ev->session, t->id);
	strbuf_addf(&key, "%s", t->id);
	strbuf_addch(&key, '\0');
	strbuf_addstr(&key, call_id ? call_id : ts);
	rec->key = hash_bytes(key.buf, key.len, 0x616d);
	strbuf_release(&key);
	return 0;
}

/*
 * A message id, a string or a whole number, as text: -1 (and "") when
 * it is neither.
 */
static int message_id(const struct json_raw *v, struct strbuf *out)
{
	uint64_t n;

	if (source_raw_cstr(v, out))
		return 0;
	strbuf_reset(out);
	if (json_raw_u64(v, &n) != JSON_NUM_OK)
		return -1;
	strbuf_addf(out, "%llu", (unsigned long long)n);
	return 0;
}

static void add_rec(struct amp_thread *t, struct source_rec *rec, int r,
		    const char *why)
{
	if (r < 0)
		source_bad_line(t->ctx, t->f->path, 0, why);
	else if (!r)
		source_file_add(t->f, rec);
}

/* The first of two string values there is, copied into sb; or NULL. */
static const char *first_str(const struct json_raw *a,
			     const struct json_raw *b, struct strbuf *sb)
{
	const char *s = source_raw_cstr(a, sb);

	return s ? s : source_raw_cstr(b, sb);
}

/*
 * An element of an array skimmed: 0, 1 when it is an array (no record,
 * as before), -1 when it is malformed (counted as bad input).
 */
static int skim_element(struct amp_thread *t, const char *p, const char *e,
			const struct json_key *keys, size_t nkeys,
			struct json_raw *out, struct json_skim_sub *sub)
{
	if (*p == '[')
		return 1;
	if (json_skim_sub(p, (size_t)(e - p), keys, nkeys, out, sub, 0,
			  NULL) || sub->bad) {
		source_bad_line(t->ctx, t->f->path, 0, "malformed JSON");
		return -1;
	}
	return 0;
}

/*
 * A message skimmed, u its usage when that is an object: 1 when it is
 * an assistant's, 0 when not, -1 when it is malformed.
 */
static int skim_message(struct amp_thread *t, const char *p, const char *e,
			struct json_raw *m, struct json_raw *u)
{
	struct json_skim_sub sub = { M_USAGE, usage_keys, U__NR, u, 0, NULL };
	const char *role;

	int r = skim_element(t, p, e, msg_keys, M__NR, m, &sub);

	if (r)
		return r < 0 ? -1 : 0;
	if (!json_raw_is_object(&m[M_USAGE]))
		memset(u, 0, U__NR * sizeof(*u));
	role = source_raw_cstr(&m[M_ROLE], &t->tmp);
	return role && !strcmp(role, "assistant");
}

/* Current layout: the usage on each assistant message. */
static void message_call(const char *p, const char *e, uint64_t line,
			 const char *why, void *data)
{
	struct amp_thread *t = data;
	struct json_raw m[M__NR], u[U__NR];
	struct source_rec rec;
	uint64_t *val[4];
	int r = -1;

	(void)line;
	if (why || skim_message(t, p, e, m, u) <= 0 ||
	    !json_raw_is_object(&m[M_USAGE]))
		return;
	memset(&rec, 0, sizeof(rec));
	val[0] = &rec.ev.input;
	val[1] = &rec.ev.output;
	val[2] = &rec.ev.cache_write;
	val[3] = &rec.ev.cache_read;
	why = "bad token counter";
	message_id(&m[M_ID], &t->call);
	if (!read_counters(u, U_INPUT, U_CACHE_READ, val))
		r = finish_rec(t->ctx, t, &rec,
			       first_str(&u[U_TIMESTAMP], &m[M_TIMESTAMP],
					 &t->ts),
			       first_str(&u[U_MODEL], &m[M_MODEL], &t->model),
			       t->call.len ? t->call.buf : NULL, &why);
	add_rec(t, &rec, r, why);
}

/* Older layout, first pass: each assistant message's cache counts. */
static void message_cache(const char *p, const char *e, uint64_t line,
			  const char *why, void *data)
{
	struct amp_thread *t = data;
	struct json_raw m[M__NR], u[U__NR];
	struct amp_msg *msg;
	uint64_t *val[2];

	(void)line;
	if (why || skim_message(t, p, e, m, u) <= 0)
		return;
	ALLOC_GROW(t->msg, t->msg_nr + 1, t->msg_alloc);
	msg = &t->msg[t->msg_nr++];
	memset(msg, 0, sizeof(*msg));
	message_id(&m[M_ID], &t->tmp);
	msg->id = xstrdup(t->tmp.buf);
	val[0] = &msg->cache_write;
	val[1] = &msg->cache_read;
	msg->bad = read_counters(u, U_CACHE_WRITE, U_CACHE_READ, val) < 0;
}

/* The first assistant message whose id v names, or NULL. */
static const struct amp_msg *ledger_message(struct amp_thread *t,
					    const struct json_raw *v)
{
	size_t i;

	if (message_id(v, &t->tmp) < 0)
		return NULL;
	for (i = 0; i < t->msg_nr; i++)
		if (!strcmp(t->msg[i].id, t->tmp.buf))
			return &t->msg[i];
	return NULL;
}

/* Older layout: one ledger event a call. */
static void ledger_call(const char *p, const char *e, uint64_t line,
			const char *why, void *data)
{
	struct amp_thread *t = data;
	struct json_raw ev[E__NR], tok[2];
	struct json_skim_sub sub = { E_TOKENS, tokens_keys, 2, tok, 0, NULL };
	const struct amp_msg *msg;
	struct source_rec rec;
	uint64_t *val[2];
	int r = -1;

	(void)line;
	if (why || skim_element(t, p, e, event_keys, E__NR, ev, &sub))
		return;
	if (!json_raw_is_object(&ev[E_TOKENS]))
		memset(tok, 0, sizeof(tok));
	memset(&rec, 0, sizeof(rec));
	msg = ledger_message(t, &ev[E_TO]);
	val[0] = &rec.ev.input;
	val[1] = &rec.ev.output;
	why = "bad token counter";
	if (!read_counters(tok, 0, 1, val) && !(msg && msg->bad)) {
		rec.ev.cache_write = msg ? msg->cache_write : 0;
		rec.ev.cache_read = msg ? msg->cache_read : 0;
		r = finish_rec(t->ctx, t, &rec,
			       source_raw_cstr(&ev[E_TIMESTAMP], &t->ts),
			       source_raw_cstr(&ev[E_MODEL], &t->model),
			       source_raw_cstr(&ev[E_ID], &t->call), &why);
	}
	add_rec(t, &rec, r, why);
}

/* The work tree: env.initial.trees[0].uri, a small value parsed alone. */
static const char *thread_cwd(const struct json_raw *env)
{
	struct json *j = env->p ? json_parse(env->p, env->len) : NULL;
	const char *uri = json_get_str(j, "initial.trees.0.uri");
	const char *cwd = NULL;

	if (uri) {
		struct strbuf path = STRBUF_INIT;

		if (!source_uri_path(uri, &path))
			cwd = event_intern(path.buf);
		strbuf_release(&path);
	}
	json_free(j);
	return cwd;
}

static void parse_thread(struct source_ctx *ctx, struct source_file *f,
			 const char *buf, size_t len)
{
	struct json_raw v[T__NR], ledger[1];
	struct json_skim_sub sub = { T_LEDGER, ledger_keys, 1, ledger, 0,
				     NULL };
	struct amp_thread t = { ctx, f, NULL, NULL, NULL, 0, 0, STRBUF_INIT,
				STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	struct strbuf sb = STRBUF_INIT;
	const char *base;
	size_t i;

	if (json_skim_sub(buf, len, thread_keys, T__NR, v, &sub, 0, NULL) ||
	    sub.bad) {
		source_bad_line(ctx, f->path, 0, "malformed JSON document");
		return;
	}
	t.id = source_raw_cstr(&v[T_ID], &sb);
	if (!t.id || !*t.id) {
		/* The file is named after the thread. */
		base = strrchr(f->path, '/');
		strbuf_reset(&sb);
		strbuf_addstr(&sb, base ? base + 1 : f->path);
		if (sb.len > 5 && !strcmp(sb.buf + sb.len - 5, ".json"))
			strbuf_setlen(&sb, sb.len - 5);
		t.id = sb.buf;
	}
	t.cwd = thread_cwd(&v[T_ENV]);
	if (!json_raw_is_object(&v[T_LEDGER]))
		ledger[0].p = NULL;
	if (ledger[0].p && *ledger[0].p == '[') {
		if (v[T_MESSAGES].p)
			source_array_each(v[T_MESSAGES].p, v[T_MESSAGES].len,
					  message_cache, &t);
		source_array_each(ledger[0].p, ledger[0].len, ledger_call, &t);
	} else if (v[T_MESSAGES].p) {
		source_array_each(v[T_MESSAGES].p, v[T_MESSAGES].len,
				  message_call, &t);
	}
	for (i = 0; i < t.msg_nr; i++)
		free(t.msg[i].id);
	free(t.msg);
	strbuf_release(&t.ts);
	strbuf_release(&t.model);
	strbuf_release(&t.call);
	strbuf_release(&t.tmp);
	strbuf_release(&sb);
}

void source_amp_parse_mem(struct source_ctx *ctx, struct source_file *f,
			  const char *buf, size_t len)
{
	parse_thread(ctx, f, buf, len);
	source_file_emit(ctx, f);
}

static void read_base(struct source_ctx *ctx, const char *base,
		      struct source_files *seen)
{
	static const char * const suffixes[] = { ".json", NULL };
	struct strvec files = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_addf(&sb, "%s/threads", base);
	source_find_files(ctx, sb.buf, suffixes, &files);
	source_sort_paths(&files);
	for (i = 0; i < files.nr; i++) {
		const char *name = strrchr(files.v[i], '/');
		struct source_file *f;
		int changed = 0;

		if (!name || strncmp(name + 1, "T-", 2))
			continue;
		f = source_file_get(ctx, files.v[i], &changed);
		if (!f)
			continue;
		if (changed) {
			strbuf_reset(&sb);
			if (source_file_read(ctx, f, &sb))
				continue;
			parse_thread(ctx, f, sb.buf, sb.len);
		}
		source_files_add(seen, f);
	}
	strvec_clear(&files);
	strbuf_release(&sb);
}

int source_amp_read(struct source_ctx *ctx)
{
	struct source_files seen = { NULL, 0, 0 };
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	ctx->lazy_records = 1;
	for (i = 0; i < ctx->paths.nr; i++)
		read_base(ctx, ctx->paths.v[i], &seen);
	if (!ctx->paths.nr) {
		source_default_dir(&sb, "AMP_DATA_DIR", ".local/share/amp");
		read_base(ctx, sb.buf, &seen);
	}
	source_files_emit(ctx, &seen);
	strbuf_release(&sb);
	return 0;
}
