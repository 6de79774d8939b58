/*
 * Codex CLI: rollout-*.jsonl anywhere below ${CODEX_HOME:-~/.codex}/
 * sessions/ and archived_sessions/ (the sessions/ copy of a rollout
 * wins), and their .jsonl.zst forms when built with libzstd.
 *
 * token_count events carry the thread's running total: usage per turn
 * is the delta between successive totals. An unchanged total (a UI or
 * rate-limit refresh) adds nothing; a total that goes down is a reset,
 * and then the event's last_token_usage is the turn. Forked and
 * subagent rollouts start by replaying the parent's history, token
 * events included, in one burst: nothing counts until the first gap of
 * a second or more between lines, and as a safety net an event of such
 * a rollout whose (total, last) pair was already counted elsewhere is
 * dropped. input_tokens includes cached_input_tokens; output_tokens
 * includes reasoning.
 *
 * The fast tier is not in the rollouts: when a home's config.toml sets
 * service_tier = "fast" or "priority", every event's model is read as
 * "<model>-fast", which the price table prices with the model's fast
 * multiplier.
 *
 * Lines are skimmed, not parsed: a member given twice counts its last
 * value.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "sources/commit-link.h"
#include "sources/codex.h"
#include "sources/sources.h"
#include "sources/zstd.h"

#define CX_FORK 1

enum { U_INPUT, U_CACHED, U_OUTPUT, U_REASONING, U_TOTAL, U_NR };

/* The resume state of one rollout, kept in source_file.state. */
struct codex_state {
	uint64_t prev[U_NR];
	int64_t last_time;
	uint32_t have_prev, meta_seen, is_fork, in_replay;
	char session[16];
};

struct codex_parse {
	struct codex_state st;
	const char *model;      /* interned */
	const char *cwd;        /* interned */
	struct codex_text *text;
};

static const char *codex_filter[] = {
	"token_count", "turn_context", "session_meta",
	/* tool output that may show a commit (attribution's links) */
	"function_call_output", "exec_command_end", NULL
};

static void state_load(struct codex_parse *p, const struct source_file *f)
{
	const char *s;
	size_t len;

	memset(p, 0, sizeof(*p));
	if (f->state.len < sizeof(p->st) + 2)
		return;
	memcpy(&p->st, f->state.buf, sizeof(p->st));
	p->st.session[12] = '\0';
	s = f->state.buf + sizeof(p->st);
	len = strlen(s);
	if (len)
		p->model = event_intern_n(s, len);
	s += len + 1;
	if (*s)
		p->cwd = event_intern(s);
}

static void state_save(const struct codex_parse *p, struct source_file *f)
{
	strbuf_reset(&f->state);
	strbuf_add(&f->state, &p->st, sizeof(p->st));
	strbuf_addstr(&f->state, p->model ? p->model : "");
	strbuf_addch(&f->state, '\0');
	strbuf_addstr(&f->state, p->cwd ? p->cwd : "");
	strbuf_addch(&f->state, '\0');
}

static void session_from_path(const char *path, char out[13])
{
	const char *base = strrchr(path, '/');
	char *id;
	size_t len;

	base = base ? base + 1 : path;
	id = xstrdup(base);
	len = strlen(id);
	if (len > 4 && !strcmp(id + len - 4, ".zst"))
		id[len -= 4] = '\0';
	if (len > 6 && !strcmp(id + len - 6, ".jsonl"))
		id[len -= 6] = '\0';
	/* rollout-<time>-<uuid>: the uuid is the thread id */
	event_session_hash(out, len > 36 ? id + len - 36 : id);
	free(id);
}

/*
 * A line is skimmed, not parsed (tool output makes some lines long):
 * the members read of the line, its payload and the payload's info.
 */
enum { L_TYPE, L_PAYLOAD, L_TIMESTAMP, L__NR };
static const struct json_key line_keys[L__NR] = {
	JSON_KEY("type"), JSON_KEY("payload"), JSON_KEY("timestamp"),
};
enum { P_TYPE, P_INFO, P_MODEL, P_CWD, P_ID, P_SESSION_ID, P_SOURCE,
       P_FORKED_FROM, P__NR };
