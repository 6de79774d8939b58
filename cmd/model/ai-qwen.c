/*
 * Qwen Code's attribution note (refs/notes/ai-attribution), written by
 * Qwen Code on each commit it makes, as one line of JSON:
 *
 *   {"version": 1, "generator": "Qwen-Coder",
 *    "files": {"src/main.ts": {"aiChars": 150, "humanChars": 0,
 *                              "percent": 100, "surface": "cli"}},
 *    "summary": {...}, "excludedGenerated": [...], "promptCount": 3}
 *
 * Characters per file, not lines: only a file the agent wrote alone
 * (humanChars 0) says which lines are the agent's, all that the commit
 * added to it. The notes of commits squashed into one are joined line
 * by line (notes.rewriteMode cat_sort_uniq): one object a line, and a
 * file is the agent's alone when it is in every object naming it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "model/ai-note.h"
#include "model/event.h"

static struct ai_file *find_file(struct ai_note *n, const char *path)
{
	size_t i;

	for (i = 0; i < n->nr; i++)
		if (!strcmp(n->f[i].path, path))
			return &n->f[i];
	return NULL;
}

/* One note object into out; -1 when it is not one. */
static int add_object(struct ai_note *out, const struct json *root)
{
	const struct json *files = json_get(root, "files"), *f;
	uint64_t version = 0;
	struct ai_span who = { 0 };

	if (!json_is_object(root) || !json_is_object(files) ||
	    json_get_u64(root, "version", &version) != JSON_NUM_OK ||
	    version != 1)
		return -1;
	who.tool = event_intern("qwen-code");
	who.model = event_intern(json_get_str(root, "generator"));
	for (f = json_child(files); f; f = json_next(f)) {
		uint64_t ai = 0, human = 0;
		struct ai_file *af;

		if (json_get_u64(f, "aiChars", &ai) != JSON_NUM_OK ||
		    json_get_u64(f, "humanChars", &human) != JSON_NUM_OK ||
		    !*json_key(f))
			return -1;
		af = find_file(out, json_key(f));
		if (!af) {
			struct ai_span none = { 0 };

			af = ai_note_add_file(out, json_key(f),
					      strlen(json_key(f)));
			ai_file_add(af, 0, 0, &none);
			af->added = 1;
		}
		if (ai && !out->agent.tool)
			out->agent = who;
		/* Someone else's characters too: nothing line by line. */
		if (human)
			af->added = 0;
		else if (ai && af->added)
			af->s[0] = who;
	}
	return 0;
}

/* Drop the files that say nothing line by line. */
static void keep_agent_files(struct ai_note *out)
{
	size_t i, k = 0;

	for (i = 0; i < out->nr; i++) {
		if (out->f[i].added && out->f[i].s[0].tool) {
			out->f[k++] = out->f[i];
			continue;
		}
		free(out->f[i].path);
		free(out->f[i].s);
	}
	out->nr = k;
}

/* One object a line (squashed notes): 0, or -1 when a line is not one. */
static int parse_lines(struct ai_note *out, const char *p, const char *end,
		       size_t *bad_line)
{
	*bad_line = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = (nl ? nl : end) - p;
		struct json *root = n ? json_parse(p, n) : NULL;
		int r = n ? add_object(out, root) : 0;

		json_free(root);
		++*bad_line;
		if (r < 0)
			return -1;
		p += n + 1;
	}
	return 0;
}

int ai_note_parse_qwen(struct ai_note *out, const char *buf, size_t len,
		       size_t *bad_line)
{
	struct json *root = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	*bad_line = 1;
	if (memchr(buf, '\0', len))
		goto cleanup;
	if (parse_lines(out, buf, buf + len, bad_line) < 0) {
		/* Not one object a line: one object over lines, or bad. */
		ai_note_release(out);
		if (*bad_line > 1)
			goto cleanup;
		*bad_line = 1;
		root = json_parse(buf, len);
		if (add_object(out, root) < 0)
			goto cleanup;
	}
	keep_agent_files(out);
	*bad_line = 0;
	ret = 0;
cleanup:
	json_free(root);
	if (ret < 0)
		ai_note_release(out);
	return ret;
}
