/*
 * Attribution: usage events and note lines onto changes, in confidence
 * order hook > link > window > day, each event once. Pure: what it
 * needs of the repository (notes, identities, commits) comes in
 * struct attribution_input, read by the pipeline.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/die.h"
#include "engine/attribution.h"

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

/* The last ms a line holds: older notes have whole seconds. */
static int64_t note_line_end(const struct note_line *l)
{
	return l->to_ms ? l->to : l->to + 999;
}

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
			s->to = note_line_end(l);
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

static int pc_cmp(const void *va, const void *vb)
{
	const struct attribution_commit *a = va, *b = vb;
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
 * The commits of in (every ref) and of the range, by person and time,
 * emails lower case. A window needs the person's commits on every
 * branch, not only those of the range.
 */
static void person_commits(const struct attribution_input *in,
			   const struct change_set *set,
			   struct attribution_commit **out, size_t *nr)
{
	size_t i, alloc = 0, w;

	*out = NULL;
	*nr = 0;
	for (i = 0; i < in->commits_nr; i++) {
		struct attribution_commit *pc;

		ALLOC_GROW(*out, *nr + 1, alloc);
		pc = &(*out)[(*nr)++];
		*pc = in->commits[i];
		pc->email = intern_lower(pc->email);
	}
	/* The range's own commits, with the engine's idea of the author. */
	for (i = 0; i < set->nr; i++) {
		struct attribution_commit *pc;

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
}

/* The person's first commit at or after the event (with skew). */
static const struct attribution_commit *
commit_after(const struct attribution_commit *v, size_t nr, const char *email,
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

/*
 * Usage logged after a commit's hook ran is not the commit's: the note
 * holds what was logged up to then. Commit times are whole seconds, so
 * an event from the commit's own second on that is newer than all its
 * note holds goes to the person's next commit, or is pending.
 */
static int after_note(const struct notes_map *notes,
		      const struct attribution_commit *pc, int64_t ms)
{
	const struct note *n = notes_find(notes, pc->oid);
	size_t k;

	if (!n || ms < pc->time * 1000)
		return 0;
	for (k = 0; k < n->nr; k++)
		if (n->lines[k].valid && ms <= note_line_end(&n->lines[k]))
			return 0;
	return 1;
}

/* The person's commit an event's window ends at, or NULL (pending). */
static const struct attribution_commit *
window_commit(const struct attribution_input *in,
	      const struct attribution_commit *v, size_t nr,
	      const char *email, int64_t ms)
{
	const struct attribution_commit *pc = commit_after(v, nr, email, ms);

	while (pc && after_note(in->notes, pc, ms))
		pc = pc + 1 < v + nr && pc[1].email == email ? pc + 1 : NULL;
	return pc;
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

/*
 * Cursor's stop hook and its team API (or usage CSV) hold the same
 * calls: for the local user, the days the hook logged in this work
 * tree come from the hook; the API's events of those days are not
 * added. The hook's days, sorted.
 */
static int64_t *hook_days(const struct usage_set *local, size_t *nr)
{
	int64_t *v = NULL;
	size_t i, alloc = 0;

	*nr = 0;
	for (i = 0; local && i < local->nr; i++) {
		int64_t day = local->ev[i].time / DAY_MS;

		if (local->ev[i].tool != TOOL_CURSOR ||
		    (*nr && v[*nr - 1] == day))
			continue;
		ALLOC_GROW(v, *nr + 1, alloc);
		v[(*nr)++] = day;
	}
	/* local is sorted by time: so are the days */
	return v;
}

static int hook_has(const int64_t *days, size_t nr, int64_t day)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (days[mid] == day)
			return 1;
		if (days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* ---- the whole ---- */

static int provider_tool(enum tool t)
{
	return t == TOOL_ANTHROPIC_API || t == TOOL_OPENAI_API;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char * const *)a, *(const char * const *)b);
}

/* Does the repository hold the commit a log names (outside the range)? */
static int link_held(const struct attribution_input *in, const char *hex)
{
	return in->held_nr &&
		bsearch(&hex, in->held, in->held_nr, sizeof(*in->held),
			str_cmp) != NULL;
}

static int ident_cmp(const void *key, const void *elt)
{
	return strcmp(key, ((const struct attribution_ident *)elt)->author);
}

/* An event's author as the mailmap has it, lower case. */
static const char *event_person(const struct attribution_input *in,
				const char *author)
{
	const struct attribution_ident *id = NULL;

	if (in->idents_nr)
		id = bsearch(author, in->idents, in->idents_nr,
			     sizeof(*in->idents), ident_cmp);
	return intern_lower(id && id->email ? id->email : author);
}

/* What attribution looks changes and note spans up by. */
struct lookup {
	struct by_oid *ids;
	struct span *spans;
	size_t nspans;
};

static void lookup_init(struct lookup *lk, const struct change_set *set,
			const struct notes_map *notes)
{
	size_t i;

	lk->ids = xcalloc(set->nr ? set->nr : 1, sizeof(*lk->ids));
	for (i = 0; i < set->nr; i++) {
		lk->ids[i].oid = set->c[i].oid;
		lk->ids[i].idx = i;
	}
	qsort(lk->ids, set->nr, sizeof(*lk->ids), by_oid_cmp);
	spans_build(notes, &lk->spans, &lk->nspans);
}

static void lookup_release(struct lookup *lk)
{
	free(lk->ids);
	free(lk->spans);
}

enum local_fate {
	LOCAL_SKIP,      /* a provider's, or a note holds it */
	LOCAL_LINK,      /* names a change of the set (*c) */
	LOCAL_ELSEWHERE, /* names a commit out of the range */
	LOCAL_WINDOW,    /* left to the window stage */
};

/* Where a local event goes, before windows; held: links are known. */
static enum local_fate local_fate(const struct lookup *lk,
				  const struct change_set *set,
				  const struct usage_event *ev, long *c)
{
	if (provider_tool(ev->tool) ||
	    span_covers(lk->spans, lk->nspans, ev))
		return LOCAL_SKIP;
	if (!ev->commit[0])
		return LOCAL_WINDOW;
	*c = change_of(lk->ids, set, ev->commit);
	return *c >= 0 ? LOCAL_LINK : LOCAL_ELSEWHERE;
}

void attribution_links(const struct change_set *set,
		       const struct attribution_input *in, struct strvec *out)
{
	struct lookup lk;
	size_t i;
	long c;

	lookup_init(&lk, set, in->notes);
	for (i = 0; in->local && i < in->local->nr; i++)
		if (local_fate(&lk, set, &in->local->ev[i], &c) ==
		    LOCAL_ELSEWHERE)
			strvec_push(out, in->local->ev[i].commit);
	lookup_release(&lk);
}

int64_t attribution_window_from(const struct change_set *set,
				const struct attribution_input *in)
{
	struct lookup lk;
	int64_t min_time = INT64_MAX;
	size_t i;
	long c;

	lookup_init(&lk, set, in->notes);
	for (i = 0; in->local && i < in->local->nr; i++) {
		const struct usage_event *ev = &in->local->ev[i];
		enum local_fate f = local_fate(&lk, set, ev, &c);

		if ((f == LOCAL_WINDOW ||
		     (f == LOCAL_ELSEWHERE && !link_held(in, ev->commit))) &&
		    ev->time < min_time)
			min_time = ev->time;
	}
	lookup_release(&lk);
	return min_time;
}

static void pending_add(struct usage_pending *p, const struct usage_event *ev,
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

/*
 * hook: the notes of the range's changes; a squash commit's are the
 * union of its own and those of the commits it absorbed.
 */
static void apply_notes(struct change_set *set, const struct notes_map *notes,
			struct acc *acc)
{
	size_t i, k;

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
}

/* link; what is left for windows goes to *window. */
static void apply_links(struct change_set *set, const struct lookup *lk,
			const struct attribution_input *in, struct acc *acc,
			size_t **window, size_t *nwindow)
{
	size_t i, alloc = 0;
	long c;

	for (i = 0; in->local && i < in->local->nr; i++) {
		const struct usage_event *ev = &in->local->ev[i];

		switch (local_fate(lk, set, ev, &c)) {
		case LOCAL_SKIP:
			continue;
		case LOCAL_LINK:
			add_event(&set->c[c], &acc[c], ev, ATTRIB_LINK);
			continue;
		case LOCAL_ELSEWHERE:
			/* A commit out of range: its usage is not ours. */
			if (link_held(in, ev->commit))
				continue;
			break;
		case LOCAL_WINDOW:
			break;
		}
		ALLOC_GROW(*window, *nwindow + 1, alloc);
		(*window)[(*nwindow)++] = i;
	}
}

/* window, and pending: after the person's last commit. */
static void apply_windows(struct change_set *set, const struct lookup *lk,
			  const struct attribution_input *in, struct acc *acc,
			  const size_t *window, size_t nwindow,
			  const char *user, struct usage_pending *pending)
{
	struct attribution_commit *pcs = NULL;
	size_t npcs = 0, i;
	int cost_unknown = 0;

	if (nwindow)
		person_commits(in, set, &pcs, &npcs);
	if (pending) {
		pending->present = 1;
		pending->email = user;
	}
	for (i = 0; i < nwindow; i++) {
		const struct usage_event *ev = &in->local->ev[window[i]];
		const char *who = ev->author ? event_person(in, ev->author) :
			user;
		const struct attribution_commit *pc = NULL;
		long c;

		if (who)
			pc = window_commit(in, pcs, npcs, who, ev->time);
		if (!pc) {
			/* After the person's last commit: not lost, pending. */
			if (pending && who == user)
				pending_add(pending, ev, &cost_unknown);
			continue;
		}
		c = change_of(lk->ids, set, pc->oid);
		if (c < 0 || acc[c].has_note)
			continue;
		add_event(&set->c[c], &acc[c], ev, ATTRIB_WINDOW);
	}
	if (pending)
		pending->cost_known = !cost_unknown || pending->cost > 0;
	free(pcs);
}

void attribution_apply(struct change_set *set,
		       const struct attribution_input *in,
		       struct usage_pending *pending)
{
	struct lookup lk;
	struct acc *acc;
	size_t *window = NULL, nwindow = 0, i, ndays;
	const char *user = intern_lower(in->user_email);
	int64_t *days;

	if (pending)
		memset(pending, 0, sizeof(*pending));
	acc = xcalloc(set->nr ? set->nr : 1, sizeof(*acc));
	for (i = 0; i < set->nr; i++)
		memset(&set->c[i].usage, 0, sizeof(set->c[i].usage));
	lookup_init(&lk, set, in->notes);
	for (i = 0; i < set->absorbed_nr; i++) {
		long c = find_change(lk.ids, set->nr, set->absorbed[i].into);

		if (c >= 0)
			acc[c].absorbs = 1;
	}

	apply_notes(set, in->notes, acc);
	apply_links(set, &lk, in, acc, &window, &nwindow);
	apply_windows(set, &lk, in, acc, window, nwindow, user, pending);
	/* day: provider usage on changes with nothing better. */
	for (i = 0; i < set->nr; i++)
		acc[i].pre_day_usage = set->c[i].usage.has_usage;
	days = hook_days(in->local, &ndays);
	for (i = 0; in->provider && i < in->provider->nr; i++) {
		const struct usage_event *ev = &in->provider->ev[i];
		const char *who = ev->author ? event_person(in, ev->author) :
			NULL;

		if (!who || (ev->tool == TOOL_CURSOR && who == user &&
			     hook_has(days, ndays, ev->time / DAY_MS)))
			continue;
		spread_day(set, acc, ev, who);
	}
	free(days);

	for (i = 0; i < set->nr; i++) {
		free(acc[i].tools);
		free(acc[i].models);
	}
	free(acc);
	free(window);
	lookup_release(&lk);
}
