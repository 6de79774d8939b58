/*
 * Reading log files: JSON Lines a line at a time, a chunk at a time, and
 * many files on a few threads.
 */
#include "base/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if HAVE_DECL_M_MMAP_THRESHOLD
#include <malloc.h>
#endif

#include "base/die.h"
#include "base/json.h"
#include "sources/sources-internal.h"

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

static void warn_truncated(struct source_ctx *ctx, struct source_file *f,
			   uint64_t lineno)
{
	source_warn_add(ctx->warn, ctx->state->idx, f->path, lineno,
			"truncated last line", 1);
}

/*
 * The lines of buf, from f->lines on; returns the bytes consumed.
 * Unless eof, a last line without its newline is left for the next
 * read; at eof it is a partial line.
 */
static size_t scan_lines(struct source_ctx *ctx, struct source_file *f,
			 const char *buf, size_t len, int eof,
			 const char * const *filter, source_line_fn *fn,
			 void *data)
{
	const char *p = buf, *end = buf + len, *nl, *s, *e;
	uint64_t lineno = f->lines;

	while (p < end) {
		int partial;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl && !eof)
			break;
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
				warn_truncated(ctx, f, lineno);
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
				warn_truncated(ctx, f, lineno);
				lineno--;
				break;
			}
		} else if (partial) {
			/* It may still be being written: leave it. */
			warn_truncated(ctx, f, lineno);
			lineno--;
			break;
		}
		p = partial ? end : nl + 1;
	}
	f->lines = lineno;
	return (size_t)(p - buf);
}

int source_line_json(struct source_ctx *ctx, struct source_file *f,
		     const char *line, size_t len, uint64_t lineno,
		     int partial, struct json **out)
{
	*out = json_parse(line, len);
	if (*out)
		return 0;
	if (partial)
		return 1;
	source_bad_line(ctx, f->path, lineno, "malformed JSON");
	return 0;
}

static void scan_tail_hash(struct source_file *f, const char *head,
			   size_t head_len, const char *at, size_t before)
{
	size_t n = f->offset < SOURCE_PREFIX_SAMPLE ? (size_t)f->offset :
		   SOURCE_PREFIX_SAMPLE;

	if (!f->offset)
		f->tail_hash = 0;
	else if (head && head_len >= n && before >= n)
		f->tail_hash = source_prefix_hash_mem(head, at, f->offset);
	else if (source_prefix_hash(f->path, f->offset, &f->tail_hash) < 0)
		f->tail_hash = 0;
}

int source_scan_mem(struct source_ctx *ctx, struct source_file *f,
		    const char *buf, size_t len,
		    const char * const *filter, source_line_fn *fn, void *data)
{
	struct source_file *saved = source_scanning;

	source_scanning = f;
	f->offset += scan_lines(ctx, f, buf, len, 1, filter, fn, data);
	scan_tail_hash(f, NULL, 0, NULL, 0);
	source_scanning = saved;
	return 0;
}

/*
 * What one read() asks for. The lines are parsed while they are still
 * in the processor's cache, and a read into a reused buffer costs the
 * system less than mapping the file: reads larger than this measured
 * slower; a line longer than the buffer grows it.
 */
#define SCAN_CHUNK (64 << 10)

/*
 * A thread reading many files reads them all into one buffer: a fresh
 * one a file was given back to the system at each free() and faulted in
 * again, page by page. Taken while in use, so a scan within a scan gets
 * its own.
 */
static __thread char *scan_buf;
static __thread size_t scan_buf_alloc;

static char *scan_buf_take(size_t *alloc)
{
	char *buf = scan_buf;

	if (!buf) {
		*alloc = SCAN_CHUNK;
		return xmalloc(SCAN_CHUNK);
	}
	*alloc = scan_buf_alloc;
	scan_buf = NULL;
	return buf;
}

