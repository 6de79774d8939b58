/*
 * git's configuration kept from one run to the next: "git config
 * --list" is a process, most of a quick run (a post-commit hook). In a
 * plain repository its answer is kept in .git/tokens/config-cache with
 * what it came from (the environment git reads config by, the files it
 * read or would read, found or not, and HEAD for includeIf.onbranch)
 * and used while those are as they were: the same size, inode and
 * times. A file changed since just before git started may have been
 * read before the change: nothing is kept then. Outside any repository
 * (usage --all-repos from anywhere) git's answer is the same wherever
 * it is asked: it is kept once, in the user's cache folder.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/die.h"
#include "base/hash.h"
#include "base/paths.h"
#include "base/sha256.h"
#include "base/strvec.h"
#include "git/config-cache.h"

#define CONFIG_CACHE_HEADER "git-tokens config cache 2"
#define CONFIG_RACY_NS (50 * 1000000LL)

extern char **environ;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The variables git's configuration may depend on, sorted. */
static void config_cache_env(struct strvec *out)
{
	static const char *const skip[] = {
		/* set by git for hooks, or per commit: not config */
		"GIT_INDEX_FILE=", "GIT_AUTHOR_", "GIT_COMMITTER_",
		"GIT_REFLOG_ACTION=", "GIT_PREFIX=",
		/* ours, not git's */
		"GIT_TOKENS_",
	};
	char **e;
	size_t i;

	for (e = environ; *e; e++) {
		if (strncmp(*e, "GIT_", 4) && strncmp(*e, "HOME=", 5) &&
		    strncmp(*e, "XDG_CONFIG_HOME=", 16) &&
		    strncmp(*e, "PATH=", 5))
			continue;
		for (i = 0; i < ARRAY_SIZE(skip); i++)
			if (!strncmp(*e, skip[i], strlen(skip[i])))
				break;
		if (i == ARRAY_SIZE(skip))
			strvec_push(out, *e);
	}
	qsort(out->v, out->nr, sizeof(*out->v), cmp_str);
}

/*
 * "S<path>\t<stat>" for the cache: 0, 1 when path changed since
 * racy_since (ns; 0: no such check), -1 when it cannot be looked at.
 */
static int config_cache_stat(const char *path, int64_t racy_since,
			     struct strbuf *out)
{
	struct stat sb;
	int64_t m, c;

	strbuf_addf(out, "S%s\t", path);
	if (stat(path, &sb) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			return -1;
		strbuf_addch(out, '-');
		return 0;
	}
	m = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	c = (int64_t)sb.st_ctim.tv_sec * 1000000000 + sb.st_ctim.tv_nsec;
	strbuf_addf(out, "%llu %llu %lld %lld %lld",
		    (unsigned long long)sb.st_dev,
		    (unsigned long long)sb.st_ino, (long long)sb.st_size,
		    (long long)m, (long long)c);
	return racy_since && (m >= racy_since || c >= racy_since);
}

static void push_new(struct strvec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->nr; i++)
		if (!strcmp(sv->v[i], s))
			return;
	strvec_push(sv, s);
}

/* The files git reads config from, or would were they there. */
static void config_cache_paths(const char *top, const struct strbuf *list,
			       struct strvec *out)
{
	const char *home = getenv("HOME"), *v, *p, *end, *origin;
	struct strbuf sb = STRBUF_INIT;

	strvec_push(out, "/etc/gitconfig");
	if ((v = getenv("GIT_CONFIG_SYSTEM")) && *v)
		strvec_push(out, v);
	if ((v = getenv("GIT_CONFIG_GLOBAL")) && *v)
		strvec_push(out, v);
	if ((v = getenv("GIT_CONFIG")) && *v)
		strvec_push(out, v);
	if ((v = getenv("XDG_CONFIG_HOME")) && *v)
		strvec_pushf(out, "%s/git/config", v);
	if (home && *home) {
		strvec_pushf(out, "%s/.config/git/config", home);
		strvec_pushf(out, "%s/.gitconfig", home);
	}
	if (top) {
		strvec_pushf(out, "%s.git/config", top);
		strvec_pushf(out, "%s.git/config.worktree", top);
		strvec_pushf(out, "%s.git/HEAD", top);
	}
	/* Each file git named, and each include, where git looks for it. */
	for (p = list->buf, end = p + list->len; p < end; ) {
		origin = p;
		p += strlen(p) + 1;
		if (p >= end)
			break;
		v = p;
		p += strlen(p) + 1;
		if (!strncmp(origin, "file:", 5))
			push_new(out, origin + 5);
		if ((strncasecmp(v, "include.", 8) &&
		     strncasecmp(v, "includeif.", 10)) || !strchr(v, '\n'))
			continue;
		if (strncasecmp(strchr(v, '\n') - 5, ".path", 5))
			continue;
		v = strchr(v, '\n') + 1;
		strbuf_reset(&sb);
		if (v[0] == '~' && v[1] == '/' && home)
			strbuf_addf(&sb, "%s%s", home, v + 1);
		else if (v[0] == '/')
			strbuf_addstr(&sb, v);
		else if (!strncmp(origin, "file:", 5) &&
			 strrchr(origin, '/'))
			strbuf_addf(&sb, "%.*s%s",
				    (int)(strrchr(origin, '/') - origin - 4),
				    origin + 5, v);
		if (sb.len)
			push_new(out, sb.buf);
	}
	strbuf_release(&sb);
}

