/*
 * Recording: the local usage since the last recorded event, up to a
 * commit, written into the commit's note (confidence "hook"). "git
 * tokens record" runs it, and so does the post-commit hook, in hook
 * mode: it must be fast and must never fail the commit.
 *
 * Which events: those of this repository newer than the watermark and
 * not later than the commit's committer time plus RECORD_SKEW_MS, nor
 * than the first run for the commit (the hook's, to the millisecond):
 * usage logged after it is the next commit's, however soon. The skew
 * covers the committer time being truncated to whole seconds and the
 * log line of the response that ran "git commit" being flushed a
 * moment after the commit itself. A run again for the commit the last
 * run was for takes nothing from the commit's second on that is newer
 * than what that run took, as attribution reads a note: what a commit
 * holds does not depend on when "record" runs again.
 *
 * Nor earlier than the parent's committer time (plus the same skew),
 * unless the last run was for the parent: then from its watermark, so
 * that lines logged after the parent's hook ran, with times inside its
 * skew, count here. Without a watermark (first run, or <common
 * dir>/tokens/ deleted) a run must not pile all past usage onto one
 * commit, and usage from before the parent, when commits were made
 * without the hook, is left to link and window attribution, which find
 * its own commit for it.
 *
 * The watermark file (<common dir>/tokens/record-watermark, written
 * atomically) holds a format line, the time of the newest recorded
 * event, the commit the last run was for, and the keys of the events
 * recorded at exactly that time (so a late one with the same time is
 * still taken). A corrupt or foreign file counts as none.
 *
 * A run may be killed at any point. The lock is a flock() (it goes with
 * its process). The note and the watermark are two writes, so the new
 * watermark is first written to <common dir>/tokens/record-pending with
 * the note lines it goes with; the next run finds it there if this one
 * was killed, and keeps it when the note has those lines, or drops it
 * when the note was never written: no event is lost or counted twice,
 * even when the retry would group the events into other lines.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/paths.h"
#include "engine/notes.h"
#include "engine/record.h"
#include "git/repo.h"
#include "sources/sources.h"

#define RECORD_SKEW_MS 2000
#define LOCK_WAIT_MS 10000
#define LOCK_WAIT_HOOK_MS 3000

#define WATERMARK_MAGIC "git-tokens-watermark 2"
#define PENDING_MAGIC "git-tokens-record-pending 1"


struct watermark {
	int64_t time;           /* ms of the newest recorded event; -1 none */
	char commit[41];        /* the commit the last run was for, or "" */
	uint64_t *at;           /* keys of the recorded events at time */
	size_t nr, alloc;
};

#define WATERMARK_INIT { .time = -1, .commit = "", .at = NULL, .nr = 0, \
			 .alloc = 0 }

static uint64_t event_key(const struct usage_event *ev)
{
	uint64_t h = hash_bytes(&ev->time, sizeof(ev->time), 1);

	h = hash_bytes(ev->session, strlen(ev->session), h);
	h = hash_bytes(ev->model ? ev->model : "", ev->model ?
			strlen(ev->model) : 0, h ^ (uint64_t)ev->tool);
	h = hash_bytes(&ev->input, sizeof(ev->input), h);
	h = hash_bytes(&ev->output, sizeof(ev->output), h);
	h = hash_bytes(&ev->cache_write, sizeof(ev->cache_write), h);
	h = hash_bytes(&ev->cache_read, sizeof(ev->cache_read), h);
	return h ? h : 1;
}

static int watermark_has(const struct watermark *wm, uint64_t key)
{
	size_t i;

	for (i = 0; i < wm->nr; i++)
		if (wm->at[i] == key)
			return 1;
	return 0;
}

static void watermark_add(struct watermark *wm, uint64_t key)
{
	if (watermark_has(wm, key))
		return;
	ALLOC_GROW(wm->at, wm->nr + 1, wm->alloc);
	wm->at[wm->nr++] = key;
}

