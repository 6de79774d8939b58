/* Unit tests for the date module: ISO 8601, --since, GIT_TOKENS_NOW. */
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "tap.h"

/* 2026-11-22T09:12:03Z */
#define T0 1795338723000LL

static int64_t iso(const char *s)
{
	int64_t ms;

	return date_parse_iso(s, &ms) ? -1 : ms;
}

static void test_iso_forms(void)
{
	is_int(iso("2026-11-22T09:12:03Z"), T0, "date, time and Z");
	is_int(iso("2026-11-22t09:12:03z"), T0, "lower-case t and z");
	is_int(iso("2026-11-22 09:12:03"), T0, "a space, no zone is UTC");
	is_int(iso("2026-11-22T09:12Z"), T0 - 3000, "no seconds");
	is_int(iso("2026-11-22"), T0 - (9 * 3600 + 12 * 60 + 3) * 1000LL,
	       "a date alone is its midnight");
	is_int(iso("1970-01-01T00:00:00Z"), 0, "the epoch");
	is_int(iso("1969-12-31T23:59:59Z"), -1000, "before 1970");
	is_int(iso("2024-02-29"), 19782 * DATE_DAY_MS, "a leap day");
	is_int(iso("2026-11-22T23:59:60Z"), T0 + (14 * 3600 + 47 * 60 + 57) *
	       1000LL, "a leap second");
}

static void test_iso_zones(void)
{
	is_int(iso("2026-11-22T10:12:03+01:00"), T0, "+hh:mm");
	is_int(iso("2026-11-22T10:12:03+0100"), T0, "+hhmm");
	is_int(iso("2026-11-22T10:12:03+01"), T0, "+hh");
	is_int(iso("2026-11-22T04:42:03-04:30"), T0, "-hh:mm");
	is_int(iso("2026-11-22Z"), iso("2026-11-22"), "a date with Z");
	is_int(iso("2026-11-22+01:00"), iso("2026-11-22") - 3600000,
	       "a date with an offset");
}

static void test_iso_fractions(void)
{
	is_int(iso("2026-11-22T09:12:03.467Z"), T0 + 467, "milliseconds");
	is_int(iso("2026-11-22T09:12:03,5Z"), T0 + 500, "a comma, one digit");
	is_int(iso("2026-11-22T09:12:03.123456789Z"), T0 + 123,
	       "digits past milliseconds are dropped");
	is_int(iso("2026-11-22T09:12:03.Z"), T0, "a dot and no digits");
	is_int(iso("2026-11-22T10:12:03.25+01:00"), T0 + 250,
	       "a fraction and an offset");
}

static void test_iso_invalid(void)
{
	static const char *bad[] = {
		"", "2026", "2026-11", "2026-1-22", "26-11-22", "2026/11/22",
		"2026-13-01", "2026-00-10", "2026-11-00", "2026-11-31",
		"2026-02-29", "1900-02-29", "2026-11-22T24:00:00Z",
		"2026-11-22T09:60Z", "2026-11-22T09:12:61Z", "2026-11-22T9:12",
		"2026-11-22T", "2026-11-22 ", "2026-11-22T09:12:03+1",
		"2026-11-22T09:12:03+01:0", "2026-11-22T09:12:03ZZ",
		"yesterday-ish", "1700000000", "@1700000000",
	};
	int64_t ms;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok(date_parse_iso(bad[i], &ms) < 0, "'%s' is no ISO date",
		   bad[i]);
	ok(date_parse_iso(NULL, &ms) < 0, "NULL is no date");
}

