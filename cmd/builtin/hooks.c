/*
 * git tokens hooks install|uninstall|status (engine/hooks.c does the
 * work), and "hooks run <hook>", what the shims in $(pkgdatadir)/hooks
 * call.
 *
 * status exits 1 when the hooks or the notes config are not (all) in
 * place, so that scripts can test it; Cursor's stop hook is optional
 * and only reported.
 *
 * Notes are pushed by pre-push only to a configured remote (one with a
 * remote.<name>.url): a push to a bare URL never carries them.
 */
#include "base/compat.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/oidmap.h"
#include "base/parse-options.h"
#include "base/run-command.h"
#include "builtin/builtin.h"
#include "engine/ai-lines.h"
#include "engine/cursor-hooks.h"
#include "engine/hooks.h"
#include "engine/notes-sync.h"
#include "engine/notes.h"
#include "engine/pipeline.h"
#include "engine/record.h"
#include "git/repo.h"
#include "model/change.h"
#include "report/render.h"
#include "sources/cursor.h"

static const char * const hooks_usage[] = {
	"git tokens hooks install [-q] [--cursor]",
	"git tokens hooks uninstall [-q] [--cursor]",
	"git tokens hooks status",
	"git tokens hooks cursor-stop",
	NULL
};

/* --- hooks run <hook>: what the shims call ------------------------------ */

static void run_record(struct repo *repo)
{
	struct record_opts o = RECORD_OPTS_INIT;

	o.hook = 1;
	record_run(repo, "HEAD", &o);
}

static int run_post_commit(struct repo *repo)
{
	if (!hooks_rebase_in_progress(repo))
		run_record(repo);
	return 0;
}

static int is_hex_oid(const char *s, size_t len)
{
	size_t i;

	if (len != OID_HEX)
		return 0;
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * post-rewrite amend|rebase, stdin "<old> SP <new> [SP <extra>]" a line
 * (githooks(5)). "rebase" comes once the rebase is done, though its
 * state folder is still there; an "amend" while a rebase runs (fixup,
 * squash) is one of its steps.
 */
static int run_post_rewrite(struct repo *repo, int argc, const char **argv)
{
	int done_rebase = argc > 0 && !strcmp(argv[0], "rebase");
	struct strbuf line = STRBUF_INIT;
	struct notes_rewrite *rw = NULL;
	size_t nr = 0, alloc = 0, added = 0;

	while (strbuf_getline(&line, stdin) != EOF) {
		if (line.len < 2 * OID_HEX + 1 || line.buf[OID_HEX] != ' ' ||
		    !is_hex_oid(line.buf, OID_HEX) ||
		    !is_hex_oid(line.buf + OID_HEX + 1, OID_HEX))
			continue;
		ALLOC_GROW(rw, nr + 1, alloc);
		memcpy(rw[nr].from, line.buf, OID_HEX);
		rw[nr].from[OID_HEX] = '\0';
		memcpy(rw[nr].to, line.buf + OID_HEX + 1, OID_HEX);
		rw[nr].to[OID_HEX] = '\0';
		nr++;
	}
	/* git copied them if notes.rewriteRef names our ref; else we do. */
	if (nr && notes_copy(repo, NULL, rw, nr, &added) < 0)
		warning("git-tokens: usage notes not copied to the rewritten "
			"commits");
	if (ai_notes_rewrite(repo, rw, nr) < 0)
		warning("git-tokens: agent notes not copied to the rewritten "
			"commits");
	if (done_rebase || !hooks_rebase_in_progress(repo))
		run_record(repo);
	free(rw);
	strbuf_release(&line);
	return 0;
}

/* One ref being pushed, and the commits it sends ("<local> ^<remote>"). */
struct push_line {
	char *remote_ref;
	struct strvec revs;
};

static int is_null_oid(const char *hex)
{
	return strspn(hex, "0") == OID_HEX;
}

/* Tips of refs/remotes/<remote>/ (all remotes when remote is NULL). */
static void remote_tips(struct strvec *out, const char *remote)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf sb = STRBUF_INIT;
	char **lines = NULL;
	size_t n, i;

	cp.git_cmd = 1;
	strvec_pushl(&cp.args, "for-each-ref", "--format=%(objectname)",
		     NULL);
	if (remote)
		strvec_pushf(&cp.args, "refs/remotes/%s/", remote);
	else
		strvec_push(&cp.args, "refs/remotes/");
	if (!capture_command(&cp, &sb)) {
		n = strbuf_split_inplace(sb.buf, '\n', &lines);
		for (i = 0; i < n; i++)
			if (is_hex_oid(lines[i], strlen(lines[i])))
				strvec_pushf(out, "^%s", lines[i]);
	}
	free(lines);
	child_process_clear(&cp);
	strbuf_release(&sb);
}

