/*
 * Attribution (SPEC §6.2): usage events and note lines onto changes, in
 * confidence order hook > link > window > day, each event once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/die.h"
#include "base/run-command.h"
#include "engine/attribution.h"
#include "git/repo.h"
#include "net/provider.h"
#include "sources/sources.h"

#define DAY_MS 86400000LL

/* ---- per-change sums, with the tool and model of most cost ---- */

struct weight {
	const char *name;
	double w;
};

struct acc {
	struct weight *tools, *models;
	size_t ntools, nmodels, atools, amodels;
	int has_note;
	int absorbs;            /* a squash commit that absorbed commits */
	int pre_day_usage;      /* had usage before the day phase */
};

static void weigh(struct weight **v, size_t *nr, size_t *alloc,
		  const char *name, double w)
{
	size_t i;

	if (!name)
		return;
	for (i = 0; i < *nr; i++)
		if (!strcmp((*v)[i].name, name)) {
			(*v)[i].w += w;
			return;
		}
	ALLOC_GROW(*v, *nr + 1, *alloc);
	(*v)[*nr].name = name;
	(*v)[(*nr)++].w = w;
}

static const char *heaviest(const struct weight *v, size_t nr)
{
	const char *best = NULL;
	double bw = -1;
	size_t i;

	for (i = 0; i < nr; i++)
		if (v[i].w > bw) {
			bw = v[i].w;
			best = v[i].name;
		}
	return best;
}

static void sum_add(struct usage_sum *u, struct acc *a, const char *tool,
		    const char *model, uint64_t requests, uint64_t input,
		    uint64_t output, uint64_t cache_write, uint64_t cache_read,
		    double cost, int cost_known, enum attrib_how how)
{
	/* Cost decides; tokens only break ties among unpriced usage. */
	double w = (cost_known ? cost : 0) +
		(double)(input + output + cache_write + cache_read) * 1e-15;

	usage_sum_add(u, requests, input, output, cache_write, cache_read,
		      cost, cost_known, how);
	if (a) {
		weigh(&a->tools, &a->ntools, &a->atools, tool, w);
		weigh(&a->models, &a->nmodels, &a->amodels, model, w);
		u->tool = heaviest(a->tools, a->ntools);
		u->model = heaviest(a->models, a->nmodels);
	}
}

void attribution_add_event(struct usage_sum *u, const struct usage_event *ev,
			   enum attrib_how how)
{
	sum_add(u, NULL, event_intern(tool_name(ev->tool)), ev->model, 1,
		ev->input, ev->output, ev->cache_write, ev->cache_read,
		ev->cost, ev->cost_known, how);
	if (!u->tool)
		u->tool = event_intern(tool_name(ev->tool));
	if (!u->model)
		u->model = ev->model;
}

static void add_event(struct change *c, struct acc *a,
		      const struct usage_event *ev, enum attrib_how how)
{
	sum_add(&c->usage, a, event_intern(tool_name(ev->tool)), ev->model, 1,
		ev->input, ev->output, ev->cache_write, ev->cache_read,
		ev->cost, ev->cost_known, how);
}

/* ---- changes by id, with unique-prefix lookup ---- */

struct by_oid {
	const char *oid;
	size_t idx;
};

static int by_oid_cmp(const void *a, const void *b)
{
	return strcmp(((const struct by_oid *)a)->oid,
		      ((const struct by_oid *)b)->oid);
}

/* The change named by a full or abbreviated id; -1 when none/ambiguous. */
static long find_change(const struct by_oid *v, size_t nr, const char *hex)
{
	size_t lo = 0, hi = nr, len = strlen(hex);

	if (len < 4)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(v[mid].oid, hex, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= nr || strncasecmp(v[lo].oid, hex, len))
		return -1;
	if (lo + 1 < nr && !strncasecmp(v[lo + 1].oid, hex, len))
		return -1;
	return (long)v[lo].idx;
}

/* The change of a commit, or of the squash commit that absorbed it. */
static long change_of(const struct by_oid *v, const struct change_set *set,
		      const char *hex)
{
	long c = find_change(v, set->nr, hex);
	const char *into;

	if (c < 0 && (into = change_set_absorbed_into(set, hex)))
		c = find_change(v, set->nr, into);
	return c;
}

/* ---- the notes of a squash commit and of what it absorbed ---- */

static void note_join(struct note *out, const struct note *n)
{
	size_t k;

	for (k = 0; n && k < n->nr; k++)
		note_add_raw(out, n->lines[k].raw, strlen(n->lines[k].raw));
}

