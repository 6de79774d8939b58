#ifndef TOKENS_BUILTIN_H
#define TOKENS_BUILTIN_H

struct repo;

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

#endif
