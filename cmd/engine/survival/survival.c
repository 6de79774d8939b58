/*
 * The survival engine: which change added each line at the mainline
 * tip, exactly as "git blame" answers it, for the whole tip at once.
 *
 * History is replayed forward, parents before children. Each commit's
 * state maps every path to its blob and to an array of line origins (the
 * index of the commit that added each line); states and arrays are
 * shared copy-on-write and freed when the last child has been replayed.
 * A non-merge commit applies its first-parent diff hunks; renames carry
 * the array over, as blame follows whole-file renames, each created file
 * paired alone with the deleted file blame takes (the whole tree's
 * pairing may give that one to another file, or none). A merge applies
 * blame's rule (pass_blame()): a parent holding the very same blob gives
 * the whole file; otherwise each line comes from the first parent whose
 * diff leaves it unchanged, else from the merge itself (a birth, counted
 * as the merge's +lines). A parent lacking the path gives the file git's
 * rename detection pairs it with, as blame's find_rename() does.
 *
 * The diffs are git's own, so they are exact: two "git diff-tree --stdin
 * -p -U0 -M" co-processes share the non-merge commits, read here in
 * turn; a third lists what each merge changes against its first parent,
 * without patches, since a parent gives most such files whole. The few
 * files no parent gives whole need diffs against each parent: a thread
 * reads them from "git diff-tree -c" ahead of the replay and has them
 * computed in bulk, through throw-away trees of the blobs in a temporary
 * object directory. A fourth, "git diff-tree -M <merge> <parent>", is
 * asked only for the parents that lack a file the merge has; a commit
 * that creates several files and deletes some has each created file
 * followed alone by a diff of its own, as blame does. On git.git
 * this costs about what "git log --numstat" does, where blaming every
 * file costs fifty times more.
 *
 * Lines leaving the first-parent chain are recorded as deaths (for
 * rework); the state at the tip is stored so that a later run replays
 * only what is new. A range (A..B) starts at its bottoms instead, as
 * "git blame A.." does: their lines are of no commit of the range, the
 * files read only where a replayed commit reaches them (seed.c), and
 * nothing is kept. survival-internal.h says which file holds which
 * part; this one holds the run, the store of commits and deaths, and
 * the tally.
 */
#include "base/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/die.h"
#include "base/run-command.h"
#include "engine/survival/survival-internal.h"
#include "git/git-cmd.h"
#include "git/repo.h"

uint32_t survival_add_commit(struct survival *s, const unsigned char oid[20])
{
	struct scommit *c;

	ALLOC_GROW(s->c, s->nr + 1, s->alloc);
	c = &s->c[s->nr];
	memset(c, 0, sizeof(*c));
	memcpy(c->oid, oid, 20);
	oidmap_put_raw(&s->index, oid, s->nr);
	return (uint32_t)s->nr++;
}

void survival_add_death(struct survival *s, uint32_t origin, uint32_t count,
			int64_t time, const char *path)
{
	struct death *d;

	ALLOC_GROW(s->d, s->nd + 1, s->dalloc);
	d = &s->d[s->nd++];
	d->origin = origin;
	d->count = count;
	d->time = time;
	d->path = path;
}

/* count lines of path that the merge origin made, no parent's */
void survival_add_birth(struct survival *s, uint32_t origin, uint32_t count,
			const char *path)
{
	struct death *b;

	ALLOC_GROW(s->b, s->nb + 1, s->balloc);
	b = &s->b[s->nb++];
	b->origin = origin;
	b->count = count;
	b->time = 0;
	b->path = path;
}

/*
 * The lines in dead but not in kept (multisets) died at time in path:
 * counted per origin in s->cnt (all zero between calls), no sorting.
 */
void survival_record_deaths(struct survival *s, struct u32vec *dead,
			    struct u32vec *kept, const char *path,
			    int64_t time)
{
	uint32_t *cnt = s->cnt;
	size_t i;

	for (i = 0; i < dead->nr; i++)
		if (dead->v[i] < s->nr)
			cnt[dead->v[i]]++;
	for (i = 0; i < kept->nr && dead->nr; i++)
		if (kept->v[i] < s->nr && cnt[kept->v[i]])
			cnt[kept->v[i]]--;
	for (i = 0; i < dead->nr; i++) {
		uint32_t o = dead->v[i];

		if (o >= s->nr || !cnt[o])
			continue;
		survival_add_death(s, o, cnt[o], time, path);
		cnt[o] = 0;
	}
	dead->nr = 0;
	kept->nr = 0;
}

