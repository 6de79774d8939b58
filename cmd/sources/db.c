/*
 * SQLite databases of the tools that keep their usage in one: opened
 * read-only, read row by row into a source_file's records. The one
 * file that includes sqlite3.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_SQLITE3
#include <sqlite3.h>
#endif

#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "sources/db.h"

void source_db_read_spread(struct source_ctx *ctx, const struct strvec *dirs,
			   const char *name, const struct source_db_read *how)
{
	struct source_files files = { NULL, 0, 0 };
	struct strbuf path = STRBUF_INIT;
	size_t i;

	ctx->lazy_records = 1;
	for (i = 0; i < dirs->nr; i++) {
		struct source_file *f;

		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dirs->v[i], name);
		if (access(path.buf, F_OK) < 0)
			continue; /* not this system's folder */
		f = source_db_get(ctx, path.buf, how);
		if (f)
			source_files_add(&files, f);
	}
	if (!source_reuse_result(ctx))
		source_emit_spread(ctx, files.f, files.nr);
	free(files.f);
	strbuf_release(&path);
}

void source_db_event(struct source_rec *rec, enum tool tool, int64_t start,
		     int64_t end, const char *model, const char *cwd,
		     size_t cwd_len, const char *id, uint64_t seed)
{
	rec->ev.time = start;
	rec->flags = end > start ? (uint32_t)((end - start) / 1000) : 0;
	rec->ev.tool = tool;
	rec->ev.model = model && *model ? event_intern(model) : NULL;
	rec->ev.cwd = cwd && *cwd == '/' ? event_intern_n(cwd, cwd_len) : NULL;
	event_session_hash(rec->ev.session, id);
	rec->key = hash_bytes(id, strlen(id), seed);
}

int source_db_cost(struct source_db *db, int col, double *out)
{
	size_t len;
	const char *s = source_db_text(db, col, &len);
	char *end;

	*out = 0;
	if (!s)
		return 1;
	*out = strtod(s, &end);
	if (end == s || *end || !(*out >= 0 && *out < 1e9)) {
		*out = 0;
		return -1;
	}
	return 0;
}

#ifdef HAVE_SQLITE3
struct source_db {
	sqlite3 *db;
	sqlite3_stmt *st;
};

int source_db_supported(void)
{
	return 1;
}

/* A file name as a URI path: escape what URIs reserve. */
static void uri_path(struct strbuf *sb, const char *path)
{
	const char *p;

	for (p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p == ' ')
			strbuf_addf(sb, "%%%02X", (unsigned char)*p);
		else
			strbuf_addch(sb, *p);
	}
}

static sqlite3 *db_open(const char *path, const char *mode)
{
	struct strbuf uri = STRBUF_INIT;
	sqlite3 *db = NULL;

	strbuf_addstr(&uri, "file:");
	uri_path(&uri, path);
	strbuf_addf(&uri, "?%s", mode);
	if (sqlite3_open_v2(uri.buf, &db,
			    SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
			    SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		db = NULL;
	} else {
		sqlite3_busy_timeout(db, 2000);
	}
	strbuf_release(&uri);
	return db;
}

static int db_prepare(sqlite3 *db, const char * const *queries,
		      sqlite3_stmt **st)
{
	int rc = SQLITE_ERROR;

	for (; *queries; queries++) {
		rc = sqlite3_prepare_v2(db, *queries, -1, st, NULL);
		if (rc == SQLITE_OK || rc == SQLITE_BUSY)
			break;
	}
	return rc;
}

const char *source_db_text(struct source_db *d, int col, size_t *len)
{
	const char *s;

	if (sqlite3_column_type(d->st, col) == SQLITE_NULL)
		return NULL;
	/* text, and blobs too, come with a NUL after them */
	s = (const char *)sqlite3_column_text(d->st, col);
	*len = (size_t)sqlite3_column_bytes(d->st, col);
	return s ? s : "";
}

int source_db_int(struct source_db *d, int col, int64_t *out)
{
	const char *s, *end;
	size_t len = 0;
	double v;

	*out = 0;
	switch (sqlite3_column_type(d->st, col)) {
	case SQLITE_NULL:
		return 1;
	case SQLITE_INTEGER:
		*out = sqlite3_column_int64(d->st, col);
		return *out < 0 || *out > (int64_t)JSON_U64_MAX ? -1 : 0;
	case SQLITE_FLOAT:
		v = sqlite3_column_double(d->st, col);
		if (v < 0 || v > (double)JSON_U64_MAX ||
		    v != (double)(int64_t)v)
			return -1;
		*out = (int64_t)v;
		return 0;
	default:
		s = source_db_text(d, col, &len);
		end = s + len;
		if (!len || len > 13)
			return -1;
		for (; s < end; s++) {
			if (*s < '0' || *s > '9')
				return -1;
			*out = *out * 10 + (*s - '0');
		}
		return *out > (int64_t)JSON_U64_MAX ? -1 : 0;
	}
}

/* Rows to records; -1 (nothing changed in f) when the read failed. */
static int read_rows(struct source_ctx *ctx, struct source_file *f,
		     sqlite3 *db, sqlite3_stmt *st, int rc,
		     const struct source_db_read *how)
{
	struct source_db d = { db, st };
	const char *bad_why = NULL;
	struct source_file got; /* the records: f's if the read goes through */
	uint64_t row = 0, bad = 0, bad_line = 0;
	int ret = -1, rowid_col = -1, ncol;

	memset(&got, 0, sizeof(got));
	if (rc != SQLITE_OK) {
		source_bad_line(ctx, f->path, 0, rc == SQLITE_BUSY ?
				"database is locked" : db ?
				sqlite3_errmsg(db) : "cannot open database");
		goto cleanup;
	}
	ncol = sqlite3_column_count(d.st);
	if (ncol && !strcmp(sqlite3_column_name(d.st, ncol - 1), "rowid"))
		rowid_col = ncol - 1;
	while ((rc = sqlite3_step(d.st)) == SQLITE_ROW) {
		struct source_rec rec;
		const char *why = "bad row";
		int64_t rowid = 0;
		int r;

		memset(&rec, 0, sizeof(rec));
		if (rowid_col >= 0 && !source_db_int(&d, rowid_col, &rowid) &&
		    rowid > 0)
			row = (uint64_t)rowid;
		else
			row++;
		r = how->row(ctx, &d, &rec, &why, how->data);
		if (!r) {
			source_file_add(&got, &rec);
		} else if (r < 0) {
			source_bad_line(ctx, f->path, row, why);
			if (!bad++ || row < bad_line) {
				bad_line = row;
				bad_why = event_intern(why);
			}
		}
	}
	if (rc != SQLITE_DONE) {
		source_bad_line(ctx, f->path, 0, rc == SQLITE_BUSY ?
				"database is locked" : sqlite3_errmsg(db));
		goto cleanup;
	}
	if (how->done)
		how->done(got.rec, got.nr, how->data);
	/* Handed over, not copied: a copy is as much fresh memory again. */
	source_file_reset(f);
	free(f->rec);
	f->rec = got.rec;
	f->nr = got.nr;
	f->alloc = got.alloc;
	got.rec = NULL;
	/* Bad rows are remembered, so the warning repeats while they last. */
	f->bad = bad;
	f->bad_line = bad_line;
	f->bad_why = bad_why;
	f->offset = f->size;
	ret = 0;
cleanup:
	sqlite3_finalize(d.st);
	free(got.rec);
	return ret;
}

static int read_db(struct source_ctx *ctx, struct source_file *f,
		   const struct source_db_read *how)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc, ret;

	/*
	 * Read-only first, so that a WAL still being written is seen; a
	 * folder we may not write (no -shm) falls back to immutable. A
	 * locked database is not read as immutable: it may be half written.
	 */
	db = db_open(f->path, "mode=ro");
	rc = db ? db_prepare(db, how->queries, &st) : SQLITE_CANTOPEN;
	if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
		sqlite3_close(db);
		db = db_open(f->path, "immutable=1");
		rc = db ? db_prepare(db, how->queries, &st) : SQLITE_CANTOPEN;
	}
	/*
	 * A read goes through each page about once: a small page cache
	 * reuses its buffers, where the default 2 MiB took fresh memory a
	 * page, a fault each. After the schema is read, so that a locked
	 * database is waited for once.
	 */
	if (rc == SQLITE_OK)
		sqlite3_exec(db, "PRAGMA cache_size = -256", NULL, NULL, NULL);
	ret = read_rows(ctx, f, db, st, rc, how);
	sqlite3_close(db);
	return ret;
}

