/*
 * Export rows back into changes: each field where the pipeline would
 * have put it, so that the report's numbers come out as they did in
 * the repository the rows were exported from.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/die.h"
#include "base/json.h"
#include "engine/notes.h"
#include "git/repo.h"
#include "model/event.h"
#include "net/review.h"
#include "report/export-read.h"
#include "report/metrics.h"

#define EXPORT_SCHEMA "git-tokens/export/v1"

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* One row being read: the first field found wrong, if any. */
struct row {
	const struct json *j;
	const char *bad;
};

static const char *row_str(struct row *r, const char *key)
{
	const struct json *v = json_get(r->j, key);
	const char *s;

	if (!v || json_is_null(v))
		return NULL;
	s = json_str(v);
	if (!s && !r->bad)
		r->bad = key;
	return s && *s ? s : NULL;
}

static const char *row_intern(struct row *r, const char *key)
{
	const char *s = row_str(r, key);

	return s ? event_intern(s) : NULL;
}

/* A counter: 0 when null or absent (known says which), bad otherwise. */
static uint64_t row_u64(struct row *r, const char *key, int *known)
{
	const struct json *v = json_get(r->j, key);
	uint64_t n = 0;

	*known = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_u64(v, &n) != JSON_NUM_OK) {
		if (!r->bad)
			r->bad = key;
		return 0;
	}
	*known = 1;
	return n;
}

/* A counter the row must have. */
static uint64_t row_need_u64(struct row *r, const char *key)
{
	int known;
	uint64_t n = row_u64(r, key, &known);

	if (!known && !r->bad)
		r->bad = key;
	return n;
}

static double row_double(struct row *r, const char *key, int *known)
{
	const struct json *v = json_get(r->j, key);
	double d = 0;

	*known = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_double(v, &d) || d < 0) {
		if (!r->bad)
			r->bad = key;
		return 0;
	}
	*known = 1;
	return d;
}

/* Absent is false: older rows lack the fields added since. */
static int row_bool(struct row *r, const char *key)
{
	const struct json *v = json_get(r->j, key);
	int b;

	if (!v || json_is_null(v))
		return 0;
	b = json_bool(v);
	if (b < 0 && !r->bad)
		r->bad = key;
	return b > 0;
}

static int64_t row_date(struct row *r, const char *key)
{
	const char *s = row_str(r, key);
	int64_t ms;

	if (!s || date_parse_iso(s, &ms) < 0) {
		if (!r->bad)
			r->bad = key;
		return 0;
	}
	return date_sec(ms);
}

static void row_oid(struct row *r, const char *key, char out[41], int need)
{
	const char *s = row_str(r, key);
	size_t len = s ? strlen(s) : 0;

	out[0] = '\0';
	if (!s && !need)
		return;
	if (len != 40 || strspn(s, "0123456789abcdef") != len) {
		if (!r->bad)
			r->bad = key;
		return;
	}
	memcpy(out, s, len + 1);
}

static enum landed_how row_landed(struct row *r)
{
	const char *s = row_str(r, "landed_how");
	enum landed_how how;

	for (how = LANDED_NO; how <= LANDED_SQUASH; how++)
		if (s && !strcmp(s, metrics_landed_name(how)))
			return how;
	if (!r->bad)
		r->bad = "landed_how";
	return LANDED_NO;
}

static void row_identity(struct row *r, struct change *c,
			 struct repo *repo)
{
	const char *name = row_str(r, "author_name");
	const char *email = row_str(r, "author_email");
	char *mn = NULL, *me = NULL;

	/* The reading repository's mailmap joins one person's names. */
	if (repo) {
		repo_mailmap(repo, name, email, &mn, &me);
		name = mn;
		email = me;
	}
	c->author_name = name ? event_intern(name) : NULL;
	c->author_email = email ? event_intern(email) : NULL;
	free(mn);
	free(me);
	c->committer_name = row_intern(r, "committer_name");
	c->committer_email = row_intern(r, "committer_email");
	c->author_time = row_date(r, "author_date");
	c->commit_time = row_date(r, "commit_date");
	c->subject = dup_or_null(row_str(r, "subject"));
	c->agent = row_intern(r, "agent");
	c->agent_tool = row_intern(r, "agent_tool");
	c->bot = row_bool(r, "bot");
}

