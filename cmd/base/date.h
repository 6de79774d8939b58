#ifndef TOKENS_DATE_H
#define TOKENS_DATE_H

#include <stdint.h>

/*
 * Dates and times, all in UTC milliseconds since 1970 unless a name
 * says otherwise: the one ISO 8601 reader, the --since/--until reader
 * and the clock (which GIT_TOKENS_NOW sets).
 */
#define DATE_DAY_MS 86400000LL

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t day, int64_t *y, unsigned *m, unsigned *d);

/* ms as whole seconds or days, rounding down before 1970 too. */
int64_t date_sec(int64_t ms);
int64_t date_day(int64_t ms);

/*
 * ISO 8601, the whole of s (NULL is no date):
 * "YYYY-MM-DD[(T|t| )HH:MM[:SS[(.|,)fff]]][Z|z|(+|-)hh[[:]mm]]".
 * Digits past milliseconds are dropped. 0 or -1.
 */
int date_parse_iso(const char *s, int64_t *ms);
/*
 * The day number of the date part of an ISO 8601 date or time, in the
 * zone it is written in; what follows the date is not looked at.
 */
int date_parse_day(const char *s, int64_t *day);

/*
 * --since/--until: ISO 8601, "@<seconds>", "now", "today", "yesterday",
 * "<n> <unit>[s] ago" (also with dots: "2.weeks.ago"). *date_only is
 * set for a day without a time. 0 or -1.
 */
int date_approx(const char *s, int64_t now, int64_t *ms, int *date_only);

/* GIT_TOKENS_NOW's grammar: "<seconds>", "@<seconds>" or ISO 8601. */
int date_parse_now(const char *s, int64_t *ms);
/*
 * Now: GIT_TOKENS_NOW when set (a fixed clock for tests), else the
 * system clock. -1 after error() when GIT_TOKENS_NOW is not a date;
 * *ms is the system clock then.
 */
int date_now(int64_t *ms);

#endif
