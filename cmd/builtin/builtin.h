#ifndef TOKENS_BUILTIN_H
#define TOKENS_BUILTIN_H

#include "base/die.h"
#include "engine/pipeline.h"

struct repo;

/*
 * The exit code of a command whose pipeline failed: a mistake of the
 * user's (a bad revision or mainline, in p->err) dies as git does; our
 * own failure was reported by error() already.
 */
static inline int pipeline_exit_code(const struct pipeline *p)
{
	if (p->err.len)
		die("%s", p->err.buf);
	return EXIT_FATAL;
}

/*
 * One entry point per subcommand, one file each (builtin/<name>.c). argv[0]
 * is the subcommand name. repo is NULL for commands that run outside a
 * repository. The return value is the exit code.
 */
int cmd_report(int argc, const char **argv, struct repo *repo);
int cmd_log(int argc, const char **argv, struct repo *repo);
int cmd_show(int argc, const char **argv, struct repo *repo);
int cmd_usage(int argc, const char **argv, struct repo *repo);
int cmd_record(int argc, const char **argv, struct repo *repo);
int cmd_hooks(int argc, const char **argv, struct repo *repo);
int cmd_sync(int argc, const char **argv, struct repo *repo);
int cmd_import(int argc, const char **argv, struct repo *repo);
int cmd_fetch(int argc, const char **argv, struct repo *repo);
int cmd_ci(int argc, const char **argv, struct repo *repo);
int cmd_export(int argc, const char **argv, struct repo *repo);
int cmd_doctor(int argc, const char **argv, struct repo *repo);
int cmd_blame(int argc, const char **argv, struct repo *repo);

#endif
