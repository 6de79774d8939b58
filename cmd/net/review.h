#ifndef TOKENS_REVIEW_H
#define TOKENS_REVIEW_H

#include <stddef.h>
#include "model/change.h"
#include "net/forge.h"

struct repo;

/*
 * Review outcomes of landed changes, from the best source
 * at hand: the forge API (GitHub reviews, GitLab approvals), Gerrit's
 * refs/notes/review, then Reviewed-by/Acked-by/Tested-by trailers.
 * Changes without a source stay REVIEW_UNKNOWN.
 *
 * On the way it matches squash merges found through the forge API
 * ("(#N)" subjects on GitHub, "See merge request ...!N" on GitLab) to
 * the request's commits: those in the set that are not landed yet
 * become LANDED_SQUASH with outcome.squashed_into set; changes that
 * are already marked (by refs/pull/N/head matching) are left as they
 * are.
 */

/* Network requests a report may make before it stops asking. */
#define REVIEW_REPORT_MAX_REQUESTS 100

struct review_opts {
	int offline;           /* cached forge answers only */
	int refresh;           /* revalidate cached answers (fetch) */
	enum forge_kind force; /* fetch github|gitlab: that forge */
	unsigned max_requests; /* 0: no limit */
	int use_cache;         /* 0 with --no-cache: read every message */
};
#define REVIEW_OPTS_INIT { .force = FORGE_NONE, \
			   .max_requests = REVIEW_REPORT_MAX_REQUESTS, \
			   .use_cache = 1 }

struct review_stats {
	enum forge_kind forge;  /* the forge asked, or FORGE_NONE */
	size_t landed;          /* landed changes looked at */
	size_t known;           /* of those, with a known review */
	size_t from_forge;      /* known from the forge API */
	size_t squashed;        /* changes newly marked LANDED_SQUASH */
	unsigned requests;      /* network requests made */
	unsigned errors;        /* requests that failed */
};

/*
 * Fill outcome.review, review_source, review_rounds and review_hours
 * of every change in set (hours < 0 when unknown). stats may be NULL.
 * Forge failures are reported with error() and leave reviews unknown
 * (stats->errors counts them); -1 only when the repository cannot be
 * read, or when opts->force names a forge this repository has no
 * project on.
 */
int review_fill(struct change_set *set, struct repo *repo,
		const struct review_opts *opts, struct review_stats *stats);

/* The word for a review state: "approved", ...; NULL when unknown. */
const char *review_state_name(enum review_state state);

#endif
