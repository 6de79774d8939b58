/*
 * The sticky comment that "git tokens ci" keeps on a pull or merge
 * request: list the request's comments (every page), pick ours by the
 * hidden marker and the author, then PATCH (GitHub) or PUT (GitLab) it,
 * or POST a new one. Only http.c talks to libcurl; the token travels in
 * request headers only and is wiped when a request is done.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/die.h"
#include "base/json.h"
#include "net/comment.h"
#include "net/forge.h"
#include "net/http.h"

#define GITHUB_VERSION "2022-11-28"
#define GITHUB_ACTIONS_BOT "github-actions[bot]"
#define MAX_PAGES 100

size_t comment_max(const struct forge *f)
{
	return f->kind == FORGE_GITLAB ? COMMENT_MAX_GITLAB :
		COMMENT_MAX_GITHUB;
}

/* Characters of UTF-8 text: bytes that do not continue a sequence. */
static size_t utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

int comment_fit(struct strbuf *body, size_t max, int bytes, const char *note)
{
	size_t note_len = strlen(note) + 2, used = 0, keep = 0, i;

	if ((bytes ? body->len : utf8_chars(body->buf, body->len)) <= max)
		return 0;
	if (bytes ? note_len > max : utf8_chars(note, note_len - 2) + 2 > max)
		BUG("the note does not fit in %zu", max);
	max -= bytes ? note_len : utf8_chars(note, note_len - 2) + 2;
	/* Whole lines only, so that a table loses rows, not cells. */
	for (i = 0; i < body->len; i++) {
		if (!bytes && ((unsigned char)body->buf[i] & 0xc0) == 0x80)
			continue;
		if (++used > max)
			break;
		if (body->buf[i] == '\n')
			keep = i + 1;
	}
	strbuf_setlen(body, keep);
	strbuf_addch(body, '\n');
	strbuf_addstr(body, note);
	strbuf_addch(body, '\n');
	return 1;
}

void comment_result_release(struct comment_result *r)
{
	free(r->user);
	r->user = NULL;
	strbuf_release(&r->reason);
}

/*
 * One request; body (JSON) may be NULL. Returns 0 with any final
 * status in res, or -1 after error() (network, retries exhausted).
 */
static int send_request(struct forge *f, const char *method, const char *url,
			const char *body, struct http_response *res)
{
	struct http_request req = HTTP_REQUEST_INIT;
	int ret;

	forge_headers(f, &req);
	req.method = method;
	req.url = url;
	if (body) {
		req.body = body;
		req.body_len = strlen(body);
	}
	f->requests++;
	ret = http_request(&req, res);
	http_request_wipe(&req);
	return ret;
}

/* The forge's own words from an error answer, kept short. */
static void api_message(struct strbuf *out, const struct http_response *res)
{
	struct json *j = json_parse(res->body.buf, res->body.len);
	const char *msg = json_get_str(j, "message");
	size_t len, i;

	if (!msg)
		msg = json_get_str(j, "error");
	if (msg) {
		len = strlen(msg);
		if (len > 200)
			len = 200;
		strbuf_addstr(out, ": ");
		for (i = 0; i < len; i++)
			strbuf_addch(out, isprint((unsigned char)msg[i]) ?
				     msg[i] : ' ');
	}
	json_free(j);
}

static int is_ok(const struct http_response *res)
{
	return res->status >= 200 && res->status < 300;
}

/*
 * A failed answer: 1 when the forge refused us write or read access
 * (the reason goes to r->reason), -1 after error() for the rest.
 */
static int refused(struct forge *f, const struct http_response *res,
		   const char *what, const char *url,
		   struct comment_result *r)
{
	struct strbuf shown = STRBUF_INIT, msg = STRBUF_INIT;
	int ret;

