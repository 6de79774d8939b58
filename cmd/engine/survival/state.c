/*
 * The state file, <common dir>/tokens/survival-v1.state: the commits,
 * the deaths, the merges' births and the files at the tip, so that a
 * later run replays only the commits that are new since. Version 2:
 * births, and the deaths of merges' lines; 3: renames paired one
 * created file at a time, as blame pairs them.
 */
#include <stdlib.h>
#include <string.h>
#include "base/die.h"
#include "base/hash.h"
#include "base/paths.h"
#include "engine/numstat.h"
#include "engine/survival/survival-internal.h"
#include "git/repo.h"

#define STATE_MAGIC "GTSV"
#define STATE_VERSION 3u

static void put_u32(struct strbuf *sb, uint32_t v)
{
	strbuf_add(sb, &v, 4);
}

static void put_i64(struct strbuf *sb, int64_t v)
{
	strbuf_add(sb, &v, 8);
}

struct path_slot {
	const char *key;
	uint32_t idx;
};

struct path_table {
	const char **p;
	size_t nr, alloc;
	struct path_slot *slot;
	size_t slots;
};

static uint32_t path_index(struct path_table *t, const char *path)
{
	size_t i, k;

	if ((t->nr + 1) * 2 > t->slots) {
		struct path_slot *old = t->slot;
		size_t oldn = t->slots, n = oldn ? oldn * 2 : 4096;

		t->slot = xcalloc(n, sizeof(*t->slot));
		t->slots = n;
		for (k = 0; k < oldn; k++) {
			if (!old[k].key)
				continue;
			for (i = ptr_hash(old[k].key) & (n - 1);
			     t->slot[i].key; i = (i + 1) & (n - 1))
				;
			t->slot[i] = old[k];
		}
		free(old);
	}
	for (i = ptr_hash(path) & (t->slots - 1); t->slot[i].key;
	     i = (i + 1) & (t->slots - 1))
		if (t->slot[i].key == path)
			return t->slot[i].idx;
	t->slot[i].key = path;
	t->slot[i].idx = (uint32_t)t->nr;
	ALLOC_GROW(t->p, t->nr + 1, t->alloc);
	t->p[t->nr] = path;
	return (uint32_t)t->nr++;
}

/* Deaths (or births): their count, then each. */
static void put_deaths(struct strbuf *sb, struct path_table *pt,
		       const struct death *d, size_t nr)
{
	size_t i;

	put_u32(sb, (uint32_t)nr);
	for (i = 0; i < nr; i++) {
		put_u32(sb, d[i].origin);
		put_u32(sb, d[i].count);
		put_i64(sb, d[i].time);
		put_u32(sb, path_index(pt, d[i].path));
	}
}

static char *state_path(struct repo *repo)
{
	struct strbuf dir = STRBUF_INIT;
	char *path = NULL;

	if (repo_tokens_dir(repo, &dir) == 0)
		path = xstrfmt("%ssurvival-v1.state", dir.buf);
	strbuf_release(&dir);
	return path;
}

int survival_state_store(struct survival *s, struct repo *repo)
{
	struct strbuf out = STRBUF_INIT, body = STRBUF_INIT;
	struct path_table pt;
	unsigned char tip[20];
	char *path = state_path(repo);
	size_t i, k, nfiles = 0;
	uint64_t sum;
	int ret;

	memset(&pt, 0, sizeof(pt));
	if (!path)
		return -1;
	/* files and deaths first: they name the paths */
	for (k = 0; k < NBUCKET; k++) {
		const struct bucket *b = s->tip->b[k];

		for (i = 0; b && i < b->nr; i++) {
			const struct fent *f = &b->e[i];

			put_u32(&body, path_index(&pt, f->path));
			strbuf_add(&body, f->blob, 20);
			put_u32(&body, f->mode);
			put_u32(&body, f->l ? f->l->nr : UINT32_MAX);
			if (f->l)
				strbuf_add(&body, f->l->v, f->l->nr * 4);
			nfiles++;
		}
	}
	{
		struct strbuf deaths = STRBUF_INIT;

		put_deaths(&deaths, &pt, s->d, s->nd);
		put_deaths(&deaths, &pt, s->b, s->nb);
		oid_from_hex(tip, s->tip_oid);
		strbuf_add(&out, STATE_MAGIC, 4);
		put_u32(&out, STATE_VERSION);
		strbuf_addchars(&out, 0, 8);
		strbuf_add(&out, tip, 20);
		put_u32(&out, (uint32_t)s->nr);
		for (i = 0; i < s->nr; i++) {
			strbuf_add(&out, s->c[i].oid, 20);
			put_i64(&out, s->c[i].ct);
			put_i64(&out, s->c[i].land);
			put_u32(&out, s->c[i].merge);
		}
		put_u32(&out, (uint32_t)pt.nr);
		for (i = 0; i < pt.nr; i++) {
			put_u32(&out, (uint32_t)strlen(pt.p[i]));
			strbuf_addstr(&out, pt.p[i]);
		}
		strbuf_addbuf(&out, &deaths);
		put_u32(&out, (uint32_t)nfiles);
		strbuf_addbuf(&out, &body);
		strbuf_release(&deaths);
	}
	sum = fnv1a(out.buf + 16, out.len - 16, FNV1A_INIT);
	memcpy(out.buf + 8, &sum, 8);

	ret = write_file_strbuf(path, &out, 0666, WRITE_FILE_SYNC);
	free(path);
	free(pt.p);
	free(pt.slot);
	strbuf_release(&out);
	strbuf_release(&body);
	return ret;
}

