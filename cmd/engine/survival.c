/*
 * The survival engine: which change added each line at the mainline
 * tip, exactly as "git blame" answers it, for the whole tip at once.
 *
 * History is replayed forward, parents before children. Each commit's
 * state maps every path to its blob and to an array of line origins (the
 * index of the commit that added each line); states and arrays are
 * shared copy-on-write and freed when the last child has been replayed.
 * A non-merge commit applies its first-parent diff hunks; renames carry
 * the array over, as blame follows whole-file renames. A merge applies
 * blame's rule (pass_blame()): a parent holding the very same blob gives
 * the whole file; otherwise each line comes from the first parent whose
 * diff leaves it unchanged, else from the merge itself.
 *
 * The diffs are git's own, so they are exact: two "git diff-tree --stdin
 * -p -U0 -M" co-processes share the non-merge commits, read here in
 * turn; a third lists what each merge changes against its first parent,
 * without patches, since a parent gives most such files whole. The few
 * files no parent gives whole need diffs against each parent: a thread
 * reads them from "git diff-tree -c" ahead of the replay and has them
 * computed in bulk, through throw-away trees of the blobs in a temporary
 * object directory. On git.git this costs about what "git log --numstat"
 * does, where blaming every file costs fifty times more
 * (reference/performance.md).
 *
 * Lines leaving the first-parent chain are recorded as deaths (for
 * rework); the state at the tip is stored so that a later run replays
 * only what is new.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "base/die.h"
#include "base/oidmap.h"
#include "base/paths.h"
#include "base/run-command.h"
#include "base/strbuf.h"
#include "base/term.h"
#include "engine/numstat.h"
#include "engine/survival.h"
#include "git/repo.h"

#define NONE UINT32_MAX          /* a line of no commit we replayed */
#define UNSET (UINT32_MAX - 1)   /* a merge's line not placed yet */
#define NBUCKET 1024
#define WORKERS 2
#define STATE_MAGIC "GTSV"
#define STATE_VERSION 1u
#define GITLINK_MODE 0160000
#define EMPTY_TREE "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

static uint64_t fnv1a(const void *data, size_t len, uint64_t h)
{
	const unsigned char *p = data;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

struct u32vec {
	uint32_t *v;
	size_t nr, alloc;
};

static void u32_push(struct u32vec *a, uint32_t x)
{
	ALLOC_GROW(a->v, a->nr + 1, a->alloc);
	a->v[a->nr++] = x;
}

static int is_gitlink(uint32_t mode)
{
	return (mode & S_IFMT) == GITLINK_MODE;
}

/* --- line origins, file states ------------------------------------------ */

struct lines {
	uint32_t refs;
	uint32_t nr;
	uint32_t v[];
};

static struct lines *lines_new(size_t nr)
{
	struct lines *l = xmalloc(sizeof(*l) + nr * sizeof(uint32_t));

	l->refs = 1;
	l->nr = (uint32_t)nr;
	return l;
}

static struct lines *lines_ref(struct lines *l)
{
	if (l)
		l->refs++;
	return l;
}

static void lines_unref(struct lines *l)
{
	if (l && !--l->refs)
		free(l);
}

struct fent {
	const char *path;        /* interned */
	const char *was;         /* its path before its last rename, or NULL */
	struct lines *l;         /* NULL: binary, or lost track of */
	uint32_t mode;
	unsigned char blob[20];
};

struct bucket {
	uint32_t refs;
	size_t nr, alloc;
	struct fent *e;
};

/* A commit's tree: buckets of files, each shared until written to. */
struct tstate {
	struct bucket *b[NBUCKET];
};

/* Paths are interned: the pointer names the path. */
static size_t ptr_hash(const char *path)
{
	uint64_t h = (uint64_t)(uintptr_t)path;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 24);
}

static size_t path_bucket(const char *path)
{
	return ptr_hash(path) & (NBUCKET - 1);
}

static struct tstate *tstate_new(void)
{
	return xcalloc(1, sizeof(struct tstate));
}

static struct tstate *tstate_copy(const struct tstate *s)
{
	struct tstate *t = xmalloc(sizeof(*t));
	size_t i;

	memcpy(t, s, sizeof(*t));
	for (i = 0; i < NBUCKET; i++)
		if (t->b[i])
			t->b[i]->refs++;
	return t;
}

static void bucket_unref(struct bucket *b)
{
	size_t i;

	if (!b || --b->refs)
		return;
	for (i = 0; i < b->nr; i++)
		lines_unref(b->e[i].l);
	free(b->e);
	free(b);
}

static void tstate_free(struct tstate *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < NBUCKET; i++)
		bucket_unref(s->b[i]);
	free(s);
}

static const struct fent *tstate_get(const struct tstate *s, const char *path)
{
	const struct bucket *b;
	size_t i;

	if (!s || !path)
		return NULL;
	b = s->b[path_bucket(path)];
	for (i = 0; b && i < b->nr; i++)
		if (b->e[i].path == path)
			return &b->e[i];
	return NULL;
}

/* The bucket, owned by this state alone so that it may change. */
static struct bucket *bucket_own(struct tstate *s, size_t k)
{
	struct bucket *b = s->b[k], *n;
	size_t i;

	if (b && b->refs == 1)
		return b;
	n = xcalloc(1, sizeof(*n));
	n->refs = 1;
	if (b) {
		n->nr = n->alloc = b->nr;
		n->e = xmalloc((b->nr + 1) * sizeof(*n->e));
		memcpy(n->e, b->e, b->nr * sizeof(*n->e));
		for (i = 0; i < n->nr; i++)
			lines_ref(n->e[i].l);
		b->refs--;
	}
	s->b[k] = n;
	return n;
}

/* path -> (blob, mode, l), taking over the reference l holds. */
static void tstate_put(struct tstate *s, const char *path, const char *was,
		       const unsigned char *blob, uint32_t mode,
		       struct lines *l)
{
	struct bucket *b = bucket_own(s, path_bucket(path));
	struct fent *f = NULL;
	size_t i;

	for (i = 0; i < b->nr && !f; i++)
		if (b->e[i].path == path)
			f = &b->e[i];
	if (f) {
		lines_unref(f->l);
	} else {
		ALLOC_GROW(b->e, b->nr + 1, b->alloc);
		f = &b->e[b->nr++];
		f->path = path;
	}
	f->l = l;
	f->was = was;
	f->mode = mode;
	memcpy(f->blob, blob, 20);
}

static void tstate_del(struct tstate *s, const char *path)
{
	struct bucket *b;
	size_t i;

	if (!tstate_get(s, path))
		return;
	b = bucket_own(s, path_bucket(path));
	for (i = 0; i < b->nr; i++)
		if (b->e[i].path == path) {
			lines_unref(b->e[i].l);
			b->e[i] = b->e[--b->nr];
			return;
		}
}

/* --- the whole ----------------------------------------------------------- */

struct scommit {
	unsigned char oid[20];
	int64_t ct;           /* committer time */
	int64_t land;         /* when it reached the first-parent chain */
	uint32_t par, npar;   /* its parents: survival.parents[par..] */
	uint32_t pending;     /* children still to replay (+1 for the tip) */
	unsigned merge:1;
	unsigned chain:1;     /* on the tip's first-parent chain */
	unsigned replay:1;    /* replayed in this run */
	struct tstate *st;
};

struct death {
	uint32_t origin;      /* commit index */
	uint32_t count;
	int64_t time;         /* when the line left the mainline */
	const char *path;
};

struct survival {
	struct scommit *c;
	size_t nr, alloc;
	struct oidmap index;          /* oid -> commit index */
	uint32_t *parents;
	size_t nparents, parents_alloc;
	struct death *d;
	size_t nd, dalloc;
	struct tstate *tip;
	char tip_oid[41];
	uint64_t lost;                /* files whose track was lost */
	uint64_t rounds, requests;    /* asked of the merge diff server */
	uint32_t *cnt;                /* record_deaths()'s counters */
	uint64_t replayed;            /* commits replayed in this run */
};

static uint32_t commit_add(struct survival *s, const unsigned char oid[20])
{
	struct scommit *c;

	ALLOC_GROW(s->c, s->nr + 1, s->alloc);
	c = &s->c[s->nr];
	memset(c, 0, sizeof(*c));
	memcpy(c->oid, oid, 20);
	oidmap_put_raw(&s->index, oid, s->nr);
	return (uint32_t)s->nr++;
}

static void add_death(struct survival *s, uint32_t origin, uint32_t count,
		      int64_t time, const char *path)
{
	struct death *d;

	ALLOC_GROW(s->d, s->nd + 1, s->dalloc);
	d = &s->d[s->nd++];
	d->origin = origin;
	d->count = count;
	d->time = time;
	d->path = path;
}

/*
 * The lines in dead but not in kept (multisets) died at time in path:
 * counted per origin in s->cnt (all zero between calls), no sorting.
 */
static void record_deaths(struct survival *s, struct u32vec *dead,
			  struct u32vec *kept, const char *path, int64_t time)
{
	uint32_t *cnt = s->cnt;
	size_t i;

	for (i = 0; i < dead->nr; i++)
		if (dead->v[i] < s->nr)
			cnt[dead->v[i]]++;
	for (i = 0; i < kept->nr && dead->nr; i++)
		if (kept->v[i] < s->nr && cnt[kept->v[i]])
			cnt[kept->v[i]]--;
	for (i = 0; i < dead->nr; i++) {
		uint32_t o = dead->v[i];

		if (o >= s->nr || !cnt[o])
			continue;
		if (!s->c[o].merge)
			add_death(s, o, cnt[o], time, path);
		cnt[o] = 0;
	}
	dead->nr = 0;
	kept->nr = 0;
}

/* A file whose origins are no longer known (GIT_TOKENS_DEBUG=2 says). */
static void lose(struct survival *s, uint32_t k, const char *path,
		 const char *why)
{
	const char *debug = getenv("GIT_TOKENS_DEBUG");
	char hex[41] = "derived";

	s->lost++;
	if (!debug || strcmp(debug, "2"))
		return;
	if (k < s->nr)
		oid_to_hex(hex, s->c[k].oid);
	fprintf(stderr, "survival: lost %s in %s: %s\n", path, hex, why);
}

void survival_free(struct survival *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nr; i++)
		if (s->c[i].st != s->tip)
			tstate_free(s->c[i].st);
	tstate_free(s->tip);
	free(s->c);
	free(s->parents);
	free(s->d);
	free(s->cnt);
	oidmap_clear(&s->index);
	free(s);
}

