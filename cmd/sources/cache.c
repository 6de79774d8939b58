/*
 * The usage cache: per source, what its log files held when last read
 * and the result, so that a run with nothing new reads no log at all.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/die.h"
#include "base/hash.h"
#include "base/paths.h"
#include "sources/sources-internal.h"

/*
 * One file per source: a header, the string table, then per log file
 * its state and records, then the source's last result. Host byte
 * order; anything unexpected and the file is ignored (and rewritten).
 */
#define CACHE_MAGIC "GTKUSAGE"
#define CACHE_VERSION 11

struct disk_header {
	char magic[8];
	uint32_t version;
	uint32_t endian;
	uint32_t rec_size;
	uint32_t file_size;
	uint64_t body_len;
	uint64_t nstr;
	uint64_t nfiles;
	uint64_t stamp;
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
	uint32_t flags, tool, bits, web_searches;
	char session[16];
};

struct strtab {
	const char **s;
	size_t nr, alloc;
	struct u64map ids;      /* interned pointer -> index + 1 */
};

static uint32_t strtab_id(struct strtab *t, const char *s)
{
	size_t *slot;

	if (!s)
		return NO_STR;
	slot = u64map_find(&t->ids, (uint64_t)(uintptr_t)s, 1);
	if (!*slot) {
		ALLOC_GROW(t->s, t->nr + 1, t->alloc);
		t->s[t->nr++] = s;
		*slot = t->nr;
	}
	return (uint32_t)(*slot - 1);
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
	d->web_searches = r->ev.web_searches;
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
	ev->web_searches = d->web_searches;
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
void source_file_load_records(struct source_state *st, struct source_file *f)
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

/*
 * A new value each time a cache is written: what a source's result was
 * made from is then known by the stamp of its cache alone.
 */
static uint64_t new_stamp(void)
{
	static uint64_t nr; /* sources write theirs on threads */
	uint64_t n = __atomic_add_fetch(&nr, 1, __ATOMIC_RELAXED);
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return hash_mix(((uint64_t)ts.tv_sec * 1000000000ULL +
			 (uint64_t)ts.tv_nsec) ^
			hash_mix((uint64_t)getpid() << 20 ^ n)) | 1;
}

int source_cache_write(struct source_state *st, const char *path,
		       const struct usage_set *result)
{
	struct strbuf body = STRBUF_INIT, strs = STRBUF_INIT;
	struct strbuf recs = STRBUF_INIT;
	struct strtab tab = { .ids = U64MAP_INIT };
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
		source_file_load_records(st, f);
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
	h.stamp = new_stamp();

	parts[0].buf = &h;
	parts[0].len = sizeof(h);
	parts[1].buf = strs.buf;
	parts[1].len = strs.len;
	parts[2].buf = body.buf;
	parts[2].len = body.len;
	/* A cache: rebuilt when lost, so not worth an fsync. */
	if (write_file_parts(path, parts, 3, 0666, 0) < 0)
		goto cleanup;
	st->stamp = h.stamp;
	ret = 0;
cleanup:
	strbuf_release(&body);
	strbuf_release(&strs);
	strbuf_release(&recs);
	free(tab.s);
	u64map_release(&tab.ids);
	return ret;
}

/*
 * Load the cache; anything wrong and we start empty, silently. The
 * mapping stays: records are turned into memory only when needed.
 */
void source_cache_read(struct source_state *st, const char *path)
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
		if (source_state_lookup(st, st->strs[df.path]))
			goto bad;
		f = source_state_add(st, st->strs[df.path]);
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
	st->stamp = h.stamp;
	st->map_base = map;
	st->map_len = len;
	close(fd);
	return;
bad:
	source_state_free(st);
fail:
	if (map != MAP_FAILED)
		munmap(map, len);
	close(fd);
}

/* A record to sort: its time, and its place among the records. */
struct ev_ref {
	int64_t time;
	size_t i;
};

/*
 * Sort refs by time, ties in their order: a stable radix sort, a pass
 * per byte of the times that is not the same in all, through tmp. A
 * sort with a comparison function cost four times as much here, and
 * its buffer as much again in page faults.
 */
