/*
 * The pipeline: the one place that orders the stages, and reads for
 * attribution what it needs of the repository (usage logs, provider
 * usage, notes, identities, commits), so that attribution stays pure.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "base/die.h"
#include "base/run-command.h"
#include "engine/ai-lines.h"
#include "engine/attribution.h"
#include "engine/changes.h"
#include "engine/countable.h"
#include "engine/landing.h"
#include "engine/notes-sync.h"
#include "engine/pipeline.h"
#include "engine/squash.h"
#include "engine/survival.h"
#include "git/repo.h"
#include "net/provider.h"
#include "sources/sources.h"

/* What attribution_input points at, owned here. */
struct attribution_world {
	struct usage_set local, provider;
	int have_local;
	char *user_name, *user_email;
	struct attribution_ident *idents;
	size_t idents_nr, idents_alloc;
	struct strvec held;
	struct attribution_commit *commits;
	size_t commits_nr, commits_alloc;
};

static int ident_cmp(const void *a, const void *b)
{
	return strcmp(((const struct attribution_ident *)a)->author,
		      ((const struct attribution_ident *)b)->author);
}

static void add_idents(struct attribution_world *w, struct repo *repo,
		       const struct usage_set *events)
{
	size_t i, k;

	for (i = 0; events && i < events->nr; i++) {
		const char *author = events->ev[i].author;
		struct attribution_ident *id;
		char *name = NULL, *email = NULL;

		if (!author)
			continue;
		/* Authors are interned: a pointer names one. */
		for (k = 0; k < w->idents_nr; k++)
			if (w->idents[k].author == author)
				break;
		if (k < w->idents_nr)
			continue;
		repo_mailmap(repo, NULL, author, &name, &email);
		ALLOC_GROW(w->idents, w->idents_nr + 1, w->idents_alloc);
		id = &w->idents[w->idents_nr++];
		id->author = author;
		id->email = event_intern(email ? email : author);
		free(name);
		free(email);
	}
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char * const *)a, *(const char * const *)b);
}

/* Of the commits local events name outside the range, those we hold. */
static void find_held(struct attribution_world *w, struct repo *repo,
		      const struct change_set *set,
		      const struct attribution_input *in)
{
	struct strvec named = STRVEC_INIT;
	char full[OID_HEX + 1];
	size_t i;

	attribution_links(set, in, &named);
	if (named.nr)
		qsort(named.v, named.nr, sizeof(*named.v), str_cmp);
	for (i = 0; i < named.nr; i++)
		if ((!i || strcmp(named.v[i], named.v[i - 1])) &&
		    repo_resolve(repo, named.v[i], full) == 0)
			strvec_push(&w->held, named.v[i]);
	strvec_clear(&named);
}

/*
 * Commits of every ref, merges too (notes refs excluded: a notes commit
 * is not anybody's change) committed since `since`, with mailmapped
 * author emails.
 */
static void read_commits(struct attribution_world *w, int64_t since)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf buf = STRBUF_INIT;
	char **lines = NULL;
	size_t n, i;

	cp.git_cmd = 1;
	cp.no_stderr = 1;
	strvec_pushl(&cp.args, "log", "--exclude=refs/notes/*",
		     "--exclude=refs/stash", "--all", "--format=%H %ct %aE",
		     NULL);
	strvec_pushf(&cp.args, "--since=@%" PRId64, since);
	/* An empty repository has no HEAD: no commits at all. */
	if (capture_command(&cp, &buf))
		strbuf_reset(&buf);
	n = strbuf_split_inplace(buf.buf, '\n', &lines);
	for (i = 0; i < n; i++) {
		char *sp = strchr(lines[i], ' '), *sp2;
		struct attribution_commit *c;

		if (!sp || sp - lines[i] != 40 || !(sp2 = strchr(sp + 1, ' ')))
			continue;
		ALLOC_GROW(w->commits, w->commits_nr + 1, w->commits_alloc);
		c = &w->commits[w->commits_nr++];
		memcpy(c->oid, lines[i], 40);
		c->oid[40] = '\0';
		c->time = strtoll(sp + 1, NULL, 10);
		c->email = event_intern(sp2 + 1);
	}
	free(lines);
	strbuf_release(&buf);
	child_process_clear(&cp);
}

static void world_release(struct attribution_world *w)
{
	usage_set_release(&w->local);
	usage_set_release(&w->provider);
	free(w->user_name);
	free(w->user_email);
	free(w->idents);
	strvec_clear(&w->held);
	free(w->commits);
}

