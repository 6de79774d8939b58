/*
 * The usage-source core: the registry, per-file incremental state and
 * its cache, the line scanner, repository matching, bad-input warnings
 * and pricing. Each tool's parser lives in source-<tool>.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/paths.h"
#include "git/repo.h"
#include "sources/prices.h"
#include "sources/sources.h"

/* The registry. */
const struct source source_table[] = {
	{ "claude-code", TOOL_CLAUDE, source_claude_read },
	{ "codex", TOOL_CODEX, source_codex_read },
	{ "gemini", TOOL_GEMINI, source_gemini_read },
	{ "aider", TOOL_AIDER, source_aider_read },
	{ "opencode", TOOL_OPENCODE, source_opencode_read },
	{ "import", TOOL_IMPORT, source_import_read },
	{ NULL, 0, NULL }
};

const struct source *source_lookup(const char *name)
{
	const struct source *s;

	for (s = source_table; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	/* "claude" is what people type. */
	if (!strcmp(name, "claude"))
		return source_lookup("claude-code");
	return NULL;
}

/* ---- a map from non-zero 64-bit keys ---- */

size_t *u64map_find(struct u64map *m, uint64_t key, int add)
{
	size_t j;

	if (add && (m->nr + 1) * 2 > m->alloc) {
		struct u64map old = *m;
		size_t i;

		m->alloc = old.alloc ? old.alloc * 2 : 1024;
		m->keys = xcalloc(m->alloc, sizeof(*m->keys));
		m->vals = xmalloc(m->alloc * sizeof(*m->vals));
		for (i = 0; i < old.alloc; i++) {
			if (!old.keys[i])
				continue;
			j = hash_mix(old.keys[i]) &
			    (m->alloc - 1);
			while (m->keys[j])
				j = (j + 1) & (m->alloc - 1);
			m->keys[j] = old.keys[i];
			m->vals[j] = old.vals[i];
		}
		free(old.keys);
		free(old.vals);
	}
	if (!m->alloc)
		return NULL;
	j = hash_mix(key) & (m->alloc - 1);
	while (m->keys[j]) {
		if (m->keys[j] == key)
			return &m->vals[j];
		j = (j + 1) & (m->alloc - 1);
	}
	if (!add)
		return NULL;
	m->keys[j] = key;
	m->vals[j] = 0;
	m->nr++;
	return &m->vals[j];
}

void u64map_release(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- warnings ---- */

struct source_warn {
	pthread_mutex_t lock;
	uint64_t count;
	int first_src;
	char *first_file;
	uint64_t first_line;
	char *first_why;
	/* models already warned about (interned pointers) */
	const char **models;
	size_t models_nr, models_alloc;
};

static void warn_add(struct source_warn *w, int src, const char *file,
		     uint64_t line, const char *why, uint64_t n)
{
	int better;

	pthread_mutex_lock(&w->lock);
	w->count += n;
	if (!w->first_file)
		better = 1;
	else if (src != w->first_src)
		better = src < w->first_src;
	else {
		int c = strcmp(file, w->first_file);

		better = c < 0 || (!c && line < w->first_line);
	}
	if (better) {
		free(w->first_file);
		free(w->first_why);
		w->first_src = src;
		w->first_file = xstrdup(file);
		w->first_line = line;
		w->first_why = xstrdup(why ? why : "bad input");
	}
	pthread_mutex_unlock(&w->lock);
}

static void warn_flush(struct source_warn *w)
{
	if (w->count) {
		if (w->first_line)
			warning("skipped %llu bad usage %s "
				"(first: %s:%llu: %s)",
				(unsigned long long)w->count,
				w->count == 1 ? "record" : "records",
				w->first_file,
				(unsigned long long)w->first_line,
				w->first_why);
		else
			warning("skipped %llu bad usage %s (first: %s: %s)",
				(unsigned long long)w->count,
				w->count == 1 ? "record" : "records",
				w->first_file, w->first_why);
	}
	free(w->first_file);
	free(w->first_why);
	free(w->models);
	w->first_file = w->first_why = NULL;
	w->count = 0;
}

/* ---- per-file state ---- */

struct source_state {
	const struct source *src;
	int idx;
	struct source_file **files;
	size_t nr, alloc;
	/* open addressing: interned path pointer -> files[] index + 1 */
	size_t *map;
	size_t map_alloc;
	int dirty;
	/* the cache file, mapped while its records may be needed */
	char *map_base;
	size_t map_len;
	const char **strs;
	size_t nstr;
	/* stat() results from the folder walk, by interned path */
	struct u64map stats;
	struct stat *stat;
	size_t stat_nr, stat_alloc;
	const void *result;     /* the source's last result, on disk */
	size_t result_nr;
	int reused;
};

static __thread struct source_file *scanning;

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

static struct source_file *state_lookup(struct source_state *st,
					const char *path)
{
	size_t j;

	if (!st->map_alloc)
		return NULL;
	j = state_find_slot(st, path);
	return st->map[j] ? st->files[st->map[j] - 1] : NULL;
}

static struct source_file *state_add(struct source_state *st,
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

static void state_free(struct source_state *st)
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

void source_file_add(struct source_file *f, const struct source_rec *rec)
{
	ALLOC_GROW(f->rec, f->nr + 1, f->alloc);
	f->rec[f->nr++] = *rec;
}

void source_bad_line(struct source_ctx *ctx, const char *file,
		     uint64_t line, const char *why)
{
	struct source_file *f = scanning;

	warn_add(ctx->warn, ctx->state ? ctx->state->idx : 0, file, line,
		 why, 1);
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
 * A file that grew is resumed at the saved offset only if the bytes
 * before it are still ours: compare a hash of its first and last 4 KiB.
 */
#define PREFIX_SAMPLE 4096

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

static uint64_t prefix_hash_mem(const char *base, uint64_t offset)
{
	char buf[2 * PREFIX_SAMPLE];
	size_t n = offset < PREFIX_SAMPLE ? (size_t)offset : PREFIX_SAMPLE;

	memcpy(buf, base, n);
	memcpy(buf + n, base + offset - n, n);
	return sample_hash(buf, 2 * n, offset);
}

static int prefix_hash(const char *path, uint64_t offset, uint64_t *out)
{
	char buf[2 * PREFIX_SAMPLE];
	size_t n = offset < PREFIX_SAMPLE ? (size_t)offset : PREFIX_SAMPLE;
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

static void file_load_records(struct source_state *st, struct source_file *f);

/* access(R_OK) from the mode bits we already have: one lookup less. */
static int mode_readable(const struct stat *sb)
{
	static gid_t groups[256];
	static int ngroups = -1;
	uid_t uid = geteuid();
	int i;

	if (!uid)
		return 1;
	if (sb->st_uid == uid)
		return !!(sb->st_mode & S_IRUSR);
	if (ngroups < 0) {
		ngroups = getgroups(ARRAY_SIZE(groups), groups);
		if (ngroups < 0)
			ngroups = 0;
	}
	if (sb->st_gid == getegid())
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
	f = state_lookup(st, ipath);
	if (!f) {
		f = state_add(st, ipath);
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
		    (prefix_hash(path, f->offset, &tail) < 0 ||
		     tail != f->tail_hash))
			source_file_reset(f);
		*changed = 1;
	}
	/* Replay what the part already read contributed to the warning. */
	if (f->bad)
		warn_add(ctx->warn, st->idx, f->path, f->bad_line,
			 f->bad_why, f->bad);
	if (!*changed && f->size > f->offset)
		warn_add(ctx->warn, st->idx, f->path, f->lines + 1,
			 "truncated last line", 1);
	/* Records a source will look at or add to must be in memory. */
	if (*changed || !ctx->lazy_records)
		file_load_records(st, f);
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

/* ---- line scanner ---- */

static int line_has(const char *line, size_t len, const char * const *filter)
{
	const char * const *p;

	if (!filter)
		return 1;
	for (p = filter; *p; p++)
		if (memmem(line, len, *p, strlen(*p)))
			return 1;
	return 0;
}

/* base: the whole file from offset 0 when it is at hand, else NULL */
static int scan_mem(struct source_ctx *ctx, struct source_file *f,
		    const char *base, const char *buf, size_t len,
		    const char * const *filter, source_line_fn *fn, void *data)
{
	const char *p = buf, *end = buf + len, *nl, *s, *e;
	uint64_t lineno = f->lines;
	struct source_file *saved = scanning;

	scanning = f;
	while (p < end) {
		int partial;

		nl = memchr(p, '\n', (size_t)(end - p));
		partial = !nl;
		e = partial ? end : nl;
		lineno++;
		s = p;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == '\r' || e[-1] == ' ' ||
				 e[-1] == '\t'))
			e--;
		if (s == e) {
			/* empty: nothing to read, nothing to complain about */
		} else if (*s != '{' || e[-1] != '}') {
			if (partial) {
				warn_add(ctx->warn, ctx->state->idx, f->path,
					 lineno, "truncated last line", 1);
				lineno--;
				break;
			}
			source_bad_line(ctx, f->path, lineno,
					"not a JSON object");
		} else if (line_has(s, (size_t)(e - s), filter)) {
			/* JSON has no raw NUL: a C string would stop there. */
			if (!partial && memchr(s, '\0', (size_t)(e - s))) {
				source_bad_line(ctx, f->path, lineno,
						"NUL byte in line");
			} else if (fn(ctx, f, s, (size_t)(e - s), lineno,
				      partial, data)) {
				warn_add(ctx->warn, ctx->state->idx, f->path,
					 lineno, "truncated last line", 1);
				lineno--;
				break;
			}
		} else if (partial) {
			/* It may still be being written: leave it. */
			warn_add(ctx->warn, ctx->state->idx, f->path, lineno,
				 "truncated last line", 1);
			lineno--;
			break;
		}
		p = partial ? end : nl + 1;
	}
	f->lines = lineno;
	f->offset += (uint64_t)(p - buf);
	if (!f->offset)
		f->tail_hash = 0;
	else if (base)
		f->tail_hash = prefix_hash_mem(base, f->offset);
	else if (prefix_hash(f->path, f->offset, &f->tail_hash) < 0)
		f->tail_hash = 0;
	scanning = saved;
	return 0;
}

int source_scan_mem(struct source_ctx *ctx, struct source_file *f,
		    const char *buf, size_t len,
		    const char * const *filter, source_line_fn *fn, void *data)
{
	return scan_mem(ctx, f, NULL, buf, len, filter, fn, data);
}

int source_scan(struct source_ctx *ctx, struct source_file *f,
		const char * const *filter, source_line_fn *fn, void *data)
{
	int fd, ret = -1;
	struct stat sb;
	uint64_t start, page = (uint64_t)sysconf(_SC_PAGESIZE);
	char *map = MAP_FAILED;
	size_t maplen = 0;

	/* No wait on a FIFO put where the log was since the stat(). */
	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		source_bad_line(ctx, f->path, 0, errno == ENOENT ?
				"file vanished" : "cannot read file");
		return -1;
	}
	if (fstat(fd, &sb) < 0) {
		source_bad_line(ctx, f->path, 0, "cannot read file");
		goto cleanup;
	}
	if (!S_ISREG(sb.st_mode)) {
		source_bad_line(ctx, f->path, 0, "not a regular file");
		goto cleanup;
	}
	if ((uint64_t)sb.st_size < f->offset) {
		/* shrank between stat and open: start again */
		source_file_reset(f);
	}
	if ((uint64_t)sb.st_size == f->offset) {
		ret = 0;
		goto cleanup;
	}
	start = f->offset - f->offset % page;
	maplen = (size_t)((uint64_t)sb.st_size - start);
	map = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd,
		   (off_t)start);
	if (map == MAP_FAILED) {
		source_bad_line(ctx, f->path, 0, "cannot read file");
		goto cleanup;
	}
	madvise(map, maplen, MADV_SEQUENTIAL);
	ret = scan_mem(ctx, f, start ? NULL : map, map + (f->offset - start),
		       maplen - (size_t)(f->offset - start), filter, fn, data);
cleanup:
	if (map != MAP_FAILED)
		munmap(map, maplen);
	close(fd);
	return ret;
}

int source_read_whole(struct source_ctx *ctx, struct source_file *f,
		      struct strbuf *sb)
{
	source_file_reset(f);
	if (strbuf_read_file(sb, f->path, (size_t)f->size) < 0) {
		source_bad_line(ctx, f->path, 0, errno == ENOENT ?
				"file vanished" : "cannot read file");
		return -1;
	}
	f->offset = sb->len;
	return 0;
}

/* ---- threads ---- */

struct par_job {
	struct source_ctx *ctx;
	struct source_file **files; /* biggest first */
	size_t nr;
	size_t next;                /* the next file to take (atomic) */
	source_file_fn *fn;
	void *data;
};

/*
 * Each thread takes the next file, biggest first: a thread the system
 * holds back (other work on the machine) leaves its share to the rest.
 */
static void *par_run(void *v)
{
	struct par_job *job = v;
	size_t i;

	while ((i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED)) <
	       job->nr)
		job->fn(job->ctx, job->files[i], job->data);
	return NULL;
}