static void test_days(void)
{
	static const struct { int y; unsigned m, d; int64_t day; } known[] = {
		{ 1970, 1, 1, 0 }, { 1969, 12, 31, -1 }, { 2000, 2, 29, 11016 },
		{ 2000, 3, 1, 11017 }, { 1600, 1, 1, -135140 },
		{ 2026, 11, 22, 20779 }, { 9999, 12, 31, 2932896 },
	};
	int64_t day, y;
	unsigned m, d;
	int bad = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known); i++) {
		is_int(days_from_civil(known[i].y, known[i].m, known[i].d),
		       known[i].day, "days_from_civil of a known day");
		civil_from_days(known[i].day, &y, &m, &d);
		ok(y == known[i].y && m == known[i].m && d == known[i].d,
		   "civil_from_days(%lld) is %d-%02u-%02u",
		   (long long)known[i].day, known[i].y, known[i].m,
		   known[i].d);
	}
	for (day = -800000; day <= 800000; day += 7) {
		civil_from_days(day, &y, &m, &d);
		if (days_from_civil(y, m, d) != day || m < 1 || m > 12 ||
		    d < 1 || d > 31)
			bad++;
	}
	is_int(bad, 0, "days round trip from -800000 to 800000");
	ok(!date_parse_day("2026-11-22T23:30:00-05:00", &day) &&
	   day == 20779, "date_parse_day keeps the written date");
	ok(!date_parse_day("2026-11-22 and more", &day) && day == 20779,
	   "date_parse_day looks no further than the date");
	ok(date_parse_day("2026-02-30", &day) < 0, "no February 30th");
	is_int(date_day(-1), -1, "date_day rounds down before 1970");
	is_int(date_sec(-1), -1, "date_sec rounds down before 1970");
	is_int(date_sec(1999), 1, "date_sec drops the milliseconds");
}

static void test_approx(void)
{
	int64_t now = T0, ms;
	int date_only;

	ok(!date_approx("2026-11-22", now, &ms, &date_only) &&
	   ms == iso("2026-11-22") && date_only, "an ISO date is date only");
	ok(!date_approx("  2026-11-22T09:12:03Z", now, &ms, &date_only) &&
	   ms == T0 && !date_only, "an ISO time, after blanks");
	ok(!date_approx("@1700000000", now, &ms, &date_only) &&
	   ms == 1700000000000LL, "@<seconds>");
	ok(!date_approx("now", now, &ms, &date_only) && ms == now, "now");
	ok(!date_approx("today", now, &ms, &date_only) &&
	   ms == iso("2026-11-22") && date_only, "today");
	ok(!date_approx("yesterday", now, &ms, &date_only) &&
	   ms == iso("2026-11-21") && date_only, "yesterday");
	ok(!date_approx("2.weeks.ago", now, &ms, &date_only) &&
	   ms == now - 14 * DATE_DAY_MS, "2.weeks.ago");
	ok(!date_approx("3 days ago", now, &ms, &date_only) &&
	   ms == now - 3 * DATE_DAY_MS, "3 days ago");
	ok(!date_approx("hour ago", now, &ms, &date_only) &&
	   ms == now - 3600000, "hour ago");
	ok(date_approx("3 fortnights ago", now, &ms, &date_only) < 0,
	   "an unknown unit");
	ok(date_approx("99999999 years ago", now, &ms, &date_only) < 0,
	   "more than 10000 years ago");
	ok(date_approx("@", now, &ms, &date_only) < 0, "@ alone");
	ok(date_approx("soon", now, &ms, &date_only) < 0, "soon");
	ok(!date_approx("sunday", now, &ms, &date_only) &&
	   ms == iso("2026-11-22") && date_only, "a weekday: today's");
	ok(!date_approx("monday", now, &ms, &date_only) &&
	   ms == iso("2026-11-16") && date_only, "a weekday: the last one");
	ok(!date_approx("saturday", now, &ms, &date_only) &&
	   ms == iso("2026-11-21") && date_only, "a weekday: yesterday");
}

