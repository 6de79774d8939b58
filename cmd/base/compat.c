#include "base/compat.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#if defined(__linux__)
#include <sys/vfs.h>
#endif
#include <unistd.h>
#if HAVE_DECL__NSGETEXECUTABLEPATH
#include <mach-o/dyld.h>
#endif
#if HAVE_DECL_KERN_PROC_PATHNAME
#include <sys/sysctl.h>
#endif

#include "base/die.h"
#include "base/run-command.h"
#include "base/strbuf.h"
#include "base/strvec.h"

#if HAVE_PROCFS && !defined(COMPAT_FALLBACKS)
#define USE_PROCFS 1
#else
#define USE_PROCFS 0
#endif

void *compat_memmem(const void *hay, size_t hay_len, const void *needle,
		    size_t needle_len)
{
	const char *h = hay, *end;

	if (!needle_len)
		return (void *)h;
	if (hay_len < needle_len)
		return NULL;
	end = h + hay_len - needle_len;
	for (; (h = memchr(h, *(const char *)needle, end - h + 1)); h++)
		if (!memcmp(h, needle, needle_len))
			return (void *)h;
	return NULL;
}

char *compat_strchrnul(const char *s, int c)
{
	while (*s && *s != (char)c)
		s++;
	return (char *)s;
}

char *compat_strcasestr(const char *hay, const char *needle)
{
	size_t i, n = strlen(needle);

	for (; *hay; hay++) {
		for (i = 0; i < n && hay[i]; i++)
			if (tolower((unsigned char)hay[i]) !=
			    tolower((unsigned char)needle[i]))
				break;
		if (i == n)
			return (char *)hay;
	}
	return n ? NULL : (char *)hay;
}

#if !defined(FNM_CASEFOLD) || defined(COMPAT_FALLBACKS)
/* A copy of s, lower case (ASCII): what FNM_CASEFOLD compares. */
static char *lower_dup(const char *s)
{
	char *l = xstrdup(s), *p;

	for (p = l; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return l;
}
#endif

int compat_fnmatch_icase(const char *pat, const char *s)
{
#if defined(FNM_CASEFOLD) && !defined(COMPAT_FALLBACKS)
	return fnmatch(pat, s, FNM_CASEFOLD);
#else
	char *lp = lower_dup(pat), *ls = lower_dup(s);
	int ret = fnmatch(lp, ls, 0);

	free(lp);
	free(ls);
	return ret;
#endif
}

int compat_remove_tree(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	struct dirent *de;
	DIR *d;
	size_t len;
	int ret = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	if (!(d = opendir(path)))
		return -1;
	strbuf_addf(&sb, "%s/", path);
	len = sb.len;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_setlen(&sb, len);
		strbuf_addstr(&sb, de->d_name);
		if (compat_remove_tree(sb.buf) < 0)
			ret = -1;
	}
	closedir(d);
	strbuf_release(&sb);
	return rmdir(path) < 0 ? -1 : ret;
}

int compat_pipe_size(int fd, int size)
{
#if HAVE_DECL_F_SETPIPE_SZ && !defined(COMPAT_FALLBACKS)
	return fcntl(fd, F_SETPIPE_SZ, size) < 0 ? -1 : 0;
#else
	(void)fd;
	(void)size;
	return -1;
#endif
}

/* What the system says the running binary is, or NULL. */
static char *exe_path_from_system(void)
{
#if USE_PROCFS
	return realpath("/proc/self/exe", NULL);
#elif HAVE_DECL__NSGETEXECUTABLEPATH && !defined(COMPAT_FALLBACKS)
	char buf[PATH_MAX];
	uint32_t size = sizeof(buf);

	return _NSGetExecutablePath(buf, &size) ? NULL : realpath(buf, NULL);
#elif HAVE_DECL_KERN_PROC_PATHNAME && defined(__FreeBSD__) && \
	!defined(COMPAT_FALLBACKS)
	int mib[4] = { CTL_KERN, KERN_PROC, KERN_PROC_PATHNAME, -1 };
	char buf[PATH_MAX];
	size_t size = sizeof(buf);

	return sysctl(mib, 4, buf, &size, NULL, 0) ? NULL : realpath(buf, NULL);
#else
	return NULL;
#endif
}

