/*
 * Kimi CLI: wire.jsonl files, appended to (read from where the last run
 * stopped), in two layouts told apart by their records:
 *
 *   ${KIMI_DATA_DIR:-~/.kimi}/sessions/<md5 of the work dir>/<session>/
 *     StatusUpdate messages: message.payload.token_usage {input_other,
 *     output, input_cache_read, input_cache_creation}, disjoint, and
 *     message_id; timestamp in seconds. An update is emitted again, and
 *     an early one with part of the output is followed by the complete
 *     one: per message id the last, largest, counts. The work directory
 *     is the work_dirs[].path of kimi.json whose md5 names the folder.
 *
 *   ${KIMI_CODE_HOME:-~/.kimi-code}/sessions/<key>/<session>/agents/
 *   <agent>/
 *     "usage.record" lines: usage {inputOther, output, inputCacheRead,
 *     inputCacheCreation}, time in ms, model; only usageScope "turn"
 *     counts ("session" records are totals). A symbolic model
 *     ("__name__") is the one of the last llm.request. The work
 *     directory is workspaces.json's workspaces.<key>.root.
 *
 * The model defaults to kimi-for-coding, Kimi's own name for it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/md5.h"
#include "base/strbuf.h"
#include "sources/sources.h"

#define KIMI_DEFAULT_MODEL "kimi-for-coding"

struct kimi_file {
	const char *cwd;          /* interned, or NULL */
	char session[128];
	struct strbuf model;      /* the last llm.request's (new layout) */
	struct strbuf str, id;    /* a member's text, for a moment */
};

/* The last update of a message wins, unless an earlier one was larger. */
static void put_update(struct source_file *f, const struct source_rec *rec)
{
	size_t i = f->nr;

	while (i--)
		if (f->rec[i].key == rec->key) {
			if (source_rec_total(rec) >=
			    source_rec_total(&f->rec[i]))
				f->rec[i] = *rec;
			return;
		}
	source_file_add(f, rec);
}

/* The members read of a line (skimmed), of its message and payload. */
enum { T_TYPE, T_MODEL, T_SCOPE, T_USAGE, T_TIME, T_ID, T_TIMESTAMP,
       T_MESSAGE, T__NR };
static const struct json_key top_keys[T__NR] = {
	JSON_KEY("type"), JSON_KEY("model"), JSON_KEY("usageScope"),
	JSON_KEY("usage"), JSON_KEY("time"), JSON_KEY("id"),
	JSON_KEY("timestamp"), JSON_KEY("message"),
};
enum { M_TYPE, M_PAYLOAD, M__NR };
static const struct json_key message_keys[M__NR] = {
	JSON_KEY("type"), JSON_KEY("payload"),
};
enum { P_TOKEN_USAGE, P_MESSAGE_ID, P__NR };
static const struct json_key payload_keys[P__NR] = {
	JSON_KEY("token_usage"), JSON_KEY("message_id"),
};
/* The counters of either layout, in this order. */
enum { U_INPUT, U_OUTPUT, U_CACHE_READ, U_CACHE_WRITE, U__NR };
static const struct json_key legacy_keys[U__NR] = {
	JSON_KEY("input_other"), JSON_KEY("output"),
	JSON_KEY("input_cache_read"), JSON_KEY("input_cache_creation"),
};
static const struct json_key code_keys[U__NR] = {
	JSON_KEY("inputOther"), JSON_KEY("output"),
	JSON_KEY("inputCacheRead"), JSON_KEY("inputCacheCreation"),
};

/* A skimmed line: its members, its message's and its payload's. */
struct kimi_line {
	struct json_raw v[T__NR], m[M__NR], p[P__NR], u[U__NR];
};

