/*
 * git tokens log: one row per change, newest first as git log shows
 * them, with its lines, outcome, usage and attribution confidence.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/die.h"
#include "builtin/builtin.h"
#include "engine/pipeline.h"
#include "git/repo.h"
#include "net/review.h"
#include "report/metrics.h"
#include "report/render.h"
#include "report/report-table.h"

static const char * const log_usage[] = {
	"git tokens log [<options>] [<revision-range>] [[--] <path>...]",
	NULL
};

enum log_col {
	LCOL_SHORT,
	LCOL_COMMIT,
	LCOL_DAY,
	LCOL_DATE,
	LCOL_AUTHOR,
	LCOL_NAME,
	LCOL_EMAIL,
	LCOL_ADDED,
	LCOL_DELETED,
	LCOL_LANDED,
	LCOL_REVERTED,
	LCOL_TOKENS,
	LCOL_OUTPUT,
	LCOL_COST,
	LCOL_SURVIVING,
	LCOL_REWORK,
	LCOL_UNLANDED,
	LCOL_FIXUP,
	LCOL_REVIEW,
	LCOL_HOW,
	LCOL_AGENT,
	LCOL_KIND,
	LCOL_SUBJECT,
	/* Only where agents' own notes say which lines they wrote. */
	LCOL_AI_ADDED,
	LCOL_AI_SURVIVING,
	LCOL__NR
};

#define H RENDER_HUMAN_ONLY
#define D RENDER_DATA_ONLY
static const struct render_col log_cols[LCOL__NR] = {
	[LCOL_SHORT] = { "commit", "commit", RENDER_TEXT, H, 0, 0 },
	[LCOL_COMMIT] = { "commit", "commit", RENDER_TEXT, D, 0, 0 },
	[LCOL_DAY] = { "date", "date", RENDER_TEXT, H, 3, 0 },
	[LCOL_DATE] = { "date", "date", RENDER_TEXT, D, 0, 0 },
	[LCOL_AUTHOR] = { "author", "author", RENDER_TEXT, H | RENDER_FLEX,
			  0, 10 },
	[LCOL_NAME] = { "author", "author_name", RENDER_TEXT, D, 0, 0 },
	[LCOL_EMAIL] = { "email", "author_email", RENDER_TEXT, D, 0, 0 },
	[LCOL_ADDED] = { "+lines", "lines_added", RENDER_INT, RENDER_EXACT,
			 0, 0 },
	[LCOL_DELETED] = { "-lines", "lines_deleted", RENDER_INT,
			   RENDER_EXACT, 2, 0 },
	[LCOL_LANDED] = { "landed", "landed", RENDER_TEXT, 0, 1, 0 },
	[LCOL_REVERTED] = { "reverted", "reverted", RENDER_BOOL, 0, 6, 0 },
	[LCOL_TOKENS] = { "tokens", "tokens", RENDER_INT, RENDER_EXACT,
			  8, 0 },
	[LCOL_OUTPUT] = { "out tok", "output_tokens", RENDER_INT,
			  RENDER_EXACT, 5, 0 },
	[LCOL_COST] = { "cost", "cost_usd", RENDER_MONEY, 0, 0, 0 },
	[LCOL_SURVIVING] = { "surviving", "surviving", RENDER_INT,
			     RENDER_EXACT, 7, 0 },
	[LCOL_REWORK] = { "rework", "reworked", RENDER_INT, RENDER_EXACT,
			  8, 0 },
	[LCOL_UNLANDED] = { "unlanded", "unlanded", RENDER_TEXT, D, 0, 0 },
	[LCOL_FIXUP] = { "fixup", "fixup", RENDER_BOOL, D, 0, 0 },
	[LCOL_REVIEW] = { "review", "review", RENDER_TEXT, 0, 9, 0 },
	[LCOL_HOW] = { "how", "how", RENDER_TEXT, 0, 4, 0 },
	[LCOL_AGENT] = { "agent", "agent", RENDER_TEXT, 0, 4, 0 },
	[LCOL_KIND] = { "kind", "kind", RENDER_TEXT, D, 0, 0 },
	[LCOL_SUBJECT] = { "subject", "subject", RENDER_TEXT,
			   RENDER_TERM_ONLY | RENDER_FLEX, 0, 10 },
	[LCOL_AI_ADDED] = { "ai+", "ai_lines_added", RENDER_INT,
			    RENDER_EXACT, 3, 0 },
	[LCOL_AI_SURVIVING] = { "ai surv", "ai_surviving", RENDER_INT,
				RENDER_EXACT, 3, 0 },
};
#undef H
#undef D

