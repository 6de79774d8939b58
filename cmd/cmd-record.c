/*
 * git tokens record [<commit>]: write the local usage since the last
 * recorded event, up to the commit, into the commit's note (SPEC §6.2,
 * confidence "hook"). The post-commit hook runs it with --hook: it must
 * be fast and must never fail the commit.
 *
 * Which events: those of this repository newer than the watermark and
 * not later than the commit's committer time plus RECORD_SKEW_MS. The
 * skew covers the committer time being truncated to whole seconds and
 * the log line of the response that ran "git commit" being flushed a
 * moment after the commit itself.
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
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "notes.h"
#include "parse-options.h"
#include "repo.h"
#include "sources.h"
#include "usage.h"

#define RECORD_SKEW_MS 2000
/* A lock older than this is stale even if its pid is alive (reused). */
#define LOCK_STALE_SECONDS 60
#define LOCK_WAIT_MS 10000
#define LOCK_WAIT_HOOK_MS 3000

#define WATERMARK_MAGIC "git-tokens-watermark 2"

static const char * const record_usage[] = {
	"git tokens record [-q] [--hook] [--dry-run] [<commit>]",
	NULL
};

struct watermark {
	int64_t time;           /* ms of the newest recorded event; -1 none */
	char commit[41];        /* the commit the last run was for, or "" */
	uint64_t *at;           /* keys of the recorded events at time */
	size_t nr, alloc;
};

static uint64_t event_key(const struct usage_event *ev)
{
	uint64_t h = source_hash(&ev->time, sizeof(ev->time), 1);

	h = source_hash(ev->session, strlen(ev->session), h);
	h = source_hash(ev->model ? ev->model : "", ev->model ?
			strlen(ev->model) : 0, h ^ (uint64_t)ev->tool);
	h = source_hash(&ev->input, sizeof(ev->input), h);
	h = source_hash(&ev->output, sizeof(ev->output), h);
	h = source_hash(&ev->cache_write, sizeof(ev->cache_write), h);
	h = source_hash(&ev->cache_read, sizeof(ev->cache_read), h);
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

/* A missing, corrupt or foreign file is no watermark (rebuilt later). */
static void watermark_read(const char *path, struct watermark *wm)
{
	struct strbuf sb = STRBUF_INIT;
	char **lines = NULL;
	size_t n, i;
	char *end;

	wm->time = -1;
	wm->nr = 0;
	wm->commit[0] = '\0';
	if (strbuf_read_file(&sb, path, 256) < 0)
		goto cleanup;
	n = strbuf_split_inplace(sb.buf, '\n', &lines);
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
	strbuf_release(&sb);
}

static int watermark_write(const char *path, const struct watermark *wm)
{
	struct strbuf sb = STRBUF_INIT, tmp = STRBUF_INIT;
	size_t i;
	int fd = -1, ret = -1;

	strbuf_addf(&sb, "%s\n%" PRId64 "\n%s\n", WATERMARK_MAGIC, wm->time,
		    wm->commit[0] ? wm->commit : "-");
	for (i = 0; i < wm->nr; i++)
		strbuf_addf(&sb, "%016" PRIx64 "\n", wm->at[i]);
	strbuf_addf(&tmp, "%s.tmp-%ld", path, (long)getpid());
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0) {
		error_errno("cannot write '%s'", tmp.buf);
		goto cleanup;
	}
	if (write(fd, sb.buf, sb.len) != (ssize_t)sb.len) {
		error_errno("cannot write '%s'", tmp.buf);
		goto cleanup;
	}
	if (close(fd) < 0) {
		fd = -1;
		error_errno("cannot write '%s'", tmp.buf);
		goto cleanup;
	}
	fd = -1;
	if (rename(tmp.buf, path) < 0) {
		error_errno("cannot rename '%s' to '%s'", tmp.buf, path);
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	if (ret)
		unlink(tmp.buf);
	strbuf_release(&sb);
	strbuf_release(&tmp);
	return ret;
}

/* ---- the lock: one record at a time per repository ---- */

static int lock_is_stale(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	long pid;
	int stale = 0;

	if (stat(path, &st) < 0)
		return errno == ENOENT;
	if (time(NULL) - st.st_mtime > LOCK_STALE_SECONDS)
		stale = 1;
	else if (strbuf_read_file(&sb, path, 64) > 0 &&
		 sscanf(sb.buf, "%ld", &pid) == 1 && pid > 0 &&
		 kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		stale = 1;
	strbuf_release(&sb);
	return stale;
}

static int lock_take(const char *path, int wait_ms)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	char buf[64];
	int fd, waited = 0, len;

	for (;;) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
		if (fd >= 0)
			break;
		if (errno != EEXIST)
			return error_errno("cannot create '%s'", path);
		if (lock_is_stale(path)) {
			/* Its owner died: take it over. */
			unlink(path);
			continue;
		}
		if (waited >= wait_ms)
			return error("another 'git tokens record' is running "
				     "('%s' exists)", path);
		nanosleep(&ts, NULL);
		waited += 5;
	}
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, len) != len) {
		close(fd);
		unlink(path);
		return error_errno("cannot write '%s'", path);
	}
	close(fd);
	return 0;
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

