/*
 * git tokens usage: the usage events seen for this repository (or all
 * of them with --all-repos), summed by day (in the local zone, or
 * --timezone's), session, model, tool or repository, with a total row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "builtin/builtin.h"
#include "git/repo.h"
#include "report/render.h"
#include "report/report-opts.h"
#include "sources/sources.h"

static const char * const usage_usage[] = {
	"git tokens usage [--by day|session|model|tool|repo] [--since <date>] "
		"[--until <date>]\n"
	"                 [--all-repos] [--timezone <zone>] "
		"[--format table|json|csv|markdown]\n"
	"                 [-o <file>]",
	NULL
};

enum usage_by { BY_DAY, BY_SESSION, BY_MODEL, BY_TOOL, BY_REPO };
static const char *by_names[] = {
	"day", "session", "model", "tool", "repo"
};
static const char *by_headers[] = {
	"date", "session", "model", "tool", "repository"
};

enum ucol {
	UCOL_KEY,
	UCOL_REQUESTS,
	UCOL_INPUT,
	UCOL_OUTPUT,
	UCOL_CACHE_WRITE,
	UCOL_CACHE_READ,
	UCOL_TOTAL,
	UCOL_COST,
	UCOL_WEB,       /* shown only when some response searched the web */
	UCOL__NR
};

struct usage_row {
	const char *key;   /* interned */
	uint64_t requests, input, output, cache_write, cache_read;
	uint64_t web_searches;
	double cost;
	uint64_t unpriced;
};

static void row_add(struct usage_row *r, const struct usage_event *ev)
{
	r->requests++;
	r->input += ev->input;
	r->output += ev->output;
	r->cache_write += ev->cache_write;
	r->cache_read += ev->cache_read;
	r->web_searches += ev->web_searches;
	if (ev->cost_known)
		r->cost += ev->cost;
	else
		r->unpriced++;
}

/*
 * The day of the previous event (its key and when it begins and ends),
 * and the repository of each folder seen.
 */
struct key_memo {
	int64_t lo, hi;
	const char *key;
	struct u64map roots;
};

static const char *event_key(const struct usage_event *ev, enum usage_by by,
			     struct key_memo *memo)
{
	char buf[DATE_ISO_MAX];
	int64_t day;

	switch (by) {
	case BY_DAY:
		/* Events come sorted: most share the previous one's day. */
		if (memo->key && ev->time >= memo->lo && ev->time < memo->hi)
			return memo->key;
		day = date_local_day(ev->time);
		date_format(buf, date_sec(ev->time), 1);
		memo->lo = date_day_start(day);
		memo->hi = date_day_start(day + 1);
		memo->key = event_intern(buf);
		return memo->key;
	case BY_SESSION:
		return event_intern(ev->session[0] ? ev->session : "unknown");
	case BY_MODEL:
		return ev->model ? ev->model : event_intern("unknown");
	case BY_TOOL:
		return event_intern(tool_name(ev->tool));
	case BY_REPO:
		return ev->cwd ? source_repo_root(&memo->roots, ev->cwd) :
			event_intern("unknown");
	}
	return event_intern("unknown");
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct usage_row *)a)->key,
		      ((const struct usage_row *)b)->key);
}

static void fill_row(struct render_table *t, const struct usage_row *r,
		     const char *key)
{
	struct render_cell *c = render_table_add_row(t);

	render_cell_str(&c[UCOL_KEY], key);
	render_cell_int(&c[UCOL_REQUESTS], r->requests);
	render_cell_int(&c[UCOL_INPUT], r->input);
	render_cell_int(&c[UCOL_OUTPUT], r->output);
	render_cell_int(&c[UCOL_CACHE_WRITE], r->cache_write);
	render_cell_int(&c[UCOL_CACHE_READ], r->cache_read);
	render_cell_int(&c[UCOL_TOTAL], r->input + r->output +
			r->cache_write + r->cache_read);
	/* Never a silent zero: one unpriced request makes the sum unknown. */
	render_cell_double(&c[UCOL_COST], r->cost, !r->unpriced);
	if (t->ncols > UCOL_WEB)
		render_cell_int(&c[UCOL_WEB], r->web_searches);
}

/*
 * A repository as people read it: under $HOME as "~/...", so that the
 * part that tells them apart survives a narrow column. Data formats
 * keep the whole path.
 */
