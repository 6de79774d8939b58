#ifndef TOKENS_COMPAT_H
#define TOKENS_COMPAT_H

/*
 * Calls not every system has (Linux's /proc, GNU string functions,
 * pipe and mmap hints), each checked by configure and given a portable
 * fallback in compat.c, as git's compat/ does. A file that uses one
 * includes this header. configure --enable-compat-fallbacks
 * (COMPAT_FALLBACKS) uses every fallback even where the system has the
 * call, so that they are built and tested on Linux too
 * (t/unit/u-compat.c). On Linux configure defines _GNU_SOURCE, unless
 * the build asks for strict POSIX.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

struct strvec;

void *compat_memmem(const void *hay, size_t hay_len, const void *needle,
		    size_t needle_len);
char *compat_strchrnul(const char *s, int c);
char *compat_strcasestr(const char *hay, const char *needle);

#if !HAVE_DECL_MEMMEM || defined(COMPAT_FALLBACKS)
#undef memmem
#define memmem compat_memmem
#endif
#if !HAVE_DECL_STRCHRNUL || defined(COMPAT_FALLBACKS)
#undef strchrnul
#define strchrnul compat_strchrnul
#endif
#if !HAVE_DECL_STRCASESTR || defined(COMPAT_FALLBACKS)
#undef strcasestr
#define strcasestr compat_strcasestr
#endif

/*
 * In every libc, but an XSI part of POSIX.1-2008 that a strict build
 * (-D_POSIX_C_SOURCE=200809L) does not declare.
 */
#if !HAVE_DECL_REALPATH
char *realpath(const char *path, char *resolved);
#endif
#ifndef S_IFMT
#define S_IFMT 0170000
#endif

/* fnmatch(pat, s, FNM_CASEFOLD), a GNU and BSD flag: 0 on a match. */
int compat_fnmatch_icase(const char *pat, const char *s);

/* rm -r path, symbolic links not followed (nftw() is XSI): 0, or -1. */
int compat_remove_tree(const char *path);

/* Without O_CLOEXEC a child may inherit the descriptor: harmless here. */
#if !HAVE_DECL_O_CLOEXEC
#define O_CLOEXEC 0
#endif

/*
 * The type readdir() gives (DT_DIR, DT_REG, DT_LNK) or DT_UNKNOWN, where
 * the caller must stat(): always so where struct dirent has no d_type.
 */
#if !HAVE_STRUCT_DIRENT_D_TYPE || !HAVE_DECL_DT_DIR || \
	defined(COMPAT_FALLBACKS)
#undef DT_UNKNOWN
#undef DT_DIR
#undef DT_REG
#undef DT_LNK
#define DT_UNKNOWN 0
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10
#define compat_d_type(de) ((void)(de), DT_UNKNOWN)
#else
#define compat_d_type(de) ((de)->d_type)
#endif

/* The nanoseconds of a file's change time: POSIX's st_ctim, macOS's own. */
#if HAVE_STRUCT_STAT_ST_CTIM
#define compat_ctime_nsec(st) ((long)(st)->st_ctim.tv_nsec)
#elif HAVE_STRUCT_STAT_ST_CTIMESPEC
#define compat_ctime_nsec(st) ((long)(st)->st_ctimespec.tv_nsec)
#else
#define compat_ctime_nsec(st) ((void)(st), 0L)
#endif

/*
 * 1 when the open folder fd (sb its fstat()) has no subfolder: a link
 * count of 2, on a file system known to add one link per subfolder
 * (Linux's ext2-4, XFS, tmpfs); else 0 (unknown).
 */
int compat_no_subfolders(int fd, const struct stat *sb);

/*
 * Grow the buffer of pipe fd to size bytes, where the system can
 * (Linux): a reader that runs ahead. 0, or -1 (the default size kept).
 */
int compat_pipe_size(int fd, int size);

/*
 * The path of the running binary, symbolic links resolved (to free), or
 * NULL: from the system (/proc/self/exe, macOS, FreeBSD), else from
 * argv0, main()'s argv[0], as given when it holds a '/', else on PATH.
 */
char *compat_exe_path(const char *argv0);

/*
 * Process pid's parent (0 when unknown) and its arguments (0, or -1):
 * /proc/<pid>/ where there is one, else ps(1), whose arguments are
 * split at blanks, which is enough to find options.
 */
pid_t compat_parent_pid(pid_t pid);
int compat_process_args(pid_t pid, struct strvec *out);

/* The peak resident memory of this process in kB, or -1 when unknown. */
long compat_peak_rss_kb(void);

#endif