struct push_sum {
	size_t changes, with_usage;
	uint64_t added, deleted, output;
	double cost, unlanded_cost;
	int cost_unknown;
};

static void human(struct strbuf *sb, enum render_kind kind, uint64_t n,
		  double d)
{
	struct render_col col = { NULL, NULL, kind, 0, 0, 0 };
	struct render_cell cell;

	memset(&cell, 0, sizeof(cell));
	if (kind == RENDER_INT)
		render_cell_int(&cell, n);
	else
		render_cell_double(&cell, d, 1);
	render_human(sb, &col, &cell);
}

/* "3 changes, +212 −37 lines, 41.2k out tok, $0.81" */
static void push_summary(struct strbuf *sb, const struct push_sum *s)
{
	strbuf_addf(sb, "%lu change%s, +%llu \xe2\x88\x92%llu lines",
		    (unsigned long)s->changes, s->changes == 1 ? "" : "s",
		    (unsigned long long)s->added,
		    (unsigned long long)s->deleted);
	if (!s->with_usage) {
		strbuf_addstr(sb, ", no usage recorded");
		return;
	}
	strbuf_addstr(sb, ", ");
	human(sb, RENDER_INT, s->output, 0);
	strbuf_addstr(sb, " out tok, ");
	human(sb, RENDER_MONEY, 0, s->cost);
	if (s->cost_unknown)
		strbuf_addstr(sb, "+");
	if (s->with_usage < s->changes)
		strbuf_addf(sb, " (%lu without usage)",
			    (unsigned long)(s->changes - s->with_usage));
}

/*
 * tokens.prePush.policy: comma-separated checks. Returns 1 when the
 * push passes, 0 when it fails (reason in why).
 */
static int check_policy(const char *policy, const struct push_sum *s,
			struct strbuf *why)
{
	char *copy = xstrdup(policy), *item, *save = NULL;
	int pass = 1;

	for (item = strtok_r(copy, ", ", &save); item;
	     item = strtok_r(NULL, ", ", &save)) {
		char *eq = strchr(item, '='), *end;
		double max;

		if (!eq || eq - item != 16 ||
		    strncmp(item, "maxUnlandedShare", 16)) {
			warning("tokens.prePush.policy: unknown check '%s'",
				item);
			continue;
		}
		max = strtod(eq + 1, &end);
		if (*end == '%') {
			max /= 100;
			end++;
		}
		if (end == eq + 1 || *end || max < 0) {
			warning("tokens.prePush.policy: bad value in '%s'",
				item);
			continue;
		}
		if (s->cost > 0 && s->unlanded_cost / s->cost > max + 1e-9) {
			pass = 0;
			strbuf_addf(why, "%.0f%% of the cost of this push (",
				    100 * s->unlanded_cost / s->cost);
			human(why, RENDER_MONEY, 0, s->unlanded_cost);
			strbuf_addstr(why, " of ");
			human(why, RENDER_MONEY, 0, s->cost);
			strbuf_addf(why, ") is on changes not landed on the "
				    "mainline; %s allows %.0f%%", item,
				    100 * max);
		}
	}
	free(copy);
	return pass;
}

