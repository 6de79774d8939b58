/* Unit tests for parse-options: parsing, negation, prefixes, usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/die.h"
#include "base/parse-options.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "tap.h"

static int verbose, dry_run, count, cb_calls, progress = -1;
static const char *output, *cb_arg;
static struct strvec authors = STRVEC_INIT;

static int record_cb(const struct option *opt, const char *arg, int unset)
{
	cb_calls++;
	cb_arg = unset ? "(unset)" : arg ? arg : "(none)";
	return 0;
}

static const char * const usage[] = {
	"test-tool parse [<options>] [--] <path>...",
	"test-tool parse --other",
	NULL
};

static const struct option options[] = {
	OPT__VERBOSE(&verbose, "be more verbose"),
	OPT_BOOL('n', "dry-run", &dry_run, "do nothing"),
	OPT_BOOL_F(0, "progress", &progress, "show progress",
		   PARSE_OPT_NONEG),
	OPT_GROUP("Output"),
	OPT_STRING('o', "output", &output, "file", "write to <file>"),
	OPT_INTEGER('c', "count", &count, "stop after <n>"),
	OPT_STRVEC(0, "author", &authors, "pattern", "only these authors"),
	OPT_CALLBACK_F(0, "color", NULL, "when", "colour",
		       PARSE_OPT_OPTARG, record_cb),
	OPT_CALLBACK_F(0, "colour-words", NULL, NULL, "hidden one",
		       PARSE_OPT_NOARG | PARSE_OPT_HIDDEN, record_cb),
	OPT_END()
};

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void reset(void)
{
	verbose = dry_run = count = cb_calls = 0;
	progress = -1;
	output = cb_arg = NULL;
	strvec_clear(&authors);
}

/* Parse a space-separated command line; returns the count left. */
static int parse(const char *line, int flags, struct strvec *left)
{
	/* Values point into the arguments: keep them until the next call. */
	static struct strbuf sb = STRBUF_INIT;
	static struct strvec args = STRVEC_INIT;
	const char **argv;
	char **parts;
	size_t i, n;
	int r;

	reset();
	strvec_clear(&args);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "cmd %s", line);
	n = strbuf_split_inplace(sb.buf, ' ', &parts);
	for (i = 0; i < n; i++)
		strvec_push(&args, parts[i]);
	free(parts);
	/* parse_options keeps pointers into argv: hand it a copy we keep. */
	argv = xcalloc(args.nr + 1, sizeof(*argv));
	memcpy(argv, args.v, args.nr * sizeof(*argv));
	r = parse_options((int)args.nr, argv, options, usage, flags);
	strvec_clear(left);
	for (i = 0; i < (size_t)r; i++)
		strvec_push(left, argv[i]);
	ok(argv[r] == NULL, "'%s': the rest is NULL-terminated", line);
	free(argv);
	return r;
}

/* Run parse() in a child to see what it prints and how it exits. */
static int parse_exit(const char *line, struct strbuf *out,
		      struct strbuf *err)
{
	int po[2], pe[2], status;
	char buf[4096];
	ssize_t k;
	pid_t pid;

