/*
 * Provider usage APIs: Anthropic Admin API and OpenAI organization
 * usage, turned into daily per-person usage events.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "git/repo.h"
#include "model/event.h"
#include "net/http.h"
#include "net/provider.h"
#include "sources/cursor.h"

#define ANTHROPIC_URL "https://api.anthropic.com"
#define OPENAI_URL "https://api.openai.com"
#define CURSOR_URL "https://api.cursor.com"
#define CURSOR_PAGE_SIZE 500
#define CURSOR_WINDOW_DAYS 30
#define ANTHROPIC_VERSION "2023-06-01"
#define STORE_NAME "provider-usage.jsonl"
#define STORE_HEADER "{\"format\":\"git-tokens-provider-usage\",\"version\":1}"
#define MAX_PAGES 10000
#define DAY_MS 86400000LL
#define CACHE_1H "cache_creation.ephemeral_1h_input_tokens"
#define CACHE_5M "cache_creation.ephemeral_5m_input_tokens"

void provider_format_day(int64_t day, char out[11])
{
	int64_t y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = 0;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = out[7] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

/* Days before 1970 are no provider's. */
int provider_parse_day(const char *s, int64_t *day)
{
	int64_t d;

	if (date_parse_day(s, &d) < 0 || d < 0)
		return -1;
	*day = d;
	return 0;
}

const char *provider_key_var(enum tool tool)
{
	return tool == TOOL_OPENAI_API ? "OPENAI_ADMIN_KEY" :
	       tool == TOOL_CURSOR ? "CURSOR_ADMIN_KEY" :
	       "ANTHROPIC_ADMIN_KEY";
}

/*
 * A small open-addressing table keyed by (day, interned pointer,
 * interned pointer): interned strings compare by address.
 */
struct slot {
	int64_t day;
	const void *k1, *k2;
	const char *val;
	struct usage_event ev;
	int used;
};

struct table {
	struct slot *s;
	size_t nr, alloc;   /* alloc is 0 or a power of two */
};
#define TABLE_INIT { 0 }

static size_t slot_hash(int64_t day, const void *k1, const void *k2)
{
	return (size_t)(hash_mix((uint64_t)day) ^
			hash_mix((uintptr_t)k1 + 1) * 3 ^
			hash_mix((uintptr_t)k2 + 2) * 7);
}

static struct slot *table_find(struct table *t, int64_t day, const void *k1,
			       const void *k2, int create)
{
	size_t i;

	if (create && (t->nr + 1) * 2 > t->alloc) {
		struct table bigger = TABLE_INIT;
		size_t j;

		bigger.alloc = t->alloc ? t->alloc * 2 : 64;
		bigger.s = xcalloc(bigger.alloc, sizeof(*bigger.s));
		for (j = 0; j < t->alloc; j++) {
			struct slot *o = &t->s[j];

			if (!o->used)
				continue;
			i = slot_hash(o->day, o->k1, o->k2) & (bigger.alloc - 1);
			while (bigger.s[i].used)
				i = (i + 1) & (bigger.alloc - 1);
			bigger.s[i] = *o;
			bigger.nr++;
		}
		free(t->s);
		*t = bigger;
	}
	if (!t->alloc)
		return NULL;
	i = slot_hash(day, k1, k2) & (t->alloc - 1);
	while (t->s[i].used) {
		struct slot *s = &t->s[i];

		if (s->day == day && s->k1 == k1 && s->k2 == k2)
			return s;
		i = (i + 1) & (t->alloc - 1);
	}
	if (!create)
		return NULL;
	t->s[i].used = 1;
	t->s[i].day = day;
	t->s[i].k1 = k1;
	t->s[i].k2 = k2;
	t->nr++;
	return &t->s[i];
}

static void table_release(struct table *t)
{
	free(t->s);
	t->s = NULL;
	t->nr = t->alloc = 0;
}

/* A string map on interned keys. */
static void map_set(struct table *t, const char *key, const char *val)
{
	if (key)
		table_find(t, 0, key, NULL, 1)->val = val;
}

static const char *map_get(struct table *t, const char *key)
{
	struct slot *s = key ? table_find(t, 0, key, NULL, 0) : NULL;

	return s ? s->val : NULL;
}

struct fetch {
	struct repo *repo;
	enum tool tool;
	const struct provider_opts *opts;
	struct strbuf base;
	const char *key;
	const char *key_var;
	/* (day, author, model) -> summed counters */
	struct table events;
	/* Anthropic: Claude Code usage of API customers (also billed
	 * through the messages API), to avoid counting it twice. */
	struct table cc_api;
	/* Anthropic: the messages usage report, before anthropic_fold. */
	struct table msgs;
	struct table users;       /* id -> email */
	struct table key_owner;   /* api key id -> creator's user id */
	struct table key_name;    /* api key name -> creator's user id */
	/* Cursor: one event per usage event, times exact */
	struct usage_set cursor;
	/* Fetching a key list: never cache it as it came. */
	int strip_keys;
	/* Records that cannot be right: skipped and counted. */
	uint64_t bad;
	char *bad_url;
	char *bad_why;
};

static void fetch_bad(struct fetch *f, const char *url, const char *why)
{
	if (!f->bad++) {
		struct strbuf shown = STRBUF_INIT;

		http_url_redact(&shown, url);
		f->bad_url = strbuf_detach(&shown, NULL);
		f->bad_why = xstrdup(why);
	}
}

/*
 * An API key list names key hints ("partial_key_hint"): cache only
 * what mapping keys to people needs.
 */
