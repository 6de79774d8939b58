/*
 * One-blob diffs for merges: the few files of a merge that no parent
 * gives whole need diffs against each parent, asked of git in bulk.
 */
#include "base/compat.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/die.h"
#include "base/paths.h"
#include "engine/survival/survival-internal.h"
#include "git/repo.h"

#define EMPTY_TREE "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

/*
 * Children are started from two threads: a pipe made in one must have
 * its close-on-exec flag before a fork in the other, or a child holds it
 * open and the co-process at its other end never sees its input end.
 */
static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;

int server_spawn(struct child_process *cp)
{
	int ret;

	pthread_mutex_lock(&spawn_lock);
	ret = start_command(cp);
	pthread_mutex_unlock(&spawn_lock);
	return ret;
}

int server_feed(int fd, const char *buf, size_t len)
{
	if (write_all(fd, buf, len) < 0)
		return error_errno("cannot write to git");
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
	if (server_spawn(&sv->mk) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (server_spawn(&sv->dt) < 0) {
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

void server_stop(struct server *sv)
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
		compat_remove_tree(sv->objdir);
		free(sv->objdir);
	}
	free(sv->mk_rd.buf);
	free(sv->dt_rd.buf);
	diff_record_release(&sv->rec);
}

/* The tree "git mktree" made: 40 hex digits into out. */
static int read_tree(struct server *sv, char out[41])
{
	size_t len;
	char *tok = rd_token(&sv->mk_rd, '\n', &len);

	if (!tok || len != 40)
		return error("git mktree failed");
	memcpy(out, tok, 40);
	out[40] = '\0';
	return 0;
}

/*
 * The -U0 hunks of each request, appended to the hunk store *h: the
 * "from" blobs go in one tree and the "to" blobs in another, under the
 * request's number, and one tree diff answers them all.
 */
int server_diff(struct server *sv, struct repo *repo, struct request *req,
		size_t n, struct hunk **h, size_t *nh, size_t *halloc)
{
	struct strbuf in = STRBUF_INIT;
	struct diff_record *rec = &sv->rec;
	char hex[41], ta[41], tb[41];
	size_t i, nfrom = 0;
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
	if (server_feed(sv->mk.in, in.buf, in.len) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (read_tree(sv, ta) < 0 || read_tree(sv, tb) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (!nfrom)
		strcpy(ta, EMPTY_TREE);
	strbuf_reset(&in);
	strbuf_addf(&in, "%s %s\n@\n", ta, tb);
	if (server_feed(sv->dt.in, in.buf, in.len) < 0 ||
	    diff_record_read(&sv->dt_rd, rec, '\n') <= 0) {
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
