#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/paths.h"
#include "base/run-command.h"
#include "git/repo.h"
#include "report/render.h"
#include "report/report-opts.h"

#define DEFAULT_WIDTH 80

int report_opt_color(const struct option *opt, const char *arg, int unset)
{
	enum color_when when = COLOR_ALWAYS;

	if (unset)
		when = COLOR_NEVER;
	else if (arg && color_parse(arg, &when) < 0)
		return -1;
	*(int *)opt->value = when;
	return 0;
}

int report_opt_rev(const struct option *opt, const char *arg, int unset)
{
	strvec_pushf(opt->value, "--%s", opt->long_name);
	return 0;
}

static int parse_format(const char *s, enum report_format *out)
{
	static const struct {
		const char *name;
		enum report_format fmt;
	} formats[] = {
		{ "table", REPORT_FORMAT_TABLE },
		{ "json", REPORT_FORMAT_JSON },
		{ "csv", REPORT_FORMAT_CSV },
		{ "markdown", REPORT_FORMAT_MARKDOWN },
		{ "md", REPORT_FORMAT_MARKDOWN },
		{ "html", REPORT_FORMAT_HTML },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(formats); i++)
		if (!strcmp(s, formats[i].name)) {
			*out = formats[i].fmt;
			return 0;
		}
	return -1;
}

void report_opts_parse(struct report_opts *o, int argc, const char **argv,
		       const struct option *options,
		       const char * const *usagestr)
{
	int i, paths = 0;

	argc = parse_options(argc, argv, options, usagestr,
			     PARSE_OPT_KEEP_DASHDASH);
	for (i = 0; i < argc; i++) {
		if (!paths && !strcmp(argv[i], "--"))
			paths = 1;
		else if (paths)
			strvec_push(&o->change.paths, argv[i]);
		else
			strvec_push(&o->change.revs, argv[i]);
	}
	if (o->format && parse_format(o->format, &o->fmt) < 0) {
		error("unknown --format '%s' (expected table, json, csv, "
		      "markdown or html)", o->format);
		usage_with_options(usagestr, options, 1);
	}
	if (o->quiet)
		quiet = 1;
	if (o->progress >= 0)
		progress_enabled = o->progress;
	o->change.progress = o->progress != 0 && !o->quiet;
	o->change.use_cache = !o->no_cache;
}

void report_opts_release(struct report_opts *o)
{
	change_opts_release(&o->change);
	free(o->since_at);
	free(o->until_at);
}


void report_date(struct strbuf *out, int64_t t, int short_form)
{
	char buf[DATE_ISO_MAX];

	date_format(buf, t, short_form);
	strbuf_addstr(out, buf);
}

/*
 * What git's approxidate reads ("last week", "noon yesterday"). It reads
 * what it does not understand as now ("@99999999999999999" too): an
 * answer of now, by git's clock, is no date.
 */
static int git_date(const char *s, int64_t *ms)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	char *end;
	unsigned long long sec;
	int ret = -1;

	cp.git_cmd = 1;
	cp.no_stderr = 1;
	strvec_push(&cp.args, "-c");
	strvec_pushf(&cp.args, "tokens.date=%s", s);
	strvec_pushl(&cp.args, "config", "--type=expiry-date", "tokens.date",
		     NULL);
	if (!capture_command(&cp, &out)) {
		errno = 0;
		sec = strtoull(out.buf, &end, 10);
		/* "never" is 0, "all" the largest time: no dates. */
		if (end != out.buf && (*end == '\n' || !*end) && !errno &&
		    sec && sec < (unsigned long long)INT64_MAX / 1000 &&
		    llabs((long long)sec - (long long)time(NULL)) > 2) {
			*ms = (int64_t)sec * 1000;
			ret = 0;
		}
	}
	child_process_clear(&cp);
	strbuf_release(&out);
	return ret;
}

