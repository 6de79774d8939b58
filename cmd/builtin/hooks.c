/*
 * git tokens hooks install|uninstall|status, and "hooks run <hook>",
 * what the shims in $(pkgdatadir)/hooks call (SPEC §9).
 *
 * install writes the post-commit, pre-push and post-rewrite shims into
 * the hooks folder git uses (core.hooksPath honoured, husky folders
 * too). A hook already there is kept beside the shim as
 * <hook>.git-tokens-chained (a rename: content, mode and all) and the
 * shim runs it first. It also sets notes.rewriteRef,
 * notes.rewriteMode=cat_sort_uniq and notes.<name>.mergeStrategy=
 * cat_sort_uniq. What it did is written to <common dir>/tokens/hooks
 * so that uninstall undoes exactly that and nothing else: it puts the
 * chained hooks back, removes its shims, unsets what it added and
 * restores the values it replaced (unless they were changed since).
 *
 * status exits 1 when the hooks or the notes config are not (all) in
 * place, so that scripts can test it.
 *
 * Notes are pushed by pre-push only to a configured remote (one with a
 * remote.<name>.url): a push to a bare URL never carries them.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/die.h"
#include "base/oidmap.h"
#include "base/parse-options.h"
#include "base/paths.h"
#include "base/run-command.h"
#include "builtin/builtin.h"
#include "engine/notes.h"
#include "engine/sync.h"
#include "git/repo.h"
#include "model/change.h"
#include "report/render.h"

#define SHIM_MARK "\n# git-tokens-shim "
#define CHAINED_SUFFIX ".git-tokens-chained"
#define STATE_FILE "hooks"
#define STATE_HEADER "# git-tokens hooks 1"
#define MERGE_MODE "cat_sort_uniq"

static const char * const hooks_usage[] = {
	"git tokens hooks install [-q]",
	"git tokens hooks uninstall [-q]",
	"git tokens hooks status",
	NULL
};

static const char *hook_names[] = { "post-commit", "pre-push", "post-rewrite" };

enum hook_how { HOOK_NONE = 0, HOOK_NEW, HOOK_CHAINED };

struct config_rec {
	char *key;
	int add;        /* 1: a value added to a multi-valued key */
	char *value;    /* what we set or added */
	char *prior;    /* the local value we replaced, or NULL */
};

/* What install did, as kept in <common dir>/tokens/hooks. */
struct hooks_state {
	char *dir;
	int created_dir;
	enum hook_how how[ARRAY_SIZE(hook_names)];
	struct config_rec *cfg;
	size_t cfg_nr, cfg_alloc;
};

static void state_release(struct hooks_state *st)
{
	size_t i;

	for (i = 0; i < st->cfg_nr; i++) {
		free(st->cfg[i].key);
		free(st->cfg[i].value);
		free(st->cfg[i].prior);
	}
	free(st->cfg);
	free(st->dir);
	memset(st, 0, sizeof(*st));
}

/* --- the state file: one record a line, values %-escaped ------------- */

static void add_escaped(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == '%' || c >= 0x7f)
			strbuf_addf(sb, "%%%02X", c);
		else
			strbuf_addch(sb, c);
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* A field: "=<escaped>" is a value, "-" none; NULL when malformed. */
static char *unescape_field(const char *s, int *bad)
{
	struct strbuf sb = STRBUF_INIT;

	if (!strcmp(s, "-"))
		return NULL;
	if (*s != '=') {
		*bad = 1;
		return NULL;
	}
	for (s++; *s; s++) {
		if (*s == '%') {
			int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);

			if (hi < 0 || lo < 0) {
				*bad = 1;
				break;
			}
			strbuf_addch(&sb, hi * 16 + lo);
			s += 2;
		} else {
			strbuf_addch(&sb, *s);
		}
	}
	return strbuf_detach(&sb, NULL);
}

static void add_field(struct strbuf *sb, const char *value)
{
	strbuf_addch(sb, ' ');
	if (!value) {
		strbuf_addch(sb, '-');
		return;
	}
	strbuf_addch(sb, '=');
	add_escaped(sb, value);
}

static int hook_index(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hook_names); i++)
		if (!strcmp(hook_names[i], name))
			return (int)i;
	return -1;
}

static int state_path(struct repo *repo, struct strbuf *out)
{
	if (repo_tokens_dir(repo, out) < 0)
		return -1;
	strbuf_addstr(out, STATE_FILE);
	return 0;
}

/*
 * Read the state: 1 when there is none, 0 when read, -1 when it cannot
 * be read or makes no sense (then we do not guess).
 */
static int state_read(struct repo *repo, struct hooks_state *st)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	char **lines = NULL;
	size_t n, i;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	if (state_path(repo, &path) < 0)
		return -1;
	if (strbuf_read_file(&text, path.buf, 256) < 0) {
		ret = errno == ENOENT ? 1 : error_errno("cannot read '%s'",
							 path.buf);
		goto cleanup;
	}
	n = strbuf_split_inplace(text.buf, '\n', &lines);
	if (!n || strcmp(lines[0], STATE_HEADER)) {
		ret = error("'%s' is not a git-tokens hooks record", path.buf);
		goto cleanup;
	}
	for (i = 1; i < n && !ret; i++) {
		char **f = NULL;
		size_t nf = strbuf_split_inplace(lines[i], ' ', &f);
		int bad = 0, h;

		if (!nf || !*f[0]) {
			free(f);
			continue;
		}
		if (!strcmp(f[0], "dir") && nf == 2) {
			free(st->dir);
			st->dir = unescape_field(f[1], &bad);
			bad |= !st->dir;
		} else if (!strcmp(f[0], "created-dir") && nf == 1) {
			st->created_dir = 1;
		} else if (!strcmp(f[0], "hook") && nf == 3 &&
			   (h = hook_index(f[1])) >= 0) {
			if (!strcmp(f[2], "new"))
				st->how[h] = HOOK_NEW;
			else if (!strcmp(f[2], "chained"))
				st->how[h] = HOOK_CHAINED;
			else
				bad = 1;
		} else if (!strcmp(f[0], "config") && (nf == 4 || nf == 5) &&
			   (!strcmp(f[2], "add") || !strcmp(f[2], "set"))) {
			struct config_rec *c;

			ALLOC_GROW(st->cfg, st->cfg_nr + 1, st->cfg_alloc);
			c = &st->cfg[st->cfg_nr++];
			c->key = unescape_field(f[1], &bad);
			c->add = !strcmp(f[2], "add");
			c->value = unescape_field(f[3], &bad);
			c->prior = nf == 5 ? unescape_field(f[4], &bad) : NULL;
			bad |= !c->key || !c->value;
		} else {
			bad = 1;
		}
		if (bad)
			ret = error("'%s', line %lu: cannot understand it",
				    path.buf, (unsigned long)i + 1);
		free(f);
	}
	if (!ret && !st->dir)
		ret = error("'%s' names no hooks folder", path.buf);
