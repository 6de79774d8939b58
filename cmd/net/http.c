/* The HTTP client: the only file that includes <curl/curl.h>. */
#include "config.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "base/die.h"
#include "base/json.h"
#include "base/paths.h"
#include "base/sha256.h"
#include "git/repo.h"
#include "net/http.h"

#define HTTP_DEFAULT_MAX_WAIT 120.0
#define HTTP_MAX_BODY (256u << 20)
#define HTTP_MAX_REDIRECTS 5
#define HTTP_CACHE_MAGIC "git-tokens http cache 1"

/*
 * libcurl is opened by the first command that talks HTTP, not linked:
 * with its TLS, Kerberos and LDAP libraries it costs about 10 ms of
 * every start (an empty program starts in 1.2 ms, 11.5 ms linked with
 * -lcurl), which a post-commit hook cannot afford and never uses. Each
 * pointer is checked against <curl/curl.h>'s prototype at build time.
 */
#define CURL_FUNCTIONS(F) \
	F(CURLcode, global_init, (long)) \
	F(void, global_cleanup, (void)) \
	F(CURL *, easy_init, (void)) \
	F(void, easy_cleanup, (CURL *)) \
	F(void, easy_reset, (CURL *)) \
	F(CURLcode, easy_setopt, (CURL *, CURLoption, ...)) \
	F(CURLcode, easy_perform, (CURL *)) \
	F(CURLcode, easy_getinfo, (CURL *, CURLINFO, ...)) \
	F(const char *, easy_strerror, (CURLcode)) \
	F(time_t, getdate, (const char *, const time_t *)) \
	F(struct curl_slist *, slist_append, \
	  (struct curl_slist *, const char *)) \
	F(void, slist_free_all, (struct curl_slist *))

