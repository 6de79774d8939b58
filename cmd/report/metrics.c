#include "base/compat.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/date.h"
#include "base/die.h"
#include "base/strbuf.h"
#include "engine/notes.h"
#include "report/metrics.h"

static const char *const flag_names[METRICS_FLAG_ALL] = {
	"no-ai", "burn", "rework", "unknown",
};

/* Flag thresholds (git-tokens(1), THE REPORT). */
#define BURN_UNLANDED 0.5
#define BURN_LPU_FRACTION 0.25
#define REWORK_SHARE 0.30
#define UNKNOWN_SHARE 0.25

static const char *const by_names[] = {
	[METRICS_BY_AUTHOR] = "author",
	[METRICS_BY_WEEK] = "week",
	[METRICS_BY_MONTH] = "month",
	[METRICS_BY_TOOL] = "tool",
	[METRICS_BY_MODEL] = "model",
	[METRICS_BY_TEAM] = "team",
	[METRICS_BY_REPO] = "repo",
};

int metrics_by_parse(const char *s, enum metrics_by *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(by_names); i++)
		if (by_names[i] && !strcmp(s, by_names[i])) {
			*out = (enum metrics_by)i;
			return 0;
		}
	return -1;
}

const char *metrics_by_name(enum metrics_by by)
{
	if ((size_t)by < ARRAY_SIZE(by_names) && by_names[by])
		return by_names[by];
	return "key";
}

void metrics_flags_str(unsigned flags, char *buf, size_t len)
{
	size_t used = 0;
	unsigned i;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; i < METRICS_FLAG_ALL; i++) {
		int n;

		if (!(flags & (1u << i)))
			continue;
		n = snprintf(buf + used, len - used, "%s%s",
			     used ? " " : "", flag_names[i]);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += n;
	}
}

const char *metrics_how_name(enum attrib_how how)
{
	return how == ATTRIB_NONE ? NULL : notes_how_name(how);
}

const char *metrics_kind_name(const struct change *c)
{
	return c->merge ? "merge" : "commit";
}

const char *metrics_landed_name(enum landed_how how)
{
	static const char *const names[] = {
		[LANDED_NO] = "no",
		[LANDED_REACHABLE] = "yes",
		[LANDED_PATCH_ID] = "patch-id",
		[LANDED_SQUASH] = "squash",
	};

	if ((size_t)how < ARRAY_SIZE(names) && names[how])
		return names[how];
	return "no";
}

double metrics_share(double a, double b, int *known)
{
	*known = b > 0;
	return b > 0 ? a / b : 0;
}

void metrics_key_week(int64_t t, char out[16])
{
	struct tm tm;

	/* ISO 8601 week-numbering year and week, in the report's zone. */
	if (date_tm(t, &tm) < 0 || !strftime(out, 16, "%G-W%V", &tm))
		snprintf(out, 16, "unknown");
}

void metrics_key_month(int64_t t, char out[16])
{
	struct tm tm;

	if (date_tm(t, &tm) < 0 || !strftime(out, 16, "%Y-%m", &tm))
		snprintf(out, 16, "unknown");
}

#define TEAM_PREFIX "tokens.team."

void metrics_teams_add(struct metrics_teams *t, const char *name,
		       const char *pattern)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->v[i].name, name))
			break;
	if (i == t->nr) {
		ALLOC_GROW(t->v, t->nr + 1, t->alloc);
		t->v[i].name = xstrdup(name);
		strvec_init(&t->v[i].patterns);
		t->nr++;
	}
	strvec_push(&t->v[i].patterns, pattern);
}

void metrics_teams_release(struct metrics_teams *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		free(t->v[i].name);
		strvec_clear(&t->v[i].patterns);
	}
	free(t->v);
	t->v = NULL;
	t->nr = t->alloc = 0;
}

int metrics_team_config(const char *key, const char *value, void *data)
{
	const char *name = key;

	if (!strncasecmp(name, TEAM_PREFIX, strlen(TEAM_PREFIX)))
		name += strlen(TEAM_PREFIX);
	if (!*name)
		return 0;
	if (!value || !*value) {
		warning("'%s' has no author pattern: ignored", key);
		return 0;
	}
	metrics_teams_add(data, name, value);
	return 0;
}

static int pattern_matches(const char *pat, const char *ident,
			   const char *name, const char *email)
{
	if (!strpbrk(pat, "*?["))
		return strcasestr(ident, pat) != NULL;
	/* "*@backend.example.com" means the email, not "Name <...>". */
	return !compat_fnmatch_icase(pat, ident) ||
		!compat_fnmatch_icase(pat, name) ||
		!compat_fnmatch_icase(pat, email);
}