int attribution_change_note(const struct change_set *set,
			    const struct notes_map *m, const char *oid,
			    struct note *out)
{
	const struct note *own = notes_find(m, oid);
	size_t i;
	int found = !!own;

	memset(out, 0, sizeof(*out));
	snprintf(out->commit, sizeof(out->commit), "%s", oid);
	note_join(out, own);
	for (i = 0; i < set->absorbed_nr; i++) {
		const struct note *n;

		if (strcmp(set->absorbed[i].into, oid) ||
		    !(n = notes_find(m, set->absorbed[i].from)))
			continue;
		note_join(out, n);
		found = 1;
	}
	return found;
}

/* ---- events that a note holds ---- */

struct span {
	const char *tool;
	const char *model;
	const char *session;
	int64_t from, to;
};

static int span_cmp(const void *va, const void *vb)
{
	const struct span *a = va, *b = vb;
	int c = strcmp(a->tool, b->tool);

	if (!c)
		c = strcmp(a->session, b->session);
	if (!c)
		c = a->from < b->from ? -1 : a->from > b->from;
	return c;
}

static void spans_build(const struct notes_map *m, struct span **out,
			size_t *nr)
{
	size_t i, k, alloc = 0;

	*out = NULL;
	*nr = 0;
	for (i = 0; i < m->nr; i++)
		for (k = 0; k < m->notes[i].nr; k++) {
			const struct note_line *l = &m->notes[i].lines[k];
			struct span *s;

			if (!l->valid)
				continue;
			ALLOC_GROW(*out, *nr + 1, alloc);
			s = &(*out)[(*nr)++];
			s->tool = l->tool;
			s->model = l->model;
			s->session = l->session;
			s->from = l->from;
			/* Note times are whole seconds. */
			s->to = l->to + 999;
		}
	if (*nr)
		qsort(*out, *nr, sizeof(**out), span_cmp);
}

static int span_covers(const struct span *v, size_t nr,
		       const struct usage_event *ev)
{
	const char *tool = tool_name(ev->tool);
	size_t lo = 0, hi = nr, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].tool, tool);

		if (!c)
			c = strcmp(v[mid].session, ev->session);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < nr && !strcmp(v[i].tool, tool) &&
		     !strcmp(v[i].session, ev->session); i++) {
		if (v[i].from > ev->time)
			break;
		if (ev->time <= v[i].to &&
		    (v[i].model == ev->model ||
		     (v[i].model && ev->model &&
		      !strcmp(v[i].model, ev->model))))
			return 1;
	}
	return 0;
}

/* ---- every commit of the people with window usage ---- */

struct person_commit {
	char oid[41];
	int64_t time;           /* committer time, seconds */
	const char *email;      /* interned, lower case */
};

static int pc_cmp(const void *va, const void *vb)
{
	const struct person_commit *a = va, *b = vb;
	int c = strcmp(a->email, b->email);

	if (!c)
		c = a->time < b->time ? -1 : a->time > b->time;
	if (!c)
		c = strcmp(a->oid, b->oid);
	return c;
}

static const char *intern_lower(const char *s)
{
	char *tmp;
	const char *r;
	size_t i;

	if (!s)
		return NULL;
	tmp = xstrdup(s);
	for (i = 0; tmp[i]; i++)
		if (tmp[i] >= 'A' && tmp[i] <= 'Z')
			tmp[i] += 'a' - 'A';
	r = event_intern(tmp);
	free(tmp);
	return r;
}

/*
 * Non-merge commits of every ref (notes refs excluded: a notes commit
 * is not anybody's change) committed since `since`, with mailmapped
 * author emails. A window needs the person's commits on every branch,
 * not only those of the range.
 */
