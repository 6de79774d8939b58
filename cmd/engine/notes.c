/*
 * Usage notes: JSON Lines under tokens.notesRef, read in one
 * pass, appended with compare-and-swap. See notes.h for the contract.
 */
#include "base/compat.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/json.h"
#include "base/paths.h"
#include "base/run-command.h"
#include "engine/notes.h"
#include "git/repo.h"
#include "sources/sources.h"

/* A writer that keeps losing the race is given up on after this many. */
#define NOTES_MAX_ATTEMPTS 100
/* How long a writer waits for another git-tokens writer of the notes. */
#define NOTES_LOCK_WAIT_MS 10000
/* How long a ref lock a killed writer of ours may have left is watched. */
#define REF_LOCK_WATCH_MS 1000

int notes_ref(struct repo *repo, struct strbuf *out)
{
	char *v = NULL;
	int r = repo_config_string(repo, "tokens.notesRef", &v);

	strbuf_reset(out);
	if (r < 0)
		return -1;
	if (r > 0 || !v || !*v) {
		strbuf_addstr(out, NOTES_DEFAULT_REF);
	} else if (!strncmp(v, "refs/", 5)) {
		strbuf_addstr(out, v);
	} else if (!strncmp(v, "notes/", 6)) {
		strbuf_addf(out, "refs/%s", v);
	} else {
		/* As git does for --ref: "tokens" is refs/notes/tokens. */
		strbuf_addf(out, "refs/notes/%s", v);
	}
	free(v);
	return 0;
}

static const char *how_names[] = {
	[ATTRIB_NONE] = "none",
	[ATTRIB_DAY] = "day",
	[ATTRIB_WINDOW] = "window",
	[ATTRIB_LINK] = "link",
	[ATTRIB_HOOK] = "hook",
	[ATTRIB_IMPORT] = "import",
};

const char *notes_how_name(enum attrib_how how)
{
	if ((size_t)how < ARRAY_SIZE(how_names))
		return how_names[how];
	return "none";
}

int notes_how_parse(const char *s)
{
	size_t i;

	for (i = ATTRIB_DAY; i < ARRAY_SIZE(how_names); i++)
		if (!strcmp(s, how_names[i]))
			return (int)i;
	return -1;
}

/* ---- one line ---- */

static int parse_counter(struct json *obj, const char *key, uint64_t *out)
{
	int r = json_get_u64(obj, key, out);

	return r == JSON_NUM_BAD ? -1 : 0;
}

/* A line of our v1 format, or -1 (then the line is kept verbatim). */
static int line_parse(struct note_line *l)
{
	struct json *obj = json_parse(l->raw, strlen(l->raw));
	struct json *v;
	const char *s;
	double d;
	int how, ret = -1;

	if (!json_is_object(obj))
		goto cleanup;
	v = json_get(obj, "v");
	if (!json_is_number(v) || json_double(v, &d) || d != 1)
		goto cleanup;
	s = json_get_str(obj, "tool");
	if (!s || !*s)
		goto cleanup;
	l->tool = event_intern(s);
	l->model = event_intern(json_get_str(obj, "model"));
	s = json_get_str(obj, "session");
	if (s && strlen(s) < sizeof(l->session))
		strcpy(l->session, s);
	else if (s)
		goto cleanup;
	s = json_get_str(obj, "from");
	if (!s || date_parse_iso(s, &l->from) < 0)
		goto cleanup;
	s = json_get_str(obj, "to");
	if (!s || date_parse_iso(s, &l->to) < 0 || l->to < l->from)
		goto cleanup;
	l->to_ms = !!strpbrk(s, ".,");
	if (parse_counter(obj, "requests", &l->requests) ||
	    parse_counter(obj, "input", &l->input) ||
	    parse_counter(obj, "output", &l->output) ||
	    parse_counter(obj, "cache_write", &l->cache_write) ||
	    parse_counter(obj, "cache_read", &l->cache_read))
		goto cleanup;
	v = json_get(obj, "cost_usd");
	if (json_is_number(v)) {
		if (json_double(v, &l->cost) || l->cost < 0 || isnan(l->cost))
			goto cleanup;
		l->cost_known = 1;
	} else if (v && !json_is_null(v)) {
		goto cleanup;
	}
	l->by = event_intern(json_get_str(obj, "by"));
	s = json_get_str(obj, "how");
	if (!s || (how = notes_how_parse(s)) < 0)
		goto cleanup;
	l->how = (enum attrib_how)how;
	ret = 0;
cleanup:
	json_free(obj);
	return ret;
}

