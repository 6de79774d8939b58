/* Zed: a threads.db image, read through SQLite. */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("zed", "/nonexistent/zed/threads/threads.db", source_zed_parse_mem, data, size);
	return 0;
}
