#ifndef TOKENS_METRICS_H
#define TOKENS_METRICS_H

#include <stdint.h>
#include <stddef.h>
#include "model/change.h"

/*
 * The numbers of the report: changes grouped into rows by a
 * key, one value per column, flags, a total and the attribution
 * coverage. Pure functions over a change array: no I/O.
 *
 * A value that cannot be known from the data at hand (surviving lines
 * before the outcome work, cost of a row without usage) has its *_known
 * bit clear; renderers print it as "—" or null, never as 0.
 */
enum metrics_by {
	METRICS_BY_AUTHOR = 0,
	METRICS_BY_WEEK,
	METRICS_BY_MONTH,
	METRICS_BY_TOOL,
	METRICS_BY_MODEL,
	METRICS_BY_TEAM,
	METRICS_BY_REPO,        /* changes read from exports (c->repo) */
};

/*
 * Parse a --by key: 0, or -1 when it names no key.
 */
int metrics_by_parse(const char *s, enum metrics_by *out);
/* The column header of the key: "author", "week", ... */
const char *metrics_by_name(enum metrics_by by);

enum metrics_flag {
	METRICS_FLAG_NO_AI = 1 << 0,
	METRICS_FLAG_BURN = 1 << 1,
	METRICS_FLAG_REWORK = 1 << 2,
	METRICS_FLAG_UNKNOWN = 1 << 3,
};
#define METRICS_FLAG_ALL 4
/* Space-separated flag names into buf (empty string when none). */
void metrics_flags_str(unsigned flags, char *buf, size_t len);

struct metrics_row {
	char *key;              /* "Name <email>", "2026-W47", "2026-11" */
	char *email;            /* author rows: the mailmapped email */
	uint64_t changes;
	uint64_t landed;
	uint64_t lines_added;   /* countable lines added by landed changes */
	uint64_t lines_deleted; /* the same, deleted */
	uint64_t surviving;
	double assisted_share;  /* share of surviving lines from assisted
				   changes (usage or an AI marker) */
	double rework;          /* share of landed lines reworked */
	double reviewed;        /* first-pass approval rate, decisive
				   review sources only */
	uint64_t tokens;        /* input + output + cache write + cache read */
	uint64_t output;
	double cost;            /* USD; the total's includes pending */
	double lines_per_usd;   /* surviving_priced / cost of changes */
	double usd_per_landed;  /* cost of changes / landed_priced */
	double unlanded;        /* cost share: unlanded changes + pending */
	unsigned surviving_known:1;
	unsigned assisted_share_known:1;
	unsigned rework_known:1;
	unsigned reviewed_known:1;
	unsigned tokens_known:1;
	unsigned cost_known:1;
	unsigned lines_per_usd_known:1;
	unsigned usd_per_landed_known:1;
	unsigned unlanded_known:1;
	unsigned flags;         /* enum metrics_flag bits */

	/* What the values and flags are made of. */
	uint64_t with_usage;        /* changes with attributed usage */
	/*
	 * The per-dollar ratios count priced changes only
	 * (metrics_change_priced): what the tokens bought.
	 */
	double cost_changes;        /* cost of priced changes (no pending) */
	uint64_t landed_priced;     /* landed priced changes */
	uint64_t added_priced;      /* their +lines */
	uint64_t surviving_priced;  /* their surviving lines */
	unsigned surviving_priced_known:1;
	uint64_t surviving_assisted;/* surviving lines of assisted changes */
	uint64_t landed_cost_unknown; /* landed, assisted, cost unknown */
	uint64_t assisted;          /* changes with an AI trailer or agent */
	uint64_t assisted_unknown;  /* assisted, but no usage */
	uint64_t bots;              /* changes of automation accounts */
	double cost_unlanded;       /* cost on changes that did not land */
	double cost_pending;        /* pending usage credited to this row */
	uint64_t review_known;      /* landed changes with a decisive review */
	uint64_t review_first_pass; /* of those, approved on first pass */
	uint64_t reworked;          /* landed lines gone within reworkDays */
	uint64_t lines_known;       /* +lines of changes with known survival */
};

/* Share of changes with usage, and at which confidence. */
struct metrics_coverage {
	uint64_t changes;
	uint64_t with_usage;
	uint64_t how[ATTRIB_IMPORT + 1];  /* changes per weakest confidence */
	uint64_t assisted_unknown;
	uint64_t tokens_attributed;
	uint64_t tokens_pending;
};