/* 0: counters read; 1: none; -1: bad. */
static int read_usage(const struct json_raw *u, struct usage_event *ev)
{
	int st = 0;

	st |= json_raw_u64(&u[U_INPUT], &ev->input) == JSON_NUM_BAD;
	st |= json_raw_u64(&u[U_OUTPUT], &ev->output) == JSON_NUM_BAD;
	st |= json_raw_u64(&u[U_CACHE_READ], &ev->cache_read) ==
	      JSON_NUM_BAD;
	st |= json_raw_u64(&u[U_CACHE_WRITE], &ev->cache_write) ==
	      JSON_NUM_BAD;
	if (st)
		return -1;
	return !ev->input && !ev->output && !ev->cache_read &&
	       !ev->cache_write;
}

static void set_model(struct kimi_file *kf, const char *model)
{
	size_t len;

	if (!model)
		return;
	if (!strncmp(model, "kimi-code/", 10))
		model += 10;
	len = strlen(model);
	/* a configuration reference, not a model */
	if (!len || (len >= 4 && !strncmp(model, "__", 2) &&
		     !strcmp(model + len - 2, "__")))
		return;
	strbuf_reset(&kf->model);
	strbuf_addstr(&kf->model, model);
}

static void finish(struct kimi_file *kf, struct source_rec *rec,
		   const char *model, const char *id, double secs)
{
	struct strbuf key = STRBUF_INIT;

	rec->ev.tool = TOOL_KIMI;
	rec->ev.model = event_intern(model && *model ? model :
				     KIMI_DEFAULT_MODEL);
	rec->ev.cwd = kf->cwd;
	event_session_hash(rec->ev.session, kf->session);
	strbuf_addf(&key, "%s", kf->session);
	strbuf_addch(&key, '\0');
	if (id)
		strbuf_addstr(&key, id);
	else
		strbuf_addf(&key, "%.6f", secs);
	rec->key = hash_bytes(key.buf, key.len, 0x6b69);
	strbuf_release(&key);
}

/* A legacy StatusUpdate. */
static int status_rec(struct source_ctx *ctx, struct kimi_file *kf,
		      const struct kimi_line *l, struct source_rec *rec,
		      const char **why)
{
	double secs;
	int r;

	if (!json_raw_is_object(&l->p[P_TOKEN_USAGE]))
		return 1;
	r = read_usage(l->u, &rec->ev);
	if (r) {
		*why = "bad token counter";
		return r;
	}
	if (json_raw_double(&l->v[T_TIMESTAMP], &secs) ||
	    !(secs > 0 && secs < 1e11) ||
	    !source_time_ok(ctx, (int64_t)(secs * 1000))) {
		*why = "bad or missing timestamp";
		return -1;
	}
	rec->ev.time = (int64_t)(secs * 1000);
	finish(kf, rec, kf->model.len ? kf->model.buf : NULL,
	       source_raw_cstr(&l->p[P_MESSAGE_ID], &kf->id), secs);
	return 0;
}

/* A Kimi Code usage.record. */
static int record_rec(struct source_ctx *ctx, struct kimi_file *kf,
		      struct kimi_line *l, struct source_rec *rec,
		      const char **why)
{
	const char *scope = source_raw_cstr(&l->v[T_SCOPE], &kf->str);
	const struct json_raw *usage = &l->v[T_USAGE];
	double ms;
	int r;

	if (!scope || strcmp(scope, "turn"))
		return 1;
	memset(l->u, 0, sizeof(l->u));
	/* skipped as a member: only its brackets and strings were seen */
	if (json_raw_is_object(usage) &&
	    json_skim(usage->p, usage->len, code_keys, U__NR, l->u)) {
		*why = "malformed JSON";
		return -1;
	}
	r = read_usage(l->u, &rec->ev);
	if (r) {
		*why = "bad token counter";
		return r;
	}
	/* ms since the epoch: beyond what a token counter may hold */
	if (json_raw_double(&l->v[T_TIME], &ms) || !(ms > 0 && ms < 1e14) ||
	    !source_time_ok(ctx, (int64_t)ms)) {
		*why = "bad or missing timestamp";
		return -1;
	}
	rec->ev.time = (int64_t)ms;
	set_model(kf, source_raw_cstr(&l->v[T_MODEL], &kf->str));
	finish(kf, rec, kf->model.len ? kf->model.buf : NULL,
	       source_raw_cstr(&l->v[T_ID], &kf->id), ms);
	return 0;
}