	fflush(stdout);
	if (pipe(po) || pipe(pe) || (pid = fork()) < 0) {
		perror("fork");
		exit(1);
	}
	if (!pid) {
		struct strvec left = STRVEC_INIT;

		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		parse(line, 0, &left);
		_exit(42);
	}
	close(po[1]);
	close(pe[1]);
	while ((k = read(po[0], buf, sizeof(buf))) > 0)
		strbuf_add(out, buf, (size_t)k);
	while ((k = read(pe[0], buf, sizeof(buf))) > 0)
		strbuf_add(err, buf, (size_t)k);
	close(po[0]);
	close(pe[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_parsing(void)
{
	struct strvec left = STRVEC_INIT;
	int n;

	n = parse("-v --verbose -vv a --output=x b -c 3", 0, &left);
	is_int(verbose, 4, "-v counts up, bundled too");
	is_str(output, "x", "--name=value");
	is_int(count, 3, "-c value");
	ok(n == 2 && !strcmp(left.v[0], "a") && !strcmp(left.v[1], "b"),
	   "non-options are kept in order");

	parse("-ofile -c7 --output y", 0, &left);
	ok(output && !strcmp(output, "y") && count == 7,
	   "-ovalue, -c7, --name value; the last one wins");

	parse("-nvo out", 0, &left);
	ok(dry_run == 1 && verbose == 1 && output && !strcmp(output, "out"),
	   "bundled booleans end with an option taking a value");

	parse("--author=a --author b --no-author --author c", 0, &left);
	ok(authors.nr == 1 && !strcmp(authors.v[0], "c"),
	   "strvec repeats and --no- clears it");

	parse("-o x --no-output --dry-run --no-dry-run", 0, &left);
	ok(!output && !dry_run, "--no-<name> unsets a string and a bool");

	parse("--verb --dry --out=z --auth q", 0, &left);
	ok(verbose == 1 && dry_run == 1 && output && !strcmp(output, "z") &&
	   authors.nr == 1, "unambiguous prefixes are accepted");

	parse("--no-dry", 0, &left);
	ok(dry_run == 0, "a negated prefix");

	parse("--color --color=always --no-color", 0, &left);
	ok(cb_calls == 3 && !strcmp(cb_arg, "(unset)"),
	   "callbacks see an optional value, then the unset");
	parse("--color", 0, &left);
	is_str(cb_arg, "(none)", "an optional value may be absent");

	n = parse("a -- -v --output", 0, &left);
	ok(n == 3 && verbose == 0 && !strcmp(left.v[1], "-v") &&
	   !strcmp(left.v[2], "--output"), "-- ends the options");
	n = parse("a -- -v", PARSE_OPT_KEEP_DASHDASH, &left);
	ok(n == 3 && !strcmp(left.v[1], "--"),
	   "-- is kept with PARSE_OPT_KEEP_DASHDASH");

	n = parse("-v sub -n", PARSE_OPT_STOP_AT_NON_OPTION, &left);
	ok(n == 2 && verbose == 1 && dry_run == 0 &&
	   !strcmp(left.v[0], "sub") && !strcmp(left.v[1], "-n"),
	   "PARSE_OPT_STOP_AT_NON_OPTION stops at the first argument");

	n = parse("--bogus -x -v", PARSE_OPT_KEEP_UNKNOWN, &left);
	ok(n == 2 && verbose == 1 && !strcmp(left.v[0], "--bogus") &&
	   !strcmp(left.v[1], "-x"), "PARSE_OPT_KEEP_UNKNOWN passes them on");

	n = parse("--verb", PARSE_OPT_NO_ABBREV | PARSE_OPT_KEEP_UNKNOWN,
		  &left);
	ok(n == 1 && verbose == 0, "PARSE_OPT_NO_ABBREV wants exact names");

	n = parse("- --progress", 0, &left);
	ok(n == 1 && !strcmp(left.v[0], "-") && progress == 1,
	   "a lone '-' is an argument");
	strvec_clear(&left);
}

static void test_errors(void)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int code;

	code = parse_exit("-h", &out, &err);
	is_int(code, 0, "-h exits 0");
	ok(starts_with(out.buf, "usage: test-tool parse [<options>] [--]") &&
	   strstr(out.buf, "\n   or: test-tool parse --other\n"),
	   "-h prints the usage lines on stdout");
	ok(strstr(out.buf, "\n    -o, --output <file>   write to <file>\n") &&
	   strstr(out.buf, "\n    -v, --verbose         be more verbose\n"),
	   "options line up as git's do");
	ok(strstr(out.buf, "\nOutput\n") != NULL, "groups have headings");
	ok(strstr(out.buf, "--color[=<when>]") != NULL,
	   "an optional value is shown in brackets");
	ok(!strstr(out.buf, "colour-words"), "hidden options are not shown");
	is_int(err.len, 0, "and nothing on stderr");

	strbuf_reset(&out);
	strbuf_reset(&err);
	code = parse_exit("--frobnicate", &out, &err);
	is_int(code, 129, "an unknown option exits 129");
	ok(starts_with(err.buf, "error: unknown option 'frobnicate'\nusage: "),
	   "it is named, then the usage follows, on stderr");
	is_int(out.len, 0, "nothing on stdout");

	strbuf_reset(&err);
	code = parse_exit("-vx", &out, &err);
	ok(code == 129 && strstr(err.buf, "unknown switch 'x'"),
	   "an unknown switch in a bundle");

	strbuf_reset(&err);
	code = parse_exit("--output", &out, &err);
	ok(code == 129 && strstr(err.buf, "option 'output' requires a value"),
	   "a missing value exits 129");

	strbuf_reset(&err);
	code = parse_exit("--co", &out, &err);
	ok(code == 129 && strstr(err.buf, "ambiguous option: co"),
	   "an ambiguous prefix exits 129");

	strbuf_reset(&err);
	code = parse_exit("--no-progress", &out, &err);
	ok(code == 129 && strstr(err.buf, "unknown option 'no-progress'"),
	   "PARSE_OPT_NONEG has no --no- form");

	strbuf_reset(&err);
	code = parse_exit("-c 12x", &out, &err);
	ok(code == 129 && strstr(err.buf, "expects a numerical value"),
	   "a bad number exits 129");

	strbuf_reset(&err);
	code = parse_exit("--dry-run=yes", &out, &err);
	ok(code == 129 && strstr(err.buf, "takes no value"),
	   "a boolean takes no value");
	strbuf_release(&out);
	strbuf_release(&err);
}

int main(void)
{
	test_parsing();
	test_errors();
	reset();
	return done_testing();
}
