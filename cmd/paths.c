#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "paths.h"
#include "usage.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/git-tokens"
#endif

const char *tokens_datadir(void)
{
	const char *env = getenv("GIT_TOKENS_DATADIR");

	return env && *env ? env : PKGDATADIR;
}

int mkdir_p(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	size_t i;
	int ret = 0;

	strbuf_addstr(&sb, path);
	/* Make each leading directory in turn, then the whole path. */
	for (i = 1; i <= sb.len && !ret; i++) {
		if (i < sb.len && sb.buf[i] != '/')
			continue;
		sb.buf[i] = '\0';
		if (mkdir(sb.buf, 0777) < 0 && errno != EEXIST)
			ret = -1;
		else if (stat(sb.buf, &st) < 0)
			ret = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			ret = -1;
		}
		if (i < sb.len)
			sb.buf[i] = '/';
	}
	strbuf_release(&sb);
	return ret;
}

int tokens_user_cache_dir(struct strbuf *out)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	strbuf_reset(out);
	/* The XDG spec says to ignore a relative value. */
	if (xdg && *xdg == '/')
		strbuf_addf(out, "%s/git-tokens/", xdg);
	else if (home && *home)
		strbuf_addf(out, "%s/.cache/git-tokens/", home);
	else
		return error("cannot find a cache directory: "
			     "neither XDG_CACHE_HOME nor HOME is set");
	if (mkdir_p(out->buf) < 0)
		return error_errno("cannot create '%s'", out->buf);
	return 0;
}
