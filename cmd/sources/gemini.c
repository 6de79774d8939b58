/*
 * Gemini CLI: ~/.gemini/tmp/<project id>/chats/ (~ is $GEMINI_CLI_HOME
 * when set, as for Gemini CLI itself), every *.json and *.jsonl below:
 * session-*.json, UUID-named chats and subagents' <parent>/<id>.jsonl
 * alike. Both the legacy form
 * (one JSON document per session, rewritten on each update) and the
 * JSONL form (a metadata line, then one line per message write; the
 * last line for a message id wins). "$rewindTo" lines are ignored: the
 * rewound messages were billed all the same.
 *
 * The project folder is found from <id>/.project_root, from
 * ~/.gemini/projects.json, or by the sha256 of a work tree path (the
 * folder name before v0.29, and the projectHash field in the files).
 *
 * JSONL lines are skimmed, not parsed: a member given twice counts its
 * last value.
 *
 * tokens.input includes the cached tokens: input = input - cached (plus
 * tool-use prompt tokens, billed as input), cache_read = cached, and
 * thoughts are output.
 */
#include "base/compat.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/paths.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "git/repo.h"
#include "sources/sources.h"

/* What a whole run knows: project folders and candidate work trees. */
struct gemini_run {
	struct strvec roots;      /* work tree paths of the repository */
	char (*hashes)[65];       /* sha256 of each, hex */
	struct json *projects;    /* ~/.gemini/projects.json */
	struct strbuf projects_buf;
};

/* The files read in this run, for the final deduplication. */
struct files {
	struct source_file **f;
	size_t nr, alloc;
};

/* One file being parsed. */
struct gemini_file {
	struct gemini_run *run;
	struct source_file *f;
	const char *cwd;          /* interned project path, or NULL */
	int jsonl;
	struct strbuf doc;        /* the legacy form, whole */
	struct strbuf text[3];    /* a JSONL line's strings */
	char session_id[128];
	char project_hash[65];
};

static int dir_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static void strip_slashes(struct strbuf *sb)
{
	while (sb->len > 1 && sb->buf[sb->len - 1] == '/')
		strbuf_setlen(sb, sb->len - 1);
}

static void add_root(struct gemini_run *run, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *real = realpath(path, NULL);
	size_t i;

	strbuf_addstr(&sb, path);
	strip_slashes(&sb);
	/* Gemini hashes the path it was started in: try both spellings. */
	if (real && strcmp(real, sb.buf))
		add_root(run, real);
	free(real);
	for (i = 0; i < run->roots.nr; i++)
		if (!strcmp(run->roots.v[i], sb.buf))
			goto cleanup;
	strvec_push(&run->roots, sb.buf);
cleanup:
	strbuf_release(&sb);
}

/* The work trees of the repository: candidates for projectHash. */
static void collect_roots(struct gemini_run *run, struct repo *repo)
{
	struct strvec trees = STRVEC_INIT;
	size_t i;

	if (repo)
		repo_worktrees(repo, &trees);
	for (i = 0; i < trees.nr; i++)
		add_root(run, trees.v[i]);
	strvec_clear(&trees);
	run->hashes = xcalloc(run->roots.nr + 1, sizeof(*run->hashes));
	for (i = 0; i < run->roots.nr; i++)
		sha256_hex(run->roots.v[i], strlen(run->roots.v[i]),
			   run->hashes[i]);
}

static const char *root_by_hash(struct gemini_run *run, const char *hash)
{
	size_t i;

	for (i = 0; i < run->roots.nr; i++)
		if (!strcmp(run->hashes[i], hash))
			return run->roots.v[i];
	return NULL;
}

/* The project path of ~/.gemini/tmp/<id>, or NULL when unknown. */
static const char *project_path(struct gemini_run *run, const char *tmpdir,
				const char *id)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	const struct json *c;
	const char *ret = NULL;

	strbuf_addf(&sb, "%s/%s/.project_root", tmpdir, id);
	if (strbuf_read_file(&path, sb.buf, 256) >= 0) {
		strbuf_trim(&path);
		strip_slashes(&path);
		if (path.len && path.buf[0] == '/') {
			ret = event_intern(path.buf);
			goto cleanup;
		}
	}
	for (c = json_child(json_get(run->projects, "projects")); c;
	     c = json_next(c))
		if (json_str(c) && !strcmp(json_str(c), id) && json_key(c)) {
			strbuf_reset(&path);
			strbuf_addstr(&path, json_key(c));
			strip_slashes(&path);
			ret = event_intern(path.buf);
			goto cleanup;
		}
	ret = root_by_hash(run, id);
	if (ret)
		ret = event_intern(ret);
