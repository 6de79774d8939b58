/*
 * The range a command names: its revisions checked, the mainline found,
 * and the revisions as git log and rev-list take them.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "base/die.h"
#include "base/run-command.h"
#include "base/strbuf.h"
#include "engine/revs.h"
#include "git/repo.h"

__attribute__((format(printf, 2, 3)))
static int user_error(struct strbuf *err, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (err)
		strbuf_addbuf(err, &sb);
	else
		error("%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

/* --- mainline ------------------------------------------------------------ */

const char *revs_mainline_guess(struct repo *repo, char tip[OID_HEX + 1])
{
	static const char *guesses[] = {
		"refs/remotes/origin/HEAD", "refs/heads/main", "refs/heads/master",
		"refs/remotes/origin/main", "refs/remotes/origin/master",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(guesses); i++)
		if (repo_resolve(repo, guesses[i], tip) == 0)
			return guesses[i];
	return NULL;
}

/* --mainline, tokens.mainline, then revs_mainline_guess(). */
static int find_mainline(struct change_set *out, struct repo *repo,
			 const char *opt, struct strbuf *err)
{
	const char *name;
	char *cfg = NULL;
	int ret = 0;

	if (!opt && repo_config_string(repo, "tokens.mainline", &cfg) == 0)
		opt = cfg;
	if (opt) {
		if (repo_resolve(repo, opt, out->mainline_tip) != 0)
			ret = user_error(err, "mainline '%s' does not exist", opt);
		else
			out->mainline_ref = xstrdup(opt);
		goto cleanup;
	}
	name = revs_mainline_guess(repo, out->mainline_tip);
	if (name) {
		if (!strncmp(name, "refs/heads/", 11))
			name += 11;
		else if (!strncmp(name, "refs/remotes/", 13))
			name += 13;
		out->mainline_ref = xstrdup(name);
	}
cleanup:
	free(cfg);
	return ret;
}

void revs_push(struct strvec *args, const struct strvec *revs)
{
	size_t i;

	for (i = 0; i < revs->nr; i++) {
		if (!strcmp(revs->v[i], "--all"))
			strvec_push(args, "--exclude=refs/notes/*");
		strvec_push(args, revs->v[i]);
	}
}

/* Every end of A..B, A...B and ^A must name a commit. */
static int check_revs(struct repo *repo, const struct strvec *revs,
		      struct strbuf *err)
{
	char oid[OID_HEX + 1];
	size_t i;

	for (i = 0; i < revs->nr; i++) {
		const char *r = revs->v[i], *dots;
		char *a = NULL, *b = NULL;
		int bad = 0;

		if (*r == '-')
			continue;  /* --all, --branches, ...: git checks them */
		if (*r == '^')
			r++;
		dots = strstr(r, "..");
		if (dots) {
			a = xstrndup(r, dots - r);
			b = xstrdup(dots + (dots[2] == '.' ? 3 : 2));
		} else {
			a = xstrdup(r);
		}
		if (*a && repo_resolve(repo, a, oid) != 0)
			bad = 1;
		if (b && *b && repo_resolve(repo, b, oid) != 0)
			bad = 1;
		free(a);
		free(b);
		if (bad)
			return user_error(err, "bad revision '%s'", revs->v[i]);
	}
	return 0;
}

void revs_tips(struct strvec *out, const struct strvec *revs)
{
	size_t i;

	if (!revs->nr)
		strvec_push(out, "HEAD");
	for (i = 0; i < revs->nr; i++) {
		const char *r = revs->v[i], *dots = strstr(r, "..");

		if (*r == '^')
			continue;
		if (!dots) {
			if (!strcmp(r, "--all") || !strcmp(r, "--branches"))
				strvec_push(out, "--exclude=refs/notes/*");
			strvec_push(out, r);
		} else if (dots[2] == '.') {
			char *a = xstrndup(r, dots - r);

			strvec_push(out, *a ? a : "HEAD");
			strvec_push(out, dots[3] ? dots + 3 : "HEAD");
			free(a);
		} else {
			strvec_push(out, dots[2] ? dots + 2 : "HEAD");
		}
	}
}

int revs_bottoms(struct strvec *out, const struct strvec *revs)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf buf = STRBUF_INIT;
	char *p, *nl;
	int ret = 0;

	if (!revs->nr)
		return 0;
	cp.git_cmd = 1;
	strvec_pushl(&cp.args, "rev-parse", "--revs-only", "--no-flags", NULL);
	revs_push(&cp.args, revs);
	strvec_push(&cp.args, "--");
	if (capture_command(&cp, &buf)) {
		ret = error("git rev-parse failed on the range");
		goto cleanup;
	}
	for (p = buf.buf; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		if (*p == '^' && strlen(p) == OID_HEX + 1)
			strvec_push(out, p + 1);
	}
cleanup:
	child_process_clear(&cp);
	strbuf_release(&buf);
	return ret;
}

int revs_resolve(struct change_set *out, struct repo *repo,
		 const struct change_opts *opts, struct strbuf *err)
{
	char head[OID_HEX + 1];
	int r;

	if (find_mainline(out, repo, opts->mainline, err) < 0 ||
	    check_revs(repo, &opts->revs, err) < 0)
		return -1;
	/* An empty repository or an unborn branch has no changes yet. */
	if (!opts->revs.nr && (r = repo_resolve(repo, "HEAD", head)) != 0) {
		/* A HEAD we cannot read is no empty history (error said) */
		if (r < 0)
			return user_error(err, "cannot read the history of "
					  "'HEAD'");
		return 0;
	}
	return 1;
}