/* A file whose origins are no longer known (GIT_TOKENS_DEBUG=2 says). */
void survival_lose(struct survival *s, uint32_t k, const char *path,
		   const char *why)
{
	const char *debug = getenv("GIT_TOKENS_DEBUG");
	char hex[41] = "derived";

	s->lost++;
	if (!debug || strcmp(debug, "2"))
		return;
	if (k < s->nr)
		oid_to_hex(hex, s->c[k].oid);
	fprintf(stderr, "survival: lost %s in %s: %s\n", path, hex, why);
}

void survival_free(struct survival *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nr; i++)
		if (s->c[i].st != s->tip)
			tstate_free(s->c[i].st);
	tstate_free(s->tip);
	free(s->c);
	free(s->parents);
	free(s->d);
	free(s->b);
	free(s->cnt);
	oidmap_clear(&s->index);
	free(s);
}

/* GIT_TOKENS_DEBUG: what the run did and how long it took. */
static void debug_report(const struct survival *s, const struct timespec *t0)
{
	struct timespec t1;

	if (!getenv("GIT_TOKENS_DEBUG"))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "survival: %lu commits, %lu replayed in %.2f s, "
		"%lu merge diff rounds (%lu files), lost track of %lu "
		"file version(s), peak memory %ld kB, %lu boundary "
		"commit(s)\n", (unsigned long)s->nr, (unsigned long)s->replayed,
		(double)(t1.tv_sec - t0->tv_sec) +
		(double)(t1.tv_nsec - t0->tv_nsec) / 1e9,
		(unsigned long)s->rounds, (unsigned long)s->requests,
		(unsigned long)s->lost, compat_peak_rss_kb(),
		(unsigned long)s->boundary);
}

/*
 * A range: replayed from its bottoms, kept nowhere, so that the state
 * of the whole history never holds boundary lines. 0 when done, 1 when
 * the whole history is needed after all, -1 after error().
 */
static int run_range(struct survival *s, struct repo *repo, const char *tip,
		     const struct survival_opts *opts)
{
	if (!opts->bottoms || !opts->bottoms->nr)
		return 1;
	if (opts->need && !opts->need->nr)
		return 0;  /* no change of the range landed: nothing to count */
	return survival_replay(s, repo, tip, NULL, opts);
}

int survival_run(struct survival **out, struct repo *repo, const char *tip,
		 const struct survival_opts *opts)
{
	struct survival_opts all = *opts;
	struct survival *s = xcalloc(1, sizeof(*s));
	struct timespec t0;
	char base[41] = "";
	int have = 0, ret = 0, keep;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*out = NULL;
	ret = run_range(s, repo, tip, opts);
	if (ret < 0)
		goto cleanup;
	if (!ret)
		goto done;
	ret = 0;
	survival_free(s);
	s = xcalloc(1, sizeof(*s));
	all.bottoms = all.need = NULL;
	/*
	 * The state is keyed by commit ids: under grafts or replace refs
	 * the same ids stand for another history. Compute, keep nothing.
	 */
	keep = !repo_history_rewritten(repo);
	if (opts->use_cache && keep)
		have = survival_state_load(s, repo);
	if (have && !strcmp(s->tip_oid, tip))
		goto done;
	if (have) {
		const char *argv[] = { "merge-base", "--is-ancestor",
				       s->tip_oid, tip, NULL };

		if (!git_cmd(argv, NULL, NULL,
			     GIT_CMD_QUIET | GIT_CMD_NO_STDIN)) {
			memcpy(base, s->tip_oid, 41);
		} else {
			/* a rewritten mainline: start over */
			survival_free(s);
			s = xcalloc(1, sizeof(*s));
		}
	}
	if (survival_replay(s, repo, tip, *base ? base : NULL, &all) < 0) {
		ret = -1;
		goto cleanup;
	}
	/* A state that cannot be written is only slower next time. */
	if (keep && survival_state_store(s, repo) < 0)
		warning("the survival state was not saved");
done:
	debug_report(s, &t0);
	*out = s;
	s = NULL;
cleanup:
	survival_free(s);
	return ret;
}

void survival_for_each_path(const struct survival *s,
			    void (*fn)(const char *path, void *data),
			    void *data)
{
	size_t i, k;

	for (k = 0; s->tip && k < NBUCKET; k++) {
		const struct bucket *b = s->tip->b[k];

		for (i = 0; b && i < b->nr; i++)
			if (b->e[i].l)
				fn(b->e[i].path, data);
	}
	for (i = 0; i < s->nd; i++)
		fn(s->d[i].path, data);
	for (i = 0; i < s->nb; i++)
		fn(s->b[i].path, data);
}