static const struct json_key payload_keys[P__NR] = {
	JSON_KEY("type"), JSON_KEY("info"), JSON_KEY("model"), JSON_KEY("cwd"),
	JSON_KEY("id"), JSON_KEY("session_id"), JSON_KEY("source"),
	JSON_KEY("forked_from_id"),
};
enum { I_TOTAL, I_LAST, I__NR };
static const struct json_key info_keys[I__NR] = {
	JSON_KEY("total_token_usage"), JSON_KEY("last_token_usage"),
};
static const struct json_key usage_keys[U_NR] = {
	JSON_KEY("input_tokens"), JSON_KEY("cached_input_tokens"),
	JSON_KEY("output_tokens"), JSON_KEY("reasoning_output_tokens"),
	JSON_KEY("total_tokens"),
};
static const struct json_key source_keys[1] = { JSON_KEY("subagent") };

/* The strings of a line, each in its own buffer. */
struct codex_text {
	struct strbuf type, ptype, ts, s;
};

/* A string value's text, NULL when it is not a string or is empty. */
static const char *nonempty(const struct json_raw *v, struct strbuf *sb)
{
	const char *s = source_raw_cstr(v, sb);

	return s && *s ? s : NULL;
}

/*
 * Read a TokenUsage object; -1 when a counter is impossible, -2 when
 * the object is malformed.
 */
static int read_usage(const struct json_raw *obj, uint64_t u[U_NR])
{
	struct json_raw v[U_NR];
	int i;

	if (json_skim(obj->p, obj->len, usage_keys, U_NR, v))
		return -2;
	for (i = 0; i < U_NR; i++)
		if (json_raw_u64(&v[i], &u[i]) == JSON_NUM_BAD)
			return -1;
	if (!v[U_TOTAL].p || !(*v[U_TOTAL].p == '-' ||
			       (*v[U_TOTAL].p >= '0' && *v[U_TOTAL].p <= '9')))
		u[U_TOTAL] = u[U_INPUT] + u[U_OUTPUT];
	return 0;
}

/*
 * Link: tool output showing "[<branch> <short-sha>]" after a
 * git commit gives the turns since the previous link to that commit; a
 * fork's replay of its parent links nothing.
 */
static void codex_link(struct source_file *f, const struct codex_parse *p,
		       const char *line, size_t len)
{
	char hex[41];
	size_t i;

	if (p->st.in_replay || !commit_link_scan(line, len, hex))
		return;
	for (i = f->nr; i > 0 && !f->rec[i - 1].ev.commit[0]; i--)
		memcpy(f->rec[i - 1].ev.commit, hex, strlen(hex) + 1);
}

/* The session's id, folder and whether it is a fork (or subagent). */
static void codex_meta(struct codex_parse *p, const struct json_raw *pl,
		       struct strbuf *tmp, int64_t t)
{
	struct json_raw sub[1];
	const char *s;

	if (p->st.meta_seen)
		return; /* an ancestor's, copied by a fork */
	p->st.meta_seen = 1;
	s = nonempty(&pl[P_ID], tmp);
	if (!s)
		s = nonempty(&pl[P_SESSION_ID], tmp);
	if (s)
		event_session_hash(p->st.session, s);
	s = nonempty(&pl[P_CWD], tmp);
	if (s)
		p->cwd = event_intern(s);
	if (nonempty(&pl[P_FORKED_FROM], tmp) ||
	    (json_raw_is_object(&pl[P_SOURCE]) &&
	     !json_skim(pl[P_SOURCE].p, pl[P_SOURCE].len, source_keys, 1,
			sub) && sub[0].p)) {
		p->st.is_fork = 1;
		p->st.in_replay = 1;
		p->st.last_time = t;
	}
}