cleanup:
	strbuf_release(&sb);
	strbuf_release(&path);
	return ret;
}

/*
 * The token counters a message gives, by group (input, output, cached,
 * thoughts, tool): the names Gemini CLI uses, then the older and
 * API-style ones; the first a message has counts.
 */
enum { G_INPUT, G_OUTPUT, G_CACHED, G_THOUGHTS, G_TOOL, G__NR };
#define TOKEN_NAMES 12
static const struct json_key token_keys[TOKEN_NAMES] = {
	JSON_KEY("input"), JSON_KEY("prompt"), JSON_KEY("input_tokens"),
	JSON_KEY("output"), JSON_KEY("candidates"), JSON_KEY("output_tokens"),
	JSON_KEY("cached"), JSON_KEY("cached_tokens"), JSON_KEY("thoughts"),
	JSON_KEY("reasoning"), JSON_KEY("tool"), JSON_KEY("tool_tokens"),
};
/* Where each group's names start in token_keys[]. */
static const int group_at[G__NR + 1] = { 0, 3, 6, 8, 10, TOKEN_NAMES };

/* What a message gives, from a parsed document or a skimmed line. */
struct gemini_msg {
	int has_tokens;           /* "tokens" is an object */
	int st[G__NR];            /* json_num_status of each counter */
	uint64_t v[G__NR];
	const char *id, *ts, *model;
};

static void group_counters(struct gemini_msg *m, const int *st,
			   const uint64_t *v)
{
	int g, i;

	for (g = 0; g < G__NR; g++) {
		m->st[g] = JSON_NUM_MISSING;
		m->v[g] = 0;
		for (i = group_at[g]; i < group_at[g + 1]; i++)
			if (st[i] != JSON_NUM_MISSING) {
				m->st[g] = st[i];
				m->v[g] = v[i];
				break;
			}
	}
}

/* A message of a parsed (legacy) document. */
static void msg_from_json(const struct json *msg, struct gemini_msg *m)
{
	const struct json *tok = json_get(msg, "tokens");
	int st[TOKEN_NAMES], i;
	uint64_t v[TOKEN_NAMES];

	memset(m, 0, sizeof(*m));
	m->has_tokens = json_is_object(tok);
	for (i = 0; i < TOKEN_NAMES; i++)
		st[i] = json_get_u64(tok, token_keys[i].name, &v[i]);
	group_counters(m, st, v);
	m->id = json_get_str(msg, "id");
	m->ts = json_get_str(msg, "timestamp");
	m->model = json_get_str(msg, "model");
}

/*
 * One message to a record. Returns 0 (added or not billable),
 * or -1 when it is bad input (why is set).
 */
static int message_rec(struct source_ctx *ctx, struct gemini_file *gf,
		       const struct gemini_msg *m, struct source_rec *rec,
		       const char **why)
{
	uint64_t input, output, cached, thoughts, tool;
	struct strbuf key = STRBUF_INIT;
	int g;

	memset(rec, 0, sizeof(*rec));
	if (!m->has_tokens)
		return 1;
	for (g = 0; g < G__NR; g++)
		if (m->st[g] == JSON_NUM_BAD) {
			*why = "bad token counter";
			return -1;
		}
	input = m->v[G_INPUT];
	output = m->v[G_OUTPUT];
	cached = m->v[G_CACHED];
	thoughts = m->v[G_THOUGHTS];
	tool = m->v[G_TOOL];
	if (!input && !output && !cached && !thoughts && !tool)
		return 1;
	if (!m->ts || date_parse_iso(m->ts, &rec->ev.time) ||
	    !source_time_ok(ctx, rec->ev.time)) {
		*why = "bad or missing timestamp";
		return -1;
	}
	rec->ev.tool = TOOL_GEMINI;
	rec->ev.model = event_intern(m->model);
	rec->ev.cwd = gf->cwd;
	event_session_hash(rec->ev.session,
			   *gf->session_id ? gf->session_id : gf->f->path);
	if (cached > input)
		cached = input;
	rec->ev.input = input - cached + tool;
	rec->ev.cache_read = cached;
	rec->ev.output = output + thoughts;
	/* One event per (session, message id) across all files. */
	strbuf_addf(&key, "%s", gf->session_id);
	strbuf_addch(&key, '\0');
	if (m->id)
		strbuf_addstr(&key, m->id);
	else
		strbuf_addf(&key, "%s:%s", gf->f->path, m->ts);
	rec->key = hash_bytes(key.buf, key.len, 0x6e6d);
	strbuf_release(&key);
	return 0;
}

