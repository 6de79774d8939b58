#ifndef TOKENS_PATHS_H
#define TOKENS_PATHS_H

#include "strbuf.h"

/* Installed data (prices.json, hooks/, ci/): $GIT_TOKENS_DATADIR or
 * the configured pkgdatadir. */
const char *tokens_datadir(void);

/*
 * ${XDG_CACHE_HOME:-$HOME/.cache}/git-tokens/ with a trailing slash, created.
 * out is reset first. Returns 0, or -1 after error().
 */
int tokens_user_cache_dir(struct strbuf *out);

/* mkdir -p: 0, or -1 with errno set (no message). */
int mkdir_p(const char *path);

/*
 * An exclusive lock on the file path, held with flock() so that it dies
 * with its process: a holder killed at any point (kill -9, a crash)
 * never leaves it taken, and no pid or age has to be guessed at. The
 * file exists while held (lock_file_release() removes it); a file found
 * at path is what a killed holder left, and its text goes to *left
 * (may be NULL). Waits up to wait_ms for a live holder. Returns the
 * locked descriptor, -2 when a live process still holds it after
 * wait_ms (no message), or -1 after error().
 */
int lock_file_take(const char *path, int wait_ms, struct strbuf *left);
/* Replace the text of a held lock (what a finder reads): 0, or -1 with
 * errno set (no message). */
int lock_file_write(int fd, const char *text);
/* Remove the file, then let the lock go (in that order). */
void lock_file_release(const char *path, int fd);

#endif
