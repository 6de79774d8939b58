#ifndef TOKENS_COMMENT_H
#define TOKENS_COMMENT_H

#include <stddef.h>
#include <stdint.h>
#include "base/strbuf.h"

struct forge;

/*
 * The sticky comment of "git tokens ci":
 * one comment per pull or merge request, found again by a hidden marker
 * among the comments of the token's own user, and edited in place.
 */
#define COMMENT_MARKER "<!-- git-tokens -->"

/* What a forge takes in one comment: characters, not bytes. */
#define COMMENT_MAX_GITHUB 65536
#define COMMENT_MAX_GITLAB 1000000
size_t comment_max(const struct forge *f);

/*
 * Cut body at a line boundary so that it and note (appended after a
 * blank line) stay within max characters (max bytes with bytes set).
 * Returns 1 when it was cut, 0 when it fitted.
 */
int comment_fit(struct strbuf *body, size_t max, int bytes, const char *note);

enum comment_action {
	COMMENT_CREATED = 1,
	COMMENT_UPDATED,
	COMMENT_UNCHANGED,
};

struct comment_result {
	enum comment_action action;
	uint64_t id;
	char *user;             /* whose comments were searched */
	struct strbuf reason;   /* why it was refused (return 1) */
};
#define COMMENT_RESULT_INIT { .reason = STRBUF_INIT }
void comment_result_release(struct comment_result *r);

/*
 * Create or update the marked comment of request n (a pull request
 * number or a merge request iid) of f->project on f->api with f->auth.
 * body must hold COMMENT_MARKER. The comment found is the first one by
 * the token's user (GET /user; on GitHub, "github-actions[bot]" when the
 * token may not ask) that holds the marker; it is edited only when its
 * text differs. Returns 0 (res says what was done), 1 when the forge
 * refused (no write access: a fork's pull request, a job token; the
 * reason is in res->reason, nothing printed), or -1 after error().
 */
int comment_upsert(struct forge *f, uint64_t n, const char *body,
		   struct comment_result *res);

#endif
