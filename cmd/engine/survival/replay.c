/*
 * The walk: the commits to replay listed parents first, their diffs
 * read from co-processes of "git diff-tree", each commit's state made
 * from its parents' (merge.c for merges).
 */
#include "base/compat.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/die.h"
#include "base/term.h"
#include "engine/survival/survival-internal.h"
#include "git/repo.h"

#define WORKERS 2

/*
 * The record in blame's pairing, its sources made whole again: a file
 * several created files take is renamed to one and copied to the rest;
 * a deleted file none takes is a deletion. old[i] is the source entry i
 * had in the whole tree's pairing.
 */
static void pair_sources(struct diff_record *rec, const char **old,
			 const struct tstate *st)
{
	size_t i, j, n = rec->nr;

	for (i = 0; i < n; i++) {
		struct dentry *e = &rec->e[i];

		for (j = 0; e->status == 'R' && j < i; j++)
			if (rec->e[j].status == 'R' &&
			    rec->e[j].opath == e->opath)
				e->status = 'C';
	}
	for (i = 0; i < n; i++) {
		const char *src = rec->e[i].status == 'D' ? rec->e[i].opath :
				  old[i];
		const struct fent *f;
		struct dentry *d;
		int taken = 0;

		if (!src || (rec->e[i].status == 'R' &&
			     rec->e[i].opath == src))
			continue;
		for (j = 0; j < n && !taken; j++)
			taken = rec->e[j].status == 'R' &&
				rec->e[j].opath == src;
		if (rec->e[i].status == 'D') {
			if (taken)
				rec->e[i].status = 0;  /* dropped below */
			continue;
		}
		f = tstate_get(st, src);
		if (taken || !f)
			continue;
		ALLOC_GROW(rec->e, rec->nr + 1, rec->alloc);
		d = &rec->e[rec->nr++];
		memset(d, 0, sizeof(*d));
		d->status = 'D';
		d->opath = d->npath = src;
		d->omode = f->mode;
		memcpy(d->oblob, f->blob, 20);
	}
	for (i = j = 0; i < rec->nr; i++)
		if (rec->e[i].status)
			rec->e[j++] = rec->e[i];
	rec->nr = j;
}

/*
 * An exact rename from the one deleted file with its blob: blame's
 * single diff finds exact renames first, so it pairs the same.
 */
int replay_only_exact_source(const struct diff_record *rec,
			     const struct dentry *e)
{
	size_t i, n = 0;

	if (e->status != 'R' || memcmp(e->oblob, e->nblob, 20))
		return 0;
	for (i = 0; i < rec->nr && n < 2; i++)
		if ((rec->e[i].status == 'D' || rec->e[i].status == 'R') &&
		    !memcmp(rec->e[i].oblob, e->nblob, 20))
			n++;
	return n == 1;
}

/*
 * blame follows one path at a time (find_rename() with the path the
 * only file created): of a commit that creates more than one file and
 * deletes some, each created file may take another deleted file than
 * the whole tree's rename detection pairs it with, or one another file
 * took too. Such files get the diff from blame's source; the line
 * counts of the change are the whole tree's diff's, as git log's.
 */
