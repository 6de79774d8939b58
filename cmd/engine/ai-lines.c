/*
 * Agents' own line-level notes joined with the changes (ai-lines.h):
 * which refs hold them, reading and caching a commit's note, and the
 * lines of it "git blame" still finds at the mainline tip.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/die.h"
#include "base/oidmap.h"
#include "base/run-command.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "engine/ai-lines.h"
#include "engine/notes.h"
#include "engine/survival.h"
#include "git/git-cmd.h"
#include "git/repo.h"

#define QWEN_REF "refs/notes/ai-attribution"
#define TRACE_FILE ".agent-trace/traces.jsonl"

enum ai_format { AI_GITAI, AI_QWEN };

struct ai_ref {
	char *name;
	char tip[41];
	enum ai_format fmt;
	struct oidmap has;       /* the commits it annotates */
};

struct ai_cached {
	struct ai_note note;
	int have;
};

struct ai_notes {
	struct repo *repo;
	struct ai_ref *refs;
	size_t nr, alloc;
	struct oidmap seen;          /* commit -> index into got */
	struct ai_cached **got;
	size_t got_nr, got_alloc;
	size_t bad;                  /* notes skipped */
	char bad_commit[41];
	char *bad_ref;
	size_t bad_line;
	struct ai_trace trace;       /* the work tree's Agent Trace records */
	struct oidmap trace_revs;    /* their revisions */
	struct strvec kids;          /* "<parent> <child>" of trace revisions */
	int kids_listed;
};

/* The format and rank (0 local, 1 a remote's copy) a ref name holds. */
static int classify(const char *ref, enum ai_format *fmt)
{
	const char *r, *slash;

	if (!strcmp(ref, "refs/notes/ai"))
		return *fmt = AI_GITAI, 0;
	if (!strcmp(ref, QWEN_REF))
		return *fmt = AI_QWEN, 0;
	if (!strncmp(ref, "refs/notes/ai-remote/", 21) && ref[21])
		return *fmt = AI_GITAI, 1;
	if (strncmp(ref, "refs/notes/remotes/", 19) ||
	    !(slash = strchr(r = ref + 19, '/')) || slash == r)
		return -1;
	if (!strcmp(slash + 1, "ai"))
		return *fmt = AI_GITAI, 1;
	if (!strcmp(slash + 1, "ai-attribution"))
		return *fmt = AI_QWEN, 1;
	return -1;
}

static int ref_order(const void *a, const void *b)
{
	const struct ai_ref *x = a, *y = b;
	enum ai_format f;
	int rx = classify(x->name, &f), ry = classify(y->name, &f);

	if (x->fmt != y->fmt)
		return (int)x->fmt - (int)y->fmt;
	if (rx != ry)
		return rx - ry;
	return strcmp(x->name, y->name);
}

/* Which commits ref annotates: asking for each commit costs more. */
static void list_notes(struct ai_ref *r)
{
	const char *argv[] = { "notes", NULL, "list", NULL };
	struct strbuf buf = STRBUF_INIT;
	char **lines = NULL;
	size_t n, i;

	argv[1] = xstrfmt("--ref=%s", r->name);
	if (git_cmd(argv, &buf, NULL, GIT_CMD_QUIET | GIT_CMD_NO_STDIN))
		strbuf_reset(&buf);
	n = strbuf_split_inplace(buf.buf, '\n', &lines);
	for (i = 0; i < n; i++)
		if (strlen(lines[i]) == 81)
			oidmap_put(&r->has, lines[i] + 41, 1);
	free(lines);
	free((char *)argv[1]);
	strbuf_release(&buf);
}

/* The work tree's Agent Trace records; one warning for those unread. */
static void read_traces(struct ai_notes *an)
{
	const char *wt = repo_work_tree(an->repo);
	struct strbuf buf = STRBUF_INIT;
	char *path;
	size_t i;

	if (!wt)
		return;
	path = xstrfmt("%s%s", wt, TRACE_FILE);
	if (strbuf_read_file(&buf, path, 0) >= 0) {
		ai_trace_parse(&an->trace, buf.buf, buf.len);
		for (i = 0; i < an->trace.nr; i++)
			oidmap_put(&an->trace_revs, an->trace.r[i].rev, 1);
		if (an->trace.bad)
			warning("skipped %zu Agent Trace record%s that could "
				"not be read; the first: '%s', line %zu",
				an->trace.bad, an->trace.bad == 1 ? "" : "s",
				path, an->trace.bad_line);
	}
	free(path);
	strbuf_release(&buf);
}