static int person_commits(struct repo *repo, int64_t since,
			  const struct change_set *set,
			  struct person_commit **out, size_t *nr)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf buf = STRBUF_INIT;
	char **lines = NULL;
	size_t n, i, alloc = 0, w;
	int ret = 0;

	*out = NULL;
	*nr = 0;
	cp.git_cmd = 1;
	cp.no_stderr = 1;
	strvec_pushl(&cp.args, "log", "--no-merges", "--exclude=refs/notes/*",
		     "--exclude=refs/stash", "--all", "--format=%H %ct %aE",
		     NULL);
	strvec_pushf(&cp.args, "--since=@%" PRId64, since);
	if (capture_command(&cp, &buf)) {
		/* An empty repository has no HEAD: no commits at all. */
		strbuf_reset(&buf);
	}
	n = strbuf_split_inplace(buf.buf, '\n', &lines);
	for (i = 0; i < n; i++) {
		char *sp = strchr(lines[i], ' '), *sp2;
		struct person_commit *pc;

		if (!sp || sp - lines[i] != 40 || !(sp2 = strchr(sp + 1, ' ')))
			continue;
		ALLOC_GROW(*out, *nr + 1, alloc);
		pc = &(*out)[(*nr)++];
		memcpy(pc->oid, lines[i], 40);
		pc->oid[40] = '\0';
		pc->time = strtoll(sp + 1, NULL, 10);
		pc->email = intern_lower(sp2 + 1);
	}
	/* The range's own commits, with the engine's idea of the author. */
	for (i = 0; i < set->nr; i++) {
		struct person_commit *pc;

		if (!set->c[i].author_email)
			continue;
		ALLOC_GROW(*out, *nr + 1, alloc);
		pc = &(*out)[(*nr)++];
		memcpy(pc->oid, set->c[i].oid, sizeof(pc->oid));
		pc->time = set->c[i].commit_time;
		pc->email = intern_lower(set->c[i].author_email);
	}
	if (*nr)
		qsort(*out, *nr, sizeof(**out), pc_cmp);
	/* A commit listed twice keeps the range's author (agent commits). */
	for (i = w = 0; i < *nr; i++) {
		size_t k;
		int dup = 0;

		for (k = 0; k < w && !dup; k++)
			dup = !strcmp((*out)[k].oid, (*out)[i].oid) &&
				(*out)[k].email == (*out)[i].email;
		if (!dup)
			(*out)[w++] = (*out)[i];
	}
	*nr = w;
	free(lines);
	strbuf_release(&buf);
	child_process_clear(&cp);
	return ret;
}

/* The person's first commit at or after the event (with skew). */
static const struct person_commit *commit_after(const struct person_commit *v,
						size_t nr, const char *email,
						int64_t ms)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].email, email);

		if (!c && v[mid].time * 1000 + ATTRIB_SKEW_MS < ms)
			c = -1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < nr && v[lo].email == email)
		return &v[lo];
	return NULL;
}

/* ---- day: provider usage spread by countable lines ---- */

static uint64_t share_of(uint64_t x, uint64_t w, uint64_t total)
{
	return (uint64_t)((unsigned __int128)x * w / total);
}

static void spread_day(struct change_set *set, struct acc *acc,
		       const struct usage_event *ev, const char *email)
{
	int64_t day = ev->time >= 0 ? ev->time / DAY_MS : -1;
	size_t *idx = NULL, n = 0, alloc = 0, i, big = 0;
	uint64_t total = 0, *w, sum[4] = { 0, 0, 0, 0 };
	const char *tool = event_intern(tool_name(ev->tool));

	for (i = 0; i < set->nr; i++) {
		struct change *c = &set->c[i];

		if (acc[i].pre_day_usage || !c->author_email ||
		    intern_lower(c->author_email) != email ||
		    c->author_time / 86400 != day)
			continue;
		ALLOC_GROW(idx, n + 1, alloc);
		idx[n++] = i;
	}
	if (!n)
		goto cleanup;
	w = xcalloc(n, sizeof(*w));
	for (i = 0; i < n; i++) {
		w[i] = set->c[idx[i]].added + set->c[idx[i]].deleted;
		total += w[i];
	}
	/* No countable lines at all: equal shares. */
	if (!total)
		for (i = 0; i < n; i++)
			total += w[i] = 1;
	for (i = 0; i < n; i++)
		if (w[i] > w[big])
			big = i;
	for (i = 0; i < n; i++) {
		struct change *c = &set->c[idx[i]];
		uint64_t in, out, cw, cr;

		if (i == big)
			continue;
		in = share_of(ev->input, w[i], total);
		out = share_of(ev->output, w[i], total);
		cw = share_of(ev->cache_write, w[i], total);
		cr = share_of(ev->cache_read, w[i], total);
		sum[0] += in;
		sum[1] += out;
		sum[2] += cw;
		sum[3] += cr;
		sum_add(&c->usage, &acc[idx[i]], tool, ev->model, 0, in, out,
			cw, cr, ev->cost * (double)w[i] / (double)total,
			ev->cost_known, ATTRIB_DAY);
	}
	/* The largest share takes the rounding: totals stay exact. */
	sum_add(&set->c[idx[big]].usage, &acc[idx[big]], tool, ev->model, 1,
		ev->input - sum[0], ev->output - sum[1],
		ev->cache_write - sum[2], ev->cache_read - sum[3],
		ev->cost * (double)w[big] / (double)total, ev->cost_known,
		ATTRIB_DAY);
	free(w);
cleanup:
	free(idx);
}