static int follow_singly(struct replay *rp, const struct tstate *st,
			 uint32_t k)
{
	struct survival *s = rp->s;
	struct diff_record *rec = &rp->rec;
	const struct scommit *c = &s->c[k];
	const char **from = NULL, **old = NULL, **ask, **got;
	unsigned char *ok;
	size_t i, j, nsrc = 0, ndst = 0, nchanged = 0, nask = 0;
	char hex[41], phex[41];
	int ret = 0;

	for (i = 0; i < rec->nr; i++) {
		nsrc += rec->e[i].status == 'D' || rec->e[i].status == 'R';
		ndst += rec->e[i].status == 'A' || rec->e[i].status == 'R';
	}
	if (ndst < 2 || !nsrc || c->npar != 1)
		return 0;
	oid_to_hex(hex, c->oid);
	oid_to_hex(phex, s->c[s->parents[c->par]].oid);
	from = xcalloc(rec->nr, sizeof(*from));
	old = xcalloc(rec->nr, sizeof(*old));
	ask = xcalloc(rec->nr, sizeof(*ask));
	got = xcalloc(rec->nr, sizeof(*got));
	ok = xcalloc(rec->nr, 1);
	for (i = 0; i < rec->nr; i++) {
		const struct dentry *e = &rec->e[i];

		if ((e->status == 'A' || e->status == 'R') &&
		    !replay_only_exact_source(rec, e))
			ask[nask++] = e->npath;
	}
	replay_follow(rec, hex, phex, ask, nask, got, ok);
	rp->nreq = rp->nh = 0;
	for (i = j = 0; i < rec->nr; i++) {
		struct dentry *e = &rec->e[i];
		const struct fent *f = NULL;

		old[i] = from[i] = e->status == 'R' ? e->opath : NULL;
		/* paths are interned: one pointer names one */
		if (j < nask && ask[j] == e->npath && ok[j++])
			from[i] = got[j - 1];
		if (from[i] == old[i] ||
		    (from[i] && !(f = tstate_get(st, from[i])))) {
			from[i] = old[i];
			continue;
		}
		nchanged++;
		if (f && !memcmp(f->blob, e->nblob, 20))
			continue;  /* the same blob: no hunk */
		replay_add_request(rp, f, e->nblob);
	}
	if (!nchanged)
		goto cleanup;
	if (rp->nreq && server_diff(&rp->srv, rp->repo, rp->req, rp->nreq,
				    &rp->h, &rp->nh, &rp->halloc) < 0) {
		/* the whole tree's pairing, then: nothing is lost */
		ret = -1;
		goto cleanup;
	}
	for (i = 0, nchanged = 0; i < rec->nr; i++) {
		struct dentry *e = &rec->e[i];
		const struct fent *f = from[i] ? tstate_get(st, from[i]) : NULL;

		if (from[i] == old[i])
			continue;
		e->status = f ? 'R' : 'A';
		e->opath = f ? from[i] : e->npath;
		e->omode = f ? f->mode : 0;
		memset(e->oblob, 0, 20);
		if (f)
			memcpy(e->oblob, f->blob, 20);
		e->binary = 0;
		e->nh = 0;
		if (f && !memcmp(f->blob, e->nblob, 20))
			continue;
		if (!rp->req[nchanged].ok) {
			e->binary = 1;
		} else {
			const struct request *r = &rp->req[nchanged];

			ALLOC_GROW(rec->h, rec->nh + r->nh, rec->halloc);
			memcpy(rec->h + rec->nh, rp->h + r->h,
			       r->nh * sizeof(*rec->h));
			e->h = rec->nh;
			e->nh = r->nh;
			rec->nh += r->nh;
		}
		nchanged++;
	}
	pair_sources(rec, old, st);
cleanup:
	rp->nreq = rp->nh = 0;
	free(from);
	free(old);
	free(ask);
	free(got);
	free(ok);
	return ret;
}

/*
 * A commit of one parent (or a state derived from another's): its diff
 * applied to st, new lines set to fill; deaths recorded when on chain.
 */
static void replay_simple(struct replay *rp, struct tstate *st, uint32_t fill,
			  int chain, int64_t time)
{
	struct survival *s = rp->s;
	struct diff_record *rec = &rp->rec;
	struct lines **src;
	int *had;
	size_t i;

	if (fill != NONE && follow_singly(rp, st, fill) < 0 &&
	    !rp->srv_warned++)
		warning("survival: some renames could not be followed");
	src = xcalloc(rec->nr + 1, sizeof(*src));
	had = xcalloc(rec->nr + 1, sizeof(*had));
	/* Sources first: nothing has changed in st yet. */
	for (i = 0; i < rec->nr; i++) {
		const struct fent *f = tstate_get(st, rec->e[i].opath);

		if (f && rec->e[i].status != 'A') {
			had[i] = 1;
			src[i] = lines_ref(f->l);
		}
	}
	for (i = 0; i < rec->nr; i++) {
		struct dentry *e = &rec->e[i];
		const struct hunk *h = rec->h + e->h;
		struct lines *l = NULL;

		if (chain && (e->status == 'D' || e->status == 'T'))
			lines_push_all(&rp->dead, src[i]);
		if (e->status == 'D') {
			tstate_del(st, e->opath);
			survival_record_deaths(s, &rp->dead, &rp->kept,
					       e->opath, time);
			continue;
		}
		if (e->status == 'R')
			tstate_del(st, e->opath);
		if (is_gitlink(e->nmode)) {
			tstate_del(st, e->npath);
			rp->dead.nr = 0;
			continue;
		}
		if (e->binary)
			l = NULL;
		else if (e->status == 'A' || e->status == 'T' ||
			 is_gitlink(e->omode))
			l = apply_hunks(NULL, h, e->nh, fill, NULL);
		else if (had[i] && src[i])
			l = apply_hunks(src[i], h, e->nh, fill,
					chain && e->status != 'C' ?
					&rp->dead : NULL);
		/* (a binary file renamed stays binary: nothing is lost) */
		if (!l && !e->binary && !(had[i] && !src[i]))
			survival_lose(s, fill, e->npath,
				      had[i] ? "hunks do not fit" :
				      "no known origin");
		tstate_put(st, e->npath, e->nblob, e->nmode, l);
		survival_record_deaths(s, &rp->dead, &rp->kept, e->npath,
				       time);
	}
	for (i = 0; i < rec->nr; i++)
		lines_unref(src[i]);
	free(src);
	free(had);
}

