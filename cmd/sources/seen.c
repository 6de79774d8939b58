/*
 * The repositories seen on this machine, and the repository a folder
 * lies in: what "usage --all-repos" needs beyond the logs that name
 * their folders themselves (aider histories and imports live in the
 * repositories).
 */
#include "base/compat.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/die.h"
#include "base/paths.h"
#include "git/repo.h"
#include "sources/sources.h"

#define SEEN_FILE "repos"

/* <user cache>/repos, or -1 (quietly: the list is a convenience). */
static int seen_path(struct strbuf *out)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (!(xdg && *xdg == '/') && !(home && *home))
		return -1;
	if (tokens_user_cache_dir(out) < 0)
		return -1;
	strbuf_addstr(out, SEEN_FILE);
	return 0;
}

/* The lines of the list, read whole (it is small). */
static void seen_read(const char *path, struct strvec *out)
{
	struct strbuf text = STRBUF_INIT;
	char **lines = NULL;
	size_t i, n;

	if (strbuf_read_file(&text, path, 4096) < 0) {
		strbuf_release(&text);
		return;
	}
	n = strbuf_split_inplace(text.buf, '\n', &lines);
	for (i = 0; i < n; i++)
		if (*lines[i] == '/')
			strvec_push(out, lines[i]);
	free(lines);
	strbuf_release(&text);
}

void source_seen_add(struct repo *repo)
{
	struct strbuf path = STRBUF_INIT, line = STRBUF_INIT;
	struct strvec known = STRVEC_INIT;
	char *common = realpath(repo_common_dir(repo), NULL);
	int fd;

	if (!common || strchr(common, '\n') || seen_path(&path) < 0)
		goto cleanup;
	seen_read(path.buf, &known);
	if (strvec_has(&known, common))
		goto cleanup;
	/* One short write with O_APPEND: writers at once never mix. */
	fd = open(path.buf, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		goto cleanup;
	strbuf_addf(&line, "%s\n", common);
	write_all(fd, line.buf, line.len);
	close(fd);
cleanup:
	free(common);
	strvec_clear(&known);
	strbuf_release(&path);
	strbuf_release(&line);
}

void source_seen_list(struct strvec *out)
{
	struct strbuf path = STRBUF_INIT;
	struct strvec known = STRVEC_INIT;
	struct stat st;
	size_t i;

	if (!seen_path(&path))
		seen_read(path.buf, &known);
	for (i = 0; i < known.nr; i++) {
		char *real = realpath(known.v[i], NULL);

		/* A repository deleted since is no error. */
		if (real && !stat(real, &st) && S_ISDIR(st.st_mode) &&
		    !strvec_has(out, real))
			strvec_push(out, real);
		free(real);
	}
	strvec_clear(&known);
	strbuf_release(&path);
}

/*
 * The main work tree of the repository whose work tree dir holds a
 * ".git" file naming "gitdir: <common>/worktrees/<id>", else dir.
 */
static void main_tree(struct strbuf *dir)
{
	struct strbuf text = STRBUF_INIT;
	char *path = xstrfmt("%s/.git", dir->buf), *wt;
	size_t len;

	if (strbuf_read_file(&text, path, 256) < 0)
		goto cleanup;
	strbuf_trim(&text);
	if (strncmp(text.buf, "gitdir: /", 9) ||
	    !(wt = strstr(text.buf, "/worktrees/")))
		goto cleanup;
	len = (size_t)(wt - (text.buf + 8));
	if (len > 5 && !strncmp(wt - 5, "/.git", 5)) {
		strbuf_reset(dir);
		strbuf_add(dir, text.buf + 8, len - 5);
	}
cleanup:
	free(path);
	strbuf_release(&text);
}

/*
 * Whether dir is one of GIT_CEILING_DIRECTORIES, above which git looks
 * for no repository: a folder below one is in none above it either.
 */
static int is_ceiling(const char *dir, size_t len)
{
	const char *p = getenv("GIT_CEILING_DIRECTORIES"), *end;
	size_t n;

	for (; p && *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		n = (size_t)(end - p);
		while (n > 1 && p[n - 1] == '/')
			n--;
		if (n == len && !strncmp(p, dir, len))
			return 1;
	}
	return 0;
}

const char *source_repo_root(struct u64map *memo, const char *cwd)
{
	struct strbuf dir = STRBUF_INIT;
	const char *ret;
	struct stat st;
	size_t *slot;

	if (!cwd)
		return NULL;
	cwd = event_intern(cwd);
	slot = u64map_find(memo, (uint64_t)(uintptr_t)cwd, 1);
	if (*slot)
		return (const char *)(uintptr_t)*slot;
	strbuf_addstr(&dir, cwd);
	while (dir.len > 1 && dir.buf[dir.len - 1] == '/')
		strbuf_setlen(&dir, dir.len - 1);
	for (;;) {
		size_t len = dir.len;

		strbuf_addstr(&dir, "/.git");
		if (!lstat(dir.buf, &st)) {
			strbuf_setlen(&dir, len);
			if (S_ISREG(st.st_mode))
				main_tree(&dir);
			break;
		}
		while (len && dir.buf[len - 1] != '/')
			len--;
		if (len <= 1 || is_ceiling(dir.buf, len - 1)) {
			/* In no repository: the folder says where. */
			strbuf_reset(&dir);
			strbuf_addstr(&dir, cwd);
			break;
		}
		strbuf_setlen(&dir, len - 1);
	}
	ret = event_intern(dir.buf);
	*slot = (size_t)(uintptr_t)ret;
	strbuf_release(&dir);
	return ret;
}
