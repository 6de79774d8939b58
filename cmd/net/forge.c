/*
 * GitHub and GitLab REST clients for review outcomes: which merged
 * request brought a commit in, its reviews or approvals, its commits.
 * Every answer is kept in the HTTP answer cache (whole lists in one
 * entry) so that reports can run offline.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/date.h"
#include "base/die.h"
#include "base/json.h"
#include "base/run-command.h"
#include "git/repo.h"
#include "net/forge.h"
#include "net/http.h"

#define GITHUB_API "https://api.github.com"
#define GITHUB_VERSION "2022-11-28"
#define MAX_PAGES 100

/* forge_get() flags. */
#define GET_PAGED 1        /* a list: follow the next pages */
#define GET_SOFT_DENIED 2  /* 401/403 mean "not available", no error */

const char *forge_name(enum forge_kind kind)
{
	static const char *const names[] = {
		[FORGE_NONE] = "none",
		[FORGE_GITHUB] = "github",
		[FORGE_GITLAB] = "gitlab",
		[FORGE_GERRIT] = "gerrit",
	};

	if ((size_t)kind < ARRAY_SIZE(names) && names[kind])
		return names[kind];
	return "none";
}

static const char *forge_title(enum forge_kind kind)
{
	return kind == FORGE_GITLAB ? "GitLab" : "GitHub";
}

int forge_parse(const char *s, enum forge_kind *out)
{
	static const enum forge_kind kinds[] = {
		FORGE_NONE, FORGE_GITHUB, FORGE_GITLAB, FORGE_GERRIT,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcasecmp(s, forge_name(kinds[i]))) {
			*out = kinds[i];
			return 0;
		}
	return -1;
}

void forge_release(struct forge *f)
{
	size_t i;

	/* The token lives in these lines: wipe it before freeing. */
	for (i = 0; i < f->auth.nr; i++)
		memset((char *)f->auth.v[i], 0, strlen(f->auth.v[i]));
	strvec_clear(&f->auth);
	free(f->host);
	free(f->protocol);
	free(f->project);
	free(f->api);
	f->host = f->protocol = f->project = f->api = NULL;
}

void forge_request_release(struct forge_request *r)
{
	free(r->target);
	r->target = NULL;
}

/* --- where the repository lives ------------------------------------------- */

/*
 * Split a remote URL into protocol (for git credential), host and
 * project path. https://[user@]host[:port]/path, ssh://..., and
 * scp-like [user@]host:path. Returns 0, or 1 for local paths.
 */
static int parse_remote_url(const char *url, struct strbuf *proto,
			    struct strbuf *host, struct strbuf *path)
{
	const char *scheme_end = strstr(url, "://"), *auth, *slash, *at;
	const char *colon;
	int ssh = 0;

	strbuf_reset(proto);
	strbuf_reset(host);
	strbuf_reset(path);
	if (scheme_end) {
		size_t slen = (size_t)(scheme_end - url);

		if (slen == 5 && !strncasecmp(url, "https", 5))
			strbuf_addstr(proto, "https");
		else if (slen == 4 && !strncasecmp(url, "http", 4))
			strbuf_addstr(proto, "http");
		else if ((slen == 3 && !strncasecmp(url, "ssh", 3)) ||
			 (slen == 7 && !strncasecmp(url, "git+ssh", 7)) ||
			 (slen == 3 && !strncasecmp(url, "git", 3)))
			ssh = 1;
		else
			return 1;
		auth = scheme_end + 3;
		slash = auth + strcspn(auth, "/");
		at = memchr(auth, '@', (size_t)(slash - auth));
		if (at)
			auth = at + 1;
		if (ssh) {
			/* An ssh port says nothing about the web host. */
			colon = memchr(auth, ':', (size_t)(slash - auth));
			if (!colon)
				colon = slash;
			strbuf_add(host, auth, (size_t)(colon - auth));
		} else {
			strbuf_add(host, auth, (size_t)(slash - auth));
		}
		strbuf_addstr(path, *slash ? slash + 1 : "");
	} else {
		colon = strchr(url, ':');
		slash = strchr(url, '/');
		if (!colon || (slash && slash < colon) || colon == url)
			return 1;
		auth = url;
		at = memchr(url, '@', (size_t)(colon - url));
		if (at)
			auth = at + 1;
		strbuf_add(host, auth, (size_t)(colon - auth));
		strbuf_addstr(path, colon + 1);
		ssh = 1;
	}
	if (ssh)
		strbuf_addstr(proto, "https");
	while (path->len && path->buf[0] == '/') {
		memmove(path->buf, path->buf + 1, path->len);
		path->len--;
	}
	while (path->len && path->buf[path->len - 1] == '/')
		strbuf_setlen(path, path->len - 1);
	if (path->len > 4 && !strcmp(path->buf + path->len - 4, ".git"))
		strbuf_setlen(path, path->len - 4);
	if (!host->len)
		return 1;
	return 0;
}