static void add_str_or_null(struct strbuf *out, const char *s)
{
	if (s)
		strbuf_add_json_str(out, s);
	else
		strbuf_addstr(out, "null");
}

static void strip_key_list(struct json *page, struct strbuf *out)
{
	struct json *k;
	const char *s;
	int first = 1;

	strbuf_reset(out);
	strbuf_addstr(out, "{\"data\":[");
	for (k = json_child(json_get(page, "data")); k; k = json_next(k)) {
		strbuf_addstr(out, first ? "{" : ",{");
		first = 0;
		strbuf_addstr(out, "\"id\":");
		add_str_or_null(out, json_get_str(k, "id"));
		strbuf_addstr(out, ",\"name\":");
		add_str_or_null(out, json_get_str(k, "name"));
		strbuf_addstr(out, ",\"created_by\":{\"id\":");
		add_str_or_null(out, json_get_str(k, "created_by.id"));
		strbuf_addstr(out, "}}");
	}
	strbuf_addf(out, "],\"has_more\":%s",
		    json_bool(json_get(page, "has_more")) == 1 ?
		    "true" : "false");
	if ((s = json_get_str(page, "last_id"))) {
		strbuf_addstr(out, ",\"last_id\":");
		add_str_or_null(out, s);
	}
	strbuf_addstr(out, "}");
}

/* GET url and parse its JSON; *out is NULL on error. */
static int fetch_json(struct fetch *f, const char *url, struct json **out)
{
	struct http_request req = HTTP_REQUEST_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	struct strbuf shown = STRBUF_INIT;
	int ret = -1;

	*out = NULL;
	req.url = url;
	req.key_var = f->key_var;
	if (f->key) {
		if (f->tool == TOOL_ANTHROPIC_API) {
			strvec_pushf(&req.headers, "x-api-key: %s", f->key);
			strvec_push(&req.headers,
				    "anthropic-version: " ANTHROPIC_VERSION);
		} else {
			strvec_pushf(&req.headers, "Authorization: Bearer %s",
				     f->key);
		}
	}
	strvec_push(&req.headers, "Accept: application/json");
	if (f->strip_keys && !f->opts->offline) {
		if (http_request(&req, &res) < 0)
			goto cleanup;
	} else if (http_get_cached(f->repo, &req, &res, f->opts->offline) < 0) {
		goto cleanup;
	}
	*out = json_parse(res.body.buf, res.body.len);
	if (!*out || !json_is_object(*out)) {
		http_url_redact(&shown, url);
		error("malformed JSON in the answer from '%s'", shown.buf);
		json_free(*out);
		*out = NULL;
		goto cleanup;
	}
	if (!json_is_array(json_get(*out, "data"))) {
		http_url_redact(&shown, url);
		error("unexpected answer from '%s': no 'data' list", shown.buf);
		json_free(*out);
		*out = NULL;
		goto cleanup;
	}
	if (f->strip_keys && !f->opts->offline) {
		strip_key_list(*out, &shown);
		if (http_cache_write(f->repo, url, NULL, shown.buf,
				     shown.len) < 0)
			warning("could not cache the answer; continuing");
	}
	ret = 0;
cleanup:
	http_request_release(&req);
	http_response_release(&res);
	strbuf_release(&shown);
	return ret;
}

/*
 * Walk a paginated list: url_base already has its query (ends in '?'
 * or '&'-ready form); cursor_param is "page" (body next_page) or an id
 * cursor ("after_id", "after") fed from last_id. fn sees each page.
 */
typedef int page_fn(struct fetch *f, const char *url, struct json *page);

static int fetch_pages(struct fetch *f, const char *url_base,
		       const char *cursor_param, page_fn *fn)
{
	struct strbuf url = STRBUF_INIT, shown = STRBUF_INIT;
	char *cursor = NULL;
	struct json *page = NULL;
	int ret = -1, pages;
	int body_cursor = !strcmp(cursor_param, "page");

	for (pages = 0; pages < MAX_PAGES; pages++) {
		const char *next;
		int more;

		strbuf_reset(&url);
		strbuf_addstr(&url, url_base);
		if (cursor) {
			strbuf_addf(&url, "&%s=", cursor_param);
			http_url_encode(&url, cursor);
		}
		if (fetch_json(f, url.buf, &page) < 0)
			goto cleanup;
		if (fn(f, url.buf, page) < 0)
			goto cleanup;
		more = json_bool(json_get(page, "has_more")) == 1;
		next = json_get_str(page, body_cursor ? "next_page" : "last_id");
		if (!more)
			break;
		if (!next || !*next || (cursor && !strcmp(cursor, next))) {
			http_url_redact(&shown, url.buf);
			error("unexpected answer from '%s': has_more without "
			      "a new %s", shown.buf,
			      body_cursor ? "next_page" : "last_id");
			goto cleanup;
		}
		free(cursor);
		cursor = xstrdup(next);
		json_free(page);
		page = NULL;
	}
	if (pages == MAX_PAGES) {
		http_url_redact(&shown, url_base);
		error("too many pages from '%s'", shown.buf);
		goto cleanup;
	}
	ret = 0;
cleanup:
	json_free(page);
	free(cursor);
	strbuf_release(&url);
	strbuf_release(&shown);
	return ret;
}

static int in_range(const struct fetch *f, int64_t day)
{
	return day >= f->opts->since && day <= f->opts->until;
}

