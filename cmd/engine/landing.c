/*
 * Landing, the parts after reachability and patch-ids:
 * squash merges matched through the request head refs a fetch brought
 * in, open or abandoned for what did not land, and fixup!/squash!
 * commits. The forge APIs (fetch github|gitlab) match squash merges
 * whose request refs were never fetched; this needs only git.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/date.h"
#include "base/die.h"
#include "base/oidmap.h"
#include "base/run-command.h"
#include "base/strbuf.h"
#include "engine/landing.h"
#include "git/git-cmd.h"

int64_t landing_now(void)
{
	int64_t ms;

	date_now(&ms);
	return date_sec(ms);
}

/* --- a small commit graph off the mainline ------------------------------ */

struct graph {
	struct oidmap index;      /* oid -> node */
	char (*hex)[41];
	int64_t *ct;
	int64_t *newest;
	uint32_t **par;
	uint32_t *npar;
	unsigned char *mark;
	size_t nr, alloc;
};

static size_t graph_node(struct graph *g, const char *hex)
{
	size_t v;

	if (oidmap_get(&g->index, hex, &v))
		return v;
	if (g->nr == g->alloc) {
		g->alloc = g->alloc ? g->alloc * 2 : 64;
		g->hex = xrealloc(g->hex, g->alloc * sizeof(*g->hex));
		g->ct = xrealloc(g->ct, g->alloc * sizeof(*g->ct));
		g->newest = xrealloc(g->newest, g->alloc * sizeof(*g->newest));
		g->par = xrealloc(g->par, g->alloc * sizeof(*g->par));
		g->npar = xrealloc(g->npar, g->alloc * sizeof(*g->npar));
		g->mark = xrealloc(g->mark, g->alloc);
	}
	memcpy(g->hex[g->nr], hex, 40);
	g->hex[g->nr][40] = '\0';
	g->ct[g->nr] = 0;
	g->newest[g->nr] = 0;
	g->par[g->nr] = NULL;
	g->npar[g->nr] = 0;
	g->mark[g->nr] = 0;
	oidmap_put(&g->index, hex, g->nr);
	return g->nr++;
}

/*
 * "git log --topo-order --format=%H %ct %P <tips> --not <mainline>":
 * what is beyond the mainline, children before their parents.
 */
static int graph_load(struct graph *g, const struct strvec *tips,
		      const char *mainline, size_t **order, size_t *norder)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	size_t alloc = 0;
	char *p, *nl;
	int ret = 0;

	*order = NULL;
	*norder = 0;
	strvec_pushl(&args, "log", "--topo-order", "--format=%H %ct %P", NULL);
	if (tips->nr)
		strvec_pushv(&args, tips->v);
	else
		strvec_push(&args, "HEAD");
	strvec_pushl(&args, "--not", mainline, "--", NULL);
	if (git_cmd(args.v, &out, NULL, 0)) {
		ret = error("git log failed beyond the mainline");
		goto cleanup;
	}
	for (p = out.buf; (nl = strchr(p, '\n')); p = nl + 1) {
		char *q;
		size_t k;

		*nl = '\0';
		if (strlen(p) < 42)
			continue;
		p[40] = '\0';
		k = graph_node(g, p);
		g->ct[k] = strtoll(p + 41, &q, 10);
		while (*q == ' ' && strlen(q + 1) >= 40) {
			size_t pk;

			q[41] = '\0';
			pk = graph_node(g, q + 1);
			g->par[k] = xrealloc(g->par[k], (g->npar[k] + 1) *
					     sizeof(**g->par));
			g->par[k][g->npar[k]++] = (uint32_t)pk;
			q += 41;
			if (q < nl)
				*q = ' ';
		}
		ALLOC_GROW(*order, *norder + 1, alloc);
		(*order)[(*norder)++] = k;
	}
cleanup:
	strvec_clear(&args);
	strbuf_release(&out);
	return ret;
}