#define CURL_POINTER(ret, name, args) ret (*name) args;
#define CURL_CHECK(ret, name, args) \
	_Static_assert(_Generic(&curl_##name, ret (*) args: 1, default: 0), \
		       "curl_" #name " differs from <curl/curl.h>");
static struct {
	CURL_FUNCTIONS(CURL_POINTER)
} lib;
CURL_FUNCTIONS(CURL_CHECK)

static int curl_load(void)
{
	static void *handle;
	const char *err;
	void *sym;

	if (handle)
		return 0;
	handle = dlopen(LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		err = dlerror();
		/* glibc starts with the name we just gave. */
		if (err && !strncmp(err, LIBCURL_SONAME ": ",
				    strlen(LIBCURL_SONAME ": ")))
			err += strlen(LIBCURL_SONAME ": ");
		return error("cannot load %s: %s", LIBCURL_SONAME,
			     err ? err : "unknown error");
	}
	/* POSIX's way from a data pointer to a function pointer. */
#define CURL_RESOLVE(ret, name, args) \
	if (!(sym = dlsym(handle, "curl_" #name))) \
		goto missing; \
	memcpy(&lib.name, &sym, sizeof(sym));
	CURL_FUNCTIONS(CURL_RESOLVE)
#undef CURL_RESOLVE
	return 0;
missing:
	err = dlerror();
	error("cannot load %s: %s", LIBCURL_SONAME,
	      err ? err : "unknown error");
	dlclose(handle);
	handle = NULL;
	return -1;
}

static CURL *curl;
static char *ca_info;
static char *proxy;
static double wait_budget;
static int initialized;
static uint64_t rng_state;

int http_init(struct repo *repo)
{
	const char *env;
	char *val = NULL;

	if (initialized)
		return 0;
	if (curl_load() < 0)
		return -1;
	if (lib.global_init(CURL_GLOBAL_DEFAULT))
		return error("unable to initialize libcurl");
	curl = lib.easy_init();
	if (!curl)
		return error("unable to initialize libcurl");

	/* As git: GIT_SSL_CAINFO over http.sslCAInfo; then curl's own. */
	env = getenv("GIT_SSL_CAINFO");
	if (!env || !*env) {
		if (repo && !repo_config_string(repo, "http.sslCAInfo", &val) &&
		    val && *val)
			env = val;
		else if (!(env = getenv("CURL_CA_BUNDLE")) || !*env)
			env = NULL;
	}
	ca_info = env ? xstrdup(env) : NULL;
	free(val);
	val = NULL;
	if (repo && !repo_config_string(repo, "http.proxy", &val) &&
	    val && *val)
		proxy = xstrdup(val);
	free(val);

	wait_budget = HTTP_DEFAULT_MAX_WAIT;
	env = getenv("GIT_TOKENS_HTTP_MAX_WAIT");
	if (env && *env) {
		char *end;
		double d = strtod(env, &end);

		if (*end || d < 0 || d != d)
			warning("ignoring invalid GIT_TOKENS_HTTP_MAX_WAIT '%s'",
				env);
		else
			wait_budget = d;
	}
	rng_state = (uint64_t)time(NULL) * 6364136223846793005ULL ^
		    (uint64_t)getpid();
	initialized = 1;
	return 0;
}

void http_cleanup(void)
{
	if (!initialized)
		return;
	lib.easy_cleanup(curl);
	curl = NULL;
	lib.global_cleanup();
	free(ca_info);
	free(proxy);
	ca_info = proxy = NULL;
	initialized = 0;
}

void http_request_release(struct http_request *req)
{
	strvec_clear(&req->headers);
}

void http_response_release(struct http_response *res)
{
	strbuf_release(&res->body);
	strvec_clear(&res->headers);
	res->status = 0;
	res->tries = 0;
}

const char *http_header(const struct http_response *res, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < res->headers.nr; i++) {
		const char *h = res->headers.v[i];

		if (!strncmp(h, name, n) && h[n] == ':')
			return h[n + 1] == ' ' ? h + n + 2 : h + n + 1;
	}
	return NULL;
}

int http_link_next(const struct http_response *res, struct strbuf *out)
{
	const char *link = http_header(res, "link"), *p;

	/* <url>; rel="next", <url>; rel="last" */
	for (p = link; p && *p; ) {
		const char *lt = strchr(p, '<'), *gt, *end;

		if (!lt || !(gt = strchr(lt, '>')))
			break;
		end = strchr(gt, ',');
		if (!end)
			end = gt + strlen(gt);
		{
			size_t n = (size_t)(end - gt);
			char *params = xstrndup(gt + 1, n ? n - 1 : 0);
			int next = strstr(params, "rel=\"next\"") ||
				   strstr(params, "rel=next");

			free(params);
			if (next) {
				strbuf_reset(out);
				strbuf_add(out, lt + 1, (size_t)(gt - lt - 1));
				return 0;
			}
		}
		p = *end ? end + 1 : end;
	}
	return 1;
}

int http_same_origin(const char *a, const char *b)
{
	const char *ea = strstr(a, "://"), *eb = strstr(b, "://");
	size_t la, lb;

	if (!ea || !eb)
		return 0;
	la = (size_t)(ea + 3 - a) + strcspn(ea + 3, "/?#");
	lb = (size_t)(eb + 3 - b) + strcspn(eb + 3, "/?#");
	return la == lb && !strncasecmp(a, b, la);
}

/* url with its page parameter set to page. */
static void set_page(struct strbuf *url, const char *page)
{
	struct strbuf out = STRBUF_INIT;
	const char *q = strchr(url->buf, '?'), *p;
	int done = 0;

	if (!q) {
		strbuf_addf(url, "?page=%s", page);
		return;
	}
	strbuf_add(&out, url->buf, (size_t)(q + 1 - url->buf));
	for (p = q + 1; *p; ) {
		size_t n = strcspn(p, "&");

		if (out.buf[out.len - 1] != '?')
			strbuf_addch(&out, '&');
		if (n >= 5 && !strncmp(p, "page=", 5)) {
			strbuf_addf(&out, "page=%s", page);
			done = 1;
		} else {
			strbuf_add(&out, p, n);
		}
		p += n;
		if (*p)
			p++;
	}
	if (!done)
		strbuf_addf(&out, "%spage=%s",
			    out.buf[out.len - 1] == '?' ? "" : "&", page);
	strbuf_reset(url);
	strbuf_addbuf(url, &out);
	strbuf_release(&out);
}

int http_next_page(const struct http_response *res, struct strbuf *url)
{
	struct strbuf next = STRBUF_INIT;
	const char *v;
	size_t i;

	if (!http_link_next(res, &next)) {
		strbuf_reset(url);
		strbuf_addbuf(url, &next);
		strbuf_release(&next);
		return 0;
	}
	strbuf_release(&next);
	/* GitLab leaves rel="last" out on big lists; x-next-page stays. */
	v = http_header(res, "x-next-page");
	if (!v || !*v)
		return 1;
	for (i = 0; v[i]; i++)
		if (!isdigit((unsigned char)v[i]))
			return 1;
	set_page(url, v);
	return 0;
}

void http_request_wipe(struct http_request *req)
{
	size_t i;

	for (i = 0; i < req->headers.nr; i++)
		memset((char *)req->headers.v[i], 0, strlen(req->headers.v[i]));
	http_request_release(req);
}

void http_url_encode(struct strbuf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-_.~", c)) {
			strbuf_addch(out, c);
		} else {
			strbuf_addch(out, '%');
			strbuf_addch(out, hex[c >> 4]);
			strbuf_addch(out, hex[c & 15]);
		}
	}
}

static int secret_param(const char *name, size_t len)
{
	static const char *const words[] = {
		"token", "key", "secret", "password", "passwd", "auth",
		"sig", "credential",
	};
	char *lower = xstrndup(name, len);
	size_t i;
	int ret = 0;

	for (i = 0; i < len; i++)
		lower[i] = (char)tolower((unsigned char)lower[i]);
	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strstr(lower, words[i]))
			ret = 1;
	free(lower);
	return ret;
}

void http_url_redact(struct strbuf *out, const char *url)
{
	const char *scheme = strstr(url, "://"), *host, *at, *slash, *q, *p;

	strbuf_reset(out);
	if (!scheme) {
		host = url;
	} else {
		strbuf_add(out, url, (size_t)(scheme + 3 - url));
		host = scheme + 3;
	}
	/* Drop user:password@ from the authority. */
	slash = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(slash - host));
	if (at)
		host = at + 1;
	q = strchr(host, '?');
	if (!q) {
		strbuf_addstr(out, host);
		return;
	}
	strbuf_add(out, host, (size_t)(q + 1 - host));
	for (p = q + 1; *p; ) {
		size_t len = strcspn(p, "&#");
		const char *eq = memchr(p, '=', len);

		if (eq && secret_param(p, (size_t)(eq - p))) {
			strbuf_add(out, p, (size_t)(eq + 1 - p));
			strbuf_addstr(out, "REDACTED");
		} else {
			strbuf_add(out, p, len);
		}
		p += len;
		if (*p == '#')
			break;
		if (*p)
			strbuf_addch(out, *p++);
	}
}

