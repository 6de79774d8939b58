/*
 * Review outcomes of landed changes and squash merges found
 * through the forge API. Sources, best first: the forge's
 * pull or merge request, Gerrit's refs/notes/review, trailers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/die.h"
#include "base/oidmap.h"
#include "base/paths.h"
#include "base/run-command.h"
#include "base/term.h"
#include "git/repo.h"
#include "model/trailers.h"
#include "net/forge.h"
#include "net/http.h"
#include "net/review.h"

#define GERRIT_NOTES_REF "refs/notes/review"
#define MSG_CACHE "review-messages"
#define MSG_CACHE_MAGIC "git-tokens review messages 1"

/*
 * What a commit message says, kept per commit id (messages never
 * change): the trailer verdict in the low two bits, and the number of
 * a GitLab "See merge request ...!N" line above them.
 */
enum msg_verdict {
	MSG_NO_TRAILER = 1,
	MSG_APPROVED = 2,   /* Reviewed-by or Acked-by */
	MSG_TESTED = 3,     /* Tested-by alone */
};
#define MSG_VERDICT(v) ((v) & 3)
#define MSG_GITLAB_N(v) ((uint64_t)(v) >> 2)

struct memo {
	uint64_t n;
	int status;          /* of forge_request_get() */
	int review_status;   /* of forge_request_review(); 2: not asked */
	unsigned commits_done:1;
	struct forge_request r;
};

struct review_ctx {
	struct change_set *set;
	struct repo *repo;
	struct forge f;
	int use_forge;
	struct oidmap idx;      /* oid -> index in set */
	struct memo *memo;
	size_t nmemo, amemo;
	size_t *req;            /* per change: memo index + 1; 0 none */
	struct oidmap msgs;     /* oid -> what its message says */
	int msgs_dirty;
	int use_cache;
	char *branch;           /* the mainline's branch name, or NULL */
	const char *mainline;   /* its full ref name, or NULL */
	char gerrit_tip[OID_HEX + 1];
	int have_gerrit;
	size_t squashed;
};

const char *review_state_name(enum review_state state)
{
	static const char *const names[] = {
		[REVIEW_APPROVED] = "approved",
		[REVIEW_CHANGES_REQUESTED] = "changes-requested",
		[REVIEW_NONE] = "not-approved",
	};

	return (size_t)state < ARRAY_SIZE(names) ? names[state] : NULL;
}

/* --- messages ------------------------------------------------------------- */

/*
 * Run git with args and the ids on stdin (when ids is not NULL); each
 * record of its -z output, "<id>\n<message>", goes to fn.
 */
static int log_records(struct review_ctx *x, const struct strvec *args,
		       const char *ids, void (*fn)(struct review_ctx *,
						  const char *, char *))
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	FILE *in = NULL;
	char *p, *end, *nl;
	int ret = 0;

	if (ids) {
		in = tmpfile();
		if (!in || fputs(ids, in) < 0 || fflush(in) ||
		    fseek(in, 0, SEEK_SET)) {
			ret = error_errno("unable to write a temporary file");
			goto cleanup;
		}
		cp.in = fileno(in);
	}
	cp.git_cmd = 1;
	strvec_pushl(&cp.args, "-c", "log.showSignature=false", NULL);
	strvec_pushv(&cp.args, args->v);
	if (capture_command(&cp, &out)) {
		ret = error("git log failed to list commit messages");
		goto cleanup;
	}
	for (p = out.buf, end = out.buf + out.len; p < end;
	     p += strlen(p) + 1) {
		nl = strchr(p, '\n');
		if (!nl || nl - p != OID_HEX)
			continue;
		*nl = '\0';
		fn(x, p, nl + 1);
	}
cleanup:
	if (in)
		fclose(in);
	child_process_clear(&cp);
	strbuf_release(&out);
	return ret;
}

static uint64_t request_number(enum forge_kind kind, const char *msg);
static int trailer_verdict(const char *msg);

