/* Agent marks from authors and messages. */
#include <stdlib.h>
#include "base/oidmap.h"
#include "model/agents.h"
#include "tap.h"

static void check(const char *an, const char *ae, const char *msg,
		  const char *agent, int author_is_agent, const char *human,
		  const char *what)
{
	struct agent_mark m = AGENT_MARK_INIT;
	struct strvec extra = STRVEC_INIT;

	strvec_push(&extra, "robot@example.com");
	agents_detect(&m, an, ae, msg, &extra);
	is_str(m.agent, agent, what);
	is_int(m.author_is_agent, author_is_agent, "  author is agent");
	is_str(m.human_name, human, "  human");
	agent_mark_release(&m);
	strvec_clear(&extra);
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
	      "x\n\nAssisted-by: SomeTool\n", "other", 0, NULL,
	      "generic Assisted-by trailer");
	check("Build Robot", "robot@example.com", "x\n",
	      "robot@example.com", 1, NULL, "tokens.agentIdentity pattern");
	check("A U Thor", "a@example.com",
	      "x\n\nCo-authored-by: Sam <sam@example.com>\n", NULL, 0, NULL,
	      "a human co-author marks nothing");
	test_oidmap();
	return done_testing();
}
