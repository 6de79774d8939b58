#ifndef TOKENS_PATHS_H
#define TOKENS_PATHS_H

#include <sys/types.h>
#include "base/strbuf.h"
#include "base/strvec.h"

/*
 * The data (prices.json, agents.txt, hooks/, ci/, export/):
 * $GIT_TOKENS_DATADIR, else <folder of the binary>/share/git-tokens
 * when that exists (a build tree is laid out as an install: the build
 * copies the data there), else the configured pkgdatadir.
 */
const char *tokens_datadir(void);

/* main()'s argv[0]: where the binary is when /proc cannot say. */
void tokens_set_argv0(const char *arg);
/*
 * <folder of the binary>/<rel> into out: 0 when it exists, -1 (no
 * message) when it does not or the folder is unknown.
 */
int tokens_build_path(const char *rel, struct strbuf *out);

/*
 * ${XDG_CACHE_HOME:-$HOME/.cache}/git-tokens/ with a trailing slash, created.
 * out is reset first. Returns 0, or -1 after error().
 */
int tokens_user_cache_dir(struct strbuf *out);
/* The same, neither created nor said: -1 when neither variable is set. */
int tokens_user_cache_name(struct strbuf *out);

/* mkdir -p: 0, or -1 with errno set (no message). */
int mkdir_p(const char *path);
/*
 * The names in dir that do not start with '.', in readdir order, added
 * to out. -1 when dir cannot be opened (out is left as it was).
 */
int dir_list(const char *dir, struct strvec *out);

/* write(2) all of buf, again after EINTR: 0, or -1 with errno set. */
int write_all(int fd, const void *buf, size_t len);

/*
 * Write the parts, one after the other, as the file path: into
 * "<path>.tmp-<pid>" beside it, then renamed over path, so that a
 * reader sees the old file or the new one, never a part, and a failed
 * write (a full disk) leaves the old one. The temporary files of runs
 * that were killed are removed first. mode is a new file's, less the
 * umask (exactly mode with WRITE_FILE_EXACT_MODE); WRITE_FILE_SYNC
 * fsyncs before the rename (not for caches that are rebuilt anyway).
 * Returns 0, or -1 with errno set (no message).
 */
struct write_part {
	const void *buf;
	size_t len;
};
#define WRITE_FILE_SYNC       (1 << 0)
#define WRITE_FILE_EXACT_MODE (1 << 1)
int write_file_parts(const char *path, const struct write_part *parts,
		     size_t nr, mode_t mode, unsigned flags);
int write_file_atomic(const char *path, const void *buf, size_t len,
		      mode_t mode, unsigned flags);
/* write_file_atomic() of sb, saying why it failed: 0, or -1 after error(). */
int write_file_strbuf(const char *path, const struct strbuf *sb, mode_t mode,
		      unsigned flags);

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
