#ifndef TOKENS_CHANGES_H
#define TOKENS_CHANGES_H

#include <regex.h>
#include <stddef.h>
#include "base/oidmap.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "model/change.h"

struct repo;

/*
 * The read stage: out receives every non-merge commit of opts' range
 * (newest first, as git log lists them), without line counts yet, and
 * the mainline. Commits at a shallow clone's boundary are left out,
 * with a warning. A squash commit stays whatever --author says until
 * squash_authors() has settled its author. Returns 1 when the log was
 * read, 0 when there is nothing to read (an empty repository, an unborn
 * branch), or -1 after error(); a range or mainline that does not
 * resolve is the user's mistake: its message goes into err (when not
 * NULL) for the command to die() with.
 */
int changes_read(struct change_set *out, struct repo *repo,
		 const struct change_opts *opts, struct strbuf *err);

/* What changes_parse() reads: "git log -z" in this format. */
#define CHANGES_LOG_FORMAT \
	"--format=%H%x1f%aN%x1f%aE%x1f%cN%x1f%cE%x1f%at%x1f%ct%x1f%B"

/*
 * Add the commits of log to out, read as the range's are (mailmap,
 * agents, reverts); those in shallow are counted in *nshallow instead.
 * authors: the --author patterns (squash commits pass). merges: they
 * are merges, to be marked so. Returns 0, or -1 after error().
 */
int changes_parse(struct change_set *out, struct repo *repo,
		  struct strbuf *log, const struct strvec *authors,
		  const struct oidmap *shallow, size_t *nshallow, int merges);

/*
 * Add the merge commits of opts' range to set (read by changes_read()),
 * in the log's order, each marked merge: it is a change only once
 * survival has counted the lines it made, or attribution has given it
 * usage. Returns 0, or -1 after error() or with git's complaint in err.
 */
int changes_read_merges(struct change_set *set, struct repo *repo,
			const struct change_opts *opts, struct strbuf *err);

/* Take out the merges that made no countable line and carry no usage. */
void changes_drop_idle_merges(struct change_set *set);

/*
 * The commit "This reverts commit <id>." names anywhere in msg, as
 * named (7 to 40 hex digits), or NULL; free() it.
 */
char *changes_revert_of(const char *msg);

/* The --author patterns, compiled. */
struct author_filter {
	regex_t *re;
	size_t nr;
};
/* Compile patterns; f is to release also on failure (-1 after error()). */
int author_filter_init(struct author_filter *f, const struct strvec *patterns);
/* Does "name <email>" of c match a pattern? With no patterns, yes. */
int author_filter_match(const struct author_filter *f,
			const struct change *c);
void author_filter_release(struct author_filter *f);

/*
 * An unlinked temporary file holding data, positioned at its start:
 * a long list for git's stdin never blocks on a pipe. The fd, or -1
 * after error().
 */
int changes_temp_file(const struct strbuf *data);

#endif