/* --- reading git's answers ------------------------------------------------ */

struct rd {
	int fd;
	char *buf;
	size_t pos, len, alloc;
	int eof, err;
};

static int rd_more(struct rd *r)
{
	ssize_t n;

	if (r->eof || r->err)
		return 0;
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->alloc - r->len < 65536) {
		r->alloc = r->alloc ? r->alloc * 2 : (1 << 20);
		r->buf = xrealloc(r->buf, r->alloc);
	}
	do {
		n = read(r->fd, r->buf + r->len, r->alloc - r->len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		r->err = 1;
		return error_errno("cannot read the output of git");
	}
	if (!n) {
		r->eof = 1;
		return 0;
	}
	r->len += (size_t)n;
	return 1;
}

/* The next token ending in term (consumed, not included); NULL at the end. */
static char *rd_token(struct rd *r, int term, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		char *start = r->buf + r->pos, *e = NULL;

		if (r->len > r->pos + scanned)
			e = memchr(start + scanned, term,
				   r->len - r->pos - scanned);
		if (e) {
			*len = (size_t)(e - start);
			r->pos += *len + 1;
			return start;
		}
		scanned = r->len - r->pos;
		if (rd_more(r) <= 0)
			return NULL;
	}
}

static int rd_peek(struct rd *r)
{
	if (r->pos == r->len && rd_more(r) <= 0)
		return -1;
	return (unsigned char)r->buf[r->pos];
}

struct hunk {
	uint32_t a, b, c, d;   /* @@ -a,b +c,d @@ */
};

struct dentry {
	char status;           /* A D M R C T */
	uint32_t omode, nmode;
	unsigned char oblob[20], nblob[20];
	const char *opath, *npath;
	unsigned binary:1;
	unsigned sections;     /* "diff --git" sections seen: T has two */
	size_t h, nh;          /* its hunks in record.h (T: the new file's) */
};

struct record {
	struct strbuf head;
	struct dentry *e;
	size_t nr, alloc;
	struct hunk *h;
	size_t nh, halloc;
};

static int parse_hex_oid(unsigned char out[20], const char *p)
{
	char hex[41];

	memcpy(hex, p, 40);
	hex[40] = '\0';
	return oid_from_hex(out, hex);
}

/* ":100644 100644 <old> <new> R086" and the path(s) after it. */
static int read_raw_entry(struct rd *r, struct record *rec)
{
	struct dentry *e;
	char *tok, *p;
	size_t len;

	tok = rd_token(r, '\0', &len);
	if (!tok || len < 2 * 40 + 4 * 1 + 3)
		return error("unexpected output from git diff-tree");
	ALLOC_GROW(rec->e, rec->nr + 1, rec->alloc);
	e = &rec->e[rec->nr];
	memset(e, 0, sizeof(*e));
	e->omode = (uint32_t)strtoul(tok + 1, &p, 8);
	if (*p != ' ')
		return error("unexpected output from git diff-tree");
	e->nmode = (uint32_t)strtoul(p + 1, &p, 8);
	if (*p != ' ' || (size_t)(p - tok) + 84 > len ||
	    parse_hex_oid(e->oblob, p + 1) || p[41] != ' ' ||
	    parse_hex_oid(e->nblob, p + 42) || p[82] != ' ')
		return error("unexpected output from git diff-tree");
	e->status = p[83];
	if (!strchr("ADMRCT", e->status))
		return error("unexpected change '%c' from git diff-tree",
			     e->status);
	tok = rd_token(r, '\0', &len);
	if (!tok)
		return error("unexpected output from git diff-tree");
	e->opath = e->npath = numstat_path_intern(tok, len);
	if (e->status == 'R' || e->status == 'C') {
		tok = rd_token(r, '\0', &len);
		if (!tok)
			return error("unexpected output from git diff-tree");
		e->npath = numstat_path_intern(tok, len);
	}
	rec->nr++;
	return 0;
}

static int parse_range(const char **p, uint32_t *start, uint32_t *count)
{
	char *end;

	*start = (uint32_t)strtoul(*p, &end, 10);
	*count = 1;
	if (*end == ',')
		*count = (uint32_t)strtoul(end + 1, &end, 10);
	*p = end;
	return 0;
}

/* "@@ -a,b +c,d @@ ...": the header, then its b + d lines, skipped. */
static int read_hunk(struct rd *r, struct record *rec, char *tok, size_t len)
{
	struct hunk h;
	const char *p = tok + 3;
	size_t n;

	if (len < 10 || *p != '-')
		return error("bad hunk header from git diff-tree");
	p++;
	parse_range(&p, &h.a, &h.b);
	if (p[0] != ' ' || p[1] != '+')
		return error("bad hunk header from git diff-tree");
	p += 2;
	parse_range(&p, &h.c, &h.d);
	ALLOC_GROW(rec->h, rec->nh + 1, rec->halloc);
	rec->h[rec->nh++] = h;
	for (n = (size_t)h.b + h.d; n; ) {
		tok = rd_token(r, '\n', &len);
		if (!tok)
			return error("git diff-tree stopped in a hunk");
		if (len && tok[0] == '\\')
			continue;  /* "\ No newline at end of file" */
		n--;
	}
	return 0;
}

/*
 * One answer: a header ended by head_term, -z raw entries, a NUL, the
 * -U0 patch, and the "@" line we asked git to echo after each request.
 * Returns 1, 0 at the end of the output, or -1.
 */
static int read_record(struct rd *r, struct record *rec, int head_term)
{
	struct dentry *cur = NULL;
	size_t next = 0, len;
	char *tok;
	int ch, patches = 0;

	strbuf_reset(&rec->head);
	rec->nr = rec->nh = 0;
	tok = rd_token(r, head_term, &len);
	if (!tok)
		return r->err ? -1 : 0;
	strbuf_add(&rec->head, tok, len);
	while ((ch = rd_peek(r)) == ':')
		if (read_raw_entry(r, rec) < 0)
			return -1;
	/* the NUL before the patches; none when diffs are not asked for */
	if (ch == '\0') {
		r->pos++;
		patches = 1;
	}
	for (;;) {
		tok = rd_token(r, '\n', &len);
		if (!tok)
			return error("git diff-tree stopped early");
		if (len == 1 && tok[0] == '@')
			break;
		if (len > 11 && !memcmp(tok, "diff --git ", 11)) {
			/* a type change is a deletion, then a creation */
			if (!cur || cur->status != 'T' || cur->sections != 1) {
				if (next >= rec->nr)
					return error("git diff-tree gave more "
						     "patches than changes");
				cur = &rec->e[next++];
			}
			cur->sections++;
			cur->h = rec->nh;
			cur->nh = 0;
			cur->binary = 0;
			continue;
		}
		if (!cur)
			return error("unexpected output from git diff-tree");
		if (len > 3 && !memcmp(tok, "@@ ", 3)) {
			if (read_hunk(r, rec, tok, len) < 0)
				return -1;
			cur->nh++;
		} else if (len > 13 && !memcmp(tok, "Binary files ", 13)) {
			cur->binary = 1;
		}
	}
	if (patches && next != rec->nr)
		return error("git diff-tree gave fewer patches than changes");
	return 1;
}

static void record_release(struct record *rec)
{
	strbuf_release(&rec->head);
	free(rec->e);
	free(rec->h);
}

/* --- hunks on arrays ------------------------------------------------------ */

static size_t hunk_old_at(const struct hunk *h)
{
	return h->b ? (size_t)h->a - 1 : h->a;
}

static size_t hunk_new_at(const struct hunk *h)
{
	return h->d ? (size_t)h->c - 1 : h->c;
}

/*
 * The origins of the new side of a diff: old's with the hunks applied,
 * added lines set to fill; lines taken out are pushed to dead (when not
 * NULL). NULL when the hunks do not fit old.
 */
static struct lines *apply_hunks(const struct lines *old, const struct hunk *h,
				 size_t nh, uint32_t fill, struct u32vec *dead)
{
	size_t on = old ? old->nr : 0, pos = 0, out = 0, i, j;
	int64_t nn = (int64_t)on;
	struct lines *l;

	for (i = 0; i < nh; i++) {
		size_t at = hunk_old_at(&h[i]);

		if ((h[i].b && !h[i].a) || at < pos || at + h[i].b > on)
			return NULL;
		nn += (int64_t)h[i].d - h[i].b;
		pos = at + h[i].b;
	}
	if (nn < 0 || nn >= UINT32_MAX)
		return NULL;
	l = lines_new((size_t)nn);
	pos = 0;
	for (i = 0; i < nh; i++) {
		size_t at = hunk_old_at(&h[i]);

		if (at > pos)
			memcpy(l->v + out, old->v + pos, (at - pos) * 4);
		out += at - pos;
		if (hunk_new_at(&h[i]) != out) {
			free(l);
			return NULL;
		}
		for (j = at; dead && j < at + h[i].b; j++)
			u32_push(dead, old->v[j]);
		for (j = 0; j < h[i].d; j++)
			l->v[out++] = fill;
		pos = at + h[i].b;
	}
	if (on > pos)
		memcpy(l->v + out, old->v + pos, (on - pos) * 4);
	return l;
}

/*
 * A merge: the lines of l still UNSET that the diff from a parent's
 * file (with origins pl) leaves unchanged take that parent's origin.
 */
static int fill_from(struct lines *l, const struct lines *pl,
		     const struct hunk *h, size_t nh, struct u32vec *got)
{
	size_t npos = 0, opos = 0, i, j;

	for (i = 0; i <= nh; i++) {
		size_t nat = i < nh ? hunk_new_at(&h[i]) : l->nr;
		size_t run;

		if (nat < npos)
			return -1;
		run = nat - npos;
		if (i < nh ? hunk_old_at(&h[i]) != opos + run :
		    opos + run != pl->nr)
			return -1;
		for (j = 0; j < run; j++)
			if (l->v[npos + j] == UNSET) {
				l->v[npos + j] = pl->v[opos + j];
				u32_push(got, pl->v[opos + j]);
			}
		if (i == nh)
			break;
		npos = nat + h[i].d;
		opos = hunk_old_at(&h[i]) + h[i].b;
		if (npos > l->nr || opos > pl->nr)
			return -1;
	}
	return 0;
}

/* --- one-blob diffs for merges ------------------------------------------- */

/*
 * "git diff-tree" diffs trees, not blobs; trees of one entry ("x", the
 * blob) are made by "git mktree --batch" in a temporary object directory
 * that borrows the repository's objects, so nothing is written to it.
 */