int note_add_raw(struct note *n, const char *line, size_t len)
{
	struct note_line *l;
	size_t i;

	/* A line is kept as a C string: it ends at a NUL byte, if any. */
	len = strnlen(line, len);
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	/* Blank lines carry nothing (and note_parse() would skip them). */
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' ||
				line[i] == '\r'); i++)
		;
	if (i == len)
		return 0;
	for (i = 0; i < n->nr; i++)
		if (strlen(n->lines[i].raw) == len &&
		    !memcmp(n->lines[i].raw, line, len))
			return 0;
	ALLOC_GROW(n->lines, n->nr + 1, n->alloc);
	l = &n->lines[n->nr++];
	memset(l, 0, sizeof(*l));
	l->raw = xstrndup(line, len);
	if (line_parse(l) < 0) {
		char *raw = l->raw;

		memset(l, 0, sizeof(*l));
		l->raw = raw;
		if (!n->bad++)
			n->bad_first = n->nr;
	} else {
		l->valid = 1;
	}
	return 1;
}

void note_parse(struct note *out, const char *text, size_t len)
{
	const char *end = text + len, *p = text;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t i;

		/* Blank and whitespace-only lines carry nothing. */
		for (i = 0; i < l && (p[i] == ' ' || p[i] == '\t' ||
				      p[i] == '\r'); i++)
			;
		if (i < l)
			note_add_raw(out, p, l);
		p += l + 1;
	}
}

void note_format(const struct note *n, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < n->nr; i++) {
		strbuf_addstr(out, n->lines[i].raw);
		strbuf_addch(out, '\n');
	}
}

void note_release(struct note *n)
{
	size_t i;

	for (i = 0; i < n->nr; i++)
		free(n->lines[i].raw);
	free(n->lines);
	n->lines = NULL;
	n->nr = n->alloc = 0;
	n->bad = n->bad_first = 0;
}

void note_usage(const struct note *n, struct usage_sum *u)
{
	size_t i;

	for (i = 0; i < n->nr; i++) {
		const struct note_line *l = &n->lines[i];

		if (!l->valid)
			continue;
		usage_sum_add(u, l->requests, l->input, l->output,
			      l->cache_write, l->cache_read, l->cost,
			      l->cost_known, l->how);
	}
}

/* ---- lines from events ---- */

/* To the millisecond: which events of a second a note holds matters. */
static void add_time(struct strbuf *out, int64_t ms)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	char buf[40];

	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm)) {
		strcpy(buf, "1970-01-01T00:00:00");
		ms = 0;
	}
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%03dZ",
		 (int)(ms - (int64_t)t * 1000));
	strbuf_add_json_str(out, buf);
}

static void add_cost(struct strbuf *out, double cost)
{
	char buf[64];
	size_t len;

	snprintf(buf, sizeof(buf), "%.6f", cost);
	len = strlen(buf);
	while (len > 1 && buf[len - 1] == '0' && buf[len - 2] != '.')
		len--;
	strbuf_add(out, buf, len);
}

struct group {
	const struct usage_event *first;
	const char *by;
	int64_t from, to;
	uint64_t requests, input, output, cache_write, cache_read;
	double cost;
	int cost_unknown;
};

static int same_group(const struct group *g, const struct usage_event *ev,
		      const char *by)
{
	return g->first->tool == ev->tool &&
		g->first->model == ev->model &&
		!strcmp(g->first->session, ev->session) &&
		g->by == by;
}

