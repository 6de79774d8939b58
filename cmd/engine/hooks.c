/*
 * The hooks library: what "git tokens hooks install|uninstall|status"
 * do, and the hook-shim check that doctor asks too.
 *
 * install writes the post-commit, pre-push and post-rewrite shims into
 * the hooks folder git uses (core.hooksPath honoured, husky folders
 * too). A hook already there is kept beside the shim as
 * <hook>.git-tokens-chained (a rename: content, mode and all) and the
 * shim runs it first. It also sets notes.rewriteRef,
 * notes.rewriteMode=cat_sort_uniq and notes.<name>.mergeStrategy=
 * cat_sort_uniq, and adds to each remote.<name>.fetch the refspec that
 * fetches the remote's notes. What it did is written to
 * <common dir>/tokens/hooks so that uninstall undoes exactly that and
 * nothing else: it puts the chained hooks back, removes its shims,
 * unsets what it added and restores the values it replaced (unless
 * they were changed since).
 */
#include "base/compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/die.h"
#include "base/hash.h"
#include "base/paths.h"
#include "base/run-command.h"
#include "base/strvec.h"
#include "engine/hooks.h"
#include "engine/notes-sync.h"
#include "engine/notes.h"
#include "git/git-cmd.h"
#include "git/repo.h"

#define SHIM_MARK "\n# git-tokens-shim "
#define CHAINED_SUFFIX ".git-tokens-chained"
#define STATE_FILE "hooks"
#define STATE_HEADER "# git-tokens hooks 1"
#define MERGE_MODE "cat_sort_uniq"

