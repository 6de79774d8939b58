#ifndef TOKENS_HOOKS_H
#define TOKENS_HOOKS_H

#include "base/strbuf.h"

struct repo;

/*
 * The hooks git-tokens installs: shims that call "git tokens hooks run
 * <hook>", with the notes config that carries usage notes through
 * amend, rebase and merges. What install did is recorded so that
 * uninstall undoes exactly that.
 */

#define HOOKS_NR 3

/* post-commit, pre-push, post-rewrite: the order they are reported in. */
extern const char *const hooks_names[HOOKS_NR];

enum hooks_flags {
	HOOKS_QUIET = 1 << 0,   /* no message when the folder is not found */
};

/*
 * The folder git runs hooks from, absolute; a folder that exists is
 * named by its real path, so that the same folder always has the same
 * name. Returns 0, or -1 (after error() unless HOOKS_QUIET).
 */
int hooks_dir(struct repo *repo, struct strbuf *out, unsigned flags);

/* 1 when path is a regular file holding one of our shims, else 0. */
int hooks_is_shim(const char *path);

/*
 * Install the shims and the notes config, and record what was done;
 * with quiet_opt, say nothing when all is well. 0, or -1 after error().
 */
int hooks_install(struct repo *repo, int quiet_opt);

/* Undo what install recorded (or remove the shims found): 0 or -1. */
int hooks_uninstall(struct repo *repo, int quiet_opt);

/*
 * Print where the hooks and the notes config stand: 0 when all is in
 * place, 1 when not, -1 after error().
 */
int hooks_status(struct repo *repo);

/* 1 while a rebase runs (its commits are not final yet), else 0. */
int hooks_rebase_in_progress(struct repo *repo);

#endif
