/*
 * A tiny TAP producer for the C unit tests; prove and "make check" run
 * the programs directly. Use: plan(n) or nothing, ok(cond, fmt, ...),
 * is_int(got, want, name), is_str(got, want, name), and
 * "return done_testing();" at the end of main().
 */
#ifndef TOKENS_TAP_H
#define TOKENS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed, tap_planned = -1;

static inline void plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

__attribute__((format(printf, 2, 3)))
static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

static inline int is_int(intmax_t got, intmax_t want, const char *name)
{
	if (!ok(got == want, "%s", name))
		printf("#   got: %" PRIdMAX "\n#  want: %" PRIdMAX "\n", got,
		       want);
	return got == want;
}

static inline int is_str(const char *got, const char *want, const char *name)
{
	int same = got && want ? !strcmp(got, want) : got == want;

	if (!ok(same, "%s", name))
		printf("#   got: '%s'\n#  want: '%s'\n", got ? got : "(null)",
		       want ? want : "(null)");
	return same;
}

static inline int done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_run);
	else if (tap_planned != tap_run)
		printf("# planned %d tests but ran %d\n", tap_planned, tap_run);
	if (tap_failed)
		printf("# failed %d of %d tests\n", tap_failed, tap_run);
	return tap_failed || (tap_planned >= 0 && tap_planned != tap_run);
}

#endif
