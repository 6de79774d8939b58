#ifndef TOKENS_REPO_H
#define TOKENS_REPO_H

#include <stdint.h>
#include "base/strbuf.h"
#include "base/strvec.h"

/*
 * The repository, opened the way git hands it over (GIT_DIR,
 * GIT_WORK_TREE, git -C, worktrees, bare clones). repo.c is the only
 * file that includes <git2.h>; everything else uses these calls and
 * hex object names.
 */
struct repo;

#define OID_HEX 40

/*
 * 0 with *out set; 1 when there is no repository here; 2 when there is
 * one that another user owns and safe.directory does not allow (git's
 * gentle set-up goes on as outside a repository then); -1 on error.
 */
int repo_open(struct repo **out);
/* git's "detected dubious ownership" explanation, on stderr. */
void repo_explain_ownership(void);
void repo_free(struct repo *repo);

/* $GIT_DIR (of this worktree) and the common dir (shared by worktrees). */
const char *repo_git_dir(const struct repo *repo);
const char *repo_common_dir(const struct repo *repo);
/* <common dir>/<name> into out (reset first). */
void repo_common_path(struct repo *repo, struct strbuf *out,
		      const char *name);
/* The top of the work tree, with a trailing slash; NULL when bare. */
const char *repo_work_tree(const struct repo *repo);
/*
 * Every work tree of the repository, as written (not resolved), maybe
 * twice: this one, the main one, the linked ones.
 */
void repo_worktrees(struct repo *repo, struct strvec *out);
/* The same from a common dir alone: the main one (unless bare), linked. */
void repo_worktrees_of(const char *common, int bare, struct strvec *out);
/* The directory for our own files: <common dir>/tokens/, created. */
int repo_tokens_dir(struct repo *repo, struct strbuf *out);
int repo_is_shallow(struct repo *repo);
int repo_is_empty(struct repo *repo);
/* 1, and its name in out, when HEAD's branch has no commit yet. */
int repo_unborn_branch(struct repo *repo, struct strbuf *out);

/*
 * Config: 0 when found, 1 when not set, -1 on error. What "git config
 * --list" says where we run, read once: the repository's files too when
 * there is one (repo NULL: the system, XDG and global ones).
 */
int repo_config_string(struct repo *repo, const char *key, char **out);
/*
 * repo_config_string() as base/term.h's term_config_fn reads: the value
 * (free it) or NULL. repo is a struct repo, or NULL for none.
 */
char *repo_config_get(void *repo, const char *key);
/* *out keeps its value unless the key is set to a valid one. */
int repo_config_bool(struct repo *repo, const char *key, int *out);
int repo_config_int(struct repo *repo, const char *key, int64_t *out);
/* Every value of a multi-valued key, in order. */
int repo_config_multi(struct repo *repo, const char *key, struct strvec *out);

/* Resolve a revision to a full hex id: 0, or GIT_ENOTFOUND-like 1, -1. */
int repo_resolve(struct repo *repo, const char *rev, char out[OID_HEX + 1]);
/* Full ref name of a ref or short name ("main" -> "refs/heads/main"). */
int repo_ref_exists(struct repo *repo, const char *refname);
/* Whether some ref's name starts with prefix: 1, 0, or -1. */
int repo_ref_prefix_exists(struct repo *repo, const char *prefix);

/* user.email and user.name, mailmapped (NULL when unset). */
int repo_user_ident(struct repo *repo, char **name, char **email);
/* Apply .mailmap / mailmap.file / mailmap.blob to an identity. */
void repo_mailmap(struct repo *repo, const char *name, const char *email,
		  char **out_name, char **out_email);


/*
 * The message of libgit2's last error, never NULL
 * ("unknown error" when there is none), for error("...: %s", ...).
 */
const char *repo_last_error(void);
/* Expand a ref or short name to its full name: 0, 1 when none, -1. */
int repo_ref_dwim(struct repo *repo, const char *name, struct strbuf *full);

/*
 * ---- notes (added by the attribution work; used by notes.c) ----
 *
 * Low-level access to a notes ref. Notes commits and annotated commits
 * are hex ids; ref is a full ref name ("refs/notes/tokens").
 */

/* The commit ref points at: 0, 1 when ref does not exist, -1. */
int repo_notes_tip(struct repo *repo, const char *ref, char out[OID_HEX + 1]);

/*
 * One pass over the notes tree of the notes commit tip (hex id): fn is
 * called with each annotated commit and its note's text. fn returns 0
 * to go on, non-zero to stop (returned). Returns 0 or -1.
 */
typedef int repo_note_fn(const char *commit, const char *text, size_t len,
			 void *data);
int repo_notes_read_all(struct repo *repo, const char *tip,
			repo_note_fn *fn, void *data);

/* The note of commit in notes commit tip: 0 (text in out), 1 none, -1. */
int repo_note_read(struct repo *repo, const char *tip, const char *commit,
		   struct strbuf *out);

/* A note's new full text; text NULL removes the note. */
struct note_update {
	char commit[OID_HEX + 1];
	const char *text;
	size_t len;     /* of text; 0: strlen(text) (added: NUL bytes) */
};

/*
 * Build ONE notes commit holding every update on top of expected_old_tip
 * ("" or NULL when the ref does not exist yet), with merge_parent (hex,
 * may be NULL) as a second parent, and move ref to it only if it still
 * points at expected_old_tip. Returns 0 (new tip in new_tip when not
 * NULL), 1 when the ref moved underneath (nothing written to ref), -1.
 */
int repo_notes_write(struct repo *repo, const char *ref,
		     const struct note_update *updates, size_t n,
		     const char *expected_old_tip, const char *merge_parent,
		     const char *msg, char new_tip[OID_HEX + 1]);

/* Set ref to commit if it still points at expected (""/NULL: absent). */
int repo_ref_cas(struct repo *repo, const char *ref, const char *commit,
		 const char *expected, const char *msg);

/* Is ancestor reachable from (or equal to) commit? 1, 0, or -1. */
int repo_is_ancestor(struct repo *repo, const char *ancestor,
		     const char *commit);

/* Committer and author times (seconds) of a commit: 0 or -1. */
int repo_commit_times(struct repo *repo, const char *commit,
		      int64_t *author_time, int64_t *commit_time);

/*
 * rev's commit and its first parent (id "" for a root commit), with
 * their committer times (seconds): all the post-commit hook asks of
 * the history. Read with libgit2, which the hook's note needs anyway:
 * cheaper than starting "git rev-list". 0, 1 when rev names no commit,
 * -1.
 */
struct repo_commit {
	char id[OID_HEX + 1];
	int64_t time;
};
int repo_commit_parent(struct repo *repo, const char *rev,
		       struct repo_commit *commit, struct repo_commit *parent);

/*
 * ---- config by prefix (added by the reports work: --by team, doctor) ----
 *
 * Call fn for every config entry whose key starts with prefix (compared
 * without regard to case; keys come as git spells them: section and
 * variable in lower case, subsection as written), in the order git reads
 * them. value is NULL for a key without "=". fn returns 0 to go on,
 * non-zero to stop (returned). Returns 0, or -1 after error().
 */
typedef int repo_config_fn(const char *key, const char *value, void *data);
int repo_config_foreach_prefix(struct repo *repo, const char *prefix,
			       repo_config_fn *fn, void *data);

/*
 * ---- (added by the hardening work) ----
 *
 * 1 when grafts or replace refs make git show another history than
 * the commits' own parents and trees: then results cached by commit id
 * (line counts, survival) are not to be trusted. 0 otherwise.
 */
int repo_history_rewritten(struct repo *repo);

#endif
