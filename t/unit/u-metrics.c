/*
 * Unit tests for metrics.c and render.c over hand-built changes: every
 * column, ratio, flag, the order of rows, and the writers' formats.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "base/strbuf.h"
#include "report/metrics.h"
#include "report/render.h"
#include "tap.h"

#define T0 1731920000   /* 2024-11-18T08:53:20Z, a Monday of 2024-W47 */

static int near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static struct change *add(struct change *c, size_t *nr, const char *name,
			  const char *email, enum landed_how landed,
			  uint64_t added, uint64_t deleted)
{
	struct change *ch = &c[(*nr)++];

	memset(ch, 0, sizeof(*ch));
	snprintf(ch->oid, sizeof(ch->oid), "%040zu", *nr);
	ch->author_name = name;
	ch->author_email = email;
	ch->author_time = T0;
	ch->commit_time = T0;
	ch->subject = (char *)"subject";
	ch->landed = landed;
	ch->added = added;
	ch->deleted = deleted;
	return ch;
}

static void use(struct change *ch, uint64_t in, uint64_t out, uint64_t cw,
		uint64_t cr, double cost, enum attrib_how how)
{
	ch->usage.has_usage = 1;
	ch->usage.input = in;
	ch->usage.output = out;
	ch->usage.cache_write = cw;
	ch->usage.cache_read = cr;
	ch->usage.cost = cost;
	ch->usage.how = how;
}

static const struct metrics_row *row(const struct metrics_report *m,
				     const char *key)
{
	size_t i;

	for (i = 0; i < m->nr; i++)
		if (!strcmp(m->rows[i].key, key))
			return &m->rows[i];
	return NULL;
}

static size_t build(struct change *c)
{
	size_t nr = 0;
	struct change *ch;

	/* alice: usage on two changes, one of them unlanded */
	ch = add(c, &nr, "Alice", "alice@x", LANDED_REACHABLE, 10, 2);
	use(ch, 100, 50, 10, 1000, 1.0, ATTRIB_HOOK);
	ch = add(c, &nr, "Alice", "alice@x", LANDED_NO, 5, 1);
	use(ch, 10, 20, 0, 0, 0.5, ATTRIB_WINDOW);
	add(c, &nr, "Alice", "alice@x", LANDED_PATCH_ID, 7, 3);
	/* bob: no usage, no AI marks */
	add(c, &nr, "Bob", "bob@x", LANDED_REACHABLE, 20, 0);
	add(c, &nr, "Bob", "bob@x", LANDED_SQUASH, 10, 4);
	/* carol: two assisted changes without usage, costly unlanded work */
	ch = add(c, &nr, "Carol", "carol@x", LANDED_REACHABLE, 20, 0);
	ch->agent = "claude-code";
	ch = add(c, &nr, "Carol", "carol@x", LANDED_REACHABLE, 20, 0);
	ch->agent = "aider";
	ch = add(c, &nr, "Carol", "carol@x", LANDED_NO, 4, 0);
	use(ch, 0, 100, 0, 0, 3.0, ATTRIB_LINK);
	add(c, &nr, "Carol", "carol@x", LANDED_REACHABLE, 1, 0);
	/* dave: usage of an unpriced model: tokens known, cost not */
	ch = add(c, &nr, "Dave", "dave@x", LANDED_REACHABLE, 50, 5);
	use(ch, 1, 2, 3, 4, 0, ATTRIB_DAY);
	ch->usage.cost_unknown = 1;
	return nr;
}

