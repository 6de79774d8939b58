#ifndef TOKENS_AGENTS_H
#define TOKENS_AGENTS_H

#include "base/strvec.h"

/*
 * AI agents named by a commit: a
 * co-author trailer, a "Generated with" line, an agent author (bot
 * account) or an author name with an agent suffix ("Jane Doe (aider)").
 */
struct agent_mark {
	const char *agent;     /* static name ("claude", "aider", ...) or NULL */
	unsigned author_is_agent:1;
	/* With author_is_agent: the human the change belongs to, from the
	 * first human Co-authored-by or the name before an agent suffix;
	 * NULL means "the committer". Owned by the mark. */
	char *human_name;
	char *human_email;
};
#define AGENT_MARK_INIT { 0 }

/*
 * Fill out from the author identity and the raw message. extra holds
 * tokens.agentIdentity patterns (case-insensitive substrings of
 * "Name <email>").
 */
void agents_detect(struct agent_mark *out, const char *author_name,
		   const char *author_email, const char *message,
		   const struct strvec *extra);
void agent_mark_release(struct agent_mark *m);

#endif