static int codex_line(struct source_ctx *ctx, struct source_file *f,
		      const char *line, size_t len, uint64_t lineno,
		      int partial, void *data)
{
	struct codex_parse *p = data;
	struct codex_text *tx = p->text;
	struct json_raw root[L__NR], pl[P__NR], info[I__NR];
	struct json_skim_sub info_sub = { P_INFO, info_keys, I__NR, info, 0,
					  NULL };
	struct json_skim_sub sub = { L_PAYLOAD, payload_keys, P__NR, pl, 0,
				     &info_sub };
	const struct json_raw *jt, *jl;
	const char *type, *ptype, *ts, *s;
	uint64_t total[U_NR], last[U_NR], delta[U_NR];
	int64_t t = 0;
	int have_time, i, down = 0, same = 1;
	struct source_rec r;

	i = source_line_skim(ctx, f, line, len, lineno, partial, line_keys,
			     L__NR, root, &sub);
	if (i)
		return i > 0;
	type = source_raw_cstr(&root[L_TYPE], &tx->type);
	ts = source_raw_cstr(&root[L_TIMESTAMP], &tx->ts);
	have_time = ts && !date_parse_iso(ts, &t);

	/* A fork's replay is one burst: it ends at the first pause. */
	if (p->st.in_replay && have_time) {
		if (p->st.last_time && t - p->st.last_time >= 1000)
			p->st.in_replay = 0;
		p->st.last_time = t;
	}
	if (!json_raw_is_object(&root[L_PAYLOAD]))
		return 0;
	ptype = source_raw_cstr(&pl[P_TYPE], &tx->ptype);
	if (!type) {
		/* Usage we cannot place is skipped, never silently. */
		if (ptype && !strcmp(ptype, "token_count") &&
		    json_raw_is_object(&pl[P_INFO]))
			source_bad_line(ctx, f->path, lineno,
					"record without a type");
		return 0;
	}
	if (ptype && (!strcmp(ptype, "function_call_output") ||
		      !strcmp(ptype, "exec_command_end"))) {
		codex_link(f, p, line, len);
		return 0;
	}
	if (!strcmp(type, "session_meta")) {
		codex_meta(p, pl, &tx->s, have_time ? t : 0);
		return 0;
	}
	if (!strcmp(type, "turn_context")) {
		s = nonempty(&pl[P_MODEL], &tx->s);
		if (s)
			p->model = event_intern(s);
		s = nonempty(&pl[P_CWD], &tx->s);
		if (s)
			p->cwd = event_intern(s);
		return 0;
	}
	if (strcmp(type, "event_msg") || !ptype || strcmp(ptype, "token_count"))
		return 0;
	if (!json_raw_is_object(&pl[P_INFO]))
		return 0; /* rate limits only */
	jt = json_raw_is_object(&info[I_TOTAL]) ? &info[I_TOTAL] : NULL;
	jl = json_raw_is_object(&info[I_LAST]) ? &info[I_LAST] : NULL;
	if (!jt && !jl)
		return 0;

	if (!have_time) {
		source_bad_line(ctx, f->path, lineno,
				"bad or missing timestamp");
		return 0;
	}
	if (!source_time_ok(ctx, t)) {
		source_bad_line(ctx, f->path, lineno, "timestamp out of range");
		return 0;
	}
	memset(total, 0, sizeof(total));
	memset(last, 0, sizeof(last));
	if ((jt && (i = read_usage(jt, total)) < 0) ||
	    (jl && (i = read_usage(jl, last)) < 0)) {
		source_bad_line(ctx, f->path, lineno, i == -2 ?
				"malformed JSON" : "bad token count");
		return 0;
	}
	if (jt) {
		for (i = 0; i < U_NR; i++) {
			if (total[i] != p->st.prev[i])
				same = 0;
			if (total[i] < p->st.prev[i])
				down = 1;
		}
		if (p->st.have_prev && same)
			return 0; /* re-emitted: nothing new */
		for (i = 0; i < U_NR; i++)
			delta[i] = down ? (jl ? last[i] :
					   total[i]) :
				total[i] - p->st.prev[i];
		memcpy(p->st.prev, total, sizeof(total));
		p->st.have_prev = 1;
	} else {
		memcpy(delta, last, sizeof(last));
	}
	if (p->st.in_replay)
		return 0; /* the parent's history: counted in its own file */
	if (!delta[U_INPUT] && !delta[U_OUTPUT] && !delta[U_CACHED])
		return 0;

	memset(&r, 0, sizeof(r));
	r.ev.tool = TOOL_CODEX;
	r.ev.time = t;
	r.ev.model = p->model;
	r.ev.cwd = p->cwd;
	if (!p->st.session[0])
		session_from_path(f->path, p->st.session);
	memcpy(r.ev.session, p->st.session, sizeof(r.ev.session));
	if (delta[U_CACHED] > delta[U_INPUT])
		delta[U_CACHED] = delta[U_INPUT];
	r.ev.input = delta[U_INPUT] - delta[U_CACHED];
	r.ev.cache_read = delta[U_CACHED];
	r.ev.output = delta[U_OUTPUT];
	{
		uint64_t sig[2 * U_NR];

		memcpy(sig, total, sizeof(total));
		memcpy(sig + U_NR, last, sizeof(last));
		r.key = hash_bytes(sig, sizeof(sig), 2);
	}
	if (p->st.is_fork)
		r.flags |= CX_FORK;
	source_file_add(f, &r);
	return 0;
}