static void test_keys(void)
{
	char buf[16];
	enum metrics_by by;

	date_zone_set("UTC");
	metrics_key_week(T0, buf);
	is_str(buf, "2024-W47", "week key of a Monday");
	metrics_key_week(1609459200, buf);   /* 2021-01-01, a Friday */
	is_str(buf, "2020-W53", "week key at a year boundary (ISO year)");
	metrics_key_week(1735516800, buf);   /* 2024-12-30, a Monday */
	is_str(buf, "2025-W01", "week key of the first ISO week");
	metrics_key_month(T0, buf);
	is_str(buf, "2024-11", "month key");
	metrics_key_week(1609729200, buf);   /* 2021-01-04T03:00:00Z */
	is_str(buf, "2021-W01", "a Monday 03:00 in UTC");
	metrics_key_month(1733022000, buf);  /* 2024-12-01T03:00:00Z */
	is_str(buf, "2024-12", "December 1st, 03:00 in UTC");
	if (!date_zone_set("America/New_York")) {
		metrics_key_week(1609729200, buf);
		is_str(buf, "2020-W53", "is Sunday 22:00 in New York");
		metrics_key_month(1733022000, buf);
		is_str(buf, "2024-11", "is November 30th in New York");
	}
	date_zone_set("UTC");
	is_int(metrics_by_parse("author", &by), 0, "--by author is known");
	is_int(by, METRICS_BY_AUTHOR, "--by author parses");
	is_int(metrics_by_parse("month", &by), 0, "--by month is known");
	is_int(metrics_by_parse("tool", &by), 0, "--by tool is known");
	is_int(metrics_by_parse("team", &by), 0, "--by team is known");
	is_int(metrics_by_parse("bogus", &by), -1, "--by bogus is rejected");
}

static void test_columns(void)
{
	struct change c[16];
	size_t nr = build(c);
	struct metrics_report m = METRICS_REPORT_INIT;
	const struct metrics_row *a, *b, *cr, *d;

	is_int(metrics_compute(&m, c, nr, METRICS_BY_AUTHOR, NULL), 0,
	       "compute by author");
	is_int(m.nr, 4, "four authors");
	a = row(&m, "Alice <alice@x>");
	b = row(&m, "Bob <bob@x>");
	cr = row(&m, "Carol <carol@x>");
	d = row(&m, "Dave <dave@x>");
	ok(a && b && cr && d, "rows keyed by 'name <email>'");
	if (!a || !b || !cr || !d)
		return;

	is_int(a->changes, 3, "alice: changes");
	is_int(a->landed, 2, "alice: landed (reachable and patch-id)");
	is_int(a->lines_added, 17, "alice: +lines of landed changes only");
	is_int(a->lines_deleted, 5, "alice: -lines of landed changes only");
	ok(!a->surviving_known && !a->rework_known && !a->reviewed_known,
	   "alice: outcomes unknown, not zero");
	ok(a->tokens_known, "alice: tokens known");
	is_int(a->tokens, 1190, "alice: tokens = input+output+cache");
	is_int(a->output, 70, "alice: out tok");
	ok(a->cost_known && near(a->cost, 1.5), "alice: cost");
	ok(!a->lines_per_usd_known, "alice: lines/$ unknown without survival");
	/* $1.5 over the one landed change with usage (patch-id has none) */
	ok(a->usd_per_landed_known && near(a->usd_per_landed, 1.5),
	   "alice: $/landed counts landed priced changes only");
	ok(a->unlanded_known && near(a->unlanded, 0.5 / 1.5),
	   "alice: unlanded share of cost");
	is_int(a->flags, 0, "alice: no flags");

	is_int(b->changes, 2, "bob: changes");
	is_int(b->landed, 2, "bob: squash counts as landed");
	is_int(b->lines_added, 30, "bob: +lines");
	ok(!b->tokens_known && !b->cost_known, "bob: tokens and cost unknown");
	ok(!b->usd_per_landed_known && !b->unlanded_known,
	   "bob: cost ratios unknown");
	is_int(b->flags, METRICS_FLAG_NO_AI, "bob: no-ai");

	is_int(cr->assisted_unknown, 2, "carol: assisted, tokens unknown");
	ok(cr->flags & METRICS_FLAG_UNKNOWN, "carol: unknown flag (50%%)");
	ok(!(cr->flags & METRICS_FLAG_NO_AI), "carol: assisted is not no-ai");
	/* two landed assisted changes of unknown cost: never 100% */
	ok(!cr->unlanded_known, "carol: unlanded unknown, landed cost is");
	ok(!(cr->flags & METRICS_FLAG_BURN),
	   "carol: no burn on unknown shares");
	ok(!cr->usd_per_landed_known,
	   "carol: $/landed unknown, no landed change with usage");

	ok(d->tokens_known && d->tokens == 10, "dave: tokens of unpriced usage");
	ok(!d->cost_known, "dave: unpriced cost is unknown, not zero");
	ok(!(d->flags & METRICS_FLAG_NO_AI), "dave: usage is not no-ai");

	is_int(m.total.changes, 10, "total: changes");
	is_int(m.total.landed, 8, "total: landed");
	is_int(m.total.lines_added, 17 + 30 + 41 + 50, "total: +lines");
	is_int(m.total.tokens, 1190 + 100 + 10, "total: tokens");
	ok(near(m.total.cost, 4.5), "total: cost");
	ok(!m.total.unlanded_known, "total: unlanded unknown (carol, dave)");
	/* $4.5 over alice's one landed priced change (dave's is unpriced) */
	ok(near(m.total.usd_per_landed, 4.5 / 1), "total: $/landed");
	is_int(m.total.flags, 0, "total: 20% assisted-unknown is no flag");

	is_int(m.coverage.changes, 10, "coverage: changes");
	is_int(m.coverage.with_usage, 4, "coverage: with usage");
	is_int(m.coverage.how[ATTRIB_HOOK], 1, "coverage: hook");
	is_int(m.coverage.how[ATTRIB_WINDOW], 1, "coverage: window");
	is_int(m.coverage.how[ATTRIB_LINK], 1, "coverage: link");
	is_int(m.coverage.how[ATTRIB_DAY], 1, "coverage: day");
	is_int(m.coverage.assisted_unknown, 2, "coverage: assisted unknown");

	/*
	 * Survival unknown: +lines of priced changes per dollar, alice
	 * 10/$1.5 > carol 0/$3; then no cost: dave 50 > bob 30.
	 */
	is_str(m.rows[0].key, "Alice <alice@x>", "order: most +lines/$ first");
	is_str(m.rows[1].key, "Carol <carol@x>", "order: second");
	is_str(m.rows[2].key, "Dave <dave@x>", "order: no cost, by +lines");
	is_str(m.rows[3].key, "Bob <bob@x>", "order: last");
	metrics_report_release(&m);
}

