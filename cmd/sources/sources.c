/*
 * The usage-source core: the registry, bad-input warnings, parsing
 * from memory and usage_load(), which runs every source over its
 * cache and prices the events. Each tool's parser lives in <tool>.c;
 * per-file state in state.c, the cache file in cache.c, the line
 * scanner and threads in scan.c, the folder walk in walk.c and
 * repository matching in match.c.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "git/repo.h"
#include "sources/prices.h"
#include "sources/sources-internal.h"

/* The registry. */
const struct source source_table[] = {
	{ "claude-code", TOOL_CLAUDE, source_claude_read },
	{ "codex", TOOL_CODEX, source_codex_read },
	{ "gemini", TOOL_GEMINI, source_gemini_read },
	{ "aider", TOOL_AIDER, source_aider_read },
	{ "opencode", TOOL_OPENCODE, source_opencode_read },
	{ "import", TOOL_IMPORT, source_import_read },
	{ "copilot-cli", TOOL_COPILOT, source_copilot_read },
	{ "cline", TOOL_CLINE, source_cline_read },
	{ "roo-code", TOOL_ROO, source_cline_read },
	{ "kilo-code", TOOL_KILO, source_cline_read },
	{ "cursor", TOOL_CURSOR, source_cursor_read },
	{ "amp", TOOL_AMP, source_amp_read },
	{ "qwen-code", TOOL_QWEN, source_qwen_read },
	{ "kimi", TOOL_KIMI, source_kimi_read },
	{ "droid", TOOL_DROID, source_droid_read },
	{ "continue", TOOL_CONTINUE, source_continue_read },
	{ "kilo-cli", TOOL_KILO_CLI, source_opencode_read },
	{ "goose", TOOL_GOOSE, source_goose_read },
	{ "crush", TOOL_CRUSH, source_crush_read },
	{ "zed", TOOL_ZED, source_zed_read },
	{ NULL, 0, NULL }
};

