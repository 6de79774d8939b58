/*
 * git tokens export: one JSON Lines row per change, for warehouses.
 *
 * Every row carries "schema":"git-tokens/export/v1", so that a row read
 * on its own still says what it is; fields are only ever added to v1,
 * never renamed or removed. Unknown values are null, never 0: a change
 * without attributed usage has null counters and cost, a change whose
 * survival or review is unknown has null there.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "builtin/builtin.h"
#include "engine/pipeline.h"
#include "git/repo.h"
#include "net/review.h"
#include "report/metrics.h"
#include "report/render.h"
#include "report/report-table.h"

#define EXPORT_SCHEMA "git-tokens/export/v1"

static const char * const export_usage[] = {
	"git tokens export [<options>] [<revision-range>] [[--] <path>...]",
	NULL
};

static void add_key(struct strbuf *out, const char *key)
{
	strbuf_addf(out, ",\"%s\":", key);
}

static void add_str(struct strbuf *out, const char *key, const char *v)
{
	add_key(out, key);
	if (v && *v)
		strbuf_add_json_str(out, v);
	else
		strbuf_addstr(out, "null");
}

static void add_u64(struct strbuf *out, const char *key, uint64_t v,
		    int known)
{
	add_key(out, key);
	if (known)
		strbuf_addf(out, "%" PRIu64, v);
	else
		strbuf_addstr(out, "null");
}

static void add_bool(struct strbuf *out, const char *key, int v)
{
	add_key(out, key);
	strbuf_addstr(out, v ? "true" : "false");
}

static void add_num(struct strbuf *out, const char *key,
		    enum render_kind kind, double v, int known)
{
	add_key(out, key);
	if (known)
		render_json_number(out, kind, v);
	else
		strbuf_addstr(out, "null");
}

static void add_date(struct strbuf *out, const char *key, int64_t t)
{
	struct strbuf sb = STRBUF_INIT;

	report_date(&sb, t, 0);
	add_str(out, key, sb.buf);
	strbuf_release(&sb);
}

/* What the export's rows name them by: the work tree's folder. */
static void export_repo_name(struct strbuf *out, struct repo *repo)
{
	const char *dir = repo_work_tree(repo);
	const char *base;
	size_t len;

	strbuf_addstr(out, dir ? dir : repo_common_dir(repo));
	while (out->len > 1 && out->buf[out->len - 1] == '/')
		strbuf_setlen(out, out->len - 1);
	/* A bare "name.git" is "name"; a work tree's ".git" its folder. */
	if (!dir && out->len > 5 && !strcmp(out->buf + out->len - 5, "/.git"))
		strbuf_setlen(out, out->len - 5);
	if (!dir && out->len > 4 && !strcmp(out->buf + out->len - 4, ".git"))
		strbuf_setlen(out, out->len - 4);
	base = strrchr(out->buf, '/');
	if (base && base[1]) {
		len = strlen(base + 1);
		memmove(out->buf, base + 1, len);
		strbuf_setlen(out, len);
	}
}

/* What every row of this export shares. */
struct export_head {
	const char *mainline;
	const char *repository;
	const char *range;
};