static int size_desc(const void *a, const void *b)
{
	const struct source_file *fa = *(struct source_file * const *)a;
	const struct source_file *fb = *(struct source_file * const *)b;
	uint64_t sa = fa->size - fa->offset, sb = fb->size - fb->offset;

	if (sa != sb)
		return sa > sb ? -1 : 1;
	return strcmp(fa->path, fb->path);
}

#define MAX_THREADS 4

void source_parallel(struct source_ctx *ctx, struct source_file **files,
		     size_t nr, source_file_fn *fn, void *data)
{
	struct par_job job;
	pthread_t tid[MAX_THREADS];
	int started[MAX_THREADS];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t total = 0;
	int nt, t;
	size_t i;

	for (i = 0; i < nr; i++)
		total += files[i]->size - files[i]->offset;
	/*
	 * Two threads a core: while one waits for a page of the log, the
	 * other works, and a busy machine still gives us our share.
	 */
	nt = ncpu < 1 ? 1 : ncpu >= MAX_THREADS ? MAX_THREADS : 2 * (int)ncpu;
	if (nr < 2 || total < (8 << 20) || getenv("GIT_TOKENS_THREADS"))
		nt = getenv("GIT_TOKENS_THREADS") ?
			atoi(getenv("GIT_TOKENS_THREADS")) : 1;
	if (nt < 1)
		nt = 1;
	if (nt > MAX_THREADS)
		nt = MAX_THREADS;
	if ((size_t)nt > nr)
		nt = nr ? (int)nr : 1;
	if (nt == 1) {
		for (i = 0; i < nr; i++)
			fn(ctx, files[i], data);
		return;
	}
	job.ctx = ctx;
	job.files = xmalloc(nr * sizeof(*job.files));
	memcpy(job.files, files, nr * sizeof(*job.files));
	qsort(job.files, nr, sizeof(*job.files), size_desc);
	job.nr = nr;
	job.next = 0;
	job.fn = fn;
	job.data = data;
	for (t = 1; t < nt; t++)
		started[t] = !pthread_create(&tid[t], NULL, par_run, &job);
	par_run(&job);
	for (t = 1; t < nt; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
	free(job.files);
}

/* ---- the cache file ---- */

/*
 * One file per source: a header, the string table, then per log file
 * its state and records, then the source's last result. Host byte
 * order; anything unexpected and the file is ignored (and rewritten).
 */
#define CACHE_MAGIC "GTKUSAGE"
#define CACHE_VERSION 7

struct disk_header {
	char magic[8];
	uint32_t version;
	uint32_t endian;
	uint32_t rec_size;
	uint32_t file_size;
	uint64_t body_len;
	uint64_t nstr;
	uint64_t nfiles;
};

struct disk_file {
	uint64_t dev, ino, size, mtime_ns, offset, lines, bad, bad_line;
	uint64_t tail_hash, nrec, state_len;
	uint32_t path, bad_why;
};

#define NO_STR 0xffffffffU

struct disk_rec {
	int64_t time;
	uint64_t input, output, cache_write, cache_write_1h, cache_read;
	uint64_t key, key2;
	double cost;
	uint32_t model, cwd, author, commit;
	uint32_t flags, tool, bits, pad;
	char session[16];
};

struct strtab {
	const char **s;
	size_t nr, alloc;
	/* interned pointer -> index */
	const char **key;
	uint32_t *val;
	size_t map_alloc;
};

static uint32_t strtab_id(struct strtab *t, const char *s)
{
	size_t j;

	if (!s)
		return NO_STR;
	if ((t->nr + 1) * 2 > t->map_alloc) {
		size_t i, old = t->map_alloc;
		const char **okey = t->key;
		uint32_t *oval = t->val;

		t->map_alloc = old ? old * 2 : 256;
		t->key = xcalloc(t->map_alloc, sizeof(*t->key));
		t->val = xcalloc(t->map_alloc, sizeof(*t->val));
		for (i = 0; i < old; i++) {
			if (!okey[i])
				continue;
			j = hash_ptr(okey[i]) & (t->map_alloc - 1);
			while (t->key[j])
				j = (j + 1) & (t->map_alloc - 1);
			t->key[j] = okey[i];
			t->val[j] = oval[i];
		}
		free(okey);
		free(oval);
	}
	j = hash_ptr(s) & (t->map_alloc - 1);
	while (t->key[j]) {
		if (t->key[j] == s)
			return t->val[j];
		j = (j + 1) & (t->map_alloc - 1);
	}
	ALLOC_GROW(t->s, t->nr + 1, t->alloc);
	t->s[t->nr] = s;
	t->key[j] = s;
	t->val[j] = (uint32_t)t->nr;
	return (uint32_t)t->nr++;
}

static void add_pad(struct strbuf *sb)
{
	while (sb->len % 8)
		strbuf_addch(sb, 0);
}

static void rec_to_disk(struct strtab *tab, const struct source_rec *r,
			struct disk_rec *d)
{
	memset(d, 0, sizeof(*d));
	d->time = r->ev.time;
	d->input = r->ev.input;
	d->output = r->ev.output;
	d->cache_write = r->ev.cache_write;
	d->cache_write_1h = r->ev.cache_write_1h;
	d->cache_read = r->ev.cache_read;
	d->key = r->key;
	d->key2 = r->key2;
	d->cost = r->ev.cost;
	d->model = strtab_id(tab, r->ev.model);
	d->cwd = strtab_id(tab, r->ev.cwd);
	d->author = strtab_id(tab, r->ev.author);
	d->commit = r->ev.commit[0] ? strtab_id(tab, event_intern(r->ev.commit))
				    : NO_STR;
	d->flags = r->flags;
	d->tool = (uint32_t)r->ev.tool;
	d->bits = (r->ev.cost_known ? 1 : 0) | (r->ev.cost_recorded ? 2 : 0);
	memcpy(d->session, r->ev.session, sizeof(r->ev.session));
}

/* Out-of-range indexes (a damaged file) read as no string. */
static const char *disk_str(const struct source_state *st, uint32_t i)
{
	return i < st->nstr ? st->strs[i] : NULL;
}

static void ev_from_disk(const struct source_state *st,
			 const struct disk_rec *d, struct usage_event *ev)
{
	const char *commit = disk_str(st, d->commit);

	memset(ev, 0, sizeof(*ev));
	ev->time = d->time;
	ev->tool = d->tool < TOOL__NR ? (enum tool)d->tool : st->src->tool;
	ev->model = disk_str(st, d->model);
	ev->cwd = disk_str(st, d->cwd);
	ev->author = disk_str(st, d->author);
	if (commit) {
		strncpy(ev->commit, commit, sizeof(ev->commit) - 1);
		ev->commit[sizeof(ev->commit) - 1] = '\0';
	}
	memcpy(ev->session, d->session, sizeof(ev->session));
	ev->session[sizeof(ev->session) - 1] = '\0';
	ev->input = d->input;
	ev->output = d->output;
	ev->cache_write = d->cache_write;
	ev->cache_write_1h = d->cache_write_1h;
	ev->cache_read = d->cache_read;
	ev->cost = d->cost;
	ev->cost_known = !!(d->bits & 1);
	ev->cost_recorded = !!(d->bits & 2);
}

static void rec_from_disk(const struct source_state *st,
			  const struct disk_rec *d, struct source_rec *r)
{
	memset(r, 0, sizeof(*r));
	ev_from_disk(st, d, &r->ev);
	r->key = d->key;
	r->key2 = d->key2;
	r->flags = d->flags;
}

/* Turn a file's records, still in the mapped cache, into memory. */
static void file_load_records(struct source_state *st, struct source_file *f)
{
	const struct disk_rec *d = f->disk;
	size_t i;

	if (!d)
		return;
	ALLOC_GROW(f->rec, f->nr + f->disk_nr, f->alloc);
	for (i = 0; i < f->disk_nr; i++)
		rec_from_disk(st, &d[i], &f->rec[f->nr++]);
	f->disk = NULL;
	f->disk_nr = 0;
}

static int cache_write(struct source_state *st, const char *path,
		       const struct usage_set *result)
{
	struct strbuf body = STRBUF_INIT, strs = STRBUF_INIT;
	struct strbuf recs = STRBUF_INIT;
	struct strtab tab = { 0 };
	struct write_part parts[3];
	struct disk_header h;
	struct source_rec r;
	struct disk_rec d;
	size_t i, j, nfiles = 0;
	uint64_t nres = result->nr;
	int ret = -1;

	/* The table of files first: a run with nothing new reads no more. */
	for (i = 0; i < st->nr; i++) {
		struct source_file *f = st->files[i];
		struct disk_file df;

		if (!f->seen)
			continue;
		file_load_records(st, f);
		nfiles++;
		memset(&df, 0, sizeof(df));
		df.dev = f->dev;
		df.ino = f->ino;
		df.size = f->size;
		df.mtime_ns = f->mtime_ns;
		df.offset = f->offset;
		df.lines = f->lines;
		df.bad = f->bad;
		df.bad_line = f->bad_line;
		df.tail_hash = f->tail_hash;
		df.nrec = f->nr;
		df.state_len = f->state.len;
		df.path = strtab_id(&tab, f->path);
		df.bad_why = strtab_id(&tab, f->bad_why);
		strbuf_add(&body, &df, sizeof(df));
		strbuf_add(&body, f->state.buf, f->state.len);
		add_pad(&body);
		strbuf_grow(&recs, f->nr * sizeof(d));
		for (j = 0; j < f->nr; j++) {
			rec_to_disk(&tab, &f->rec[j], &d);
			strbuf_add(&recs, &d, sizeof(d));
		}
	}
	strbuf_addbuf(&body, &recs);
	/* The source's result, to be used as is while nothing changes. */
	strbuf_add(&body, &nres, sizeof(nres));
	strbuf_grow(&body, result->nr * sizeof(d));
	memset(&r, 0, sizeof(r));
	for (i = 0; i < result->nr; i++) {
		r.ev = result->ev[i];
		rec_to_disk(&tab, &r, &d);
		strbuf_add(&body, &d, sizeof(d));
	}
	for (i = 0; i < tab.nr; i++) {
		uint64_t len = strlen(tab.s[i]);

		strbuf_add(&strs, &len, sizeof(len));
		strbuf_add(&strs, tab.s[i], (size_t)len);
		add_pad(&strs);
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, CACHE_MAGIC, 8);
	h.version = CACHE_VERSION;
	h.endian = 0x01020304;
	h.rec_size = sizeof(struct disk_rec);
	h.file_size = sizeof(struct disk_file);
	h.body_len = strs.len + body.len;
	h.nstr = tab.nr;
	h.nfiles = nfiles;

	parts[0].buf = &h;
	parts[0].len = sizeof(h);
	parts[1].buf = strs.buf;
	parts[1].len = strs.len;
	parts[2].buf = body.buf;
	parts[2].len = body.len;
	/* A cache: rebuilt when lost, so not worth an fsync. */
	if (write_file_parts(path, parts, 3, 0666, 0) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	strbuf_release(&body);
	strbuf_release(&strs);
	strbuf_release(&recs);
	free(tab.s);
	free(tab.key);
	free(tab.val);
	return ret;
}

/*
 * Load the cache; anything wrong and we start empty, silently. The
 * mapping stays: records are turned into memory only when needed.
 */
static void cache_read(struct source_state *st, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	char *map = MAP_FAILED;
	const char *p, *end;
	struct disk_header h;
	uint64_t i, nres, nrecs = 0;
	size_t len = 0;

	if (fd < 0)
		return;
	if (fstat(fd, &sb) < 0 || (uint64_t)sb.st_size < sizeof(h))
		goto fail;
	len = (size_t)sb.st_size;
	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		goto fail;
	memcpy(&h, map, sizeof(h));
	if (memcmp(h.magic, CACHE_MAGIC, 8) || h.version != CACHE_VERSION ||
	    h.endian != 0x01020304 ||
	    h.rec_size != sizeof(struct disk_rec) ||
	    h.file_size != sizeof(struct disk_file) ||
	    h.body_len != len - sizeof(h) || h.nstr > len || h.nfiles > len)
		goto fail;
	p = map + sizeof(h);
	end = map + len;
	st->strs = xcalloc((size_t)h.nstr + 1, sizeof(*st->strs));
	st->nstr = (size_t)h.nstr;
	for (i = 0; i < h.nstr; i++) {
		uint64_t slen;

		if ((size_t)(end - p) < sizeof(slen))
			goto bad;
		memcpy(&slen, p, sizeof(slen));
		p += sizeof(slen);
		if (slen > (uint64_t)(end - p))
			goto bad;
		st->strs[i] = event_intern_n(p, (size_t)slen);
		p += (slen + 7) & ~(uint64_t)7;
		if (p > end)
			goto bad;
	}
	for (i = 0; i < h.nfiles; i++) {
		struct disk_file df;
		struct source_file *f;

		if ((size_t)(end - p) < sizeof(df))
			goto bad;
		memcpy(&df, p, sizeof(df));
		p += sizeof(df);
		if (df.path >= h.nstr ||
		    (df.bad_why != NO_STR && df.bad_why >= h.nstr) ||
		    df.state_len > (uint64_t)(end - p) ||
		    df.nrec > len / sizeof(struct disk_rec))
			goto bad;
		if (state_lookup(st, st->strs[df.path]))
			goto bad;
		f = state_add(st, st->strs[df.path]);
		f->dev = df.dev;
		f->ino = df.ino;
		f->size = df.size;
		f->mtime_ns = df.mtime_ns;
		f->offset = df.offset;
		f->lines = df.lines;
		f->bad = df.bad;
		f->bad_line = df.bad_line;
		f->bad_why = df.bad_why == NO_STR ? NULL : st->strs[df.bad_why];
		f->tail_hash = df.tail_hash;
		f->disk_nr = (size_t)df.nrec;
		nrecs += df.nrec;
		strbuf_add(&f->state, p, (size_t)df.state_len);
		p += (df.state_len + 7) & ~(uint64_t)7;
		if (p > end)
			goto bad;
	}
	if (nrecs > (uint64_t)(end - p) / sizeof(struct disk_rec))
		goto bad;
	for (i = 0; i < st->nr; i++) {
		st->files[i]->disk = p;
		p += st->files[i]->disk_nr * sizeof(struct disk_rec);
	}
	if ((size_t)(end - p) < sizeof(nres))
		goto bad;
	memcpy(&nres, p, sizeof(nres));
	p += sizeof(nres);
	if (nres != (uint64_t)(end - p) / sizeof(struct disk_rec) ||
	    (uint64_t)(end - p) % sizeof(struct disk_rec))
		goto bad;
	st->result = p;
	st->result_nr = (size_t)nres;
	st->map_base = map;
	st->map_len = len;
	close(fd);
	return;
bad:
	state_free(st);
fail:
	if (map != MAP_FAILED)
		munmap(map, len);
	close(fd);
}

/*
 * Room for n more events in set. A big array is made of huge pages
 * where the kernel has them: a fault per 4 KiB page costs more than
 * the copy into it.
 */
static void events_reserve(struct usage_set *set, size_t n)
{
	size_t bytes = (set->nr + n) * sizeof(*set->ev);
	void *p;

	if (set->ev || bytes < (8 << 20) ||
	    posix_memalign(&p, 2 << 20, bytes)) {
		ALLOC_GROW(set->ev, set->nr + n, set->alloc);
		return;
	}
#ifdef MADV_HUGEPAGE
	madvise(p, bytes, MADV_HUGEPAGE);
#endif
	set->ev = p;
	set->alloc = set->nr + n;
}

/* event.c's order (time, tool, session, ...), for presorting. */
struct ev_ref {
	int64_t time; /* a copy: most comparisons end here, without a miss */
	const struct usage_event *ev;
	size_t i;
};

static int ev_ref_cmp(const void *va, const void *vb)
{
	const struct ev_ref *ra = va, *rb = vb;
	int c;

	if (ra->time != rb->time)
		return ra->time < rb->time ? -1 : 1;
	c = event_cmp(ra->ev, rb->ev);

	if (c)
		return c;
	/* stable, as glibc's merge sort */
	return ra->i < rb->i ? -1 : ra->i > rb->i;
}

void source_add_sorted(struct source_ctx *ctx,
		       const struct source_rec * const *recs, size_t nr)
{
	struct ev_ref *refs = xmalloc((nr ? nr : 1) * sizeof(*refs));
	struct usage_set *out = ctx->out;
	size_t i;

	/* Sorting 24-byte references moves far less than the events. */
	for (i = 0; i < nr; i++) {
		refs[i].time = recs[i]->ev.time;
		refs[i].ev = &recs[i]->ev;
		refs[i].i = i;
	}
	qsort(refs, nr, sizeof(*refs), ev_ref_cmp);
	events_reserve(out, nr);
	for (i = 0; i < nr; i++)
		out->ev[out->nr++] = *refs[i].ev;
	free(refs);
}

int source_reuse_result(struct source_ctx *ctx)
{
	struct source_state *st = ctx->state;
	const struct disk_rec *d = st->result;
	size_t i;

	for (i = 0; i < st->nr && d; i++)
		if (!st->files[i]->seen)
			d = NULL;
	if (d && !st->dirty) {
		events_reserve(ctx->out, st->result_nr);
		for (i = 0; i < st->result_nr; i++)
			ev_from_disk(st, &d[i], &ctx->out->ev[ctx->out->nr++]);
		st->reused = 1;
		return 1;
	}
	for (i = 0; i < st->nr; i++)
		if (st->files[i]->seen)
			file_load_records(st, st->files[i]);
	return 0;
}

/* ---- files and directories ---- */

const char *source_home(void)
{
	const char *h = getenv("HOME");

	return h && *h ? h : "/";
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

static int walk_seen_add(struct walk_seen *w, DIR *d)
{
	struct stat sb;
	uint64_t key;

	if (fstat(dirfd(d), &sb) < 0)
		return 0;
	key = hash_bytes(&sb.st_ino, sizeof(sb.st_ino),
			  (uint64_t)sb.st_dev);
	if (u64map_find(&w->ids, key, 0))
		return 1;
	u64map_find(&w->ids, key, 1);
	return 0;
}

static void find_files(struct source_ctx *ctx, struct strbuf *dir,
		       const char * const *suffixes, struct strvec *out,
		       int depth, struct walk_seen *seen)
{
	DIR *d;
	struct dirent *de;
	size_t baselen = dir->len;

	d = opendir(dir->buf);
	if (!d) {
		if (errno != ENOENT && errno != ENOTDIR)
			source_bad_line(ctx, dir->buf, 0,
					"cannot read directory");
		return;
	}
	/* Reached again through a symlink: each file once. */
	if (walk_seen_add(seen, d)) {
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
		if (de->d_type == DT_DIR)
			is_dir = 1;
		else if (de->d_type == DT_REG)
			is_reg = 1;
		else if (de->d_type == DT_LNK || de->d_type == DT_UNKNOWN) {
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
			find_files(ctx, dir, suffixes, out, depth + 1, seen);
		} else if (!is_dir && !is_reg &&
			   has_suffix(de->d_name, nlen, suffixes)) {
			/* A FIFO or a device named like a log: never open. */
			source_bad_line(ctx, dir->buf, 0,
					"not a regular file");
		} else if (is_reg && has_suffix(de->d_name, nlen, suffixes)) {
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

void source_find_files(struct source_ctx *ctx, const char *dir,
		       const char * const *suffixes, struct strvec *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct walk_seen seen = { U64MAP_INIT };

	strbuf_addstr(&sb, dir);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	find_files(ctx, &sb, suffixes, out, 0, &seen);
	u64map_release(&seen.ids);
	strbuf_release(&sb);
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

/* ---- time ---- */

int source_time_ok(const struct source_ctx *ctx, int64_t ms)
{
	return ms >= SOURCE_TIME_MIN && ms <= ctx->now + 86400000LL;
}

/* ---- repository matching ---- */

struct source_match {
	struct strvec roots;   /* with a trailing slash */
	/* interned cwd -> 1 in, 2 out */
	const char **key;
	unsigned char *val;
	size_t nr, alloc;
};

static void match_add_root(struct source_match *m, const char *dir)
{
	char *real;
	struct strbuf sb = STRBUF_INIT;

	if (!dir || !*dir)
		return;
	strbuf_addstr(&sb, dir);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	strbuf_addch(&sb, '/');
	strvec_push(&m->roots, sb.buf);
	real = realpath(dir, NULL);
	if (real) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, real);
		if (sb.len > 1)
			strbuf_addch(&sb, '/');
		strvec_push(&m->roots, sb.buf);
		free(real);
	}
	strbuf_release(&sb);
}

static void match_init(struct source_match *m, struct repo *repo)
{
	struct strvec trees = STRVEC_INIT;
	size_t i;

	strvec_init(&m->roots);
	if (!repo)
		return;
	repo_worktrees(repo, &trees);
	for (i = 0; i < trees.nr; i++)
		match_add_root(m, trees.v[i]);
	strvec_clear(&trees);
}

static int match_roots(struct source_match *m, const char *path)
{
	size_t i, plen = strlen(path);

	for (i = 0; i < m->roots.nr; i++) {
		const char *r = m->roots.v[i];
		size_t rlen = strlen(r);

		if (plen + 1 == rlen && !strncmp(path, r, plen))
			return 1;
		if (plen >= rlen && !strncmp(path, r, rlen))
			return 1;
	}
	return 0;
}

int source_repo_match(struct source_ctx *ctx, const char *cwd)
{
	struct source_match *m = ctx->match;
	const char *icwd;
	size_t j;
	int in;
	char *real;

	if (!m || !cwd || !m->roots.nr)
		return 0;
	icwd = event_intern(cwd);
	if ((m->nr + 1) * 2 > m->alloc) {
		size_t i, old = m->alloc;
		const char **okey = m->key;
		unsigned char *oval = m->val;

		m->alloc = old ? old * 2 : 64;
		m->key = xcalloc(m->alloc, sizeof(*m->key));
		m->val = xcalloc(m->alloc, 1);
		for (i = 0; i < old; i++) {
			if (!okey[i])
				continue;
			j = hash_ptr(okey[i]) & (m->alloc - 1);
			while (m->key[j])
				j = (j + 1) & (m->alloc - 1);
			m->key[j] = okey[i];
			m->val[j] = oval[i];
		}
		free(okey);
		free(oval);
	}
	j = hash_ptr(icwd) & (m->alloc - 1);
	while (m->key[j]) {
		if (m->key[j] == icwd)
			return m->val[j] == 1;
		j = (j + 1) & (m->alloc - 1);
	}
	in = match_roots(m, icwd);
	if (!in && (real = realpath(icwd, NULL))) {
		in = match_roots(m, real);
		free(real);
	}
	m->key[j] = icwd;
	m->val[j] = in ? 1 : 2;
	m->nr++;
	return in;
}

static void match_release(struct source_match *m)
{
	strvec_clear(&m->roots);
	free(m->key);
	free(m->val);
}

/* ---- parsing from memory (tests and fuzzing) ---- */

struct source_mem {
	struct source_ctx ctx;
	struct source_state st;
	struct source_warn warn;
};

struct source_ctx *source_mem_begin(const char *source,
				    struct usage_set *out)
{
	struct source_mem *m = xcalloc(1, sizeof(*m));
	const struct source *src = source_lookup(source);

	if (!src)
		BUG("no source '%s'", source);
	pthread_mutex_init(&m->warn.lock, NULL);
	m->st.src = src;
	m->st.idx = (int)(src - source_table);
	m->ctx.out = out;
	m->ctx.src = src;
	strvec_init(&m->ctx.paths);
	date_now(&m->ctx.now);
	m->ctx.state = &m->st;
	m->ctx.warn = &m->warn;
	return &m->ctx;
}

struct source_file *source_mem_file(struct source_ctx *ctx,
				    const char *path)
{
	const char *ipath = event_intern(path);
	struct source_file *f = state_lookup(ctx->state, ipath);

	if (!f)
		f = state_add(ctx->state, ipath);
	source_file_reset(f);
	f->seen = f->changed = 1;
	return f;
}

void source_mem_end(struct source_ctx *ctx)
{
	/* ctx is the first member of the struct source_mem it lives in */
	struct source_mem *m = (struct source_mem *)ctx;

	warn_flush(&m->warn);
	pthread_mutex_destroy(&m->warn.lock);
	state_free(&m->st);
	strvec_clear(&m->ctx.paths);
	free(m);
}

/* ---- usage_load ---- */

static int cache_dir(struct repo *repo, const struct usage_query *q,
		     struct strbuf *out)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	size_t i;

	if (!q->all_repos && repo)
		return repo_tokens_dir(repo, out);
	if (xdg && *xdg == '/')
		strbuf_addf(out, "%s/git-tokens", xdg);
	else
		strbuf_addf(out, "%s/.cache/git-tokens", source_home());
	/* mkdir -p */
	for (i = 1; i <= out->len; i++) {
		if (i < out->len && out->buf[i] != '/')
			continue;
		out->buf[i] = '\0';
		if (mkdir(out->buf, 0777) < 0 && errno != EEXIST) {
			if (i < out->len)
				out->buf[i] = '/';
			return -1;
		}
		if (i < out->len)
			out->buf[i] = '/';
	}
	strbuf_addch(out, '/');
	return 0;
}

static int source_enabled(struct repo *repo, const struct source *src)
{
	char *list = NULL;
	char *tok, *save = NULL;
	int on = 0;

	if (!repo || repo_config_string(repo, "tokens.sources", &list) ||
	    !list)
		return 1;
	for (tok = strtok_r(list, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		const struct source *s = source_lookup(tok);

		if (s == src || !strcmp(tok, "all"))
			on = 1;
	}
	free(list);
	return on;
}

static int load_prices(struct price_table **t, struct repo *repo)
{
	*t = NULL;
	if (prices_load(t, repo, NULL) < 0) {
		*t = NULL;
		return -1;
	}
	return 0;
}

static void price_event(struct price_table *t, struct source_warn *w,
			struct usage_event *ev)
{
	size_t i;

	if (ev->cost_recorded)
		return;
	ev->cost_known = 0;
	ev->cost = 0;
	if (t && !prices_apply(t, ev) && ev->cost_known)
		return;
	ev->cost_known = 0;
	ev->cost = 0;
	if (!t)
		return;
	for (i = 0; i < w->models_nr; i++)
		if (w->models[i] == ev->model)
			return;
	ALLOC_GROW(w->models, w->models_nr + 1, w->models_alloc);
	w->models[w->models_nr++] = ev->model;
	if (ev->model)
		warning("no price for model '%s': its cost is unknown",
			ev->model);
	else
		warning("usage without a model name: its cost is unknown");
}

int usage_load(struct usage_set *out, struct repo *repo,
	       const struct usage_query *q)
{
	struct source_warn warn;
	struct source_match match;
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	struct price_table *prices = NULL;
	const struct source *src;
	int64_t now;
	int have_dir = 0, ret = 0, merged = 0;
	size_t i, n;

	date_now(&now);
	memset(&warn, 0, sizeof(warn));
	pthread_mutex_init(&warn.lock, NULL);
	memset(&match, 0, sizeof(match));
	match_init(&match, q->all_repos ? NULL : repo);
	if (!q->all_repos && !repo) {
		ret = error("not in a git repository (use --all-repos)");
		goto cleanup;
	}
	if (q->use_cache && !(q->recent && q->since))
		have_dir = !cache_dir(repo, q, &dir);

	for (src = source_table; src->name; src++) {
		struct source_state st;
		struct source_ctx ctx;
		struct usage_set raw = USAGE_SET_INIT;

		if (!source_enabled(repo, src))
			continue;
		memset(&st, 0, sizeof(st));
		st.src = src;
		st.idx = (int)(src - source_table);
		memset(&ctx, 0, sizeof(ctx));
		ctx.out = &raw;
		ctx.repo = repo;
		ctx.src = src;
		strvec_init(&ctx.paths);
		if (repo) {
			struct strbuf key = STRBUF_INIT;

			strbuf_addf(&key, "tokens.%s.path", src->name);
			repo_config_multi(repo, key.buf, &ctx.paths);
			strbuf_release(&key);
		}
		ctx.now = now;
		ctx.use_cache = q->use_cache;
		/* A line is written after its time: minutes of slack cover
		 * a response that took long, and coarse file times. */
		if (q->recent && q->since)
			ctx.recent_since = q->since - 10 * 60 * 1000;
		ctx.state = &st;
		ctx.warn = &warn;
		ctx.match = &match;

		strbuf_reset(&path);
		if (have_dir) {
			strbuf_addf(&path, "%susage-%s.cache", dir.buf,
				    src->name);
			cache_read(&st, path.buf);
		}
		if (src->read(&ctx) < 0)
			ret = -1;
		/* Saved sorted, the result sorts in one pass next time. */
		usage_set_sort(&raw);
		if (have_dir && !st.reused) {
			/* Files gone from disk leave the cache too. */
			for (i = 0; i < st.nr; i++)
				if (!st.files[i]->seen)
					st.dirty = 1;
			if (st.dirty || !st.result)
				cache_write(&st, path.buf, &raw);
		}
		/* Keep what was asked for, in place. */
		for (i = n = 0; i < raw.nr; i++) {
			struct usage_event *ev = &raw.ev[i];

			if ((q->since && ev->time < q->since) ||
			    (q->until && ev->time >= q->until))
				continue;
			if (!q->all_repos && !source_repo_match(&ctx, ev->cwd))
				continue;
			if (n != i)
				raw.ev[n] = *ev;
			n++;
		}
		raw.nr = n;
		if (!out->nr) {
			struct usage_set swap = *out;

			*out = raw;
			raw = swap;
		} else if (raw.nr) {
			merged = 1;
			ALLOC_GROW(out->ev, out->nr + raw.nr, out->alloc);
			memcpy(out->ev + out->nr, raw.ev,
			       raw.nr * sizeof(*raw.ev));
			out->nr += raw.nr;
		}
		usage_set_release(&raw);
		strvec_clear(&ctx.paths);
		state_free(&st);
	}

	if (load_prices(&prices, repo) < 0)
		warning("no price table: costs are unknown");
	for (i = 0; i < out->nr; i++)
		price_event(prices, &warn, &out->ev[i]);
	/* One source's events are in order already: no second check. */
	if (merged)
		usage_set_sort(out);
cleanup:
	if (prices)
		prices_free(prices);
	warn_flush(&warn);
	pthread_mutex_destroy(&warn.lock);
	match_release(&match);
	strbuf_release(&dir);
	strbuf_release(&path);
	return ret;
}
