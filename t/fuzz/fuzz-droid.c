/* Factory Droid: one settings file. */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("droid", "/nonexistent/.factory/sessions/s1.settings.json", source_droid_parse_mem, data, size);
	return 0;
}