struct record_opts {
	int hook;
	int dry_run;
	int quiet;
};

static int provider_tool(enum tool t)
{
	return t == TOOL_ANTHROPIC_API || t == TOOL_OPENAI_API;
}

static int record_commit(struct repo *repo, const char *rev,
			 const struct record_opts *o)
{
	struct strbuf dir = STRBUF_INIT, lock = STRBUF_INIT;
	struct strbuf wm_path = STRBUF_INIT, parent_rev = STRBUF_INIT;
	struct usage_set events = USAGE_SET_INIT, take = USAGE_SET_INIT;
	struct usage_query q = USAGE_QUERY_INIT;
	struct watermark wm = { -1, "", NULL, 0, 0 };
	struct notes_append app;
	char commit[OID_HEX + 1], parent[OID_HEX + 1] = "";
	char *name = NULL, *email = NULL;
	int64_t commit_time, parent_time, lower, upper, newest;
	size_t i, added = 0, hooks = 0, imports = 0;
	int locked = 0, r, ret = -1;

	memset(&app, 0, sizeof(app));
	strvec_init(&app.lines);
	r = repo_resolve(repo, rev, commit);
	if (r) {
		if (r > 0)
			error("'%s' is not a commit", rev);
		goto cleanup;
	}
	if (repo_commit_times(repo, commit, NULL, &commit_time) < 0 ||
	    repo_tokens_dir(repo, &dir) < 0)
		goto cleanup;
	strbuf_addf(&lock, "%srecord.lock", dir.buf);
	strbuf_addf(&wm_path, "%srecord-watermark", dir.buf);
	if (lock_take(lock.buf, o->hook ? LOCK_WAIT_HOOK_MS : LOCK_WAIT_MS))
		goto cleanup;
	locked = 1;

	watermark_read(wm_path.buf, &wm);
	upper = commit_time * 1000 + RECORD_SKEW_MS;
	lower = 0;
	strbuf_addf(&parent_rev, "%s^", commit);
	r = repo_resolve(repo, parent_rev.buf, parent);
	if (r < 0)
		goto cleanup;
	if (!r) {
		if (repo_commit_times(repo, parent, NULL, &parent_time) < 0)
			goto cleanup;
		lower = parent_time * 1000 + RECORD_SKEW_MS + 1;
	}
	/*
	 * The last run was for the parent: go on from where it stopped,
	 * so lines logged after its hook ran, in its skew, still count.
	 */
	if (wm.time >= 0 && (wm.time >= lower || !strcmp(wm.commit, parent)))
		lower = wm.time;
	if (lower > upper)
		goto done;
	q.since = lower;
	q.until = upper + 1;
	q.recent = 1;
	if (usage_load(&events, repo, &q) < 0)
		goto cleanup;

	newest = wm.time;
	for (i = 0; i < events.nr; i++) {
		const struct usage_event *ev = &events.ev[i];

		if (provider_tool(ev->tool) || ev->time > upper ||
		    ev->time < lower)
			continue;
		if (ev->time == wm.time && watermark_has(&wm, event_key(ev)))
			continue;
		usage_set_add(&take, ev);
		if (ev->tool == TOOL_IMPORT)
			imports++;
		else
			hooks++;
	}
	if (!take.nr)
		goto done;
	repo_user_ident(repo, &name, &email);
	/* Imported events name their own author and keep "import". */
	for (i = 0; i < 2; i++) {
		struct usage_set part = USAGE_SET_INIT;
		size_t k;

		for (k = 0; k < take.nr; k++)
			if ((take.ev[k].tool == TOOL_IMPORT) == (i == 1))
				usage_set_add(&part, &take.ev[k]);
		if (part.nr)
			notes_lines_from_events(&app.lines, part.ev,
				part.nr, i ? NULL : email,
				i ? ATTRIB_IMPORT : ATTRIB_HOOK);
		usage_set_release(&part);
	}
	memcpy(app.commit, commit, sizeof(app.commit));
	if (o->dry_run) {
		for (i = 0; i < app.lines.nr; i++)
			printf("%s\n", app.lines.v[i]);
		ret = 0;
		goto cleanup;
	}
	if (notes_append(repo, NULL, &app, 1, &added) < 0)
		goto cleanup;

	/* Only now: a failed write must leave the events to the next run. */
	for (i = 0; i < take.nr; i++)
		if (take.ev[i].time > newest)
			newest = take.ev[i].time;
	if (newest != wm.time)
		wm.nr = 0;
	wm.time = newest;
	for (i = 0; i < take.nr; i++)
		if (take.ev[i].time == newest)
			watermark_add(&wm, event_key(&take.ev[i]));
	if (!o->quiet)
		fprintf(stderr, "recorded %zu event%s (%zu new note line%s) "
			"on %.12s\n", take.nr, take.nr == 1 ? "" : "s", added,
			added == 1 ? "" : "s", commit);
done:
	/* Even with nothing new: the next commit goes on from here. */
	if (!o->dry_run) {
		memcpy(wm.commit, commit, sizeof(wm.commit));
		if (watermark_write(wm_path.buf, &wm) < 0)
			goto cleanup;
	}
	ret = 0;
cleanup:
	if (locked)
		unlink(lock.buf);
	free(name);
	free(email);
	free(wm.at);
	strvec_clear(&app.lines);
	usage_set_release(&events);
	usage_set_release(&take);
	strbuf_release(&dir);
	strbuf_release(&lock);
	strbuf_release(&wm_path);
	strbuf_release(&parent_rev);
	(void)hooks;
	(void)imports;
	return ret;
}

int cmd_record(int argc, const char **argv, struct repo *repo)
{
	struct record_opts o = { 0, 0, 0 };
	struct option options[] = {
		OPT_BOOL('q', "quiet", &o.quiet,
			 "say nothing when all is well"),
		OPT_BOOL(0, "hook", &o.hook,
			 "run as the post-commit hook: problems become one "
			 "warning, exit 0"),
		OPT_BOOL('n', "dry-run", &o.dry_run,
			 "print the note lines instead of writing them"),
		OPT_END()
	};
	struct hook_stderr h = { -1, NULL };
	const char *rev = "HEAD";
	int r;

	argc = parse_options(argc, argv, options, record_usage, 0);
	if (argc > 1)
		usage_with_options(record_usage, options, 1);
	if (argc == 1)
		rev = argv[0];
	if (o.quiet)
		quiet = 1;
	if (o.hook) {
		/* A commit on an unborn branch cannot be, but be gentle. */
		if (repo_is_empty(repo) > 0)
			return 0;
		hook_capture(&h);
	}
	r = record_commit(repo, rev, &o);
	if (o.hook) {
		hook_release(&h);
		return 0;
	}
	return r < 0 ? EXIT_FATAL : 0;
}
