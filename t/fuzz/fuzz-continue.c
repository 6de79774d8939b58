/* Continue: one tokensGenerated.jsonl. */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("continue", "/nonexistent/.continue/dev_data/0.2.0/tokensGenerated.jsonl", source_continue_parse_mem, data, size);
	return 0;
}