/*
 * The branch of the remote that the mainline follows ("main" for
 * origin/HEAD -> origin/main, or for a local main), or NULL: pushed
 * there, a change lands by the push itself.
 */
static char *mainline_branch(const char *mainline, const char *remote)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf full = STRBUF_INIT, prefix = STRBUF_INIT;
	char *ret = NULL;

	if (!mainline)
		return NULL;
	cp.git_cmd = 1;
	cp.no_stderr = 1;
	strvec_pushl(&cp.args, "rev-parse", "--symbolic-full-name", mainline,
		     NULL);
	if (!capture_command(&cp, &full)) {
		strbuf_trim(&full);
		strbuf_addf(&prefix, "refs/remotes/%s/", remote);
		if (!strncmp(full.buf, prefix.buf, prefix.len))
			ret = xstrdup(full.buf + prefix.len);
		else if (!strncmp(full.buf, "refs/heads/", 11))
			ret = xstrdup(full.buf + 11);
	}
	child_process_clear(&cp);
	strbuf_release(&full);
	strbuf_release(&prefix);
	return ret;
}

/* Add the commits a push line sends to set. */
static void mark_pushed(struct oidmap *set, const struct push_line *l)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	char **lines = NULL;
	size_t n, i;

	cp.git_cmd = 1;
	strvec_push(&cp.args, "rev-list");
	strvec_pushv(&cp.args, l->revs.v);
	if (!capture_command(&cp, &out)) {
		n = strbuf_split_inplace(out.buf, '\n', &lines);
		for (i = 0; i < n; i++)
			if (*lines[i])
				oidmap_put(set, lines[i], 1);
	}
	free(lines);
	child_process_clear(&cp);
	strbuf_release(&out);
}

static int sum_push(struct repo *repo, const struct push_line *pl, size_t nr,
		    const char *remote, const char *ref, struct push_sum *s)
{
	struct change_opts opts = CHANGE_OPTS_INIT;
	struct pipeline p = PIPELINE_INIT;
	struct change_set set = CHANGE_SET_INIT;
	struct notes_map map = NOTES_MAP_INIT;
	struct oidmap landing = OIDMAP_INIT;
	struct strbuf target = STRBUF_INIT;
	char *branch = NULL;
	size_t i;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < nr; i++)
		strvec_pushv(&opts.revs, pl[i].revs.v);
	opts.progress = 0;
	/* The notes are pre-push's own (ref below): no attribution. */
	p.stages = PIPELINE_LINES | PIPELINE_LANDING | PIPELINE_SQUASH_AUTHORS;
	p.range = &opts;
	if (pipeline_run(&p, repo, &set) < 0) {
		ret = error("%s", p.err.len ? p.err.buf :
			    "cannot list the commits being pushed");
		goto cleanup;
	}
	if (notes_read_all(repo, ref, &map) < 0) {
		ret = -1;
		goto cleanup;
	}
	branch = mainline_branch(set.mainline_ref, remote);
	if (branch) {
		strbuf_addf(&target, "refs/heads/%s", branch);
		for (i = 0; i < nr; i++)
			if (!strcmp(pl[i].remote_ref, target.buf))
				mark_pushed(&landing, &pl[i]);
	}
	for (i = 0; i < set.nr; i++) {
		const struct change *c = &set.c[i];
		const struct note *n = notes_find(&map, c->oid);
		struct usage_sum u;

		s->changes++;
		s->added += c->added;
		s->deleted += c->deleted;
		if (!n)
			continue;
		memset(&u, 0, sizeof(u));
		note_usage(n, &u);
		if (!u.has_usage)
			continue;
		s->with_usage++;
		s->output += u.output;
		s->cost += u.cost;
		s->cost_unknown |= u.cost_unknown;
		if (c->landed == LANDED_NO &&
		    !oidmap_get(&landing, c->oid, NULL))
			s->unlanded_cost += u.cost;
	}
cleanup:
	free(branch);
	oidmap_clear(&landing);
	notes_map_release(&map);
	change_set_release(&set);
	pipeline_release(&p);
	change_opts_release(&opts);
	strbuf_release(&target);
	return ret;
}

