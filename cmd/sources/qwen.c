/*
 * Qwen Code: ${QWEN_DATA_DIR:-~/.qwen}/projects/<project>/chats/, one
 * JSON Lines file a session, appended to (read from where the last run
 * stopped).
 *
 * A "type":"assistant" record is one call: usageMetadata
 * {promptTokenCount, candidatesTokenCount, cachedContentTokenCount,
 * thoughtsTokenCount}. The candidates already include the thoughts
 * (total = prompt + candidates), so output = candidates. The cached
 * count is part of the prompt when it is not larger than it (the
 * OpenAI-compatible APIs: input = prompt - cached) and apart from it
 * when larger (the Anthropic API: input = prompt). The telemetry rows
 * ("type":"system", qwen-code.api_response) repeat each call and are
 * not read. A record written again under the same uuid counts once.
 *
 * Lines are skimmed, not parsed: a member given twice counts its last
 * value.
 *
 * The work tree is the record's cwd; else the project folder, named
 * after the work tree's path with every other byte than [A-Za-z0-9]
 * turned into '-'.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "git/repo.h"
#include "sources/sources.h"

struct qwen_file {
	const char *project_cwd;  /* from the folder name, or NULL */
	char fallback_session[128];
	struct qwen_text *text;
};

/* The members read of a record (skimmed), and of its usageMetadata. */
enum { Q_TYPE, Q_USAGE, Q_TIMESTAMP, Q_SESSION, Q_CWD, Q_UUID, Q_MODEL,
       Q__NR };
static const struct json_key rec_keys[Q__NR] = {
	JSON_KEY("type"), JSON_KEY("usageMetadata"), JSON_KEY("timestamp"),
	JSON_KEY("sessionId"), JSON_KEY("cwd"), JSON_KEY("uuid"),
	JSON_KEY("model"),
};
enum { M_PROMPT, M_CANDIDATES, M_CACHED, M__NR };
static const struct json_key usage_keys[M__NR] = {
	JSON_KEY("promptTokenCount"), JSON_KEY("candidatesTokenCount"),
	JSON_KEY("cachedContentTokenCount"),
};

/* The text of a record's strings, kept between lines. */
struct qwen_text {
	struct strbuf ts, sid, cwd, uuid, model;
};

static int usage_rec(struct source_ctx *ctx, struct qwen_file *qf,
		     const struct json_raw *v, const struct json_raw *um,
		     struct source_rec *rec, const char **why)
{
	struct qwen_text *tx = qf->text;
	const char *ts = source_raw_cstr(&v[Q_TIMESTAMP], &tx->ts);
	const char *sid = source_raw_cstr(&v[Q_SESSION], &tx->sid);
	const char *cwd = source_raw_cstr(&v[Q_CWD], &tx->cwd);
	const char *uuid = source_raw_cstr(&v[Q_UUID], &tx->uuid);
	uint64_t prompt, cand, cached;
	struct strbuf key = STRBUF_INIT;
	int st = 0;

	memset(rec, 0, sizeof(*rec));
	st |= json_raw_u64(&um[M_PROMPT], &prompt) == JSON_NUM_BAD;
	st |= json_raw_u64(&um[M_CANDIDATES], &cand) == JSON_NUM_BAD;
	st |= json_raw_u64(&um[M_CACHED], &cached) == JSON_NUM_BAD;
	if (st) {
		*why = "bad token counter";
		return -1;
	}
	if (!prompt && !cand && !cached)
		return 1;
	if (!ts || date_parse_iso(ts, &rec->ev.time) ||
	    !source_time_ok(ctx, rec->ev.time)) {
		*why = "bad or missing timestamp";
		return -1;
	}
	rec->ev.tool = TOOL_QWEN;
	rec->ev.model = event_intern(source_raw_cstr(&v[Q_MODEL],
						     &tx->model));
	rec->ev.cwd = cwd && *cwd == '/' ? event_intern(cwd) :
		      qf->project_cwd;
	if (!sid || !*sid)
		sid = qf->fallback_session;
	event_session_hash(rec->ev.session, sid);
	rec->ev.input = cached <= prompt ? prompt - cached : prompt;
	rec->ev.cache_read = cached;
	rec->ev.output = cand;
	strbuf_addf(&key, "%s", sid);
	strbuf_addch(&key, '\0');
	strbuf_addstr(&key, uuid ? uuid : ts);
	rec->key = hash_bytes(key.buf, key.len, 0x7177);
	strbuf_release(&key);
	return 0;
}