static void set_meta(struct gemini_file *gf, const char *sid,
		     const char *hash)
{
	if (sid && strlen(sid) < sizeof(gf->session_id))
		strcpy(gf->session_id, sid);
	if (hash && strlen(hash) == 64)
		strcpy(gf->project_hash, hash);
	if (!gf->cwd && *gf->project_hash) {
		const char *root = root_by_hash(gf->run, gf->project_hash);

		if (root)
			gf->cwd = event_intern(root);
	}
}

/* Keep what a later run needs to resume a JSONL file. */
static void save_state(struct gemini_file *gf)
{
	strbuf_reset(&gf->f->state);
	strbuf_addf(&gf->f->state, "%s\n%s", gf->session_id,
		    gf->project_hash);
}

static void load_state(struct gemini_file *gf)
{
	const char *s = gf->f->state.buf, *nl = strchr(s, '\n');
	size_t len;

	if (!nl)
		return;
	len = (size_t)(nl - s);
	if (len < sizeof(gf->session_id)) {
		memcpy(gf->session_id, s, len);
		gf->session_id[len] = '\0';
	}
	if (strlen(nl + 1) == 64)
		strcpy(gf->project_hash, nl + 1);
	if (!gf->cwd && *gf->project_hash) {
		const char *root = root_by_hash(gf->run, gf->project_hash);

		if (root)
			gf->cwd = event_intern(root);
	}
}

/* The members of a JSONL line read (skimmed), its "tokens" apart. */
enum { J_REWIND, J_SET, J_TYPE, J_SESSION, J_HASH, J_TOKENS, J_ID, J_TS,
       J_MODEL, J__NR };
static const struct json_key line_keys[J__NR] = {
	JSON_KEY("$rewindTo"), JSON_KEY("$set"), JSON_KEY("type"),
	JSON_KEY("sessionId"), JSON_KEY("projectHash"), JSON_KEY("tokens"),
	JSON_KEY("id"), JSON_KEY("timestamp"), JSON_KEY("model"),
};
static const struct json_key meta_keys[2] = {
	JSON_KEY("sessionId"), JSON_KEY("projectHash"),
};

/* The session and project hash of a metadata object (sid, hash raw). */
static void set_meta_raw(struct gemini_file *gf, const struct json_raw *sid,
			 const struct json_raw *hash)
{
	set_meta(gf, source_raw_cstr(sid, &gf->text[0]),
		 source_raw_cstr(hash, &gf->text[1]));
}

static int jsonl_line(struct source_ctx *ctx, struct source_file *f,
		      const char *line, size_t len, uint64_t lineno,
		      int partial, void *data)
{
	struct gemini_file *gf = data;
	struct json_raw v[J__NR], tok[TOKEN_NAMES], meta[2];
	struct json_skim_sub sub = { J_TOKENS, token_keys, TOKEN_NAMES, tok,
				     0, NULL };
	struct gemini_msg m;
	struct source_rec rec;
	const char *why = NULL;
	int st[TOKEN_NAMES], i, r;
	uint64_t val[TOKEN_NAMES];

	r = json_skim_sub(line, len, line_keys, J__NR, v, &sub, 0, NULL);
	if (r || sub.bad) {
		/* A line still being written: try again next run. */
		if (partial)
			return 1;
		source_bad_line(ctx, f->path, lineno, r ?
				source_skim_why(line, len) : "malformed JSON");
		return 0;
	}
	if (v[J_REWIND].p)
		return 0;
	if (json_raw_is_object(&v[J_SET])) {
		if (!json_skim(v[J_SET].p, v[J_SET].len, meta_keys, 2, meta))
			set_meta_raw(gf, &meta[0], &meta[1]);
		return 0;
	}
	if (!v[J_TYPE].p && v[J_SESSION].p) {
		set_meta_raw(gf, &v[J_SESSION], &v[J_HASH]);
		return 0;
	}
	memset(&m, 0, sizeof(m));
	m.has_tokens = json_raw_is_object(&v[J_TOKENS]);
	for (i = 0; i < TOKEN_NAMES; i++)
		st[i] = m.has_tokens ? json_raw_u64(&tok[i], &val[i]) :
			JSON_NUM_MISSING;
	group_counters(&m, st, val);
	m.id = source_raw_cstr(&v[J_ID], &gf->text[0]);
	m.ts = source_raw_cstr(&v[J_TS], &gf->text[1]);
	m.model = source_raw_cstr(&v[J_MODEL], &gf->text[2]);
	r = message_rec(ctx, gf, &m, &rec, &why);
	if (r < 0)
		source_bad_line(ctx, f->path, lineno, why);
	else if (!r)
		source_file_put(f, &rec);
	return 0;
}

