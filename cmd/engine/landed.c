/*
 * Whether a change landed on the mainline: reachable from its tip, or
 * the same patch as a mainline commit; and whether a mainline commit
 * reverted it. Each is one pass of git. What follows them (squash
 * merges, open or abandoned, fixups) is landing.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/die.h"
#include "base/oidmap.h"
#include "base/run-command.h"
#include "base/strbuf.h"
#include "engine/changes.h"
#include "engine/landing.h"
#include "engine/revs.h"
#include "git/git-cmd.h"

/*
 * Reachable from the mainline tip, without walking the whole mainline:
 * what the range holds beyond the tip is exactly what is not.
 */
static int mark_reachable(struct change_set *set, const struct change_opts *opts)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	struct oidmap beyond = OIDMAP_INIT;
	char *p, *nl;
	size_t i;
	int ret = 0;

	cp.git_cmd = 1;
	strvec_pushl(&cp.args, "rev-list", NULL);
	if (opts->revs.nr)
		revs_push(&cp.args, &opts->revs);
	else
		strvec_push(&cp.args, "HEAD");
	strvec_pushl(&cp.args, "--not", set->mainline_tip, NULL);
	if (capture_command(&cp, &out)) {
		ret = error("git rev-list failed on the mainline '%s'",
			    set->mainline_ref);
		goto cleanup;
	}
	for (p = out.buf; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		oidmap_put(&beyond, p, 1);
	}
	for (i = 0; i < set->nr; i++)
		if (!oidmap_get(&beyond, set->c[i].oid, NULL))
			set->c[i].landed = LANDED_REACHABLE;
cleanup:
	child_process_clear(&cp);
	strbuf_release(&out);
	oidmap_clear(&beyond);
	return ret;
}

/*
 * "git patch-id --stable" over a patch stream from producer; calls back
 * with each (patch-id, commit) pair.
 */