/* Read a counter; a value that cannot be right marks the record bad. */
static int get_counter(struct fetch *f, const char *url, struct json *obj,
		       const char *path, uint64_t *out)
{
	int st = json_get_u64(obj, path, out);

	if (st == JSON_NUM_BAD) {
		char *why = xstrfmt("bad '%s'", path);

		fetch_bad(f, url, why);
		free(why);
		return -1;
	}
	return 0;
}

static struct usage_event *event_slot(struct fetch *f, struct table *t,
				      int64_t day, const char *author,
				      const char *model)
{
	struct slot *s = table_find(t, day, author, model, 1);

	if (!s->ev.time) {
		s->ev.time = day * DAY_MS;
		s->ev.tool = f->tool;
		s->ev.author = author;
		s->ev.model = model;
	}
	return &s->ev;
}

/* Anthropic and OpenAI user lists: id -> email. */
static int users_page(struct fetch *f, const char *url, struct json *page)
{
	struct json *u;

	for (u = json_child(json_get(page, "data")); u; u = json_next(u)) {
		const char *id = json_get_str(u, "id");
		const char *email = json_get_str(u, "email");

		if (id && email && *email)
			map_set(&f->users, event_intern(id),
				event_intern(email));
	}
	return 0;
}

static int anthropic_keys_page(struct fetch *f, const char *url,
			       struct json *page)
{
	struct json *k;

	for (k = json_child(json_get(page, "data")); k; k = json_next(k)) {
		const char *id = json_get_str(k, "id");
		const char *name = json_get_str(k, "name");
		const char *owner = json_get_str(k, "created_by.id");

		if (!owner)
			continue;
		owner = event_intern(owner);
		if (id)
			map_set(&f->key_owner, event_intern(id), owner);
		if (name)
			map_set(&f->key_name, event_intern(name), owner);
	}
	return 0;
}

static int claude_code_page(struct fetch *f, const char *url,
			    struct json *page)
{
	struct json *rec, *mb;

	for (rec = json_child(json_get(page, "data")); rec;
	     rec = json_next(rec)) {
		const char *type = json_get_str(rec, "actor.type");
		const char *customer = json_get_str(rec, "customer_type");
		const char *author = NULL;
		int64_t day;

		if (provider_parse_day(json_get_str(rec, "date"), &day) < 0) {
			fetch_bad(f, url, "no valid 'date'");
			continue;
		}
		if (!in_range(f, day))
			continue;
		if (type && !strcmp(type, "user_actor")) {
			author = json_get_str(rec, "actor.email_address");
		} else if (type && !strcmp(type, "api_actor")) {
			const char *name = json_get_str(rec,
							"actor.api_key_name");

			author = map_get(&f->users,
					 map_get(&f->key_name,
						 event_intern(name)));
		}
		author = author && *author ? event_intern(author) : NULL;

		for (mb = json_child(json_get(rec, "model_breakdown")); mb;
		     mb = json_next(mb)) {
			const char *model = event_intern(json_get_str(mb,
								      "model"));
			uint64_t in, out, cr, cw;
			double cents = 0;
			struct usage_event *ev;

			if (get_counter(f, url, mb, "tokens.input", &in) ||
			    get_counter(f, url, mb, "tokens.output", &out) ||
			    get_counter(f, url, mb, "tokens.cache_read", &cr) ||
			    get_counter(f, url, mb, "tokens.cache_creation",
					&cw))
				continue;
			if (!json_double(json_get(mb, "estimated_cost.amount"),
					 &cents) && cents < 0) {
				fetch_bad(f, url, "negative 'estimated_cost'");
				continue;
			}
			ev = event_slot(f, &f->events, day, author, model);
			ev->input += in;
			ev->output += out;
			ev->cache_read += cr;
			ev->cache_write += cw;
			/* estimated_cost.amount is in cents. */
			ev->cost += cents / 100.0;
			ev->cost_known = ev->cost_recorded = 1;
			if (author && customer && !strcmp(customer, "api")) {
				ev = event_slot(f, &f->cc_api, day, author,
						model);
				ev->input += in;
				ev->output += out;
				ev->cache_read += cr;
				ev->cache_write += cw;
			}
		}
	}
	return 0;
}

static int messages_page(struct fetch *f, const char *url, struct json *page)
{
	struct json *bucket, *r;

	for (bucket = json_child(json_get(page, "data")); bucket;
	     bucket = json_next(bucket)) {
		int64_t day;

		if (provider_parse_day(json_get_str(bucket, "starting_at"),
				       &day) < 0) {
			fetch_bad(f, url, "no valid 'starting_at'");
			continue;
		}
		if (!in_range(f, day))
			continue;
		for (r = json_child(json_get(bucket, "results")); r;
		     r = json_next(r)) {
			const char *acct = event_intern(json_get_str(r,
							"account_id"));
			const char *key = event_intern(json_get_str(r,
							"api_key_id"));
			const char *model = event_intern(json_get_str(r,
							"model"));
			const char *author = map_get(&f->users, acct);
			uint64_t in, out, cr, w1h, w5m;
			struct usage_event *ev;

			if (!author)
				author = map_get(&f->users,
						 map_get(&f->key_owner, key));
			if (get_counter(f, url, r, "uncached_input_tokens",
					&in) ||
			    get_counter(f, url, r, "output_tokens", &out) ||
			    get_counter(f, url, r, "cache_read_input_tokens",
					&cr) ||
			    get_counter(f, url, r, CACHE_1H, &w1h) ||
			    get_counter(f, url, r, CACHE_5M, &w5m))
				continue;
			ev = event_slot(f, &f->msgs, day, author, model);
			ev->input += in;
			ev->output += out;
			ev->cache_read += cr;
			ev->cache_write += w1h + w5m;
			ev->cache_write_1h += w1h;
		}
	}
	return 0;
}