static size_t write_body(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct strbuf *sb = data;
	size_t n = size * nmemb;

	if (sb->len + n > HTTP_MAX_BODY)
		return 0;  /* curl reports a write error */
	strbuf_add(sb, ptr, n);
	return n;
}

static size_t write_header(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct strvec *headers = data;
	size_t n = size * nmemb, i, name_len;
	struct strbuf line = STRBUF_INIT;
	const char *colon;

	/* A new status line starts a new answer (100, redirects, proxy). */
	if (n >= 5 && !memcmp(ptr, "HTTP/", 5)) {
		strvec_clear(headers);
		return n;
	}
	colon = memchr(ptr, ':', n);
	if (!colon)
		return n;
	name_len = (size_t)(colon - ptr);
	for (i = 0; i < name_len; i++)
		strbuf_addch(&line, tolower((unsigned char)ptr[i]));
	strbuf_addstr(&line, ": ");
	colon++;
	while (colon < ptr + n && (*colon == ' ' || *colon == '\t'))
		colon++;
	strbuf_add(&line, colon, (size_t)(ptr + n - colon));
	strbuf_rtrim(&line);
	strvec_push(headers, line.buf);
	strbuf_release(&line);
	return n;
}

static double random_unit(void)
{
	/* xorshift64*: jitter only, not security. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717ULL) >> 11) /
	       (double)(1ULL << 53);
}

static void sleep_seconds(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/*
 * How long the server asked us to wait, in seconds; -1 when it did
 * not say.
 */
static double server_wait(const struct http_response *res)
{
	const char *v;
	time_t now = time(NULL);

	if ((v = http_header(res, "retry-after-ms")) && all_digits(v))
		return strtod(v, NULL) / 1000.0;
	if ((v = http_header(res, "retry-after"))) {
		time_t t;

		if (all_digits(v))
			return strtod(v, NULL);
		t = lib.getdate(v, NULL);
		if (t != -1)
			return t > now ? (double)(t - now) : 0;
	}
	/* GitHub: remaining 0 and a reset epoch; GitLab: RateLimit-Reset. */
	v = http_header(res, "x-ratelimit-remaining");
	if (v && !strcmp(v, "0") &&
	    (v = http_header(res, "x-ratelimit-reset")) && all_digits(v)) {
		double t = strtod(v, NULL);

		if (t > 1e9)
			return t > (double)now ? t - (double)now : 0;
	}
	if ((v = http_header(res, "ratelimit-reset")) && all_digits(v) &&
	    res->status == 429) {
		double t = strtod(v, NULL);

		if (t > 1e9)
			return t > (double)now ? t - (double)now : 0;
		return t;
	}
	return -1;
}

static int retryable_status(const struct http_response *res)
{
	switch (res->status) {
	case 429:
		/* OpenAI: an exhausted quota does not come back by waiting. */
		return !strstr(res->body.buf, "insufficient_quota");
	case 500: case 502: case 503: case 504: case 529:
		return 1;
	case 403:
		/* Rate limits that GitHub reports as 403. */
		return http_header(res, "retry-after") ||
		       ((http_header(res, "x-ratelimit-remaining") &&
			 !strcmp(http_header(res, "x-ratelimit-remaining"),
				 "0")));
	default:
		return 0;
	}
}

static int retryable_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return 1;
	default:
		return 0;
	}
}