static void keep_message(struct review_ctx *x, const char *oid, char *msg)
{
	size_t v = (size_t)trailer_verdict(msg) |
		(size_t)(request_number(FORGE_GITLAB, msg) << 2);

	oidmap_put(&x->msgs, oid, v);
	x->msgs_dirty = 1;
}

static int cache_path(struct review_ctx *x, struct strbuf *path)
{
	if (repo_tokens_dir(x->repo, path) < 0)
		return -1;
	while (path->len && path->buf[path->len - 1] == '/')
		strbuf_setlen(path, path->len - 1);
	strbuf_addstr(path, "/" MSG_CACHE);
	return 0;
}

/* A corrupt cache or one of another version is ignored: it is rebuilt. */
static void cache_load(struct review_ctx *x)
{
	struct strbuf path = STRBUF_INIT, buf = STRBUF_INIT;
	char *p, *nl, *end;
	unsigned long long v;

	if (cache_path(x, &path) < 0 ||
	    strbuf_read_file(&buf, path.buf, 0) < 0 ||
	    strncmp(buf.buf, MSG_CACHE_MAGIC "\n",
		    strlen(MSG_CACHE_MAGIC) + 1))
		goto cleanup;
	for (p = buf.buf + strlen(MSG_CACHE_MAGIC) + 1;
	     (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		if (nl - p < OID_HEX + 2 || p[OID_HEX] != ' ')
			continue;
		p[OID_HEX] = '\0';
		v = strtoull(p + OID_HEX + 1, &end, 10);
		if (*end || MSG_VERDICT(v) == 0)
			continue;
		oidmap_put(&x->msgs, p, (size_t)v);
	}
cleanup:
	strbuf_release(&path);
	strbuf_release(&buf);
}

static void cache_save(struct review_ctx *x)
{
	struct strbuf path = STRBUF_INIT, buf = STRBUF_INIT;
	char hex[OID_HEX + 1];
	size_t i;

	if (!x->msgs_dirty || cache_path(x, &path) < 0)
		goto cleanup;
	strbuf_addstr(&buf, MSG_CACHE_MAGIC "\n");
	for (i = 0; i < x->msgs.alloc; i++) {
		if (!x->msgs.used[i])
			continue;
		oid_to_hex(hex, x->msgs.e[i].oid);
		strbuf_addf(&buf, "%s %llu\n", hex,
			    (unsigned long long)x->msgs.e[i].value);
	}
	if (write_file_atomic(path.buf, buf.buf, buf.len, 0600,
			      WRITE_FILE_SYNC) < 0)
		warning("could not save '%s': %s; continuing", path.buf,
			strerror(errno));
cleanup:
	strbuf_release(&path);
	strbuf_release(&buf);
}

/* What the messages of the landed changes say: from the cache, else git. */
static int load_messages(struct review_ctx *x)
{
	struct strvec args = STRVEC_INIT;
	struct strbuf ids = STRBUF_INIT;
	size_t i;
	int ret = 0;

	if (x->use_cache)
		cache_load(x);
	for (i = 0; i < x->set->nr; i++)
		if (x->set->c[i].landed != LANDED_NO && !x->set->c[i].merge &&
		    !oidmap_get(&x->msgs, x->set->c[i].oid, NULL))
			strbuf_addf(&ids, "%s\n", x->set->c[i].oid);
	if (ids.len) {
		strvec_pushl(&args, "log", "--no-walk=unsorted", "--stdin",
			     "-z", "--format=%H%n%B", NULL);
		ret = log_records(x, &args, ids.buf, keep_message);
	}
	if (!ret)
		cache_save(x);
	strvec_clear(&args);
	strbuf_release(&ids);
	return ret;
}

/* --- squash merges -------------------------------------------------------- */

/* The request number a squash or merge message names, or 0. */
static uint64_t request_number(enum forge_kind kind, const char *msg)
{
	const char *eol, *p, *q;
	uint64_t n = 0;

	if (!msg)
		return 0;
	if (kind == FORGE_GITHUB) {
		/* "<title> (#123)" on the subject line */
		eol = msg + strcspn(msg, "\n");
		while (eol > msg && isspace((unsigned char)eol[-1]))
			eol--;
		if (eol - msg < 4 || eol[-1] != ')')
			return 0;
		for (p = eol - 1; p > msg && isdigit((unsigned char)p[-1]); p--)
			;
		if (p == eol - 1 || p - msg < 2 || p[-1] != '#' ||
		    p[-2] != '(')
			return 0;
		for (q = p; q < eol - 1 && n < 1000000000000ULL; q++)
			n = n * 10 + (uint64_t)(*q - '0');
		return n;
	}
	if (kind != FORGE_GITLAB)
		return 0;
	/* "See merge request group/project!123" on a line of its own */
	for (p = msg; *p; p = *eol ? eol + 1 : eol) {
		const char *bang;

		eol = p + strcspn(p, "\n");
		if (strncmp(p, "See merge request ", 18))
			continue;
		q = eol;
		while (q > p && isspace((unsigned char)q[-1]))
			q--;
		bang = q;
		while (bang > p && isdigit((unsigned char)bang[-1]))
			bang--;
		if (bang == q || bang == p || bang[-1] != '!')
			continue;
		for (n = 0; bang < q && n < 1000000000000ULL; bang++)
			n = n * 10 + (uint64_t)(*bang - '0');
		return n;
	}
	return 0;
}

static long memo_find(struct review_ctx *x, uint64_t n)
{
	size_t i;

	for (i = 0; i < x->nmemo; i++)
		if (x->memo[i].n == n)
			return (long)i;
	return -1;
}

/* A request by number, asked once per run. */
static long memo_get(struct review_ctx *x, uint64_t n)
{
	long i = memo_find(x, n);
	struct memo *m;

	if (i >= 0)
		return i;
	ALLOC_GROW(x->memo, x->nmemo + 1, x->amemo);
	m = &x->memo[x->nmemo];
	memset(m, 0, sizeof(*m));
	m->n = n;
	m->review_status = 2;
	m->status = forge_request_get(&x->f, n, &m->r);
	return (long)x->nmemo++;
}

/* Keep r (found through a commit); takes over its strings. */
static long memo_add(struct review_ctx *x, struct forge_request *r)
{
	long i = memo_find(x, r->number);
	struct memo *m;

	if (i >= 0) {
		forge_request_release(r);
		return i;
	}
	ALLOC_GROW(x->memo, x->nmemo + 1, x->amemo);
	m = &x->memo[x->nmemo];
	memset(m, 0, sizeof(*m));
	m->n = r->number;
	m->review_status = 2;
	m->r = *r;
	memset(r, 0, sizeof(*r));
	return (long)x->nmemo++;
}

/*
 * The changes of request mi belong to it; with into, those not landed
 * yet were absorbed by the squash commit into.
 */
static void assign_commits(struct review_ctx *x, long mi, const char *into)
{
	struct strvec oids = STRVEC_INIT;
	size_t i, k;
	int absorb;

	if (x->memo[mi].commits_done)
		return;
	x->memo[mi].commits_done = 1;
	if (forge_request_commits(&x->f, x->memo[mi].n, &oids))
		goto cleanup;
	/*
	 * One change with the squash commit, when that is ours, in the
	 * set or not (never fetched, even: notes are keyed by id); not
	 * when the request's commits are on the mainline themselves.
	 */
	absorb = into && oidmap_get(&x->idx, into, NULL);
	for (k = 0; absorb && k < oids.nr; k++)
		if (!strcmp(oids.v[k], into) ||
		    (oidmap_get(&x->idx, oids.v[k], &i) &&
		     x->set->c[i].landed == LANDED_REACHABLE))
			absorb = 0;
	for (k = 0; k < oids.nr; k++) {
		struct change *c;
		int have = oidmap_get(&x->idx, oids.v[k], &i);

		if (absorb &&
		    (!have || x->set->c[i].landed == LANDED_NO ||
		     x->set->c[i].landed == LANDED_SQUASH ||
		     (x->set->c[i].landed == LANDED_PATCH_ID &&
		      !strcmp(x->set->c[i].landed_as, into))))
			change_set_absorb(x->set, oids.v[k], into);
		if (!have)
			continue;
		c = &x->set->c[i];
		if (into && c->landed == LANDED_NO) {
			c->landed = LANDED_SQUASH;
			memcpy(c->landed_as, into, OID_HEX + 1);
			memcpy(c->outcome.squashed_into, into, OID_HEX + 1);
			x->squashed++;
		}
		if (!x->req[i] && c->landed != LANDED_NO)
			x->req[i] = (size_t)mi + 1;
	}
cleanup:
	strvec_clear(&oids);
}

static void squash_candidate(struct review_ctx *x, const char *oid, char *msg)
{
	uint64_t n = request_number(x->f.kind, msg);
	const struct forge_request *r;
	const char *into = NULL;
	long mi;

	if (!n)
		return;
	mi = memo_get(x, n);
	r = &x->memo[mi].r;
	if (x->memo[mi].status || !r->merged)
		return;
	/* The request must name this commit: "(#12)" may be a mention. */
	if (!strcmp(r->merge_commit, oid))
		into = x->f.kind == FORGE_GITLAB && *r->squash_commit ?
			r->squash_commit : oid;
	else if (!strcmp(r->squash_commit, oid))
		into = oid;
	if (into) {
		char copy[OID_HEX + 1];

		/* memo may move while the commits are fetched */
		memcpy(copy, into, sizeof(copy));
		assign_commits(x, mi, copy);
	}
}

/*
 * Mainline commits since the oldest unlanded change that name a
 * request; their requests' commits in the set become squash-landed.
 */
static int match_squashes(struct review_ctx *x)
{
	struct strvec args = STRVEC_INIT;
	int64_t oldest = INT64_MAX;
	size_t i;
	int ret;

	if (!x->set->mainline_ref || !*x->set->mainline_tip)
		return 0;
	for (i = 0; i < x->set->nr; i++)
		if (x->set->c[i].landed == LANDED_NO &&
		    x->set->c[i].author_time < oldest)
			oldest = x->set->c[i].author_time;
	if (oldest == INT64_MAX)
		return 0;
	strvec_pushl(&args, "log", "-z", "--format=%H%n%B", NULL);
	strvec_pushf(&args, "--since=@%lld", (long long)(oldest - 86400));
	strvec_push(&args, x->set->mainline_tip);
	ret = log_records(x, &args, NULL, squash_candidate);
	strvec_clear(&args);
	return ret;
}

/* --- the sources ---------------------------------------------------------- */

static void from_forge(struct review_ctx *x, struct change *c, long mi)
{
	struct memo *m = &x->memo[mi];
	struct outcome *o = &c->outcome;

	if (m->review_status == 2)
		m->review_status = forge_request_review(&x->f, &m->r);
	if (m->review_status || !m->r.reviewed)
		return;
	o->review = m->r.review;
	o->review_source = forge_name(x->f.kind);
	o->review_decisive = 1;
	o->review_rounds = m->r.rounds;
	if (m->r.created_at >= 0 && m->r.merged_at >= m->r.created_at)
		o->review_hours = (double)(m->r.merged_at -
					   m->r.created_at) / 3600.0;
}

/*
 * Change c is the squash commit of request mi: the commits
 * it absorbed, from the forge, whether they are in the range, fetched
 * or not. On GitHub the merge commit of a request merged by squash is
 * its squash commit; on GitLab, squash_commit_sha names it.
 */
static void squash_commits(struct review_ctx *x, long mi,
			   const struct change *c)
{
	const struct forge_request *r = &x->memo[mi].r;
	char into[OID_HEX + 1];

	if (x->f.kind == FORGE_GITLAB ? strcmp(r->squash_commit, c->oid) :
	    strcmp(r->merge_commit, c->oid))
		return;
	/* memo may move while the commits are fetched */
	memcpy(into, c->oid, sizeof(into));
	assign_commits(x, mi, into);
}

/* The request that brought change i in, as a memo index, or -1. */
static long find_request(struct review_ctx *x, size_t i)
{
	struct change *c = &x->set->c[i];
	struct forge_request r = { 0 };
	uint64_t n;
	long mi;

	if (x->req[i])
		return (long)x->req[i] - 1;
	/* A squash commit names its request: one answer, no search. */
	if (x->f.kind == FORGE_GITLAB) {
		size_t v = 0;

		oidmap_get(&x->msgs, c->oid, &v);
		n = MSG_GITLAB_N(v);
	} else {
		n = request_number(x->f.kind, c->subject);
	}
	if (n) {
		mi = memo_get(x, n);
		if (!x->memo[mi].status && x->memo[mi].r.merged &&
		    (!strcmp(x->memo[mi].r.merge_commit, c->oid) ||
		     !strcmp(x->memo[mi].r.squash_commit, c->oid))) {
			squash_commits(x, mi, c);
			return mi;
		}
	}
	if (forge_commit_request(&x->f, c->oid, x->branch, &r))
		return -1;
	mi = memo_add(x, &r);
	/*
	 * Not the merge's own commit: the request's commits are on the
	 * mainline as they are, and one list answers for all of them;
	 * or this is GitLab's squash commit under its merge commit.
	 */
	if (x->f.kind == FORGE_GITLAB &&
	    !strcmp(x->memo[mi].r.squash_commit, c->oid))
		squash_commits(x, mi, c);
	else if (strcmp(x->memo[mi].r.merge_commit, c->oid))
		assign_commits(x, mi, NULL);
	return mi;
}

/*
 * Gerrit's review note: "Code-Review+2: Name <email>" lines. 0 when
 * applied, 1 when the note holds no votes.
 */
static int from_gerrit(const char *note, struct outcome *o)
{
	const char *p, *eol;
	int votes = 0, approved = 0, negative = 0;

	for (p = note; *p; p = *eol ? eol + 1 : eol) {
		const char *colon, *d, *q;
		long vote = 0;

		eol = p + strcspn(p, "\n");
		colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon)
			continue;
		/* "<label><sign><digits>:", the label itself may hold '-' */
		for (d = colon; d > p && isdigit((unsigned char)d[-1]); d--)
			;
		if (d == colon || d - p < 2 || (d[-1] != '+' && d[-1] != '-'))
			continue;
		for (q = p; q < d - 1; q++)
			if (!isalnum((unsigned char)*q) && *q != '-')
				break;
		if (q != d - 1)
			continue;
		for (q = d; q < colon && vote < 1000; q++)
			vote = vote * 10 + (*q - '0');
		if (d[-1] == '-')
			vote = -vote;
		votes++;
		if (d - 1 - p == 11 && !strncasecmp(p, "Code-Review", 11)) {
			if (vote >= 2)
				approved = 1;
			else if (vote < 0)
				negative = 1;
		}
	}
	if (!votes)
		return 1;
	o->review_source = "gerrit";
	o->review_decisive = 1;
	if (!approved) {
		o->review = REVIEW_NONE;
	} else if (negative) {
		o->review = REVIEW_CHANGES_REQUESTED;
		o->review_rounds = 1;
	} else {
		o->review = REVIEW_APPROVED;
	}
	return 0;
}