int ai_notes_open(struct ai_notes **out, struct repo *repo)
{
	const char *argv[] = {
		"for-each-ref", "--format=%(refname)", "refs/notes/", NULL
	};
	struct strbuf buf = STRBUF_INIT;
	struct ai_notes *an = NULL;
	char **lines = NULL;
	size_t n, i;

	*out = NULL;
	if (git_cmd(argv, &buf, NULL, GIT_CMD_NO_STDIN)) {
		strbuf_release(&buf);
		return error("cannot list the notes refs");
	}
	n = strbuf_split_inplace(buf.buf, '\n', &lines);
	for (i = 0; i < n; i++) {
		enum ai_format fmt;
		struct ai_ref *r;

		if (classify(lines[i], &fmt) < 0)
			continue;
		if (!an) {
			an = xcalloc(1, sizeof(*an));
			an->repo = repo;
		}
		ALLOC_GROW(an->refs, an->nr + 1, an->alloc);
		r = &an->refs[an->nr];
		memset(r, 0, sizeof(*r));
		r->name = xstrdup(lines[i]);
		r->fmt = fmt;
		if (repo_notes_tip(repo, r->name, r->tip))
			free(r->name);
		else
			an->nr++;
	}
	if (an && an->nr)
		qsort(an->refs, an->nr, sizeof(*an->refs), ref_order);
	for (i = 0; an && i < an->nr; i++)
		list_notes(&an->refs[i]);
	free(lines);
	strbuf_release(&buf);
	if (!an) {
		an = xcalloc(1, sizeof(*an));
		an->repo = repo;
	}
	read_traces(an);
	if (!an->nr && !an->trace.nr) {
		ai_notes_free(an);
		an = NULL;
	}
	*out = an;
	return 0;
}

int ai_notes_rewrite(struct repo *repo, const struct notes_rewrite *r,
		     size_t nr)
{
	size_t added = 0;

	if (!nr || repo_ref_exists(repo, QWEN_REF) != 1)
		return 0;
	return notes_copy(repo, QWEN_REF, r, nr, &added);
}

/* "@@ -a,b +c,d @@": the new side's lines, as ranges of who into f. */
static void add_hunk_ranges(struct ai_file *f, const char *diff,
			    const struct ai_span *who)
{
	const char *p = diff;

	while ((p = strstr(p, "\n@@ -"))) {
		char *end;
		unsigned long c, d = 1;
		const char *plus = strchr(p + 5, '+');

		p += 5;
		if (!plus)
			break;
		c = strtoul(plus + 1, &end, 10);
		if (*end == ',')
			d = strtoul(end + 1, &end, 10);
		if (d && c && c + d - 1 <= INT32_MAX)
			ai_file_add(f, (uint32_t)c, (uint32_t)(c + d - 1), who);
	}
}

/* The lines commit added to path (against its first parent), into f. */
static void commit_added(const char *commit, const char *path,
			 struct ai_file *f, const struct ai_span *who)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf diff = STRBUF_INIT;

	cp.git_cmd = 1;
	cp.no_stderr = 1;
	strvec_pushl(&cp.args, "diff-tree", "-p", "-U0", "--no-color",
		     "--no-ext-diff", "--no-renames", "--root", "-m",
		     "--first-parent", commit, "--", path, NULL);
	strbuf_addch(&diff, '\n');
	if (!capture_command(&cp, &diff))
		add_hunk_ranges(f, diff.buf, who);
	strbuf_release(&diff);
	child_process_clear(&cp);
}

/* A file whose note gives no lines: those its commit added to it. */
static void resolve_added(const char *commit, struct ai_file *f)
{
	struct ai_span who = f->s[0];

	f->nr = 0;
	f->added = 0;
	commit_added(commit, f->path, f, &who);
}

/*
 * "<rev> <child>" into an->kids for each child whose first parent is
 * a trace revision (only, when not NULL) met walking all the refs less
 * the ancestors of not[]. Returns git's exit code.
 */
