#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/die.h"

int quiet;
static int report_fd = -1;

void report_redirect(int fd)
{
	report_fd = fd;
}

__attribute__((format(printf, 3, 0)))
static void vreport(const char *prefix, const char *err, const char *fmt,
		    va_list ap)
{
	char msg[4096], line[4200];
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (report_fd >= 0 && strcmp(prefix, "fatal: ")) {
		/* One write: threads' lines never mix. */
		n = snprintf(line, sizeof(line), "%s%s%s%s\n", prefix, msg,
			     err ? ": " : "", err ? err : "");
		if (n > (int)sizeof(line) - 1)
			n = (int)sizeof(line) - 1;
		if (write(report_fd, line, (size_t)n) == n)
			return;
	}
	/* Keep our message and the child's/stdout's apart on a terminal. */
	fflush(stdout);
	if (err)
		fprintf(stderr, "%s%s: %s\n", prefix, msg, err);
	else
		fprintf(stderr, "%s%s\n", prefix, msg);
	fflush(stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", NULL, fmt, ap);
	va_end(ap);
	exit(EXIT_FATAL);
}

void die_errno(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", err, fmt, ap);
	va_end(ap);
	exit(EXIT_FATAL);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int error_errno(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", err, fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vreport("warning: ", NULL, fmt, ap);
	va_end(ap);
}

void bug_fl(const char *file, int line, const char *fmt, ...)
{
	char prefix[256];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vreport(prefix, NULL, fmt, ap);
	va_end(ap);
	abort();
}

static void *check_alloc(void *p, size_t n)
{
	if (!p && n)
		die("out of memory, malloc failed (tried to allocate %zu bytes)",
		    n);
	return p;
}

void *xmalloc(size_t n)
{
	return check_alloc(malloc(n ? n : 1), n);
}

void *xcalloc(size_t nmemb, size_t size)
{
	if (size && nmemb > (size_t)-1 / size)
		die("out of memory, calloc overflow");
	return check_alloc(calloc(nmemb ? nmemb : 1, size ? size : 1),
			   nmemb * size);
}

void *xrealloc(void *p, size_t n)
{
	return check_alloc(realloc(p, n ? n : 1), n);
}

char *xstrdup(const char *s)
{
	return check_alloc(strdup(s), strlen(s) + 1);
}

char *xstrndup(const char *s, size_t n)
{
	return check_alloc(strndup(s, n), n + 1);
}

char *xstrfmt(const char *fmt, ...)
{
	va_list ap, cp;
	char *out;
	int len;

	va_start(ap, fmt);
	va_copy(cp, ap);
	len = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (len < 0)
		BUG("bad format '%s'", fmt);
	out = xmalloc((size_t)len + 1);
	vsnprintf(out, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return out;
}
