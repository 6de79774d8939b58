/* Claude Code: one transcript (JSON Lines). */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("claude-code", "/nonexistent/projects/-w/3f9a1c0e-2b7d-4c1e-9a0b-5d6e7f8a9b0c.jsonl", source_claude_parse_mem, data, size);
	return 0;
}
