#include "base/compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/die.h"
#include "base/paths.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/git-tokens"
#endif

static const char *argv0;

void tokens_set_argv0(const char *arg)
{
	argv0 = arg;
}

/* The folder of the running binary (symbolic links resolved), or NULL. */
static const char *tokens_exec_dir(void)
{
	static char *dir;
	static int done;
	char *exe, *slash;

	if (done)
		return dir;
	done = 1;
	exe = compat_exe_path(argv0);
	if (exe && (slash = strrchr(exe, '/'))) {
		*slash = '\0';
		dir = exe;
	} else {
		free(exe);
	}
	return dir;
}

int tokens_build_path(const char *rel, struct strbuf *out)
{
	const char *dir = tokens_exec_dir();
	struct stat st;

	if (!dir)
		return -1;
	strbuf_reset(out);
	strbuf_addf(out, "%s/%s", dir, rel);
	return stat(out->buf, &st) < 0 ? -1 : 0;
}

const char *tokens_datadir(void)
{
	static struct strbuf built = STRBUF_INIT;
	static int tried;
	const char *env = getenv("GIT_TOKENS_DATADIR");

	if (env && *env)
		return env;
	if (!tried++ && tokens_build_path("share/git-tokens", &built) < 0)
		strbuf_release(&built);
	return built.len ? built.buf : PKGDATADIR;
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

int tokens_user_cache_name(struct strbuf *out)
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
		return -1;
	return 0;
}

int tokens_user_cache_dir(struct strbuf *out)
{
	if (tokens_user_cache_name(out) < 0)
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

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int dir_list(const char *dir, struct strvec *out)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			strvec_push(out, de->d_name);
	closedir(d);
	return 0;
}

/*
 * Remove "<base>.tmp-<pid>" files in dir whose process is gone: what a
 * run killed between creating and renaming its temporary file left.
 * A live process (or one we may not signal) keeps its file.
 */
static void tmp_sweep(const char *dir, const char *base)
{
	size_t blen = strlen(base);
	struct strbuf path = STRBUF_INIT;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *p = de->d_name;
		char *end;
		long pid;

		if (strncmp(p, base, blen) || strncmp(p + blen, ".tmp-", 5))
			continue;
		p += blen + 5;
		if (*p < '1' || *p > '9')
			continue;
		pid = strtol(p, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, de->d_name);
		unlink(path.buf);
	}
	closedir(d);
	strbuf_release(&path);
}

int write_file_parts(const char *path, const struct write_part *parts,
		     size_t nr, mode_t mode, unsigned flags)
{
	struct strbuf tmp = STRBUF_INIT, dir = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	int fd = -1, ret = -1, err;
	size_t i;

	if (slash)
		strbuf_add(&dir, path, (size_t)(slash - path + (slash == path)));
	else
		strbuf_addch(&dir, '.');
	tmp_sweep(dir.buf, slash ? slash + 1 : path);

	strbuf_addf(&tmp, "%s.tmp-%ld", path, (long)getpid());
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		strbuf_reset(&tmp); /* nothing to remove */
		goto cleanup;
	}
	for (i = 0; i < nr; i++)
		if (write_all(fd, parts[i].buf, parts[i].len) < 0)
			goto cleanup;
	/* The umask must not take away the bits a hook needs. */
	if ((flags & WRITE_FILE_EXACT_MODE) && fchmod(fd, mode) < 0)
		goto cleanup;
	/* EINVAL: a file system that cannot sync (some FUSE ones). */
	if ((flags & WRITE_FILE_SYNC) && fsync(fd) < 0 && errno != EINVAL)
		goto cleanup;
	err = close(fd);
	fd = -1;
	if (err < 0 || rename(tmp.buf, path) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	if (ret < 0) {
		err = errno;
		if (fd >= 0)
			close(fd);
		if (tmp.len)
			unlink(tmp.buf);
		errno = err;
	}
	strbuf_release(&tmp);
	strbuf_release(&dir);
	return ret;
}

int write_file_atomic(const char *path, const void *buf, size_t len,
		      mode_t mode, unsigned flags)
{
	struct write_part part;

	part.buf = buf;
	part.len = len;
	return write_file_parts(path, &part, 1, mode, flags);
}

int write_file_strbuf(const char *path, const struct strbuf *sb, mode_t mode,
		      unsigned flags)
{
	if (write_file_atomic(path, sb->buf, sb->len, mode, flags) < 0)
		return error_errno("unable to write '%s'", path);
	return 0;
}
