#ifndef TOKENS_SOURCES_ZSTD_H
#define TOKENS_SOURCES_ZSTD_H

#include <stddef.h>
#include "base/strbuf.h"

/*
 * zstd-compressed logs (Codex's .jsonl.zst, Zed's threads): zstd.c is
 * the one owner of libzstd. Built without it, nothing decodes.
 */

/* Is zstd built in? */
int source_zstd_supported(void);
/*
 * Append the decompressed frames of buf to out. -1 when buf is not
 * valid zstd, when zstd is not built in, or when the output would pass
 * max bytes (a bomb, not a log).
 */
int source_zstd_decode(const char *buf, size_t len, size_t max,
		       struct strbuf *out);

#endif