static void graph_release(struct graph *g)
{
	size_t i;

	for (i = 0; i < g->nr; i++)
		free(g->par[i]);
	free(g->par);
	free(g->hex);
	free(g->npar);
	free(g->ct);
	free(g->newest);
	free(g->mark);
	oidmap_clear(&g->index);
	memset(g, 0, sizeof(*g));
}

/* --- open or abandoned ---------------------------------------------------- */

/*
 * An unlanded change is abandoned once nothing on its branch (it or a
 * commit built on it) is newer than 30 days; else it is still open.
 */
static int mark_abandoned(struct change_set *set, const struct strvec *revs)
{
	struct graph g;
	size_t *order = NULL, norder = 0, i, j, v;
	int64_t now = landing_now(), limit;
	int ret = 0, any = 0;

	memset(&g, 0, sizeof(g));
	for (i = 0; i < set->nr && !any; i++)
		any = set->c[i].landed == LANDED_NO;
	if (!any)
		return 0;
	if (graph_load(&g, revs, set->mainline_tip, &order, &norder) < 0) {
		ret = -1;
		goto cleanup;
	}
	/* children first: each hands its newest time down to its parents */
	for (i = 0; i < norder; i++) {
		size_t k = order[i];

		if (g.newest[k] < g.ct[k])
			g.newest[k] = g.ct[k];
		for (j = 0; j < g.npar[k]; j++)
			if (g.newest[g.par[k][j]] < g.newest[k])
				g.newest[g.par[k][j]] = g.newest[k];
	}
	limit = now - (int64_t)LANDING_ABANDON_DAYS * 86400;
	for (i = 0; i < set->nr; i++) {
		struct change *c = &set->c[i];
		int64_t newest = c->commit_time;

		if (c->landed != LANDED_NO)
			continue;
		if (oidmap_get(&g.index, c->oid, &v) && g.newest[v] > newest)
			newest = g.newest[v];
		c->outcome.abandoned = newest < limit;
	}
cleanup:
	free(order);
	graph_release(&g);
	return ret;
}

/* --- squash merges ------------------------------------------------------ */

struct request_ref {
	unsigned long n;
	int gitlab;
	int64_t tip_time;  /* committer time of the head */
	char tip[41];
	char landed[41];   /* the mainline commit that squashed it, or "" */
};

/* "Subject (#123)" */
static int github_number(const char *msg, unsigned long *n)
{
	const char *nl = strchr(msg, '\n'), *end, *p;

	end = nl ? nl : msg + strlen(msg);
	while (end > msg && (end[-1] == ' ' || end[-1] == '\r'))
		end--;
	if (end - msg < 4 || end[-1] != ')')
		return 0;
	for (p = end - 2; p > msg && *p >= '0' && *p <= '9'; p--)
		;
	if (p == end - 2 || *p != '#' || p == msg || p[-1] != '(')
		return 0;
	*n = strtoul(p + 1, NULL, 10);
	return 1;
}

/* "See merge request group/project!123" */
static int gitlab_number(const char *msg, unsigned long *n)
{
	const char *p = strstr(msg, "See merge request ");

	if (!p)
		return 0;
	p += 18;
	while (*p && *p != '!' && *p != '\n' && *p != ' ')
		p++;
	if (*p != '!' || p[1] < '0' || p[1] > '9')
		return 0;
	*n = strtoul(p + 1, NULL, 10);
	return 1;
}

