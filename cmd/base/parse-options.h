#ifndef TOKENS_PARSE_OPTIONS_H
#define TOKENS_PARSE_OPTIONS_H

/*
 * A small, table-driven option parser with git's conventions: long and
 * short options, "--no-<long>" negation for free, unambiguous long
 * prefixes, "--" ends options, "-h" prints the usage made from the table
 * on stdout and exits 0, a usage error prints it on stderr and exits 129.
 */

enum parse_opt_type {
	OPTION_END,
	OPTION_GROUP,
	OPTION_BOOL,     /* int *: 1, or 0 with --no- */
	OPTION_COUNTUP,  /* int *: +1 each time (-v -v), 0 with --no- */
	OPTION_INTEGER,  /* int * */
	OPTION_STRING,   /* const char **: last one wins, NULL with --no- */
	OPTION_STRVEC,   /* struct strvec *: repeatable, cleared with --no- */
	OPTION_CALLBACK, /* callback(opt, arg, unset) */
};

enum parse_opt_flags {
	PARSE_OPT_KEEP_DASHDASH = 1 << 0,  /* leave "--" in argv */
	PARSE_OPT_STOP_AT_NON_OPTION = 1 << 1,
	PARSE_OPT_KEEP_UNKNOWN = 1 << 2,   /* pass unknown options through */
	PARSE_OPT_NO_ABBREV = 1 << 3,      /* exact long names only */
};

enum parse_opt_option_flags {
	PARSE_OPT_NONEG = 1 << 0,   /* no --no-<name> form */
	PARSE_OPT_OPTARG = 1 << 1,  /* the argument is optional (--opt[=arg]) */
	PARSE_OPT_NOARG = 1 << 2,   /* callback takes no argument */
	PARSE_OPT_HIDDEN = 1 << 3,  /* not shown by -h */
};

struct option;
typedef int parse_opt_cb(const struct option *opt, const char *arg, int unset);

struct option {
	enum parse_opt_type type;
	int short_name;
	const char *long_name;
	void *value;
	const char *argh;
	const char *help;
	int flags;
	parse_opt_cb *callback;
	long defval;
};

/* Designated initializers: -Wextra wants every field of a positional one. */
#define OPT_END() { .type = OPTION_END }
#define OPT_GROUP(h) { .type = OPTION_GROUP, .help = (h) }
#define OPT_BOOL(s, l, v, h) \
	{ .type = OPTION_BOOL, .short_name = (s), .long_name = (l), \
	  .value = (v), .help = (h) }
#define OPT__VERBOSE(v, h) OPT_COUNTUP('v', "verbose", (v), (h))
#define OPT__QUIET(v, h) OPT_BOOL('q', "quiet", (v), (h))
#define OPT_COUNTUP(s, l, v, h) \
	{ .type = OPTION_COUNTUP, .short_name = (s), .long_name = (l), \
	  .value = (v), .help = (h) }
#define OPT_INTEGER(s, l, v, h) \
	{ .type = OPTION_INTEGER, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = "n", .help = (h) }
#define OPT_STRING(s, l, v, a, h) \
	{ .type = OPTION_STRING, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h) }
#define OPT_STRVEC(s, l, v, a, h) \
	{ .type = OPTION_STRVEC, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h) }
#define OPT_CALLBACK(s, l, v, a, h, cb) OPT_CALLBACK_F(s, l, v, a, h, 0, cb)
#define OPT_CALLBACK_F(s, l, v, a, h, f, cb) \
	{ .type = OPTION_CALLBACK, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h), .flags = (f), \
	  .callback = (cb) }
/* A boolean with flags (PARSE_OPT_NONEG, ...). */
#define OPT_BOOL_F(s, l, v, h, f) \
	{ .type = OPTION_BOOL, .short_name = (s), .long_name = (l), \
	  .value = (v), .help = (h), .flags = (f) }

/*
 * Parse argv (argv[0] is the command name and is skipped). Returns the
 * number of arguments left; they are moved to argv[0..n-1] and
 * argv[n] is NULL.
 */
int parse_options(int argc, const char **argv, const struct option *opts,
		  const char * const *usagestr, int flags);

/* Print usage from the table: on stdout with exit 0 when err is 0, on
 * stderr with exit 129 otherwise. */
__attribute__((noreturn))
void usage_with_options(const char * const *usagestr,
			const struct option *opts, int err);
/* "error: <msg>" then the usage on stderr, exit 129. */
__attribute__((noreturn))
void usage_msg_opt(const char *msg, const char * const *usagestr,
		   const struct option *opts);

#endif
