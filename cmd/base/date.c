#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"

/* H. Hinnant's algorithms: exact for any year, no time zone involved. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void civil_from_days(int64_t day, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = day + 719468, era;
	unsigned doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

int64_t date_sec(int64_t ms)
{
	return floor_div(ms, 1000);
}

int64_t date_day(int64_t ms)
{
	return floor_div(ms, DATE_DAY_MS);
}

static int digits(const char **sp, int n, int *out)
{
	const char *s = *sp;
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	*out = v;
	return 0;
}

/* "YYYY-MM-DD", a day that exists: no February 30th becoming March 2nd. */
static int parse_ymd(const char **sp, int *y, int *mo, int *d)
{
	if (digits(sp, 4, y) || *(*sp)++ != '-' || digits(sp, 2, mo) ||
	    *(*sp)++ != '-' || digits(sp, 2, d))
		return -1;
	if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31)
		return -1;
	if (*d > 30 + ((*mo + (*mo > 7)) & 1) ||
	    (*mo == 2 && *d > 28 + (!(*y % 4) && (*y % 100 || !(*y % 400)))))
		return -1;
	return 0;
}

/* "HH:MM[:SS[(.|,)fff]]" as ms into the day. */
static int parse_clock(const char **sp, int64_t *ms)
{
	const char *s = *sp;
	int hh, mi, ss = 0, frac = 0, fd = 0;

	if (digits(&s, 2, &hh) || *s++ != ':' || digits(&s, 2, &mi))
		return -1;
	if (*s == ':') {
		s++;
		if (digits(&s, 2, &ss))
			return -1;
		if (*s == '.' || *s == ',') {
			for (s++; isdigit((unsigned char)*s); s++)
				if (fd < 3) {
					frac = frac * 10 + (*s - '0');
					fd++;
				}
			for (; fd < 3; fd++)
				frac *= 10;
		}
	}
	if (hh > 23 || mi > 59 || ss > 60)
		return -1;
	*ms = (hh * 3600 + mi * 60 + ss) * 1000LL + frac;
	*sp = s;
	return 0;
}

/*
 * "Z", "+hh", "+hhmm" or "+hh:mm" (or "-"): the offset east of UTC;
 * *zoned tells whether one was written.
 */
static int parse_zone(const char **sp, int64_t *off_ms, int *zoned)
{
	const char *s = *sp;
	int sign, oh, om = 0;

	*off_ms = 0;
	*zoned = 1;
	if (*s == 'Z' || *s == 'z') {
		*sp = s + 1;
		return 0;
	}
	*zoned = 0;
	if (*s != '+' && *s != '-')
		return 0;
	*zoned = 1;
	sign = *s++ == '-' ? -1 : 1;
	if (digits(&s, 2, &oh))
		return -1;
	if (*s == ':')
		s++;
	if (isdigit((unsigned char)*s) && digits(&s, 2, &om))
		return -1;
	*off_ms = sign * (oh * 3600 + om * 60) * 1000LL;
	*sp = s;
	return 0;
}

static int parse_iso_prefix(const char *s, int64_t *ms, int *date_only,
			    int *zoned, const char **endp)
{
	int y, mo, d;
	int64_t clock = 0, off;

	if (parse_ymd(&s, &y, &mo, &d))
		return -1;
	*date_only = 1;
	if ((*s == 'T' || *s == 't' || *s == ' ') &&
	    isdigit((unsigned char)s[1])) {
		s++;
		*date_only = 0;
		if (parse_clock(&s, &clock))
			return -1;
	}
	if (parse_zone(&s, &off, zoned))
		return -1;
	*ms = days_from_civil(y, (unsigned)mo, (unsigned)d) * DATE_DAY_MS +
	      clock - off;
	*endp = s;
	return 0;
}

int date_parse_iso(const char *s, int64_t *ms)
{
	int date_only, zoned;
	const char *end;

	if (!s || parse_iso_prefix(s, ms, &date_only, &zoned, &end) || *end)
		return -1;
	return 0;
}