/* type (or message.type) is t */
static int is_type(struct kimi_file *kf, const struct json_raw *v,
		   const char *t)
{
	const char *s = source_raw_cstr(v, &kf->str);

	return s && !strcmp(s, t);
}

static int kimi_line(struct source_ctx *ctx, struct source_file *f,
		     const char *line, size_t len, uint64_t lineno,
		     int partial, void *data)
{
	struct kimi_file *kf = data;
	struct kimi_line l;
	struct json_skim_sub usage = { P_TOKEN_USAGE, legacy_keys, U__NR,
				       l.u, 0, NULL };
	struct json_skim_sub payload = { M_PAYLOAD, payload_keys, P__NR,
					 l.p, 0, &usage };
	struct json_skim_sub message = { T_MESSAGE, message_keys, M__NR,
					 l.m, 0, &payload };
	const char *why = NULL;
	struct source_rec rec;
	int r = source_line_skim(ctx, f, line, len, lineno, partial,
				 top_keys, T__NR, l.v, &message);
	if (r)
		return r > 0;
	r = 1;
	memset(&rec, 0, sizeof(rec));
	if (is_type(kf, &l.v[T_TYPE], "metadata") ||
	    is_type(kf, &l.v[T_TYPE], "llm.request"))
		set_model(kf, source_raw_cstr(&l.v[T_MODEL], &kf->str));
	else if (is_type(kf, &l.v[T_TYPE], "usage.record"))
		r = record_rec(ctx, kf, &l, &rec, &why);
	else if (is_type(kf, &l.m[M_TYPE], "StatusUpdate"))
		r = status_rec(ctx, kf, &l, &rec, &why);
	if (r < 0)
		source_bad_line(ctx, f->path, lineno, why);
	else if (!r)
		put_update(f, &rec);
	return 0;
}

static const char * const kimi_filter[] = {
	"\"StatusUpdate\"", "\"usage.record\"", "\"llm.request\"",
	"\"metadata\"", NULL
};

static void scan_file(struct source_ctx *ctx, struct source_file *f,
		      struct kimi_file *kf, const char *buf, size_t len)
{
	/* The model of the records to come, kept between runs. */
	if (f->offset)
		set_model(kf, f->state.buf);
	if (buf)
		source_scan_mem(ctx, f, buf, len, kimi_filter, kimi_line, kf);
	else
		source_scan(ctx, f, kimi_filter, kimi_line, kf);
	strbuf_reset(&f->state);
	strbuf_addbuf(&f->state, &kf->model);
}

/* The session and, from the folder above it, the work directory. */
struct kimi_root {
	struct json *work_dirs;   /* kimi.json */
	struct json *workspaces;  /* workspaces.json */
};

static const char *legacy_cwd(const struct kimi_root *kr, const char *key)
{
	const struct json *d;
	char hex[33];

	for (d = json_child(json_get(kr->work_dirs, "work_dirs")); d;
	     d = json_next(d)) {
		const char *path = json_get_str(d, "path");

		if (!path)
			continue;
		md5_hex(path, strlen(path), hex);
		if (!strcmp(hex, key))
			return event_intern(path);
	}
	return NULL;
}

static const char *code_cwd(const struct kimi_root *kr, const char *key)
{
	const struct json *w;

	for (w = json_child(json_get(kr->workspaces, "workspaces")); w;
	     w = json_next(w)) {
		const char *root = json_get_str(w, "root");

		if (json_key(w) && !strcmp(json_key(w), key) && root &&
		    *root == '/')
			return event_intern(root);
	}
	return NULL;
}

/*
 * <key>/<session>/wire.jsonl (legacy) or
 * <key>/<session>/agents/<agent>/wire.jsonl: 0, else -1.
 */
