#ifndef TOKENS_CHANGE_H
#define TOKENS_CHANGE_H

#include <stdint.h>
#include <stddef.h>
#include "base/strbuf.h"
#include "base/strvec.h"

/*
 * A change is a non-merge commit, or a merge commit that made lines of
 * its own or carries usage, with its countable lines and its
 * outcome. The engine's pipeline (engine/pipeline.h) fills these from a
 * revision range; metrics and rendering only read them. The methods
 * (model/change.c) only manipulate the structures.
 */
enum landed_how {
	LANDED_NO = 0,
	LANDED_REACHABLE,   /* reachable from the mainline tip */
	LANDED_PATCH_ID,    /* same patch-id as a mainline commit */
	LANDED_SQUASH,      /* absorbed by a squash merge */
};

/* Usage attributed to a change (filled by attribution; empty until then). */
enum attrib_how {
	ATTRIB_NONE = 0,
	ATTRIB_DAY,      /* provider daily usage spread by countable lines */
	ATTRIB_WINDOW,   /* local author, time window */
	ATTRIB_LINK,     /* the log names the commit */
	ATTRIB_HOOK,     /* recorded by the post-commit hook */
	ATTRIB_IMPORT,
};

struct usage_sum {
	uint64_t requests;
	uint64_t input, output, cache_write, cache_read;
	double cost;              /* USD, of the events whose cost is known */
	unsigned has_usage:1;     /* at least one event */
	unsigned cost_unknown:1;  /* some event had no price */
	const char *tool;         /* the tool holding most of the cost */
	const char *model;        /* the model holding most of the cost */
	enum attrib_how how;      /* the weakest confidence among its events */
};
/*
 * Add a share of usage to u; u->how stays the weakest confidence of
 * what was added (hook, then link, window, import, day).
 */
void usage_sum_add(struct usage_sum *u, uint64_t requests, uint64_t input,
		   uint64_t output, uint64_t cache_write, uint64_t cache_read,
		   double cost, int cost_known, enum attrib_how how);

/* Usage not yet tied to a commit: the local user's after their last one. */
struct usage_pending {
	unsigned present:1;     /* pending usage was looked for */
	unsigned cost_known:1;
	const char *email;      /* whose it is (the local user); may be NULL */
	uint64_t events;
	uint64_t tokens;
	uint64_t output;
	double cost;
};

/* What a change became; filled by the landing, survival and review stages. */
enum review_state {
	REVIEW_UNKNOWN = 0,       /* no review source: never "unreviewed" */
	REVIEW_APPROVED,          /* approved on first pass */
	REVIEW_CHANGES_REQUESTED, /* approved after change requests */
	REVIEW_NONE,              /* a source exists and shows no approval */
};

struct outcome {
	uint64_t surviving;       /* added lines alive at the mainline tip */
	uint64_t reworked;        /* added lines gone within tokens.reworkDays */
	unsigned survival_known:1;
	enum review_state review;
	const char *review_source;/* "github", "gitlab", "gerrit", "trailer" */
	unsigned review_decisive:1; /* the source can record a rejection (a
				       forge, Gerrit; trailers cannot) */
	unsigned review_rounds;   /* change-request rounds before the merge */
	double review_hours;      /* open to merge; < 0 when unknown */
	unsigned fixup:1;         /* a fixup!/squash! commit */
	char squashed_into[41];   /* the squash merge that absorbed it, or "" */
	unsigned abandoned:1;     /* unlanded, and no commit on its branch
				     for 30 days (else still open) */
};

struct change {
	char oid[41];
	/*
	 * Mailmapped identities, interned (event_intern()): one copy per
	 * person however many changes they made, never freed.
	 */
	const char *author_name;
	const char *author_email;
	const char *committer_name;
	const char *committer_email;
	int64_t author_time;   /* seconds since the epoch */
	int64_t commit_time;
	char *subject;
	uint64_t added;        /* countable lines */
	uint64_t deleted;
	uint64_t excluded;     /* lines in files that are not countable */
	enum landed_how landed;
	char landed_as[41];    /* the mainline commit, for patch-id/squash */
	char *reverts;         /* full id of the commit this one reverts */
	unsigned reverted:1;   /* a later mainline commit reverts it */
	const char *agent;     /* AI agent named by a trailer, author, note */
	const char *agent_tool;/* the agent's tool name in the report */
	const char *agent_model;/* the model an agent's line note names */
	unsigned agent_author:1; /* the agent is the author; credited to human */
	unsigned bot:1;        /* the author is an automation account */
	const char *repo;      /* read from an export: its repository */
	unsigned merge:1;      /* a merge: its lines are those it made, no
				  parent's (set by survival) */
	struct usage_sum usage;
	struct outcome outcome;
	/* From the agents' own line-level notes (engine/ai-lines.h). */
	uint64_t ai_added;        /* lines the agents wrote */
	uint64_t ai_surviving;    /* of those, alive at the mainline tip */
	unsigned ai_known:1;      /* the commit has such a note */
	unsigned ai_surviving_known:1;
};

struct change_opts {
	struct strvec revs;      /* git revision arguments; empty = HEAD */
	struct strvec paths;     /* pathspec after "--" */
	struct strvec authors;   /* --author patterns */
	const char *since;
	const char *until;
	const char *mainline;    /* --mainline */
	int use_cache;           /* 0 with --no-cache */
	int progress;            /* show progress when on a terminal */
	int max_count;           /* -n: the newest n changes; 0 for all */
};
#define CHANGE_OPTS_INIT { \
	.revs = STRVEC_INIT, \
	.paths = STRVEC_INIT, \
	.authors = STRVEC_INIT, \
	.use_cache = 1, \
	.progress = 1, \
}

struct change_set {
	struct change *c;
	size_t nr, alloc;
	char *mainline_ref;      /* the mainline in use; NULL when none */
	char mainline_tip[41];
	uint64_t excluded_lines; /* sum over the set */
	/*
	 * The commits squash merges of the set absorbed, in the set or
	 * not: one landed change with the squash commit, whose usage is
	 * the union of their notes. Sorted by from.
	 */
	struct squash_absorbed *absorbed;
	size_t absorbed_nr, absorbed_alloc;
};
#define CHANGE_SET_INIT { .c = NULL }

struct squash_absorbed {
	char from[41];           /* a commit of the request */
	char into[41];           /* the squash commit, a change of the set */
};

void change_set_release(struct change_set *set);
void change_opts_release(struct change_opts *opts);
/* Free what c holds (not c). */
void change_clear(struct change *c);
/* Take out of the set, in place, the changes i whose gone[i] is set. */
void change_set_drop(struct change_set *set, const unsigned char *gone);

/* Record that the squash commit into absorbed from (once). */
void change_set_absorb(struct change_set *set, const char *from,
		       const char *into);
/*
 * Make each squash commit of the set and the changes of the set it
 * absorbed one change: the absorbed ones leave the set (their lines
 * are the squash commit's lines already; their usage joins it through
 * set->absorbed, see attribution_change_note()).
 */
void change_set_fold_squashes(struct change_set *set);
/* The squash commit that absorbed hex (full or unique prefix), or NULL. */
const char *change_set_absorbed_into(const struct change_set *set,
				     const char *hex);

#endif
