#include "base/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/die.h"
#include "base/run-command.h"

extern char **environ;

/* What a child that failed before exec() tells its parent. */
struct child_err {
	int chdir_failed;
	int err;
};

void child_process_clear(struct child_process *cp)
{
	strvec_clear(&cp->args);
	strvec_clear(&cp->env);
}

/* stderr_capture_start(): where children's stderr goes, or -1. */
static int capture_fd = -1;

static void prepare_argv(struct child_process *cp, struct strvec *out)
{
	if (cp->git_cmd) {
		strvec_push(out, "git");
		strvec_pushv(out, cp->args.v);
	} else if (cp->use_shell) {
		strvec_pushl(out, "sh", "-c", NULL);
		/* Extra arguments reach the snippet as "$@", as git does. */
		if (cp->args.nr > 1)
			strvec_pushf(out, "%s \"$@\"", cp->args.v[0]);
		else
			strvec_push(out, cp->args.v[0]);
		strvec_pushv(out, cp->args.v);
	} else {
		strvec_pushv(out, cp->args.v);
	}
}

/* environ with cp->env applied ("NAME=value" sets, "NAME" unsets). */
static const char **prepare_env(struct child_process *cp)
{
	size_t n = 0, k = 0, i, j;
	const char **env;

	while (environ[n])
		n++;
	env = xcalloc(n + cp->env.nr + 1, sizeof(*env));
	for (i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		int drop = 0;

		for (j = 0; j < cp->env.nr && !drop; j++) {
			const char *e = cp->env.v[j];

			if (!strncmp(e, environ[i], len) &&
			    (e[len] == '=' || !e[len]))
				drop = 1;
		}
		if (!drop)
			env[k++] = environ[i];
	}
	for (j = 0; j < cp->env.nr; j++)
		if (strchr(cp->env.v[j], '='))
			env[k++] = cp->env.v[j];
	env[k] = NULL;
	return env;
}

static void child_report(int fd, int chdir_failed)
{
	struct child_err ce = { chdir_failed, errno };
	ssize_t unused;

	unused = write(fd, &ce, sizeof(ce));
	(void)unused;
	_exit(127);
}

static void child_redirect(int fd, int to)
{
	if (fd != to) {
		dup2(fd, to);
		close(fd);
	}
}

static void child_devnull(int to, int flags)
{
	int fd = open("/dev/null", flags);

	if (fd >= 0)
		child_redirect(fd, to);
}

/*
 * The child of start_command() without fork(): fork() copies our page
 * tables, and then every page we write faults, which costs milliseconds
 * per child once the survival state is large (a replay runs thousands
 * of children). Not for a child that changes directory: posix_spawn()
 * has no portable chdir. 0, or an errno value.
 */
static int spawn_child(struct child_process *cp, const char **argv,
		       const char **env, int fdin, int fdout)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t def;
	int err;

	err = posix_spawn_file_actions_init(&fa);
	if (err)
		return err;
	err = posix_spawnattr_init(&attr);
	if (err) {
		posix_spawn_file_actions_destroy(&fa);
		return err;
	}
	/* We may ignore SIGPIPE; the child must not inherit that. */
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	err = posix_spawnattr_setsigdefault(&attr, &def);
	if (!err)
		err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	if (!err && cp->no_stdin)
		err = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
						       O_RDONLY, 0);
	else if (!err && fdin > 0)
		err = posix_spawn_file_actions_adddup2(&fa, fdin, 0);
	if (!err && fdin > 0 && fdin != cp->in)
		err = posix_spawn_file_actions_addclose(&fa, fdin);
	if (!err && fdout > 1)
		err = posix_spawn_file_actions_adddup2(&fa, fdout, 1);
	if (!err && fdout > 1 && fdout != cp->out)
		err = posix_spawn_file_actions_addclose(&fa, fdout);
	if (!err && cp->no_stderr)
		err = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null",
						       O_WRONLY, 0);
	else if (!err && cp->err > 0)
		err = posix_spawn_file_actions_adddup2(&fa, cp->err, 2);
	else if (!err && capture_fd >= 0)
		err = posix_spawn_file_actions_adddup2(&fa, capture_fd, 2);
	if (!err)
		err = posix_spawnp(&cp->pid, argv[0], &fa, &attr,
				   (char *const *)argv, (char *const *)env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return err;
}