/* The legacy form: gather the whole document, parse it at the end. */
static void parse_doc(struct source_ctx *ctx, struct gemini_file *gf)
{
	struct json *root = json_parse(gf->doc.buf, gf->doc.len);
	const struct json *m;
	struct source_rec rec;
	const char *why = NULL;

	if (!json_is_object(root)) {
		if (gf->doc.len)
			source_bad_line(ctx, gf->f->path, 0,
					"malformed JSON document");
		goto cleanup;
	}
	set_meta(gf, json_get_str(root, "sessionId"),
		 json_get_str(root, "projectHash"));
	for (m = json_child(json_get(root, "messages")); m; m = json_next(m)) {
		struct gemini_msg msg;
		int r;

		msg_from_json(m, &msg);
		r = message_rec(ctx, gf, &msg, &rec, &why);

		if (r < 0)
			source_bad_line(ctx, gf->f->path, 0, why);
		else if (!r)
			source_file_put(gf->f, &rec);
	}
cleanup:
	json_free(root);
}

/* The lines of a JSONL chat that matter. */
static const char * const chat_filter[] = {
	"\"tokens\"", "\"sessionId\"", "\"$set\"", NULL
};

static void gemini_file_init(struct gemini_file *gf, struct gemini_run *run)
{
	int i;

	memset(gf, 0, sizeof(*gf));
	strbuf_init(&gf->doc, 0);
	for (i = 0; i < 3; i++)
		strbuf_init(&gf->text[i], 0);
	gf->run = run;
}

static void gemini_file_release(struct gemini_file *gf)
{
	int i;

	strbuf_release(&gf->doc);
	for (i = 0; i < 3; i++)
		strbuf_release(&gf->text[i]);
}

static void read_chat(struct source_ctx *ctx, struct gemini_run *run,
		      const char *path, const char *cwd, struct files *seen)
{
	struct gemini_file gf;
	size_t len = strlen(path);
	int changed = 0;

	gemini_file_init(&gf, run);
	gf.cwd = cwd;
	gf.jsonl = len > 6 && !strcmp(path + len - 6, ".jsonl");
	gf.f = source_file_get(ctx, path, &changed);
	if (!gf.f)
		goto cleanup;
	ALLOC_GROW(seen->f, seen->nr + 1, seen->alloc);
	seen->f[seen->nr++] = gf.f;
	if (!changed)
		goto cleanup;
	if (gf.jsonl) {
		if (gf.f->offset)
			load_state(&gf);
		source_scan(ctx, gf.f, chat_filter, jsonl_line, &gf);
		save_state(&gf);
	} else {
		/* Rewritten whole on each update: always read it again. */
		if (!source_file_read(ctx, gf.f, &gf.doc))
			parse_doc(ctx, &gf);
	}
cleanup:
	gemini_file_release(&gf);
}

static int is_chat_file(const char *name)
{
	size_t len = strlen(name);

	return (len > 5 && !strcmp(name + len - 5, ".json")) ||
	       (len > 6 && !strcmp(name + len - 6, ".jsonl"));
}

/* Every chat file of one project folder, subagent chats included. */
static void read_project(struct source_ctx *ctx, struct gemini_run *run,
			 const char *tmpdir, const char *id,
			 struct files *seen)
{
	static const char * const suffixes[] = { ".json", ".jsonl", NULL };
	struct strvec files = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	const char *cwd = project_path(run, tmpdir, id);
	size_t i;

	strbuf_addf(&sb, "%s/%s/chats", tmpdir, id);
	source_find_files(ctx, sb.buf, suffixes, &files);
	source_sort_paths(&files);
	for (i = 0; i < files.nr; i++) {
		const char *base = strrchr(files.v[i], '/');

		if (!is_chat_file(base ? base + 1 : files.v[i]))
			continue;
		read_chat(ctx, run, files.v[i], cwd, seen);
	}
	strvec_clear(&files);
	strbuf_release(&sb);
}

