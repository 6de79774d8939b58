/*
 * GitHub Copilot CLI. Its token counts are only in the OpenTelemetry
 * file export (COPILOT_OTEL_ENABLED=true, COPILOT_OTEL_EXPORTER_TYPE=file,
 * COPILOT_OTEL_FILE_EXPORTER_PATH): JSON Lines of spans, logs and
 * metrics, read from ~/.copilot/otel/ (*.jsonl) and the file that variable
 * names. ~/.copilot/session-state/<session>/events.jsonl gives each
 * session's working directory (session.start data.context.cwd).
 *
 * One call is logged several times: as a "chat" span, as an inference
 * log, in the agent-turn log of its turn, and summed into the turn's
 * invoke_agent span (metrics repeat it once more). Within a trace the
 * first of those kinds that is present counts, the others never: chat
 * spans, else inference logs, else agent turns, else invoke_agent.
 *
 * gen_ai.usage.input_tokens includes the cache reads (not the cache
 * writes): input = input_tokens - cache_read. output_tokens includes
 * the reasoning tokens.
 */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "sources/sources.h"

/* Which record of a call it is: the smallest present in a trace counts. */
enum otel_kind {
	OTEL_NONE,
	OTEL_CHAT,
	OTEL_INFERENCE,
	OTEL_TURN,
	OTEL_AGENT,
};

#define OTEL_HINT "set COPILOT_OTEL_ENABLED=true, " \
	"COPILOT_OTEL_EXPORTER_TYPE=file and " \
	"COPILOT_OTEL_FILE_EXPORTER_PATH=~/.copilot/otel/copilot.jsonl: " \
	"Copilot CLI logs its token counts nowhere else"

struct files {
	struct source_file **f;
	size_t nr, alloc;
};

/*
 * An export line is skimmed, not parsed: the members read, in the
 * order records give them; the record's time is the first of those from
 * O_END to O_TIME it has.
 */
enum {
	O_TYPE, O_NAME, O_BODY, O_BODY_, O_SPAN_ID, O_TRACE_ID, O_CONTEXT,
	O_ATTRS, O_END, O_HR, O_HR_, O_START, O_UNIX_NANO, O_TIMESTAMP,
	O_TIME, O__NR
};
static const struct json_key otel_keys[O__NR] = {
	JSON_KEY("type"), JSON_KEY("name"), JSON_KEY("body"),
	JSON_KEY("_body"), JSON_KEY("spanId"), JSON_KEY("traceId"),
	JSON_KEY("spanContext"), JSON_KEY("attributes"), JSON_KEY("endTime"),
	JSON_KEY("hrTime"), JSON_KEY("_hrTime"), JSON_KEY("startTime"),
	JSON_KEY("timeUnixNano"), JSON_KEY("timestamp"), JSON_KEY("time"),
};
/* The attributes (OpenTelemetry names contain dots); sessions last. */
enum {
	A_OP, A_EVENT, A_IN, A_OUT, A_CACHE_READ, A_CACHE_CREATION,
	A_CACHE_WRITE, A_RESPONSE_MODEL, A_REQUEST_MODEL, A_TURN,
	A_SESSION, A__NR = A_SESSION + 4
};
static const struct json_key attr_keys[A__NR] = {
	JSON_KEY("gen_ai.operation.name"), JSON_KEY("event.name"),
	JSON_KEY("gen_ai.usage.input_tokens"),
	JSON_KEY("gen_ai.usage.output_tokens"),
	JSON_KEY("gen_ai.usage.cache_read.input_tokens"),
	JSON_KEY("gen_ai.usage.cache_creation.input_tokens"),
	JSON_KEY("gen_ai.usage.cache_write.input_tokens"),
	JSON_KEY("gen_ai.response.model"), JSON_KEY("gen_ai.request.model"),
	JSON_KEY("turn.index"), JSON_KEY("gen_ai.conversation.id"),
	JSON_KEY("copilot_chat.session_id"),
	JSON_KEY("copilot_chat.chat_session_id"), JSON_KEY("session.id"),
};
static const struct json_key context_keys[2] = {
	JSON_KEY("spanId"), JSON_KEY("traceId"),
};

