/*
 * git-tokens: what the AI tokens bought. git runs this binary as
 * "git tokens"; main() handles the global options, opens the repository
 * the way the command asks for, and dispatches to cmd_<name>().
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/die.h"
#include "base/parse-options.h"
#include "base/paths.h"
#include "base/run-command.h"
#include "base/term.h"
#include "builtin/builtin.h"
#include "git/repo.h"

#define RUN_SETUP (1 << 0)         /* die outside a repository */
#define RUN_SETUP_GENTLY (1 << 1)  /* open one if there is one */
#define NEED_WORK_TREE (1 << 2)
#define RUN_SETUP_NO_FROM (1 << 3) /* RUN_SETUP, unless given --from */

struct cmd_struct {
	const char *name;
	int (*fn)(int argc, const char **argv, struct repo *repo);
	int flags;
	const char *help;
};

/* Only commands that exist; "git tokens -h" and t0001 list this table. */
static const struct cmd_struct commands[] = {
	{ "report", cmd_report, RUN_SETUP_NO_FROM,
	  "output per token, per author (the default command)" },
	{ "log", cmd_log, RUN_SETUP,
	  "one row per change: tokens, cost, lines, outcome" },
	{ "usage", cmd_usage, RUN_SETUP_GENTLY,
	  "usage events by day, session, model or tool" },
	{ "import", cmd_import, RUN_SETUP,
	  "add usage events from JSON Lines files" },
	{ "fetch", cmd_fetch, RUN_SETUP,
	  "pull provider usage (anthropic, openai, cursor)" },
	{ "record", cmd_record, RUN_SETUP | NEED_WORK_TREE,
	  "attribute pending local usage to a commit's note" },
	{ "show", cmd_show, RUN_SETUP,
	  "everything known about one change" },
	{ "blame", cmd_blame, RUN_SETUP,
	  "git blame, with the agent and cost of each line" },
	{ "hooks", cmd_hooks, RUN_SETUP_GENTLY,
	  "install, remove or check the git hooks" },
	{ "sync", cmd_sync, RUN_SETUP,
	  "fetch, merge and push the usage notes" },
	{ "export", cmd_export, RUN_SETUP,
	  "one JSON Lines row per change, for warehouses" },
	{ "doctor", cmd_doctor, RUN_SETUP_GENTLY,
	  "check the set-up: sources, hooks, notes, mainline, prices" },
	{ "ci", cmd_ci, RUN_SETUP,
	  "CI: report the pull request, step summary, sticky comment" },
};

static const char * const git_tokens_usage[] = {
	"git tokens [-C <path>] [-p | --paginate | --no-pager] "
		"[<command>] [<args>]",
	"git tokens --version",
	"git tokens (-h | --help)",
	NULL
};

static void list_commands(FILE *out)
{
	size_t i;

	fprintf(out, "usage: %s\n", git_tokens_usage[0]);
	for (i = 1; git_tokens_usage[i]; i++)
		fprintf(out, "   or: %s\n", git_tokens_usage[i]);
	fprintf(out, "\nCommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "   %-10s %s\n", commands[i].name,
			commands[i].help);
	fprintf(out, "\nSee 'git tokens <command> -h' for the options of a "
		"command,\nand 'git tokens --help' for the manual.\n");
}

static int short_help_cb(const struct option *opt, const char *arg,
			 int unset)
{
	list_commands(stdout);
	exit(0);
}

/*
 * Show the manual and exit 0, when there is one: the page of the build
 * tree the binary runs from (a path, which man reads as a file), else
 * the installed one. Returns when there is none, or no man.
 */
static void show_manual(void)
{
	struct child_process probe = CHILD_PROCESS_INIT;
	struct strbuf page = STRBUF_INIT, ignored = STRBUF_INIT;
	int found;

	if (tokens_build_path("share/man/man1/git-tokens.1", &page) < 0)
		strbuf_addstr(&page, "git-tokens");
	strvec_pushl(&probe.args, "man", "-w", page.buf, NULL);
	probe.no_stderr = 1;
	found = !capture_command(&probe, &ignored);
	strbuf_release(&ignored);
	child_process_clear(&probe);
	if (found) {
		fflush(stdout);
		execlp("man", "man", page.buf, (char *)NULL);
	}
	strbuf_release(&page);
}

/* The manual when there is one, else the command list. */
static int man_cb(const struct option *opt, const char *arg, int unset)
{
	show_manual();
	list_commands(stdout);
	exit(0);
}

static int list_cmds_cb(const struct option *opt, const char *arg,
			int unset)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		printf("%s\n", commands[i].name);
	exit(0);
}

static int chdir_cb(const struct option *opt, const char *arg, int unset)
{
	/* git ignores an empty -C "" */
	if (*arg && chdir(arg) < 0)
		die_errno("cannot change to '%s'", arg);
	return 0;
}

