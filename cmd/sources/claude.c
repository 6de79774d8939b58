/*
 * Claude Code: every *.jsonl below <root>/projects/ (subagents/ folders
 * included) and <root>/transcripts/, where the roots are
 * tokens.claude-code.path, else $CLAUDE_CONFIG_DIR (a comma list), else
 * both ${XDG_CONFIG_HOME:-~/.config}/claude and ~/.claude.
 *
 * Only top-level type:"assistant" records count, plus subagent
 * responses nested in "progress" records (data.message.message.usage)
 * where no transcript holds the same response. Claude Code writes one
 * line per content block of a streamed response, each with a copy of
 * the usage, so one event is kept per (message.id, requestId) across
 * all files: non-sidechain first, then the largest total. Sidechain
 * copies of a non-sidechain message.id (/btw replays) are dropped, and
 * so are the rows a forked session copies (they carry "forkedFrom").
 */
#include "base/compat.h"

#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "sources/commit-link.h"
#include "sources/sources.h"

#define CL_SIDECHAIN 1
#define CL_NESTED 2

/* Per-file memo: most lines of a file repeat these. */
struct claude_memo {
	struct strbuf session_id;
	char session[13];
	struct strbuf fallback; /* session id from the file name */
	struct strbuf cwd_raw;
	const char *cwd;
	struct strbuf model_raw;
	const char *model;
	struct strbuf tmp[4];
};


enum { K_TYPE, K_MESSAGE, K_REQUEST, K_TIME, K_CWD, K_SESSION, K_SIDE,
       K_APIERR, K_COST, K_DATA, K_FORK, K__NR };
static const struct json_key rec_keys[K__NR] = {
	JSON_KEY("type"), JSON_KEY("message"), JSON_KEY("requestId"),
	JSON_KEY("timestamp"), JSON_KEY("cwd"), JSON_KEY("sessionId"),
	JSON_KEY("isSidechain"), JSON_KEY("isApiErrorMessage"),
	JSON_KEY("costUSD"), JSON_KEY("data"), JSON_KEY("forkedFrom"),
};
enum { M_MODEL, M_ID, M_USAGE, M__NR };
static const struct json_key msg_keys[M__NR] = {
	JSON_KEY("model"), JSON_KEY("id"), JSON_KEY("usage"),
};
enum { U_IN, U_OUT, U_CW, U_CR, U_CC, U_SPEED, U_STU, U__NR };
static const struct json_key usage_keys[U__NR] = {
	JSON_KEY("input_tokens"), JSON_KEY("output_tokens"),
	JSON_KEY("cache_creation_input_tokens"),
	JSON_KEY("cache_read_input_tokens"), JSON_KEY("cache_creation"),
	JSON_KEY("speed"), JSON_KEY("server_tool_use"),
};
static const struct json_key cc_keys[2] = {
	JSON_KEY("ephemeral_5m_input_tokens"),
	JSON_KEY("ephemeral_1h_input_tokens"),
};
static const struct json_key stu_keys[1] = {
	JSON_KEY("web_search_requests"),
};
static const struct json_key data_keys[1] = { JSON_KEY("message") };

/* Their lookup tables made once, before the lines are read. */
static void keys_fixed(void)
{
	json_keys_fixed(rec_keys, K__NR);
	json_keys_fixed(msg_keys, M__NR);
	json_keys_fixed(usage_keys, U__NR);
	json_keys_fixed(cc_keys, 2);
	json_keys_fixed(stu_keys, 1);
	json_keys_fixed(data_keys, 1);
}

static void session_from_path(const char *path, struct strbuf *out)
{
	const char *p = strstr(path, "/subagents/");
	const char *start, *end;

	strbuf_reset(out);
	if (p) {
		/* <project>/<session>/subagents/agent-x.jsonl */
		end = p;
		start = end;
		while (start > path && start[-1] != '/')
			start--;
	} else {
		start = strrchr(path, '/');
		start = start ? start + 1 : path;
		end = start + strlen(start);
		if (end - start > 6 && !strcmp(end - 6, ".jsonl"))
			end -= 6;
	}
	strbuf_add(out, start, (size_t)(end - start));
}