/* "-n", "-qf": short options, one of them c. */
static int short_flags_with(const char *arg, char c)
{
	const char *p;

	if (arg[0] != '-' || !arg[1] || arg[1] == '-')
		return 0;
	for (p = arg + 1; *p; p++)
		if (!isalpha((unsigned char)*p))
			return 0;
	return strchr(arg + 1, c) != NULL;
}

struct push_flags {
	int dry_run, quiet;
};

/*
 * "git push --dry-run" (or -n) runs pre-push too: then nothing may be
 * pushed; "git push -q" wants no summary. git passes neither to the
 * hook: only the command line of the git that runs it says, above the
 * shim. Look a few processes up for it.
 */
static void push_flags(struct push_flags *f)
{
	struct strvec args = STRVEC_INIT;
	pid_t pid = getppid();
	int depth, push = 0;
	size_t i;

	memset(f, 0, sizeof(*f));
	for (depth = 0; depth < 3 && pid > 1 && !push; depth++) {
		strvec_clear(&args);
		if (compat_process_args(pid, &args) < 0)
			break;
		for (i = 0; i < args.nr; i++) {
			const char *arg = args.v[i];

			if (!strcmp(arg, "push"))
				push = 1;
			else if (!push)
				continue;
			else if (!strcmp(arg, "--"))
				break;
			else if (!strcmp(arg, "--dry-run") ||
				 short_flags_with(arg, 'n'))
				f->dry_run = 1;
			else if (!strcmp(arg, "--quiet") ||
				 short_flags_with(arg, 'q'))
				f->quiet = 1;
			else if (!strcmp(arg, "--no-quiet"))
				f->quiet = 0;
		}
		pid = compat_parent_pid(pid);
	}
	strvec_clear(&args);
}

/*
 * pre-push <remote> <url>, stdin "<local-ref> SP <local-sha> SP
 * <remote-ref> SP <remote-sha>" a line. Exit 1 only when the policy
 * refuses the push; anything else is a warning.
 */
