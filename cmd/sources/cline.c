/*
 * The Cline family of VS Code extensions: Cline, Roo Code and Kilo
 * Code, one source each, all read here. Each task is a folder
 * <globalStorage>/<extension id>/tasks/<task id>/ whose ui_messages.json
 * (a JSON array, rewritten whole as the task goes on) holds one
 * {"type":"say","say":"api_req_started","ts":<ms>,"text":"<JSON>"} per
 * model call; the inner JSON has tokensIn, tokensOut, cacheReads,
 * cacheWrites once the call is done. It is written first without them
 * (and stays so when the call was cancelled before any token): such a
 * record is no event. The task's totals repeated elsewhere
 * (taskHistory.json, history_item.json) are not read.
 *
 * Every VS Code-family install is searched: Code, Code - Insiders,
 * VSCodium, Cursor and Windsurf, on Linux and macOS paths, and the
 * remote servers' data folders.
 *
 * Cline writes tokensIn without the cache. Roo Code since 3.29.5 and
 * Kilo Code since 4.119.0 (November 2025) write the whole prompt, cache
 * included. The record does not say which version wrote it: a Roo or
 * Kilo record from 2025-11-01 on whose tokensIn is at least cacheReads +
 * cacheWrites is read as the whole prompt (input = tokensIn - cacheReads
 * - cacheWrites); a smaller tokensIn cannot hold the cache, and earlier
 * records are older versions': input = tokensIn.
 *
 * The model is the record's own modelInfo.modelId, else the task's
 * task_metadata.json model_usage entry in force at the record's time,
 * else the last <model> of the environment details in the task's
 * api_conversation_history.json. The working directory comes from those
 * environment details ("# Current Working Directory (<path>) Files"),
 * else from history_item.json's workspace.
 */
#include "base/compat.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "sources/sources.h"

/* 2025-11-01T00:00:00Z: Roo Code 3.29.5's release. */
#define WHOLE_PROMPT_SINCE 1761955200000LL

static const char *extension_id(enum tool tool)
{
	switch (tool) {
	case TOOL_ROO:
		return "rooveterinaryinc.roo-cline";
	case TOOL_KILO:
		return "kilocode.kilo-code";
	default:
		return "saoudrizwan.claude-dev";
	}
}

/* What a task's other files say. */
struct task {
	const char *cwd;            /* interned, or NULL */
	const char *last_model;     /* interned, or NULL */
	struct json *meta;          /* task_metadata.json */
	struct strbuf meta_buf;
};

/* The text after "# Current Wor..." in a JSON string, unescaped. */
static const char *find_cwd(const char *s, size_t len)
{
	static const char * const marks[] = {
		"# Current Working Directory (",
		"# Current Workspace Directory (", NULL
	};
	const char * const *m;
	struct strbuf sb = STRBUF_INIT;
	const char *ret = NULL, *p, *end = s + len;

	for (m = marks; *m && !ret; m++) {
		p = memmem(s, len, *m, strlen(*m));
		if (!p)
			continue;
		for (p += strlen(*m); p < end && *p != '"'; p++) {
			if (*p == ')' && (p + 1 == end || p[1] == ' ' ||
					  p[1] == '\\'))
				break;
			if (*p == '\\' && p + 1 < end)
				p++;
			strbuf_addch(&sb, *p);
		}
		if (sb.len && sb.buf[0] == '/')
			ret = event_intern(sb.buf);
		strbuf_reset(&sb);
	}
	strbuf_release(&sb);
	return ret;
}

/* The last <model>...</model> of the environment details, or NULL. */
static const char *find_model(const char *s, size_t len)
{
	const char *p = s, *end = s + len, *q, *found = NULL;
	size_t flen = 0;

	while ((q = memmem(p, (size_t)(end - p), "<model>", 7))) {
		const char *close;

		q += 7;
		close = memmem(q, (size_t)(end - q), "</model>", 8);
		if (!close)
			break;
		if (close > q && close - q < 200) {
			found = q;
			flen = (size_t)(close - q);
		}
		p = close + 8;
	}
	return found ? event_intern_n(found, flen) : NULL;
}

