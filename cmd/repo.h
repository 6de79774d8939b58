#ifndef TOKENS_REPO_H
#define TOKENS_REPO_H

#include <stdint.h>
#include "strbuf.h"
#include "strvec.h"

/*
 * The repository, opened the way git hands it over (GIT_DIR,
 * GIT_WORK_TREE, git -C, worktrees, bare clones). repo.c is the only
 * file that includes <git2.h>; everything else uses these calls and
 * hex object names.
 */
struct repo;

#define OID_HEX 40

int repo_open(struct repo **out);
void repo_free(struct repo *repo);

/* $GIT_DIR (of this worktree) and the common dir (shared by worktrees). */
const char *repo_git_dir(const struct repo *repo);
const char *repo_common_dir(const struct repo *repo);
/* The top of the work tree, with a trailing slash; NULL when bare. */
const char *repo_work_tree(const struct repo *repo);
/* The directory for our own files: <common dir>/tokens/, created. */
int repo_tokens_dir(struct repo *repo, struct strbuf *out);
int repo_is_shallow(struct repo *repo);
int repo_is_empty(struct repo *repo);

/* Config: 0 when found, 1 when not set, -1 on error. */
int repo_config_string(struct repo *repo, const char *key, char **out);
int repo_config_bool(struct repo *repo, const char *key, int *out);
int repo_config_int(struct repo *repo, const char *key, int64_t *out);
/* Every value of a multi-valued key, in order. */
int repo_config_multi(struct repo *repo, const char *key, struct strvec *out);

/* Resolve a revision to a full hex id: 0, or GIT_ENOTFOUND-like 1, -1. */
int repo_resolve(struct repo *repo, const char *rev, char out[OID_HEX + 1]);
/* Full ref name of a ref or short name ("main" -> "refs/heads/main"). */
int repo_ref_exists(struct repo *repo, const char *refname);

/* user.email and user.name, mailmapped (NULL when unset). */
int repo_user_ident(struct repo *repo, char **name, char **email);
/* Apply .mailmap / mailmap.file / mailmap.blob to an identity. */
void repo_mailmap(struct repo *repo, const char *name, const char *email,
		  char **out_name, char **out_email);


/*
 * Added by the framework: the message of libgit2's last error, never NULL
 * ("unknown error" when there is none), for error("...: %s", ...).
 */
const char *repo_last_error(void);
/* Expand a ref or short name to its full name: 0, 1 when none, -1. */
int repo_ref_dwim(struct repo *repo, const char *name, struct strbuf *full);

#endif
