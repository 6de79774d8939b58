#ifndef TOKENS_CONFIG_CACHE_H
#define TOKENS_CONFIG_CACHE_H

#include <stdint.h>
#include "base/strbuf.h"

/*
 * "git config --list -z --show-origin" kept in <top>.git/tokens (top
 * ends in "/"), or with top NULL, outside any repository, in the user's
 * cache folder. Read: git's answer into out, 0; 1 when there is none
 * still valid.
 */
int config_cache_read(const char *top, struct strbuf *out);
/* Keep git's answer (list), asked for at asked (ns, CLOCK_REALTIME). */
void config_cache_write(const char *top, const struct strbuf *list,
			int64_t asked);

#endif