static const struct cmd_struct *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* As git's run_builtin(): a failed write must not look like success. */
static void check_stdout(void)
{
	struct stat st;

	if (fstat(fileno(stdout), &st) < 0 || S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode))
		return;
	if (fflush(stdout))
		die_errno("write failure on standard output");
	if (ferror(stdout))
		die("unknown write failure on standard output");
	if (fclose(stdout))
		die_errno("close failed on standard output");
}

/* report --from reads export files: it needs no repository. */
static int has_from(int argc, const char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--from") ||
		    !strncmp(argv[i], "--from=", 7))
			return 1;
	return 0;
}

static int run_command_entry(const struct cmd_struct *cmd, int argc,
			     const char **argv, int paginate)
{
	/* As git does, "<cmd> -h" works anywhere: the repository is optional. */
	int help = argc == 2 &&
		(!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"));
	int flags = help ? RUN_SETUP_GENTLY : cmd->flags;
	struct repo *repo = NULL;
	int ret;

	/* "<cmd> --help": the manual; without one, the command's usage. */
	if (help && argv[1][1] == '-')
		show_manual();
	if (flags & RUN_SETUP_NO_FROM)
		flags |= has_from(argc, argv) ? RUN_SETUP_GENTLY : RUN_SETUP;

	if (flags & (RUN_SETUP | RUN_SETUP_GENTLY)) {
		ret = repo_open(&repo);
		if (ret == 2 && (flags & RUN_SETUP)) {
			repo_explain_ownership();
			exit(EXIT_FATAL);
		}
		if (ret < 0)
			exit(EXIT_FATAL);
		if (ret > 0 && (flags & RUN_SETUP))
			die("not a git repository (or any of the parent "
			    "directories): .git");
	}
	if ((flags & NEED_WORK_TREE) && (!repo || !repo_work_tree(repo)))
		die("this operation must be run in a work tree");
	if (paginate)
		setup_pager(repo_config_get, repo);

	ret = cmd->fn(argc, argv, repo);
	repo_free(repo);
	check_stdout();
	/* A negative return is an error the command already reported. */
	return ret < 0 ? EXIT_FATAL : ret & 0xff;
}

int main(int argc, const char **argv)
{
	int version = 0, no_pager = 0, paginate = 0;
	struct option options[] = {
		OPT_CALLBACK('C', NULL, NULL, "path",
			     "run as if git-tokens was started in <path>",
			     chdir_cb),
		OPT_BOOL_F('p', "paginate", &paginate,
			   "send the output through the pager", PARSE_OPT_NONEG),
		OPT_BOOL_F(0, "no-pager", &no_pager,
			   "do not send the output through the pager",
			   PARSE_OPT_NONEG),
		OPT_BOOL_F(0, "version", &version,
			   "print the version and exit", PARSE_OPT_NONEG),
		OPT_CALLBACK_F('h', NULL, NULL, NULL,
			       "list the commands and exit",
			       PARSE_OPT_NOARG | PARSE_OPT_NONEG,
			       short_help_cb),
		OPT_CALLBACK_F(0, "help", NULL, NULL,
			       "open the manual",
			       PARSE_OPT_NOARG | PARSE_OPT_NONEG, man_cb),
		OPT_CALLBACK_F(0, "list-cmds", NULL, NULL, NULL,
			       PARSE_OPT_NOARG | PARSE_OPT_NONEG |
			       PARSE_OPT_HIDDEN, list_cmds_cb),
		OPT_END()
	};
	const struct cmd_struct *cmd;
	const char **cmd_argv;
	int cmd_argc, ret;

	tokens_set_argv0(argv[0]);
	/*
	 * Options the dispatcher does not know (git tokens --since=...)
	 * belong to the default command: keep them, and do not let an
	 * abbreviation of theirs match one of ours.
	 */
	argc = parse_options(argc, argv, options, git_tokens_usage,
			     PARSE_OPT_STOP_AT_NON_OPTION |
			     PARSE_OPT_KEEP_UNKNOWN | PARSE_OPT_KEEP_DASHDASH |
			     PARSE_OPT_NO_ABBREV);
	if (version) {
		printf("git-tokens version %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (no_pager)
		setenv("GIT_PAGER", "cat", 1);

	cmd_argv = xcalloc((size_t)argc + 2, sizeof(*cmd_argv));
	if (!argc || argv[0][0] == '-') {
		cmd = find_command("report");
		cmd_argv[0] = "report";
		memcpy(cmd_argv + 1, argv, (size_t)argc * sizeof(*argv));
		cmd_argc = argc + 1;
	} else {
		cmd = find_command(argv[0]);
		if (!cmd) {
			fprintf(stderr, "git tokens: '%s' is not a git-tokens "
				"command. See 'git tokens -h'.\n", argv[0]);
			free(cmd_argv);
			return EXIT_USAGE;
		}
		memcpy(cmd_argv, argv, (size_t)argc * sizeof(*argv));
		cmd_argc = argc;
	}
	if (!cmd)
		BUG("the default command 'report' is not in the table");
	ret = run_command_entry(cmd, cmd_argc, cmd_argv, paginate);
	free(cmd_argv);
	return ret;
}