/* The text of the strings a record is read from, kept between lines. */
enum { S_TYPE, S_NAME, S_BODY, S_OP, S_EVENT, S_TRACE, S_SPAN, S_SESSION,
       S_MODEL, S_TIME, S__NR };
struct otel_read {
	struct strbuf s[S__NR];
};

/* A string value's text (NULL when not a string), into sb. */
static const char *str_of(const struct json_raw *v, struct strbuf *sb)
{
	return source_raw_cstr(v, sb);
}

/* The same, NULL when empty. */
static const char *attr_str(const struct json_raw *v, struct strbuf *sb)
{
	const char *s = str_of(v, sb);

	return s && *s ? s : NULL;
}

/* A counter: a number, or a string of digits (some exporters). */
static int attr_u64(const struct json_raw *v, struct strbuf *tmp,
		    uint64_t *out)
{
	const char *s = str_of(v, tmp), *p;

	*out = 0;
	if (!s)
		return json_raw_u64(v, out);
	for (p = s; *p >= '0' && *p <= '9'; p++)
		if (p - s > 13)
			return JSON_NUM_BAD;
	if (p == s || *p)
		return JSON_NUM_BAD;
	*out = strtoull(s, NULL, 10);
	return *out > JSON_U64_MAX ? JSON_NUM_BAD : JSON_NUM_OK;
}