cleanup:
	if (ret)
		state_release(st);
	free(lines);
	strbuf_release(&path);
	strbuf_release(&text);
	return ret;
}

/* Write data to path through a temporary file and a rename. */
static int write_atomic(const char *path, const char *data, size_t len,
			mode_t mode)
{
	if (write_file_atomic(path, data, len, mode,
			      WRITE_FILE_EXACT_MODE) < 0)
		return error_errno("cannot write '%s'", path);
	return 0;
}

static int state_write(struct repo *repo, const struct hooks_state *st)
{
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	size_t i;
	int ret;

	if (state_path(repo, &path) < 0)
		return -1;
	strbuf_addstr(&sb, STATE_HEADER "\n");
	strbuf_addstr(&sb, "dir");
	add_field(&sb, st->dir);
	strbuf_addch(&sb, '\n');
	if (st->created_dir)
		strbuf_addstr(&sb, "created-dir\n");
	for (i = 0; i < ARRAY_SIZE(hook_names); i++)
		if (st->how[i])
			strbuf_addf(&sb, "hook %s %s\n", hook_names[i],
				    st->how[i] == HOOK_NEW ? "new" : "chained");
	for (i = 0; i < st->cfg_nr; i++) {
		strbuf_addstr(&sb, "config");
		add_field(&sb, st->cfg[i].key);
		strbuf_addstr(&sb, st->cfg[i].add ? " add" : " set");
		add_field(&sb, st->cfg[i].value);
		if (!st->cfg[i].add)
			add_field(&sb, st->cfg[i].prior);
		strbuf_addch(&sb, '\n');
	}
	ret = write_atomic(path.buf, sb.buf, sb.len, 0666);
	strbuf_release(&path);
	strbuf_release(&sb);
	return ret;
}

/* --- where the hooks are ------------------------------------------------ */

/*
 * The folder git runs hooks from, absolute: "git rev-parse --git-path
 * hooks" knows core.hooksPath and worktrees. Asked from the top of the
 * work tree, where git runs hooks and where a relative core.hooksPath
 * starts. A folder that exists is named by its real path, so that the
 * same folder always has the same name.
 */
static int hooks_dir(struct repo *repo, struct strbuf *out)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf path = STRBUF_INIT;
	const char *top = repo_work_tree(repo);
	char *cwd = NULL, *real = NULL;
	int ret = 0;

	cp.git_cmd = 1;
	cp.dir = top;
	strvec_pushl(&cp.args, "rev-parse", "--git-path", "hooks", NULL);
	if (capture_command(&cp, &path) || !path.len) {
		ret = error("cannot find the hooks folder "
			    "('git rev-parse --git-path hooks' failed)");
		goto cleanup;
	}
	/* Only the newline git adds: a path may end in blanks. */
	if (path.buf[path.len - 1] == '\n')
		strbuf_setlen(&path, path.len - 1);
	strbuf_reset(out);
	if (path.buf[0] != '/') {
		if (!top)
			top = cwd = getcwd(NULL, 0);
		if (!top) {
			ret = error_errno("cannot get the current directory");
			goto cleanup;
		}
		strbuf_addstr(out, top);
		if (out->len && out->buf[out->len - 1] != '/')
			strbuf_addch(out, '/');
	}
	strbuf_addbuf(out, &path);
	while (out->len > 1 && out->buf[out->len - 1] == '/')
		strbuf_setlen(out, out->len - 1);
	real = realpath(out->buf, NULL);
	if (real) {
		strbuf_reset(out);
		strbuf_addstr(out, real);
	}
cleanup:
	free(cwd);
	free(real);
	child_process_clear(&cp);
	strbuf_release(&path);
	return ret;
}

/* 1 when path is a regular file holding one of our shims. */
static int is_shim(const char *path)
{
	struct strbuf text = STRBUF_INIT;
	struct stat st;
	int ret;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	ret = strbuf_read_file(&text, path, (size_t)st.st_size) >= 0 &&
		strstr(text.buf, SHIM_MARK) != NULL;
	strbuf_release(&text);
	return ret;
}

/* 1 when a and b are the same kind of file with the same bytes and mode. */
static int same_file(const char *a, const char *b)
{
	struct strbuf ta = STRBUF_INIT, tb = STRBUF_INIT;
	struct stat sa, sb;
	int ret = 0;

	if (lstat(a, &sa) < 0 || lstat(b, &sb) < 0 ||
	    (sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT) ||
	    (sa.st_mode & 07777) != (sb.st_mode & 07777))
		return 0;
	if (S_ISLNK(sa.st_mode)) {
		char la[4096], lb[4096];
		ssize_t na = readlink(a, la, sizeof(la));
		ssize_t nb = readlink(b, lb, sizeof(lb));

		return na >= 0 && na == nb && !memcmp(la, lb, (size_t)na);
	}
	if (!S_ISREG(sa.st_mode))
		return 0;
	if (strbuf_read_file(&ta, a, (size_t)sa.st_size) >= 0 &&
	    strbuf_read_file(&tb, b, (size_t)sb.st_size) >= 0)
		ret = ta.len == tb.len && !memcmp(ta.buf, tb.buf, ta.len);
	strbuf_release(&ta);
	strbuf_release(&tb);
	return ret;
}

