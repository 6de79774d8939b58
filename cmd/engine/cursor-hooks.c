/*
 * Adding our stop hook to Cursor's hooks.json and taking it out again.
 * The file is edited as text, never re-serialized: everything the user
 * wrote keeps its bytes. Its layout (cursor.com/docs/agent/hooks):
 *
 *   {"version": 1, "hooks": {"stop": [{"command": "…"}, …], …}}
 *
 * The user's file is the one for every workspace: a project's
 * .cursor/hooks.json is committed and runs for people who may not have
 * git-tokens, and the log is per user anyway.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/die.h"
#include "base/json.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "engine/cursor-hooks.h"
#include "sources/cursor.h"
#include "sources/sources.h"

#define ENTRY "{ \"command\": \"" CURSOR_HOOK_COMMAND "\" }"
#define NEW_FILE "{\n  \"version\": 1,\n  \"hooks\": {\n    \"stop\": [\n" \
	"      " ENTRY "\n    ]\n  }\n}\n"

struct paths {
	struct strbuf file;    /* ~/.cursor/hooks.json */
	struct strbuf before;  /* the file as it was, if it was */
	struct strbuf after;   /* the file as we left it */
};

static void paths_init(struct paths *p)
{
	strbuf_init(&p->file, 0);
	strbuf_init(&p->before, 0);
	strbuf_init(&p->after, 0);
	strbuf_addf(&p->file, "%s/.cursor/hooks.json", source_home());
	cursor_data_dir(&p->before);
	strbuf_addstr(&p->before, "cursor-hooks.json.before");
	cursor_data_dir(&p->after);
	strbuf_addstr(&p->after, "cursor-hooks.json.after");
}

static void paths_release(struct paths *p)
{
	strbuf_release(&p->file);
	strbuf_release(&p->before);
	strbuf_release(&p->after);
}

static size_t skip_ws(const char *s, size_t i, size_t end)
{
	while (i < end && strchr(" \t\r\n", s[i]))
		i++;
	return i;
}

/* The end of the JSON value at s[i] (well-formed: json_parse said so). */
static size_t skip_value(const char *s, size_t i, size_t end)
{
	int depth = 0, in_str = 0;

	for (; i < end; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			if (!in_str && !depth)
				return i + 1;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (!--depth)
				return i + 1;
		} else if (!depth && strchr(",}] \t\r\n", c))
			return i;
	}
	return end;
}

/* Is the value s[i..e) an entry running our command? */
static int is_ours(const char *s, size_t i, size_t e)
{
	struct json *j = json_parse(s + i, e - i);
	const char *cmd = json_get_str(j, "command");
	int ret = cmd && !strcmp(cmd, CURSOR_HOOK_COMMAND);

	json_free(j);
	return ret;
}

/*
 * The value of member key of the object whose text is s[o..e) (o at
 * its '{'), as [*vs, *ve); 1 when absent.
 */
static int member(const char *s, size_t o, size_t e, const char *key,
		  size_t *vs, size_t *ve)
{
	struct json_key k = { key, strlen(key) };
	struct json_raw raw;

	if (json_skim(s + o, e - o, &k, 1, &raw) < 0 || !raw.p)
		return 1;
	*vs = (size_t)(raw.p - s);
	*ve = *vs + raw.len;
	return 0;
}

/* Our entry's place in the stop list: 0 and [*a, *b) to cut, or 1. */
static int find_entry(const char *s, size_t len, size_t *a, size_t *b)
{
	size_t o = skip_ws(s, 0, len), hs, he, ss, se, i, e;

	if (member(s, o, len, "hooks", &hs, &he) || s[hs] != '{' ||
	    member(s, hs, he, "stop", &ss, &se) || s[ss] != '[')
		return 1;
	for (i = skip_ws(s, ss + 1, se); i < se && s[i] != ']';
	     i = skip_ws(s, i + 1, se)) {
		e = skip_value(s, i, se);
		if (is_ours(s, i, e)) {
			size_t after = skip_ws(s, e, se), prev = i;

			while (prev > ss + 1 && strchr(" \t\r\n", s[prev - 1]))
				prev--;
			if (s[prev - 1] == ',') {
				*a = prev - 1;
				*b = e;
			} else {
				*a = i;
				*b = s[after] == ',' ?
					skip_ws(s, after + 1, se) : e;
			}
			return 0;
		}
		i = skip_ws(s, e, se);
		if (i >= se || s[i] != ',')
			break;
	}
	return 1;
}

/* Insert our entry into the text of an existing file: 0, or -1. */
static int add_entry(const struct strbuf *old, struct strbuf *out)
{
	const char *s = old->buf;
	size_t len = old->len, o = skip_ws(s, 0, len), hs, he, ss, se, at;
	const char *text;
	int empty;

	if (member(s, o, len, "hooks", &hs, &he)) {
		at = o + 1;
		empty = s[skip_ws(s, at, len)] == '}';
		text = empty ? "\"hooks\": { \"stop\": [ " ENTRY " ] }" :
			"\"hooks\": { \"stop\": [ " ENTRY " ] }, ";
	} else if (s[hs] != '{') {
		return error("'hooks' in Cursor's hooks.json is not an object");
	} else if (member(s, hs, he, "stop", &ss, &se)) {
		at = hs + 1;
		empty = s[skip_ws(s, at, he)] == '}';
		text = empty ? "\"stop\": [ " ENTRY " ]" :
			"\"stop\": [ " ENTRY " ], ";
	} else if (s[ss] != '[') {
		return error("'hooks.stop' in Cursor's hooks.json is not a "
			     "list");
	} else {
		/* after the last entry, before the closing bracket */
		at = se - 1;
		while (at > ss + 1 && strchr(" \t\r\n", s[at - 1]))
			at--;
		text = at > ss + 1 ? ", " ENTRY : ENTRY;
	}
	strbuf_add(out, s, at);
	strbuf_addstr(out, text);
	strbuf_add(out, s + at, len - at);
	return 0;
}

