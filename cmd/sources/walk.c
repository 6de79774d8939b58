/* Finding log files: a folder walk that survives symlink loops. */
#include "base/compat.h"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/die.h"
#include "base/hash.h"
#include "sources/sources-internal.h"

const char *source_home(void)
{
	const char *h = getenv("HOME");

	return h && *h ? h : "/";
}

void source_default_dir(struct strbuf *out, const char *env,
			const char *in_home)
{
	const char *val = env ? getenv(env) : NULL;

	strbuf_reset(out);
	if (val && *val == '/')
		strbuf_addstr(out, val);
	else
		strbuf_addf(out, "%s/%s", source_home(), in_home);
}

static int has_suffix(const char *s, size_t len, const char * const *suffixes)
{
	const char * const *p;

	for (p = suffixes; *p; p++) {
		size_t n = strlen(*p);

		if (len >= n && !memcmp(s + len - n, *p, n))
			return 1;
	}
	return 0;
}

/* The folders a walk has been in, so that symlink loops end. */
struct walk_seen {
	struct u64map ids;
};

/*
 * Also tells whether the folder changed before new_since (ms; 0: no):
 * 1, or 2 when it has no subfolder either, nothing in it to look at.
 */
static int walk_seen_add(struct walk_seen *w, DIR *d, int64_t new_since,
			 int *old)
{
	struct stat sb;
	uint64_t key;

	*old = 0;
	if (fstat(dirfd(d), &sb) < 0)
		return 0;
	*old = new_since && (int64_t)sb.st_mtim.tv_sec * 1000 +
		sb.st_mtim.tv_nsec / 1000000 < new_since;
	if (*old && compat_no_subfolders(dirfd(d), &sb))
		*old = 2;
	key = hash_bytes(&sb.st_ino, sizeof(sb.st_ino),
			  (uint64_t)sb.st_dev);
	if (u64map_find(&w->ids, key, 0))
		return 1;
	u64map_find(&w->ids, key, 1);
	return 0;
}

static void find_files(struct source_ctx *ctx, struct strbuf *dir,
		       const char * const *suffixes, struct strvec *out,
		       int depth, struct walk_seen *seen, int64_t new_since)
{
	DIR *d;
	struct dirent *de;
	size_t baselen = dir->len;
	int old;

	d = opendir(dir->buf);
	if (!d) {
		if (errno != ENOENT && errno != ENOTDIR)
			source_bad_line(ctx, dir->buf, 0,
					"cannot read directory");
		return;
	}
	/* Reached again through a symlink: each file once. */
	if (walk_seen_add(seen, d, new_since, &old) || old == 2) {
		closedir(d);
		return;
	}
	while ((de = readdir(d))) {
		int is_dir = 0, is_reg = 0;
		size_t nlen = strlen(de->d_name);

		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] ||
		     (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		strbuf_setlen(dir, baselen);
		strbuf_addch(dir, '/');
		strbuf_add(dir, de->d_name, nlen);
		if (compat_d_type(de) == DT_DIR)
			is_dir = 1;
		else if (compat_d_type(de) == DT_REG)
			is_reg = 1;
		else if (compat_d_type(de) == DT_LNK ||
			 compat_d_type(de) == DT_UNKNOWN) {
			struct stat sb;

			if (stat(dir->buf, &sb) < 0) {
				if (errno == EACCES)
					source_bad_line(ctx, dir->buf, 0,
							"cannot read file");
				continue;
			}
			is_dir = S_ISDIR(sb.st_mode);
			is_reg = S_ISREG(sb.st_mode);
		}
		if (is_dir && depth < 32) {
			find_files(ctx, dir, suffixes, out, depth + 1, seen,
				   new_since);
		} else if (!is_dir && !is_reg &&
			   has_suffix(de->d_name, nlen, suffixes)) {
			/* A FIFO or a device named like a log: never open. */
			source_bad_line(ctx, dir->buf, 0,
					"not a regular file");
		} else if (is_reg && !old &&
			   has_suffix(de->d_name, nlen, suffixes)) {
			struct source_state *st = ctx->state;
			struct stat sb;

			strvec_push(out, dir->buf);
			/* A lookup from here is one path step, not many. */
			if (st && !fstatat(dirfd(d), de->d_name, &sb, 0)) {
				const char *ip = event_intern(dir->buf);
				size_t *slot = u64map_find(&st->stats,
						(uint64_t)(uintptr_t)ip, 1);

				ALLOC_GROW(st->stat, st->stat_nr + 1,
					   st->stat_alloc);
				st->stat[st->stat_nr++] = sb;
				*slot = st->stat_nr;
			}
		}
	}
	closedir(d);
	strbuf_setlen(dir, baselen);
}

static void find_in(struct source_ctx *ctx, const char *dir,
		    const char * const *suffixes, struct strvec *out,
		    int64_t new_since)
{
	struct strbuf sb = STRBUF_INIT;
	struct walk_seen seen = { U64MAP_INIT };

	strbuf_addstr(&sb, dir);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	find_files(ctx, &sb, suffixes, out, 0, &seen, new_since);
	u64map_release(&seen.ids);
	strbuf_release(&sb);
}

void source_find_files(struct source_ctx *ctx, const char *dir,
		       const char * const *suffixes, struct strvec *out)
{
	find_in(ctx, dir, suffixes, out, 0);
}

void source_find_new_files(struct source_ctx *ctx, const char *dir,
			   const char * const *suffixes, struct strvec *out)
{
	find_in(ctx, dir, suffixes, out, ctx->recent_since);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char * const *)a, *(const char * const *)b);
}

void source_sort_paths(struct strvec *paths)
{
	size_t i, j;

	if (paths->nr < 2)
		return;
	qsort(paths->v, paths->nr, sizeof(*paths->v), cmp_str);
	for (i = j = 1; i < paths->nr; i++) {
		if (!strcmp(paths->v[i], paths->v[j - 1])) {
			free((char *)paths->v[i]);
			continue;
		}
		paths->v[j++] = paths->v[i];
	}
	paths->nr = j;
	paths->v[j] = NULL;
}