void notes_lines_from_events(struct strvec *out,
			     const struct usage_event *ev, size_t nr,
			     const char *by, enum attrib_how how)
{
	struct group *g = NULL;
	size_t ng = 0, alloc = 0, i, j;
	struct strbuf sb = STRBUF_INIT;

	for (i = 0; i < nr; i++) {
		const char *who = by ? by : ev[i].author;
		struct group *cur = NULL;

		for (j = 0; j < ng; j++)
			if (same_group(&g[j], &ev[i], who)) {
				cur = &g[j];
				break;
			}
		if (!cur) {
			ALLOC_GROW(g, ng + 1, alloc);
			cur = &g[ng++];
			memset(cur, 0, sizeof(*cur));
			cur->first = &ev[i];
			cur->by = who;
			cur->from = cur->to = ev[i].time;
		}
		if (ev[i].time < cur->from)
			cur->from = ev[i].time;
		if (ev[i].time > cur->to)
			cur->to = ev[i].time;
		cur->requests++;
		cur->input += ev[i].input;
		cur->output += ev[i].output;
		cur->cache_write += ev[i].cache_write;
		cur->cache_read += ev[i].cache_read;
		if (ev[i].cost_known)
			cur->cost += ev[i].cost;
		else
			cur->cost_unknown = 1;
	}
	for (j = 0; j < ng; j++) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, "{\"v\":1,\"tool\":");
		strbuf_add_json_str(&sb, tool_name(g[j].first->tool));
		strbuf_addstr(&sb, ",\"model\":");
		if (g[j].first->model)
			strbuf_add_json_str(&sb, g[j].first->model);
		else
			strbuf_addstr(&sb, "null");
		strbuf_addstr(&sb, ",\"session\":");
		if (g[j].first->session[0])
			strbuf_add_json_str(&sb, g[j].first->session);
		else
			strbuf_addstr(&sb, "null");
		strbuf_addstr(&sb, ",\"from\":");
		add_time(&sb, g[j].from);
		strbuf_addstr(&sb, ",\"to\":");
		add_time(&sb, g[j].to);
		strbuf_addf(&sb, ",\"requests\":%" PRIu64 ",\"input\":%" PRIu64
			    ",\"output\":%" PRIu64 ",\"cache_write\":%" PRIu64
			    ",\"cache_read\":%" PRIu64 ",\"cost_usd\":",
			    g[j].requests, g[j].input, g[j].output,
			    g[j].cache_write, g[j].cache_read);
		/* A model without a price: unknown, never a silent zero. */
		if (g[j].cost_unknown)
			strbuf_addstr(&sb, "null");
		else
			add_cost(&sb, g[j].cost);
		if (g[j].by) {
			strbuf_addstr(&sb, ",\"by\":");
			strbuf_add_json_str(&sb, g[j].by);
		}
		strbuf_addstr(&sb, ",\"how\":");
		strbuf_add_json_str(&sb, notes_how_name(how));
		strbuf_addch(&sb, '}');
		strvec_push(out, sb.buf);
	}
	strbuf_release(&sb);
	free(g);
}

/* ---- the whole ref ---- */

static int collect_note(const char *commit, const char *text, size_t len,
			void *data)
{
	struct notes_map *m = data;
	struct note *n;

	ALLOC_GROW(m->notes, m->nr + 1, m->alloc);
	n = &m->notes[m->nr++];
	memset(n, 0, sizeof(*n));
	memcpy(n->commit, commit, sizeof(n->commit));
	note_parse(n, text, len);
	return 0;
}

static int note_cmp(const void *a, const void *b)
{
	return strcmp(((const struct note *)a)->commit,
		      ((const struct note *)b)->commit);
}

