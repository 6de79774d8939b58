/*
 * A squash commit's author is its request's: of the commits it
 * absorbed, the author of the most countable lines.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/die.h"
#include "base/oidmap.h"
#include "base/run-command.h"
#include "base/strbuf.h"
#include "engine/changes.h"
#include "engine/countable.h"
#include "engine/squash.h"
#include "git/repo.h"
#include "model/event.h"

/*
 * The commits among hex ids ("<id>\n" each) this repository has, read
 * as the log reader reads a range (mailmap, agents, countable lines),
 * whoever wrote them. A request's commits may never have been fetched:
 * those are left out.
 */
static int load_commits(struct change_set *out, struct repo *repo,
			const struct change_opts *opts,
			const struct strbuf *ids)
{
	struct child_process cf = CHILD_PROCESS_INIT, lg = CHILD_PROCESS_INIT;
	struct change_opts eo = CHANGE_OPTS_INIT;
	struct oidmap none = OIDMAP_INIT;
	struct strbuf have = STRBUF_INIT, log = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	size_t nshallow = 0;
	char *p, *nl;
	int fd = -1, ret = 0;

	fd = changes_temp_file(ids);
	if (fd < 0) {
		ret = -1;
		goto cleanup;
	}
	cf.git_cmd = 1;
	cf.in = fd;
	strvec_pushl(&cf.args, "cat-file",
		     "--batch-check=%(objectname) %(objecttype)", NULL);
	if (capture_command(&cf, &log)) {
		ret = error("git cat-file failed");
		goto cleanup;
	}
	for (p = log.buf; (nl = strchr(p, '\n')); p = nl + 1)
		if (nl - p == OID_HEX + 7 &&
		    !strncmp(p + OID_HEX, " commit", 7)) {
			strbuf_add(&have, p, OID_HEX);
			strbuf_addch(&have, '\n');
		}
	strbuf_reset(&log);
	if (!have.len)
		goto cleanup;
	close(fd);
	fd = changes_temp_file(&have);
	if (fd < 0) {
		ret = -1;
		goto cleanup;
	}
	lg.git_cmd = 1;
	lg.in = fd;
	strvec_pushl(&lg.args, "-c", "log.showSignature=false", "log",
		     "--no-walk=unsorted", "--stdin", "-z", "--no-color",
		     CHANGES_LOG_FORMAT, NULL);
	if (capture_command(&lg, &log)) {
		ret = error("git log failed on the commits of squash merges");
		goto cleanup;
	}
	/* no --author here: the patterns apply to the squash commit */
	eo.paths = opts->paths;
	eo.use_cache = opts->use_cache;
	eo.progress = 0;
	if (changes_parse(out, repo, &log, &eo.authors, &none,
			  &nshallow, 0) < 0 ||
	    countable_count(out, repo, &eo, &err) < 0) {
		if (err.len)
			error("%s", err.buf);
		ret = -1;
	}
cleanup:
	if (fd >= 0)
		close(fd);
	child_process_clear(&cf);
	child_process_clear(&lg);
	oidmap_clear(&none);
	strbuf_release(&have);
	strbuf_release(&log);
	strbuf_release(&err);
	return ret;
}

struct squash_part {
	size_t into;               /* the squash commit, index in the set */
	const struct change *c;    /* a commit it absorbed */
};

static int squash_part_cmp(const void *a, const void *b)
{
	const struct squash_part *x = a, *y = b;

	return x->into < y->into ? -1 : x->into > y->into;
}

static int same_author(const struct change *a, const struct change *b)
{
	return !strcmp(a->author_name ? a->author_name : "",
		       b->author_name ? b->author_name : "") &&
		!strcmp(a->author_email ? a->author_email : "",
			b->author_email ? b->author_email : "");
}

/* Is a earlier than b? Author time, then committer time. */
static int earlier(const struct change *a, const struct change *b)
{
	if (a->author_time != b->author_time)
		return a->author_time < b->author_time;
	return a->commit_time < b->commit_time;
}

/*
 * Of the commits parts[0..n) (one request), the author of the most
 * countable lines; ties to the author of the earliest commit.
 */
