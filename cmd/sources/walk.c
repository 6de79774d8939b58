/* Finding log files: a folder walk that survives symlink loops. */
#include "base/compat.h"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/die.h"
#include "base/hash.h"
#include "base/paths.h"
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
	uint64_t suffixes;      /* a hash of the walk's suffixes */
	int64_t now_ns;         /* the real time, not GIT_TOKENS_NOW */
};

/* 1 when the folder of sb was walked already (through a symlink). */
static int walk_seen_add(struct walk_seen *w, const struct stat *sb)
{
	uint64_t key = hash_bytes(&sb->st_ino, sizeof(sb->st_ino),
				  (uint64_t)sb->st_dev);

	if (u64map_find(&w->ids, key, 0))
		return 1;
	u64map_find(&w->ids, key, 1);
	return 0;
}

static uint64_t ns_of(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
}

/*
 * Listing a folder takes an open, two getdents and a close, where a
 * stat tells whether it changed: adding, removing or renaming an entry
 * moves the folder's mtime and ctime, a new mode its ctime. (A file's
 * own growth is found by its stat, as always.) A folder listed within
 * DIR_SETTLE_NS of its last change (or before it: a time in the future)
 * is not kept: an entry added in the same clock tick may leave its
 * times as they were. Only folders of
 * plain files and folders are kept: a symlink may be pointed elsewhere
 * without its folder changing.
 */
#define DIR_SETTLE_NS 2000000000LL

static uint64_t dir_key(const struct walk_seen *w, const struct strbuf *dir)
{
	return hash_long(dir->buf, dir->len, w->suffixes);
}

static struct source_dir *dir_known(struct source_state *st, uint64_t key,
				    const struct strbuf *dir)
{
	size_t *slot = u64map_find(&st->dir_ids, key, 0);
	struct source_dir *d;

	if (!slot || !*slot)
		return NULL;
	d = &st->dirs[*slot - 1];
	return strcmp(d->path, dir->buf) ? NULL : d;
}

static int dir_same(const struct source_dir *d, const struct stat *sb)
{
	return S_ISDIR(sb->st_mode) && d->dev == (uint64_t)sb->st_dev &&
	       d->ino == (uint64_t)sb->st_ino &&
	       d->mtime_ns == ns_of(&sb->st_mtim) &&
	       d->ctime_ns == ns_of(&sb->st_ctim);
}

static void dir_keep(struct source_state *st, uint64_t key,
		     const struct strbuf *dir, const struct stat *sb,
		     struct strbuf *ents)
{
	size_t *slot = u64map_find(&st->dir_ids, key, 1);
	struct source_dir *d;
	struct strbuf tmp;

	if (!*slot) {
		ALLOC_GROW(st->dirs, st->dirs_nr + 1, st->dirs_alloc);
		d = &st->dirs[st->dirs_nr++];
		memset(d, 0, sizeof(*d));
		strbuf_init(&d->ents, 0);
		d->path = xstrdup(dir->buf);
		d->key = key;
		*slot = st->dirs_nr;
	} else {
		d = &st->dirs[*slot - 1];
		if (strcmp(d->path, dir->buf))
			return; /* two folders, one key: list both each time */
	}
	d->dev = (uint64_t)sb->st_dev;
	d->ino = (uint64_t)sb->st_ino;
	d->mtime_ns = ns_of(&sb->st_mtim);
	d->ctime_ns = ns_of(&sb->st_ctim);
	tmp = d->ents;
	d->ents = *ents;
	*ents = tmp;
	d->seen = 1;
	st->dirs_dirty = 1;
}

/*
 * <cache>/usage-<source>.dirs: a header, then per folder its disk_dir,
 * its path and its entries, each padded to 8 bytes. Host byte order;
 * anything unexpected and the folders are listed again.
 */
#define DIRS_MAGIC "GTKDIRS1"

struct dirs_header {
	char magic[8];
	uint32_t endian, dir_size;
	uint64_t ndirs;
};

struct disk_dir {
	uint64_t key, dev, ino, mtime_ns, ctime_ns, path_len, ents_len;
};

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Entries as find_files() writes them: 'd' or 'f', a plain name, NUL. */
static int ents_ok(const char *p, size_t len)
{
	const char *end = p + len;

	while (p < end) {
		const char *name = p + 1;
		const char *nul = memchr(name, 0, (size_t)(end - name));

		if ((*p != 'd' && *p != 'f') || !nul || nul == name ||
		    memchr(name, '/', (size_t)(nul - name)) ||
		    !strcmp(name, ".") || !strcmp(name, ".."))
			return 0;
		p = nul + 1;
	}
	return 1;
}

