#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/die.h"
#include "base/strbuf.h"
#include "model/agents.h"

/* Identities that belong to an agent, matched case-insensitively. */
static const struct {
	const char *needle;
	const char *agent;
} agent_idents[] = {
	{ "noreply@anthropic.com", "claude" },
	{ "copilot-swe-agent[bot]", "copilot" },
	{ "+copilot@users.noreply.github.com", "copilot" },
	{ "copilot@github.com", "copilot" },
	{ "noreply@openai.com", "codex" },
	{ "cursoragent@cursor.com", "cursor" },
	{ "aider@aider.chat", "aider" },
	{ "amp@ampcode.com", "amp" },
	{ "gemini-cli@google.com", "gemini" },
	{ "noreply@opencode.ai", "opencode" },
	{ "devin-ai-integration[bot]", "devin" },
	{ "google-labs-jules[bot]", "jules" },
	{ "openhands@all-hands.dev", "openhands" },
	{ "roomote@roocode.com", "roo" },
};

/* Lines anywhere in the message that mark a tool. */
static const struct {
	const char *prefix;
	const char *agent;
} agent_lines[] = {
	{ "\xf0\x9f\xa4\x96 Generated with [Claude Code]", "claude" },
	{ "\xf0\x9f\xa4\x96 Generated with Claude Code", "claude" },
	{ "\xf0\x9f\xa4\x96 Generated with [opencode]", "opencode" },
	{ "Made-with: Cursor", "cursor" },
	{ "Amp-Thread-ID:", "amp" },
};

static const char *ci_strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return hay;
	return NULL;
}

static const char *ident_agent(const char *ident, const struct strvec *extra)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(agent_idents); i++)
		if (ci_strstr(ident, agent_idents[i].needle))
			return agent_idents[i].agent;
	for (i = 0; extra && i < extra->nr; i++)
		if (*extra->v[i] && ci_strstr(ident, extra->v[i]))
			return extra->v[i];
	return NULL;
}

/* "Name <email>" of a trailer value into name and email. */
static void split_ident(const char *v, char **name, char **email)
{
	const char *lt = strchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *end = lt ? lt : v + strlen(v);

	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	*name = xstrndup(v, end - v);
	*email = gt ? xstrndup(lt + 1, gt - lt - 1) : xstrdup("");
}

static int is_trailer(const char *line, const char *key, const char **value)
{
	size_t n = strlen(key);

	if (strncasecmp(line, key, n) || line[n] != ':')
		return 0;
	line += n + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	*value = line;
	return 1;
}

void agents_detect(struct agent_mark *out, const char *author_name,
		   const char *author_email, const char *message,
		   const struct strvec *extra)
{
	struct strbuf ident = STRBUF_INIT, line = STRBUF_INIT;
	const char *p = message ? message : "", *agent, *v;
	size_t n, i;
	int found_human = 0;

	memset(out, 0, sizeof(*out));
	strbuf_addf(&ident, "%s <%s>", author_name, author_email);
	agent = ident_agent(ident.buf, extra);
	if (agent) {
		out->agent = agent;
		out->author_is_agent = 1;
	} else if ((n = strlen(author_name)) > 8 &&
		   !strcmp(author_name + n - 8, " (aider)")) {
		/* Jane Doe (aider): Jane's change, assisted by aider. */
		out->agent = "aider";
		out->author_is_agent = 1;
		out->human_name = xstrndup(author_name, n - 8);
		out->human_email = xstrdup(author_email);
		found_human = 1;
	}

	while (*p) {
		const char *eol = strchrnul(p, '\n');

		strbuf_reset(&line);
		strbuf_add(&line, p, eol - p);
		strbuf_rtrim(&line);
		for (i = 0; !out->agent && i < ARRAY_SIZE(agent_lines); i++)
			if (!strncasecmp(line.buf, agent_lines[i].prefix,
					 strlen(agent_lines[i].prefix)))
				out->agent = agent_lines[i].agent;
		if (is_trailer(line.buf, "Co-authored-by", &v)) {
			agent = ident_agent(v, extra);
			if (agent && !out->agent)
				out->agent = agent;
			else if (!agent && out->author_is_agent && !found_human) {
				split_ident(v, &out->human_name, &out->human_email);
				found_human = 1;
			}
		} else if (!out->agent &&
			   (is_trailer(line.buf, "Assisted-by", &v) ||
			    is_trailer(line.buf, "Generated-by", &v))) {
			agent = ident_agent(v, extra);
			out->agent = agent ? agent : "other";
		}
		p = *eol ? eol + 1 : eol;
	}
	strbuf_release(&ident);
	strbuf_release(&line);
}

void agent_mark_release(struct agent_mark *m)
{
	free(m->human_name);
	free(m->human_email);
	m->human_name = m->human_email = NULL;
}
