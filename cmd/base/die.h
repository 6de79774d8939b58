#ifndef TOKENS_DIE_H
#define TOKENS_DIE_H

#include <stddef.h>

/* Exit codes, as git and libgit2's CLI use them. */
#define EXIT_POLICY 1   /* a policy check failed, or nothing matched */
#define EXIT_FATAL 128
#define EXIT_USAGE 129

/* "fatal: ..." on stderr, exit 128. Only main() and cmd_*() call it. */
__attribute__((format(printf, 1, 2), noreturn))
void die(const char *fmt, ...);
/* The same with ": strerror(errno)" appended. */
__attribute__((format(printf, 1, 2), noreturn))
void die_errno(const char *fmt, ...);
/* "error: ..." on stderr; returns -1 so that "return error(...)" works. */
__attribute__((format(printf, 1, 2)))
int error(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
int error_errno(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void warning(const char *fmt, ...);
/* A broken invariant: "BUG: file:line: ..." and abort(). */
__attribute__((format(printf, 3, 4), noreturn))
void bug_fl(const char *file, int line, const char *fmt, ...);
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)

/* -q: warnings are suppressed, errors are not. */
extern int quiet;
/*
 * error() and warning() write their line to fd instead of stderr (-1:
 * stderr again); die() always goes to stderr. For stderr_capture_start()
 * in run-command.h.
 */
void report_redirect(int fd);
/*
 * With on, this thread's error() and warning() lines are held, not
 * written; report_held() takes them (NULL if none; free() it) and
 * report_release() writes them where they would have gone. Off drops
 * what is still held. For work done on threads whose messages must come
 * out in a set order.
 */
void report_hold(int on);
char *report_held(void);
void report_release(const char *lines);

/* Allocation that dies on failure, as git's x* helpers. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/*
 * Room for bytes at p, its first keep bytes kept: from 1 MiB on in
 * whole huge pages where the kernel has them, as a fresh 4 KiB page
 * costs a fault (on a VM more than copying the block over). *got: the
 * room there is.
 */
#define HUGE_PAGE ((size_t)2 << 20)
void *xrealloc_huge(void *p, size_t keep, size_t bytes, size_t *got);
__attribute__((format(printf, 1, 2)))
char *xstrfmt(const char *fmt, ...);

/* Grow an array to hold at least nr elements (git's ALLOC_GROW). */
#define ALLOC_GROW(x, nr, alloc) \
	do { \
		if ((nr) > (alloc)) { \
			(alloc) = ((alloc) + 16) * 3 / 2 > (nr) ? \
				((alloc) + 16) * 3 / 2 : (nr); \
			(x) = xrealloc((x), (alloc) * sizeof(*(x))); \
		} \
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
