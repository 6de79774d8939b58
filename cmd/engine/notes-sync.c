/*
 * Sharing the notes ref with a remote: fetch the remote's notes into
 * refs/notes/remotes/<remote>/<name>, merge them into the local ref as
 * a union, push, and try again when the remote moved in between. "git
 * tokens sync", the pre-push hook and ci run it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/die.h"
#include "base/run-command.h"
#include "engine/notes-sync.h"
#include "engine/notes.h"
#include "git/git-cmd.h"
#include "git/repo.h"

void notes_tracking_ref(struct strbuf *out, const char *remote,
			const char *ref)
{
	strbuf_reset(out);
	if (!strncmp(ref, "refs/notes/", 11))
		ref += 11;
	else if (!strncmp(ref, "refs/", 5))
		ref += 5;
	strbuf_addf(out, "refs/notes/remotes/%s/%s", remote, ref);
}

int notes_remote_is_named(struct repo *repo, const char *remote)
{
	char *key, *url = NULL;
	int r;

	/* A URL or a path is no remote name, whatever the config says. */
	if (!*remote || strchr(remote, ':') || *remote == '/' ||
	    *remote == '.')
		return 0;
	key = xstrfmt("remote.%s.url", remote);
	r = repo_config_string(repo, key, &url);
	free(key);
	free(url);
	return r == 0;
}

static int collect_remote(const char *key, const char *value, void *data)
{
	struct strvec *names = data;
	const char *name = key + strlen("remote.");
	const char *dot = strrchr(name, '.');
	char *n;

	if (!dot || dot == name || strcmp(dot, ".url") || !value)
		return 0;
	n = xstrndup(name, dot - name);
	if (!strvec_has(names, n))
		strvec_push(names, n);
	free(n);
	return 0;
}

int notes_remotes(struct repo *repo, struct strvec *out)
{
	return repo_config_foreach_prefix(repo, "remote.", collect_remote,
					  out);
}

void notes_fetch_refspec(struct strbuf *out, const char *remote,
			 const char *ref)
{
	struct strbuf tracking = STRBUF_INIT;

	notes_tracking_ref(&tracking, remote, ref);
	strbuf_reset(out);
	strbuf_addf(out, "+%s*:%s*", ref, tracking.buf);
	strbuf_release(&tracking);
}

/*
 * Does one side of a refspec (exact, or with one '*') name ref? When
 * it has a star, *star and *star_len get what it stands for.
 */
static int side_matches(const char *pat, size_t len, const char *ref,
			const char **star, size_t *star_len)
{
	const char *s = memchr(pat, '*', len);
	size_t pre, post, rlen = strlen(ref);

	*star = NULL;
	*star_len = 0;
	if (!s)
		return rlen == len && !strncmp(pat, ref, len);
	pre = s - pat;
	post = len - pre - 1;
	if (rlen < pre + post || strncmp(ref, pat, pre) ||
	    strncmp(ref + rlen - post, s + 1, post))
		return 0;
	*star = ref + pre;
	*star_len = rlen - pre - post;
	return 1;
}

int notes_refspec_map(const char *spec, const char *ref,
		      struct strbuf *into, int *forced)
{
	const char *src = spec + (*spec == '+'), *colon = strchr(src, ':');
	const char *dst, *star, *dst_star;
	size_t len = colon ? (size_t)(colon - src) : strlen(src), star_len;

	*forced = *spec == '+';
	strbuf_reset(into);
	if (!side_matches(src, len, ref, &star, &star_len))
		return 0;
	dst = colon ? colon + 1 : "";
	dst_star = star ? strchr(dst, '*') : NULL;
	if (dst_star) {
		strbuf_add(into, dst, dst_star - dst);
		strbuf_add(into, star, star_len);
		strbuf_addstr(into, dst_star + 1);
	} else {
		strbuf_addstr(into, dst);
	}
	return 1;
}

/*
 * notes_fetched_into(), and in *tracking whether some refspec takes
 * ref into its tracking ref (one that clobbers may sit beside it).
 */
