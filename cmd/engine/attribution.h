#ifndef TOKENS_ATTRIBUTION_H
#define TOKENS_ATTRIBUTION_H

#include "engine/notes.h"
#include "model/change.h"
#include "model/event.h"

struct repo;

/*
 * Tie usage to changes (SPEC §6.2), in confidence order:
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

struct attribution_input {
	const struct usage_set *local;     /* usage_load(); may be NULL */
	const struct usage_set *provider;  /* provider_usage_load(); or NULL */
	const struct notes_map *notes;     /* NULL: read here */
	const char *user_email;            /* NULL: user.email, mailmapped */
};

/*
 * Fill set->c[i].usage for every change, and pending (may be NULL).
 * Returns 0 or -1.
 */
int attribution_apply(struct change_set *set, struct repo *repo,
		      const struct attribution_input *in,
		      struct metrics_pending *pending);

/*
 * The note of change oid as attribution counts it: its own lines, and
 * for a squash commit those of the commits it absorbed (set->absorbed),
 * identical lines once. out is initialized here; note_release() it.
 * Returns 1 when any of these commits has a note, else 0.
 */
int attribution_change_note(const struct change_set *set,
			    const struct notes_map *m, const char *oid,
			    struct note *out);

/* Add one event's counters to a usage sum with confidence how. */
void attribution_add_event(struct usage_sum *u, const struct usage_event *ev,
			   enum attrib_how how);

/*
 * The whole pipeline report, log and show use: local usage (use_cache
 * as --no-cache says), provider usage, notes, then attribution_apply.
 * A source that cannot be read is a warning, not a failure. notes_out
 * (may be NULL) receives the notes read. Returns 0 or -1.
 */
int attribution_load(struct change_set *set, struct repo *repo,
		     int use_cache, struct metrics_pending *pending,
		     struct notes_map *notes_out);

#endif
