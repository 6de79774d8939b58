/*
 * Crush: a database per project, <project>/.crush/crush.db (SQLite),
 * the projects listed in ${CRUSH_GLOBAL_DATA:-${XDG_DATA_HOME:-
 * ~/.local/share}/crush}/projects.json ({"projects": [{"path",
 * "data_dir"}]}), and the work trees of the repository.
 *
 * Crush's sessions table holds no count per call. Its cost adds up
 * every call of the session (a sub-agent's session's cost included in
 * its parent's), but prompt_tokens and completion_tokens are
 * overwritten by each call (the last call's context, not a sum). Each
 * call is an assistant message, timed, of the session or of one of its
 * sub-agents' sessions: so every call is an event at its own time, on
 * its own model, without token counts, carrying an equal share of the
 * top-level session's cost (a session that cost nothing, such as a
 * free model's, still counts its calls). A session with a cost but no
 * assistant message left is one event spread over its window
 * (created_at to updated_at, Unix seconds) as Goose's totals are. The
 * work tree is workspace_cwd where Crush records it, else the
 * project's folder.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "git/repo.h"
#include "sources/db.h"
#include "sources/sources.h"

enum {
	C_ID, C_COST, C_CREATED, C_UPDATED, C_MODEL, C_CWD, C_CALL, C_TIME
};

#define LAST_MODEL \
	"(SELECT m.model FROM messages m WHERE m.session_id = s.id AND " \
	"m.role = 'assistant' AND m.model IS NOT NULL " \
	"ORDER BY m.created_at DESC, m.rowid DESC LIMIT 1)"

/*
 * A row per call of each top-level session (its sub-agents' included:
 * UNION, not UNION ALL, so that a cycle of parents ends), then one for
 * each session without calls. CROSS JOIN keeps the sessions the outer
 * loop, so that a session's calls come in one run, which
 * count_calls() counts: a count in SQL (a window or a GROUP BY) cost
 * more than the rest of the query.
 */
#define CALLS(cwd) \
	"WITH RECURSIVE tree(root, id) AS (" \
	"SELECT id, id FROM sessions WHERE parent_session_id IS NULL " \
	"UNION SELECT tree.root, s.id FROM sessions s JOIN tree " \
	"ON s.parent_session_id = tree.id) " \
	"SELECT s.id, s.cost, s.created_at, s.updated_at, " \
	"COALESCE(m.model, " LAST_MODEL "), " cwd ", m.id, m.created_at, " \
	"s.rowid AS rowid FROM sessions s " \
	"CROSS JOIN tree t ON t.root = s.id " \
	"CROSS JOIN messages m ON m.session_id = t.id " \
	"AND m.role = 'assistant' WHERE s.parent_session_id IS NULL " \
	"UNION ALL SELECT s.id, s.cost, s.created_at, s.updated_at, " \
	"NULL, " cwd ", NULL, NULL, s.rowid FROM sessions s " \
	"WHERE s.parent_session_id IS NULL AND NOT EXISTS (SELECT 1 " \
	"FROM tree t JOIN messages m ON m.session_id = t.id " \
	"AND m.role = 'assistant' WHERE t.root = s.id)"

static const char * const queries[] = {
	CALLS("s.workspace_cwd"),
	CALLS("NULL"),
	NULL
};

/* A run of rows of one session: its calls, and the records made of them. */
struct crush_run {
	size_t calls, recs;
};

struct crush_db {
	const char *path;   /* of crush.db */
	const char *cwd;    /* the project's folder, or NULL */
	struct strbuf bad;  /* the session whose cost was bad, warned once */
	struct strbuf last; /* the session of the row before, and its cost */
	double last_cost;
	struct strbuf run_id; /* the session of the last run */
	struct crush_run *run;
	size_t run_nr, run_alloc;
};
#define CRUSH_DB_INIT(path) { path, NULL, STRBUF_INIT, STRBUF_INIT, 0, \
			      STRBUF_INIT, NULL, 0, 0 }

static void crush_db_reset(struct crush_db *cdb)
{
	strbuf_reset(&cdb->bad);
	strbuf_reset(&cdb->last);
	strbuf_reset(&cdb->run_id);
	cdb->run_nr = 0;
}

static void crush_db_release(struct crush_db *cdb)
{
	strbuf_release(&cdb->bad);
	strbuf_release(&cdb->last);
	strbuf_release(&cdb->run_id);
	free(cdb->run);
}

/*
 * The session's cost, read once for its run of rows: sqlite3 makes text
 * of a REAL for each row, which cost more than the rest of the row.
 */
