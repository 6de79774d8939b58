/*
 * Agent Trace records: every range read is a range of lines in order,
 * of a 40-digit revision and a named file, and the records skipped
 * name a line of the input.
 */
#include <string.h>

#include "fuzz.h"
#include "model/ai-note.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ai_trace t;
	size_t i, lines = 1;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	ai_trace_parse(&t, (const char *)data, size);
	for (i = 0; i < t.nr; i++) {
		const struct ai_trace_range *r = &t.r[i];

		if (!r->from || r->to < r->from)
			BUG("range %u-%u", r->from, r->to);
		if (strlen(r->rev) != 40 || !*r->path)
			BUG("a range of no revision or file");
		if (!r->record || r->record > lines)
			BUG("record line %zu of %zu", r->record, lines);
	}
	if (t.bad && (!t.bad_line || t.bad_line > lines))
		BUG("a skipped record named line %zu", t.bad_line);
	ai_trace_release(&t);
	return 0;
}
