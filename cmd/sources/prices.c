/*
 * The price table: share/prices.json (schema git-tokens/prices/v1), with
 * tokens.prices laid over it. Rates are USD per million tokens.
 *
 * Cache semantics follow the provider: Anthropic bills cache writes (5
 * minute and 1 hour TTL) and cache reads at their own rates; OpenAI and
 * Google have no cache write and bill cached input at the cached-input
 * rate. A long_context tier prices the whole request once its prompt
 * (input + cache write + cache read) exceeds the threshold, as both
 * Anthropic and Google do. Server-side web searches are billed per
 * search: "web_search" gives USD per 1,000 searches by provider. A
 * model's "fast" multiplier prices its "<model>-fast" form (a fast
 * tier) when that has no row of its own.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "git/repo.h"
#include "sources/prices.h"

#define PRICES_SCHEMA "git-tokens/prices/v1"

enum price_provider {
	PROVIDER_ANTHROPIC,
	PROVIDER_OPENAI,
	PROVIDER_GOOGLE,
	PROVIDER__NR
};

static const char *const provider_names[PROVIDER__NR] = {
	"anthropic", "openai", "google",
};

/* A rate below zero means "not given": a default applies. */
struct price_rates {
	double input, output, cache_write_5m, cache_write_1h, cache_read;
};

struct price_entry {
	char *name;
	enum price_provider provider;
	struct price_rates base;
	struct price_rates lc;
	uint64_t lc_threshold;  /* 0: no long-context tier */
	double fast;            /* "<name>-fast" costs this many times more */
};

struct price_alias {
	char *from, *to;
};

/* Interned model name -> entry (NULL: not in the table). */
struct price_memo {
	const char *model;
	const struct price_entry *entry;
};

struct price_memo_set {
	struct price_memo *m;
	size_t nr, alloc;
};

struct price_table {
	char *date;
	struct price_entry *e;
	size_t nr, alloc;
	struct price_alias *alias;
	size_t alias_nr, alias_alloc;
	struct price_memo_set *memo;
	double web_search[PROVIDER__NR]; /* per 1,000; below zero: none */
	uint64_t id;    /* a hash of the text of every table read */
};

static void rates_unset(struct price_rates *r)
{
	r->input = r->output = r->cache_write_5m = r->cache_write_1h =
		r->cache_read = -1;
}

static void table_init(struct price_table *t)
{
	size_t i;

	for (i = 0; i < PROVIDER__NR; i++)
		t->web_search[i] = -1;
}

static int read_rate(double *out, const struct json *obj, const char *key,
		     const char *model, const char *path)
{
	const struct json *j = json_get(obj, key);

	if (!j || json_is_null(j))
		return 0;
	if (json_double(j, out) || *out < 0)
		return error("bad '%s' price for model '%s' in '%s'",
			     key, model, path);
	return 0;
}

static int read_rates(struct price_rates *r, const struct json *obj,
		      const char *model, const char *path)
{
	rates_unset(r);
	if (read_rate(&r->input, obj, "input", model, path) ||
	    read_rate(&r->output, obj, "output", model, path) ||
	    read_rate(&r->cache_write_5m, obj, "cache_write_5m", model, path) ||
	    read_rate(&r->cache_write_1h, obj, "cache_write_1h", model, path) ||
	    read_rate(&r->cache_read, obj, "cache_read", model, path))
		return -1;
	if (r->input < 0 || r->output < 0)
		return error("model '%s' in '%s' lacks an input or output price",
			     model, path);
	return 0;
}

static enum price_provider provider_guess(const char *provider,
					  const char *model)
{
	if (provider) {
		if (!strcmp(provider, "anthropic"))
			return PROVIDER_ANTHROPIC;
		if (!strcmp(provider, "google") || !strcmp(provider, "gemini"))
			return PROVIDER_GOOGLE;
		return PROVIDER_OPENAI;
	}
	if (!strncmp(model, "claude", 6))
		return PROVIDER_ANTHROPIC;
	if (!strncmp(model, "gemini", 6))
		return PROVIDER_GOOGLE;
	return PROVIDER_OPENAI;
}

static struct price_entry *entry_find(const struct price_table *t,
				      const char *name)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->e[i].name, name))
			return &t->e[i];
	return NULL;
}

