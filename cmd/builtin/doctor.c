/*
 * git tokens doctor: check the set-up, one finding a line.
 *
 *   ok    all is well
 *   note  worth knowing, nothing to do
 *   warn  numbers may be incomplete; a hint says what would help
 *   fix   something is broken or missing; exit code 1
 *
 * Every finding that asks for something carries a "(hint: ...)". The
 * doctor only reads: it never writes config, hooks or notes, and never
 * goes to the network (no credential helper either). Token values are
 * never shown: only which variable holds one.
 */
#include <inttypes.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/parse-options.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "builtin/builtin.h"
#include "engine/cursor-hooks.h"
#include "engine/hooks.h"
#include "engine/notes-sync.h"
#include "engine/notes.h"
#include "engine/revs.h"
#include "git/repo.h"
#include "model/agents.h"
#include "model/event.h"
#include "net/forge.h"
#include "sources/prices.h"
#include "sources/sources.h"

static const char * const doctor_usage[] = {
	"git tokens doctor [-q]",
	"git tokens doctor --agents",
	NULL
};

/* A price table older than this is worth a warning. */
#define PRICES_MAX_AGE_DAYS 180

enum level { LEVEL_OK, LEVEL_NOTE, LEVEL_WARN, LEVEL_FIX };
static const char *const level_names[] = { "ok", "note", "warn", "fix" };

struct doctor {
	int quiet;          /* -q: problems only */
	unsigned warns, fixes;
};

__attribute__((format(printf, 5, 6)))
static void finding(struct doctor *d, enum level level, const char *topic,
		    const char *hint, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	size_t i;

	if (level == LEVEL_WARN)
		d->warns++;
	if (level == LEVEL_FIX)
		d->fixes++;
	if (d->quiet && level < LEVEL_WARN)
		return;
	strbuf_addf(&sb, "%-4s %s: ", level_names[level], topic);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (hint)
		strbuf_addf(&sb, " (hint: %s)", hint);
	/* One finding, one line, whatever the values held. */
	for (i = 0; i < sb.len; i++)
		if (sb.buf[i] == '\n' || sb.buf[i] == '\r')
			sb.buf[i] = ' ';
	printf("%s\n", sb.buf);
	strbuf_release(&sb);
}

/* --- sources ----------------------------------------------------------- */

/* As usage_load() decides it: tokens.sources, else every source. */
static int source_on(struct repo *repo, const struct source *src,
		     int *configured)
{
	char *list = NULL, *tok, *save = NULL;
	int on = 0;

	*configured = 0;
	if (repo_config_string(repo, "tokens.sources", &list) || !list)
		return 1;
	*configured = 1;
	for (tok = strtok_r(list, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save))
		if (!strcmp(tok, "all") || source_lookup(tok) == src)
			on = 1;
	free(list);
	return on;
}

static void count_tools(const struct usage_set *set, uint64_t *counts)
{
	size_t i;

	for (i = 0; i < set->nr; i++)
		if ((unsigned)set->ev[i].tool < TOOL__NR)
			counts[set->ev[i].tool]++;
}

/* Where a source's logs are, "~" for the home folder. */
static void add_where(struct strbuf *sb, const struct usage_found *f)
{
	const char *home = getenv("HOME");
	size_t i, n = home ? strlen(home) : 0;

	for (i = 0; i < f->where.nr; i++) {
		const char *w = f->where.v[i];

		strbuf_addstr(sb, i ? ", " : " in ");
		if (n > 1 && !strncmp(w, home, n) && (w[n] == '/' || !w[n]))
			strbuf_addf(sb, "~%s", w + n);
		else
			strbuf_addstr(sb, w);
	}
}

static void check_sources(struct doctor *d, struct repo *repo,
			  struct strvec *unpriced)
{
	struct usage_set here = USAGE_SET_INIT, all = USAGE_SET_INIT;
	struct usage_query q = USAGE_QUERY_INIT;
	uint64_t n_here[TOOL__NR] = { 0 }, n_all[TOOL__NR] = { 0 };
	uint64_t total_here = 0;
	struct usage_found *found;
	const struct source *src;
	size_t nsrc = 0, i;
	int configured;

	for (src = source_table; src->name; src++)
		nsrc++;
	found = xcalloc(nsrc, sizeof(*found));
	for (i = 0; i < nsrc; i++)
		strvec_init(&found[i].where);
	q.all_repos = 1;
	q.found = found;
	q.unpriced = unpriced;
	if (usage_load(&all, repo, &q) < 0)
		finding(d, LEVEL_WARN, "sources", NULL,
			"some usage logs could not be read (see above)");
	count_tools(&all, n_all);
	if (repo) {
		q.all_repos = 0;
		q.found = NULL;
		q.unpriced = NULL;
		if (usage_load(&here, repo, &q) < 0)
			finding(d, LEVEL_WARN, "sources", NULL, "some usage "
				"logs could not be read (see above)");
		count_tools(&here, n_here);
	}

