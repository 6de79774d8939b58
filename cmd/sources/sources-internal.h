#ifndef TOKENS_SOURCES_INTERNAL_H
#define TOKENS_SOURCES_INTERNAL_H

#include <pthread.h>
#include <sys/stat.h>
#include "sources/sources.h"

/*
 * What the files of the usage-source core share: sources.c (registry,
 * warnings, usage_load), state.c (per-file state), scan.c (lines and
 * threads), cache.c (the cache file), walk.c and match.c. The
 * parsers of each tool see only sources.h.
 */

/* Bad input: counted, and the first (in a stable order) shown. */
struct source_warn {
	pthread_mutex_t lock;
	uint64_t count;
	int first_src;
	char *first_file;
	uint64_t first_line;
	char *first_why;
	/* models already warned about (interned pointers) */
	const char **models;
	size_t models_nr, models_alloc;
};

void source_warn_add(struct source_warn *w, int src, const char *file,
		     uint64_t line, const char *why, uint64_t n);
void source_warn_flush(struct source_warn *w);
/*
 * Threads for nr pieces of work: per_core a processor online, at most
 * SOURCE_MAX_THREADS, never more than nr; GIT_TOKENS_THREADS instead
 * when set, else one when the work is small.
 */
#define SOURCE_MAX_THREADS 4
int source_threads(size_t nr, int per_core, int small);
/* Memory freed on threads kept for their next use (see scan.c). */
void source_keep_heaps(void);
/* This thread's next allocations in huge pages (see scan.c). */
void source_heap_huge(void);

/*
 * A folder as last listed (walk.c): while its times stay the same, its
 * entries do too, and the next walk lists no folder that did not change.
 */
struct source_dir {
	char *path;
	uint64_t key;           /* of path and the walk's suffixes */
	uint64_t dev, ino, mtime_ns, ctime_ns;
	struct strbuf ents;     /* per entry: 'd' or 'f', its name, NUL */
	int seen;
};

/* What one source knows of its log files, between runs too. */
struct source_state {
	const struct source *src;
	int idx;
	struct source_file **files;
	size_t nr, alloc;
	/* open addressing: interned path pointer -> files[] index + 1 */
	size_t *map;
	size_t map_alloc;
	int dirty;
	/* the cache file, mapped while its records may be needed */
	char *map_base;
	size_t map_len;
	const char **strs;
	size_t nstr;
	/* stat() results from the folder walk, by interned path */
	struct u64map stats;
	struct stat *stat;
	size_t stat_nr, stat_alloc;
	const void *result;     /* the source's last result, on disk */
	size_t result_nr;
	uint64_t stamp;         /* of the cache read or written; 0 = none */
	int reused;
	/* source_reuse_result() leaves the events to source_result_emit() */
	int defer;
	/* the folders listed, from and for <cache>/usage-<source>.dirs */
	struct source_dir *dirs;
	size_t dirs_nr, dirs_alloc;
	struct u64map dir_ids;  /* key -> dirs[] index + 1 */
	int dirs_dirty;
	int dirs_walked;        /* a whole walk: folders it missed are gone */
	size_t dirs_listed, dirs_known; /* this run's, for GIT_TOKENS_DEBUG */
};

/* The file being scanned on this thread, for source_bad_line(). */
extern __thread struct source_file *source_scanning;

struct source_file *source_state_lookup(struct source_state *st,
					const char *path);
struct source_file *source_state_add(struct source_state *st,
				     const char *path);
void source_state_free(struct source_state *st);

/*
 * A file that grew is resumed at the saved offset only if the bytes
 * before it are still ours: a hash of its first and last 4 KiB before
 * offset, from the file, or from memory: head holds the file's first
 * bytes, at the byte at offset with those before it.
 */
#define SOURCE_PREFIX_SAMPLE 4096
int source_prefix_hash(const char *path, uint64_t offset, uint64_t *out);
uint64_t source_prefix_hash_mem(const char *head, const char *at,
				uint64_t offset);

/* The folders a source listed last time; see walk.c. */
void source_dirs_read(struct source_state *st, const char *path);
int source_dirs_write(struct source_state *st, const char *path);
void source_dirs_free(struct source_state *st);

/* The cache file of one source; see cache.c. */
void source_cache_read(struct source_state *st, const char *path);
int source_cache_write(struct source_state *st, const char *path,
		       const struct usage_set *result);
/* Turn a file's records, still in the mapped cache, into memory. */
void source_file_load_records(struct source_state *st, struct source_file *f);
/* Add the result saved in st's cache to out (a deferred reuse). */
void source_result_emit(struct source_state *st, struct usage_set *out);

/*
 * The summary's identity: begun from the query (source_summary_begin()),
 * each value it depends on added with source_summary_id(); read the
 * summary saved under s->id: 1 when there is one.
 */
uint64_t source_summary_begin(const struct usage_summary *s,
			      const struct usage_query *q);
uint64_t source_summary_id(uint64_t id, uint64_t v);
int source_summary_read(struct usage_summary *s);

/* Which working directories belong to the repository. */
struct source_match {
	struct strvec roots;   /* with a trailing slash */
	struct u64map seen;    /* interned cwd -> 1 in, 2 out */
};

void source_match_init(struct source_match *m, struct repo *repo);
void source_match_release(struct source_match *m);

#endif