static enum forge_kind guess_kind(const char *host)
{
	char *lower = xstrdup(host);
	enum forge_kind kind = FORGE_NONE;
	size_t i;

	for (i = 0; lower[i]; i++)
		lower[i] = (char)tolower((unsigned char)lower[i]);
	if (strstr(lower, "github"))
		kind = FORGE_GITHUB;
	else if (strstr(lower, "gitlab"))
		kind = FORGE_GITLAB;
	else if (strstr(lower, "gerrit") || strstr(lower, "googlesource.com") ||
		 strstr(lower, ":29418"))
		kind = FORGE_GERRIT;
	free(lower);
	return kind;
}

/* The URL of the remote the mainline tracks, else origin, else any. */
static char *remote_url(struct repo *repo, const char *mainline_ref)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	char *url = NULL, *key, *sp, *nl;

	if (mainline_ref && !strncmp(mainline_ref, "refs/remotes/", 13)) {
		const char *name = mainline_ref + 13, *end = strchr(name, '/');

		if (end) {
			key = xstrfmt("remote.%.*s.url", (int)(end - name),
				      name);
			if (repo_config_string(repo, key, &url) || !url) {
				free(url);
				url = NULL;
			}
			free(key);
			if (url)
				return url;
		}
	}
	if (!repo_config_string(repo, "remote.origin.url", &url) && url)
		return url;
	free(url);
	url = NULL;

	cp.git_cmd = 1;
	cp.no_stderr = 1;
	strvec_pushl(&cp.args, "config", "--get-regexp", "^remote\\..*\\.url$",
		     NULL);
	if (!capture_command(&cp, &out) && (sp = strchr(out.buf, ' '))) {
		nl = strchr(sp, '\n');
		if (nl)
			*nl = '\0';
		url = xstrdup(sp + 1);
	}
	child_process_clear(&cp);
	strbuf_release(&out);
	return url;
}

static void set_api(struct forge *f)
{
	const char *env;
	size_t len;

	if (f->kind == FORGE_GITHUB) {
		env = getenv("GIT_TOKENS_GITHUB_API");
		if (env && *env)
			f->api = xstrdup(env);
		else if (!strcasecmp(f->host, "github.com"))
			f->api = xstrdup(GITHUB_API);
		else  /* GitHub Enterprise Server */
			f->api = xstrfmt("https://%s/api/v3", f->host);
	} else {
		env = getenv("GIT_TOKENS_GITLAB_API");
		if (env && *env)
			f->api = xstrdup(env);
		else
			f->api = xstrfmt("%s://%s/api/v4", f->protocol,
					 f->host);
	}
	len = strlen(f->api);
	while (len && f->api[len - 1] == '/')
		f->api[--len] = '\0';
}

int forge_detect(struct forge *f, struct repo *repo, const char *mainline_ref,
		 enum forge_kind force)
{
	struct strbuf proto = STRBUF_INIT, host = STRBUF_INIT;
	struct strbuf path = STRBUF_INIT;
	char *cfg = NULL, *url;
	enum forge_kind kind = FORGE_NONE;
	int have_url = 0, have_cfg = 0;

