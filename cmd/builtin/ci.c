/*
 * git tokens ci: in GitHub Actions or GitLab CI, report the pull or
 * merge request's range as markdown, append it to the job summary and
 * keep one sticky comment on the request up to date. What
 * the job cannot do (no token, a fork's read-only token, a shallow
 * clone) is a warning, never a red job.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/die.h"
#include "base/json.h"
#include "base/parse-options.h"
#include "base/run-command.h"
#include "builtin/builtin.h"
#include "engine/notes-sync.h"
#include "engine/notes.h"
#include "git/git-cmd.h"
#include "git/repo.h"
#include "net/comment.h"
#include "net/forge.h"
#include "net/http.h"
#include "report/render.h"
#include "report/report-table.h"

/* GitHub shows at most 1 MiB of one step's summary. */
#define SUMMARY_MAX (1024 * 1024)

static const char * const ci_usage[] = {
	"git tokens ci [--remote=<name>] [--mainline=<ref>] [--no-fetch] "
		"[--no-comment] [-q]",
	NULL
};

struct ci_request {
	enum forge_kind kind;
	uint64_t number;        /* pull request or merge request iid; 0 */
	char base[OID_HEX + 1]; /* "" when unknown */
	char head[OID_HEX + 1];
	char *base_ref;         /* the target branch, or NULL */
	char *head_ref;         /* where the forge keeps the head */
	char *fork;             /* the head's repository when a fork */
	char *api;
	char *project;
	char *server;           /* web URL of the forge, or NULL */
};

static void ci_request_release(struct ci_request *r)
{
	free(r->base_ref);
	free(r->head_ref);
	free(r->fork);
	free(r->api);
	free(r->project);
	free(r->server);
}

