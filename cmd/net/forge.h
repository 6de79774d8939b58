#ifndef TOKENS_FORGE_H
#define TOKENS_FORGE_H

#include <stdint.h>
#include "base/strbuf.h"
#include "base/strvec.h"
#include "model/change.h"

struct repo;

/*
 * GitHub and GitLab REST clients for review outcomes, on top of
 * http.c. Every answer goes through the
 * answer cache under <common dir>/tokens/http/ (all pages of a list
 * in one entry), so that "report --offline" and a report after
 * "fetch github" need no network. Tokens travel only in request
 * headers: never printed, logged or cached.
 */
enum forge_kind {
	FORGE_NONE = 0,
	FORGE_GITHUB,
	FORGE_GITLAB,
	FORGE_GERRIT,
};

/* "github", "gitlab", "gerrit", "none"; and back (-1 when unknown). */
const char *forge_name(enum forge_kind kind);
int forge_parse(const char *s, enum forge_kind *out);

struct forge {
	enum forge_kind kind;
	struct repo *repo;
	char *host;         /* the web host ("github.com", "host:8443") */
	char *protocol;     /* for git credential: "https" or "http" */
	char *project;      /* "owner/name", "group/sub/project" */
	char *api;          /* REST base URL, without a trailing '/' */
	struct strvec auth; /* header lines with the token: never shown */
	const char *key_var;/* where the token came from, for messages */
	int offline;        /* answer from the cache only */
	int refresh;        /* revalidate cached answers (If-None-Match) */
	unsigned max_requests; /* network requests allowed; 0: no limit */
	unsigned requests;  /* network requests made */
	unsigned missing;   /* answers wanted but not cached (offline) */
	unsigned errors;    /* requests that failed */
	unsigned broken:1;  /* auth, rate limit or network: stop asking */
	unsigned limited:1; /* max_requests reached */
};
#define FORGE_INIT { .kind = FORGE_NONE, .auth = STRVEC_INIT }

/*
 * Which forge and project this repository lives on: tokens.forge, else
 * guessed from the URL of the mainline's remote (else origin, else the
 * first remote). force, when not FORGE_NONE, sets the kind. A kind
 * without a project (no usable remote URL) becomes FORGE_NONE for
 * github and gitlab. The API base is GIT_TOKENS_GITHUB_API or
 * GIT_TOKENS_GITLAB_API when set. Returns 0, or -1 after error().
 */
int forge_detect(struct forge *f, struct repo *repo, const char *mainline_ref,
		 enum forge_kind force);

/*
 * Find a token: GITHUB_TOKEN or GH_TOKEN; GITLAB_TOKEN or
 * CI_JOB_TOKEN; else "git credential fill" for the forge host (never
 * prompting). Returns 0 with a token, 1 without.
 */
int forge_auth(struct forge *f);
void forge_release(struct forge *f);
/* The forge's Accept/version and auth headers on req. */
struct http_request;
void forge_headers(struct forge *f, struct http_request *req);

/* A pull or merge request and its review outcome. */
struct forge_request {
	uint64_t number;
	unsigned merged:1;
	unsigned reviewed:1;      /* review, rounds are filled */
	char merge_commit[41];    /* merge, squash or rebased tip; or "" */
	char squash_commit[41];   /* GitLab's squash_commit_sha; or "" */
	char *target;             /* the target branch */
	int64_t created_at;       /* epoch seconds; -1 when unknown */
	int64_t merged_at;
	enum review_state review;
	unsigned rounds;          /* change-request rounds before merge */
};
void forge_request_release(struct forge_request *r);

/*
 * Each call returns 0 when found, 1 when the forge has none (or an
 * answer is not available offline), -1 after error() when a request
 * failed (f->errors counts them).
 */

/* The merged request that brought commit in (branch: preferred target). */
int forge_commit_request(struct forge *f, const char *commit,
			 const char *branch, struct forge_request *out);
/* Request number n. */
int forge_request_get(struct forge *f, uint64_t n, struct forge_request *out);
/* Fill r->review and r->rounds from reviews, approvals and notes. */
int forge_request_review(struct forge *f, struct forge_request *r);
/* The commits of request n (full ids). */
int forge_request_commits(struct forge *f, uint64_t n, struct strvec *out);

/*
 * Tests and fuzzing: read one answer body without the network, as the
 * call it answers reads it (a list is read as two pages of it). r and
 * commits are the outputs of the calls above; the review answers
 * update r (its merged_at bounds what counts). Returns 0, 1 when a
 * list holds no merged request, -1 when the body is not the JSON
 * expected.
 */
enum forge_answer {
	FORGE_ANSWER_PULLS,     /* forge_commit_request(): a list */
	FORGE_ANSWER_REQUEST,   /* forge_request_get(): an object */
	FORGE_ANSWER_COMMITS,   /* forge_request_commits(): a list */
	FORGE_ANSWER_REVIEWS,   /* GitHub reviews: a list */
	FORGE_ANSWER_APPROVALS, /* GitLab approvals: an object */
	FORGE_ANSWER_NOTES,     /* GitLab notes: a list */
};
int forge_answer_parse(enum forge_kind kind, enum forge_answer what,
		       const char *body, size_t len, const char *branch,
		       struct forge_request *r, struct strvec *commits);

#endif