/* ---- the whole ---- */

static int provider_tool(enum tool t)
{
	return t == TOOL_ANTHROPIC_API || t == TOOL_OPENAI_API;
}

struct link_cache {
	char hex[41];
	int exists;
};

/* Does the repository hold the commit a log names (outside the range)? */
static int link_exists(struct repo *repo, struct link_cache **cache,
		       size_t *nr, size_t *alloc, const char *hex)
{
	char full[OID_HEX + 1];
	size_t i;
	int r;

	for (i = 0; i < *nr; i++)
		if (!strcmp((*cache)[i].hex, hex))
			return (*cache)[i].exists;
	r = repo_resolve(repo, hex, full);
	ALLOC_GROW(*cache, *nr + 1, *alloc);
	snprintf((*cache)[*nr].hex, sizeof((*cache)[*nr].hex), "%s", hex);
	(*cache)[(*nr)++].exists = r == 0;
	return r == 0;
}

static void pending_add(struct metrics_pending *p, const struct usage_event *ev,
			int *cost_unknown)
{
	p->events++;
	p->tokens += event_total_tokens(ev);
	p->output += ev->output;
	if (ev->cost_known)
		p->cost += ev->cost;
	else
		*cost_unknown = 1;
}

int attribution_apply(struct change_set *set, struct repo *repo,
		      const struct attribution_input *in,
		      struct metrics_pending *pending)
{
	struct notes_map own = NOTES_MAP_INIT;
	const struct notes_map *notes = in->notes;
	struct by_oid *ids = NULL;
	struct acc *acc = NULL;
	struct span *spans = NULL;
	struct person_commit *pcs = NULL;
	struct link_cache *links = NULL;
	size_t nspans = 0, npcs = 0, nlinks = 0, alinks = 0, i, k;
	size_t *window = NULL, nwindow = 0, awindow = 0;
	char *uname = NULL, *umail = NULL;
	const char *user = NULL;
	int cost_unknown = 0, ret = -1;
	int64_t min_time = INT64_MAX;

	if (pending)
		memset(pending, 0, sizeof(*pending));
	if (!notes) {
		if (notes_read_all(repo, NULL, &own) < 0)
			goto cleanup;
		notes = &own;
	}
	if (in->user_email) {
		user = intern_lower(in->user_email);
	} else {
		repo_user_ident(repo, &uname, &umail);
		user = intern_lower(umail);
	}

	acc = xcalloc(set->nr ? set->nr : 1, sizeof(*acc));
	ids = xcalloc(set->nr ? set->nr : 1, sizeof(*ids));
	for (i = 0; i < set->nr; i++) {
		memset(&set->c[i].usage, 0, sizeof(set->c[i].usage));
		ids[i].oid = set->c[i].oid;
		ids[i].idx = i;
	}
	qsort(ids, set->nr, sizeof(*ids), by_oid_cmp);

	for (i = 0; i < set->absorbed_nr; i++) {
		long c = find_change(ids, set->nr, set->absorbed[i].into);

		if (c >= 0)
			acc[c].absorbs = 1;
	}

	/*
	 * 1. hook: the notes of the range's changes; a squash commit's are
	 * the union of its own and those of the commits it absorbed.
	 */
	for (i = 0; i < set->nr; i++) {
		const struct note *n = notes_find(notes, set->c[i].oid);
		struct note joined;

		memset(&joined, 0, sizeof(joined));
		if (acc[i].absorbs &&
		    attribution_change_note(set, notes, set->c[i].oid,
					    &joined))
			n = &joined;
		if (!n) {
			note_release(&joined);
			continue;
		}
		acc[i].has_note = 1;
		for (k = 0; k < n->nr; k++) {
			const struct note_line *l = &n->lines[k];

			if (!l->valid)
				continue;
			sum_add(&set->c[i].usage, &acc[i], l->tool, l->model,
				l->requests, l->input, l->output,
				l->cache_write, l->cache_read, l->cost,
				l->cost_known, l->how);
		}
		note_release(&joined);
	}
	spans_build(notes, &spans, &nspans);