/* Intern a raw string through a one-entry memo. */
static const char *memo_intern(struct strbuf *last, const char **interned,
			       const char *s, size_t len)
{
	if (!*interned || last->len != len || memcmp(last->buf, s, len)) {
		strbuf_reset(last);
		strbuf_add(last, s, len);
		*interned = event_intern_n(s, len);
	}
	return *interned;
}

static int raw_time(const struct json_raw *v, int64_t *ms)
{
	char buf[64];

	if (!v->p || v->len < 3 || v->len > sizeof(buf) || v->p[0] != '"')
		return -1;
	memcpy(buf, v->p + 1, v->len - 2);
	buf[v->len - 2] = '\0';
	return date_parse_iso(buf, ms);
}

/*
 * Link: a tool result that shows "[<branch> <short-sha>]"
 * after a git commit gives the session's responses since its previous
 * link to that commit. One file is one session (or one subagent's).
 */
static void claude_link(struct source_file *f, const char *line, size_t len)
{
	char hex[41];
	size_t i;

	/*
	 * git commit prints " 1 file changed, ..." after its first line.
	 * The "[" search (memchr) comes first: it rules out most lines
	 * faster than memmem would.
	 */
	if (!commit_link_scan(line, len, hex) ||
	    !memmem(line, len, "tool_result", 11) ||
	    !memmem(line, len, " changed", 8))
		return;
	for (i = f->nr; i > 0 && !f->rec[i - 1].ev.commit[0]; i--)
		memcpy(f->rec[i - 1].ev.commit, hex, strlen(hex) + 1);
}

/*
 * The token counts of a usage object, its cache_creation skimmed in the
 * same pass into cc (cc_bad when that is no object): NULL, or why they
 * are bad.
 */
static const char *claude_counts(struct json_raw *u, struct json_raw *cc,
				 int cc_bad, struct usage_event *ev)
{
	struct json_raw ws;
	uint64_t v5m = 0, v1h = 0, n = 0;
	int st;

	st = json_raw_u64(&u[U_IN], &ev->input);
	st |= json_raw_u64(&u[U_OUT], &ev->output);
	if (st & JSON_NUM_BAD)
		return "bad token count";
	if (st)
		return "missing token counts";
	if (json_raw_u64(&u[U_CR], &ev->cache_read) == JSON_NUM_BAD ||
	    json_raw_u64(&u[U_CW], &ev->cache_write) == JSON_NUM_BAD)
		return "bad token count";
	if (json_raw_is_object(&u[U_CC])) {
		if (cc_bad || json_raw_u64(&cc[0], &v5m) == JSON_NUM_BAD ||
		    json_raw_u64(&cc[1], &v1h) == JSON_NUM_BAD)
			return "bad token count";
		if (v5m + v1h)
			ev->cache_write = v5m + v1h;
	}
	ev->cache_write_1h = v1h <= ev->cache_write ? v1h : ev->cache_write;
	if (json_raw_is_object(&u[U_STU])) {
		if (json_skim(u[U_STU].p, u[U_STU].len, stu_keys, 1, &ws) ||
		    json_raw_u64(&ws, &n) == JSON_NUM_BAD || n > UINT32_MAX)
			return "bad web search count";
		ev->web_searches = (uint32_t)n;
	}
	return NULL;
}

/* The model, "-fast" when the response was in the fast mode. */
static void claude_model(struct claude_memo *memo, struct json_raw *msg,
			 struct json_raw *u, struct usage_event *ev)
{
	struct strbuf fast = STRBUF_INIT;
	const char *s;
	size_t slen;

	if (json_raw_str(&msg[M_MODEL], &memo->tmp[0], &s, &slen) || !slen)
		return;
	if (!json_raw_streq(&u[U_SPEED], "fast")) {
		ev->model = memo_intern(&memo->model_raw, &memo->model, s,
					slen);
		return;
	}
	strbuf_add(&fast, s, slen);
	strbuf_addstr(&fast, "-fast");
	ev->model = event_intern(fast.buf);
	strbuf_release(&fast);
}

/* The session: its id, else the file's name; hashed once per change. */
static void claude_session(struct claude_memo *memo, struct source_file *f,
			   struct json_raw *top, struct usage_event *ev)
{
	const char *s;
	size_t slen;