static int read_request_refs(struct request_ref **out, size_t *nr)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf refs = STRBUF_INIT;
	size_t alloc = 0;
	char *p, *nl;
	int ret = 0;

	strvec_pushl(&args, "for-each-ref",
		     "--format=%(objectname) %(committerdate:unix) %(refname)",
		     "refs/pull/", "refs/merge-requests/", NULL);
	if (git_cmd(args.v, &refs, NULL, 0)) {
		ret = error("git for-each-ref failed");
		goto cleanup;
	}
	for (p = refs.buf; (nl = strchr(p, '\n')); p = nl + 1) {
		struct request_ref r;
		const char *name, *num;
		char *end;

		*nl = '\0';
		if (strlen(p) < 42)
			continue;
		memset(&r, 0, sizeof(r));
		r.tip_time = strtoll(p + 41, &end, 10);
		if (*end != ' ')
			continue;
		name = end + 1;
		if (!strncmp(name, "refs/pull/", 10)) {
			num = name + 10;
		} else if (!strncmp(name, "refs/merge-requests/", 20)) {
			num = name + 20;
			r.gitlab = 1;
		} else {
			continue;
		}
		r.n = strtoul(num, &end, 10);
		if (end == num || strcmp(end, "/head"))
			continue;
		memcpy(r.tip, p, 40);
		ALLOC_GROW(*out, *nr + 1, alloc);
		(*out)[(*nr)++] = r;
	}
cleanup:
	strvec_clear(&args);
	strbuf_release(&refs);
	return ret;
}

/*
 * The mainline commits since `since` that say they squash-merged a
 * request we hold a head ref of.
 */
static int find_squashes(struct change_set *set, struct request_ref *req,
			 size_t nreq, int64_t since)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf log = STRBUF_INIT;
	char *p, *end;
	size_t i;
	int ret = 0;

	strvec_pushl(&args, "log", "-z", "--format=%H%x1f%P%x1f%B", "-E",
		     "--grep=\\(#[0-9]+\\)", "--grep=See merge request ", NULL);
	strvec_pushf(&args, "--since=@%lld", (long long)since);
	strvec_pushl(&args, set->mainline_tip, "--", NULL);
	if (git_cmd(args.v, &log, NULL, 0)) {
		ret = error("git log failed on the mainline");
		goto cleanup;
	}
	end = log.buf + log.len;
	for (p = log.buf; p < end; p += strlen(p) + 1) {
		char *oid = p, *parents, *msg;
		unsigned long n;
		int gitlab;

		if (*oid == '\n')
			oid++;
		parents = strchr(oid, '\x1f');
		if (!parents || parents - oid != 40)
			continue;
		msg = strchr(parents + 1, '\x1f');
		if (!msg)
			continue;
		msg++;
		if (github_number(msg, &n))
			gitlab = 0;
		else if (gitlab_number(msg, &n))
			gitlab = 1;
		else
			continue;
		for (i = 0; i < nreq; i++) {
			if (req[i].n != n || req[i].gitlab != gitlab ||
			    *req[i].landed)
				continue;
			/*
			 * GitLab's squash-and-merge: the merge commit says
			 * it, the squash commit is its second parent.
			 */
			if (msg - parents >= 83 && parents[41] == ' ')
				memcpy(req[i].landed, parents + 42, 40);
			else
				memcpy(req[i].landed, oid, 40);
		}
	}
cleanup:
	strvec_clear(&args);
	strbuf_release(&log);
	return ret;
}

/*
 * The commits of squash-merged requests: those of the set that did not
 * land otherwise land as the squash commit; and when the squash commit
 * is a change of the set, every commit it absorbed is recorded, in the
 * set or not, to be one change with it.
 */
