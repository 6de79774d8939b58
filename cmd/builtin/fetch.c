/* git tokens fetch: pull provider usage into the local cache. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "base/die.h"
#include "base/parse-options.h"
#include "builtin/builtin.h"
#include "engine/pipeline.h"
#include "model/change.h"
#include "model/event.h"
#include "net/http.h"
#include "net/provider.h"
#include "net/review.h"
#include "report/report-opts.h"

#define DEFAULT_DAYS 7

static const char * const fetch_usage[] = {
	"git tokens fetch anthropic [--since <date>] [--until <date>] "
		"[--offline]",
	"git tokens fetch openai [--since <date>] [--until <date>] "
		"[--offline]",
	"git tokens fetch cursor [--since <date>] [--until <date>] "
		"[--offline]",
	"git tokens fetch (github | gitlab) [--since <date>] [--until <date>] "
		"[<revision-range>]",
	NULL
};

/* Today (UTC) as a day number: date_now()'s, GIT_TOKENS_NOW when set. */
static int64_t today(void)
{
	int64_t ms;

	date_now(&ms);
	return date_day(ms);
}

/*
 * A day: ISO 8601 ("2026-11-20", or a time, whose date part counts),
 * or what every command reads ("yesterday", "2.weeks.ago"), in UTC.
 */
static void parse_date(const char *opt, const char *s, int64_t *day)
{
	struct strbuf err = STRBUF_INIT;
	int64_t ms;

	if (!provider_parse_day(s, day))
		return;
	if (report_parse_date(opt, s, &ms, &err) < 0)
		die("%s", err.buf);
	/* --until's end is exclusive: its day is that of the ms before. */
	*day = date_day(!strcmp(opt, "until") ? ms - 1 : ms);
}