	http_url_redact(&shown, url);
	api_message(&msg, res);
	/* A GitLab job token that may not do something gets a 404. */
	if (res->status == 403 ||
	    (res->status == 404 && f->kind == FORGE_GITLAB)) {
		strbuf_reset(&r->reason);
		strbuf_addf(&r->reason, "%s was refused (HTTP %ld%s)", what,
			    res->status, msg.buf);
		ret = 1;
	} else if (res->status == 401) {
		ret = error("the token from %s was rejected (HTTP 401 from "
			    "'%s')", f->key_var ? f->key_var : "(none)",
			    shown.buf);
	} else {
		ret = error("%s failed: HTTP %ld from '%s'%s", what,
			    res->status, shown.buf, msg.buf);
	}
	strbuf_release(&shown);
	strbuf_release(&msg);
	return ret;
}

/* Whose comments are ours: 0 with r->user set, 1 refused, -1. */
static int whoami(struct forge *f, struct comment_result *r)
{
	struct http_response res = HTTP_RESPONSE_INIT;
	char *url = xstrfmt("%s/user", f->api);
	struct json *j = NULL;
	const char *name;
	int ret = 0;

	/* GitLab's CI job token may read notes, never write them. */
	if (f->kind == FORGE_GITLAB && f->key_var &&
	    !strcmp(f->key_var, "CI_JOB_TOKEN")) {
		strbuf_addstr(&r->reason, "CI_JOB_TOKEN cannot write merge "
			      "request notes (set GITLAB_TOKEN to a project "
			      "access token with the api scope)");
		ret = 1;
		goto cleanup;
	}
	if (send_request(f, "GET", url, NULL, &res) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (is_ok(&res)) {
		j = json_parse(res.body.buf, res.body.len);
		name = json_get_str(j, f->kind == FORGE_GITLAB ?
				    "username" : "login");
		if (name && *name) {
			r->user = xstrdup(name);
			goto cleanup;
		}
	}
	if (f->kind == FORGE_GITHUB) {
		/* An Actions GITHUB_TOKEN may not ask: it is that bot. */
		r->user = xstrdup(GITHUB_ACTIONS_BOT);
		goto cleanup;
	}
	if (is_ok(&res)) {
		ret = error("no username in the answer from '%s'", url);
		goto cleanup;
	}
	ret = refused(f, &res, "finding whose notes are ours (GET /user)",
		      url, r);
cleanup:
	json_free(j);
	http_response_release(&res);
	free(url);
	return ret;
}

/*
 * Look for our comment in one page: the first one by r->user holding
 * the marker. Sets *id and body when found.
 */
static int find_ours(struct forge *f, const struct json *page,
		     const struct comment_result *r, uint64_t *id,
		     struct strbuf *body)
{
	const char *author_path = f->kind == FORGE_GITLAB ?
		"author.username" : "user.login";
	struct json *c;

	for (c = json_child(page); c; c = json_next(c)) {
		const char *author = json_get_str(c, author_path);
		const char *text = json_get_str(c, "body");
		uint64_t n;

		if (json_bool(json_get(c, "system")) == 1)
			continue;
		if (!author || strcasecmp(author, r->user) || !text ||
		    !strstr(text, COMMENT_MARKER))
			continue;
		if (json_get_u64(c, "id", &n) != JSON_NUM_OK)
			continue;
		*id = n;
		strbuf_addstr(body, text);
		return 1;
	}
	return 0;
}

/* Page through the comments: 0 (*id 0 when none is ours), 1, -1. */
static int find_comment(struct forge *f, const char *list_url,
			struct comment_result *r, uint64_t *id,
			struct strbuf *body)
{
	struct http_response res = HTTP_RESPONSE_INIT;
	struct strbuf url = STRBUF_INIT, shown = STRBUF_INIT;
	struct json *j = NULL;
	int ret = 0, pages = 0;

	*id = 0;
	strbuf_addf(&url, f->kind == FORGE_GITLAB ?
		    "%s?sort=asc&order_by=created_at&per_page=100" :
		    "%s?per_page=100", list_url);
	for (;;) {
		http_url_redact(&shown, url.buf);
		if (send_request(f, "GET", url.buf, NULL, &res) < 0) {
			ret = -1;
			break;
		}
		if (!is_ok(&res)) {
			ret = refused(f, &res, "listing the comments",
				      url.buf, r);
			break;
		}
		j = json_parse(res.body.buf, res.body.len);
		if (!json_is_array(j)) {
			ret = error("malformed JSON in the answer from '%s'",
				    shown.buf);
			break;
		}
		if (find_ours(f, j, r, id, body))
			break;
		json_free(j);
		j = NULL;
		if (++pages >= MAX_PAGES || http_next_page(&res, &url))
			break;
		if (!http_same_origin(url.buf, f->api)) {
			/* The token goes with every page: keep it home. */
			http_url_redact(&shown, url.buf);
			ret = error("refusing to follow a next page to '%s'",
				    shown.buf);
			break;
		}
	}
	json_free(j);
	http_response_release(&res);
	strbuf_release(&url);
	strbuf_release(&shown);
	return ret;
}

/* Send body as a new or edited comment: 0 (id set), 1, -1. */
static int write_comment(struct forge *f, const char *method, const char *url,
			 const char *body, const char *what,
			 struct comment_result *r)
{
	struct http_response res = HTTP_RESPONSE_INIT;
	struct strbuf json = STRBUF_INIT;
	struct json *j = NULL;
	uint64_t id;
	int ret = 0;

	strbuf_addstr(&json, "{\"body\":");
	strbuf_add_json_str(&json, body);
	strbuf_addch(&json, '}');
	if (send_request(f, method, url, json.buf, &res) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (!is_ok(&res)) {
		ret = refused(f, &res, what, url, r);
		goto cleanup;
	}
	j = json_parse(res.body.buf, res.body.len);
	if (json_get_u64(j, "id", &id) == JSON_NUM_OK)
		r->id = id;
cleanup:
	json_free(j);
	http_response_release(&res);
	strbuf_release(&json);
	return ret;
}

int comment_upsert(struct forge *f, uint64_t n, const char *body,
		   struct comment_result *r)
{
	struct strbuf project = STRBUF_INIT, old = STRBUF_INIT;
	char *list_url = NULL, *url = NULL;
	uint64_t id;
	int ret;

	if (f->kind == FORGE_GITLAB) {
		http_url_encode(&project, f->project);
		list_url = xstrfmt("%s/projects/%s/merge_requests/%" PRIu64
				   "/notes", f->api, project.buf, n);
	} else {
		strbuf_addstr(&project, f->project);
		list_url = xstrfmt("%s/repos/%s/issues/%" PRIu64 "/comments",
				   f->api, project.buf, n);
	}
	ret = whoami(f, r);
	if (ret)
		goto cleanup;
	ret = find_comment(f, list_url, r, &id, &old);
	if (ret)
		goto cleanup;
	if (!id) {
		ret = write_comment(f, "POST", list_url, body,
				    "creating the comment", r);
		r->action = COMMENT_CREATED;
		goto cleanup;
	}
	r->id = id;
	/* An edit costs a content-creation point: skip a no-op. */
	if (!strcmp(old.buf, body)) {
		r->action = COMMENT_UNCHANGED;
		goto cleanup;
	}
	if (f->kind == FORGE_GITLAB)
		url = xstrfmt("%s/%" PRIu64, list_url, id);
	else
		url = xstrfmt("%s/repos/%s/issues/comments/%" PRIu64,
			      f->api, project.buf, id);
	ret = write_comment(f, f->kind == FORGE_GITLAB ? "PUT" : "PATCH",
			    url, body, "updating the comment", r);
	r->action = COMMENT_UPDATED;
cleanup:
	strbuf_release(&project);
	strbuf_release(&old);
	free(list_url);
	free(url);
	return ret;
}
