/*
 * A range's boundary: the commits its bottoms reach, as "git blame
 * <bottom>.." has them. Their lines are of no commit of the range
 * (NONE); only the commits from them to the tip are replayed.
 *
 * A boundary commit's state starts empty and is filled as it is asked
 * about: a path a state of its line does not hold is the boundary
 * tree's file, unchanged since, all of its lines NONE. The tree is
 * listed ("git ls-tree") the first time, a blob's lines counted ("git
 * cat-file --batch") the first time; most files of a large tree are
 * never reached by a short range. Such states keep what they delete
 * as a tombstone (mode 0), so that the boundary's file stays deleted.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/die.h"
#include "engine/numstat.h"
#include "engine/survival/survival-internal.h"

struct seed_file {
	struct fent f;
	int counted;
};

/* One boundary commit's tree. */
struct seed {
	struct seeder *sd;
	unsigned char oid[20];
	int listed;
	struct seed_file *f;
	size_t nr, alloc;
	size_t *slot, nslot;          /* path -> 1 + index into f */
};

struct seeder {
	struct seed **seed;
	size_t nr, alloc;
	struct child_process cat;     /* git cat-file --batch */
	struct rd rd;
	int started, failed;
	struct oidmap blobs;          /* blob -> index into lines */
	struct lines **lines;         /* NULL: binary */
	size_t nlines, lines_alloc;
};

struct seeder *seeder_new(void)
{
	return xcalloc(1, sizeof(struct seeder));
}

struct tstate *seeder_state(struct seeder *sd, const unsigned char oid[20])
{
	struct seed *seed = xcalloc(1, sizeof(*seed));
	struct tstate *st = tstate_new();

	seed->sd = sd;
	memcpy(seed->oid, oid, 20);
	ALLOC_GROW(sd->seed, sd->nr + 1, sd->alloc);
	sd->seed[sd->nr++] = seed;
	st->seed = seed;
	return st;
}

static void seed_index(struct seed *seed)
{
	size_t i, k;

	seed->nslot = 16;
	while (seed->nslot < 2 * seed->nr)
		seed->nslot *= 2;
	seed->slot = xcalloc(seed->nslot, sizeof(*seed->slot));
	for (k = 0; k < seed->nr; k++) {
		for (i = ptr_hash(seed->f[k].f.path) & (seed->nslot - 1);
		     seed->slot[i]; i = (i + 1) & (seed->nslot - 1))
			;
		seed->slot[i] = k + 1;
	}
}

/* One "<mode> blob <oid>\t<path>" of git ls-tree; gitlinks skipped. */
static int seed_add(struct seed *seed, const char *p, size_t len)
{
	const char *tab = memchr(p, '\t', len);
	struct seed_file *sf;
	char *q;
	uint32_t mode = (uint32_t)strtoul(p, &q, 8);

	if (tab && tab - q > 8 && !strncmp(q, " commit ", 8))
		return 0;  /* a submodule: never followed */
	if (!tab || tab - q != 6 + 40 || strncmp(q, " blob ", 6))
		return error("unexpected output from git ls-tree");
	ALLOC_GROW(seed->f, seed->nr + 1, seed->alloc);
	sf = &seed->f[seed->nr];
	memset(sf, 0, sizeof(*sf));
	sf->f.mode = mode;
	if (rd_hex_oid(sf->f.blob, q + 6))
		return error("unexpected output from git ls-tree");
	sf->f.path = numstat_path_intern(tab + 1, len - (tab + 1 - p));
	seed->nr++;
	return 0;
}

/*
 * Every file of the boundary commit's tree. Started as the other
 * co-processes are: the prefetch thread starts children too.
 */
static int seed_list(struct seed *seed)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct rd r;
	char hex[41], *tok;
	size_t len;
	int ret = 0;

	seed->listed = 1;
	memset(&r, 0, sizeof(r));
	oid_to_hex(hex, seed->oid);
	cp.git_cmd = 1;
	cp.out = -1;
	strvec_pushl(&cp.args, "ls-tree", "-r", "-z", "--full-tree", hex,
		     NULL);
	if (server_spawn(&cp) < 0) {
		ret = -1;
		goto cleanup;
	}
	r.fd = cp.out;
	while (!ret && (tok = rd_token(&r, '\0', &len)))
		ret = seed_add(seed, tok, len);
	if (r.err)
		ret = -1;
	while (rd_more(&r) > 0)
		r.pos = r.len;  /* drain, so that git can exit */
	close(cp.out);
	if (finish_command(&cp) && !ret)
		ret = error("git ls-tree failed on '%s'", hex);
	if (!ret)
		seed_index(seed);
