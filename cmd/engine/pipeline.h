#ifndef TOKENS_PIPELINE_H
#define TOKENS_PIPELINE_H

#include "base/strbuf.h"
#include "engine/notes.h"
#include "model/change.h"
#include "net/review.h"

struct repo;

/*
 * The order of the stages, the product's central rule, lives here and
 * nowhere else:
 *
 *   read log -> count lines -> landing -> survival -> AI lines
 *            -> reviews -> squash authors -> fold -> attribution
 *
 * Reading the log always runs; a command asks for the others it wants
 * and they run in this order. Landing and survival need a mainline.
 */
enum pipeline_stage {
	PIPELINE_LINES = 1 << 0,          /* countable lines (countable.c) */
	PIPELINE_LANDING = 1 << 1,        /* landed, reverted, open (landed.c,
					     landing.c) */
	PIPELINE_SURVIVAL = 1 << 2,       /* surviving, rework at the tip */
	PIPELINE_REVIEWS = 1 << 3,        /* reviews and the forge's squash
					     merges (net/review.c) */
	PIPELINE_SQUASH_AUTHORS = 1 << 4, /* a squash commit's author is its
					     request's (squash.c) */
	PIPELINE_FOLD = 1 << 5,           /* a squash commit and what it
					     absorbed: one change */
	PIPELINE_ATTRIBUTION = 1 << 6,    /* usage onto changes */
	PIPELINE_AI_LINES = 1 << 7,       /* the lines agents' own notes say
					     they wrote, and those surviving
					     (ai-lines.c) */
};

/* What report, log, export and ci show. */
#define PIPELINE_REPORT (PIPELINE_LINES | PIPELINE_LANDING | \
			 PIPELINE_SURVIVAL | PIPELINE_REVIEWS | \
			 PIPELINE_SQUASH_AUTHORS | PIPELINE_FOLD | \
			 PIPELINE_ATTRIBUTION | PIPELINE_AI_LINES)

struct pipeline {
	unsigned stages;                /* enum pipeline_stage, or'ed */
	const struct change_opts *range;
	struct review_opts review;      /* for PIPELINE_REVIEWS */
	unsigned warn_empty:1;          /* "no changes in range" */

	/* What the stages leave besides the changes. */
	struct review_stats review_stats;
	struct usage_pending pending;   /* with PIPELINE_ATTRIBUTION */
	struct notes_map notes;         /* the notes attribution read */
	struct strbuf err;              /* the user's mistake, to die() with */
	enum pipeline_stage failed;     /* the stage that failed; 0: reading */
};
#define PIPELINE_INIT { \
	.review = REVIEW_OPTS_INIT, \
	.notes = NOTES_MAP_INIT, \
	.err = STRBUF_INIT, \
}

/*
 * Fill set (initialized here) with the changes of p->range through
 * the stages p->stages asks for. A stage whose source cannot be read
 * (survival, .gitattributes, usage logs, the forge) is a warning and
 * leaves its part unknown. Returns 0, or -1 after error(), or with the
 * user's mistake (a bad revision or mainline) in p->err, not printed.
 */
int pipeline_run(struct pipeline *p, struct repo *repo,
		 struct change_set *set);
void pipeline_release(struct pipeline *p);

#endif