/* Sort the notes by commit and count the lines not understood. */
static void map_sort(struct notes_map *m)
{
	size_t i;

	if (m->nr)
		qsort(m->notes, m->nr, sizeof(*m->notes), note_cmp);
	m->bad_lines = 0;
	m->bad_commit[0] = '\0';
	for (i = 0; i < m->nr; i++) {
		if (!m->notes[i].bad)
			continue;
		if (!m->bad_lines)
			memcpy(m->bad_commit, m->notes[i].commit,
			       sizeof(m->bad_commit));
		m->bad_lines += m->notes[i].bad;
	}
}

static int read_map(struct repo *repo, const char *tip, struct notes_map *out)
{
	memcpy(out->tip, tip, sizeof(out->tip));
	if (repo_notes_read_all(repo, tip, collect_note, out) < 0)
		return -1;
	map_sort(out);
	return 0;
}

/* ref, or the configured notes ref (NULL after error()). */
static const char *ref_or_default(struct repo *repo, const char *ref,
				  struct strbuf *name)
{
	if (ref)
		return ref;
	return notes_ref(repo, name) < 0 ? NULL : name->buf;
}

/* The tip of ref (or the configured one): 0, 1 when none, -1. */
static int tip_of(struct repo *repo, const char *ref, char tip[OID_HEX + 1])
{
	struct strbuf name = STRBUF_INIT;
	int r = -1;

	if ((ref = ref_or_default(repo, ref, &name)))
		r = repo_notes_tip(repo, ref, tip);
	strbuf_release(&name);
	return r;
}

int notes_read_all(struct repo *repo, const char *ref, struct notes_map *out)
{
	char tip[OID_HEX + 1];
	int r = tip_of(repo, ref, tip);

	if (r)
		return r < 0 ? -1 : 0;
	return read_map(repo, tip, out);
}

