/*
 * Factory Droid: ${DROID_SESSIONS_DIR:-~/.factory/sessions}/, a
 * <session>.settings.json per session (in a folder per work tree on
 * newer versions), rewritten as the session goes on: a file that changed
 * is read again whole.
 *
 * Its tokenUsage {inputTokens, outputTokens, cacheCreationTokens,
 * cacheReadTokens, thinkingTokens} holds the session's totals so far:
 * one event a session, never a sum of readings; a session found in two
 * files counts once, with the larger totals. Thinking is billed as
 * output. The event is stamped providerLockTimestamp, else the file's
 * time. The work tree is the cwd of the session_start record of the
 * <session>.jsonl beside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "sources/sources.h"

/* The work tree from the sidecar's first records, or NULL. */
static const char *sidecar_cwd(const char *settings_path)
{
	struct strbuf path = STRBUF_INIT, line = STRBUF_INIT;
	const char *ret = NULL;
	FILE *fp;
	int n;

	strbuf_addstr(&path, settings_path);
	strbuf_setlen(&path, path.len - strlen(".settings.json"));
	strbuf_addstr(&path, ".jsonl");
	fp = fopen(path.buf, "r");
	/* session_start comes first: a few lines are enough */
	for (n = 0; fp && !ret && n < 8 && strbuf_getline(&line, fp) != EOF;
	     n++) {
		struct json *obj = json_parse(line.buf, line.len);
		const char *type = json_get_str(obj, "type");
		const char *cwd = json_get_str(obj, "cwd");

		if (type && !strcmp(type, "session_start") && cwd &&
		    *cwd == '/')
			ret = event_intern(cwd);
		json_free(obj);
	}
	if (fp)
		fclose(fp);
	strbuf_release(&path);
	strbuf_release(&line);
	return ret;
}

static int settings_rec(struct source_ctx *ctx, struct source_file *f,
			const struct json *doc, const char *cwd,
			struct source_rec *rec, const char **why)
{
	const struct json *tu = json_get(doc, "tokenUsage");
	const char *ts = json_get_str(doc, "providerLockTimestamp");
	const char *model = json_get_str(doc, "model");
	const char *base = strrchr(f->path, '/');
	struct strbuf sid = STRBUF_INIT;
	uint64_t thinking;
	int st = 0;

	memset(rec, 0, sizeof(*rec));
	if (!json_is_object(tu))
		return 1;
	st |= json_get_u64(tu, "inputTokens", &rec->ev.input) == JSON_NUM_BAD;
	st |= json_get_u64(tu, "outputTokens", &rec->ev.output) ==
	      JSON_NUM_BAD;
	st |= json_get_u64(tu, "cacheCreationTokens", &rec->ev.cache_write) ==
	      JSON_NUM_BAD;
	st |= json_get_u64(tu, "cacheReadTokens", &rec->ev.cache_read) ==
	      JSON_NUM_BAD;
	st |= json_get_u64(tu, "thinkingTokens", &thinking) == JSON_NUM_BAD;
	if (st) {
		*why = "bad token counter";
		return -1;
	}
	rec->ev.output += thinking;
	if (!rec->ev.input && !rec->ev.output && !rec->ev.cache_write &&
	    !rec->ev.cache_read)
		return 1;
	if (!ts)
		rec->ev.time = (int64_t)(f->mtime_ns / 1000000);
	if ((ts && date_parse_iso(ts, &rec->ev.time)) ||
	    !source_time_ok(ctx, rec->ev.time)) {
		*why = "bad or missing timestamp";
		return -1;
	}
	if (model && !strncmp(model, "custom:", 7))
		model += 7;
	rec->ev.tool = TOOL_DROID;
	rec->ev.model = model && *model ? event_intern(model) : NULL;
	rec->ev.cwd = cwd;
	strbuf_addstr(&sid, base ? base + 1 : f->path);
	strbuf_setlen(&sid, sid.len - strlen(".settings.json"));
	event_session_hash(rec->ev.session, sid.buf);
	rec->key = hash_bytes(sid.buf, sid.len, 0x6472);
	strbuf_release(&sid);
	return 0;
}

static void parse_settings(struct source_ctx *ctx, struct source_file *f,
			   const char *buf, size_t len, const char *cwd)
{
	struct json *doc = json_parse(buf, len);
	struct source_rec rec;
	const char *why = NULL;
	int r;

	if (!json_is_object(doc)) {
		source_bad_line(ctx, f->path, 0, "malformed JSON document");
		goto cleanup;
	}
	r = settings_rec(ctx, f, doc, cwd, &rec, &why);
	if (r < 0)
		source_bad_line(ctx, f->path, 0, why);
	else if (!r)
		source_file_add(f, &rec);
cleanup:
	json_free(doc);
}

void source_droid_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len)
{
	parse_settings(ctx, f, buf, len, NULL);
	source_file_emit(ctx, f);
}

static void read_dir(struct source_ctx *ctx, const char *dir,
		     struct source_files *seen)
{
	static const char * const suffixes[] = { ".settings.json", NULL };
	struct strvec files = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	source_find_files(ctx, dir, suffixes, &files);
	source_sort_paths(&files);
	for (i = 0; i < files.nr; i++) {
		struct source_file *f;
		int changed = 0;

		f = source_file_get(ctx, files.v[i], &changed);
		if (!f)
			continue;
		if (changed) {
			strbuf_reset(&sb);
			if (source_file_read(ctx, f, &sb))
				continue;
			parse_settings(ctx, f, sb.buf, sb.len,
				       sidecar_cwd(f->path));
		}
		source_files_add(seen, f);
	}
	strvec_clear(&files);
	strbuf_release(&sb);
}

int source_droid_read(struct source_ctx *ctx)
{
	struct source_files seen = { NULL, 0, 0 };
	const struct source_rec **all = NULL;
	struct strbuf sb = STRBUF_INIT;
	size_t i, j, nr = 0, alloc = 0;

	ctx->lazy_records = 1;
	for (i = 0; i < ctx->paths.nr; i++)
		read_dir(ctx, ctx->paths.v[i], &seen);
	if (!ctx->paths.nr) {
		source_default_dir(&sb, "DROID_SESSIONS_DIR",
				   ".factory/sessions");
		read_dir(ctx, sb.buf, &seen);
	}
	if (!source_reuse_result(ctx)) {
		for (i = 0; i < seen.nr; i++)
			for (j = 0; j < seen.f[i]->nr; j++) {
				ALLOC_GROW(all, nr + 1, alloc);
				all[nr++] = &seen.f[i]->rec[j];
			}
		/* One session, one event: the largest reading. */
		source_emit_largest(ctx, all, nr);
	}
	free(all);
	free(seen.f);
	strbuf_release(&sb);
	return 0;
}
