#ifndef TOKENS_NUMSTAT_H
#define TOKENS_NUMSTAT_H

#include <stddef.h>
#include <stdint.h>
#include "base/strbuf.h"
#include "base/strvec.h"

struct repo;

/*
 * Per-file line counts of each change against its first parent, with
 * git's default rename detection: exactly what
 * "git log --numstat -M --no-merges" prints for it.
 */
struct file_stat {
	const char *path;     /* interned (numstat_path_intern); the new path */
	uint32_t added;
	uint32_t deleted;
	unsigned binary:1;
};

struct commit_stat {
	struct file_stat *f;
	size_t nr;
};

struct numstat_opts {
	const struct strvec *paths;  /* pathspec: restricts the diff; no cache */
	int use_cache;
	int progress;
};

/*
 * Fill out[i] for oids[i] (40 hex digits each). Runs "git diff-tree"
 * workers on both cores for what the cache under <git dir>/tokens/ does
 * not hold, and stores their answers there. When git cannot read the
 * history (a missing or corrupt object), its message goes into err and
 * -1 is returned without printing anything.
 */
int numstat_compute(struct commit_stat *out, const char (*oids)[41], size_t nr,
		    struct repo *repo, const struct numstat_opts *opts,
		    struct strbuf *err);
void commit_stat_release(struct commit_stat *cs);

const char *numstat_path_intern(const char *path, size_t len);

#endif