static void row_usage(struct row *r, struct usage_sum *u)
{
	const char *how;
	int known, n;

	u->has_usage = row_bool(r, "has_usage");
	if (!u->has_usage)
		return;
	u->tool = row_intern(r, "tool");
	u->model = row_intern(r, "model");
	how = row_str(r, "confidence");
	n = how ? notes_how_parse(how) : -1;
	if (n < 0 && !r->bad)
		r->bad = "confidence";
	u->how = n < 0 ? ATTRIB_NONE : (enum attrib_how)n;
	u->requests = row_need_u64(r, "requests");
	u->input = row_need_u64(r, "input_tokens");
	u->output = row_need_u64(r, "output_tokens");
	u->cache_write = row_need_u64(r, "cache_write_tokens");
	u->cache_read = row_need_u64(r, "cache_read_tokens");
	/* A cost the export left null was not known: not priced. */
	u->cost = row_double(r, "cost_usd", &known);
	u->cost_unknown = !known;
}

static enum review_state row_review(struct row *r)
{
	const char *s = row_str(r, "review");
	enum review_state st;

	if (!s)
		return REVIEW_UNKNOWN;
	for (st = REVIEW_APPROVED; st <= REVIEW_NONE; st++)
		if (!strcmp(s, review_state_name(st)))
			return st;
	if (!r->bad)
		r->bad = "review";
	return REVIEW_UNKNOWN;
}

static void row_outcome(struct row *r, struct change *c)
{
	struct outcome *o = &c->outcome;
	const char *src;
	int known, rk;

	c->landed = row_landed(r);
	row_oid(r, "landed_as", c->landed_as, 0);
	c->reverted = row_bool(r, "reverted");
	c->reverts = dup_or_null(row_str(r, "reverts"));
	o->abandoned = row_bool(r, "abandoned");
	o->fixup = row_bool(r, "fixup");
	row_oid(r, "squashed_into", o->squashed_into, 0);
	o->surviving = row_u64(r, "surviving", &known);
	o->reworked = row_u64(r, "reworked", &rk);
	o->survival_known = known && rk;
	o->review = row_review(r);
	o->review_hours = -1;
	if (o->review == REVIEW_UNKNOWN)
		return;
	src = row_str(r, "review_source");
	o->review_source = src ? event_intern(src) : NULL;
	/* A trailer cannot record a rejection: it stays out of the rate. */
	o->review_decisive = src && strcmp(src, "trailer");
	o->review_rounds = (unsigned)row_u64(r, "review_rounds", &known);
	o->review_hours = row_double(r, "review_hours", &known);
	if (!known)
		o->review_hours = -1;
}

/* A shared field of the rows: kept while they agree. */
static void agree(char **have, const char *v, int first, unsigned *mixed)
{
	if (first) {
		*have = dup_or_null(v);
		return;
	}
	if (*mixed || (!*have && !v) || (*have && v && !strcmp(*have, v)))
		return;
	*mixed = 1;
	free(*have);
	*have = NULL;
}

/* The repository of rows that do not name one: the file's base name. */
static const char *file_repo(const char *name)
{
	const char *base = strrchr(name, '/');
	const char *dot;

	base = base ? base + 1 : name;
	dot = strchr(base, '.');
	return event_intern_n(base, dot && dot > base ? (size_t)(dot - base) :
			      strlen(base));
}