static int sensitive_header(const char *h)
{
	static const char *const names[] = {
		"authorization:", "x-api-key:", "private-token:",
		"job-token:", "proxy-authorization:", "cookie:",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strncasecmp(h, names[i], strlen(names[i])))
			return 1;
	return 0;
}

static void scrub_value(struct strbuf *msg, const char *v)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = msg->buf, *hit;
	size_t vlen = v ? strlen(v) : 0;

	if (vlen < 4)
		return;
	while ((hit = strstr(p, v))) {
		strbuf_add(&out, p, (size_t)(hit - p));
		strbuf_addstr(&out, "<redacted>");
		p = hit + vlen;
	}
	strbuf_addstr(&out, p);
	strbuf_reset(msg);
	strbuf_addbuf(msg, &out);
	strbuf_release(&out);
}

/*
 * Replace each credential sent with req in msg, and every secret the
 * environment holds: servers, proxies too, may echo them.
 */
static void scrub_secrets(struct strbuf *msg, const struct http_request *req)
{
	static const char *const vars[] = {
		"GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN",
		"ANTHROPIC_ADMIN_KEY", "OPENAI_ADMIN_KEY",
	};
	size_t i;

	for (i = 0; i < req->headers.nr; i++) {
		const char *h = req->headers.v[i], *v;

		if (!sensitive_header(h))
			continue;
		v = strchr(h, ':') + 1;
		while (*v == ' ')
			v++;
		if (!strncasecmp(v, "Bearer ", 7) ||
		    !strncasecmp(v, "Basic ", 6))
			v = strchr(v, ' ') + 1;
		scrub_value(msg, v);
	}
	for (i = 0; i < ARRAY_SIZE(vars); i++)
		scrub_value(msg, getenv(vars[i]));
}