	for (src = source_table, i = 0; src->name; src++, i++) {
		struct strbuf topic = STRBUF_INIT, hint = STRBUF_INIT;
		struct strbuf where = STRBUF_INIT;
		uint64_t h = n_here[src->tool], a = n_all[src->tool];

		strbuf_addf(&topic, "source %s", src->name);
		add_where(&where, &found[i]);
		if (!source_on(repo, src, &configured)) {
			finding(d, LEVEL_NOTE, topic.buf, NULL,
				"disabled by tokens.sources");
		} else if (!a && found[i].hint) {
			finding(d, LEVEL_WARN, topic.buf, found[i].hint,
				"logs without token counts%s", where.buf);
		} else if (!a) {
			finding(d, LEVEL_NOTE, topic.buf, NULL,
				"no usage logs found%s", where.len ?
				where.buf : "");
		} else if (!repo) {
			finding(d, LEVEL_OK, topic.buf, NULL,
				"%" PRIu64 " events on this machine%s", a,
				where.buf);
		} else if (!h) {
			strbuf_addf(&hint, "were they written in another "
				    "checkout? set tokens.%s.path, or see "
				    "'git tokens usage --all-repos'",
				    src->name);
			finding(d, LEVEL_WARN, topic.buf, hint.buf,
				"%" PRIu64 " events on this machine%s, none "
				"for this repository", a, where.buf);
		} else {
			finding(d, LEVEL_OK, topic.buf, NULL,
				"%" PRIu64 " events for this repository, %"
				PRIu64 " on this machine%s", h, a, where.buf);
		}
		total_here += h;
		strbuf_release(&topic);
		strbuf_release(&hint);
		strbuf_release(&where);
	}
	if (repo && !total_here)
		finding(d, LEVEL_WARN, "sources", "usage reaches reports "
			"through notes pushed by others, 'git tokens import' "
			"or 'git tokens fetch'",
			"no local usage for this repository");
	for (i = 0; i < nsrc; i++)
		strvec_clear(&found[i].where);
	free(found);
	usage_set_release(&here);
	usage_set_release(&all);
}

/* --- hooks ------------------------------------------------------------- */

/* Returns 1 when the pre-push shim is there (it pushes the notes). */
static int check_hooks(struct doctor *d, struct repo *repo,
		       const char *notes)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf missing = STRBUF_INIT;
	struct strvec rewrite = STRVEC_INIT;
	size_t i, nmissing = 0;
	int pre_push = 0, found = 0;

	if (hooks_dir(repo, &dir, HOOKS_QUIET) < 0) {
		finding(d, LEVEL_FIX, "hooks", "is git on PATH?",
			"cannot find the hooks folder ('git rev-parse "
			"--git-path hooks' failed)");
		goto cleanup;
	}
	for (i = 0; i < HOOKS_NR; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir.buf, hooks_names[i]);
		if (hooks_is_shim(path.buf)) {
			if (!strcmp(hooks_names[i], "pre-push"))
				pre_push = 1;
			continue;
		}
		strbuf_addf(&missing, "%s%s", nmissing ? ", " : "",
			    hooks_names[i]);
		nmissing++;
	}
	if (!nmissing) {
		finding(d, LEVEL_OK, "hooks", NULL,
			"post-commit, pre-push and post-rewrite installed in "
			"'%s'", dir.buf);
	} else {
		finding(d, LEVEL_FIX, "hooks", "git tokens hooks install",
			"%s not installed in '%s'", missing.buf, dir.buf);
	}

	/* Amend and rebase keep notes only with notes.rewriteRef. */
	repo_config_multi(repo, "notes.rewriteRef", &rewrite);
	for (i = 0; i < rewrite.nr; i++)
		if (!strcmp(rewrite.v[i], notes) ||
		    !strcmp(rewrite.v[i], "refs/notes/*"))
			found = 1;
	if (found)
		finding(d, LEVEL_OK, "notes.rewriteRef", NULL,
			"amend and rebase carry '%s' over", notes);
	else
		finding(d, LEVEL_WARN, "notes.rewriteRef",
			"git tokens hooks install",
			"not set for '%s': amend and rebase lose usage notes",
			notes);