static int walk_kids(struct ai_notes *an, const char * const *not,
		     const char *only)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	char **lines = NULL;
	size_t n, i;
	int ret;

	strvec_pushl(&argv, "rev-list", "--parents", "--branches",
		     "--remotes", "--tags", "HEAD", "--not", NULL);
	strvec_pushv(&argv, (const char **)not);
	ret = git_cmd((const char * const *)argv.v, &out, NULL,
		      GIT_CMD_QUIET | GIT_CMD_NO_STDIN);
	n = ret ? 0 : strbuf_split_inplace(out.buf, '\n', &lines);
	for (i = 0; i < n; i++) {
		const char *p = lines[i] + 41;

		if (strlen(lines[i]) < 81 ||
		    (only ? strncmp(p, only, 40) :
		     !oidmap_get(&an->trace_revs, p, NULL)))
			continue;
		strvec_pushf(&an->kids, "%.40s %.40s", p, lines[i]);
	}
	free(lines);
	strvec_clear(&argv);
	strbuf_release(&out);
	return ret;
}

/*
 * Agent Trace records are written at each edit, with HEAD then as
 * their revision: they belong to the commit made next on it. A commit
 * is theirs when its first parent is that revision and no other commit
 * on that parent changed the file (else which one took the edit is not
 * known).
 *
 * The children of all the revisions come from one walk, down to what
 * they all share (their merge bases): a child of one may be an
 * ancestor of another, so leaving out every revision's ancestors
 * would miss it.
 */
static void list_kids(struct ai_notes *an)
{
	const char *mb[] = { "merge-base", "--octopus", "--all", NULL };
	struct strvec revs = STRVEC_INIT, argv = STRVEC_INIT;
	struct strvec bases = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	struct oidmap seen = OIDMAP_INIT;
	char **lines = NULL;
	size_t i, n;
	int r = 0;

	for (i = 0; i < an->trace.nr; i++) {
		const char *rev = an->trace.r[i].rev;

		if (oidmap_get(&an->trace_revs, rev, NULL) &&
		    !oidmap_get(&seen, rev, NULL)) {
			oidmap_put(&seen, rev, 1);
			strvec_push(&revs, rev);
		}
	}
	an->kids_listed = 1;
	if (!revs.nr)
		goto cleanup;
	strvec_pushv(&argv, mb);
	strvec_pushv(&argv, revs.v);
	if (revs.nr > 1)
		r = git_cmd((const char * const *)argv.v, &out, NULL,
			    GIT_CMD_QUIET | GIT_CMD_NO_STDIN);
	else
		strbuf_addf(&out, "%s\n", revs.v[0]);
	/* 1: no common ancestor, the whole history */
	n = r && r != 1 ? 0 : strbuf_split_inplace(out.buf, '\n', &lines);
	for (i = 0; i < n; i++)
		if (*lines[i])
			strvec_push(&bases, lines[i]);
	if ((!r || r == 1) && !walk_kids(an, bases.v, NULL))
		goto cleanup;
	/* An unknown revision: each on its own, trusting none it fails on. */
	strvec_clear(&an->kids);
	for (i = 0; i < revs.nr; i++) {
		const char *not[] = { revs.v[i], NULL };

		if (walk_kids(an, not, revs.v[i]))
			strvec_pushf(&an->kids, "%s ?", revs.v[i]);
	}
cleanup:
	free(lines);
	oidmap_clear(&seen);
	strvec_clear(&revs);
	strvec_clear(&bases);
	strvec_clear(&argv);
	strbuf_release(&out);
}

/* Did a commit other than commit, on parent rev, change path? */
static int sibling_changed(struct ai_notes *an, const char *rev,
			   const char *commit, const char *path)
{
	size_t i;

	if (!an->kids_listed)
		list_kids(an);
	for (i = 0; i < an->kids.nr; i++) {
		const char *k = an->kids.v[i];
		const char *argv[] = { "diff", "--quiet", "--no-renames",
				       rev, k + 41, "--", path, NULL };

		if (strncmp(k, rev, 40) || !strcmp(k + 41, commit))
			continue;
		if (k[41] == '?' ||
		    git_cmd(argv, NULL, NULL, GIT_CMD_QUIET | GIT_CMD_NO_STDIN))
			return 1;
	}
	return 0;
}

/* A content_hash this reader can check: "sha256:" and 64 hex digits. */
static int is_sha256(const char *h)
{
	size_t i;

	if (!h || strncasecmp(h, "sha256:", 7))
		return 0;
	for (i = 7; i < 71; i++)
		if (!isxdigit((unsigned char)h[i]))
			return 0;
	return !h[71];
}