static void task_load(struct task *t, const char *dir)
{
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;

	memset(t, 0, sizeof(*t));
	strbuf_init(&t->meta_buf, 0);
	strbuf_addf(&path, "%s/api_conversation_history.json", dir);
	if (strbuf_read_file(&sb, path.buf, 0) >= 0) {
		t->cwd = find_cwd(sb.buf, sb.len);
		t->last_model = find_model(sb.buf, sb.len);
	}
	if (!t->cwd) {
		struct json *hist;

		strbuf_reset(&path);
		strbuf_addf(&path, "%s/history_item.json", dir);
		strbuf_reset(&sb);
		if (strbuf_read_file(&sb, path.buf, 0) >= 0 &&
		    (hist = json_parse(sb.buf, sb.len))) {
			const char *w = json_get_str(hist, "workspace");

			if (w && *w == '/')
				t->cwd = event_intern(w);
			json_free(hist);
		}
	}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/task_metadata.json", dir);
	if (strbuf_read_file(&t->meta_buf, path.buf, 0) >= 0)
		t->meta = json_parse(t->meta_buf.buf, t->meta_buf.len);
	strbuf_release(&path);
	strbuf_release(&sb);
}

static void task_release(struct task *t)
{
	json_free(t->meta);
	strbuf_release(&t->meta_buf);
}

/* The model in use at time ms by task_metadata.json's model_usage. */
static const char *meta_model(const struct task *t, int64_t ms)
{
	const struct json *c;
	const char *best = NULL;

	for (c = json_child(json_get(t->meta, "model_usage")); c;
	     c = json_next(c)) {
		const char *id = json_get_str(c, "model_id");
		double ts;

		if (!id || !*id)
			continue;
		if (!best || (!json_double(json_get(c, "ts"), &ts) &&
			      ts <= (double)ms))
			best = id;
	}
	return best;
}

/* Bad input in a whole-file source: counted, and kept with the file. */
static void bad_record(struct source_ctx *ctx, struct source_file *f,
		       uint64_t line, const char *why)
{
	source_bad_line(ctx, f->path, line, why);
	if (!f->bad || line < f->bad_line) {
		f->bad_line = line;
		f->bad_why = event_intern(why);
	}
	f->bad++;
}

enum { M_TYPE, M_SAY, M_TEXT, M_TS, M_INFO, M__NR };
static const struct json_key msg_keys[M__NR] = {
	JSON_KEY("type"), JSON_KEY("say"), JSON_KEY("text"), JSON_KEY("ts"),
	JSON_KEY("modelInfo"),
};
static const struct json_key info_keys[1] = { JSON_KEY("modelId") };
/* In the call's text: tokensIn, tokensOut, cacheReads, cacheWrites. */
static const struct json_key text_keys[4] = {
	JSON_KEY("tokensIn"), JSON_KEY("tokensOut"), JSON_KEY("cacheReads"),
	JSON_KEY("cacheWrites"),
};

/* What reading a file's elements keeps between them. */
struct cline_read {
	struct strbuf text;
	struct source_memo model;
};

/*
 * One element of the array (skimmed into msg, info its modelInfo) to a
 * record: 0 when it is a call with tokens, 1 when it is not one, -1
 * when it is bad input (why set).
 */
static int message_rec(struct source_ctx *ctx, struct source_file *f,
		       const struct task *t, const struct json_raw *msg,
		       const struct json_raw *info, struct cline_read *rd,
		       struct source_rec *rec, const char **why)
{
	struct json_raw tok[4];
	const char *text, *model, *base;
	uint64_t v[4], in;
	double ts;
	struct strbuf key = STRBUF_INIT;
	int st = 0, i;

