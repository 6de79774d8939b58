/*
 * A merge, file by file, by blame's rule (pass_blame()): a parent
 * holding the very same blob gives the whole file; otherwise each line
 * comes from the first parent whose diff leaves it unchanged, else from
 * the merge itself (a birth: the merge's own lines). A parent lacking
 * the path gives the file it had under the name git's rename detection
 * finds, as blame's find_rename() does.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/die.h"
#include "engine/survival/survival-internal.h"

struct mwork {
	const struct fent **org;   /* per parent: the file it gives, or NULL */
	struct lines *p1l;         /* P1's lines of the file that changes */
	struct lines *l;           /* the result */
	int whole;                 /* the parent giving all of it, or -1 */
	size_t req, nreq;          /* its requests: P1's first, then others */
	uint32_t *reqpar;
};

static const struct fent *parent_file(struct survival *s, uint32_t p,
				      const char *path, uint32_t mode)
{
	const struct fent *f = tstate_get(s->c[p].st, path);

	return f && same_type(f->mode, mode) ? f : NULL;
}

/* A diff to ask the server for: from's blob (NULL: none) to blob to. */
void replay_add_request(struct replay *rp, const struct fent *from,
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
}

static void add_request(struct replay *rp, struct mwork *m, uint32_t parent,
			const struct fent *from, const unsigned char *to)
{
	replay_add_request(rp, from, to);
	m->reqpar[m->nreq++] = parent;
}

static void renames_cmd(struct child_process *cp)
{
	struct child_process init = CHILD_PROCESS_INIT;

	*cp = init;
	cp->git_cmd = 1;
	cp->in = cp->out = -1;
	strvec_pushl(&cp->args, "--literal-pathspecs", "diff-tree", "--stdin",
		     "-r", "-M", "--raw", "-z", "--always", "--no-ext-diff",
		     "--no-textconv", "--no-color", NULL);
}

static int renames_start(struct replay *rp)
{
	struct child_process *cp = &rp->rn;

	rp->rn_started = 1;
	renames_cmd(cp);
	if (server_spawn(cp) < 0) {
		rp->rn_failed = 1;
		return -1;
	}
	rp->rn_running = 1;
	rp->rn_rd.fd = cp->out;
	return 0;
}

void replay_renames_stop(struct replay *rp)
{
	size_t i;

	if (rp->rn_running) {
		close(rp->rn.in);
		close(rp->rn.out);
		finish_command(&rp->rn);
	}
	if (rp->rn_started)
		child_process_clear(&rp->rn);
	for (i = 0; i < rp->rn_nr; i++)
		diff_record_release(&rp->rn_rec[i]);
	free(rp->rn_rec);
	free(rp->rn_asked);
	free(rp->rn_rd.buf);
}

/* Past this many bytes of paths, the whole tree's pairing is taken. */
#define FOLLOW_MAX_ARGS (512 * 1024)
/* Children asked at once: each is a process start and a short diff. */
#define FOLLOW_JOBS 4

/*
 * One path's diff started: 0; 1 when started but not asked (to be
 * finished all the same); -1 when git could not be started.
 */
static int follow_start(struct child_process *cp, const struct strvec *srcs,
			const char *req, const char *path)
{
	int ret;

	renames_cmd(cp);
	strvec_pushl(&cp->args, "--", path, NULL);
	strvec_pushv(&cp->args, srcs->v);
	if (server_spawn(cp) < 0) {
		child_process_clear(cp);
		return -1;
	}
	ret = server_feed(cp->in, req, strlen(req)) < 0;
	/* the one request: git may answer and exit */
	close(cp->in);
	return ret;
}

/* Its answer: sets *from (NULL: no rename); 0, or -1. */
static int follow_finish(struct child_process *cp, const char *path,
			 const char **from, int ok)
{
	struct diff_record one = { STRBUF_INIT, NULL, 0, 0, NULL, 0, 0 };
	struct rd r = { -1, NULL, 0, 0, 0, 0, 0 };
	size_t j;
	int ret = -1;

	r.fd = cp->out;
	if (ok && diff_record_read(&r, &one, '\0') > 0) {
		*from = NULL;
		for (j = 0; j < one.nr; j++)
			if (one.e[j].status == 'R' &&
			    !strcmp(one.e[j].npath, path))
				*from = one.e[j].opath;
		ret = 0;
	}
	close(cp->out);
	finish_command(cp);
	child_process_clear(cp);
	diff_record_release(&one);
	free(r.buf);
	return ret;
}

/*
 * blame's find_rename() diffs with the path as the only file created
 * (diff_options.single_follow): every file deleted is a source for it,
 * though the whole tree's rename detection may pair that source with
 * another file. The same diff is asked for with a pathspec of the path
 * and all the files deleted; rec is the whole tree's, for the list.
 * Each of the n paths is its own git, FOLLOW_JOBS of them at once: a
 * commit that moves a directory asks for hundreds. Sets from[i] (NULL:
 * no rename) and ok[i], 0 when git could not be asked for paths[i].
 */