struct blob_lines {
	const char **p;
	size_t *len;
	size_t nr;
};

/* SHA-256 of lines from..from+n-1 joined by "\n" (no final newline). */
static int hash_matches(const struct blob_lines *b, size_t from, size_t n,
			const char *want)
{
	const char *start, *end;
	char hex[65];

	if (!from || from + n - 1 > b->nr)
		return 0;
	start = b->p[from - 1];
	end = b->p[from + n - 2] + b->len[from + n - 2];
	sha256_hex(start, end - start, hex);
	return !strcasecmp(hex, want + 7);
}

/*
 * Where the range's content is: its own lines, else the one place
 * starting at a line the commit added; 0 when nowhere or not one.
 */
static uint32_t hash_window(const struct blob_lines *b,
			    const unsigned char *add, uint32_t max,
			    const struct ai_trace_range *r)
{
	size_t n = r->to - r->from + 1, found = 0, hits = 0;
	uint32_t l;

	if (hash_matches(b, r->from, n, r->hash))
		return r->from;
	for (l = 1; l <= max && hits < 2; l++)
		if (add[l] && hash_matches(b, l, n, r->hash)) {
			found = l;
			hits++;
		}
	return hits == 1 ? (uint32_t)found : 0;
}

static void read_blob(const char *commit, const char *path,
		      struct strbuf *buf, struct blob_lines *b)
{
	char *spec = xstrfmt("%s:%s", commit, path);
	const char *argv[] = { "cat-file", "blob", spec, NULL };
	size_t pos = 0, alloc = 0, alloc2 = 0;

	if (git_cmd(argv, buf, NULL, GIT_CMD_QUIET | GIT_CMD_NO_STDIN))
		strbuf_reset(buf);
	while (pos < buf->len) {
		const char *nl = memchr(buf->buf + pos, '\n', buf->len - pos);
		size_t n = nl ? (size_t)(nl - buf->buf) - pos : buf->len - pos;

		ALLOC_GROW(b->p, b->nr + 1, alloc);
		ALLOC_GROW(b->len, b->nr + 1, alloc2);
		b->p[b->nr] = buf->buf + pos;
		b->len[b->nr++] = n;
		pos += n + 1;
	}
	free(spec);
}

struct trace_file {
	struct ai_notes *an;
	const char *commit, *path;
	unsigned char *add;     /* per line: the commit added it */
	size_t *who;            /* per line: 1 + the range that wrote it */
	uint32_t max;
	struct strbuf blob;
	struct blob_lines b;
	int have_blob;
};

/* The earliest line a later record of the same edit base puts in path. */
static uint32_t later_start(const struct ai_trace *t, size_t i)
{
	uint32_t cut = UINT32_MAX;
	size_t k;

	for (k = i + 1; k < t->nr; k++)
		if (t->r[k].record > t->r[i].record &&
		    !strcmp(t->r[k].rev, t->r[i].rev) &&
		    !strcmp(t->r[k].path, t->r[i].path) && t->r[k].from < cut)
			cut = t->r[k].from;
	return cut;
}

/*
 * The lines of range i the commit added: where its content hash says
 * (sha256 only), else, without a hash, at its own lines, up to where a
 * later record of the file may have moved them. self: the record names
 * the commit itself, as the specification reads "revision"; only a
 * hash can tell.
 */
static void trace_place(struct trace_file *tf, size_t i, int self)
{
	const struct ai_trace_range *r = &tf->an->trace.r[i];
	uint32_t from = r->from, to = r->to, l;

	if (r->hash || self) {
		if (!is_sha256(r->hash))
			return;
		if (!tf->have_blob) {
			read_blob(tf->commit, tf->path, &tf->blob, &tf->b);
			tf->have_blob = 1;
		}
		if (!(from = hash_window(&tf->b, tf->add, tf->max, r)))
			return;
		to = from + (r->to - r->from);
	} else {
		uint32_t cut = later_start(&tf->an->trace, i);

		if (cut <= to)
			to = cut - 1;
	}
	for (l = from; l <= to && l <= tf->max; l++)
		if (tf->add[l] && (!self || !tf->who[l]))
			tf->who[l] = i + 1;
}

