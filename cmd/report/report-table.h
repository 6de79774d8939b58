#ifndef TOKENS_REPORT_TABLE_H
#define TOKENS_REPORT_TABLE_H

#include "engine/pipeline.h"
#include "report/metrics.h"
#include "report/render.h"
#include "report/report-opts.h"

enum report_col {
	COL_KEY,
	COL_CHANGES,
	COL_LANDED,
	COL_LINES,
	COL_DELETED,
	COL_SURVIVING,
	COL_ASSISTED,
	COL_REWORK,
	COL_REVIEWED,
	COL_TOKENS,
	COL_OUTPUT,
	COL_COST,
	COL_SURV_PRICED,
	COL_LANDED_PRICED,
	COL_LPU,
	COL_UPL,
	COL_UNLANDED,
	COL_FLAGS,
	COL__NR
};

/* The report of a range: its changes, their numbers and its table. */
struct report_table {
	enum metrics_by by;
	struct pipeline pipeline;   /* err: the user's mistake, to die() with */
	struct change_set set;
	struct metrics_report m;
	struct metrics_teams teams;
	struct render_col cols[COL__NR];
	struct render_table t;
};

/*
 * Run the pipeline every report-like command runs, as o asks, in the
 * time zone it asks for (report_timezone()): pipeline_run()'s result
 * (a mistake of the user's is in p->err).
 */
int report_pipeline_run(struct pipeline *p, struct report_opts *o,
			struct repo *repo, struct change_set *set);

void report_table_init(struct report_table *rt, enum metrics_by by);
/* Run the pipeline over o's range, then the numbers: 0, or -1. */
int report_table_load(struct report_table *rt, struct report_opts *o,
		      struct repo *repo);
/*
 * The numbers of the changes in the export files (report --from), each
 * as the repository it came from reported them; repo (may be NULL) is
 * the one run in: its mailmap and teams. o's range becomes the rows'.
 * 0, or -1 after error().
 */
int report_table_load_from(struct report_table *rt, struct report_opts *o,
			   struct repo *repo, const struct strvec *files);
/* The table in o's format, into out: 0, or -1 after error(). */
int report_table_render(struct strbuf *out, const struct report_table *rt,
			const struct report_opts *o, struct repo *repo);
void report_table_release(struct report_table *rt);

/*
 * The report of o's range, one row per author, as markdown with its
 * coverage line, appended to out. Nothing is paged or written. Returns
 * 0, or -1 after error() or with the user's mistake in err.
 */
int report_markdown(struct report_opts *o, struct repo *repo,
		    struct strbuf *out, struct strbuf *err);

#endif