void survival_for_each_tip_run(const struct survival *s,
			       void (*fn)(const char *path,
					  const unsigned char origin[20],
					  uint32_t lines, void *data),
			       void *data)
{
	size_t i, k, j;

	for (k = 0; s->tip && k < NBUCKET; k++) {
		const struct bucket *b = s->tip->b[k];

		for (i = 0; b && i < b->nr; i++) {
			const struct lines *l = b->e[i].l;

			for (j = 0; l && j < l->nr;) {
				uint32_t o = l->v[j], n = 0;

				while (j < l->nr && l->v[j] == o) {
					j++;
					n++;
				}
				if (o < s->nr)
					fn(b->e[i].path, s->c[o].oid, n, data);
			}
		}
	}
}

/* GIT_TOKENS_TRACE_SURVIVAL=<file>: "<commit> <lines> <path>" per run. */
static void trace_tip(const struct survival *s, const struct fent *f,
		      FILE *fp)
{
	char hex[41];
	size_t i = 0;

	while (i < f->l->nr) {
		uint32_t o = f->l->v[i];
		size_t n = 0;

		while (i < f->l->nr && f->l->v[i] == o) {
			i++;
			n++;
		}
		if (o < s->nr)
			oid_to_hex(hex, s->c[o].oid);
		else
			strcpy(hex, "none");
		fprintf(fp, "%s %lu %s\n", hex, (unsigned long)n, f->path);
	}
}

void survival_tally(struct survival *s, struct change_set *set,
		    int (*countable)(const char *path, void *data),
		    void *data, int64_t rework_secs)
{
	uint64_t *alive = xcalloc(s->nr + 1, sizeof(*alive));
	uint64_t *rework = xcalloc(s->nr + 1, sizeof(*rework));
	uint64_t *squashed = xcalloc(s->nr + 1, sizeof(*squashed));
	uint64_t *born = xcalloc(2 * (s->nr + 1), sizeof(*born));
	const char *trace = getenv("GIT_TOKENS_TRACE_SURVIVAL");
	FILE *fp = NULL;
	size_t i, k;

	if (trace && *trace && !(fp = fopen(trace, "w")))
		warning("cannot open '%s' for writing", trace);
	for (k = 0; s->tip && k < NBUCKET; k++) {
		const struct bucket *b = s->tip->b[k];

		for (i = 0; b && i < b->nr; i++) {
			const struct fent *f = &b->e[i];
			uint32_t j;

			if (!f->l || !countable(f->path, data))
				continue;
			for (j = 0; j < f->l->nr; j++)
				if (f->l->v[j] < s->nr)
					alive[f->l->v[j]]++;
			if (fp)
				trace_tip(s, f, fp);
		}
	}
	if (fp)
		fclose(fp);
	for (i = 0; i < s->nd; i++) {
		const struct death *d = &s->d[i];

		if (d->origin < s->nr &&
		    d->time - s->c[d->origin].land <= rework_secs &&
		    countable(d->path, data))
			rework[d->origin] += d->count;
	}
	/* a merge's own lines: countable (born[2v]) or not */
	for (i = 0; i < s->nb; i++)
		if (s->b[i].origin < s->nr)
			born[2 * s->b[i].origin +
			     !countable(s->b[i].path, data)] += s->b[i].count;
	/* The commits a squash absorbed share its lines, by their +lines. */
	for (i = 0; i < set->nr; i++) {
		size_t v;

		if (set->c[i].landed == LANDED_SQUASH &&
		    oidmap_get(&s->index, set->c[i].landed_as, &v))
			squashed[v] += set->c[i].added;
	}
	for (i = 0; i < set->nr; i++) {
		struct change *c = &set->c[i];
		const char *oid = c->oid;
		uint64_t alive_n, rework_n;
		size_t v;

		if (c->landed == LANDED_NO)
			continue;
		if (c->landed != LANDED_REACHABLE && *c->landed_as)
			oid = c->landed_as;
		if (!oidmap_get(&s->index, oid, &v))
			continue;
		if (c->merge && s->c[v].merge) {
			c->added = born[2 * v];
			c->excluded = born[2 * v + 1];
			set->excluded_lines += c->excluded;
		}
		alive_n = alive[v];
		rework_n = rework[v];
		if (c->landed == LANDED_SQUASH) {
			double share = squashed[v] ?
				(double)c->added / (double)squashed[v] : 0;

			alive_n = (uint64_t)((double)alive_n * share + 0.5);
			rework_n = (uint64_t)((double)rework_n * share + 0.5);
		}
		c->outcome.survival_known = 1;
		c->outcome.surviving = c->reverted ? 0 : alive_n;
		c->outcome.reworked = rework_n;
	}
	free(alive);
	free(rework);
	free(squashed);
	free(born);
}