	f->repo = repo;
	f->kind = FORGE_NONE;
	url = remote_url(repo, mainline_ref);
	if (url && !parse_remote_url(url, &proto, &host, &path))
		have_url = 1;
	if (!repo_config_string(repo, "tokens.forge", &cfg) && cfg) {
		if (forge_parse(cfg, &kind) < 0)
			warning("ignoring invalid tokens.forge '%s' (expected "
				"github, gitlab, gerrit or none)", cfg);
		else
			have_cfg = 1;
	}
	if (force != FORGE_NONE)
		kind = force;
	else if (!have_cfg)
		kind = have_url ? guess_kind(host.buf) : FORGE_NONE;

	if (have_url) {
		f->host = strbuf_detach(&host, NULL);
		f->protocol = strbuf_detach(&proto, NULL);
	}
	if (kind == FORGE_GITHUB || kind == FORGE_GITLAB) {
		/* Without a project there is nothing to ask about. */
		if (!have_url || !strchr(path.buf, '/'))
			kind = FORGE_NONE;
		else
			f->project = strbuf_detach(&path, NULL);
	}
	f->kind = kind;
	if (kind == FORGE_GITHUB || kind == FORGE_GITLAB)
		set_api(f);
	free(cfg);
	free(url);
	strbuf_release(&proto);
	strbuf_release(&host);
	strbuf_release(&path);
	return 0;
}

/* --- tokens --------------------------------------------------------------- */

/* "git credential fill" for the host; never prompts. 0 with a password. */
static int credential_fill(struct forge *f, struct strbuf *password)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	FILE *in;
	char *p, *nl;
	int ret = 1;

	if (!f->host || !f->protocol)
		return 1;
	in = tmpfile();
	if (!in)
		return 1;
	fprintf(in, "protocol=%s\nhost=%s\n\n", f->protocol, f->host);
	if (fflush(in) || fseek(in, 0, SEEK_SET))
		goto cleanup;
	cp.git_cmd = 1;
	cp.in = fileno(in);
	cp.no_stderr = 1;
	strvec_pushl(&cp.args, "credential", "fill", NULL);
	/* Ask the helpers only: no terminal, no askpass, no GUI. */
	strvec_pushl(&cp.env, "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=",
		     "SSH_ASKPASS=", "GCM_INTERACTIVE=never", NULL);
	if (capture_command(&cp, &out))
		goto cleanup;
	for (p = out.buf; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (!strncmp(p, "password=", 9) && nl > p + 9) {
			strbuf_reset(password);
			strbuf_add(password, p + 9, (size_t)(nl - p - 9));
			ret = 0;
		}
		if (!*nl)
			break;
	}
cleanup:
	memset(out.buf, 0, out.len);
	strbuf_release(&out);
	child_process_clear(&cp);
	fclose(in);
	return ret;
}

int forge_auth(struct forge *f)
{
	static const struct {
		enum forge_kind kind;
		const char *var;
		const char *header;
	} vars[] = {
		{ FORGE_GITHUB, "GITHUB_TOKEN", "Authorization: Bearer " },
		{ FORGE_GITHUB, "GH_TOKEN", "Authorization: Bearer " },
		{ FORGE_GITLAB, "GITLAB_TOKEN", "PRIVATE-TOKEN: " },
		{ FORGE_GITLAB, "CI_JOB_TOKEN", "JOB-TOKEN: " },
	};
	struct strbuf pw = STRBUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		const char *v = getenv(vars[i].var);

		if (vars[i].kind != f->kind || !v || !*v)
			continue;
		strvec_pushf(&f->auth, "%s%s", vars[i].header, v);
		f->key_var = vars[i].var;
		return 0;
	}
	if (credential_fill(f, &pw))
		return 1;
	strvec_pushf(&f->auth, "Authorization: Bearer %s", pw.buf);
	f->key_var = "the git credential";
	memset(pw.buf, 0, pw.len);
	strbuf_release(&pw);
	return 0;
}

/* --- requests ------------------------------------------------------------- */