static void trace_file(struct ai_notes *an, const char *commit,
		       const char *parent, const char *path,
		       struct ai_note *note)
{
	struct trace_file tf = { an, commit, path, NULL, NULL, 0,
				 STRBUF_INIT, { NULL, NULL, 0 }, 0 };
	struct ai_file added = { 0 }, *f = NULL;
	struct ai_span none = { 0 };
	const struct ai_trace *t = &an->trace;
	size_t i, k;
	uint32_t l;

	commit_added(commit, path, &added, &none);
	for (k = 0; k < added.nr; k++)
		if (added.s[k].to > tf.max)
			tf.max = added.s[k].to;
	if (!tf.max)
		goto cleanup;
	tf.add = xcalloc(tf.max + 1, 1);
	tf.who = xcalloc(tf.max + 1, sizeof(*tf.who));
	for (k = 0; k < added.nr; k++)
		memset(tf.add + added.s[k].from, 1,
		       added.s[k].to - added.s[k].from + 1);
	if (parent && sibling_changed(an, parent, commit, path))
		parent = NULL;
	for (i = 0; parent && i < t->nr; i++)
		if (!strcmp(t->r[i].path, path) && !strcmp(t->r[i].rev, parent))
			trace_place(&tf, i, 0);
	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->r[i].path, path) && !strcmp(t->r[i].rev, commit))
			trace_place(&tf, i, 1);
	for (l = 1; l <= tf.max; l = k) {
		const struct ai_trace_range *r;
		struct ai_span who = { 0 };

		for (k = l + 1; k <= tf.max && tf.who[k] == tf.who[l]; k++)
			;
		if (!tf.who[l] || !(r = &t->r[tf.who[l] - 1])->tool)
			continue;
		if (!f)
			f = ai_note_add_file(note, path, strlen(path));
		who.tool = r->tool;
		who.model = r->model;
		ai_file_add(f, l, (uint32_t)(k - 1), &who);
	}
cleanup:
	free(added.s);
	free(tf.add);
	free(tf.who);
	free(tf.b.p);
	free(tf.b.len);
	strbuf_release(&tf.blob);
}

/* The lines Agent Trace records give commit: 0, or 1 when none. */
static int trace_note(struct ai_notes *an, const char *commit,
		      struct ai_note *note)
{
	struct strvec paths = STRVEC_INIT;
	char *rev = xstrfmt("%s^1", commit), parent[41];
	int have_parent = !repo_resolve(an->repo, rev, parent);
	size_t i, k;

	memset(note, 0, sizeof(*note));
	if (!have_parent || !oidmap_get(&an->trace_revs, parent, NULL))
		have_parent = 0;
	if (!have_parent && !oidmap_get(&an->trace_revs, commit, NULL))
		goto cleanup;
	for (i = 0; i < an->trace.nr; i++) {
		const struct ai_trace_range *r = &an->trace.r[i];

		if (!(have_parent && !strcmp(r->rev, parent)) &&
		    !(!strcmp(r->rev, commit) && is_sha256(r->hash)))
			continue;
		for (k = 0; k < paths.nr && strcmp(paths.v[k], r->path); k++)
			;
		if (k == paths.nr)
			strvec_push(&paths, r->path);
	}
	for (i = 0; i < paths.nr; i++)
		trace_file(an, commit, have_parent ? parent : NULL,
			   paths.v[i], note);
cleanup:
	strvec_clear(&paths);
	free(rev);
	if (!note->nr)
		return 1;
	return 0;
}

static int parse_note(struct ai_notes *an, const struct ai_ref *r,
		      const char *commit, const struct strbuf *text,
		      struct ai_note *note)
{
	size_t bad_line, i;
	int ret = r->fmt == AI_GITAI ?
		ai_note_parse_gitai(note, text->buf, text->len, &bad_line) :
		ai_note_parse_qwen(note, text->buf, text->len, &bad_line);

	if (ret < 0) {
		if (!an->bad++) {
			memcpy(an->bad_commit, commit, 41);
			an->bad_ref = xstrdup(r->name);
			an->bad_line = bad_line;
		}
		return -1;
	}
	for (i = 0; i < note->nr; i++)
		if (note->f[i].added)
			resolve_added(commit, &note->f[i]);
	return 0;
}