/* Corrupt or foreign text is no watermark (rebuilt later). */
static void watermark_parse(char *text, struct watermark *wm)
{
	char **lines = NULL;
	size_t n, i;
	char *end;

	wm->time = -1;
	wm->nr = 0;
	wm->commit[0] = '\0';
	n = strbuf_split_inplace(text, '\n', &lines);
	if (n < 3 || strcmp(lines[0], WATERMARK_MAGIC) ||
	    (strlen(lines[2]) != 40 && strcmp(lines[2], "-")))
		goto cleanup;
	if (strcmp(lines[2], "-"))
		memcpy(wm->commit, lines[2], 41);
	errno = 0;
	wm->time = strtoll(lines[1], &end, 10);
	if (errno || *end || wm->time < -1) {
		wm->time = -1;
		goto cleanup;
	}
	for (i = 3; i < n; i++) {
		uint64_t k;

		if (!*lines[i])
			continue;
		k = strtoull(lines[i], &end, 16);
		if (*end || !k) {
			wm->time = -1;
			wm->nr = 0;
			goto cleanup;
		}
		watermark_add(wm, k);
	}
cleanup:
	free(lines);
}

/* A missing file is no watermark either. */
static void watermark_read(const char *path, struct watermark *wm)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_read_file(&sb, path, 256) < 0) {
		wm->time = -1;
		wm->nr = 0;
		wm->commit[0] = '\0';
	} else {
		watermark_parse(sb.buf, wm);
	}
	strbuf_release(&sb);
}

static void watermark_format(const struct watermark *wm, struct strbuf *sb)
{
	size_t i;

	strbuf_addf(sb, "%s\n%" PRId64 "\n%s\n", WATERMARK_MAGIC, wm->time,
		    wm->commit[0] ? wm->commit : "-");
	for (i = 0; i < wm->nr; i++)
		strbuf_addf(sb, "%016" PRIx64 "\n", wm->at[i]);
}

/* Write path as a whole: a temp file renamed over it. */
static int write_atomic(const char *path, const struct strbuf *sb)
{
	if (write_file_atomic(path, sb->buf, sb->len, 0666, 0) < 0)
		return error_errno("cannot write '%s'", path);
	return 0;
}

/* ---- a killed run: its pending watermark, its temp files ---- */

/*
 * <magic>, the commit, the number of note lines, the lines, then the
 * watermark text to keep once the note has the lines.
 */
static int pending_write(const char *path, const struct notes_append *app,
			 const struct strbuf *wm_text)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret;

	strbuf_addf(&sb, "%s\n%s\n%zu\n", PENDING_MAGIC, app->commit,
		    app->lines.nr);
	for (i = 0; i < app->lines.nr; i++)
		strbuf_addf(&sb, "%s\n", app->lines.v[i]);
	strbuf_addbuf(&sb, wm_text);
	ret = write_atomic(path, &sb);
	strbuf_release(&sb);
	return ret;
}

/*
 * A pending watermark left by a run that was killed or failed between
 * its note and its watermark: keep it (write it as the watermark) when
 * the note has all its lines, else drop it. Then read the watermark.
 * With dry_run nothing is written, the answer is only read.
 */
static int pending_settle(struct repo *repo, const char *pending,
			  const char *wm_path, int dry_run,
			  struct watermark *wm)
{
	struct strbuf sb = STRBUF_INIT, wm_text = STRBUF_INIT;
	struct strvec lines = STRVEC_INIT;
	char commit[OID_HEX + 1] = "";
	char *p, *nl, *end;
	unsigned long long nr = 0, i;
	int r, keep = 0, ret = -1;

