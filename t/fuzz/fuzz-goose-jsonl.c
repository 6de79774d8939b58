/* Goose: a session file from before its database (<id>.jsonl). */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("goose", "/nonexistent/goose/sessions/20251220_100000.jsonl", source_goose_parse_mem, data, size);
	return 0;
}
