#ifndef TOKENS_COMMIT_LINK_H
#define TOKENS_COMMIT_LINK_H

#include <stddef.h>

/*
 * Find what "git commit" prints, "[<branch> <short-sha>] <subject>" (or
 * "[<branch> (root-commit) <sha>]", "[detached HEAD <sha>]"), at the
 * start of a line of a tool's output as it sits in a JSON log line (so
 * "\n" may be the two characters backslash, n). The last one wins; its
 * abbreviated id goes to out. Returns 1 when found, else 0. The Claude
 * Code and Codex sources use it to link a session's usage to a commit.
 */
int commit_link_scan(const char *s, size_t len, char out[41]);

#endif
