#ifndef TOKENS_SOURCES_CODEX_H
#define TOKENS_SOURCES_CODEX_H

#include "sources/sources.h"

/*
 * Codex's `codex exec --json` output saved under CODEX_EXEC_LOG_DIR
 * (codex-exec.c), read with the rollouts by source_codex_read().
 */

/* Look up the saved outputs, parsing those that changed, into files. */
void codex_exec_find(struct source_ctx *ctx, struct source_files *files);
/*
 * Add the events of the threads that have no rollout among rollouts
 * (the rollout files' paths, whose names end in the thread's id);
 * model (interned, or NULL) for those whose output names none.
 */
void codex_exec_emit(struct source_ctx *ctx, struct source_files *files,
		     const struct strvec *rollouts, const char *model);

#endif