/* The cache's header: what git's answer was for. */
static void config_cache_key(const char *top, struct strbuf *key)
{
	struct strvec env = STRVEC_INIT;
	struct sha256_ctx c;
	unsigned char sum[32];
	char hex[65];
	size_t i;

	strbuf_addstr(key, CONFIG_CACHE_HEADER);
	strbuf_addch(key, '\0');
	strbuf_addf(key, "T%s", top ? top : "");
	strbuf_addch(key, '\0');
	/* Only a hash: GIT_CONFIG_PARAMETERS and the like may hold a secret. */
	config_cache_env(&env);
	sha256_init(&c);
	for (i = 0; i < env.nr; i++)
		sha256_update(&c, env.v[i], strlen(env.v[i]) + 1);
	sha256_final(&c, sum);
	hex_encode(hex, sum, sizeof(sum));
	strbuf_addf(key, "E%s", hex);
	strbuf_addch(key, '\0');
	strvec_clear(&env);
}

/* Where the cache is (its folder in dir when given): 0, or -1. */
static int config_cache_file(const char *top, struct strbuf *name,
			     struct strbuf *dir)
{
	if (top)
		strbuf_addf(name, "%s.git/tokens/", top);
	else if (tokens_user_cache_name(name) < 0)
		return -1;
	if (dir)
		strbuf_addbuf(dir, name);
	strbuf_addstr(name, "config-cache");
	return 0;
}

int config_cache_read(const char *top, struct strbuf *out)
{
	struct strbuf file = STRBUF_INIT, key = STRBUF_INIT;
	struct strbuf name = STRBUF_INIT, now = STRBUF_INIT;
	const char *p, *end;
	int ret = 1;

	if (config_cache_file(top, &name, NULL) < 0 ||
	    strbuf_read_file(&file, name.buf, 4096) < 0)
		goto cleanup;
	config_cache_key(top, &key);
	if (file.len < key.len || memcmp(file.buf, key.buf, key.len))
		goto cleanup;
	/* Then each file as it was, an empty string, git's answer. */
	for (p = file.buf + key.len, end = file.buf + file.len;
	     p < end && *p == 'S'; p += strlen(p) + 1) {
		const char *tab = strchr(p, '\t');

		if (!tab || !memchr(p, '\0', end - p))
			goto cleanup;
		strbuf_reset(&name);
		strbuf_add(&name, p + 1, tab - p - 1);
		strbuf_reset(&now);
		if (config_cache_stat(name.buf, 0, &now) || strcmp(p, now.buf))
			goto cleanup;
	}
	if (p >= end || *p)
		goto cleanup;
	strbuf_add(out, p + 1, end - p - 1);
	ret = 0;
cleanup:
	strbuf_release(&file);
	strbuf_release(&key);
	strbuf_release(&name);
	strbuf_release(&now);
	return ret;
}

void config_cache_write(const char *top, const struct strbuf *list,
			int64_t asked)
{
	struct strbuf file = STRBUF_INIT, dir = STRBUF_INIT;
	struct strbuf name = STRBUF_INIT;
	struct strvec paths = STRVEC_INIT;
	size_t i;

	/* Values given for one run (git -c) are not written to disk. */
	if (getenv("GIT_CONFIG_PARAMETERS") || getenv("GIT_CONFIG_COUNT"))
		goto cleanup;
	config_cache_key(top, &file);
	config_cache_paths(top, list, &paths);
	for (i = 0; i < paths.nr; i++) {
		if (config_cache_stat(paths.v[i], asked - CONFIG_RACY_NS,
				      &file))
			goto cleanup;
		strbuf_addch(&file, '\0');
	}
	strbuf_addch(&file, '\0');
	strbuf_addbuf(&file, list);
	/*
	 * A cache: a folder we cannot write to just goes without.
	 * Private: it holds the global configuration's values too.
	 */
	if (!config_cache_file(top, &name, &dir) && !mkdir_p(dir.buf))
		write_file_atomic(name.buf, file.buf, file.len, 0600, 0);
cleanup:
	strbuf_release(&file);
	strbuf_release(&dir);
	strbuf_release(&name);
	strvec_clear(&paths);
}