static void scan_buf_give(char *buf, size_t alloc, int keep)
{
	if (!keep) {
		free(buf);
		return;
	}
	scan_buf = buf;
	scan_buf_alloc = alloc;
}

/*
 * Read fd from f->offset up to size, a chunk at a time. buf[0, done)
 * keeps up to 4 KiB already parsed, for the tail hash; buf[done, len)
 * is what the last chunk left of a line.
 */
static int scan_fd(struct source_ctx *ctx, struct source_file *f, int fd,
		   uint64_t size, const char * const *filter,
		   source_line_fn *fn, void *data)
{
	char head[SOURCE_PREFIX_SAMPLE];
	size_t alloc, len = 0, done = 0, head_len = 0, keep, used;
	int reuse = scan_buf != NULL;
	char *buf = scan_buf_take(&alloc);
	int from_start = !f->offset, eof = 0, ret = 0;

	while (!eof) {
		uint64_t at = f->offset + (len - done);
		ssize_t got = 0;

		if (len == alloc) {
			alloc *= 2;
			buf = xrealloc(buf, alloc);
		}
		if (at >= size) {
			eof = 1;
		} else {
			uint64_t want = size - at;

			got = read(fd, buf + len, want < alloc - len ?
				   (size_t)want : alloc - len);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				source_bad_line(ctx, f->path, 0,
						"cannot read file");
				ret = -1;
				break;
			}
			eof = !got; /* it shrank since the fstat() */
		}
		if (!at && got > 0) {
			head_len = (size_t)got < sizeof(head) ?
				   (size_t)got : sizeof(head);
			memcpy(head, buf + len, head_len);
		}
		len += (size_t)got;
		used = scan_lines(ctx, f, buf + done, len - done, eof, filter,
				  fn, data);
		done += used;
		f->offset += used;
		if (eof)
			break;
		keep = done < SOURCE_PREFIX_SAMPLE ? done :
		       SOURCE_PREFIX_SAMPLE;
		memmove(buf, buf + done - keep, len - done + keep);
		len -= done - keep;
		done = keep;
	}
	scan_tail_hash(f, from_start ? head : NULL, head_len, buf + done,
		       done);
	scan_buf_give(buf, alloc, reuse);
	return ret;
}

int source_scan(struct source_ctx *ctx, struct source_file *f,
		const char * const *filter, source_line_fn *fn, void *data)
{
	struct source_file *saved = source_scanning;
	int fd, ret = -1;
	struct stat sb;

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
	if (f->offset && lseek(fd, (off_t)f->offset, SEEK_SET) < 0) {
		source_bad_line(ctx, f->path, 0, "cannot read file");
		goto cleanup;
	}
	source_scanning = f;
	ret = scan_fd(ctx, f, fd, (uint64_t)sb.st_size, filter, fn, data);
	source_scanning = saved;
cleanup:
	close(fd);
	return ret;
}

/*
 * ---- threads ----
 *
 * No data race by design: each worker owns its results. A file is
 * handed to one worker only (the atomic counter below), and fn writes
 * only that file's state (records, offset, line count, bad lines), its
 * own stack and its own read buffer; what fn may share is locked
 * (source_bad_line()'s warning, event_intern()). Nothing is merged
 * until every worker is joined, and then in the caller's order of files
 * (by path), never in the order they were finished; the warning names
 * the least file and line. So the output never depends on scheduling.
 */

struct par_job {
	struct source_ctx *ctx;
	struct source_file **files; /* biggest first */
	size_t nr;
	size_t next;                /* the next file to take (atomic) */
	source_file_fn *fn;
	void *data;
	int huge;                   /* the heaps in huge pages */
};

#define WORKER_HEAP ((size_t)16 << 20)

/*
 * The records a worker makes in huge pages: a fault a 2 MiB page, where
 * a fault a 4 KiB page was half of a run's faults (3.2k of 6.7k on the
 * p1000 corpus). A block of the thread's heap is marked so and given
 * back, kept by keep_heaps(): what the thread allocates next comes from
 * it. Pages never touched cost nothing.
 */