static void test_pending(void)
{
	struct change c[16];
	size_t nr = build(c);
	struct metrics_report m = METRICS_REPORT_INIT;
	struct usage_pending p = { 1, 1, "alice@x", 3, 500, 100, 1.5 };
	const struct metrics_row *a;

	metrics_compute(&m, c, nr, METRICS_BY_AUTHOR, &p);
	a = row(&m, "Alice <alice@x>");
	ok(a && near(a->unlanded, 2.0 / 3.0),
	   "pending cost counts as unlanded for its author");
	ok(!m.total.unlanded_known,
	   "the total's is unknown: landed changes of unknown cost");
	is_int(m.coverage.tokens_pending, 500, "coverage: pending tokens");
	/* the total adds up the rows and pending: 1300 + 500, $4.5 + $1.5 */
	is_int(m.total.tokens, 1300 + 500, "total: tokens with pending");
	is_int(m.total.output, 70 + 100 + 2 + 100, "total: out tok with pending");
	ok(near(m.total.cost, 6.0), "total: cost with pending");
	ok(near(m.total.usd_per_landed, 4.5), "total: $/landed without it");
	metrics_report_release(&m);
}

static void test_by_time(void)
{
	struct change c[16];
	size_t nr = build(c);
	struct metrics_report m = METRICS_REPORT_INIT;

	c[0].author_time = T0 + 7 * 86400;
	c[1].author_time = T0 + 40 * 86400;
	metrics_compute(&m, c, nr, METRICS_BY_WEEK, NULL);
	is_int(m.nr, 3, "three weeks");
	ok(row(&m, "2024-W47") && row(&m, "2024-W48") && row(&m, "2024-W52"),
	   "week keys");
	ok(row(&m, "2024-W47") && row(&m, "2024-W47")->changes == 8,
	   "changes per week");
	/* by lines/$ W48 (alice's $1, 10 +lines) would come first */
	ok(m.nr == 3 && !strcmp(m.rows[0].key, "2024-W47") &&
	   !strcmp(m.rows[1].key, "2024-W48") &&
	   !strcmp(m.rows[2].key, "2024-W52"), "weeks in time order");
	metrics_report_release(&m);
	c[9].author_time = T0 - 30 * 86400;
	metrics_compute(&m, c, nr, METRICS_BY_MONTH, NULL);
	is_int(m.nr, 3, "three months");
	ok(m.nr == 3 && !strcmp(m.rows[0].key, "2024-10") &&
	   !strcmp(m.rows[1].key, "2024-11") &&
	   !strcmp(m.rows[2].key, "2024-12"), "months in time order");
	ok(row(&m, "2024-12") && row(&m, "2024-12")->changes == 1,
	   "changes per month");
	metrics_report_release(&m);
}

