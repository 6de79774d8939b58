/* GitHub Copilot CLI: one OpenTelemetry file export (JSON Lines). */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_source("copilot-cli", "/nonexistent/.copilot/otel/copilot.jsonl",
		    source_copilot_parse_mem, data, size);
	return 0;
}