static uint64_t minus(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/*
 * The messages usage of API customers already holds their Claude Code
 * usage: keep only what the analytics did not report. What is left
 * stays a separate event: it has no recorded cost and is priced later.
 */
static void anthropic_fold(struct fetch *f)
{
	size_t i;

	for (i = 0; i < f->msgs.alloc; i++) {
		struct slot *s = &f->msgs.s[i], *cc;
		struct usage_event *m = &s->ev;
		uint64_t w1h;

		if (!s->used || !s->ev.author)
			continue;
		cc = table_find(&f->cc_api, s->day, s->k1, s->k2, 0);
		if (!cc)
			continue;
		w1h = minus(m->cache_write_1h, cc->ev.cache_write_1h);
		m->input = minus(m->input, cc->ev.input);
		m->output = minus(m->output, cc->ev.output);
		m->cache_read = minus(m->cache_read, cc->ev.cache_read);
		m->cache_write = minus(m->cache_write, cc->ev.cache_write);
		m->cache_write_1h = w1h < m->cache_write ? w1h :
				    m->cache_write;
	}
}

static int fetch_anthropic(struct fetch *f)
{
	struct strbuf url = STRBUF_INIT;
	char since[11], until[11], day_s[11];
	int64_t day;
	int ret = -1;

	/* Who is who: user ids and the creators of API keys. */
	strbuf_addf(&url, "%s/v1/organizations/users?limit=1000", f->base.buf);
	if (fetch_pages(f, url.buf, "after_id", users_page) < 0)
		goto cleanup;
	strbuf_reset(&url);
	strbuf_addf(&url, "%s/v1/organizations/api_keys?limit=1000",
		    f->base.buf);
	f->strip_keys = 1;
	ret = fetch_pages(f, url.buf, "after_id", anthropic_keys_page);
	f->strip_keys = 0;
	if (ret < 0)
		goto cleanup;
	ret = -1;

	/* Claude Code analytics: one day per call. */
	for (day = f->opts->since; day <= f->opts->until; day++) {
		provider_format_day(day, day_s);
		strbuf_reset(&url);
		strbuf_addf(&url, "%s/v1/organizations/usage_report/claude_code"
			    "?starting_at=%s&limit=1000", f->base.buf, day_s);
		if (fetch_pages(f, url.buf, "page", claude_code_page) < 0)
			goto cleanup;
	}

	/* The messages usage report, per account, key and model. */
	provider_format_day(f->opts->since, since);
	provider_format_day(f->opts->until + 1, until);
	strbuf_reset(&url);
	strbuf_addf(&url, "%s/v1/organizations/usage_report/messages"
		    "?starting_at=%sT00:00:00Z&ending_at=%sT00:00:00Z"
		    "&bucket_width=1d&limit=31&group_by%%5B%%5D=account_id"
		    "&group_by%%5B%%5D=api_key_id&group_by%%5B%%5D=model",
		    f->base.buf, since, until);
	if (fetch_pages(f, url.buf, "page", messages_page) < 0)
		goto cleanup;
	anthropic_fold(f);
	ret = 0;
cleanup:
	strbuf_release(&url);
	return ret;
}

static int completions_page(struct fetch *f, const char *url,
			    struct json *page)
{
	struct json *bucket, *r;

	for (bucket = json_child(json_get(page, "data")); bucket;
	     bucket = json_next(bucket)) {
		uint64_t start;
		int64_t day;

		if (json_get_u64(bucket, "start_time", &start) != JSON_NUM_OK) {
			fetch_bad(f, url, "no valid 'start_time'");
			continue;
		}
		day = (int64_t)(start / 86400);
		if (!in_range(f, day))
			continue;
		for (r = json_child(json_get(bucket, "results")); r;
		     r = json_next(r)) {
			const char *user = event_intern(json_get_str(r,
							"user_id"));
			const char *model = event_intern(json_get_str(r,
							"model"));
			uint64_t in, out, cached;
			struct usage_event *ev;

			if (get_counter(f, url, r, "input_tokens", &in) ||
			    get_counter(f, url, r, "output_tokens", &out) ||
			    get_counter(f, url, r, "input_cached_tokens",
					&cached))
				continue;
			ev = event_slot(f, &f->events, day,
					map_get(&f->users, user), model);
			/* input_tokens includes the cached part. */
			ev->input += minus(in, cached);
			ev->cache_read += cached;
			ev->output += out;
		}
	}
	return 0;
}

static int fetch_openai(struct fetch *f)
{
	struct strbuf url = STRBUF_INIT;
	int ret = -1;

	strbuf_addf(&url, "%s/v1/organization/users?limit=100", f->base.buf);
	if (fetch_pages(f, url.buf, "after", users_page) < 0)
		goto cleanup;
	strbuf_reset(&url);
	strbuf_addf(&url, "%s/v1/organization/usage/completions"
		    "?start_time=%lld&end_time=%lld&bucket_width=1d&limit=31"
		    "&group_by%%5B%%5D=user_id&group_by%%5B%%5D=model",
		    f->base.buf, (long long)(f->opts->since * 86400),
		    (long long)((f->opts->until + 1) * 86400));
	if (fetch_pages(f, url.buf, "page", completions_page) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	strbuf_release(&url);
	return ret;
}

/* ---- Cursor: the team admin API's usage events ---- */

static void base64_add(struct strbuf *out, const char *s, size_t len)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i < len; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;

		if (i + 1 < len)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < len)
			v |= (unsigned char)s[i + 2];
		strbuf_addch(out, abc[v >> 18 & 63]);
		strbuf_addch(out, abc[v >> 12 & 63]);
		strbuf_addch(out, i + 1 < len ? abc[v >> 6 & 63] : '=');
		strbuf_addch(out, i + 2 < len ? abc[v & 63] : '=');
	}
}

