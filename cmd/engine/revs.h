#ifndef TOKENS_REVS_H
#define TOKENS_REVS_H

#include "base/strbuf.h"
#include "base/strvec.h"
#include "model/change.h"

struct repo;

/*
 * Settle the range of opts before its log is read: out->mainline_ref
 * and mainline_tip (none found: NULL and ""), every revision checked.
 * Returns 1 when there is history to read, 0 when there is none (an
 * empty repository, an unborn branch), -1 after error(). A range or
 * mainline that does not resolve is the user's mistake, not ours: its
 * message goes into err (when err is not NULL) for the command to die()
 * with.
 */
int revs_resolve(struct change_set *out, struct repo *repo,
		 const struct change_opts *opts, struct strbuf *err);

/*
 * The user's revision arguments for git log and rev-list. --all leaves
 * out the notes refs: a notes commit is bookkeeping, not a change.
 */
/*
 * The mainline when neither --mainline nor tokens.mainline names it:
 * origin/HEAD, main, master, origin/main, origin/master, the first that
 * resolves. Returns its full ref name (its commit in tip), or NULL.
 */
const char *revs_mainline_guess(struct repo *repo, char tip[41]);

void revs_push(struct strvec *args, const struct strvec *revs);

/*
 * The tips a range starts from, to say "--not <them>": B for A..B, both
 * sides of A...B, a plain revision or --all as it is, nothing for ^A.
 */
void revs_tips(struct strvec *out, const struct strvec *revs);

/*
 * The commits a range stops at (full ids into out): A of A..B and ^A,
 * the merge bases of A...B, what follows --not. None for a range that
 * reaches the roots. Returns 0, or -1 after error().
 */
int revs_bottoms(struct strvec *out, const struct strvec *revs);

#endif
