#ifndef TOKENS_REPORT_OPTS_H
#define TOKENS_REPORT_OPTS_H

#include "base/parse-options.h"
#include "base/strbuf.h"
#include "base/term.h"
#include "model/change.h"

struct repo;

/*
 * The options report and log share, the parsing of
 * "[<revision-range>] [[--] <path>...]", and where the output goes.
 */
enum report_format {
	REPORT_FORMAT_TABLE = 0,
	REPORT_FORMAT_JSON,
	REPORT_FORMAT_CSV,
	REPORT_FORMAT_MARKDOWN,
	REPORT_FORMAT_HTML,     /* report only: one self-contained page */
};

struct report_opts {
	struct change_opts change;
	const char *by;
	const char *format;
	const char *output;
	int color;      /* enum color_when */
	int no_pager;
	int progress;   /* -1 auto */
	int no_cache;
	int quiet;
	enum report_format fmt;
	int offline;    /* --offline: cached forge answers only */
	const char *timezone;   /* --timezone */
	char *since_at, *until_at;      /* change.since, .until resolved */
};
#define REPORT_OPTS_INIT { \
	.change = CHANGE_OPTS_INIT, \
	.color = COLOR_AUTO, \
	.progress = -1, \
	.fmt = REPORT_FORMAT_TABLE, \
}

int report_opt_color(const struct option *opt, const char *arg, int unset);
/* --all, --branches, ...: revision arguments, passed on as they are. */
int report_opt_rev(const struct option *opt, const char *arg, int unset);

#define OPT_REPORT_COMMON(o) \
	OPT_STRING(0, "since", &(o)->change.since, "date", \
		   "only changes authored after <date>"), \
	OPT_STRING(0, "until", &(o)->change.until, "date", \
		   "only changes authored before <date>"), \
	OPT_STRVEC(0, "author", &(o)->change.authors, "pattern", \
		   "only changes by matching authors (repeatable)"), \
	OPT_INTEGER('n', "max-count", &(o)->change.max_count, \
		    "only the newest <n> changes"), \
	OPT_STRING(0, "mainline", &(o)->change.mainline, "ref", \
		   "the branch that counts as shipped"), \
	OPT_CALLBACK_F(0, "all", &(o)->change.revs, NULL, \
		       "changes of every ref", \
		       PARSE_OPT_NOARG | PARSE_OPT_NONEG, report_opt_rev), \
	OPT_CALLBACK_F(0, "branches", &(o)->change.revs, NULL, \
		       "changes of every branch", \
		       PARSE_OPT_NOARG | PARSE_OPT_NONEG, report_opt_rev), \
	OPT_STRING(0, "format", &(o)->format, "format", \
		   "table, json, csv, markdown or html"), \
	OPT_STRING('o', "output", &(o)->output, "file", \
		   "write to <file> instead of stdout"), \
	OPT_CALLBACK_F(0, "color", &(o)->color, "when", \
		       "colour the table: always, never or auto", \
		       PARSE_OPT_OPTARG, report_opt_color), \
	OPT_BOOL(0, "no-pager", &(o)->no_pager, \
		 "do not page the table"), \
	OPT_BOOL(0, "progress", &(o)->progress, \
		 "show progress on a terminal"), \
	OPT_BOOL(0, "no-cache", &(o)->no_cache, \
		 "recompute every change"), \
	OPT_BOOL(0, "offline", &(o)->offline, \
		 "review data from the cache only, no network"), \
	OPT_STRING(0, "timezone", &(o)->timezone, "zone", \
		   "days, weeks and times in <zone> (IANA name or UTC)"), \
	OPT__QUIET(&(o)->quiet, "suppress notes and warnings")

/*
 * Parse argv with options: arguments before "--" are revisions, after
 * it paths. Usage errors exit 129.
 */
void report_opts_parse(struct report_opts *o, int argc, const char **argv,
		       const struct option *options,
		       const char * const *usagestr);
void report_opts_release(struct report_opts *o);

/*
 * The range as the user gave it ("HEAD" when none), with " -- <path>..."
 * when with_paths.
 */
void report_range(struct strbuf *out, const struct report_opts *o,
		  int with_paths);
/*
 * The zone of days, weeks, months and printed times (date_zone_set()):
 * zone (--timezone), else tokens.timezone, else fallback (NULL: the
 * local zone). repo may be NULL. 0, or -1 after error().
 */
int report_timezone(struct repo *repo, const char *zone,
		    const char *fallback);

/*
 * --since or --until (opt: "since" or "until") as a time in ms: the one
 * reading of dates of every command. What date_approx_local() reads,
 * else (unless it starts with a day that does not exist) what git's
 * approxidate reads ("last week", "noon yesterday"; asked through "git
 * config --type=expiry-date"), but not its "now" for what it did not
 * read.
 * A day alone is its start for --since and the start of the next day
 * for --until: the whole day counts. 0, or -1 with "invalid date '<s>'
 * for --<opt>" in err; nothing is ever read as now.
 */
int report_parse_date(const char *opt, const char *s, int64_t *ms,
		      struct strbuf *err);
/* The same as git log's --since or --until: "@<seconds>", or NULL. */
char *report_git_date(const char *opt, const char *s, struct strbuf *err);
/*
 * The zone (report_timezone()), then --since and --until resolved to
 * the times git log is asked for. 0, or -1 (the reason in err, or
 * after error()).
 */
int report_opts_dates(struct repo *repo, struct report_opts *o,
		      struct strbuf *err);

/*
 * The JSON head: '{', schema, range, mainline, generated, timezone (and
 * a comma).
 * -1 after error() when GIT_TOKENS_NOW is not a date.
 */
int report_json_head(struct strbuf *out, const char *schema,
		      const struct report_opts *o,
		      const struct change_set *set);
/* date_now() (GIT_TOKENS_NOW or the clock) as report_date() writes it. */
int report_generated(struct strbuf *out);
/*
 * An epoch time as "YYYY-MM-DD" (short) or ISO 8601 with its offset, in
 * the zone of report_timezone().
 */
void report_date(struct strbuf *out, int64_t t, int short_form);

/*
 * Decide where output goes before writing it: the pager for a table on
 * a terminal, colour, and the width to fit in.
 */
struct report_out {
	int color;
	int width;
};
void report_setup_output(const struct report_opts *o, struct repo *repo,
			 struct report_out *out);
/* Write buf to stdout, or atomically to -o: 0, or -1 after error(). */
int report_write(const struct report_opts *o, const struct strbuf *buf);

struct render_table;

/* What a command renders, in whichever format --format asks for. */
struct report_doc {
	const char *title;      /* the HTML page's */
	const char *schema;     /* the JSON's, e.g. "git-tokens/log/v1" */
	const struct render_table *table;
	size_t foot;            /* the table's last rows that are its foot */
	/* Text under the table, wrapped at width (0: not); may be NULL. */
	void (*notes)(struct strbuf *out, int width, const void *data);
	/* The JSON after its head, to the closing brace. */
	int (*json)(struct strbuf *out, const void *data);
	const void *data;       /* for notes and json */
};

/*
 * Render doc as o->fmt asks into out, set up for where it goes (see
 * report_setup_output()); report_write() writes it. 0, or -1 after
 * error().
 */
int report_render(struct strbuf *out, const struct report_opts *o,
		  struct repo *repo, const struct change_set *set,
		  const struct report_doc *doc);

#endif
