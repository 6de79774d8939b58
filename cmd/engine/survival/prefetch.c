/*
 * Answers before they are asked for: a thread reads what each merge
 * changes against all its parents ("git diff-tree -c": the files no
 * parent gives whole) and has the diffs blame's rule needs for them
 * made in bulk, ahead of the replay. A merge whose files went another
 * way (a rename) asks the rest itself.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/die.h"
#include "engine/survival/survival-internal.h"

struct answer {
	unsigned char a[20], b[20];
	int from_empty;
	size_t h, nh;
	int ok;
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
		else if (p - w != 40 || rd_hex_oid(blobs[nblob++], w))
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
	if (server_spawn(&cp) < 0) {
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

void prefetch_start(struct prefetch *pf, struct repo *repo, int fd,
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
void prefetch_take(struct prefetch *pf, size_t ordinal, struct request *req,
		   size_t n, int *answered, struct hunk **h, size_t *nh,
		   size_t *halloc)
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

void prefetch_stop(struct prefetch *pf)
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
