#ifndef TOKENS_COUNTABLE_H
#define TOKENS_COUNTABLE_H

#include "base/strbuf.h"
#include "model/change.h"

struct repo;

/*
 * The lines stage: added, deleted and excluded lines of every change
 * of set against its first parent (numstat.c), paths that are not
 * countable excluded. When git cannot read the history its message
 * goes into err. Returns 0, or -1.
 */
int countable_count(struct change_set *set, struct repo *repo,
		    const struct change_opts *opts, struct strbuf *err);

/*
 * The survival stage: the changes' lines followed to the mainline tip
 * (survival.c), counted where the changes' own lines count; rework
 * within tokens.reworkDays. Lines that cannot be followed leave
 * survival unknown, with a warning. Returns 0. With keep, the survival
 * at the tip is handed over there (NULL when unknown) for the caller to
 * survival_free(), else freed.
 */
struct survival;
int countable_survival(struct change_set *set, struct repo *repo,
		       const struct change_opts *opts, struct survival **keep);

#endif
