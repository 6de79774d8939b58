/*
 * Goose: sessions/sessions.db (SQLite) under its data folder,
 * table sessions, one row a session. Goose keeps no record per call:
 * accumulated_input_tokens and accumulated_output_tokens are the
 * session's totals so far (input_tokens and output_tokens, the last
 * call's, stand in where they are NULL); it has no cache counts. The
 * totals are spread over the session's window, created_at to
 * updated_at (source_emit_spread()); a session found in two databases
 * counts once, with the larger totals. The model is model_config_json's
 * model_name, the work tree working_dir.
 */
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "base/json.h"
#include "sources/db.h"
#include "sources/sources.h"

enum {
	C_ID, C_MODEL, C_CWD, C_CREATED, C_UPDATED, C_ACC_IN, C_ACC_OUT,
	C_IN, C_OUT
};

static const char * const queries[] = {
	"SELECT id, model_config_json, working_dir, created_at, updated_at, "
	"accumulated_input_tokens, accumulated_output_tokens, input_tokens, "
	"output_tokens, rowid AS rowid FROM sessions ORDER BY id",
	"SELECT id, model_config_json, working_dir, created_at, updated_at, "
	"NULL, NULL, input_tokens, output_tokens, rowid AS rowid "
	"FROM sessions ORDER BY id",
	NULL
};

/* The accumulated column, else the plain one; -1 when bad. */
static int counter(struct source_db *db, int acc, int plain, uint64_t *out)
{
	int64_t v;
	int r = source_db_int(db, acc, &v);

	if (r == 1)
		r = source_db_int(db, plain, &v);
	*out = (uint64_t)v;
	return r < 0 ? -1 : 0;
}

/* SQLite's CURRENT_TIMESTAMP text (UTC), ISO 8601, or Unix seconds. */
static int db_time(struct source_db *db, int col, int64_t *ms)
{
	size_t len;
	const char *s;

	if (!source_db_int(db, col, ms)) {
		*ms *= 1000;
		return 0;
	}
	s = source_db_text(db, col, &len);
	return s ? date_parse_iso(s, ms) : -1;
}

static int session_row(struct source_ctx *ctx, struct source_db *db,
		       struct source_rec *rec, const char **why, void *data)
{
	size_t len;
	const char *id = source_db_text(db, C_ID, &len);
	const char *cwd = source_db_text(db, C_CWD, &len);
	const char *cfg = source_db_text(db, C_MODEL, &len);
	struct json *model = cfg ? json_parse(cfg, len) : NULL;
	const char *name = json_get_str(model, "model_name");
	int64_t end;
	int ret = -1;

	(void)data;
	if (counter(db, C_ACC_IN, C_IN, &rec->ev.input) ||
	    counter(db, C_ACC_OUT, C_OUT, &rec->ev.output)) {
		*why = "bad token counter";
		goto cleanup;
	}
	ret = 1;
	if (!rec->ev.input && !rec->ev.output)
		goto cleanup;
	ret = -1;
	if (!id || db_time(db, C_CREATED, &rec->ev.time) ||
	    !source_time_ok(ctx, rec->ev.time)) {
		*why = "bad or missing created_at";
		goto cleanup;
	}
	if (db_time(db, C_UPDATED, &end) || !source_time_ok(ctx, end))
		end = rec->ev.time;
	source_db_event(rec, TOOL_GOOSE, rec->ev.time, end, name, cwd,
			cwd ? strlen(cwd) : 0, id, 0x676f);
	ret = 0;
cleanup:
	json_free(model);
	return ret;
}

static const struct source_db_read db_read = { queries, session_row, NULL };

void source_goose_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len)
{
	source_db_read_mem(ctx, f, buf, len, &db_read);
}

/* The folders that may hold sessions/sessions.db. */
static void goose_dirs(struct source_ctx *ctx, struct strvec *dirs)
{
	const char *root = getenv("GOOSE_PATH_ROOT");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = source_home();
	size_t i;

	for (i = 0; i < ctx->paths.nr; i++)
		strvec_push(dirs, ctx->paths.v[i]);
	if (ctx->paths.nr)
		return;
	if (root && *root == '/') {
		strvec_pushf(dirs, "%s/data", root);
		return;
	}
	if (xdg && *xdg == '/')
		strvec_pushf(dirs, "%s/goose", xdg);
	else
		strvec_pushf(dirs, "%s/.local/share/goose", home);
	strvec_pushf(dirs, "%s/Library/Application Support/goose", home);
	strvec_pushf(dirs, "%s/.local/share/Block/goose", home);
}

int source_goose_read(struct source_ctx *ctx)
{
	struct strvec dirs = STRVEC_INIT;

	goose_dirs(ctx, &dirs);
	source_db_read_spread(ctx, &dirs, "sessions/sessions.db", &db_read);
	strvec_clear(&dirs);
	return 0;
}
