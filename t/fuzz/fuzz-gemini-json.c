/* Gemini CLI: one legacy chat document (JSON). */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("gemini", "/nonexistent/tmp/abc/chats/session-2026-01-01T10-00-abcd.json", source_gemini_parse_mem, data, size);
	return 0;
}