static void export_change(struct strbuf *out, const struct change *c,
			  const struct export_head *h)
{
	const struct usage_sum *u = &c->usage;
	const struct outcome *oc = &c->outcome;
	int usage = u->has_usage;
	int landed = c->landed != LANDED_NO;

	strbuf_addstr(out, "{\"schema\":\"" EXPORT_SCHEMA "\"");
	add_str(out, "commit", c->oid);
	add_str(out, "author_name", c->author_name);
	add_str(out, "author_email", c->author_email);
	add_str(out, "committer_name", c->committer_name);
	add_str(out, "committer_email", c->committer_email);
	add_date(out, "author_date", c->author_time);
	add_date(out, "commit_date", c->commit_time);
	add_str(out, "timezone", date_zone_name());
	add_str(out, "subject", c->subject);
	add_str(out, "mainline", h->mainline);
	add_str(out, "repository", h->repository);
	add_str(out, "range", h->range);

	add_u64(out, "lines_added", c->added, 1);
	add_u64(out, "lines_deleted", c->deleted, 1);
	add_u64(out, "lines_excluded", c->excluded, 1);
	add_bool(out, "landed", landed);
	add_str(out, "landed_how", metrics_landed_name(c->landed));
	add_str(out, "landed_as", c->landed_as);
	add_bool(out, "abandoned", !landed && oc->abandoned);
	add_bool(out, "reverted", c->reverted);
	add_str(out, "reverts", c->reverts);
	add_bool(out, "fixup", oc->fixup);
	add_str(out, "squashed_into", oc->squashed_into);

	add_str(out, "agent", c->agent);
	add_str(out, "agent_tool", c->agent ? c->agent_tool : NULL);
	add_bool(out, "bot", c->bot);
	add_bool(out, "has_usage", usage);
	add_str(out, "tool", usage ? u->tool : NULL);
	add_str(out, "model", usage ? u->model : NULL);
	add_str(out, "confidence", usage ? metrics_how_name(u->how) : NULL);
	add_u64(out, "requests", u->requests, usage);
	add_u64(out, "input_tokens", u->input, usage);
	add_u64(out, "output_tokens", u->output, usage);
	add_u64(out, "cache_write_tokens", u->cache_write, usage);
	add_u64(out, "cache_read_tokens", u->cache_read, usage);
	add_u64(out, "tokens", u->input + u->output + u->cache_write +
		u->cache_read, usage);
	/* An unpriced model leaves the cost unknown, not zero. */
	add_num(out, "cost_usd", RENDER_MONEY, u->cost,
		metrics_change_priced(c));
	/* What the report's lines/$ and its assisted share count. */
	add_bool(out, "priced", metrics_change_priced(c));
	add_bool(out, "assisted", metrics_change_assisted(c));

	add_u64(out, "surviving", oc->surviving, oc->survival_known);
	add_u64(out, "reworked", oc->reworked, oc->survival_known);
	add_str(out, "review", review_state_name(oc->review));
	add_str(out, "review_source", oc->review != REVIEW_UNKNOWN ?
		oc->review_source : NULL);
	add_u64(out, "review_rounds", oc->review_rounds,
		oc->review != REVIEW_UNKNOWN);
	add_num(out, "review_hours", RENDER_NUMBER, oc->review_hours,
		oc->review != REVIEW_UNKNOWN && oc->review_hours >= 0);
	add_str(out, "kind", metrics_kind_name(c));
	strbuf_addstr(out, "}\n");
}

int cmd_export(int argc, const char **argv, struct repo *repo)
{
	struct report_opts o = REPORT_OPTS_INIT;
	struct option options[] = {
		OPT_STRING(0, "since", &o.change.since, "date",
			   "only changes authored after <date>"),
		OPT_STRING(0, "until", &o.change.until, "date",
			   "only changes authored before <date>"),
		OPT_STRVEC(0, "author", &o.change.authors, "pattern",
			   "only changes by matching authors (repeatable)"),
		OPT_INTEGER('n', "max-count", &o.change.max_count,
			    "only the newest <n> changes"),
		OPT_STRING(0, "mainline", &o.change.mainline, "ref",
			   "the branch that counts as shipped"),
		OPT_CALLBACK_F(0, "all", &o.change.revs, NULL,
			       "changes of every ref",
			       PARSE_OPT_NOARG | PARSE_OPT_NONEG,
			       report_opt_rev),
		OPT_CALLBACK_F(0, "branches", &o.change.revs, NULL,
			       "changes of every branch",
			       PARSE_OPT_NOARG | PARSE_OPT_NONEG,
			       report_opt_rev),
		OPT_STRING('o', "output", &o.output, "file",
			   "write to <file> instead of stdout"),
		OPT_BOOL(0, "progress", &o.progress,
			 "show progress on a terminal"),
		OPT_BOOL(0, "no-cache", &o.no_cache, "recompute every change"),
		OPT_BOOL(0, "offline", &o.offline,
			 "review data from the cache only, no network"),
		OPT_STRING(0, "timezone", &o.timezone, "zone",
			   "times in <zone> (IANA name or UTC)"),
		OPT__QUIET(&o.quiet, "suppress notes and warnings"),
		OPT_END()
	};
	struct pipeline p = PIPELINE_INIT;
	struct change_set set = CHANGE_SET_INIT;
	struct strbuf out = STRBUF_INIT;
	struct strbuf name = STRBUF_INIT, range = STRBUF_INIT;
	struct export_head h;
	size_t i;
	int ret = 0;

	/* JSON Lines only: "--format" is not an option here. */
	report_opts_parse(&o, argc, argv, options, export_usage);
	if (report_pipeline_run(&p, &o, repo, &set) < 0) {
		ret = pipeline_exit_code(&p);
		goto cleanup;
	}
	export_repo_name(&name, repo);
	report_range(&range, &o, 1);
	h.mainline = set.mainline_ref;
	h.repository = name.buf;
	h.range = range.buf;
	/* git log order, newest first, as "git tokens log" lists them. */
	for (i = 0; i < set.nr; i++)
		export_change(&out, &set.c[i], &h);
	if (report_write(&o, &out) < 0)
		ret = EXIT_FATAL;
cleanup:
	strbuf_release(&out);
	strbuf_release(&name);
	strbuf_release(&range);
	change_set_release(&set);
	pipeline_release(&p);
	report_opts_release(&o);
	return ret;
}