struct source_file *source_db_get(struct source_ctx *ctx, const char *path,
				  const struct source_db_read *how)
{
	struct strbuf wal = STRBUF_INIT;
	struct source_file *f, *w;
	struct stat st;
	int changed = 0, wal_changed = 0;

	f = source_file_get(ctx, path, &changed);
	if (!f)
		goto cleanup;
	strbuf_addf(&wal, "%s-wal", path);
	if (!stat(wal.buf, &st) && S_ISREG(st.st_mode) &&
	    (w = source_file_get(ctx, wal.buf, &wal_changed)))
		w->offset = w->size;
	if ((changed || wal_changed) && read_db(ctx, f, how) < 0)
		f->mtime_ns = 0; /* try again next run */
cleanup:
	strbuf_release(&wal);
	return f;
}

void source_db_read_mem(struct source_ctx *ctx, struct source_file *f,
			const char *buf, size_t len,
			const struct source_db_read *how)
{
	unsigned char *copy;
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK || !len) {
		sqlite3_close(db);
		source_bad_line(ctx, f->path, 0, "cannot open database");
		return;
	}
	copy = sqlite3_malloc64(len);
	if (!copy)
		die("out of memory");
	memcpy(copy, buf, len);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (sqlite3_deserialize(db, "main", copy, len, len,
				SQLITE_DESERIALIZE_FREEONCLOSE |
				SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
		source_bad_line(ctx, f->path, 0, sqlite3_errmsg(db));
	} else {
		sqlite3_stmt *st = NULL;
		int rc = db_prepare(db, how->queries, &st);

		read_rows(ctx, f, db, st, rc, how);
	}
	sqlite3_close(db);
	source_emit_spread(ctx, &f, 1);
}
#else
int source_db_supported(void)
{
	return 0;
}

struct source_file *source_db_get(struct source_ctx *ctx, const char *path,
				  const struct source_db_read *how)
{
	(void)how;
	if (!access(path, F_OK)) {
		source_found(ctx, path);
		source_found_hint(ctx, "build git-tokens with libsqlite3 "
				  "to read its database");
	}
	return NULL;
}

void source_db_read_mem(struct source_ctx *ctx, struct source_file *f,
			const char *buf, size_t len,
			const struct source_db_read *how)
{
	(void)buf;
	(void)len;
	(void)how;
	source_bad_line(ctx, f->path, 0, "built without SQLite support");
}

const char *source_db_text(struct source_db *db, int col, size_t *len)
{
	(void)db;
	(void)col;
	*len = 0;
	return NULL;
}

int source_db_int(struct source_db *db, int col, int64_t *out)
{
	(void)db;
	(void)col;
	*out = 0;
	return 1;
}
#endif