	if (json_raw_str(&top[K_SESSION], &memo->tmp[2], &s, &slen) || !slen) {
		if (!memo->fallback.len)
			session_from_path(f->path, &memo->fallback);
		s = memo->fallback.buf;
		slen = memo->fallback.len;
	}
	if (!memo->session[0] || memo->session_id.len != slen ||
	    memcmp(memo->session_id.buf, s, slen)) {
		strbuf_reset(&memo->session_id);
		strbuf_add(&memo->session_id, s, slen);
		event_session_hash(memo->session, memo->session_id.buf);
	}
	memcpy(ev->session, memo->session, sizeof(ev->session));
}

/* Which of two copies of one response to keep: 1 when b beats a. */
static int claude_better(const struct source_rec *a, const struct source_rec *b)
{
	int sa = !!(a->flags & CL_SIDECHAIN), sb = !!(b->flags & CL_SIDECHAIN);
	uint64_t ta, tb;

	if (sa != sb)
		return sa;
	ta = event_total_tokens(&a->ev);
	tb = event_total_tokens(&b->ev);
	return tb > ta;
}

static const char *wanted[] = { "assistant", "progress", NULL };

static int claude_line(struct source_ctx *ctx, struct source_file *f,
		       const char *line, size_t len, uint64_t lineno,
		       int partial, void *data)
{
	struct claude_memo *memo = data;
	struct json_raw top[K__NR], nest[K__NR], dm[1], msg[M__NR];
	struct json_raw u[U__NR], cc[2], *rec;
	const char *s, *why = NULL;
	size_t slen;
	struct source_rec r;
	uint64_t h;
	int nested = 0, side, st;
	struct json_skim_sub ccsub = { U_CC, cc_keys, 2, cc, 0, NULL };
	struct json_skim_sub usub = { M_USAGE, usage_keys, U__NR, u, 0,
				      &ccsub };
	struct json_skim_sub msub = { K_MESSAGE, msg_keys, M__NR, msg, 0,
				      &usub };

	/*
	 * Most lines are user prompts and tool results: when the type comes
	 * before any nested value, a complete line of another type is left
	 * unread (a partial one is checked whole: it may be cut short).
	 */
	st = json_skim_sub(line, len, rec_keys, K__NR, top, &msub, K_TYPE,
			   partial ? NULL : wanted);
	if (st > 0) {
		/* A tool result showing "git commit" output links usage. */
		if (json_raw_streq(&top[K_TYPE], "user"))
			claude_link(f, line, len);
		return 0;
	}
	/* The message, its usage and cache_creation: all in one pass. */
	if (st < 0) {
		if (partial)
			return 1;
		source_bad_line(ctx, f->path, lineno, "malformed JSON");
		return 0;
	}
	if (json_raw_streq(&top[K_TYPE], "assistant")) {
		rec = top;
	} else if (json_raw_streq(&top[K_TYPE], "progress") &&
		   json_raw_is_object(&top[K_DATA])) {
		/* a subagent's response, nested: data.message.message.usage */
		if (json_skim(top[K_DATA].p, top[K_DATA].len, data_keys, 1, dm))
			goto malformed;
		if (!json_raw_is_object(&dm[0]))
			return 0;
		if (json_skim_sub(dm[0].p, dm[0].len, rec_keys, K__NR, nest,
				  &msub, 0, NULL))
			goto malformed;
		rec = nest;
		nested = 1;
	} else {
		/* A tool result showing "git commit" output links the usage. */
		if (json_raw_streq(&top[K_TYPE], "user"))
			claude_link(f, line, len);
		/* Usage we cannot place is skipped, never silently. */
		if (!top[K_TYPE].p && !msub.bad &&
		    json_raw_is_object(&msg[M_USAGE])) {
			why = "record without a type";
			goto bad;
		}
		return 0; /* a user record quoting usage, and the like */
	}
	if (!json_raw_is_object(&rec[K_MESSAGE]))
		return 0;
	if (msub.bad)
		goto malformed;
	if (!json_raw_is_object(&msg[M_USAGE]))
		return 0;
	/* Locally made error messages carry no billable usage. */
	if (json_raw_bool(&rec[K_APIERR]) == 1 ||
	    json_raw_streq(&msg[M_MODEL], "<synthetic>"))
		return 0;
	if (usub.bad)
		goto malformed;

	memset(&r, 0, sizeof(r));
	r.ev.tool = TOOL_CLAUDE;
	if (raw_time(&rec[K_TIME], &r.ev.time) &&
	    (!nested || raw_time(&top[K_TIME], &r.ev.time))) {
		why = "bad or missing timestamp";
		goto bad;
	}
	if (!source_time_ok(ctx, r.ev.time)) {
		why = "timestamp out of range";
		goto bad;
	}
	why = claude_counts(u, cc, ccsub.bad, &r.ev);
	if (why)
		goto bad;
	claude_model(memo, msg, u, &r.ev);
	if (!json_raw_str(&top[K_CWD], &memo->tmp[1], &s, &slen) && slen)
		r.ev.cwd = memo_intern(&memo->cwd_raw, &memo->cwd, s, slen);
	if (!json_raw_double(&rec[K_COST], &r.ev.cost) && r.ev.cost >= 0) {
		r.ev.cost_known = 1;
		r.ev.cost_recorded = 1;
	} else {
		r.ev.cost = 0;
	}
	claude_session(memo, f, top, &r.ev);

	if (!json_raw_str(&msg[M_ID], &memo->tmp[3], &s, &slen) && slen) {
		h = hash_bytes(s, slen, 1);
		r.key2 = h;
		r.key = h;
		if (!json_raw_str(&rec[K_REQUEST], &memo->tmp[0], &s, &slen) &&
		    slen)
			r.key = hash_bytes(s, slen, h);
	}
	side = json_raw_bool(&rec[K_SIDE]);
	/*
	 * A nested response is a subagent's, hence a sidechain, unless said.
	 * A forked session's copy of its parent's history ranks like a
	 * sidechain replay: it counts only where the original is gone.
	 */
	if (side == 1 || (nested && side != 0) ||
	    json_raw_is_object(&top[K_FORK]))
		r.flags |= CL_SIDECHAIN;
	if (nested)
		r.flags |= CL_NESTED;
	/*
	 * The copies of one response come in a row, a line per content
	 * block: keep the better one now, as the dedup would (the first of
	 * the best, where the first was seen), and it sees a third of them.
	 */
	if (r.key && f->nr && f->rec[f->nr - 1].key == r.key &&
	    f->rec[f->nr - 1].key2 == r.key2 &&
	    f->rec[f->nr - 1].flags == r.flags) {
		if (claude_better(&f->rec[f->nr - 1], &r))
			f->rec[f->nr - 1] = r;
		return 0;
	}
	source_file_add(f, &r);
	return 0;
malformed:
	why = "malformed JSON";
bad:
	source_bad_line(ctx, f->path, lineno, why);
	return 0;
}