static int parse_model(struct price_table *t, const struct json *obj,
		       const char *name, const char *path)
{
	struct price_entry ent, *old;
	const struct json *lc, *date;
	uint64_t threshold = 0;
	int64_t day;

	if (!json_is_object(obj))
		return error("model '%s' in '%s' is not an object", name, path);
	/* The day its rates were taken: optional, but never garbled. */
	date = json_get(obj, "date");
	if (date && (!json_str(date) || date_parse_day(json_str(date), &day)))
		return error("bad date for model '%s' in '%s'", name, path);
	memset(&ent, 0, sizeof(ent));
	if (read_rates(&ent.base, obj, name, path))
		return -1;
	ent.provider = provider_guess(json_get_str(obj, "provider"), name);
	ent.fast = -1;
	if (read_rate(&ent.fast, obj, "fast", name, path))
		return -1;
	rates_unset(&ent.lc);
	lc = json_get(obj, "long_context");
	if (lc && !json_is_null(lc)) {
		if (!json_is_object(lc) || read_rates(&ent.lc, lc, name, path))
			return error("bad long_context for model '%s' in '%s'",
				     name, path);
		if (json_get_u64(lc, "threshold", &threshold) != JSON_NUM_OK ||
		    !threshold)
			return error("bad long_context threshold for model '%s' in '%s'",
				     name, path);
	}
	ent.lc_threshold = threshold;

	old = entry_find(t, name);
	if (old) {
		ent.name = old->name;
		*old = ent;
		return 0;
	}
	ent.name = xstrdup(name);
	ALLOC_GROW(t->e, t->nr + 1, t->alloc);
	t->e[t->nr++] = ent;
	return 0;
}

static void alias_set(struct price_table *t, const char *from, const char *to)
{
	size_t i;

	for (i = 0; i < t->alias_nr; i++)
		if (!strcmp(t->alias[i].from, from)) {
			free(t->alias[i].to);
			t->alias[i].to = xstrdup(to);
			return;
		}
	ALLOC_GROW(t->alias, t->alias_nr + 1, t->alias_alloc);
	t->alias[t->alias_nr].from = xstrdup(from);
	t->alias[t->alias_nr].to = xstrdup(to);
	t->alias_nr++;
}

/* "web_search": {"<provider>": <USD per 1,000 searches>, ...} */
static int parse_web_search(struct price_table *t, const struct json *ws,
			    const char *path)
{
	const struct json *c;
	size_t i;

	if (!ws || json_is_null(ws))
		return 0;
	if (!json_is_object(ws))
		return error("'web_search' in price table '%s' is not an object",
			     path);
	for (c = json_child(ws); c; c = json_next(c)) {
		for (i = 0; i < PROVIDER__NR; i++)
			if (!strcmp(json_key(c), provider_names[i]))
				break;
		if (i == PROVIDER__NR)
			continue; /* a provider no source logs searches of */
		if (json_double(c, &t->web_search[i]) || t->web_search[i] < 0)
			return error("bad web_search price for '%s' in '%s'",
				     json_key(c), path);
	}
	return 0;
}

/* Lay the table in buf (read from path) over t. */
static int prices_parse(struct price_table *t, const char *buf, size_t len,
			const char *path)
{
	struct json *root = NULL;
	const struct json *models, *aliases, *c;
	const char *schema, *date;
	int ret = -1;

	t->id = hash_bytes(buf, len, t->id);

	root = json_parse(buf, len);
	if (!json_is_object(root)) {
		error("price table '%s' is not valid JSON", path);
		goto cleanup;
	}
	schema = json_get_str(root, "schema");
	if (!schema || strcmp(schema, PRICES_SCHEMA)) {
		error("price table '%s' has schema '%s', expected '%s'", path,
		      schema ? schema : "", PRICES_SCHEMA);
		goto cleanup;
	}
	date = json_get_str(root, "date");
	if (date) {
		free(t->date);
		t->date = xstrdup(date);
	}
	models = json_get(root, "models");
	if (models && !json_is_object(models)) {
		error("'models' in price table '%s' is not an object", path);
		goto cleanup;
	}
	for (c = json_child(models); c; c = json_next(c))
		if (parse_model(t, c, json_key(c), path))
			goto cleanup;
	if (parse_web_search(t, json_get(root, "web_search"), path))
		goto cleanup;
	aliases = json_get(root, "aliases");
	for (c = json_child(aliases); c; c = json_next(c)) {
		if (!json_str(c)) {
			error("alias '%s' in price table '%s' is not a string",
			      json_key(c), path);
			goto cleanup;
		}
		alias_set(t, json_key(c), json_str(c));
	}
	ret = 0;
cleanup:
	json_free(root);
	return ret;
}

