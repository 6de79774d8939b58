/*
 * Shared by the libFuzzer targets t/fuzz/fuzz-*.c (built by run.sh with
 * -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION against the cmd/ sources).
 */
#ifndef TOKENS_FUZZ_H
#define TOKENS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/die.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A NUL-terminated copy of the input, for parsers of C strings. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * The same clock on every run (a fixed "now" keeps results
 * reproducible: sources reject times after now + 1 day), and no
 * warnings.
 */
static inline void fuzz_setup(void)
{
	setenv("GIT_TOKENS_NOW", "1767225600", 1); /* 2026-01-01 */
	setenv("TZ", "UTC", 1);
	quiet = 1;
}

#ifdef FUZZ_SOURCES
#include "base/json.h"
#include "engine/notes.h"
#include "sources/sources.h"

/*
 * What the rest of git-tokens does with parsed events must hold for
 * any input: sorted, they turn into note lines (record) that read back
 * as valid usage lines, as long as the sums stay within the 10^12 a
 * counter may hold.
 */
static inline void fuzz_check_events(struct usage_set *set)
{
	struct strvec lines = STRVEC_INIT;
	struct note note = { "", NULL, 0, 0, 0, 0 };
	uint64_t sum = 0;
	size_t i;

	usage_set_sort(set);
	for (i = 0; i < set->nr; i++) {
		const struct usage_event *ev = &set->ev[i];

		if (ev->time < SOURCE_TIME_MIN)
			BUG("event at %lld, before 2020",
			    (long long)ev->time);
		sum += ev->input + ev->output + ev->cache_write +
		       ev->cache_read;
	}
	notes_lines_from_events(&lines, set->ev, set->nr, NULL, ATTRIB_HOOK);
	for (i = 0; i < lines.nr; i++) {
		note_add_raw(&note, lines.v[i], strlen(lines.v[i]));
		if (note.bad && sum <= JSON_U64_MAX)
			BUG("note line does not read back: %s", lines.v[i]);
	}
	note_release(&note);
	strvec_clear(&lines);
}

typedef void fuzz_parse_fn(struct source_ctx *ctx, struct source_file *f,
			   const char *buf, size_t len);

/* Parse the input as the file path of source, and check the events. */
static inline void fuzz_source(const char *source, const char *path,
			       fuzz_parse_fn *fn, const uint8_t *data,
			       size_t size)
{
	struct usage_set out = USAGE_SET_INIT;
	struct source_ctx *ctx = source_mem_begin(source, &out);
	struct source_file *f = source_mem_file(ctx, path);

	fn(ctx, f, (const char *)data, size);
	source_mem_end(ctx);
	fuzz_check_events(&out);
	usage_set_release(&out);
}
#endif

#endif