static int session_cost(struct crush_db *cdb, struct source_db *db,
			const char *id, double *cost)
{
	if (cdb->last.len && !strcmp(cdb->last.buf, id)) {
		*cost = cdb->last_cost;
		return 0;
	}
	if (source_db_cost(db, C_COST, cost) < 0)
		return -1;
	strbuf_reset(&cdb->last);
	strbuf_addstr(&cdb->last, id);
	cdb->last_cost = *cost;
	return 0;
}

/* The row's run: a new one when its session or its kind changes. */
static struct crush_run *row_run(struct crush_db *cdb, const char *id,
				 int call)
{
	struct crush_run *r = cdb->run_nr ? &cdb->run[cdb->run_nr - 1] : NULL;

	if (!r || !call || !r->calls || strcmp(cdb->run_id.buf, id)) {
		ALLOC_GROW(cdb->run, cdb->run_nr + 1, cdb->run_alloc);
		r = &cdb->run[cdb->run_nr++];
		r->calls = r->recs = 0;
		strbuf_reset(&cdb->run_id);
		strbuf_addstr(&cdb->run_id, id);
	}
	r->calls += call;
	return r;
}

static int row_rec(struct source_ctx *ctx, struct source_db *db,
		   struct source_rec *rec, const char **why,
		   struct crush_db *cdb, const char *id, const char *call)
{
	size_t len;
	const char *model = source_db_text(db, C_MODEL, &len);
	const char *cwd = source_db_text(db, C_CWD, &len);
	int64_t created, updated;
	double cost;

	if (cdb->bad.len && !strcmp(cdb->bad.buf, id))
		return 1; /* its first call was warned about */
	if (session_cost(cdb, db, id, &cost)) {
		strbuf_reset(&cdb->bad);
		strbuf_addstr(&cdb->bad, id);
		*why = "bad cost";
		return -1;
	}
	if (call) {
		/* its share: count_calls() divides it */
		if (source_db_int(db, C_TIME, &created) ||
		    !source_time_ok(ctx, created * 1000)) {
			*why = "bad or missing message created_at";
			return -1;
		}
		updated = created;
	} else {
		if (!(cost > 0))
			return 1; /* no call, nothing billed */
		if (!*id || source_db_int(db, C_CREATED, &created) ||
		    !source_time_ok(ctx, created * 1000)) {
			*why = "bad or missing created_at";
			return -1;
		}
		if (source_db_int(db, C_UPDATED, &updated) ||
		    updated < created || !source_time_ok(ctx, updated * 1000))
			updated = created;
	}
	rec->ev.time = created * 1000;
	rec->flags = (uint32_t)(updated - created);
	rec->ev.tool = TOOL_CRUSH;
	rec->ev.model = model && *model ? event_intern(model) : NULL;
	if (!cwd || *cwd != '/')
		cwd = cdb->cwd;
	rec->ev.cwd = cwd ? event_intern(cwd) : NULL;
	rec->ev.cost = cost;
	rec->ev.cost_known = rec->ev.cost_recorded = 1;
	event_session_hash(rec->ev.session, id);
	if (call)
		id = call;
	rec->key = hash_bytes(id, strlen(id), hash_bytes(cdb->path,
			      strlen(cdb->path), 0x6372));
	return 0;
}

static int session_row(struct source_ctx *ctx, struct source_db *db,
		       struct source_rec *rec, const char **why, void *data)
{
	struct crush_db *cdb = data;
	size_t len;
	const char *id = source_db_text(db, C_ID, &len);
	const char *call = source_db_text(db, C_CALL, &len);
	struct crush_run *run;
	int r;

	if (!id)
		id = "";
	run = row_run(cdb, id, !!call);
	r = row_rec(ctx, db, rec, why, cdb, id, call);
	run->recs += !r;
	return r;
}

/* Each call's share of its session's cost: a run's cost by its calls. */
static void count_calls(struct source_rec *recs, size_t nr, void *data)
{
	struct crush_db *cdb = data;
	size_t i, k = 0;

	for (i = 0; i < cdb->run_nr; i++) {
		const struct crush_run *r = &cdb->run[i];
		size_t end = k + r->recs;

		if (end > nr)
			BUG("crush: more records counted than read");
		for (; k < end; k++)
			if (r->calls)
				recs[k].ev.cost /= (double)r->calls;
	}
	cdb->run_nr = 0;
}

void source_crush_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len)
{
	struct crush_db cdb = CRUSH_DB_INIT(f->path);
	struct source_db_read how = { queries, session_row, count_calls,
				      &cdb };

	source_db_read_mem(ctx, f, buf, len, &how);
	crush_db_release(&cdb);
}