static void memo_init(struct claude_memo *memo)
{
	size_t i;

	memset(memo, 0, sizeof(*memo));
	strbuf_init(&memo->session_id, 64);
	strbuf_init(&memo->fallback, 0);
	strbuf_init(&memo->cwd_raw, 0);
	strbuf_init(&memo->model_raw, 0);
	for (i = 0; i < ARRAY_SIZE(memo->tmp); i++)
		strbuf_init(&memo->tmp[i], 0);
}

static void memo_release(struct claude_memo *memo)
{
	size_t i;

	strbuf_release(&memo->session_id);
	strbuf_release(&memo->fallback);
	strbuf_release(&memo->cwd_raw);
	strbuf_release(&memo->model_raw);
	for (i = 0; i < ARRAY_SIZE(memo->tmp); i++)
		strbuf_release(&memo->tmp[i]);
}

static void claude_read_file(struct source_ctx *ctx, struct source_file *f,
			     void *data)
{
	struct claude_memo memo;
	uint64_t est;

	memo_init(&memo);
	/*
	 * Room for a response per 2 KiB read (about one per 5 KiB is
	 * usual), up to 11 MiB: growing the array costs copies and faults.
	 */
	est = f->size > f->offset ? (f->size - f->offset) >> 11 : 0;
	ALLOC_GROW(f->rec, f->nr + (size_t)(est < 65536 ? est : 65536) + 16,
		   f->alloc);
	/*
	 * No byte pre-filter: skimming a line costs less than searching it
	 * for "usage", and malformed lines of every kind get counted.
	 */
	source_scan(ctx, f, NULL, claude_line, &memo);
	/*
	 * The room not used back to the thread's heap: else the next
	 * file's array starts past it, on a page not yet touched, and
	 * each file cost a page fault or more (2.6k of 9.7k a run).
	 */
	if (!f->nr) {
		free(f->rec);
		f->rec = NULL;
		f->alloc = 0;
	} else if (f->nr < f->alloc) {
		f->rec = xrealloc(f->rec, f->nr * sizeof(*f->rec));
		f->alloc = f->nr;
	}
	memo_release(&memo);
}