static const char *shown_key(const char *key, enum usage_by by,
			     enum report_format fmt, struct strbuf *sb)
{
	const char *home = getenv("HOME");
	size_t len = home ? strlen(home) : 0;

	if (by != BY_REPO || fmt == REPORT_FORMAT_JSON ||
	    fmt == REPORT_FORMAT_CSV || len < 2 || strncmp(key, home, len) ||
	    key[len] != '/')
		return key;
	strbuf_reset(sb);
	strbuf_addf(sb, "~%s", key + len);
	return sb->buf;
}

static int parse_by(const char *s, enum usage_by *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(by_names); i++)
		if (!strcmp(s, by_names[i])) {
			*out = (enum usage_by)i;
			return 0;
		}
	return -1;
}

static int parse_format(const char *s, enum report_format *out)
{
	static const char *names[] = { "table", "json", "csv", "markdown" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i])) {
			*out = (enum report_format)i;
			return 0;
		}
	return -1;
}

/* One row per key (day, session, ...), sorted, and the total. */
static size_t usage_group(const struct usage_set *set, enum usage_by by,
			  struct usage_row **rows, struct usage_row *total)
{
	struct u64map index = U64MAP_INIT;
	struct key_memo memo = { .roots = U64MAP_INIT };
	size_t nrows = 0, arows = 0, i;

	*rows = NULL;
	memset(total, 0, sizeof(*total));
	for (i = 0; i < set->nr; i++) {
		const char *key = event_key(&set->ev[i], by, &memo);
		size_t *slot = u64map_find(&index,
					   (uint64_t)(uintptr_t)key, 1);

		if (!*slot) {
			ALLOC_GROW(*rows, nrows + 1, arows);
			memset(&(*rows)[nrows], 0, sizeof(**rows));
			(*rows)[nrows].key = key;
			*slot = ++nrows;
		}
		row_add(&(*rows)[*slot - 1], &set->ev[i]);
		row_add(total, &set->ev[i]);
	}
	if (nrows > 1)
		qsort(*rows, nrows, sizeof(**rows), row_cmp);
	u64map_release(&index);
	u64map_release(&memo.roots);
	return nrows;
}

/*
 * Rows for the summary cache: their count, then each row and the total
 * as its numbers and its key's length and bytes.
 */
static void row_save(struct strbuf *sb, const struct usage_row *r)
{
	uint64_t n[7] = { r->requests, r->input, r->output, r->cache_write,
			  r->cache_read, r->web_searches, r->unpriced };
	/* the total has no key */
	uint32_t len = r->key ? (uint32_t)strlen(r->key) : UINT32_MAX;

	strbuf_add(sb, n, sizeof(n));
	strbuf_add(sb, &r->cost, sizeof(r->cost));
	strbuf_add(sb, &len, sizeof(len));
	if (r->key)
		strbuf_add(sb, r->key, len);
}

static void rows_save(struct strbuf *sb, const struct usage_row *rows,
		      size_t nrows, const struct usage_row *total)
{
	uint64_t nr = nrows;
	size_t i;

	strbuf_reset(sb);
	strbuf_add(sb, &nr, sizeof(nr));
	for (i = 0; i < nrows; i++)
		row_save(sb, &rows[i]);
	row_save(sb, total);
}

static int row_load(const char **p, const char *end, struct usage_row *r)
{
	uint64_t n[7];
	uint32_t len;

	if ((size_t)(end - *p) < sizeof(n) + sizeof(r->cost) + sizeof(len))
		return -1;
	memcpy(n, *p, sizeof(n));
	memcpy(&r->cost, *p + sizeof(n), sizeof(r->cost));
	memcpy(&len, *p + sizeof(n) + sizeof(r->cost), sizeof(len));
	*p += sizeof(n) + sizeof(r->cost) + sizeof(len);
	if (len == UINT32_MAX) {
		r->key = NULL;
		len = 0;
	} else if ((size_t)(end - *p) < len) {
		return -1;
	} else {
		r->key = event_intern_n(*p, len);
	}
	*p += len;
	r->requests = n[0];
	r->input = n[1];
	r->output = n[2];
	r->cache_write = n[3];
	r->cache_read = n[4];
	r->web_searches = n[5];
	r->unpriced = n[6];
	return 0;
}

