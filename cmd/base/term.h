#ifndef TOKENS_TERM_H
#define TOKENS_TERM_H

#include <stdint.h>

/* --color=<when>: parse "auto", "always", "never" (and git's synonyms). */
enum color_when { COLOR_AUTO = -1, COLOR_NEVER = 0, COLOR_ALWAYS = 1 };
int color_parse(const char *s, enum color_when *out);

/*
 * A configuration value (color.ui, core.pager) as the caller's
 * configuration has it: a string the caller frees, or NULL when unset
 * or unreadable. The base layer does not know where configuration
 * lives; git/repo.h's repo_config_get() is one such reader. A NULL
 * reader means no configuration.
 */
typedef char *term_config_fn(void *data, const char *key);

/*
 * Decide colour for stdout from the option, color.ui and NO_COLOR.
 * Call after setup_pager(): colour stays on through our own pager.
 */
int want_color(enum color_when opt, term_config_fn *config, void *data);

#define COLOR_RESET "\033[m"
#define COLOR_BOLD "\033[1m"
#define COLOR_RED "\033[31m"
#define COLOR_GREEN "\033[32m"
#define COLOR_YELLOW "\033[33m"
#define COLOR_CYAN "\033[36m"
#define COLOR_DIM "\033[2m"

/*
 * Send stdout through the pager when it is a terminal: GIT_PAGER,
 * core.pager, PAGER, then "less" with LESS=FRX and LV=-c, as git does.
 * A pager of "" or "cat" means none.
 */
void setup_pager(term_config_fn *config, void *data);
int pager_in_use(void);

/*
 * A progress line on stderr ("Analyzing commits:  45% (34000/75000)"),
 * shown only when stderr is a terminal, and only once the work has taken
 * about a second. total 0 means unknown. progress_start returns NULL when
 * progress is off; the other calls accept NULL.
 */
struct progress;
extern int progress_enabled;   /* --progress / --no-progress; -1 auto */
struct progress *progress_start(const char *title, uint64_t total);
void progress_update(struct progress *p, uint64_t n);
void progress_stop(struct progress **p);

#endif
