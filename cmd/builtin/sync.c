/*
 * git tokens sync [<remote>]: fetch the remote's usage notes into
 * refs/notes/remotes/<remote>/<name>, merge them into the local notes
 * ref as a union (nothing local is ever dropped), and push: the loop
 * of engine/notes-sync.c, which the pre-push hook and ci run too. It
 * also adds the fetch refspec that brings them with every fetch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/die.h"
#include "base/parse-options.h"
#include "base/run-command.h"
#include "builtin/builtin.h"
#include "engine/notes-sync.h"
#include "engine/notes.h"
#include "git/repo.h"

static const char * const sync_usage[] = {
	"git tokens sync [-q] [<remote>]",
	NULL
};

/* The current branch's remote, else origin; NULL when neither is. */
static char *default_remote(struct repo *repo)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf branch = STRBUF_INIT;
	char *remote = NULL, *key;

	cp.git_cmd = 1;
	cp.no_stderr = 1;
	strvec_pushl(&cp.args, "symbolic-ref", "-q", "--short", "HEAD", NULL);
	if (!capture_command(&cp, &branch)) {
		strbuf_trim(&branch);
		key = xstrfmt("branch.%s.remote", branch.buf);
		if (repo_config_string(repo, key, &remote) ||
		    !notes_remote_is_named(repo, remote)) {
			free(remote);
			remote = NULL;
		}
		free(key);
	}
	if (!remote && notes_remote_is_named(repo, "origin"))
		remote = xstrdup("origin");
	child_process_clear(&cp);
	strbuf_release(&branch);
	return remote;
}

int cmd_sync(int argc, const char **argv, struct repo *repo)
{
	int quiet_opt = 0;
	struct option options[] = {
		OPT__QUIET(&quiet_opt, "say nothing when all is well"),
		OPT_END()
	};
	struct strbuf ref = STRBUF_INIT, spec = STRBUF_INIT;
	struct notes_sync_result res;
	char *remote = NULL;
	int r, ret = 0;

	argc = parse_options(argc, argv, options, sync_usage, 0);
	if (argc > 1)
		usage_msg_opt("too many arguments", sync_usage, options);
	if (argc == 1) {
		if (!notes_remote_is_named(repo, argv[0]))
			die("'%s' is not a configured remote", argv[0]);
		remote = xstrdup(argv[0]);
	} else if (!(remote = default_remote(repo))) {
		die("no remote to sync with: the current branch has no "
		    "upstream and there is no 'origin'; name one");
	}
	if (notes_ref(repo, &ref) < 0)
		die("cannot read tokens.notesRef");
	if (notes_sync(repo, remote, ref.buf,
		       NOTES_SYNC_FETCH_FIRST |
		       (quiet_opt ? NOTES_SYNC_QUIET : 0), &res, stdout) < 0)
		ret = EXIT_FATAL;
	/* From now on a plain "git fetch" brings them too. */
	else if ((r = notes_fetch_refspec_add(repo, remote, ref.buf,
					      &spec)) < 0)
		ret = EXIT_FATAL;
	else if (r && !quiet_opt)
		printf("added remote.%s.fetch=%s\n", remote, spec.buf);
	free(remote);
	strbuf_release(&spec);
	strbuf_release(&ref);
	return ret;
}
