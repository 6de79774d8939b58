/*
 * The change and change-set methods: what only manipulates the
 * structures of change.h, whichever stage filled them.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/die.h"
#include "base/oidmap.h"
#include "model/change.h"

void change_opts_release(struct change_opts *opts)
{
	strvec_clear(&opts->revs);
	strvec_clear(&opts->paths);
	strvec_clear(&opts->authors);
}

static int how_rank(enum attrib_how how)
{
	static const int rank[] = {
		[ATTRIB_HOOK] = 5, [ATTRIB_LINK] = 4, [ATTRIB_WINDOW] = 3,
		[ATTRIB_IMPORT] = 2, [ATTRIB_DAY] = 1,
	};

	return (size_t)how < ARRAY_SIZE(rank) ? rank[how] : 0;
}

void usage_sum_add(struct usage_sum *u, uint64_t requests, uint64_t input,
		   uint64_t output, uint64_t cache_write, uint64_t cache_read,
		   double cost, int cost_known, enum attrib_how how)
{
	u->requests += requests;
	u->input += input;
	u->output += output;
	u->cache_write += cache_write;
	u->cache_read += cache_read;
	if (cost_known)
		u->cost += cost;
	else
		u->cost_unknown = 1;
	if (!u->has_usage || how_rank(how) < how_rank(u->how))
		u->how = how;
	u->has_usage = 1;
}

void change_clear(struct change *c)
{
	/* The identities are interned: only these are the change's own. */
	free(c->subject);
	free(c->reverts);
}


/* Take out of the set the changes whose gone[i] is set, in place. */
void change_set_drop(struct change_set *set, const unsigned char *gone)
{
	size_t i, w;

	for (i = w = 0; i < set->nr; i++) {
		if (!gone[i]) {
			if (w != i)
				set->c[w] = set->c[i];
			w++;
			continue;
		}
		set->excluded_lines -= set->c[i].excluded;
		change_clear(&set->c[i]);
	}
	set->nr = w;
}

void change_set_release(struct change_set *set)
{
	size_t i;

	for (i = 0; i < set->nr; i++)
		change_clear(&set->c[i]);
	free(set->c);
	free(set->mainline_ref);
	free(set->absorbed);
	memset(set, 0, sizeof(*set));
}

/* --- squash merges: one change ------------------------------------------- */

/* The first absorbed entry whose from is not below hex (a prefix). */
static size_t absorbed_pos(const struct change_set *set, const char *hex,
			   size_t len)
{
	size_t lo = 0, hi = set->absorbed_nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(set->absorbed[mid].from, hex, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void change_set_absorb(struct change_set *set, const char *from,
		       const char *into)
{
	struct squash_absorbed *a;
	size_t pos;

	if (strlen(from) != 40 || strlen(into) != 40 || !strcmp(from, into))
		return;
	/* kept sorted by from: a squash absorbs a commit once */
	pos = absorbed_pos(set, from, 40);
	if (pos < set->absorbed_nr && !strcmp(set->absorbed[pos].from, from))
		return;
	ALLOC_GROW(set->absorbed, set->absorbed_nr + 1, set->absorbed_alloc);
	a = &set->absorbed[pos];
	memmove(a + 1, a, (set->absorbed_nr - pos) * sizeof(*a));
	memcpy(a->from, from, 41);
	memcpy(a->into, into, 41);
	set->absorbed_nr++;
}

const char *change_set_absorbed_into(const struct change_set *set,
				     const char *hex)
{
	size_t len = strlen(hex), pos;

	if (len < 4 || len > 40)
		return NULL;
	pos = absorbed_pos(set, hex, len);
	if (pos >= set->absorbed_nr ||
	    strncasecmp(set->absorbed[pos].from, hex, len))
		return NULL;
	/* an ambiguous prefix names no commit */
	if (len < 40 && pos + 1 < set->absorbed_nr &&
	    !strncasecmp(set->absorbed[pos + 1].from, hex, len))
		return NULL;
	return set->absorbed[pos].into;
}

void change_set_fold_squashes(struct change_set *set)
{
	struct oidmap idx = OIDMAP_INIT;
	unsigned char *gone = NULL;
	size_t i, from, into;

	if (!set->absorbed_nr || !set->nr)
		return;
	for (i = 0; i < set->nr; i++)
		oidmap_put(&idx, set->c[i].oid, i);
	gone = xcalloc(set->nr, 1);
	for (i = 0; i < set->absorbed_nr; i++) {
		const struct squash_absorbed *a = &set->absorbed[i];

		if (!oidmap_get(&idx, a->from, &from) ||
		    !oidmap_get(&idx, a->into, &into) || gone[into])
			continue;
		gone[from] = 1;
		/* the squash message may have lost the agent's trailer */
		if (!set->c[into].agent) {
			set->c[into].agent = set->c[from].agent;
			set->c[into].agent_tool = set->c[from].agent_tool;
		}
	}
	/* their lines are the squash commits' lines: count them once */
	change_set_drop(set, gone);
	free(gone);
	oidmap_clear(&idx);
}