/* Our data folder and ~/.cursor: 0, or -1 after error(). */
static int make_dirs(void)
{
	struct strbuf dir = STRBUF_INIT;
	int ret = 0;

	cursor_data_dir(&dir);
	if (mkdir_p(dir.buf) < 0)
		ret = error_errno("cannot create '%s'", dir.buf);
	strbuf_reset(&dir);
	strbuf_addf(&dir, "%s/.cursor", source_home());
	if (!ret && mkdir_p(dir.buf) < 0)
		ret = error_errno("cannot create '%s'", dir.buf);
	strbuf_release(&dir);
	return ret;
}

static int write_exact(const char *path, const struct strbuf *sb)
{
	return write_file_strbuf(path, sb, 0644, WRITE_FILE_SYNC);
}

int cursor_hooks_install(int quiet_opt)
{
	struct paths p;
	struct strbuf old = STRBUF_INIT, out = STRBUF_INIT;
	struct json *j = NULL;
	size_t a, b;
	int existed, ret = -1;

	paths_init(&p);
	existed = strbuf_read_file(&old, p.file.buf, 0) >= 0;
	if (!existed && errno != ENOENT) {
		error_errno("cannot read '%s'", p.file.buf);
		goto cleanup;
	}
	if (existed) {
		j = json_parse(old.buf, old.len);
		if (!json_is_object(j)) {
			error("'%s' is not a JSON object: not touching it",
			      p.file.buf);
			goto cleanup;
		}
		if (!find_entry(old.buf, old.len, &a, &b)) {
			if (!quiet_opt)
				printf("the Cursor stop hook is already in "
				       "'%s'\n", p.file.buf);
			ret = 0;
			goto cleanup;
		}
		if (add_entry(&old, &out) < 0)
			goto cleanup;
	} else {
		strbuf_addstr(&out, NEW_FILE);
	}
	if (make_dirs() < 0)
		goto cleanup;
	unlink(p.before.buf);
	if ((existed && write_exact(p.before.buf, &old) < 0) ||
	    write_exact(p.after.buf, &out) < 0 ||
	    write_exact(p.file.buf, &out) < 0)
		goto cleanup;
	if (!quiet_opt)
		printf("installed the Cursor stop hook in '%s'\n", p.file.buf);
	ret = 0;
cleanup:
	json_free(j);
	strbuf_release(&old);
	strbuf_release(&out);
	paths_release(&p);
	return ret;
}

int cursor_hooks_installed(struct strbuf *file)
{
	struct paths p;
	struct strbuf cur = STRBUF_INIT;
	size_t a, b;
	int ret = 0;

	paths_init(&p);
	strbuf_addbuf(file, &p.file);
	if (strbuf_read_file(&cur, p.file.buf, 0) >= 0)
		ret = !find_entry(cur.buf, cur.len, &a, &b);
	strbuf_release(&cur);
	paths_release(&p);
	return ret;
}

int cursor_hooks_uninstall(int quiet_opt)
{
	struct paths p;
	struct strbuf cur = STRBUF_INIT, after = STRBUF_INIT;
	struct strbuf before = STRBUF_INIT, out = STRBUF_INIT;
	size_t a, b;
	int ret = -1, had_before;

	paths_init(&p);
	if (strbuf_read_file(&cur, p.file.buf, 0) < 0) {
		if (errno != ENOENT) {
			error_errno("cannot read '%s'", p.file.buf);
			goto cleanup;
		}
		ret = 0;
		goto cleanup;
	}
	had_before = strbuf_read_file(&before, p.before.buf, 0) >= 0;
	if (strbuf_read_file(&after, p.after.buf, 0) >= 0 &&
	    after.len == cur.len && !memcmp(after.buf, cur.buf, cur.len)) {
		/* Untouched since install: put back what was there. */
		if (had_before ? write_exact(p.file.buf, &before) < 0 :
		    unlink(p.file.buf) < 0) {
			error_errno("cannot restore '%s'", p.file.buf);
			goto cleanup;
		}
	} else if (!find_entry(cur.buf, cur.len, &a, &b)) {
		strbuf_add(&out, cur.buf, a);
		strbuf_add(&out, cur.buf + b, cur.len - b);
		if (write_exact(p.file.buf, &out) < 0)
			goto cleanup;
	} else {
		ret = 0;
		goto cleanup;
	}
	if (!quiet_opt)
		printf("removed the Cursor stop hook from '%s'\n", p.file.buf);
	ret = 0;
cleanup:
	/* Nothing left to undo: forget what install kept. */
	if (!ret) {
		unlink(p.before.buf);
		unlink(p.after.buf);
	}
	strbuf_release(&cur);
	strbuf_release(&after);
	strbuf_release(&before);
	strbuf_release(&out);
	paths_release(&p);
	return ret;
}