/* Each commit of need (full ids) is one the range replays. */
static int range_holds(const struct survival *s, const struct strvec *need)
{
	size_t i, v;

	for (i = 0; need && i < need->nr; i++)
		if (!oidmap_get(&s->index, need->v[i], &v) || !s->c[v].replay)
			return 0;
	return 1;
}

struct step {
	uint32_t k;
	unsigned derived:1;  /* an old commit's state, from the old tip's */
};

/*
 * A parent the walk did not list: with a seeder, a boundary commit of
 * the range (lines of no commit); else not in this history (a graft).
 */
static int parent_index(struct survival *s, const unsigned char *oid,
			size_t *v)
{
	if (oidmap_get_raw(&s->index, oid, v))
		return 1;
	if (!s->seeder)
		return 0;
	*v = survival_add_commit(s, oid);
	s->c[*v].st = seeder_state(s->seeder, oid);
	s->boundary++;
	return 1;
}

/*
 * The commits to replay, parents first: all of tip's history, what is
 * new since base (whose state we have), or what is above the bottoms of
 * a range. Old commits that new ones build on get a state derived from
 * base's (diff base -> it), good enough for the rare lines that come
 * through them.
 */
static int list_commits(struct survival *s, const char *tip, const char *base,
			const struct strvec *bottoms, struct step **steps,
			size_t *nsteps)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	size_t nold = s->nr, alloc = 0, i, nstep = 0;
	uint32_t base_k = NONE;
	char *p, *nl;
	int ret = 0;

	*steps = NULL;
	if (base) {
		size_t v;
		unsigned char oid[20];

		oid_from_hex(oid, base);
		if (oidmap_get_raw(&s->index, oid, &v))
			base_k = (uint32_t)v;
	}
	cp.git_cmd = 1;
	strvec_pushl(&cp.args, "log", "--topo-order", "--reverse",
		     "--format=%H %ct %P", tip, NULL);
	if (base)
		strvec_pushf(&cp.args, "^%s", base);
	for (i = 0; bottoms && i < bottoms->nr; i++)
		strvec_pushf(&cp.args, "^%s", bottoms->v[i]);
	strvec_push(&cp.args, "--");
	if (capture_command(&cp, &out)) {
		ret = error("git log failed on '%s'", tip);
		goto cleanup;
	}
	for (p = out.buf; (nl = strchr(p, '\n')); p = nl + 1) {
		unsigned char oid[20];
		uint32_t k;
		char *q;

		*nl = '\0';
		if (strlen(p) < 42 || oid_from_hex(oid, p)) {
			ret = error("unexpected output from git log");
			goto cleanup;
		}
		k = survival_add_commit(s, oid);
		s->c[k].replay = 1;
		s->c[k].ct = strtoll(p + 41, &q, 10);
		s->c[k].par = (uint32_t)s->nparents;
		while (*q == ' ' && strlen(q + 1) >= 40) {
			size_t v;

			if (oid_from_hex(oid, q + 1) ||
			    !parent_index(s, oid, &v)) {
				q += 41;
				continue;
			}
			ALLOC_GROW(s->parents, s->nparents + 1,
				   s->parents_alloc);
			s->parents[s->nparents++] = (uint32_t)v;
			s->c[k].npar++;
			q += 41;
		}
		s->c[k].merge = s->c[k].npar > 1;
		for (i = 0; i < s->c[k].npar; i++) {
			uint32_t pk = s->parents[s->c[k].par + i];

			/* an old commit other than base: derive its state */
			if (pk < nold && pk != base_k && !s->c[pk].pending) {
				ALLOC_GROW(*steps, nstep + 1, alloc);
				(*steps)[nstep].k = pk;
				(*steps)[nstep++].derived = 1;
				if (base_k != NONE)
					s->c[base_k].pending++;
			}
			s->c[pk].pending++;
		}
		ALLOC_GROW(*steps, nstep + 1, alloc);
		(*steps)[nstep].k = k;
		(*steps)[nstep++].derived = 0;
	}
	/* derived states first: they need only base */
	{
		size_t nd = 0, j;
		struct step *sorted = xmalloc((nstep + 1) * sizeof(*sorted));

		for (j = 0; j < nstep; j++)
			if ((*steps)[j].derived)
				sorted[nd++] = (*steps)[j];
		for (j = 0; j < nstep; j++)
			if (!(*steps)[j].derived)
				sorted[nd++] = (*steps)[j];
		free(*steps);
		*steps = sorted;
	}
	*nsteps = nstep;
