#ifndef TOKENS_NOTES_SYNC_H
#define TOKENS_NOTES_SYNC_H

#include <stdio.h>
#include "base/strbuf.h"

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

/*
 * Bring ref and remote's copy of it together as described above; what
 * it does is said on out, one line each (unless NOTES_SYNC_QUIET).
 * Returns 0, or -1 after error().
 */
int notes_sync(struct repo *repo, const char *remote, const char *ref,
	       unsigned flags, struct notes_sync_result *res, FILE *out);

#endif