static void test_now(void)
{
	int64_t ms;

	ok(!date_parse_now("1700000000", &ms) && ms == 1700000000000LL,
	   "GIT_TOKENS_NOW: seconds");
	ok(!date_parse_now("@1700000000", &ms) && ms == 1700000000000LL,
	   "GIT_TOKENS_NOW: @seconds");
	ok(!date_parse_now("2023-11-14T22:13:20Z", &ms) &&
	   ms == 1700000000000LL, "GIT_TOKENS_NOW: ISO 8601");
	ok(!date_parse_now("2026-11-22T10:00:00+01:00", &ms) &&
	   ms == iso("2026-11-22T09:00:00Z"), "GIT_TOKENS_NOW: an offset");
	ok(date_parse_now("yesterday-ish", &ms) < 0,
	   "GIT_TOKENS_NOW: no words");
	ok(date_parse_now("@17e8", &ms) < 0, "GIT_TOKENS_NOW: @ and junk");
	ok(date_parse_now("99999999999999999999", &ms) < 0,
	   "GIT_TOKENS_NOW: too far");

	setenv("GIT_TOKENS_NOW", "@1700000000", 1);
	ok(!date_now(&ms) && ms == 1700000000000LL, "date_now reads it");
	setenv("GIT_TOKENS_NOW", "", 1);
	ok(!date_now(&ms) && ms > 1700000000000LL,
	   "an empty GIT_TOKENS_NOW is the clock");
	unsetenv("GIT_TOKENS_NOW");
	ok(!date_now(&ms) && ms > 1700000000000LL, "unset, the clock");
	setenv("GIT_TOKENS_NOW", "yesterday-ish", 1);
	ok(date_now(&ms) < 0 && ms > 1700000000000LL,
	   "an invalid value fails, with the clock");
	unsetenv("GIT_TOKENS_NOW");
}

static void test_zones(void)
{
	/* 2026-12-07T04:30:00Z: 23:30 on the 6th in New York. */
	int64_t t = iso("2026-12-07T04:30:00Z") / 1000, ms;
	char buf[DATE_ISO_MAX];
	int date_only;

	ok(date_zone_set("America/New_Yrok") < 0, "an unknown zone fails");
	ok(date_zone_set("../etc/passwd") < 0, "a path is no zone");
	ok(!date_zone_set("UTC"), "UTC is always known");
	is_str(date_zone_name(), "UTC", "its name");
	date_format(buf, t, 0);
	is_str(buf, "2026-12-07T04:30:00Z", "UTC prints Z");
	is_int(date_local_day(t * 1000), 20794, "the UTC day: the 7th");

	if (date_zone_set("America/New_York") < 0) {
		ok(1, "# skip no America/New_York in the zone database");
		return;
	}
	is_str(date_zone_name(), "America/New_York", "the zone's name");
	date_format(buf, t, 0);
	is_str(buf, "2026-12-06T23:30:00-05:00", "New York: the offset");
	date_format(buf, t, 1);
	is_str(buf, "2026-12-06", "New York: the day alone");
	is_int(date_local_day(t * 1000), 20793, "the local day: the 6th");
	date_format(buf, iso("2026-07-01T12:00:00Z") / 1000, 0);
	is_str(buf, "2026-07-01T08:00:00-04:00", "summer time");
	is_int(date_day_start(20793), iso("2026-12-06T05:00:00Z"),
	       "the day starts at local midnight");
	/* 2026-03-08 is 23 hours long in New York. */
	is_int(date_day_start(days_from_civil(2026, 3, 9)),
	       iso("2026-03-09T04:00:00Z"), "after the spring change");
	ok(!date_approx_local("2026-12-06", T0, &ms, &date_only) &&
	   date_only && ms == iso("2026-12-06T05:00:00Z"),
	   "a day alone is the zone's midnight");
	ok(!date_approx_local("2026-12-06T23:30:00Z", T0, &ms,
			      &date_only) &&
	   ms == iso("2026-12-06T23:30:00Z"), "a written zone is kept");
	ok(!date_approx_local("today", iso("2026-12-07T04:30:00Z"), &ms,
			      &date_only) &&
	   ms == iso("2026-12-06T05:00:00Z"), "today is the zone's");
	ok(!date_approx_local("@1700000000", T0, &ms, &date_only) &&
	   ms == 1700000000000LL, "@seconds is a real time");
}

int main(void)
{
	test_iso_forms();
	test_iso_zones();
	test_iso_fractions();
	test_iso_invalid();
	test_days();
	test_approx();
	test_now();
	test_zones();
	return done_testing();
}
