/*
 * The readers of agents' line notes: git-ai's and Qwen Code's formats,
 * and Agent Trace records.
 */
#include <ctype.h>
#include <string.h>

#include "tap.h"
#include "model/ai-note.h"

#define META "---\n{\"schema_version\":\"authorship/3.0.0\"," \
	"\"prompts\":{\"abcd1234abcd1234\":{\"agent_id\":" \
	"{\"tool\":\"cursor\",\"model\":\"gpt-4\"}," \
	"\"human_author\":\"D <d@x>\"}}," \
	"\"sessions\":{\"s_c9883b05a2487d\":{\"agent_id\":{\"tool\":" \
	"\"claude\",\"model\":\"claude-sonnet-4-5\"}}}," \
	"\"humans\":{\"h_31dce776f88375\":{\"author\":\"D <d@x>\"}}}\n"

/* The 1-based line a malformed note is blamed on, or 0 when it reads. */
static size_t bad(const char *text)
{
	struct ai_note n;
	size_t line;

	if (!ai_note_parse_gitai(&n, text, strlen(text), &line))
		ai_note_release(&n);
	return line;
}

#define REV "0123456789abcdef0123456789abcdef01234567"
#define REC(v, rest) "{\"version\":\"" v "\",\"id\":\"u\"," \
	"\"timestamp\":\"t\",\"vcs\":{\"type\":\"git\",\"revision\":" \
	"\"" REV "\"},\"files\":[{\"path\":\"a.c\",\"conversations\":" \
	"[{\"contributor\":{\"type\":\"ai\",\"model_id\":\"m\"}," \
	"\"ranges\":[" rest "]}]}]}\n"

/* How many of a traces file's records are skipped as malformed. */
static size_t trace_bad(const char *text)
{
	struct ai_trace t;
	size_t n;

	ai_trace_parse(&t, text, strlen(text));
	n = t.bad;
	ai_trace_release(&t);
	return n;
}

static void trace_tests(void)
{
	char up[] = REC("1.0", "{\"start_line\":1,\"end_line\":1}");
	char rev[41];
	struct ai_trace t;
	size_t i;
	const char *text = REC("0.1.0", "{\"start_line\":2,\"end_line\":4,"
				"\"content_hash\":\"sha256:ab\"}")
		"\n"
		REC("1.0", "{\"start_line\":7,\"end_line\":7,"
		    "\"contributor\":{\"type\":\"human\"}}")
		"{\"version\":\"0.1.0\",\"id\":\"u\",\"timestamp\":\"t\","
		"\"vcs\":{\"type\":\"jj\",\"revision\":\"kkmp\"},"
		"\"files\":[{\"path\":\"b\",\"conversations\":"
		"[{\"ranges\":[{\"start_line\":1,\"end_line\":1}]}]}]}\n"
		"not json\n";

	ai_trace_parse(&t, text, strlen(text));
	is_int(t.nr, 2, "ranges of git revisions read, blank lines skipped");
	is_int(t.bad, 1, "a line that is not JSON is skipped");
	is_int(t.bad_line, 5, "and named by its line");
	ok(t.nr == 2 && !strcmp(t.r[0].rev, REV) && !strcmp(t.r[0].path, "a.c")
	   && t.r[0].from == 2 && t.r[0].to == 4 && t.r[0].record == 1,
	   "a range: its revision, file, lines and record");
	is_str(t.nr ? t.r[0].hash : NULL, "sha256:ab", "its content hash");
	is_str(t.nr ? t.r[0].tool : NULL, "agent-trace",
	       "no tool named: the format's name");
	is_str(t.nr ? t.r[0].model : NULL, "m", "the conversation's model");
	ok(t.nr == 2 && !t.r[1].tool && t.r[1].record == 3,
	   "a range's own contributor overrides: a person's, no agent");
	ai_trace_release(&t);

	is_int(trace_bad(REC("1.0.0", "{\"start_line\":3,\"end_line\":1}")),
	       1, "a range backwards");
	is_int(trace_bad(REC("1.0.0", "{\"start_line\":0,\"end_line\":1}")),
	       1, "line 0");
	is_int(trace_bad(REC("1.0.0", "{\"start_line\":1}")), 1,
	       "a range without its end");
	is_int(trace_bad(REC("2.0.0", "")), 1, "a major version unknown");
	is_int(trace_bad(REC("1", "")), 1, "a version without a dot");
	is_int(trace_bad(REC("1.x", "")), 1, "a version not of digits");
	is_int(trace_bad(REC("1.0", "{\"start_line\":1,\"end_line\":1,"
			     "\"contributor\":{\"type\":\"robot\"}}")), 1,
	       "a contributor of no known type");
	is_int(trace_bad("{\"version\":\"1.0\",\"timestamp\":\"t\","
			 "\"files\":[]}\n"), 1, "no id");
	ai_trace_parse(&t, REC("1.0", "{\"start_line\":1,\"end_line\":2},"
			       "{\"start_line\":5}"),
		       strlen(REC("1.0", "{\"start_line\":1,\"end_line\":2},"
				  "{\"start_line\":5}")));
	ok(!t.nr && t.bad == 1, "a record is read whole or not at all");
	ai_trace_release(&t);

	for (i = 0; i < 40; i++)
		rev[i] = (char)toupper((unsigned char)REV[i]);
	text = strstr(up, REV);
	memcpy((char *)text, rev, 40);
	ai_trace_parse(&t, up, strlen(up));
	is_str(t.nr ? t.r[0].rev : NULL, REV,
	       "a revision in capitals, kept in lower case");
	ai_trace_release(&t);
}

