#ifndef TOKENS_PROVIDER_H
#define TOKENS_PROVIDER_H

#include <stdint.h>
#include <stddef.h>
#include "model/event.h"

struct repo;

/*
 * Provider usage APIs: the Anthropic Admin API (Claude Code
 * analytics and the messages usage report) and OpenAI's organization
 * usage. Their answers become daily per-person usage events (tool
 * anthropic-api or openai-api, author = the person's email, time = the
 * UTC day start) kept in <tokens dir>/provider-usage.jsonl. Cursor's
 * team admin API gives single usage events (tool cursor, time to the
 * millisecond): they join the same file, each once.
 */

/* Days are counted from 1970-01-01 (UTC). */
/* Parse "YYYY-MM-DD" (anything after the date is ignored): 0 or -1. */
int provider_parse_day(const char *s, int64_t *day);
/* "YYYY-MM-DD" into out[11]. */
void provider_format_day(int64_t day, char out[11]);

struct provider_opts {
	int64_t since;   /* first day, inclusive */
	int64_t until;   /* last day, inclusive */
	int offline;     /* answer from the HTTP cache only */
};

struct provider_result {
	size_t days;
	size_t people;
	size_t events;
	uint64_t tokens;
};

/* The variable holding the key for tool (ANTHROPIC_ADMIN_KEY ...). */
const char *provider_key_var(enum tool tool);

/*
 * Fetch tool's usage for [since, until] and replace those days of tool
 * in the stored file. Nothing is written unless every page arrived.
 * The key is read from provider_key_var(tool). Returns 0 or -1.
 */
int provider_fetch(struct repo *repo, enum tool tool,
		   const struct provider_opts *opts,
		   struct provider_result *result);

/*
 * Add events (Cursor's, from the API or its usage CSV) to the store,
 * each once: an event already stored (the same time, tool, person,
 * model and counters), as many times as it is there, is not added
 * again. *added and *dups count. Returns 0 or -1.
 */
int provider_store_add(struct repo *repo, const struct usage_set *add,
		       size_t *added, size_t *dups);

/*
 * Add every stored provider event to out. A missing file is no error;
 * a corrupt file or one of another version is ignored (the next fetch
 * rebuilds it). Returns 0 or -1.
 */
int provider_usage_load(struct usage_set *out, struct repo *repo);

/*
 * Tests and fuzzing: read provider answers without the network, in
 * order, as provider_fetch() reads the pages of each call (what[i]
 * names the call body[i] answers), over all days; the resulting
 * events are added to out. Returns 0, or -1 when an answer was not
 * the JSON expected (it is skipped).
 */
enum provider_answer {
	PROVIDER_ANSWER_USERS,
	PROVIDER_ANSWER_API_KEYS,       /* Anthropic */
	PROVIDER_ANSWER_CLAUDE_CODE,    /* Anthropic */
	PROVIDER_ANSWER_MESSAGES,       /* Anthropic */
	PROVIDER_ANSWER_COMPLETIONS,    /* OpenAI */
	PROVIDER_ANSWER_CURSOR,         /* Cursor: usage events */
};
int provider_answer_parse(enum tool tool, const enum provider_answer *what,
			  const char * const *body, const size_t *len,
			  size_t nr, struct usage_set *out);
/* The events of the store's text (provider_usage_load()) to out. */
void provider_store_parse(const char *buf, size_t len, struct usage_set *out);

#endif
