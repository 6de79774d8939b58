/*
 * The report's table: output per token, one row per author (or week,
 * month, tool, model, team), a total, and how much of the picture is
 * attributed. report and ci render it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/die.h"
#include "git/repo.h"
#include "report/export-read.h"
#include "report/report-table.h"


/*
 * Priorities say which columns a narrow terminal loses first: tokens
 * are context only, the headline (lines/$, cost, +lines) stays, and so
 * do surviving and its assisted share, read beside lines/$.
 */
static void report_columns(struct render_col *cols, enum metrics_by by)
{
	const struct render_col defs[COL__NR] = {
		[COL_KEY] = { "author", "author", RENDER_TEXT,
			RENDER_FLEX, 0, 16 },
		[COL_CHANGES] = { "changes", "changes", RENDER_INT, 0, 0, 0 },
		[COL_LANDED] = { "landed", "landed", RENDER_INT, 0, 4, 0 },
		[COL_LINES] = { "+lines", "lines_added", RENDER_INT, 0, 0, 0 },
		[COL_DELETED] = { "-lines", "lines_deleted", RENDER_INT,
				  RENDER_DATA_ONLY, 0, 0 },
		[COL_SURVIVING] = { "surviving", "surviving", RENDER_INT,
			0, 3, 0 },
		[COL_ASSISTED] = { "assisted", "assisted_share", RENDER_SHARE,
			0, 2, 0 },
		[COL_REWORK] = { "rework", "rework", RENDER_SHARE, 0, 7, 0 },
		[COL_REVIEWED] = { "reviewed", "reviewed", RENDER_SHARE,
			0, 8, 0 },
		[COL_TOKENS] = { "tokens", "tokens", RENDER_INT, 0, 9, 0 },
		[COL_OUTPUT] = { "out tok", "output_tokens", RENDER_INT,
			0, 5, 0 },
		[COL_COST] = { "cost", "cost_usd", RENDER_MONEY, 0, 0, 0 },
		/* What lines/$ and $/landed count: data formats only. */
		[COL_SURV_PRICED] = { "surviving priced", "surviving_priced",
			RENDER_INT, RENDER_DATA_ONLY, 0, 0 },
		[COL_LANDED_PRICED] = { "landed priced", "landed_priced",
			RENDER_INT, RENDER_DATA_ONLY, 0, 0 },
		[COL_LPU] = { "lines/$", "lines_per_usd", RENDER_NUMBER,
			0, 1, 0 },
		[COL_UPL] = { "$/landed", "usd_per_landed", RENDER_MONEY,
			0, 6, 0 },
		[COL_UNLANDED] = { "unlanded", "unlanded", RENDER_SHARE,
			0, 4, 0 },
		[COL_FLAGS] = { "flags", "flags", RENDER_FLAGS, 0, 1, 0 },
	};

	memcpy(cols, defs, sizeof(defs));
	cols[COL_KEY].name = cols[COL_KEY].key = metrics_by_name(by);
	if (by != METRICS_BY_AUTHOR)
		cols[COL_KEY].min_width = 8;
}

static void fill_row(struct render_cell *cell, const char *key,
		     const struct metrics_row *r)
{
	char flags[64];

	render_cell_str(&cell[COL_KEY], key);
	render_cell_int(&cell[COL_CHANGES], r->changes);
	render_cell_int(&cell[COL_LANDED], r->landed);
	render_cell_int(&cell[COL_LINES], r->lines_added);
	render_cell_int(&cell[COL_DELETED], r->lines_deleted);
	if (r->surviving_known)
		render_cell_int(&cell[COL_SURVIVING], r->surviving);
	render_cell_double(&cell[COL_ASSISTED], r->assisted_share,
			   r->assisted_share_known);
	render_cell_double(&cell[COL_REWORK], r->rework, r->rework_known);
	render_cell_double(&cell[COL_REVIEWED], r->reviewed,
			   r->reviewed_known);
	if (r->tokens_known) {
		render_cell_int(&cell[COL_TOKENS], r->tokens);
		render_cell_int(&cell[COL_OUTPUT], r->output);
	}
	render_cell_double(&cell[COL_COST], r->cost, r->cost_known);
	if (r->surviving_known)
		render_cell_int(&cell[COL_SURV_PRICED], r->surviving_priced);
	render_cell_int(&cell[COL_LANDED_PRICED], r->landed_priced);
	render_cell_double(&cell[COL_LPU], r->lines_per_usd,
			   r->lines_per_usd_known);
	render_cell_double(&cell[COL_UPL], r->usd_per_landed,
			   r->usd_per_landed_known);
	render_cell_double(&cell[COL_UNLANDED], r->unlanded,
			   r->unlanded_known);
	metrics_flags_str(r->flags, flags, sizeof(flags));
	render_cell_str(&cell[COL_FLAGS], flags);
}

