/*
 * Unit tests for base/compat: each portable fallback against what the
 * system gives for the same input (the C library's call where it has
 * one, /proc, getppid(), the test's own argv). Built with configure
 * --enable-compat-fallbacks every fallback is the one the program uses.
 */
#include "base/compat.h"

#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/die.h"
#include "base/paths.h"
#include "base/run-command.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "tap.h"

/* The C library's own, which compat.h may have renamed or hidden. */
#undef memmem
#undef strchrnul
#undef strcasestr
#if HAVE_MEMMEM
void *memmem(const void *hay, size_t hay_len, const void *needle,
	     size_t needle_len);
#endif
#if HAVE_STRCHRNUL
char *strchrnul(const char *s, int c);
#endif
#if HAVE_STRCASESTR
char *strcasestr(const char *hay, const char *needle);
#endif

/* An offset into hay, or -1 for NULL. */
static long at(const void *hay, const void *p)
{
	return p ? (long)((const char *)p - (const char *)hay) : -1;
}

static void test_memmem(void)
{
	static const struct {
		const char *hay, *needle;
		size_t hay_len, needle_len;
		long want;
	} t[] = {
		{ "hello world", "world", 11, 5, 6 },
		{ "hello world", "", 11, 0, 0 },
		{ "", "", 0, 0, 0 },
		{ "", "a", 0, 1, -1 },
		{ "abc", "abcd", 3, 4, -1 },
		{ "aaab", "aab", 4, 3, 1 },
		{ "a\0b\0c", "b\0c", 5, 3, 2 },
		{ "tool_result changed", " changed", 19, 8, 11 },
		{ "xxxxxxxxy", "xy", 9, 2, 7 },
		{ "abcabc", "c", 5, 1, 2 },
		{ "abcab", "abc", 4, 3, 0 },
		{ "abcab", "bca", 3, 3, -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(*t); i++) {
		long got = at(t[i].hay, compat_memmem(t[i].hay, t[i].hay_len,
						      t[i].needle,
						      t[i].needle_len));

		is_int(got, t[i].want, "memmem fallback");
#if HAVE_MEMMEM
		is_int(got, at(t[i].hay, memmem(t[i].hay, t[i].hay_len,
						t[i].needle, t[i].needle_len)),
		       "memmem fallback = the C library's");
#endif
	}
}

static void test_strings(void)
{
	static const char *s[] = { "", "a:b:c", "abc", ":", "no colon" };
	static const struct {
		const char *hay, *needle;
	} cs[] = {
		{ "Claude <noreply@anthropic.com>", "ANTHROPIC" },
		{ "abc", "" },
		{ "", "" },
		{ "", "x" },
		{ "aAbB", "ab" },
		{ "aab", "AB" },
		{ "short", "shorter" },
		{ "bot@Example.COM", "example.com" },
	};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(*s); i++) {
		const char *got = compat_strchrnul(s[i], ':');
		const char *want = strchr(s[i], ':');
		long end = (long)strlen(s[i]);

		is_int(at(s[i], got), want ? at(s[i], want) : end,
		       "strchrnul fallback");
		is_int(at(s[i], compat_strchrnul(s[i], '\0')), end,
		       "strchrnul fallback, the NUL");
#if HAVE_STRCHRNUL
		is_int(at(s[i], got), at(s[i], strchrnul(s[i], ':')),
		       "strchrnul fallback = the C library's");
#endif
	}
	for (i = 0; i < sizeof(cs) / sizeof(*cs); i++) {
		long got = at(cs[i].hay,
			      compat_strcasestr(cs[i].hay, cs[i].needle));
#if HAVE_STRCASESTR
		is_int(got, at(cs[i].hay, strcasestr(cs[i].hay, cs[i].needle)),
		       "strcasestr fallback = the C library's");
#else
		ok(got >= -1, "strcasestr fallback runs");
#endif
	}
	is_int(at(cs[0].hay, compat_strcasestr(cs[0].hay, "ANTHROPIC")), 16,
	       "strcasestr fallback finds the domain");
}