/* The server's own explanation from a JSON error body, on one line. */
static void server_message(struct strbuf *out, const struct http_response *res,
			   const struct http_request *req)
{
	struct json *root = json_parse(res->body.buf, res->body.len);
	const char *m = NULL;
	size_t i;

	strbuf_reset(out);
	if (root) {
		m = json_get_str(root, "error.message");
		if (!m)
			m = json_get_str(root, "message");
		if (!m)
			m = json_get_str(root, "error_description");
		if (!m)
			m = json_get_str(root, "error");
	}
	if (m) {
		for (i = 0; m[i] && i < 200; i++)
			strbuf_addch(out, iscntrl((unsigned char)m[i]) ?
				     ' ' : m[i]);
		if (m[i])
			strbuf_addstr(out, "...");
	}
	json_free(root);
	scrub_secrets(out, req);
}

static CURLcode perform_once(const struct http_request *req, const char *url,
			     struct http_response *res, struct strbuf *location)
{
	struct curl_slist *list = NULL;
	CURLcode rc;
	size_t i;
	char *redirect = NULL;
	const char *method = req->method ? req->method : "GET";

	strbuf_reset(&res->body);
	strvec_clear(&res->headers);
	strbuf_reset(location);
	res->status = 0;

	lib.easy_reset(curl);
	lib.easy_setopt(curl, CURLOPT_URL, url);
	lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	lib.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	lib.easy_setopt(curl, CURLOPT_PROTOCOLS,
			 (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	/* Never follow redirects blindly: our headers carry keys. */
	lib.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	lib.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	lib.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_info)
		lib.easy_setopt(curl, CURLOPT_CAINFO, ca_info);
	if (proxy)
		lib.easy_setopt(curl, CURLOPT_PROXY, proxy);
	lib.easy_setopt(curl, CURLOPT_USERAGENT, "git-tokens/" PACKAGE_VERSION);
	lib.easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	lib.easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	lib.easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
	lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
	lib.easy_setopt(curl, CURLOPT_WRITEDATA, &res->body);
	lib.easy_setopt(curl, CURLOPT_HEADERFUNCTION, write_header);
	lib.easy_setopt(curl, CURLOPT_HEADERDATA, &res->headers);

	for (i = 0; i < req->headers.nr; i++)
		list = lib.slist_append(list, req->headers.v[i]);
	if (req->etag && *req->etag) {
		char *h = xstrfmt("If-None-Match: %s", req->etag);

		list = lib.slist_append(list, h);
		free(h);
	}
	if (req->body) {
		list = lib.slist_append(list,
					 "Content-Type: application/json");
		lib.easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
		lib.easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)req->body_len);
	}
	if (strcmp(method, "GET") && strcmp(method, "POST"))
		lib.easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	else if (!strcmp(method, "POST") && !req->body)
		lib.easy_setopt(curl, CURLOPT_POSTFIELDS, "");
	lib.easy_setopt(curl, CURLOPT_HTTPHEADER, list);

	rc = lib.easy_perform(curl);
	if (rc == CURLE_OK) {
		lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->status);
		if (res->status >= 300 && res->status < 400 &&
		    !lib.easy_getinfo(curl, CURLINFO_REDIRECT_URL, &redirect) &&
		    redirect)
			strbuf_addstr(location, redirect);
	}
	/* The handle must not keep pointers to the list we free. */
	lib.easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	lib.slist_free_all(list);
	return rc;
}

static int report_status(const struct http_request *req,
			 const struct http_response *res, const char *shown)
{
	struct strbuf msg = STRBUF_INIT;
	int ret;

	switch (res->status) {
	case 401:
		if (req->key_var)
			ret = error("the server rejected the key in %s "
				    "(HTTP 401 from '%s')", req->key_var, shown);
		else
			ret = error("the server rejected our credentials "
				    "(HTTP 401 from '%s')", shown);
		break;
	case 403:
		if (req->key_var)
			ret = error("the server rejected the key in %s: "
				    "permission denied (HTTP 403 from '%s'); "
				    "an admin key is needed", req->key_var,
				    shown);
		else
			ret = error("permission denied (HTTP 403 from '%s')",
				    shown);
		break;
	default:
		server_message(&msg, res, req);
		if (res->tries > 1)
			ret = error("unable to fetch '%s': HTTP %ld%s%s "
				    "(gave up after %u tries)", shown,
				    res->status, msg.len ? ": " : "", msg.buf,
				    res->tries);
		else
			ret = error("unable to fetch '%s': HTTP %ld%s%s", shown,
				    res->status, msg.len ? ": " : "", msg.buf);
		break;
	}
	strbuf_release(&msg);
	return ret;
}