/* Survival and review known: what the per-dollar ratios count. */
static void test_priced(void)
{
	struct change c[8];
	size_t nr = 0;
	struct metrics_report m = METRICS_REPORT_INIT;
	const struct metrics_row *r;
	struct change *ch;

	/* usage, $2, 100 surviving, approved on GitHub */
	ch = add(c, &nr, "Eve", "eve@x", LANDED_REACHABLE, 120, 0);
	use(ch, 10, 10, 0, 0, 2.0, ATTRIB_HOOK);
	ch->outcome.survival_known = 1;
	ch->outcome.surviving = 100;
	ch->outcome.review = REVIEW_APPROVED;
	ch->outcome.review_decisive = 1;
	/* usage, $2, unlanded */
	ch = add(c, &nr, "Eve", "eve@x", LANDED_NO, 30, 0);
	use(ch, 10, 10, 0, 0, 2.0, ATTRIB_HOOK);
	/* by hand: 300 surviving, no usage; changes requested on GitHub */
	ch = add(c, &nr, "Eve", "eve@x", LANDED_REACHABLE, 300, 0);
	ch->outcome.survival_known = 1;
	ch->outcome.surviving = 300;
	ch->outcome.review = REVIEW_CHANGES_REQUESTED;
	ch->outcome.review_decisive = 1;
	/* a Claude trailer, no usage: 50 surviving; Reviewed-by only */
	ch = add(c, &nr, "Eve", "eve@x", LANDED_REACHABLE, 50, 0);
	ch->agent = "claude";
	ch->outcome.survival_known = 1;
	ch->outcome.surviving = 50;
	ch->outcome.review = REVIEW_APPROVED;
	metrics_compute(&m, c, nr, METRICS_BY_AUTHOR, NULL);
	r = row(&m, "Eve <eve@x>");
	if (!r) {
		ok(0, "eve's row");
		goto cleanup;
	}
	is_int(r->surviving, 450, "priced: surviving counts every change");
	/* 100 lines / $4, not 450 / $4 */
	ok(r->lines_per_usd_known && near(r->lines_per_usd, 25.0),
	   "priced: lines/$ counts changes with usage only");
	/* $4 / 1 landed change with usage, not $4 / 3 */
	ok(r->usd_per_landed_known && near(r->usd_per_landed, 4.0),
	   "priced: $/landed over landed changes with usage");
	/* (100 + 50) / 450 */
	ok(r->assisted_share_known && near(r->assisted_share, 150.0 / 450),
	   "priced: assisted share of surviving lines");
	ok(!r->unlanded_known, "priced: unlanded unknown (trailer, no usage)");
	/* the trailer's approval stays out: 1 of 2 decisive */
	ok(r->reviewed_known && near(r->reviewed, 0.5),
	   "review: the rate counts decisive sources only");
	c[0].outcome.review_decisive = 0;
	c[2].outcome.review_decisive = 0;
	metrics_report_release(&m);
	metrics_compute(&m, c, nr, METRICS_BY_AUTHOR, NULL);
	ok(!m.total.reviewed_known, "review: trailers alone give no rate");
	c[3].agent = NULL;
	metrics_report_release(&m);
	metrics_compute(&m, c, nr, METRICS_BY_AUTHOR, NULL);
	/* $2 of $4 unlanded, the landed hand-written changes cost nothing */
	ok(m.total.unlanded_known && near(m.total.unlanded, 0.5),
	   "unlanded known when no landed assisted change lacks a cost");
cleanup:
	metrics_report_release(&m);
}

