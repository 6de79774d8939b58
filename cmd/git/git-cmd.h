#ifndef TOKENS_GIT_CMD_H
#define TOKENS_GIT_CMD_H

#include "base/strbuf.h"

/*
 * Running git once and reading what it says. The long-lived diff-tree
 * and mktree co-processes of the line-count and survival engines set
 * their pipes up with run-command themselves.
 */
enum git_cmd_flags {
	GIT_CMD_QUIET = 1 << 0,     /* stderr to /dev/null (unless err) */
	GIT_CMD_NO_STDIN = 1 << 1,  /* stdin from /dev/null */
	GIT_CMD_C_LOCALE = 1 << 2,  /* messages in C: we parse them */
	GIT_CMD_NO_PROMPT = 1 << 3, /* never ask for credentials */
};

/*
 * Run "git <argv...>" (argv NULL-terminated). Its stdout goes to out
 * when out is not NULL (else to ours, or nowhere when err is given),
 * its stderr to err when err is not NULL. Returns git's exit code, or
 * -1 when it could not run.
 */
int git_cmd(const char * const *argv, struct strbuf *out,
	    struct strbuf *err, unsigned flags);

#endif