/*
 * The attribution stage: local usage (the cache as --no-cache says),
 * provider usage and notes, then what attribution asks of the
 * repository, in that order. A source that cannot be read is a
 * warning, not a failure.
 */
static int attribute(struct pipeline *p, struct repo *repo,
		     struct change_set *set)
{
	struct attribution_world w = { .held = STRVEC_INIT };
	struct usage_query q = USAGE_QUERY_INIT;
	struct attribution_input in = { .notes = &p->notes };
	int64_t from;
	int ret = -1;

	q.use_cache = p->range->use_cache;
	w.have_local = usage_load(&w.local, repo, &q) == 0;
	if (provider_usage_load(&w.provider, repo) < 0)
		usage_set_release(&w.provider);
	if (notes_read_shared(repo, &p->notes) < 0)
		goto cleanup;
	notes_warn_bad(&p->notes);
	in.local = w.have_local ? &w.local : NULL;
	in.provider = &w.provider;
	repo_user_ident(repo, &w.user_name, &w.user_email);
	in.user_email = w.user_email;
	add_idents(&w, repo, in.local);
	add_idents(&w, repo, in.provider);
	if (w.idents_nr)
		qsort(w.idents, w.idents_nr, sizeof(*w.idents), ident_cmp);
	in.idents = w.idents;
	in.idents_nr = w.idents_nr;
	find_held(&w, repo, set, &in);
	in.held = w.held.v;
	in.held_nr = w.held.nr;
	from = attribution_window_from(set, &in);
	if (from != INT64_MAX)
		read_commits(&w, from / 1000 - 86400);
	in.commits = w.commits;
	in.commits_nr = w.commits_nr;
	attribution_apply(set, &in, &p->pending);
	/* Without the local logs, pending usage is unknown, not zero. */
	if (!w.have_local)
		p->pending.present = 0;
	ret = 0;
cleanup:
	world_release(&w);
	return ret;
}

static int fail(struct pipeline *p, enum pipeline_stage stage)
{
	p->failed = stage;
	return -1;
}

int pipeline_run(struct pipeline *p, struct repo *repo,
		 struct change_set *set)
{
	const struct change_opts *opts = p->range;
	unsigned want = p->stages;
	struct survival *s = NULL;
	int landed, r;

	r = changes_read(set, repo, opts, &p->err);
	if (r < 0)
		return fail(p, 0);
	if ((want & PIPELINE_LINES) &&
	    countable_count(set, repo, opts, &p->err) < 0)
		return fail(p, PIPELINE_LINES);
	/* A merge's lines are those survival finds it made. */
	if ((want & PIPELINE_SURVIVAL) && r > 0 &&
	    changes_read_merges(set, repo, opts, &p->err) < 0)
		return fail(p, 0);
	landed = set->mainline_ref && set->nr;
	if ((want & PIPELINE_LANDING) && landing_run(set, opts) < 0)
		return fail(p, PIPELINE_LANDING);
	if ((want & PIPELINE_SURVIVAL) && landed &&
	    countable_survival(set, repo, opts,
			       want & PIPELINE_AI_LINES ? &s : NULL) < 0)
		return fail(p, PIPELINE_SURVIVAL);
	/* Before the fold: the agents' notes are on the commits they made. */
	r = (want & PIPELINE_AI_LINES) ? ai_lines_fill(set, repo, s) : 0;
	survival_free(s);
	if (r < 0)
		return fail(p, PIPELINE_AI_LINES);
	/* Reviews, and the squash merges the forge knows of. */
	if ((want & PIPELINE_REVIEWS) &&
	    review_fill(set, repo, &p->review, &p->review_stats) < 0)
		return fail(p, PIPELINE_REVIEWS);
	/* --author holds for squash commits once their author is settled. */
	if (((want & PIPELINE_SQUASH_AUTHORS) || opts->authors.nr) &&
	    squash_authors(set, repo, opts) < 0)
		return fail(p, PIPELINE_SQUASH_AUTHORS);
	if (want & PIPELINE_FOLD)
		change_set_fold_squashes(set);
	if ((want & PIPELINE_ATTRIBUTION) && attribute(p, repo, set) < 0)
		return fail(p, PIPELINE_ATTRIBUTION);
	if (want & PIPELINE_SURVIVAL)
		changes_drop_idle_merges(set);
	if (!set->nr && p->warn_empty)
		warning("no changes in range");
	return 0;
}

void pipeline_release(struct pipeline *p)
{
	notes_map_release(&p->notes);
	strbuf_release(&p->err);
}
