/* Cline, Roo Code, Kilo Code: one tasks/<id>/ui_messages.json. */
#define FUZZ_SOURCES
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Roo Code: the whole-prompt rule runs too. */
	fuzz_source("roo-code", "/nonexistent/tasks/t1/ui_messages.json",
		    source_cline_parse_mem, data, size);
	return 0;
}