const struct source *source_lookup(const char *name)
{
	const struct source *s;

	for (s = source_table; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	/* "claude" is what people type. */
	if (!strcmp(name, "claude"))
		return source_lookup("claude-code");
	return NULL;
}

/* ---- a map from non-zero 64-bit keys ---- */

static void u64map_grow(struct u64map *m, size_t alloc)
{
	struct u64map old = *m;
	size_t i, j;

	m->alloc = alloc;
	m->keys = xcalloc(m->alloc, sizeof(*m->keys));
	m->vals = xmalloc(m->alloc * sizeof(*m->vals));
	for (i = 0; i < old.alloc; i++) {
		if (!old.keys[i])
			continue;
		j = hash_mix(old.keys[i]) & (m->alloc - 1);
		while (m->keys[j])
			j = (j + 1) & (m->alloc - 1);
		m->keys[j] = old.keys[i];
		m->vals[j] = old.vals[i];
	}
	free(old.keys);
	free(old.vals);
}

void u64map_reserve(struct u64map *m, size_t nr)
{
	size_t alloc = m->alloc ? m->alloc : 1024;

	while ((m->nr + nr + 1) * 2 > alloc)
		alloc *= 2;
	if (alloc != m->alloc)
		u64map_grow(m, alloc);
}

size_t *u64map_find(struct u64map *m, uint64_t key, int add)
{
	size_t j;

	if (add && (m->nr + 1) * 2 > m->alloc)
		u64map_grow(m, m->alloc ? m->alloc * 2 : 1024);
	if (!m->alloc)
		return NULL;
	j = hash_mix(key) & (m->alloc - 1);
	while (m->keys[j]) {
		if (m->keys[j] == key)
			return &m->vals[j];
		j = (j + 1) & (m->alloc - 1);
	}
	if (!add)
		return NULL;
	m->keys[j] = key;
	m->vals[j] = 0;
	m->nr++;
	return &m->vals[j];
}

void u64map_release(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- warnings ---- */


void source_warn_add(struct source_warn *w, int src, const char *file,
		     uint64_t line, const char *why, uint64_t n)
{
	int better;

	pthread_mutex_lock(&w->lock);
	w->count += n;
	if (!w->first_file)
		better = 1;
	else if (src != w->first_src)
		better = src < w->first_src;
	else {
		int c = strcmp(file, w->first_file);

		better = c < 0 || (!c && line < w->first_line);
	}
	if (better) {
		free(w->first_file);
		free(w->first_why);
		w->first_src = src;
		w->first_file = xstrdup(file);
		w->first_line = line;
		w->first_why = xstrdup(why ? why : "bad input");
	}
	pthread_mutex_unlock(&w->lock);
}

void source_warn_flush(struct source_warn *w)
{
	if (w->count) {
		if (w->first_line)
			warning("skipped %llu bad usage %s "
				"(first: %s:%llu: %s)",
				(unsigned long long)w->count,
				w->count == 1 ? "record" : "records",
				w->first_file,
				(unsigned long long)w->first_line,
				w->first_why);
		else
			warning("skipped %llu bad usage %s (first: %s: %s)",
				(unsigned long long)w->count,
				w->count == 1 ? "record" : "records",
				w->first_file, w->first_why);
	}
	free(w->first_file);
	free(w->first_why);
	free(w->models);
	w->first_file = w->first_why = NULL;
	w->count = 0;
}

/* ---- where logs were found (doctor) ---- */

void source_found(struct source_ctx *ctx, const char *where)
{
	size_t i;

	if (!ctx->found)
		return;
	for (i = 0; i < ctx->found->where.nr; i++)
		if (!strcmp(ctx->found->where.v[i], where))
			return;
	strvec_push(&ctx->found->where, where);
}

void source_found_hint(struct source_ctx *ctx, const char *hint)
{
	if (ctx->found)
		ctx->found->hint = hint;
}

/* The files seen, and their common folder when the source named none. */
static void found_files(struct source_ctx *ctx, const struct source_state *st)
{
	const char *first = NULL;
	size_t i, common = 0;

	for (i = 0; i < st->nr; i++) {
		const char *p = st->files[i]->path;
		size_t n = 0;

		if (!st->files[i]->seen)
			continue;
		ctx->found->files++;
		if (!first) {
			first = p;
			common = strlen(p);
			continue;
		}
		while (n < common && p[n] == first[n])
			n++;
		common = n;
	}
	if (!first || ctx->found->where.nr)
		return;
	while (common && first[common - 1] != '/')
		common--;
	if (common > 1)
		common--;
	if (common) {
		char *dir = xstrndup(first, common);

		source_found(ctx, dir);
		free(dir);
	}
}

/* ---- time ---- */

int source_time_ok(const struct source_ctx *ctx, int64_t ms)
{
	return ms >= SOURCE_TIME_MIN && ms <= ctx->now + 86400000LL;
}

/* ---- skimmed values ---- */

const char *source_raw_cstr(const struct json_raw *v, struct strbuf *tmp)
{
	const char *s;
	size_t len;

	if (json_raw_str(v, tmp, &s, &len))
		return NULL;
	if (s != tmp->buf) {
		strbuf_reset(tmp);
		strbuf_add(tmp, s, len);
	}
	return tmp->buf;
}

const char *source_skim_why(const char *buf, size_t len)
{
	struct json *j = json_parse(buf, len);
	const char *why = j && !json_is_object(j) ?
		"not a JSON object" : "malformed JSON";

	json_free(j);
	return why;
}

int source_line_skim(struct source_ctx *ctx, struct source_file *f,
		     const char *line, size_t len, uint64_t lineno,
		     int partial, const struct json_key *keys, size_t nkeys,
		     struct json_raw *out, struct json_skim_sub *sub)
{
	int failed = json_skim_sub(line, len, keys, nkeys, out, sub, 0,
				   NULL) != 0, sub_bad = 0;
	const char *why;

	for (; sub; sub = sub->sub)
		sub_bad |= sub->bad;
	if (!failed && !sub_bad)
		return 0;
	if (partial)
		return 1;
	why = failed ? source_skim_why(line, len) : "malformed JSON";
	/* Valid JSON but no object: no record in it, and nothing wrong. */
	if (strcmp(why, "not a JSON object"))
		source_bad_line(ctx, f->path, lineno, why);
	return -1;
}

/* Follow v: 1 when it differs from the last value seen. */
static int memo_set(struct source_memo *m, const struct json_raw *v)
{
	if (m->valid && m->raw.len == (v->p ? v->len : 0) &&
	    (!v->p || !memcmp(m->raw.buf, v->p, v->len)))
		return 0;
	strbuf_reset(&m->raw);
	if (v->p)
		strbuf_add(&m->raw, v->p, v->len);
	if (!source_raw_cstr(v, &m->text))
		strbuf_reset(&m->text);
	m->valid = 1;
	m->interned = NULL;
	m->hashed = 0;
	return 1;
}

const char *source_memo_intern(struct source_memo *m,
			       const struct json_raw *v)
{
	if (memo_set(m, v) && m->text.len)
		m->interned = event_intern(m->text.buf);
	return m->interned;
}

void source_memo_session(struct source_memo *m, const struct json_raw *v,
			 char out[13])
{
	memo_set(m, v);
	if (!m->hashed) {
		event_session_hash(m->session, m->text.buf);
		m->hashed = 1;
	}
	memcpy(out, m->session, sizeof(m->session));
}

void source_memo_release(struct source_memo *m)
{
	strbuf_release(&m->raw);
	strbuf_release(&m->text);
}

/* ---- JSON arrays read element by element ---- */

/* Past the string that starts at p (a quote), or NULL when cut short. */
static const char *string_end(const char *p, const char *end)
{
	const char *q;

	for (p++; (q = memchr(p, '"', (size_t)(end - p))); p = q + 1) {
		const char *b = q;

		/* escaped when an odd number of backslashes precede it */
		while (b > p && b[-1] == '\\')
			b--;
		if (!((q - b) & 1))
			return q + 1;
	}
	return NULL;
}

/*
 * Past the object or array that starts at p (brackets matched, strings
 * skipped), or NULL when it is cut short.
 */
static const char *value_end(const char *p, const char *end)
{
	int depth = 0;

	while (p && p < end) {
		if (*p == '"') {
			p = string_end(p, end);
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if ((*p == '}' || *p == ']') && --depth == 0)
			return p + 1;
		p++;
	}
	return NULL;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void source_array_each(const char *buf, size_t len, source_element_fn *fn,
		       void *data)
{
	const char *p = buf, *end = buf + len, *e, *q, *line_at = buf;
	uint64_t line = 1;

	while (p < end && is_space(*p))
		p++;
	if (p == end)
		return;
	if (*p != '[') {
		fn(p, p, 1, "not a JSON array", data);
		return;
	}
	for (p++; p < end; p = e) {
		while (p < end && (is_space(*p) || *p == ','))
			p++;
		if (p == end || *p == ']')
			return;
		for (; (q = memchr(line_at, '\n', (size_t)(p - line_at)));
		     line_at = q + 1)
			line++;
		line_at = p;
		if (*p != '{' && *p != '[') {
			/* A scalar: up to the next comma. */
			for (e = p; e && e < end && *e != ',' && *e != ']';)
				e = *e == '"' ? string_end(e, end) : e + 1;
			fn(p, p, line, "not a JSON object", data);
			if (!e)
				return;
			continue;
		}
		e = value_end(p, end);
		if (!e) {
			fn(p, p, line, "record cut short", data);
			return;
		}
		fn(p, e, line, NULL, data);
	}
	fn(p, p, line, "array cut short", data);
}

/* ---- parsing from memory (tests and fuzzing) ---- */

struct source_mem {
	struct source_ctx ctx;
	struct source_state st;
	struct source_warn warn;
};

struct source_ctx *source_mem_begin(const char *source,
				    struct usage_set *out)
{
	struct source_mem *m = xcalloc(1, sizeof(*m));
	const struct source *src = source_lookup(source);

	if (!src)
		BUG("no source '%s'", source);
	pthread_mutex_init(&m->warn.lock, NULL);
	m->st.src = src;
	m->st.idx = (int)(src - source_table);
	m->ctx.out = out;
	m->ctx.src = src;
	strvec_init(&m->ctx.paths);
	date_now(&m->ctx.now);
	m->ctx.state = &m->st;
	m->ctx.warn = &m->warn;
	return &m->ctx;
}

struct source_file *source_mem_file(struct source_ctx *ctx,
				    const char *path)
{
	const char *ipath = event_intern(path);
	struct source_file *f = source_state_lookup(ctx->state, ipath);

	if (!f)
		f = source_state_add(ctx->state, ipath);
	source_file_reset(f);
	f->seen = f->changed = 1;
	return f;
}

void source_mem_end(struct source_ctx *ctx)
{
	/* ctx is the first member of the struct source_mem it lives in */
	struct source_mem *m = (struct source_mem *)ctx;

	source_warn_flush(&m->warn);
	pthread_mutex_destroy(&m->warn.lock);
	source_state_free(&m->st);
	strvec_clear(&m->ctx.paths);
	free(m);
}

/* ---- usage_load ---- */

static int cache_dir(struct repo *repo, const struct usage_query *q,
		     struct strbuf *out)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	size_t i;

	if (!q->all_repos && repo)
		return repo_tokens_dir(repo, out);
	if (xdg && *xdg == '/')
		strbuf_addf(out, "%s/git-tokens", xdg);
	else
		strbuf_addf(out, "%s/.cache/git-tokens", source_home());
	/* mkdir -p */
	for (i = 1; i <= out->len; i++) {
		if (i < out->len && out->buf[i] != '/')
			continue;
		out->buf[i] = '\0';
		if (mkdir(out->buf, 0777) < 0 && errno != EEXIST) {
			if (i < out->len)
				out->buf[i] = '/';
			return -1;
		}
		if (i < out->len)
			out->buf[i] = '/';
	}
	strbuf_addch(out, '/');
	return 0;
}

static int source_enabled(struct repo *repo, const struct source *src)
{
	char *list = NULL;
	char *tok, *save = NULL;
	int on = 0;

	if (repo_config_string(repo, "tokens.sources", &list) || !list)
		return 1;
	for (tok = strtok_r(list, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		const struct source *s = source_lookup(tok);

		if (s == src || !strcmp(tok, "all"))
			on = 1;
	}
	free(list);
	return on;
}

static int load_prices(struct price_table **t, struct repo *repo)
{
	*t = NULL;
	if (prices_load(t, repo, NULL) < 0) {
		*t = NULL;
		return -1;
	}
	return 0;
}

static void price_event(struct price_table *t, struct source_warn *w,
			struct usage_event *ev, struct strbuf *said)
{
	struct strbuf msg = STRBUF_INIT;
	size_t i;
	int st = 0;

	if (ev->cost_recorded)
		return;
	ev->cost_known = 0;
	ev->cost = 0;
	if (t && !(st = prices_apply(t, ev)) && ev->cost_known)
		return;
	ev->cost_known = 0;
	ev->cost = 0;
	if (!t)
		return;
	for (i = 0; i < w->models_nr; i++)
		if (w->models[i] == ev->model)
			return;
	ALLOC_GROW(w->models, w->models_nr + 1, w->models_alloc);
	w->models[w->models_nr++] = ev->model;
	if (st == 2)
		strbuf_addf(&msg, "no web search price for model '%s': the "
			    "cost of its responses with web searches is "
			    "unknown", ev->model);
	else if (ev->model)
		strbuf_addf(&msg, "no price for model '%s': its cost is "
			    "unknown", ev->model);
	else
		strbuf_addstr(&msg, "usage without a model name: its cost is "
			      "unknown");
	warning("%s", msg.buf);
	/* a summary repeats them (a model name holds no newline) */
	if (said)
		strbuf_addf(said, "%s\n", msg.buf);
	strbuf_release(&msg);
}

/* Of one source's events, out's from on, keep those the query asks for. */
static void keep_events(struct usage_set *out, size_t from,
			const struct usage_query *q, struct source_ctx *ctx,
			int *merged)
{
	size_t i, n;

	for (i = n = from; i < out->nr; i++) {
		struct usage_event *ev = &out->ev[i];

		if ((q->since && ev->time < q->since) ||
		    (q->until && ev->time >= q->until))
			continue;
		if (!q->all_repos && !source_repo_match(ctx, ev->cwd))
			continue;
		if (n != i)
			out->ev[n] = *ev;
		n++;
	}
	out->nr = n;
	if (from && n > from)
		*merged = 1;
}

/* set's events from on, as a set of their own (not to grow). */
static struct usage_set set_from(struct usage_set *set, size_t from)
{
	struct usage_set part = { set->ev + from, set->nr - from,
				  set->nr - from };

	return part;
}

/* Sort out's events from on, as one source's: in place. */
static void sort_from(struct usage_set *out, size_t from)
{
	struct usage_set part = set_from(out, from);

	usage_set_sort(&part);
}

/*
 * The sources whose result is reused as saved, their events not loaded
 * until needed: a summary may make them unneeded.
 */
struct deferred {
	struct source_state *st;
	size_t nr, alloc;
};

static void deferred_add(struct deferred *d, const struct source_state *st)
{
	ALLOC_GROW(d->st, d->nr + 1, d->alloc);
	d->st[d->nr++] = *st;
}

/* Load them after all (in the sources' order), or with out NULL not. */
static void deferred_flush(struct deferred *d, struct usage_set *out,
			   const struct usage_query *q,
			   struct source_ctx *ctx, int *merged)
{
	size_t i;

	for (i = 0; i < d->nr; i++) {
		size_t from = out ? out->nr : 0;

		if (out) {
			source_result_emit(&d->st[i], out);
			sort_from(out, from);
			keep_events(out, from, q, ctx, merged);
		}
		source_state_free(&d->st[i]);
	}
	d->nr = 0;
}

/*
 * With a summary asked for: what the events depend on, summed up once
 * st's source has run (ok: its events are its cache's result).
 */
static void summary_add(const struct usage_query *q, int idx, uint64_t stamp,
			int ok)
{
	struct usage_summary *s = q->summary;

	if (!s || !s->id)
		return;
	if (!ok || !stamp) {
		s->id = 0;
		return;
	}
	s->id = source_summary_id(s->id, (uint64_t)idx);
	s->id = source_summary_id(s->id, stamp);
}

/*
 * Once the prices are known: with nothing new anywhere, the summary
 * saved then, its warnings repeated. Else what the summary to save
 * depends on (nothing known without a price table).
 */
static int summary_hit(struct usage_summary *s,
		       const struct price_table *prices, int events)
{
	char *line, *save = NULL;

	if (!s || !s->id)
		return 0;
	if (!prices) {
		s->id = 0;
		return 0;
	}
	s->id = source_summary_id(s->id, prices_id(prices));
	s->id += !s->id;
	if (events || !source_summary_read(s))
		return 0;
	for (line = strtok_r(s->warnings.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		warning("%s", line);
	strbuf_reset(&s->warnings);
	s->hit = 1;
	if (getenv("GIT_TOKENS_DEBUG"))
		fprintf(stderr, "usage: the summary of the last run\n");
	return 1;
}

/*
 * One source's run. Sources are read at once on a few threads, each
 * thread adding the events of the sources it reads to a set of its
 * own, messages held; then, in the table's order, each source's
 * messages are said and its events kept, so that the output never
 * depends on which finished first. A source may use only what is its
 * own (its state and cache files, its events in its thread's set),
 * locked (warnings, interned strings), or read-only by then (the
 * configuration, seen).
 */
struct source_job {
	struct source_state st;
	struct source_ctx ctx;
	struct usage_set *set;     /* its thread's */
	size_t from, nr;           /* its events there */
	struct strbuf cache, dirs; /* its cache files; empty: none */
	char *said;                /* its error() and warning() lines */
	int ret, ok;
	int alone;                 /* read while no other thread runs */
	/* what is left to know of st once freed */
	int reused;
	uint64_t stamp;
	size_t listed, known;
};

static void job_run(struct source_job *job, struct usage_set *set)
{
	struct source_state *st = &job->st;
	struct source_ctx *ctx = &job->ctx;
	struct usage_set raw;
	size_t i;

	if (job->cache.len) {
		source_cache_read(st, job->cache.buf);
		source_dirs_read(st, job->dirs.buf);
	}
	job->set = ctx->out = set;
	job->from = set->nr;
	if (ctx->src->read(ctx) < 0)
		job->ret = -1;
	job->nr = set->nr - job->from;
	/* reused, or nothing then and now */
	job->ok = !job->ret && (st->reused || (st->result && !st->result_nr &&
					       !st->nr && !job->nr));
	if (ctx->found)
		found_files(ctx, st);
	/* Saved sorted, the result sorts in one pass next time. */
	sort_from(set, job->from);
	raw = set_from(set, job->from);
	if (job->cache.len && !st->reused) {
		/* Files gone from disk leave the cache too. */
		for (i = 0; i < st->nr; i++)
			if (!st->files[i]->seen)
				st->dirty = 1;
		if (st->dirty || !st->result)
			job->ok = !source_cache_write(st, job->cache.buf,
						      &raw) && !job->ret;
	}
	if (job->cache.len && st->dirs_dirty)
		source_dirs_write(st, job->dirs.buf);
	job->reused = st->reused;
	job->stamp = st->stamp;
	job->listed = st->dirs_listed;
	job->known = st->dirs_known;
	/* Its memory to the next source this thread reads. */
	if (!(st->reused && st->defer))
		source_state_free(st);
}

struct job_pool {
	struct source_job *jobs;
	size_t nr;
	size_t next; /* the next job to take (atomic) */
	int one;     /* on this thread only */
	struct usage_set set[SOURCE_MAX_THREADS];
};

struct pool_thread {
	struct job_pool *pool;
	int t;
};

static void *pool_run(void *v)
{
	struct pool_thread *me = v;
	struct job_pool *pool = me->pool;
	size_t i;

	source_heap_huge();
	report_hold(1);
	while ((i = __atomic_fetch_add(&pool->next, 1, __ATOMIC_RELAXED)) <
	       pool->nr) {
		if (pool->jobs[i].alone)
			continue;
		job_run(&pool->jobs[i], &pool->set[me->t]);
		pool->jobs[i].said = report_held();
	}
	report_hold(0);
	return NULL;
}

/* Every job run, on as many threads as there are cores (at most 4). */
static void jobs_run(struct job_pool *pool)
{
	struct pool_thread me[SOURCE_MAX_THREADS];
	pthread_t tid[SOURCE_MAX_THREADS];
	int started[SOURCE_MAX_THREADS];
	int nt = source_threads(pool->one ? 1 : pool->nr, 1, 0), t;
	size_t i;

	if (nt < 2) {
		/* in order, saying what there is to say at once */
		for (i = 0; i < pool->nr; i++)
			job_run(&pool->jobs[i], &pool->set[0]);
		return;
	}
	source_keep_heaps();
	for (t = 0; t < nt; t++) {
		me[t].pool = pool;
		me[t].t = t;
	}
	for (t = 1; t < nt; t++)
		started[t] = !pthread_create(&tid[t], NULL, pool_run, &me[t]);
	pool_run(&me[0]);
	for (t = 1; t < nt; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
	report_hold(1);
	for (i = 0; i < pool->nr; i++)
		if (pool->jobs[i].alone) {
			job_run(&pool->jobs[i], &pool->set[0]);
			pool->jobs[i].said = report_held();
		}
	report_hold(0);
}

/*
 * job's events appended to out: taken whole when they are out's first
 * and all of their set, else copied (with room made at once for all
 * that is still to come).
 */
static void job_take(struct source_job *job, struct usage_set *out,
		     size_t to_come)
{
	if (!job->nr)
		return;
	if (!out->alloc && job->nr == job->set->nr) {
		*out = *job->set;
		memset(job->set, 0, sizeof(*job->set));
		return;
	}
	usage_set_reserve(out, to_come);
	memcpy(out->ev + out->nr, job->set->ev + job->from,
	       job->nr * sizeof(*out->ev));
	out->nr += job->nr;
}

int usage_load(struct usage_set *out, struct repo *repo,
	       const struct usage_query *q)
{
	struct source_warn warn;
	struct source_match match;
	struct strbuf dir = STRBUF_INIT;
	struct strvec seen = STRVEC_INIT;
	struct price_table *prices = NULL;
	struct usage_summary *sum = NULL;
	struct deferred later = { NULL, 0, 0 };
	struct job_pool pool;
	struct source_job *jobs;
	struct source_ctx ctx;
	const struct source *src;
	int64_t now;
	int have_dir = 0, ret = 0, merged = 0;
	size_t i, nr = 0, total = 0;

	date_now(&now);
	memset(&pool, 0, sizeof(pool));
	jobs = pool.jobs = xcalloc(ARRAY_SIZE(source_table), sizeof(*jobs));
	memset(&ctx, 0, sizeof(ctx));
	memset(&warn, 0, sizeof(warn));
	pthread_mutex_init(&warn.lock, NULL);
	memset(&match, 0, sizeof(match));
	source_match_init(&match, q->all_repos ? NULL : repo);
	if (!q->all_repos && !repo) {
		ret = error("not in a git repository (use --all-repos)");
		goto cleanup;
	}
	if (q->use_cache && !(q->recent && q->since))
		have_dir = !cache_dir(repo, q, &dir);
	if (have_dir && q->all_repos && q->summary) {
		sum = q->summary;
		strbuf_reset(&sum->path);
		strbuf_addf(&sum->path, "%susage-%s.summary", dir.buf,
			    sum->name);
		sum->id = source_summary_begin(sum, q);
	}
	if (repo)
		source_seen_add(repo);
	if (q->all_repos)
		source_seen_list(&seen);
	ctx.repo = repo;
	ctx.warn = &warn;
	ctx.match = &match;

	for (src = source_table; src->name; src++) {
		struct source_job *job = &jobs[nr];
		struct source_ctx *c = &job->ctx;

		if (!source_enabled(repo, src))
			continue;
		nr++;
		/* its reading sets TZ, which no other thread may read then */
		job->alone = src->tool == TOOL_AIDER && date_zone_chosen();
		job->st.src = src;
		job->st.idx = (int)(src - source_table);
		job->st.defer = !!sum;
		c->repo = repo;
		c->src = src;
		strvec_init(&c->paths);
		if (repo) {
			struct strbuf key = STRBUF_INIT;

			strbuf_addf(&key, "tokens.%s.path", src->name);
			repo_config_multi(repo, key.buf, &c->paths);
			strbuf_release(&key);
		}
		c->now = now;
		c->use_cache = q->use_cache;
		/* A line is written after its time: minutes of slack cover
		 * a response that took long, and coarse file times. */
		if (q->recent && q->since)
			c->recent_since = q->since - 10 * 60 * 1000;
		c->state = &job->st;
		c->warn = &warn;
		c->match = &match;
		c->seen = q->all_repos ? &seen : NULL;
		if (q->found)
			c->found = &q->found[job->st.idx];
		strbuf_init(&job->cache, 0);
		strbuf_init(&job->dirs, 0);
		if (have_dir) {
			strbuf_addf(&job->cache, "%susage-%s.cache", dir.buf,
				    src->name);
			strbuf_addf(&job->dirs, "%susage-%s.dirs", dir.buf,
				    src->name);
		}
	}
	pool.nr = nr;
	/* The hook reads the minutes since the last commit: threads would
	 * cost it more than they save. */
	pool.one = q->recent;
	jobs_run(&pool);

	for (i = 0; i < nr; i++)
		total += jobs[i].nr;
	for (i = 0; i < nr; i++) {
		struct source_job *job = &jobs[i];
		struct source_state *st = &job->st;
		size_t from = out->nr;

		report_release(job->said);
		if (job->ret < 0)
			ret = -1;
		if ((job->listed || job->known) && getenv("GIT_TOKENS_DEBUG"))
			fprintf(stderr, "usage: %s: %"PRIuMAX" folders listed,"
				" %"PRIuMAX" as last time\n", st->src->name,
				(uintmax_t)job->listed, (uintmax_t)job->known);
		summary_add(q, st->idx, job->stamp, job->ok);
		if (job->reused && st->defer) {
			deferred_add(&later, st);
			continue;
		}
		/* Those before this one go first, if it adds anything. */
		if (job->nr && later.nr) {
			deferred_flush(&later, out, q, &ctx, &merged);
			from = out->nr;
		}
		job_take(job, out, total);
		total -= job->nr;
		keep_events(out, from, q, &ctx, &merged);
	}

	if (load_prices(&prices, repo) < 0)
		warning("no price table: costs are unknown");
	if (summary_hit(sum, prices, out->nr > 0)) {
		deferred_flush(&later, NULL, q, &ctx, &merged);
		goto cleanup;
	}
	deferred_flush(&later, out, q, &ctx, &merged);
	for (i = 0; i < out->nr; i++)
		price_event(prices, &warn, &out->ev[i],
			    sum ? &sum->warnings : NULL);
	for (i = 0; q->unpriced && i < warn.models_nr; i++)
		strvec_push(q->unpriced, warn.models[i] ? warn.models[i] :
			    "(no model name)");
	/* One source's events are in order already: no second check. */
	if (merged)
		usage_set_sort(out);
cleanup:
	for (i = 0; i < SOURCE_MAX_THREADS; i++)
		usage_set_release(&pool.set[i]);
	for (i = 0; i < nr; i++) {
		strvec_clear(&jobs[i].ctx.paths);
		strbuf_release(&jobs[i].cache);
		strbuf_release(&jobs[i].dirs);
		free(jobs[i].said);
	}
	free(jobs);
	free(later.st);
	if (prices)
		prices_free(prices);
	source_warn_flush(&warn);
	pthread_mutex_destroy(&warn.lock);
	source_match_release(&match);
	strvec_clear(&seen);
	strbuf_release(&dir);
	return ret;
}
