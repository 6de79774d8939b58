/*
 * A merge, file by file, by blame's rule (pass_blame()): a parent
 * holding the very same blob gives the whole file; otherwise each line
 * comes from the first parent whose diff leaves it unchanged, else from
 * the merge itself.
 */
#include <stdlib.h>
#include <string.h>
#include "base/die.h"
#include "engine/numstat.h"
#include "engine/survival/survival-internal.h"

struct mwork {
	const struct fent **org;   /* per parent: the file it gives, or NULL */
	struct lines *p1l;         /* P1's lines of the file that changes */
	struct lines *l;           /* the result */
	int whole;                 /* the parent giving all of it, or -1 */
	const char *was;           /* the result's path before a rename */
	size_t req, nreq;          /* its requests: P1's first, then others */
	uint32_t *reqpar;
};

static const struct fent *parent_file(struct survival *s, uint32_t p,
				      const char *path, uint32_t mode)
{
	const struct fent *f = tstate_get(s->c[p].st, path);

	return f && same_type(f->mode, mode) ? f : NULL;
}

static struct request *add_request(struct replay *rp, struct mwork *m,
				   uint32_t parent, const struct fent *from,
				   const unsigned char *to)
{
	struct request *r;

	ALLOC_GROW(rp->req, rp->nreq + 1, rp->req_alloc);
	r = &rp->req[rp->nreq++];
	memset(r, 0, sizeof(*r));
	r->from_empty = !from;
	if (from)
		memcpy(r->a, from->blob, 20);
	memcpy(r->b, to, 20);
	m->reqpar[m->nreq++] = parent;
	return r;
}

/* Whether path is in the merge's tree: P1's, changed by the P1 diff. */
static int in_merge(const struct replay *rp, const struct tstate *st,
		    const char *path)
{
	const struct diff_record *rec = &rp->rec;
	size_t i;

	for (i = 0; i < rec->nr; i++) {
		const struct dentry *e = &rec->e[i];

		if (e->npath == path && e->status != 'D')
			return 1;
		if (e->opath == path && (e->status == 'D' || e->status == 'R'))
			return 0;
	}
	return !!tstate_get(st, path);
}

/* The files of a later parent of the merge by blob, built when needed. */
static const struct fent *parent_by_blob(struct replay *rp, uint32_t i,
					 uint32_t p, const unsigned char *blob)
{
	struct oidmap *map;
	size_t k, j, v;

	if (i >= rp->nblobmaps) {
		size_t n = i + 1;

		rp->blobmap = xrealloc(rp->blobmap, n * sizeof(*rp->blobmap));
		rp->blobfiles = xrealloc(rp->blobfiles,
					 n * sizeof(*rp->blobfiles));
		for (k = rp->nblobmaps; k < n; k++) {
			struct oidmap init = OIDMAP_INIT;

			rp->blobmap[k] = init;
			rp->blobfiles[k] = NULL;
		}
		rp->nblobmaps = n;
	}
	map = &rp->blobmap[i];
	if (!rp->blobfiles[i]) {
		const struct tstate *ps = rp->s->c[p].st;
		size_t nr = 0, alloc = 0;

		ALLOC_GROW(rp->blobfiles[i], 1, alloc);
		for (k = 0; ps && k < NBUCKET; k++)
			for (j = 0; ps->b[k] && j < ps->b[k]->nr; j++) {
				ALLOC_GROW(rp->blobfiles[i], nr + 1, alloc);
				rp->blobfiles[i][nr] = &ps->b[k]->e[j];
				oidmap_put_raw(map, ps->b[k]->e[j].blob, nr++);
			}
	}
	return oidmap_get_raw(map, blob, &v) ? rp->blobfiles[i][v] : NULL;
}

/*
 * blame's find_rename() against a later parent that lacks the path:
 * the file that left the merge's tree and came back under this name.
 * Rename detection itself is git's and too costly here; what it finds
 * in practice is tried instead, best first: the very same blob; the
 * name the P1 diff renamed from; the name the file had before P1's side
 * renamed it; the name without its leading directories (a subtree
 * merge, as git-gui and gitk come into git.git).
 */