static int path_exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/*
 * The shim as installed: $(pkgdatadir)/hooks/<name>; from a source tree
 * (GIT_TOKENS_DATADIR=<top>/share) the shims are in <top>/hooks.
 */
static int read_shim(const char *name, struct strbuf *out)
{
	char *path = xstrfmt("%s/hooks/%s", tokens_datadir(), name);
	int ret = 0;

	if (!path_exists(path)) {
		free(path);
		path = xstrfmt("%s/../hooks/%s", tokens_datadir(), name);
	}

	strbuf_reset(out);
	if (strbuf_read_file(out, path, 2048) < 0)
		ret = error_errno("cannot read the hook shim '%s' "
				  "(is git-tokens installed? "
				  "GIT_TOKENS_DATADIR names another place)",
				  path);
	else if (!strstr(out->buf, SHIM_MARK))
		ret = error("'%s' is not a git-tokens hook shim", path);
	free(path);
	return ret;
}

/* --- config ------------------------------------------------------------- */

static int git_config(const char *a1, const char *a2, const char *a3,
		      const char *a4)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	int code;

	cp.git_cmd = 1;
	cp.no_stdin = 1;
	strvec_pushl(&cp.args, "config", "--local", a1, a2, a3, a4, NULL);
	code = run_command(&cp);
	child_process_clear(&cp);
	return code;
}

/* The value of key in the repository's own config: 0, 1 unset, -1. */
static int local_value(const char *key, char **out)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf sb = STRBUF_INIT;
	int code;

	*out = NULL;
	cp.git_cmd = 1;
	cp.no_stderr = 1;
	strvec_pushl(&cp.args, "config", "--local", "--get", key, NULL);
	code = capture_command(&cp, &sb);
	child_process_clear(&cp);
	if (!code) {
		if (sb.len && sb.buf[sb.len - 1] == '\n')
			strbuf_setlen(&sb, sb.len - 1);
		*out = strbuf_detach(&sb, NULL);
		return 0;
	}
	strbuf_release(&sb);
	return code == 1 ? 1 : error("cannot read '%s' from the config", key);
}

static const struct config_rec *state_config(const struct hooks_state *st,
					     const char *key)
{
	size_t i;

	for (i = 0; i < st->cfg_nr; i++)
		if (!strcmp(st->cfg[i].key, key))
			return &st->cfg[i];
	return NULL;
}

static void state_add_config(struct hooks_state *st, const char *key,
			     int add, const char *value, const char *prior)
{
	struct config_rec *c;

	ALLOC_GROW(st->cfg, st->cfg_nr + 1, st->cfg_alloc);
	c = &st->cfg[st->cfg_nr++];
	c->key = xstrdup(key);
	c->add = add;
	c->value = xstrdup(value);
	c->prior = prior ? xstrdup(prior) : NULL;
}

/* notes.<name>.mergeStrategy for ref, NULL outside refs/notes/. */
static char *merge_strategy_key(const char *ref)
{
	if (strncmp(ref, "refs/notes/", 11) || !ref[11])
		return NULL;
	return xstrfmt("notes.%s.mergeStrategy", ref + 11);
}

static int has_value(const struct strvec *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->nr; i++)
		if (!strcmp(v->v[i], s))
			return 1;
	return 0;
}

/* Set key to MERGE_MODE unless it is already, remembering the old value. */
static int install_mode(struct repo *repo, struct hooks_state *st,
			const char *key, int quiet_opt)
{
	char *cur = NULL, *prior = NULL;
	int ret = 0;

	if (state_config(st, key))
		return 0;
	if (repo_config_string(repo, key, &cur) < 0)
		return -1;
	if (cur && !strcmp(cur, MERGE_MODE))
		goto cleanup;
	if (local_value(key, &prior) < 0 ||
	    git_config(key, MERGE_MODE, NULL, NULL)) {
		ret = error("cannot set %s", key);
		goto cleanup;
	}
	state_add_config(st, key, 0, MERGE_MODE, prior);
	if (!quiet_opt)
		printf("set %s=%s%s%s%s\n", key, MERGE_MODE,
		       prior ? " (was " : "", prior ? prior : "",
		       prior ? ")" : "");
cleanup:
	free(cur);
	free(prior);
	return ret;
}

static int install_config(struct repo *repo, struct hooks_state *st,
			  const char *ref, int quiet_opt)
{
	struct strvec refs = STRVEC_INIT;
	char *key = merge_strategy_key(ref);
	int ret = 0;

	if (!state_config(st, "notes.rewriteRef")) {
		if (repo_config_multi(repo, "notes.rewriteRef", &refs) < 0) {
			ret = -1;
			goto cleanup;
		}
		if (!has_value(&refs, ref)) {
			if (git_config("--add", "notes.rewriteRef", ref,
				       NULL)) {
				ret = error("cannot add %s to notes.rewriteRef",
					    ref);
				goto cleanup;
			}
			state_add_config(st, "notes.rewriteRef", 1, ref, NULL);
			if (!quiet_opt)
				printf("added notes.rewriteRef=%s\n", ref);
		}
	}
	if (install_mode(repo, st, "notes.rewriteMode", quiet_opt) < 0 ||
	    (key && install_mode(repo, st, key, quiet_opt) < 0))
		ret = -1;
cleanup:
	strvec_clear(&refs);
	free(key);
	return ret;
}

