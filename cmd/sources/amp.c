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
 */
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "sources/sources.h"

struct amp_thread {
	struct source_file *f;
	const struct json *doc;
	const char *id;           /* the thread id */
	const char *cwd;          /* interned, or NULL */
};

/* The names of a call's counters in one layout; NULL: not there. */
struct amp_keys {
	const char *input, *output, *cache_write, *cache_read;
};

static const struct amp_keys message_keys = {
	"inputTokens", "outputTokens", "cacheCreationInputTokens",
	"cacheReadInputTokens"
};

static int read_counters(const struct json *usage, const struct amp_keys *k,
			 struct usage_event *ev)
{
	const char *name[4] = {
		k->input, k->output, k->cache_write, k->cache_read
	};
	uint64_t *val[4] = {
		&ev->input, &ev->output, &ev->cache_write, &ev->cache_read
	};
	int i;

	for (i = 0; i < 4; i++)
		if (name[i] &&
		    json_get_u64(usage, name[i], val[i]) == JSON_NUM_BAD)
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

static void message_id(const struct json *msg, struct strbuf *out)
{
	const struct json *id = json_get(msg, "messageId");
	uint64_t n;

	strbuf_reset(out);
	if (json_str(id))
		strbuf_addstr(out, json_str(id));
	else if (json_u64(id, &n) == JSON_NUM_OK)
		strbuf_addf(out, "%llu", (unsigned long long)n);
}

static int is_assistant(const struct json *msg)
{
	const char *role = json_get_str(msg, "role");

	return role && !strcmp(role, "assistant");
}

static void add_rec(struct source_ctx *ctx, struct amp_thread *t,
		    struct source_rec *rec, int r, const char *why)
{
	if (r < 0)
		source_bad_line(ctx, t->f->path, 0, why);
	else if (!r)
		source_file_add(t->f, rec);
}

/* Current layout: the usage on each assistant message. */
static void read_messages(struct source_ctx *ctx, struct amp_thread *t)
{
	const struct json *m;
	struct strbuf id = STRBUF_INIT;

	for (m = json_child(json_get(t->doc, "messages")); m;
	     m = json_next(m)) {
		const struct json *usage = json_get(m, "usage");
		struct source_rec rec;
		const char *ts, *model, *why = "bad token counter";
		int r = -1;

		if (!is_assistant(m) || !json_is_object(usage))
			continue;
		memset(&rec, 0, sizeof(rec));
		ts = json_get_str(usage, "timestamp");
		if (!ts)
			ts = json_get_str(m, "timestamp");
		model = json_get_str(usage, "model");
		if (!model)
			model = json_get_str(m, "model");
		message_id(m, &id);
		if (!read_counters(usage, &message_keys, &rec.ev))
			r = finish_rec(ctx, t, &rec, ts, model,
				       id.len ? id.buf : NULL, &why);
		add_rec(ctx, t, &rec, r, why);
	}
	strbuf_release(&id);
}

/* The assistant message a ledger event names, for its cache counts. */
static const struct json *ledger_message(const struct amp_thread *t,
					 const struct json *event,
					 struct strbuf *tmp)
{
	const struct json *m, *to = json_get(event, "toMessageId");
	uint64_t n;

	if (!to)
		return NULL;
	strbuf_reset(tmp);
	if (json_str(to))
		strbuf_addstr(tmp, json_str(to));
	else if (json_u64(to, &n) == JSON_NUM_OK)
		strbuf_addf(tmp, "%llu", (unsigned long long)n);
	else
		return NULL;
	for (m = json_child(json_get(t->doc, "messages")); m;
	     m = json_next(m)) {
		struct strbuf id = STRBUF_INIT;
		int same;

		if (!is_assistant(m))
			continue;
		message_id(m, &id);
		same = !strcmp(id.buf, tmp->buf);
		strbuf_release(&id);
		if (same)
			return m;
	}
	return NULL;
}

static const struct amp_keys ledger_keys = { "input", "output", NULL, NULL };
static const struct amp_keys cache_keys = {
	NULL, NULL, "cacheCreationInputTokens", "cacheReadInputTokens"
};

/* Older layout: one ledger event a call. */
static void read_ledger(struct source_ctx *ctx, struct amp_thread *t,
			const struct json *events)
{
	const struct json *e;
	struct strbuf tmp = STRBUF_INIT;

	for (e = json_child(events); e; e = json_next(e)) {
		const struct json *msg = ledger_message(t, e, &tmp);
		struct usage_event cache;
		struct source_rec rec;
		const char *why = "bad token counter";
		int r = -1;

		memset(&rec, 0, sizeof(rec));
		memset(&cache, 0, sizeof(cache));
		if (!read_counters(json_get(e, "tokens"), &ledger_keys,
				   &rec.ev) &&
		    !read_counters(json_get(msg, "usage"), &cache_keys,
				   &cache)) {
			rec.ev.cache_write = cache.cache_write;
			rec.ev.cache_read = cache.cache_read;
			r = finish_rec(ctx, t, &rec,
				       json_get_str(e, "timestamp"),
				       json_get_str(e, "model"),
				       json_get_str(e, "id"), &why);
		}
		add_rec(ctx, t, &rec, r, why);
	}
	strbuf_release(&tmp);
}

static void parse_thread(struct source_ctx *ctx, struct source_file *f,
			 const char *buf, size_t len)
{
	struct json *doc = json_parse(buf, len);
	struct amp_thread t;
	struct strbuf sb = STRBUF_INIT;
	const struct json *events;
	const char *uri, *base;

	if (!json_is_object(doc)) {
		source_bad_line(ctx, f->path, 0, "malformed JSON document");
		goto cleanup;
	}
	memset(&t, 0, sizeof(t));
	t.f = f;
	t.doc = doc;
	t.id = json_get_str(doc, "id");
	if (!t.id || !*t.id) {
		/* The file is named after the thread. */
		base = strrchr(f->path, '/');
		strbuf_addstr(&sb, base ? base + 1 : f->path);
		if (sb.len > 5 && !strcmp(sb.buf + sb.len - 5, ".json"))
			strbuf_setlen(&sb, sb.len - 5);
		t.id = sb.buf;
	}
	uri = json_get_str(doc, "env.initial.trees.0.uri");
	if (uri) {
		struct strbuf path = STRBUF_INIT;

		if (!source_uri_path(uri, &path))
			t.cwd = event_intern(path.buf);
		strbuf_release(&path);
	}
	events = json_get(doc, "usageLedger.events");
	if (json_is_array(events))
		read_ledger(ctx, &t, events);
	else
		read_messages(ctx, &t);
cleanup:
	strbuf_release(&sb);
	json_free(doc);
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
			if (source_read_whole(ctx, f, &sb))
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