void source_dirs_read(struct source_state *st, const char *path)
{
	struct strbuf buf = STRBUF_INIT;
	struct dirs_header h;
	const char *p, *end;
	uint64_t i;

	if (strbuf_read_file(&buf, path, 0) < (long)sizeof(h))
		goto cleanup;
	memcpy(&h, buf.buf, sizeof(h));
	if (memcmp(h.magic, DIRS_MAGIC, 8) || h.endian != 0x01020304 ||
	    h.dir_size != sizeof(struct disk_dir) ||
	    h.ndirs > buf.len / sizeof(struct disk_dir))
		goto cleanup;
	p = buf.buf + sizeof(h);
	end = buf.buf + buf.len;
	for (i = 0; i < h.ndirs; i++) {
		struct disk_dir dd;
		struct source_dir *d;
		size_t *slot;

		if ((size_t)(end - p) < sizeof(dd))
			goto bad;
		memcpy(&dd, p, sizeof(dd));
		p += sizeof(dd);
		if (dd.path_len >= (uint64_t)(end - p) ||
		    pad8(dd.path_len + 1) > (uint64_t)(end - p) ||
		    p[dd.path_len] || memchr(p, 0, dd.path_len) ||
		    dd.ents_len > (uint64_t)(end - p) -
				  pad8(dd.path_len + 1) ||
		    !ents_ok(p + pad8(dd.path_len + 1), dd.ents_len) ||
		    !dd.key)
			goto bad;
		slot = u64map_find(&st->dir_ids, dd.key, 1);
		if (*slot)
			goto bad;
		ALLOC_GROW(st->dirs, st->dirs_nr + 1, st->dirs_alloc);
		d = &st->dirs[st->dirs_nr++];
		*slot = st->dirs_nr;
		memset(d, 0, sizeof(*d));
		d->key = dd.key;
		d->dev = dd.dev;
		d->ino = dd.ino;
		d->mtime_ns = dd.mtime_ns;
		d->ctime_ns = dd.ctime_ns;
		d->path = xstrdup(p);
		p += pad8(dd.path_len + 1);
		strbuf_init(&d->ents, 0);
		strbuf_add(&d->ents, p, dd.ents_len);
		p += pad8(dd.ents_len);
		if (p > end)
			goto bad;
	}
	goto cleanup;
bad:
	source_dirs_free(st);
cleanup:
	strbuf_release(&buf);
}

int source_dirs_write(struct source_state *st, const char *path)
{
	struct strbuf body = STRBUF_INIT;
	struct dirs_header h;
	size_t i;
	int ret;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, DIRS_MAGIC, 8);
	h.endian = 0x01020304;
	h.dir_size = sizeof(struct disk_dir);
	strbuf_add(&body, &h, sizeof(h));
	for (i = 0; i < st->dirs_nr; i++) {
		const struct source_dir *d = &st->dirs[i];
		struct disk_dir dd;

		/* After a whole walk, a folder it did not reach is gone. */
		if (st->dirs_walked && !d->seen)
			continue;
		memset(&dd, 0, sizeof(dd));
		dd.key = d->key;
		dd.dev = d->dev;
		dd.ino = d->ino;
		dd.mtime_ns = d->mtime_ns;
		dd.ctime_ns = d->ctime_ns;
		dd.path_len = strlen(d->path);
		dd.ents_len = d->ents.len;
		strbuf_add(&body, &dd, sizeof(dd));
		strbuf_add(&body, d->path, dd.path_len + 1);
		strbuf_addchars(&body, 0, pad8(body.len) - body.len);
		strbuf_add(&body, d->ents.buf, d->ents.len);
		strbuf_addchars(&body, 0, pad8(body.len) - body.len);
		h.ndirs++;
	}
	memcpy(body.buf, &h, sizeof(h));
	/* A cache: rebuilt when lost, so not worth an fsync. */
	ret = write_file_atomic(path, body.buf, body.len, 0666, 0);
	strbuf_release(&body);
	return ret;
}

void source_dirs_free(struct source_state *st)
{
	size_t i;

	for (i = 0; i < st->dirs_nr; i++) {
		free(st->dirs[i].path);
		strbuf_release(&st->dirs[i].ents);
	}
	free(st->dirs);
	st->dirs = NULL;
	st->dirs_nr = st->dirs_alloc = 0;
	u64map_release(&st->dir_ids);
}

static void find_files(struct source_ctx *ctx, struct strbuf *dir,
		       const char * const *suffixes, struct strvec *out,
		       int depth, struct walk_seen *seen, int64_t new_since);

/* A log file found at dir (its stat from the folder at dfd, or none). */
static void found_file(struct source_ctx *ctx, struct strbuf *dir,
		       struct strvec *out, int dfd, const char *name)
{
	struct source_state *st = ctx->state;
	struct stat sb;
	int r;

	strvec_push(out, dir->buf);
	if (!st)
		return;
	/* A lookup from the folder is one path step, not many. */
	r = dfd >= 0 ? fstatat(dfd, name, &sb, 0) : stat(dir->buf, &sb);
	if (!r) {
		const char *ip = event_intern(dir->buf);
		size_t *slot = u64map_find(&st->stats,
					   (uint64_t)(uintptr_t)ip, 1);

		ALLOC_GROW(st->stat, st->stat_nr + 1, st->stat_alloc);
		st->stat[st->stat_nr++] = sb;
		*slot = st->stat_nr;
	}
}