static int is_zst(const char *path)
{
	size_t len = strlen(path);

	return len > 4 && !strcmp(path + len - 4, ".zst");
}

/* Decompress a whole .jsonl.zst; -1 when it is not valid zstd. */
static int zst_read(const char *path, struct strbuf *out)
{
	struct strbuf in = STRBUF_INIT;
	int ret = -1;

	if (strbuf_read_file(&in, path, 0) >= 0)
		ret = source_zstd_decode(in.buf, in.len, (size_t)1 << 34, out);
	strbuf_release(&in);
	return ret;
}

#define CODEX_TEXT_INIT { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT }

static void codex_text_release(struct codex_text *tx)
{
	strbuf_release(&tx->type);
	strbuf_release(&tx->ptype);
	strbuf_release(&tx->ts);
	strbuf_release(&tx->s);
}

static void codex_read_file(struct source_ctx *ctx, struct source_file *f,
			    void *data)
{
	struct codex_text tx = CODEX_TEXT_INIT;
	struct codex_parse p;

	if (is_zst(f->path)) {
		struct strbuf buf = STRBUF_INIT;

		/* A compressed rollout is read whole, every time it changes. */
		source_file_reset(f);
		memset(&p, 0, sizeof(p));
		p.text = &tx;
		if (zst_read(f->path, &buf) < 0) {
			source_bad_line(ctx, f->path, 0, "bad zstd data");
		} else {
			source_scan_mem(ctx, f, buf.buf, buf.len,
					codex_filter, codex_line, &p);
		}
		f->offset = f->size;
		f->tail_hash = 0;
		strbuf_release(&buf);
		codex_text_release(&tx);
		return;
	}
	state_load(&p, f);
	p.text = &tx;
	source_scan(ctx, f, codex_filter, codex_line, &p);
	state_save(&p, f);
	codex_text_release(&tx);
}

/* The rollout's name without folders and without .zst. */
static const char *rollout_name(const char *path, size_t *len)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	*len = strlen(base);
	if (is_zst(base))
		*len -= 4;
	return base;
}

static int cmp_name(const void *a, const void *b)
{
	const char *pa = *(const char * const *)a;
	const char *pb = *(const char * const *)b;
	size_t la, lb;
	const char *na = rollout_name(pa, &la), *nb = rollout_name(pb, &lb);
	int c = memcmp(na, nb, la < lb ? la : lb);

	if (c)
		return c;
	if (la != lb)
		return la < lb ? -1 : 1;
	return 0;
}

struct fork_file {
	struct source_file *f;
	int64_t first;
};

static int cmp_fork(const void *a, const void *b)
{
	const struct fork_file *fa = a, *fb = b;

	if (fa->first != fb->first)
		return fa->first < fb->first ? -1 : 1;
	return strcmp(fa->f->path, fb->f->path);
}

static void codex_merge(struct source_ctx *ctx, struct source_file **files,
			size_t nfiles)
{
	struct u64map sigs = U64MAP_INIT;
	struct fork_file *forks = xmalloc((nfiles + 1) * sizeof(*forks));
	size_t nforks = 0, i, j;

	for (i = 0; i < nfiles; i++) {
		struct source_file *f = files[i];

		if (f->nr && (f->rec[0].flags & CX_FORK)) {
			forks[nforks].f = f;
			forks[nforks++].first = f->rec[0].ev.time;
			continue;
		}
		for (j = 0; j < f->nr; j++) {
			*u64map_find(&sigs, f->rec[j].key, 1) = 1;
			usage_set_add(ctx->out, &f->rec[j].ev);
		}
	}
	qsort(forks, nforks, sizeof(*forks), cmp_fork);
	for (i = 0; i < nforks; i++) {
		struct source_file *f = forks[i].f;

		for (j = 0; j < f->nr; j++) {
			size_t *slot = u64map_find(&sigs, f->rec[j].key, 1);

			if (*slot)
				continue; /* replayed from another rollout */
			*slot = 1;
			usage_set_add(ctx->out, &f->rec[j].ev);
		}
	}
	free(forks);
	u64map_release(&sigs);
}