/* Read one table file and lay it over t. */
static int prices_read(struct price_table *t, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (strbuf_read_file(&sb, path, 8192) < 0)
		ret = error_errno("cannot read price table '%s'", path);
	else
		ret = prices_parse(t, sb.buf, sb.len, path);
	strbuf_release(&sb);
	return ret;
}

static char *expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && path[1] == '/' && home)
		return xstrfmt("%s%s", home, path + 1);
	return xstrdup(path);
}

int prices_load(struct price_table **out, struct repo *repo, const char *path)
{
	struct price_table *t = xcalloc(1, sizeof(*t));
	char *config = NULL, *bundled = NULL, *over = NULL;
	int ret = -1;

	*out = NULL;
	t->memo = xcalloc(1, sizeof(*t->memo));
	table_init(t);
	if (path) {
		if (prices_read(t, path))
			goto cleanup;
		goto done;
	}
	if (repo_config_string(repo, "tokens.prices", &config) < 0)
		goto cleanup;
	bundled = xstrfmt("%s/prices.json", tokens_datadir());
	/* tokens.prices alone is enough: the bundled table may be absent. */
	if (!config || !access(bundled, F_OK))
		if (prices_read(t, bundled))
			goto cleanup;
	if (config) {
		over = expand_home(config);
		if (prices_read(t, over))
			goto cleanup;
	}
done:
	if (!t->date)
		t->date = xstrdup("unknown");
	*out = t;
	t = NULL;
	ret = 0;
cleanup:
	prices_free(t);
	free(config);
	free(bundled);
	free(over);
	return ret;
}

int prices_load_mem(struct price_table **out, const char *buf, size_t len,
		    const char *name)
{
	struct price_table *t = xcalloc(1, sizeof(*t));

	*out = NULL;
	t->memo = xcalloc(1, sizeof(*t->memo));
	table_init(t);
	if (prices_parse(t, buf, len, name)) {
		prices_free(t);
		return -1;
	}
	if (!t->date)
		t->date = xstrdup("unknown");
	*out = t;
	return 0;
}

void prices_free(struct price_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nr; i++)
		free(t->e[i].name);
	for (i = 0; i < t->alias_nr; i++) {
		free(t->alias[i].from);
		free(t->alias[i].to);
	}
	free(t->e);
	free(t->alias);
	if (t->memo)
		free(t->memo->m);
	free(t->memo);
	free(t->date);
	free(t);
}

uint64_t prices_id(const struct price_table *t)
{
	return t->id;
}

const char *prices_date(const struct price_table *t)
{
	return t && t->date ? t->date : "unknown";
}

static const struct price_entry *lookup_exact(const struct price_table *t,
					      const char *name)
{
	const struct price_entry *e = entry_find(t, name);
	size_t i;

	if (e)
		return e;
	for (i = 0; i < t->alias_nr; i++)
		if (!strcmp(t->alias[i].from, name))
			return entry_find(t, t->alias[i].to);
	return NULL;
}

/* Strip "-YYYYMMDD", "-YYYY-MM-DD" or "-latest" at the end of s. */
static int strip_date(char *s)
{
	size_t len = strlen(s), i;

	if (len > 7 && !strcmp(s + len - 7, "-latest")) {
		s[len - 7] = '\0';
		return 1;
	}
	if (len > 9 && s[len - 9] == '-') {
		for (i = len - 8; i < len; i++)
			if (!isdigit((unsigned char)s[i]))
				break;
		if (i == len && s[len - 8] == '2') {
			s[len - 9] = '\0';
			return 1;
		}
	}
	if (len > 11 && s[len - 11] == '-' && s[len - 6] == '-' &&
	    s[len - 3] == '-' && s[len - 10] == '2' &&
	    isdigit((unsigned char)s[len - 9]) &&
	    isdigit((unsigned char)s[len - 1])) {
		s[len - 11] = '\0';
		return 1;
	}
	return 0;
}

/*
 * Find a model: the name as logged, then normalised the ways the tools
 * spell the same model: lower case, "[1m]"-style suffixes, provider
 * prefixes ("anthropic/", "openrouter/anthropic/", Bedrock's
 * "anthropic." and "-v1:0"), Vertex's "@date", dated ids, and dots in
 * Claude version numbers.
 */
