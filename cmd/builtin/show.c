/*
 * git tokens show [<commit>]: everything known about one change: who and
 * when, its countable lines and outcome, the agent that helped, the
 * lines of its note (and any kept line we could not read), and the
 * usage attributed to it with its confidence.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "base/parse-options.h"
#include "builtin/builtin.h"
#include "engine/attribution.h"
#include "engine/pipeline.h"
#include "engine/notes.h"
#include "git/repo.h"
#include "report/metrics.h"
#include "report/render.h"
#include "report/report-opts.h"

static const char * const show_usage[] = {
	"git tokens show [--format=table|json] [<commit>]",
	NULL
};

#define DAY 86400

static void add_money(struct strbuf *out, double cost)
{
	strbuf_addf(out, "$%.4f", cost);
}

static void show_line_text(struct strbuf *out, const struct note_line *l)
{
	strbuf_addf(out, "  %s %s", l->tool, l->model ? l->model : "-");
	if (l->session[0])
		strbuf_addf(out, " session %s", l->session);
	strbuf_addstr(out, " ");
	report_date(out, l->from / 1000, 0);
	strbuf_addstr(out, "..");
	report_date(out, l->to / 1000, 0);
	strbuf_addf(out, "\n    %" PRIu64 " requests, input %" PRIu64
		    ", output %" PRIu64 ", cache write %" PRIu64
		    ", cache read %" PRIu64 ", cost ",
		    l->requests, l->input, l->output, l->cache_write,
		    l->cache_read);
	if (l->cost_known)
		add_money(out, l->cost);
	else
		strbuf_addstr(out, "unknown");
	if (l->by)
		strbuf_addf(out, ", by %s", l->by);
	strbuf_addf(out, ", how %s\n", notes_how_name(l->how));
}

static void show_text(struct strbuf *out, const struct change *c,
		      const struct note *n, const char *ref)
{
	const struct usage_sum *u = &c->usage;
	size_t i;

	strbuf_addf(out, "commit    %s%s\n", c->oid,
		    c->merge ? " (merge)" : "");
	strbuf_addf(out, "author    %s <%s>\n",
		    c->author_name ? c->author_name : "",
		    c->author_email ? c->author_email : "");
	strbuf_addstr(out, "date      ");
	report_date(out, c->author_time, 0);
	strbuf_addf(out, "\nsubject   %s\n", c->subject ? c->subject : "");
	strbuf_addf(out, "lines     +%" PRIu64 " -%" PRIu64, c->added,
		    c->deleted);
	if (c->excluded)
		strbuf_addf(out, " (%" PRIu64 " not countable)", c->excluded);
	strbuf_addf(out, "\nlanded    %s", metrics_landed_name(c->landed));
	if (c->landed_as[0])
		strbuf_addf(out, " (as %.12s)", c->landed_as);
	if (c->landed == LANDED_NO)
		strbuf_addstr(out, c->outcome.abandoned ? " (abandoned)" :
			      " (open)");
	strbuf_addf(out, "\nreverted  %s\n", c->reverted ? "yes" : "no");
	if (c->outcome.fixup)
		strbuf_addstr(out, "fixup     yes (a fixup!/squash! commit)\n");
	if (c->outcome.survival_known) {
		strbuf_addf(out, "surviving %" PRIu64 "\n",
			    c->outcome.surviving);
		strbuf_addf(out, "reworked  %" PRIu64 "\n",
			    c->outcome.reworked);
	}
	strbuf_addf(out, "agent     %s", c->agent ? c->agent : "none");
	if (c->agent_model)
		strbuf_addf(out, " (%s)", c->agent_model);
	strbuf_addch(out, '\n');
	strbuf_addstr(out, "usage     ");
	if (!u->has_usage) {
		strbuf_addstr(out, c->agent ? "assisted, tokens unknown\n" :
			      "none\n");
	} else {
		strbuf_addf(out, "%" PRIu64 " tokens (input %" PRIu64
			    ", output %" PRIu64 ", cache write %" PRIu64
			    ", cache read %" PRIu64 "), %" PRIu64
			    " requests, cost ",
			    u->input + u->output + u->cache_write +
			    u->cache_read, u->input, u->output,
			    u->cache_write, u->cache_read, u->requests);
		if (u->cost_unknown && !(u->cost > 0))
			strbuf_addstr(out, "unknown");
		else
			add_money(out, u->cost);
		if (u->cost_unknown && u->cost > 0)
			strbuf_addstr(out, " (some usage unpriced)");
		strbuf_addf(out, "\n          how %s, tool %s, model %s\n",
			    metrics_how_name(u->how), u->tool ? u->tool : "-",
			    u->model ? u->model : "-");
	}
	if (!n || !n->nr) {
		strbuf_addf(out, "note      none in %s\n", ref);
		return;
	}
	strbuf_addf(out, "note      %zu line%s in %s\n", n->nr,
		    n->nr == 1 ? "" : "s", ref);
	for (i = 0; i < n->nr; i++)
		if (n->lines[i].valid)
			show_line_text(out, &n->lines[i]);
	for (i = 0; i < n->nr; i++)
		if (!n->lines[i].valid)
			strbuf_addf(out, "  kept, not understood: %s\n",
				    n->lines[i].raw);
}

static void json_str_or_null(struct strbuf *out, const char *s)
{
	if (s)
		strbuf_add_json_str(out, s);
	else
		strbuf_addstr(out, "null");
}

static void show_json(struct strbuf *out, const struct change *c,
		      const struct note *n, const char *ref)
{
	const struct usage_sum *u = &c->usage;
	size_t i;
	int first;

	strbuf_addstr(out, "{\n  \"schema\": \"git-tokens/show/v1\",\n"
		      "  \"commit\": ");
	strbuf_add_json_str(out, c->oid);
	strbuf_addstr(out, ",\n  \"kind\": ");
	strbuf_add_json_str(out, metrics_kind_name(c));
	strbuf_addstr(out, ",\n  \"author_name\": ");
	json_str_or_null(out, c->author_name);
	strbuf_addstr(out, ",\n  \"author_email\": ");
	json_str_or_null(out, c->author_email);
	strbuf_addstr(out, ",\n  \"date\": \"");
	report_date(out, c->author_time, 0);
	strbuf_addstr(out, "\",\n  \"timezone\": ");
	strbuf_add_json_str(out, date_zone_name());
	strbuf_addstr(out, ",\n  \"subject\": ");
	json_str_or_null(out, c->subject);
	strbuf_addf(out, ",\n  \"lines_added\": %" PRIu64
		    ",\n  \"lines_deleted\": %" PRIu64
		    ",\n  \"lines_excluded\": %" PRIu64 ",\n  \"landed\": ",
		    c->added, c->deleted, c->excluded);
	strbuf_add_json_str(out, metrics_landed_name(c->landed));
	strbuf_addstr(out, ",\n  \"landed_as\": ");
	json_str_or_null(out, c->landed_as[0] ? c->landed_as : NULL);
	strbuf_addf(out, ",\n  \"reverted\": %s,\n  \"surviving\": ",
		    c->reverted ? "true" : "false");
	if (c->outcome.survival_known)
		strbuf_addf(out, "%" PRIu64 ",\n  \"reworked\": %" PRIu64,
			    c->outcome.surviving, c->outcome.reworked);
	else
		strbuf_addstr(out, "null,\n  \"reworked\": null");
	strbuf_addstr(out, ",\n  \"unlanded\": ");
	json_str_or_null(out, c->landed != LANDED_NO ? NULL :
			 c->outcome.abandoned ? "abandoned" : "open");
	strbuf_addf(out, ",\n  \"fixup\": %s",
		    c->outcome.fixup ? "true" : "false");
	strbuf_addstr(out, ",\n  \"agent\": ");
	json_str_or_null(out, c->agent);
	strbuf_addstr(out, ",\n  \"agent_model\": ");
	json_str_or_null(out, c->agent_model);
	strbuf_addf(out, ",\n  \"assisted_tokens_unknown\": %s",
		    c->agent && !u->has_usage ? "true" : "false");
	strbuf_addstr(out, ",\n  \"usage\": ");
	if (!u->has_usage) {
		strbuf_addstr(out, "null");
	} else {
		strbuf_addf(out, "{\"requests\":%" PRIu64 ",\"tokens\":%" PRIu64
			    ",\"input\":%" PRIu64 ",\"output\":%" PRIu64
			    ",\"cache_write\":%" PRIu64 ",\"cache_read\":%"
			    PRIu64 ",\"cost_usd\":", u->requests,
			    u->input + u->output + u->cache_write +
			    u->cache_read, u->input, u->output,
			    u->cache_write, u->cache_read);
		if (u->cost_unknown && !(u->cost > 0))
			strbuf_addstr(out, "null");
		else
			render_json_number(out, RENDER_MONEY, u->cost);
		strbuf_addf(out, ",\"cost_partial\":%s,\"how\":",
			    u->cost_unknown && u->cost > 0 ? "true" : "false");
		strbuf_add_json_str(out, metrics_how_name(u->how));
		strbuf_addstr(out, ",\"tool\":");
		json_str_or_null(out, u->tool);
		strbuf_addstr(out, ",\"model\":");
		json_str_or_null(out, u->model);
		strbuf_addch(out, '}');
	}
	strbuf_addstr(out, ",\n  \"note\": {\"ref\":");
	strbuf_add_json_str(out, ref);
	strbuf_addstr(out, ",\"lines\":[");
	/* Our lines are JSON objects already: embed them as they are. */
	for (i = 0, first = 1; n && i < n->nr; i++) {
		if (!n->lines[i].valid)
			continue;
		strbuf_addf(out, "%s\n    %s", first ? "" : ",",
			    n->lines[i].raw);
		first = 0;
	}
	strbuf_addstr(out, first ? "]" : "\n  ]");
	strbuf_addstr(out, ",\"kept\":[");
	for (i = 0, first = 1; n && i < n->nr; i++) {
		if (n->lines[i].valid)
			continue;
		if (!first)
			strbuf_addch(out, ',');
		strbuf_add_json_str(out, n->lines[i].raw);
		first = 0;
	}
	strbuf_addstr(out, "]}\n}\n");
}

