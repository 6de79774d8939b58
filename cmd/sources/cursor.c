/*
 * Cursor: the log its agent's stop hook feeds (see cursor.h), written
 * and read here. One line per generation:
 *
 *   {"time":<ms>,"conversation_id":"…","generation_id":"…","model":"…",
 *    "input":0,"output":0,"cache_read":0,"cache_write":0,"cwd":"…",
 *    "transcript_path":"…"}
 *
 * The hook's counters are kept as given: input without the cache, as
 * in Cursor's own usage API (where inputTokens is below cacheReadTokens
 * in real answers). A generation logged twice (a hook in both the
 * user's and the project's hooks.json) counts once. A generation whose
 * transcript is a Claude Code or Codex log is that agent's, run inside
 * Cursor: its own log counts it, the hook's line does not.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "sources/cursor.h"
#include "sources/sources.h"

static const char * const counters[] = {
	"input", "output", "cache_read", "cache_write", NULL
};
static const char * const hook_counters[] = {
	"input_tokens", "output_tokens", "cache_read_tokens",
	"cache_write_tokens", NULL
};

void cursor_data_dir(struct strbuf *out)
{
	const char *xdg = getenv("XDG_DATA_HOME");

	strbuf_reset(out);
	if (xdg && *xdg == '/')
		strbuf_addf(out, "%s/git-tokens/", xdg);
	else
		strbuf_addf(out, "%s/.local/share/git-tokens/", source_home());
}

void cursor_log_path(struct strbuf *out)
{
	cursor_data_dir(out);
	strbuf_addstr(out, CURSOR_LOG_NAME);
}

const char *cursor_model(const char *model)
{
	if (!model || !*model)
		return NULL;
	if (!strcmp(model, "default") || !strcmp(model, "auto"))
		return event_intern(CURSOR_AUTO_MODEL);
	return event_intern(model);
}

static void add_str(struct strbuf *sb, const char *key, const char *val)
{
	if (!val || !*val)
		return;
	strbuf_addf(sb, ",\"%s\":", key);
	strbuf_add_json_str(sb, val);
}

/* The line the log keeps for a payload: 0, 1 (no tokens) or -1. */
static int hook_line(const char *payload, size_t len, int64_t now,
		     struct strbuf *line)
{
	struct json *j;
	const struct json *roots;
	uint64_t v, sum = 0;
	int ret = -1, i;

	/* Cursor may start the payload with a byte order mark. */
	if (len >= 3 && !memcmp(payload, "\xef\xbb\xbf", 3)) {
		payload += 3;
		len -= 3;
	}
	j = json_parse(payload, len);

	if (!json_is_object(j)) {
		error("the stop hook's input is not a JSON object");
		goto cleanup;
	}
	strbuf_addf(line, "{\"time\":%lld", (long long)now);
	add_str(line, "conversation_id", json_get_str(j, "conversation_id"));
	add_str(line, "generation_id", json_get_str(j, "generation_id"));
	add_str(line, "model", json_get_str(j, "model"));
	for (i = 0; hook_counters[i]; i++) {
		if (json_get_u64(j, hook_counters[i], &v) == JSON_NUM_BAD) {
			error("bad '%s' in the stop hook's input",
			      hook_counters[i]);
			goto cleanup;
		}
		sum += v;
		strbuf_addf(line, ",\"%s\":%llu", counters[i],
			    (unsigned long long)v);
	}
	roots = json_child(json_get(j, "workspace_roots"));
	add_str(line, "cwd", roots ? json_str(roots) : NULL);
	add_str(line, "transcript_path", json_get_str(j, "transcript_path"));
	strbuf_addstr(line, "}\n");
	ret = sum ? 0 : 1;
cleanup:
	json_free(j);
	return ret;
}

int cursor_log_append(const char *path, const char *payload, size_t len,
		      int64_t now)
{
	struct strbuf line = STRBUF_INIT;
	struct stat st;
	char last, *dir = NULL, *slash;
	int fd = -1, ret;

	ret = hook_line(payload, len, now, &line);
	if (ret)
		goto cleanup;
	ret = -1;
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir) < 0) {
			error_errno("cannot create '%s'", dir);
			goto cleanup;
		}
	}
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		error_errno("cannot open '%s'", path);
		goto cleanup;
	}
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			error_errno("cannot lock '%s'", path);
			goto cleanup;
		}
	/* A writer killed mid-line: end its line, do not extend it. */
	if (fstat(fd, &st) < 0 ||
	    (st.st_size > 0 &&
	     (pread(fd, &last, 1, st.st_size - 1) != 1 ||
	      (last != '\n' && write_all(fd, "\n", 1) < 0))) ||
	    write_all(fd, line.buf, line.len) < 0) {
		error_errno("cannot write '%s'", path);
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);  /* and the lock with it */
	free(dir);
	strbuf_release(&line);
	return ret;
}