static void ev_ref_radix(struct ev_ref *refs, struct ev_ref *tmp, size_t nr)
{
	size_t count[8][256];
	struct ev_ref *from = refs, *to = tmp, *swap;
	size_t i, sum;
	int b;

	memset(count, 0, sizeof(count));
	for (i = 0; i < nr; i++) {
		uint64_t k = (uint64_t)refs[i].time ^ (UINT64_C(1) << 63);

		for (b = 0; b < 8; b++)
			count[b][(k >> (8 * b)) & 0xff]++;
	}
	for (b = 0; b < 8; b++) {
		size_t *c = count[b];
		int d;

		if (c[((uint64_t)refs[0].time ^ (UINT64_C(1) << 63)) >>
		      (8 * b) & 0xff] == nr)
			continue; /* the same byte in all */
		for (d = 0, sum = 0; d < 256; d++) {
			size_t n = c[d];

			c[d] = sum;
			sum += n;
		}
		for (i = 0; i < nr; i++) {
			uint64_t k = (uint64_t)from[i].time ^ (UINT64_C(1) << 63);

			to[c[(k >> (8 * b)) & 0xff]++] = from[i];
		}
		swap = from;
		from = to;
		to = swap;
	}
	if (from != refs)
		memcpy(refs, from, nr * sizeof(*refs));
}

/* The rest of event.c's order, then the records' own: a total order. */
static int ev_ref_cmp(const struct source_rec * const *recs,
		      const struct ev_ref *a, const struct ev_ref *b)
{
	int c = event_cmp(&recs[a->i]->ev, &recs[b->i]->ev);

	if (c)
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

/*
 * Refs of one time, mostly two or three: a Shell sort, in place, which
 * the total order makes give what a stable sort would.
 */
static void ev_ref_sort_run(const struct source_rec * const *recs,
			    struct ev_ref *refs, size_t nr)
{
	size_t gap = 1, i, k;

	while (gap < nr / 3)
		gap = 3 * gap + 1;
	for (; gap; gap /= 3)
		for (i = gap; i < nr; i++) {
			struct ev_ref r = refs[i];

			for (k = i; k >= gap &&
			     ev_ref_cmp(recs, &refs[k - gap], &r) > 0; k -= gap)
				refs[k] = refs[k - gap];
			refs[k] = r;
		}
}

void source_add_sorted(struct source_ctx *ctx,
		       const struct source_rec * const *recs, size_t nr)
{
	struct ev_ref *refs = xmalloc((2 * nr + 1) * sizeof(*refs));
	struct usage_set *out = ctx->out;
	size_t i, j;

	for (i = 0; i < nr; i++) {
		refs[i].time = recs[i]->ev.time;
		refs[i].i = i;
	}
	if (nr)
		ev_ref_radix(refs, refs + nr, nr);
	/* Records of one time: the rest of event.c's order, then theirs. */
	for (i = 0; i < nr; i = j) {
		for (j = i + 1; j < nr && refs[j].time == refs[i].time; j++)
			;
		if (j - i > 1)
			ev_ref_sort_run(recs, refs + i, j - i);
	}
	usage_set_reserve(out, nr);
	for (i = 0; i < nr; i++)
		out->ev[out->nr++] = recs[refs[i].i]->ev;
	free(refs);
}

void source_result_emit(struct source_state *st, struct usage_set *out)
{
	const struct disk_rec *d = st->result;
	size_t i;

	usage_set_reserve(out, st->result_nr);
	for (i = 0; i < st->result_nr; i++)
		ev_from_disk(st, &d[i], &out->ev[out->nr++]);
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
		/* usage_load() may not need the events at all */
		if (!st->defer)
			source_result_emit(st, ctx->out);
		st->reused = 1;
		return 1;
	}
	for (i = 0; i < st->nr; i++)
		if (st->files[i]->seen)
			source_file_load_records(st, st->files[i]);
	return 0;
}