	memset(rec, 0, sizeof(*rec));
	if (!json_raw_streq(&msg[M_TYPE], "say") ||
	    !json_raw_streq(&msg[M_SAY], "api_req_started"))
		return 1;
	text = source_raw_cstr(&msg[M_TEXT], &rd->text);
	if (!text || json_skim(text, strlen(text), text_keys, 4, tok)) {
		*why = "malformed api_req_started text";
		return -1;
	}
	for (i = 0; i < 4; i++)
		st |= json_raw_u64(&tok[i], &v[i]) == JSON_NUM_BAD;
	if (st) {
		*why = "bad token counter";
		return -1;
	}
	/* Not filled in yet, or cancelled before any token. */
	if (!v[0] && !v[1] && !v[2] && !v[3])
		return 1;
	/* ms since the epoch: beyond what a counter may hold */
	if (json_raw_double(&msg[M_TS], &ts) || ts < 0 || ts > 1e15 ||
	    !source_time_ok(ctx, (int64_t)ts)) {
		*why = "bad or missing ts";
		return -1;
	}
	rec->ev.time = (int64_t)ts;
	rec->ev.tool = ctx->src->tool;
	model = source_memo_intern(&rd->model, &info[0]);
	if (!model)
		model = meta_model(t, rec->ev.time);
	rec->ev.model = model && *model ? event_intern(model) : t->last_model;
	rec->ev.cwd = t->cwd;
	/* The task folder's name is the task id. */
	base = strrchr(f->path, '/');
	strbuf_add(&key, f->path, base ? (size_t)(base - f->path) : 0);
	base = strrchr(key.buf, '/');
	event_session_hash(rec->ev.session, base ? base + 1 : key.buf);
	in = v[0];
	if (ctx->src->tool != TOOL_CLINE &&
	    rec->ev.time >= WHOLE_PROMPT_SINCE && in >= v[2] + v[3])
		in -= v[2] + v[3];
	rec->ev.input = in;
	rec->ev.output = v[1];
	rec->ev.cache_read = v[2];
	rec->ev.cache_write = v[3];
	strbuf_addf(&key, "\n%llu", (unsigned long long)rec->ev.time);
	rec->key = hash_bytes(key.buf, key.len, 0x636c);
	strbuf_release(&key);
	return 0;
}

/* What cline_element() needs of the file being read. */
struct cline_elem {
	struct source_ctx *ctx;
	struct source_file *f;
	const struct task *t;
	struct cline_read *rd;
};

/* One element, p to e: a record, or bad input counted at line. */
static void parse_element(struct source_ctx *ctx, struct source_file *f,
			  const struct task *t, struct cline_read *rd,
			  const char *p, const char *e, uint64_t line)
{
	struct json_raw msg[M__NR], info[1];
	struct json_skim_sub sub = { M_INFO, info_keys, 1, info, 0, NULL };
	struct source_rec rec;
	const char *why = NULL;
	int r = -1;

	if (json_skim_sub(p, (size_t)(e - p), msg_keys, M__NR, msg, &sub, 0,
			  NULL))
		why = source_skim_why(p, (size_t)(e - p));
	else
		r = message_rec(ctx, f, t, msg, info, rd, &rec, &why);
	if (r < 0)
		bad_record(ctx, f, line, why);
	else if (!r)
		source_file_add(f, &rec);
}

/* One element of the array, p to e, or bad input (why set) at line. */
static void cline_element(const char *p, const char *e, uint64_t line,
			  const char *why, void *data)
{
	struct cline_elem *ce = data;

	if (why)
		bad_record(ce->ctx, ce->f, line, why);
	else
		parse_element(ce->ctx, ce->f, ce->t, ce->rd, p, e, line);
}

static void parse_messages(struct source_ctx *ctx, struct source_file *f,
			   const struct task *t, const char *buf, size_t len)
{
	struct cline_read rd = { STRBUF_INIT, SOURCE_MEMO_INIT };
	struct cline_elem ce = { ctx, f, t, &rd };

	source_array_each(buf, len, cline_element, &ce);
	strbuf_release(&rd.text);
	source_memo_release(&rd.model);
}

