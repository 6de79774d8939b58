#ifndef TOKENS_DATE_H
#define TOKENS_DATE_H

#include <stdint.h>
#include <time.h>

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
 * a weekday ("monday": the last one, today if it is one), "<n>
 * <unit>[s] ago" (also with dots: "2.weeks.ago"). *date_only is set for
 * a day without a time. 0 or -1.
 */
int date_approx(const char *s, int64_t now, int64_t *ms, int *date_only);

/*
 * As date_approx(), in the zone of date_zone_set(): a date or time
 * written without a zone, "today" and "yesterday" are that zone's, as
 * git reads them. *ms is a real time (UTC ms) all the same.
 */
int date_approx_local(const char *s, int64_t now, int64_t *ms,
		      int *date_only);

/* GIT_TOKENS_NOW's grammar: "<seconds>", "@<seconds>" or ISO 8601. */
int date_parse_now(const char *s, int64_t *ms);
/*
 * Now: GIT_TOKENS_NOW when set (a fixed clock for tests), else the
 * system clock. -1 after error() when GIT_TOKENS_NOW is not a date;
 * *ms is the system clock then.
 */
int date_now(int64_t *ms);

/*
 * The time zone that days, weeks and months are counted in and times
 * are printed in. By default the local one (TZ, as git shows dates);
 * date_zone_set() picks another: an IANA name ("America/New_York") or
 * "UTC". It sets TZ, so the git commands run afterwards read and show
 * dates in that zone too. 0, or -1 after error() for a zone this system
 * does not know.
 */
int date_zone_set(const char *zone);
/* The zone's name: the one set, else TZ, else /etc/localtime's. */
const char *date_zone_name(void);
/*
 * The zone's identity for caches of days: TZ, and the identity and time
 * of the file its rules come from (a new tzdata is a new zone).
 */
uint64_t date_zone_id(void);

/* Seconds since 1970 as the zone's calendar and clock. 0 or -1. */
int date_tm(int64_t sec, struct tm *tm);
/* The zone's day (days since 1970-01-01) of a time in ms. */
int64_t date_local_day(int64_t ms);
/* When the zone's day begins, in ms. */
int64_t date_day_start(int64_t day);
/*
 * A time as the zone writes it, "YYYY-MM-DDTHH:MM:SS" and its offset,
 * "-05:00" ("Z" at offset zero), or its day alone, "YYYY-MM-DD" when
 * day_only; "?" when the time cannot be shown.
 */
#define DATE_ISO_MAX 40
void date_format(char buf[DATE_ISO_MAX], int64_t sec, int day_only);
/*
 * mktime() in the zone the process started in: the zone local times in
 * logs (aider's) were written in, whatever date_zone_set() chose. When
 * one was chosen (date_zone_chosen()), it sets TZ for the while: no
 * other thread may run then.
 */
int date_zone_chosen(void);
time_t date_mktime_system(struct tm *tm);

#endif