static int qwen_line(struct source_ctx *ctx, struct source_file *f,
		     const char *line, size_t len, uint64_t lineno,
		     int partial, void *data)
{
	struct qwen_file *qf = data;
	struct json_raw v[Q__NR], um[M__NR];
	struct json_skim_sub sub = { Q_USAGE, usage_keys, M__NR, um, 0, NULL };
	const char *type, *why = NULL;
	struct source_rec rec;
	int r;

	r = source_line_skim(ctx, f, line, len, lineno, partial, rec_keys,
			     Q__NR, v, &sub);
	if (r)
		return r > 0;
	type = source_raw_cstr(&v[Q_TYPE], &qf->text->ts);
	if (!type || strcmp(type, "assistant") ||
	    !json_raw_is_object(&v[Q_USAGE]))
		return 0;
	r = usage_rec(ctx, qf, v, um, &rec, &why);
	if (r < 0)
		source_bad_line(ctx, f->path, lineno, why);
	else if (!r)
		source_file_put(f, &rec);
	return 0;
}

static const char * const qwen_filter[] = { "\"usageMetadata\"", NULL };

#define QWEN_TEXT_INIT { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, \
			STRBUF_INIT, STRBUF_INIT }

static void qwen_text_release(struct qwen_text *tx)
{
	strbuf_release(&tx->ts);
	strbuf_release(&tx->sid);
	strbuf_release(&tx->cwd);
	strbuf_release(&tx->uuid);
	strbuf_release(&tx->model);
}

/* The session of records without one: the file's name. */
static void qwen_file_init(struct qwen_file *qf, const char *path,
			   const char *cwd, struct qwen_text *text)
{
	const char *base = strrchr(path, '/');

	memset(qf, 0, sizeof(*qf));
	qf->project_cwd = cwd;
	qf->text = text;
	snprintf(qf->fallback_session, sizeof(qf->fallback_session), "%s",
		 base ? base + 1 : path);
}

void source_qwen_parse_mem(struct source_ctx *ctx, struct source_file *f,
			   const char *buf, size_t len)
{
	struct qwen_text text = QWEN_TEXT_INIT;
	struct qwen_file qf;

	qwen_file_init(&qf, f->path, NULL, &text);
	source_scan_mem(ctx, f, buf, len, qwen_filter, qwen_line, &qf);
	qwen_text_release(&text);
	source_file_emit(ctx, f);
}

/* Qwen Code's folder name for a work tree path. */
static void project_name(const char *path, struct strbuf *out)
{
	strbuf_reset(out);
	for (; *path; path++)
		strbuf_addch(out, isalnum((unsigned char)*path) ? *path : '-');
}

static const char *project_cwd(const struct strvec *trees, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	const char *ret = NULL;
	size_t i;

	for (i = 0; !ret && i < trees->nr; i++) {
		project_name(trees->v[i], &sb);
		if (!strcmp(sb.buf, name))
			ret = event_intern(trees->v[i]);
	}
	strbuf_release(&sb);
	return ret;
}

static void read_base(struct source_ctx *ctx, const char *base,
		      const struct strvec *trees, struct source_files *seen)
{
	static const char * const suffixes[] = { ".jsonl", NULL };
	struct strvec projects = STRVEC_INIT, files = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct qwen_text text = QWEN_TEXT_INIT;
	size_t i, j;

	strbuf_addf(&sb, "%s/projects", base);
	if (dir_list(sb.buf, &projects) < 0)
		goto cleanup;
	source_sort_paths(&projects);
	for (i = 0; i < projects.nr; i++) {
		const char *cwd = project_cwd(trees, projects.v[i]);

		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/projects/%s/chats", base, projects.v[i]);
		strvec_clear(&files);
		source_find_files(ctx, sb.buf, suffixes, &files);
		source_sort_paths(&files);
		for (j = 0; j < files.nr; j++) {
			struct qwen_file qf;
			struct source_file *f;
			int changed = 0;

			f = source_file_get(ctx, files.v[j], &changed);
			if (!f)
				continue;
			qwen_file_init(&qf, f->path, cwd, &text);
			if (changed)
				source_scan(ctx, f, qwen_filter, qwen_line,
					    &qf);
			source_files_add(seen, f);
		}
	}
cleanup:
	qwen_text_release(&text);
	strvec_clear(&projects);
	strvec_clear(&files);
	strbuf_release(&sb);
}

int source_qwen_read(struct source_ctx *ctx)
{
	struct strvec trees = STRVEC_INIT;
	struct source_files seen = { NULL, 0, 0 };
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	ctx->lazy_records = 1;
	if (ctx->repo)
		repo_worktrees(ctx->repo, &trees);
	for (i = 0; i < ctx->paths.nr; i++)
		read_base(ctx, ctx->paths.v[i], &trees, &seen);
	if (!ctx->paths.nr) {
		source_default_dir(&sb, "QWEN_DATA_DIR", ".qwen");
		read_base(ctx, sb.buf, &trees, &seen);
	}
	source_files_emit(ctx, &seen);
	strvec_clear(&trees);
	strbuf_release(&sb);
	return 0;
}