/* The rows rows_save() wrote: their number, or -1 when damaged. */
static long rows_load(const struct strbuf *sb, struct usage_row **rows,
		      struct usage_row *total)
{
	const char *p = sb->buf, *end = sb->buf + sb->len;
	uint64_t nr, i;

	*rows = NULL;
	if (sb->len < sizeof(nr))
		return -1;
	memcpy(&nr, p, sizeof(nr));
	p += sizeof(nr);
	if (nr > sb->len)
		return -1;
	*rows = xcalloc((size_t)nr + 1, sizeof(**rows));
	for (i = 0; i < nr; i++)
		if (row_load(&p, end, &(*rows)[i]) < 0)
			return -1;
	if (row_load(&p, end, total) < 0 || p != end)
		return -1;
	return (long)nr;
}

/*
 * The rows of the events usage_load() finds, or of the summary it
 * kept of them when nothing is new (--all-repos; by repository, the
 * rows depend on the file system too, so not then).
 */
static int usage_rows(struct repo *repo, struct usage_query *q,
		      enum usage_by by, struct usage_row **rows,
		      size_t *nrows, struct usage_row *total)
{
	static const char *names[] = {
		"by-day", "by-session", "by-model", "by-tool", NULL
	};
	struct usage_summary sum = USAGE_SUMMARY_INIT;
	struct usage_set set = USAGE_SET_INIT;
	long nr;
	int ret = -1;

	sum.name = names[by];
	if (q->all_repos && q->use_cache && sum.name)
		q->summary = &sum;
	if (usage_load(&set, repo, q) < 0)
		goto cleanup;
	if (sum.hit) {
		if ((nr = rows_load(&sum.data, rows, total)) >= 0) {
			*nrows = (size_t)nr;
			ret = 0;
			goto cleanup;
		}
		/* damaged: the events after all */
		free(*rows);
		*rows = NULL;
		q->summary = NULL;
		if (usage_load(&set, repo, q) < 0)
			goto cleanup;
	}
	*nrows = usage_group(&set, by, rows, total);
	if (q->summary) {
		rows_save(&sum.data, *rows, *nrows, total);
		usage_summary_save(&sum);
	}
	ret = 0;
cleanup:
	q->summary = NULL;
	usage_set_release(&set);
	usage_summary_release(&sum);
	return ret;
}

