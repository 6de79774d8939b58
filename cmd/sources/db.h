#ifndef TOKENS_SOURCES_DB_H
#define TOKENS_SOURCES_DB_H

#include <stdint.h>
#include "sources/sources.h"

/*
 * The tools that keep their usage in an SQLite database (OpenCode,
 * Kilo CLI, Goose, Crush, Zed), read through db.c, the one owner of
 * libsqlite3. Built without it, no database is found.
 */

struct source_db;

/*
 * Turn the current row into rec: 0 when it is one, 1 when it is not
 * usage, -1 when it is bad (*why set). Read the columns with
 * source_db_text() and source_db_int().
 */
typedef int source_db_row_fn(struct source_ctx *ctx, struct source_db *db,
			     struct source_rec *rec, const char **why,
			     void *data);

struct source_db_read {
	/*
	 * Queries to try in order (NULL ends them): the first the schema
	 * accepts is run. A last column named "rowid" (AS rowid) numbers the rows
	 * in warnings; otherwise they are numbered as they come.
	 */
	const char * const *queries;
	source_db_row_fn *row;
	/*
	 * When not NULL, called with every record of a read that went
	 * through, in the order of their rows, before they are kept.
	 */
	void (*done)(struct source_rec *recs, size_t nr, void *data);
	void *data;
};

/*
 * The database at path, read into its source_file's records when it
 * or its -wal file changed since the last run; an unchanged one is not
 * opened. NULL when the file is not there (or SQLite is not built in).
 * A locked or corrupt database is counted as bad input, and its
 * records from an earlier run are kept.
 */
struct source_file *source_db_get(struct source_ctx *ctx, const char *path,
				  const struct source_db_read *how);
/*
 * For the databases of session totals (Goose, Zed): <dir>/<name> in
 * each of dirs where it exists (a missing one is no error), looked up
 * as source_db_get() does, and their sessions spread over their windows
 * (source_emit_spread()) unless the last result stands.
 */
void source_db_read_spread(struct source_ctx *ctx, const struct strvec *dirs,
			   const char *name, const struct source_db_read *how);
/*
 * A row of session totals into rec: its window [start, end] (an end
 * before start is start), tool, model, working directory (its first
 * cwd_len bytes; none unless absolute), session id and key (the id's
 * hash under seed). Empty strings and NULLs name nothing.
 */
void source_db_event(struct source_rec *rec, enum tool tool, int64_t start,
		     int64_t end, const char *model, const char *cwd,
		     size_t cwd_len, const char *id, uint64_t seed);
/* The same over one database image in memory (tests and fuzzing). */
void source_db_read_mem(struct source_ctx *ctx, struct source_file *f,
			const char *buf, size_t len,
			const struct source_db_read *how);

/*
 * Column col of the row as text (blobs too), NUL-terminated, valid
 * until the next row; NULL when NULL.
 */
const char *source_db_text(struct source_db *db, int col, size_t *len);
/*
 * Column col as a counter (0 .. JSON_U64_MAX): 0, 1 when NULL, -1
 * when it holds something else (a fraction, text that is not a
 * number, a negative or larger number).
 */
int source_db_int(struct source_db *db, int col, int64_t *out);
/*
 * Column col as a cost in USD (0 <= cost < 10^9): 0, 1 when NULL (*out
 * 0), -1 when it holds something else.
 */
int source_db_cost(struct source_db *db, int col, double *out);

/* Is SQLite built in? */
int source_db_supported(void);

#endif
