/*
 * git tokens report: output per token, one row per author (or week,
 * month), a total, and how much of the picture is attributed (SPEC §8).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/die.h"
#include "builtin/builtin.h"
#include "engine/attribution.h"
#include "git/repo.h"
#include "report/metrics.h"
#include "report/render.h"
#include "report/report-opts.h"

static const char * const report_usage[] = {
	"git tokens report [<options>] [<revision-range>] [[--] <path>...]",
	NULL
};

enum report_col {
	COL_KEY,
	COL_CHANGES,
	COL_LANDED,
	COL_LINES,
	COL_DELETED,
	COL_SURVIVING,
	COL_REWORK,
	COL_REVIEWED,
	COL_TOKENS,
	COL_OUTPUT,
	COL_COST,
	COL_LPU,
	COL_UPL,
	COL_UNLANDED,
	COL_FLAGS,
	COL__NR
};

/*
 * Priorities say which columns a narrow terminal loses first: tokens
 * are context only, the headline (lines/$, cost, +lines) stays.
 */
static void report_columns(struct render_col *cols, enum metrics_by by)
{
	const struct render_col defs[COL__NR] = {
		[COL_KEY] = { "author", "author", RENDER_TEXT,
			RENDER_FLEX, 0, 16 },
		[COL_CHANGES] = { "changes", "changes", RENDER_INT, 0, 0, 0 },
		[COL_LANDED] = { "landed", "landed", RENDER_INT, 0, 2, 0 },
		[COL_LINES] = { "+lines", "lines_added", RENDER_INT, 0, 0, 0 },
		[COL_DELETED] = { "-lines", "lines_deleted", RENDER_INT,
				  RENDER_DATA_ONLY, 0, 0 },
		[COL_SURVIVING] = { "surviving", "surviving", RENDER_INT,
			0, 3, 0 },
		[COL_REWORK] = { "rework", "rework", RENDER_SHARE, 0, 7, 0 },
		[COL_REVIEWED] = { "reviewed", "reviewed", RENDER_SHARE,
			0, 8, 0 },
		[COL_TOKENS] = { "tokens", "tokens", RENDER_INT, 0, 9, 0 },
		[COL_OUTPUT] = { "out tok", "output_tokens", RENDER_INT,
			0, 5, 0 },
		[COL_COST] = { "cost", "cost_usd", RENDER_MONEY, 0, 0, 0 },
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
	render_cell_double(&cell[COL_REWORK], r->rework, r->rework_known);
	render_cell_double(&cell[COL_REVIEWED], r->reviewed,
			   r->reviewed_known);
	if (r->tokens_known) {
		render_cell_int(&cell[COL_TOKENS], r->tokens);
		render_cell_int(&cell[COL_OUTPUT], r->output);
	}
	render_cell_double(&cell[COL_COST], r->cost, r->cost_known);
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

static int render_report_json(struct strbuf *out, const struct report_opts *o,
			      const struct change_set *set,
			      const struct metrics_report *m,
			      const struct render_table *t)
{
	if (report_json_head(out, "git-tokens/report/v1", o, set) < 0)
		return -1;
	strbuf_addstr(out, "  \"rows\": ");
	render_json_rows(out, t, 0, m->nr, "  ");
	strbuf_addstr(out, ",\n  \"total\": ");
	render_json_row(out, t, t->nrows - 1, COL_KEY);
	strbuf_addstr(out, ",\n  \"coverage\": ");
	add_json_coverage(out, m);
	strbuf_addstr(out, ",\n  \"pending\": ");
	add_json_pending(out, m);
	strbuf_addf(out, ",\n  \"excluded_lines\": %" PRIu64 "\n}\n",
		    m->excluded_lines);
	return 0;
}

/*
 * The changes of o's range, their usage and the numbers: what every
 * format renders (cmd_report, and ci through report_markdown()).
 */
static int report_compute(struct report_opts *o, struct repo *repo,
			  enum metrics_by by, struct change_set *set,
			  struct metrics_report *m, struct metrics_teams *teams)
{
	struct metrics_pending pending;

	if (report_load(o, repo, set) < 0)
		return -1;
	if (!set->nr && !o->quiet)
		warning("no changes in range");
	/* Usage onto changes (notes, links, windows, days), then numbers. */
	if (attribution_load(set, repo, !o->no_cache, &pending, NULL) < 0)
		return -1;
	/* --by team: tokens.team.<name> patterns, in config order. */
	if (by == METRICS_BY_TEAM) {
		if (repo_config_foreach_prefix(repo, "tokens.team.",
					       metrics_team_config, teams) < 0)
			return -1;
		if (!teams->nr && !o->quiet)
			warning("no teams configured (tokens.team.<name>)");
		m->teams = teams;
	}
	if (metrics_compute(m, set->c, set->nr, by, &pending) < 0)
		return -1;
	m->excluded_lines = set->excluded_lines;
	return 0;
}

int report_markdown(struct report_opts *o, struct repo *repo,
		    struct strbuf *out)
{
	struct change_set set = CHANGE_SET_INIT;
	struct metrics_report m = METRICS_REPORT_INIT;
	struct metrics_teams teams = METRICS_TEAMS_INIT;
	struct render_col cols[COL__NR];
	struct render_table t;
	int ret = 0;

	report_columns(cols, METRICS_BY_AUTHOR);
	render_table_init(&t, cols, COL__NR);
	if (report_compute(o, repo, METRICS_BY_AUTHOR, &set, &m, &teams) < 0) {
		ret = -1;
		goto cleanup;
	}
	build_table(&t, &m);
	render_markdown(out, &t);
	strbuf_addch(out, '\n');
	add_coverage_line(out, &m, 0);
cleanup:
	render_table_release(&t);
	metrics_report_release(&m);
	metrics_teams_release(&teams);
	change_set_release(&set);
	return ret;
}

int cmd_report(int argc, const char **argv, struct repo *repo)
{
	struct report_opts o = REPORT_OPTS_INIT;
	struct option options[] = {
		OPT_STRING(0, "by", &o.by, "key",
			   "one row per author, week, month, tool, model "
			   "or team"),
		OPT_REPORT_COMMON(&o),
		OPT_END()
	};
	struct change_set set = CHANGE_SET_INIT;
	struct metrics_report m = METRICS_REPORT_INIT;
	struct metrics_teams teams = METRICS_TEAMS_INIT;
	struct render_col cols[COL__NR];
	struct render_table t;
	struct render_opts ropts = { 0, 0 };
	struct report_out rout;
	struct strbuf out = STRBUF_INIT;
	enum metrics_by by = METRICS_BY_AUTHOR;
	int ret = 0, r;

	report_columns(cols, by);
	render_table_init(&t, cols, COL__NR);
	report_opts_parse(&o, argc, argv, options, report_usage);
	if (o.by && (r = metrics_by_parse(o.by, &by)) != 0) {
		if (r > 0)
			error("--by=%s is not supported yet (use author, "
			      "week, month, tool or model)", o.by);
		else
			error("unknown --by key '%s' (expected author, "
			      "week, month, tool, model or team)", o.by);
		usage_with_options(report_usage, options, 1);
	}
	if (!repo)
		die("not a git repository");

	if (report_compute(&o, repo, by, &set, &m, &teams) < 0) {
		ret = EXIT_FATAL;
		goto cleanup;
	}

	report_columns(cols, by);
	build_table(&t, &m);

	report_setup_output(&o, repo, &rout);
	ropts.width = rout.width;
	ropts.color = rout.color;
	switch (o.fmt) {
	case REPORT_FORMAT_TABLE:
		render_text(&out, &t, &ropts);
		add_coverage_line(&out, &m, ropts.width);
		break;
	case REPORT_FORMAT_MARKDOWN:
		render_markdown(&out, &t);
		strbuf_addch(&out, '\n');
		add_coverage_line(&out, &m, 0);
		break;
	case REPORT_FORMAT_CSV:
		render_csv(&out, &t);
		break;
	case REPORT_FORMAT_JSON:
		if (render_report_json(&out, &o, &set, &m, &t) < 0) {
			ret = EXIT_FATAL;
			goto cleanup;
		}
		break;
	case REPORT_FORMAT_HTML: {
		struct strbuf notes = STRBUF_INIT;

		/* The table's last rows (pending, total) are its foot. */
		add_coverage_line(&notes, &m, 0);
		r = render_html_report(&out, "git tokens report", &o, &set,
				       &t, has_pending(&m) ? 2 : 1, notes.buf);
		strbuf_release(&notes);
		if (r < 0) {
			ret = EXIT_FATAL;
			goto cleanup;
		}
		break;
	}
	}
	if (report_write(&o, &out) < 0)
		ret = EXIT_FATAL;
cleanup:
	render_table_release(&t);
	strbuf_release(&out);
	metrics_report_release(&m);
	metrics_teams_release(&teams);
	change_set_release(&set);
	report_opts_release(&o);
	return ret;
}
