/* Kimi CLI: one wire file. */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("kimi", "/nonexistent/.kimi/sessions/0123/s1/wire.jsonl", source_kimi_parse_mem, data, size);
	return 0;
}