/* "YYYY-" and no real day there: git would read 2025-02-29 as March 1. */
static int bad_iso_day(const char *s)
{
	int64_t day;

	return strspn(s, "0123456789") == 4 && s[4] == '-' &&
		date_parse_day(s, &day) < 0;
}

int report_parse_date(const char *opt, const char *s, int64_t *ms,
		      struct strbuf *err)
{
	int64_t now;
	int date_only;

	date_now(&now);
	if (!strchr(s, '\n') &&
	    (!date_approx_local(s, now, ms, &date_only) ||
	     (date_only = 0, !bad_iso_day(s) && !git_date(s, ms)))) {
		if (date_only && !strcmp(opt, "until"))
			*ms = date_day_start(date_local_day(*ms) + 1);
		return 0;
	}
	strbuf_addf(err, "invalid date '%s' for --%s", s, opt);
	return -1;
}

char *report_git_date(const char *opt, const char *s, struct strbuf *err)
{
	int64_t ms;

	if (report_parse_date(opt, s, &ms, err) < 0)
		return NULL;
	/* The end is exclusive; git's --until is not. */
	if (!strcmp(opt, "until"))
		ms--;
	return xstrfmt("@%lld", (long long)date_sec(ms));
}

static int resolve_dates(struct report_opts *o, struct strbuf *err)
{
	static const char *const name[] = { "since", "until" };
	const char **in[] = { &o->change.since, &o->change.until };
	char **at[] = { &o->since_at, &o->until_at };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(name); i++) {
		if (!*in[i])
			continue;
		free(*at[i]);
		*at[i] = report_git_date(name[i], *in[i], err);
		if (!*at[i])
			return -1;
		*in[i] = *at[i];
	}
	return 0;
}

int report_timezone(struct repo *repo, const char *zone,
		    const char *fallback)
{
	char *cfg = NULL;
	int ret = 0;

	if (!zone && repo &&
	    !repo_config_string(repo, "tokens.timezone", &cfg) && cfg &&
	    *cfg)
		zone = cfg;
	if (!zone)
		zone = fallback;
	if (zone)
		ret = date_zone_set(zone);
	free(cfg);
	return ret;
}
int report_opts_dates(struct repo *repo, struct report_opts *o,
		      struct strbuf *err)
{
	if (report_timezone(repo, o->timezone, NULL) < 0)
		return -1;
	return resolve_dates(o, err);
}


int report_generated(struct strbuf *out)
{
	int64_t ms;

	/* A fixed clock makes the JSON reproducible in tests. */
	if (date_now(&ms) < 0)
		return -1;
	report_date(out, date_sec(ms), 0);
	return 0;
}

void report_range(struct strbuf *out, const struct report_opts *o,
		  int with_paths)
{
	size_t i, start = out->len;

	for (i = 0; i < o->change.revs.nr; i++)
		strbuf_addf(out, "%s%s", i ? " " : "", o->change.revs.v[i]);
	if (out->len == start)
		strbuf_addstr(out, "HEAD");
	for (i = 0; with_paths && i < o->change.paths.nr; i++)
		strbuf_addf(out, "%s%s", i ? " " : " -- ", o->change.paths.v[i]);
}

int report_json_head(struct strbuf *out, const char *schema,
		      const struct report_opts *o,
		      const struct change_set *set)
{
	struct strbuf range = STRBUF_INIT;
	struct strbuf now = STRBUF_INIT;
	int ret = 0;

	if (report_generated(&now) < 0) {
		ret = -1;
		goto cleanup;
	}
	report_range(&range, o, 0);
	strbuf_addstr(out, "{\n  \"schema\": ");
	strbuf_add_json_str(out, schema);
	strbuf_addstr(out, ",\n  \"range\": ");
	strbuf_add_json_str(out, range.buf);
	strbuf_addstr(out, ",\n  \"mainline\": ");
	if (set->mainline_ref)
		strbuf_add_json_str(out, set->mainline_ref);
	else
		strbuf_addstr(out, "null");
	strbuf_addstr(out, ",\n  \"generated\": ");
	strbuf_add_json_str(out, now.buf);
	strbuf_addstr(out, ",\n  \"timezone\": ");
	strbuf_add_json_str(out, date_zone_name());
	strbuf_addstr(out, ",\n");
cleanup:
	strbuf_release(&range);
	strbuf_release(&now);
	return ret;
}

