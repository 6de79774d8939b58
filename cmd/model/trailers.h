#ifndef TOKENS_TRAILERS_H
#define TOKENS_TRAILERS_H

#include <stddef.h>

/*
 * The trailer block of a commit message, found as git's trailer.c
 * finds it: the last paragraph, never the subject's,
 * accepted when all its lines are trailers, or when it holds a
 * git-generated one ("Signed-off-by: ", "(cherry picked from commit ")
 * and trailers make at least a quarter of its lines. Lines starting
 * with whitespace continue the previous value; '#' lines are comments.
 * Pure: no I/O, no allocation beyond the list.
 */
struct trailer {
	char *key;      /* as written ("Reviewed-By") */
	char *value;    /* trimmed; continuation lines joined by a space */
};

struct trailer_list {
	struct trailer *v;
	size_t nr, alloc;
};
#define TRAILER_LIST_INIT { 0 }

/* Append the trailers of msg (len bytes) to out. */
void trailers_parse(struct trailer_list *out, const char *msg, size_t len);
void trailer_list_release(struct trailer_list *list);

/* How many trailers have key (compared case-insensitively). */
size_t trailers_count(const struct trailer_list *list, const char *key);

#endif
