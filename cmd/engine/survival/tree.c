/*
 * Line origins and file states: a commit's tree as buckets of files,
 * each file with the array of its lines' origins; buckets and arrays
 * are shared copy-on-write between the states of parents and children.
 * And the hunks of a -U0 diff applied to such an array.
 */
#include <stdlib.h>
#include <string.h>
#include "base/die.h"
#include "engine/survival/survival-internal.h"

struct lines *lines_new(size_t nr)
{
	struct lines *l = xmalloc(sizeof(*l) + nr * sizeof(uint32_t));

	l->refs = 1;
	l->nr = (uint32_t)nr;
	return l;
}

struct lines *lines_ref(struct lines *l)
{
	if (l)
		l->refs++;
	return l;
}

void lines_unref(struct lines *l)
{
	if (l && !--l->refs)
		free(l);
}

/* Paths are interned: the pointer names the path. */
size_t ptr_hash(const char *path)
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

struct tstate *tstate_new(void)
{
	return xcalloc(1, sizeof(struct tstate));
}

struct tstate *tstate_copy(const struct tstate *s)
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

void tstate_free(struct tstate *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < NBUCKET; i++)
		bucket_unref(s->b[i]);
	free(s);
}

const struct fent *tstate_get(const struct tstate *s, const char *path)
{
	const struct bucket *b;
	size_t i;

	if (!s || !path)
		return NULL;
	b = s->b[path_bucket(path)];
	for (i = 0; b && i < b->nr; i++)
		if (b->e[i].path == path)
			return b->e[i].mode ? &b->e[i] : NULL;
	return s->seed ? seed_get(s, path) : NULL;
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
void tstate_put(struct tstate *s, const char *path,
		const unsigned char *blob, uint32_t mode, struct lines *l)
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
	f->mode = mode;
	memcpy(f->blob, blob, 20);
}

void tstate_del(struct tstate *s, const char *path)
{
	static const unsigned char none[20];
	struct bucket *b;
	size_t i;

	if (s->seed) {
		tstate_put(s, path, none, 0, NULL);  /* a tombstone */
		return;
	}
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

void lines_push_all(struct u32vec *v, const struct lines *l)
{
	size_t i;

	for (i = 0; l && i < l->nr; i++)
		u32_push(v, l->v[i]);
}

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
struct lines *apply_hunks(const struct lines *old, const struct hunk *h,
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
int fill_from(struct lines *l, const struct lines *pl, const struct hunk *h,
	      size_t nh, struct u32vec *got)
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
