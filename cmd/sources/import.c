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

static const char * const counters[] = {
	"input", "output", "cache_write", "cache_read", "cache_write_1h", NULL
};

static int parse_time(const struct json *j, int64_t *ms)
{
	double d;

	if (json_str(j))
		return date_parse_iso(json_str(j), ms);
	if (json_double(j, &d) || d < 0 || d > 9e15)
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

/* import_parse_line() for a file of the repository whose work tree is wt. */
static int parse_line(struct usage_event *ev, const char *line, size_t len,
		      struct repo *repo, const char *wt, int64_t now,
		      const char **why)
{
	struct json *obj = json_parse(line, len);
	const struct json *j;
	const char *s, *cwd, *name;
	uint64_t v[ARRAY_SIZE(counters)];
	int have = 0, ret = -1, t;
	double cost;
	size_t i;

	memset(ev, 0, sizeof(*ev));
	if (!obj) {
		*why = "malformed JSON";
		goto cleanup;
	}
	if (!json_is_object(obj)) {
		*why = "not a JSON object";
		goto cleanup;
	}
	j = json_get(obj, "time");
	if (!j) {
		*why = "missing 'time'";
		goto cleanup;
	}
	if (parse_time(j, &ev->time)) {
		*why = "bad 'time'";
		goto cleanup;
	}
	if (ev->time < SOURCE_TIME_MIN || ev->time > now + 86400000LL) {
		*why = "'time' before 2020 or in the future";
		goto cleanup;
	}
	for (i = 0; counters[i]; i++) {
		j = json_get(obj, counters[i]);
		switch (json_u64(j, &v[i])) {
		case JSON_NUM_OK:
			have++;
			break;
		case JSON_NUM_BAD:
			*why = "bad token counter (negative, fractional or beyond 10^12)";
			goto cleanup;
		default:
			if (j && !json_is_null(j)) {
				*why = "a token counter is not a number";
				goto cleanup;
			}
		}
	}
	if (!have) {
		*why = "no token counter";
		goto cleanup;
	}
	ev->input = v[0];
	ev->output = v[1];
	ev->cache_write = v[2];
	ev->cache_read = v[3];
	ev->cache_write_1h = v[4];
	if (ev->cache_write_1h > ev->cache_write) {
		*why = "'cache_write_1h' beyond 'cache_write'";
		goto cleanup;
	}

	ev->tool = TOOL_IMPORT;
	if ((j = json_get(obj, "tool")) && !json_is_null(j)) {
		t = tool_parse(json_str(j));
		if (t < 0) {
			*why = "unknown 'tool'";
			goto cleanup;
		}
		ev->tool = (enum tool)t;
	}
	s = json_get_str(obj, "model");
	ev->model = s && *s ? event_intern(s) : NULL;
	s = json_get_str(obj, "author");
	ev->author = s && *s ? event_intern(s) : NULL;
	s = json_get_str(obj, "session");
	event_session_hash(ev->session, s ? s : "");
	s = json_get_str(obj, "commit");
	if (s && strlen(s) >= 4 && strlen(s) <= 40 &&
	    strspn(s, "0123456789abcdef") == strlen(s))
		strcpy(ev->commit, s);

	j = json_get(obj, "cost_usd");
	if (j && !json_is_null(j)) {
		if (json_double(j, &cost) || cost < 0 || cost > 1e9) {
			*why = "bad 'cost_usd'";
			goto cleanup;
		}
		ev->cost = cost;
		ev->cost_known = 1;
		ev->cost_recorded = 1;
	}

	cwd = json_get_str(obj, "cwd");
	name = json_get_str(obj, "repo");
	if (cwd && *cwd) {
		if (*cwd != '/') {
			*why = "'cwd' is not an absolute path";
			goto cleanup;
		}
		ev->cwd = event_intern(cwd);
	} else if (name && *name == '/') {
		ev->cwd = event_intern(name);
	} else if (name && *name) {
		ev->cwd = wt && repo_named(repo, wt, name) ? wt : NULL;
	} else {
		/* Neither: it belongs where it was imported. */
		ev->cwd = wt;
	}
	ret = 0;
cleanup:
	json_free(obj);
	return ret;
}

int import_parse_line(struct usage_event *ev, const char *line, size_t len,
		      struct repo *repo, int64_t now, const char **why)
{
	return parse_line(ev, line, len, repo, work_tree(repo), now, why);
}

/* Whose file is being read: lines without a repository are its. */
struct import_home {
	struct repo *repo;      /* NULL for another repository's file */
	const char *wt;         /* interned; NULL when unknown */
};

static int import_line(struct source_ctx *ctx, struct source_file *f,
		       const char *line, size_t len, uint64_t lineno,
		       int partial, void *data)
{
	struct source_rec rec;
	const struct import_home *home = data;
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
	memset(&rec, 0, sizeof(rec));
	if (parse_line(&rec.ev, line, len, home->repo, home->wt, ctx->now,
		       &why)) {
		/* Still being appended: wait for the rest. */
		if (partial)
			return 1;
		source_bad_line(ctx, f->path, lineno, why);
		return 0;
	}
	rec.key = hash_bytes(line, len, 0x696d);
	source_file_add(f, &rec);
	return 0;
}

void source_import_parse_mem(struct source_ctx *ctx, struct source_file *f,
			     const char *buf, size_t len)
{
	struct import_home home = { ctx->repo, work_tree(ctx->repo) };

	source_scan_mem(ctx, f, buf, len, NULL, import_line, &home);
	source_file_emit(ctx, f);
}

static void read_file(struct source_ctx *ctx, const char *path,
		      const struct import_home *home)
{
	struct source_file *f;
	int changed = 0;

	f = source_file_get(ctx, path, &changed);
	if (!f)
		return;
	if (changed && source_scan(ctx, f, NULL, import_line, (void *)home))
		return;
	source_file_emit(ctx, f);
}

/* The imports of every other repository seen, for --all-repos. */
static void read_seen(struct source_ctx *ctx, const char *own)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; ctx->seen && i < ctx->seen->nr; i++) {
		const char *common = ctx->seen->v[i];
		struct strvec trees = STRVEC_INIT;
		struct import_home home = { NULL, NULL };

		if (own && !strcmp(own, common))
			continue;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/tokens/%s", common, IMPORT_FILE);
		if (access(sb.buf, F_OK))
			continue;
		repo_worktrees_of(common, 0, &trees);
		if (trees.nr)
			home.wt = event_intern(trees.v[0]);
		read_file(ctx, sb.buf, &home);
		strvec_clear(&trees);
	}
	strbuf_release(&sb);
}

int source_import_read(struct source_ctx *ctx)
{
	struct import_home home = { ctx->repo, work_tree(ctx->repo) };
	struct strbuf sb = STRBUF_INIT;
	char *own = NULL;
	size_t i;

	for (i = 0; i < ctx->paths.nr; i++)
		read_file(ctx, ctx->paths.v[i], &home);
	if (ctx->repo && !repo_tokens_dir(ctx->repo, &sb)) {
		strbuf_addstr(&sb, IMPORT_FILE);
		if (!access(sb.buf, F_OK))
			read_file(ctx, sb.buf, &home);
		own = realpath(repo_common_dir(ctx->repo), NULL);
	}
	read_seen(ctx, own);
	free(own);
	strbuf_release(&sb);
	return 0;
}