/* Undo one config record; a value changed since install is left alone. */
static int uninstall_config(const struct config_rec *c, int quiet_opt)
{
	char *cur = NULL;
	int r, ret = 0;

	if (c->add) {
		r = git_config("--fixed-value", "--unset", c->key, c->value);
		/* 5: not there any more, which is what we want. */
		if (r && r != 5)
			return error("cannot remove %s from %s", c->value,
				     c->key);
		if (!r && !quiet_opt)
			printf("removed %s=%s\n", c->key, c->value);
		return 0;
	}
	r = local_value(c->key, &cur);
	if (r < 0)
		return -1;
	if (r || strcmp(cur, c->value)) {
		warning("left %s alone: it was changed after 'git tokens "
			"hooks install'", c->key);
		goto cleanup;
	}
	if (c->prior ? git_config(c->key, c->prior, NULL, NULL) :
	    git_config("--unset", c->key, NULL, NULL)) {
		ret = error("cannot restore %s", c->key);
		goto cleanup;
	}
	if (!quiet_opt) {
		if (c->prior)
			printf("restored %s=%s\n", c->key, c->prior);
		else
			printf("unset %s\n", c->key);
	}
cleanup:
	free(cur);
	return ret;
}

/* --- install / uninstall ------------------------------------------------ */

static int write_shim(const char *path, const struct strbuf *shim)
{
	return write_atomic(path, shim->buf, shim->len, 0755);
}

