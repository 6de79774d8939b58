#ifndef TOKENS_HTTP_H
#define TOKENS_HTTP_H

#include <stddef.h>
#include "base/strbuf.h"
#include "base/strvec.h"

struct repo;

/*
 * A small HTTP client over libcurl; http.c is the only file that
 * includes <curl/curl.h>. Requests are made one at a time. TLS is
 * always verified; the CA bundle comes from GIT_SSL_CAINFO,
 * http.sslCAInfo or CURL_CA_BUNDLE, the proxy from http.proxy or the
 * usual *_proxy variables. 429, 5xx, 529 and transport errors are
 * retried (HTTP_MAX_TRIES in all) honouring retry-after, with at most
 * GIT_TOKENS_HTTP_MAX_WAIT seconds (default 120) of waiting in total.
 */
#define HTTP_MAX_TRIES 4

/* Once per process; repo may be NULL (no git config then). */
int http_init(struct repo *repo);
void http_cleanup(void);

struct http_request {
	const char *method;     /* "GET" when NULL */
	const char *url;
	/*
	 * "Name: value" lines. They may carry a secret: they are never
	 * printed, logged or stored.
	 */
	struct strvec headers;
	const char *body;       /* request body (POST, PATCH), or NULL */
	size_t body_len;
	/* The variable the credential came from, named in messages. */
	const char *key_var;
	const char *etag;       /* sent as If-None-Match */
	/* Return 0 for any final status: the caller checks it. */
	unsigned any_status:1;
};
#define HTTP_REQUEST_INIT { .headers = STRVEC_INIT }

struct http_response {
	long status;            /* of the final answer; 0 if none */
	struct strbuf body;
	/* "name: value" of the final answer, names in lower case. */
	struct strvec headers;
	unsigned tries;
};
#define HTTP_RESPONSE_INIT { .body = STRBUF_INIT, .headers = STRVEC_INIT }

/*
 * Perform req (with retries). Returns 0 on a 2xx or 304 answer (any
 * answer with any_status), else -1 after an error() that names the
 * URL without secrets and, for 401/403, the key's variable.
 */
int http_request(struct http_request *req, struct http_response *res);
void http_request_release(struct http_request *req);
void http_response_release(struct http_response *res);

/* A response header by lower-case name, or NULL. */
const char *http_header(const struct http_response *res, const char *name);
/* The URL of the rel="next" entry of a Link header: 0, or 1 if none. */
int http_link_next(const struct http_response *res, struct strbuf *out);
/*
 * Move url to the next page: the Link header's rel="next", else
 * GitLab's x-next-page put in url's page parameter. 0, or 1 when this
 * was the last page.
 */
int http_next_page(const struct http_response *res, struct strbuf *url);
/* Scheme, host and port equal: a token may follow the URL. */
int http_same_origin(const char *a, const char *b);
/* http_request_release() after zeroing the headers (they hold tokens). */
void http_request_wipe(struct http_request *req);

/* Append s percent-encoded for a query component. */
void http_url_encode(struct strbuf *out, const char *s);
/* url without user info and with secret-looking query values hidden. */
void http_url_redact(struct strbuf *out, const char *url);

/*
 * The answer cache under <tokens dir>/http/: one versioned file per
 * URL (redacted) holding the ETag and the body of the last good
 * answer. Request headers are never stored.
 */
/* 0 when found (etag may be empty), 1 when absent or unusable, -1. */
int http_cache_read(struct repo *repo, const char *url,
		    struct strbuf *etag, struct strbuf *body);
int http_cache_write(struct repo *repo, const char *url, const char *etag,
		     const char *body, size_t len);

/*
 * GET through the cache: with offline, answer from the cache only
 * (error when absent); else send If-None-Match when an ETag is cached,
 * fill the body from the cache on 304 and store each good answer.
 */
int http_get_cached(struct repo *repo, struct http_request *req,
		    struct http_response *res, int offline);

#endif