static int run_pre_push(struct repo *repo, int argc, const char **argv)
{
	struct strbuf line = STRBUF_INIT, ref = STRBUF_INIT, msg = STRBUF_INIT;
	struct strvec tips = STRVEC_INIT;
	struct push_line *pl = NULL;
	struct notes_sync_result res;
	struct push_sum sum;
	const char *remote = argc > 0 ? argv[0] : "";
	char oid[OID_HEX + 1];
	char *policy = NULL;
	size_t nr = 0, alloc = 0, i;
	int named, pushes_notes = 0, summary = 1, enforce = 0, ret = 0;
	int have_tips = 0;
	struct push_flags flags;

	if (notes_ref(repo, &ref) < 0)
		ref.len = 0;
	named = notes_remote_is_named(repo, remote);
	while (strbuf_getline(&line, stdin) != EOF) {
		char **f = NULL;
		size_t nf = strbuf_split_inplace(line.buf, ' ', &f);
		struct push_line *l;

		if (nf != 4 || !is_hex_oid(f[1], strlen(f[1])) ||
		    !is_hex_oid(f[3], strlen(f[3]))) {
			free(f);
			continue;
		}
		if (ref.len && (!strcmp(f[0], ref.buf) ||
				!strcmp(f[2], ref.buf)))
			pushes_notes = 1;
		/* A deletion, or notes: no changes are sent. */
		if (is_null_oid(f[1]) || !strncmp(f[0], "refs/notes/", 11) ||
		    !strncmp(f[2], "refs/notes/", 11)) {
			free(f);
			continue;
		}
		ALLOC_GROW(pl, nr + 1, alloc);
		l = &pl[nr++];
		l->remote_ref = xstrdup(f[2]);
		strvec_init(&l->revs);
		strvec_push(&l->revs, f[1]);
		if (!is_null_oid(f[3]) && !repo_resolve(repo, f[3], oid)) {
			strvec_pushf(&l->revs, "^%s", f[3]);
		} else {
			/* New there: what no remote-tracking ref has. */
			if (!have_tips++)
				remote_tips(&tips, named ? remote : NULL);
			strvec_pushv(&l->revs, tips.v);
		}
		free(f);
	}

	push_flags(&flags);
	repo_config_bool(repo, "tokens.prePush.summary", &summary);
	summary &= !flags.quiet;
	repo_config_bool(repo, "tokens.prePush.enforce", &enforce);
	if (repo_config_string(repo, "tokens.prePush.policy", &policy))
		policy = NULL;
	if (nr && ref.len && (summary || policy)) {
		if (sum_push(repo, pl, nr, remote, ref.buf, &sum) < 0) {
			warning("git-tokens: no push summary");
		} else {
			if (summary && sum.changes) {
				push_summary(&msg, &sum);
				fprintf(stderr, "%s\n", msg.buf);
			}
			strbuf_reset(&msg);
			if (policy && !check_policy(policy, &sum, &msg)) {
				if (enforce) {
					error("push refused by "
					      "tokens.prePush.policy: %s",
					      msg.buf);
					fprintf(stderr, "hint: tokens.prePush."
						"enforce=false makes it a "
						"warning\n");
					ret = EXIT_POLICY;
					goto cleanup;
				}
				warning("tokens.prePush.policy: %s", msg.buf);
			}
		}
	}

	/* The notes go beside the branch, to configured remotes only. */
	if (ref.len && named && !pushes_notes &&
	    !repo_resolve(repo, ref.buf, oid) && !flags.dry_run) {
		if (notes_sync(repo, remote, ref.buf, NOTES_SYNC_QUIET, &res,
			       stderr) < 0)
			warning("git-tokens: usage notes not pushed to '%s'; "
				"'git tokens sync %s' tries again", remote,
				remote);
		else if (res.merged && !flags.quiet)
			fprintf(stderr, "git-tokens: merged %s's usage notes "
				"into %s and pushed them\n", remote, ref.buf);
	}
cleanup:
	for (i = 0; i < nr; i++) {
		free(pl[i].remote_ref);
		strvec_clear(&pl[i].revs);
	}
	free(pl);
	free(policy);
	strvec_clear(&tips);
	strbuf_release(&line);
	strbuf_release(&ref);
	strbuf_release(&msg);
	return ret;
}

static int hooks_run(struct repo *repo, int argc, const char **argv,
		     int quiet_opt)
{
	if (argc < 1)
		die("hooks run: which hook?");
	if (!strcmp(argv[0], "post-commit"))
		return run_post_commit(repo);
	if (!strcmp(argv[0], "post-rewrite"))
		return run_post_rewrite(repo, argc - 1, argv + 1);
	if (!strcmp(argv[0], "pre-push"))
		return run_pre_push(repo, argc - 1, argv + 1);
	die("hooks run: unknown hook '%s'", argv[0]);
}

/* --- Cursor: its agent's stop hook ------------------------------------- */

/*
 * "hooks cursor-stop": what Cursor's stop hook runs, the payload on
 * stdin. It must never get in the agent's way: whatever happens, it
 * answers an empty JSON object and exits 0; a failure is one warning.
 */
static int run_cursor_stop(struct repo *repo, int argc, const char **argv,
			   int quiet_opt)
{
	struct strbuf in = STRBUF_INIT, path = STRBUF_INIT;
	char buf[8192];
	ssize_t n;
	int64_t now;

	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			warning("cannot read the stop hook's input: %s",
				strerror(errno));
			break;
		}
		strbuf_add(&in, buf, (size_t)n);
	}
	date_now(&now);
	cursor_log_path(&path);
	if (in.len && cursor_log_append(path.buf, in.buf, in.len, now) < 0)
		warning("Cursor usage not recorded");
	printf("{}\n");
	strbuf_release(&in);
	strbuf_release(&path);
	return 0;
}

