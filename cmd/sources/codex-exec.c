/*
 * Codex's `codex exec --json` output, saved as *.jsonl in the folders
 * CODEX_EXEC_LOG_DIR names (comma-separated): one JSON event a line,
 * thread.started {thread_id} first, then a turn.completed {usage
 * {input_tokens, cached_input_tokens, output_tokens}} per turn. That
 * usage is the thread's running total, not the turn's (Codex fills it
 * from the thread's total_token_usage), and the lines carry no time,
 * model or folder. So a thread is one event: its largest total
 * (never a sum of readings, in one file or several), stamped with the
 * time the file was last written, in the folder the file is saved in,
 * its model that of the line, else the model config.toml sets.
 *
 * A thread that also has a rollout (its id ends the rollout's name:
 * every run not started with --ephemeral) is counted from the rollout,
 * which has each turn's time, model and folder, and not here.
 */
#include "base/compat.h"
#include <stdlib.h>
#include <string.h>

#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "sources/codex.h"

static const char *exec_filter[] = {
	"thread.started", "turn.completed", NULL
};

static uint64_t thread_key(const char *id, size_t len)
{
	return hash_bytes(id, len, 0x6378);
}

/* f->state holds the thread id of the lines read so far. */
static int exec_line(struct source_ctx *ctx, struct source_file *f,
		     const char *line, size_t len, uint64_t lineno,
		     int partial, void *data)
{
	struct json *root = NULL;
	const struct json *u;
	const char *type, *model;
	uint64_t in, cached, out;
	struct source_rec r;
	char *dir;
	int bad = 0;

	(void)data;
	if (source_line_json(ctx, f, line, len, lineno, partial, &root))
		return 1;
	type = json_get_str(root, "type");
	if (type && !strcmp(type, "thread.started")) {
		const char *id = json_get_str(root, "thread_id");

		strbuf_reset(&f->state);
		if (id)
			strbuf_addstr(&f->state, id);
		goto done;
	}
	u = json_get(root, "usage");
	if (!type || strcmp(type, "turn.completed") || !json_is_object(u))
		goto done;
	bad |= json_get_u64(u, "input_tokens", &in) == JSON_NUM_BAD;
	bad |= json_get_u64(u, "cached_input_tokens", &cached) == JSON_NUM_BAD;
	bad |= json_get_u64(u, "output_tokens", &out) == JSON_NUM_BAD;
	if (bad || !f->state.len) {
		source_bad_line(ctx, f->path, lineno, bad ?
				"bad token count" : "turn before thread.started");
		goto done;
	}
	if (!in && !out)
		goto done;
	memset(&r, 0, sizeof(r));
	r.ev.tool = TOOL_CODEX;
	r.ev.time = (int64_t)(f->mtime_ns / 1000000);
	if (!source_time_ok(ctx, r.ev.time)) {
		source_bad_line(ctx, f->path, lineno, "file time out of range");
		goto done;
	}
	model = json_get_str(root, "model");
	r.ev.model = model && *model ? event_intern(model) : NULL;
	dir = xstrdup(f->path);
	*strrchr(dir, '/') = '\0';
	r.ev.cwd = event_intern(*dir ? dir : "/");
	free(dir);
	if (cached > in)
		cached = in;
	r.ev.input = in - cached;
	r.ev.cache_read = cached;
	r.ev.output = out;
	event_session_hash(r.ev.session, f->state.buf);
	r.key = thread_key(f->state.buf, f->state.len);
	/* a running total: the last reading is the largest */
	source_file_put(f, &r);
done:
	json_free(root);
	return 0;
}

static void exec_read_file(struct source_ctx *ctx, struct source_file *f,
			   void *data)
{
	(void)data;
	source_scan(ctx, f, exec_filter, exec_line, NULL);
}

void codex_exec_find(struct source_ctx *ctx, struct source_files *files)
{
	static const char * const suffixes[] = { ".jsonl", NULL };
	const char *env = getenv("CODEX_EXEC_LOG_DIR");
	struct strvec paths = STRVEC_INIT;
	struct source_files todo = { NULL, 0, 0 };
	char *list, *tok, *save = NULL;

	if (!env || !*env)
		return;
	list = xstrdup(env);
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		/* resolved: the folder stands for the work tree */
		char *real = realpath(tok, NULL);

		if (real)
			source_find_files(ctx, real, suffixes, &paths);
		free(real);
	}
	free(list);
	source_sort_paths(&paths);
	source_files_collect(ctx, &paths, files, &todo);
	source_parallel(ctx, todo.f, todo.nr, exec_read_file, NULL);
	free(todo.f);
	strvec_clear(&paths);
}

void codex_exec_emit(struct source_ctx *ctx, struct source_files *files,
		     const struct strvec *rollouts, const char *model)
{
	size_t from = ctx->out->nr;
	struct u64map have = U64MAP_INIT;
	const struct source_rec **all = NULL;
	size_t i, j, n = 0, alloc = 0;

	for (i = 0; i < rollouts->nr; i++) {
		const char *p = rollouts->v[i];
		size_t len = strlen(p);

		if (len > 4 && !strcmp(p + len - 4, ".zst"))
			len -= 4;
		if (len > 6 && !strncmp(p + len - 6, ".jsonl", 6))
			len -= 6;
		/* rollout-<time>-<uuid>.jsonl */
		if (len >= 36)
			*u64map_find(&have, thread_key(p + len - 36, 36), 1) = 1;
	}
	for (i = 0; i < files->nr; i++)
		for (j = 0; j < files->f[i]->nr; j++) {
			const struct source_rec *r = &files->f[i]->rec[j];

			if (u64map_find(&have, r->key, 0))
				continue;
			ALLOC_GROW(all, n + 1, alloc);
			all[n++] = r;
		}
	source_emit_largest(ctx, all, n);
	for (i = from; i < ctx->out->nr; i++)
		if (!ctx->out->ev[i].model)
			ctx->out->ev[i].model = model;
	free(all);
	free(files->f);
	memset(files, 0, sizeof(*files));
	u64map_release(&have);
}

void source_codex_exec_parse_mem(struct source_ctx *ctx,
				 struct source_file *f,
				 const char *buf, size_t len)
{
	struct source_files files = { NULL, 0, 0 };
	struct strvec none = STRVEC_INIT;

	source_scan_mem(ctx, f, buf, len, exec_filter, exec_line, NULL);
	source_files_add(&files, f);
	codex_exec_emit(ctx, &files, &none, NULL);
}