static int cursor_page(struct fetch *f, const char *url, struct json *page)
{
	struct json *e;

	for (e = json_child(json_get(page, "usageEvents")); e;
	     e = json_next(e)) {
		const struct json *ts = json_get(e, "timestamp");
		struct usage_event ev;
		double ms;
		char *end;

		memset(&ev, 0, sizeof(ev));
		if (json_str(ts)) {
			ms = strtod(json_str(ts), &end);
			if (end == json_str(ts) || *end)
				ms = -1;
		} else if (json_double(ts, &ms)) {
			ms = -1;
		}
		if (ms < 0 || ms > 9e15) {
			fetch_bad(f, url, "no valid 'timestamp'");
			continue;
		}
		ev.time = (int64_t)ms;
		if (!in_range(f, ev.time / DAY_MS) ||
		    !json_is_object(json_get(e, "tokenUsage")))
			continue;  /* a request without tokens */
		if (get_counter(f, url, e, "tokenUsage.inputTokens",
				&ev.input) ||
		    get_counter(f, url, e, "tokenUsage.outputTokens",
				&ev.output) ||
		    get_counter(f, url, e, "tokenUsage.cacheWriteTokens",
				&ev.cache_write) ||
		    get_counter(f, url, e, "tokenUsage.cacheReadTokens",
				&ev.cache_read))
			continue;
		if (!event_total_tokens(&ev))
			continue;
		ev.tool = TOOL_CURSOR;
		ev.model = cursor_model(json_get_str(e, "model"));
		ev.author = event_intern(json_get_str(e, "userEmail"));
		usage_set_add(&f->cursor, &ev);
	}
	return 0;
}

/*
 * POST one page of usage events for [start, end] (ms). The cache keys
 * the answer by a URL that names the body, for --offline.
 */
static int cursor_post(struct fetch *f, int64_t start, int64_t end,
		       int page, struct json **out)
{
	struct http_request req = HTTP_REQUEST_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	struct strbuf url = STRBUF_INIT, key = STRBUF_INIT, body = STRBUF_INIT;
	struct strbuf auth = STRBUF_INIT, cred = STRBUF_INIT;
	struct strbuf etag = STRBUF_INIT;
	int ret = -1;

	*out = NULL;
	strbuf_addf(&url, "%s/teams/filtered-usage-events", f->base.buf);
	strbuf_addf(&key, "%s?startDate=%lld&endDate=%lld&page=%d", url.buf,
		    (long long)start, (long long)end, page);
	strbuf_addf(&body, "{\"startDate\":%lld,\"endDate\":%lld,\"page\":%d,"
		    "\"pageSize\":%d}", (long long)start, (long long)end,
		    page, CURSOR_PAGE_SIZE);
	if (f->opts->offline) {
		if (http_cache_read(f->repo, key.buf, &etag, &res.body)) {
			error("no cached answer for '%s' (fetch it once "
			      "without --offline)", key.buf);
			goto cleanup;
		}
	} else {
		req.method = "POST";
		req.url = url.buf;
		req.key_var = f->key_var;
		req.body = body.buf;
		req.body_len = body.len;
		/* Basic authentication, the key as the user name. */
		strbuf_addf(&cred, "%s:", f->key);
		strbuf_addstr(&auth, "Authorization: Basic ");
		base64_add(&auth, cred.buf, cred.len);
		strvec_push(&req.headers, auth.buf);
		strvec_push(&req.headers, "Content-Type: application/json");
		strvec_push(&req.headers, "Accept: application/json");
		if (http_request(&req, &res) < 0)
			goto cleanup;
	}
	*out = json_parse(res.body.buf, res.body.len);
	if (!json_is_object(*out) ||
	    !json_is_array(json_get(*out, "usageEvents"))) {
		error("unexpected answer from '%s': no 'usageEvents' list",
		      url.buf);
		json_free(*out);
		*out = NULL;
		goto cleanup;
	}
	if (!f->opts->offline &&
	    http_cache_write(f->repo, key.buf, NULL, res.body.buf,
			     res.body.len) < 0)
		warning("could not cache the answer; continuing");
	ret = 0;
cleanup:
	http_request_wipe(&req);
	http_response_release(&res);
	strbuf_release(&url);
	strbuf_release(&key);
	strbuf_release(&body);
	memset(auth.buf, 0, auth.len);
	memset(cred.buf, 0, cred.len);
	strbuf_release(&auth);
	strbuf_release(&cred);
	strbuf_release(&etag);
	return ret;
}