cleanup:
	strvec_clear(&rewrite);
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&missing);
	return pre_push;
}

/* Cursor's usage is recorded only by its stop hook: say so where it runs. */
static void check_cursor(struct doctor *d)
{
	struct strbuf file = STRBUF_INIT, dir = STRBUF_INIT;
	struct stat st;

	strbuf_addf(&dir, "%s/.cursor", source_home());
	if (cursor_hooks_installed(&file))
		finding(d, LEVEL_OK, "cursor", NULL,
			"the stop hook is in '%s'", file.buf);
	else if (!stat(dir.buf, &st) && S_ISDIR(st.st_mode))
		finding(d, LEVEL_NOTE, "cursor",
			"git tokens hooks install --cursor",
			"'%s' is there but not the stop hook that records "
			"Cursor's usage", dir.buf);
	strbuf_release(&file);
	strbuf_release(&dir);
}

/* --- notes and refspecs ------------------------------------------------ */

/* How remote.<name>.fetch takes the notes, as a finding. */
static void check_fetch(struct doctor *d, struct repo *repo,
			const char *name, const char *notes,
			const char *what)
{
	struct strbuf into = STRBUF_INIT, hint = STRBUF_INIT;
	struct strbuf spec = STRBUF_INIT;

	notes_fetch_refspec(&spec, name, notes);
	strbuf_addf(&hint, "'git tokens hooks install' (or 'git tokens sync "
		    "%s') adds '%s'", name, spec.buf);
	switch (notes_fetched_into(repo, name, notes, &into)) {
	case NOTES_FETCHED_TRACKING:
		finding(d, LEVEL_OK, what, NULL, "remote.%s.fetch brings "
			"'%s' into '%s'", name, notes, into.buf);
		break;
	case NOTES_FETCHED_CLOBBERS:
		strbuf_reset(&hint);
		strbuf_addf(&hint, "fetch into refs/notes/remotes/%s/ and "
			    "merge with 'git tokens sync %s'", name, name);
		finding(d, LEVEL_FIX, what, hint.buf, "a forced fetch refspec "
			"overwrites '%s' and drops local notes", notes);
		break;
	case NOTES_FETCHED_ELSEWHERE:
		finding(d, LEVEL_WARN, what, hint.buf, "remote.%s.fetch "
			"brings '%s' into '%s', which git tokens does not "
			"read", name, notes, into.len ? into.buf :
			"FETCH_HEAD");
		break;
	case NOTES_FETCHED_NOT:
		finding(d, LEVEL_WARN, what, hint.buf, "no remote.%s.fetch "
			"refspec for '%s': others' notes are not fetched",
			name, notes);
		break;
	default:
		break;
	}
	strbuf_release(&into);
	strbuf_release(&hint);
	strbuf_release(&spec);
}

static void check_notes(struct doctor *d, struct repo *repo,
			const char *notes, int pre_push)
{
	struct strvec names = STRVEC_INIT, specs = STRVEC_INIT;
	struct strbuf key = STRBUF_INIT, hint = STRBUF_INIT;
	char tip[OID_HEX + 1];
	size_t i, j;

	if (repo_notes_tip(repo, notes, tip) == 0)
		finding(d, LEVEL_OK, "notes", NULL, "'%s' exists", notes);
	else
		finding(d, LEVEL_NOTE, "notes", NULL, "'%s' does not exist "
			"yet: no usage recorded or fetched", notes);

	if (notes_remotes(repo, &names) < 0)
		goto cleanup;
	if (!names.nr)
		finding(d, LEVEL_NOTE, "remotes", NULL,
			"no remote: notes stay in this repository");
	for (i = 0; i < names.nr; i++) {
		const char *name = names.v[i];
		int push = 0, forced;

		strbuf_reset(&key);
		strbuf_addf(&key, "remote.%s.push", name);
		strvec_clear(&specs);
		if (repo_config_multi(repo, key.buf, &specs) < 0)
			goto cleanup;
		for (j = 0; j < specs.nr; j++)
			push |= notes_refspec_map(specs.v[j], notes, &hint,
						  &forced);
		strbuf_reset(&key);
		strbuf_addf(&key, "remote %s", name);
		check_fetch(d, repo, name, notes, key.buf);
		strbuf_reset(&hint);
		if (push || pre_push) {
			finding(d, LEVEL_OK, key.buf, NULL, "'%s' is pushed "
				"(%s)", notes, push ? "remote.<name>.push" :
				"pre-push hook");
		} else {
			strbuf_addf(&hint, "git tokens hooks install, or "
				    "'git tokens sync %s' after pushing", name);
			finding(d, LEVEL_FIX, key.buf, hint.buf,
				"'%s' is never pushed: nobody else sees this "
				"usage", notes);
		}
	}
cleanup:
	strvec_clear(&names);
	strvec_clear(&specs);
	strbuf_release(&key);
	strbuf_release(&hint);
}

