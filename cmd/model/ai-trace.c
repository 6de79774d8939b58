/*
 * Agent Trace records (agent-trace.dev, version 0.1.0): one JSON object
 * a line in .agent-trace/traces.jsonl, as the reference implementation
 * appends them after each edit an agent makes:
 *
 *   {"version": "0.1.0", "id": "<uuid>", "timestamp": "...",
 *    "vcs": {"type": "git", "revision": "<HEAD when the edit was made>"},
 *    "tool": {"name": "cursor", "version": "2.4.0"},
 *    "files": [{"path": "src/a.ts", "conversations": [{
 *        "contributor": {"type": "ai", "model_id": "anthropic/claude-..."},
 *        "ranges": [{"start_line": 42, "end_line": 67,
 *                    "content_hash": "sha256:..."}]}]}]}
 *
 * The specification asks for "X.Y.Z" versions; the reference writes
 * "1.0": both are read. A range's contributor overrides its
 * conversation's. Only "ai" ranges are the agent's; "human", "mixed"
 * and "unknown" ones are kept without a tool (they say where lines
 * moved, not who wrote them).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/die.h"
#include "base/json.h"
#include "model/ai-note.h"
#include "model/event.h"

/* "N.N" or "N.N.N", of a major version this reader knows (0 or 1). */
static int version_ok(const char *v)
{
	int dots = 0;
	const char *p;

	if (!v || (v[0] != '0' && v[0] != '1') || isdigit((unsigned char)v[1]))
		return 0;
	for (p = v + 1; *p; p++) {
		if (*p != '.' || !isdigit((unsigned char)p[1]) || ++dots > 2)
			return 0;
		while (isdigit((unsigned char)p[1]))
			p++;
	}
	return dots >= 1;
}

static int is_hex40(const char *s)
{
	size_t i;

	for (i = 0; i < 40; i++)
		if (!s[i] || !isxdigit((unsigned char)s[i]))
			return 0;
	return !s[40];
}

/* 1: the agent's, 0: someone else's, -1: not a contributor. */
static int contributor(const struct json *c, const char **model)
{
	const char *type = json_get_str(c, "type");

	if (!json_is_object(c) || !type)
		return -1;
	*model = json_get_str(c, "model_id");
	if (!strcmp(type, "ai"))
		return 1;
	if (!strcmp(type, "human") || !strcmp(type, "mixed") ||
	    !strcmp(type, "unknown"))
		return 0;
	return -1;
}

struct rec {
	struct ai_trace *out;
	const char *rev;        /* NULL: tied to no git commit */
	const char *tool;
	size_t line;
};

static int add_range(struct rec *r, const char *path, const struct json *j,
		     int ai, const char *model)
{
	const struct json *who = json_get(j, "contributor");
	const char *hash = json_get_str(j, "content_hash");
	uint64_t from, to;
	struct ai_trace_range *t;
	size_t i;

	if (!json_is_object(j) ||
	    json_get_u64(j, "start_line", &from) != JSON_NUM_OK ||
	    json_get_u64(j, "end_line", &to) != JSON_NUM_OK ||
	    !from || to < from || to > UINT32_MAX ||
	    (json_get(j, "content_hash") && !hash))
		return -1;
	if (who && (ai = contributor(who, &model)) < 0)
		return -1;
	if (!r->rev)
		return 0;
	ALLOC_GROW(r->out->r, r->out->nr + 1, r->out->alloc);
	t = &r->out->r[r->out->nr++];
	memset(t, 0, sizeof(*t));
	for (i = 0; i < 40; i++)
		t->rev[i] = (char)tolower((unsigned char)r->rev[i]);
	t->path = xstrdup(path);
	t->from = (uint32_t)from;
	t->to = (uint32_t)to;
	t->hash = hash ? xstrdup(hash) : NULL;
	t->tool = ai ? r->tool : NULL;
	t->model = ai ? event_intern(model) : NULL;
	t->record = r->line;
	return 0;
}

static int add_file(struct rec *r, const struct json *f)
{
	const char *path = json_get_str(f, "path");
	const struct json *convs = json_get(f, "conversations"), *c;

	if (!path || !*path || !json_is_array(convs))
		return -1;
	for (c = json_child(convs); c; c = json_next(c)) {
		const struct json *ranges = json_get(c, "ranges"), *g;
		const struct json *who = json_get(c, "contributor");
		const char *model = NULL;
		int ai = 0;

		if (!json_is_object(c) || !json_is_array(ranges) ||
		    (who && (ai = contributor(who, &model)) < 0))
			return -1;
		for (g = json_child(ranges); g; g = json_next(g))
			if (add_range(r, path, g, ai, model) < 0)
				return -1;
	}
	return 0;
}

static int add_record(struct rec *r, const struct json *root)
{
	const struct json *files = json_get(root, "files"), *f;
	const struct json *vcs = json_get(root, "vcs");
	const char *type = json_get_str(vcs, "type");
	const char *rev = json_get_str(vcs, "revision");
	const char *tool = json_get_str(root, "tool.name");

	if (!json_is_object(root) ||
	    !version_ok(json_get_str(root, "version")) ||
	    !json_get_str(root, "id") || !json_get_str(root, "timestamp") ||
	    !json_is_array(files) || (vcs && (!type || !rev)))
		return -1;
	r->rev = type && !strcmp(type, "git") && is_hex40(rev) ? rev : NULL;
	r->tool = event_intern(tool && *tool ? tool : "agent-trace");
	for (f = json_child(files); f; f = json_next(f))
		if (!json_is_object(f) || add_file(r, f) < 0)
			return -1;
	return 0;
}

void ai_trace_parse(struct ai_trace *out, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	struct rec r = { out, NULL, NULL, 0 };

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = (nl ? nl : end) - p, keep = out->nr;
		struct json *root;

		r.line++;
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (n) {
			root = memchr(p, '\0', n) ? NULL : json_parse(p, n);
			if (add_record(&r, root) < 0) {
				/* A record is read whole or not at all. */
				while (out->nr > keep) {
					out->nr--;
					free(out->r[out->nr].path);
					free(out->r[out->nr].hash);
				}
				if (!out->bad++)
					out->bad_line = r.line;
			}
			json_free(root);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

void ai_trace_release(struct ai_trace *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		free(t->r[i].path);
		free(t->r[i].hash);
	}
	free(t->r);
	memset(t, 0, sizeof(*t));
}
