#ifndef TOKENS_AGENTS_H
#define TOKENS_AGENTS_H

#include <stddef.h>

struct repo;

/*
 * Who a commit names: AI agents (an agent author, an Assisted-by,
 * Co-authored-by or Generated-by value, a "Generated with" line) and
 * automation accounts (bots). Only names the rules know count: a person
 * named in Assisted-by stays a person. The rules come from
 * tokens.agentIdentity, tokens.bot and <datadir>/agents.txt, in that
 * order; the first that matches decides.
 */
enum agent_rule_kind {
	AGENT_RULE_AGENT,  /* an identity of the agent name */
	AGENT_RULE_LINE,   /* a message line starting with pattern */
	AGENT_RULE_TOOL,   /* the report's tool name (pattern) of name */
	AGENT_RULE_BOT,    /* an automation account; name is NULL */
};

struct agent_rule {
	enum agent_rule_kind kind;
	const char *name;  /* interned: valid until the program exits */
	char *pattern;
	char *origin;      /* "<file>:<line>" or the config key */
};

struct agent_memo;

struct agent_list {
	struct agent_rule *v;
	size_t nr, alloc;
	/* Identities already classified: a history repeats its people. */
	struct agent_memo *memo;
};
#define AGENT_LIST_INIT { .v = NULL }

/* The kind's word in agents.txt: "agent", "line", "tool", "bot". */
const char *agent_rule_kind_name(enum agent_rule_kind kind);
void agent_list_add(struct agent_list *l, enum agent_rule_kind kind,
		    const char *name, const char *pattern,
		    const char *origin);
/* Rules in the format of agents.txt; 0, or -1 after error(). */
int agent_list_parse(struct agent_list *l, const char *buf,
		     const char *origin);
/* <datadir>/agents.txt, for the caller to free. */
char *agents_file(void);
/* The config rules, then the installed file: 0, or -1 after error(). */
int agents_load(struct agent_list *l, struct repo *repo);
void agent_list_release(struct agent_list *l);

/*
 * Does pattern match the name, the e-mail or "Name <email>"? Case is
 * ignored; '*' is any run of characters, '?' one, the rest is literal.
 */
int agents_pattern_match(const char *pattern, const char *name,
			 const char *email);

struct agent_mark {
	const char *agent;     /* interned agent name, or NULL */
	const char *tool;      /* its tool name for the report, or NULL */
	unsigned author_is_agent:1;
	unsigned author_is_bot:1;  /* an automation account, no agent */
	/* With author_is_agent: the human the change belongs to, from the
	 * first human Co-authored-by or the name before an agent suffix;
	 * NULL means "the committer". Owned by the mark. */
	char *human_name;
	char *human_email;
};
#define AGENT_MARK_INIT { .agent = NULL }

/* Fill out from the author identity and the raw message. */
void agents_detect(struct agent_mark *out, const char *author_name,
		   const char *author_email, const char *message,
		   const struct agent_list *rules);
void agent_mark_release(struct agent_mark *m);

#endif