/* --- mainline, prices, forge ------------------------------------------- */

/* The mainline as the change engine finds it; its name goes to out. */
static void check_mainline(struct doctor *d, struct repo *repo,
			   struct strbuf *out)
{
	char oid[OID_HEX + 1];
	const char *guess;
	char *cfg = NULL;

	strbuf_reset(out);
	if (repo_config_string(repo, "tokens.mainline", &cfg) == 0 && cfg) {
		if (repo_resolve(repo, cfg, oid) == 0) {
			strbuf_addstr(out, cfg);
			finding(d, LEVEL_OK, "mainline", NULL,
				"'%s' (tokens.mainline)", cfg);
		} else {
			finding(d, LEVEL_FIX, "mainline", "git config "
				"tokens.mainline <branch>", "tokens.mainline "
				"'%s' does not exist", cfg);
		}
		goto cleanup;
	}
	guess = revs_mainline_guess(repo, oid);
	if (guess) {
		strbuf_addstr(out, guess);
		finding(d, LEVEL_OK, "mainline", NULL, "'%s' (guessed; set "
			"tokens.mainline to choose)", guess);
		goto cleanup;
	}
	finding(d, LEVEL_FIX, "mainline", "git config tokens.mainline "
		"<branch>", "none found (no origin/HEAD, main or master): "
		"nothing counts as landed");
cleanup:
	free(cfg);
}

/* Days since the epoch of "YYYY-MM-DD", or -1. */
static int64_t day_number(const char *s)
{
	int64_t ms;

	if (date_parse_iso(s, &ms) < 0)
		return -1;
	return date_day(ms);
}

static void check_prices(struct doctor *d, struct repo *repo,
			 const struct strvec *unpriced)
{
	struct strbuf models = STRBUF_INIT;
	size_t i;
	struct price_table *t = NULL;
	const char *date;
	int64_t day, today;
	char hint[128];

	date_now(&today);
	today = date_day(today);
	if (prices_load(&t, repo, NULL) < 0 || !t) {
		finding(d, LEVEL_FIX, "prices", "reinstall git-tokens, or "
			"point tokens.prices at a prices.json",
			"no price table could be read (see above): every "
			"cost is unknown");
		return;
	}
	date = prices_date(t);
	day = day_number(date);
	if (day < 0) {
		finding(d, LEVEL_WARN, "prices", NULL,
			"the price table has no date");
	} else if (today - day > PRICES_MAX_AGE_DAYS) {
		snprintf(hint, sizeof(hint), "upgrade git-tokens, or point "
			 "tokens.prices at a newer table");
		finding(d, LEVEL_WARN, "prices", hint, "the price table of "
			"%s is %" PRId64 " days old", date, today - day);
	} else {
		finding(d, LEVEL_OK, "prices", NULL,
			"price table of %s", date);
	}
	for (i = 0; i < unpriced->nr; i++)
		strbuf_addf(&models, "%s%s", i ? ", " : "", unpriced->v[i]);
	if (unpriced->nr)
		finding(d, LEVEL_WARN, "prices", "price them in a table named "
			"by tokens.prices", "no price for %" PRIuMAX " %s, "
			"whose cost is unknown: %s", (uintmax_t)unpriced->nr,
			unpriced->nr == 1 ? "model" : "models", models.buf);
	strbuf_release(&models);
	prices_free(t);
}

/* The agent and bot rules in use: counted, or with --agents listed. */
static int check_agents(struct doctor *d, struct repo *repo, int list)
{
	struct agent_list l = AGENT_LIST_INIT;
	size_t i, nconfig = 0;
	char *path = agents_file();
	int ret = 0;

	if (agents_load(&l, repo) < 0) {
		finding(d, LEVEL_FIX, "agents", "reinstall git-tokens",
			"the agent list '%s' could not be read (see above): "
			"no change is read as AI-assisted or as a bot's", path);
		ret = -1;
		goto cleanup;
	}
	for (i = 0; i < l.nr; i++) {
		const struct agent_rule *r = &l.v[i];

		if (!strchr(r->origin, ':'))
			nconfig++;
		if (list)
			printf("%-5s %-10s %s\t(%s)\n",
			       agent_rule_kind_name(r->kind),
			       r->name ? r->name : "-", r->pattern, r->origin);
	}
	if (!list)
		finding(d, LEVEL_OK, "agents", NULL, "%" PRIuMAX " rules from "
			"'%s', %" PRIuMAX " from tokens.agentIdentity and "
			"tokens.bot (list them: git tokens doctor --agents)",
			(uintmax_t)(l.nr - nconfig), path, (uintmax_t)nconfig);
cleanup:
	agent_list_release(&l);
	free(path);
	return ret;
}