int cmd_show(int argc, const char **argv, struct repo *repo)
{
	const char *format = NULL, *zone = NULL;
	int json = 0;
	struct option options[] = {
		OPT_STRING(0, "format", &format, "format", "table or json"),
		OPT_STRING(0, "timezone", &zone, "zone",
			   "times in <zone> (IANA name or UTC)"),
		OPT_END()
	};
	struct change_set set = CHANGE_SET_INIT;
	struct change_opts copts = CHANGE_OPTS_INIT;
	struct pipeline p = PIPELINE_INIT;
	struct note joined;
	struct strbuf out = STRBUF_INIT, ref = STRBUF_INIT;
	struct strbuf since = STRBUF_INIT, until = STRBUF_INIT;
	const char *rev = "HEAD";
	char oid[OID_HEX + 1];
	int64_t at, ct, lo, hi;
	const struct change *c = NULL;
	size_t i;
	int r, ret = EXIT_FATAL;

	memset(&joined, 0, sizeof(joined));
	argc = parse_options(argc, argv, options, show_usage, 0);
	if (argc > 1)
		usage_with_options(show_usage, options, 1);
	if (argc == 1)
		rev = argv[0];
	if (format && !strcmp(format, "json"))
		json = 1;
	else if (format && strcmp(format, "table")) {
		error("unknown --format '%s' (expected table or json)",
		      format);
		usage_with_options(show_usage, options, 1);
	}

	if (report_timezone(repo, zone, NULL) < 0)
		goto cleanup;
	r = repo_resolve(repo, rev, oid);
	if (r > 0 && !strcmp(rev, "HEAD") && repo_unborn_branch(repo, &ref) > 0)
		die("your current branch '%s' does not have any commits yet",
		    ref.buf);
	if (r > 0)
		die("bad revision '%s'", rev);
	if (r < 0 || repo_commit_times(repo, oid, &at, &ct) < 0 ||
	    notes_ref(repo, &ref) < 0)
		goto cleanup;

	/*
	 * The change, with the branches' changes around its day: day
	 * attribution spreads a person's usage over all of that day.
	 */
	lo = (at < ct ? at : ct) / DAY * DAY - DAY;
	hi = ((at > ct ? at : ct) / DAY + 2) * DAY;
	strbuf_addf(&since, "@%" PRId64, lo);
	strbuf_addf(&until, "@%" PRId64, hi);
	copts.since = since.buf;
	copts.until = until.buf;
	strvec_push(&copts.revs, oid);
	strvec_push(&copts.revs, "--branches");
	copts.progress = 0;
	/* Its own change, unfolded: the note of a squash commit joins. */
	p.stages = PIPELINE_LINES | PIPELINE_LANDING | PIPELINE_SURVIVAL |
		PIPELINE_SQUASH_AUTHORS | PIPELINE_ATTRIBUTION |
		PIPELINE_AI_LINES;
	p.range = &copts;
	r = pipeline_run(&p, repo, &set);
	if (r < 0 && p.err.len)
		die("%s", p.err.buf);
	for (i = 0; i < set.nr; i++)
		if (!strcmp(set.c[i].oid, oid))
			c = &set.c[i];
	if (r < 0 && p.failed != PIPELINE_ATTRIBUTION)
		goto cleanup;
	if (!c)
		die("'%s' is a merge commit, not a change (no line of its "
		    "own, no usage)", rev);
	if (r < 0)
		goto cleanup;
	/* A squash commit's note: with those of the commits it absorbed. */
	attribution_change_note(&set, &p.notes, oid, &joined);

	if (json)
		show_json(&out, c, &joined, ref.buf);
	else
		show_text(&out, c, &joined, ref.buf);
	if (fwrite(out.buf, 1, out.len, stdout) != out.len)
		goto cleanup;
	ret = 0;
cleanup:
	note_release(&joined);
	pipeline_release(&p);
	change_set_release(&set);
	change_opts_release(&copts);
	strbuf_release(&out);
	strbuf_release(&ref);
	strbuf_release(&since);
	strbuf_release(&until);
	return ret;
}
