/* OpenCode: one storage/message/<session>/<id>.json file. */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("opencode", "/nonexistent/storage/message/ses_1/msg_1.json", source_opencode_parse_mem, data, size);
	return 0;
}