/* [-q] [--cursor] after install or uninstall. */
static void cursor_args(int argc, const char **argv, int *quiet_opt,
			int *cursor)
{
	static const struct option none[] = { OPT_END() };
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			*quiet_opt = 1;
		else if (!strcmp(argv[i], "--cursor"))
			*cursor = 1;
		else
			usage_msg_opt("too many arguments", hooks_usage, none);
	}
}

static int sub_install(struct repo *repo, int argc, const char **argv,
		       int quiet_opt)
{
	int cursor = 0;

	cursor_args(argc, argv, &quiet_opt, &cursor);
	if (hooks_install(repo, quiet_opt) < 0 ||
	    (cursor && cursor_hooks_install(quiet_opt) < 0))
		return EXIT_FATAL;
	return 0;
}

static int sub_uninstall(struct repo *repo, int argc, const char **argv,
			 int quiet_opt)
{
	int cursor = 0;

	cursor_args(argc, argv, &quiet_opt, &cursor);
	if (hooks_uninstall(repo, quiet_opt) < 0 ||
	    (cursor && cursor_hooks_uninstall(quiet_opt) < 0))
		return EXIT_FATAL;
	return 0;
}

static int sub_status(struct repo *repo, int argc, const char **argv,
		      int quiet_opt)
{
	struct strbuf file = STRBUF_INIT;
	int r = hooks_status(repo);

	/* Optional, so its absence does not change the exit code. */
	if (r >= 0) {
		if (cursor_hooks_installed(&file))
			printf("cursor stop hook: installed in '%s'\n",
			       file.buf);
		else
			printf("cursor stop hook: not installed (optional: "
			       "git tokens hooks install --cursor)\n");
	}
	strbuf_release(&file);
	return r < 0 ? EXIT_FATAL : r ? EXIT_POLICY : 0;
}

/* The subcommands, as git's OPT_SUBCOMMAND would list them. */
static const struct hooks_subcommand {
	const char *name;
	int (*fn)(struct repo *repo, int argc, const char **argv,
		  int quiet_opt);
	unsigned own_args:1;   /* takes arguments, not only a trailing -q */
	unsigned no_repo:1;    /* runs outside a repository too */
} hooks_subcommands[] = {
	{ .name = "install", .fn = sub_install, .own_args = 1 },
	{ .name = "uninstall", .fn = sub_uninstall, .own_args = 1 },
	{ .name = "status", .fn = sub_status },
	{ .name = "run", .fn = hooks_run, .own_args = 1 },
	{ .name = "cursor-stop", .fn = run_cursor_stop, .no_repo = 1 },
};

int cmd_hooks(int argc, const char **argv, struct repo *repo)
{
	int quiet_opt = 0;
	struct option options[] = {
		OPT__QUIET(&quiet_opt, "say nothing when all is well"),
		OPT_END()
	};
	const struct hooks_subcommand *sub = NULL;
	size_t i;

	argc = parse_options(argc, argv, options, hooks_usage,
			     PARSE_OPT_STOP_AT_NON_OPTION);
	if (argc < 1)
		usage_with_options(hooks_usage, options, 1);
	for (i = 0; i < ARRAY_SIZE(hooks_subcommands) && !sub; i++)
		if (!strcmp(argv[0], hooks_subcommands[i].name))
			sub = &hooks_subcommands[i];
	if (!sub) {
		char msg[128];

		snprintf(msg, sizeof(msg), "unknown subcommand: '%.64s'",
			 argv[0]);
		usage_msg_opt(msg, hooks_usage, options);
	}
	if (!repo && !sub->no_repo)
		die("not a git repository (or any of the parent "
		    "directories): .git");
	/* "install -q": the one argument after the name, for all but run */
	if (!sub->own_args) {
		if (argc > 1 && strcmp(argv[1], "-q") &&
		    strcmp(argv[1], "--quiet"))
			usage_msg_opt("too many arguments", hooks_usage,
				      options);
		if (argc > 1)
			quiet_opt = 1;
	}
	return sub->fn(repo, argc - 1, argv + 1, quiet_opt);
}