static int install_hook(struct hooks_state *st, size_t i, const char *name,
			int quiet_opt)
{
	struct strbuf shim = STRBUF_INIT, cur = STRBUF_INIT;
	char *path = xstrfmt("%s/%s", st->dir, name);
	char *chained = xstrfmt("%s%s", path, CHAINED_SUFFIX);
	int ret = 0;

	if (read_shim(name, &shim) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (is_shim(path)) {
		/* Ours already: bring it up to date, keep what it chains. */
		if (strbuf_read_file(&cur, path, shim.len) < 0 ||
		    strcmp(cur.buf, shim.buf))
			ret = write_shim(path, &shim);
		if (!st->how[i])
			st->how[i] = path_exists(chained) ? HOOK_CHAINED :
				HOOK_NEW;
		goto cleanup;
	}
	if (path_exists(path)) {
		if (path_exists(chained)) {
			/* A copy of what we chained (husky rewrote it). */
			if (!same_file(path, chained)) {
				ret = error("cannot chain '%s': '%s' is taken "
					    "by another hook", path, chained);
				goto cleanup;
			}
			if (unlink(path) < 0) {
				ret = error_errno("cannot remove '%s'", path);
				goto cleanup;
			}
		} else if (rename(path, chained) < 0) {
			ret = error_errno("cannot rename '%s' to '%s'", path,
					  chained);
			goto cleanup;
		}
		if (write_shim(path, &shim) < 0) {
			/* Put the user's hook back: never leave none. */
			if (rename(chained, path) < 0)
				error_errno("cannot rename '%s' back to '%s'",
					    chained, path);
			ret = -1;
			goto cleanup;
		}
		st->how[i] = HOOK_CHAINED;
		if (!quiet_opt)
			printf("installed %s (the hook there before runs "
			       "first)\n", name);
		goto cleanup;
	}
	if (write_shim(path, &shim) < 0) {
		ret = -1;
		goto cleanup;
	}
	st->how[i] = path_exists(chained) ? HOOK_CHAINED : HOOK_NEW;
	if (!quiet_opt)
		printf("installed %s\n", name);
cleanup:
	free(path);
	free(chained);
	strbuf_release(&shim);
	strbuf_release(&cur);
	return ret;
}

/* 1 when path is top or below it (both as realpath() names them). */
static int inside(const char *path, const char *top)
{
	char *real = top ? realpath(top, NULL) : NULL;
	size_t len = real ? strlen(real) : 0;
	int ret = real && !strncmp(path, real, len) &&
		(path[len] == '/' || !path[len] || real[len - 1] == '/');

	free(real);
	return ret;
}

static int hooks_install(struct repo *repo, int quiet_opt)
{
	struct hooks_state st;
	struct strbuf dir = STRBUF_INIT, ref = STRBUF_INIT;
	struct stat sb;
	size_t i;
	int r, ret = 0;

	r = state_read(repo, &st);
	if (r < 0)
		return -1;
	if (hooks_dir(repo, &dir) < 0 || notes_ref(repo, &ref) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (st.dir && strcmp(st.dir, dir.buf)) {
		ret = error("the hooks are installed in '%s' but git now runs "
			    "hooks from '%s'; run 'git tokens hooks "
			    "uninstall' first", st.dir, dir.buf);
		goto cleanup;
	}
	if (!st.dir)
		st.dir = xstrdup(dir.buf);
	if (stat(dir.buf, &sb) < 0) {
		if (mkdir_p(dir.buf) < 0) {
			ret = error_errno("cannot create '%s'", dir.buf);
			goto cleanup;
		}
		st.created_dir = 1;
		if (hooks_dir(repo, &dir) < 0) {
			ret = -1;
			goto cleanup;
		}
		free(st.dir);
		st.dir = xstrdup(dir.buf);
	} else if (!S_ISDIR(sb.st_mode)) {
		ret = error("'%s' is not a directory", dir.buf);
		goto cleanup;
	}
	if (!quiet_opt)
		printf("hooks folder: %s\n", dir.buf);
	if (!inside(dir.buf, repo_common_dir(repo)) &&
	    !inside(dir.buf, repo_work_tree(repo)))
		warning("'%s' is outside this repository (core.hooksPath): "
			"every repository using it runs these hooks", dir.buf);
	for (i = 0; i < ARRAY_SIZE(hook_names); i++)
		if (install_hook(&st, i, hook_names[i], quiet_opt) < 0)
			ret = -1;
	if (install_config(repo, &st, ref.buf, quiet_opt) < 0)
		ret = -1;
	/* Record even a partial install, so that uninstall can undo it. */
	if (state_write(repo, &st) < 0)
		ret = -1;
cleanup:
	state_release(&st);
	strbuf_release(&dir);
	strbuf_release(&ref);
	return ret;
}

static int uninstall_hook(const char *dir, const char *name,
			  enum hook_how how, int quiet_opt)
{
	char *path = xstrfmt("%s/%s", dir, name);
	char *chained = xstrfmt("%s%s", path, CHAINED_SUFFIX);
	int ret = 0;

	if (is_shim(path)) {
		if (unlink(path) < 0) {
			ret = error_errno("cannot remove '%s'", path);
			goto cleanup;
		}
		if (!quiet_opt && how != HOOK_CHAINED)
			printf("removed %s\n", name);
	} else if (path_exists(path)) {
		warning("left '%s' alone: it is not a git-tokens hook any more",
			path);
		goto cleanup;
	}
	if (path_exists(chained)) {
		if (rename(chained, path) < 0)
			ret = error_errno("cannot rename '%s' to '%s'", chained,
					  path);
		else if (!quiet_opt)
			printf("restored the previous %s\n", name);
	}
cleanup:
	free(path);
	free(chained);
	return ret;
}

static int hooks_uninstall(struct repo *repo, int quiet_opt)
{
	struct hooks_state st;
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	size_t i;
	int r, ret = 0;

	r = state_read(repo, &st);
	if (r < 0)
		return -1;
	if (r > 0) {
		/* No record: take out the shims we find, touch no config. */
		if (hooks_dir(repo, &dir) < 0)
			return -1;
		st.dir = strbuf_detach(&dir, NULL);
		for (i = 0; i < ARRAY_SIZE(hook_names); i++) {
			char *p = xstrfmt("%s/%s", st.dir, hook_names[i]);

			if (is_shim(p))
				st.how[i] = HOOK_NEW;
			free(p);
		}
	}
	for (i = 0; i < ARRAY_SIZE(hook_names); i++)
		if (st.how[i] && uninstall_hook(st.dir, hook_names[i],
						st.how[i], quiet_opt) < 0)
			ret = -1;
	for (i = st.cfg_nr; i > 0; i--)
		if (uninstall_config(&st.cfg[i - 1], quiet_opt) < 0)
			ret = -1;
	if (st.created_dir)
		rmdir(st.dir);   /* only when empty: it may be theirs now */
	if (!ret && r == 0) {
		if (state_path(repo, &path) < 0 ||
		    (unlink(path.buf) < 0 && errno != ENOENT))
			ret = error_errno("cannot remove '%s'", path.buf);
		/* Our folder too, when install was all it held. */
		strbuf_setlen(&path, path.len - strlen(STATE_FILE));
		rmdir(path.buf);
	}
	if (r > 0 && !quiet_opt)
		printf("no record of 'git tokens hooks install' here; "
		       "removed the shims found, left the config alone\n");
	state_release(&st);
	strbuf_release(&path);
	return ret;
}

/* --- status ------------------------------------------------------------- */

static int status_mode(struct repo *repo, const char *key)
{
	char *v = NULL;
	int ok;

	repo_config_string(repo, key, &v);
	ok = v && !strcmp(v, MERGE_MODE);
	printf("%s: %s%s\n", key, v ? v : "(unset)",
	       ok ? "" : " (should be " MERGE_MODE ")");
	free(v);
	return ok;
}

static int hooks_status(struct repo *repo)
{
	struct hooks_state st;
	struct strbuf dir = STRBUF_INIT, ref = STRBUF_INIT;
	struct strvec refs = STRVEC_INIT;
	char *key = NULL;
	size_t i;
	int r, ok = 1;

	r = state_read(repo, &st);
	if (r < 0 || hooks_dir(repo, &dir) < 0 || notes_ref(repo, &ref) < 0)
		return EXIT_FATAL;
	printf("hooks folder: %s\n", dir.buf);
	if (st.dir && strcmp(st.dir, dir.buf)) {
		printf("installed in: %s (git no longer runs hooks there)\n",
		       st.dir);
		ok = 0;
	}
	for (i = 0; i < ARRAY_SIZE(hook_names); i++) {
		char *path = xstrfmt("%s/%s", dir.buf, hook_names[i]);
		char *chained = xstrfmt("%s%s", path, CHAINED_SUFFIX);
		int shim = is_shim(path);

		printf("%s: %s%s\n", hook_names[i],
		       shim ? "installed" : path_exists(path) ?
		       "not installed (another hook is there)" :
		       "not installed",
		       shim && path_exists(chained) ?
		       ", runs the previous hook first" : "");
		ok &= shim;
		free(path);
		free(chained);
	}
	printf("notes ref: %s\n", ref.buf);
	if (repo_config_multi(repo, "notes.rewriteRef", &refs) < 0)
		ok = 0;
	printf("notes.rewriteRef: %s\n", has_value(&refs, ref.buf) ?
	       ref.buf : "(does not name it: amend and rebase lose notes)");
	ok &= has_value(&refs, ref.buf);
	ok &= status_mode(repo, "notes.rewriteMode");
	key = merge_strategy_key(ref.buf);
	if (key)
		ok &= status_mode(repo, key);
	free(key);
	strvec_clear(&refs);
	if (r == 0)
		state_release(&st);
	strbuf_release(&dir);
	strbuf_release(&ref);
	return ok ? 0 : EXIT_POLICY;
}

/* --- hooks run <hook>: what the shims call ------------------------------ */

/* While a rebase runs, its commits are not final: post-rewrite records. */
static int rebase_in_progress(struct repo *repo)
{
	const char *gd = repo_git_dir(repo);
	char *a = xstrfmt("%s/rebase-merge", gd);
	char *b = xstrfmt("%s/rebase-apply", gd);
	int ret = path_exists(a) || path_exists(b);

	free(a);
	free(b);
	return ret;
}

static void run_record(struct repo *repo)
{
	const char *argv[] = { "record", "--hook", NULL };

	cmd_record(2, argv, repo);
}

static int run_post_commit(struct repo *repo)
{
	if (!rebase_in_progress(repo))
		run_record(repo);
	return 0;
}

static int is_hex_oid(const char *s, size_t len)
{
	size_t i;

	if (len != OID_HEX)
		return 0;
	for (i = 0; i < len; i++)
		if (hexval(s[i]) < 0)
			return 0;
	return 1;
}

/*
 * post-rewrite amend|rebase, stdin "<old> SP <new> [SP <extra>]" a line
 * (githooks(5)). "rebase" comes once the rebase is done, though its
 * state folder is still there; an "amend" while a rebase runs (fixup,
 * squash) is one of its steps.
 */
static int run_post_rewrite(struct repo *repo, int argc, const char **argv)
{
	int done_rebase = argc > 0 && !strcmp(argv[0], "rebase");
	struct strbuf line = STRBUF_INIT;
	struct notes_rewrite *rw = NULL;
	size_t nr = 0, alloc = 0, added = 0;

	while (strbuf_getline(&line, stdin) != EOF) {
		if (line.len < 2 * OID_HEX + 1 || line.buf[OID_HEX] != ' ' ||
		    !is_hex_oid(line.buf, OID_HEX) ||
		    !is_hex_oid(line.buf + OID_HEX + 1, OID_HEX))
			continue;
		ALLOC_GROW(rw, nr + 1, alloc);
		memcpy(rw[nr].from, line.buf, OID_HEX);
		rw[nr].from[OID_HEX] = '\0';
		memcpy(rw[nr].to, line.buf + OID_HEX + 1, OID_HEX);
		rw[nr].to[OID_HEX] = '\0';
		nr++;
	}
	/* git copied them if notes.rewriteRef names our ref; else we do. */
	if (nr && notes_copy(repo, NULL, rw, nr, &added) < 0)
		warning("git-tokens: usage notes not copied to the rewritten "
			"commits");
	if (done_rebase || !rebase_in_progress(repo))
		run_record(repo);
	free(rw);
	strbuf_release(&line);
	return 0;
}

/* One ref being pushed, and the commits it sends ("<local> ^<remote>"). */
struct push_line {
	char *remote_ref;
	struct strvec revs;
};

static int is_null_oid(const char *hex)
{
	return strspn(hex, "0") == OID_HEX;
}

/* Tips of refs/remotes/<remote>/ (all remotes when remote is NULL). */
static void remote_tips(struct strvec *out, const char *remote)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf sb = STRBUF_INIT;
	char **lines = NULL;
	size_t n, i;

	cp.git_cmd = 1;
	strvec_pushl(&cp.args, "for-each-ref", "--format=%(objectname)",
		     NULL);
	if (remote)
		strvec_pushf(&cp.args, "refs/remotes/%s/", remote);
	else
		strvec_push(&cp.args, "refs/remotes/");
	if (!capture_command(&cp, &sb)) {
		n = strbuf_split_inplace(sb.buf, '\n', &lines);
		for (i = 0; i < n; i++)
			if (is_hex_oid(lines[i], strlen(lines[i])))
				strvec_pushf(out, "^%s", lines[i]);
	}
	free(lines);
	child_process_clear(&cp);
	strbuf_release(&sb);
}

struct push_sum {
	size_t changes, with_usage;
	uint64_t added, deleted, output;
	double cost, unlanded_cost;
	int cost_unknown;
};

static void human(struct strbuf *sb, enum render_kind kind, uint64_t n,
		  double d)
{
	struct render_col col = { NULL, NULL, kind, 0, 0, 0 };
	struct render_cell cell;

	memset(&cell, 0, sizeof(cell));
	if (kind == RENDER_INT)
		render_cell_int(&cell, n);
	else
		render_cell_double(&cell, d, 1);
	render_human(sb, &col, &cell);
}

/* "3 changes, +212 −37 lines, 41.2k out tok, $0.81" (SPEC §9). */
static void push_summary(struct strbuf *sb, const struct push_sum *s)
{
	strbuf_addf(sb, "%lu change%s, +%llu \xe2\x88\x92%llu lines",
		    (unsigned long)s->changes, s->changes == 1 ? "" : "s",
		    (unsigned long long)s->added,
		    (unsigned long long)s->deleted);
	if (!s->with_usage) {
		strbuf_addstr(sb, ", no usage recorded");
		return;
	}
	strbuf_addstr(sb, ", ");
	human(sb, RENDER_INT, s->output, 0);
	strbuf_addstr(sb, " out tok, ");
	human(sb, RENDER_MONEY, 0, s->cost);
	if (s->cost_unknown)
		strbuf_addstr(sb, "+");
	if (s->with_usage < s->changes)
		strbuf_addf(sb, " (%lu without usage)",
			    (unsigned long)(s->changes - s->with_usage));
}

/*
 * tokens.prePush.policy: comma-separated checks. Returns 1 when the
 * push passes, 0 when it fails (reason in why).
 */
static int check_policy(const char *policy, const struct push_sum *s,
			struct strbuf *why)
{
	char *copy = xstrdup(policy), *item, *save = NULL;
	int pass = 1;

	for (item = strtok_r(copy, ", ", &save); item;
	     item = strtok_r(NULL, ", ", &save)) {
		char *eq = strchr(item, '='), *end;
		double max;

		if (!eq || eq - item != 16 ||
		    strncmp(item, "maxUnlandedShare", 16)) {
			warning("tokens.prePush.policy: unknown check '%s'",
				item);
			continue;
		}
		max = strtod(eq + 1, &end);
		if (*end == '%') {
			max /= 100;
			end++;
		}
		if (end == eq + 1 || *end || max < 0) {
			warning("tokens.prePush.policy: bad value in '%s'",
				item);
			continue;
		}
		if (s->cost > 0 && s->unlanded_cost / s->cost > max + 1e-9) {
			pass = 0;
			strbuf_addf(why, "%.0f%% of the cost of this push (",
				    100 * s->unlanded_cost / s->cost);
			human(why, RENDER_MONEY, 0, s->unlanded_cost);
			strbuf_addstr(why, " of ");
			human(why, RENDER_MONEY, 0, s->cost);
			strbuf_addf(why, ") is on changes not landed on the "
				    "mainline; %s allows %.0f%%", item,
				    100 * max);
		}
	}
	free(copy);
	return pass;
}

/*
 * The branch of the remote that the mainline follows ("main" for
 * origin/HEAD -> origin/main, or for a local main), or NULL: pushed
 * there, a change lands by the push itself.
 */
static char *mainline_branch(const char *mainline, const char *remote)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf full = STRBUF_INIT, prefix = STRBUF_INIT;
	char *ret = NULL;

	if (!mainline)
		return NULL;
	cp.git_cmd = 1;
	cp.no_stderr = 1;
	strvec_pushl(&cp.args, "rev-parse", "--symbolic-full-name", mainline,
		     NULL);
	if (!capture_command(&cp, &full)) {
		strbuf_trim(&full);
		strbuf_addf(&prefix, "refs/remotes/%s/", remote);
		if (!strncmp(full.buf, prefix.buf, prefix.len))
			ret = xstrdup(full.buf + prefix.len);
		else if (!strncmp(full.buf, "refs/heads/", 11))
			ret = xstrdup(full.buf + 11);
	}
	child_process_clear(&cp);
	strbuf_release(&full);
	strbuf_release(&prefix);
	return ret;
}