	if (strbuf_read_file(&sb, pending, 4096) < 0) {
		if (errno != ENOENT) {
			error_errno("cannot read '%s'", pending);
			goto cleanup;
		}
		watermark_read(wm_path, wm);
		ret = 0;
		goto cleanup;
	}
	p = sb.buf;
	for (i = 0; i < 3; i++) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (i == 0 && strcmp(p, PENDING_MAGIC))
			break;
		if (i == 1 && strlen(p) == OID_HEX)
			memcpy(commit, p, sizeof(commit));
		if (i == 2) {
			errno = 0;
			nr = strtoull(p, &end, 10);
			if (errno || *end || !*p)
				break;
		}
		p = nl + 1;
	}
	/* Corrupt (it is written whole, so not by us): nothing to keep. */
	if (i < 3 || !commit[0])
		goto settled;
	for (i = 0; i < nr; i++) {
		nl = strchr(p, '\n');
		if (!nl)
			goto settled;
		*nl = '\0';
		strvec_push(&lines, p);
		p = nl + 1;
	}
	r = notes_has_lines(repo, NULL, commit, lines.v, lines.nr);
	if (r < 0)
		goto cleanup;
	keep = r;
settled:
	if (keep) {
		strbuf_addstr(&wm_text, p);
		if (!dry_run && write_atomic(wm_path, &wm_text) < 0)
			goto cleanup;
		watermark_parse(wm_text.buf, wm);
	} else {
		watermark_read(wm_path, wm);
	}
	if (!dry_run && unlink(pending) < 0 && errno != ENOENT) {
		error_errno("cannot remove '%s'", pending);
		goto cleanup;
	}
	ret = 0;
cleanup:
	strbuf_release(&sb);
	strbuf_release(&wm_text);
	strvec_clear(&lines);
	return ret;
}

/* ---- hook mode: one warning line at most ---- */

struct hook_stderr {
	int saved;
	FILE *tmp;
};

static void hook_capture(struct hook_stderr *h)
{
	fflush(stderr);
	h->saved = -1;
	h->tmp = tmpfile();
	if (!h->tmp)
		return;
	h->saved = dup(2);
	if (h->saved < 0 || dup2(fileno(h->tmp), 2) < 0) {
		if (h->saved >= 0)
			close(h->saved);
		h->saved = -1;
		fclose(h->tmp);
		h->tmp = NULL;
	}
}

/* Restore stderr; show the first error (as a warning) or warning. */
static void hook_release(struct hook_stderr *h)
{
	struct strbuf line = STRBUF_INIT, first_warning = STRBUF_INIT;
	struct strbuf first_error = STRBUF_INIT;

	if (!h->tmp)
		return;
	fflush(stderr);
	dup2(h->saved, 2);
	close(h->saved);
	rewind(h->tmp);
	while (strbuf_getline(&line, h->tmp) != EOF) {
		if (!first_error.len && !strncmp(line.buf, "error: ", 7))
			strbuf_addstr(&first_error, line.buf + 7);
		else if (!first_warning.len &&
			 !strncmp(line.buf, "warning: ", 9))
			strbuf_addstr(&first_warning, line.buf + 9);
	}
	fclose(h->tmp);
	if (first_error.len)
		fprintf(stderr, "warning: git tokens record: %s\n",
			first_error.buf);
	else if (first_warning.len)
		fprintf(stderr, "warning: git tokens record: %s\n",
			first_warning.buf);
	strbuf_release(&line);
	strbuf_release(&first_warning);
	strbuf_release(&first_error);
}

/* ---- the work ---- */

static int provider_tool(enum tool t)
{
	return t == TOOL_ANTHROPIC_API || t == TOOL_OPENAI_API;
}

/*
 * The events' window for commit, in ms: from its parent's committer
 * time plus the skew, up to its own plus the skew, or up to now when
 * that is earlier.
 */
