/*
 * git tokens record [<commit>]: write the local usage since the last
 * recorded event, up to the commit, into the commit's note; the work is
 * engine/record.c's. The post-commit hook runs it with --hook: it must
 * be fast and must never fail the commit.
 */
#include <stdio.h>

#include "base/die.h"
#include "base/parse-options.h"
#include "builtin/builtin.h"
#include "engine/record.h"

static const char * const record_usage[] = {
	"git tokens record [-q] [--hook] [--dry-run] [<commit>]",
	NULL
};

int cmd_record(int argc, const char **argv, struct repo *repo)
{
	struct record_opts o = RECORD_OPTS_INIT;
	struct option options[] = {
		OPT__QUIET(&o.quiet, "say nothing when all is well"),
		OPT_BOOL(0, "hook", &o.hook,
			 "run as the post-commit hook: problems become one "
			 "warning, exit 0"),
		OPT_BOOL('n', "dry-run", &o.dry_run,
			 "print the note lines instead of writing them"),
		OPT_END()
	};
	const char *rev = "HEAD";

	argc = parse_options(argc, argv, options, record_usage, 0);
	if (argc > 1)
		usage_with_options(record_usage, options, 1);
	if (argc == 1)
		rev = argv[0];
	if (o.quiet)
		quiet = 1;
	return record_run(repo, rev, &o) < 0 ? EXIT_FATAL : 0;
}