int date_parse_day(const char *s, int64_t *day)
{
	int y, mo, d;

	if (!s || parse_ymd(&s, &y, &mo, &d))
		return -1;
	*day = days_from_civil(y, (unsigned)mo, (unsigned)d);
	return 0;
}

/* "<seconds>" as ms, when all of s is a number that fits. */
static int parse_epoch(const char *s, int64_t *ms)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (end == s || *end || v > INT64_MAX / 1000 || v < INT64_MIN / 1000)
		return -1;
	*ms = (int64_t)v * 1000;
	return 0;
}

static int64_t unit_ms(const char *u, size_t n)
{
	static const struct { const char *name; int64_t ms; } units[] = {
		{ "second", 1000 }, { "sec", 1000 }, { "s", 1000 },
		{ "minute", 60000 }, { "min", 60000 },
		{ "hour", 3600000 }, { "h", 3600000 },
		{ "day", DATE_DAY_MS }, { "d", DATE_DAY_MS },
		{ "week", 7 * DATE_DAY_MS }, { "w", 7 * DATE_DAY_MS },
		{ "month", 30 * DATE_DAY_MS },
		{ "year", 365 * DATE_DAY_MS }, { "y", 365 * DATE_DAY_MS },
	};
	size_t i;

	if (n > 1 && u[n - 1] == 's')
		n--;
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (strlen(units[i].name) == n && !strncmp(u, units[i].name, n))
			return units[i].ms;
	return 0;
}

/* "<n>.<unit>[s].ago", "<n> <unit>[s] ago", "<unit> ago" */
static int parse_ago(const char *s, int64_t now, int64_t *ms)
{
	char *e;
	long long n = 1;
	const char *u;
	size_t ulen;
	int64_t per;

	if (isdigit((unsigned char)*s)) {
		n = strtoll(s, &e, 10);
		s = e;
	}
	while (*s == '.' || *s == ' ' || *s == '_')
		s++;
	u = s;
	while (isalpha((unsigned char)*s))
		s++;
	ulen = (size_t)(s - u);
	while (*s == '.' || *s == ' ' || *s == '_')
		s++;
	if (strcmp(s, "ago") || !ulen || n < 0)
		return -1;
	per = unit_ms(u, ulen);
	/* More than 10000 years ago is no date. */
	if (!per || n > 10000 * 365 * DATE_DAY_MS / per)
		return -1;
	*ms = now - (int64_t)n * per;
	return 0;
}

/* "monday": the start of the last Monday, today if it is one. */
static int parse_weekday(const char *s, int64_t today, int64_t *ms)
{
	static const char *const names[] = {
		"sunday", "monday", "tuesday", "wednesday", "thursday",
		"friday", "saturday",
	};
	/* 1970-01-01 was a Thursday. */
	int64_t wday = ((date_day(today) + 4) % 7 + 7) % 7;
	int64_t i;

	for (i = 0; i < 7; i++)
		if (!strcmp(s, names[i])) {
			*ms = today - ((wday - i + 7) % 7) * DATE_DAY_MS;
			return 0;
		}
	return -1;
}

/*
 * date_approx() with now on a zone's wall clock; *absolute tells that
 * s named a real time ("@<seconds>", a zone) that the zone leaves alone.
 */
static int approx(const char *s, int64_t now, int64_t *ms, int *date_only,
		  int *absolute)
{
	const char *end;
	int64_t today = date_day(now) * DATE_DAY_MS;

	*date_only = 0;
	*absolute = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '@') {
		*absolute = 1;
		return parse_epoch(s + 1, ms);
	}
	if (!parse_iso_prefix(s, ms, date_only, absolute, &end) && !*end)
		return 0;
	*date_only = 0;
	*absolute = 0;
	if (!strcmp(s, "now")) {
		*ms = now;
		return 0;
	}
	if (!strcmp(s, "today") || !strcmp(s, "yesterday")) {
		*ms = today - (*s == 'y' ? DATE_DAY_MS : 0);
		*date_only = 1;
		return 0;
	}
	if (!parse_weekday(s, today, ms)) {
		*date_only = 1;
		return 0;
	}
	return parse_ago(s, now, ms);
}

