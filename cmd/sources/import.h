#ifndef TOKENS_SOURCE_IMPORT_H
#define TOKENS_SOURCE_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include "model/event.h"

struct repo;

/* The file "git tokens import" keeps: <common dir>/tokens/imported.jsonl */
#define IMPORT_FILE "imported.jsonl"
#define IMPORT_SCHEMA "git-tokens/imported/v1"
#define IMPORT_HEADER "{\"schema\":\"" IMPORT_SCHEMA "\"}"

/*
 * Parse one JSON Lines event into ev. now (ms) bounds the
 * time. An event names its repository with "cwd" (a path) or "repo" (a
 * path, a remote URL or the work tree's name); one that names neither
 * belongs to the repository it was imported into. repo may be NULL (no
 * name resolution). Returns 0, or -1 with *why set.
 */
int import_parse_line(struct usage_event *ev, const char *line, size_t len,
		      struct repo *repo, int64_t now, const char **why);

#endif