static int has_pending(const struct metrics_report *m)
{
	return m->pending.present && m->pending.events > 0;
}

/* Rows, then the pending row when there is pending usage, then total. */
static void build_table(struct render_table *t, const struct metrics_report *m)
{
	struct render_cell *cell;
	size_t i;

	for (i = 0; i < m->nr; i++)
		fill_row(render_table_add_row(t), m->rows[i].key, &m->rows[i]);
	if (has_pending(m)) {
		cell = render_table_add_row(t);
		render_cell_str(&cell[COL_KEY], "pending");
		render_cell_int(&cell[COL_TOKENS], m->pending.tokens);
		render_cell_int(&cell[COL_OUTPUT], m->pending.output);
		render_cell_double(&cell[COL_COST], m->pending.cost,
				   m->pending.cost_known);
		render_cell_str(&cell[COL_FLAGS], "");
	}
	fill_row(render_table_add_row(t), "total", &m->total);
}

/* Greedy word wrap at width (0: none); continuation lines indented. */
static void add_wrapped(struct strbuf *out, const char *text, int width)
{
	size_t col = 0;

	while (*text) {
		size_t len = strcspn(text, " ");

		if (col && width > 0 && col + 1 + len > (size_t)width) {
			strbuf_addstr(out, "\n ");
			col = 1;
		}
		if (col) {
			strbuf_addch(out, ' ');
			col++;
		}
		strbuf_add(out, text, len);
		col += len;
		text += len;
		while (*text == ' ')
			text++;
	}
	strbuf_addch(out, '\n');
}

/* Only where agents' own notes say which lines they wrote. */
static void add_ai_line(struct strbuf *out, const struct metrics_report *m,
			int width)
{
	const struct metrics_ai *ai = &m->ai;
	struct strbuf line = STRBUF_INIT;

	if (!ai->changes)
		return;
	strbuf_addf(&line, "ai lines: %" PRIu64 " of %" PRIu64 " changes "
		    "have the agents' own notes: %" PRIu64 " lines the agents "
		    "wrote", ai->changes, m->coverage.changes, ai->added);
	if (ai->surviving_changes)
		strbuf_addf(&line, "; %" PRIu64 " of them surviving at the "
			    "tip (%" PRIu64 " with survival known)",
			    ai->surviving, ai->surviving_changes);
	if (ai->priced && ai->surviving_priced)
		strbuf_addf(&line, "; $%.4f per surviving agent line (%"
			    PRIu64 " priced changes)",
			    ai->cost / ai->surviving_priced, ai->priced);
	add_wrapped(out, line.buf, width);
	strbuf_release(&line);
}

static void add_coverage_line(struct strbuf *out,
			      const struct metrics_report *m, int width)
{
	struct strbuf line = STRBUF_INIT;
	const struct metrics_coverage *cov = &m->coverage;
	enum attrib_how order[] = {
		ATTRIB_HOOK, ATTRIB_LINK, ATTRIB_WINDOW, ATTRIB_DAY,
		ATTRIB_IMPORT,
	};
	const char *sep = ": ";
	size_t i;
	int known;
	double share = metrics_share((double)cov->with_usage,
				     (double)cov->changes, &known);

	strbuf_addf(&line, "coverage: %" PRIu64 " of %" PRIu64
		    " changes have usage", cov->with_usage, cov->changes);
	if (known)
		strbuf_addf(&line, " (%.0f%%)", share * 100);
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (!cov->how[order[i]])
			continue;
		strbuf_addf(&line, "%s%s %" PRIu64, sep,
			    metrics_how_name(order[i]), cov->how[order[i]]);
		sep = ", ";
	}
	if (cov->assisted_unknown)
		strbuf_addf(&line, "; %" PRIu64 " assisted with tokens unknown",
			    cov->assisted_unknown);
	/* The share of usage, too: pending tokens are not on any change. */
	if (m->pending.present && cov->tokens_pending) {
		share = metrics_share((double)cov->tokens_attributed,
				      (double)(cov->tokens_attributed +
					       cov->tokens_pending), &known);
		strbuf_addf(&line, "; %.0f%% of tokens attributed, %" PRIu64
			    " pending", share * 100, cov->tokens_pending);
	}
	if (!m->pending.present)
		strbuf_addstr(&line, "; pending usage not read");
	add_wrapped(out, line.buf, width);
	if (m->excluded_lines) {
		strbuf_reset(&line);
		strbuf_addf(&line, "excluded: %" PRIu64 " lines in paths that "
			    "are not countable", m->excluded_lines);
		add_wrapped(out, line.buf, width);
	}
	add_ai_line(out, m, width);
	strbuf_release(&line);
}