int start_command(struct child_process *cp)
{
	struct strvec argv = STRVEC_INIT;
	int fdin[2] = { -1, -1 }, fdout[2] = { -1, -1 }, report[2];
	struct child_err ce;
	const char **env = NULL;
	ssize_t n;
	int ret = -1;

	if (!cp->args.nr)
		BUG("start_command() without a command");
	prepare_argv(cp, &argv);
	env = prepare_env(cp);

	if ((cp->in < 0 && pipe(fdin) < 0) ||
	    (cp->out < 0 && pipe(fdout) < 0) ||
	    (cp->dir && pipe(report) < 0)) {
		error_errno("cannot create a pipe for '%s'", argv.v[0]);
		goto cleanup;
	}

	/* Our ends of the pipes must not leak into later children. */
	if (fdin[1] >= 0)
		fcntl(fdin[1], F_SETFD, FD_CLOEXEC);
	if (fdout[0] >= 0)
		fcntl(fdout[0], F_SETFD, FD_CLOEXEC);
	/* Do not let the child inherit (and repeat) our buffered output. */
	fflush(stdout);
	fflush(stderr);
	if (!cp->dir) {
		int in = cp->in < 0 ? fdin[0] : cp->in;
		int out = cp->out < 0 ? fdout[1] : cp->out;

		errno = spawn_child(cp, argv.v, env, in, out);
		if (errno) {
			cp->pid = 0;
			error_errno("cannot run '%s'", argv.v[0]);
			goto cleanup;
		}
		goto started;
	}
	/* exec() closes the report pipe: a read of 0 bytes means success. */
	fcntl(report[1], F_SETFD, FD_CLOEXEC);
	cp->pid = fork();
	if (cp->pid < 0) {
		error_errno("cannot fork to run '%s'", argv.v[0]);
		close(report[0]);
		close(report[1]);
		goto cleanup;
	}
	if (!cp->pid) {
		close(report[0]);
		/* We may ignore SIGPIPE; the child must not inherit that. */
		signal(SIGPIPE, SIG_DFL);
		if (cp->no_stdin)
			child_devnull(0, O_RDONLY);
		else if (cp->in < 0) {
			close(fdin[1]);
			child_redirect(fdin[0], 0);
		} else if (cp->in > 0)
			dup2(cp->in, 0);
		if (cp->out < 0) {
			close(fdout[0]);
			child_redirect(fdout[1], 1);
		} else if (cp->out > 0)
			dup2(cp->out, 1);
		if (cp->no_stderr)
			child_devnull(2, O_WRONLY);
		else if (cp->err > 0)
			dup2(cp->err, 2);
		else if (capture_fd >= 0)
			dup2(capture_fd, 2);
		if (cp->dir && chdir(cp->dir) < 0)
			child_report(report[1], 1);
		environ = (char **)env;
		execvp(argv.v[0], (char *const *)argv.v);
		child_report(report[1], 0);
	}

	close(report[1]);
	do {
		n = read(report[0], &ce, sizeof(ce));
	} while (n < 0 && errno == EINTR);
	close(report[0]);
	if (n == sizeof(ce)) {
		waitpid(cp->pid, NULL, 0);
		cp->pid = 0;
		errno = ce.err;
		if (ce.chdir_failed)
			error_errno("cannot change to '%s'", cp->dir);
		else
			error_errno("cannot run '%s'", argv.v[0]);
		goto cleanup;
	}

started:
	if (cp->in < 0) {
		close(fdin[0]);
		cp->in = fdin[1];
	}
	if (cp->out < 0) {
		close(fdout[1]);
		cp->out = fdout[0];
	}
	ret = 0;

cleanup:
	if (ret) {
		if (fdin[0] >= 0)
			close(fdin[0]);
		if (fdin[1] >= 0)
			close(fdin[1]);
		if (fdout[0] >= 0)
			close(fdout[0]);
		if (fdout[1] >= 0)
			close(fdout[1]);
	}
	free(env);
	strvec_clear(&argv);
	return ret;
}

