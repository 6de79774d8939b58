#ifndef TOKENS_RUN_COMMAND_H
#define TOKENS_RUN_COMMAND_H

#include <sys/types.h>
#include "base/strbuf.h"
#include "base/strvec.h"

/*
 * Child processes, git's way: argv lists, never shell strings.
 * in/out: 0 inherit; -1 make a pipe (the parent's end is stored back);
 * >0 use that fd.
 */
struct child_process {
	struct strvec args;
	struct strvec env;   /* "NAME=value" or "NAME" to unset */
	const char *dir;
	pid_t pid;
	int in;
	int out;
	int err;                /* >0: stderr goes to that fd */
	unsigned git_cmd:1;     /* run "git <args>" */
	unsigned no_stdin:1;    /* </dev/null */
	unsigned no_stderr:1;   /* 2>/dev/null */
	unsigned use_shell:1;   /* args[0] is a shell snippet (pager only) */
};
#define CHILD_PROCESS_INIT { .args = STRVEC_INIT, .env = STRVEC_INIT }

int start_command(struct child_process *cp);
/* Wait for it; returns its exit code, or -1 (after error()) if it died. */
int finish_command(struct child_process *cp);
/* start + finish */
int run_command(struct child_process *cp);
/* Run with no stdin and capture stdout into out; returns the exit code. */
int capture_command(struct child_process *cp, struct strbuf *out);
/*
 * The same, with what it writes to stderr kept in err rather than shown
 * (through a temporary file: a pipe could fill while stdout is read).
 */
int capture_command_err(struct child_process *cp, struct strbuf *out,
			struct strbuf *err);
/*
 * git's first complaint in text (its stderr): the first "fatal: " or
 * "error: " line, without that prefix, added to out. 1 if found, else 0.
 */
int git_complaint(const char *text, struct strbuf *out);
/*
 * The same, preferring the first "fatal: " line: why git stopped, in
 * text where other complaints (ours) may come first.
 */
int git_fatal_reason(const char *text, struct strbuf *out);
void child_process_clear(struct child_process *cp);

/*
 * Until stderr_capture_stop(), what error() and warning() say and what
 * child processes write to stderr (unless they say otherwise) go to a
 * temporary file instead: a stage whose failure only degrades the
 * result then says so once, in its own words. 0, or -1 after error()
 * (nothing captured then).
 */
int stderr_capture_start(void);
/* Stop capturing; what was captured is added to out. */
void stderr_capture_stop(struct strbuf *out);

#endif
