/* Codex: one saved `codex exec --json` output. */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("codex", "/nonexistent/exec-logs/run.jsonl", source_codex_exec_parse_mem, data, size);
	return 0;
}