/* The C library's FNM_CASEFOLD: GNU and the BSDs give it the same value. */
#ifndef FNM_CASEFOLD
#define FNM_CASEFOLD (1 << 4)
#endif

static void test_fnmatch(void)
{
	static const char *t[][2] = {
		{ "*@backend.example.com", "Ann@Backend.Example.COM" },
		{ "*@backend.example.com", "ann@frontend.example.com" },
		{ "CLAUDE*", "claude-code" },
		{ "[a-c]*", "Bob" },
		{ "[A-C]*", "bob" },
		{ "?x", "AX" },
		{ "*bot", "Dependabot" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(*t); i++)
		is_int(!compat_fnmatch_icase(t[i][0], t[i][1]),
		       !fnmatch(t[i][0], t[i][1], FNM_CASEFOLD),
		       "fnmatch case folding = the C library's");
}

static void test_pipe_size(void)
{
	int fd[2], ret;
	long n = 0;
	ssize_t w;
	char buf[4096];

	memset(buf, 'x', sizeof(buf));
	if (pipe(fd) < 0)
		die_errno("pipe");
	ret = compat_pipe_size(fd[1], 1 << 20);
	fcntl(fd[1], F_SETFL, O_NONBLOCK);
	while ((w = write(fd[1], buf, sizeof(buf))) > 0)
		n += w;
	/* Linux's default is 64 KiB; a pipe that grew holds 1 MiB. */
	if (!ret)
		is_int(n, 1 << 20, "a grown pipe takes 1 MiB unread");
	else
		ok(n > 0 && n < (1 << 20), "an ungrown pipe still carries "
		   "data (%ld bytes)", n);
#if HAVE_DECL_F_SETPIPE_SZ && !defined(COMPAT_FALLBACKS)
	is_int(ret, 0, "F_SETPIPE_SZ where the system has it");
#else
	is_int(ret, -1, "no F_SETPIPE_SZ: the default size");
#endif
	close(fd[0]);
	close(fd[1]);
}

static void test_exe_path(const char *argv0)
{
	char *want = realpath(argv0, NULL), *got, *dir, *base;
	const char *old = getenv("PATH");
	char *saved = old ? xstrdup(old) : NULL;

	got = compat_exe_path(argv0);
	is_str(got, want, "the binary's path = realpath(argv[0])");
	free(got);
	/* A bare name, as a shell that found it on PATH passes it. */
	dir = xstrdup(want);
	base = strrchr(dir, '/');
	*base++ = '\0';
	setenv("PATH", dir, 1);
	got = compat_exe_path(base);
	is_str(got, want, "the binary's path from its name and PATH");
	free(got);
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	free(dir);
	free(want);
}

static void test_processes(int argc, char **argv)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strvec args = STRVEC_INIT;
	int i, same;

	is_int(compat_parent_pid(getpid()), getppid(),
	       "our parent = getppid()");
	if (compat_process_args(getpid(), &args) < 0)
		ok(0, "cannot read our own arguments");
	same = (int)args.nr == argc;
	for (i = 0; same && i < argc; i++)
		same = !strcmp(args.v[i], argv[i]);
	ok(same, "our arguments = argv");
	strvec_clear(&args);

	strvec_pushl(&cp.args, "sleep", "30", NULL);
	cp.no_stdin = 1;
	if (start_command(&cp) < 0)
		die("cannot start sleep");
	is_int(compat_parent_pid(cp.pid), getpid(), "a child's parent is us");
	compat_process_args(cp.pid, &args);
	is_int(args.nr, 2, "a child's arguments: two");
	is_str(args.nr > 1 ? args.v[1] : NULL, "30", "its second argument");
	kill(cp.pid, SIGTERM);
	waitpid(cp.pid, NULL, 0);
	child_process_clear(&cp);
	strvec_clear(&args);
}

static void test_peak_rss(void)
{
	struct strbuf sb = STRBUF_INIT;
	long kb = compat_peak_rss_kb(), hwm = -1;
	const char *p;

	ok(kb > 0, "a peak memory (%ld kB)", kb);
	if (strbuf_read_file(&sb, "/proc/self/status", 0) > 0 &&
	    (p = strstr(sb.buf, "VmHWM:")))
		hwm = strtol(p + 6, NULL, 10);
	if (hwm > 0)
		ok(kb <= hwm && kb >= hwm - hwm / 10,
		   "peak memory %ld kB = VmHWM of /proc (%ld kB)", kb, hwm);
	strbuf_release(&sb);
}

