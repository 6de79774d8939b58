/*
 * Usage notes: the line parser. A parsed note written out and read
 * again must come back the same (notes are rewritten on every append:
 * a note keeps every line, valid or not).
 */
#include "fuzz.h"
#include "engine/notes.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct note a, b;
	struct strbuf t1 = STRBUF_INIT, t2 = STRBUF_INIT;
	struct usage_sum sum;
	size_t i;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&sum, 0, sizeof(sum));
	note_parse(&a, (const char *)data, size);
	note_usage(&a, &sum);
	note_format(&a, &t1);
	note_parse(&b, t1.buf, t1.len);
	note_format(&b, &t2);
	if (a.nr != b.nr || a.bad != b.bad || strcmp(t1.buf, t2.buf))
		BUG("a note does not survive a rewrite (%zu/%zu lines)",
		    a.nr, b.nr);
	for (i = 0; i < a.nr; i++)
		if (a.lines[i].valid != b.lines[i].valid)
			BUG("line %zu changed validity", i + 1);
	/* Adding what is there adds nothing. */
	for (i = 0; i < a.nr; i++)
		if (note_add_raw(&b, a.lines[i].raw, strlen(a.lines[i].raw)))
			BUG("line %zu added twice", i + 1);
	note_release(&a);
	note_release(&b);
	strbuf_release(&t1);
	strbuf_release(&t2);
	return 0;
}