static int term_width(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

static int output_width(int to_file)
{
	const char *env = getenv("COLUMNS");
	int w = 0;

	if (!to_file && isatty(1))
		w = term_width(1);
	else if (!to_file && pager_in_use() && isatty(2))
		w = term_width(2);
	if (w <= 0 && env && *env)
		w = atoi(env);
	return w > 0 ? w : DEFAULT_WIDTH;
}

void report_setup_output(const struct report_opts *o, struct repo *repo,
			 struct report_out *out)
{
	int to_file = o->output && strcmp(o->output, "-");

	/* Measure the terminal before the pager takes stdout over. */
	out->width = output_width(to_file);
	if (to_file) {
		out->color = o->color == COLOR_ALWAYS;
		return;
	}
	if (o->fmt == REPORT_FORMAT_TABLE && !o->no_pager)
		setup_pager(repo_config_get, repo);
	out->color = o->fmt == REPORT_FORMAT_TABLE &&
		want_color((enum color_when)o->color, repo_config_get,
			   repo);
}

/* -o /dev/null, a FIFO, a terminal: written in place, never replaced. */
static int write_special(const char *path, const struct strbuf *buf)
{
	int fd = open(path, O_WRONLY | O_TRUNC), ret = 0;

	if (fd < 0)
		return error_errno("could not open '%s'", path);
	if (write_all(fd, buf->buf, buf->len) < 0)
		ret = error_errno("could not write '%s'", path);
	if (close(fd) < 0 && !ret)
		ret = error_errno("could not write '%s'", path);
	return ret;
}

int report_write(const struct report_opts *o, const struct strbuf *buf)
{
	struct stat st;

	if (o->output && strcmp(o->output, "-")) {
		if (!stat(o->output, &st) && !S_ISREG(st.st_mode))
			return write_special(o->output, buf);
		if (write_file_atomic(o->output, buf->buf, buf->len, 0666,
				      0) < 0)
			return error_errno("could not write '%s'", o->output);
		return 0;
	}
	if (fwrite(buf->buf, 1, buf->len, stdout) != buf->len ||
	    fflush(stdout))
		return error_errno("could not write to standard output");
	return 0;
}

int report_render(struct strbuf *out, const struct report_opts *o,
		  struct repo *repo, const struct change_set *set,
		  const struct report_doc *doc)
{
	struct render_opts ropts = { 0, 0 };
	struct report_out rout;
	struct strbuf notes = STRBUF_INIT;
	int ret = 0;

	report_setup_output(o, repo, &rout);
	ropts.width = rout.width;
	ropts.color = rout.color;
	switch (o->fmt) {
	case REPORT_FORMAT_TABLE:
		render_text(out, doc->table, &ropts);
		if (doc->notes)
			doc->notes(out, ropts.width, doc->data);
		break;
	case REPORT_FORMAT_MARKDOWN:
		render_markdown(out, doc->table);
		if (doc->notes) {
			strbuf_addch(out, '\n');
			doc->notes(out, 0, doc->data);
		}
		break;
	case REPORT_FORMAT_CSV:
		render_csv(out, doc->table);
		break;
	case REPORT_FORMAT_JSON:
		if (report_json_head(out, doc->schema, o, set) < 0 ||
		    doc->json(out, doc->data) < 0)
			ret = -1;
		break;
	case REPORT_FORMAT_HTML:
		if (doc->notes)
			doc->notes(&notes, 0, doc->data);
		ret = render_html_report(out, doc->title, o, set, doc->table,
					 doc->foot, doc->notes ? notes.buf :
					 NULL);
		break;
	}
	strbuf_release(&notes);
	return ret;
}