void source_heap_huge(void)
{
#if defined(MADV_HUGEPAGE) && HAVE_DECL_M_MMAP_THRESHOLD && \
	!defined(COMPAT_FALLBACKS)
	char *p = malloc(WORKER_HEAP);
	uintptr_t from, to;

	if (!p)
		return;
	from = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	to = ((uintptr_t)p + WORKER_HEAP) & ~(uintptr_t)(HUGE_PAGE - 1);
	if (to > from)
		madvise((void *)from, (size_t)(to - from), MADV_HUGEPAGE);
	free(p);
#endif
}

/*
 * Each thread takes the next file, biggest first: a thread the system
 * holds back (other work on the machine) leaves its share to the rest.
 */
static void *par_run(void *v)
{
	struct par_job *job = v;
	char *saved = scan_buf;
	size_t saved_alloc = scan_buf_alloc, i;

	if (job->huge)
		source_heap_huge();
	scan_buf = xmalloc(SCAN_CHUNK);
	scan_buf_alloc = SCAN_CHUNK;
	while ((i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED)) <
	       job->nr)
		job->fn(job->ctx, job->files[i], job->data);
	free(scan_buf);
	scan_buf = saved;
	scan_buf_alloc = saved_alloc;
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


/*
 * The records the threads make are freed together at the end, many
 * arrays of a few hundred KiB: each one mapped apart (glibc's default
 * from 128 KiB) was unmapped apart, a TLB flush of every core each,
 * and a heap trimmed as it emptied the same. Kept in the heaps instead,
 * freeing them costs no system call (on the p1000 corpus: 244 munmap()
 * calls a run, about 50 ms, down to 7).
 */
static void keep_heaps(void)
{
#if HAVE_DECL_M_MMAP_THRESHOLD && !defined(COMPAT_FALLBACKS)
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

/* Once, before the first threads: mallopt() may not run beside malloc(). */
void source_keep_heaps(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, keep_heaps);
}

int source_threads(size_t nr, int per_core, int small)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const char *env = getenv("GIT_TOKENS_THREADS");
	long nt = ncpu < 1 ? 1 : ncpu * per_core;

	if (env)
		nt = atoi(env);
	else if (small)
		nt = 1;
	if (nt > SOURCE_MAX_THREADS)
		nt = SOURCE_MAX_THREADS;
	if ((size_t)nt > nr)
		nt = (long)nr;
	return nt < 1 ? 1 : (int)nt;
}

void source_parallel(struct source_ctx *ctx, struct source_file **files,
		     size_t nr, source_file_fn *fn, void *data)
{
	struct par_job job;
	pthread_t tid[SOURCE_MAX_THREADS];
	int started[SOURCE_MAX_THREADS];
	uint64_t total = 0;
	int nt, t;
	size_t i;

	for (i = 0; i < nr; i++)
		total += files[i]->size - files[i]->offset;
	/*
	 * Two threads a core: while one waits for a page of the log, the
	 * other works, and a busy machine still gives us our share.
	 */
	nt = source_threads(nr, 2, total < (8 << 20));
	if (nt > 1)
		source_keep_heaps();
	job.ctx = ctx;
	job.files = xmalloc((nr ? nr : 1) * sizeof(*job.files));
	if (nr)
		memcpy(job.files, files, nr * sizeof(*job.files));
	job.nr = nr;
	job.next = 0;
	job.fn = fn;
	job.data = data;
	job.huge = nt > 1;
	if (nt == 1) {
		par_run(&job); /* in the caller's order */
		free(job.files);
		return;
	}
	qsort(job.files, nr, sizeof(*job.files), size_desc);
	for (t = 1; t < nt; t++)
		started[t] = !pthread_create(&tid[t], NULL, par_run, &job);
	par_run(&job);
	for (t = 1; t < nt; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
	free(job.files);
}