/* The note of commit among the first nr (sorted) notes of m, or NULL. */
static struct note *find_note(const struct notes_map *m, size_t nr,
			      const char *commit)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->notes[mid].commit, commit);

		if (!c)
			return &m->notes[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct note *notes_find(const struct notes_map *m, const char *commit)
{
	return find_note(m, m->nr, commit);
}

int notes_read_union(struct repo *repo, const char *ref, struct notes_map *m)
{
	struct notes_map theirs = NOTES_MAP_INIT;
	char tip[OID_HEX + 1];
	size_t i, k, nr = m->nr;
	int r = repo_notes_tip(repo, ref, tip);

	if (r)
		return r < 0 ? -1 : 0;
	if (!*m->tip)
		return read_map(repo, tip, m);
	/* As a merge would: nothing to add, or a fast-forward. */
	r = repo_is_ancestor(repo, tip, m->tip);
	if (r)
		return r < 0 ? -1 : 0;
	if (!m->merged) {
		r = repo_is_ancestor(repo, m->tip, tip);
		if (r < 0)
			return -1;
		if (r) {
			notes_map_release(m);
			return read_map(repo, tip, m);
		}
	}
	if (read_map(repo, tip, &theirs) < 0) {
		notes_map_release(&theirs);
		return -1;
	}
	for (i = 0; i < theirs.nr; i++) {
		const struct note *t = &theirs.notes[i];
		struct note *n = find_note(m, nr, t->commit);

		if (!n) {
			ALLOC_GROW(m->notes, m->nr + 1, m->alloc);
			n = &m->notes[m->nr++];
			memset(n, 0, sizeof(*n));
			memcpy(n->commit, t->commit, sizeof(n->commit));
		}
		for (k = 0; k < t->nr; k++)
			note_add_raw(n, t->lines[k].raw,
				     strlen(t->lines[k].raw));
	}
	m->merged = 1;
	map_sort(m);
	notes_map_release(&theirs);
	return 0;
}

void notes_map_release(struct notes_map *m)
{
	size_t i;

	for (i = 0; i < m->nr; i++)
		note_release(&m->notes[i]);
	free(m->notes);
	m->notes = NULL;
	m->nr = m->alloc = 0;
	m->tip[0] = m->bad_commit[0] = '\0';
	m->bad_lines = 0;
	m->merged = 0;
}

void notes_warn_bad(const struct notes_map *m)
{
	if (!m->bad_lines)
		return;
	warning("%zu note line%s not understood (kept as they are), first in "
		"the note of %.12s", m->bad_lines, m->bad_lines == 1 ? "" : "s",
		m->bad_commit);
}

/* ---- writing ---- */

/*
 * The text of the merged note for one commit: what is at tip, then
 * each new line not already there. *added counts the new lines.
 */
struct pending_update {
	char commit[41];
	struct strbuf text;
};

static int merge_lines(struct repo *repo, const char *tip, const char *commit,
		       const char * const *lines, size_t nr,
		       struct strbuf *text, size_t *added)
{
	struct strbuf old = STRBUF_INIT;
	struct note n = { "", NULL, 0, 0, 0, 0 };
	size_t i;
	int r;

	*added = 0;
	r = repo_note_read(repo, tip, commit, &old);
	if (r < 0)
		return -1;
	note_parse(&n, old.buf, old.len);
	for (i = 0; i < nr; i++)
		*added += note_add_raw(&n, lines[i], strlen(lines[i]));
	strbuf_reset(text);
	/* Keep the old text byte for byte; only append to it. */
	if (*added) {
		strbuf_addbuf(text, &old);
		if (text->len && text->buf[text->len - 1] != '\n')
			strbuf_addch(text, '\n');
		for (i = n.nr - *added; i < n.nr; i++) {
			strbuf_addstr(text, n.lines[i].raw);
			strbuf_addch(text, '\n');
		}
	}
	note_release(&n);
	strbuf_release(&old);
	return 0;
}

/*
 * Tests only: GIT_TOKENS_TEST_NOTES_RACE is a shell command run between
 * reading the tip and moving the ref, a second writer in the gap.
 */
static void test_race_hook(void)
{
	const char *cmd = getenv("GIT_TOKENS_TEST_NOTES_RACE");
	struct child_process cp = CHILD_PROCESS_INIT;

	if (!cmd || !*cmd)
		return;
	strvec_push(&cp.args, cmd);
	cp.use_shell = 1;
	cp.no_stdin = 1;
	run_command(&cp);
	child_process_clear(&cp);
}

/*
 * Our writers of a notes ref hold <common dir>/tokens/notes.lock (a
 * lock that dies with its process) while they write it, with the ref's
 * name in it. libgit2, like git, takes <ref>.lock while it moves a ref
 * and never removes one a killed process left: every later write would
 * then fail. A notes.lock found with a ref name in it was left by a
 * writer of ours killed while it held it; a lock of that ref that stays
 * there (the same file) for a while is its leftover, and goes.
 */
struct notes_lock {
	struct strbuf path;
	int fd;
};

static void ref_lock_path(struct repo *repo, const char *ref,
			  struct strbuf *out)
{
	repo_common_path(repo, out, ref);
	strbuf_addstr(out, ".lock");
}

static void ref_lock_clear_stale(struct repo *repo, const char *ref)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	struct strbuf path = STRBUF_INIT;
	struct stat first, now;
	int waited;

	ref_lock_path(repo, ref, &path);
	if (lstat(path.buf, &first) < 0)
		goto cleanup;
	/* A live git process holds a ref lock for milliseconds. */
	for (waited = 0; waited < REF_LOCK_WATCH_MS; waited += 10) {
		nanosleep(&pause, NULL);
		if (lstat(path.buf, &now) < 0 || now.st_ino != first.st_ino ||
		    now.st_dev != first.st_dev ||
		    now.st_ctime != first.st_ctime ||
		    compat_ctime_nsec(&now) != compat_ctime_nsec(&first))
			goto cleanup;
	}
	if (unlink(path.buf) < 0 && errno != ENOENT)
		error_errno("cannot remove '%s' (left by a killed "
			    "'git tokens')", path.buf);
	else
		warning("removed '%s', left by a killed 'git tokens'",
			path.buf);
cleanup:
	strbuf_release(&path);
}

