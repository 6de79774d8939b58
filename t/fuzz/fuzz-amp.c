/* Amp: one thread document. */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("amp", "/nonexistent/amp/threads/T-abc.json", source_amp_parse_mem, data, size);
	return 0;
}
