/* aider: one .aider.chat.history.md. */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("aider", "/nonexistent/w/.aider.chat.history.md", source_aider_parse_mem, data, size);
	return 0;
}