void replay_follow(const struct diff_record *rec, const char *commit,
		   const char *parent, const char *const *paths, size_t n,
		   const char **from, unsigned char *ok)
{
	struct child_process cp[FOLLOW_JOBS];
	int started[FOLLOW_JOBS];
	struct strvec srcs = STRVEC_INIT;
	char *req = xstrfmt("%s %s\n@\n", commit, parent);
	size_t j, next = 0, done = 0, bytes = 0;

	memset(ok, 0, n);
	for (j = 0; j < rec->nr; j++)
		if (rec->e[j].status == 'D' || rec->e[j].status == 'R') {
			strvec_push(&srcs, rec->e[j].opath);
			bytes += strlen(rec->e[j].opath) + 1;
		}
	if (bytes > FOLLOW_MAX_ARGS)
		n = 0;
	while (done < n) {
		/* start what fits, then take the oldest's answer */
		for (; next < n && next - done < FOLLOW_JOBS; next++)
			started[next % FOLLOW_JOBS] =
				follow_start(&cp[next % FOLLOW_JOBS], &srcs,
					     req, paths[next]);
		j = done % FOLLOW_JOBS;
		if (started[j] >= 0)
			ok[done] = !follow_finish(&cp[j], paths[done],
						  &from[done], !started[j]);
		done++;
	}
	strvec_clear(&srcs);
	free(req);
}

/*
 * blame's find_rename() against the merge's parent i, which lacks the
 * path: the source of a rename git's own rename detection finds from
 * that parent to the merge, with the path the only file created. The
 * whole tree's diff is asked for once per merge and parent; when it
 * creates more than the one file, the path is followed alone.
 */
static const struct fent *renamed_from(struct replay *rp, uint32_t k,
				       uint32_t i, const struct dentry *d)
{
	struct survival *s = rp->s;
	const struct scommit *c = &s->c[k];
	uint32_t p = s->parents[c->par + i];
	struct diff_record *rec;
	const struct dentry *pair = NULL;
	size_t j, nsrc = 0, ndst = 0;

	if (i >= rp->rn_nr) {
		size_t n = c->npar;

		rp->rn_rec = xrealloc(rp->rn_rec, n * sizeof(*rp->rn_rec));
		rp->rn_asked = xrealloc(rp->rn_asked, n);
		for (j = rp->rn_nr; j < n; j++) {
			memset(&rp->rn_rec[j], 0, sizeof(*rp->rn_rec));
			strbuf_init(&rp->rn_rec[j].head, 0);
			rp->rn_asked[j] = 0;
		}
		rp->rn_nr = n;
	}
	rec = &rp->rn_rec[i];
	if (!rp->rn_asked[i]) {
		struct strbuf req = STRBUF_INIT;
		char hex[41];

		rp->rn_asked[i] = 1;
		rec->nr = 0;
		if (rp->rn_failed || (!rp->rn_started && renames_start(rp) < 0))
			return NULL;
		oid_to_hex(hex, c->oid);
		strbuf_addf(&req, "%s ", hex);
		oid_to_hex(hex, s->c[p].oid);
		strbuf_addf(&req, "%s\n@\n", hex);
		if (server_feed(rp->rn.in, req.buf, req.len) < 0 ||
		    diff_record_read(&rp->rn_rd, rec, '\0') <= 0) {
			rp->rn_failed = 1;
			rec->nr = 0;
		}
		strbuf_release(&req);
	}
	for (j = 0; j < rec->nr; j++) {
		const struct dentry *e = &rec->e[j];

		if (e->status == 'D' || e->status == 'R')
			nsrc++;
		if (e->status == 'A' || e->status == 'R')
			ndst++;
		if ((e->status == 'A' || e->status == 'R') &&
		    e->npath == d->npath)
			pair = e;
	}
	if (!pair || !nsrc)
		return NULL;
	if (ndst > 1 && !replay_only_exact_source(rec, pair)) {
		char mhex[41], phex[41];
		const char *from = NULL;
		unsigned char ok;

		oid_to_hex(mhex, c->oid);
		oid_to_hex(phex, s->c[p].oid);
		replay_follow(rec, mhex, phex, &d->npath, 1, &from, &ok);
		if (ok)
			return from ? parent_file(s, p, from, d->nmode) : NULL;
	}
	return pair->status == 'R' ?
		parent_file(s, p, pair->opath, d->nmode) : NULL;
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
			m->org[i] = renamed_from(rp, k, i, d);
		if (m->org[i] && !memcmp(m->org[i]->blob, d->nblob, 20))
			m->whole = (int)i;
	}
	if (m->whole >= 0) {
		m->l = lines_ref(m->org[m->whole]->l);
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
	uint32_t n;

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
	for (j = 0, n = 0; j < m->l->nr; j++)
		if (m->l->v[j] == UNSET) {
			m->l->v[j] = k;
			n++;
		}
	if (n)
		survival_add_birth(s, k, n, d->npath);
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
		tstate_put(st, d->npath, d->nblob, d->nmode, m->l);
		m->l = NULL;
		if (chain)
			survival_record_deaths(s, &rp->dead, &rp->kept,
					       d->npath, c->ct);
	}
cleanup:
	rp->dead.nr = rp->kept.nr = 0;
	if (rp->rn_nr)
		memset(rp->rn_asked, 0, rp->rn_nr);
	for (e = 0; e < rec->nr; e++) {
		free(w[e].org);
		free(w[e].reqpar);
		lines_unref(w[e].p1l);
		lines_unref(w[e].l);
	}
	free(w);
	return ret;
}
