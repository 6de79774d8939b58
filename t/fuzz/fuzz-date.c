/*
 * Dates and times: --since/--until (usage_parse_date), log times
 * (source_parse_time), forge times and provider days.
 */
#include "fuzz.h"
#include "net/forge.h"
#include "net/provider.h"
#include "sources/sources.h"

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

	usage_parse_date(s, 1767225600000LL, &ms, &date_only);
	if (!source_parse_time(s, &t) &&
	    (usage_parse_date(s, 0, &ms, &date_only) || ms != t))
		BUG("'%s' reads as a log time but not as the same date", s);
	forge_parse_time(s, &t);
	if (!provider_parse_day(s, &day)) {
		provider_format_day(day, out);
		if (strncmp(out, s, 10))
			BUG("day '%.10s' formats as '%s'", s, out);
	}
	free(s);
	return 0;
}