int http_request(struct http_request *req, struct http_response *res)
{
	struct strbuf shown = STRBUF_INIT, location = STRBUF_INIT;
	struct strbuf url = STRBUF_INIT;
	double waited = 0, wait;
	CURLcode rc = CURLE_OK;
	unsigned redirects = 0;
	int ret = -1;

	if (!initialized && http_init(NULL))
		return -1;
	strbuf_addstr(&url, req->url);
	http_url_redact(&shown, url.buf);
	res->tries = 0;
	for (;;) {
		res->tries++;
		rc = perform_once(req, url.buf, res, &location);

		if (rc == CURLE_OK && location.len &&
		    redirects < HTTP_MAX_REDIRECTS) {
			if (!http_same_origin(url.buf, location.buf)) {
				struct strbuf to = STRBUF_INIT;

				http_url_redact(&to, location.buf);
				error("refusing to follow a redirect from '%s' "
				      "to '%s'", shown.buf, to.buf);
				strbuf_release(&to);
				goto cleanup;
			}
			redirects++;
			res->tries--;
			strbuf_reset(&url);
			strbuf_addbuf(&url, &location);
			http_url_redact(&shown, url.buf);
			continue;
		}
		if (rc != CURLE_OK ? !retryable_curl(rc) :
		    !retryable_status(res))
			break;
		if (res->tries >= HTTP_MAX_TRIES)
			break;

		wait = rc == CURLE_OK ? server_wait(res) : -1;
		if (wait >= 0) {
			/* Honour the server: retrying early burns tries. */
			if (waited + wait > wait_budget) {
				error("unable to fetch '%s': the server asked "
				      "to wait %.0f s, more than allowed "
				      "(GIT_TOKENS_HTTP_MAX_WAIT=%.0f s)",
				      shown.buf, wait, wait_budget);
				goto cleanup;
			}
		} else {
			wait = (double)(1u << (res->tries - 1)) *
			       (0.5 + 0.5 * random_unit());
			if (waited + wait > wait_budget)
				wait = wait_budget - waited;
		}
		sleep_seconds(wait);
		waited += wait;
	}

	if (rc != CURLE_OK) {
		if (res->tries > 1)
			error("unable to fetch '%s': %s "
			      "(gave up after %u tries)",
			      shown.buf, lib.easy_strerror(rc), res->tries);
		else
			error("unable to fetch '%s': %s", shown.buf,
			      lib.easy_strerror(rc));
		goto cleanup;
	}
	if (location.len) {
		error("unable to fetch '%s': too many redirects", shown.buf);
		goto cleanup;
	}
	if (req->any_status || (res->status >= 200 && res->status < 300) ||
	    res->status == 304)
		ret = 0;
	else
		report_status(req, res, shown.buf);

cleanup:
	strbuf_release(&shown);
	strbuf_release(&location);
	strbuf_release(&url);
	return ret;
}

static int cache_path(struct repo *repo, const char *key, struct strbuf *out)
{
	char hex[65];

	strbuf_reset(out);
	if (repo_tokens_dir(repo, out) < 0)
		return -1;
	strbuf_rtrim(out);
	while (out->len && out->buf[out->len - 1] == '/')
		strbuf_setlen(out, out->len - 1);
	strbuf_addstr(out, "/http");
	if (mkdir(out->buf, 0777) < 0 && errno != EEXIST)
		return error_errno("unable to create '%s'", out->buf);
	sha256_hex(key, strlen(key), hex);
	strbuf_addf(out, "/%s", hex);
	return 0;
}

