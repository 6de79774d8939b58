#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/die.h"
#include "base/run-command.h"
#include "base/term.h"

/* Colour, as git_config_colorbool(): a plain true means "auto". */
static int colorbool(const char *s, enum color_when *out)
{
	static const char *yes[] = { "true", "yes", "on", "1" };
	static const char *no[] = { "false", "no", "off", "0", "" };
	size_t i;

	if (!strcasecmp(s, "never")) {
		*out = COLOR_NEVER;
		return 0;
	}
	if (!strcasecmp(s, "always")) {
		*out = COLOR_ALWAYS;
		return 0;
	}
	if (!strcasecmp(s, "auto")) {
		*out = COLOR_AUTO;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(yes); i++)
		if (!strcasecmp(s, yes[i])) {
			*out = COLOR_AUTO;
			return 0;
		}
	for (i = 0; i < ARRAY_SIZE(no); i++)
		if (!strcasecmp(s, no[i])) {
			*out = COLOR_NEVER;
			return 0;
		}
	return -1;
}

int color_parse(const char *s, enum color_when *out)
{
	if (!s || colorbool(s, out) < 0)
		return error("invalid color value '%s' (expected always, "
			     "auto or never)", s ? s : "");
	return 0;
}

int want_color(enum color_when opt, term_config_fn *config, void *data)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	enum color_when cfg = COLOR_AUTO;
	char *ui = NULL;

	if (opt != COLOR_AUTO)
		return opt == COLOR_ALWAYS;
	if (config)
		ui = config(data, "color.ui");
	if (ui && colorbool(ui, &cfg) < 0)
		warning("ignoring invalid color.ui '%s'", ui);
	free(ui);
	if (cfg != COLOR_AUTO)
		return cfg == COLOR_ALWAYS;
	/* no-color.org: on unless the command line or config says so. */
	if (no_color && *no_color)
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(1) || pager_in_use();
}

static struct child_process pager_process = CHILD_PROCESS_INIT;
static int pager_started;

int pager_in_use(void)
{
	const char *env = getenv("GIT_PAGER_IN_USE");

	return pager_started ||
	       (env && (!strcasecmp(env, "true") || !strcmp(env, "1")));
}

/* Let the pager show everything we wrote, then return its terminal. */
static void wait_for_pager(void)
{
	fflush(stdout);
	fflush(stderr);
	close(1);
	close(2);
	finish_command(&pager_process);
}

void setup_pager(term_config_fn *config, void *data)
{
	const char *pager = getenv("GIT_PAGER");
	char *cfg = NULL;

	if (pager_started || !isatty(1))
		return;
	if (!pager && config)
		pager = cfg = config(data, "core.pager");
	if (!pager)
		pager = getenv("PAGER");
	if (!pager)
		pager = "less";
	if (!*pager || !strcmp(pager, "cat"))
		goto cleanup;

	strvec_push(&pager_process.args, pager);
	pager_process.use_shell = 1;
	pager_process.in = -1;
	if (!getenv("LESS"))
		strvec_push(&pager_process.env, "LESS=FRX");
	if (!getenv("LV"))
		strvec_push(&pager_process.env, "LV=-c");
	if (start_command(&pager_process))
		goto cleanup;

	dup2(pager_process.in, 1);
	if (isatty(2))
		dup2(pager_process.in, 2);
	close(pager_process.in);
	pager_started = 1;
	setenv("GIT_PAGER_IN_USE", "true", 1);
	atexit(wait_for_pager);

cleanup:
	free(cfg);
}

int progress_enabled = -1;

struct progress {
	char *title;
	uint64_t total;
	uint64_t last_n;
	uint64_t start_ms;
	uint64_t drawn_ms;
	int last_pct;
	int shown;
	int last_len;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int percent(const struct progress *p, uint64_t n)
{
	return n >= p->total ? 100 : (int)(n * 100 / p->total);
}

static void progress_draw(struct progress *p, uint64_t n, const char *done)
{
	char line[256];
	int len;

	if (p->total)
		len = snprintf(line, sizeof(line), "%s: %3d%% (%" PRIu64 "/%"
			       PRIu64 ")%s", p->title, percent(p, n), n,
			       p->total, done);
	else
		len = snprintf(line, sizeof(line), "%s: %" PRIu64 "%s",
			       p->title, n, done);
	if (len < 0)
		return;
	/* Blank out what is left of a longer previous line. */
	fprintf(stderr, "%s%*s%s", line,
		p->last_len > len ? p->last_len - len : 0, "",
		*done ? "\n" : "\r");
	fflush(stderr);
	p->last_len = len;
	p->shown = 1;
}

struct progress *progress_start(const char *title, uint64_t total)
{
	struct progress *p;

	if (!progress_enabled || (progress_enabled < 0 && !isatty(2)))
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->title = xstrdup(title);
	p->total = total;
	p->last_pct = -1;
	p->start_ms = now_ms();
	return p;
}

void progress_update(struct progress *p, uint64_t n)
{
	uint64_t now;
	int pct;

	if (!p)
		return;
	p->last_n = n;
	now = now_ms();
	if (!p->shown && now - p->start_ms < 1000)
		return;
	pct = p->total ? percent(p, n) : -1;
	if (p->shown && pct == p->last_pct && now - p->drawn_ms < 100)
		return;
	p->last_pct = pct;
	p->drawn_ms = now;
	progress_draw(p, n, "");
}

void progress_stop(struct progress **pp)
{
	struct progress *p = pp ? *pp : NULL;

	if (!p)
		return;
	if (p->shown)
		progress_draw(p, p->last_n, ", done.");
	free(p->title);
	free(p);
	*pp = NULL;
}
