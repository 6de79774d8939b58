/*
 * Per-file state of a source: which log files it has read, how far,
 * and whether a file that changed can be resumed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/die.h"
#include "base/hash.h"
#include "sources/sources-internal.h"


__thread struct source_file *source_scanning;

static size_t state_find_slot(struct source_state *st, const char *path)
{
	size_t j = hash_ptr(path) & (st->map_alloc - 1);

	while (st->map[j] && st->files[st->map[j] - 1]->path != path)
		j = (j + 1) & (st->map_alloc - 1);
	return j;
}

static void state_rehash(struct source_state *st)
{
	size_t i;

	free(st->map);
	st->map_alloc = 64;
	while (st->map_alloc < st->nr * 2 + 2)
		st->map_alloc *= 2;
	st->map = xcalloc(st->map_alloc, sizeof(*st->map));
	for (i = 0; i < st->nr; i++)
		st->map[state_find_slot(st, st->files[i]->path)] = i + 1;
}

struct source_file *source_state_lookup(struct source_state *st,
					const char *path)
{
	size_t j;

	if (!st->map_alloc)
		return NULL;
	j = state_find_slot(st, path);
	return st->map[j] ? st->files[st->map[j] - 1] : NULL;
}

struct source_file *source_state_add(struct source_state *st,
				     const char *path)
{
	struct source_file *f = xcalloc(1, sizeof(*f));

	f->path = path;
	strbuf_init(&f->state, 0);
	ALLOC_GROW(st->files, st->nr + 1, st->alloc);
	st->files[st->nr++] = f;
	if (st->nr * 2 + 2 > st->map_alloc)
		state_rehash(st);
	else
		st->map[state_find_slot(st, path)] = st->nr;
	return f;
}

static void file_free(struct source_file *f)
{
	strbuf_release(&f->state);
	free(f->rec);
	free(f);
}

void source_state_free(struct source_state *st)
{
	size_t i;

	const struct source *src = st->src;
	int idx = st->idx;

	for (i = 0; i < st->nr; i++)
		file_free(st->files[i]);
	free(st->files);
	free(st->map);
	free(st->strs);
	u64map_release(&st->stats);
	free(st->stat);
	source_dirs_free(st);
	if (st->map_base)
		munmap(st->map_base, st->map_len);
	memset(st, 0, sizeof(*st));
	st->src = src;
	st->idx = idx;
}

void source_file_reset(struct source_file *f)
{
	f->disk = NULL;
	f->disk_nr = 0;
	f->offset = 0;
	f->lines = 0;
	f->nr = 0;
	f->bad = 0;
	f->bad_line = 0;
	f->bad_why = NULL;
	f->tail_hash = 0;
	strbuf_reset(&f->state);
}

/* Room for one more record, in huge pages past 1 MiB (a Cursor export
 * of 19,000 records made 850 faults in small ones, a third of its run). */
static void rec_grow(struct source_file *f)
{
	size_t alloc = (f->alloc + 16) * 3 / 2, got;

	f->rec = xrealloc_huge(f->rec, f->nr * sizeof(*f->rec),
			       alloc * sizeof(*f->rec), &got);
	f->alloc = got / sizeof(*f->rec);
}

void source_file_add(struct source_file *f, const struct source_rec *rec)
{
	/* Room for one first: many sources log a call a file. */
	if (!f->alloc) {
		f->alloc = 1;
		f->rec = xrealloc(f->rec, sizeof(*f->rec));
	}
	if (f->nr == f->alloc)
		rec_grow(f);
	f->rec[f->nr++] = *rec;
}

void source_file_put(struct source_file *f, const struct source_rec *rec)
{
	size_t i = f->nr;

	while (i--)
		if (f->rec[i].key == rec->key) {
			f->rec[i] = *rec;
			return;
		}
	source_file_add(f, rec);
}

void source_files_add(struct source_files *l, struct source_file *f)
{
	ALLOC_GROW(l->f, l->nr + 1, l->alloc);
	l->f[l->nr++] = f;
}

void source_files_collect(struct source_ctx *ctx, const struct strvec *paths,
			  struct source_files *all, struct source_files *todo)
{
	size_t i;

	for (i = 0; i < paths->nr; i++) {
		int changed;
		struct source_file *f = source_file_get(ctx, paths->v[i],
							&changed);

		if (!f)
			continue;
		source_files_add(all, f);
		if (changed)
			source_files_add(todo, f);
	}
}

void source_files_emit(struct source_ctx *ctx, struct source_files *l)
{
	size_t i;

	if (!source_reuse_result(ctx))
		for (i = 0; i < l->nr; i++)
			source_file_emit(ctx, l->f[i]);
	free(l->f);
	memset(l, 0, sizeof(*l));
}