/*
 * Reviewed-by and Acked-by approve; Tested-by alone shows a process
 * but no approval.
 */
static int trailer_verdict(const char *msg)
{
	struct trailer_list l = TRAILER_LIST_INIT;
	int v = MSG_NO_TRAILER;

	trailers_parse(&l, msg, strlen(msg));
	if (trailers_count(&l, "Reviewed-by") ||
	    trailers_count(&l, "Acked-by"))
		v = MSG_APPROVED;
	else if (trailers_count(&l, "Tested-by"))
		v = MSG_TESTED;
	trailer_list_release(&l);
	return v;
}

static void from_trailers(struct review_ctx *x, const char *oid,
			  struct outcome *o)
{
	size_t v;

	if (!oidmap_get(&x->msgs, oid, &v))
		return;
	switch (MSG_VERDICT(v)) {
	case MSG_APPROVED:
		o->review = REVIEW_APPROVED;
		break;
	case MSG_TESTED:
		o->review = REVIEW_NONE;
		break;
	default:
		return;
	}
	o->review_source = "trailer";
}

/* --- the whole ------------------------------------------------------------ */

/*
 * The mainline as a full ref name, through origin/HEAD to the branch
 * it names: which remote, and which target branch requests have.
 */
static void mainline_full(struct repo *repo, const char *name,
			  struct strbuf *out)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf target = STRBUF_INIT;

	strbuf_reset(out);
	if (!name || repo_ref_dwim(repo, name, out) != 0) {
		strbuf_reset(out);
		return;
	}
	if (out->len < 5 || strcmp(out->buf + out->len - 5, "/HEAD"))
		return;
	cp.git_cmd = 1;
	cp.no_stderr = 1;
	strvec_pushl(&cp.args, "symbolic-ref", "-q", out->buf, NULL);
	if (!capture_command(&cp, &target)) {
		strbuf_trim(&target);
		if (target.len) {
			strbuf_reset(out);
			strbuf_addbuf(out, &target);
		}
	}
	child_process_clear(&cp);
	strbuf_release(&target);
}

