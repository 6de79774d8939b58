/* Repository matching: does a session's folder lie in a work tree? */
#include "base/compat.h"

#include <stdlib.h>
#include <string.h>

#include "base/die.h"
#include "base/hash.h"
#include "git/repo.h"
#include "sources/sources-internal.h"


static void match_add_root(struct source_match *m, const char *dir)
{
	char *real;
	struct strbuf sb = STRBUF_INIT;

	if (!dir || !*dir)
		return;
	strbuf_addstr(&sb, dir);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	strbuf_addch(&sb, '/');
	strvec_push(&m->roots, sb.buf);
	real = realpath(dir, NULL);
	if (real) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, real);
		if (sb.len > 1)
			strbuf_addch(&sb, '/');
		strvec_push(&m->roots, sb.buf);
		free(real);
	}
	strbuf_release(&sb);
}

void source_match_init(struct source_match *m, struct repo *repo)
{
	struct strvec trees = STRVEC_INIT;
	size_t i;

	strvec_init(&m->roots);
	if (!repo)
		return;
	repo_worktrees(repo, &trees);
	for (i = 0; i < trees.nr; i++)
		match_add_root(m, trees.v[i]);
	strvec_clear(&trees);
}

static int match_roots(struct source_match *m, const char *path)
{
	size_t i, plen = strlen(path);

	for (i = 0; i < m->roots.nr; i++) {
		const char *r = m->roots.v[i];
		size_t rlen = strlen(r);

		if (plen + 1 == rlen && !strncmp(path, r, plen))
			return 1;
		if (plen >= rlen && !strncmp(path, r, rlen))
			return 1;
	}
	return 0;
}

int source_repo_match(struct source_ctx *ctx, const char *cwd)
{
	struct source_match *m = ctx->match;
	const char *icwd;
	size_t *slot;
	int in;
	char *real;

	if (!m || !cwd || !m->roots.nr)
		return 0;
	icwd = event_intern(cwd);
	slot = u64map_find(&m->seen, (uint64_t)(uintptr_t)icwd, 1);
	if (*slot)
		return *slot == 1;
	in = match_roots(m, icwd);
	if (!in && (real = realpath(icwd, NULL))) {
		in = match_roots(m, real);
		free(real);
	}
	*slot = in ? 1 : 2;
	return in;
}

void source_match_release(struct source_match *m)
{
	strvec_clear(&m->roots);
	u64map_release(&m->seen);
}

int source_uri_path(const char *uri, struct strbuf *out)
{
	const char *p;

	strbuf_reset(out);
	if (!strncmp(uri, "file://", 7)) {
		uri += 7;
		/* file://host/path: only the local host is ours */
		if (*uri != '/' && strncmp(uri, "localhost/", 10))
			return -1;
		if (*uri != '/')
			uri += 9;
	}
	if (*uri != '/')
		return -1;
	for (p = uri; *p; p++) {
		int hi, lo;

		if (*p == '%' && (hi = hex_value(p[1])) >= 0 &&
		    (lo = hex_value(p[2])) >= 0) {
			if (!(hi << 4 | lo))
				return -1;
			strbuf_addch(out, (char)(hi << 4 | lo));
			p += 2;
		} else {
			strbuf_addch(out, *p);
		}
	}
	while (out->len > 1 && out->buf[out->len - 1] == '/')
		strbuf_setlen(out, out->len - 1);
	return 0;
}
