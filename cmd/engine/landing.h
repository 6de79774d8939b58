#ifndef TOKENS_LANDING_H
#define TOKENS_LANDING_H

#include <stdint.h>
#include "model/change.h"

struct repo;

/*
 * What landing leaves to settle once reachability and patch-ids are
 * known (SPEC §7.2): commits of pull/merge requests that were squash-
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