static int notes_lock_take(struct repo *repo, const char *ref,
			   struct notes_lock *l)
{
	struct strbuf left = STRBUF_INIT, text = STRBUF_INIT;
	int ret = -1;

	strbuf_init(&l->path, 0);
	l->fd = -1;
	if (repo_tokens_dir(repo, &l->path) < 0)
		goto cleanup;
	strbuf_addstr(&l->path, "notes.lock");
	l->fd = lock_file_take(l->path.buf, NOTES_LOCK_WAIT_MS, &left);
	if (l->fd == -2) {
		error("another 'git tokens' is writing the notes ('%s' is "
		      "locked)", l->path.buf);
		goto cleanup;
	}
	if (l->fd < 0)
		goto cleanup;
	strbuf_rtrim(&left);
	if (left.len && !strncmp(left.buf, "refs/", 5) &&
	    !memchr(left.buf, '\n', left.len) && !strstr(left.buf, ".."))
		ref_lock_clear_stale(repo, left.buf);
	/* What a later writer reads if we are killed (best effort). */
	strbuf_addf(&text, "%s\n", ref);
	lock_file_write(l->fd, text.buf);
	ret = 0;
cleanup:
	if (ret) {
		if (l->fd >= 0)
			lock_file_release(l->path.buf, l->fd);
		l->fd = -1;
		strbuf_release(&l->path);
	}
	strbuf_release(&left);
	strbuf_release(&text);
	return ret;
}

static void notes_lock_release(struct notes_lock *l)
{
	if (l->fd >= 0)
		lock_file_release(l->path.buf, l->fd);
	l->fd = -1;
	strbuf_release(&l->path);
}

/* Whether <ref>.lock is there: another process is moving the ref. */
static int ref_locked(struct repo *repo, const char *ref)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int r;

	ref_lock_path(repo, ref, &path);
	r = !lstat(path.buf, &st);
	strbuf_release(&path);
	return r;
}

/*
 * One move of a notes ref from tip: new notes on top of it (updates,
 * merge_parent, msg), or with ff_to set, a fast-forward to ff_to.
 */
struct notes_move {
	const char *tip;
	const struct note_update *updates;
	size_t n;
	const char *merge_parent;
	const char *msg;
	const char *ff_to;
};

/*
 * Make the move holding our notes lock: 0 when done, 1 when the ref
 * moved underneath (after a pause when another git process holds
 * <ref>.lock, which *locked then says), -1 after error().
 */
static int notes_move_locked(struct repo *repo, const char *ref,
			     const struct notes_move *m, int *locked)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	struct notes_lock lock;
	int r;

	*locked = 0;
	if (notes_lock_take(repo, ref, &lock) < 0)
		return -1;
	if (m->ff_to)
		r = repo_ref_cas(repo, ref, m->ff_to, m->tip,
				 "notes: fast-forward by git tokens");
	else
		r = repo_notes_write(repo, ref, m->updates, m->n, m->tip,
				     m->merge_parent, m->msg, NULL);
	notes_lock_release(&lock);
	if (r <= 0)
		return r;
	*locked = ref_locked(repo, ref);
	if (*locked)
		nanosleep(&pause, NULL);
	return 1;
}

/* Lines to add to a commit, from appends or from other notes. */
struct notes_job {
	char commit[41];
	struct strvec lines;
};

