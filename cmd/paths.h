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

#endif
