/* Unit tests for run-command: argv, env, dir, pipes, exit codes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/die.h"
#include "base/run-command.h"
#include "tap.h"

/* child_process_clear() keeps the flags: start each test afresh. */
static void reset(struct child_process *cp)
{
	struct child_process fresh = CHILD_PROCESS_INIT;

	child_process_clear(cp);
	*cp = fresh;
}

static int capture(struct child_process *cp, struct strbuf *out)
{
	int r;

	strbuf_reset(out);
	r = capture_command(cp, out);
	reset(cp);
	return r;
}

int main(void)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	char buf[64];
	ssize_t n;
	int r;

	strvec_pushl(&cp.args, "printf", "%s|", "a b", "c", NULL);
	r = capture(&cp, &out);
	ok(!r && !strcmp(out.buf, "a b|c|"), "argv is passed as a list");

	setenv("U_RUN_GONE", "x", 1);
	strvec_pushl(&cp.args, "sh", "-c",
		     "echo \"$U_RUN_SET-${U_RUN_GONE-unset}\"", NULL);
	strvec_push(&cp.env, "U_RUN_SET=yes");
	strvec_push(&cp.env, "U_RUN_GONE");
	r = capture(&cp, &out);
	is_str(out.buf, "yes-unset\n", "env sets and unsets variables");

	strvec_push(&cp.args, "pwd");
	cp.dir = "/";
	r = capture(&cp, &out);
	is_str(out.buf, "/\n", "dir is the child's working directory");

	strvec_pushl(&cp.args, "printf '[%s]'", "a b", "c", NULL);
	cp.use_shell = 1;
	r = capture(&cp, &out);
	ok(!r && !strcmp(out.buf, "[a b][c]"),
	   "use_shell runs a snippet with its arguments as \"$@\"");

	strvec_push(&cp.args, "--version");
	cp.git_cmd = 1;
	r = capture(&cp, &out);
	ok(!r && !strncmp(out.buf, "git version ", 12), "git_cmd runs git");

	strvec_pushl(&cp.args, "sh", "-c", "exit 7", NULL);
	is_int(run_command(&cp), 7, "the exit code is returned");
	reset(&cp);

	strvec_push(&cp.args, "/no/such/program");
	fprintf(stderr, "# (an error message is expected next)\n");
	is_int(run_command(&cp), -1, "a program that cannot run is -1");
	reset(&cp);

	strvec_pushl(&cp.args, "tr", "a-z", "A-Z", NULL);
	cp.in = -1;
	cp.out = -1;
	r = start_command(&cp);
	ok(!r && cp.in > 0 && cp.out > 0, "in and out pipes are made");
	if (!r) {
		n = write(cp.in, "shout", 5);
		close(cp.in);
		n = read(cp.out, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(cp.out);
		is_str(buf, "SHOUT", "data goes through both pipes");
		is_int(finish_command(&cp), 0, "and the child exits 0");
	}
	reset(&cp);

	strvec_pushl(&cp.args, "sh", "-c", "kill -TERM $$", NULL);
	fprintf(stderr, "# (an error message is expected next)\n");
	is_int(run_command(&cp), -1, "a child killed by a signal is -1");
	reset(&cp);

	strbuf_release(&out);
	return done_testing();
}