static void make_file(const char *path)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fputs("x\n", fp) < 0 || fclose(fp))
		die_errno("cannot write '%s'", path);
}

/* compat_no_subfolders() of the folder path. */
static int no_subfolders(const char *path)
{
	struct stat st;
	DIR *d = opendir(path);
	int r = -1;

	if (d && !fstat(dirfd(d), &st))
		r = compat_no_subfolders(dirfd(d), &st);
	if (d)
		closedir(d);
	return r;
}

static void test_tree(void)
{
	char tmpl[] = "/tmp/u-compat.XXXXXX";
	char *top = mkdtemp(tmpl), *p;
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	DIR *d;
	struct dirent *de;
	int types_ok = 1, unknown = 1;

	if (!top)
		die_errno("mkdtemp");
	p = xstrfmt("%s/keep", top);
	mkdir(p, 0700);
	free(p);
	p = xstrfmt("%s/keep/file", top);
	make_file(p);
	free(p);
	p = xstrfmt("%s/tree/a/b", top);
	if (mkdir_p(p) < 0)
		die_errno("cannot make '%s'", p);
	free(p);
	p = xstrfmt("%s/tree/a/b/f", top);
	make_file(p);
	free(p);
	p = xstrfmt("%s/tree/g", top);
	make_file(p);
	free(p);
	p = xstrfmt("%s/tree/link", top);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/keep", top);
	if (symlink(sb.buf, p) < 0)
		die_errno("symlink");
	free(p);

	/* readdir's types agree with stat, or are left to stat. */
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/tree", top);
	if (!(d = opendir(sb.buf)))
		die_errno("opendir");
	while ((de = readdir(d))) {
		int t = compat_d_type(de);
		char *path = xstrfmt("%s/%s", sb.buf, de->d_name);

		if (t != DT_UNKNOWN)
			unknown = 0;
		if (lstat(path, &st) < 0 ||
		    (t == DT_DIR && !S_ISDIR(st.st_mode)) ||
		    (t == DT_REG && !S_ISREG(st.st_mode)) ||
		    (t == DT_LNK && !S_ISLNK(st.st_mode)))
			types_ok = 0;
		free(path);
	}
	closedir(d);
	ok(types_ok, "readdir's types agree with lstat");
#if !HAVE_STRUCT_DIRENT_D_TYPE || !HAVE_DECL_DT_DIR || defined(COMPAT_FALLBACKS)
	ok(unknown, "no d_type: every type is left to stat");
#else
	ok(!unknown, "d_type: readdir gives types");
#endif

	/* A folder with a subfolder is never taken for a leaf. */
	is_int(no_subfolders(sb.buf), 0, "a folder with subfolders has some");
	p = xstrfmt("%s/a", sb.buf);
	is_int(no_subfolders(p), 0, "so has one with a single subfolder");
	free(p);
	p = xstrfmt("%s/a/b", sb.buf);
	ok(no_subfolders(p) >= 0, "a leaf: known or not, no error");
	free(p);

	is_int(compat_remove_tree(sb.buf), 0, "remove_tree succeeds");
	errno = 0;
	ok(lstat(sb.buf, &st) < 0 && errno == ENOENT, "the tree is gone");
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/keep/file", top);
	ok(!stat(sb.buf, &st), "a symbolic link in it is not followed");
	is_int(compat_remove_tree(top), 0, "remove_tree the rest");
	is_int(compat_remove_tree(top), 0, "remove_tree of nothing is 0");
	strbuf_release(&sb);
}

int main(int argc, char **argv)
{
	test_memmem();
	test_strings();
	test_fnmatch();
	test_pipe_size();
	test_exe_path(argv[0]);
	test_processes(argc, argv);
	test_peak_rss();
	test_tree();
	return done_testing();
}