static int fetch_state(struct repo *repo, const char *remote,
		       const char *ref, struct strbuf *into, int *tracking)
{
	struct strvec specs = STRVEC_INIT;
	struct strbuf ours = STRBUF_INIT, dst = STRBUF_INIT;
	char *key = xstrfmt("remote.%s.fetch", remote);
	int best = NOTES_FETCHED_NOT, forced, how;
	size_t i;

	*tracking = 0;
	strbuf_reset(into);
	notes_tracking_ref(&ours, remote, ref);
	if (repo_config_multi(repo, key, &specs) < 0) {
		best = -1;
		goto cleanup;
	}
	for (i = 0; i < specs.nr; i++) {
		if (!notes_refspec_map(specs.v[i], ref, &dst, &forced))
			continue;
		if (!strcmp(dst.buf, ours.buf))
			how = NOTES_FETCHED_TRACKING;
		else if (forced && !strcmp(dst.buf, ref))
			how = NOTES_FETCHED_CLOBBERS;
		else
			how = NOTES_FETCHED_ELSEWHERE;
		*tracking |= how == NOTES_FETCHED_TRACKING;
		if (how > best) {
			best = how;
			strbuf_reset(into);
			strbuf_addbuf(into, &dst);
		}
	}
cleanup:
	free(key);
	strvec_clear(&specs);
	strbuf_release(&ours);
	strbuf_release(&dst);
	return best;
}

int notes_fetched_into(struct repo *repo, const char *remote,
		       const char *ref, struct strbuf *into)
{
	int tracking;

	return fetch_state(repo, remote, ref, into, &tracking);
}

int notes_fetch_refspec_wanted(struct repo *repo, const char *remote,
			       const char *ref, struct strbuf *spec)
{
	struct strbuf into = STRBUF_INIT;
	int tracking, ret;

	notes_fetch_refspec(spec, remote, ref);
	if (fetch_state(repo, remote, ref, &into, &tracking) < 0)
		ret = -1;
	else
		ret = !tracking;
	strbuf_release(&into);
	return ret;
}

int notes_fetch_refspec_add(struct repo *repo, const char *remote,
			    const char *ref, struct strbuf *spec)
{
	char *key = xstrfmt("remote.%s.fetch", remote);
	const char *argv[] = {
		"config", "--local", "--add", key, NULL, NULL
	};
	int ret = notes_fetch_refspec_wanted(repo, remote, ref, spec);

	argv[4] = spec->buf;
	if (ret > 0 && git_cmd(argv, NULL, NULL, GIT_CMD_NO_STDIN))
		ret = error("cannot add '%s' to %s", spec->buf, key);
	free(key);
	return ret;
}

/*
 * No notes here nor fetched: when this is a clone (a remote fetched
 * from, which could have them) and no refspec brings them, say once
 * how to get them.
 */
static int unfetched_warned;

void notes_unfetched_said(void)
{
	unfetched_warned = 1;
}

static int warn_unfetched(struct repo *repo, const struct strvec *remotes,
			  const char *ref)
{
	struct strbuf into = STRBUF_INIT;
	const char *name = NULL;
	size_t i;
	int r, set_up = 0, ret = -1;

	for (i = 0; i < remotes->nr && !set_up; i++) {
		r = notes_fetched_into(repo, remotes->v[i], ref, &into);
		if (r < 0)
			goto cleanup;
		set_up = r > 0;
		strbuf_reset(&into);
		strbuf_addf(&into, "refs/remotes/%s/", remotes->v[i]);
		r = repo_ref_prefix_exists(repo, into.buf);
		if (r < 0)
			goto cleanup;
		if (r && (!name || !strcmp(remotes->v[i], "origin")))
			name = remotes->v[i];
	}
	if (!set_up && name && !unfetched_warned++)
		warning("no usage notes here and none fetched from '%s': run "
			"'git tokens sync' to fetch them once, or 'git tokens "
			"hooks install' to fetch them with every 'git fetch'",
			name);
	ret = 0;
cleanup:
	strbuf_release(&into);
	return ret;
}

