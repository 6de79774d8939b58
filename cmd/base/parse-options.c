#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/die.h"
#include "base/parse-options.h"
#include "base/strvec.h"

#define USAGE_OPTS_WIDTH 24
#define USAGE_GAP 2

/* The outcome of one option: 0 fine, -1 an error already reported
 * (exit 129), -2 a usage error (message, then usage, exit 129). */
enum { PO_OK = 0, PO_ERROR = -1, PO_USAGE = -2 };

struct po_ctx {
	int argc;
	const char **argv;
	int i;   /* index of the argument being parsed */
};

static int takes_arg(const struct option *opt)
{
	switch (opt->type) {
	case OPTION_INTEGER:
	case OPTION_STRING:
	case OPTION_STRVEC:
		return 1;
	case OPTION_CALLBACK:
		return !(opt->flags & PARSE_OPT_NOARG);
	default:
		return 0;
	}
}

static void opt_name(const struct option *opt, int use_short, char *buf,
		     size_t len)
{
	if (use_short)
		snprintf(buf, len, "switch '%c'", opt->short_name);
	else
		snprintf(buf, len, "option '%s'", opt->long_name);
}

/*
 * Apply one option. arg is the attached value ("--x=v", "-xv") or NULL;
 * a required value may also come from the next argument.
 */
static int get_value(struct po_ctx *ctx, const struct option *opt,
		     const char *arg, int unset, int use_short)
{
	char name[128];
	char *end;
	long n;

	opt_name(opt, use_short, name, sizeof(name));
	if (unset && arg)
		return error("%s takes no value", name);
	if (!takes_arg(opt) && arg)
		return error("%s takes no value", name);
	if (takes_arg(opt) && !unset && !arg &&
	    !(opt->flags & PARSE_OPT_OPTARG)) {
		if (ctx->i + 1 >= ctx->argc) {
			error("%s requires a value", name);
			return PO_USAGE;
		}
		arg = ctx->argv[++ctx->i];
	}

	switch (opt->type) {
	case OPTION_BOOL:
		*(int *)opt->value = !unset;
		return 0;
	case OPTION_COUNTUP:
		if (unset || *(int *)opt->value < 0)
			*(int *)opt->value = 0;
		if (!unset)
			(*(int *)opt->value)++;
		return 0;
	case OPTION_INTEGER:
		if (unset) {
			*(int *)opt->value = 0;
			return 0;
		}
		if (!arg) {
			*(int *)opt->value = (int)opt->defval;
			return 0;
		}
		errno = 0;
		n = strtol(arg, &end, 10);
		if (!*arg || *end || errno || n < INT_MIN || n > INT_MAX)
			return error("%s expects a numerical value", name);
		*(int *)opt->value = (int)n;
		return 0;
	case OPTION_STRING:
		if (unset)
			*(const char **)opt->value = NULL;
		else
			*(const char **)opt->value =
				arg ? arg : (const char *)opt->defval;
		return 0;
	case OPTION_STRVEC:
		if (unset)
			strvec_clear(opt->value);
		else if (arg)
			strvec_push(opt->value, arg);
		return 0;
	case OPTION_CALLBACK:
		return opt->callback(opt, unset ? NULL : arg, unset) ? -1 : 0;
	default:
		BUG("option type %d cannot be parsed", (int)opt->type);
	}
}

static int has_short_h(const struct option *opts)
{
	for (; opts->type != OPTION_END; opts++)
		if (opts->short_name == 'h')
			return 1;
	return 0;
}

static int can_negate(const struct option *opt)
{
	return !(opt->flags & PARSE_OPT_NONEG);
}