cleanup:
	if (ret < 0)
		seed->sd->failed = 1;
	child_process_clear(&cp);
	free(r.buf);
	return ret;
}

static int seeder_start(struct seeder *sd)
{
	struct child_process init = CHILD_PROCESS_INIT;

	sd->started = 1;
	sd->cat = init;
	sd->cat.git_cmd = 1;
	sd->cat.in = sd->cat.out = -1;
	strvec_pushl(&sd->cat.args, "cat-file", "--batch", NULL);
	if (server_spawn(&sd->cat) < 0)
		return -1;
	sd->rd.fd = sd->cat.out;
	return 0;
}

/* blob's lines, all NONE (NULL: binary, as git's diff takes it). */
static int seeder_count(struct seeder *sd, const unsigned char *blob,
			struct lines **out)
{
	char hex[41], req[42], *tok;
	const char *data;
	size_t len, size, n = 0, i;
	struct lines *l = NULL;

	oid_to_hex(hex, blob);
	memcpy(req, hex, 40);
	req[40] = '\n';
	if (server_feed(sd->cat.in, req, 41) < 0)
		return -1;
	tok = rd_token(&sd->rd, '\n', &len);
	if (!tok || len < 47 || memcmp(tok, hex, 40) ||
	    memcmp(tok + 40, " blob ", 6))
		return error("git cat-file cannot read blob '%s'", hex);
	size = (size_t)strtoull(tok + 46, NULL, 10);
	while (sd->rd.len - sd->rd.pos < size + 1)
		if (rd_more(&sd->rd) <= 0)
			return error("git cat-file stopped early");
	data = sd->rd.buf + sd->rd.pos;
	sd->rd.pos += size + 1;
	if (memchr(data, '\0', size < 8000 ? size : 8000)) {
		*out = NULL;
		return 0;
	}
	for (i = 0; i < size; i++)
		n += data[i] == '\n';
	if (size && data[size - 1] != '\n')
		n++;
	l = lines_new(n);
	for (i = 0; i < n; i++)
		l->v[i] = NONE;
	*out = l;
	return 0;
}

/* The boundary's file at path, its lines counted, or NULL. */
const struct fent *seed_get(const struct tstate *st, const char *path)
{
	struct seed *seed = st->seed;
	struct seeder *sd = seed->sd;
	struct seed_file *sf = NULL;
	size_t i, v;

	if (sd->failed || (!seed->listed && seed_list(seed) < 0))
		return NULL;
	for (i = ptr_hash(path) & (seed->nslot - 1); seed->slot[i];
	     i = (i + 1) & (seed->nslot - 1))
		if (seed->f[seed->slot[i] - 1].f.path == path) {
			sf = &seed->f[seed->slot[i] - 1];
			break;
		}
	if (!sf || sf->counted)
		return sf ? &sf->f : NULL;
	if (!oidmap_get_raw(&sd->blobs, sf->f.blob, &v)) {
		struct lines *l = NULL;

		if ((!sd->started && seeder_start(sd) < 0) ||
		    seeder_count(sd, sf->f.blob, &l) < 0) {
			sd->failed = 1;
			return NULL;
		}
		v = sd->nlines;
		ALLOC_GROW(sd->lines, sd->nlines + 1, sd->lines_alloc);
		sd->lines[sd->nlines++] = l;
		oidmap_put_raw(&sd->blobs, sf->f.blob, v);
	}
	sf->f.l = lines_ref(sd->lines[v]);
	sf->counted = 1;
	return &sf->f;
}

/* Free it all: -1 when some boundary file could not be read. */
int seeder_free(struct seeder *sd)
{
	size_t i, k;
	int ret;

	if (!sd)
		return 0;
	ret = sd->failed ? -1 : 0;
	if (sd->started && sd->cat.pid) {
		close(sd->cat.in);
		close(sd->cat.out);
		finish_command(&sd->cat);
	}
	if (sd->started)
		child_process_clear(&sd->cat);
	free(sd->rd.buf);
	for (i = 0; i < sd->nr; i++) {
		struct seed *seed = sd->seed[i];

		for (k = 0; k < seed->nr; k++)
			lines_unref(seed->f[k].f.l);
		free(seed->f);
		free(seed->slot);
		free(seed);
	}
	free(sd->seed);
	for (i = 0; i < sd->nlines; i++)
		lines_unref(sd->lines[i]);
	free(sd->lines);
	oidmap_clear(&sd->blobs);
	free(sd);
	return ret;
}