const struct ai_note *ai_notes_get(struct ai_notes *an, const char *commit)
{
	struct strbuf text = STRBUF_INIT;
	struct ai_cached *c;
	size_t i;

	if (!an)
		return NULL;
	if (oidmap_get(&an->seen, commit, &i))
		return an->got[i]->have ? &an->got[i]->note : NULL;
	c = xcalloc(1, sizeof(*c));
	for (i = 0; i < an->nr && !c->have; i++) {
		strbuf_reset(&text);
		if (!oidmap_get(&an->refs[i].has, commit, NULL) ||
		    repo_note_read(an->repo, an->refs[i].tip, commit, &text))
			continue;
		c->have = !parse_note(an, &an->refs[i], commit, &text,
				      &c->note);
	}
	if (!c->have && an->trace.nr)
		c->have = !trace_note(an, commit, &c->note);
	strbuf_release(&text);
	ALLOC_GROW(an->got, an->got_nr + 1, an->got_alloc);
	an->got[an->got_nr] = c;
	oidmap_put(&an->seen, commit, an->got_nr++);
	return c->have ? &c->note : NULL;
}

void ai_notes_free(struct ai_notes *an)
{
	size_t i;

	if (!an)
		return;
	if (an->bad)
		warning("skipped %zu agent note%s that could not be read; "
			"the first: commit %.12s in %s, line %zu", an->bad,
			an->bad == 1 ? "" : "s", an->bad_commit, an->bad_ref,
			an->bad_line);
	for (i = 0; i < an->nr; i++) {
		free(an->refs[i].name);
		oidmap_clear(&an->refs[i].has);
	}
	for (i = 0; i < an->got_nr; i++) {
		ai_note_release(&an->got[i]->note);
		free(an->got[i]);
	}
	free(an->got);
	free(an->refs);
	free(an->bad_ref);
	oidmap_clear(&an->seen);
	ai_trace_release(&an->trace);
	oidmap_clear(&an->trace_revs);
	strvec_clear(&an->kids);
	free(an);
}

static int is_hex40(const char *p, size_t len)
{
	size_t i;

	if (len < 41 || p[40] != ' ')
		return 0;
	for (i = 0; i < 40; i++)
		if (!p[i] || !strchr("0123456789abcdef", p[i]))
			return 0;
	return 1;
}

/* A path as git quotes it (core.quotePath), back to its bytes. */
static char *unquote_path(const char *p, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (len < 2 || p[0] != '"' || p[len - 1] != '"')
		return xstrndup(p, len);
	for (i = 1; i + 1 < len; i++) {
		char ch = p[i];

		if (ch == '\\' && i + 2 < len) {
			ch = p[++i];
			if (ch >= '0' && ch <= '3' && i + 3 < len) {
				ch = (char)(((ch - '0') << 6) |
					    ((p[i + 1] - '0') << 3) |
					    (p[i + 2] - '0'));
				i += 2;
			} else if (ch == 't') {
				ch = '\t';
			} else if (ch == 'n') {
				ch = '\n';
			}
		}
		strbuf_addch(&sb, ch);
	}
	return strbuf_detach(&sb, NULL);
}

struct blame_state {
	struct oidmap index;         /* commit -> its path */
	char **path;
	size_t nr, alloc;
};

static int blame_line_head(struct blame_state *st, struct blame_line *bl,
			   const char *p, size_t len)
{
	char *end;
	size_t k;

	memcpy(bl->commit, p, 40);
	bl->commit[40] = '\0';
	bl->orig = (uint32_t)strtoul(p + 41, &end, 10);
	if (*end != ' ')
		return -1;
	bl->final = (uint32_t)strtoul(end + 1, &end, 10);
	bl->first = 0;
	if (!oidmap_get(&st->index, bl->commit, &k)) {
		ALLOC_GROW(st->path, st->nr + 1, st->alloc);
		st->path[st->nr] = NULL;
		oidmap_put(&st->index, bl->commit, st->nr++);
		bl->first = 1;
	}
	return 0;
}