static const struct fent *renamed_from(struct replay *rp,
				       const struct tstate *st, uint32_t k,
				       uint32_t i, const struct dentry *d,
				       const struct fent *p1f)
{
	struct survival *s = rp->s;
	uint32_t p = s->parents[s->c[k].par + i];
	const struct fent *f;
	const char *name, *slash;

	f = parent_by_blob(rp, i, p, d->nblob);
	if (f && same_type(f->mode, d->nmode) && !in_merge(rp, st, f->path))
		return f;
	if ((d->status == 'R' || d->status == 'C') &&
	    (f = parent_file(s, p, d->opath, d->nmode)))
		return f;
	if (p1f && p1f->was && !in_merge(rp, st, p1f->was) &&
	    (f = parent_file(s, p, p1f->was, d->nmode)))
		return f;
	for (name = d->npath; (slash = strchr(name, '/')); ) {
		const char *sub;

		name = slash + 1;
		sub = numstat_path_intern(name, strlen(name));
		if (!in_merge(rp, st, sub) &&
		    (f = parent_file(s, p, sub, d->nmode)))
			return f;
	}
	return NULL;
}

/*
 * Where the lines of a file the P1 diff names come from: blame's
 * pass_blame(). A parent with the same blob gives all of it; else the
 * diffs it needs (from P1's file, then from each later parent's) are
 * queued, to be asked for all the files of the merge at once.
 */
static void merge_file(struct replay *rp, uint32_t k, struct tstate *st,
		       struct dentry *d, struct mwork *m)
{
	struct survival *s = rp->s;
	struct scommit *c = &s->c[k];
	const uint32_t *par = s->parents + c->par;
	uint32_t np = c->npar, i, j;
	const struct fent *p1f = NULL;
	int renamed = d->status == 'R' || d->status == 'C';

	m->whole = -1;
	if (d->status != 'A') {
		p1f = tstate_get(st, d->opath);
		if (p1f && is_gitlink(p1f->mode))
			p1f = NULL;
		if (p1f)
			m->p1l = lines_ref(p1f->l);
	}
	if (d->status == 'D' || is_gitlink(d->nmode))
		return;
	m->org = xcalloc(np, sizeof(*m->org));
	m->reqpar = xcalloc(np, sizeof(*m->reqpar));
	/* pass 0: the same path; a parent with the same blob gives all */
	if (d->status == 'M' && p1f)
		m->org[0] = p1f;
	for (i = 1; i < np; i++)
		m->org[i] = parent_file(s, par[i], d->npath, d->nmode);
	for (i = 0; i < np && m->whole < 0; i++)
		if (m->org[i] && !memcmp(m->org[i]->blob, d->nblob, 20))
			m->whole = (int)i;
	/* pass 1: renames, for the parents without the path */
	for (i = 0; i < np && m->whole < 0; i++) {
		if (m->org[i])
			continue;
		if (!i)
			m->org[0] = renamed ? p1f : NULL;
		else
			m->org[i] = renamed_from(rp, st, k, i, d, p1f);
		if (m->org[i] && !memcmp(m->org[i]->blob, d->nblob, 20))
			m->whole = (int)i;
	}
	m->was = renamed ? d->opath : p1f ? p1f->was : NULL;
	if (m->whole >= 0) {
		m->l = lines_ref(m->org[m->whole]->l);
		if (m->whole)
			m->was = m->org[m->whole]->was;
		return;
	}
	/* a parent with the blob of an earlier one adds nothing */
	for (i = 1; i < np; i++)
		for (j = 0; j < i && m->org[i]; j++)
			if (m->org[j] &&
			    !memcmp(m->org[j]->blob, m->org[i]->blob, 20))
				m->org[i] = NULL;
	/* binary on P1's side, or lost track of already */
	if (p1f && !p1f->l && d->status != 'T')
		return;
	m->req = rp->nreq;
	add_request(rp, m, 0, d->status == 'T' ? NULL : p1f, d->nblob);
	for (i = 1; i < np; i++)
		if (m->org[i] && m->org[i]->l)
			add_request(rp, m, i, m->org[i], d->nblob);
}

/* The result of a file merge_file() asked diffs for. */
static void merge_lines(struct replay *rp, uint32_t k, struct dentry *d,
			struct mwork *m, int chain)
{
	struct survival *s = rp->s;
	struct request *r = &rp->req[m->req];
	size_t j;