static void test_by_team(void)
{
	struct change c[16];
	size_t nr = build(c);
	struct metrics_report m = METRICS_REPORT_INIT;
	struct metrics_teams teams = METRICS_TEAMS_INIT;

	metrics_team_config("tokens.team.web", "ALICE", &teams);
	metrics_team_config("tokens.team.core", "CAROL@?", &teams);
	metrics_team_config("tokens.team.core", "bob <", &teams);
	metrics_team_config("tokens.team.late", "alice", &teams);
	is_int(teams.nr, 3, "three teams from four keys");
	is_str(metrics_team_of(&teams, "Alice", "alice@x"), "web",
	       "substring, any case; the first team wins");
	is_str(metrics_team_of(&teams, "Carol", "carol@x"), "core",
	       "a glob matches the email alone");
	ok(!metrics_team_of(&teams, "Dave", "dave@x"), "no team");
	m.teams = &teams;
	is_int(metrics_compute(&m, c, nr, METRICS_BY_TEAM, NULL), 0,
	       "--by team computes");
	is_int(m.nr, 3, "web, core and (none)");
	ok(row(&m, "core") && row(&m, "core")->changes == 6,
	   "bob and carol in core");
	ok(row(&m, "web") && row(&m, "web")->changes == 3, "alice in web");
	ok(row(&m, METRICS_NO_TEAM) && row(&m, METRICS_NO_TEAM)->changes == 1,
	   "dave in (none)");
	is_int(m.total.changes, nr, "total counts each change once");
	metrics_report_release(&m);
	metrics_teams_release(&teams);
}

static void test_by_tool(void)
{
	struct change c[16];
	size_t nr = build(c);
	struct metrics_report m = METRICS_REPORT_INIT;
	const struct metrics_row *r;

	c[0].usage.tool = "codex";
	c[0].usage.model = "gpt-5";
	c[1].usage.tool = "claude-code";
	c[1].usage.model = "claude-sonnet-4-5";
	c[7].usage.tool = "claude-code";
	c[7].usage.model = "claude-opus-4-1";
	c[9].usage.tool = "gemini";
	is_int(metrics_compute(&m, c, nr, METRICS_BY_TOOL, NULL), 0,
	       "compute by tool");
	r = row(&m, "claude-code");
	/* c[1], c[7] by usage; c[5] by its Claude trailer */
	ok(r && r->changes == 3 && r->with_usage == 2 &&
	   r->assisted_unknown == 1, "tool: usage tool, else the agent named");
	r = row(&m, "aider");
	ok(r && r->changes == 1, "tool: aider from its trailer");
	r = row(&m, "none");
	ok(r && r->changes == 4 && (r->flags & METRICS_FLAG_NO_AI),
	   "tool: changes with neither form the row none");
	ok(row(&m, "codex") && row(&m, "gemini"), "tool: codex and gemini");
	metrics_report_release(&m);
	metrics_compute(&m, c, nr, METRICS_BY_MODEL, NULL);
	ok(row(&m, "gpt-5") && row(&m, "claude-sonnet-4-5") &&
	   row(&m, "claude-opus-4-1") && row(&m, "claude-code") &&
	   row(&m, "aider") && row(&m, "none"),
	   "model: usage model, else the agent named, else none");
	ok(!row(&m, "gemini") && row(&m, "none")->changes == 5,
	   "model: usage without a model falls to none");
	metrics_report_release(&m);
}