static void fill_change(struct render_cell *cell, const struct change *c,
			size_t ncols)
{
	struct strbuf sb = STRBUF_INIT;
	const struct usage_sum *u = &c->usage;

	strbuf_add(&sb, c->oid, 10);
	render_cell_str(&cell[LCOL_SHORT], sb.buf);
	render_cell_str(&cell[LCOL_COMMIT], c->oid);
	render_cell_str(&cell[LCOL_KIND], metrics_kind_name(c));
	strbuf_reset(&sb);
	report_date(&sb, c->author_time, 1);
	render_cell_str(&cell[LCOL_DAY], sb.buf);
	strbuf_reset(&sb);
	report_date(&sb, c->author_time, 0);
	render_cell_str(&cell[LCOL_DATE], sb.buf);
	render_cell_str(&cell[LCOL_AUTHOR], c->author_name);
	render_cell_str(&cell[LCOL_NAME], c->author_name);
	render_cell_str(&cell[LCOL_EMAIL], c->author_email);
	render_cell_int(&cell[LCOL_ADDED], c->added);
	render_cell_int(&cell[LCOL_DELETED], c->deleted);
	render_cell_str(&cell[LCOL_LANDED], metrics_landed_name(c->landed));
	/* Not landed (yet): still open, or abandoned. */
	if (c->landed == LANDED_NO)
		render_cell_str(&cell[LCOL_UNLANDED], c->outcome.abandoned ?
				"abandoned" : "open");
	render_cell_bool(&cell[LCOL_REVERTED], c->reverted);
	if (c->outcome.survival_known) {
		render_cell_int(&cell[LCOL_SURVIVING], c->outcome.surviving);
		render_cell_int(&cell[LCOL_REWORK], c->outcome.reworked);
	}
	render_cell_bool(&cell[LCOL_FIXUP], c->outcome.fixup);
	if (u->has_usage) {
		render_cell_int(&cell[LCOL_TOKENS], u->input + u->output +
				u->cache_write + u->cache_read);
		render_cell_int(&cell[LCOL_OUTPUT], u->output);
		/* An unpriced model leaves the cost unknown, not zero. */
		render_cell_double(&cell[LCOL_COST], u->cost,
				   !u->cost_unknown || u->cost > 0);
		render_cell_str(&cell[LCOL_HOW], metrics_how_name(u->how));
	}
	/* Unknown review stays blank (null), never "unreviewed". */
	render_cell_str(&cell[LCOL_REVIEW],
			review_state_name(c->outcome.review));
	render_cell_str(&cell[LCOL_AGENT], c->agent);
	render_cell_str(&cell[LCOL_SUBJECT], c->subject ? c->subject : "");
	if (ncols > LCOL_AI_SURVIVING && c->ai_known) {
		render_cell_int(&cell[LCOL_AI_ADDED], c->ai_added);
		if (c->ai_surviving_known)
			render_cell_int(&cell[LCOL_AI_SURVIVING],
					c->ai_surviving);
	}
	strbuf_release(&sb);
}

static int log_json(struct strbuf *out, const void *data)
{
	const struct render_table *t = data;

	strbuf_addstr(out, "  \"changes\": ");
	render_json_rows(out, t, 0, t->nrows, "  ");
	strbuf_addstr(out, "\n}\n");
	return 0;
}

int cmd_log(int argc, const char **argv, struct repo *repo)
{
	struct report_opts o = REPORT_OPTS_INIT;
	struct option options[] = {
		OPT_REPORT_COMMON(&o),
		OPT_END()
	};
	struct pipeline p = PIPELINE_INIT;
	struct change_set set = CHANGE_SET_INIT;
	struct render_table t;
	struct report_doc doc = {
		.title = "git tokens log",
		.schema = "git-tokens/log/v1",
		.table = &t,
		.json = log_json,
		.data = &t,
	};
	struct strbuf out = STRBUF_INIT;
	size_t i, ncols = LCOL_AI_ADDED;
	int ret = 0;

	render_table_init(&t, log_cols, ncols);
	report_opts_parse(&o, argc, argv, options, log_usage);
	if (report_pipeline_run(&p, &o, repo, &set) < 0) {
		ret = pipeline_exit_code(&p);
		goto cleanup;
	}

	for (i = 0; i < set.nr; i++)
		if (set.c[i].ai_known)
			ncols = LCOL__NR;
	render_table_init(&t, log_cols, ncols);
	/* The engine lists changes in git log order: newest first. */
	for (i = 0; i < set.nr; i++)
		fill_change(render_table_add_row(&t), &set.c[i], ncols);
	if (report_render(&out, &o, repo, &set, &doc) < 0 ||
	    report_write(&o, &out) < 0)
		ret = EXIT_FATAL;
cleanup:
	render_table_release(&t);
	strbuf_release(&out);
	change_set_release(&set);
	pipeline_release(&p);
	report_opts_release(&o);
	return ret;
}
