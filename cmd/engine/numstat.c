/*
 * Line counts per change. libgit2's diff machinery costs 4.5x
 * "git log --numstat" on git.git (measured with t/perf/p0001); two
 * "git diff-tree --stdin" co-processes cost 0.56x and are exact by
 * construction, so that is what runs here, with every setting that
 * changes the output pinned.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "base/die.h"
#include "base/hash.h"
#include "base/oidmap.h"
#include "base/paths.h"
#include "base/run-command.h"
#include "base/strbuf.h"
#include "base/term.h"
#include "engine/numstat.h"
#include "git/repo.h"

#define NUMSTAT_WORKERS 2
#define CACHE_MAGIC "GTNS"
#define CACHE_VERSION 1u
#define BINARY_MARK UINT32_MAX

/* Path interning: a change set repeats a few thousand paths many times. */
static struct {
	char **s;
	size_t nr, alloc;
	pthread_mutex_t lock;
} pool = { NULL, 0, 0, PTHREAD_MUTEX_INITIALIZER };

static const char *intern_locked(const char *path, size_t len)
{
	size_t i;
	char *s;

	if ((pool.nr + 1) * 2 > pool.alloc) {
		char **old = pool.s;
		size_t old_alloc = pool.alloc;

		pool.alloc = old_alloc ? old_alloc * 2 : 1024;
		pool.s = xcalloc(pool.alloc, sizeof(*pool.s));
		for (i = 0; i < old_alloc; i++) {
			size_t j;

			if (!old[i])
				continue;
			j = fnv1a(old[i], strlen(old[i]), FNV1A_INIT) &
				(pool.alloc - 1);
			while (pool.s[j])
				j = (j + 1) & (pool.alloc - 1);
			pool.s[j] = old[i];
		}
		free(old);
	}
	i = fnv1a(path, len, FNV1A_INIT) & (pool.alloc - 1);
	for (; pool.s[i]; i = (i + 1) & (pool.alloc - 1))
		if (!strncmp(pool.s[i], path, len) && !pool.s[i][len])
			return pool.s[i];
	s = xstrndup(path, len);
	pool.s[i] = s;
	pool.nr++;
	return s;
}

const char *numstat_path_intern(const char *path, size_t len)
{
	const char *s;

	pthread_mutex_lock(&pool.lock);
	s = intern_locked(path, len);
	pthread_mutex_unlock(&pool.lock);
	return s;
}

void commit_stat_release(struct commit_stat *cs)
{
	free(cs->f);
	cs->f = NULL;
	cs->nr = 0;
}

static void add_file(struct commit_stat *cs, size_t *alloc, const char *path,
		     size_t len, uint32_t added, uint32_t deleted, int binary)
{
	struct file_stat *f;

	ALLOC_GROW(cs->f, cs->nr + 1, *alloc);
	f = &cs->f[cs->nr++];
	f->path = numstat_path_intern(path, len);
	f->added = added;
	f->deleted = deleted;
	f->binary = !!binary;
}

/* --- the cache: <git dir>/tokens/numstat-v1.cache --------------------- */

struct cache {
	struct strbuf buf;    /* the file as read */
	struct oidmap index;  /* oid -> offset of its record in buf */
	char *path;
};