const char *metrics_team_of(const struct metrics_teams *t, const char *name,
			    const char *email)
{
	struct strbuf ident = STRBUF_INIT;
	const char *team = NULL;
	size_t i, j;

	if (!t)
		return NULL;
	name = name ? name : "";
	email = email ? email : "";
	strbuf_addf(&ident, "%s <%s>", name, email);
	for (i = 0; !team && i < t->nr; i++)
		for (j = 0; j < t->v[i].patterns.nr; j++)
			if (pattern_matches(t->v[i].patterns.v[j], ident.buf,
					    name, email)) {
				team = t->v[i].name;
				break;
			}
	strbuf_release(&ident);
	return team;
}

static void change_key(const struct change *c, enum metrics_by by,
		       const struct metrics_teams *teams, struct strbuf *key)
{
	const char *name = NULL;
	char buf[16];

	strbuf_reset(key);
	switch (by) {
	case METRICS_BY_TEAM:
		name = metrics_team_of(teams, c->author_name, c->author_email);
		strbuf_addstr(key, name ? name : METRICS_NO_TEAM);
		break;
	case METRICS_BY_REPO:
		strbuf_addstr(key, c->repo ? c->repo : METRICS_NO_TEAM);
		break;
	case METRICS_BY_TOOL:
	case METRICS_BY_MODEL:
		/*
		 * The tool (model) holding most of the cost; with tokens
		 * unknown, the agent a trailer or the author names.
		 */
		if (c->usage.has_usage)
			name = by == METRICS_BY_TOOL ? c->usage.tool :
				c->usage.model;
		if (!name && c->agent)
			name = c->agent_tool ? c->agent_tool : c->agent;
		strbuf_addstr(key, name ? name : "none");
		break;
	case METRICS_BY_WEEK:
		metrics_key_week(c->author_time, buf);
		strbuf_addstr(key, buf);
		break;
	case METRICS_BY_MONTH:
		metrics_key_month(c->author_time, buf);
		strbuf_addstr(key, buf);
		break;
	default:
		if (c->bot) {
			strbuf_addstr(key, METRICS_BOTS);
			break;
		}
		strbuf_addf(key, "%s <%s>",
			    c->author_name ? c->author_name : "",
			    c->author_email ? c->author_email : "");
		break;
	}
}

static uint64_t usage_tokens(const struct usage_sum *u)
{
	return u->input + u->output + u->cache_write + u->cache_read;
}

/* Usage that carries a price (not only unpriced events). */
int metrics_change_priced(const struct change *c)
{
	return c->usage.has_usage &&
		(!c->usage.cost_unknown || c->usage.cost > 0);
}

int metrics_change_assisted(const struct change *c)
{
	return c->usage.has_usage || c->agent;
}

static void row_add_landed(struct metrics_row *r, const struct change *c)
{
	int priced = metrics_change_priced(c);
	const struct outcome *o = &c->outcome;

	r->landed++;
	r->lines_added += c->added;
	r->lines_deleted += c->deleted;
	if (priced) {
		r->landed_priced++;
		r->added_priced += c->added;
	} else if (metrics_change_assisted(c)) {
		r->landed_cost_unknown++;
	}
	if (o->survival_known) {
		r->surviving_known = 1;
		r->surviving += o->surviving;
		r->reworked += o->reworked;
		r->lines_known += c->added;
		if (priced) {
			r->surviving_priced_known = 1;
			r->surviving_priced += o->surviving;
		}
		if (metrics_change_assisted(c))
			r->surviving_assisted += o->surviving;
	}
	/*
	 * Unknown review stays out of the rate (never "unreviewed"), and
	 * so does a trailer's: it never records a rejection.
	 */
	if (o->review != REVIEW_UNKNOWN && o->review_decisive) {
		r->review_known++;
		if (o->review == REVIEW_APPROVED)
			r->review_first_pass++;
	}
}

static void row_add_change(struct metrics_row *r, const struct change *c)
{
	int landed = c->landed != LANDED_NO;

	r->changes++;
	if (c->bot)
		r->bots++;
	if (landed)
		row_add_landed(r, c);
	if (c->agent)
		r->assisted++;
	if (c->usage.has_usage) {
		r->with_usage++;
		r->tokens_known = 1;
		r->tokens += usage_tokens(&c->usage);
		r->output += c->usage.output;
	} else if (c->agent) {
		r->assisted_unknown++;
	}
	if (metrics_change_priced(c)) {
		r->cost_known = 1;
		r->cost += c->usage.cost;
		r->cost_changes += c->usage.cost;
		if (!landed)
			r->cost_unlanded += c->usage.cost;
	}
}