static void check_forge(struct doctor *d, struct repo *repo,
			const char *mainline)
{
	struct forge f = FORGE_INIT;
	char *cfg = NULL;
	const char *how, *var = NULL;

	how = repo_config_string(repo, "tokens.forge", &cfg) == 0 && cfg ?
		"tokens.forge" : "from the remote URL";
	if (forge_detect(&f, repo, mainline && *mainline ? mainline : NULL,
			 FORGE_NONE) < 0) {
		finding(d, LEVEL_FIX, "forge", "git config tokens.forge "
			"github|gitlab|gerrit|none",
			"cannot tell the forge (see above)");
		goto cleanup;
	}
	switch (f.kind) {
	case FORGE_GITHUB:
		var = getenv("GITHUB_TOKEN") && *getenv("GITHUB_TOKEN") ?
			"GITHUB_TOKEN" : getenv("GH_TOKEN") &&
			*getenv("GH_TOKEN") ? "GH_TOKEN" : NULL;
		break;
	case FORGE_GITLAB:
		var = getenv("GITLAB_TOKEN") && *getenv("GITLAB_TOKEN") ?
			"GITLAB_TOKEN" : getenv("CI_JOB_TOKEN") &&
			*getenv("CI_JOB_TOKEN") ? "CI_JOB_TOKEN" : NULL;
		break;
	default:
		break;
	}
	if (f.kind == FORGE_NONE) {
		finding(d, LEVEL_NOTE, "forge", NULL, "none (%s): review "
			"comes from trailers only", how);
	} else if (f.kind == FORGE_GERRIT) {
		finding(d, LEVEL_OK, "forge", NULL, "gerrit (%s): review "
			"from refs/notes/review", how);
	} else if (var) {
		/* The variable's name only, never its value. */
		finding(d, LEVEL_OK, "forge", NULL, "%s, project '%s' (%s), "
			"token in %s", forge_name(f.kind),
			f.project ? f.project : "?", how, var);
	} else {
		finding(d, LEVEL_NOTE, "forge", f.kind == FORGE_GITHUB ?
			"export GITHUB_TOKEN or GH_TOKEN for review data" :
			"export GITLAB_TOKEN for review data",
			"%s, project '%s' (%s); no token in the environment "
			"(git credential may still have one)",
			forge_name(f.kind), f.project ? f.project : "?", how);
	}
cleanup:
	free(cfg);
	forge_release(&f);
}

int cmd_doctor(int argc, const char **argv, struct repo *repo)
{
	struct doctor d = { 0, 0, 0 };
	int agents = 0;
	struct option options[] = {
		OPT__QUIET(&d.quiet, "only what needs a look (warn, fix)"),
		OPT_BOOL(0, "agents", &agents,
			 "list the rules that name agents and bots"),
		OPT_END()
	};
	struct strbuf notes = STRBUF_INIT, mainline = STRBUF_INIT;
	struct strvec unpriced = STRVEC_INIT;
	int pre_push;

	argc = parse_options(argc, argv, options, doctor_usage, 0);
	if (argc)
		usage_msg_opt("too many arguments", doctor_usage, options);
	if (agents)
		return check_agents(&d, repo, 1) < 0 ? 1 : 0;

	if (!repo)
		finding(&d, LEVEL_FIX, "repository", "run it inside the "
			"repository to check, or use 'git -C <path> tokens "
			"doctor'", "not in a git repository: only the "
			"machine is checked");
	check_sources(&d, repo, &unpriced);
	check_cursor(&d);
	if (repo) {
		if (notes_ref(repo, &notes) < 0)
			strbuf_addstr(&notes, NOTES_DEFAULT_REF);
		pre_push = check_hooks(&d, repo, notes.buf);
		check_notes(&d, repo, notes.buf, pre_push);
		check_mainline(&d, repo, &mainline);
	}
	check_prices(&d, repo, &unpriced);
	check_agents(&d, repo, 0);
	if (repo)
		check_forge(&d, repo, mainline.buf);

	fflush(stdout);
	strvec_clear(&unpriced);
	strbuf_release(&notes);
	strbuf_release(&mainline);
	return d.fixes ? 1 : 0;
}
