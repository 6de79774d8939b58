/*
 * The option parser: the input is a command line, arguments split at
 * NUL bytes or newlines; its first byte picks the parser flags. A
 * fuzzing build reports usage errors and returns -1 instead of
 * exiting (parse-options.c).
 */
#include "fuzz.h"
#include "base/parse-options.h"
#include "base/strvec.h"

#define MAX_ARGS 64

static int cb_calls;

static int cb(const struct option *opt, const char *arg, int unset)
{
	cb_calls++;
	if (arg && !strcmp(arg, "bad"))
		return error("option '%s' does not take 'bad'",
			     opt->long_name);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char * const usagestr[] = {
		"git tokens fuzz [<options>] [<args>...]",
		"git tokens fuzz --other\n   [--more]", "", "text", NULL
	};
	int verbose = 0, flag = 0, neg = 1, n = 0, cnt = 0, opt_n = 0;
	const char *str = NULL, *opt_s = NULL;
	struct strvec vec = STRVEC_INIT, args = STRVEC_INIT;
	struct option opts[] = {
		OPT__VERBOSE(&verbose, "be verbose"),
		OPT_GROUP("Group"),
		OPT_BOOL('f', "flag", &flag, "a flag"),
		OPT_BOOL_F(0, "no-neg", &neg, "no negation",
			   PARSE_OPT_NONEG),
		OPT_INTEGER('n', "number", &n, "a number"),
		OPT_COUNTUP('c', "count", &cnt, "count"),
		OPT_STRING('s', "string", &str, "s", "a string"),
		OPT_STRING(0, "since", &str, "date", "an abbreviation"),
		OPT_STRVEC('p', "path", &vec, "path", "repeatable"),
		OPT_CALLBACK('x', "call", NULL, "v", "a callback", cb),
		OPT_CALLBACK_F('y', "noarg", NULL, NULL, "no argument",
			       PARSE_OPT_NOARG, cb),
		{ .type = OPTION_STRING, .long_name = "opt-s",
		  .value = &opt_s, .argh = "[=<s>]", .help = "optional",
		  .flags = PARSE_OPT_OPTARG, .defval = (long)"dflt" },
		{ .type = OPTION_INTEGER, .short_name = 'o',
		  .long_name = "opt-n", .value = &opt_n, .help = "optional",
		  .flags = PARSE_OPT_OPTARG | PARSE_OPT_HIDDEN, .defval = 7 },
		OPT_END()
	};
	static const int flag_sets[] = {
		0, PARSE_OPT_KEEP_DASHDASH, PARSE_OPT_STOP_AT_NON_OPTION,
		PARSE_OPT_KEEP_UNKNOWN, PARSE_OPT_NO_ABBREV,
		PARSE_OPT_KEEP_UNKNOWN | PARSE_OPT_STOP_AT_NON_OPTION,
	};
	const char **argv;
	const uint8_t *p, *end = data + size;
	int flags, ret, i;

	if (!size)
		return 0;
	flags = flag_sets[data[0] % ARRAY_SIZE(flag_sets)];
	strvec_push(&args, "fuzz");
	for (p = data + 1; p < end && args.nr < MAX_ARGS; ) {
		const uint8_t *q = p;

		while (q < end && *q && *q != '\n')
			q++;
		strvec_pushf(&args, "%.*s", (int)(q - p), (const char *)p);
		p = q + 1;
	}
	/* parse_options moves arguments around: work on a copy. */
	argv = xcalloc(args.nr + 1, sizeof(*argv));
	for (i = 0; i < (int)args.nr; i++)
		argv[i] = args.v[i];
	ret = parse_options((int)args.nr, argv, opts, usagestr, flags);
	if (ret > (int)args.nr)
		BUG("%d arguments left of %d", ret, (int)args.nr);
	if (ret >= 0) {
		if (argv[ret])
			BUG("argv[%d] is not NULL", ret);
		for (i = 0; i < ret; i++)
			if (!argv[i])
				BUG("argument %d is NULL", i);
	}
	free(argv);
	strvec_clear(&vec);
	strvec_clear(&args);
	return 0;
}