static int mark_squash(struct change_set *set)
{
	struct request_ref *req = NULL;
	struct strvec tips = STRVEC_INIT;
	struct oidmap in_set = OIDMAP_INIT;
	struct graph g;
	size_t nreq = 0, i, j, *order = NULL, norder = 0, v;
	size_t *stack = NULL, nstack = 0, stack_alloc = 0;
	int64_t oldest = INT64_MAX, tips_oldest = INT64_MAX;
	int ret = 0, unlanded = 0;

	memset(&g, 0, sizeof(g));
	/* a squash commit is newer than what it absorbed */
	for (i = 0; i < set->nr; i++) {
		const struct change *c = &set->c[i];

		if (c->landed == LANDED_NO && c->author_time < oldest)
			oldest = c->author_time;
		else if (c->landed == LANDED_REACHABLE &&
			 c->commit_time < oldest)
			oldest = c->commit_time;
		unlanded |= c->landed == LANDED_NO;
	}
	if (oldest == INT64_MAX)
		return 0;
	if (read_request_refs(&req, &nreq) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (!nreq)
		goto cleanup;
	/* and newer than the head of its request */
	for (i = 0; i < nreq; i++)
		if (req[i].tip_time < tips_oldest)
			tips_oldest = req[i].tip_time;
	if (tips_oldest > oldest)
		oldest = tips_oldest;
	/* a day of slack for clocks that disagree */
	if (find_squashes(set, req, nreq, oldest - 86400) < 0) {
		ret = -1;
		goto cleanup;
	}
	for (i = 0; i < set->nr; i++)
		oidmap_put(&in_set, set->c[i].oid, i);
	for (i = 0; i < nreq; i++) {
		if (!*req[i].landed)
			continue;
		/* nothing to land, and a squash commit out of range */
		if (!unlanded && !oidmap_get(&in_set, req[i].landed, NULL)) {
			*req[i].landed = '\0';
			continue;
		}
		strvec_push(&tips, req[i].tip);
	}
	if (!tips.nr)
		goto cleanup;
	if (graph_load(&g, &tips, set->mainline_tip, &order, &norder) < 0) {
		ret = -1;
		goto cleanup;
	}
	/* a request's commits: its head, its ancestors off the mainline */
	for (i = 0; i < nreq; i++) {
		if (!*req[i].landed || !oidmap_get(&g.index, req[i].tip, &v))
			continue;
		memset(g.mark, 0, g.nr);
		nstack = 0;
		ALLOC_GROW(stack, nstack + 1, stack_alloc);
		stack[nstack++] = v;
		g.mark[v] = 1;
		while (nstack) {
			size_t k = stack[--nstack];

			for (j = 0; j < g.npar[k]; j++) {
				size_t pk = g.par[k][j];

				if (g.mark[pk] || !g.ct[pk])
					continue;  /* seen, or mainline */
				g.mark[pk] = 1;
				ALLOC_GROW(stack, nstack + 1, stack_alloc);
				stack[nstack++] = pk;
			}
		}
		for (j = 0; j < set->nr; j++) {
			struct change *c = &set->c[j];

			if (c->landed != LANDED_NO ||
			    !oidmap_get(&g.index, c->oid, &v) || !g.mark[v])
				continue;
			c->landed = LANDED_SQUASH;
			memcpy(c->landed_as, req[i].landed, 41);
			memcpy(c->outcome.squashed_into, req[i].landed, 41);
		}
		if (!oidmap_get(&in_set, req[i].landed, NULL))
			continue;
		for (j = 0; j < g.nr; j++)
			if (g.mark[j])
				change_set_absorb(set, g.hex[j], req[i].landed);
	}
cleanup:
	oidmap_clear(&in_set);
	free(req);
	free(order);
	free(stack);
	strvec_clear(&tips);
	graph_release(&g);
	return ret;
}

/* --- fixup!/squash! ----------------------------------------------------- */

static void mark_fixups(struct change_set *set)
{
	static const char *prefixes[] = { "fixup! ", "squash! ", "amend! " };
	size_t i, j;

	for (i = 0; i < set->nr; i++)
		for (j = 0; j < ARRAY_SIZE(prefixes); j++)
			if (set->c[i].subject &&
			    !strncmp(set->c[i].subject, prefixes[j],
				     strlen(prefixes[j])))
				set->c[i].outcome.fixup = 1;
}

int landing_mark(struct change_set *set, const struct strvec *revs)
{
	mark_fixups(set);
	if (!set->mainline_ref || !*set->mainline_tip)
		return 0;
	if (mark_squash(set) < 0 || mark_abandoned(set, revs) < 0)
		return -1;
	return 0;
}