/* Add the commits a push line sends to set. */
static void mark_pushed(struct oidmap *set, const struct push_line *l)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	char **lines = NULL;
	size_t n, i;

	cp.git_cmd = 1;
	strvec_push(&cp.args, "rev-list");
	strvec_pushv(&cp.args, l->revs.v);
	if (!capture_command(&cp, &out)) {
		n = strbuf_split_inplace(out.buf, '\n', &lines);
		for (i = 0; i < n; i++)
			if (*lines[i])
				oidmap_put(set, lines[i], 1);
	}
	free(lines);
	child_process_clear(&cp);
	strbuf_release(&out);
}

static int sum_push(struct repo *repo, const struct push_line *pl, size_t nr,
		    const char *remote, const char *ref, struct push_sum *s)
{
	struct change_opts opts = CHANGE_OPTS_INIT;
	struct change_set set = CHANGE_SET_INIT;
	struct notes_map map = NOTES_MAP_INIT;
	struct oidmap landing = OIDMAP_INIT;
	struct strbuf err = STRBUF_INIT, target = STRBUF_INIT;
	char *branch = NULL;
	size_t i;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < nr; i++)
		strvec_pushv(&opts.revs, pl[i].revs.v);
	opts.progress = 0;
	if (changes_load(&set, repo, &opts, &err) < 0) {
		ret = error("%s", err.len ? err.buf :
			    "cannot list the commits being pushed");
		goto cleanup;
	}
	if (notes_read_all(repo, ref, &map) < 0) {
		ret = -1;
		goto cleanup;
	}
	branch = mainline_branch(set.mainline_ref, remote);
	if (branch) {
		strbuf_addf(&target, "refs/heads/%s", branch);
		for (i = 0; i < nr; i++)
			if (!strcmp(pl[i].remote_ref, target.buf))
				mark_pushed(&landing, &pl[i]);
	}
	for (i = 0; i < set.nr; i++) {
		const struct change *c = &set.c[i];
		const struct note *n = notes_find(&map, c->oid);
		struct usage_sum u;

		s->changes++;
		s->added += c->added;
		s->deleted += c->deleted;
		if (!n)
			continue;
		memset(&u, 0, sizeof(u));
		note_usage(n, &u);
		if (!u.has_usage)
			continue;
		s->with_usage++;
		s->output += u.output;
		s->cost += u.cost;
		s->cost_unknown |= u.cost_unknown;
		if (c->landed == LANDED_NO &&
		    !oidmap_get(&landing, c->oid, NULL))
			s->unlanded_cost += u.cost;
	}
