/*
 * Imported usage: the JSON Lines events "git tokens import" stored in
 * <common dir>/tokens/imported.jsonl, and any tokens.import.path file in
 * the same format:
 *
 *   {"time":"2026-11-20T10:00:00Z","tool":"…","model":"…","session":"…",
 *    "cwd":"…","author":"…","input":0,"output":0,"cache_write":0,
 *    "cache_read":0,"cost_usd":0.0}
 *
 * "time" and at least one counter are required; "cache_write_1h" (the
 * 1-hour part of cache_write) may be given too.
 */
#include "base/compat.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "git/repo.h"
#include "sources/import.h"
#include "sources/sources.h"

enum {
	I_TIME, I_TOOL, I_MODEL, I_AUTHOR, I_SESSION, I_COMMIT, I_COST,
	I_CWD, I_REPO, I_COUNTERS
};
/* The counters last, from I_COUNTERS on. */
static const struct json_key keys[] = {
	JSON_KEY("time"), JSON_KEY("tool"), JSON_KEY("model"),
	JSON_KEY("author"), JSON_KEY("session"), JSON_KEY("commit"),
	JSON_KEY("cost_usd"), JSON_KEY("cwd"), JSON_KEY("repo"),
	JSON_KEY("input"), JSON_KEY("output"), JSON_KEY("cache_write"),
	JSON_KEY("cache_read"), JSON_KEY("cache_write_1h"),
};
#define NKEYS ARRAY_SIZE(keys)

/* The strings lines of one file repeat, each read once per change. */
struct import_memo {
	struct source_memo model, author, session, cwd;
	struct strbuf tmp;
};
#define IMPORT_MEMO_INIT { SOURCE_MEMO_INIT, SOURCE_MEMO_INIT, \
			   SOURCE_MEMO_INIT, SOURCE_MEMO_INIT, STRBUF_INIT }

static void import_memo_release(struct import_memo *m)
{
	source_memo_release(&m->model);
	source_memo_release(&m->author);
	source_memo_release(&m->session);
	source_memo_release(&m->cwd);
	strbuf_release(&m->tmp);
}

static int raw_null(const struct json_raw *v)
{
	return v->p && v->len == 4 && !memcmp(v->p, "null", 4);
}

static int parse_time(const struct json_raw *v, struct strbuf *tmp,
		      int64_t *ms)
{
	const char *s = source_raw_cstr(v, tmp);
	double d;

	if (s)
		return date_parse_iso(s, ms);
	if (json_raw_double(v, &d) || d < 0 || d > 9e15)
		return -1;
	/* Epoch seconds, or milliseconds when it is that large. */
	*ms = d < 1e11 ? (int64_t)(d * 1000) : (int64_t)d;
	return 0;
}

static void strip_slashes(struct strbuf *sb)
{
	while (sb->len > 1 && sb->buf[sb->len - 1] == '/')
		strbuf_setlen(sb, sb->len - 1);
	if (sb->len > 4 && !strcmp(sb->buf + sb->len - 4, ".git"))
		strbuf_setlen(sb, sb->len - 4);
	while (sb->len > 1 && sb->buf[sb->len - 1] == '/')
		strbuf_setlen(sb, sb->len - 1);
}

/* This repository's work tree, without the trailing slash. */
static const char *work_tree(struct repo *repo)
{
	struct strbuf sb = STRBUF_INIT;
	const char *wt = repo ? repo_work_tree(repo) : NULL, *ret;

	if (!wt)
		return NULL;
	strbuf_addstr(&sb, wt);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	ret = event_intern(sb.buf);
	strbuf_release(&sb);
	return ret;
}

/*
 * Does a "repo" name (URL or name) mean the repository whose work tree
 * is wt (its remote URL known only with repo)?
 */
static int repo_named(struct repo *repo, const char *wt, const char *name)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	const char *base;
	char *url = NULL;
	int ret = 0;

	strbuf_addstr(&a, name);
	strip_slashes(&a);
	if (repo && !repo_config_string(repo, "remote.origin.url", &url) &&
	    url) {
		strbuf_addstr(&b, url);
		strip_slashes(&b);
		if (!strcmp(a.buf, b.buf))
			ret = 1;
	}
	base = wt ? strrchr(wt, '/') : NULL;
	if (!ret && base && !strcmp(base + 1, a.buf))
		ret = 1;
	/* "owner/name" against the tail of the remote URL */
	if (!ret && b.len > a.len && strchr(a.buf, '/') &&
	    !strcmp(b.buf + b.len - a.len, a.buf) &&
	    strchr("/:", b.buf[b.len - a.len - 1]))
		ret = 1;
	free(url);
	strbuf_release(&a);
	strbuf_release(&b);
	return ret;
}