struct server {
	struct child_process mk, dt;
	struct rd mk_rd, dt_rd;
	char *objdir;
	int started, failed;
	const char *indent_opt;
	struct record rec;
};

struct request {
	unsigned char a[20], b[20];   /* blobs: from, to */
	int from_empty;               /* a file that is new: from nothing */
	size_t h, nh;                 /* answer: hunks in the hunk store */
	int ok;
};

/*
 * Children are started from two threads: a pipe made in one must have
 * its close-on-exec flag before a fork in the other, or a child holds it
 * open and the co-process at its other end never sees its input end.
 */
static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;

static int spawn(struct child_process *cp)
{
	int ret;

	pthread_mutex_lock(&spawn_lock);
	ret = start_command(cp);
	pthread_mutex_unlock(&spawn_lock);
	return ret;
}

static int feed_git(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return error_errno("cannot write to git");
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static int server_start(struct server *sv, struct repo *repo)
{
	const char *tmpdir = getenv("TMPDIR"), *env_obj, *env_alt;
	struct strbuf objects = STRBUF_INIT;
	char *tmpl;
	int ret = 0;

	sv->started = 1;
	tmpl = xstrfmt("%s/git-tokens-objects.XXXXXX",
		       tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(tmpl)) {
		ret = error_errno("unable to create '%s'", tmpl);
		free(tmpl);
		goto cleanup;
	}
	sv->objdir = tmpl;
	env_obj = getenv("GIT_OBJECT_DIRECTORY");
	env_alt = getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	if (env_obj && *env_obj)
		strbuf_addstr(&objects, env_obj);
	else
		strbuf_addf(&objects, "%s/objects", repo_common_dir(repo));
	if (env_alt && *env_alt)
		strbuf_addf(&objects, ":%s", env_alt);

	sv->mk.git_cmd = sv->dt.git_cmd = 1;
	sv->mk.in = sv->mk.out = sv->dt.in = sv->dt.out = -1;
	strvec_pushf(&sv->mk.env, "GIT_OBJECT_DIRECTORY=%s", sv->objdir);
	strvec_pushf(&sv->mk.env, "GIT_ALTERNATE_OBJECT_DIRECTORIES=%s",
		     objects.buf);
	strvec_pushf(&sv->dt.env, "GIT_OBJECT_DIRECTORY=%s", sv->objdir);
	strvec_pushf(&sv->dt.env, "GIT_ALTERNATE_OBJECT_DIRECTORIES=%s",
		     objects.buf);
	/* Throw-away objects need no fsync. */
	strvec_pushl(&sv->mk.args, "-c", "core.fsync=none", "-c",
		     "core.fsyncObjectFiles=false", "mktree", "--batch", NULL);
	strvec_pushl(&sv->dt.args, "diff-tree", "--stdin", "-r", "-p", "-U0",
		     "--raw", "-z", "--no-ext-diff", "--no-textconv",
		     "--no-color", sv->indent_opt, NULL);
	if (spawn(&sv->mk) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (spawn(&sv->dt) < 0) {
		ret = -1;
		goto cleanup;
	}
	sv->mk_rd.fd = sv->mk.out;
	sv->dt_rd.fd = sv->dt.out;
cleanup:
	if (ret < 0)
		sv->failed = 1;
	strbuf_release(&objects);
	return ret;
}

static void server_stop(struct server *sv)
{
	if (sv->started && sv->mk.pid) {
		close(sv->mk.in);
		close(sv->mk.out);
		finish_command(&sv->mk);
	}
	if (sv->started && sv->dt.pid) {
		close(sv->dt.in);
		close(sv->dt.out);
		finish_command(&sv->dt);
	}
	child_process_clear(&sv->mk);
	child_process_clear(&sv->dt);
	if (sv->objdir) {
		nftw(sv->objdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(sv->objdir);
	}
	free(sv->mk_rd.buf);
	free(sv->dt_rd.buf);
	record_release(&sv->rec);
}

/*
 * The -U0 hunks of each request, appended to the hunk store *h: the
 * "from" blobs go in one tree and the "to" blobs in another, under the
 * request's number, and one tree diff answers them all.
 */
static int server_diff(struct server *sv, struct repo *repo,
		       struct request *req, size_t n, struct hunk **h,
		       size_t *nh, size_t *halloc)
{
	struct strbuf in = STRBUF_INIT;
	struct record *rec = &sv->rec;
	char hex[41], ta[41], tb[41];
	size_t i, len, nfrom = 0;
	char *tok;
	int ret = 0;

	if (!sv->started && server_start(sv, repo) < 0)
		return -1;
	if (sv->failed)
		return -1;
	for (i = 0; i < n; i++) {
		req[i].ok = 0;
		req[i].nh = 0;
		if (req[i].from_empty)
			continue;
		oid_to_hex(hex, req[i].a);
		strbuf_addf(&in, "100644 blob %s\t%08lu\n", hex,
			    (unsigned long)i);
		nfrom++;
	}
	strbuf_addch(&in, '\n');
	for (i = 0; i < n; i++) {
		oid_to_hex(hex, req[i].b);
		strbuf_addf(&in, "100644 blob %s\t%08lu\n", hex,
			    (unsigned long)i);
	}
	strbuf_addch(&in, '\n');
	if (feed_git(sv->mk.in, in.buf, in.len) < 0) {
		ret = -1;
		goto cleanup;
	}
	tok = rd_token(&sv->mk_rd, '\n', &len);
	if (!tok || len != 40) {
		ret = error("git mktree failed");
		goto cleanup;
	}
	memcpy(ta, tok, 40);
	ta[40] = '\0';
	tok = rd_token(&sv->mk_rd, '\n', &len);
	if (!tok || len != 40) {
		ret = error("git mktree failed");
		goto cleanup;
	}
	memcpy(tb, tok, 40);
	tb[40] = '\0';
	if (!nfrom)
		strcpy(ta, EMPTY_TREE);
	strbuf_reset(&in);
	strbuf_addf(&in, "%s %s\n@\n", ta, tb);
	if (feed_git(sv->dt.in, in.buf, in.len) < 0 ||
	    read_record(&sv->dt_rd, rec, '\n') <= 0) {
		ret = error("git diff-tree failed on blobs");
		goto cleanup;
	}
	for (i = 0; i < rec->nr; i++) {
		const struct dentry *e = &rec->e[i];
		char *end;
		unsigned long k = strtoul(e->npath, &end, 10);

		if (*end || k >= n || e->binary)
			continue;
		req[k].ok = 1;
		req[k].h = *nh;
		req[k].nh = e->nh;
		ALLOC_GROW(*h, *nh + e->nh, *halloc);
		memcpy(*h + *nh, rec->h + e->h, e->nh * sizeof(**h));
		*nh += e->nh;
	}
cleanup:
	if (ret < 0)
		sv->failed = 1;
	strbuf_release(&in);
	return ret;
}

/*
 * Answers before they are asked for: a thread reads what each merge
 * changes against all its parents ("git diff-tree -c": the files no
 * parent gives whole) and has the diffs blame's rule needs for them
 * made in bulk, ahead of the replay. A merge whose files went another
 * way (a rename) asks the rest itself.
 */
struct answer {
	unsigned char a[20], b[20];
	int from_empty;
	size_t h, nh;
	int ok;
};

struct prefetch {
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int running;
	size_t done;                 /* merges answered, in replay order */
	int finished;
	struct answer *ans;          /* published under lock */
	size_t nans, ans_alloc;
	size_t *slot, nslot;         /* (a, b) -> 1 + index into ans */
	struct hunk *h;
	size_t nh, halloc;
	/* the thread's own */
	struct server srv;
	struct repo *repo;
	int in_fd;
	const char *indent_opt;
};

static size_t pair_hash(const unsigned char *a, const unsigned char *b,
			int from_empty)
{
	uint64_t x = 0, y;

	if (!from_empty)
		memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	x = (x ^ (y * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL;
	return (size_t)(x >> 17);
}

static int pair_eq(const struct answer *an, const struct request *r)
{
	return an->from_empty == r->from_empty && !memcmp(an->b, r->b, 20) &&
		(r->from_empty || !memcmp(an->a, r->a, 20));
}

/* Under the lock: the answer to r, or NULL. */
static struct answer *prefetch_find(struct prefetch *pf,
				    const struct request *r)
{
	size_t i;

	if (!pf->nslot)
		return NULL;
	for (i = pair_hash(r->a, r->b, r->from_empty) & (pf->nslot - 1);
	     pf->slot[i]; i = (i + 1) & (pf->nslot - 1))
		if (pair_eq(&pf->ans[pf->slot[i] - 1], r))
			return &pf->ans[pf->slot[i] - 1];
	return NULL;
}

static void prefetch_insert(struct prefetch *pf, size_t idx)
{
	const struct answer *an = &pf->ans[idx];
	size_t i;

	if ((pf->nans + 1) * 2 > pf->nslot) {
		size_t *old = pf->slot, oldn = pf->nslot, k;

		pf->nslot = oldn ? oldn * 2 : 4096;
		pf->slot = xcalloc(pf->nslot, sizeof(*pf->slot));
		for (k = 0; k < oldn; k++) {
			const struct answer *o;

			if (!old[k])
				continue;
			o = &pf->ans[old[k] - 1];
			for (i = pair_hash(o->a, o->b, o->from_empty) &
				     (pf->nslot - 1);
			     pf->slot[i]; i = (i + 1) & (pf->nslot - 1))
				;
			pf->slot[i] = old[k];
		}
		free(old);
	}
	for (i = pair_hash(an->a, an->b, an->from_empty) & (pf->nslot - 1);
	     pf->slot[i]; i = (i + 1) & (pf->nslot - 1))
		;
	pf->slot[i] = idx + 1;
}

/* Ask for the batch, publish the answers and that merges < done are in. */
static int prefetch_flush(struct prefetch *pf, struct request *req,
			  size_t n, size_t done, struct hunk **h, size_t *nh,
			  size_t *halloc)
{
	size_t i;
	int ret = 0;

	*nh = 0;
	if (n && server_diff(&pf->srv, pf->repo, req, n, h, nh, halloc) < 0)
		ret = -1;
	pthread_mutex_lock(&pf->lock);
	for (i = 0; !ret && i < n; i++) {
		struct answer *an;

		ALLOC_GROW(pf->ans, pf->nans + 1, pf->ans_alloc);
		an = &pf->ans[pf->nans];
		memcpy(an->a, req[i].a, 20);
		memcpy(an->b, req[i].b, 20);
		an->from_empty = req[i].from_empty;
		an->ok = req[i].ok;
		an->h = pf->nh;
		an->nh = req[i].nh;
		ALLOC_GROW(pf->h, pf->nh + req[i].nh, pf->halloc);
		memcpy(pf->h + pf->nh, *h + req[i].h,
		       req[i].nh * sizeof(**h));
		pf->nh += req[i].nh;
		prefetch_insert(pf, pf->nans);
		pf->nans++;
	}
	if (!ret)
		pf->done = done;
	pthread_cond_broadcast(&pf->cond);
	pthread_mutex_unlock(&pf->lock);
	return ret;
}

/* "::100644 100644 100644 <p1> <p2> <m> MM" and its path. */
static void prefetch_entry(const char *tok, size_t len,
			   struct request **req, size_t *nreq, size_t *alloc,
			   struct oidmap *asked)
{
	unsigned char blobs[16][20], key[20];
	uint32_t modes[16];
	size_t np = 0, i, j, nmode = 0, nblob = 0;
	const char *p, *end = tok + len;

	while (np < len && tok[np] == ':')
		np++;
	if (np < 1 || np >= 16)
		return;
	/* np + 1 modes, np + 1 blobs (the merge's last), the letters */
	for (p = tok + np; p < end && nblob < np + 1; ) {
		const char *w = p;

		while (p < end && *p != ' ')
			p++;
		if (nmode < np + 1)
			modes[nmode++] = (uint32_t)strtoul(w, NULL, 8);
		else if (p - w != 40 || parse_hex_oid(blobs[nblob++], w))
			return;
		if (p < end)
			p++;
	}
	if (nblob != np + 1 || !modes[np] || is_gitlink(modes[np]))
		return;  /* gone from the merge, or a submodule */
	for (j = 0; j < np; j++) {
		int empty = !modes[j];
		struct request *r;

		if (is_gitlink(modes[j]) || (j && empty))
			continue;  /* the parent has no file there */
		for (i = 0; i < j; i++)
			if (modes[i] && !memcmp(blobs[i], blobs[j], 20))
				break;
		if (j && i < j)
			continue;  /* adds nothing blame would use */
		/* "already asked": a key from both blobs */
		for (i = 0; i < 20; i++)
			key[i] = (empty ? 0x5a : blobs[j][i]) ^
				blobs[np][(i + 7) % 20];
		if (oidmap_get_raw(asked, key, NULL))
			continue;
		oidmap_put_raw(asked, key, 1);
		ALLOC_GROW(*req, *nreq + 1, *alloc);
		r = &(*req)[(*nreq)++];
		memset(r, 0, sizeof(*r));
		r->from_empty = empty;
		memcpy(r->a, blobs[j], 20);
		memcpy(r->b, blobs[np], 20);
	}
}

static void *prefetch_run(void *arg)
{
	struct prefetch *pf = arg;
	struct child_process cp = CHILD_PROCESS_INIT;
	struct rd rd;
	struct request *req = NULL;
	struct hunk *h = NULL;
	struct oidmap asked = OIDMAP_INIT;
	size_t nreq = 0, alloc = 0, nh = 0, halloc = 0, merges = 0, len;
	size_t batch = 64;
	int ret = 0;
	char *tok;

	memset(&rd, 0, sizeof(rd));
	cp.git_cmd = 1;
	cp.in = pf->in_fd;
	cp.out = -1;
	strvec_pushl(&cp.args, "diff-tree", "--stdin", "-c", "--raw", "-z",
		     "--always", "--no-ext-diff", "--no-textconv", NULL);
	if (spawn(&cp) < 0) {
		ret = -1;
		goto done;
	}
	rd.fd = cp.out;
	while ((tok = rd_token(&rd, '\0', &len))) {
		if (len && tok[0] == ':') {
			char *entry = xstrndup(tok, len);

			if (!rd_token(&rd, '\0', &len)) {
				free(entry);
				break;
			}
			prefetch_entry(entry, strlen(entry), &req, &nreq,
				       &alloc, &asked);
			free(entry);
			continue;
		}
		/* the next merge: all before it are complete */
		if (nreq >= batch) {
			if (prefetch_flush(pf, req, nreq, merges, &h, &nh,
					   &halloc) < 0) {
				ret = -1;
				break;
			}
			nreq = 0;
			if (batch < 4096)
				batch *= 2;
		}
		merges++;
	}
	if (!ret)
		ret = prefetch_flush(pf, req, nreq, SIZE_MAX, &h, &nh, &halloc);
	close(cp.out);
	finish_command(&cp);
done:
	child_process_clear(&cp);
	free(rd.buf);
	free(req);
	free(h);
	oidmap_clear(&asked);
	server_stop(&pf->srv);
	pthread_mutex_lock(&pf->lock);
	pf->finished = 1;
	pthread_cond_broadcast(&pf->cond);
	pthread_mutex_unlock(&pf->lock);
	return NULL;
}

static void prefetch_start(struct prefetch *pf, struct repo *repo, int fd,
			   const char *indent_opt)
{
	pthread_mutex_init(&pf->lock, NULL);
	pthread_cond_init(&pf->cond, NULL);
	strbuf_init(&pf->srv.rec.head, 0);
	pf->srv.indent_opt = indent_opt;
	pf->repo = repo;
	pf->in_fd = fd;
	pf->running = !pthread_create(&pf->th, NULL, prefetch_run, pf);
	if (!pf->running) {
		close(fd);
		pf->finished = 1;
	}
}

/*
 * The answers the thread has for merge number ordinal's requests (it is
 * waited for); those it has not stay !ok with nh 0 and answered 0.
 */
static void prefetch_take(struct prefetch *pf, size_t ordinal,
			  struct request *req, size_t n, int *answered,
			  struct hunk **h, size_t *nh, size_t *halloc)
{
	size_t i;

	if (!pf->running)
		return;
	pthread_mutex_lock(&pf->lock);
	while (pf->done <= ordinal && !pf->finished)
		pthread_cond_wait(&pf->cond, &pf->lock);
	for (i = 0; i < n; i++) {
		const struct answer *an = prefetch_find(pf, &req[i]);

		answered[i] = !!an;
		if (!an)
			continue;
		req[i].ok = an->ok;
		req[i].h = *nh;
		req[i].nh = an->nh;
		ALLOC_GROW(*h, *nh + an->nh, *halloc);
		memcpy(*h + *nh, pf->h + an->h, an->nh * sizeof(**h));
		*nh += an->nh;
	}
	pthread_mutex_unlock(&pf->lock);
}

static void prefetch_stop(struct prefetch *pf)
{
	if (!pf->running)
		return;
	pthread_join(pf->th, NULL);
	pthread_mutex_destroy(&pf->lock);
	pthread_cond_destroy(&pf->cond);
	free(pf->ans);
	free(pf->slot);
	free(pf->h);
	pf->running = 0;
}

/* --- the replay ---------------------------------------------------------- */

struct replay {
	struct survival *s;
	struct repo *repo;
	struct record rec;
	struct server srv;
	struct u32vec dead, kept;
	/* a merge's work */
	struct request *req;
	size_t nreq, req_alloc;
	struct hunk *h;
	size_t nh, halloc;
	struct prefetch pf;
	size_t merges;           /* merges replayed so far */
	int *answered;
	struct request *ask;
	size_t ask_alloc, answered_alloc;
	int srv_warned;
	/* a merge's later parents' files by blob, built when needed */
	struct oidmap *blobmap;
	const struct fent ***blobfiles;
	size_t nblobmaps;
};

static int same_type(uint32_t a, uint32_t b)
{
	return (a & S_IFMT) == (b & S_IFMT);
}

static void push_all(struct u32vec *v, const struct lines *l)
{
	size_t i;

	for (i = 0; l && i < l->nr; i++)
		u32_push(v, l->v[i]);
}

/*
 * A commit of one parent (or a state derived from another's): its diff
 * applied to st, new lines set to fill; deaths recorded when on chain.
 */
static void replay_simple(struct replay *rp, struct tstate *st, uint32_t fill,
			  int chain, int64_t time)
{
	struct survival *s = rp->s;
	struct record *rec = &rp->rec;
	struct lines **src = xcalloc(rec->nr + 1, sizeof(*src));
	const char **was = xcalloc(rec->nr + 1, sizeof(*was));
	int *had = xcalloc(rec->nr + 1, sizeof(*had));
	size_t i;

	/* Sources first: nothing has changed in st yet. */
	for (i = 0; i < rec->nr; i++) {
		const struct fent *f = tstate_get(st, rec->e[i].opath);

		if (f && rec->e[i].status != 'A') {
			had[i] = 1;
			src[i] = lines_ref(f->l);
			was[i] = f->was;
		}
		if (rec->e[i].status == 'R' || rec->e[i].status == 'C')
			was[i] = rec->e[i].opath;
		else if (rec->e[i].status != 'M')
			was[i] = NULL;
	}
	for (i = 0; i < rec->nr; i++) {
		struct dentry *e = &rec->e[i];
		const struct hunk *h = rec->h + e->h;
		struct lines *l = NULL;

		if (chain && (e->status == 'D' || e->status == 'T'))
			push_all(&rp->dead, src[i]);
		if (e->status == 'D') {
			tstate_del(st, e->opath);
			record_deaths(s, &rp->dead, &rp->kept, e->opath, time);
			continue;
		}
		if (e->status == 'R')
			tstate_del(st, e->opath);
		if (is_gitlink(e->nmode)) {
			tstate_del(st, e->npath);
			rp->dead.nr = 0;
			continue;
		}
		if (e->binary)
			l = NULL;
		else if (e->status == 'A' || e->status == 'T' ||
			 is_gitlink(e->omode))
			l = apply_hunks(NULL, h, e->nh, fill, NULL);
		else if (had[i] && src[i])
			l = apply_hunks(src[i], h, e->nh, fill,
					chain && e->status != 'C' ?
					&rp->dead : NULL);
		/* (a binary file renamed stays binary: nothing is lost) */
		if (!l && !e->binary && !(had[i] && !src[i]))
			lose(s, fill, e->npath, had[i] ? "hunks do not fit" :
			     "no known origin");
		tstate_put(st, e->npath, was[i], e->nblob, e->nmode, l);
		record_deaths(s, &rp->dead, &rp->kept, e->npath, time);
	}
	for (i = 0; i < rec->nr; i++)
		lines_unref(src[i]);
	free(src);
	free(was);
	free(had);
}

struct mwork {
	const struct fent **org;   /* per parent: the file it gives, or NULL */
	struct lines *p1l;         /* P1's lines of the file that changes */
	struct lines *l;           /* the result */
	int whole;                 /* the parent giving all of it, or -1 */
	const char *was;           /* the result's path before a rename */
	size_t req, nreq;          /* its requests: P1's first, then others */
	uint32_t *reqpar;
};

static const struct fent *parent_file(struct survival *s, uint32_t p,
				      const char *path, uint32_t mode)
{
	const struct fent *f = tstate_get(s->c[p].st, path);

	return f && same_type(f->mode, mode) ? f : NULL;
}

static struct request *add_request(struct replay *rp, struct mwork *m,
				   uint32_t parent, const struct fent *from,
				   const unsigned char *to)
{
	struct request *r;

	ALLOC_GROW(rp->req, rp->nreq + 1, rp->req_alloc);
	r = &rp->req[rp->nreq++];
	memset(r, 0, sizeof(*r));
	r->from_empty = !from;
	if (from)
		memcpy(r->a, from->blob, 20);
	memcpy(r->b, to, 20);
	m->reqpar[m->nreq++] = parent;
	return r;
}

/* Whether path is in the merge's tree: P1's, changed by the P1 diff. */
static int in_merge(const struct replay *rp, const struct tstate *st,
		    const char *path)
{
	const struct record *rec = &rp->rec;
	size_t i;

	for (i = 0; i < rec->nr; i++) {
		const struct dentry *e = &rec->e[i];

		if (e->npath == path && e->status != 'D')
			return 1;
		if (e->opath == path && (e->status == 'D' || e->status == 'R'))
			return 0;
	}
	return !!tstate_get(st, path);
}

/* The files of a later parent of the merge by blob, built when needed. */
static const struct fent *parent_by_blob(struct replay *rp, uint32_t i,
					 uint32_t p, const unsigned char *blob)
{
	struct oidmap *map;
	size_t k, j, v;

	if (i >= rp->nblobmaps) {
		size_t n = i + 1;

		rp->blobmap = xrealloc(rp->blobmap, n * sizeof(*rp->blobmap));
		rp->blobfiles = xrealloc(rp->blobfiles,
					 n * sizeof(*rp->blobfiles));
		for (k = rp->nblobmaps; k < n; k++) {
			struct oidmap init = OIDMAP_INIT;

			rp->blobmap[k] = init;
			rp->blobfiles[k] = NULL;
		}
		rp->nblobmaps = n;
	}
	map = &rp->blobmap[i];
	if (!rp->blobfiles[i]) {
		const struct tstate *ps = rp->s->c[p].st;
		size_t nr = 0, alloc = 0;

		ALLOC_GROW(rp->blobfiles[i], 1, alloc);
		for (k = 0; ps && k < NBUCKET; k++)
			for (j = 0; ps->b[k] && j < ps->b[k]->nr; j++) {
				ALLOC_GROW(rp->blobfiles[i], nr + 1, alloc);
				rp->blobfiles[i][nr] = &ps->b[k]->e[j];
				oidmap_put_raw(map, ps->b[k]->e[j].blob, nr++);
			}
	}
	return oidmap_get_raw(map, blob, &v) ? rp->blobfiles[i][v] : NULL;
}

/*
 * blame's find_rename() against a later parent that lacks the path:
 * the file that left the merge's tree and came back under this name.
 * Rename detection itself is git's and too costly here; what it finds
 * in practice is tried instead, best first: the very same blob; the
 * name the P1 diff renamed from; the name the file had before P1's side
 * renamed it; the name without its leading directories (a subtree
 * merge, as git-gui and gitk come into git.git).
 */
static const struct fent *renamed_from(struct replay *rp,
				       const struct tstate *st, uint32_t k,
				       uint32_t i, const struct dentry *d,
				       const struct fent *p1f)
{
	struct survival *s = rp->s;
	uint32_t p = s->parents[s->c[k].par + i];
	const struct fent *f;
	const char *name, *slash;

	f = parent_by_blob(rp, i, p, d->nblob);
	if (f && same_type(f->mode, d->nmode) && !in_merge(rp, st, f->path))
		return f;
	if ((d->status == 'R' || d->status == 'C') &&
	    (f = parent_file(s, p, d->opath, d->nmode)))
		return f;
	if (p1f && p1f->was && !in_merge(rp, st, p1f->was) &&
	    (f = parent_file(s, p, p1f->was, d->nmode)))
		return f;
	for (name = d->npath; (slash = strchr(name, '/')); ) {
		const char *sub;

		name = slash + 1;
		sub = numstat_path_intern(name, strlen(name));
		if (!in_merge(rp, st, sub) &&
		    (f = parent_file(s, p, sub, d->nmode)))
			return f;
	}
	return NULL;
}

/*
 * Where the lines of a file the P1 diff names come from: blame's
 * pass_blame(). A parent with the same blob gives all of it; else the
 * diffs it needs (from P1's file, then from each later parent's) are
 * queued, to be asked for all the files of the merge at once.
 */
static void merge_file(struct replay *rp, uint32_t k, struct tstate *st,
		       struct dentry *d, struct mwork *m)
{
	struct survival *s = rp->s;
	struct scommit *c = &s->c[k];
	const uint32_t *par = s->parents + c->par;
	uint32_t np = c->npar, i, j;
	const struct fent *p1f = NULL;
	int renamed = d->status == 'R' || d->status == 'C';

	m->whole = -1;
	if (d->status != 'A') {
		p1f = tstate_get(st, d->opath);
		if (p1f && is_gitlink(p1f->mode))
			p1f = NULL;
		if (p1f)
			m->p1l = lines_ref(p1f->l);
	}
	if (d->status == 'D' || is_gitlink(d->nmode))
		return;
	m->org = xcalloc(np, sizeof(*m->org));
	m->reqpar = xcalloc(np, sizeof(*m->reqpar));
	/* pass 0: the same path; a parent with the same blob gives all */
	if (d->status == 'M' && p1f)
		m->org[0] = p1f;
	for (i = 1; i < np; i++)
		m->org[i] = parent_file(s, par[i], d->npath, d->nmode);
	for (i = 0; i < np && m->whole < 0; i++)
		if (m->org[i] && !memcmp(m->org[i]->blob, d->nblob, 20))
			m->whole = (int)i;
	/* pass 1: renames, for the parents without the path */
	for (i = 0; i < np && m->whole < 0; i++) {
		if (m->org[i])
			continue;
		if (!i)
			m->org[0] = renamed ? p1f : NULL;
		else
			m->org[i] = renamed_from(rp, st, k, i, d, p1f);
		if (m->org[i] && !memcmp(m->org[i]->blob, d->nblob, 20))
			m->whole = (int)i;
	}
	m->was = renamed ? d->opath : p1f ? p1f->was : NULL;
	if (m->whole >= 0) {
		m->l = lines_ref(m->org[m->whole]->l);
		if (m->whole)
			m->was = m->org[m->whole]->was;
		return;
	}
	/* a parent with the blob of an earlier one adds nothing */
	for (i = 1; i < np; i++)
		for (j = 0; j < i && m->org[i]; j++)
			if (m->org[j] &&
			    !memcmp(m->org[j]->blob, m->org[i]->blob, 20))
				m->org[i] = NULL;
	/* binary on P1's side, or lost track of already */
	if (p1f && !p1f->l && d->status != 'T')
		return;
	m->req = rp->nreq;
	add_request(rp, m, 0, d->status == 'T' ? NULL : p1f, d->nblob);
	for (i = 1; i < np; i++)
		if (m->org[i] && m->org[i]->l)
			add_request(rp, m, i, m->org[i], d->nblob);
}

/* The result of a file merge_file() asked diffs for. */
static void merge_lines(struct replay *rp, uint32_t k, struct dentry *d,
			struct mwork *m, int chain)
{
	struct survival *s = rp->s;
	struct request *r = &rp->req[m->req];
	size_t j;

	if (!r->ok) {
		/* binary now: its lines are not counted */
		if (chain)
			push_all(&rp->dead, m->p1l);
		return;
	}
	if (d->status == 'T' || !m->p1l) {
		m->l = apply_hunks(NULL, rp->h + r->h, r->nh, UNSET, NULL);
		if (chain)
			push_all(&rp->dead, m->p1l);
	} else {
		m->l = apply_hunks(m->p1l, rp->h + r->h, r->nh, UNSET,
				   chain ? &rp->dead : NULL);
	}
	if (!m->l) {
		lose(s, k, d->npath, "first parent's hunks do not fit");
		return;
	}
	for (j = 1; j < m->nreq; j++) {
		const struct fent *pf = m->org[m->reqpar[j]];

		r = &rp->req[m->req + j];
		if (r->ok && fill_from(m->l, pf->l, rp->h + r->h, r->nh,
				       &rp->kept) < 0)
			lose(s, k, d->npath, "a parent's hunks do not fit");
	}
	for (j = 0; j < m->l->nr; j++)
		if (m->l->v[j] == UNSET)
			m->l->v[j] = k;
}

/* The merge's requests: from the prefetch thread, else asked now. */
static int ask_diffs(struct replay *rp)
{
	struct survival *s = rp->s;
	size_t i, nask = 0;

	s->requests += rp->nreq;
	ALLOC_GROW(rp->answered, rp->nreq, rp->answered_alloc);
	memset(rp->answered, 0, rp->nreq * sizeof(*rp->answered));
	prefetch_take(&rp->pf, rp->merges, rp->req, rp->nreq, rp->answered,
		      &rp->h, &rp->nh, &rp->halloc);
	for (i = 0; i < rp->nreq; i++)
		if (!rp->answered[i]) {
			ALLOC_GROW(rp->ask, nask + 1, rp->ask_alloc);
			rp->ask[nask++] = rp->req[i];
		}
	if (!nask)
		return 0;
	s->rounds++;
	if (server_diff(&rp->srv, rp->repo, rp->ask, nask, &rp->h, &rp->nh,
			&rp->halloc) < 0) {
		/* Those files are lost track of; the rest still counts. */
		if (!rp->srv_warned++)
			warning("survival: some merges could not be followed");
		for (i = 0; i < nask; i++)
			rp->ask[i].ok = 0;
	}
	for (i = 0, nask = 0; i < rp->nreq; i++)
		if (!rp->answered[i])
			rp->req[i] = rp->ask[nask++];
	return 0;
}

static int replay_merge(struct replay *rp, uint32_t k, struct tstate *st)
{
	struct survival *s = rp->s;
	struct scommit *c = &s->c[k];
	struct record *rec = &rp->rec;
	struct mwork *w = xcalloc(rec->nr + 1, sizeof(*w));
	size_t e;
	int ret = 0;

	rp->nreq = rp->nh = 0;
	/* Everything is read from st before anything in it changes. */
	for (e = 0; e < rec->nr; e++)
		merge_file(rp, k, st, &rec->e[e], &w[e]);
	if (rp->nreq && ask_diffs(rp) < 0) {
		ret = -1;
		goto cleanup;
	}
	rp->merges++;
	for (e = 0; e < rec->nr; e++) {
		struct dentry *d = &rec->e[e];
		struct mwork *m = &w[e];
		int chain = c->chain && d->status != 'C';

		rp->dead.nr = rp->kept.nr = 0;
		if (d->status == 'D' || d->status == 'R')
			tstate_del(st, d->opath);
		if (d->status == 'D' || is_gitlink(d->nmode)) {
			if (d->status != 'D')
				tstate_del(st, d->npath);
			if (chain) {
				push_all(&rp->dead, m->p1l);
				record_deaths(s, &rp->dead, &rp->kept,
					      d->opath, c->ct);
			}
			continue;
		}
		if (m->whole > 0 && chain) {
			/* all of P1's lines went, all of the parent's came */
			push_all(&rp->dead, m->p1l);
			push_all(&rp->kept, m->l);
		} else if (m->whole < 0 && m->nreq) {
			merge_lines(rp, k, d, m, chain);
		} else if (m->whole < 0 && chain) {
			push_all(&rp->dead, m->p1l);
		}
		tstate_put(st, d->npath, m->was, d->nblob, d->nmode, m->l);
		m->l = NULL;
		if (chain)
			record_deaths(s, &rp->dead, &rp->kept, d->npath, c->ct);
	}
cleanup:
	rp->dead.nr = rp->kept.nr = 0;
	for (e = 0; e < rp->nblobmaps; e++) {
		oidmap_clear(&rp->blobmap[e]);
		free(rp->blobfiles[e]);
		rp->blobfiles[e] = NULL;
	}
	for (e = 0; e < rec->nr; e++) {
		free(w[e].org);
		free(w[e].reqpar);
		lines_unref(w[e].p1l);
		lines_unref(w[e].l);
	}
	free(w);
	return ret;
}

/* --- the state file: <common dir>/tokens/survival-v1.state ------------- */

static void put_u32(struct strbuf *sb, uint32_t v)
{
	strbuf_add(sb, &v, 4);
}

static void put_i64(struct strbuf *sb, int64_t v)
{
	strbuf_add(sb, &v, 8);
}

struct path_slot {
	const char *key;
	uint32_t idx;
};

struct path_table {
	const char **p;
	size_t nr, alloc;
	struct path_slot *slot;
	size_t slots;
};

static uint32_t path_index(struct path_table *t, const char *path)
{
	size_t i, k;

	if ((t->nr + 1) * 2 > t->slots) {
		struct path_slot *old = t->slot;
		size_t oldn = t->slots, n = oldn ? oldn * 2 : 4096;

		t->slot = xcalloc(n, sizeof(*t->slot));
		t->slots = n;
		for (k = 0; k < oldn; k++) {
			if (!old[k].key)
				continue;
			for (i = ptr_hash(old[k].key) & (n - 1);
			     t->slot[i].key; i = (i + 1) & (n - 1))
				;
			t->slot[i] = old[k];
		}
		free(old);
	}
	for (i = ptr_hash(path) & (t->slots - 1); t->slot[i].key;
	     i = (i + 1) & (t->slots - 1))
		if (t->slot[i].key == path)
			return t->slot[i].idx;
	t->slot[i].key = path;
	t->slot[i].idx = (uint32_t)t->nr;
	ALLOC_GROW(t->p, t->nr + 1, t->alloc);
	t->p[t->nr] = path;
	return (uint32_t)t->nr++;
}

static char *state_path(struct repo *repo)
{
	struct strbuf dir = STRBUF_INIT;
	char *path = NULL;

	if (repo_tokens_dir(repo, &dir) == 0)
		path = xstrfmt("%ssurvival-v1.state", dir.buf);
	strbuf_release(&dir);
	return path;
}

static int state_store(struct survival *s, struct repo *repo)
{
	struct strbuf out = STRBUF_INIT, body = STRBUF_INIT;
	struct path_table pt;
	unsigned char tip[20];
	char *path = state_path(repo);
	size_t i, k, nfiles = 0;
	uint64_t sum;
	int ret = 0;

	memset(&pt, 0, sizeof(pt));
	if (!path)
		return -1;
	/* files and deaths first: they name the paths */
	for (k = 0; k < NBUCKET; k++) {
		const struct bucket *b = s->tip->b[k];

		for (i = 0; b && i < b->nr; i++) {
			const struct fent *f = &b->e[i];

			put_u32(&body, path_index(&pt, f->path));
			strbuf_add(&body, f->blob, 20);
			put_u32(&body, f->mode);
			put_u32(&body, f->l ? f->l->nr : UINT32_MAX);
			if (f->l)
				strbuf_add(&body, f->l->v, f->l->nr * 4);
			nfiles++;
		}
	}
	{
		struct strbuf deaths = STRBUF_INIT;

		for (i = 0; i < s->nd; i++) {
			put_u32(&deaths, s->d[i].origin);
			put_u32(&deaths, s->d[i].count);
			put_i64(&deaths, s->d[i].time);
			put_u32(&deaths, path_index(&pt, s->d[i].path));
		}
		oid_from_hex(tip, s->tip_oid);
		strbuf_add(&out, STATE_MAGIC, 4);
		put_u32(&out, STATE_VERSION);
		strbuf_addchars(&out, 0, 8);
		strbuf_add(&out, tip, 20);
		put_u32(&out, (uint32_t)s->nr);
		for (i = 0; i < s->nr; i++) {
			strbuf_add(&out, s->c[i].oid, 20);
			put_i64(&out, s->c[i].ct);
			put_i64(&out, s->c[i].land);
			put_u32(&out, s->c[i].merge);
		}
		put_u32(&out, (uint32_t)pt.nr);
		for (i = 0; i < pt.nr; i++) {
			put_u32(&out, (uint32_t)strlen(pt.p[i]));
			strbuf_addstr(&out, pt.p[i]);
		}
		put_u32(&out, (uint32_t)s->nd);
		strbuf_addbuf(&out, &deaths);
		put_u32(&out, (uint32_t)nfiles);
		strbuf_addbuf(&out, &body);
		strbuf_release(&deaths);
	}
	sum = fnv1a(out.buf + 16, out.len - 16, 0xcbf29ce484222325ULL);
	memcpy(out.buf + 8, &sum, 8);

	if (write_file_atomic(path, out.buf, out.len, 0666,
			      WRITE_FILE_SYNC) < 0)
		ret = error_errno("unable to write '%s'", path);
	free(path);
	free(pt.p);
	free(pt.slot);
	strbuf_release(&out);
	strbuf_release(&body);
	return ret;
}

struct cursor {
	const char *p, *end;
	int bad;
};

static const char *take(struct cursor *c, size_t n)
{
	const char *p = c->p;

	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = 1;
		return NULL;
	}
	c->p += n;
	return p;
}

static uint32_t take_u32(struct cursor *c)
{
	const char *p = take(c, 4);
	uint32_t v = 0;

	if (p)
		memcpy(&v, p, 4);
	return v;
}

static int64_t take_i64(struct cursor *c)
{
	const char *p = take(c, 8);
	int64_t v = 0;

	if (p)
		memcpy(&v, p, 8);
	return v;
}

/*
 * The stored state into s: 1 when there is one, 0 when there is none
 * or it is not usable (it is then rebuilt silently, SPEC §11).
 */
static int state_load(struct survival *s, struct repo *repo)
{
	struct strbuf buf = STRBUF_INIT;
	struct cursor cur;
	const char **paths = NULL;
	char *path = state_path(repo);
	uint32_t n, i, npaths = 0, v;
	uint64_t sum;
	int ok = 0;

	if (!path || strbuf_read_file(&buf, path, 0) < 0)
		goto cleanup;
	if (buf.len < 16 + 20 || memcmp(buf.buf, STATE_MAGIC, 4))
		goto cleanup;
	memcpy(&v, buf.buf + 4, 4);
	memcpy(&sum, buf.buf + 8, 8);
	if (v != STATE_VERSION ||
	    fnv1a(buf.buf + 16, buf.len - 16, 0xcbf29ce484222325ULL) != sum)
		goto cleanup;
	cur.p = buf.buf + 16;
	cur.end = buf.buf + buf.len;
	cur.bad = 0;
	oid_to_hex(s->tip_oid, (const unsigned char *)take(&cur, 20));
	n = take_u32(&cur);
	for (i = 0; i < n && !cur.bad; i++) {
		const char *oid = take(&cur, 20);
		uint32_t k;

		if (!oid)
			break;
		k = commit_add(s, (const unsigned char *)oid);
		s->c[k].ct = take_i64(&cur);
		s->c[k].land = take_i64(&cur);
		s->c[k].merge = !!take_u32(&cur);
	}
	npaths = take_u32(&cur);
	if (cur.bad || npaths > buf.len)
		goto cleanup;
	paths = xcalloc(npaths + 1, sizeof(*paths));
	for (i = 0; i < npaths && !cur.bad; i++) {
		uint32_t len = take_u32(&cur);
		const char *p = take(&cur, len);

		if (p)
			paths[i] = numstat_path_intern(p, len);
	}
	n = take_u32(&cur);
	for (i = 0; i < n && !cur.bad; i++) {
		uint32_t origin = take_u32(&cur), count = take_u32(&cur);
		int64_t time = take_i64(&cur);
		uint32_t pi = take_u32(&cur);

		if (pi >= npaths || origin >= s->nr)
			cur.bad = 1;
		else
			add_death(s, origin, count, time, paths[pi]);
	}
	n = take_u32(&cur);
	s->tip = tstate_new();
	for (i = 0; i < n && !cur.bad; i++) {
		uint32_t pi = take_u32(&cur), mode, nl;
		const char *blob = take(&cur, 20);
		struct lines *l = NULL;

		mode = take_u32(&cur);
		nl = take_u32(&cur);
		if (cur.bad || pi >= npaths)
			break;
		if (nl != UINT32_MAX) {
			const char *p = take(&cur, (size_t)nl * 4);

			if (!p)
				break;
			l = lines_new(nl);
			memcpy(l->v, p, (size_t)nl * 4);
		}
		tstate_put(s->tip, paths[pi], NULL, (const unsigned char *)blob,
			   mode, l);
	}
	ok = !cur.bad && cur.p == cur.end;
cleanup:
	if (!ok) {
		tstate_free(s->tip);
		s->tip = NULL;
		s->nr = s->nd = 0;
		oidmap_clear(&s->index);
	}
	free(paths);
	free(path);
	strbuf_release(&buf);
	return ok;
}

/* --- the walk ------------------------------------------------------------ */

static int git_ok(const char **argv)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	int code;

	cp.git_cmd = 1;
	cp.no_stdin = 1;
	cp.no_stderr = 1;
	strvec_pushv(&cp.args, argv);
	code = run_command(&cp);
	child_process_clear(&cp);
	return code;
}

struct step {
	uint32_t k;
	unsigned derived:1;  /* an old commit's state, from the old tip's */
};

/*
 * The commits to replay, parents first: all of tip's history, or what
 * is new since base (whose state we have). Old commits that new ones
 * build on get a state derived from base's (diff base -> it), good
 * enough for the rare lines that come through them.
 */
static int list_commits(struct survival *s, const char *tip, const char *base,
			struct step **steps, size_t *nsteps)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	size_t nold = s->nr, alloc = 0, i, nstep = 0;
	uint32_t base_k = NONE;
	char *p, *nl;
	int ret = 0;

	*steps = NULL;
	if (base) {
		size_t v;
		unsigned char oid[20];

		oid_from_hex(oid, base);
		if (oidmap_get_raw(&s->index, oid, &v))
			base_k = (uint32_t)v;
	}
	cp.git_cmd = 1;
	strvec_pushl(&cp.args, "log", "--topo-order", "--reverse",
		     "--format=%H %ct %P", tip, NULL);
	if (base)
		strvec_pushf(&cp.args, "^%s", base);
	strvec_push(&cp.args, "--");
	if (capture_command(&cp, &out)) {
		ret = error("git log failed on '%s'", tip);
		goto cleanup;
	}
	for (p = out.buf; (nl = strchr(p, '\n')); p = nl + 1) {
		unsigned char oid[20];
		uint32_t k;
		char *q;

		*nl = '\0';
		if (strlen(p) < 42 || oid_from_hex(oid, p)) {
			ret = error("unexpected output from git log");
			goto cleanup;
		}
		k = commit_add(s, oid);
		s->c[k].replay = 1;
		s->c[k].ct = strtoll(p + 41, &q, 10);
		s->c[k].par = (uint32_t)s->nparents;
		while (*q == ' ' && strlen(q + 1) >= 40) {
			size_t v;

			if (oid_from_hex(oid, q + 1) ||
			    !oidmap_get_raw(&s->index, oid, &v)) {
				/* not in this history (a graft): no parent */
				q += 41;
				continue;
			}
			ALLOC_GROW(s->parents, s->nparents + 1,
				   s->parents_alloc);
			s->parents[s->nparents++] = (uint32_t)v;
			s->c[k].npar++;
			q += 41;
		}
		s->c[k].merge = s->c[k].npar > 1;
		for (i = 0; i < s->c[k].npar; i++) {
			uint32_t pk = s->parents[s->c[k].par + i];

			/* an old commit other than base: derive its state */
			if (pk < nold && pk != base_k && !s->c[pk].pending) {
				ALLOC_GROW(*steps, nstep + 1, alloc);
				(*steps)[nstep].k = pk;
				(*steps)[nstep++].derived = 1;
				if (base_k != NONE)
					s->c[base_k].pending++;
			}
			s->c[pk].pending++;
		}
		ALLOC_GROW(*steps, nstep + 1, alloc);
		(*steps)[nstep].k = k;
		(*steps)[nstep++].derived = 0;
	}
	/* derived states first: they need only base */
	{
		size_t nd = 0, j;
		struct step *sorted = xmalloc((nstep + 1) * sizeof(*sorted));

		for (j = 0; j < nstep; j++)
			if ((*steps)[j].derived)
				sorted[nd++] = (*steps)[j];
		for (j = 0; j < nstep; j++)
			if (!(*steps)[j].derived)
				sorted[nd++] = (*steps)[j];
		free(*steps);
		*steps = sorted;
	}
	*nsteps = nstep;
cleanup:
	child_process_clear(&cp);
	strbuf_release(&out);
	return ret;
}

/* The first-parent chain of the tip, and when each commit reached it. */
static void mark_chain(struct survival *s, uint32_t tip)
{
	size_t i;
	uint32_t k = tip;

	while (k != NONE && s->c[k].replay && !s->c[k].chain) {
		s->c[k].chain = 1;
		k = s->c[k].npar ? s->parents[s->c[k].par] : NONE;
	}
	for (i = 0; i < s->nr; i++)
		if (s->c[i].replay)
			s->c[i].land = s->c[i].chain ? s->c[i].ct : INT64_MAX;
	/* children come after their parents: walk newest first */
	for (i = s->nr; i-- > 0; ) {
		struct scommit *c = &s->c[i];
		uint32_t j;

		if (!c->replay)
			continue;
		if (c->chain)
			c->land = c->ct;
		for (j = 0; j < c->npar; j++) {
			struct scommit *p = &s->c[s->parents[c->par + j]];

			if (p->replay && !p->chain && c->land < p->land)
				p->land = c->land;
		}
	}
}

/* An unlinked temporary file holding data, read from its start. */
static int temp_fd_with(const struct strbuf *data)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path = xstrfmt("%s/git-tokens-survival.XXXXXX",
			     tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(path);

	if (fd < 0) {
		error_errno("unable to create '%s'", path);
	} else {
		unlink(path);
		if (feed_git(fd, data->buf, data->len) < 0 ||
		    lseek(fd, 0, SEEK_SET) < 0) {
			close(fd);
			fd = -1;
		}
	}
	free(path);
	return fd;
}

static int write_steps(const struct survival *s, const struct step *steps,
		       const unsigned char *prod, unsigned which,
		       size_t nsteps, const char *base)
{
	struct strbuf in = STRBUF_INIT;
	char hex[41];
	size_t i;
	int fd;

	for (i = 0; i < nsteps; i++) {
		const struct scommit *c = &s->c[steps[i].k];

		if (prod[i] != which)
			continue;
		oid_to_hex(hex, c->oid);
		strbuf_addstr(&in, hex);
		if (steps[i].derived) {
			strbuf_addf(&in, " %s", base);
		} else if (c->merge) {
			oid_to_hex(hex, s->c[s->parents[c->par]].oid);
			strbuf_addf(&in, " %s", hex);
		}
		strbuf_addstr(&in, "\n@\n");
	}
	fd = temp_fd_with(&in);
	strbuf_release(&in);
	return fd;
}

/* The merges, in replay order, for the prefetch thread. */
static int write_merges(const struct survival *s, const struct step *steps,
			const unsigned char *prod, unsigned which,
			size_t nsteps)
{
	struct strbuf in = STRBUF_INIT;
	char hex[41];
	size_t i;
	int fd;

	for (i = 0; i < nsteps; i++)
		if (prod[i] == which) {
			oid_to_hex(hex, s->c[steps[i].k].oid);
			strbuf_addf(&in, "%s\n", hex);
		}
	fd = temp_fd_with(&in);
	strbuf_release(&in);
	return fd;
}

static struct tstate *take_state(struct survival *s, uint32_t p)
{
	struct scommit *c = &s->c[p];
	struct tstate *st;

	if (!c->st)
		return tstate_new();  /* lost: should not happen */
	if (c->pending <= 1) {
		st = c->st;
		c->st = NULL;
		c->pending = 0;
		return st;
	}
	c->pending--;
	return tstate_copy(c->st);
}

static void release_state(struct survival *s, uint32_t p)
{
	struct scommit *c = &s->c[p];

	if (c->pending && !--c->pending) {
		tstate_free(c->st);
		c->st = NULL;
	}
}

/*
 * Two producers of patches share the commits; a third lists what a
 * merge changes against its first parent, without patches: a merge's
 * patches are needed only for the files no parent gives whole, and are
 * asked of the diff server then.
 */
static int start_producer(struct child_process *cp, struct rd *rd, int fd,
			  int patches, const char *indent_opt)
{
	struct child_process init = CHILD_PROCESS_INIT;

	*cp = init;
	cp->git_cmd = 1;
	cp->in = fd;
	cp->out = -1;
	strvec_pushl(&cp->args, "diff-tree", "--stdin", "-r", "-M", "--raw",
		     "-z", "--root", "--always", "--no-ext-diff",
		     "--no-textconv", "--no-color", indent_opt, NULL);
	if (patches)
		strvec_pushl(&cp->args, "-p", "-U0", NULL);
	if (start_command(cp) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	/* room to run ahead while another one is read */
	fcntl(cp->out, F_SETPIPE_SZ, 1 << 20);
	rd->fd = cp->out;
	return 0;
}

static int replay(struct survival *s, struct repo *repo, const char *tip,
		  const char *base, const struct survival_opts *opts)
{
	struct child_process cp[WORKERS + 1];
	struct rd rd[WORKERS + 1];
	struct replay rp;
	struct step *steps = NULL;
	struct progress *progress = NULL;
	unsigned char *prod = NULL;
	size_t nsteps = 0, i, nw = 0, nprod = 0, nmerges = 0, rr = 0;
	uint32_t tip_k = NONE, base_k = NONE;
	unsigned char oid[20];
	void (*old_pipe)(int);
	size_t v;
	int ret = 0, indent = 1;

	/* A co-process that dies must not take us with it. */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	memset(&rp, 0, sizeof(rp));
	memset(rd, 0, sizeof(rd));
	strbuf_init(&rp.rec.head, 0);
	strbuf_init(&rp.srv.rec.head, 0);
	rp.s = s;
	rp.repo = repo;
	rp.srv.indent_opt = "--indent-heuristic";
	/* blame honours diff.indentHeuristic; so must the diffs */
	if (repo_config_bool(repo, "diff.indentHeuristic", &indent) == 0 &&
	    !indent)
		rp.srv.indent_opt = "--no-indent-heuristic";
	if (base) {
		oid_from_hex(oid, base);
		if (oidmap_get_raw(&s->index, oid, &v)) {
			base_k = (uint32_t)v;
			s->c[base_k].st = s->tip;
			s->tip = NULL;
		}
	}
	if (list_commits(s, tip, base, &steps, &nsteps) < 0) {
		ret = -1;
		goto cleanup;
	}
	oid_from_hex(oid, tip);
	if (!oidmap_get_raw(&s->index, oid, &v)) {
		ret = error("'%s' is not in its own history", tip);
		goto cleanup;
	}
	tip_k = (uint32_t)v;
	s->c[tip_k].pending++;
	mark_chain(s, tip_k);
	s->cnt = xcalloc(s->nr + 1, sizeof(*s->cnt));

	nw = nsteps > 64 ? WORKERS : 1;
	prod = xmalloc(nsteps + 1);
	for (i = 0; i < nsteps; i++) {
		if (!steps[i].derived && s->c[steps[i].k].merge) {
			prod[i] = (unsigned char)nw;
			nmerges++;
		} else {
			prod[i] = (unsigned char)(rr++ % nw);
		}
	}
	for (nprod = 0; nprod < nw + !!nmerges; nprod++) {
		int fd = write_steps(s, steps, prod, (unsigned)nprod, nsteps,
				     base);

		if (fd < 0 ||
		    start_producer(&cp[nprod], &rd[nprod], fd, nprod < nw,
				   rp.srv.indent_opt) < 0) {
			ret = -1;
			goto cleanup;
		}
	}
	if (nmerges) {
		int fd = write_merges(s, steps, prod, (unsigned)nw, nsteps);

		if (fd >= 0)
			prefetch_start(&rp.pf, repo, fd, rp.srv.indent_opt);
	}
	if (opts->progress)
		progress = progress_start("Following lines", nsteps);
	for (i = 0; i < nsteps; i++) {
		struct scommit *c = &s->c[steps[i].k];
		struct tstate *st;
		char hex[41];
		uint32_t j;

		if (read_record(&rd[prod[i]], &rp.rec, '\0') <= 0) {
			ret = error("git diff-tree stopped early");
			goto cleanup;
		}
		oid_to_hex(hex, c->oid);
		if (rp.rec.head.len != 40 || memcmp(rp.rec.head.buf, hex, 40)) {
			ret = error("git diff-tree answered out of order");
			goto cleanup;
		}
		if (steps[i].derived) {
			st = base_k != NONE ? take_state(s, base_k) :
				tstate_new();
			replay_simple(&rp, st, NONE, 0, 0);
			c->st = st;
			continue;
		}
		st = c->npar ? take_state(s, s->parents[c->par]) : tstate_new();
		if (c->merge) {
			if (replay_merge(&rp, steps[i].k, st) < 0) {
				tstate_free(st);
				ret = -1;
				goto cleanup;
			}
		} else {
			replay_simple(&rp, st, steps[i].k, c->chain, c->ct);
		}
		for (j = 1; j < c->npar; j++)
			release_state(s, s->parents[c->par + j]);
		c->st = st;
		if (!c->pending) {
			tstate_free(st);
			c->st = NULL;
		}
		s->replayed++;
		progress_update(progress, i + 1);
	}
	s->tip = s->c[tip_k].st;
	s->c[tip_k].st = NULL;
	memcpy(s->tip_oid, tip, 41);
cleanup:
	progress_stop(&progress);
	for (i = 0; i < nprod; i++) {
		/* drain, so that a producer we stopped reading can exit */
		if (ret < 0)
			while (rd_more(&rd[i]) > 0)
				rd[i].pos = rd[i].len;
		close(cp[i].out);
		if (finish_command(&cp[i]) && !ret)
			ret = error("git diff-tree failed");
		child_process_clear(&cp[i]);
		free(rd[i].buf);
	}
	prefetch_stop(&rp.pf);
	server_stop(&rp.srv);
	for (i = 0; i < s->nr; i++) {
		tstate_free(s->c[i].st);
		s->c[i].st = NULL;
		s->c[i].pending = 0;
	}
	record_release(&rp.rec);
	free(rp.dead.v);
	free(rp.kept.v);
	free(rp.req);
	free(rp.h);
	free(rp.answered);
	free(rp.ask);
	free(rp.blobmap);
	free(rp.blobfiles);
	free(steps);
	free(prod);
	signal(SIGPIPE, old_pipe);
	return ret;
}

/* GIT_TOKENS_DEBUG: what the run did and how long it took. */
static void debug_report(const struct survival *s, const struct timespec *t0)
{
	struct timespec t1;
	struct strbuf status = STRBUF_INIT;
	const char *hwm;

	if (!getenv("GIT_TOKENS_DEBUG"))
		return;
	strbuf_read_file(&status, "/proc/self/status", 0);
	hwm = strstr(status.buf, "VmHWM:");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "survival: %lu commits, %lu replayed in %.2f s, "
		"%lu merge diff rounds (%lu files), lost track of %lu "
		"file version(s), peak memory %ld kB\n", (unsigned long)s->nr,
		(unsigned long)s->replayed,
		(double)(t1.tv_sec - t0->tv_sec) +
		(double)(t1.tv_nsec - t0->tv_nsec) / 1e9,
		(unsigned long)s->rounds, (unsigned long)s->requests,
		(unsigned long)s->lost, hwm ? strtol(hwm + 6, NULL, 10) : -1L);
	strbuf_release(&status);
}

int survival_run(struct survival **out, struct repo *repo, const char *tip,
		 const struct survival_opts *opts)
{
	struct survival *s = xcalloc(1, sizeof(*s));
	struct timespec t0;
	char base[41] = "";
	int have = 0, ret = 0, keep;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*out = NULL;
	/*
	 * The state is keyed by commit ids: under grafts or replace refs
	 * the same ids stand for another history. Compute, keep nothing.
	 */
	keep = !repo_history_rewritten(repo);
	if (opts->use_cache && keep)
		have = state_load(s, repo);
	if (have && !strcmp(s->tip_oid, tip))
		goto done;
	if (have) {
		const char *argv[] = { "merge-base", "--is-ancestor",
				       s->tip_oid, tip, NULL };

		if (git_ok(argv) == 0) {
			memcpy(base, s->tip_oid, 41);
		} else {
			/* a rewritten mainline: start over */
			survival_free(s);
			s = xcalloc(1, sizeof(*s));
		}
	}
	if (replay(s, repo, tip, *base ? base : NULL, opts) < 0) {
		ret = -1;
		goto cleanup;
	}
	/* A state that cannot be written is only slower next time. */
	if (keep && state_store(s, repo) < 0)
		warning("the survival state was not saved");
done:
	debug_report(s, &t0);
	*out = s;
	s = NULL;
cleanup:
	survival_free(s);
	return ret;
}

/* --- the tally ------------------------------------------------------------ */

void survival_for_each_path(const struct survival *s,
			    void (*fn)(const char *path, void *data),
			    void *data)
{
	size_t i, k;

	for (k = 0; s->tip && k < NBUCKET; k++) {
		const struct bucket *b = s->tip->b[k];

		for (i = 0; b && i < b->nr; i++)
			if (b->e[i].l)
				fn(b->e[i].path, data);
	}
	for (i = 0; i < s->nd; i++)
		fn(s->d[i].path, data);
}

/* GIT_TOKENS_TRACE_SURVIVAL=<file>: "<commit> <lines> <path>" per run. */
static void trace_tip(const struct survival *s, const struct fent *f,
		      FILE *fp)
{
	char hex[41];
	size_t i = 0;

	while (i < f->l->nr) {
		uint32_t o = f->l->v[i];
		size_t n = 0;

		while (i < f->l->nr && f->l->v[i] == o) {
			i++;
			n++;
		}
		if (o < s->nr)
			oid_to_hex(hex, s->c[o].oid);
		else
			strcpy(hex, "none");
		fprintf(fp, "%s %lu %s\n", hex, (unsigned long)n, f->path);
	}
}

void survival_tally(struct survival *s, struct change_set *set,
		    int (*countable)(const char *path, void *data),
		    void *data, int64_t rework_secs)
{
	uint64_t *alive = xcalloc(s->nr + 1, sizeof(*alive));
	uint64_t *rework = xcalloc(s->nr + 1, sizeof(*rework));
	uint64_t *squashed = xcalloc(s->nr + 1, sizeof(*squashed));
	const char *trace = getenv("GIT_TOKENS_TRACE_SURVIVAL");
	FILE *fp = NULL;
	size_t i, k;

	if (trace && *trace && !(fp = fopen(trace, "w")))
		warning("cannot open '%s' for writing", trace);
	for (k = 0; s->tip && k < NBUCKET; k++) {
		const struct bucket *b = s->tip->b[k];

		for (i = 0; b && i < b->nr; i++) {
			const struct fent *f = &b->e[i];
			uint32_t j;

			if (!f->l || !countable(f->path, data))
				continue;
			for (j = 0; j < f->l->nr; j++)
				if (f->l->v[j] < s->nr)
					alive[f->l->v[j]]++;
			if (fp)
				trace_tip(s, f, fp);
		}
	}
	if (fp)
		fclose(fp);
	for (i = 0; i < s->nd; i++) {
		const struct death *d = &s->d[i];

		if (d->origin < s->nr && !s->c[d->origin].merge &&
		    d->time - s->c[d->origin].land <= rework_secs &&
		    countable(d->path, data))
			rework[d->origin] += d->count;
	}
	/* The commits a squash absorbed share its lines, by their +lines. */
	for (i = 0; i < set->nr; i++) {
		size_t v;

		if (set->c[i].landed == LANDED_SQUASH &&
		    oidmap_get(&s->index, set->c[i].landed_as, &v))
			squashed[v] += set->c[i].added;
	}
	for (i = 0; i < set->nr; i++) {
		struct change *c = &set->c[i];
		const char *oid = c->oid;
		uint64_t alive_n, rework_n;
		size_t v;

		if (c->landed == LANDED_NO)
			continue;
		if (c->landed != LANDED_REACHABLE && *c->landed_as)
			oid = c->landed_as;
		if (!oidmap_get(&s->index, oid, &v) || s->c[v].merge)
			continue;
		alive_n = alive[v];
		rework_n = rework[v];
		if (c->landed == LANDED_SQUASH) {
			double share = squashed[v] ?
				(double)c->added / (double)squashed[v] : 0;

			alive_n = (uint64_t)((double)alive_n * share + 0.5);
			rework_n = (uint64_t)((double)rework_n * share + 0.5);
		}
		c->outcome.survival_known = 1;
		c->outcome.surviving = c->reverted ? 0 : alive_n;
		c->outcome.reworked = rework_n;
	}
	free(alive);
	free(rework);
	free(squashed);
}