static void record_window(const struct repo_commit *commit,
			  const struct repo_commit *parent, int64_t now,
			  const struct watermark *wm, int64_t *lower,
			  int64_t *upper)
{
	int64_t commit_time = commit->time;

	*upper = commit_time * 1000 + RECORD_SKEW_MS;
	/*
	 * The commit gets what was logged up to the first run for it, to
	 * the millisecond: later usage is the next commit's, or pending.
	 */
	if (now >= commit_time * 1000 && now < *upper)
		*upper = now;
	/*
	 * Run again for the same commit: of its own second and later, only
	 * what is not newer than the first run took (a line flushed late).
	 */
	if (!strcmp(wm->commit, commit->id)) {
		int64_t took = wm->time > commit_time * 1000 - 1 ?
			wm->time : commit_time * 1000 - 1;

		if (took < *upper)
			*upper = took;
	}
	*lower = 0;
	if (parent->id[0])
		*lower = parent->time * 1000 + RECORD_SKEW_MS + 1;
	/*
	 * The last run was for the parent: go on from where it stopped,
	 * so lines logged after its hook ran, in its skew, still count.
	 */
	if (wm->time >= 0 &&
	    (wm->time >= *lower || !strcmp(wm->commit, parent->id)))
		*lower = wm->time;
}

/* The events in [lower, upper] not recorded yet; provider reports aside. */
static void record_select(const struct usage_set *events,
			  const struct watermark *wm, int64_t lower,
			  int64_t upper, struct usage_set *take)
{
	size_t i;

	for (i = 0; i < events->nr; i++) {
		const struct usage_event *ev = &events->ev[i];

		if (provider_tool(ev->tool) || ev->time > upper ||
		    ev->time < lower)
			continue;
		if (ev->time == wm->time && watermark_has(wm, event_key(ev)))
			continue;
		usage_set_add(take, ev);
	}
}

/* The note lines for take. */
static void record_lines(struct repo *repo, const struct usage_set *take,
			 struct strvec *lines)
{
	char *name = NULL, *email = NULL;
	size_t i;

	repo_user_ident(repo, &name, &email);
	/* Imported events name their own author and keep "import". */
	for (i = 0; i < 2; i++) {
		struct usage_set part = USAGE_SET_INIT;
		size_t k;

		for (k = 0; k < take->nr; k++)
			if ((take->ev[k].tool == TOOL_IMPORT) == (i == 1))
				usage_set_add(&part, &take->ev[k]);
		if (part.nr)
			notes_lines_from_events(lines, part.ev, part.nr,
				i ? NULL : email,
				i ? ATTRIB_IMPORT : ATTRIB_HOOK);
		usage_set_release(&part);
	}
	free(name);
	free(email);
}

/* The watermark once take is recorded: its newest time, the keys there. */
static void watermark_advance(struct watermark *wm,
			      const struct usage_set *take)
{
	int64_t newest = wm->time;
	size_t i;

	for (i = 0; i < take->nr; i++)
		if (take->ev[i].time > newest)
			newest = take->ev[i].time;
	if (newest != wm->time)
		wm->nr = 0;
	wm->time = newest;
	for (i = 0; i < take->nr; i++)
		if (take->ev[i].time == newest)
			watermark_add(wm, event_key(&take->ev[i]));
}