static void add_root(struct strvec *roots, const char *dir)
{
	size_t len = strlen(dir);

	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (!len)
		return;
	if (len >= 9 && !strncmp(dir + len - 9, "/projects", 9))
		len -= 9;
	strvec_pushf(roots, "%.*s/projects", (int)len, dir);
	strvec_pushf(roots, "%.*s/transcripts", (int)len, dir);
}

static void claude_roots(struct source_ctx *ctx, struct strvec *roots)
{
	const char *env = getenv("CLAUDE_CONFIG_DIR");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	size_t i;

	if (ctx->paths.nr) {
		for (i = 0; i < ctx->paths.nr; i++)
			add_root(roots, ctx->paths.v[i]);
	} else if (env && *env) {
		char *list = xstrdup(env), *tok, *save = NULL;

		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			add_root(roots, tok);
		}
		free(list);
	} else {
		struct strbuf sb = STRBUF_INIT;

		if (xdg && *xdg == '/')
			strbuf_addf(&sb, "%s/claude", xdg);
		else
			strbuf_addf(&sb, "%s/.config/claude", source_home());
		add_root(roots, sb.buf);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/.claude", source_home());
		add_root(roots, sb.buf);
		strbuf_release(&sb);
	}
}

/* The records kept, in the order first seen. */
struct kept {
	const struct source_rec **v;
	size_t nr, alloc;
};

static void kept_add(struct kept *k, const struct source_rec *r)
{
	ALLOC_GROW(k->v, k->nr + 1, k->alloc);
	k->v[k->nr++] = r;
}

/*
 * Which kept record holds a key: open addressing over 1 + its index in
 * the list (0: free), the key read from the record. A quarter of a map
 * of keys and values: its pages were most of the dedup's time, each
 * one a fault when first touched.
 */
struct kept_index {
	uint32_t *slot;
	size_t mask;
};

static void kept_index_init(struct kept_index *x, size_t nr)
{
	size_t n = 1024;

	while (n < 2 * nr)
		n *= 2;
	/* cleared by hand: calloc's fresh pages, read first, fault twice */
	x->slot = xmalloc(n * sizeof(*x->slot));
	memset(x->slot, 0, n * sizeof(*x->slot));
	x->mask = n - 1;
}

/* The slot of key, free when absent. */
static uint32_t *kept_find(const struct kept *k, const struct kept_index *x,
			   uint64_t key)
{
	size_t j = hash_mix(key) & x->mask;

	while (x->slot[j] && k->v[x->slot[j] - 1]->key != key)
		j = (j + 1) & x->mask;
	return &x->slot[j];
}

/* r, or the better of r and the copy of its response kept before. */
static void kept_best(struct kept *k, struct kept_index *x,
		      const struct source_rec *r)
{
	uint32_t *slot = kept_find(k, x, r->key);

	if (!*slot) {
		kept_add(k, r);
		*slot = (uint32_t)k->nr;
	} else if (claude_better(k->v[*slot - 1], r)) {
		k->v[*slot - 1] = r;
	}
}

/*
 * Is message id key2 answered outside any sidechain? side holds the
 * ids of the sidechain and nested records (the only ones asked about),
 * each marked 1 once a plain record answers it: a small map, where one
 * of every record's id was as big as the records and missed the cache.
 */
static int answered(struct u64map *side, uint64_t key2)
{
	size_t *slot = u64map_find(side, key2, 0);

	return slot && *slot;
}

