/* Agent marks from authors and messages. */
#include <stdlib.h>
#include "base/oidmap.h"
#include "model/agents.h"
#include "tap.h"

/* The installed list, after one tokens.agentIdentity and one tokens.bot. */
static struct agent_list rules = AGENT_LIST_INIT;

static void check(const char *an, const char *ae, const char *msg,
		  const char *agent, int author_is_agent, const char *human,
		  const char *what)
{
	struct agent_mark m = AGENT_MARK_INIT;

	agents_detect(&m, an, ae, msg, &rules);
	is_str(m.agent, agent, what);
	is_int(m.author_is_agent, author_is_agent, "  author is agent");
	is_str(m.human_name, human, "  human");
	agent_mark_release(&m);
}

static void check_bot(const char *an, const char *ae, int bot,
		      const char *what)
{
	struct agent_mark m = AGENT_MARK_INIT;

	agents_detect(&m, an, ae, "x\n", &rules);
	is_int(m.author_is_bot, bot, what);
	is_str(m.agent, NULL, "  and no agent");
	agent_mark_release(&m);
}

static void test_patterns(void)
{
	struct agent_list l = AGENT_LIST_INIT;

	ok(agents_pattern_match("renovate[bot]", "Renovate[Bot]", ""),
	   "brackets are literal, case is ignored");
	ok(!agents_pattern_match("renovate[bot]", "renovateb", ""),
	   "  no character class");
	ok(agents_pattern_match("*@bots.example.com", "CI",
				"ci@bots.example.com"), "glob on the e-mail");
	ok(agents_pattern_match("Claude Code*", "Claude Code:opus", ""),
	   "glob on the name");
	ok(agents_pattern_match("Build <*>", "Build", "b@example.com"),
	   "glob on Name <email>");
	ok(!agents_pattern_match("Claude", "Claude Dupont", "cd@example.fr"),
	   "no substring match: Claude Dupont is a person");
	is_int(agent_list_parse(&l, "# c\n\nagent a  x y\nbot  z*\n", "t"),
	       0, "parse: comments, blank lines, blanks");
	is_int(l.nr, 2, "  two rules");
	is_str(l.v[0].pattern, "x y", "  the pattern is the rest of the line");
	is_str(l.v[1].origin, "t:4", "  origin file:line");
	is_int(agent_list_parse(&l, "agent onlyname\n", "t"), -1,
	       "parse: a rule without a pattern is an error");
	is_int(agent_list_parse(&l, "people x\n", "t"), -1,
	       "parse: an unknown rule is an error");
	agent_list_release(&l);
}

static void test_oidmap(void)
{
	struct oidmap map = OIDMAP_INIT;
	char hex[41], back[41];
	unsigned char raw[20];
	size_t v = 0, i, found = 0;

	for (i = 0; i < 5000; i++) {
		snprintf(hex, sizeof(hex), "%040zx", i * 2654435761u);
		oidmap_put(&map, hex, i);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(hex, sizeof(hex), "%040zx", i * 2654435761u);
		found += oidmap_get(&map, hex, &v) && v == i;
	}
	is_int(found, 5000, "oidmap finds every id it holds, after growing");
	is_int(oidmap_get(&map, "ffffffffffffffffffffffffffffffffffffffff", NULL),
	       0, "oidmap misses an id it does not hold");
	is_int(oidmap_put(&map, "not-hex", 1), -1, "a malformed id is refused");
	oid_from_hex(raw, "0123456789abcdef0123456789ABCDEF01234567");
	oid_to_hex(back, raw);
	is_str(back, "0123456789abcdef0123456789abcdef01234567",
	       "hex round trip, lower case");
	oidmap_clear(&map);
}

