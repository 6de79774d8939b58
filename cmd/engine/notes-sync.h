#ifndef TOKENS_NOTES_SYNC_H
#define TOKENS_NOTES_SYNC_H

#include <stdio.h>
#include "base/strbuf.h"
#include "base/strvec.h"
#include "engine/notes.h"

struct repo;

/*
 * Sharing the notes ref with a remote ("git tokens sync"): the remote's
 * notes are fetched into refs/notes/remotes/<remote>/<name>, never into
 * the local ref (a forced fetch there would drop local lines), merged
 * into the local ref as a union of lines, and the local ref is pushed.
 * A push rejected because the remote moved in between is retried on
 * the new remote tip, a bounded number of times.
 */

/* How many times a push is tried before giving up. */
#define NOTES_SYNC_ATTEMPTS 5

enum notes_sync_flags {
	NOTES_SYNC_FETCH_FIRST = 1 << 0, /* fetch and merge before pushing */
	NOTES_SYNC_QUIET = 1 << 1,       /* say nothing when all is well */
};

struct notes_sync_result {
	unsigned remote_has:1;   /* the remote has the notes ref */
	unsigned merged:1;       /* the local ref moved to take the remote's */
	unsigned pushed:1;       /* the remote ref moved to ours */
	unsigned nothing:1;      /* no notes here or there */
	int retries;             /* pushes rejected and tried again */
};

/* refs/notes/remotes/<remote>/<ref without "refs/notes/">. */
void notes_tracking_ref(struct strbuf *out, const char *remote,
			const char *ref);

/* 1 when remote is a configured remote (remote.<name>.url), else 0. */
int notes_remote_is_named(struct repo *repo, const char *remote);

/* The configured remotes (those with a remote.<name>.url): 0 or -1. */
int notes_remotes(struct repo *repo, struct strvec *out);

/*
 * The fetch refspec that brings remote's ref into its tracking ref
 * with every plain "git fetch": "+<ref>*:<tracking ref>*", a pattern,
 * because git fails a fetch whose exact refspec names a ref the remote
 * does not have yet.
 */
void notes_fetch_refspec(struct strbuf *out, const char *remote,
			 const char *ref);

/*
 * Whether a refspec (exact, or one '*' per side) takes ref: 0 when it
 * does not, else 1 with the destination in *into ("" for none) and
 * *forced (a leading '+').
 */
int notes_refspec_map(const char *spec, const char *ref,
		      struct strbuf *into, int *forced);

/* Where remote.<remote>.fetch takes ref; the later one here wins. */
enum notes_fetched {
	NOTES_FETCHED_NOT = 0,   /* no refspec names it */
	NOTES_FETCHED_ELSEWHERE, /* into a ref nothing reads, or unforced
				  * into ours (fails once they diverge) */
	NOTES_FETCHED_TRACKING,  /* into its tracking ref: read with ours */
	NOTES_FETCHED_CLOBBERS,  /* forced into ours: drops local lines */
};

/* The enum above (*into gets the ref it goes to, "" when none), or -1. */
int notes_fetched_into(struct repo *repo, const char *remote,
		       const char *ref, struct strbuf *into);

/*
 * Add notes_fetch_refspec() to remote.<remote>.fetch in the
 * repository's config unless ref is fetched into its tracking ref
 * already; spec gets the refspec. 1 added, 0 nothing to do, -1.
 */
int notes_fetch_refspec_add(struct repo *repo, const char *remote,
			    const char *ref, struct strbuf *spec);
/* The same, without adding it: 1 when it is wanted, 0 when not, -1. */
int notes_fetch_refspec_wanted(struct repo *repo, const char *remote,
			       const char *ref, struct strbuf *spec);

/*
 * The notes a report reads: the local notes ref united with every
 * remote's tracking ref, each line once. When there are none anywhere
 * and nothing fetches them, warns once naming what would. 0 or -1.
 */
int notes_read_shared(struct repo *repo, struct notes_map *out);
/* The caller said why there are no notes: notes_read_shared() need not. */
void notes_unfetched_said(void);

/*
 * Bring ref and remote's copy of it together as described above; what
 * it does is said on out, one line each (unless NOTES_SYNC_QUIET).
 * Returns 0, or -1 after error().
 */
int notes_sync(struct repo *repo, const char *remote, const char *ref,
	       unsigned flags, struct notes_sync_result *res, FILE *out);

#endif