int cmd_usage(int argc, const char **argv, struct repo *repo)
{
	struct report_opts o = REPORT_OPTS_INIT;
	const char *since = NULL, *until = NULL;
	int all_repos = 0;
	struct option options[] = {
		OPT_STRING(0, "by", &o.by, "key",
			   "day (default), session, model, tool or repo"),
		OPT_STRING(0, "since", &since, "date",
			   "only usage at or after <date>"),
		OPT_STRING(0, "until", &until, "date",
			   "only usage before <date> (a day: up to its end)"),
		OPT_BOOL(0, "all-repos", &all_repos,
			 "usage of every repository on this machine"),
		OPT_STRING(0, "timezone", &o.timezone, "zone",
			   "days in <zone> (IANA name or UTC)"),
		OPT_STRING(0, "format", &o.format, "format",
			   "table, json, csv or markdown"),
		OPT_STRING('o', "output", &o.output, "file",
			   "write to <file> instead of standard output"),
		OPT_CALLBACK_F(0, "color", &o.color, "when",
			       "colour: always, never or auto",
			       PARSE_OPT_OPTARG, report_opt_color),
		OPT_BOOL(0, "no-pager", &o.no_pager,
			 "do not pipe a table into a pager"),
		OPT_BOOL(0, "no-cache", &o.no_cache,
			 "read every log again, ignoring the saved state"),
		OPT__QUIET(&o.quiet, "suppress warnings"),
		OPT_END()
	};
	struct usage_query q = USAGE_QUERY_INIT;
	enum usage_by by = BY_DAY;
	struct usage_row *rows = NULL, total;
	size_t nrows, i;
	struct render_col cols[UCOL__NR] = {
		[UCOL_KEY] = { "date", "key", RENDER_TEXT, RENDER_FLEX, 0, 12 },
		[UCOL_REQUESTS] = { "requests", "requests", RENDER_INT,
				    RENDER_EXACT, 1, 0 },
		[UCOL_INPUT] = { "input", "input", RENDER_INT, RENDER_EXACT,
				 2, 0 },
		[UCOL_OUTPUT] = { "output", "output", RENDER_INT, RENDER_EXACT,
				  0, 0 },
		[UCOL_CACHE_WRITE] = { "cache write", "cache_write",
				       RENDER_INT, RENDER_EXACT, 3, 0 },
		[UCOL_CACHE_READ] = { "cache read", "cache_read", RENDER_INT,
				      RENDER_EXACT, 3, 0 },
		[UCOL_TOTAL] = { "total", "total", RENDER_INT, RENDER_EXACT,
				 0, 0 },
		[UCOL_COST] = { "cost", "cost_usd", RENDER_MONEY, 0, 0, 0 },
		[UCOL_WEB] = { "web searches", "web_searches", RENDER_INT,
			       RENDER_EXACT, 4, 0 },
	};
	struct render_table t;
	struct render_opts ropts = { 0, 0 };
	struct report_out rout;
	struct strbuf out = STRBUF_INIT, key = STRBUF_INIT, err = STRBUF_INIT;
	int ret = 0;

	argc = parse_options(argc, argv, options, usage_usage, 0);
	if (argc)
		usage_msg_opt("too many arguments", usage_usage, options);
	if (o.by && parse_by(o.by, &by) < 0) {
		error("unknown --by '%s' (expected day, session, model, tool "
		      "or repo)", o.by);
		usage_with_options(usage_usage, options, 1);
	}
	if (o.format && parse_format(o.format, &o.fmt) < 0) {
		error("unknown --format '%s' (expected table, json, csv or "
		      "markdown)", o.format);
		usage_with_options(usage_usage, options, 1);
	}
	if (o.quiet)
		quiet = 1;
	if (!repo && !all_repos)
		die("not a git repository (use --all-repos to see the usage "
		    "of every repository)");
	if (report_timezone(repo, o.timezone, NULL) < 0)
		exit(EXIT_FATAL);
	if ((since && report_parse_date("since", since, &q.since, &err) < 0) ||
	    (until && report_parse_date("until", until, &q.until, &err) < 0))
		die("%s", err.buf);
	q.all_repos = !!all_repos;
	q.use_cache = !o.no_cache;
	cols[UCOL_KEY].name = by_headers[by];

	/* With --all-repos the repository still gives its configuration. */
	if (usage_rows(repo, &q, by, &rows, &nrows, &total) < 0) {
		ret = EXIT_FATAL;
		goto cleanup;
	}
	render_table_init(&t, cols, total.web_searches ? UCOL__NR : UCOL_WEB);
	for (i = 0; i < nrows; i++)
		fill_row(&t, &rows[i],
			 shown_key(rows[i].key, by, o.fmt, &key));
	if (o.fmt != REPORT_FORMAT_JSON)
		fill_row(&t, &total, "total");

	report_setup_output(&o, repo, &rout);
	ropts.width = rout.width;
	ropts.color = rout.color;
	switch (o.fmt) {
	case REPORT_FORMAT_HTML:        /* not offered by usage */
	case REPORT_FORMAT_TABLE:
		render_text(&out, &t, &ropts);
		break;
	case REPORT_FORMAT_MARKDOWN:
		render_markdown(&out, &t);
		break;
	case REPORT_FORMAT_CSV:
		render_csv(&out, &t);
		break;
	case REPORT_FORMAT_JSON:
		strbuf_addstr(&out, "{\n  \"schema\": "
			      "\"git-tokens/usage/v1\",\n  \"by\": ");
		strbuf_add_json_str(&out, by_names[by]);
		strbuf_addstr(&out, ",\n  \"timezone\": ");
		strbuf_add_json_str(&out, date_zone_name());
		strbuf_addstr(&out, ",\n  \"rows\": ");
		render_json_rows(&out, &t, 0, t.nrows, "  ");
		fill_row(&t, &total, "total");
		strbuf_addstr(&out, ",\n  \"total\": ");
		render_json_row(&out, &t, t.nrows - 1, UCOL_KEY);
		strbuf_addstr(&out, "\n}\n");
		break;
	}
	if (report_write(&o, &out) < 0)
		ret = EXIT_FATAL;
	render_table_release(&t);
cleanup:
	free(rows);
	strbuf_release(&out);
	strbuf_release(&key);
	strbuf_release(&err);
	report_opts_release(&o);
	return ret;
}