static char *branch_name(const char *ref)
{
	const char *p;

	if (!ref)
		return NULL;
	if (!strncmp(ref, "refs/heads/", 11))
		return xstrdup(ref + 11);
	if (!strncmp(ref, "refs/remotes/", 13) && (p = strchr(ref + 13, '/')))
		return xstrdup(p + 1);
	return NULL;
}

static int setup_forge(struct review_ctx *x, const struct review_opts *opts)
{
	const char *name, *env;

	if (forge_detect(&x->f, x->repo, x->mainline, opts->force) < 0)
		return -1;
	if (opts->force != FORGE_NONE && x->f.kind != opts->force)
		return error("no %s project found for this repository: its "
			     "remote URL names none", forge_name(opts->force));
	x->use_forge = x->f.kind == FORGE_GITHUB || x->f.kind == FORGE_GITLAB;
	if (!x->use_forge)
		return 0;
	x->f.offline = opts->offline;
	x->f.refresh = opts->refresh;
	x->f.max_requests = opts->max_requests;
	/* Tests and impatient users may lower the cap of a report. */
	env = getenv("GIT_TOKENS_FORGE_MAX_REQUESTS");
	if (opts->max_requests && env && *env) {
		char *end;
		unsigned long n = strtoul(env, &end, 10);

		if (*end || !n || n > opts->max_requests)
			warning("ignoring invalid "
				"GIT_TOKENS_FORGE_MAX_REQUESTS '%s' "
				"(expected 1 to %u)", env,
				opts->max_requests);
		else
			x->f.max_requests = (unsigned)n;
	}
	if (x->f.offline || !forge_auth(&x->f))
		return 0;
	name = x->f.kind == FORGE_GITHUB ? "GITHUB_TOKEN or GH_TOKEN" :
		"GITLAB_TOKEN or CI_JOB_TOKEN";
	if (opts->force != FORGE_NONE)
		warning("no %s token (%s, or a git credential for %s): "
			"asking without one, at a low rate limit",
			forge_name(x->f.kind), name, x->f.host);
	else
		x->f.offline = 2;  /* no token: what "fetch" cached only */
	return 0;
}