static int cache_load(struct cache *c, struct repo *repo)
{
	struct strbuf dir = STRBUF_INIT;
	const char *p, *end;
	uint64_t count, sum, i;
	int ret = 0;

	if (repo_tokens_dir(repo, &dir) < 0) {
		ret = -1;
		goto cleanup;
	}
	c->path = xstrfmt("%snumstat-v1.cache", dir.buf);
	if (strbuf_read_file(&c->buf, c->path, 0) < 0)
		goto cleanup;   /* none yet */
	/* magic, version, count, checksum of the rest */
	if (c->buf.len < 24 || memcmp(c->buf.buf, CACHE_MAGIC, 4))
		goto corrupt;
	if (*(const uint32_t *)(c->buf.buf + 4) != CACHE_VERSION)
		goto corrupt;
	memcpy(&count, c->buf.buf + 8, 8);
	memcpy(&sum, c->buf.buf + 16, 8);
	if (fnv1a(c->buf.buf + 24, c->buf.len - 24, FNV1A_INIT) != sum)
		goto corrupt;
	p = c->buf.buf + 24;
	end = c->buf.buf + c->buf.len;
	for (i = 0; i < count; i++) {
		uint32_t nr, j, len;

		if (end - p < 24)
			goto corrupt;
		oidmap_put_raw(&c->index, (const unsigned char *)p,
			       p - c->buf.buf);
		memcpy(&nr, p + 20, 4);
		p += 24;
		for (j = 0; j < nr; j++) {
			if (end - p < 12)
				goto corrupt;
			memcpy(&len, p + 8, 4);
			if ((size_t)(end - p - 12) < len)
				goto corrupt;
			p += 12 + len;
		}
	}
	if (p != end)
		goto corrupt;
	goto cleanup;
corrupt:
	/* Rebuilt silently: a cache is never worth an error. */
	strbuf_reset(&c->buf);
	oidmap_clear(&c->index);
cleanup:
	strbuf_release(&dir);
	return ret;
}

static void cache_decode(struct commit_stat *out, const struct cache *c,
			 size_t off)
{
	const char *p = c->buf.buf + off;
	uint32_t nr, j, added, deleted, len;
	size_t alloc = 0;

	memcpy(&nr, p + 20, 4);
	p += 24;
	for (j = 0; j < nr; j++) {
		memcpy(&added, p, 4);
		memcpy(&deleted, p + 4, 4);
		memcpy(&len, p + 8, 4);
		if (added == BINARY_MARK)
			add_file(out, &alloc, p + 12, len, 0, 0, 1);
		else
			add_file(out, &alloc, p + 12, len, added, deleted, 0);
		p += 12 + len;
	}
}

static void put_u32(struct strbuf *sb, uint32_t v)
{
	strbuf_add(sb, &v, 4);
}

static void encode(struct strbuf *sb, const unsigned char oid[20],
		   const struct commit_stat *cs)
{
	size_t j;

	strbuf_add(sb, oid, 20);
	put_u32(sb, (uint32_t)cs->nr);
	for (j = 0; j < cs->nr; j++) {
		const struct file_stat *f = &cs->f[j];
		uint32_t len = (uint32_t)strlen(f->path);

		put_u32(sb, f->binary ? BINARY_MARK : f->added);
		put_u32(sb, f->binary ? BINARY_MARK : f->deleted);
		put_u32(sb, len);
		strbuf_add(sb, f->path, len);
	}
}

/* Old records plus the new ones, written to a temp file and renamed. */
static int cache_store(struct cache *c, const char (*oids)[41],
		       const struct commit_stat *stats, const size_t *todo,
		       size_t ntodo)
{
	struct strbuf out = STRBUF_INIT;
	uint64_t count = c->index.nr, sum;
	size_t i;
	int ret;

	strbuf_add(&out, CACHE_MAGIC, 4);
	put_u32(&out, CACHE_VERSION);
	strbuf_addchars(&out, 0, 16);
	if (c->buf.len > 24)
		strbuf_add(&out, c->buf.buf + 24, c->buf.len - 24);
	for (i = 0; i < ntodo; i++) {
		unsigned char oid[20];

		if (oid_from_hex(oid, oids[todo[i]]) ||
		    oidmap_get_raw(&c->index, oid, NULL))
			continue;
		encode(&out, oid, &stats[todo[i]]);
		count++;
	}
	sum = fnv1a(out.buf + 24, out.len - 24, FNV1A_INIT);
	memcpy(out.buf + 8, &count, 8);
	memcpy(out.buf + 16, &sum, 8);

	ret = write_file_strbuf(c->path, &out, 0666, WRITE_FILE_SYNC);
	strbuf_release(&out);
	return ret;
}