void source_codex_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len)
{
	struct codex_text tx = CODEX_TEXT_INIT;
	struct codex_parse p;

	state_load(&p, f);
	p.text = &tx;
	source_scan_mem(ctx, f, buf, len, codex_filter, codex_line, &p);
	state_save(&p, f);
	codex_text_release(&tx);
	codex_merge(ctx, &f, 1);
}

/* The value of a config.toml line "<key> = <value>", or NULL. */
static const char *config_line(const char *line, size_t len, const char *key,
			       size_t *vlen)
{
	const char *end = memchr(line, '#', len), *v;
	size_t klen = strlen(key);

	if (end)
		len = (size_t)(end - line);
	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	if (len < klen || strncmp(line, key, klen))
		return NULL;
	for (v = line + klen; v < line + len && (*v == ' ' || *v == '\t'); v++)
		;
	if (v == line + len || *v++ != '=')
		return NULL;
	while (v < line + len && strchr(" \t\"'", *v))
		v++;
	len -= (size_t)(v - line);
	while (len && strchr(" \t\r\"'", v[len - 1]))
		len--;
	*vlen = len;
	return v;
}

/* The first home's config.toml setting of key into out: 1, else 0. */
static int config_value(const struct strvec *homes, const char *key,
			struct strbuf *out)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	const char *p, *nl, *v = NULL;
	size_t i, len = 0;

	for (i = 0; i < homes->nr && !v; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/config.toml", homes->v[i]);
		strbuf_reset(&sb);
		if (strbuf_read_file(&sb, path.buf, 0) < 0)
			continue;
		for (p = sb.buf; p < sb.buf + sb.len && !v; p = nl + 1) {
			nl = memchr(p, '\n', sb.buf + sb.len - p);
			if (!nl)
				nl = sb.buf + sb.len;
			v = config_line(p, (size_t)(nl - p), key, &len);
		}
	}
	if (v)
		strbuf_add(out, v, len);
	strbuf_release(&sb);
	strbuf_release(&path);
	return !!v;
}

/* Does config.toml set service_tier to "fast" or "priority"? */
static int fast_tier(const struct strvec *homes)
{
	struct strbuf v = STRBUF_INIT;
	int fast = config_value(homes, "service_tier", &v) &&
		   (!strcmp(v.buf, "fast") || !strcmp(v.buf, "priority"));

	strbuf_release(&v);
	return fast;
}

/*
 * Name the events' models by today's tier. The saved result may hold
 * either form, so the suffix is added or taken off as needed.
 */
static void tier_models(struct usage_set *set, size_t from, int fast)
{
	const char *m, *last = NULL, *named = NULL;
	size_t i, len;

	for (i = from; i < set->nr; i++) {
		m = set->ev[i].model;
		if (!m)
			continue;
		if (m != last) {
			len = strlen(m);
			last = m;
			named = m;
			if (len > 5 && !strcmp(m + len - 5, "-fast")) {
				if (!fast)
					named = event_intern_n(m, len - 5);
			} else if (fast) {
				char *s = xstrfmt("%s-fast", m);

				named = event_intern(s);
				free(s);
			}
		}
		set->ev[i].model = named;
	}
}

/*
 * The result depends on config.toml (the model of exec output, the
 * tier): look it up as a file of the source, so that a change to it
 * is a change to the source and a reused result is always today's.
 */
static void track_config(struct source_ctx *ctx, const struct strvec *homes)
{
	struct strbuf path = STRBUF_INIT;
	struct source_file *f;
	size_t i;
	int changed;

	for (i = 0; i < homes->nr; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/config.toml", homes->v[i]);
		if (access(path.buf, F_OK))
			continue;
		f = source_file_get(ctx, path.buf, &changed);
		if (f)
			f->offset = f->size; /* read whole each time */
	}
	strbuf_release(&path);
}