void source_cline_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len)
{
	struct task t;

	memset(&t, 0, sizeof(t));
	strbuf_init(&t.meta_buf, 0);
	parse_messages(ctx, f, &t, buf, len);
	source_file_emit(ctx, f);
	task_release(&t);
}

/* The task files seen in this run. */
struct files {
	struct source_file **f;
	size_t nr, alloc;
};

/* One task's ui_messages.json, read into sb. */
static void read_task(struct source_ctx *ctx, const char *dir,
		      struct files *seen, struct strbuf *sb)
{
	struct strbuf path = STRBUF_INIT;
	struct source_file *f;
	struct stat st;
	struct task t;
	int changed;

	strbuf_addf(&path, "%s/ui_messages.json", dir);
	if (lstat(path.buf, &st))
		goto cleanup;
	f = source_file_get(ctx, path.buf, &changed);
	if (!f)
		goto cleanup;
	ALLOC_GROW(seen->f, seen->nr + 1, seen->alloc);
	seen->f[seen->nr++] = f;
	strbuf_reset(sb);
	if (changed && !source_file_read(ctx, f, sb)) {
		task_load(&t, dir);
		parse_messages(ctx, f, &t, sb->buf, sb->len);
		task_release(&t);
	}
cleanup:
	strbuf_release(&path);
}

/* <storage>/tasks/<id>/ for one extension's storage folder. */
static void read_storage(struct source_ctx *ctx, const char *storage,
			 struct files *seen)
{
	struct strvec ids = STRVEC_INIT;
	struct strbuf dir = STRBUF_INIT, doc = STRBUF_INIT;
	size_t i;

	strbuf_addf(&dir, "%s/tasks", storage);
	if (dir_list(dir.buf, &ids) < 0 || !ids.nr)
		goto cleanup;
	source_found(ctx, storage);
	source_sort_paths(&ids);
	for (i = 0; i < ids.nr; i++) {
		strbuf_reset(&dir);
		strbuf_addf(&dir, "%s/tasks/%s", storage, ids.v[i]);
		/*
		 * One buffer for them all: a new one a file was fresh
		 * memory each time, a page fault each 4 KiB.
		 */
		read_task(ctx, dir.buf, seen, &doc);
	}
cleanup:
	strvec_clear(&ids);
	strbuf_release(&dir);
	strbuf_release(&doc);
}

int source_cline_read(struct source_ctx *ctx)
{
	static const char * const apps[] = {
		"Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf",
		NULL
	};
	static const char * const servers[] = {
		".vscode-server", ".vscode-server-insiders",
		".vscodium-server", ".cursor-server", ".windsurf-server", NULL
	};
	const char *home = source_home(), *xdg = getenv("XDG_CONFIG_HOME");
	const char *ext = extension_id(ctx->src->tool);
	struct strbuf sb = STRBUF_INIT, config = STRBUF_INIT;
	struct files seen = { NULL, 0, 0 };
	size_t i;

	/* Unchanged tasks' records stay on disk when nothing changed. */
	ctx->lazy_records = 1;
	for (i = 0; i < ctx->paths.nr; i++)
		read_storage(ctx, ctx->paths.v[i], &seen);
	if (ctx->paths.nr)
		goto emit;
	if (xdg && *xdg == '/')
		strbuf_addstr(&config, xdg);
	else
		strbuf_addf(&config, "%s/.config", home);
	for (i = 0; apps[i]; i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%s/User/globalStorage/%s", config.buf,
			    apps[i], ext);
		read_storage(ctx, sb.buf, &seen);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/Library/Application Support/%s/User/"
			    "globalStorage/%s", home, apps[i], ext);
		read_storage(ctx, sb.buf, &seen);
	}
	for (i = 0; servers[i]; i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%s/data/User/globalStorage/%s", home,
			    servers[i], ext);
		read_storage(ctx, sb.buf, &seen);
	}
emit:
	if (!source_reuse_result(ctx))
		for (i = 0; i < seen.nr; i++)
			source_file_emit(ctx, seen.f[i]);
	free(seen.f);
	strbuf_release(&sb);
	strbuf_release(&config);
	return 0;
}