/* Every page of every window of at most CURSOR_WINDOW_DAYS days. */
static int fetch_cursor(struct fetch *f)
{
	struct strbuf url = STRBUF_INIT;
	int64_t day;
	int ret = -1;

	strbuf_addf(&url, "%s/teams/filtered-usage-events", f->base.buf);
	for (day = f->opts->since; day <= f->opts->until;
	     day += CURSOR_WINDOW_DAYS) {
		int64_t last = day + CURSOR_WINDOW_DAYS - 1;
		int page, more = 1;

		if (last > f->opts->until)
			last = f->opts->until;
		for (page = 1; more && page <= MAX_PAGES; page++) {
			struct json *j;

			if (cursor_post(f, day * DAY_MS,
					(last + 1) * DAY_MS - 1, page, &j) < 0)
				goto cleanup;
			cursor_page(f, url.buf, j);
			more = json_bool(json_get(j,
					"pagination.hasNextPage")) == 1;
			if (more && !json_child(json_get(j, "usageEvents"))) {
				json_free(j);
				error("unexpected answer from '%s': "
				      "hasNextPage on an empty page", url.buf);
				goto cleanup;
			}
			json_free(j);
		}
		if (more) {
			error("too many pages from '%s'", url.buf);
			goto cleanup;
		}
	}
	ret = 0;
cleanup:
	strbuf_release(&url);
	return ret;
}

static int store_path(struct repo *repo, struct strbuf *out)
{
	strbuf_reset(out);
	if (repo_tokens_dir(repo, out) < 0)
		return -1;
	while (out->len && out->buf[out->len - 1] == '/')
		strbuf_setlen(out, out->len - 1);
	strbuf_addstr(out, "/" STORE_NAME);
	return 0;
}

static int parse_line(const char *line, size_t len, struct usage_event *ev)
{
	struct json *j = json_parse(line, len);
	const char *s;
	int tool, ret = -1;
	double cost;

	memset(ev, 0, sizeof(*ev));
	if (!json_is_object(j))
		goto cleanup;
	if (date_parse_iso(json_get_str(j, "time"), &ev->time) < 0 ||
	    ev->time < 0)
		goto cleanup;
	s = json_get_str(j, "tool");
	tool = s ? tool_parse(s) : -1;
	if (tool != TOOL_ANTHROPIC_API && tool != TOOL_OPENAI_API &&
	    tool != TOOL_CURSOR)
		goto cleanup;
	ev->tool = (enum tool)tool;
	ev->author = event_intern(json_get_str(j, "author"));
	ev->model = event_intern(json_get_str(j, "model"));
	if (json_get_u64(j, "input", &ev->input) == JSON_NUM_BAD ||
	    json_get_u64(j, "output", &ev->output) == JSON_NUM_BAD ||
	    json_get_u64(j, "cache_write", &ev->cache_write) == JSON_NUM_BAD ||
	    json_get_u64(j, "cache_write_1h", &ev->cache_write_1h) ==
	    JSON_NUM_BAD ||
	    json_get_u64(j, "cache_read", &ev->cache_read) == JSON_NUM_BAD)
		goto cleanup;
	if (!json_double(json_get(j, "cost_usd"), &cost) && cost >= 0) {
		ev->cost = cost;
		ev->cost_known = ev->cost_recorded = 1;
	}
	ret = 0;
cleanup:
	json_free(j);
	return ret;
}

void provider_store_parse(const char *buf, size_t len, struct usage_set *out)
{
	const char *p, *nl, *end = buf + len;

	nl = memchr(buf, '\n', len);
	if (!nl || (size_t)(nl - buf) != strlen(STORE_HEADER) ||
	    strncmp(buf, STORE_HEADER, strlen(STORE_HEADER)))
		return;
	for (p = nl + 1; p < end; p = nl + 1) {
		struct usage_event ev;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;  /* our writes are atomic: never half a line */
		if (!parse_line(p, (size_t)(nl - p), &ev))
			usage_set_add(out, &ev);
	}
}

/* Read the stored events; a file of another format reads as empty. */
static int store_read(struct repo *repo, struct usage_set *out)
{
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	int ret = -1;

	if (store_path(repo, &path) < 0)
		goto cleanup;
	if (strbuf_read_file(&sb, path.buf, 0) < 0) {
		if (errno == ENOENT)
			ret = 0;
		else
			error_errno("unable to read '%s'", path.buf);
		goto cleanup;
	}
	ret = 0;
	provider_store_parse(sb.buf, sb.len, out);
cleanup:
	strbuf_release(&path);
	strbuf_release(&sb);
	return ret;
}

int provider_usage_load(struct usage_set *out, struct repo *repo)
{
	return store_read(repo, out);
}

/* Daily usage starts its day; Cursor's events keep their millisecond. */
static void format_event(struct strbuf *sb, const struct usage_event *ev)
{
	int64_t ms = ev->time % DAY_MS;
	char day[11];

	provider_format_day(ev->time / DAY_MS, day);
	strbuf_addf(sb, "{\"time\":\"%sT%02d:%02d:%02d", day,
		    (int)(ms / 3600000), (int)(ms / 60000 % 60),
		    (int)(ms / 1000 % 60));
	if (ms % 1000)
		strbuf_addf(sb, ".%03d", (int)(ms % 1000));
	strbuf_addstr(sb, "Z\",\"tool\":");
	strbuf_add_json_str(sb, tool_name(ev->tool));
	if (ev->author) {
		strbuf_addstr(sb, ",\"author\":");
		strbuf_add_json_str(sb, ev->author);
	}
	if (ev->model) {
		strbuf_addstr(sb, ",\"model\":");
		strbuf_add_json_str(sb, ev->model);
	}
	strbuf_addf(sb, ",\"input\":%llu,\"output\":%llu,"
		    "\"cache_write\":%llu,\"cache_write_1h\":%llu,"
		    "\"cache_read\":%llu",
		    (unsigned long long)ev->input,
		    (unsigned long long)ev->output,
		    (unsigned long long)ev->cache_write,
		    (unsigned long long)ev->cache_write_1h,
		    (unsigned long long)ev->cache_read);
	if (ev->cost_known)
		strbuf_addf(sb, ",\"cost_usd\":%.10g", ev->cost);
	strbuf_addstr(sb, "}\n");
}

