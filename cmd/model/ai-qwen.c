/*
 * Qwen Code's attribution note (refs/notes/ai-attribution), written by
 * Qwen Code on each commit it makes:
 *
 *   {"version": 1, "generator": "Qwen-Coder",
 *    "files": {"src/main.ts": {"aiChars": 150, "humanChars": 0,
 *                              "percent": 100, "surface": "cli"}},
 *    "summary": {...}, "excludedGenerated": [...], "promptCount": 3}
 *
 * Characters per file, not lines: only a file the agent wrote alone
 * (humanChars 0) says which lines are the agent's, all that the commit
 * added to it.
 */
#include <string.h>

#include "base/json.h"
#include "model/ai-note.h"
#include "model/event.h"

int ai_note_parse_qwen(struct ai_note *out, const char *buf, size_t len,
		       size_t *bad_line)
{
	struct json *root = json_parse(buf, len);
	const struct json *files = json_get(root, "files"), *f;
	uint64_t version = 0;
	struct ai_span who = { 0 };
	int ret = -1;

	memset(out, 0, sizeof(*out));
	*bad_line = 1;
	if (!json_is_object(root) || !json_is_object(files) ||
	    json_get_u64(root, "version", &version) != JSON_NUM_OK ||
	    version != 1 || memchr(buf, '\0', len))
		goto cleanup;
	who.tool = event_intern("qwen-code");
	who.model = event_intern(json_get_str(root, "generator"));
	for (f = json_child(files); f; f = json_next(f)) {
		uint64_t ai = 0, human = 0;
		struct ai_file *af;

		if (json_get_u64(f, "aiChars", &ai) != JSON_NUM_OK ||
		    json_get_u64(f, "humanChars", &human) != JSON_NUM_OK ||
		    !*json_key(f))
			goto cleanup;
		if (!ai || human)
			continue;
		af = ai_note_add_file(out, json_key(f), strlen(json_key(f)));
		af->added = 1;
		ai_file_add(af, 0, 0, &who);
	}
	*bad_line = 0;
	ret = 0;
cleanup:
	json_free(root);
	if (ret < 0)
		ai_note_release(out);
	return ret;
}