static int record_commit(struct repo *repo, const char *rev,
			 const struct record_opts *o)
{
	struct strbuf dir = STRBUF_INIT, lock = STRBUF_INIT;
	struct strbuf wm_path = STRBUF_INIT;
	struct strbuf pending = STRBUF_INIT, wm_text = STRBUF_INIT;
	struct usage_set events = USAGE_SET_INIT, take = USAGE_SET_INIT;
	struct usage_query q = USAGE_QUERY_INIT;
	struct watermark wm = WATERMARK_INIT;
	struct notes_append app;
	struct repo_commit c, parent;
	char *commit = c.id, pid[32];
	int64_t now, lower, upper;
	size_t i, added = 0;
	int lock_fd = -1, r, ret = -1;

	memset(&app, 0, sizeof(app));
	strvec_init(&app.lines);
	r = repo_commit_parent(repo, rev, &c, &parent);
	if (r) {
		/* A commit on an unborn branch cannot be, but be gentle. */
		if (r > 0 && !(o->hook && repo_is_empty(repo) > 0))
			error("'%s' is not a commit", rev);
		goto cleanup;
	}
	if (repo_tokens_dir(repo, &dir) < 0)
		goto cleanup;
	strbuf_addf(&lock, "%srecord.lock", dir.buf);
	strbuf_addf(&wm_path, "%srecord-watermark", dir.buf);
	strbuf_addf(&pending, "%srecord-pending", dir.buf);
	lock_fd = lock_file_take(lock.buf, o->hook ? LOCK_WAIT_HOOK_MS :
				 LOCK_WAIT_MS, NULL);
	if (lock_fd == -2)
		error("another 'git tokens record' is running ('%s' is "
		      "locked)", lock.buf);
	if (lock_fd < 0)
		goto cleanup;
	/* For whoever looks; the lock itself is the flock(). */
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	lock_file_write(lock_fd, pid);
	if (pending_settle(repo, pending.buf, wm_path.buf, o->dry_run,
			   &wm) < 0)
		goto cleanup;
	date_now(&now);
	record_window(&c, &parent, now, &wm, &lower, &upper);
	if (lower > upper)
		goto done;
	q.since = lower;
	q.until = upper + 1;
	q.recent = 1;
	if (usage_load(&events, repo, &q) < 0)
		goto cleanup;
	record_select(&events, &wm, lower, upper, &take);
	if (!take.nr)
		goto done;
	record_lines(repo, &take, &app.lines);
	memcpy(app.commit, commit, sizeof(app.commit));
	if (o->dry_run) {
		for (i = 0; i < app.lines.nr; i++)
			printf("%s\n", app.lines.v[i]);
		ret = 0;
		goto cleanup;
	}
	watermark_advance(&wm, &take);
	memcpy(wm.commit, commit, sizeof(wm.commit));
	watermark_format(&wm, &wm_text);
	/*
	 * The new watermark counts only once the note has the lines: a
	 * failed write leaves the events to the next run, and a killed
	 * one leaves the pending file for the next run to settle.
	 */
	if (pending_write(pending.buf, &app, &wm_text) < 0)
		goto cleanup;
	if (notes_append(repo, NULL, &app, 1, &added) < 0) {
		pending_settle(repo, pending.buf, wm_path.buf, 0, &wm);
		goto cleanup;
	}
	if (!o->quiet)
		fprintf(stderr, "recorded %zu event%s (%zu new note line%s) "
			"on %.12s\n", take.nr, take.nr == 1 ? "" : "s", added,
			added == 1 ? "" : "s", commit);
done:
	/* Even with nothing new: the next commit goes on from here. */
	if (!o->dry_run) {
		memcpy(wm.commit, commit, sizeof(wm.commit));
		strbuf_reset(&wm_text);
		watermark_format(&wm, &wm_text);
		if (write_atomic(wm_path.buf, &wm_text) < 0)
			goto cleanup;
		if (unlink(pending.buf) < 0 && errno != ENOENT) {
			error_errno("cannot remove '%s'", pending.buf);
			goto cleanup;
		}
	}
	ret = 0;
cleanup:
	if (lock_fd >= 0)
		lock_file_release(lock.buf, lock_fd);
	free(wm.at);
	strvec_clear(&app.lines);
	usage_set_release(&events);
	usage_set_release(&take);
	strbuf_release(&dir);
	strbuf_release(&lock);
	strbuf_release(&wm_path);
	strbuf_release(&pending);
	strbuf_release(&wm_text);
	return ret;
}

int record_run(struct repo *repo, const char *rev,
	       const struct record_opts *o)
{
	struct hook_stderr h = { .saved = -1, .tmp = NULL };

	if (!o->hook)
		return record_commit(repo, rev, o);
	hook_capture(&h);
	record_commit(repo, rev, o);
	hook_release(&h);
	return 0;
}