void forge_headers(struct forge *f, struct http_request *req)
{
	size_t i;

	if (f->kind == FORGE_GITHUB) {
		strvec_push(&req->headers,
			    "Accept: application/vnd.github+json");
		strvec_push(&req->headers,
			    "X-GitHub-Api-Version: " GITHUB_VERSION);
	} else {
		strvec_push(&req->headers, "Accept: application/json");
	}
	for (i = 0; i < f->auth.nr; i++)
		strvec_push(&req->headers, f->auth.v[i]);
	req->key_var = f->key_var;
	req->any_status = 1;
}

/* Append the items of a JSON array text to all ("[" already there). */
static void append_items(struct strbuf *all, const char *buf, size_t len)
{
	while (len && isspace((unsigned char)*buf))
		buf++, len--;
	while (len && isspace((unsigned char)buf[len - 1]))
		len--;
	if (len < 2)
		return;
	buf++;
	len -= 2;
	while (len && isspace((unsigned char)*buf))
		buf++, len--;
	if (!len)
		return;
	if (all->len > 1)
		strbuf_addch(all, ',');
	strbuf_add(all, buf, len);
}

static int rate_limited(const struct http_response *res)
{
	const char *v = http_header(res, "x-ratelimit-remaining");

	if (res->status == 429)
		return 1;
	if (v && !strcmp(v, "0"))
		return 1;
	if (!v && (v = http_header(res, "ratelimit-remaining")) &&
	    !strcmp(v, "0"))
		return 1;
	return http_header(res, "retry-after") != NULL;
}

/* A failed answer: 1 (nothing there) or -1 after error(). */
static int status_error(struct forge *f, const struct http_response *res,
			const char *shown, unsigned flags)
{
	const char *who = forge_title(f->kind);
	const char *reset;
	char when[32] = "";

	switch (res->status) {
	case 404:
	case 410:
	case 409:  /* GitHub: an empty repository */
	case 422:  /* GitHub: no such commit */
		return 1;
	case 401:
		if (flags & GET_SOFT_DENIED)
			return 1;
		f->broken = 1;
		if (!f->key_var)
			return error("%s requires authentication (HTTP 401 "
				     "from '%s'); set %s", who, shown,
				     f->kind == FORGE_GITLAB ? "GITLAB_TOKEN" :
				     "GITHUB_TOKEN");
		return error("%s rejected the token from %s (HTTP 401 from "
			     "'%s')", who, f->key_var, shown);
	case 403:
	case 429:
		if (rate_limited(res)) {
			f->broken = 1;
			reset = http_header(res, "x-ratelimit-reset");
			if (!reset)
				reset = http_header(res, "ratelimit-reset");
			if (reset) {
				time_t t = (time_t)strtoll(reset, NULL, 10);
				struct tm tm;

				if (t > 0 && gmtime_r(&t, &tm))
					strftime(when, sizeof(when),
						 " until %Y-%m-%dT%H:%M:%SZ",
						 &tm);
			}
			return error("%s rate limit exceeded%s (HTTP %ld from "
				     "'%s'); try again later", who, when,
				     res->status, shown);
		}
		if (flags & GET_SOFT_DENIED)
			return 1;
		f->broken = 1;
		return error("%s denied access (HTTP 403 from '%s'); can the "
			     "token from %s read '%s'?", who, shown,
			     f->key_var ? f->key_var : "(none)", f->project);
	default:
		if (res->status >= 500)
			f->broken = 1;
		return error("unable to fetch '%s': HTTP %ld", shown,
			     res->status);
	}
}

/*
 * GET url (every page of it with GET_PAGED) through the answer cache.
 * Returns 0 with the body in out (one JSON array for lists), 1 when
 * there is none or it is not available, -1 after error().
 */
static int forge_get(struct forge *f, const char *url, unsigned flags,
		     struct strbuf *out)
{
	struct strbuf etag = STRBUF_INIT, cached = STRBUF_INIT;
	struct strbuf all = STRBUF_INIT, page = STRBUF_INIT;
	struct strbuf shown = STRBUF_INIT;
	struct http_request req = HTTP_REQUEST_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	struct json *j;
	int have, ret = 1, pages = 0;