/* --- the workers ------------------------------------------------------- */

struct worker {
	struct child_process cp;
	const char (*oids)[41];
	const size_t *todo;   /* indexes into oids / out, this worker's share */
	size_t nr;
	struct commit_stat *out;
	atomic_size_t *done;
	struct progress *progress;  /* worker 0 only */
	int failed;
	char msg[200];
};

/* Parse diff-tree -z --numstat output: "<oid>\0" then entries
 * "A\tD\tpath\0" or, for a rename, "A\tD\t\0old\0new\0". */
static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct strbuf buf = STRBUF_INIT;
	size_t cur = (size_t)-1, alloc = 0, start = 0, pos;
	int pending_paths = 0;
	uint32_t pa = 0, pd = 0;
	int pbin = 0;
	ssize_t n;

	for (;;) {
		strbuf_grow(&buf, 65536);
		n = read(w->cp.out, buf.buf + buf.len, buf.alloc - buf.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		strbuf_setlen(&buf, buf.len + n);
		while ((pos = start) < buf.len) {
			char *tok = buf.buf + pos;
			char *nul = memchr(tok, '\0', buf.len - pos);
			size_t len;

			if (!nul)
				break;
			len = nul - tok;
			start = pos + len + 1;
			if (pending_paths == 2) {
				pending_paths = 1;   /* the old name */
				continue;
			}
			if (pending_paths == 1) {
				add_file(&w->out[w->todo[cur]], &alloc, tok, len,
					 pa, pd, pbin);
				pending_paths = 0;
				continue;
			}
			if (!memchr(tok, '\t', len)) {
				/* the next commit */
				if (cur != (size_t)-1)
					atomic_fetch_add(w->done, 1);
				cur = cur == (size_t)-1 ? 0 : cur + 1;
				alloc = 0;
				if (cur >= w->nr || len != 40 ||
				    memcmp(tok, w->oids[w->todo[cur]], 40)) {
					snprintf(w->msg, sizeof(w->msg),
						 "git diff-tree answered out of order");
					w->failed = 1;
					goto cleanup;
				}
				if (w->progress)
					progress_update(w->progress,
							atomic_load(w->done));
				continue;
			}
			if (cur == (size_t)-1) {
				w->failed = 1;
				goto cleanup;
			}
			{
				char *t1 = memchr(tok, '\t', len), *t2;

				t2 = memchr(t1 + 1, '\t', len - (t1 + 1 - tok));
				if (!t2) {
					snprintf(w->msg, sizeof(w->msg),
						 "unexpected git diff-tree output");
					w->failed = 1;
					goto cleanup;
				}
				pbin = tok[0] == '-';
				pa = pbin ? 0 : (uint32_t)strtoul(tok, NULL, 10);
				pd = pbin ? 0 : (uint32_t)strtoul(t1 + 1, NULL, 10);
				if (t2 + 1 == nul)
					pending_paths = 2;
				else
					add_file(&w->out[w->todo[cur]], &alloc,
						 t2 + 1, nul - t2 - 1, pa, pd, pbin);
			}
		}
		/* keep the partial token */
		if (start) {
			memmove(buf.buf, buf.buf + start, buf.len - start);
			strbuf_setlen(&buf, buf.len - start);
			start = 0;
		}
	}
	if (cur != (size_t)-1)
		atomic_fetch_add(w->done, 1);
	if (cur + 1 != w->nr && w->nr) {
		snprintf(w->msg, sizeof(w->msg), "git diff-tree stopped early");
		w->failed = 1;
	}
cleanup:
	/* drain so that the child can exit */
	while (w->failed && read(w->cp.out, buf.buf, buf.alloc - 1) > 0)
		;
	strbuf_release(&buf);
	return NULL;
}