static struct metrics_row mk(const char *key, int cost_known, double cost,
			     int surv_known, uint64_t surv, uint64_t added,
			     uint64_t changes)
{
	struct metrics_row r;

	memset(&r, 0, sizeof(r));
	r.key = (char *)key;
	r.cost_known = cost_known;
	r.cost = cost;
	r.surviving_known = surv_known;
	r.surviving = surv;
	r.lines_added = added;
	r.changes = changes;
	if (surv_known && cost_known && cost > 0) {
		r.lines_per_usd_known = 1;
		r.lines_per_usd = surv / cost;
	}
	return r;
}

static void test_sort(void)
{
	struct metrics_row r[8];
	const char *want[] = { "B", "E", "A", "D", "G", "F", "H", "C" };
	size_t i;
	int same = 1;

	r[0] = mk("A", 1, 2, 1, 100, 999, 1);    /* 50 lines/$ */
	r[1] = mk("B", 1, 1, 1, 100, 0, 1);      /* 100 lines/$ */
	r[2] = mk("C", 0, 0, 1, 10, 999, 1);     /* no cost */
	r[3] = mk("D", 0, 0, 1, 20, 0, 1);       /* no cost, more surviving */
	r[4] = mk("E", 1, 4, 1, 200, 0, 1);      /* 50 lines/$, more surviving */
	r[5] = mk("F", 0, 0, 1, 15, 0, 5);
	r[6] = mk("G", 0, 0, 1, 15, 0, 9);       /* same surviving, more changes */
	r[7] = mk("H", 1, 0, 1, 12, 0, 1);       /* zero cost: no lines/$ */
	/* tokens must never matter */
	r[2].tokens = 1000000;
	r[2].tokens_known = 1;
	metrics_sort(r, 8);
	for (i = 0; i < 8; i++)
		if (strcmp(r[i].key, want[i]))
			same = 0;
	ok(same, "sort: lines/$, surviving, then costless rows by surviving");
	if (!same)
		for (i = 0; i < 8; i++)
			printf("# %zu: %s\n", i, r[i].key);

	/* unknown surviving: +lines stands in, then changes, then key */
	r[0] = mk("b", 0, 0, 0, 0, 10, 1);
	r[1] = mk("a", 0, 0, 0, 0, 10, 1);
	r[2] = mk("c", 0, 0, 0, 0, 10, 3);
	r[3] = mk("d", 0, 0, 0, 0, 40, 1);
	metrics_sort(r, 4);
	ok(!strcmp(r[0].key, "d") && !strcmp(r[1].key, "c") &&
	   !strcmp(r[2].key, "a") && !strcmp(r[3].key, "b"),
	   "sort without survival: +lines, changes, key");
}

static void test_flags(void)
{
	struct metrics_report m = METRICS_REPORT_INIT;
	struct metrics_row r[4];

	r[0] = mk("cheap", 1, 1, 1, 100, 0, 1);
	r[1] = mk("mid", 1, 2, 1, 200, 0, 1);
	r[2] = mk("dear", 1, 10, 1, 100, 0, 1);   /* 10 lines/$ < 100/4 */
	r[3] = mk("dear-ok", 1, 10, 1, 900, 0, 1);
	r[0].rework_known = 1;
	r[0].rework = 0.31;
	r[1].rework_known = 1;
	r[1].rework = 0.30;
	r[0].with_usage = r[1].with_usage = r[2].with_usage =
		r[3].with_usage = 1;
	m.rows = r;
	m.nr = 4;
	metrics_flag_rows(&m);
	ok(r[2].flags & METRICS_FLAG_BURN, "burn: lines/$ under a quarter of "
	   "the median with cost above the median");
	ok(!(r[3].flags & METRICS_FLAG_BURN), "no burn when lines/$ is fine");
	ok(!(r[1].flags & METRICS_FLAG_BURN), "no burn below the median cost");
	ok(r[0].flags & METRICS_FLAG_REWORK, "rework over 30%% is flagged");
	ok(!(r[1].flags & METRICS_FLAG_REWORK), "rework of 30%% is not");
	ok(!(r[0].flags & METRICS_FLAG_NO_AI), "usage is not no-ai");
}

