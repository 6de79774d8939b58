#ifndef TOKENS_LANDING_H
#define TOKENS_LANDING_H

#include <stdint.h>
#include "model/change.h"

struct repo;

/*
 * The landing stage (landed.c, then landing.c): which changes of set
 * landed on set->mainline_tip (reachable, same patch-id, absorbed by a
 * squash merge), which a mainline commit reverted, which of the others
 * are open or abandoned, and fixup!/squash! commits. Nothing to do
 * without a mainline. Returns 0, or -1 after error().
 */
int landing_run(struct change_set *set, const struct change_opts *opts);

/*
 * What landing leaves to settle once reachability and patch-ids are
 * known: commits of pull/merge requests that were squash-
 * merged into the mainline, matched through refs/pull/<N>/head and
 * refs/merge-requests/<N>/head; whether a change that did not land is
 * still open or abandoned; fixup!/squash! commits.
 *
 * revs is the range as given (empty: HEAD). Returns 0, or -1 after
 * error().
 */
int landing_mark(struct change_set *set, const struct strvec *revs);

/* Days without a commit on its branch before an unlanded change is
 * abandoned. */
#define LANDING_ABANDON_DAYS 30

/* Now in seconds: date_now()'s, GIT_TOKENS_NOW when set. */
int64_t landing_now(void);

#endif