int date_approx(const char *s, int64_t now, int64_t *ms, int *date_only)
{
	int absolute;

	return approx(s, now, ms, date_only, &absolute);
}

int date_parse_now(const char *s, int64_t *ms)
{
	if (*s == '@')
		return parse_epoch(s + 1, ms);
	if (!parse_epoch(s, ms))
		return 0;
	return date_parse_iso(s, ms);
}

int date_now(int64_t *ms)
{
	static int reported;
	const char *env = getenv("GIT_TOKENS_NOW");
	int set = env && *env;
	struct timespec ts;

	if (set && !date_parse_now(env, ms))
		return 0;
	if (set && !reported) {
		reported = 1;
		error("invalid GIT_TOKENS_NOW '%s' (expected seconds since "
		      "1970, @<seconds> or an ISO 8601 date)", env);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	*ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return set ? -1 : 0;
}

/*
 * The zone chosen by date_zone_set() (NULL: TZ as it was), and TZ as
 * the process started, for the local times logs were written in.
 */
static char *zone_chosen;
static char *zone_system;
static int zone_system_saved;

/* A name in the zone database, never a path out of it. */
static int zone_known(const char *zone)
{
	const char *dirs[] = {
		getenv("TZDIR"), "/usr/share/zoneinfo", "/usr/lib/zoneinfo",
		"/usr/share/lib/zoneinfo",
	};
	char path[4096];
	struct stat st;
	size_t i;

	if (!strcmp(zone, "UTC") || !strcmp(zone, "GMT"))
		return 1;
	if (!isalpha((unsigned char)*zone) || strstr(zone, ".."))
		return 0;
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (dirs[i] && *dirs[i] &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dirs[i],
				     zone) < sizeof(path) &&
		    !stat(path, &st) && S_ISREG(st.st_mode))
			return 1;
	return 0;
}

int date_zone_set(const char *zone)
{
	const char *tz = getenv("TZ");

	if (!zone_known(zone))
		return error("unknown time zone '%s' (expected an IANA name "
			     "such as America/New_York, or UTC)", zone);
	if (!zone_system_saved) {
		zone_system = tz ? xstrdup(tz) : NULL;
		zone_system_saved = 1;
	}
	free(zone_chosen);
	zone_chosen = xstrdup(zone);
	if (setenv("TZ", zone, 1))
		return error_errno("cannot set TZ");
	tzset();
	return 0;
}

const char *date_zone_name(void)
{
	static char link[4096];
	const char *tz = zone_chosen ? zone_chosen : getenv("TZ"), *p;
	ssize_t n;

	if (tz && *tz == ':')
		tz++;
	if (tz && !*tz)
		return "UTC";
	if (!tz) {
		n = readlink("/etc/localtime", link, sizeof(link) - 1);
		if (n <= 0)
			return access("/etc/localtime", F_OK) ? "UTC" :
				"localtime";
		link[n] = '\0';
		tz = link;
	}
	p = strstr(tz, "zoneinfo/");
	return p ? p + strlen("zoneinfo/") : tz;
}

/* The file the rules of the zone TZ names are read from, else NULL. */
static const char *zone_file(const char *tz, char *path, size_t len)
{
	const char *dirs[] = {
		getenv("TZDIR"), "/usr/share/zoneinfo", "/usr/lib/zoneinfo",
		"/usr/share/lib/zoneinfo",
	};
	size_t i;

	if (!tz)
		return "/etc/localtime";
	if (*tz == ':')
		tz++;
	if (*tz == '/')
		return tz;
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (dirs[i] && *dirs[i] &&
		    (size_t)snprintf(path, len, "%s/%s", dirs[i], tz) < len &&
		    !access(path, F_OK))
			return path;
	return NULL;
}