static void human(const struct render_col *col, struct render_cell *c,
		  const char *want, const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	render_human(&sb, col, c);
	is_str(sb.buf, want, name);
	strbuf_release(&sb);
}

static void test_render_cells(void)
{
	struct render_col ci = { "n", "n", RENDER_INT, 0, 0, 0 };
	struct render_col cm = { "$", "usd", RENDER_MONEY, 0, 0, 0 };
	struct render_col cs = { "%", "share", RENDER_SHARE, 0, 0, 0 };
	struct render_col cn = { "l/$", "lpu", RENDER_NUMBER, 0, 0, 0 };
	struct render_cell c;
	struct strbuf sb = STRBUF_INIT;

	memset(&c, 0, sizeof(c));
	human(&ci, &c, "\xe2\x80\x94", "unknown is an em dash");
	render_cell_int(&c, 999);
	human(&ci, &c, "999", "small count exact");
	render_cell_int(&c, 1234);
	human(&ci, &c, "1.2k", "1234 -> 1.2k");
	render_cell_int(&c, 41213);
	human(&ci, &c, "41.2k", "41213 -> 41.2k");
	render_cell_int(&c, 1200000);
	human(&ci, &c, "1.2M", "1.2e6 -> 1.2M");
	render_cell_int(&c, 999960);
	human(&ci, &c, "1.0M", "rounding moves up a unit");
	render_cell_double(&c, 3.4127, 1);
	human(&cm, &c, "$3.41", "money");
	render_cell_double(&c, 0.001, 1);
	human(&cm, &c, "<$0.01", "tiny money is not $0.00");
	render_cell_double(&c, 0.45, 1);
	human(&cs, &c, "45%", "share");
	render_cell_double(&c, 412.3, 1);
	human(&cn, &c, "412", "ratio");
	render_cell_double(&c, NAN, 1);
	ok(!c.known, "a NaN is unknown");

	render_json_number(&sb, RENDER_MONEY, 1.2731);
	strbuf_addch(&sb, ' ');
	render_json_number(&sb, RENDER_SHARE, 1.0 / 3.0);
	strbuf_addch(&sb, ' ');
	render_json_number(&sb, RENDER_SHARE, 0.5);
	strbuf_addch(&sb, ' ');
	render_json_number(&sb, RENDER_MONEY, 2);
	is_str(sb.buf, "1.2731 0.3333 0.5 2", "JSON numbers");
	strbuf_reset(&sb);
	render_csv_field(&sb, "Doe, \"JD\" <j@x>");
	strbuf_addch(&sb, ' ');
	render_csv_field(&sb, "plain");
	strbuf_addch(&sb, ' ');
	render_csv_field(&sb, "two\nlines");
	is_str(sb.buf, "\"Doe, \"\"JD\"\" <j@x>\" plain \"two\nlines\"",
	       "CSV quoting");
	strbuf_release(&sb);
}

static const struct render_col tcols[] = {
	{ "who", "who", RENDER_TEXT, RENDER_FLEX, 0, 6 },
	{ "n", "n", RENDER_INT, 0, 0, 0 },
	{ "cost", "cost_usd", RENDER_MONEY, 0, 0, 0 },
	{ "extra", "extra", RENDER_INT, 0, 5, 0 },
	{ "flags", "flags", RENDER_FLAGS, 0, 1, 0 },
	{ "note", "note", RENDER_TEXT, RENDER_HUMAN_ONLY, 9, 0 },
	{ "raw", "raw", RENDER_INT, RENDER_DATA_ONLY, 0, 0 },
};