/* The counters: 0, or -1 with *why. */
static int parse_counters(struct usage_event *ev, const struct json_raw *c,
			  const char **why)
{
	uint64_t v[NKEYS - I_COUNTERS];
	int have = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		switch (json_raw_u64(&c[i], &v[i])) {
		case JSON_NUM_OK:
			have++;
			break;
		case JSON_NUM_BAD:
			*why = "bad token counter (negative, fractional or beyond 10^12)";
			return -1;
		default:
			if (c[i].p && !raw_null(&c[i])) {
				*why = "a token counter is not a number";
				return -1;
			}
		}
	}
	if (!have) {
		*why = "no token counter";
		return -1;
	}
	ev->input = v[0];
	ev->output = v[1];
	ev->cache_write = v[2];
	ev->cache_read = v[3];
	ev->cache_write_1h = v[4];
	if (ev->cache_write_1h > ev->cache_write) {
		*why = "'cache_write_1h' beyond 'cache_write'";
		return -1;
	}
	return 0;
}

/* import_parse_line() for a file of the repository whose work tree is wt. */
static int parse_line(struct usage_event *ev, const char *line, size_t len,
		      struct repo *repo, const char *wt, int64_t now,
		      struct import_memo *m, const char **why)
{
	struct json_raw v[NKEYS];
	const char *s, *cwd, *name;
	int t;
	double cost;

	memset(ev, 0, sizeof(*ev));
	if (json_skim(line, len, keys, NKEYS, v)) {
		*why = source_skim_why(line, len);
		return -1;
	}
	if (!v[I_TIME].p) {
		*why = "missing 'time'";
		return -1;
	}
	if (parse_time(&v[I_TIME], &m->tmp, &ev->time)) {
		*why = "bad 'time'";
		return -1;
	}
	if (ev->time < SOURCE_TIME_MIN || ev->time > now + 86400000LL) {
		*why = "'time' before 2020 or in the future";
		return -1;
	}
	if (parse_counters(ev, v + I_COUNTERS, why))
		return -1;

	ev->tool = TOOL_IMPORT;
	if (v[I_TOOL].p && !raw_null(&v[I_TOOL])) {
		t = tool_parse(source_raw_cstr(&v[I_TOOL], &m->tmp));
		if (t < 0) {
			*why = "unknown 'tool'";
			return -1;
		}
		ev->tool = (enum tool)t;
	}
	ev->model = source_memo_intern(&m->model, &v[I_MODEL]);
	ev->author = source_memo_intern(&m->author, &v[I_AUTHOR]);
	source_memo_session(&m->session, &v[I_SESSION], ev->session);
	s = source_raw_cstr(&v[I_COMMIT], &m->tmp);
	if (s && strlen(s) >= 4 && strlen(s) <= 40 &&
	    strspn(s, "0123456789abcdef") == strlen(s))
		strcpy(ev->commit, s);

	if (v[I_COST].p && !raw_null(&v[I_COST])) {
		if (json_raw_double(&v[I_COST], &cost) || cost < 0 ||
		    cost > 1e9) {
			*why = "bad 'cost_usd'";
			return -1;
		}
		ev->cost = cost;
		ev->cost_known = 1;
		ev->cost_recorded = 1;
	}

	cwd = source_memo_intern(&m->cwd, &v[I_CWD]);
	name = source_raw_cstr(&v[I_REPO], &m->tmp);
	if (cwd) {
		if (*cwd != '/') {
			*why = "'cwd' is not an absolute path";
			return -1;
		}
		ev->cwd = cwd;
	} else if (name && *name == '/') {
		ev->cwd = event_intern(name);
	} else if (name && *name) {
		ev->cwd = wt && repo_named(repo, wt, name) ? wt : NULL;
	} else {
		/* Neither: it belongs where it was imported. */
		ev->cwd = wt;
	}
	return 0;
}

int import_parse_line(struct usage_event *ev, const char *line, size_t len,
		      struct repo *repo, int64_t now, const char **why)
{
	struct import_memo m = IMPORT_MEMO_INIT;
	int ret = parse_line(ev, line, len, repo, work_tree(repo), now, &m,
			     why);

	import_memo_release(&m);
	return ret;
}

/* Whose file is being read: lines without a repository are its. */
struct import_home {
	struct repo *repo;      /* NULL for another repository's file */
	const char *wt;         /* interned; NULL when unknown */
	struct import_memo memo;
};
#define IMPORT_HOME_INIT(repo, wt) { repo, wt, IMPORT_MEMO_INIT }

/*
 * Is the line's time, when it comes first ({"time":"<ISO 8601>", as the
 * import command's own examples and most writers put it), before since?
 * Any other line is left to the parser.
 */