static int notes_apply(struct repo *repo, const char *ref,
		       struct notes_job *jobs, size_t nr, size_t *total,
		       const char *merge_parent, const char *msg)
{
	struct strbuf name = STRBUF_INIT;
	struct pending_update *pu = NULL;
	struct note_update *up = NULL;
	char tip[OID_HEX + 1];
	struct notes_move move = { .tip = tip, .merge_parent = merge_parent,
				   .msg = msg };
	size_t i, n, added, sum = 0;
	int attempt, r, locked = 0, ret = -1;

	if (!(ref = ref_or_default(repo, ref, &name)))
		goto cleanup;
	pu = xcalloc(nr ? nr : 1, sizeof(*pu));
	up = xcalloc(nr ? nr : 1, sizeof(*up));
	for (i = 0; i < nr; i++)
		strbuf_init(&pu[i].text, 0);

	for (attempt = 0; attempt < NOTES_MAX_ATTEMPTS; attempt++) {
		r = repo_notes_tip(repo, ref, tip);
		if (r < 0)
			goto cleanup;
		n = 0;
		sum = 0;
		for (i = 0; i < nr; i++) {
			if (merge_lines(repo, tip, jobs[i].commit,
					(const char * const *)jobs[i].lines.v,
					jobs[i].lines.nr, &pu[i].text,
					&added) < 0)
				goto cleanup;
			if (!added)
				continue;
			sum += added;
			memcpy(up[n].commit, jobs[i].commit,
			       sizeof(up[n].commit));
			up[n].text = pu[i].text.buf;
			up[n].len = pu[i].text.len;
			n++;
		}
		if (!n && !merge_parent) {
			ret = 0;
			goto cleanup;
		}
		if (!attempt)
			test_race_hook();
		move.updates = up;
		move.n = n;
		r = notes_move_locked(repo, ref, &move, &locked);
		if (r <= 0) {
			ret = r;
			goto cleanup;
		}
		/* The ref moved underneath: read the new tip, apply again. */
	}
	if (locked) {
		struct strbuf path = STRBUF_INIT;

		ref_lock_path(repo, ref, &path);
		error("cannot update '%s': '%s' exists (if no git process is "
		      "running, remove it)", ref, path.buf);
		strbuf_release(&path);
	} else {
		error("cannot update '%s': it keeps moving underneath", ref);
	}
cleanup:
	if (total)
		*total = ret ? 0 : sum;
	for (i = 0; i < nr; i++)
		strbuf_release(&pu[i].text);
	free(pu);
	free(up);
	strbuf_release(&name);
	return ret;
}

int notes_has_lines(struct repo *repo, const char *ref, const char *commit,
		    const char * const *lines, size_t nr)
{
	struct strbuf text = STRBUF_INIT;
	struct note n = { "", NULL, 0, 0, 0, 0 };
	char tip[OID_HEX + 1];
	size_t i;
	int r, ret = -1;

	r = tip_of(repo, ref, tip);
	if (r < 0)
		goto cleanup;
	if (!r && repo_note_read(repo, tip, commit, &text) < 0)
		goto cleanup;
	note_parse(&n, text.buf, text.len);
	ret = 1;
	for (i = 0; i < nr && ret; i++)
		if (note_add_raw(&n, lines[i], strlen(lines[i])))
			ret = 0;
cleanup:
	note_release(&n);
	strbuf_release(&text);
	return ret;
}

/* Several appends to one commit become one job. */
static void jobs_release(struct notes_job *jobs, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		strvec_clear(&jobs[i].lines);
	free(jobs);
}

static struct notes_job *job_for(struct notes_job **jobs, size_t *nr,
				 size_t *alloc, const char *commit)
{
	size_t i;

	for (i = 0; i < *nr; i++)
		if (!strcmp((*jobs)[i].commit, commit))
			return &(*jobs)[i];
	ALLOC_GROW(*jobs, *nr + 1, *alloc);
	memset(&(*jobs)[*nr], 0, sizeof(**jobs));
	snprintf((*jobs)[*nr].commit, sizeof((*jobs)[*nr].commit), "%s",
		 commit);
	strvec_init(&(*jobs)[*nr].lines);
	return &(*jobs)[(*nr)++];
}