/* One line into the set: 0, or the field that is wrong. */
static const char *read_row(struct export_read *r, const char *buf,
			    size_t len, const char *fallback_repo)
{
	struct json *j = json_parse(buf, len);
	struct row row = { j, NULL };
	struct change c;
	unsigned range_mixed = r->range && !strcmp(r->range, "(several)");
	unsigned mixed = r->mainline_mixed;
	const char *s;

	if (!j || !json_is_object(j)) {
		json_free(j);
		return "not a JSON object";
	}
	s = json_get_str(j, "schema");
	if (!s || strcmp(s, EXPORT_SCHEMA)) {
		json_free(j);
		return "not a " EXPORT_SCHEMA " row";
	}
	memset(&c, 0, sizeof(c));
	row_oid(&row, "commit", c.oid, 1);
	row_identity(&row, &c, r->repo);
	c.added = row_need_u64(&row, "lines_added");
	c.deleted = row_need_u64(&row, "lines_deleted");
	c.excluded = row_need_u64(&row, "lines_excluded");
	s = row_str(&row, "kind");
	c.merge = s && !strcmp(s, "merge");
	row_usage(&row, &c.usage);
	row_outcome(&row, &c);
	c.repo = row_intern(&row, "repository");
	if (!c.repo)
		c.repo = fallback_repo;
	if (row.bad) {
		change_clear(&c);
		json_free(j);
		return row.bad;
	}
	if (!r->set->nr && !r->timezone)
		r->timezone = dup_or_null(json_get_str(j, "timezone"));
	agree(&r->set->mainline_ref, json_get_str(j, "mainline"),
	      !r->set->nr, &mixed);
	r->mainline_mixed = mixed;
	if (!range_mixed)
		agree(&r->range, json_get_str(j, "range"), !r->set->nr,
		      &range_mixed);
	if (range_mixed && !r->range)
		r->range = xstrdup("(several)");
	ALLOC_GROW(r->set->c, r->set->nr + 1, r->set->alloc);
	r->set->c[r->set->nr++] = c;
	r->set->excluded_lines += c.excluded;
	json_free(j);
	return NULL;
}

void export_read_mem(struct export_read *r, const char *name,
		     const char *buf, size_t len)
{
	const char *end = buf + len, *repo = file_repo(name);
	const char *first = NULL;
	size_t line = 0, first_line = 0;
	uint64_t skipped = 0;

	while (buf < end) {
		const char *eol = memchr(buf, '\n', end - buf);
		size_t n = eol ? (size_t)(eol - buf) : (size_t)(end - buf);
		const char *bad;

		line++;
		if (n && buf[n - 1] == '\r')
			n--;
		if (n && (bad = read_row(r, buf, n, repo))) {
			if (!skipped++) {
				first = bad;
				first_line = line;
			}
		}
		buf = eol ? eol + 1 : end;
	}
	if (skipped)
		warning("'%s': %" PRIu64 " rows skipped; the first, line %zu: "
			"%s%s", name, skipped, first_line,
			strchr(first, ' ') ? "" : "bad field ", first);
	r->skipped += skipped;
}

int export_read_file(struct export_read *r, const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_read_file(&sb, path, 0) < 0) {
		strbuf_release(&sb);
		return error_errno("cannot read '%s'", path);
	}
	export_read_mem(r, path, sb.buf, sb.len);
	strbuf_release(&sb);
	return 0;
}

/* By repository, then commit; of one commit, the first read first. */
static int by_repo_commit(const void *va, const void *vb)
{
	const struct change *a = *(const struct change * const *)va;
	const struct change *b = *(const struct change * const *)vb;
	int c = strcmp(a->repo, b->repo);

	if (!c)
		c = strcmp(a->oid, b->oid);
	if (!c)
		c = a < b ? -1 : a > b;
	return c;
}

void export_read_finish(struct export_read *r)
{
	struct change_set *set = r->set;
	const struct change **order;
	unsigned char *gone;
	size_t i;

	if (set->nr < 2)
		return;
	order = xcalloc(set->nr, sizeof(*order));
	gone = xcalloc(set->nr, 1);
	for (i = 0; i < set->nr; i++)
		order[i] = &set->c[i];
	qsort(order, set->nr, sizeof(*order), by_repo_commit);
	for (i = 1; i < set->nr; i++)
		if (!strcmp(order[i - 1]->repo, order[i]->repo) &&
		    !strcmp(order[i - 1]->oid, order[i]->oid)) {
			gone[order[i] - set->c] = 1;
			r->duplicates++;
		}
	if (r->duplicates) {
		warning("%" PRIu64 " rows repeat a commit of their repository "
			"read before: counted once", r->duplicates);
		change_set_drop(set, gone);
	}
	free(order);
	free(gone);
}

void export_read_release(struct export_read *r)
{
	free(r->timezone);
	free(r->range);
	r->timezone = r->range = NULL;
}