cleanup:
	child_process_clear(&cp);
	strbuf_release(&out);
	return ret;
}

/* The first-parent chain of the tip, and when each commit reached it. */
static void mark_chain(struct survival *s, uint32_t tip)
{
	size_t i;
	uint32_t k = tip;

	while (k != NONE && s->c[k].replay && !s->c[k].chain) {
		s->c[k].chain = 1;
		k = s->c[k].npar ? s->parents[s->c[k].par] : NONE;
	}
	for (i = 0; i < s->nr; i++)
		if (s->c[i].replay)
			s->c[i].land = s->c[i].chain ? s->c[i].ct : INT64_MAX;
	/* children come after their parents: walk newest first */
	for (i = s->nr; i-- > 0; ) {
		struct scommit *c = &s->c[i];
		uint32_t j;

		if (!c->replay)
			continue;
		if (c->chain)
			c->land = c->ct;
		for (j = 0; j < c->npar; j++) {
			struct scommit *p = &s->c[s->parents[c->par + j]];

			if (p->replay && !p->chain && c->land < p->land)
				p->land = c->land;
		}
	}
}

/* An unlinked temporary file holding data, read from its start. */
static int temp_fd_with(const struct strbuf *data)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path = xstrfmt("%s/git-tokens-survival.XXXXXX",
			     tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(path);

	if (fd < 0) {
		error_errno("unable to create '%s'", path);
	} else {
		unlink(path);
		if (server_feed(fd, data->buf, data->len) < 0 ||
		    lseek(fd, 0, SEEK_SET) < 0) {
			close(fd);
			fd = -1;
		}
	}
	free(path);
	return fd;
}

static int write_steps(const struct survival *s, const struct step *steps,
		       const unsigned char *prod, unsigned which,
		       size_t nsteps, const char *base)
{
	struct strbuf in = STRBUF_INIT;
	char hex[41];
	size_t i;
	int fd;

	for (i = 0; i < nsteps; i++) {
		const struct scommit *c = &s->c[steps[i].k];

		if (prod[i] != which)
			continue;
		oid_to_hex(hex, c->oid);
		strbuf_addstr(&in, hex);
		if (steps[i].derived) {
			strbuf_addf(&in, " %s", base);
		} else if (c->merge) {
			oid_to_hex(hex, s->c[s->parents[c->par]].oid);
			strbuf_addf(&in, " %s", hex);
		}
		strbuf_addstr(&in, "\n@\n");
	}
	fd = temp_fd_with(&in);
	strbuf_release(&in);
	return fd;
}

/* The merges, in replay order, for the prefetch thread. */
static int write_merges(const struct survival *s, const struct step *steps,
			const unsigned char *prod, unsigned which,
			size_t nsteps)
{
	struct strbuf in = STRBUF_INIT;
	char hex[41];
	size_t i;
	int fd;

	for (i = 0; i < nsteps; i++)
		if (prod[i] == which) {
			oid_to_hex(hex, s->c[steps[i].k].oid);
			strbuf_addf(&in, "%s\n", hex);
		}
	fd = temp_fd_with(&in);
	strbuf_release(&in);
	return fd;
}