	have = http_cache_read(f->repo, url, &etag, &cached);
	if (have < 0) {
		ret = -1;
		goto cleanup;
	}
	/* Merged requests do not change: a cached answer is final. */
	if (!have && (!f->refresh || f->offline))
		goto use_cache;
	if (f->offline) {
		f->missing++;
		goto cleanup;
	}
	if (f->broken)
		goto cleanup;
	if (f->max_requests && f->requests >= f->max_requests) {
		f->limited = 1;
		goto cleanup;
	}

	/* http.proxy and http.sslCAInfo come from the repository. */
	if (http_init(f->repo) < 0) {
		ret = -1;
		goto cleanup;
	}
	forge_headers(f, &req);
	strbuf_addstr(&page, url);
	strbuf_addch(&all, '[');
	for (;;) {
		req.url = page.buf;
		req.etag = !pages && !have && etag.len ? etag.buf : NULL;
		http_url_redact(&shown, page.buf);
		f->requests++;
		if (http_request(&req, &res) < 0) {
			/* Network, or a rate limit longer than we may wait. */
			f->broken = 1;
			f->errors++;
			ret = -1;
			goto cleanup;
		}
		if (res.status == 304 && req.etag)
			goto use_cache;
		if (res.status < 200 || res.status >= 300) {
			ret = status_error(f, &res, shown.buf, flags);
			if (ret < 0)
				f->errors++;
			else if (res.status == 404 && !pages &&
				 http_cache_write(f->repo, url, "", "", 0) < 0)
				warning("could not cache the answer; "
					"continuing");
			goto cleanup;
		}
		j = json_parse(res.body.buf, res.body.len);
		if (!j || ((flags & GET_PAGED) && !json_is_array(j)) ||
		    (!(flags & GET_PAGED) && !json_is_object(j))) {
			json_free(j);
			f->errors++;
			ret = error("malformed JSON in the answer from '%s'",
				    shown.buf);
			goto cleanup;
		}
		json_free(j);
		pages++;
		if (!(flags & GET_PAGED)) {
			strbuf_reset(&all);
			strbuf_addbuf(&all, &res.body);
			break;
		}
		append_items(&all, res.body.buf, res.body.len);
		if (http_next_page(&res, &page))
			break;
		if (!http_same_origin(page.buf, f->api)) {
			/* Our token goes with every page: keep it home. */
			http_url_redact(&shown, page.buf);
			f->errors++;
			ret = error("refusing to follow a next page to '%s'",
				    shown.buf);
			goto cleanup;
		}
		if (pages >= MAX_PAGES) {
			warning("stopped after %d pages of '%s'", pages,
				shown.buf);
			break;
		}
	}
	if (flags & GET_PAGED)
		strbuf_addch(&all, ']');
	/* A list of several pages is revalidated whole, without ETag. */
	if (http_cache_write(f->repo, url, pages == 1 ?
			     http_header(&res, "etag") : "",
			     all.buf, all.len) < 0)
		warning("could not cache the answer; continuing");
	strbuf_addbuf(out, &all);
	ret = 0;
	goto cleanup;

use_cache:
	/* An empty entry remembers a 404. */
	if (cached.len) {
		strbuf_addbuf(out, &cached);
		ret = 0;
	} else {
		ret = 1;
	}
cleanup:
	http_request_wipe(&req);
	http_response_release(&res);
	strbuf_release(&etag);
	strbuf_release(&cached);
	strbuf_release(&all);
	strbuf_release(&page);
	strbuf_release(&shown);
	return ret;
}

/* forge_get() and parse; a malformed cached answer is an error too. */
static int forge_get_json(struct forge *f, const char *url, unsigned flags,
			  struct json **out)
{
	struct strbuf body = STRBUF_INIT;
	struct strbuf shown = STRBUF_INIT;
	int ret;