/*
 * The lines agents' own notes say they wrote (engine/ai-lines.h), over
 * the changes that have such a note; all zero without any.
 */
struct metrics_ai {
	uint64_t changes;           /* changes with a note */
	uint64_t added;             /* lines the agents wrote */
	uint64_t surviving_changes; /* of those, survival known */
	uint64_t surviving;         /* their agents' lines at the tip */
	uint64_t priced;            /* of those, priced changes */
	uint64_t surviving_priced;  /* their agents' lines at the tip */
	double cost;                /* their cost */
};

struct metrics_report {
	enum metrics_by by;
	struct metrics_row *rows;
	size_t nr, alloc;
	struct metrics_row total;
	struct metrics_coverage coverage;
	struct metrics_ai ai;
	struct usage_pending pending;
	uint64_t excluded_lines;
	/* --by team: set by the caller before metrics_compute(); may be NULL */
	const struct metrics_teams *teams;
};
#define METRICS_REPORT_INIT { 0 }

/*
 * Group nr changes by the key and compute every column, the flags, the
 * total and the coverage; rows come out sorted (metrics_sort; weeks and
 * months in time order, oldest first). The total includes pending
 * usage in its tokens and cost, not in its ratios. pending
 * may be NULL; --by team uses out->teams (NULL: every change in
 * METRICS_NO_TEAM). Returns 0 (-1 is kept for keys yet to come).
 */
int metrics_compute(struct metrics_report *out, const struct change *c,
		    size_t nr, enum metrics_by by,
		    const struct usage_pending *pending);
void metrics_report_release(struct metrics_report *r);

/*
 * A change enters lines/$ and $/landed when it has usage of known cost
 * (priced); it is assisted when it has usage or an AI marker (a
 * trailer or an agent author).
 */
int metrics_change_priced(const struct change *c);
int metrics_change_assisted(const struct change *c);

/*
 * Order rows as the man page says: rows with a cost first, by lines/$
 * descending, then surviving descending; then rows without cost, by
 * surviving. Where surviving is unknown, +lines stands in for it; ties
 * go by changes, then key. Never by tokens.
 */
void metrics_sort(struct metrics_row *rows, size_t nr);

/* The flags of every row (and of the total), from the row values. */
void metrics_flag_rows(struct metrics_report *r);

/* The author row of every automation account's changes. */
#define METRICS_BOTS "bots"

/*
 * Keys: author "Name <email>" (METRICS_BOTS for bots), ISO week and
 * month of the author date (in the zone of date_zone_set()), tool and
 * model (of most cost, else the agent named, else "none").
 */
void metrics_key_week(int64_t t, char out[16]);
void metrics_key_month(int64_t t, char out[16]);

/* The confidence name ("hook", "link", "window", "day", "import"). */
const char *metrics_how_name(enum attrib_how how);
/* "merge" for a merge change, else "commit". */
const char *metrics_kind_name(const struct change *c);
/* "yes", "patch-id", "squash", "no". */
const char *metrics_landed_name(enum landed_how how);

/* The share a of b, with known set only when b > 0. */
double metrics_share(double a, double b, int *known);

/*
 * Teams for --by team (tokens.team.<name>, repeatable): each pattern is
 * matched against the mailmapped "Name <email>" without regard to case,
 * as a glob (when it holds '*', '?' or '[') against the whole identity,
 * the name or the email, else as a substring of the identity. A change
 * belongs to the first team, in config order, with a matching pattern;
 * changes of no team form the row METRICS_NO_TEAM.
 */
#define METRICS_NO_TEAM "(none)"
struct metrics_team {
	char *name;
	struct strvec patterns;
};
struct metrics_teams {
	struct metrics_team *v;
	size_t nr, alloc;
};
#define METRICS_TEAMS_INIT { 0 }

void metrics_teams_add(struct metrics_teams *t, const char *name,
		       const char *pattern);
void metrics_teams_release(struct metrics_teams *t);
/*
 * A repo_config_fn (repo.h) for the keys under "tokens.team.": data is
 * a struct metrics_teams. Always returns 0 (a key without a value is
 * warned about and skipped).
 */
int metrics_team_config(const char *key, const char *value, void *data);
/* The team of an identity, or NULL when none matches. */
const char *metrics_team_of(const struct metrics_teams *t, const char *name,
			    const char *email);

#endif