/* Does path lie in a Claude Code or Codex folder (their logs count)? */
static int external_agent_log(const char *path)
{
	static const char * const vars[] = { "CLAUDE_CONFIG_DIR", "CODEX_HOME",
					     NULL };
	size_t i, n;

	if (!path)
		return 0;
	if (strstr(path, "/.claude/") || strstr(path, "/.codex/") ||
	    strstr(path, "/.config/claude/"))
		return 1;
	for (i = 0; vars[i]; i++) {
		const char *dir = getenv(vars[i]);

		if (!dir || *dir != '/')
			continue;
		n = strlen(dir);
		while (n > 1 && dir[n - 1] == '/')
			n--;
		if (!strncmp(path, dir, n) && path[n] == '/')
			return 1;
	}
	return 0;
}

enum { C_TIME, C_CONV, C_GEN, C_MODEL, C_CWD, C_TRANSCRIPT, C_COUNTERS };
/* The counters last, in the order of counters[]. */
static const struct json_key line_keys[] = {
	JSON_KEY("time"), JSON_KEY("conversation_id"),
	JSON_KEY("generation_id"), JSON_KEY("model"), JSON_KEY("cwd"),
	JSON_KEY("transcript_path"), JSON_KEY("input"), JSON_KEY("output"),
	JSON_KEY("cache_read"), JSON_KEY("cache_write"),
};

/*
 * The strings the lines of a log repeat, each read once per change:
 * a log holds a line a generation, and its conversation, model, folder
 * and transcript change far less often.
 */
struct cursor_memo {
	struct source_memo model, cwd, session;
	const char *model_in, *model_out; /* cursor_model() of the last */
	struct strbuf cwd_ok;          /* a 'cwd' found absolute (raw) */
	struct strbuf transcript;      /* the last 'transcript_path' (raw) */
	int external;                  /* external_agent_log() of it */
	struct strbuf conv;            /* the last 'conversation_id' (raw) */
	uint64_t conv_seed;            /* the generation keys' seed of it */
	struct strbuf tmp;
};
#define CURSOR_MEMO_INIT { SOURCE_MEMO_INIT, SOURCE_MEMO_INIT, \
			   SOURCE_MEMO_INIT, NULL, NULL, STRBUF_INIT, \
			   STRBUF_INIT, 0, STRBUF_INIT, 0, STRBUF_INIT }

static void cursor_memo_release(struct cursor_memo *m)
{
	source_memo_release(&m->model);
	source_memo_release(&m->cwd);
	source_memo_release(&m->session);
	strbuf_release(&m->cwd_ok);
	strbuf_release(&m->transcript);
	strbuf_release(&m->conv);
	strbuf_release(&m->tmp);
}

/* Is v (present) what last holds? If not, last holds it now. */
static int same_raw(struct strbuf *last, const struct json_raw *v)
{
	if (v->p && last->len == v->len && !memcmp(last->buf, v->p, v->len))
		return 1;
	strbuf_reset(last);
	if (v->p)
		strbuf_add(last, v->p, v->len);
	return 0;
}

/* Is the 'cwd' of the line absolute, or absent? */
static int cwd_ok(struct cursor_memo *m, const struct json_raw *v)
{
	const char *cwd;

	if (same_raw(&m->cwd_ok, v))
		return 1;
	cwd = source_raw_cstr(v, &m->tmp);
	if (cwd && *cwd != '/') {
		strbuf_reset(&m->cwd_ok);
		return 0;
	}
	return 1;
}

/* The key of a generation: its id under its conversation's seed. */
static uint64_t generation_key(struct cursor_memo *m,
			       const struct json_raw *conv,
			       const struct json_raw *gen,
			       const char *line, size_t len)
{
	const char *s;
	size_t n;

	if (!same_raw(&m->conv, conv)) {
		s = source_raw_cstr(conv, &m->tmp);
		m->conv_seed = s ? hash_bytes(s, strlen(s), 0x6375) : 0x6375;
	}
	/* as a C string: up to a NUL an escape may hold */
	if (!json_raw_str(gen, &m->tmp, &s, &n) && (n = strnlen(s, n)))
		return hash_bytes(s, n, m->conv_seed);
	return hash_bytes(line, len, 0x6376);
}