static size_t qwen_bad(const char *text)
{
	struct ai_note n;
	size_t line;

	if (!ai_note_parse_qwen(&n, text, strlen(text), &line))
		ai_note_release(&n);
	return line;
}

int main(void)
{
	struct ai_note n;
	const struct ai_span *s;
	size_t line;
	const char *text = "src/a.c\r\n"
		"  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-3,7\n"
		"  h_31dce776f88375 4-6\n"
		"\"my file.c\"\n"
		"  abcd1234abcd1234 10-11\n"
		"  0123456789abcdef 20\n" META;

	is_int(ai_note_parse_gitai(&n, text, strlen(text), &line), 0,
	       "sessions, persons, legacy prompts and quoted paths read");
	is_int(ai_note_agent_lines(&n), 3 + 1 + 2 + 1,
	       "the agents' lines: every range but the person's");
	s = ai_note_find(&n, "src/a.c", 7);
	is_str(s ? s->tool : NULL, "claude", "a session's agent");
	is_str(s ? s->model : NULL, "claude-sonnet-4-5", "and its model");
	s = ai_note_find(&n, "src/a.c", 5);
	ok(s && !s->tool && s->human && !strcmp(s->human, "D <d@x>"),
	   "a person's lines name the person, no agent");
	ok(!ai_note_find(&n, "src/a.c", 8), "a line no range holds");
	s = ai_note_find(&n, "my file.c", 11);
	is_str(s ? s->tool : NULL, "cursor", "a legacy prompt, quoted path");
	s = ai_note_find(&n, "my file.c", 20);
	is_str(s ? s->tool : NULL, "unknown",
	       "a key the metadata lacks: an agent, unnamed");
	ai_note_release(&n);

	is_int(bad("a.c\n  s_x 1-2\n"), 3, "no divider: after the last line");
	is_int(bad("a.c\n  s_x 1-2\n---\n{\"prompts\":{}}\n"), 4,
	       "no schema: the metadata's line");
	is_int(bad("a.c\n  s_x 1-2\n---\n{\"schema_version\":\"x\"}\n"), 4,
	       "another schema");
	is_int(bad("a.c\n  s_x 3-1\n" META), 2, "a range backwards");
	is_int(bad("a.c\n  s_x 0\n" META), 2, "line 0");
	is_int(bad("a.c\n  s_x 1,\n" META), 2, "a trailing comma");
	is_int(bad("a.c\n  s_x 1-\n" META), 2, "a range without its end");
	is_int(bad("a.c\n  s_x 99999999999\n" META), 2, "a line too far");
	is_int(bad("  s_x 1\n" META), 1, "an entry before any file");
	is_int(bad("a.c\n s_x 1\n" META), 2, "one space of indent");
	is_int(bad("a.c\n  s_x\n" META), 2, "a key without lines");
	is_int(bad("\"a.c\n  s_x 1\n" META), 1, "an unclosed quote");
	is_int(bad(META), 0, "a note without attestations reads");

	is_int(qwen_bad("{\"version\":1,\"generator\":\"Qwen-Coder\","
			"\"files\":{\"a\":{\"aiChars\":5,\"humanChars\":0},"
			"\"b\":{\"aiChars\":5,\"humanChars\":1},"
			"\"c\":{\"aiChars\":0,\"humanChars\":0}}}"), 0,
	       "a Qwen Code note reads");
	text = "{\"version\":1,\"generator\":\"Qwen-Coder\",\"files\":"
		"{\"a\":{\"aiChars\":5,\"humanChars\":0},"
		"\"b\":{\"aiChars\":5,\"humanChars\":1}}}\n"
		"{\"version\":1,\"files\":{\"a\":{\"aiChars\":0,"
		"\"humanChars\":2},\"d\":{\"aiChars\":1,\"humanChars\":0}}}\n";
	is_int(ai_note_parse_qwen(&n, text, strlen(text), &line), 0,
	       "squashed notes: one object a line");
	is_int(n.nr, 1, "only a file the agent wrote alone in every one");
	ok(n.nr == 1 && !strcmp(n.f[0].path, "d") && n.f[0].added &&
	   !strcmp(n.f[0].s[0].tool, "qwen-code"), "its lines are to come");
	ai_note_release(&n);
	is_int(qwen_bad("{\"version\":2,\"files\":{}}"), 1,
	       "another version");
	is_int(qwen_bad("{\"version\":1,\"files\":{\"a\":{\"aiChars\":-1,"
			"\"humanChars\":0}}}"), 1, "a negative count");
	is_int(qwen_bad("{\"version\":1,\"files\":{}}\nnot json\n"), 2,
	       "a line that is not JSON, after one that is");
	trace_tests();
	return done_testing();
}