static struct tstate *take_state(struct survival *s, uint32_t p)
{
	struct scommit *c = &s->c[p];
	struct tstate *st;

	if (!c->st)
		return tstate_new();  /* lost: should not happen */
	if (c->pending <= 1) {
		st = c->st;
		c->st = NULL;
		c->pending = 0;
		return st;
	}
	c->pending--;
	return tstate_copy(c->st);
}

static void release_state(struct survival *s, uint32_t p)
{
	struct scommit *c = &s->c[p];

	if (c->pending && !--c->pending) {
		tstate_free(c->st);
		c->st = NULL;
	}
}

/*
 * Two producers of patches share the commits; a third lists what a
 * merge changes against its first parent, without patches: a merge's
 * patches are needed only for the files no parent gives whole, and are
 * asked of the diff server then.
 */
static int start_producer(struct child_process *cp, struct rd *rd, int fd,
			  int patches, const char *indent_opt)
{
	struct child_process init = CHILD_PROCESS_INIT;

	*cp = init;
	cp->git_cmd = 1;
	cp->in = fd;
	cp->out = -1;
	strvec_pushl(&cp->args, "diff-tree", "--stdin", "-r", "-M", "--raw",
		     "-z", "--root", "--always", "--no-ext-diff",
		     "--no-textconv", "--no-color", indent_opt, NULL);
	if (patches)
		strvec_pushl(&cp->args, "-p", "-U0", NULL);
	if (start_command(cp) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	/* room to run ahead while another one is read */
	compat_pipe_size(cp->out, 1 << 20);
	rd->fd = cp->out;
	return 0;
}

static void replay_init(struct replay *rp, struct survival *s,
			struct repo *repo)
{
	int indent = 1;

	memset(rp, 0, sizeof(*rp));
	strbuf_init(&rp->rec.head, 0);
	strbuf_init(&rp->srv.rec.head, 0);
	rp->s = s;
	rp->repo = repo;
	rp->srv.indent_opt = "--indent-heuristic";
	/* blame honours diff.indentHeuristic; so must the diffs */
	if (repo_config_bool(repo, "diff.indentHeuristic", &indent) == 0 &&
	    !indent)
		rp->srv.indent_opt = "--no-indent-heuristic";
}

static void replay_release(struct replay *rp)
{
	diff_record_release(&rp->rec);
	free(rp->dead.v);
	free(rp->kept.v);
	free(rp->req);
	free(rp->h);
	free(rp->answered);
	free(rp->ask);
	replay_renames_stop(rp);
}

/* One step of the walk, its diff read: the state it makes. */
static int replay_step(struct replay *rp, const struct step *step,
		       uint32_t base_k)
{
	struct survival *s = rp->s;
	struct scommit *c = &s->c[step->k];
	struct tstate *st;
	uint32_t j;

	if (step->derived) {
		st = base_k != NONE ? take_state(s, base_k) : tstate_new();
		replay_simple(rp, st, NONE, 0, 0);
		c->st = st;
		return 0;
	}
	st = c->npar ? take_state(s, s->parents[c->par]) : tstate_new();
	if (c->merge) {
		if (replay_merge(rp, step->k, st) < 0) {
			tstate_free(st);
			return -1;
		}
	} else {
		replay_simple(rp, st, step->k, c->chain, c->ct);
	}
	for (j = 1; j < c->npar; j++)
		release_state(s, s->parents[c->par + j]);
	c->st = st;
	if (!c->pending) {
		tstate_free(st);
		c->st = NULL;
	}
	s->replayed++;
	return 0;
}

int survival_replay(struct survival *s, struct repo *repo, const char *tip,
		    const char *base, const struct survival_opts *opts)
{
	struct child_process cp[WORKERS + 1];
	struct rd rd[WORKERS + 1];
	struct replay rp;
	struct step *steps = NULL;
	struct progress *progress = NULL;
	unsigned char *prod = NULL;
	size_t nsteps = 0, i, nw = 0, nprod = 0, nmerges = 0, rr = 0;
	uint32_t tip_k = NONE, base_k = NONE;
	unsigned char oid[20];
	void (*old_pipe)(int);
	size_t v;
	int ret = 0;

	/* A co-process that dies must not take us with it. */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	memset(rd, 0, sizeof(rd));
	replay_init(&rp, s, repo);
	if (opts->bottoms && opts->bottoms->nr)
		s->seeder = seeder_new();
	if (base) {
		oid_from_hex(oid, base);
		if (oidmap_get_raw(&s->index, oid, &v)) {
			base_k = (uint32_t)v;
			s->c[base_k].st = s->tip;
			s->tip = NULL;
		}
	}
	if (list_commits(s, tip, base, s->seeder ? opts->bottoms : NULL,
			 &steps, &nsteps) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (s->seeder && !range_holds(s, opts->need)) {
		ret = 1;
		goto cleanup;
	}
	oid_from_hex(oid, tip);
	if (!oidmap_get_raw(&s->index, oid, &v)) {
		/* a range's bottoms reach the tip: nothing to follow */
		if (!s->seeder)
			ret = error("'%s' is not in its own history", tip);
		goto cleanup;
	}
	tip_k = (uint32_t)v;
	s->c[tip_k].pending++;
	mark_chain(s, tip_k);
	s->cnt = xcalloc(s->nr + 1, sizeof(*s->cnt));

	nw = nsteps > 64 ? WORKERS : 1;
	prod = xmalloc(nsteps + 1);
	for (i = 0; i < nsteps; i++) {
		if (!steps[i].derived && s->c[steps[i].k].merge) {
			prod[i] = (unsigned char)nw;
			nmerges++;
		} else {
			prod[i] = (unsigned char)(rr++ % nw);
		}
	}
	for (nprod = 0; nprod < nw + !!nmerges; nprod++) {
		int fd = write_steps(s, steps, prod, (unsigned)nprod, nsteps,
				     base);

		if (fd < 0 ||
		    start_producer(&cp[nprod], &rd[nprod], fd, nprod < nw,
				   rp.srv.indent_opt) < 0) {
			ret = -1;
			goto cleanup;
		}
	}
	if (nmerges) {
		int fd = write_merges(s, steps, prod, (unsigned)nw, nsteps);

		if (fd >= 0)
			prefetch_start(&rp.pf, repo, fd, rp.srv.indent_opt);
	}
	if (opts->progress)
		progress = progress_start("Following lines", nsteps);
	for (i = 0; i < nsteps; i++) {
		char hex[41];

		if (diff_record_read(&rd[prod[i]], &rp.rec, '\0') <= 0) {
			ret = error("git diff-tree stopped early");
			goto cleanup;
		}
		oid_to_hex(hex, s->c[steps[i].k].oid);
		if (rp.rec.head.len != 40 || memcmp(rp.rec.head.buf, hex, 40)) {
			ret = error("git diff-tree answered out of order");
			goto cleanup;
		}
		if (replay_step(&rp, &steps[i], base_k) < 0) {
			ret = -1;
			goto cleanup;
		}
		if (!steps[i].derived)
			progress_update(progress, i + 1);
	}
	s->tip = s->c[tip_k].st;
	s->c[tip_k].st = NULL;
	if (s->tip)
		s->tip->seed = NULL;  /* the seeds go with this run */
	memcpy(s->tip_oid, tip, 41);
cleanup:
	progress_stop(&progress);
	for (i = 0; i < nprod; i++) {
		/* drain, so that a producer we stopped reading can exit */
		if (ret < 0)
			while (rd_more(&rd[i]) > 0)
				rd[i].pos = rd[i].len;
		close(cp[i].out);
		if (finish_command(&cp[i]) && !ret)
			ret = error("git diff-tree failed");
		child_process_clear(&cp[i]);
		free(rd[i].buf);
	}
	prefetch_stop(&rp.pf);
	server_stop(&rp.srv);
	for (i = 0; i < s->nr; i++) {
		tstate_free(s->c[i].st);
		s->c[i].st = NULL;
		s->c[i].pending = 0;
	}
	if (seeder_free(s->seeder) < 0 && !ret)
		ret = -1;
	s->seeder = NULL;
	replay_release(&rp);
	free(steps);
	free(prod);
	signal(SIGPIPE, old_pipe);
	return ret;
}