	/* 2. link, and what is left for windows. */
	for (i = 0; in->local && i < in->local->nr; i++) {
		const struct usage_event *ev = &in->local->ev[i];
		long c;

		if (provider_tool(ev->tool) || span_covers(spans, nspans, ev))
			continue;
		if (ev->commit[0]) {
			c = change_of(ids, set, ev->commit);
			if (c >= 0) {
				add_event(&set->c[c], &acc[c], ev,
					  ATTRIB_LINK);
				continue;
			}
			/* A commit out of range: its usage is not ours. */
			if (link_exists(repo, &links, &nlinks, &alinks,
					ev->commit))
				continue;
		}
		ALLOC_GROW(window, nwindow + 1, awindow);
		window[nwindow++] = i;
		if (ev->time < min_time)
			min_time = ev->time;
	}

	/* 3. window, and pending. */
	if (nwindow && person_commits(repo, min_time / 1000 - 86400, set,
				      &pcs, &npcs) < 0)
		goto cleanup;
	if (pending) {
		pending->present = 1;
		pending->email = user;
	}
	for (i = 0; i < nwindow; i++) {
		const struct usage_event *ev = &in->local->ev[window[i]];
		const char *who = ev->author ? intern_lower(ev->author) : user;
		const struct person_commit *pc = NULL;
		char *mn = NULL, *me = NULL;
		long c;

		if (ev->author) {
			repo_mailmap(repo, NULL, ev->author, &mn, &me);
			who = intern_lower(me ? me : ev->author);
			free(mn);
			free(me);
		}
		if (who)
			pc = commit_after(pcs, npcs, who, ev->time);
		if (!pc) {
			/* After the person's last commit: not lost, pending. */
			if (pending && who == user)
				pending_add(pending, ev, &cost_unknown);
			continue;
		}
		c = change_of(ids, set, pc->oid);
		if (c < 0 || acc[c].has_note)
			continue;
		add_event(&set->c[c], &acc[c], ev, ATTRIB_WINDOW);
	}
	if (pending)
		pending->cost_known = !cost_unknown || pending->cost > 0;

	/* 4. day: provider usage on changes with nothing better. */
	for (i = 0; i < set->nr; i++)
		acc[i].pre_day_usage = set->c[i].usage.has_usage;
	for (i = 0; in->provider && i < in->provider->nr; i++) {
		const struct usage_event *ev = &in->provider->ev[i];
		char *mn = NULL, *me = NULL;
		const char *who;

		if (!ev->author)
			continue;
		repo_mailmap(repo, NULL, ev->author, &mn, &me);
		who = intern_lower(me ? me : ev->author);
		free(mn);
		free(me);
		spread_day(set, acc, ev, who);
	}
	ret = 0;
cleanup:
	for (i = 0; acc && i < set->nr; i++) {
		free(acc[i].tools);
		free(acc[i].models);
	}
	free(acc);
	free(ids);
	free(spans);
	free(pcs);
	free(links);
	free(window);
	free(uname);
	free(umail);
	notes_map_release(&own);
	return ret;
}

int attribution_load(struct change_set *set, struct repo *repo,
		     int use_cache, struct metrics_pending *pending,
		     struct notes_map *notes_out)
{
	struct usage_set local = USAGE_SET_INIT, provider = USAGE_SET_INIT;
	struct usage_query q = USAGE_QUERY_INIT;
	struct notes_map notes = NOTES_MAP_INIT;
	struct attribution_input in = { NULL, NULL, NULL, NULL };
	int have_local, ret = -1;

	q.use_cache = use_cache;
	have_local = usage_load(&local, repo, &q) == 0;
	if (provider_usage_load(&provider, repo) < 0)
		usage_set_release(&provider);
	if (notes_read_all(repo, NULL, &notes) < 0)
		goto cleanup;
	notes_warn_bad(&notes);
	in.local = have_local ? &local : NULL;
	in.provider = &provider;
	in.notes = &notes;
	if (attribution_apply(set, repo, &in, pending) < 0)
		goto cleanup;
	/* Without the local logs, pending usage is unknown, not zero. */
	if (pending && !have_local)
		pending->present = 0;
	ret = 0;
cleanup:
	usage_set_release(&local);
	usage_set_release(&provider);
	if (notes_out && !ret)
		*notes_out = notes;
	else
		notes_map_release(&notes);
	return ret;
}