int http_cache_read(struct repo *repo, const char *url, struct strbuf *etag,
		    struct strbuf *body)
{
	struct strbuf key = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf sb = STRBUF_INIT;
	char *p, *nl, *end;
	unsigned long long len;
	int ret = 1;

	http_url_redact(&key, url);
	if (cache_path(repo, key.buf, &path) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (strbuf_read_file(&sb, path.buf, 0) < 0)
		goto cleanup;  /* absent: fetch again */

	/* Anything unexpected means "not cached": it is rebuilt. */
	p = sb.buf;
	if (strncmp(p, HTTP_CACHE_MAGIC "\n", strlen(HTTP_CACHE_MAGIC) + 1))
		goto cleanup;
	p += strlen(HTTP_CACHE_MAGIC) + 1;
	if (strncmp(p, "url ", 4) || !(nl = strchr(p, '\n')) ||
	    (size_t)(nl - p - 4) != key.len || memcmp(p + 4, key.buf, key.len))
		goto cleanup;
	p = nl + 1;
	if (strncmp(p, "etag ", 5) || !(nl = strchr(p, '\n')))
		goto cleanup;
	strbuf_reset(etag);
	strbuf_add(etag, p + 5, (size_t)(nl - p - 5));
	p = nl + 1;
	if (strncmp(p, "length ", 7))
		goto cleanup;
	errno = 0;
	len = strtoull(p + 7, &end, 10);
	if (errno || *end != '\n' || end[1] != '\n')
		goto cleanup;
	p = end + 2;
	if ((size_t)(sb.buf + sb.len - p) != len)
		goto cleanup;
	strbuf_reset(body);
	strbuf_add(body, p, (size_t)len);
	ret = 0;
cleanup:
	strbuf_release(&key);
	strbuf_release(&path);
	strbuf_release(&sb);
	return ret;
}

int http_cache_write(struct repo *repo, const char *url, const char *etag,
		     const char *body, size_t len)
{
	struct strbuf key = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf sb = STRBUF_INIT;
	int ret = -1;

	http_url_redact(&key, url);
	if (cache_path(repo, key.buf, &path) < 0)
		goto cleanup;
	if (!etag || strchr(etag, '\n'))
		etag = "";
	strbuf_addf(&sb, "%s\nurl %s\netag %s\nlength %lu\n\n",
		    HTTP_CACHE_MAGIC, key.buf, etag, (unsigned long)len);
	strbuf_add(&sb, body, len);
	ret = write_file_strbuf(path.buf, &sb, 0600, WRITE_FILE_SYNC);
cleanup:
	strbuf_release(&key);
	strbuf_release(&path);
	strbuf_release(&sb);
	return ret;
}

int http_get_cached(struct repo *repo, struct http_request *req,
		    struct http_response *res, int offline)
{
	struct strbuf etag = STRBUF_INIT, cached = STRBUF_INIT;
	struct strbuf shown = STRBUF_INIT;
	const char *new_etag;
	int have, ret = -1;

	have = http_cache_read(repo, req->url, &etag, &cached);
	if (have < 0)
		goto cleanup;
	if (offline) {
		if (have) {
			http_url_redact(&shown, req->url);
			error("no cached answer for '%s' (run without "
			      "--offline)", shown.buf);
			goto cleanup;
		}
		res->status = 200;
		strbuf_reset(&res->body);
		strbuf_addbuf(&res->body, &cached);
		ret = 0;
		goto cleanup;
	}
	req->etag = !have && etag.len ? etag.buf : NULL;
	if (http_request(req, res) < 0)
		goto cleanup;
	if (res->status == 304 && !have) {
		strbuf_reset(&res->body);
		strbuf_addbuf(&res->body, &cached);
	} else if (res->status >= 200 && res->status < 300) {
		new_etag = http_header(res, "etag");
		if (http_cache_write(repo, req->url, new_etag, res->body.buf,
				     res->body.len) < 0)
			warning("could not cache the answer; continuing");
	}
	ret = 0;
cleanup:
	req->etag = NULL;
	strbuf_release(&etag);
	strbuf_release(&cached);
	strbuf_release(&shown);
	return ret;
}