/* Returns PO_OK, PO_ERROR, PO_USAGE, or 1 for an unknown option. */
static int parse_long(struct po_ctx *ctx, const char *arg,
		      const struct option *opts, int flags)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const char *value = eq ? eq + 1 : NULL;
	const struct option *abbrev = NULL, *ambiguous = NULL, *o;
	int abbrev_unset = 0;

	for (o = opts; o->type != OPTION_END; o++) {
		const char *name = o->long_name;
		int unset = 0;

		if (!name || o->type == OPTION_GROUP)
			continue;
		if (strlen(name) == len && !strncmp(arg, name, len))
			return get_value(ctx, o, value, 0, 0);
		/* --no-foo for foo; --foo for an option named no-foo */
		if (len > 3 && !strncmp(arg, "no-", 3) && can_negate(o) &&
		    strlen(name) == len - 3 && !strncmp(arg + 3, name, len - 3))
			return get_value(ctx, o, value, 1, 0);
		if (!strncmp(name, "no-", 3) && can_negate(o) &&
		    strlen(name) - 3 == len && !strncmp(arg, name + 3, len))
			return get_value(ctx, o, value, 1, 0);

		if (flags & PARSE_OPT_NO_ABBREV) {
			continue;
		} else if (!strncmp(name, arg, len)) {
			unset = 0;
		} else if (len > 3 && !strncmp(arg, "no-", 3) &&
			   can_negate(o) && !strncmp(name, arg + 3, len - 3)) {
			unset = 1;
		} else {
			continue;
		}
		if (abbrev && abbrev != o)
			ambiguous = o;
		abbrev = o;
		abbrev_unset = unset;
	}
	if (ambiguous) {
		error("ambiguous option: %.*s (could be --%s or --%s)",
		      (int)len, arg, ambiguous->long_name, abbrev->long_name);
		return PO_USAGE;
	}
	if (abbrev)
		return get_value(ctx, abbrev, value, abbrev_unset, 0);
	return 1;
}

/* Parse "-abc"; returns like parse_long, with *bad set when unknown. */
static int parse_short(struct po_ctx *ctx, const char *arg,
		       const struct option *opts, char *bad)
{
	const char *p;
	const struct option *o;

	for (p = arg; *p; p++) {
		for (o = opts; o->type != OPTION_END; o++)
			if (o->short_name == *p)
				break;
		if (o->type == OPTION_END) {
			*bad = *p;
			return 1;
		}
		if (takes_arg(o))
			return get_value(ctx, o, p[1] ? p + 1 : NULL, 0, 1);
		if (get_value(ctx, o, NULL, 0, 1))
			return PO_ERROR;
	}
	return PO_OK;
}

static void usage_print(const char * const *usagestr,
			const struct option *opts, int err);

/*
 * A usage error: the usage, then exit. A fuzzing build returns -1
 * instead, so that one process can try many command lines.
 */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define po_exit(usagestr, opts, err, show) do { \
		if (show) \
			usage_print(usagestr, opts, err); \
		return -1; \
	} while (0)
#else
#define po_exit(usagestr, opts, err, show) do { \
		if (show) \
			usage_with_options(usagestr, opts, err); \
		exit(EXIT_USAGE); \
	} while (0)
#endif