int blame_porcelain_each(const char *buf, size_t len, blame_line_fn *fn,
			 void *data)
{
	struct blame_state st = { OIDMAP_INIT, NULL, 0, 0 };
	struct blame_line bl = { .path = NULL };
	size_t pos = 0, i, k;
	int have = 0, ret = 0;

	while (pos < len && !ret) {
		const char *p = buf + pos, *nl = memchr(p, '\n', len - pos);
		size_t n = (nl ? (size_t)(nl - p) : len - pos);

		if (*p == '\t') {
			if (!have || !oidmap_get(&st.index, bl.commit, &k) ||
			    !st.path[k]) {
				ret = error("unexpected 'git blame' output at "
					    "byte %zu", pos);
				break;
			}
			bl.path = st.path[k];
			bl.text = pos;
			ret = fn(&bl, data);
			have = 0;
		} else if (is_hex40(p, n)) {
			if (blame_line_head(&st, &bl, p, n) < 0) {
				ret = error("unexpected 'git blame' output at "
					    "byte %zu", pos);
				break;
			}
			have = 1;
		} else if (have && n > 9 && !memcmp(p, "filename ", 9) &&
			   oidmap_get(&st.index, bl.commit, &k)) {
			free(st.path[k]);
			st.path[k] = unquote_path(p + 9, n - 9);
		}
		pos += n + 1;
	}
	for (i = 0; i < st.nr; i++)
		free(st.path[i]);
	free(st.path);
	oidmap_clear(&st.index);
	return ret;
}

struct fill {
	struct change_set *set;
	const struct ai_note **note;  /* per change, NULL when none */
	struct oidmap noted;          /* commit -> change */
	struct strvec paths;          /* tip files holding their lines */
	const char *last;
};

static void want_path(const char *path, const unsigned char origin[20],
		      uint32_t lines, void *data)
{
	struct fill *f = data;
	size_t k;

	if (path != f->last && oidmap_get_raw(&f->noted, origin, &k)) {
		strvec_push(&f->paths, path);
		f->last = path;
	}
}

static int count_line(const struct blame_line *bl, void *data)
{
	struct fill *f = data;
	const struct ai_span *span;
	size_t k;

	if (!oidmap_get(&f->noted, bl->commit, &k))
		return 0;
	span = ai_note_find(f->note[k], bl->path, bl->orig);
	if (span && span->tool)
		f->set->c[k].ai_surviving++;
	return 0;
}

static int blame_tip(struct fill *f, const char *path)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	int ret = -1;

	cp.git_cmd = 1;
	strvec_pushl(&cp.args, "blame", "--porcelain", f->set->mainline_tip,
		     "--", path, NULL);
	if (capture_command(&cp, &out)) {
		error("cannot run 'git blame' on '%s'", path);
		goto cleanup;
	}
	ret = blame_porcelain_each(out.buf, out.len, count_line, f);
cleanup:
	strbuf_release(&out);
	child_process_clear(&cp);
	return ret;
}

int ai_lines_fill(struct change_set *set, struct repo *repo,
		  const struct survival *s)
{
	struct fill f = { set, NULL, OIDMAP_INIT, STRVEC_INIT, NULL };
	const struct ai_span *who;
	struct ai_notes *an = NULL;
	size_t i;

	/* Without them the rest of the report stands, as before. */
	if (ai_notes_open(&an, repo) < 0 || !an)
		return 0;
	f.note = xcalloc(set->nr ? set->nr : 1, sizeof(*f.note));
	for (i = 0; i < set->nr; i++) {
		struct change *c = &set->c[i];

		if (c->merge || !(f.note[i] = ai_notes_get(an, c->oid)))
			continue;
		c->ai_known = 1;
		c->ai_added = ai_note_agent_lines(f.note[i]);
		/* The agent's own note: assisted, whatever its usage. */
		if (!c->agent && (who = ai_note_agent(f.note[i]))) {
			c->agent = c->agent_tool = who->tool;
			c->agent_model = who->model;
		}
		if (c->landed == LANDED_REACHABLE && c->outcome.survival_known)
			c->ai_surviving_known = 1;
		if (c->ai_added && c->ai_surviving_known)
			oidmap_put(&f.noted, c->oid, i);
	}
	if (s && f.noted.nr)
		survival_for_each_tip_run(s, want_path, &f);
	for (i = 0; i < f.paths.nr; i++)
		if (blame_tip(&f, f.paths.v[i]) < 0) {
			for (i = 0; i < set->nr; i++)
				set->c[i].ai_surviving_known = 0;
			warning("the agents' lines surviving are unknown");
			break;
		}
	free(f.note);
	oidmap_clear(&f.noted);
	strvec_clear(&f.paths);
	ai_notes_free(an);
	return 0;
}