static int line_before(const char *line, size_t len, int64_t since)
{
	const char *p = line + 1, *end = line + len, *q;
	char buf[48];
	int64_t ms;

	while (p < end && *p == ' ')
		p++;
	if (end - p < 8 || memcmp(p, "\"time\"", 6))
		return 0;
	for (p += 6; p < end && *p == ' '; p++)
		;
	if (p == end || *p++ != ':')
		return 0;
	while (p < end && *p == ' ')
		p++;
	if (p == end || *p++ != '"')
		return 0;
	q = memchr(p, '"', (size_t)(end - p) < sizeof(buf) ?
		   (size_t)(end - p) : sizeof(buf));
	if (!q || q == p || memchr(p, '\\', (size_t)(q - p)))
		return 0;
	memcpy(buf, p, (size_t)(q - p));
	buf[q - p] = '\0';
	return !date_parse_iso(buf, &ms) && ms < since;
}

static int import_line(struct source_ctx *ctx, struct source_file *f,
		       const char *line, size_t len, uint64_t lineno,
		       int partial, void *data)
{
	struct source_rec rec;
	struct import_home *home = data;
	const char *why = NULL;
	size_t i;

	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' ||
				line[i] == '\r'); i++)
		;
	if (i == len)
		return 0;
	if (lineno == 1 && len >= strlen(IMPORT_HEADER) &&
	    !strncmp(line, IMPORT_HEADER, strlen(IMPORT_HEADER)))
		return 0;
	/*
	 * The post-commit hook asks for the last minutes only, and an
	 * import rewrites the file, new to it each time: the lines from
	 * before are not worth parsing (nor is the cache kept then).
	 */
	if (ctx->recent_since && !partial &&
	    line_before(line, len, ctx->recent_since))
		return 0;
	memset(&rec, 0, sizeof(rec));
	if (parse_line(&rec.ev, line, len, home->repo, home->wt, ctx->now,
		       &home->memo, &why)) {
		/* Still being appended: wait for the rest. */
		if (partial)
			return 1;
		source_bad_line(ctx, f->path, lineno, why);
		return 0;
	}
	rec.key = hash_long(line, len, 0x696d);
	source_file_add(f, &rec);
	return 0;
}

void source_import_parse_mem(struct source_ctx *ctx, struct source_file *f,
			     const char *buf, size_t len)
{
	struct import_home home = IMPORT_HOME_INIT(ctx->repo,
						   work_tree(ctx->repo));

	source_scan_mem(ctx, f, buf, len, NULL, import_line, &home);
	source_file_emit(ctx, f);
	import_memo_release(&home.memo);
}

static void read_file(struct source_ctx *ctx, const char *path,
		      struct import_home *home, struct source_files *all)
{
	struct source_file *f;
	int changed = 0;

	f = source_file_get(ctx, path, &changed);
	if (!f)
		return;
	if (changed && source_scan(ctx, f, NULL, import_line, home))
		return;
	source_files_add(all, f);
}

/* The imports of every other repository seen, for --all-repos. */
static void read_seen(struct source_ctx *ctx, const char *own,
		      struct source_files *all)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; ctx->seen && i < ctx->seen->nr; i++) {
		const char *common = ctx->seen->v[i];
		struct strvec trees = STRVEC_INIT;
		struct import_home home = IMPORT_HOME_INIT(NULL, NULL);

		if (own && !strcmp(own, common))
			continue;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/tokens/%s", common, IMPORT_FILE);
		if (access(sb.buf, F_OK))
			continue;
		repo_worktrees_of(common, 0, &trees);
		if (trees.nr)
			home.wt = event_intern(trees.v[0]);
		read_file(ctx, sb.buf, &home, all);
		import_memo_release(&home.memo);
		strvec_clear(&trees);
	}
	strbuf_release(&sb);
}

int source_import_read(struct source_ctx *ctx)
{
	struct import_home home = IMPORT_HOME_INIT(ctx->repo,
						   work_tree(ctx->repo));
	struct strbuf sb = STRBUF_INIT;
	struct source_files all = { NULL, 0, 0 };
	char *own = NULL;
	size_t i;

	ctx->lazy_records = 1;
	for (i = 0; i < ctx->paths.nr; i++)
		read_file(ctx, ctx->paths.v[i], &home, &all);
	if (ctx->repo && !repo_tokens_dir(ctx->repo, &sb)) {
		strbuf_addstr(&sb, IMPORT_FILE);
		if (!access(sb.buf, F_OK))
			read_file(ctx, sb.buf, &home, &all);
		own = realpath(repo_common_dir(ctx->repo), NULL);
	}
	read_seen(ctx, own, &all);
	source_files_emit(ctx, &all);
	import_memo_release(&home.memo);
	free(own);
	strbuf_release(&sb);
	return 0;
}
