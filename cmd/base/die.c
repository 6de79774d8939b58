#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/die.h"

int quiet;
static int report_fd = -1;
static __thread struct report_held {
	char *buf;
	size_t len, alloc;
} *held;

void report_redirect(int fd)
{
	report_fd = fd;
}

void report_hold(int on)
{
	if (on && !held) {
		held = xcalloc(1, sizeof(*held));
	} else if (!on && held) {
		free(held->buf);
		free(held);
		held = NULL;
	}
}

char *report_held(void)
{
	char *s = NULL;

	if (held && held->len) {
		s = held->buf;
		held->buf = NULL;
		held->len = held->alloc = 0;
	}
	return s;
}

/* line, prefix included, where this thread's reports go now */
static void report_line(const char *line, size_t n)
{
	if (held) {
		ALLOC_GROW(held->buf, held->len + n + 1, held->alloc);
		memcpy(held->buf + held->len, line, n);
		held->len += n;
		held->buf[held->len] = '\0';
		return;
	}
	/* One write: threads' lines never mix. */
	if (report_fd >= 0 && write(report_fd, line, n) == (ssize_t)n)
		return;
	/* Keep our message and the child's/stdout's apart on a terminal. */
	fflush(stdout);
	fwrite(line, 1, n, stderr);
	fflush(stderr);
}

void report_release(const char *lines)
{
	if (lines)
		report_line(lines, strlen(lines));
}

__attribute__((format(printf, 3, 0)))
static void vreport(const char *prefix, const char *err, const char *fmt,
		    va_list ap)
{
	char msg[4096], line[4200];
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = snprintf(line, sizeof(line), "%s%s%s%s\n", prefix, msg,
		     err ? ": " : "", err ? err : "");
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	/* A fatal error is said at once, whatever is held. */
	if (!strcmp(prefix, "fatal: ")) {
		fflush(stdout);
		fwrite(line, 1, (size_t)n, stderr);
		fflush(stderr);
		return;
	}
	report_line(line, (size_t)n);
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

void *xrealloc_huge(void *p, size_t keep, size_t bytes, size_t *got)
{
	void *q;

	*got = bytes;
	if (bytes < (1 << 20))
		return xrealloc(p, bytes);
	bytes = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (posix_memalign(&q, HUGE_PAGE, bytes))
		return xrealloc(p, *got);
#ifdef MADV_HUGEPAGE
	madvise(q, bytes, MADV_HUGEPAGE);
#endif
	if (keep)
		memcpy(q, p, keep);
	free(p);
	*got = bytes;
	return q;
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
