/* Codex: one rollout (JSON Lines). */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("codex", "/nonexistent/sessions/2026/01/01/rollout-2026-01-01T10-00-00-0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.jsonl", source_codex_parse_mem, data, size);
	return 0;
}
