#ifndef TOKENS_EXPORT_READ_H
#define TOKENS_EXPORT_READ_H

#include <stddef.h>
#include <stdint.h>
#include "model/change.h"

struct repo;

/*
 * Reading "git tokens export" files back (schema git-tokens/export/v1)
 * into one change set: the report over the exports of many
 * repositories. A row that is not a v1 change, or has a field of the
 * wrong type, is skipped and counted, with one warning a file naming
 * its first such line; the rest is read.
 */
struct export_read {
	struct change_set *set;
	struct repo *repo;      /* its mailmap applies again; may be NULL */
	char *timezone;         /* the first row's zone, or NULL */
	char *range;            /* the rows' range; "(several)" if they differ */
	unsigned mainline_mixed:1;
	uint64_t skipped;       /* rows skipped, in all files */
	uint64_t duplicates;    /* rows of a commit read before */
};

/* Append the rows of the file at path: 0, or -1 after error(). */
int export_read_file(struct export_read *r, const char *path);
/*
 * The same for len bytes of rows, read as the file name says (which
 * also names the repository of rows that do not).
 */
void export_read_mem(struct export_read *r, const char *name,
		     const char *buf, size_t len);
/*
 * After the last file: a commit read twice from one repository counts
 * once, and the set's mainline is the rows' (NULL where they differ).
 */
void export_read_finish(struct export_read *r);
void export_read_release(struct export_read *r);

#endif
