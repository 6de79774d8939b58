#ifndef TOKENS_ATTRIBUTION_H
#define TOKENS_ATTRIBUTION_H

#include <stdint.h>
#include "base/strvec.h"
#include "engine/notes.h"
#include "model/change.h"
#include "model/event.h"

/*
 * Tie usage to changes, in confidence order:
 *
 *   hook    the change's note (whatever "how" its lines carry);
 *   link    local events whose log names the commit (ev.commit);
 *   window  for changes with no note by a person with local usage:
 *           events up to the change since that person's previous commit;
 *   day     provider usage of a person on a UTC day, spread over that
 *           person's changes of the day by countable lines.
 *
 * Each event counts once: one that a note holds (any note, in range or
 * not) is not counted again by link or window. Local usage after the
 * local user's last commit is pending.
 */
#define ATTRIB_SKEW_MS 2000

/* An event's author (ev.author) as the mailmap has them. */
struct attribution_ident {
	const char *author;      /* as the event names them */
	const char *email;       /* mailmapped */
};

/* A non-merge commit of any ref, for the window stage. */
struct attribution_commit {
	char oid[41];
	int64_t time;            /* committer time, seconds */
	const char *email;       /* the author's, mailmapped */
};

/*
 * Everything attribution knows of the world; the pipeline reads it.
 * Nothing here is changed.
 */
struct attribution_input {
	const struct usage_set *local;     /* the assistants' logs; or NULL */
	const struct usage_set *provider;  /* provider usage; or NULL */
	const struct notes_map *notes;     /* every note, in range or not */
	const char *user_email;            /* the local user, mailmapped */
	/* the authors events name, sorted by author */
	const struct attribution_ident *idents;
	size_t idents_nr;
	/*
	 * Of attribution_links(), the names of the commits the repository
	 * holds, sorted (strcmp).
	 */
	const char **held;
	size_t held_nr;
	/*
	 * Every non-merge commit of every ref but notes and stash since a
	 * day before attribution_window_from().
	 */
	const struct attribution_commit *commits;
	size_t commits_nr;
};

/*
 * Fill set->c[i].usage for every change, and pending (may be NULL),
 * from in alone.
 */
void attribution_apply(struct change_set *set,
		       const struct attribution_input *in,
		       struct usage_pending *pending);

/*
 * What attribution_apply() needs before it runs: the commits that local
 * events name outside set, as named (maybe twice), appended to out; for
 * in->held. Needs in->local and in->notes.
 */
void attribution_links(const struct change_set *set,
		       const struct attribution_input *in, struct strvec *out);
/*
 * The time (ms) of the earliest event left to the window stage, or
 * INT64_MAX when none is: in->commits are needed from a day before.
 * Needs in->local, in->notes and in->held.
 */
int64_t attribution_window_from(const struct change_set *set,
				const struct attribution_input *in);

/*
 * The note of change oid as attribution counts it: its own lines, and
 * for a squash commit those of the commits it absorbed (set->absorbed),
 * identical lines once. out is initialized here; note_release() it.
 * Returns 1 when any of these commits has a note, else 0.
 */
int attribution_change_note(const struct change_set *set,
			    const struct notes_map *m, const char *oid,
			    struct note *out);

#endif