/* Add the non-empty events of t to set, counting into result. */
static void collect(struct table *t, struct usage_set *set,
		    struct table *people, struct provider_result *result)
{
	size_t i;

	for (i = 0; i < t->alloc; i++) {
		const struct usage_event *ev = &t->s[i].ev;

		if (!t->s[i].used || (!event_total_tokens(ev) && !ev->cost))
			continue;
		usage_set_add(set, ev);
		result->events++;
		result->tokens += event_total_tokens(ev);
		if (ev->author && !table_find(people, 0, ev->author, NULL, 0)) {
			table_find(people, 0, ev->author, NULL, 1);
			result->people++;
		}
	}
}

/* Write the events, sorted, as the store at path: 0, or -1. */
static int store_write(const char *path, struct usage_set *all)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret;

	usage_set_sort(all);
	strbuf_addstr(&sb, STORE_HEADER "\n");
	for (i = 0; i < all->nr; i++)
		format_event(&sb, &all->ev[i]);
	ret = write_file_strbuf(path, &sb, 0600, WRITE_FILE_SYNC);
	strbuf_release(&sb);
	return ret;
}

/* Replace tool's days in [since, until] with the fetched events. */
static int store_update(struct fetch *f, struct provider_result *result)
{
	struct usage_set old = USAGE_SET_INIT, all = USAGE_SET_INIT;
	struct table people = TABLE_INIT;
	struct strbuf path = STRBUF_INIT;
	size_t i;
	int ret = -1;

	if (store_read(f->repo, &old) < 0 || store_path(f->repo, &path) < 0)
		goto cleanup;
	for (i = 0; i < old.nr; i++) {
		const struct usage_event *ev = &old.ev[i];

		if (ev->tool == f->tool && in_range(f, ev->time / DAY_MS))
			continue;
		usage_set_add(&all, ev);
	}
	collect(&f->events, &all, &people, result);
	collect(&f->msgs, &all, &people, result);
	ret = store_write(path.buf, &all);
cleanup:
	usage_set_release(&old);
	usage_set_release(&all);
	table_release(&people);
	strbuf_release(&path);
	return ret;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* Each event's stored line, sorted. */
static char **event_lines(const struct usage_set *set)
{
	char **v = xcalloc(set->nr + 1, sizeof(*v));
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < set->nr; i++) {
		strbuf_reset(&sb);
		format_event(&sb, &set->ev[i]);
		v[i] = xstrdup(sb.buf);
	}
	qsort(v, set->nr, sizeof(*v), str_cmp);
	strbuf_release(&sb);
	return v;
}