	*out = NULL;
	ret = forge_get(f, url, flags, &body);
	if (!ret) {
		*out = json_parse(body.buf, body.len);
		if (!*out) {
			http_url_redact(&shown, url);
			f->errors++;
			ret = error("malformed JSON in the cached answer from "
				    "'%s'", shown.buf);
		}
	}
	strbuf_release(&body);
	strbuf_release(&shown);
	return ret;
}

/* --- requests and reviews ------------------------------------------------- */

static int64_t get_time(const struct json *o, const char *key)
{
	int64_t ms;

	if (date_parse_iso(json_get_str(o, key), &ms) < 0)
		return -1;
	return date_sec(ms);
}

static void copy_oid(char out[41], const char *s)
{
	size_t i;

	out[0] = '\0';
	if (!s || strlen(s) != 40)
		return;
	for (i = 0; i < 40; i++)
		if (!isxdigit((unsigned char)s[i]))
			return;
	for (i = 0; i < 40; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[40] = '\0';
}

static void request_from_json(struct forge *f, const struct json *o,
			      struct forge_request *r)
{
	const char *s;

	forge_request_release(r);
	memset(r, 0, sizeof(*r));
	if (f->kind == FORGE_GITLAB) {
		json_get_u64(o, "iid", &r->number);
		s = json_get_str(o, "state");
		r->merged = s && !strcmp(s, "merged");
		copy_oid(r->squash_commit,
			 json_get_str(o, "squash_commit_sha"));
		s = json_get_str(o, "target_branch");
	} else {
		json_get_u64(o, "number", &r->number);
		/* pull-request-simple has no "merged": merged_at says it. */
		r->merged = json_get_str(o, "merged_at") != NULL;
		s = json_get_str(o, "base.ref");
	}
	r->target = s ? xstrdup(s) : NULL;
	copy_oid(r->merge_commit, json_get_str(o, "merge_commit_sha"));
	r->created_at = get_time(o, "created_at");
	r->merged_at = get_time(o, "merged_at");
	r->review = REVIEW_UNKNOWN;
}

static char *project_url(struct forge *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *project_url(struct forge *f, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	strbuf_addstr(&sb, f->api);
	if (f->kind == FORGE_GITLAB) {
		strbuf_addstr(&sb, "/projects/");
		http_url_encode(&sb, f->project);
	} else {
		strbuf_addf(&sb, "/repos/%s", f->project);
	}
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

/* The merged request of a list, into branch when there are several. */
static int pick_request(struct forge *f, const struct json *list,
			const char *branch, struct forge_request *out)
{
	const struct json *it, *pick = NULL;

	for (it = json_child(list); it; it = json_next(it)) {
		struct forge_request r = { 0 };
		int target;

		if (!json_is_object(it))
			continue;
		request_from_json(f, it, &r);
		target = branch && r.target && !strcmp(r.target, branch);
		if (r.merged && (!pick || target))
			pick = it;
		forge_request_release(&r);
		if (pick == it && target)
			break;
	}
	if (!pick)
		return 1;
	request_from_json(f, pick, out);
	return 0;
}

int forge_commit_request(struct forge *f, const char *commit,
			 const char *branch, struct forge_request *out)
{
	struct json *list = NULL;
	char *url;
	int ret;

	if (f->kind == FORGE_GITLAB)
		url = project_url(f, "/repository/commits/%s/merge_requests"
				  "?per_page=100", commit);
	else
		url = project_url(f, "/commits/%s/pulls?per_page=100", commit);
	ret = forge_get_json(f, url, GET_PAGED, &list);
	if (!ret)
		ret = pick_request(f, list, branch, out);
	json_free(list);
	free(url);
	return ret;
}

int forge_request_get(struct forge *f, uint64_t n, struct forge_request *out)
{
	struct json *o = NULL;
	char *url;
	int ret;

	if (f->kind == FORGE_GITLAB)
		url = project_url(f, "/merge_requests/%llu",
				  (unsigned long long)n);
	else
		url = project_url(f, "/pulls/%llu", (unsigned long long)n);
	ret = forge_get_json(f, url, 0, &o);
	if (!ret)
		request_from_json(f, o, out);
	json_free(o);
	free(url);
	return ret;
}

static void commits_from_json(struct forge *f, const struct json *list,
			      struct strvec *out)
{
	const struct json *it;
	char oid[41];

	for (it = json_child(list); it; it = json_next(it)) {
		copy_oid(oid, json_get_str(it, f->kind == FORGE_GITLAB ?
					   "id" : "sha"));
		if (*oid)
			strvec_push(out, oid);
	}
}

int forge_request_commits(struct forge *f, uint64_t n, struct strvec *out)
{
	struct json *list = NULL;
	char *url;
	int ret;

	url = project_url(f, "/%s/%llu/commits?per_page=100",
			  f->kind == FORGE_GITLAB ? "merge_requests" : "pulls",
			  (unsigned long long)n);
	ret = forge_get_json(f, url, GET_PAGED, &list);
	if (!ret)
		commits_from_json(f, list, out);
	json_free(list);
	free(url);
	return ret;
}

/* Was this event before the merge (or is either time unknown)? */
static int before_merge(const struct forge_request *r, int64_t t)
{
	return t < 0 || r->merged_at < 0 || t <= r->merged_at;
}

static void set_verdict(struct forge_request *r, int approved)
{
	if (!approved)
		r->review = REVIEW_NONE;
	else
		r->review = r->rounds ? REVIEW_CHANGES_REQUESTED :
			REVIEW_APPROVED;
	r->reviewed = 1;
}

/*
 * GitHub: per reviewer, the last APPROVED or CHANGES_REQUESTED before
 * the merge counts (DISMISSED cancels, COMMENTED says nothing); each
 * reviewed revision with a change request is one round.
 */
static void github_review_parse(struct forge_request *r,
				const struct json *list)
{
	const struct json *it;
	struct strvec logins = STRVEC_INIT, rounds = STRVEC_INIT;
	int *verdict = NULL;
	size_t i, alloc = 0;
	int approved = 0;

	r->rounds = 0;
	for (it = json_child(list); it; it = json_next(it)) {
		const char *state = json_get_str(it, "state");
		const char *login = json_get_str(it, "user.login");
		const char *cid = json_get_str(it, "commit_id");
		int v;

		if (!state || !before_merge(r, get_time(it, "submitted_at")))
			continue;
		if (!strcmp(state, "APPROVED"))
			v = 1;
		else if (!strcmp(state, "CHANGES_REQUESTED"))
			v = 2;
		else if (!strcmp(state, "DISMISSED"))
			v = 0;
		else
			continue;
		if (v == 2) {
			int seen = 0;

			for (i = 0; cid && i < rounds.nr; i++)
				if (!strcmp(rounds.v[i], cid))
					seen = 1;
			if (!seen) {
				r->rounds++;
				strvec_push(&rounds, cid ? cid : "");
			}
		}
		if (!login)
			login = "";
		for (i = 0; i < logins.nr; i++)
			if (!strcmp(logins.v[i], login))
				break;
		if (i == logins.nr) {
			strvec_push(&logins, login);
			ALLOC_GROW(verdict, logins.nr, alloc);
		}
		verdict[i] = v;
	}
	for (i = 0; i < logins.nr; i++)
		if (verdict[i] == 1)
			approved = 1;
	set_verdict(r, approved);
	free(verdict);
	strvec_clear(&logins);
	strvec_clear(&rounds);
}

static int github_review(struct forge *f, struct forge_request *r)
{
	struct json *list = NULL;
	char *url;
	int ret;

	url = project_url(f, "/pulls/%llu/reviews?per_page=100",
			  (unsigned long long)r->number);
	ret = forge_get_json(f, url, GET_PAGED, &list);
	if (!ret)
		github_review_parse(r, list);
	json_free(list);
	free(url);
	return ret;
}

static int starts_with(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

/*
 * GitLab: approvals (not readable with a job token), and the system
 * notes "approved this merge request" / "requested changes" before
 * the merge for rounds and as a fallback.
 */
/* appr NULL: the approvals could not be read, the notes decide. */
static void gitlab_review_parse(struct forge_request *r,
				const struct json *appr,
				const struct json *notes)
{
	const struct json *it;
	int approved = 0, note_approved = 0;

	for (it = json_child(json_get(appr, "approved_by")); it;
	     it = json_next(it)) {
		int64_t t = get_time(it, "approved_at");

		if (t < 0)
			t = get_time(it, "user.approved_at");
		if (before_merge(r, t))
			approved = 1;
	}
	r->rounds = 0;
	for (it = json_child(notes); it; it = json_next(it)) {
		const char *body = json_get_str(it, "body");

		if (json_bool(json_get(it, "system")) != 1 ||
		    !before_merge(r, get_time(it, "created_at")))
			continue;
		if (starts_with(body, "requested changes"))
			r->rounds++;
		else if (starts_with(body, "approved this merge request"))
			note_approved = 1;
		else if (starts_with(body, "unapproved this merge request"))
			note_approved = 0;
	}
	set_verdict(r, appr ? approved : note_approved);
}

static int gitlab_review(struct forge *f, struct forge_request *r)
{
	struct json *appr = NULL, *notes = NULL;
	char *url1, *url2;
	int r1, r2, ret = 0;

	url1 = project_url(f, "/merge_requests/%llu/approvals",
			   (unsigned long long)r->number);
	url2 = project_url(f, "/merge_requests/%llu/notes?sort=asc"
			   "&order_by=created_at&per_page=100",
			   (unsigned long long)r->number);
	r1 = forge_get_json(f, url1, GET_SOFT_DENIED, &appr);
	if (r1 < 0 && f->broken) {
		ret = -1;
		goto cleanup;
	}
	r2 = forge_get_json(f, url2, GET_PAGED | GET_SOFT_DENIED, &notes);
	if (r1 && r2) {
		ret = r1 < 0 || r2 < 0 ? -1 : 1;
		goto cleanup;
	}
	gitlab_review_parse(r, r1 ? NULL : appr, notes);
cleanup:
	json_free(appr);
	json_free(notes);
	free(url1);
	free(url2);
	return ret;
}

int forge_request_review(struct forge *f, struct forge_request *r)
{
	if (r->reviewed)
		return 0;
	if (f->kind == FORGE_GITLAB)
		return gitlab_review(f, r);
	return github_review(f, r);
}

int forge_answer_parse(enum forge_kind kind, enum forge_answer what,
		       const char *body, size_t len, const char *branch,
		       struct forge_request *r, struct strvec *commits)
{
	struct forge f = FORGE_INIT;
	struct strbuf all = STRBUF_INIT;
	struct json *j = json_parse(body, len);
	int paged = what != FORGE_ANSWER_REQUEST &&
		    what != FORGE_ANSWER_APPROVALS;
	int ret = -1;

	f.kind = kind;
	/* What forge_get() checks of each page. */
	if (!j || (paged ? !json_is_array(j) : !json_is_object(j)))
		goto cleanup;
	if (paged) {
		/* Two pages of it, joined as forge_get() joins pages. */
		json_free(j);
		strbuf_addch(&all, '[');
		append_items(&all, body, len);
		append_items(&all, body, len);
		strbuf_addch(&all, ']');
		j = json_parse(all.buf, all.len);
		if (!j)
			goto cleanup;
	}
	ret = 0;
	switch (what) {
	case FORGE_ANSWER_PULLS:
		ret = pick_request(&f, j, branch, r);
		break;
	case FORGE_ANSWER_REQUEST:
		request_from_json(&f, j, r);
		break;
	case FORGE_ANSWER_COMMITS:
		commits_from_json(&f, j, commits);
		break;
	case FORGE_ANSWER_REVIEWS:
		github_review_parse(r, j);
		break;
	case FORGE_ANSWER_APPROVALS:
		gitlab_review_parse(r, j, NULL);
		break;
	case FORGE_ANSWER_NOTES:
		gitlab_review_parse(r, NULL, j);
		break;
	}
cleanup:
	json_free(j);
	strbuf_release(&all);
	return ret;
}