int parse_options(int argc, const char **argv, const struct option *opts,
		  const char * const *usagestr, int flags)
{
	struct po_ctx ctx = { argc, argv, 1 };
	int n = 0, r = PO_OK;

	for (; ctx.i < argc; ctx.i++) {
		const char *arg = argv[ctx.i];
		char bad = 0;

		if (arg[0] != '-' || !arg[1]) {
			if (flags & PARSE_OPT_STOP_AT_NON_OPTION)
				break;
			argv[n++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			if (!(flags & PARSE_OPT_KEEP_DASHDASH))
				ctx.i++;
			break;
		}
		if (arg[1] == '-') {
			if (!strcmp(arg, "--help") && !has_short_h(opts))
				po_exit(usagestr, opts, 0, 1);
			r = parse_long(&ctx, arg + 2, opts, flags);
		} else {
			if (!strcmp(arg, "-h") && !has_short_h(opts))
				po_exit(usagestr, opts, 0, 1);
			r = parse_short(&ctx, arg + 1, opts, &bad);
		}
		if (r == 1 && (flags & PARSE_OPT_KEEP_UNKNOWN)) {
			argv[n++] = arg;
			continue;
		}
		if (r == 1) {
			if (bad)
				error("unknown switch '%c'", bad);
			else
				error("unknown option '%s'", arg + 2);
			po_exit(usagestr, opts, 1, 1);
		}
		if (r == PO_USAGE)
			po_exit(usagestr, opts, 1, 1);
		if (r)
			po_exit(usagestr, opts, 1, 0);
	}
	for (; ctx.i < argc; ctx.i++)
		argv[n++] = argv[ctx.i];
	argv[n] = NULL;
	return n;
}

static int print_argh(FILE *out, const struct option *opt)
{
	const char *argh = opt->argh ? opt->argh : "...";
	int literal = !!strpbrk(argh, "<>[]()|");

	if (opt->flags & PARSE_OPT_OPTARG) {
		if (opt->long_name)
			return fprintf(out, literal ? "[=%s]" : "[=<%s>]", argh);
		return fprintf(out, literal ? "[%s]" : "[<%s>]", argh);
	}
	return fprintf(out, literal ? " %s" : " <%s>", argh);
}

/*
 * One usage string; lines after a '\n' line up under the first argument,
 * after the command words ("git tokens report ").
 */
static void print_usage_line(FILE *out, const char *prefix, const char *s)
{
	const char *nl = strchr(s, '\n');
	size_t indent = strlen(prefix), i;

	if (!nl) {
		fprintf(out, "%s%s\n", prefix, s);
		return;
	}
	for (i = 0; s + i < nl; i++)
		if ((!i || s[i - 1] == ' ') && strchr("[<(-", s[i]))
			break;
	indent += s + i < nl ? i : 0;
	fprintf(out, "%s%.*s\n", prefix, (int)(nl - s), s);
	for (s = nl + 1; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = s + strlen(s);
		fprintf(out, "%*s%.*s\n", (int)indent, "", (int)(nl - s), s);
		if (!*nl)
			break;
	}
}

static void usage_print(const char * const *usagestr,
			const struct option *opts, int err)
{
	FILE *out = err ? stderr : stdout;
	const struct option *o;

	if (usagestr && *usagestr) {
		print_usage_line(out, "usage: ", *usagestr++);
		while (*usagestr && **usagestr)
			print_usage_line(out, "   or: ", *usagestr++);
		for (; *usagestr; usagestr++) {
			if (**usagestr)
				fprintf(out, "    %s\n", *usagestr);
			else
				fputc('\n', out);
		}
	}
	if (opts && opts->type != OPTION_END && opts->type != OPTION_GROUP)
		fputc('\n', out);
	for (o = opts; o && o->type != OPTION_END; o++) {
		int pos = 0, pad;

		if (o->type == OPTION_GROUP) {
			fputc('\n', out);
			if (o->help && *o->help)
				fprintf(out, "%s\n", o->help);
			continue;
		}
		if (o->flags & PARSE_OPT_HIDDEN)
			continue;
		pos = fprintf(out, "    ");
		if (o->short_name)
			pos += fprintf(out, "-%c", o->short_name);
		if (o->short_name && o->long_name)
			pos += fprintf(out, ", ");
		if (o->long_name)
			pos += fprintf(out, "--%s", o->long_name);
		if (takes_arg(o))
			pos += print_argh(out, o);
		if (pos <= USAGE_OPTS_WIDTH) {
			pad = USAGE_OPTS_WIDTH - pos;
		} else {
			fputc('\n', out);
			pad = USAGE_OPTS_WIDTH;
		}
		fprintf(out, "%*s%s\n", pad + USAGE_GAP, "",
			o->help ? o->help : "");
	}
	fputc('\n', out);
	fflush(out);
}

void usage_with_options(const char * const *usagestr,
			const struct option *opts, int err)
{
	usage_print(usagestr, opts, err);
	exit(err ? EXIT_USAGE : 0);
}

void usage_msg_opt(const char *msg, const char * const *usagestr,
		   const struct option *opts)
{
	error("%s", msg);
	usage_with_options(usagestr, opts, 1);
}
