/*
 * git tokens report: the report's table (report/report-table.c) of a
 * range, in the format asked for.
 */
#include "base/die.h"
#include "builtin/builtin.h"
#include "git/repo.h"
#include "report/report-table.h"

static const char * const report_usage[] = {
	"git tokens report [<options>] [<revision-range>] [[--] <path>...]",
	NULL
};

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
	struct report_table rt;
	struct strbuf out = STRBUF_INIT;
	enum metrics_by by = METRICS_BY_AUTHOR;
	int ret = 0, r;

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

	report_table_init(&rt, by);
	if (report_timezone(repo, o.timezone, NULL) < 0) {
		ret = EXIT_FATAL;
		goto cleanup;
	}
	if (report_table_load(&rt, &o, repo) < 0) {
		if (rt.pipeline.err.len)
			die("%s", rt.pipeline.err.buf);
		ret = EXIT_FATAL;
		goto cleanup;
	}
	if (report_table_render(&out, &rt, &o, repo) < 0 ||
	    report_write(&o, &out) < 0)
		ret = EXIT_FATAL;
cleanup:
	report_table_release(&rt);
	strbuf_release(&out);
	report_opts_release(&o);
	return ret;
}