int notes_append(struct repo *repo, const char *ref,
		 const struct notes_append *a, size_t nr, size_t *added)
{
	struct notes_job *jobs = NULL, *j;
	size_t njobs = 0, alloc = 0, i, k;
	int ret;

	for (i = 0; i < nr; i++) {
		j = job_for(&jobs, &njobs, &alloc, a[i].commit);
		for (k = 0; k < a[i].lines.nr; k++)
			strvec_push(&j->lines, a[i].lines.v[k]);
	}
	ret = notes_apply(repo, ref, jobs, njobs, added, NULL,
			  "Notes added by 'git tokens record'");
	jobs_release(jobs, njobs);
	return ret;
}

int notes_copy(struct repo *repo, const char *ref,
	       const struct notes_rewrite *r, size_t nr, size_t *added)
{
	struct notes_map m = NOTES_MAP_INIT;
	struct notes_job *jobs = NULL, *j;
	size_t njobs = 0, alloc = 0, i, k;
	int ret = -1;

	if (notes_read_all(repo, ref, &m) < 0)
		goto cleanup;
	for (i = 0; i < nr; i++) {
		const struct note *n = notes_find(&m, r[i].from);

		if (!n || !strcmp(r[i].from, r[i].to))
			continue;
		j = job_for(&jobs, &njobs, &alloc, r[i].to);
		for (k = 0; k < n->nr; k++)
			strvec_push(&j->lines, n->lines[k].raw);
	}
	ret = notes_apply(repo, ref, jobs, njobs, added, NULL,
			  "Notes copied by 'git tokens'");
cleanup:
	jobs_release(jobs, njobs);
	notes_map_release(&m);
	return ret;
}

int notes_merge(struct repo *repo, const char *ref, const char *other,
		int *changed)
{
	struct strbuf name = STRBUF_INIT;
	struct notes_map theirs = NOTES_MAP_INIT;
	struct notes_job *jobs = NULL, *j;
	char ours[OID_HEX + 1], their_tip[OID_HEX + 1];
	struct notes_move ff = { .tip = ours, .ff_to = their_tip };
	size_t njobs = 0, alloc = 0, i, k;
	int r, attempt, locked, ret = -1;

	*changed = 0;
	if (!(ref = ref_or_default(repo, ref, &name)))
		goto cleanup;
	r = repo_resolve(repo, other, their_tip);
	if (r) {
		if (r > 0)
			error("cannot resolve notes '%s'", other);
		goto cleanup;
	}
	if (read_map(repo, their_tip, &theirs) < 0)
		goto cleanup;
	for (i = 0; i < theirs.nr; i++) {
		j = job_for(&jobs, &njobs, &alloc, theirs.notes[i].commit);
		for (k = 0; k < theirs.notes[i].nr; k++)
			strvec_push(&j->lines, theirs.notes[i].lines[k].raw);
	}
	for (attempt = 0; attempt < NOTES_MAX_ATTEMPTS; attempt++) {
		r = repo_notes_tip(repo, ref, ours);
		if (r < 0)
			goto cleanup;
		if (!r)
			r = repo_is_ancestor(repo, ours, their_tip);
		else
			r = 1;  /* no notes of ours yet: take theirs */
		if (r < 0)
			goto cleanup;
		if (r > 0) {
			/* Nothing of ours is missing there: fast-forward. */
			if (!strcmp(ours, their_tip)) {
				ret = 0;
				goto cleanup;
			}
			r = notes_move_locked(repo, ref, &ff, &locked);
			if (r <= 0) {
				*changed = !r;
				ret = r;
				goto cleanup;
			}
			continue;
		}
		r = repo_is_ancestor(repo, their_tip, ours);
		if (r < 0)
			goto cleanup;
		if (r > 0) {
			ret = 0;
			goto cleanup;
		}
		/* A real merge: notes_apply retries on its own. */
		ret = notes_apply(repo, ref, jobs, njobs, NULL, their_tip,
				  "Notes merged by 'git tokens sync'");
		if (!ret)
			*changed = 1;
		goto cleanup;
	}
	error("cannot update '%s': it keeps moving underneath", ref);
cleanup:
	jobs_release(jobs, njobs);
	notes_map_release(&theirs);
	strbuf_release(&name);
	return ret;
}