static int write_oid_list(struct strbuf *path, const char (*oids)[41],
			  const size_t *todo, size_t nr)
{
	struct strbuf out = STRBUF_INIT;
	size_t i;
	int fd;

	for (i = 0; i < nr; i++) {
		strbuf_add(&out, oids[todo[i]], 40);
		strbuf_addch(&out, '\n');
	}
	strbuf_addstr(path, "/git-tokens-oids.XXXXXX");
	fd = mkstemp(path->buf);
	if (fd < 0) {
		strbuf_release(&out);
		return error_errno("unable to create '%s'", path->buf);
	}
	unlink(path->buf);  /* the open descriptor is all the child needs */
	if (write(fd, out.buf, out.len) != (ssize_t)out.len ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		strbuf_release(&out);
		return error_errno("unable to write the commit list");
	}
	strbuf_release(&out);
	return fd;
}

/* The first "fatal: " or "error: " line git wrote, without its prefix. */
static int fd_complaint(int fd, struct strbuf *out)
{
	struct strbuf buf = STRBUF_INIT;
	ssize_t n;
	int found;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return 0;
	strbuf_grow(&buf, 4096);
	while ((n = read(fd, buf.buf + buf.len, buf.alloc - buf.len - 1)) > 0) {
		strbuf_setlen(&buf, buf.len + n);
		strbuf_grow(&buf, 4096);
	}
	found = git_complaint(buf.buf, out);
	strbuf_release(&buf);
	return found;
}

static void forward_stderr(int fd)
{
	char buf[4096];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(2, buf, n) != n)
			break;
}

static int run_workers(struct commit_stat *out, const char (*oids)[41],
		       const size_t *todo, size_t ntodo,
		       const struct numstat_opts *opts, struct strbuf *err)
{
	struct worker w[NUMSTAT_WORKERS];
	pthread_t th[NUMSTAT_WORKERS];
	int threaded[NUMSTAT_WORKERS];
	size_t *share[NUMSTAT_WORKERS] = { NULL };
	atomic_size_t done = 0;
	struct progress *progress = NULL;
	const char *tmpdir = getenv("TMPDIR");
	int nw = ntodo > 64 ? NUMSTAT_WORKERS : 1, i, ret = 0, started = 0;
	int errfd;
	size_t k;
	struct strbuf errpath = STRBUF_INIT, why = STRBUF_INIT;

	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	memset(w, 0, sizeof(w));
	/* git's complaints are collected to be reported as one line. */
	strbuf_addf(&errpath, "%s/git-tokens-err.XXXXXX", tmpdir);
	errfd = mkstemp(errpath.buf);
	if (errfd >= 0)
		unlink(errpath.buf);
	strbuf_release(&errpath);
	if (opts->progress)
		progress = progress_start("Analyzing commits", ntodo);
	for (i = 0; i < nw; i++) {
		struct strbuf path = STRBUF_INIT;
		size_t j = 0;
		int fd;

		/* Interleave so both halves span the whole history. */
		share[i] = xmalloc((ntodo / nw + 1) * sizeof(size_t));
		for (k = i; k < ntodo; k += nw)
			share[i][j++] = todo[k];
		strbuf_addstr(&path, tmpdir);
		fd = write_oid_list(&path, oids, share[i], j);
		strbuf_release(&path);
		if (fd < 0) {
			ret = -1;
			break;
		}
		w[i].oids = oids;
		w[i].todo = share[i];
		w[i].nr = j;
		w[i].out = out;
		w[i].done = &done;
		w[i].progress = i == 0 ? progress : NULL;
		{
			struct child_process cp = CHILD_PROCESS_INIT;

			w[i].cp = cp;
		}
		w[i].cp.git_cmd = 1;
		strvec_pushl(&w[i].cp.args, "-c", "core.quotePath=false",
			     "diff-tree", "--stdin", "-r", "-z", "--numstat",
			     "-M", "--root", "--always", "--no-ext-diff",
			     "--no-textconv", "--no-color", NULL);
		if (opts->paths && opts->paths->nr) {
			strvec_push(&w[i].cp.args, "--");
			strvec_pushv(&w[i].cp.args, opts->paths->v);
		}
		w[i].cp.in = fd;
		w[i].cp.out = -1;
		w[i].cp.err = errfd;
		if (start_command(&w[i].cp) < 0) {
			close(fd);
			ret = -1;
			break;
		}
		close(fd);
		started++;
	}
	/* Without a thread, a worker runs here; the other still overlaps. */
	for (i = 0; i < started; i++)
		threaded[i] = !pthread_create(&th[i], NULL, worker_run, &w[i]);
	for (i = 0; i < started; i++) {
		if (threaded[i])
			pthread_join(th[i], NULL);
		else
			worker_run(&w[i]);
		close(w[i].cp.out);
		if (finish_command(&w[i].cp) != 0 && !w[i].failed) {
			w[i].failed = 1;
			snprintf(w[i].msg, sizeof(w[i].msg), "git diff-tree failed");
		}
		if (w[i].failed && !ret) {
			if (errfd >= 0 && err && fd_complaint(errfd, &why)) {
				strbuf_addf(err, "cannot count the lines the "
					    "changes add and delete: %s",
					    why.buf);
				ret = -1;
			} else
				ret = error("%s", *w[i].msg ? w[i].msg :
					    "git diff-tree failed");
		}
		child_process_clear(&w[i].cp);
	}
	if (errfd >= 0) {
		if (!ret)  /* warnings git printed on success still show */
			forward_stderr(errfd);
		close(errfd);
	}
	progress_stop(&progress);
	for (i = 0; i < NUMSTAT_WORKERS; i++)
		free(share[i]);
	strbuf_release(&why);
	return ret;
}