static void finish_warnings(struct review_ctx *x,
			    const struct review_opts *opts)
{
	const char *name = forge_name(x->f.kind);

	if (x->f.limited)
		warning("stopped asking %s after %u requests; run 'git tokens "
			"fetch %s' for the review data of the rest", name,
			x->f.requests, name);
	if (x->f.missing && x->f.offline == 1)
		warning("%u answer%s from %s not in the cache: those reviews "
			"stay unknown (run 'git tokens fetch %s')",
			x->f.missing, x->f.missing == 1 ? " is" : "s are",
			name, name);
	if (x->f.errors && opts->force == FORGE_NONE)
		warning("review data from %s is incomplete: %u request%s "
			"failed", name, x->f.errors,
			x->f.errors == 1 ? "" : "s");
}

int review_fill(struct change_set *set, struct repo *repo,
		const struct review_opts *opts, struct review_stats *stats)
{
	struct review_ctx x;
	struct progress *progress = NULL;
	struct strbuf note = STRBUF_INIT, full = STRBUF_INIT;
	size_t i, done = 0;
	int ret = 0;

	memset(&x, 0, sizeof(x));
	x.set = set;
	x.repo = repo;
	x.use_cache = opts->use_cache;
	x.f = (struct forge)FORGE_INIT;
	if (stats)
		memset(stats, 0, sizeof(*stats));
	for (i = 0; i < set->nr; i++) {
		set->c[i].outcome.review = REVIEW_UNKNOWN;
		set->c[i].outcome.review_source = NULL;
		set->c[i].outcome.review_decisive = 0;
		set->c[i].outcome.review_rounds = 0;
		set->c[i].outcome.review_hours = -1;
	}
	mainline_full(repo, set->mainline_ref, &full);
	x.mainline = full.len ? full.buf : NULL;
	if (setup_forge(&x, opts) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (!set->nr)
		goto cleanup;
	x.req = xcalloc(set->nr, sizeof(*x.req));
	for (i = 0; i < set->nr; i++)
		oidmap_put(&x.idx, set->c[i].oid, i);
	x.branch = branch_name(x.mainline);
	x.have_gerrit = !repo_notes_tip(repo, GERRIT_NOTES_REF, x.gerrit_tip);

	if (x.use_forge && match_squashes(&x) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (load_messages(&x) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (x.use_forge && !x.f.offline)
		progress = progress_start("Reading reviews", set->nr);
	for (i = 0; i < set->nr; i++) {
		struct change *c = &set->c[i];
		struct outcome *o = &c->outcome;
		long mi;

		progress_update(progress, ++done);
		/* a merge change asks the forge nothing: its review is unknown */
		if (c->landed == LANDED_NO || c->merge)
			continue;
		if (stats)
			stats->landed++;
		if (x.use_forge && (mi = find_request(&x, i)) >= 0)
			from_forge(&x, c, mi);
		if (o->review_source && stats)
			stats->from_forge++;
		if (!o->review_source && x.have_gerrit) {
			strbuf_reset(&note);
			if (!repo_note_read(repo, x.gerrit_tip, c->oid, &note))
				from_gerrit(note.buf, o);
		}
		if (!o->review_source)
			from_trailers(&x, c->oid, o);
		if (o->review_source && stats)
			stats->known++;
	}
	progress_stop(&progress);
	if (x.use_forge)
		finish_warnings(&x, opts);
cleanup:
	if (stats) {
		stats->forge = x.use_forge ? x.f.kind : FORGE_NONE;
		stats->squashed = x.squashed;
		stats->requests = x.f.requests;
		stats->errors = x.f.errors;
	}
	for (i = 0; i < x.nmemo; i++)
		forge_request_release(&x.memo[i].r);
	free(x.memo);
	oidmap_clear(&x.msgs);
	free(x.req);
	free(x.branch);
	oidmap_clear(&x.idx);
	forge_release(&x.f);
	strbuf_release(&note);
	strbuf_release(&full);
	return ret;
}