char *compat_exe_path(const char *argv0)
{
	const char *path = getenv("PATH"), *p, *end;
	char *found = exe_path_from_system();

	if (found || !argv0 || !*argv0)
		return found;
	if (strchr(argv0, '/'))
		return realpath(argv0, NULL);
	for (p = path; p && *p && !found; p = *end ? end + 1 : end) {
		char *cand;

		end = compat_strchrnul(p, ':');
		cand = xstrfmt("%.*s/%s", (int)(end - p), end > p ? p : ".",
			       argv0);
		if (!access(cand, X_OK))
			found = realpath(cand, NULL);
		free(cand);
	}
	return found;
}

/* What "ps -o <field>= -p <pid>" prints, into out. 0, or -1. */
static int ps_field(pid_t pid, const char *field, struct strbuf *out)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	int ret;

	strvec_push(&cp.args, "ps");
	strvec_pushf(&cp.args, "-o%s=", field);
	strvec_pushf(&cp.args, "-p%ld", (long)pid);
	cp.no_stderr = 1;
	ret = capture_command(&cp, out) ? -1 : 0;
	child_process_clear(&cp);
	strbuf_trim(out);
	return ret;
}

/* /proc/<pid>/<name> into out: its length, or -1. */
static long read_proc(pid_t pid, const char *name, struct strbuf *out)
{
	char *path;
	long n;

	if (!USE_PROCFS)
		return -1;
	path = xstrfmt("/proc/%ld/%s", (long)pid, name);
	n = strbuf_read_file(out, path, 512);
	free(path);
	return n;
}

pid_t compat_parent_pid(pid_t pid)
{
	struct strbuf sb = STRBUF_INIT;
	char *p;
	long ppid = 0;

	/* "pid (comm) state ppid ...": comm may hold anything but ')'. */
	if (read_proc(pid, "stat", &sb) > 0) {
		if (!(p = strrchr(sb.buf, ')')) ||
		    sscanf(p + 1, " %*c %ld", &ppid) != 1)
			ppid = 0;
	} else if (!ps_field(pid, "ppid", &sb)) {
		ppid = strtol(sb.buf, NULL, 10);
	}
	strbuf_release(&sb);
	return (pid_t)ppid;
}

int compat_process_args(pid_t pid, struct strvec *out)
{
	struct strbuf sb = STRBUF_INIT;
	char **words = NULL, *arg, *end;
	size_t n, i;
	int ret = 0;

	if (read_proc(pid, "cmdline", &sb) > 0) {
		end = sb.buf + sb.len;
		for (arg = sb.buf; arg < end; arg += strlen(arg) + 1)
			strvec_push(out, arg);
	} else if (!ps_field(pid, "args", &sb)) {
		n = strbuf_split_inplace(sb.buf, ' ', &words);
		for (i = 0; i < n; i++)
			if (*words[i])
				strvec_push(out, words[i]);
	} else {
		ret = -1;
	}
	free(words);
	strbuf_release(&sb);
	return ret;
}

long compat_peak_rss_kb(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct rusage ru;
	const char *hwm;
	long kb = -1;

	if (read_proc(getpid(), "status", &sb) > 0 &&
	    (hwm = strstr(sb.buf, "VmHWM:")))
		kb = strtol(hwm + 6, NULL, 10);
	else if (!getrusage(RUSAGE_SELF, &ru))
#ifdef __APPLE__
		kb = (long)(ru.ru_maxrss / 1024); /* bytes there */
#else
		kb = (long)ru.ru_maxrss;
#endif
	strbuf_release(&sb);
	return kb;
}

int compat_no_subfolders(int fd, const struct stat *sb)
{
#if defined(__linux__) && !defined(COMPAT_FALLBACKS)
	struct statfs fs;

	if (sb->st_nlink != 2 || fstatfs(fd, &fs) < 0)
		return 0;
	return fs.f_type == 0xEF53 || fs.f_type == 0x58465342 ||
		fs.f_type == 0x01021994;
#else
	(void)fd;
	(void)sb;
	return 0;
#endif
}