int notes_read_shared(struct repo *repo, struct notes_map *out)
{
	struct strbuf ref = STRBUF_INIT, tracking = STRBUF_INIT;
	struct strvec remotes = STRVEC_INIT;
	size_t i;
	int ret = -1;

	if (notes_ref(repo, &ref) < 0 ||
	    notes_read_all(repo, ref.buf, out) < 0 ||
	    notes_remotes(repo, &remotes) < 0)
		goto cleanup;
	for (i = 0; i < remotes.nr; i++) {
		notes_tracking_ref(&tracking, remotes.v[i], ref.buf);
		if (notes_read_union(repo, tracking.buf, out) < 0)
			goto cleanup;
	}
	if (!*out->tip && warn_unfetched(repo, &remotes, ref.buf) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	strvec_clear(&remotes);
	strbuf_release(&ref);
	strbuf_release(&tracking);
	return ret;
}

/*
 * Run git with its messages in C, stdout into out and stderr into err
 * (either may be NULL); returns git's exit code, or -1.
 */
static int run_git(const char **argv, struct strbuf *out, struct strbuf *err)
{
	struct strbuf ignored = STRBUF_INIT;
	int code = git_cmd(argv, out, err ? err : &ignored,
			   GIT_CMD_NO_STDIN | GIT_CMD_C_LOCALE);

	strbuf_release(&ignored);
	return code;
}

/* The last "error:"/"fatal:" line of git's messages, for ours. */
static const char *git_reason(struct strbuf *err)
{
	char *p, *last = NULL;

	strbuf_rtrim(err);
	for (p = err->buf; p && *p; p = strchr(p, '\n')) {
		if (*p == '\n')
			*p++ = '\0';
		if (!strncmp(p, "fatal: ", 7) || !strncmp(p, "error: ", 7))
			last = p + 7;
		else if (!last && *p)
			last = p;
	}
	return last && *last ? last : "unknown error";
}

/* Wait a little longer each time, and not in step with the other side. */
static void backoff(int attempt)
{
	static unsigned seed;
	struct timespec ts;

	if (!seed)
		seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(50 + rand_r(&seed) % 150) * attempt * 1000000L;
	while (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	nanosleep(&ts, NULL);
}

/* Another fetch of ours updates the tracking ref at the same moment. */
static int tracking_ref_busy(const char *err)
{
	return strstr(err, "cannot lock ref") ||
	       (strstr(err, "Unable to create") && strstr(err, ".lock"));
}

/*
 * Fetch remote's ref into tracking. *has is 0 when the remote has no
 * such ref yet. Returns 0 or -1.
 */
static int fetch_notes(const char *remote, const char *ref,
		       const char *tracking, int *has)
{
	struct strbuf err = STRBUF_INIT;
	char *spec = xstrfmt("+%s:%s", ref, tracking);
	const char *argv[] = {
		"-c", "gc.auto=0", "-c", "maintenance.auto=false",
		"fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
		"--no-recurse-submodules", remote, spec, NULL
	};
	int code, ret = 0, attempt;

	*has = 0;
	for (attempt = 1; ; attempt++) {
		strbuf_reset(&err);
		code = run_git(argv, NULL, &err);
		if (!code || attempt >= NOTES_SYNC_ATTEMPTS ||
		    !tracking_ref_busy(err.buf))
			break;
		backoff(attempt);
	}
	if (!code)
		*has = 1;
	else if (!strstr(err.buf, "couldn't find remote ref"))
		ret = error("cannot fetch '%s' from '%s': %s", ref, remote,
			    git_reason(&err));
	free(spec);
	strbuf_release(&err);
	return ret;
}

/*
 * The remote could not take the ref's lock: another push of the notes
 * is under way there. Worth trying again, unlike a hook's refusal.
 */
static int retryable_remote(const char *line)
{
	return strstr(line, "[remote rejected]") &&
		(strstr(line, "failed to update ref") ||
		 strstr(line, "lock"));
}

/*
 * Push ref to remote (a fast-forward only, with --no-verify: we may be
 * in its pre-push hook). Returns 0 when the remote ref moved, 2 when it
 * was up to date, 1 when it was rejected because the remote moved, -1
 * on other errors.
 */
static int push_notes(const char *remote, const char *ref)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *spec = xstrfmt("%s:%s", ref, ref);
	const char *argv[] = {
		"push", "--no-verify", "--porcelain", remote, spec, NULL
	};
	char *line, *nl;
	int code, ret = -1, flag = 0;

	code = run_git(argv, &out, &err);
	/* "<flag> TAB <from>:<to> TAB <summary>": find our ref's line. */
	for (line = out.buf; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (line[0] && line[1] == '\t' && strstr(line, spec)) {
			flag = line[0];
			break;
		}
	}
	if (!code)
		ret = flag == '=' ? 2 : 0;
	else if (flag == '!' && line && (strstr(line, "[rejected]") ||
					 retryable_remote(line)))
		ret = 1;
	else if (flag == '!')
		error("cannot push '%s' to '%s': %s", ref, remote,
		      strchr(line + 2, '\t') ? strchr(line + 2, '\t') + 1 :
		      git_reason(&err));
	else
		error("cannot push '%s' to '%s': %s", ref, remote,
		      git_reason(&err));
	free(spec);
	strbuf_release(&out);
	strbuf_release(&err);
	return ret;
}

__attribute__((format(printf, 3, 4)))
static void say(FILE *out, unsigned flags, const char *fmt, ...)
{
	va_list ap;

	if (!out || (flags & NOTES_SYNC_QUIET))
		return;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

int notes_sync(struct repo *repo, const char *remote, const char *ref,
	       unsigned flags, struct notes_sync_result *res, FILE *out)
{
	struct strbuf tracking = STRBUF_INIT;
	char local[OID_HEX + 1], theirs[OID_HEX + 1];
	int fetch = !!(flags & NOTES_SYNC_FETCH_FIRST);
	int attempt, has, changed, r, ret = 0;

	memset(res, 0, sizeof(*res));
	notes_tracking_ref(&tracking, remote, ref);
	for (attempt = 1; ; attempt++) {
		*theirs = '\0';
		if (fetch) {
			if (fetch_notes(remote, ref, tracking.buf, &has) < 0) {
				ret = -1;
				goto cleanup;
			}
			res->remote_has = has;
			if (has && repo_resolve(repo, tracking.buf, theirs))
				*theirs = '\0';
			if (!has)
				say(out, flags, "%s has no %s yet", remote,
				    ref);
		}
		if (*theirs) {
			changed = 0;
			if (notes_merge(repo, ref, tracking.buf,
					&changed) < 0) {
				ret = error("cannot merge '%s' into '%s'",
					    tracking.buf, ref);
				goto cleanup;
			}
			if (changed) {
				res->merged = 1;
				say(out, flags, "merged %s's notes (%s) "
				    "into %s", remote, tracking.buf, ref);
			}
		}
		if (repo_resolve(repo, ref, local)) {
			if (!res->remote_has)
				res->nothing = 1;
			say(out, flags, "no notes to push");
			break;
		}
		if (*theirs && !strcmp(theirs, local)) {
			say(out, flags, "%s is up to date with %s", ref,
			    remote);
			break;
		}
		r = push_notes(remote, ref);
		if (r == 0 || r == 2) {
			res->pushed = r == 0;
			say(out, flags, r ? "%s is up to date with %s" :
			    "pushed %s to %s", ref, remote);
			break;
		}
		if (r < 0) {
			ret = -1;
			goto cleanup;
		}
		if (attempt >= NOTES_SYNC_ATTEMPTS) {
			ret = error("cannot push '%s' to '%s': it moved "
				    "on each of %d attempts", ref, remote,
				    attempt);
			goto cleanup;
		}
		res->retries++;
		say(out, flags, "%s moved on %s; merging and trying again",
		    ref, remote);
		backoff(attempt);
		fetch = 1;
	}
cleanup:
	strbuf_release(&tracking);
	return ret;
}
