#ifndef TOKENS_AI_LINES_H
#define TOKENS_AI_LINES_H

#include <stddef.h>
#include <stdint.h>
#include "model/ai-note.h"
#include "model/change.h"

struct repo;
struct survival;

/*
 * The line-level notes agents keep of their own commits, read where
 * they write them: git-ai's refs/notes/ai and Qwen Code's
 * refs/notes/ai-attribution, then the copies fetched from remotes
 * (refs/notes/remotes/<remote>/<name>, and git-ai's own
 * refs/notes/ai-remote/<remote>). A commit's note is the first found
 * in that order; a git-ai note wins over a Qwen one. A note that cannot
 * be read is skipped; ai_notes_free() says so in one warning naming
 * the first such commit, its ref and line.
 */
struct ai_notes;

/* Find the refs: 0 (*out NULL when there are none), or -1. */
int ai_notes_open(struct ai_notes **out, struct repo *repo);
/*
 * The note of commit (40 hex digits), its ranges in the committed
 * files' numbering (a Qwen file the agent wrote alone becomes the
 * lines the commit added to it); NULL when there is none.
 */
const struct ai_note *ai_notes_get(struct ai_notes *an, const char *commit);
void ai_notes_free(struct ai_notes *an);

/*
 * The stage: for each change with a note, the lines the agents wrote
 * (ai_added) and, with the survival of the mainline tip s (may be
 * NULL: unknown), how many of them "git blame" at the tip still gives
 * that change, at the same line of the same file (ai_surviving).
 * Changes without a note are left as they were. What cannot be read
 * is said (error, warning) and left unknown. Returns 0.
 */
int ai_lines_fill(struct change_set *set, struct repo *repo,
		  const struct survival *s);

/*
 * post-rewrite: Qwen Code's notes onto the rewritten commits, as ours
 * (notes_copy()); git-ai moves its own notes itself. Nothing when the
 * repository has none. Returns 0, or -1.
 */
struct notes_rewrite;
int ai_notes_rewrite(struct repo *repo, const struct notes_rewrite *r,
		     size_t nr);

/* One line of "git blame --porcelain" output. */
struct blame_line {
	char commit[41];
	uint32_t orig, final;   /* its line in commit, and at the blamed rev */
	const char *path;       /* its file in commit */
	size_t text;            /* offset of its "\t<line>" in the output */
	unsigned first:1;       /* its commit's first line in the output */
};
typedef int blame_line_fn(const struct blame_line *bl, void *data);
/*
 * Call fn for each line of porcelain output in buf; fn returns 0 to go
 * on. Returns 0, fn's non-zero, or -1 after error() when buf is not
 * porcelain output.
 */
int blame_porcelain_each(const char *buf, size_t len, blame_line_fn *fn,
			 void *data);

#endif