/* A variable that is set and not empty, else NULL. */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int is_hex_oid(const char *s)
{
	size_t i;

	for (i = 0; i < OID_HEX; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return !s[i];
}

/* Copy a full commit id from a variable or event field; -1 if bad. */
static int set_oid(char out[OID_HEX + 1], const char *v)
{
	if (!v)
		return 0;
	if (!is_hex_oid(v))
		return -1;
	memcpy(out, v, OID_HEX + 1);
	return 0;
}

static char *strip_slash(const char *url)
{
	char *s = xstrdup(url);
	size_t len = strlen(s);

	while (len && s[len - 1] == '/')
		s[--len] = '\0';
	return s;
}

/*
 * GitHub Actions: the pull request comes from the event file, because
 * GITHUB_SHA is the test merge commit, not the head.
 */
static int github_request(struct ci_request *r)
{
	const char *path = env("GITHUB_EVENT_PATH");
	const char *repo_name = env("GITHUB_REPOSITORY");
	struct strbuf buf = STRBUF_INIT;
	struct json *ev = NULL, *pr;
	const char *head_repo, *base_repo;
	uint64_t n;
	int ret = 0;

	r->kind = FORGE_GITHUB;
	r->api = strip_slash(env("GITHUB_API_URL") ?
			     env("GITHUB_API_URL") : "https://api.github.com");
	r->server = strip_slash(env("GITHUB_SERVER_URL") ?
				env("GITHUB_SERVER_URL") :
				"https://github.com");
	if (repo_name)
		r->project = xstrdup(repo_name);
	if (!path) {
		if (env("GITHUB_HEAD_REF"))
			return error("GITHUB_EVENT_PATH is not set: cannot "
				     "tell the pull request's head");
		return set_oid(r->head, env("GITHUB_SHA"));
	}
	if (strbuf_read_file(&buf, path, 0) < 0) {
		ret = error_errno("cannot read the event file '%s'", path);
		goto cleanup;
	}
	ev = json_parse(buf.buf, buf.len);
	if (!json_is_object(ev)) {
		ret = error("malformed JSON in the event file '%s'", path);
		goto cleanup;
	}
	pr = json_get(ev, "pull_request");
	if (!json_is_object(pr)) {
		/* A push: report what it brought, with no comment. */
		if (set_oid(r->head, json_get_str(ev, "after")) < 0 ||
		    set_oid(r->base, json_get_str(ev, "before")) < 0)
			ret = error("invalid 'before' or 'after' in the event "
				    "file '%s'", path);
		else if (!r->head[0] && set_oid(r->head, env("GITHUB_SHA")))
			ret = error("invalid GITHUB_SHA");
		/* A new branch: "before" is all zeros. */
		if (strspn(r->base, "0") == OID_HEX)
			r->base[0] = '\0';
		goto cleanup;
	}
	if (json_get_u64(pr, "number", &n) != JSON_NUM_OK || !n) {
		ret = error("no pull_request.number in the event file '%s'",
			    path);
		goto cleanup;
	}
	r->number = n;
	if (set_oid(r->head, json_get_str(pr, "head.sha")) < 0 ||
	    !r->head[0]) {
		ret = error("no valid pull_request.head.sha in the event file "
			    "'%s'", path);
		goto cleanup;
	}
	if (set_oid(r->base, json_get_str(pr, "base.sha")) < 0) {
		ret = error("invalid pull_request.base.sha in the event file "
			    "'%s'", path);
		goto cleanup;
	}
	if (json_get_str(pr, "base.ref"))
		r->base_ref = xstrdup(json_get_str(pr, "base.ref"));
	else if (env("GITHUB_BASE_REF"))
		r->base_ref = xstrdup(env("GITHUB_BASE_REF"));
	r->head_ref = xstrfmt("refs/pull/%" PRIu64 "/head", n);
	head_repo = json_get_str(pr, "head.repo.full_name");
	base_repo = json_get_str(pr, "base.repo.full_name");
	if (head_repo && base_repo && strcmp(head_repo, base_repo))
		r->fork = xstrdup(head_repo);
	if (!r->project && base_repo)
		r->project = xstrdup(base_repo);
cleanup:
	json_free(ev);
	strbuf_release(&buf);
	return ret;
}

/* GitLab CI: everything is in predefined variables. */
static int gitlab_request(struct ci_request *r)
{
	const char *iid = env("CI_MERGE_REQUEST_IID");
	const char *project = env("CI_MERGE_REQUEST_PROJECT_ID");
	const char *head = env("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA");
	const char *target = env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME");
	char *end;

	r->kind = FORGE_GITLAB;
	if (!project)
		project = env("CI_PROJECT_ID");
	if (project)
		r->project = xstrdup(project);
	if (env("CI_API_V4_URL"))
		r->api = strip_slash(env("CI_API_V4_URL"));
	else if (env("CI_SERVER_URL"))
		r->api = xstrfmt("%s/api/v4", env("CI_SERVER_URL"));
	else
		r->api = xstrdup("https://gitlab.com/api/v4");
	if (env("CI_SERVER_URL"))
		r->server = strip_slash(env("CI_SERVER_URL"));
	/* Merged results pipelines run on a merge commit: use the head. */
	if (!head)
		head = env("CI_COMMIT_SHA");
	if (set_oid(r->head, head) < 0)
		return error("invalid commit id '%s' in CI_COMMIT_SHA or "
			     "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", head);
	if (!iid) {
		/* A branch pipeline: what the push brought, no comment. */
		if (set_oid(r->base, env("CI_COMMIT_BEFORE_SHA")) < 0 ||
		    strspn(r->base, "0") == OID_HEX)
			r->base[0] = '\0';
		return 0;
	}
	errno = 0;
	r->number = strtoull(iid, &end, 10);
	if (errno || *end || !r->number)
		return error("invalid CI_MERGE_REQUEST_IID '%s'", iid);
	if (set_oid(r->base, env("CI_MERGE_REQUEST_DIFF_BASE_SHA")) < 0)
		return error("invalid CI_MERGE_REQUEST_DIFF_BASE_SHA");
	if (target)
		r->base_ref = xstrdup(target);
	r->head_ref = xstrfmt("refs/merge-requests/%" PRIu64 "/head",
			      r->number);
	if (!r->project)
		return error("neither CI_MERGE_REQUEST_PROJECT_ID nor "
			     "CI_PROJECT_ID is set");
	return 0;
}

/* Run git quietly; its last error line goes to err. Exit code or -1. */
static int run_git(struct strvec *args, struct strbuf *err)
{
	int code = git_cmd(args->v, NULL, err, GIT_CMD_NO_STDIN |
			   GIT_CMD_C_LOCALE | GIT_CMD_NO_PROMPT);

	strbuf_rtrim(err);
	return code;
}

/* "git fetch <remote> <refspec>": 0, 1 when the ref is not there, -1. */
static int fetch(const char *remote, const char *refspec, struct strbuf *err)
{
	struct strvec args = STRVEC_INIT;
	int code;

	strbuf_reset(err);
	strvec_pushl(&args, "-c", "gc.auto=0", "-c", "maintenance.auto=false",
		     "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
		     "--no-recurse-submodules", remote, refspec, NULL);
	code = run_git(&args, err);
	strvec_clear(&args);
	if (!code)
		return 0;
	if (strstr(err->buf, "couldn't find remote ref") ||
	    strstr(err->buf, "not our ref") ||
	    strstr(err->buf, "unadvertised object"))
		return 1;
	return -1;
}

static const char *last_line(const struct strbuf *s)
{
	const char *nl = strrchr(s->buf, '\n');

	return nl ? nl + 1 : s->len ? s->buf : "unknown error";
}

/*
 * The remote's notes into refs/notes/remotes/<remote>/..., merged into
 * the local notes ref as a union of lines (fast-forward when there is
 * none yet). Failing here costs numbers, not the job: a warning.
 */
static void fetch_notes(struct repo *repo, const char *remote)
{
	struct strbuf ref = STRBUF_INIT, tracking = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	char *spec = NULL;
	int changed = 0, r;

	if (notes_ref(repo, &ref) < 0)
		goto cleanup;
	notes_tracking_ref(&tracking, remote, ref.buf);
	spec = xstrfmt("+%s:%s", ref.buf, tracking.buf);
	r = fetch(remote, spec, &err);
	if (r > 0) {
		warning("'%s' has no %s yet: no usage is attributed (run "
			"'git tokens hooks install' and push the notes)",
			remote, ref.buf);
		notes_unfetched_said();
		goto cleanup;
	}
	if (r < 0) {
		warning("cannot fetch %s from '%s': %s", ref.buf, remote,
			last_line(&err));
		goto cleanup;
	}
	if (notes_merge(repo, ref.buf, tracking.buf, &changed) < 0)
		warning("cannot merge %s into %s; reporting without the "
			"remote's notes", tracking.buf, ref.buf);
cleanup:
	free(spec);
	strbuf_release(&ref);
	strbuf_release(&tracking);
	strbuf_release(&err);
}

static int have_commit(struct repo *repo, const char *oid)
{
	char buf[OID_HEX + 16];
	char out[OID_HEX + 1];

	snprintf(buf, sizeof(buf), "%s^{commit}", oid);
	return repo_resolve(repo, buf, out) == 0;
}

/*
 * Make sure oid is here: fetch the ref that holds it (the request's
 * head ref or the target branch), else the commit itself. 0 when it is
 * here, 1 when not.
 */
static int want_commit(struct repo *repo, const char *remote, const char *oid,
		       const char *ref, const char *local)
{
	struct strbuf err = STRBUF_INIT;
	char *spec;

	if (have_commit(repo, oid))
		return 0;
	if (ref) {
		spec = xstrfmt("+%s:%s", ref, local);
		fetch(remote, spec, &err);
		free(spec);
		if (have_commit(repo, oid))
			goto found;
	}
	fetch(remote, oid, &err);
	strbuf_release(&err);
	return !have_commit(repo, oid);
found:
	strbuf_release(&err);
	return 0;
}

static const char *request_word(enum forge_kind kind)
{
	return kind == FORGE_GITLAB ? "merge request" : "pull request";
}

static void add_header(struct strbuf *out, const struct ci_request *r,
		       const char *range, const char *mainline, int shallow)
{
	if (r->number)
		strbuf_addf(out, "### git tokens: %s %c%" PRIu64 "\n\n",
			    request_word(r->kind),
			    r->kind == FORGE_GITLAB ? '!' : '#', r->number);
	else
		strbuf_addstr(out, "### git tokens\n\n");
	strbuf_addstr(out, "Changes in ");
	render_markdown_code(out, range);
	if (mainline) {
		strbuf_addstr(out, ", landed on ");
		render_markdown_code(out, mainline);
	}
	strbuf_addstr(out, ".\n\n");
	if (shallow)
		strbuf_addf(out, "> **Shallow clone:** history is missing, so "
			    "these numbers are partial. Fetch the whole "
			    "history: %s.\n\n", r->kind == FORGE_GITLAB ?
			    "`GIT_DEPTH: 0` in the job's variables" :
			    "`fetch-depth: 0` in `actions/checkout`");
}

/* Append to the step summary file (GitHub's $GITHUB_STEP_SUMMARY). */
static int append_summary(const char *path, const struct strbuf *body)
{
	struct strbuf buf = STRBUF_INIT;
	const char *p;
	size_t left;
	int fd, ret = 0;

	strbuf_addbuf(&buf, body);
	comment_fit(&buf, SUMMARY_MAX - 1, 1, "_(report cut: it is over "
		    "the 1 MiB that a step summary may hold)_");
	strbuf_addch(&buf, '\n');
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0666);
	if (fd < 0) {
		ret = error_errno("cannot open the step summary '%s'", path);
		goto cleanup;
	}
	for (p = buf.buf, left = buf.len; left; ) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = error_errno("cannot write the step summary '%s'",
					  path);
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd) < 0 && !ret)
		ret = error_errno("cannot write the step summary '%s'", path);
