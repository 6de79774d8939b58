#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "paths.h"
#include "usage.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/git-tokens"
#endif

const char *tokens_datadir(void)
{
	const char *env = getenv("GIT_TOKENS_DATADIR");

	return env && *env ? env : PKGDATADIR;
}

int mkdir_p(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	size_t i;
	int ret = 0;

	strbuf_addstr(&sb, path);
	/* Make each leading directory in turn, then the whole path. */
	for (i = 1; i <= sb.len && !ret; i++) {
		if (i < sb.len && sb.buf[i] != '/')
			continue;
		sb.buf[i] = '\0';
		if (mkdir(sb.buf, 0777) < 0 && errno != EEXIST)
			ret = -1;
		else if (stat(sb.buf, &st) < 0)
			ret = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			ret = -1;
		}
		if (i < sb.len)
			sb.buf[i] = '/';
	}
	strbuf_release(&sb);
	return ret;
}

int tokens_user_cache_dir(struct strbuf *out)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	strbuf_reset(out);
	/* The XDG spec says to ignore a relative value. */
	if (xdg && *xdg == '/')
		strbuf_addf(out, "%s/git-tokens/", xdg);
	else if (home && *home)
		strbuf_addf(out, "%s/.cache/git-tokens/", home);
	else
		return error("cannot find a cache directory: "
			     "neither XDG_CACHE_HOME nor HOME is set");
	if (mkdir_p(out->buf) < 0)
		return error_errno("cannot create '%s'", out->buf);
	return 0;
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int lock_file_take(const char *path, int wait_ms, struct strbuf *left)
{
	struct timespec pause = { 0, 5 * 1000 * 1000 };
	struct stat held, named;
	int64_t deadline = monotonic_ms() + wait_ms;
	char buf[4096];
	ssize_t n;
	int fd, r, err;

	for (;;) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		if (fd < 0)
			return error_errno("cannot open '%s'", path);
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			err = errno;
			close(fd);
			if (err != EWOULDBLOCK && err != EINTR) {
				errno = err;
				return error_errno("cannot lock '%s'", path);
			}
			if (monotonic_ms() >= deadline)
				return -2;
			nanosleep(&pause, NULL);
			continue;
		}
		/*
		 * Its last holder may have removed the file between our
		 * open() and flock(): then the lock is on a file nobody
		 * else will look at, and we start again.
		 */
		if (fstat(fd, &held) < 0) {
			close(fd);
			return error_errno("cannot stat '%s'", path);
		}
		r = stat(path, &named);
		if (!r && named.st_dev == held.st_dev &&
		    named.st_ino == held.st_ino)
			break;
		err = errno;
		close(fd);
		if (r < 0 && err != ENOENT) {
			errno = err;
			return error_errno("cannot stat '%s'", path);
		}
	}
	if (left) {
		strbuf_reset(left);
		/* A few bytes are ours; more is not worth reading. */
		while (left->len < 65536 &&
		       (n = read(fd, buf, sizeof(buf))) > 0)
			strbuf_add(left, buf, n);
	}
	return fd;
}

int lock_file_write(int fd, const char *text)
{
	size_t len = strlen(text);

	if (ftruncate(fd, 0) < 0 ||
	    pwrite(fd, text, len, 0) != (ssize_t)len)
		return -1;
	return 0;
}

void lock_file_release(const char *path, int fd)
{
	if (fd < 0)
		return;
	/* Removed while still held, so no one takes the file we drop. */
	unlink(path);
	close(fd);
}