cleanup:
	free(branch);
	oidmap_clear(&landing);
	notes_map_release(&map);
	change_set_release(&set);
	change_opts_release(&opts);
	strbuf_release(&err);
	strbuf_release(&target);
	return ret;
}

/* The parent of process pid, or 0 (Linux /proc; elsewhere unknown). */
static pid_t parent_of(pid_t pid)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = xstrfmt("/proc/%ld/stat", (long)pid), *p;
	long ppid = 0;

	/* "pid (comm) state ppid ...": comm may hold anything but ')'. */
	if (strbuf_read_file(&sb, path, 512) > 0 &&
	    (p = strrchr(sb.buf, ')')) && sscanf(p + 1, " %*c %ld", &ppid) != 1)
		ppid = 0;
	free(path);
	strbuf_release(&sb);
	return (pid_t)ppid;
}

/* "-n", "-fn": short options, one of them -n. */
static int short_flags_with_n(const char *arg)
{
	const char *p;

	if (arg[0] != '-' || !arg[1] || arg[1] == '-')
		return 0;
	for (p = arg + 1; *p; p++)
		if (!isalpha((unsigned char)*p))
			return 0;
	return strchr(arg, 'n') != NULL;
}

/*
 * "git push --dry-run" (or -n) runs pre-push too: then nothing may be
 * pushed. The hook has no word of it but the command line of the git
 * that runs it, above the shim: look a few processes up.
 */
static int push_is_dry_run(void)
{
	struct strbuf sb = STRBUF_INIT;
	pid_t pid = getppid();
	int depth, ret = 0;

	for (depth = 0; depth < 3 && pid > 1 && !ret; depth++) {
		char *path = xstrfmt("/proc/%ld/cmdline", (long)pid);
		char *arg, *end;
		int push = 0;

		strbuf_reset(&sb);
		if (strbuf_read_file(&sb, path, 512) > 0) {
			end = sb.buf + sb.len;
			for (arg = sb.buf; arg < end; arg += strlen(arg) + 1) {
				if (!strcmp(arg, "push"))
					push = 1;
				else if (!push || !strcmp(arg, "--"))
					continue;
				else if (!strcmp(arg, "--dry-run") ||
					 short_flags_with_n(arg))
					ret = 1;
			}
		}
		free(path);
		if (push)
			break;
		pid = parent_of(pid);
	}
	strbuf_release(&sb);
	return ret;
}

/*
 * pre-push <remote> <url>, stdin "<local-ref> SP <local-sha> SP
 * <remote-ref> SP <remote-sha>" a line. Exit 1 only when the policy
 * refuses the push; anything else is a warning.
 */