cleanup:
	strbuf_release(&buf);
	return ret;
}

/* Where the report went when the comment could not be written. */
static const char *fallback_place(const char *summary)
{
	return summary ? "the step summary" : "the job log";
}

/*
 * The sticky comment. 0 when written or skipped with a warning (no
 * token, no write access), -1 after error().
 */
static int post_comment(struct repo *repo, struct ci_request *r,
			const struct strbuf *report, const char *summary,
			int quiet_flag)
{
	struct forge f = FORGE_INIT;
	struct comment_result res = COMMENT_RESULT_INIT;
	struct strbuf body = STRBUF_INIT, note = STRBUF_INIT;
	const char *where = r->kind == FORGE_GITLAB ? "GitLab" : "GitHub";
	char mark = r->kind == FORGE_GITLAB ? '!' : '#';
	const char *s;
	int ret = 0;

	f.kind = r->kind;
	f.repo = repo;
	f.api = xstrdup(r->api);
	f.project = xstrdup(r->project);
	if (r->server && (s = strstr(r->server, "://"))) {
		f.protocol = xstrndup(r->server, (size_t)(s - r->server));
		f.host = xstrndup(s + 3, strcspn(s + 3, "/"));
	}
	if (forge_auth(&f)) {
		const char *how = r->kind == FORGE_GITLAB ?
			"GITLAB_TOKEN to a project access token with the "
			"api scope" :
			"GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }} in the "
			"step's env";

		warning("no %s token (set %s): the report is only in %s",
			where, how, fallback_place(summary));
		goto cleanup;
	}

	strbuf_addstr(&body, COMMENT_MARKER "\n");
	strbuf_addbuf(&body, report);
	strbuf_addf(&note, "_(report cut to fit %s's limit of %zu "
		    "characters for a comment; the whole report is in %s)_",
		    where, comment_max(&f), fallback_place(summary));
	if (comment_fit(&body, comment_max(&f), 0, note.buf))
		warning("the report is longer than a %s comment may be: "
			"the comment is cut", where);

	/* http.proxy and http.sslCAInfo of this repository apply. */
	if (http_init(repo) < 0) {
		ret = -1;
		goto cleanup;
	}
	ret = comment_upsert(&f, r->number, body.buf, &res);
	if (ret > 0) {
		if (r->fork)
			strbuf_addf(&res.reason, "; a pull request from the "
				    "fork '%s' gets a read-only token",
				    r->fork);
		warning("cannot comment on %s %c%" PRIu64 ": %s; the report "
			"is only in %s", request_word(r->kind), mark,
			r->number, res.reason.buf, fallback_place(summary));
		ret = 0;
		goto cleanup;
	}
	if (ret < 0)
		goto cleanup;
	if (quiet_flag)
		goto cleanup;
	switch (res.action) {
	case COMMENT_CREATED:
		fprintf(stderr, "created comment %" PRIu64 " on %s %c%" PRIu64
			"\n", res.id, request_word(r->kind), mark, r->number);
		break;
	case COMMENT_UPDATED:
		fprintf(stderr, "updated comment %" PRIu64 " on %s %c%" PRIu64
			"\n", res.id, request_word(r->kind), mark, r->number);
		break;
	case COMMENT_UNCHANGED:
		fprintf(stderr, "comment %" PRIu64 " on %s %c%" PRIu64
			" is up to date\n", res.id, request_word(r->kind),
			mark, r->number);
		break;
	}
cleanup:
	comment_result_release(&res);
	forge_release(&f);
	strbuf_release(&body);
	strbuf_release(&note);
	return ret;
}

