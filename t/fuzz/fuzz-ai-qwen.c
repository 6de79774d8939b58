/*
 * Qwen Code's attribution notes: a file kept is one the agent wrote
 * alone, with one span naming the agent and no lines yet (the engine
 * reads them from the commit's diff).
 */
#include "fuzz.h"
#include "model/ai-note.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ai_note n;
	size_t bad_line, i;

	if (ai_note_parse_qwen(&n, (const char *)data, size, &bad_line)) {
		if (n.nr || !bad_line)
			BUG("a malformed note kept files or named no line");
		return 0;
	}
	for (i = 0; i < n.nr; i++)
		if (!n.f[i].added || n.f[i].nr != 1 || !n.f[i].s[0].tool ||
		    !*n.f[i].path)
			BUG("file '%s' is not the agent's alone", n.f[i].path);
	if (ai_note_agent_lines(&n))
		BUG("lines counted before they are known");
	ai_note_release(&n);
	return 0;
}
