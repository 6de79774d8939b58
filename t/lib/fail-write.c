/*
 * An LD_PRELOAD shim for the fault tests: writes to files whose path
 * contains $FAIL_WRITE_PATH fail with ENOSPC once $FAIL_WRITE_AFTER
 * bytes (default 0) have gone to such files in this process; the write
 * that crosses the limit is cut short first, as on a disk that fills.
 * fsync() and fdatasync() of such files fail too once the limit is
 * reached, and always with FAIL_WRITE_FSYNC=1. Build it with
 *
 *	cc -shared -fPIC -o fail-write.so fail-write.c -ldl
 *
 * The path of a descriptor comes from /proc/self/fd, so it does not
 * matter how the file was opened (open, mkstemp, fopen, libgit2).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static unsigned long long written;

static int target(int fd)
{
	const char *pat = getenv("FAIL_WRITE_PATH");
	char link[64], path[4096];
	ssize_t n;

	if (!pat || !*pat || fd < 0)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	return strstr(path, pat) != NULL;
}

static unsigned long long limit(void)
{
	const char *s = getenv("FAIL_WRITE_AFTER");

	return s ? strtoull(s, NULL, 10) : 0;
}

/* How much of count may still be written; -1 with ENOSPC when none. */
static ssize_t allowance(int fd, size_t count)
{
	unsigned long long max;

	if (!target(fd))
		return (ssize_t)count;
	max = limit();
	if (written >= max) {
		errno = ENOSPC;
		return -1;
	}
	if (count > max - written)
		count = (size_t)(max - written);
	return (ssize_t)count;
}

ssize_t write(int fd, const void *buf, size_t count)
{
	static ssize_t (*real)(int, const void *, size_t);
	ssize_t ok = allowance(fd, count), r;

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))
			dlsym(RTLD_NEXT, "write");
	if (ok < 0)
		return -1;
	r = real(fd, buf, (size_t)ok);
	if (r > 0 && target(fd))
		written += (unsigned long long)r;
	return r;
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t off)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);
	ssize_t ok = allowance(fd, count), r;

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t, off_t))
			dlsym(RTLD_NEXT, "pwrite");
	if (ok < 0)
		return -1;
	r = real(fd, buf, (size_t)ok, off);
	if (r > 0 && target(fd))
		written += (unsigned long long)r;
	return r;
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t off)
{
	return pwrite(fd, buf, count, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	ssize_t total = 0, r;
	int i;

	for (i = 0; i < n; i++) {
		r = write(fd, iov[i].iov_base, iov[i].iov_len);
		if (r < 0)
			return total ? total : -1;
		total += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return total;
}

/* stdio writes through glibc's own write: catch them here. */
size_t fwrite(const void *ptr, size_t size, size_t nmemb, FILE *fp)
{
	static size_t (*real)(const void *, size_t, size_t, FILE *);
	size_t want = size * nmemb;
	ssize_t ok;

	if (!real)
		real = (size_t (*)(const void *, size_t, size_t, FILE *))
			dlsym(RTLD_NEXT, "fwrite");
	if (!size || !target(fileno(fp)))
		return real(ptr, size, nmemb, fp);
	ok = allowance(fileno(fp), want);
	if (ok < 0)
		return 0;
	written += (unsigned long long)ok;
	return real(ptr, 1, (size_t)ok, fp) / size;
}

static int sync_fails(int fd)
{
	const char *always = getenv("FAIL_WRITE_FSYNC");

	if (!target(fd))
		return 0;
	if ((always && !strcmp(always, "1")) || written >= limit()) {
		errno = ENOSPC;
		return 1;
	}
	return 0;
}

int fsync(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	return sync_fails(fd) ? -1 : real(fd);
}

int fdatasync(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	return sync_fails(fd) ? -1 : real(fd);
}

int fclose(FILE *fp)
{
	static int (*real)(FILE *);
	int bad;

	if (!real)
		real = (int (*)(FILE *))dlsym(RTLD_NEXT, "fclose");
	bad = target(fileno(fp)) && written >= limit() && limit() > 0;
	if (real(fp) < 0 || bad) {
		if (bad)
			errno = ENOSPC;
		return EOF;
	}
	return 0;
}