/* The notes, and the request's head and base, from remote. */
static void fetch_request(struct repo *repo, const char *remote,
			  const struct ci_request *r)
{
	struct strbuf ref = STRBUF_INIT;
	char *local = NULL;

	fetch_notes(repo, remote);
	if (r->head[0]) {
		local = r->head_ref ?
			xstrfmt("refs/remotes/%s/%s", remote,
				r->head_ref + strlen("refs/")) : NULL;
		if (want_commit(repo, remote, r->head, r->head_ref, local))
			warning("cannot fetch the head %s from '%s'",
				r->head, remote);
		free(local);
		local = NULL;
	}
	if (r->base[0]) {
		local = r->base_ref ?
			xstrfmt("refs/remotes/%s/%s", remote, r->base_ref) :
			NULL;
		if (r->base_ref)
			strbuf_addf(&ref, "refs/heads/%s", r->base_ref);
		if (want_commit(repo, remote, r->base,
				r->base_ref ? ref.buf : NULL, local))
			warning("cannot fetch the base %s from '%s'",
				r->base, remote);
	}
	free(local);
	strbuf_release(&ref);
}

int cmd_ci(int argc, const char **argv, struct repo *repo)
{
	const char *remote = "origin", *mainline = NULL, *zone = NULL;
	int no_fetch = 0, no_comment = 0, quiet_flag = 0;
	struct option options[] = {
		OPT_STRING(0, "remote", &remote, "name",
			   "fetch notes and refs from <name> (origin)"),
		OPT_STRING(0, "mainline", &mainline, "ref",
			   "the branch that counts as shipped (the target "
			   "branch)"),
		OPT_BOOL(0, "no-fetch", &no_fetch,
			 "do not fetch the notes or the request's commits"),
		OPT_BOOL(0, "no-comment", &no_comment,
			 "write the summary only, no comment"),
		OPT_STRING(0, "timezone", &zone, "zone",
			   "dates in <zone> (IANA name; default UTC)"),
		OPT__QUIET(&quiet_flag, "suppress notes and warnings"),
		OPT_END()
	};
	struct ci_request r = { 0 };
	struct report_opts o = REPORT_OPTS_INIT;
	struct strbuf report = STRBUF_INIT, table = STRBUF_INIT;
	struct strbuf range = STRBUF_INIT, ref = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	const char *summary = env("GITHUB_STEP_SUMMARY");
	int shallow, ret = 0;

	argc = parse_options(argc, argv, options, ci_usage, 0);
	if (argc)
		usage_msg_opt("too many arguments", ci_usage, options);
	if (quiet_flag)
		quiet = 1;
	/* A runner's clock says nothing of the team's: UTC unless told. */
	if (report_timezone(repo, zone, "UTC") < 0) {
		ret = EXIT_FATAL;
		goto cleanup;
	}

	if (env("GITHUB_ACTIONS") && !strcmp(env("GITHUB_ACTIONS"), "true"))
		ret = github_request(&r);
	else if (env("GITLAB_CI") && !strcmp(env("GITLAB_CI"), "true"))
		ret = gitlab_request(&r);
	else
		die("not in a CI job: neither GITHUB_ACTIONS nor GITLAB_CI "
		    "is 'true'");
	if (ret < 0) {
		ret = EXIT_FATAL;
		goto cleanup;
	}
	if (r.number && !r.project) {
		error("GITHUB_REPOSITORY is not set");
		ret = EXIT_FATAL;
		goto cleanup;
	}
	/* Review data for the report comes from the same API. */
	if (r.kind == FORGE_GITHUB && !env("GIT_TOKENS_GITHUB_API"))
		setenv("GIT_TOKENS_GITHUB_API", r.api, 1);
	if (r.kind == FORGE_GITLAB && !env("GIT_TOKENS_GITLAB_API"))
		setenv("GIT_TOKENS_GITLAB_API", r.api, 1);

	shallow = repo_is_shallow(repo);
	if (shallow)
		warning("this is a shallow clone: commits before its depth "
			"are missing, so the numbers are partial; fetch the "
			"whole history (%s)", r.kind == FORGE_GITLAB ?
			"GIT_DEPTH: 0 in the job's variables" :
			"fetch-depth: 0 in actions/checkout");

	if (!no_fetch)
		fetch_request(repo, remote, &r);
	if (r.head[0] && !have_commit(repo, r.head)) {
		warning("the head %s is not in this clone: reporting HEAD",
			r.head);
		strcpy(r.head, "HEAD");
	}
	if (r.base[0] && !have_commit(repo, r.base)) {
		warning("the base %s is not in this clone%s: reporting every "
			"change that is here", r.base,
			shallow ? " (shallow)" : "");
		r.base[0] = '\0';
	}
	if (!r.head[0])
		strcpy(r.head, "HEAD");
	if (r.base[0])
		strbuf_addf(&range, "%.7s..%.7s", r.base, r.head);
	else
		strbuf_addf(&range, "%.7s", r.head);

	/* Landed means on the target branch, as the forge will merge it. */
	strbuf_reset(&ref);
	if (!mainline && r.base_ref) {
		strbuf_addf(&ref, "refs/remotes/%s/%s", remote, r.base_ref);
		if (repo_ref_exists(repo, ref.buf) > 0)
			mainline = ref.buf;
	}
	if (r.base[0])
		strvec_pushf(&o.change.revs, "%s..%s", r.base, r.head);
	else
		strvec_push(&o.change.revs, r.head);
	o.change.mainline = mainline;
	o.change.progress = 0;
	o.progress = 0;
	o.quiet = quiet_flag;
	o.fmt = REPORT_FORMAT_MARKDOWN;
	if (report_markdown(&o, repo, &table, &err) < 0) {
		if (err.len)
			die("%s", err.buf);
		ret = EXIT_FATAL;
		goto cleanup;
	}
	add_header(&report, &r, range.buf, mainline ? mainline +
		   (!strncmp(mainline, "refs/remotes/", 13) ? 13 : 0) : NULL,
		   shallow);
	strbuf_addbuf(&report, &table);
	strbuf_addf(&report, "\n<sub>git-tokens %s</sub>\n", PACKAGE_VERSION);

	if (fwrite(report.buf, 1, report.len, stdout) != report.len ||
	    fflush(stdout)) {
		error_errno("could not write to standard output");
		ret = EXIT_FATAL;
		goto cleanup;
	}
	if (summary && append_summary(summary, &report) < 0) {
		ret = EXIT_FATAL;
		goto cleanup;
	}
	if (!r.number || no_comment)
		goto cleanup;
	if (post_comment(repo, &r, &report, summary, quiet_flag) < 0)
		ret = EXIT_FATAL;
cleanup:
	strbuf_release(&report);
	strbuf_release(&table);
	strbuf_release(&range);
	strbuf_release(&ref);
	report_opts_release(&o);
	ci_request_release(&r);
	http_cleanup();
	strbuf_release(&err);
	return ret;
}
