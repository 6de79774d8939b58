/*
 * git tokens import: the JSON Lines event parser, on the whole input
 * as one line and through the imported file's line scanner.
 */
#define FUZZ_SOURCES
#include "fuzz.h"
#include "base/date.h"
#include "sources/import.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct usage_event ev;
	const char *why = NULL;
	int64_t now;

	date_now(&now);
	if (import_parse_line(&ev, (const char *)data, size, NULL,
			      now, &why) && !why)
		BUG("import_parse_line failed without a reason");
	fuzz_source("import", "/nonexistent/tokens/imported.jsonl",
		    source_import_parse_mem, data, size);
	return 0;
}