static int run_pre_push(struct repo *repo, int argc, const char **argv)
{
	struct strbuf line = STRBUF_INIT, ref = STRBUF_INIT, msg = STRBUF_INIT;
	struct strvec tips = STRVEC_INIT;
	struct push_line *pl = NULL;
	struct notes_sync_result res;
	struct push_sum sum;
	const char *remote = argc > 0 ? argv[0] : "";
	char oid[OID_HEX + 1];
	char *policy = NULL;
	size_t nr = 0, alloc = 0, i;
	int named, pushes_notes = 0, summary = 1, enforce = 0, ret = 0;
	int have_tips = 0;

	if (notes_ref(repo, &ref) < 0)
		ref.len = 0;
	named = notes_remote_is_named(repo, remote);
	while (strbuf_getline(&line, stdin) != EOF) {
		char **f = NULL;
		size_t nf = strbuf_split_inplace(line.buf, ' ', &f);
		struct push_line *l;

		if (nf != 4 || !is_hex_oid(f[1], strlen(f[1])) ||
		    !is_hex_oid(f[3], strlen(f[3]))) {
			free(f);
			continue;
		}
		if (ref.len && (!strcmp(f[0], ref.buf) ||
				!strcmp(f[2], ref.buf)))
			pushes_notes = 1;
		/* A deletion, or notes: no changes are sent. */
		if (is_null_oid(f[1]) || !strncmp(f[0], "refs/notes/", 11) ||
		    !strncmp(f[2], "refs/notes/", 11)) {
			free(f);
			continue;
		}
		ALLOC_GROW(pl, nr + 1, alloc);
		l = &pl[nr++];
		l->remote_ref = xstrdup(f[2]);
		strvec_init(&l->revs);
		strvec_push(&l->revs, f[1]);
		if (!is_null_oid(f[3]) && !repo_resolve(repo, f[3], oid)) {
			strvec_pushf(&l->revs, "^%s", f[3]);
		} else {
			/* New there: what no remote-tracking ref has. */
			if (!have_tips++)
				remote_tips(&tips, named ? remote : NULL);
			strvec_pushv(&l->revs, tips.v);
		}
		free(f);
	}

	repo_config_bool(repo, "tokens.prePush.summary", &summary);
	repo_config_bool(repo, "tokens.prePush.enforce", &enforce);
	if (repo_config_string(repo, "tokens.prePush.policy", &policy))
		policy = NULL;
	if (nr && ref.len && (summary || policy)) {
		if (sum_push(repo, pl, nr, remote, ref.buf, &sum) < 0) {
			warning("git-tokens: no push summary");
		} else {
			if (summary && sum.changes) {
				push_summary(&msg, &sum);
				fprintf(stderr, "%s\n", msg.buf);
			}
			strbuf_reset(&msg);
			if (policy && !check_policy(policy, &sum, &msg)) {
				if (enforce) {
					error("push refused by "
					      "tokens.prePush.policy: %s",
					      msg.buf);
					fprintf(stderr, "hint: tokens.prePush."
						"enforce=false makes it a "
						"warning\n");
					ret = EXIT_POLICY;
					goto cleanup;
				}
				warning("tokens.prePush.policy: %s", msg.buf);
			}
		}
	}

	/* The notes go beside the branch, to configured remotes only. */
	if (ref.len && named && !pushes_notes &&
	    !repo_resolve(repo, ref.buf, oid) && !push_is_dry_run()) {
		if (notes_sync(repo, remote, ref.buf, NOTES_SYNC_QUIET, &res,
			       stderr) < 0)
			warning("git-tokens: usage notes not pushed to '%s'; "
				"'git tokens sync %s' tries again", remote,
				remote);
		else if (res.merged)
			fprintf(stderr, "git-tokens: merged %s's usage notes "
				"into %s and pushed them\n", remote, ref.buf);
	}
cleanup:
	for (i = 0; i < nr; i++) {
		free(pl[i].remote_ref);
		strvec_clear(&pl[i].revs);
	}
	free(pl);
	free(policy);
	strvec_clear(&tips);
	strbuf_release(&line);
	strbuf_release(&ref);
	strbuf_release(&msg);
	return ret;
}

static int hooks_run(struct repo *repo, int argc, const char **argv)
{
	if (argc < 1)
		die("hooks run: which hook?");
	if (!strcmp(argv[0], "post-commit"))
		return run_post_commit(repo);
	if (!strcmp(argv[0], "post-rewrite"))
		return run_post_rewrite(repo, argc - 1, argv + 1);
	if (!strcmp(argv[0], "pre-push"))
		return run_pre_push(repo, argc - 1, argv + 1);
	die("hooks run: unknown hook '%s'", argv[0]);
}

int cmd_hooks(int argc, const char **argv, struct repo *repo)
{
	int quiet_opt = 0;
	struct option options[] = {
		OPT_BOOL('q', "quiet", &quiet_opt,
			 "say nothing when all is well"),
		OPT_END()
	};
	const char *sub;

	argc = parse_options(argc, argv, options, hooks_usage,
			     PARSE_OPT_STOP_AT_NON_OPTION);
	if (argc < 1)
		usage_with_options(hooks_usage, options, 1);
	sub = argv[0];
	if (!strcmp(sub, "run"))
		return hooks_run(repo, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "-q") && strcmp(argv[1], "--quiet"))
		usage_msg_opt("too many arguments", hooks_usage, options);
	if (argc > 1)
		quiet_opt = 1;
	if (!strcmp(sub, "install"))
		return hooks_install(repo, quiet_opt) < 0 ? EXIT_FATAL : 0;
	if (!strcmp(sub, "uninstall"))
		return hooks_uninstall(repo, quiet_opt) < 0 ? EXIT_FATAL : 0;
	if (!strcmp(sub, "status"))
		return hooks_status(repo);
	usage_msg_opt("unknown subcommand", hooks_usage, options);
}