static int split_path(const char *rel, struct strvec *parts)
{
	const char *p = rel, *slash;

	while ((slash = strchr(p, '/'))) {
		strvec_pushf(parts, "%.*s", (int)(slash - p), p);
		p = slash + 1;
	}
	strvec_push(parts, p);
	if (strcmp(parts->v[parts->nr - 1], "wire.jsonl"))
		return -1;
	if (parts->nr == 3)
		return 0;
	if (parts->nr == 5 && !strcmp(parts->v[2], "agents"))
		return 0;
	return -1;
}

static void kimi_file_init(struct kimi_file *kf)
{
	memset(kf, 0, sizeof(*kf));
	strbuf_init(&kf->model, 0);
	strbuf_init(&kf->str, 0);
	strbuf_init(&kf->id, 0);
}

static void kimi_file_release(struct kimi_file *kf)
{
	strbuf_release(&kf->model);
	strbuf_release(&kf->str);
	strbuf_release(&kf->id);
}

void source_kimi_parse_mem(struct source_ctx *ctx, struct source_file *f,
			   const char *buf, size_t len)
{
	struct kimi_file kf;

	kimi_file_init(&kf);
	snprintf(kf.session, sizeof(kf.session), "%s", f->path);
	scan_file(ctx, f, &kf, buf, len);
	source_file_emit(ctx, f);
	kimi_file_release(&kf);
}

static struct json *read_json(const char *dir, const char *name,
			      struct strbuf *buf)
{
	struct strbuf path = STRBUF_INIT;
	struct json *ret = NULL;

	strbuf_addf(&path, "%s/%s", dir, name);
	strbuf_reset(buf);
	if (strbuf_read_file(buf, path.buf, 4096) >= 0)
		ret = json_parse(buf->buf, buf->len);
	strbuf_release(&path);
	return ret;
}

static void read_root(struct source_ctx *ctx, const char *root,
		      struct source_files *seen)
{
	static const char * const suffixes[] = { "wire.jsonl", NULL };
	struct strvec files = STRVEC_INIT, parts = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT, b1 = STRBUF_INIT, b2 = STRBUF_INIT;
	struct kimi_root kr;
	size_t i, skip;

	kr.work_dirs = read_json(root, "kimi.json", &b1);
	kr.workspaces = read_json(root, "workspaces.json", &b2);
	strbuf_addf(&sb, "%s/sessions", root);
	skip = sb.len + 1;
	source_find_files(ctx, sb.buf, suffixes, &files);
	source_sort_paths(&files);
	for (i = 0; i < files.nr; i++) {
		struct kimi_file kf;
		struct source_file *f;
		int changed = 0;

		strvec_clear(&parts);
		if (split_path(files.v[i] + skip, &parts))
			continue;
		f = source_file_get(ctx, files.v[i], &changed);
		if (!f)
			continue;
		if (changed) {
			kimi_file_init(&kf);
			snprintf(kf.session, sizeof(kf.session), "%s",
				 parts.v[1]);
			kf.cwd = parts.nr == 3 ?
				 legacy_cwd(&kr, parts.v[0]) :
				 code_cwd(&kr, parts.v[0]);
			scan_file(ctx, f, &kf, NULL, 0);
			kimi_file_release(&kf);
		}
		source_files_add(seen, f);
	}
	json_free(kr.work_dirs);
	json_free(kr.workspaces);
	strvec_clear(&files);
	strvec_clear(&parts);
	strbuf_release(&sb);
	strbuf_release(&b1);
	strbuf_release(&b2);
}

int source_kimi_read(struct source_ctx *ctx)
{
	struct source_files seen = { NULL, 0, 0 };
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	ctx->lazy_records = 1;
	for (i = 0; i < ctx->paths.nr; i++)
		read_root(ctx, ctx->paths.v[i], &seen);
	if (!ctx->paths.nr) {
		source_default_dir(&sb, "KIMI_DATA_DIR", ".kimi");
		read_root(ctx, sb.buf, &seen);
		source_default_dir(&sb, "KIMI_CODE_HOME", ".kimi-code");
		read_root(ctx, sb.buf, &seen);
	}
	source_files_emit(ctx, &seen);
	strbuf_release(&sb);
	return 0;
}
