#ifndef TOKENS_SURVIVAL_H
#define TOKENS_SURVIVAL_H

#include <stdint.h>
#include "base/strvec.h"
#include "model/change.h"

struct repo;

/*
 * The survival engine: every line of every file at the
 * mainline tip, with the commit that added it as "git blame" names it
 * (whole-file renames followed, no -M or -C inside or across files),
 * and when the lines that did not survive left the mainline.
 *
 * The state at the tip is kept under <common dir>/tokens/, so that a
 * later run replays only the commits that are new since.
 */
struct survival;

struct survival_opts {
	int use_cache;   /* 0: replay the whole history, and store it */
	int progress;
	/*
	 * A range's bottoms (full ids), or NULL: the lines of the commits
	 * they reach are boundary lines, of no commit, as "git blame
	 * <bottom>.." has them, and only the commits above them are
	 * replayed; nothing is kept for later runs. need: the commits the
	 * tally will ask about (none: nothing is replayed); when one is
	 * not above the bottoms, the whole history is replayed instead.
	 */
	const struct strvec *bottoms;
	const struct strvec *need;
};

/* Replay the history of tip (40 hex digits): 0, or -1 after error(). */
int survival_run(struct survival **out, struct repo *repo, const char *tip,
		 const struct survival_opts *opts);

/* Each path the tally asks about: files at the tip, where lines died. */
void survival_for_each_path(const struct survival *s,
			    void (*fn)(const char *path, void *data),
			    void *data);

/*
 * Fill outcome.surviving, .reworked and .survival_known of the landed
 * changes of set: their lines alive at the tip in the files countable()
 * accepts, and their lines that left the mainline within rework_secs
 * of landing there. A merge change's added (and excluded) lines are
 * set here too: the lines it made that no parent had, which "git blame"
 * at the merge gives the merge. A change landed by patch-id or squash takes the
 * numbers of the mainline commit it landed as; a reverted change keeps
 * no surviving line.
 */
void survival_tally(struct survival *s, struct change_set *set,
		    int (*countable)(const char *path, void *data),
		    void *data, int64_t rework_secs);

/*
 * Each run of lines of one commit in each file at the tip, in file
 * order: its path, the commit (a raw object id) and how many lines.
 */
void survival_for_each_tip_run(const struct survival *s,
			       void (*fn)(const char *path,
					  const unsigned char origin[20],
					  uint32_t lines, void *data),
			       void *data);

void survival_free(struct survival *s);

#endif
