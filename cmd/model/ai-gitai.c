/*
 * git-ai's authorship log, "authorship/3.0.0" (refs/notes/ai):
 *
 *   src/main.rs
 *     s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20
 *     h_31dce776f88375 42-50
 *   "src/my file.rs"
 *     abcd1234abcd1234 1-50
 *   ---
 *   {"schema_version": "authorship/3.0.0", "prompts": {...},
 *    "sessions": {...}, "humans": {...}}
 *
 * A key "s_<id>::t_<trace>" is the session <id> of "sessions", "h_..."
 * a person of "humans", any other a legacy entry of "prompts"; an
 * agent's entry names it in agent_id.tool and agent_id.model.
 */
#include <string.h>

#include "base/die.h"
#include "base/json.h"
#include "model/ai-note.h"
#include "model/event.h"

struct line {
	const char *p;
	size_t len;
	size_t nr;      /* 1-based */
};

static int next_line(const char **p, const char *end, struct line *l)
{
	const char *nl;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', end - *p);
	l->p = *p;
	l->len = (nl ? nl : end) - *p;
	l->nr++;
	*p = nl ? nl + 1 : end;
	return 1;
}

static int is_divider(const struct line *l)
{
	return l->len == 3 && !memcmp(l->p, "---", 3);
}

/* "1-4,9,12-14": each range in order into f; -1 when malformed. */
static int parse_ranges(struct ai_file *f, const char *p, size_t len,
			const struct ai_span *who)
{
	const char *end = p + len;

	while (p < end) {
		uint64_t a = 0, b;
		int digits = 0;

		while (p < end && *p >= '0' && *p <= '9' && digits++ < 10)
			a = a * 10 + (*p++ - '0');
		if (!digits || a == 0 || a > INT32_MAX)
			return -1;
		b = a;
		if (p < end && *p == '-') {
			p++;
			b = 0;
			digits = 0;
			while (p < end && *p >= '0' && *p <= '9' &&
			       digits++ < 10)
				b = b * 10 + (*p++ - '0');
			if (!digits || b < a || b > INT32_MAX)
				return -1;
		}
		ai_file_add(f, (uint32_t)a, (uint32_t)b, who);
		if (p < end && *p++ != ',')
			return -1;
		if (p == end && p[-1] == ',')
			return -1;
	}
	return 0;
}

/* Who a key names, from the metadata. */
static void resolve(const struct json *meta, const char *key, size_t len,
		    struct ai_span *who)
{
	char buf[128];
	const struct json *rec = NULL, *map = NULL;
	const char *sep;

	memset(who, 0, sizeof(*who));
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, key, len);
	buf[len] = '\0';
	if (!strncmp(buf, "h_", 2)) {
		map = json_get(meta, "humans");
		for (rec = json_child(map); rec; rec = json_next(rec))
			if (!strcmp(json_key(rec), buf))
				break;
		who->human = event_intern(json_get_str(rec, "author"));
		return;
	}
	if (!strncmp(buf, "s_", 2)) {
		if ((sep = strstr(buf, "::")))
			buf[sep - buf] = '\0';
		map = json_get(meta, "sessions");
	} else {
		map = json_get(meta, "prompts");
	}
	for (rec = json_child(map); rec; rec = json_next(rec))
		if (!strcmp(json_key(rec), buf))
			break;
	/* An agent's key whose entry is missing: an agent, unnamed. */
	who->tool = event_intern(json_get_str(rec, "agent_id.tool"));
	if (!who->tool)
		who->tool = event_intern("unknown");
	who->model = event_intern(json_get_str(rec, "agent_id.model"));
	who->human = event_intern(json_get_str(rec, "human_author"));
}

static int parse_entry(struct ai_file *f, const struct json *meta,
		       const struct line *l)
{
	const char *p = l->p + 2, *end = l->p + l->len, *sp;
	struct ai_span who;

	sp = memchr(p, ' ', end - p);
	if (!sp || sp == p)
		return -1;
	resolve(meta, p, sp - p, &who);
	return parse_ranges(f, sp + 1, end - sp - 1, &who);
}

static int parse_attestations(struct ai_note *out, const char *buf,
			      const char *end, const struct json *meta,
			      size_t *bad_line)
{
	struct line l = { NULL, 0, 0 };
	struct ai_file *f = NULL;

	while (next_line(&buf, end, &l) && !is_divider(&l)) {
		if (l.len && l.p[l.len - 1] == '\r')
			l.len--;
		if (!l.len)
			continue;
		if (l.len > 2 && l.p[0] == ' ' && l.p[1] == ' ') {
			if (!f || parse_entry(f, meta, &l) < 0)
				goto bad;
			continue;
		}
		if (l.p[0] == ' ' || l.p[0] == '\t')
			goto bad;
		if (l.p[0] == '"') {
			if (l.len < 3 || l.p[l.len - 1] != '"')
				goto bad;
			f = ai_note_add_file(out, l.p + 1, l.len - 2);
		} else {
			f = ai_note_add_file(out, l.p, l.len);
		}
	}
	return 0;
bad:
	*bad_line = l.nr;
	return -1;
}

int ai_note_parse_gitai(struct ai_note *out, const char *buf, size_t len,
			size_t *bad_line)
{
	const char *p = buf, *end = buf + len, *json = NULL;
	struct line l = { NULL, 0, 0 };
	struct json *meta = NULL;
	const char *schema;
	size_t meta_line = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	*bad_line = 0;
	while (next_line(&p, end, &l))
		if (is_divider(&l)) {
			json = p;
			meta_line = l.nr + 1;
			break;
		}
	if (!json) {
		*bad_line = l.nr + 1;
		goto cleanup;
	}
	*bad_line = meta_line;
	if (memchr(buf, '\0', len))
		goto cleanup;
	meta = json_parse(json, end - json);
	schema = json_get_str(meta, "schema_version");
	if (!json_is_object(meta) || !schema ||
	    strncmp(schema, "authorship/", 11))
		goto cleanup;
	*bad_line = 0;
	ret = parse_attestations(out, buf, end, meta, bad_line);
cleanup:
	json_free(meta);
	if (ret < 0)
		ai_note_release(out);
	return ret;
}
