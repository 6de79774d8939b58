/*
 * git-ai's authorship notes: every span read is a range of lines in
 * order, found again by ai_note_find(), and the agents' lines are the
 * sum of the agents' spans.
 */
#include "fuzz.h"
#include "model/ai-note.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

static void check(const struct ai_note *n)
{
	uint64_t sum = 0;
	size_t i, k;

	for (i = 0; i < n->nr; i++) {
		const struct ai_file *f = &n->f[i];

		if (f->added)
			BUG("a file left without its lines");
		for (k = 0; k < f->nr; k++) {
			const struct ai_span *s = &f->s[k];

			if (!s->from || s->to < s->from)
				BUG("span %u-%u", s->from, s->to);
			if (!ai_note_find(n, f->path, s->from))
				BUG("line %u of '%s' not found", s->from,
				    f->path);
			if (s->tool)
				sum += s->to - s->from + 1;
		}
	}
	if (sum != ai_note_agent_lines(n))
		BUG("agent lines do not add up");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ai_note n;
	size_t bad_line;

	if (ai_note_parse_gitai(&n, (const char *)data, size, &bad_line)) {
		if (n.nr || !bad_line)
			BUG("a malformed note kept files or named no line");
		return 0;
	}
	check(&n);
	ai_note_release(&n);
	return 0;
}
