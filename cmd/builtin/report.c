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
	"git tokens report [<options>] --from <export.jsonl>...",
	NULL
};

int cmd_report(int argc, const char **argv, struct repo *repo)
{
	struct report_opts o = REPORT_OPTS_INIT;
	struct strvec from = STRVEC_INIT;
	struct option options[] = {
		OPT_STRING(0, "by", &o.by, "key",
			   "one row per author, week, month, tool, model, "
			   "team or repo"),
		OPT_STRVEC(0, "from", &from, "file",
			   "the changes of these export files (and of the "
			   "arguments after it)"),
		OPT_REPORT_COMMON(&o),
		OPT_END()
	};
	struct report_table rt;
	struct strbuf out = STRBUF_INIT;
	enum metrics_by by = METRICS_BY_AUTHOR;
	int ret = 0;

	report_opts_parse(&o, argc, argv, options, report_usage);
	if (o.by && metrics_by_parse(o.by, &by) < 0) {
		error("unknown --by key '%s' (expected author, week, month, "
		      "tool, model, team or repo)", o.by);
		usage_with_options(report_usage, options, 1);
	}
	if (from.nr) {
		/* The arguments are more files: --from exports/\*.jsonl */
		strvec_pushv(&from, o.change.revs.v);
		strvec_clear(&o.change.revs);
		if (o.change.paths.nr || o.change.since || o.change.until ||
		    o.change.authors.nr || o.change.max_count ||
		    o.change.mainline || o.offline || o.no_cache)
			usage_msg_opt("--from reads whole export files: no "
				      "range, paths or filters",
				      report_usage, options);
	} else if (by == METRICS_BY_REPO) {
		usage_msg_opt("--by repo needs --from", report_usage,
			      options);
	}

	report_table_init(&rt, by);
	if (from.nr ? report_table_load_from(&rt, &o, repo, &from) < 0 :
	    report_table_load(&rt, &o, repo) < 0) {
		ret = pipeline_exit_code(&rt.pipeline);
		goto cleanup;
	}
	if (report_table_render(&out, &rt, &o, repo) < 0 ||
	    report_write(&o, &out) < 0)
		ret = EXIT_FATAL;
cleanup:
	report_table_release(&rt);
	strvec_clear(&from);
	strbuf_release(&out);
	report_opts_release(&o);
	return ret;
}