struct cursor {
	const char *p, *end;
	int bad;
};

static const char *take(struct cursor *c, size_t n)
{
	const char *p = c->p;

	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = 1;
		return NULL;
	}
	c->p += n;
	return p;
}

/* n bytes into out, which stays as it was past the end. */
static void take_into(struct cursor *c, void *out, size_t n)
{
	const char *p = take(c, n);

	if (p)
		memcpy(out, p, n);
}

static uint32_t take_u32(struct cursor *c)
{
	uint32_t v = 0;

	take_into(c, &v, 4);
	return v;
}

static int64_t take_i64(struct cursor *c)
{
	int64_t v = 0;

	take_into(c, &v, 8);
	return v;
}

static void take_deaths(struct cursor *cur, struct survival *s,
			const char **paths, uint32_t npaths, int births)
{
	uint32_t n = take_u32(cur), i;

	for (i = 0; i < n && !cur->bad; i++) {
		uint32_t origin = take_u32(cur), count = take_u32(cur);
		int64_t time = take_i64(cur);
		uint32_t pi = take_u32(cur);

		if (pi >= npaths || origin >= s->nr)
			cur->bad = 1;
		else if (births)
			survival_add_birth(s, origin, count, paths[pi]);
		else
			survival_add_death(s, origin, count, time, paths[pi]);
	}
}

/*
 * The stored state into s: 1 when there is one, 0 when there is none
 * or it is not usable (it is then rebuilt silently).
 */
int survival_state_load(struct survival *s, struct repo *repo)
{
	struct strbuf buf = STRBUF_INIT;
	struct cursor cur;
	const char **paths = NULL;
	char *path = state_path(repo);
	uint32_t n, i, npaths = 0, v;
	uint64_t sum;
	int ok = 0;

	if (!path || strbuf_read_file(&buf, path, 0) < 0)
		goto cleanup;
	if (buf.len < 16 + 20 || memcmp(buf.buf, STATE_MAGIC, 4))
		goto cleanup;
	memcpy(&v, buf.buf + 4, 4);
	memcpy(&sum, buf.buf + 8, 8);
	if (v != STATE_VERSION ||
	    fnv1a(buf.buf + 16, buf.len - 16, FNV1A_INIT) != sum)
		goto cleanup;
	cur.p = buf.buf + 16;
	cur.end = buf.buf + buf.len;
	cur.bad = 0;
	oid_to_hex(s->tip_oid, (const unsigned char *)take(&cur, 20));
	n = take_u32(&cur);
	for (i = 0; i < n && !cur.bad; i++) {
		const char *oid = take(&cur, 20);
		uint32_t k;

		if (!oid)
			break;
		k = survival_add_commit(s, (const unsigned char *)oid);
		s->c[k].ct = take_i64(&cur);
		s->c[k].land = take_i64(&cur);
		s->c[k].merge = !!take_u32(&cur);
	}
	npaths = take_u32(&cur);
	if (cur.bad || npaths > buf.len)
		goto cleanup;
	paths = xcalloc(npaths + 1, sizeof(*paths));
	for (i = 0; i < npaths && !cur.bad; i++) {
		uint32_t len = take_u32(&cur);
		const char *p = take(&cur, len);

		if (p)
			paths[i] = numstat_path_intern(p, len);
	}
	take_deaths(&cur, s, paths, npaths, 0);
	take_deaths(&cur, s, paths, npaths, 1);
	n = take_u32(&cur);
	s->tip = tstate_new();
	for (i = 0; i < n && !cur.bad; i++) {
		uint32_t pi = take_u32(&cur), mode, nl;
		const char *blob = take(&cur, 20);
		struct lines *l = NULL;

		mode = take_u32(&cur);
		nl = take_u32(&cur);
		if (cur.bad || pi >= npaths)
			break;
		if (nl != UINT32_MAX) {
			const char *p = take(&cur, (size_t)nl * 4);

			if (!p)
				break;
			l = lines_new(nl);
			memcpy(l->v, p, (size_t)nl * 4);
		}
		tstate_put(s->tip, paths[pi], (const unsigned char *)blob,
			   mode, l);
	}
	ok = !cur.bad && cur.p == cur.end;
cleanup:
	if (!ok) {
		tstate_free(s->tip);
		s->tip = NULL;
		s->nr = s->nd = s->nb = 0;
		oidmap_clear(&s->index);
	}
	free(paths);
	free(path);
	strbuf_release(&buf);
	return ok;
}