uint64_t date_zone_id(void)
{
	const char *tz = getenv("TZ"), *file;
	char path[4096];
	struct stat st;
	uint64_t v[5] = { 0 };

	file = zone_file(tz, path, sizeof(path));
	if (file && !stat(file, &st)) {
		v[0] = (uint64_t)st.st_dev;
		v[1] = (uint64_t)st.st_ino;
		v[2] = (uint64_t)st.st_size;
		v[3] = (uint64_t)st.st_mtim.tv_sec;
		v[4] = (uint64_t)st.st_mtim.tv_nsec;
	}
	return fnv1a(v, sizeof(v), fnv1a(tz ? tz : "", tz ? strlen(tz) + 1 : 0,
					 FNV1A_INIT));
}

static void zone_ready(void)
{
	tzset();
}

int date_tm(int64_t sec, struct tm *tm)
{
	static pthread_once_t ready = PTHREAD_ONCE_INIT;
	time_t t = (time_t)sec;

	pthread_once(&ready, zone_ready);
	if ((int64_t)t != sec || !localtime_r(&t, tm))
		return -1;
	return 0;
}

/* tm's wall clock (counted as if UTC) minus the real time: the offset. */
static int64_t tm_offset(const struct tm *tm, int64_t sec)
{
	return days_from_civil(tm->tm_year + 1900LL,
			       (unsigned)tm->tm_mon + 1,
			       (unsigned)tm->tm_mday) * 86400 +
		tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec - sec;
}

/* The zone's offset east of UTC at a time in ms, in ms. */
static int64_t offset_ms(int64_t ms)
{
	struct tm tm;
	int64_t sec = date_sec(ms);

	return date_tm(sec, &tm) < 0 ? 0 : tm_offset(&tm, sec) * 1000;
}

/*
 * A wall-clock time of the zone, in ms counted as if it were UTC, as a
 * real time: twice, so that a day where the offset changes lands right.
 */
static int64_t from_wall(int64_t wall)
{
	int64_t t = wall - offset_ms(wall);

	return wall - offset_ms(t);
}

int64_t date_local_day(int64_t ms)
{
	struct tm tm;

	if (date_tm(date_sec(ms), &tm) < 0)
		return date_day(ms);
	return days_from_civil(tm.tm_year + 1900LL, (unsigned)tm.tm_mon + 1,
			       (unsigned)tm.tm_mday);
}

int64_t date_day_start(int64_t day)
{
	return from_wall(day * DATE_DAY_MS);
}

void date_format(char buf[DATE_ISO_MAX], int64_t sec, int day_only)
{
	struct tm tm;
	int64_t off;
	int n;

	if (date_tm(sec, &tm) < 0) {
		strcpy(buf, "?");
		return;
	}
	n = snprintf(buf, DATE_ISO_MAX, "%04d-%02d-%02d", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday);
	if (day_only || n < 0 || n >= DATE_ISO_MAX - 16)
		return;
	n += snprintf(buf + n, DATE_ISO_MAX - n, "T%02d:%02d:%02d",
		      tm.tm_hour, tm.tm_min, tm.tm_sec);
	off = tm_offset(&tm, sec);
	if (!off)
		strcpy(buf + n, "Z");
	else
		snprintf(buf + n, DATE_ISO_MAX - n, "%c%02d:%02d",
			 off < 0 ? '-' : '+', (int)(llabs(off) / 3600),
			 (int)(llabs(off) % 3600 / 60));
}

int date_approx_local(const char *s, int64_t now, int64_t *ms,
		      int *date_only)
{
	int absolute;

	if (approx(s, now + offset_ms(now), ms, date_only, &absolute) < 0)
		return -1;
	if (!absolute)
		*ms = from_wall(*ms);
	return 0;
}

int date_zone_chosen(void)
{
	return !!zone_chosen;
}

/*
 * Swapping TZ is safe here: while a zone is chosen, the sources that
 * read local times are read alone, with no other thread running.
 */
time_t date_mktime_system(struct tm *tm)
{
	time_t t;

	if (!zone_chosen)
		return mktime(tm);
	if (zone_system)
		setenv("TZ", zone_system, 1);
	else
		unsetenv("TZ");
	tzset();
	t = mktime(tm);
	setenv("TZ", zone_chosen, 1);
	tzset();
	return t;
}
