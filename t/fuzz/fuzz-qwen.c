/* Qwen Code: one chat file. */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("qwen-code", "/nonexistent/.qwen/projects/-w-proj/chats/s1.jsonl", source_qwen_parse_mem, data, size);
	return 0;
}
