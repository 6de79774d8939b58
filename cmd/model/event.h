#ifndef TOKENS_EVENT_H
#define TOKENS_EVENT_H

#include <stdint.h>
#include <stddef.h>

/*
 * One billed model response. Strings are interned (see
 * event_intern) and live as long as the process: events are copied and
 * sorted freely.
 */
#define TOOL_LIST(_) \
	_(CLAUDE, "claude-code") \
	_(CODEX, "codex") \
	_(GEMINI, "gemini") \
	_(AIDER, "aider") \
	_(OPENCODE, "opencode") \
	_(IMPORT, "import") \
	_(ANTHROPIC_API, "anthropic-api") \
	_(OPENAI_API, "openai-api") \
	_(COPILOT, "copilot-cli") \
	_(CLINE, "cline") \
	_(ROO, "roo-code") \
	_(KILO, "kilo-code") \
	_(CURSOR, "cursor") \
	_(AMP, "amp") \
	_(QWEN, "qwen-code") \
	_(KIMI, "kimi") \
	_(DROID, "droid") \
	_(CONTINUE, "continue") \
	_(KILO_CLI, "kilo-cli") \
	_(GOOSE, "goose") \
	_(CRUSH, "crush") \
	_(ZED, "zed")

enum tool {
#define TOOL_ENUM(e, s) TOOL_##e,
	TOOL_LIST(TOOL_ENUM)
#undef TOOL_ENUM
	TOOL__NR
};

const char *tool_name(enum tool t);
/* -1 when s names no tool. */
int tool_parse(const char *s);

struct usage_event {
	int64_t time;             /* milliseconds since the epoch, UTC */
	enum tool tool;
	const char *model;        /* interned; NULL when unknown */
	const char *cwd;          /* interned absolute path; NULL when unknown */
	const char *author;       /* interned email (import, provider APIs) */
	char session[13];         /* 12 hex digits of sha256(session id) */
	char commit[41];          /* a commit the log names ("link"), or "" */
	uint64_t input;           /* uncached input */
	uint64_t output;          /* reasoning included */
	uint64_t cache_write;     /* 5-minute and 1-hour writes together */
	uint64_t cache_write_1h;  /* the 1-hour part of cache_write */
	uint64_t cache_read;
	uint32_t web_searches;    /* server-side web searches, priced apart */
	double cost;              /* USD */
	unsigned cost_known:1;    /* cost holds a price or a recorded cost */
	unsigned cost_recorded:1; /* the log recorded the cost itself */
};

struct usage_set {
	struct usage_event *ev;
	size_t nr, alloc;
};
#define USAGE_SET_INIT { 0 }

void usage_set_add(struct usage_set *set, const struct usage_event *ev);
/* Room for n more events (big sets in huge pages). */
void usage_set_reserve(struct usage_set *set, size_t n);
void usage_set_release(struct usage_set *set);
/* Sort by time, then tool, then session. */
void usage_set_sort(struct usage_set *set);
/* The order usage_set_sort uses, for qsort over usage_event. */
int event_cmp(const void *a, const void *b);

/* Intern a string: equal strings share one pointer; NULL stays NULL. */
const char *event_intern(const char *s);
const char *event_intern_n(const char *s, size_t len);
/* The short session hash of a tool's session id into out[13]. */
void event_session_hash(char out[13], const char *session_id);
uint64_t event_total_tokens(const struct usage_event *ev);

#endif