static void add_json_share(struct strbuf *out, double a, double b)
{
	int known;
	double share = metrics_share(a, b, &known);

	if (known)
		render_json_number(out, RENDER_SHARE, share);
	else
		strbuf_addstr(out, "null");
}

static void add_json_coverage(struct strbuf *out,
			      const struct metrics_report *m)
{
	const struct metrics_coverage *cov = &m->coverage;
	enum attrib_how order[] = {
		ATTRIB_HOOK, ATTRIB_LINK, ATTRIB_WINDOW, ATTRIB_DAY,
		ATTRIB_IMPORT,
	};
	size_t i;

	strbuf_addf(out, "{\"changes\":%" PRIu64 ",\"with_usage\":%" PRIu64
		    ",\"share\":", cov->changes, cov->with_usage);
	add_json_share(out, (double)cov->with_usage, (double)cov->changes);
	strbuf_addstr(out, ",\"by_confidence\":{");
	for (i = 0; i < ARRAY_SIZE(order); i++)
		strbuf_addf(out, "%s\"%s\":%" PRIu64, i ? "," : "",
			    metrics_how_name(order[i]), cov->how[order[i]]);
	strbuf_addf(out, "},\"assisted_unknown\":%" PRIu64
		    ",\"tokens_attributed\":%" PRIu64 ",\"tokens_pending\":",
		    cov->assisted_unknown, cov->tokens_attributed);
	if (m->pending.present)
		strbuf_addf(out, "%" PRIu64, cov->tokens_pending);
	else
		strbuf_addstr(out, "null");
	strbuf_addstr(out, ",\"usage_share\":");
	if (m->pending.present)
		add_json_share(out, (double)cov->tokens_attributed,
			       (double)(cov->tokens_attributed +
					cov->tokens_pending));
	else
		strbuf_addstr(out, "null");
	strbuf_addch(out, '}');
}

static void add_json_pending(struct strbuf *out,
			     const struct metrics_report *m)
{
	if (!m->pending.present) {
		strbuf_addstr(out, "null");
		return;
	}
	strbuf_addf(out, "{\"events\":%" PRIu64 ",\"tokens\":%" PRIu64
		    ",\"output_tokens\":%" PRIu64 ",\"cost_usd\":",
		    m->pending.events, m->pending.tokens, m->pending.output);
	if (m->pending.cost_known)
		render_json_number(out, RENDER_MONEY, m->pending.cost);
	else
		strbuf_addstr(out, "null");
	strbuf_addch(out, '}');
}

static void add_json_ai(struct strbuf *out, const struct metrics_ai *ai)
{
	strbuf_addf(out, ",\n  \"ai_lines\": {\"changes\":%" PRIu64
		    ",\"added\":%" PRIu64 ",\"surviving_changes\":%" PRIu64
		    ",\"surviving\":", ai->changes, ai->added,
		    ai->surviving_changes);
	if (ai->surviving_changes)
		strbuf_addf(out, "%" PRIu64, ai->surviving);
	else
		strbuf_addstr(out, "null");
	strbuf_addf(out, ",\"priced_changes\":%" PRIu64
		    ",\"usd_per_surviving_line\":", ai->priced);
	if (ai->priced && ai->surviving_priced)
		render_json_number(out, RENDER_MONEY,
				   ai->cost / ai->surviving_priced);
	else
		strbuf_addstr(out, "null");
	strbuf_addch(out, '}');
}

/* The JSON after its head (report_json_head()). */
static void render_report_json(struct strbuf *out,
			       const struct metrics_report *m,
			       const struct render_table *t)
{
	strbuf_addstr(out, "  \"rows\": ");
	render_json_rows(out, t, 0, m->nr, "  ");
	strbuf_addstr(out, ",\n  \"total\": ");
	render_json_row(out, t, t->nrows - 1, COL_KEY);
	strbuf_addstr(out, ",\n  \"coverage\": ");
	add_json_coverage(out, m);
	strbuf_addstr(out, ",\n  \"pending\": ");
	add_json_pending(out, m);
	if (m->ai.changes)
		add_json_ai(out, &m->ai);
	strbuf_addf(out, ",\n  \"excluded_lines\": %" PRIu64 "\n}\n",
		    m->excluded_lines);
}

/* The numbers, and the table of them (--by team: its patterns first). */
static int compute(struct report_table *rt, struct report_opts *o,
		   struct repo *repo)
{
	/* --by team: tokens.team.<name> patterns, in config order. */
	if (rt->by == METRICS_BY_TEAM) {
		if (repo_config_foreach_prefix(repo, "tokens.team.",
					       metrics_team_config,
					       &rt->teams) < 0)
			return -1;
		if (!rt->teams.nr && !o->quiet)
			warning("no teams configured (tokens.team.<name>)");
		rt->m.teams = &rt->teams;
	}
	if (metrics_compute(&rt->m, rt->set.c, rt->set.nr, rt->by,
			    &rt->pipeline.pending) < 0)
		return -1;
	rt->m.excluded_lines = rt->set.excluded_lines;
	build_table(&rt->t, &rt->m);
	return 0;
}