const char *const hooks_names[HOOKS_NR] = {
	"post-commit", "pre-push", "post-rewrite",
};

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
	enum hook_how how[HOOKS_NR];
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
			int hi = hex_value(s[1]), lo = hi < 0 ? -1 : hex_value(s[2]);

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

	for (i = 0; i < HOOKS_NR; i++)
		if (!strcmp(hooks_names[i], name))
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
	for (i = 0; i < HOOKS_NR; i++)
		if (st->how[i])
			strbuf_addf(&sb, "hook %s %s\n", hooks_names[i],
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
 * "git rev-parse --git-path hooks" knows core.hooksPath and worktrees.
 * Asked from the top of the work tree, where git runs hooks and where a
 * relative core.hooksPath starts.
 */
int hooks_dir(struct repo *repo, struct strbuf *out, unsigned flags)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf path = STRBUF_INIT;
	const char *top = repo_work_tree(repo);
	char *cwd = NULL, *real = NULL;
	int ret = 0;

	cp.git_cmd = 1;
	cp.dir = top;
	cp.no_stderr = !!(flags & HOOKS_QUIET);
	strvec_pushl(&cp.args, "rev-parse", "--git-path", "hooks", NULL);
	if (capture_command(&cp, &path) || !path.len) {
		ret = -1;
		if (!(flags & HOOKS_QUIET))
			error("cannot find the hooks folder "
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
			ret = -1;
			if (!(flags & HOOKS_QUIET))
				error_errno("cannot get the current directory");
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

int hooks_is_shim(const char *path)
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
	const char *argv[] = { "config", "--local", a1, a2, a3, a4, NULL };

	return git_cmd(argv, NULL, NULL, GIT_CMD_NO_STDIN);
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

/* Plan setting key to MERGE_MODE unless it is already, with the old value. */
static int plan_mode(struct repo *repo, struct hooks_state *st,
		     struct hooks_state *todo, const char *key)
{
	char *cur = NULL, *prior = NULL;
	int ret = 0;

	if (state_config(st, key))
		return 0;
	if (repo_config_string(repo, key, &cur) < 0)
		return -1;
	if (cur && !strcmp(cur, MERGE_MODE))
		goto cleanup;
	if (local_value(key, &prior) < 0) {
		ret = -1;
		goto cleanup;
	}
	state_add_config(todo, key, 0, MERGE_MODE, prior);
cleanup:
	free(cur);
	free(prior);
	return ret;
}

/* The config install sets or adds that is not there yet, into todo. */
static int plan_config(struct repo *repo, struct hooks_state *st,
		       struct hooks_state *todo, const char *ref)
{
	struct strvec refs = STRVEC_INIT;
	char *key = merge_strategy_key(ref);
	int ret = 0;

	if (!state_config(st, "notes.rewriteRef")) {
		if (repo_config_multi(repo, "notes.rewriteRef", &refs) < 0) {
			ret = -1;
			goto cleanup;
		}
		if (!strvec_has(&refs, ref))
			state_add_config(todo, "notes.rewriteRef", 1, ref,
					 NULL);
	}
	if (plan_mode(repo, st, todo, "notes.rewriteMode") < 0 ||
	    (key && plan_mode(repo, st, todo, key) < 0))
		ret = -1;
cleanup:
	strvec_clear(&refs);
	free(key);
	return ret;
}

/*
 * A fetch refspec per remote that brings its notes into the ref report
 * reads beside ours, so that every later "git fetch" or "git pull"
 * brings them. Planned as added values: uninstall takes them out.
 */
static int plan_fetch_refspecs(struct repo *repo, struct hooks_state *todo,
			       const char *ref)
{
	struct strvec remotes = STRVEC_INIT;
	struct strbuf spec = STRBUF_INIT;
	size_t i;
	int r, ret = 0;

	if (notes_remotes(repo, &remotes) < 0)
		ret = -1;
	for (i = 0; !ret && i < remotes.nr; i++) {
		char *key = xstrfmt("remote.%s.fetch", remotes.v[i]);

		r = notes_fetch_refspec_wanted(repo, remotes.v[i], ref, &spec);
		if (r < 0)
			ret = -1;
		if (r > 0)
			state_add_config(todo, key, 1, spec.buf, NULL);
		free(key);
	}
	strvec_clear(&remotes);
	strbuf_release(&spec);
	return ret;
}

/* Make one planned config change, and say so. */
static int apply_config(const struct config_rec *c, int quiet_opt)
{
	if (c->add ? git_config("--add", c->key, c->value, NULL) :
	    git_config(c->key, c->value, NULL, NULL))
		return error("cannot %s %s=%s", c->add ? "add" : "set",
			     c->key, c->value);
	if (quiet_opt)
		return 0;
	if (c->add)
		printf("added %s=%s\n", c->key, c->value);
	else
		printf("set %s=%s%s%s%s\n", c->key, c->value,
		       c->prior ? " (was " : "", c->prior ? c->prior : "",
		       c->prior ? ")" : "");
	return 0;
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

/*
 * install and uninstall check all they need before they change
 * anything, so that a run that cannot finish leaves the hooks and the
 * config as they were; install also undoes its own steps when one
 * fails all the same (a full disk).
 */

/* 0 when this process can create and remove files in dir (or in the
 * folder mkdir -p would create it under), else -1 after error(). */
static int check_writable(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	char *slash;
	int ret = 0;

	strbuf_addstr(&sb, dir);
	while (!path_exists(sb.buf) && (slash = strrchr(sb.buf, '/')) &&
	       slash > sb.buf)
		strbuf_setlen(&sb, (size_t)(slash - sb.buf));
	if (access(sb.buf, W_OK | X_OK) < 0)
		ret = error_errno("cannot write in '%s'", sb.buf);
	strbuf_release(&sb);
	return ret;
}

/* 0 when "git config --local" can write, else -1 after error(). */
static int check_config_writable(struct repo *repo)
{
	struct strbuf lock = STRBUF_INIT;
	int ret = check_writable(repo_common_dir(repo));

	repo_common_path(repo, &lock, "config.lock");
	if (!ret && path_exists(lock.buf))
		ret = error("cannot change the config: '%s' exists (another "
			    "git running, or one that crashed)", lock.buf);
	strbuf_release(&lock);
	return ret;
}

/* What install does to one hook. */
enum hook_step {
	STEP_NONE = 0,  /* our shim, up to date */
	STEP_UPDATE,    /* our shim, an older text: moved aside, replaced */
	STEP_NEW,       /* no hook there */
	STEP_CHAIN,     /* another hook: renamed to <hook>.git-tokens-chained */
	STEP_RECHAIN,   /* a copy of the chained hook (husky rewrote it) */
};

/* Everything install will do, found before any of it is done. */
struct install_plan {
	struct hooks_state st;   /* the record as read, completed at the end */
	struct hooks_state todo; /* the config to set or add */
	struct strbuf dir;
	int create_dir;
	struct strbuf shim[HOOKS_NR];
	enum hook_step step[HOOKS_NR];
	size_t hooks_done, cfg_done;
};

static char *hook_path(const struct install_plan *p, size_t i,
		       const char *suffix)
{
	return xstrfmt("%s/%s%s", p->dir.buf, hooks_names[i], suffix);
}

static int plan_hook(struct install_plan *p, size_t i)
{
	struct strbuf cur = STRBUF_INIT;
	char *path = hook_path(p, i, "");
	char *chained = hook_path(p, i, CHAINED_SUFFIX);
	int ret = 0;

	if (read_shim(hooks_names[i], &p->shim[i]) < 0)
		ret = -1;
	else if (hooks_is_shim(path))
		p->step[i] = strbuf_read_file(&cur, path, 2048) >= 0 &&
			!strcmp(cur.buf, p->shim[i].buf) ? STEP_NONE :
			STEP_UPDATE;
	else if (!path_exists(path))
		p->step[i] = STEP_NEW;
	else if (!path_exists(chained))
		p->step[i] = STEP_CHAIN;
	else if (same_file(path, chained))
		p->step[i] = STEP_RECHAIN;
	else
		ret = error("cannot chain '%s': '%s' is taken by another hook",
			    path, chained);
	free(path);
	free(chained);
	strbuf_release(&cur);
	return ret;
}

/* Check everything install needs; change nothing. 0, or -1 after error(). */
static int install_plan(struct repo *repo, struct install_plan *p)
{
	struct strbuf ref = STRBUF_INIT, state = STRBUF_INIT;
	struct stat sb;
	size_t i;
	int ret = 0;

	if (!repo_work_tree(repo))
		return error("cannot install hooks in a bare repository: git "
			     "runs post-commit, pre-push and post-rewrite "
			     "only where commits are made");
	if (state_read(repo, &p->st) < 0 ||
	    hooks_dir(repo, &p->dir, 0) < 0 || notes_ref(repo, &ref) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (p->st.dir && strcmp(p->st.dir, p->dir.buf)) {
		ret = error("the hooks are installed in '%s' but git now runs "
			    "hooks from '%s'; run 'git tokens hooks "
			    "uninstall' first", p->st.dir, p->dir.buf);
		goto cleanup;
	}
	if (stat(p->dir.buf, &sb) < 0)
		p->create_dir = 1;
	else if (!S_ISDIR(sb.st_mode)) {
		ret = error("'%s' is not a directory", p->dir.buf);
		goto cleanup;
	}
	repo_common_path(repo, &state, "tokens");
	if (check_writable(p->dir.buf) < 0 || check_writable(state.buf) < 0)
		ret = -1;
	for (i = 0; i < HOOKS_NR; i++)
		if (plan_hook(p, i) < 0)
			ret = -1;
	if (plan_config(repo, &p->st, &p->todo, ref.buf) < 0 ||
	    plan_fetch_refspecs(repo, &p->todo, ref.buf) < 0 ||
	    (p->todo.cfg_nr && check_config_writable(repo) < 0))
		ret = -1;
cleanup:
	strbuf_release(&ref);
	strbuf_release(&state);
	return ret;
}

static int apply_hook(struct install_plan *p, size_t i, int quiet_opt)
{
	char *path = hook_path(p, i, "");
	char *chained = hook_path(p, i, CHAINED_SUFFIX);
	char *aside = hook_path(p, i, ".git-tokens-old");
	enum hook_step step = p->step[i];
	int ret = 0;

	if ((step == STEP_UPDATE || step == STEP_RECHAIN) &&
	    rename(path, aside) < 0)
		ret = error_errno("cannot rename '%s' to '%s'", path, aside);
	else if (step == STEP_CHAIN && rename(path, chained) < 0)
		ret = error_errno("cannot rename '%s' to '%s'", path, chained);
	else if (step != STEP_NONE && write_shim(path, &p->shim[i]) < 0)
		ret = -1;
	if (ret < 0) {
		/* Put back what this step moved: never leave no hook. */
		if (step == STEP_CHAIN)
			rename(chained, path);
		else if (step == STEP_UPDATE || step == STEP_RECHAIN)
			rename(aside, path);
		goto cleanup;
	}
	if (step == STEP_CHAIN || step == STEP_RECHAIN || !p->st.how[i])
		p->st.how[i] = path_exists(chained) ? HOOK_CHAINED : HOOK_NEW;
	if (!quiet_opt && step >= STEP_NEW)
		printf("installed %s%s\n", hooks_names[i],
		       p->st.how[i] == HOOK_CHAINED && step != STEP_NEW ?
		       " (the hook there before runs first)" : "");
cleanup:
	free(path);
	free(chained);
	free(aside);
	return ret;
}

/* Undo the hook steps done (undo) or drop what they moved aside. */
static void finish_hooks(struct install_plan *p, int undo)
{
	size_t i;

	for (i = p->hooks_done; i > 0; i--) {
		char *path = hook_path(p, i - 1, "");
		char *chained = hook_path(p, i - 1, CHAINED_SUFFIX);
		char *aside = hook_path(p, i - 1, ".git-tokens-old");

		switch (undo ? p->step[i - 1] : STEP_NONE) {
		case STEP_NEW:
			unlink(path);
			break;
		case STEP_CHAIN:
			rename(chained, path);
			break;
		case STEP_UPDATE:
		case STEP_RECHAIN:
			rename(aside, path);
			break;
		case STEP_NONE:
			unlink(aside);
			break;
		}
		free(path);
		free(chained);
		free(aside);
	}
}

int hooks_install(struct repo *repo, int quiet_opt)
{
	struct install_plan p;
	char *real;
	size_t i;
	int ret = -1;

	memset(&p, 0, sizeof(p));
	strbuf_init(&p.dir, 0);
	for (i = 0; i < HOOKS_NR; i++)
		strbuf_init(&p.shim[i], 0);
	if (install_plan(repo, &p) < 0)
		goto cleanup;
	if (p.create_dir && mkdir_p(p.dir.buf) < 0) {
		error_errno("cannot create '%s'", p.dir.buf);
		p.create_dir = 0;
		goto cleanup;
	}
	if (p.create_dir && (real = realpath(p.dir.buf, NULL))) {
		strbuf_reset(&p.dir);
		strbuf_addstr(&p.dir, real);
		free(real);
	}
	if (!quiet_opt)
		printf("hooks folder: %s\n", p.dir.buf);
	if (!inside(p.dir.buf, repo_common_dir(repo)) &&
	    !inside(p.dir.buf, repo_work_tree(repo)))
		warning("'%s' is outside this repository (core.hooksPath): "
			"every repository using it runs these hooks",
			p.dir.buf);
	for (; p.hooks_done < HOOKS_NR; p.hooks_done++)
		if (apply_hook(&p, p.hooks_done, quiet_opt) < 0)
			goto cleanup;
	for (; p.cfg_done < p.todo.cfg_nr; p.cfg_done++)
		if (apply_config(&p.todo.cfg[p.cfg_done], quiet_opt) < 0)
			goto cleanup;
	for (i = 0; i < p.todo.cfg_nr; i++)
		state_add_config(&p.st, p.todo.cfg[i].key, p.todo.cfg[i].add,
				 p.todo.cfg[i].value, p.todo.cfg[i].prior);
	if (!p.st.dir)
		p.st.dir = xstrdup(p.dir.buf);
	p.st.created_dir |= p.create_dir;
	if (state_write(repo, &p.st) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	while (ret < 0 && p.cfg_done)
		uninstall_config(&p.todo.cfg[--p.cfg_done], 1);
	finish_hooks(&p, ret < 0);
	if (ret < 0 && p.create_dir)
		rmdir(p.dir.buf);
	state_release(&p.st);
	state_release(&p.todo);
	strbuf_release(&p.dir);
	for (i = 0; i < HOOKS_NR; i++)
		strbuf_release(&p.shim[i]);
	return ret;
}
static int uninstall_hook(const char *dir, const char *name,
			  enum hook_how how, int quiet_opt)
{
	char *path = xstrfmt("%s/%s", dir, name);
	char *chained = xstrfmt("%s%s", path, CHAINED_SUFFIX);
	int ret = 0;

	if (hooks_is_shim(path)) {
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

int hooks_uninstall(struct repo *repo, int quiet_opt)
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
		if (hooks_dir(repo, &dir, 0) < 0)
			return -1;
		st.dir = strbuf_detach(&dir, NULL);
		for (i = 0; i < HOOKS_NR; i++) {
			char *p = xstrfmt("%s/%s", st.dir, hooks_names[i]);

			if (hooks_is_shim(p))
				st.how[i] = HOOK_NEW;
			free(p);
		}
	}
	for (i = 0; i < HOOKS_NR && !st.how[i]; i++)
		;
	if ((i < HOOKS_NR && check_writable(st.dir) < 0) ||
	    (st.cfg_nr && check_config_writable(repo) < 0)) {
		ret = -1;
		goto cleanup;
	}
	for (i = 0; i < HOOKS_NR; i++)
		if (st.how[i] && uninstall_hook(st.dir, hooks_names[i],
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
cleanup:
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

/* Whether each remote's fetch refspec brings the notes: 1 yes, 0 no. */
static int status_fetch(struct repo *repo, const char *ref)
{
	struct strvec remotes = STRVEC_INIT;
	struct strbuf into = STRBUF_INIT;
	size_t i;
	int r, ok = notes_remotes(repo, &remotes) == 0;

	for (i = 0; i < remotes.nr; i++) {
		r = notes_fetched_into(repo, remotes.v[i], ref, &into);
		printf("remote.%s.fetch: %s\n", remotes.v[i],
		       r == NOTES_FETCHED_TRACKING ? "brings the notes" :
		       "(does not bring the notes: fetch and pull miss "
		       "them)");
		ok &= r == NOTES_FETCHED_TRACKING;
	}
	strvec_clear(&remotes);
	strbuf_release(&into);
	return ok;
}

int hooks_status(struct repo *repo)
{
	struct hooks_state st;
	struct strbuf dir = STRBUF_INIT, ref = STRBUF_INIT;
	struct strvec refs = STRVEC_INIT;
	char *key = NULL;
	size_t i;
	int r, ok = 1;

	r = state_read(repo, &st);
	if (r < 0 || hooks_dir(repo, &dir, 0) < 0 ||
	    notes_ref(repo, &ref) < 0)
		return -1;
	printf("hooks folder: %s\n", dir.buf);
	if (st.dir && strcmp(st.dir, dir.buf)) {
		printf("installed in: %s (git no longer runs hooks there)\n",
		       st.dir);
		ok = 0;
	}
	for (i = 0; i < HOOKS_NR; i++) {
		char *path = xstrfmt("%s/%s", dir.buf, hooks_names[i]);
		char *chained = xstrfmt("%s%s", path, CHAINED_SUFFIX);
		int shim = hooks_is_shim(path);

		printf("%s: %s%s\n", hooks_names[i],
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
	printf("notes.rewriteRef: %s\n", strvec_has(&refs, ref.buf) ?
	       ref.buf : "(does not name it: amend and rebase lose notes)");
	ok &= strvec_has(&refs, ref.buf);
	ok &= status_mode(repo, "notes.rewriteMode");
	key = merge_strategy_key(ref.buf);
	if (key)
		ok &= status_mode(repo, key);
	ok &= status_fetch(repo, ref.buf);
	free(key);
	strvec_clear(&refs);
	if (r == 0)
		state_release(&st);
	strbuf_release(&dir);
	strbuf_release(&ref);
	return !ok;
}

/* While a rebase runs, its commits are not final: post-rewrite records. */
int hooks_rebase_in_progress(struct repo *repo)
{
	const char *gd = repo_git_dir(repo);
	char *a = xstrfmt("%s/rebase-merge", gd);
	char *b = xstrfmt("%s/rebase-apply", gd);
	int ret = path_exists(a) || path_exists(b);

	free(a);
	free(b);
	return ret;
}