static void free_lines(char **v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

int provider_store_add(struct repo *repo, const struct usage_set *add,
		       size_t *added, size_t *dups)
{
	struct usage_set old = USAGE_SET_INIT, more = USAGE_SET_INIT;
	struct strbuf path = STRBUF_INIT;
	char **have = NULL, **want = NULL;
	size_t i, j, k, n, m, have_nr = 0;
	int ret = -1;

	*added = *dups = 0;
	if (store_read(repo, &old) < 0 || store_path(repo, &path) < 0)
		goto cleanup;
	have = event_lines(&old);
	have_nr = old.nr;
	want = event_lines(add);
	/*
	 * An event already stored counts once: of equal lines, keep as
	 * many as the larger of the two sets holds.
	 */
	for (i = j = 0; want && i < add->nr; i = k) {
		for (k = i; k < add->nr && !strcmp(want[k], want[i]); k++)
			;
		while (j < old.nr && strcmp(have[j], want[i]) < 0)
			j++;
		for (n = 0; j + n < old.nr && !strcmp(have[j + n], want[i]);
		     n++)
			;
		for (m = k - i; m > n; m--) {
			struct usage_event ev;

			if (!parse_line(want[i], strlen(want[i]), &ev))
				usage_set_add(&more, &ev);
		}
		*dups += k - i < n ? k - i : n;
	}
	*added = more.nr;
	if (!more.nr) {
		ret = 0;
		goto cleanup;
	}
	for (i = 0; i < more.nr; i++)
		usage_set_add(&old, &more.ev[i]);
	ret = store_write(path.buf, &old);
cleanup:
	free_lines(have, have_nr);
	if (want)
		free_lines(want, add->nr);
	usage_set_release(&old);
	usage_set_release(&more);
	strbuf_release(&path);
	return ret;
}

/*
 * Cursor's events join the store, each once (provider_store_add()).
 * An event twice in one fetch is one event on two pages (the list
 * shifted while it was read): two calls of one person to one model in
 * the same millisecond with the same tokens are not real.
 */
static int cursor_store(struct fetch *f, struct provider_result *result)
{
	struct table people = TABLE_INIT;
	struct usage_set once = USAGE_SET_INIT;
	char **lines = event_lines(&f->cursor);
	size_t i, added, dups;
	int ret;

	for (i = 0; i < f->cursor.nr; i++) {
		struct usage_event ev;
		const char *who;

		if ((i && !strcmp(lines[i], lines[i - 1])) ||
		    parse_line(lines[i], strlen(lines[i]), &ev))
			continue;
		usage_set_add(&once, &ev);
		result->events++;
		result->tokens += event_total_tokens(&ev);
		who = ev.author;
		if (who && !table_find(&people, 0, who, NULL, 0)) {
			table_find(&people, 0, who, NULL, 1);
			result->people++;
		}
	}
	ret = provider_store_add(f->repo, &once, &added, &dups);
	free_lines(lines, f->cursor.nr);
	usage_set_release(&once);
	table_release(&people);
	return ret;
}

static void fetch_release(struct fetch *f)
{
	strbuf_release(&f->base);
	table_release(&f->events);
	table_release(&f->cc_api);
	table_release(&f->msgs);
	table_release(&f->users);
	table_release(&f->key_owner);
	table_release(&f->key_name);
	usage_set_release(&f->cursor);
	free(f->bad_url);
	free(f->bad_why);
}

int provider_fetch(struct repo *repo, enum tool tool,
		   const struct provider_opts *opts,
		   struct provider_result *result)
{
	struct fetch f;
	const char *base, *env;
	int ret = -1;

	memset(&f, 0, sizeof(f));
	memset(result, 0, sizeof(*result));
	strbuf_init(&f.base, 0);
	f.repo = repo;
	f.tool = tool;
	f.opts = opts;
	f.key_var = provider_key_var(tool);
	if (tool == TOOL_ANTHROPIC_API) {
		env = getenv("GIT_TOKENS_ANTHROPIC_URL");
		base = env && *env ? env : ANTHROPIC_URL;
	} else if (tool == TOOL_OPENAI_API) {
		env = getenv("GIT_TOKENS_OPENAI_URL");
		base = env && *env ? env : OPENAI_URL;
	} else if (tool == TOOL_CURSOR) {
		env = getenv("GIT_TOKENS_CURSOR_URL");
		base = env && *env ? env : CURSOR_URL;
	} else {
		BUG("provider_fetch for tool %d", (int)tool);
	}
	strbuf_addstr(&f.base, base);
	while (f.base.len && f.base.buf[f.base.len - 1] == '/')
		strbuf_setlen(&f.base, f.base.len - 1);
	f.key = getenv(f.key_var);
	if (f.key && !*f.key)
		f.key = NULL;
	if (!f.key && !opts->offline) {
		error("%s is not set", f.key_var);
		goto cleanup;
	}
	if (opts->since > opts->until) {
		error("the first day is after the last day");
		goto cleanup;
	}
	if (http_init(repo) < 0)
		goto cleanup;

	if ((tool == TOOL_ANTHROPIC_API ? fetch_anthropic(&f) :
	     tool == TOOL_CURSOR ? fetch_cursor(&f) : fetch_openai(&f)) < 0)
		goto cleanup;
	if (f.bad)
		warning("skipped %llu malformed records from the provider; "
			"first in '%s': %s", (unsigned long long)f.bad,
			f.bad_url, f.bad_why);
	result->days = (size_t)(opts->until - opts->since + 1);
	if (tool == TOOL_CURSOR)
		ret = cursor_store(&f, result);
	else
		ret = store_update(&f, result);
cleanup:
	fetch_release(&f);
	return ret;
}

int provider_answer_parse(enum tool tool, const enum provider_answer *what,
			  const char * const *body, const size_t *len,
			  size_t nr, struct usage_set *out)
{
	static page_fn * const fns[] = {
		[PROVIDER_ANSWER_USERS] = users_page,
		[PROVIDER_ANSWER_API_KEYS] = anthropic_keys_page,
		[PROVIDER_ANSWER_CLAUDE_CODE] = claude_code_page,
		[PROVIDER_ANSWER_MESSAGES] = messages_page,
		[PROVIDER_ANSWER_COMPLETIONS] = completions_page,
		[PROVIDER_ANSWER_CURSOR] = cursor_page,
	};
	struct provider_opts opts = { 0, INT32_MAX, 1 };
	struct provider_result result;
	struct table people = TABLE_INIT;
	struct strbuf stripped = STRBUF_INIT;
	struct fetch f;
	size_t i;
	int ret = 0;

	memset(&f, 0, sizeof(f));
	strbuf_init(&f.base, 0);
	f.tool = tool;
	f.opts = &opts;
	for (i = 0; i < nr; i++) {
		struct json *page = json_parse(body[i], len[i]);

		/* What fetch_json() and cursor_post() check. */
		if (!json_is_object(page) ||
		    !json_is_array(json_get(page,
				what[i] == PROVIDER_ANSWER_CURSOR ?
				"usageEvents" : "data"))) {
			json_free(page);
			ret = -1;
			continue;
		}
		if (what[i] == PROVIDER_ANSWER_API_KEYS) {
			/* Read as the cache keeps it: it must stay JSON. */
			strip_key_list(page, &stripped);
			json_free(page);
			page = json_parse(stripped.buf, stripped.len);
			if (!page)
				BUG("stripped key list is not JSON: %s",
				    stripped.buf);
		}
		fns[what[i]](&f, "https://fuzz.invalid/", page);
		json_free(page);
	}
	if (tool == TOOL_ANTHROPIC_API)
		anthropic_fold(&f);
	memset(&result, 0, sizeof(result));
	collect(&f.events, out, &people, &result);
	collect(&f.msgs, out, &people, &result);
	for (i = 0; i < f.cursor.nr; i++)
		usage_set_add(out, &f.cursor.ev[i]);
	table_release(&people);
	strbuf_release(&stripped);
	fetch_release(&f);
	return ret;
}