/* One log line into rec: 0, 1 (no event) or -1 with *why. */
static int parse_line(struct source_ctx *ctx, const char *line, size_t len,
		      struct cursor_memo *m, struct source_rec *rec,
		      const char **why)
{
	struct json_raw j[ARRAY_SIZE(line_keys)];
	const char *model;
	uint64_t v[4], sum = 0;
	double t;
	int have = 0, i;

	memset(rec, 0, sizeof(*rec));
	if (json_skim(line, len, line_keys, ARRAY_SIZE(line_keys), j)) {
		*why = "malformed JSON";
		return -1;
	}
	if (json_raw_double(&j[C_TIME], &t) || !(t >= 0 && t < 9e15) ||
	    t != (double)(int64_t)t || !source_time_ok(ctx, (int64_t)t)) {
		*why = "no valid 'time'";
		return -1;
	}
	for (i = 0; counters[i]; i++) {
		switch (json_raw_u64(&j[C_COUNTERS + i], &v[i])) {
		case JSON_NUM_OK:
			have = 1;
			sum += v[i];
			break;
		case JSON_NUM_BAD:
			*why = "bad token counter (negative, fractional or "
			       "beyond 10^12)";
			return -1;
		}
	}
	if (!have) {
		*why = "no token counter";
		return -1;
	}
	if (!cwd_ok(m, &j[C_CWD])) {
		*why = "'cwd' is not an absolute path";
		return -1;
	}
	if (!sum)
		return 1;
	if (!same_raw(&m->transcript, &j[C_TRANSCRIPT]))
		m->external = external_agent_log(
			source_raw_cstr(&j[C_TRANSCRIPT], &m->tmp));
	if (m->external)
		return 1;
	rec->ev.time = (int64_t)t;
	rec->ev.tool = TOOL_CURSOR;
	model = source_memo_intern(&m->model, &j[C_MODEL]);
	if (model != m->model_in || !m->model_out) {
		m->model_in = model;
		m->model_out = cursor_model(model);
	}
	rec->ev.model = m->model_out;
	rec->ev.cwd = source_memo_intern(&m->cwd, &j[C_CWD]);
	rec->ev.input = v[0];
	rec->ev.output = v[1];
	rec->ev.cache_read = v[2];
	rec->ev.cache_write = v[3];
	source_memo_session(&m->session, &j[C_CONV], rec->ev.session);
	rec->key = generation_key(m, &j[C_CONV], &j[C_GEN], line, len);
	return 0;
}

static int cursor_line(struct source_ctx *ctx, struct source_file *f,
		       const char *line, size_t len, uint64_t lineno,
		       int partial, void *data)
{
	struct source_rec rec;
	const char *why = NULL;
	int r = parse_line(ctx, line, len, data, &rec, &why);

	if (r < 0) {
		/* A hook still writing it: wait for the rest. */
		if (partial)
			return 1;
		source_bad_line(ctx, f->path, lineno, why);
		return 0;
	}
	if (!r)
		source_file_add(f, &rec);
	return 0;
}

/* Every file's records, a generation logged twice once (the first). */
static void emit_once(struct source_ctx *ctx, struct source_file **files,
		      size_t nr)
{
	struct u64map seen = U64MAP_INIT;
	size_t i, k, n = 0;

	/* sized once: each doubling of the map was a new one to fill */
	for (i = 0; i < nr; i++)
		n += files[i]->nr;
	u64map_reserve(&seen, n);
	for (i = 0; i < nr; i++)
		for (k = 0; k < files[i]->nr; k++) {
			const struct source_rec *r = &files[i]->rec[k];
			size_t *slot = u64map_find(&seen, r->key, 1);

			if (*slot)
				continue;
			*slot = 1;
			usage_set_add(ctx->out, &r->ev);
		}
	u64map_release(&seen);
}

void source_cursor_parse_mem(struct source_ctx *ctx, struct source_file *f,
			     const char *buf, size_t len)
{
	struct cursor_memo m = CURSOR_MEMO_INIT;

	source_scan_mem(ctx, f, buf, len, NULL, cursor_line, &m);
	emit_once(ctx, &f, 1);
	cursor_memo_release(&m);
}

int source_cursor_read(struct source_ctx *ctx)
{
	struct strbuf sb = STRBUF_INIT;
	struct strvec paths = STRVEC_INIT;
	struct cursor_memo m = CURSOR_MEMO_INIT;
	struct source_file **files;
	size_t nr = 0, i;

	for (i = 0; i < ctx->paths.nr; i++)
		strvec_push(&paths, ctx->paths.v[i]);
	if (!ctx->paths.nr) {
		cursor_log_path(&sb);
		if (!access(sb.buf, F_OK))
			strvec_push(&paths, sb.buf);
	}
	files = xcalloc(paths.nr + 1, sizeof(*files));
	ctx->lazy_records = 1;
	for (i = 0; i < paths.nr; i++) {
		int changed = 0;
		struct source_file *f = source_file_get(ctx, paths.v[i],
							&changed);

		if (!f)
			continue;
		if (changed && source_scan(ctx, f, NULL, cursor_line, &m))
			continue;
		files[nr++] = f;
	}
	if (!source_reuse_result(ctx))
		emit_once(ctx, files, nr);
	cursor_memo_release(&m);
	free(files);
	strvec_clear(&paths);
	strbuf_release(&sb);
	return 0;
}
