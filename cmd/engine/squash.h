#ifndef TOKENS_SQUASH_H
#define TOKENS_SQUASH_H

#include "model/change.h"

struct repo;

/*
 * The squash-authors stage. A squash commit's author is its request's:
 * of the commits it absorbed that the repository has (in the set or
 * not), the author of the most countable lines, ties to the earliest
 * commit; as the log reader reads authors (mailmap, an agent's human).
 * None at hand: it keeps its own. Then opts->authors (--author) apply
 * to the authors so settled. Run it after every stage that records
 * squash merges (landing, reviews). Returns 0, or -1 after error().
 */
int squash_authors(struct change_set *set, struct repo *repo,
		   const struct change_opts *opts);

#endif