/* The derived columns, from the sums. */
static void row_finish(struct metrics_row *r)
{
	int known;
	double all;

	/*
	 * Survival and rework are known where the mainline is; lines/$
	 * follows survival.
	 */
	r->rework = metrics_share((double)r->reworked,
				  (double)r->lines_known, &known);
	r->rework_known = r->surviving_known && known;
	r->assisted_share = metrics_share((double)r->surviving_assisted,
					  (double)r->surviving, &known);
	r->assisted_share_known = r->surviving_known && known;
	r->reviewed = metrics_share((double)r->review_first_pass,
				    (double)r->review_known, &known);
	r->reviewed_known = known;
	/* Per dollar: what priced changes bought, never the hand-written. */
	r->lines_per_usd_known = 0;
	if (r->surviving_priced_known && r->cost_changes > 0) {
		r->lines_per_usd = (double)r->surviving_priced /
			r->cost_changes;
		r->lines_per_usd_known = 1;
	}
	r->usd_per_landed_known = 0;
	if (r->cost_known && r->landed_priced) {
		r->usd_per_landed = r->cost_changes / (double)r->landed_priced;
		r->usd_per_landed_known = 1;
	}
	/* An assisted landed change of unknown cost: the share is unknown. */
	r->unlanded_known = 0;
	if (!r->landed_cost_unknown &&
	    (r->cost_known || r->cost_pending > 0)) {
		all = r->cost_changes + r->cost_pending;
		r->unlanded = metrics_share(r->cost_unlanded + r->cost_pending,
					    all, &known);
		r->unlanded_known = known;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of n values (sorted in place); 0 with known clear if n=0. */
static double median(double *v, size_t n, int *known)
{
	*known = n > 0;
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

static unsigned row_flags(const struct metrics_row *r)
{
	unsigned flags = 0;

	/* Automation accounts are not people: never no-ai. */
	if (r->changes > r->bots && !r->with_usage && !r->assisted)
		flags |= METRICS_FLAG_NO_AI;
	if (r->rework_known && r->rework > REWORK_SHARE)
		flags |= METRICS_FLAG_REWORK;
	if (r->changes &&
	    (double)r->assisted_unknown > UNKNOWN_SHARE * (double)r->changes)
		flags |= METRICS_FLAG_UNKNOWN;
	return flags;
}

void metrics_flag_rows(struct metrics_report *r)
{
	double *costs = NULL, *lpus = NULL;
	double med_cost, med_lpu;
	int cost_known, lpu_known;
	size_t i, ncost = 0, nlpu = 0;

	if (r->nr) {
		costs = xcalloc(r->nr, sizeof(*costs));
		lpus = xcalloc(r->nr, sizeof(*lpus));
	}
	for (i = 0; i < r->nr; i++) {
		if (r->rows[i].cost_known)
			costs[ncost++] = r->rows[i].cost;
		if (r->rows[i].lines_per_usd_known)
			lpus[nlpu++] = r->rows[i].lines_per_usd;
	}
	med_cost = median(costs, ncost, &cost_known);
	med_lpu = median(lpus, nlpu, &lpu_known);

	for (i = 0; i < r->nr; i++) {
		struct metrics_row *row = &r->rows[i];
		int waste;

		row->flags = row_flags(row);
		if (!cost_known || !row->cost_known || row->cost <= med_cost)
			continue;
		waste = (row->unlanded_known &&
			 row->unlanded > BURN_UNLANDED) ||
			(lpu_known && row->lines_per_usd_known &&
			 row->lines_per_usd < BURN_LPU_FRACTION * med_lpu);
		if (waste)
			row->flags |= METRICS_FLAG_BURN;
	}
	/* The total has no median to compare with: no burn. */
	r->total.flags = row_flags(&r->total);
	free(costs);
	free(lpus);
}

static int has_cost(const struct metrics_row *r)
{
	return r->cost_known && r->cost > 0;
}

/* Surviving lines, or +lines while survival is unknown. */
static double sort_lines(const struct metrics_row *r)
{
	return r->surviving_known ? (double)r->surviving :
		(double)r->lines_added;
}

static double sort_lpu(const struct metrics_row *r)
{
	if (r->lines_per_usd_known)
		return r->lines_per_usd;
	/* Survival unknown: the +lines of priced changes stand in. */
	return (double)r->added_priced / r->cost;
}

static int cmp_desc(double a, double b)
{
	return a > b ? -1 : a < b;
}

static int row_cmp(const void *va, const void *vb)
{
	const struct metrics_row *a = va, *b = vb;
	int ca = has_cost(a), cb = has_cost(b);
	int r;

	if (ca != cb)
		return ca ? -1 : 1;
	if (ca && (r = cmp_desc(sort_lpu(a), sort_lpu(b))))
		return r;
	if ((r = cmp_desc(sort_lines(a), sort_lines(b))))
		return r;
	if ((r = cmp_desc((double)a->changes, (double)b->changes)))
		return r;
	return strcmp(a->key ? a->key : "", b->key ? b->key : "");
}

void metrics_sort(struct metrics_row *rows, size_t nr)
{
	if (nr > 1)
		qsort(rows, nr, sizeof(*rows), row_cmp);
}

/* "2026-W49", "2026-12": in time order as strings. */
static int key_cmp(const void *va, const void *vb)
{
	const struct metrics_row *a = va, *b = vb;

	return strcmp(a->key, b->key);
}

/*
 * The total adds up the rows above it, the pending row included; its
 * ratios (computed before) stay those of the changes.
 */
static void total_add_pending(struct metrics_row *t,
			      const struct usage_pending *p)
{
	if (!p->present || !p->events)
		return;
	t->tokens_known = 1;
	t->tokens += p->tokens;
	t->output += p->output;
	if (p->cost_known) {
		t->cost_known = 1;
		t->cost += p->cost;
	}
}

static struct metrics_row *find_row(struct metrics_report *r,
				    const char *key)
{
	size_t i;

	/* Linear: a report has tens of rows, not thousands. */
	for (i = r->nr; i > 0; i--)
		if (!strcmp(r->rows[i - 1].key, key))
			return &r->rows[i - 1];
	return NULL;
}

static void ai_add(struct metrics_ai *ai, const struct change *c)
{
	if (!c->ai_known)
		return;
	ai->changes++;
	ai->added += c->ai_added;
	if (!c->ai_surviving_known)
		return;
	ai->surviving_changes++;
	ai->surviving += c->ai_surviving;
	if (!metrics_change_priced(c))
		return;
	ai->priced++;
	ai->surviving_priced += c->ai_surviving;
	ai->cost += c->usage.cost;
}

int metrics_compute(struct metrics_report *out, const struct change *c,
		    size_t nr, enum metrics_by by,
		    const struct usage_pending *pending)
{
	struct strbuf key = STRBUF_INIT;
	struct metrics_coverage *cov = &out->coverage;
	size_t i;

	out->by = by;
	memset(&out->total, 0, sizeof(out->total));
	memset(cov, 0, sizeof(*cov));
	memset(&out->ai, 0, sizeof(out->ai));
	memset(&out->pending, 0, sizeof(out->pending));
	if (pending)
		out->pending = *pending;

	for (i = 0; i < nr; i++) {
		struct metrics_row *row;

		change_key(&c[i], by, out->teams, &key);
		row = find_row(out, key.buf);
		if (!row) {
			ALLOC_GROW(out->rows, out->nr + 1, out->alloc);
			row = &out->rows[out->nr++];
			memset(row, 0, sizeof(*row));
			row->key = xstrdup(key.buf);
			if (by == METRICS_BY_AUTHOR && c[i].author_email &&
			    !c[i].bot)
				row->email = xstrdup(c[i].author_email);
		}
		row_add_change(row, &c[i]);
		row_add_change(&out->total, &c[i]);
		ai_add(&out->ai, &c[i]);

		cov->changes++;
		if (c[i].usage.has_usage) {
			cov->with_usage++;
			cov->how[c[i].usage.how <= ATTRIB_IMPORT ?
				 c[i].usage.how : ATTRIB_NONE]++;
			cov->tokens_attributed += usage_tokens(&c[i].usage);
		} else if (c[i].agent) {
			cov->assisted_unknown++;
		}
	}
	strbuf_release(&key);

	if (out->pending.present) {
		cov->tokens_pending = out->pending.tokens;
		if (out->pending.cost_known && out->pending.cost > 0) {
			out->total.cost_pending = out->pending.cost;
			for (i = 0; out->pending.email && i < out->nr; i++)
				if (out->rows[i].email &&
				    !strcmp(out->rows[i].email,
					    out->pending.email))
					out->rows[i].cost_pending =
						out->pending.cost;
		}
	}

	for (i = 0; i < out->nr; i++)
		row_finish(&out->rows[i]);
	row_finish(&out->total);
	total_add_pending(&out->total, &out->pending);
	metrics_flag_rows(out);
	if ((by == METRICS_BY_WEEK || by == METRICS_BY_MONTH) && out->nr > 1)
		qsort(out->rows, out->nr, sizeof(*out->rows), key_cmp);
	else
		metrics_sort(out->rows, out->nr);
	return 0;
}

void metrics_report_release(struct metrics_report *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++) {
		free(r->rows[i].key);
		free(r->rows[i].email);
	}
	free(r->rows);
	r->rows = NULL;
	r->nr = r->alloc = 0;
}