static void read_tmpdir(struct source_ctx *ctx, struct gemini_run *run,
			const char *tmpdir, struct files *seen)
{
	struct strvec ids = STRVEC_INIT;
	size_t i;

	if (dir_list(tmpdir, &ids) < 0)
		return;
	source_sort_paths(&ids);
	for (i = 0; i < ids.nr; i++)
		read_project(ctx, run, tmpdir, ids.v[i], seen);
	strvec_clear(&ids);
}

/*
 * A resumed legacy session is migrated to JSONL beside the old file:
 * keep one event per message id over all files.
 */
static void emit(struct source_ctx *ctx, struct files *files)
{
	const struct source_rec **all = NULL;
	size_t nr = 0, alloc = 0, i;

	for (i = 0; i < files->nr; i++) {
		struct source_file *f = files->f[i];
		size_t j;

		for (j = 0; j < f->nr; j++) {
			ALLOC_GROW(all, nr + 1, alloc);
			all[nr++] = &f->rec[j];
		}
	}
	source_emit_largest(ctx, all, nr);
	free(all);
}

/* One base: ~/.gemini (with tmp/ and projects.json) or a tmp folder. */
static void read_base(struct source_ctx *ctx, struct gemini_run *run,
		      const char *base, struct files *seen)
{
	struct strbuf dir = STRBUF_INIT, pj = STRBUF_INIT;

	strbuf_addstr(&dir, base);
	strip_slashes(&dir);
	strbuf_addstr(&dir, "/tmp");
	if (dir_exists(dir.buf)) {
		strbuf_addf(&pj, "%.*s/projects.json", (int)(dir.len - 4),
			    dir.buf);
	} else {
		strbuf_setlen(&dir, dir.len - 4);
		strbuf_addf(&pj, "%s/../projects.json", dir.buf);
	}
	json_free(run->projects);
	run->projects = NULL;
	strbuf_reset(&run->projects_buf);
	if (strbuf_read_file(&run->projects_buf, pj.buf, 1024) >= 0)
		run->projects = json_parse(run->projects_buf.buf,
					   run->projects_buf.len);
	read_tmpdir(ctx, run, dir.buf, seen);
	strbuf_release(&dir);
	strbuf_release(&pj);
}

void source_gemini_parse_mem(struct source_ctx *ctx, struct source_file *f,
			     const char *buf, size_t len)
{
	struct gemini_run run;
	struct gemini_file gf;
	struct files one = { NULL, 0, 0 };
	size_t plen = strlen(f->path);

	memset(&run, 0, sizeof(run));
	strvec_init(&run.roots);
	strbuf_init(&run.projects_buf, 0);
	collect_roots(&run, ctx->repo);
	gemini_file_init(&gf, &run);
	gf.f = f;
	gf.jsonl = plen > 6 && !strcmp(f->path + plen - 6, ".jsonl");
	if (gf.jsonl) {
		source_scan_mem(ctx, f, buf, len, chat_filter, jsonl_line,
				&gf);
		save_state(&gf);
	} else {
		strbuf_add(&gf.doc, buf, len);
		parse_doc(ctx, &gf);
	}
	ALLOC_GROW(one.f, one.nr + 1, one.alloc);
	one.f[one.nr++] = f;
	emit(ctx, &one);
	free(one.f);
	gemini_file_release(&gf);
	strvec_clear(&run.roots);
	free(run.hashes);
	strbuf_release(&run.projects_buf);
}

int source_gemini_read(struct source_ctx *ctx)
{
	struct gemini_run run;
	struct files seen = { NULL, 0, 0 };
	struct strbuf sb = STRBUF_INIT;
	const char *home = getenv("GEMINI_CLI_HOME");
	size_t i;

	if (!home || !*home)
		home = source_home();
	memset(&run, 0, sizeof(run));
	strvec_init(&run.roots);
	strbuf_init(&run.projects_buf, 0);
	collect_roots(&run, ctx->repo);

	ctx->lazy_records = 1;
	for (i = 0; i < ctx->paths.nr; i++)
		read_base(ctx, &run, ctx->paths.v[i], &seen);
	if (!ctx->paths.nr && home) {
		strbuf_addf(&sb, "%s/.gemini", home);
		read_base(ctx, &run, sb.buf, &seen);
	}
	if (!source_reuse_result(ctx))
		emit(ctx, &seen);

	json_free(run.projects);
	strbuf_release(&run.projects_buf);
	strvec_clear(&run.roots);
	free(run.hashes);
	free(seen.f);
	strbuf_release(&sb);
	return 0;
}