	if (!r->ok) {
		/* binary now: its lines are not counted */
		if (chain)
			lines_push_all(&rp->dead, m->p1l);
		return;
	}
	if (d->status == 'T' || !m->p1l) {
		m->l = apply_hunks(NULL, rp->h + r->h, r->nh, UNSET, NULL);
		if (chain)
			lines_push_all(&rp->dead, m->p1l);
	} else {
		m->l = apply_hunks(m->p1l, rp->h + r->h, r->nh, UNSET,
				   chain ? &rp->dead : NULL);
	}
	if (!m->l) {
		survival_lose(s, k, d->npath,
			      "first parent's hunks do not fit");
		return;
	}
	for (j = 1; j < m->nreq; j++) {
		const struct fent *pf = m->org[m->reqpar[j]];

		r = &rp->req[m->req + j];
		if (r->ok && fill_from(m->l, pf->l, rp->h + r->h, r->nh,
				       &rp->kept) < 0)
			survival_lose(s, k, d->npath,
				      "a parent's hunks do not fit");
	}
	for (j = 0; j < m->l->nr; j++)
		if (m->l->v[j] == UNSET)
			m->l->v[j] = k;
}

/* The merge's requests: from the prefetch thread, else asked now. */
static int ask_diffs(struct replay *rp)
{
	struct survival *s = rp->s;
	size_t i, nask = 0;

	s->requests += rp->nreq;
	ALLOC_GROW(rp->answered, rp->nreq, rp->answered_alloc);
	memset(rp->answered, 0, rp->nreq * sizeof(*rp->answered));
	prefetch_take(&rp->pf, rp->merges, rp->req, rp->nreq, rp->answered,
		      &rp->h, &rp->nh, &rp->halloc);
	for (i = 0; i < rp->nreq; i++)
		if (!rp->answered[i]) {
			ALLOC_GROW(rp->ask, nask + 1, rp->ask_alloc);
			rp->ask[nask++] = rp->req[i];
		}
	if (!nask)
		return 0;
	s->rounds++;
	if (server_diff(&rp->srv, rp->repo, rp->ask, nask, &rp->h, &rp->nh,
			&rp->halloc) < 0) {
		/* Those files are lost track of; the rest still counts. */
		if (!rp->srv_warned++)
			warning("survival: some merges could not be followed");
		for (i = 0; i < nask; i++)
			rp->ask[i].ok = 0;
	}
	for (i = 0, nask = 0; i < rp->nreq; i++)
		if (!rp->answered[i])
			rp->req[i] = rp->ask[nask++];
	return 0;
}

int replay_merge(struct replay *rp, uint32_t k, struct tstate *st)
{
	struct survival *s = rp->s;
	struct scommit *c = &s->c[k];
	struct diff_record *rec = &rp->rec;
	struct mwork *w = xcalloc(rec->nr + 1, sizeof(*w));
	size_t e;
	int ret = 0;

	rp->nreq = rp->nh = 0;
	/* Everything is read from st before anything in it changes. */
	for (e = 0; e < rec->nr; e++)
		merge_file(rp, k, st, &rec->e[e], &w[e]);
	if (rp->nreq && ask_diffs(rp) < 0) {
		ret = -1;
		goto cleanup;
	}
	rp->merges++;
	for (e = 0; e < rec->nr; e++) {
		struct dentry *d = &rec->e[e];
		struct mwork *m = &w[e];
		int chain = c->chain && d->status != 'C';

		rp->dead.nr = rp->kept.nr = 0;
		if (d->status == 'D' || d->status == 'R')
			tstate_del(st, d->opath);
		if (d->status == 'D' || is_gitlink(d->nmode)) {
			if (d->status != 'D')
				tstate_del(st, d->npath);
			if (chain) {
				lines_push_all(&rp->dead, m->p1l);
				survival_record_deaths(s, &rp->dead,
						       &rp->kept, d->opath,
						       c->ct);
			}
			continue;
		}
		if (m->whole > 0 && chain) {
			/* all of P1's lines went, all of the parent's came */
			lines_push_all(&rp->dead, m->p1l);
			lines_push_all(&rp->kept, m->l);
		} else if (m->whole < 0 && m->nreq) {
			merge_lines(rp, k, d, m, chain);
		} else if (m->whole < 0 && chain) {
			lines_push_all(&rp->dead, m->p1l);
		}
		tstate_put(st, d->npath, m->was, d->nblob, d->nmode, m->l);
		m->l = NULL;
		if (chain)
			survival_record_deaths(s, &rp->dead, &rp->kept,
					       d->npath, c->ct);
	}
cleanup:
	rp->dead.nr = rp->kept.nr = 0;
	for (e = 0; e < rp->nblobmaps; e++) {
		oidmap_clear(&rp->blobmap[e]);
		free(rp->blobfiles[e]);
		rp->blobfiles[e] = NULL;
	}
	for (e = 0; e < rec->nr; e++) {
		free(w[e].org);
		free(w[e].reqpar);
		lines_unref(w[e].p1l);
		lines_unref(w[e].l);
	}
	free(w);
	return ret;
}