/* The entries of a folder that did not change since it was listed. */
static void walk_known(struct source_ctx *ctx, struct strbuf *dir,
		       const char * const *suffixes, struct strvec *out,
		       int depth, struct walk_seen *seen,
		       const struct strbuf *ents)
{
	size_t baselen = dir->len;
	const char *p = ents->buf, *end = ents->buf + ents->len;

	while (p < end) {
		const char *name = p + 1;
		size_t nlen = strlen(name);

		strbuf_setlen(dir, baselen);
		strbuf_addch(dir, '/');
		strbuf_add(dir, name, nlen);
		if (*p == 'd')
			find_files(ctx, dir, suffixes, out, depth + 1, seen, 0);
		else
			found_file(ctx, dir, out, -1, name);
		p = name + nlen + 1;
	}
	strbuf_setlen(dir, baselen);
}

static void find_files(struct source_ctx *ctx, struct strbuf *dir,
		       const char * const *suffixes, struct strvec *out,
		       int depth, struct walk_seen *seen, int64_t new_since)
{
	struct source_state *st = new_since ? NULL : ctx->state;
	struct strbuf ents = STRBUF_INIT;
	struct source_dir *known = NULL;
	struct stat sb;
	DIR *d = NULL;
	struct dirent *de;
	size_t baselen = dir->len;
	uint64_t key = 0;
	int old = 0, keep = !!st;

	if (st) {
		key = dir_key(seen, dir);
		known = dir_known(st, key, dir);
	}
	if (known && !stat(dir->buf, &sb) && dir_same(known, &sb)) {
		/* Reached again through a symlink: each file once. */
		if (!walk_seen_add(seen, &sb)) {
			known->seen = 1;
			st->dirs_known++;
			walk_known(ctx, dir, suffixes, out, depth, seen,
				   &known->ents);
		}
		return;
	}
	d = opendir(dir->buf);
	if (!d) {
		if (errno != ENOENT && errno != ENOTDIR)
			source_bad_line(ctx, dir->buf, 0,
					"cannot read directory");
		return;
	}
	if (fstat(dirfd(d), &sb) < 0)
		goto cleanup;
	if (st)
		st->dirs_listed++;
	/*
	 * Changed before new_since: its files are left out, and when it
	 * has no subfolder either there is nothing in it to look at.
	 */
	if (new_since && (int64_t)(ns_of(&sb.st_mtim) / 1000000) < new_since)
		old = compat_no_subfolders(dirfd(d), &sb) ? 2 : 1;
	if (walk_seen_add(seen, &sb) || old == 2)
		goto cleanup;
	keep = keep && (int64_t)ns_of(&sb.st_ctim) + DIR_SETTLE_NS <
		       seen->now_ns &&
	       (int64_t)ns_of(&sb.st_mtim) + DIR_SETTLE_NS < seen->now_ns;
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
			struct stat lsb;

			keep = 0;
			if (stat(dir->buf, &lsb) < 0) {
				if (errno == EACCES)
					source_bad_line(ctx, dir->buf, 0,
							"cannot read file");
				continue;
			}
			is_dir = S_ISDIR(lsb.st_mode);
			is_reg = S_ISREG(lsb.st_mode);
		}
		if (is_dir && depth < 32) {
			if (keep) {
				strbuf_addch(&ents, 'd');
				strbuf_add(&ents, de->d_name, nlen + 1);
			}
			find_files(ctx, dir, suffixes, out, depth + 1, seen,
				   new_since);
		} else if (!is_dir && !is_reg &&
			   has_suffix(de->d_name, nlen, suffixes)) {
			/* A FIFO or a device named like a log: never open. */
			keep = 0;
			source_bad_line(ctx, dir->buf, 0,
					"not a regular file");
		} else if (is_reg && !old &&
			   has_suffix(de->d_name, nlen, suffixes)) {
			if (keep) {
				strbuf_addch(&ents, 'f');
				strbuf_add(&ents, de->d_name, nlen + 1);
			}
			found_file(ctx, dir, out, dirfd(d), de->d_name);
		} else if (is_dir) {
			keep = 0; /* too deep: left as the listing leaves it */
		}
	}
	strbuf_setlen(dir, baselen);
	if (keep)
		dir_keep(st, key, dir, &sb, &ents);
cleanup:
	closedir(d);
	strbuf_setlen(dir, baselen);
	strbuf_release(&ents);
}

static void find_in(struct source_ctx *ctx, const char *dir,
		    const char * const *suffixes, struct strvec *out,
		    int64_t new_since)
{
	struct strbuf sb = STRBUF_INIT;
	struct walk_seen seen = { U64MAP_INIT, 0, 0 };
	const char * const *p;
	struct timespec now;

	for (p = suffixes; *p; p++)
		seen.suffixes = hash_long(*p, strlen(*p) + 1, seen.suffixes);
	clock_gettime(CLOCK_REALTIME, &now);
	seen.now_ns = (int64_t)ns_of(&now);
	if (ctx->state && !new_since)
		ctx->state->dirs_walked = 1;
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