int main(void)
{
	agent_list_add(&rules, AGENT_RULE_AGENT, "robot@example.com",
		       "robot@example.com", "tokens.agentIdentity");
	agent_list_add(&rules, AGENT_RULE_BOT, NULL, "*@ci.example.com",
		       "tokens.bot");
	if (agents_load(&rules, NULL) < 0)
		return 1;
	test_patterns();
	check("A U Thor", "a@example.com", "plain change\n", NULL, 0, NULL,
	      "no mark on a plain change");
	check("A U Thor", "a@example.com",
	      "feat\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
	      "claude", 0, NULL, "Claude co-author trailer");
	check("A U Thor", "a@example.com",
	      "feat\n\nco-authored-by: Claude Opus 4.6 <NoReply@Anthropic.com>\n",
	      "claude", 0, NULL, "trailer key and e-mail case-insensitive");
	check("A U Thor", "a@example.com",
	      "x\n\n\xf0\x9f\xa4\x96 Generated with [Claude Code](https://claude.com/claude-code)\n",
	      "claude", 0, NULL, "Generated with Claude Code line");
	check("Jane Doe (aider)", "jane@example.com", "aider: fix\n",
	      "aider", 1, "Jane Doe", "aider suffix names the human");
	check("copilot-swe-agent[bot]",
	      "198982749+Copilot@users.noreply.github.com",
	      "Initial plan\n\nCo-authored-by: Sam <sam@example.com>\n",
	      "copilot", 1, "Sam", "bot author credited to the first human co-author");
	check("Claude", "noreply@anthropic.com", "web agent change\n",
	      "claude", 1, NULL, "agent author with no human: the committer");
	check("A U Thor", "a@example.com",
	      "x\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n",
	      "cursor", 0, NULL, "Cursor trailer");
	check("A U Thor", "a@example.com",
	      "x\n\nCo-authored-by: aider (gpt-4o) <aider@aider.chat>\n",
	      "aider", 0, NULL, "aider co-author trailer");
	check("A U Thor", "a@example.com",
	      "x\n\nCo-authored-by: Codex <noreply@openai.com>\n",
	      "codex", 0, NULL, "Codex trailer");
	check("A U Thor", "a@example.com",
	      "x\n\nAssisted-by: Jane Helper <jane@example.com>\n", NULL, 0,
	      NULL, "a person in Assisted-by stays a person");
	check("A U Thor", "a@example.com",
	      "x\n\nAssisted-by: SomeTool\n", NULL, 0, NULL,
	      "an unknown name in Assisted-by is no agent");
	check("A U Thor", "a@example.com",
	      "x\n\nAssisted-by: Claude:claude-opus-4-5 coccinelle\n",
	      "claude", 0, NULL, "Assisted-by AGENT:MODEL names the agent");
	check("A U Thor", "a@example.com",
	      "x\n\nGenerated-by: GitHub Copilot\n", "copilot", 0, NULL,
	      "Generated-by names Copilot");
	check("A U Thor", "a@example.com",
	      "x\n\nCo-authored-by: claude[bot] "
	      "<209825114+claude[bot]@users.noreply.github.com>\n",
	      "claude", 0, NULL, "the Claude GitHub App co-author");
	check("A U Thor", "a@example.com",
	      "x\n\nCo-authored-by: gemini-code-assist[bot] "
	      "<176961590+gemini-code-assist[bot]@users.noreply.github.com>\n",
	      NULL, 0, NULL, "a review bot's suggestion is no agent");
	check("chatgpt-codex-connector[bot]",
	      "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com",
	      "x\n", "codex", 1, NULL, "the Codex connector author");
	check("A U Thor", "a@example.com", "x\n\nMade-with: Cursor\n",
	      "cursor", 0, NULL, "Made-with: Cursor");
	check("Devin Smith", "devin@example.com", "x\n", NULL, 0, NULL,
	      "a person named Devin is a person");
	check("A U Thor", "a@example.com",
	      "x\n\nAssisted-by: Kimi Raikkonen <kimi@example.fi>\n", NULL,
	      0, NULL, "a person named Kimi is a person");
	check_bot("renovate[bot]",
		  "29139614+renovate[bot]@users.noreply.github.com", 1,
		  "renovate is a bot");
	check_bot("dependabot[bot]",
		  "49699333+dependabot[bot]@users.noreply.github.com", 1,
		  "dependabot is a bot");
	check_bot("some-app[bot]", "1+some-app[bot]@users.noreply.github.com",
		  1, "any [bot] account is a bot");
	check_bot("Nightly", "nightly@ci.example.com", 1,
		  "tokens.bot pattern");
	check_bot("A U Thor", "a@example.com", 0, "a person is no bot");
	check("Build Robot", "robot@example.com", "x\n",
	      "robot@example.com", 1, NULL, "tokens.agentIdentity pattern");
	check("A U Thor", "a@example.com",
	      "x\n\nCo-authored-by: Sam <sam@example.com>\n", NULL, 0, NULL,
	      "a human co-author marks nothing");
	test_oidmap();
	agent_list_release(&rules);
	return done_testing();
}