static int starts_with(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

/* The record's (or its spanContext's) trace or span id, or NULL. */
static const char *id_of(const struct json_raw *o, int key,
			 struct strbuf *sb)
{
	struct json_raw c[2];
	const char *s = attr_str(&o[key], sb);

	if (s || !json_raw_is_object(&o[O_CONTEXT]) ||
	    json_skim(o[O_CONTEXT].p, o[O_CONTEXT].len, context_keys, 2, c))
		return s;
	return attr_str(&c[key == O_SPAN_ID ? 0 : 1], sb);
}

static enum otel_kind kind_of(const struct json_raw *o,
			      const struct json_raw *at, struct otel_read *rd)
{
	const char *type = str_of(&o[O_TYPE], &rd->s[S_TYPE]);
	const char *name = str_of(&o[O_NAME], &rd->s[S_NAME]);
	const char *op = attr_str(&at[A_OP], &rd->s[S_OP]);
	const char *event = attr_str(&at[A_EVENT], &rd->s[S_EVENT]);
	const char *body = str_of(&o[O_BODY], &rd->s[S_BODY]);
	int span;

	if (!body)
		body = str_of(&o[O_BODY_], &rd->s[S_BODY]);
	if (type)
		span = !strcmp(type, "span");
	else
		span = name && (o[O_SPAN_ID].p || o[O_TRACE_ID].p ||
				o[O_START].p || o[O_END].p);
	if (span) {
		if ((op && !strcmp(op, "chat")) || starts_with(name, "chat "))
			return OTEL_CHAT;
		if ((op && !strcmp(op, "invoke_agent")) ||
		    starts_with(name, "invoke_agent"))
			return OTEL_AGENT;
		return OTEL_NONE;
	}
	if (type)
		return OTEL_NONE;
	if ((event && !strcmp(event,
			      "gen_ai.client.inference.operation.details")) ||
	    starts_with(body, "GenAI inference:"))
		return OTEL_INFERENCE;
	if ((event && !strcmp(event, "copilot_chat.agent.turn")) ||
	    starts_with(body, "copilot_chat.agent.turn"))
		return OTEL_TURN;
	return OTEL_NONE;
}

/* A counter at p (after white space) into *n; past it, or NULL. */
static const char *array_u64(const char *p, const char *end, uint64_t *n)
{
	struct json_raw v;

	while (p < end && strchr(" \t\r\n", *p))
		p++;
	v.p = p;
	while (p < end && strchr("0123456789+-.eE", *p))
		p++;
	v.len = (size_t)(p - v.p);
	if (json_raw_u64(&v, n) != JSON_NUM_OK)
		return NULL;
	while (p < end && strchr(" \t\r\n", *p))
		p++;
	return p;
}

/* [seconds, nanoseconds] (HrTime), ms, or an ISO 8601 string. */
static int time_of(const struct json_raw *v, struct strbuf *tmp,
		   int64_t *ms)
{
	const char *p = v->p, *end = v->p + v->len, *s;
	uint64_t sec, ns;
	double d;

	if (*p == '[') {
		if (!(p = array_u64(p + 1, end, &sec)) || p == end ||
		    *p != ',' || !array_u64(p + 1, end, &ns))
			return -1;
		*ms = (int64_t)sec * 1000 + (int64_t)(ns / 1000000);
		return 0;
	}
	if ((s = str_of(v, tmp)))
		return date_parse_iso(s, ms);
	if (json_raw_double(v, &d) || d < 0)
		return -1;
	/* seconds, ms, us or ns since the epoch, by magnitude */
	while (d >= 1e14)
		d /= 1000;
	*ms = (int64_t)(d < 1e11 ? d * 1000 : d);
	return 0;
}

static int record_time(const struct json_raw *o, struct strbuf *tmp,
		       int64_t *ms)
{
	int k;

	for (k = O_END; k <= O_TIME; k++)
		if (o[k].p)
			return time_of(&o[k], tmp, ms);
	return -1;
}

static const char *session_of(const struct json_raw *at, const char *trace,
			      struct strbuf *sb)
{
	int k;

	for (k = A_SESSION; k < A__NR; k++)
		if (attr_str(&at[k], sb))
			return sb->buf;
	return trace;
}

/* The record's counters; -1 when one is bad. */
static int otel_counters(const struct json_raw *at, struct strbuf *tmp,
			 uint64_t *in, uint64_t *out, uint64_t *cr,
			 uint64_t *cw)
{
	int st = 0;

	st |= attr_u64(&at[A_IN], tmp, in) == JSON_NUM_BAD;
	st |= attr_u64(&at[A_OUT], tmp, out) == JSON_NUM_BAD;
	st |= attr_u64(&at[A_CACHE_READ], tmp, cr) == JSON_NUM_BAD;
	st |= attr_u64(&at[A_CACHE_CREATION], tmp, cw) == JSON_NUM_BAD;
	if (!*cw && attr_u64(&at[A_CACHE_WRITE], tmp, cw) == JSON_NUM_BAD)
		st = 1;
	return st ? -1 : 0;
}

/*
 * One record (skimmed into o, its attributes into at) to rec: 0 when
 * it holds usage, 1 when it holds none, -1 when it is bad input (why
 * set).
 */
static int otel_rec(struct source_ctx *ctx, struct source_file *f,
		    const struct json_raw *o, const struct json_raw *at,
		    struct otel_read *rd, uint64_t lineno,
		    struct source_rec *rec, const char **why)
{
	uint64_t in, out, cr, cw;
	const char *trace, *span, *session, *model;
	enum otel_kind kind;
	struct strbuf key = STRBUF_INIT;

	memset(rec, 0, sizeof(*rec));
	if (!json_raw_is_object(&o[O_ATTRS]) || !(kind = kind_of(o, at, rd)))
		return 1;
	if (otel_counters(at, &rd->s[S_TIME], &in, &out, &cr, &cw) < 0) {
		*why = "bad token counter";
		return -1;
	}
	if (!in && !out && !cr && !cw)
		return 1;
	if (record_time(o, &rd->s[S_TIME], &rec->ev.time) ||
	    !source_time_ok(ctx, rec->ev.time)) {
		*why = "bad or missing time";
		return -1;
	}
	trace = id_of(o, O_TRACE_ID, &rd->s[S_TRACE]);
	span = id_of(o, O_SPAN_ID, &rd->s[S_SPAN]);
	session = session_of(at, trace, &rd->s[S_SESSION]);
	model = attr_str(&at[A_RESPONSE_MODEL], &rd->s[S_MODEL]);
	if (!model)
		model = attr_str(&at[A_REQUEST_MODEL], &rd->s[S_MODEL]);

	rec->ev.tool = TOOL_COPILOT;
	rec->ev.model = event_intern(model);
	event_session_hash(rec->ev.session, session ? session : f->path);
	rec->ev.input = in - (cr < in ? cr : in);
	rec->ev.output = out;
	rec->ev.cache_read = cr;
	rec->ev.cache_write = cw;
	rec->flags = kind;
	/* The call: its span, or its turn; else this very line. */
	if (trace && kind == OTEL_TURN) {
		uint64_t turn = 0;

		attr_u64(&at[A_TURN], &rd->s[S_TIME], &turn);
		strbuf_addf(&key, "turn\n%s\n%llu", trace,
			    (unsigned long long)turn);
	} else if (trace && span) {
		strbuf_addf(&key, "%d\n%s\n%s", (int)kind, trace, span);
	} else {
		strbuf_addf(&key, "line\n%s\n%llu", f->path,
			    (unsigned long long)lineno);
	}
	rec->key = hash_bytes(key.buf, key.len, 0x6370);
	strbuf_reset(&key);
	strbuf_addstr(&key, trace ? trace : session ? session : f->path);
	rec->key2 = hash_bytes(key.buf, key.len, 0x6374);
	strbuf_release(&key);
	return 0;
}

static const char * const otel_filter[] = { "gen_ai.usage.", NULL };

/* Working directories by session hash, from the session-state files. */
struct cwds {
	struct u64map map;        /* hash of the session hash -> index + 1 */
	const char **cwd;
	size_t nr, alloc;
};

static uint64_t session_key(const char session[13])
{
	return hash_bytes(session, strlen(session), 0x6377) | 1;
}

static void cwds_add(struct cwds *c, const char *session_id, const char *cwd)
{
	char session[13];
	size_t *slot;

	event_session_hash(session, session_id);
	slot = u64map_find(&c->map, session_key(session), 1);
	if (!*slot) {
		ALLOC_GROW(c->cwd, c->nr + 1, c->alloc);
		*slot = ++c->nr;
	}
	c->cwd[*slot - 1] = cwd;
}

static const char *cwds_get(struct cwds *c, const char session[13])
{
	size_t *slot = u64map_find(&c->map, session_key(session), 0);

	return slot ? c->cwd[*slot - 1] : NULL;
}

/* session.start's cwd, kept as the session file's state. */
static void session_start(struct source_file *f, const struct json *obj)
{
	const char *type = json_get_str(obj, "type");
	const char *cwd = json_get_str(obj, "data.context.cwd");

	if (!cwd)
		cwd = json_get_str(obj, "data.cwd");
	if (type && !strcmp(type, "session.start") && cwd && *cwd == '/') {
		strbuf_reset(&f->state);
		strbuf_addstr(&f->state, cwd);
	}
}

/* A line of a session's events: its start's cwd. */
static int session_line(struct source_ctx *ctx, struct source_file *f,
			const char *line, size_t len, uint64_t lineno,
			int partial, void *data)
{
	struct json *obj = json_parse(line, len);

	(void)data;
	if (!obj) {
		if (partial)
			return 1;
		source_bad_line(ctx, f->path, lineno, "malformed JSON");
		return 0;
	}
	session_start(f, obj);
	json_free(obj);
	return 0;
}

/* A line of an export. */
static int otel_line(struct source_ctx *ctx, struct source_file *f,
		     const char *line, size_t len, uint64_t lineno,
		     int partial, void *data)
{
	struct json_raw o[O__NR], at[A__NR];
	struct json_skim_sub sub = { O_ATTRS, attr_keys, A__NR, at, 0, NULL };
	struct source_rec rec;
	const char *why = NULL;
	int r;

	r = source_line_skim(ctx, f, line, len, lineno, partial, otel_keys,
			     O__NR, o, &sub);
	if (r)
		return r > 0;
	r = otel_rec(ctx, f, o, at, data, lineno, &rec, &why);
	if (r < 0)
		source_bad_line(ctx, f->path, lineno, why);
	else if (!r)
		source_file_add(f, &rec);
	return 0;
}

/* Skim one export's lines. */
static void otel_scan(struct source_ctx *ctx, struct source_file *f,
		      const char *buf, size_t len)
{
	struct otel_read rd;
	int i;

	for (i = 0; i < S__NR; i++)
		strbuf_init(&rd.s[i], 0);
	if (buf)
		source_scan_mem(ctx, f, buf, len, otel_filter, otel_line,
				&rd);
	else
		source_scan(ctx, f, otel_filter, otel_line, &rd);
	for (i = 0; i < S__NR; i++)
		strbuf_release(&rd.s[i]);
}

static const char * const start_filter[] = { "session.start", NULL };

/* session-state/<id>/events.jsonl: the cwd of each session. */
static size_t read_sessions(struct source_ctx *ctx, const char *dir,
			    struct cwds *c)
{
	struct strvec ids = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	size_t i, n = 0;
	int changed;

	if (dir_list(dir, &ids) < 0)
		return 0;
	source_sort_paths(&ids);
	for (i = 0; i < ids.nr; i++) {
		struct source_file *f;

		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s/events.jsonl", dir, ids.v[i]);
		if (lstat(path.buf, &st))
			continue;
		f = source_file_get(ctx, path.buf, &changed);
		if (!f)
			continue;
		n++;
		if (changed)
			source_scan(ctx, f, start_filter, session_line, c);
		if (f->state.len)
			cwds_add(c, ids.v[i], event_intern(f->state.buf));
	}
	if (n)
		source_found(ctx, dir);
	strvec_clear(&ids);
	strbuf_release(&path);
	return n;
}

/* The seconds of a line's "endTime": [s, ns] (or hrTime), or -1. */
static int64_t line_seconds(const char *p, const char *end)
{
	static const char * const keys[] = {
		"\"endTime\"", "\"hrTime\"", NULL
	};
	const char * const *k;
	int64_t s = 0;

	for (k = keys; *k; k++) {
		size_t n = strlen(*k);
		const char *q;

		for (q = p; q + n < end; q++)
			if (*q == '"' && !memcmp(q, *k, n))
				break;
		if (q + n >= end)
			continue;
		for (q += n; q < end && strchr(" \t:[", *q); q++)
			;
		if (q == end || *q < '0' || *q > '9')
			continue;
		for (; q < end && *q >= '0' && *q <= '9' && s < 1e12; q++)
			s = s * 10 + (*q - '0');
		return s;
	}
	return -1;
}

/*
 * The post-commit hook asks only for what was written lately, but one
 * export file takes every session's calls and only grows: start at the
 * first line written an hour before then (calls are appended in about
 * the order they end), walking back from the end.
 */
static void skip_old_lines(struct source_ctx *ctx, struct source_file *f)
{
	int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	size_t len = (size_t)f->size;
	const char *map, *p, *q;
	int64_t old = ctx->recent_since / 1000 - 3600;

	if (fd < 0)
		return;
	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	for (p = map + len; p > map; p = q) {
		int64_t s;

		for (q = p - 1; q > map && q[-1] != '\n'; q--)
			;
		s = line_seconds(q, p);
		if (s >= 0 && s < old)
			break;
	}
	if (p > map) {
		f->offset = (uint64_t)(p - map);
		for (q = map; (q = memchr(q, '\n', (size_t)(p - q))); q++)
			f->lines++;
	}
	munmap((void *)map, len);
}

static void read_otel(struct source_ctx *ctx, const char *path,
		      struct files *seen)
{
	int changed;
	struct source_file *f = source_file_get(ctx, path, &changed);

	if (!f)
		return;
	ALLOC_GROW(seen->f, seen->nr + 1, seen->alloc);
	seen->f[seen->nr++] = f;
	if (!changed)
		return;
	if (ctx->recent_since && !f->offset && f->size > (1 << 20))
		skip_old_lines(ctx, f);
	otel_scan(ctx, f, NULL, 0);
}

static int cmp_rec(const void *a, const void *b)
{
	const struct source_rec *x = *(const struct source_rec * const *)a;
	const struct source_rec *y = *(const struct source_rec * const *)b;

	if (x->key2 != y->key2)
		return x->key2 < y->key2 ? -1 : 1;
	if (x->flags != y->flags)
		return x->flags < y->flags ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return 0;
}

/* Per trace, the records of the best kind present, each call once. */
static void emit(struct source_ctx *ctx, struct files *files, struct cwds *c)
{
	const struct source_rec **all = NULL;
	size_t nr = 0, alloc = 0, i, j, k;

	for (i = 0; i < files->nr; i++)
		for (j = 0; j < files->f[i]->nr; j++) {
			ALLOC_GROW(all, nr + 1, alloc);
			all[nr++] = &files->f[i]->rec[j];
		}
	if (nr)
		qsort(all, nr, sizeof(*all), cmp_rec);
	for (i = 0; i < nr; i = j) {
		const char *model = NULL;

		for (j = i; j < nr && all[j]->key2 == all[i]->key2; j++)
			if (!model)
				model = all[j]->ev.model;
		for (k = i; k < j && all[k]->flags == all[i]->flags; k++) {
			struct usage_event ev = all[k]->ev;

			if (k > i && all[k]->key == all[k - 1]->key)
				continue;
			/* An agent turn may name no model: its trace does. */
			if (!ev.model)
				ev.model = model;
			ev.cwd = c ? cwds_get(c, ev.session) : NULL;
			usage_set_add(ctx->out, &ev);
		}
	}
	free(all);
}

void source_copilot_parse_mem(struct source_ctx *ctx, struct source_file *f,
			      const char *buf, size_t len)
{
	struct files one = { NULL, 0, 0 };

	otel_scan(ctx, f, buf, len);
	ALLOC_GROW(one.f, 1, one.alloc);
	one.f[one.nr++] = f;
	emit(ctx, &one, NULL);
	free(one.f);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/*
 * A Copilot home, or (configured) a folder of exports or one export
 * file.
 */
static void read_path(struct source_ctx *ctx, const char *path,
		      int configured, struct strvec *otel, struct cwds *c,
		      size_t *sessions)
{
	static const char * const suffixes[] = { ".jsonl", NULL };
	struct strbuf sb = STRBUF_INIT;
	size_t before = otel->nr;

	if (has_suffix(path, ".jsonl")) {
		strvec_push(otel, path);
		goto cleanup;
	}
	strbuf_addf(&sb, "%s/otel", path);
	source_find_files(ctx, sb.buf, suffixes, otel);
	if (otel->nr > before)
		source_found(ctx, sb.buf);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/session-state", path);
	*sessions += read_sessions(ctx, sb.buf, c);
	if (configured && otel->nr == before && !*sessions) {
		source_find_files(ctx, path, suffixes, otel);
		if (otel->nr > before)
			source_found(ctx, path);
	}
cleanup:
	strbuf_release(&sb);
}

int source_copilot_read(struct source_ctx *ctx)
{
	struct strvec otel = STRVEC_INIT;
	struct files seen = { NULL, 0, 0 };
	struct cwds c = { U64MAP_INIT, NULL, 0, 0 };
	struct strbuf sb = STRBUF_INIT;
	const char *env = getenv("COPILOT_OTEL_FILE_EXPORTER_PATH");
	size_t i, sessions = 0;

	ctx->lazy_records = 1;
	for (i = 0; i < ctx->paths.nr; i++)
		read_path(ctx, ctx->paths.v[i], 1, &otel, &c, &sessions);
	if (ctx->paths.nr && !sessions) {
		/* Exports kept elsewhere: the sessions still say the cwd. */
		strbuf_addf(&sb, "%s/.copilot/session-state", source_home());
		sessions = read_sessions(ctx, sb.buf, &c);
	} else if (!ctx->paths.nr) {
		strbuf_addf(&sb, "%s/.copilot", source_home());
		read_path(ctx, sb.buf, 0, &otel, &c, &sessions);
		if (env && *env == '/' && !access(env, F_OK)) {
			strvec_push(&otel, env);
			source_found(ctx, env);
		}
	}
	source_sort_paths(&otel);
	for (i = 0; i < otel.nr; i++)
		read_otel(ctx, otel.v[i], &seen);
	if (sessions && !otel.nr)
		source_found_hint(ctx, OTEL_HINT);
	if (!source_reuse_result(ctx))
		emit(ctx, &seen, &c);

	u64map_release(&c.map);
	free(c.cwd);
	free(seen.f);
	strvec_clear(&otel);
	strbuf_release(&sb);
	return 0;
}
