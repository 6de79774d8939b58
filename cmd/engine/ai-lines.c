/*
 * Agents' own line-level notes joined with the changes (ai-lines.h):
 * which refs hold them, reading and caching a commit's note, and the
 * lines of it "git blame" still finds at the mainline tip.
 */
#include <stdlib.h>
#include <string.h>

#include "base/die.h"
#include "base/oidmap.h"
#include "base/run-command.h"
#include "base/strbuf.h"
#include "engine/ai-lines.h"
#include "engine/notes.h"
#include "engine/survival.h"
#include "git/git-cmd.h"
#include "git/repo.h"

#define QWEN_REF "refs/notes/ai-attribution"

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
	if (an && !an->nr) {
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

/* A file whose note gives no lines: those its commit added to it. */
static void resolve_added(struct ai_notes *an, const char *commit,
			  struct ai_file *f)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf diff = STRBUF_INIT;
	struct ai_span who = f->s[0];

	f->nr = 0;
	f->added = 0;
	cp.git_cmd = 1;
	cp.no_stderr = 1;
	strvec_pushl(&cp.args, "diff-tree", "-p", "-U0", "--no-color",
		     "--no-ext-diff", "--no-renames", "--root", "-m",
		     "--first-parent", commit, "--", f->path, NULL);
	strbuf_addch(&diff, '\n');
	if (!capture_command(&cp, &diff))
		add_hunk_ranges(f, diff.buf, &who);
	strbuf_release(&diff);
	child_process_clear(&cp);
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
			resolve_added(an, commit, &note->f[i]);
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