static int patch_ids(struct child_process *producer,
		     void (*fn)(const char *pid, const char *oid, void *data),
		     void *data)
{
	struct child_process pid = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	char *p, *nl;
	int ret = 0;

	producer->out = -1;
	producer->git_cmd = 1;
	if (start_command(producer) < 0)
		return error("unable to run git");
	pid.git_cmd = 1;
	pid.in = producer->out;
	strvec_pushl(&pid.args, "patch-id", "--stable", NULL);
	if (capture_command(&pid, &out))
		ret = error("git patch-id failed");
	close(producer->out);
	if (finish_command(producer))
		ret = error("git failed while computing patch-ids");
	for (p = out.buf; !ret && (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		if (strlen(p) == 81 && p[40] == ' ') {
			p[40] = '\0';
			fn(p, p + 41, data);
		}
	}
	child_process_clear(&pid);
	strbuf_release(&out);
	return ret;
}

struct pid_table {
	struct oidmap map;          /* patch-id -> index into oids */
	char (*oids)[41];
	int64_t *times;
	size_t nr, alloc;
};

static void collect_mainline_pid(const char *pid, const char *oid, void *data)
{
	struct pid_table *t = data;

	ALLOC_GROW(t->oids, t->nr + 1, t->alloc);
	memcpy(t->oids[t->nr], oid, 41);
	/* git log walks newest first: keep the oldest mainline match */
	oidmap_put(&t->map, pid, t->nr++);
}

struct pid_match {
	struct change_set *set;
	struct oidmap *by_oid;       /* change oid -> index */
	const struct pid_table *mainline;
	const struct oidmap *mainline_time;
};

static void match_change_pid(const char *pid, const char *oid, void *data)
{
	struct pid_match *m = data;
	size_t ci, mi, t;
	struct change *c;

	if (!oidmap_get(m->by_oid, oid, &ci) ||
	    !oidmap_get(&m->mainline->map, pid, &mi))
		return;
	c = &m->set->c[ci];
	if (!oidmap_get(m->mainline_time, m->mainline->oids[mi], &t) ||
	    (int64_t)t < c->author_time)
		return;
	c->landed = LANDED_PATCH_ID;
	memcpy(c->landed_as, m->mainline->oids[mi], 41);
}

static int mark_patch_ids(struct change_set *set)
{
	struct child_process log = CHILD_PROCESS_INIT, dt = CHILD_PROCESS_INIT;
	struct pid_table mainline = { OIDMAP_INIT, NULL, NULL, 0, 0 };
	struct oidmap by_oid = OIDMAP_INIT, mtime = OIDMAP_INIT;
	struct strbuf times = STRBUF_INIT, list = STRBUF_INIT;
	struct pid_match m;
	int64_t oldest = INT64_MAX;
	size_t i, nopen = 0;
	char *p, *nl;
	int ret = 0;

	for (i = 0; i < set->nr; i++)
		if (!set->c[i].landed) {
			nopen++;
			oidmap_put(&by_oid, set->c[i].oid, i);
			if (set->c[i].author_time < oldest)
				oldest = set->c[i].author_time;
		}
	if (!nopen)
		goto cleanup;

	/* Mainline commits since the oldest open change, with their times. */
	{
		const char *argv[] = { "log", "--no-merges", "--format=%H %ct",
				       NULL, set->mainline_tip, NULL };
		char since[40];

		snprintf(since, sizeof(since), "--since=@%lld", (long long)oldest);
		argv[3] = since;
		if (git_cmd(argv, &times, NULL, 0)) {
			ret = error("git log failed on the mainline");
			goto cleanup;
		}
		for (p = times.buf; (nl = strchr(p, '\n')); p = nl + 1) {
			*nl = '\0';
			if (strlen(p) > 41)
				oidmap_put(&mtime, p, (size_t)strtoll(p + 41, NULL, 10));
		}
		if (!mtime.nr)
			goto cleanup;
		strvec_pushl(&log.args, "log", "-p", "--no-merges", "--no-color",
			     "--no-ext-diff", "--no-textconv", "--format=commit %H",
			     since, set->mainline_tip, NULL);
	}
	if (patch_ids(&log, collect_mainline_pid, &mainline) < 0) {
		ret = -1;
		goto cleanup;
	}

	/* The open changes' own patches, through one diff-tree. */
	for (i = 0; i < set->nr; i++)
		if (!set->c[i].landed)
			strbuf_addf(&list, "%s\n", set->c[i].oid);
	/* From a file, so that a long list never blocks on a pipe. */
	dt.in = changes_temp_file(&list);
	if (dt.in < 0) {
		ret = -1;
		goto cleanup;
	}
	strvec_pushl(&dt.args, "diff-tree", "--stdin", "-p", "--root",
		     "--no-color", "--no-ext-diff", "--no-textconv", NULL);
	m.set = set;
	m.by_oid = &by_oid;
	m.mainline = &mainline;
	m.mainline_time = &mtime;
	ret = patch_ids(&dt, match_change_pid, &m);
	close(dt.in);
cleanup:
	child_process_clear(&log);
	child_process_clear(&dt);
	oidmap_clear(&mainline.map);
	oidmap_clear(&by_oid);
	oidmap_clear(&mtime);
	free(mainline.oids);
	strbuf_release(&times);
	strbuf_release(&list);
	return ret;
}

struct revert {
	char *reverter;   /* full id */
	char *target;     /* as the message names it, 7 to 40 hex digits */
};

static int prefix_of(const char *abbrev, const char *oid)
{
	return !strncmp(oid, abbrev, strlen(abbrev));
}

/*
 * A change is reverted when a mainline commit reverts it and that revert
 * is not itself reverted (reverts of reverts cancel). The reverts the
 * range holds are in its messages already; only mainline commits outside
 * the range are searched (all of them when dates limit the range).
 */
static int mark_reverts(struct change_set *set, const struct change_opts *opts)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strvec tips = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	struct revert *rv = NULL;
	size_t nr = 0, alloc = 0, i, j, k, rounds = 0;
	char *p, *end;
	int ret = 0, *state = NULL, changed;

	for (i = 0; i < set->nr; i++)
		if (set->c[i].reverts && set->c[i].landed == LANDED_REACHABLE) {
			ALLOC_GROW(rv, nr + 1, alloc);
			rv[nr].reverter = xstrdup(set->c[i].oid);
			rv[nr++].target = xstrdup(set->c[i].reverts);
		}
	cp.git_cmd = 1;
	strvec_pushl(&cp.args, "log", "--no-merges", "-z", "--format=%H %B",
		     "--grep=This reverts commit ", "-F", set->mainline_tip,
		     NULL);
	if (!opts->since && !opts->until) {
		revs_tips(&tips, &opts->revs);
		strvec_push(&cp.args, "--not");
		strvec_pushv(&cp.args, tips.v);
	}
	if (capture_command(&cp, &out)) {
		ret = error("git log failed on the mainline");
		goto cleanup;
	}
	for (p = out.buf, end = out.buf + out.len; p < end; p += strlen(p) + 1) {
		char *t;

		if (*p == '\n')
			p++;
		if (strlen(p) < 41 || !(t = changes_revert_of(p + 41)))
			continue;
		for (j = 0; j < nr; j++)
			if (!strncmp(rv[j].reverter, p, 40))
				break;
		if (j < nr) {
			free(t);
			continue;
		}
		ALLOC_GROW(rv, nr + 1, alloc);
		rv[nr].reverter = xstrndup(p, 40);
		rv[nr++].target = t;
	}
	/* state[k]: 1 while revert k is in effect; a chain of reverts of
	 * reverts settles in as many rounds as it is long. */
	state = xcalloc(nr + 1, sizeof(*state));
	for (k = 0; k < nr; k++)
		state[k] = 1;
	do {
		changed = 0;
		for (k = 0; k < nr; k++) {
			int cancelled = 0;

			for (j = 0; j < nr; j++)
				if (state[j] && prefix_of(rv[j].target, rv[k].reverter))
					cancelled = 1;
			if (state[k] == cancelled) {
				state[k] = !cancelled;
				changed = 1;
			}
		}
	} while (changed && ++rounds < 64);
	for (i = 0; i < set->nr; i++)
		for (k = 0; k < nr; k++)
			if (state[k] && prefix_of(rv[k].target, set->c[i].oid))
				set->c[i].reverted = 1;
cleanup:
	for (k = 0; k < nr; k++) {
		free(rv[k].reverter);
		free(rv[k].target);
	}
	free(rv);
	free(state);
	child_process_clear(&cp);
	strvec_clear(&tips);
	strbuf_release(&out);
	return ret;
}

int landing_run(struct change_set *set, const struct change_opts *opts)
{
	if (!set->mainline_ref || !set->nr)
		return 0;
	if (mark_reachable(set, opts) < 0 || mark_patch_ids(set) < 0 ||
	    mark_reverts(set, opts) < 0 || landing_mark(set, &opts->revs) < 0)
		return -1;
	return 0;
}