static void claude_dedup(struct source_ctx *ctx, struct source_file **files,
			 size_t nfiles)
{
	struct u64map side = U64MAP_INIT;
	struct kept_index best, nested;
	struct kept k = { 0 };
	size_t i, j, nr = 0, nnested = 0, nside = 0;

	/* Sized once: the maps and the list never grow. */
	for (i = 0; i < nfiles; i++) {
		nr += files[i]->nr;
		for (j = 0; j < files[i]->nr; j++) {
			int fl = files[i]->rec[j].flags;

			nnested += !!(fl & CL_NESTED);
			nside += !!(fl & (CL_SIDECHAIN | CL_NESTED));
		}
	}
	u64map_reserve(&side, nside);
	kept_index_init(&best, nr - nnested);
	kept_index_init(&nested, nnested);
	ALLOC_GROW(k.v, nr + 1, k.alloc);
	/* the message ids to ask about, then which are answered plainly */
	for (i = 0; i < nfiles; i++)
		for (j = 0; j < files[i]->nr; j++) {
			const struct source_rec *r = &files[i]->rec[j];

			if (r->key2 && (r->flags & (CL_SIDECHAIN | CL_NESTED)))
				u64map_find(&side, r->key2, 1);
		}
	for (i = 0; nside && i < nfiles; i++)
		for (j = 0; j < files[i]->nr; j++) {
			const struct source_rec *r = &files[i]->rec[j];
			size_t *slot;

			if (r->key2 &&
			    !(r->flags & (CL_SIDECHAIN | CL_NESTED)) &&
			    (slot = u64map_find(&side, r->key2, 0)))
				*slot = 1;
		}
	/* transcripts first, then nested copies where none exists */
	for (i = 0; i < nfiles; i++)
		for (j = 0; j < files[i]->nr; j++) {
			const struct source_rec *r = &files[i]->rec[j];

			if (r->flags & CL_NESTED)
				continue;
			if (!r->key)
				kept_add(&k, r);
			else if (!(r->flags & CL_SIDECHAIN) ||
				 !answered(&side, r->key2))
				kept_best(&k, &best, r);
		}
	for (i = 0; i < nfiles; i++)
		for (j = 0; j < files[i]->nr; j++) {
			const struct source_rec *r = &files[i]->rec[j];

			if (!(r->flags & CL_NESTED))
				continue;
			if (!r->key)
				kept_add(&k, r);
			else if (!*kept_find(&k, &best, r->key) &&
				 (!(r->flags & CL_SIDECHAIN) ||
				  !answered(&side, r->key2)))
				kept_best(&k, &nested, r);
		}
	source_add_sorted(ctx, k.v, k.nr);
	free(k.v);
	u64map_release(&side);
	free(best.slot);
	free(nested.slot);
}

void source_claude_parse_mem(struct source_ctx *ctx, struct source_file *f,
			     const char *buf, size_t len)
{
	struct claude_memo memo;

	keys_fixed();
	memo_init(&memo);
	source_scan_mem(ctx, f, buf, len, NULL, claude_line, &memo);
	memo_release(&memo);
	claude_dedup(ctx, &f, 1);
}

int source_claude_read(struct source_ctx *ctx)
{
	static const char *suffixes[] = { ".jsonl", NULL };
	struct strvec roots = STRVEC_INIT, paths = STRVEC_INIT;
	struct strvec seen = STRVEC_INIT;
	struct source_files files = { NULL, 0, 0 }, todo = { NULL, 0, 0 };
	size_t i;

	ctx->lazy_records = 1;
	claude_roots(ctx, &roots);
	for (i = 0; i < roots.nr; i++) {
		char *real = realpath(roots.v[i], NULL);
		size_t k;
		int dup = 0;

		if (!real)
			continue; /* no such folder: the tool is not used */
		for (k = 0; k < seen.nr; k++)
			if (!strcmp(seen.v[k], real))
				dup = 1;
		if (!dup) {
			strvec_push(&seen, real);
			source_find_files(ctx, roots.v[i], suffixes, &paths);
		}
		free(real);
	}
	source_sort_paths(&paths);
	source_files_collect(ctx, &paths, &files, &todo);
	if (!source_reuse_result(ctx)) {
		keys_fixed();
		source_parallel(ctx, todo.f, todo.nr, claude_read_file, NULL);
		claude_dedup(ctx, files.f, files.nr);
	}
	free(files.f);
	free(todo.f);
	strvec_clear(&roots);
	strvec_clear(&paths);
	strvec_clear(&seen);
	return 0;
}