static void test_render_table(void)
{
	struct render_table t;
	struct render_cell *c;
	struct render_opts wide = { 0, 0 }, narrow = { 24, 0 };
	struct render_opts color = { 0, 1 };
	struct strbuf sb = STRBUF_INIT;

	render_table_init(&t, tcols, ARRAY_SIZE(tcols));
	c = render_table_add_row(&t);
	render_cell_str(&c[0], "Doe, \"JD\" | x");
	render_cell_int(&c[1], 12345);
	render_cell_double(&c[2], 1.5, 1);
	render_cell_int(&c[3], 7);
	render_cell_str(&c[4], "no-ai burn");
	render_cell_str(&c[5], "n");
	render_cell_int(&c[6], 3);
	c = render_table_add_row(&t);
	render_cell_str(&c[0], "b");
	render_cell_str(&c[4], "");

	render_text(&sb, &t, &wide);
	is_str(sb.buf,
	       "who                n   cost  extra  flags       note\n"
	       "Doe, \"JD\" | x  12.3k  $1.50      7  no-ai burn  n\n"
	       "b                  \xe2\x80\x94      \xe2\x80\x94      \xe2\x80\x94"
	       "              \xe2\x80\x94\n",
	       "table: aligned, humanised, data-only column hidden");
	strbuf_reset(&sb);
	render_text(&sb, &t, &narrow);
	is_str(sb.buf,
	       "who             n   cost\n"
	       "Doe, \"JD\"\xe2\x80\xa6  12.3k  $1.50\n"
	       "b               \xe2\x80\x94      \xe2\x80\x94\n",
	       "table: narrow drops low-priority columns, cuts flex text");
	strbuf_reset(&sb);
	render_text(&sb, &t, &color);
	ok(!strncmp(sb.buf, "\033[1m", 4), "colour: bold header");
	ok(strstr(sb.buf, "\033[31mburn\033[m") != NULL, "colour: burn in red");
	strbuf_reset(&sb);

	render_csv(&sb, &t);
	is_str(sb.buf,
	       "who,n,cost_usd,extra,flags,raw\r\n"
	       "\"Doe, \"\"JD\"\" | x\",12345,1.5,7,no-ai burn,3\r\n"
	       "b,,,,,\r\n",
	       "csv: keys, raw numbers, empty unknown, CRLF");
	strbuf_reset(&sb);

	render_markdown(&sb, &t);
	is_str(sb.buf,
	       "| who | n | cost | extra | flags | note |\n"
	       "| :--- | ---: | ---: | ---: | :--- | :--- |\n"
	       "| `Doe, \"JD\" \\| x` | 12.3k | \\$1.50 | 7 | no-ai burn | n |\n"
	       "| b | \xe2\x80\x94 | \xe2\x80\x94 | \xe2\x80\x94 |  | \xe2\x80\x94 |\n",
	       "markdown: a name is a code span, its pipe escaped");
	strbuf_reset(&sb);

	render_json_row(&sb, &t, 0, -1);
	is_str(sb.buf,
	       "{\"who\":\"Doe, \\\"JD\\\" | x\",\"n\":12345,\"cost_usd\":1.5,"
	       "\"extra\":7,\"flags\":[\"no-ai\",\"burn\"],\"raw\":3}",
	       "json row: numbers, strings, flags array");
	strbuf_reset(&sb);
	render_json_row(&sb, &t, 1, 0);
	is_str(sb.buf,
	       "{\"n\":null,\"cost_usd\":null,\"extra\":null,\"flags\":[],"
	       "\"raw\":null}",
	       "json row: unknown is null, skipped key column");
	strbuf_release(&sb);
	render_table_release(&t);
}

int main(void)
{
	test_keys();
	test_columns();
	test_pending();
	test_by_time();
	test_priced();
	test_by_tool();
	test_by_team();
	test_sort();
	test_flags();
	test_render_cells();
	test_render_table();
	return done_testing();
}