uint64_t source_rec_total(const struct source_rec *r)
{
	return r->ev.input + r->ev.output + r->ev.cache_read +
	       r->ev.cache_write;
}

static int cmp_key_largest(const void *a, const void *b)
{
	const struct source_rec *x = *(const struct source_rec * const *)a;
	const struct source_rec *y = *(const struct source_rec * const *)b;
	uint64_t tx, ty;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	tx = source_rec_total(x);
	ty = source_rec_total(y);
	return tx == ty ? 0 : tx > ty ? -1 : 1;
}

size_t source_pick_largest(const struct source_rec **recs, size_t nr)
{
	size_t i, n = 0;

	if (nr)
		qsort(recs, nr, sizeof(*recs), cmp_key_largest);
	for (i = 0; i < nr; i++)
		if (!i || recs[i]->key != recs[i - 1]->key)
			recs[n++] = recs[i];
	return n;
}

void source_emit_largest(struct source_ctx *ctx,
			 const struct source_rec **recs, size_t nr)
{
	size_t i, n = source_pick_largest(recs, nr);

	for (i = 0; i < n; i++)
		usage_set_add(ctx->out, &recs[i]->ev);
}

void source_file_emit(struct source_ctx *ctx, const struct source_file *f)
{
	size_t i;

	for (i = 0; i < f->nr; i++)
		usage_set_add(ctx->out, &f->rec[i].ev);
}

void source_bad_line(struct source_ctx *ctx, const char *file,
		     uint64_t line, const char *why)
{
	struct source_file *f = source_scanning;

	source_warn_add(ctx->warn, ctx->state ? ctx->state->idx : 0, file,
			line, why, 1);
	/* Remember bad lines that are consumed, so the warning repeats. */
	if (f && line && !strcmp(f->path, file)) {
		if (!f->bad || line < f->bad_line) {
			f->bad_line = line;
			f->bad_why = event_intern(why);
		}
		f->bad++;
	}
}

/*
 * Eight bytes a step: hash_bytes() goes byte by byte, and this runs
 * over 8 KiB of every file read.
 */
static uint64_t sample_hash(const char *buf, size_t len, uint64_t seed)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ seed, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, buf + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, buf + i, len - i);
	h = (h ^ w ^ len) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 32;
	return h;
}

uint64_t source_prefix_hash_mem(const char *head, const char *at,
				uint64_t offset)
{
	char buf[2 * SOURCE_PREFIX_SAMPLE];
	size_t n = offset < SOURCE_PREFIX_SAMPLE ? (size_t)offset :
		   SOURCE_PREFIX_SAMPLE;

	memcpy(buf, head, n);
	memcpy(buf + n, at - n, n);
	return sample_hash(buf, 2 * n, offset);
}

int source_prefix_hash(const char *path, uint64_t offset, uint64_t *out)
{
	char buf[2 * SOURCE_PREFIX_SAMPLE];
	size_t n = offset < SOURCE_PREFIX_SAMPLE ? (size_t)offset :
		   SOURCE_PREFIX_SAMPLE;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got1, got2;

	if (fd < 0)
		return -1;
	got1 = pread(fd, buf, n, 0);
	got2 = pread(fd, buf + n, n, (off_t)(offset - n));
	close(fd);
	if (got1 != (ssize_t)n || got2 != (ssize_t)n)
		return -1;
	*out = sample_hash(buf, 2 * n, offset);
	return 0;
}

/*
 * Three system calls a file where strbuf_read_file() made five (an
 * fstat, and a read more to see the end): the size the stat found is
 * asked for in one read, a byte over, and a short read past it is the
 * end. Only a file that is not that size any more is looked at again.
 */
int source_file_read(struct source_ctx *ctx, struct source_file *f,
		     struct strbuf *sb)
{
	size_t start = sb->len, want;
	const char *why = "cannot read file";
	struct stat st;
	ssize_t got;
	int fd;

	source_file_reset(f);
	/* A FIFO put where the file was must not hang us. */
	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			why = "file vanished";
		goto fail;
	}
	strbuf_grow(sb, (size_t)f->size + 1);
	for (;;) {
		want = sb->alloc - sb->len - 1;
		got = read(fd, sb->buf + sb->len, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto fail;
		strbuf_setlen(sb, sb->len + (size_t)got);
		if (!got || ((size_t)got < want &&
			     sb->len - start >= f->size))
			break;
		if (sb->alloc - sb->len < 4096)
			strbuf_grow(sb, sb->alloc);
	}
	/* Not the size it was: a FIFO or a socket now is not a file. */
	if (sb->len - start != f->size &&
	    (fstat(fd, &st) < 0 || S_ISFIFO(st.st_mode) ||
	     S_ISSOCK(st.st_mode)))
		goto fail;
	close(fd);
	f->offset = sb->len - start;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	strbuf_setlen(sb, start);
	source_bad_line(ctx, f->path, 0, why);
	return -1;
}