/* dbs and cwds, pairwise: the databases to read, their projects. */
static void add_db(struct strvec *dbs, struct strvec *cwds,
		   const char *data_dir, const char *cwd)
{
	char *db = xstrfmt("%s/crush.db", data_dir);
	size_t i;

	for (i = 0; i < dbs->nr; i++)
		if (!strcmp(dbs->v[i], db))
			break;
	if (i == dbs->nr) {
		strvec_push(dbs, db);
		strvec_push(cwds, cwd ? cwd : "");
	}
	free(db);
}

static void read_projects(struct source_ctx *ctx, struct strvec *dbs,
			  struct strvec *cwds)
{
	const char *env = getenv("CRUSH_GLOBAL_DATA");
	const char *xdg = getenv("XDG_DATA_HOME");
	struct strbuf path = STRBUF_INIT, doc = STRBUF_INIT;
	struct json *root = NULL;
	const struct json *p;

	if (env && *env == '/')
		strbuf_addf(&path, "%s/projects.json", env);
	else if (xdg && *xdg == '/')
		strbuf_addf(&path, "%s/crush/projects.json", xdg);
	else
		strbuf_addf(&path, "%s/.local/share/crush/projects.json",
			    source_home());
	if (strbuf_read_file(&doc, path.buf, 0) < 0)
		goto cleanup;
	root = json_parse(doc.buf, doc.len);
	if (!json_is_array(json_get(root, "projects"))) {
		source_bad_line(ctx, path.buf, 0, "no projects list");
		goto cleanup;
	}
	for (p = json_child(json_get(root, "projects")); p; p = json_next(p)) {
		const char *dir = json_get_str(p, "data_dir");
		const char *proj = json_get_str(p, "path");

		if (dir && *dir == '/')
			add_db(dbs, cwds, dir,
			       proj && *proj == '/' ? proj : NULL);
	}
cleanup:
	json_free(root);
	strbuf_release(&path);
	strbuf_release(&doc);
}

int source_crush_read(struct source_ctx *ctx)
{
	struct strvec dbs = STRVEC_INIT, cwds = STRVEC_INIT;
	struct strvec trees = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct source_file **files = NULL;
	struct crush_db cdb = CRUSH_DB_INIT(NULL);
	struct source_db_read how = { queries, session_row, count_calls,
				      &cdb };
	size_t i, nr = 0;

	ctx->lazy_records = 1;
	for (i = 0; i < ctx->paths.nr; i++) {
		/* <project>/.crush: the project is known */
		const char *p = ctx->paths.v[i];
		size_t len = strlen(p);

		strbuf_reset(&sb);
		if (len > 7 && !strcmp(p + len - 7, "/.crush"))
			strbuf_add(&sb, p, len - 7);
		add_db(&dbs, &cwds, p, sb.len ? sb.buf : NULL);
	}
	if (!ctx->paths.nr) {
		if (ctx->repo)
			repo_worktrees(ctx->repo, &trees);
		/* --all-repos: those of every repository seen here */
		for (i = 0; ctx->seen && i < ctx->seen->nr; i++)
			repo_worktrees_of(ctx->seen->v[i], 0, &trees);
		for (i = 0; i < trees.nr; i++) {
			/* the same tree, spelt with and without a slash */
			char *tree = xstrdup(trees.v[i]);
			size_t len = strlen(tree);

			while (len > 1 && tree[len - 1] == '/')
				tree[--len] = '\0';
			strbuf_reset(&sb);
			strbuf_addf(&sb, "%s/.crush", tree);
			add_db(&dbs, &cwds, sb.buf, tree);
			free(tree);
		}
		read_projects(ctx, &dbs, &cwds);
	}
	files = xcalloc(dbs.nr + 1, sizeof(*files));
	for (i = 0; i < dbs.nr; i++) {
		if (access(dbs.v[i], F_OK) < 0)
			continue; /* a project without Crush */
		cdb.path = dbs.v[i];
		cdb.cwd = *cwds.v[i] ? cwds.v[i] : NULL;
		crush_db_reset(&cdb);
		files[nr] = source_db_get(ctx, dbs.v[i], &how);
		if (files[nr])
			nr++;
	}
	if (!source_reuse_result(ctx))
		source_emit_spread(ctx, files, nr);
	free(files);
	crush_db_release(&cdb);
	strvec_clear(&dbs);
	strvec_clear(&cwds);
	strvec_clear(&trees);
	strbuf_release(&sb);
	return 0;
}