static const struct price_entry *lookup(const struct price_table *t,
					const char *model)
{
	const struct price_entry *e;
	char *buf, *p, *name;

	if ((e = lookup_exact(t, model)))
		return e;
	buf = xstrdup(model);
	for (p = buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((p = strchr(buf, '[')))
		*p = '\0';
	name = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
	if ((p = strstr(name, "anthropic.")))
		name = p + strlen("anthropic.");
	if ((p = strstr(name, "-v")) && strchr(p, ':') &&
	    isdigit((unsigned char)p[2]))
		*p = '\0';
	for (p = name; *p; p++)
		if (*p == '@')
			*p = '-';
	if ((e = lookup_exact(t, name)))
		goto cleanup;
	if (strip_date(name) && (e = lookup_exact(t, name)))
		goto cleanup;
	if (!strncmp(name, "claude", 6)) {
		for (p = name; *p; p++)
			if (*p == '.')
				*p = '-';
		if ((e = lookup_exact(t, name)))
			goto cleanup;
		if (strip_date(name))
			e = lookup_exact(t, name);
	}
cleanup:
	free(buf);
	return e;
}

static const struct price_entry *lookup_memo(const struct price_table *t,
					     const char *model)
{
	struct price_memo_set *ms = t->memo;
	const struct price_entry *e;
	size_t i;

	/* Models are interned: the pointer is the key. */
	for (i = 0; i < ms->nr; i++)
		if (ms->m[i].model == model)
			return ms->m[i].entry;
	e = lookup(t, model);
	ALLOC_GROW(ms->m, ms->nr + 1, ms->alloc);
	ms->m[ms->nr].model = model;
	ms->m[ms->nr].entry = e;
	ms->nr++;
	return e;
}

static double rate_or(double rate, double fallback)
{
	return rate >= 0 ? rate : fallback;
}

/*
 * "<model>-fast" without a row of its own: the model's row, when it
 * gives a fast multiplier (*mult).
 */
static const struct price_entry *lookup_fast(const struct price_table *t,
					     const char *model, double *mult)
{
	const struct price_entry *e;
	size_t len = strlen(model);
	char *base;

	if (len <= 5 || strcmp(model + len - 5, "-fast"))
		return NULL;
	base = xstrndup(model, len - 5);
	e = lookup_memo(t, event_intern(base));
	free(base);
	if (!e || e->fast < 0)
		return NULL;
	*mult = e->fast;
	return e;
}

int prices_apply(const struct price_table *t, struct usage_event *ev)
{
	const struct price_entry *e;
	const struct price_rates *r;
	uint64_t prompt, w1h, w5m;
	double cost, mult = 1;

	if (ev->cost_recorded) {
		ev->cost_known = 1;
		return 0;
	}
	ev->cost = 0;
	ev->cost_known = 0;
	if (!t || !ev->model || !*ev->model)
		return 1;
	e = lookup_memo(t, ev->model);
	if (!e)
		e = lookup_fast(t, ev->model, &mult);
	if (!e)
		return 1;

	prompt = ev->input + ev->cache_write + ev->cache_read;
	r = &e->base;
	if (e->lc_threshold && prompt > e->lc_threshold)
		r = &e->lc;

	cost = (double)ev->input * r->input + (double)ev->output * r->output;
	if (e->provider == PROVIDER_ANTHROPIC) {
		w1h = ev->cache_write_1h < ev->cache_write ?
			ev->cache_write_1h : ev->cache_write;
		w5m = ev->cache_write - w1h;
		cost += (double)w5m *
			rate_or(r->cache_write_5m, 1.25 * r->input);
		cost += (double)w1h *
			rate_or(r->cache_write_1h, 2 * r->input);
		cost += (double)ev->cache_read *
			rate_or(r->cache_read, 0.1 * r->input);
	} else {
		/* No cache write here: such tokens were plain input. */
		cost += (double)ev->cache_write * r->input;
		cost += (double)ev->cache_read *
			rate_or(r->cache_read, r->input);
	}
	cost *= mult;
	if (ev->web_searches) {
		/* Never a silent zero: unpriced searches leave it unknown. */
		if (t->web_search[e->provider] < 0)
			return 2;
		cost += (double)ev->web_searches *
			t->web_search[e->provider] * 1000;
	}
	ev->cost = cost / 1e6;
	ev->cost_known = 1;
	return 0;
}