int finish_command(struct child_process *cp)
{
	const char *name = cp->git_cmd ? "git" : cp->args.v[0];
	int status;
	pid_t r;

	if (cp->pid <= 0)
		return -1;
	do {
		r = waitpid(cp->pid, &status, 0);
	} while (r < 0 && errno == EINTR);
	cp->pid = 0;
	if (r < 0)
		return error_errno("waitpid for '%s' failed", name);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	/* A pager the user quit, or ^C: not worth a message. */
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGPIPE &&
	    WTERMSIG(status) != SIGINT)
		error("'%s' died of signal %d", name, WTERMSIG(status));
	return -1;
}

int run_command(struct child_process *cp)
{
	if (start_command(cp))
		return -1;
	return finish_command(cp);
}

int capture_command(struct child_process *cp, struct strbuf *out)
{
	char buf[8192];
	ssize_t n;

	cp->out = -1;
	if (!cp->in)
		cp->no_stdin = 1;
	if (start_command(cp))
		return -1;
	for (;;) {
		n = read(cp->out, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		strbuf_add(out, buf, (size_t)n);
	}
	if (n < 0)
		error_errno("cannot read the output of '%s'",
			    cp->git_cmd ? "git" : cp->args.v[0]);
	close(cp->out);
	cp->out = 0;
	return finish_command(cp);
}

int capture_command_err(struct child_process *cp, struct strbuf *out,
			struct strbuf *err)
{
	FILE *tmp = tmpfile();
	char buf[4096];
	size_t n;
	int code;

	if (!tmp)
		return error_errno("cannot create a temporary file");
	cp->err = fileno(tmp);
	code = capture_command(cp, out);
	cp->err = 0;
	rewind(tmp);
	while ((n = fread(buf, 1, sizeof(buf), tmp)) > 0)
		strbuf_add(err, buf, n);
	fclose(tmp);
	return code;
}

int stderr_capture_start(void)
{
	FILE *tmp;

	if (capture_fd >= 0)
		BUG("stderr is captured already");
	tmp = tmpfile();
	if (!tmp)
		return error_errno("cannot create a temporary file");
	capture_fd = dup(fileno(tmp));
	fclose(tmp);
	if (capture_fd < 0)
		return error_errno("cannot create a temporary file");
	fcntl(capture_fd, F_SETFD, FD_CLOEXEC);
	/* Children share the offset: each line goes at the end. */
	fcntl(capture_fd, F_SETFL, O_APPEND);
	report_redirect(capture_fd);
	return 0;
}

void stderr_capture_stop(struct strbuf *out)
{
	char buf[4096];
	ssize_t n;

	if (capture_fd < 0)
		return;
	report_redirect(-1);
	if (lseek(capture_fd, 0, SEEK_SET) == 0)
		while ((n = read(capture_fd, buf, sizeof(buf))) > 0)
			strbuf_add(out, buf, (size_t)n);
	close(capture_fd);
	capture_fd = -1;
}

/* The first line of text that starts with one of the n prefixes. */
static int first_line(const char *text, const char *const *prefix, size_t n,
		      struct strbuf *out)
{
	const char *p;
	size_t i;

	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		for (i = 0; i < n; i++)
			if (!strncmp(p, prefix[i], strlen(prefix[i]))) {
				p += strlen(prefix[i]);
				strbuf_add(out, p,
					   (size_t)(strchrnul(p, '\n') - p));
				return 1;
			}
	return 0;
}

int git_complaint(const char *text, struct strbuf *out)
{
	static const char *const prefix[] = { "fatal: ", "error: " };

	return first_line(text, prefix, ARRAY_SIZE(prefix), out);
}

int git_fatal_reason(const char *text, struct strbuf *out)
{
	static const char *const prefix[] = { "fatal: " };

	return first_line(text, prefix, 1, out) || git_complaint(text, out);
}
