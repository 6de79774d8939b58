/*
 * Cursor: the stop hook's payload (as the hook turns it into a log
 * line), the hook log as the "cursor" source reads it, the dashboard
 * usage CSV, and an admin API answer: the whole input through each.
 */
#define FUZZ_SOURCES
#include "fuzz.h"
#include "base/date.h"
#include "model/event.h"
#include "net/provider.h"
#include "sources/cursor.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum provider_answer what = PROVIDER_ANSWER_CURSOR;
	const char *body = (const char *)data;
	struct usage_set out = USAGE_SET_INIT;
	uint64_t bad, line;
	const char *why;
	int64_t now;
	size_t i;

	date_now(&now);
	/* The hook's line goes nowhere: only its parsing is fuzzed. */
	cursor_log_append("/dev/null", body, size, now);
	fuzz_source("cursor", "/nonexistent/cursor-usage.jsonl",
		    source_cursor_parse_mem, data, size);

	if (!cursor_csv_parse(body, size, "a@example.com", now, &out, &bad,
			      &line, &why) && bad && !why)
		BUG("a bad CSV row without a reason");
	fuzz_check_events(&out);
	usage_set_release(&out);

	provider_answer_parse(TOOL_CURSOR, &what, &body, &size, 1, &out);
	for (i = 0; i < out.nr; i++)
		if (out.ev[i].tool != TOOL_CURSOR)
			BUG("event of another tool");
	usage_set_release(&out);
	return 0;
}
