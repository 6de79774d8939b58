/*
 * Dates and times: --since/--until (date_approx), log times
 * (date_parse_iso), GIT_TOKENS_NOW and provider days.
 */
#include "fuzz.h"
#include "base/date.h"
#include "net/provider.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	int64_t ms, t, day;
	int date_only;
	char out[11];

	date_approx(s, 1767225600000LL, &ms, &date_only);
	if (!date_parse_iso(s, &t) &&
	    (date_approx(s, 0, &ms, &date_only) || ms != t))
		BUG("'%s' reads as a log time but not as the same date", s);
	if (!date_parse_iso(s, &t) && (date_parse_now(s, &ms) || ms != t))
		BUG("'%s' reads as a time but not as the same now", s);
	if (!provider_parse_day(s, &day)) {
		provider_format_day(day, out);
		if (strncmp(out, s, 10))
			BUG("day '%.10s' formats as '%s'", s, out);
	}
	free(s);
	return 0;
}