/* GIT_TOKENS_DEBUG: how long the line counts took, beside survival's. */
static void debug_report(size_t nr, size_t ntodo, const struct timespec *t0)
{
	struct timespec t1;

	if (!getenv("GIT_TOKENS_DEBUG"))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "numstat: %lu commits, %lu diffed in %.2f s\n",
		(unsigned long)nr, (unsigned long)ntodo,
		(double)(t1.tv_sec - t0->tv_sec) +
		(double)(t1.tv_nsec - t0->tv_nsec) / 1e9);
}

int numstat_compute(struct commit_stat *out, const char (*oids)[41], size_t nr,
		    struct repo *repo, const struct numstat_opts *opts,
		    struct strbuf *err)
{
	struct cache c = { STRBUF_INIT, OIDMAP_INIT, NULL };
	/* Grafts and replace refs change a diff, not the commit id. */
	int use_cache = opts->use_cache && !(opts->paths && opts->paths->nr) &&
			!repo_history_rewritten(repo);
	size_t *todo = xmalloc((nr + 1) * sizeof(*todo)), ntodo = 0, i, off;
	struct timespec t0;
	int ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(out, 0, nr * sizeof(*out));
	if (use_cache && cache_load(&c, repo) < 0)
		use_cache = 0;
	for (i = 0; i < nr; i++) {
		if (use_cache && oidmap_get(&c.index, oids[i], &off))
			cache_decode(&out[i], &c, off);
		else
			todo[ntodo++] = i;
	}
	if (ntodo && run_workers(out, oids, todo, ntodo, opts, err) < 0) {
		ret = -1;
		goto cleanup;
	}
	/* A cache that cannot be written is only slower next time. */
	if (use_cache && ntodo && cache_store(&c, oids, out, todo, ntodo) < 0)
		warning("the line-count cache was not saved");
	debug_report(nr, ntodo, &t0);
cleanup:
	free(todo);
	free(c.path);
	strbuf_release(&c.buf);
	oidmap_clear(&c.index);
	return ret;
}