int source_codex_read(struct source_ctx *ctx)
{
	static const char *suffixes[] = { ".jsonl", ".jsonl.zst", NULL };
	struct strvec homes = STRVEC_INIT, active = STRVEC_INIT;
	struct strvec archived = STRVEC_INIT, paths = STRVEC_INIT;
	struct source_file **files = NULL, **todo = NULL;
	struct source_files exec = { NULL, 0, 0 };
	struct strbuf model = STRBUF_INIT;
	size_t nfiles = 0, ntodo = 0, nzst = 0, i, from = ctx->out->nr;
	const char *env = getenv("CODEX_HOME");

	ctx->lazy_records = 1;
	if (ctx->paths.nr) {
		for (i = 0; i < ctx->paths.nr; i++)
			strvec_push(&homes, ctx->paths.v[i]);
	} else if (env && *env) {
		char *list = xstrdup(env), *tok, *save = NULL;

		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			strvec_push(&homes, tok);
		free(list);
	} else {
		strvec_pushf(&homes, "%s/.codex", source_home());
	}
	for (i = 0; i < homes.nr; i++) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "%s/sessions", homes.v[i]);
		source_find_files(ctx, sb.buf, suffixes, &active);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/archived_sessions", homes.v[i]);
		source_find_files(ctx, sb.buf, suffixes, &archived);
		strbuf_release(&sb);
	}
	/*
	 * One rollout, several copies: sessions/ beats archived_sessions/,
	 * and a plain .jsonl beats its .zst.
	 */
	qsort(active.v, active.nr, sizeof(*active.v), cmp_name);
	for (i = 0; i < active.nr; i++)
		if (!i || cmp_name(&active.v[i - 1], &active.v[i]) ||
		    !is_zst(active.v[i]))
			strvec_push(&paths, active.v[i]);
	for (i = 0; i < archived.nr; i++)
		if (!bsearch(&archived.v[i], active.v, active.nr,
			     sizeof(*active.v), cmp_name))
			strvec_push(&paths, archived.v[i]);
	source_sort_paths(&paths);
	{
		/* drop a .zst when its plain .jsonl is also there */
		size_t k, n = 0;

		for (k = 0; k < paths.nr; k++) {
			size_t len = strlen(paths.v[k]);

			if (is_zst(paths.v[k]) && k > 0 &&
			    strlen(paths.v[k - 1]) == len - 4 &&
			    !strncmp(paths.v[k - 1], paths.v[k], len - 4)) {
				free((char *)paths.v[k]);
				continue;
			}
			paths.v[n++] = paths.v[k];
		}
		paths.nr = n;
		paths.v[n] = NULL;
	}

	files = xmalloc((paths.nr + 1) * sizeof(*files));
	todo = xmalloc((paths.nr + 1) * sizeof(*todo));
	for (i = 0; i < paths.nr; i++) {
		int changed;
		struct source_file *f;

		if (!source_zstd_supported() && is_zst(paths.v[i])) {
			nzst++;
			continue;
		}
		f = source_file_get(ctx, paths.v[i], &changed);
		if (!f)
			continue;
		files[nfiles++] = f;
		if (changed)
			todo[ntodo++] = f;
	}
	if (nzst)
		warning("skipped %llu compressed Codex %s (.jsonl.zst): "
			"built without zstd support",
			(unsigned long long)nzst,
			nzst == 1 ? "rollout" : "rollouts");
	codex_exec_find(ctx, &exec);
	track_config(ctx, &homes);
	if (!source_reuse_result(ctx)) {
		source_parallel(ctx, todo, ntodo, codex_read_file, NULL);
		codex_merge(ctx, files, nfiles);
		strbuf_reset(&model);
		config_value(&homes, "model", &model);
		codex_exec_emit(ctx, &exec, &paths,
				model.len ? event_intern(model.buf) : NULL);
		tier_models(ctx->out, from, fast_tier(&homes));
	}
	free(exec.f);
	strbuf_release(&model);
	free(files);
	free(todo);
	strvec_clear(&homes);
	strvec_clear(&active);
	strvec_clear(&archived);
	strvec_clear(&paths);
	return 0;
}
