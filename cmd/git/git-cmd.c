#include "base/die.h"
#include "base/run-command.h"
#include "git/git-cmd.h"

int git_cmd(const char * const *argv, struct strbuf *out,
	    struct strbuf *err, unsigned flags)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf discard = STRBUF_INIT;
	int code;

	cp.git_cmd = 1;
	cp.no_stdin = !!(flags & GIT_CMD_NO_STDIN);
	cp.no_stderr = !err && (flags & GIT_CMD_QUIET);
	strvec_pushv(&cp.args, (const char **)argv);
	if (flags & GIT_CMD_C_LOCALE)
		strvec_pushl(&cp.env, "LC_ALL=C", "LANGUAGE", NULL);
	if (flags & GIT_CMD_NO_PROMPT)
		strvec_push(&cp.env, "GIT_TERMINAL_PROMPT=0");
	if (err)
		code = capture_command_err(&cp, out ? out : &discard, err);
	else if (out)
		code = capture_command(&cp, out);
	else
		code = run_command(&cp);
	child_process_clear(&cp);
	strbuf_release(&discard);
	return code;
}