int report_pipeline_run(struct pipeline *p, struct report_opts *o,
			struct repo *repo, struct change_set *set)
{
	struct strbuf branch = STRBUF_INIT;

	p->stages = PIPELINE_REPORT;
	p->range = &o->change;
	p->review.offline = o->offline;
	p->review.use_cache = o->change.use_cache;
	p->warn_empty = !o->quiet;
	/* ci chose its zone before: this asks again only what it asked. */
	if (report_opts_dates(repo, o, &p->err) < 0)
		return -1;
	/* No range is HEAD: on an unborn branch, as git log says it. */
	if (!o->change.revs.nr && repo_unborn_branch(repo, &branch) > 0) {
		strbuf_addf(&p->err, "your current branch '%s' does not have "
			    "any commits yet", branch.buf);
		strbuf_release(&branch);
		return -1;
	}
	strbuf_release(&branch);
	return pipeline_run(p, repo, set);
}

void report_table_init(struct report_table *rt, enum metrics_by by)
{
	struct pipeline p = PIPELINE_INIT;
	struct change_set set = CHANGE_SET_INIT;
	struct metrics_report m = METRICS_REPORT_INIT;
	struct metrics_teams teams = METRICS_TEAMS_INIT;

	rt->by = by;
	rt->pipeline = p;
	rt->set = set;
	rt->m = m;
	rt->teams = teams;
	report_columns(rt->cols, by);
	render_table_init(&rt->t, rt->cols, COL__NR);
}

int report_table_load(struct report_table *rt, struct report_opts *o,
		      struct repo *repo)
{
	if (report_pipeline_run(&rt->pipeline, o, repo, &rt->set) < 0)
		return -1;
	return compute(rt, o, repo);
}

int report_table_load_from(struct report_table *rt, struct report_opts *o,
			   struct repo *repo, const struct strvec *files)
{
	struct export_read r = { 0 };
	size_t i;
	int ret = 0;

	r.set = &rt->set;
	r.repo = repo;
	for (i = 0; i < files->nr; i++)
		if (export_read_file(&r, files->v[i]) < 0) {
			ret = -1;
			goto cleanup;
		}
	export_read_finish(&r);
	/* Weeks and months as the exports counted them, unless told. */
	if (report_timezone(NULL, o->timezone, r.timezone) < 0) {
		ret = -1;
		goto cleanup;
	}
	strvec_clear(&o->change.revs);
	if (r.range && strcmp(r.range, "HEAD"))
		strvec_push(&o->change.revs, r.range);
	if (!rt->set.nr && !o->quiet)
		warning("no changes in the export files");
	ret = compute(rt, o, repo);
cleanup:
	export_read_release(&r);
	return ret;
}

static void table_notes(struct strbuf *out, int width, const void *data)
{
	add_coverage_line(out, &((const struct report_table *)data)->m,
			  width);
}

static int table_json(struct strbuf *out, const void *data)
{
	const struct report_table *rt = data;

	render_report_json(out, &rt->m, &rt->t);
	return 0;
}

int report_table_render(struct strbuf *out, const struct report_table *rt,
			const struct report_opts *o, struct repo *repo)
{
	struct report_doc doc = {
		.title = "git tokens report",
		.schema = "git-tokens/report/v1",
		.table = &rt->t,
		/* the table's last rows (pending, total) are its foot */
		.foot = has_pending(&rt->m) ? 2 : 1,
		.notes = table_notes,
		.json = table_json,
		.data = rt,
	};

	return report_render(out, o, repo, &rt->set, &doc);
}

void report_table_release(struct report_table *rt)
{
	render_table_release(&rt->t);
	metrics_report_release(&rt->m);
	metrics_teams_release(&rt->teams);
	change_set_release(&rt->set);
	pipeline_release(&rt->pipeline);
}

int report_markdown(struct report_opts *o, struct repo *repo,
		    struct strbuf *out, struct strbuf *err)
{
	struct report_table rt;
	int ret = 0;

	report_table_init(&rt, METRICS_BY_AUTHOR);
	if (report_table_load(&rt, o, repo) < 0) {
		strbuf_addbuf(err, &rt.pipeline.err);
		ret = -1;
		goto cleanup;
	}
	render_markdown(out, &rt.t);
	strbuf_addch(out, '\n');
	add_coverage_line(out, &rt.m, 0);
cleanup:
	report_table_release(&rt);
	return ret;
}