static void format_tokens(char *buf, size_t len, uint64_t n)
{
	if (n < 1000)
		snprintf(buf, len, "%llu", (unsigned long long)n);
	else if (n < 1000000)
		snprintf(buf, len, "%.1fk", (double)n / 1e3);
	else if (n < 1000000000)
		snprintf(buf, len, "%.1fM", (double)n / 1e6);
	else
		snprintf(buf, len, "%.1fB", (double)n / 1e9);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* What the forge said about the changes: verdicts, rounds, hours. */
static void forge_summary(const struct change_set *set, const char *name,
			  const struct review_stats *st)
{
	size_t i, first = 0, after = 0, none = 0, nh = 0;
	unsigned rounds = 0;
	double *hours = xcalloc(set->nr + 1, sizeof(*hours)), median;

	for (i = 0; i < set->nr; i++) {
		const struct outcome *o = &set->c[i].outcome;

		if (!o->review_source || strcmp(o->review_source, name))
			continue;
		if (o->review == REVIEW_APPROVED)
			first++;
		else if (o->review == REVIEW_CHANGES_REQUESTED)
			after++;
		else
			none++;
		rounds += o->review_rounds;
		if (o->review_hours >= 0)
			hours[nh++] = o->review_hours;
	}
	fprintf(stderr, "fetched review data for %zu of %zu landed change%s "
		"(%u request%s)\n", st->from_forge, st->landed,
		st->landed == 1 ? "" : "s", st->requests,
		st->requests == 1 ? "" : "s");
	if (first + after + none) {
		fprintf(stderr, "%zu approved on first pass, %zu after %u "
			"change-request round%s, %zu not approved", first,
			after, rounds, rounds == 1 ? "" : "s", none);
		if (nh) {
			qsort(hours, nh, sizeof(*hours), cmp_double);
			median = nh % 2 ? hours[nh / 2] :
				(hours[nh / 2 - 1] + hours[nh / 2]) / 2;
			fprintf(stderr, "; median %.1f hours from open to "
				"merge", median);
		}
		fputc('\n', stderr);
	}
	if (st->squashed)
		fprintf(stderr, "%zu commit%s matched to squash merges\n",
			st->squashed, st->squashed == 1 ? "" : "s");
	free(hours);
}

/*
 * fetch github|gitlab: ask the forge about every landed change of the
 * range (HEAD by default) and keep the answers for report and log;
 * cached answers are revalidated with their ETags.
 */
static int fetch_forge(enum forge_kind kind, int argc, const char **argv,
		       struct repo *repo, const char *since,
		       const char *until)
{
	struct change_opts copts = CHANGE_OPTS_INIT;
	struct change_set set = CHANGE_SET_INIT;
	struct pipeline p = PIPELINE_INIT;
	const char *name = forge_name(kind);
	int i, ret;

	for (i = 1; i < argc; i++)
		strvec_push(&copts.revs, argv[i]);
	copts.since = since;
	copts.until = until;
	/* Landed changes, and that forge's answers about them. */
	p.stages = PIPELINE_LINES | PIPELINE_LANDING | PIPELINE_REVIEWS;
	p.range = &copts;
	p.review.force = kind;
	p.review.refresh = 1;
	p.review.max_requests = 0;
	ret = pipeline_run(&p, repo, &set);
	if (ret < 0 && p.failed != PIPELINE_REVIEWS) {
		if (p.err.len)
			die("%s", p.err.buf);
		die("could not list the changes to fetch review data for");
	}
	http_cleanup();
	if (ret < 0 || p.review_stats.errors)
		die("could not fetch review data from %s", name);
	if (!quiet)
		forge_summary(&set, name, &p.review_stats);
	change_set_release(&set);
	change_opts_release(&copts);
	pipeline_release(&p);
	return 0;
}

int cmd_fetch(int argc, const char **argv, struct repo *repo)
{
	const char *since = NULL, *until = NULL, *what, *key;
	char *since_at = NULL, *until_at = NULL;
	struct strbuf err = STRBUF_INIT;
	struct provider_opts opts = { 0, 0, 0 };
	struct provider_result result;
	char tokens[32];
	enum tool tool;
	int offline = 0, ret;
	struct option options[] = {
		OPT_STRING(0, "since", &since, "date",
			   "first day to fetch (default: a week before --until)"),
		OPT_STRING(0, "until", &until, "date",
			   "last day to fetch (default: yesterday, UTC)"),
		OPT_BOOL(0, "offline", &offline,
			 "rebuild from the cached answers, no network"),
		OPT__QUIET(&quiet, "no summary line"),
		OPT_END()
	};

	argc = parse_options(argc, argv, options, fetch_usage, 0);
	if (argc < 1)
		usage_msg_opt("which provider? (anthropic, openai, cursor, "
			      "github or gitlab)", fetch_usage, options);
	what = argv[0];
	if (!strcmp(what, "github") || !strcmp(what, "gitlab")) {
		if (offline)
			usage_msg_opt("--offline makes no sense with 'fetch "
				      "github' or 'fetch gitlab'", fetch_usage,
				      options);
		if (!repo)
			die("not a git repository");
		if ((since && !(since = since_at =
				report_git_date("since", since, &err))) ||
		    (until && !(until = until_at =
				report_git_date("until", until, &err))))
			die("%s", err.buf);
		ret = fetch_forge(!strcmp(what, "github") ? FORGE_GITHUB :
				  FORGE_GITLAB, argc, argv, repo, since, until);
		free(since_at);
		free(until_at);
		return ret;
	}
	if (argc != 1)
		usage_msg_opt("too many arguments", fetch_usage, options);
	if (!strcmp(what, "anthropic")) {
		tool = TOOL_ANTHROPIC_API;
	} else if (!strcmp(what, "openai")) {
		tool = TOOL_OPENAI_API;
	} else if (!strcmp(what, "cursor")) {
		tool = TOOL_CURSOR;
	} else {
		error("unknown provider '%s'", what);
		usage_with_options(fetch_usage, options, 1);
	}
	if (!repo)
		die("not a git repository");

	if (until)
		parse_date("until", until, &opts.until);
	else
		opts.until = today() - 1;
	if (since)
		parse_date("since", since, &opts.since);
	else
		opts.since = opts.until - (DEFAULT_DAYS - 1);
	if (opts.since > opts.until)
		die("--since is after --until");
	if (opts.until - opts.since >= 366 * 3)
		die("refusing to fetch more than three years at once");
	opts.offline = offline;

	key = getenv(provider_key_var(tool));
	if (!offline && (!key || !*key))
		die("%s is not set: 'fetch %s' needs %s admin key in it",
		    provider_key_var(tool), what, tool == TOOL_CURSOR ?
		    "a team's" : "an organization");

	ret = provider_fetch(repo, tool, &opts, &result);
	http_cleanup();
	if (ret < 0)
		die("could not fetch usage from %s", what);
	if (!quiet) {
		format_tokens(tokens, sizeof(tokens), result.tokens);
		fprintf(stderr, "fetched %zu day%s, %zu %s, %s tokens\n",
			result.days, result.days == 1 ? "" : "s",
			result.people, result.people == 1 ? "person" : "people",
			tokens);
	}
	return 0;
}