/* Who we are, once a run, not once a file. */
static uid_t self_uid;
static gid_t self_gid, groups[256];
static int ngroups;

static void self_ready(void)
{
	self_uid = geteuid();
	self_gid = getegid();
	ngroups = getgroups(ARRAY_SIZE(groups), groups);
	if (ngroups < 0)
		ngroups = 0;
}

/* access(R_OK) from the mode bits we already have: one lookup less. */
static int mode_readable(const struct stat *sb)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int i;

	pthread_once(&once, self_ready);
	if (!self_uid)
		return 1;
	if (sb->st_uid == self_uid)
		return !!(sb->st_mode & S_IRUSR);
	if (sb->st_gid == self_gid)
		return !!(sb->st_mode & S_IRGRP);
	for (i = 0; i < ngroups; i++)
		if (groups[i] == sb->st_gid)
			return !!(sb->st_mode & S_IRGRP);
	return !!(sb->st_mode & S_IROTH);
}

struct source_file *source_file_get(struct source_ctx *ctx, const char *path,
				    int *changed)
{
	struct source_state *st = ctx->state;
	const char *ipath = event_intern(path);
	struct source_file *f;
	struct stat sb;
	uint64_t mtime, tail;
	size_t *slot;

	*changed = 0;
	slot = u64map_find(&st->stats, (uint64_t)(uintptr_t)ipath, 0);
	if (slot && *slot) {
		sb = st->stat[*slot - 1];
		*slot = 0; /* once: a second look-up asks the disk again */
	} else if (stat(path, &sb) < 0) {
		source_bad_line(ctx, path, 0, errno == ENOENT ?
				"file vanished" : strerror(errno));
		return NULL;
	}
	if (!S_ISREG(sb.st_mode)) {
		/* A FIFO would block, a device never end: never open them. */
		source_bad_line(ctx, path, 0, "not a regular file");
		return NULL;
	}
	if (!mode_readable(&sb)) {
		source_bad_line(ctx, path, 0, "cannot read file");
		return NULL;
	}
	/* A huge, mostly empty file is not a log anybody wrote. */
	if (sb.st_size > (1 << 20) &&
	    (uint64_t)sb.st_blocks * 512 < (uint64_t)sb.st_size / 16) {
		source_bad_line(ctx, path, 0, "sparse file");
		return NULL;
	}
	mtime = (uint64_t)sb.st_mtim.tv_sec * 1000000000ULL +
		(uint64_t)sb.st_mtim.tv_nsec;
	if (ctx->recent_since &&
	    (int64_t)(mtime / 1000000) < ctx->recent_since)
		return NULL;
	f = source_state_lookup(st, ipath);
	if (!f) {
		f = source_state_add(st, ipath);
		st->dirty = 1;
		*changed = 1;
	} else if (f->seen) {
		/* the same file twice in one run (overlapping roots) */
		return NULL;
	} else if (f->dev != (uint64_t)sb.st_dev ||
		   f->ino != (uint64_t)sb.st_ino ||
		   (uint64_t)sb.st_size < f->offset ||
		   ((uint64_t)sb.st_size == f->size && mtime != f->mtime_ns &&
		    (uint64_t)sb.st_size != f->offset)) {
		source_file_reset(f);
		*changed = 1;
	} else if ((uint64_t)sb.st_size != f->size || mtime != f->mtime_ns) {
		/* It grew (or was touched): resume if the prefix is ours. */
		if (f->offset &&
		    (source_prefix_hash(path, f->offset, &tail) < 0 ||
		     tail != f->tail_hash))
			source_file_reset(f);
		*changed = 1;
	}
	/* Replay what the part already read contributed to the warning. */
	if (f->bad)
		source_warn_add(ctx->warn, st->idx, f->path, f->bad_line,
				f->bad_why, f->bad);
	if (!*changed && f->size > f->offset)
		source_warn_add(ctx->warn, st->idx, f->path, f->lines + 1,
				"truncated last line", 1);
	/* Records a source will look at or add to must be in memory. */
	if (*changed || !ctx->lazy_records)
		source_file_load_records(st, f);
	f->seen = 1;
	f->dev = (uint64_t)sb.st_dev;
	f->ino = (uint64_t)sb.st_ino;
	f->size = (uint64_t)sb.st_size;
	f->mtime_ns = mtime;
	if (*changed) {
		f->changed = 1;
		st->dirty = 1;
	}
	return f;
}