static const struct change *request_author(const struct squash_part *parts,
					   size_t n)
{
	struct tally {
		const struct change *first;
		uint64_t lines;
	} *t = xcalloc(n, sizeof(*t));
	const struct change *best = NULL;
	size_t i, j, nt = 0, b = 0;

	for (i = 0; i < n; i++) {
		const struct change *c = parts[i].c;

		for (j = 0; j < nt; j++)
			if (same_author(t[j].first, c))
				break;
		if (j == nt)
			t[nt++].first = c;
		else if (earlier(c, t[j].first))
			t[j].first = c;
		t[j].lines += c->added + c->deleted;
	}
	for (j = 1; j < nt; j++)
		if (t[j].lines > t[b].lines ||
		    (t[j].lines == t[b].lines && earlier(t[j].first,
							 t[b].first)))
			b = j;
	if (nt)
		best = t[b].first;
	free(t);
	return best;
}

int squash_authors(struct change_set *set, struct repo *repo,
		   const struct change_opts *opts)
{
	struct change_set extra = CHANGE_SET_INIT;
	struct oidmap idx = OIDMAP_INIT, xidx = OIDMAP_INIT;
	struct strbuf ids = STRBUF_INIT;
	struct squash_part *parts = NULL;
	struct author_filter af = { NULL, 0 };
	size_t nparts = 0, i, j, k, from, into;
	unsigned char *gone = NULL;
	int ret = 0;

	if (!set->absorbed_nr && !opts->authors.nr)
		return 0;
	for (i = 0; i < set->nr; i++)
		oidmap_put(&idx, set->c[i].oid, i);
	for (i = 0; i < set->absorbed_nr; i++)
		if (oidmap_get(&idx, set->absorbed[i].into, NULL) &&
		    !oidmap_get(&idx, set->absorbed[i].from, NULL))
			strbuf_addf(&ids, "%s\n", set->absorbed[i].from);
	/* Without them the squash commit keeps its own author. */
	if (ids.len && load_commits(&extra, repo, opts, &ids) < 0)
		warning("the commits of squash merges could not be read; "
			"their squash commits keep their own authors");
	for (i = 0; i < extra.nr; i++)
		oidmap_put(&xidx, extra.c[i].oid, i);

	parts = xcalloc(set->absorbed_nr + 1, sizeof(*parts));
	for (i = 0; i < set->absorbed_nr; i++) {
		const struct squash_absorbed *a = &set->absorbed[i];

		if (!oidmap_get(&idx, a->into, &into))
			continue;
		if (oidmap_get(&idx, a->from, &from))
			parts[nparts].c = &set->c[from];
		else if (oidmap_get(&xidx, a->from, &from))
			parts[nparts].c = &extra.c[from];
		else
			continue;
		parts[nparts++].into = into;
	}
	qsort(parts, nparts, sizeof(*parts), squash_part_cmp);
	for (i = 0; i < nparts; i = j) {
		struct change *s = &set->c[parts[i].into];
		const struct change *by;

		for (j = i + 1; j < nparts && parts[j].into == parts[i].into;
		     j++)
			;
		by = request_author(parts + i, j - i);
		if (!by || same_author(by, s))
			continue;
		s->author_name = event_intern(by->author_name ?
					      by->author_name : "");
		s->author_email = event_intern(by->author_email ?
					       by->author_email : "");
		s->bot = by->bot;
	}

	/* --author: on the authors as they are now */
	if (!opts->authors.nr)
		goto cleanup;
	if (author_filter_init(&af, &opts->authors) < 0) {
		ret = -1;
		goto cleanup;
	}
	gone = xcalloc(set->nr ? set->nr : 1, 1);
	for (k = 0; k < set->nr; k++)
		gone[k] = !author_filter_match(&af, &set->c[k]);
	change_set_drop(set, gone);
cleanup:
	free(gone);
	author_filter_release(&af);
	free(parts);
	strbuf_release(&ids);
	oidmap_clear(&idx);
	oidmap_clear(&xidx);
	change_set_release(&extra);
	return ret;
}
