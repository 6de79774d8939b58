/*
 * The change engine: every non-merge commit of a range with its
 * countable lines and whether it landed (SPEC §2, §7.1, §7.2).
 *
 * Commit metadata comes from one "git log" (mailmap applied by git's
 * %aN/%aE exactly as the user's git applies it); line counts from
 * numstat.c; reachability and patch-ids from git as well, each one pass.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "base/die.h"
#include "base/oidmap.h"
#include "base/run-command.h"
#include "base/strbuf.h"
#include "engine/landing.h"
#include "engine/numstat.h"
#include "engine/survival.h"
#include "git/repo.h"
#include "model/agents.h"
#include "model/change.h"

#define FIELD_SEP '\x1f'

/* SPEC §7.1: never countable, whatever the attributes say. */
static const char *lock_files[] = {
	"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock",
	"go.sum", "poetry.lock", "uv.lock", "Gemfile.lock", "composer.lock",
};
static const char *vendor_dirs[] = { "vendor", "node_modules", "third_party" };
static const char *generated_suffixes[] = { ".min.js", ".min.css", ".map" };

void change_opts_release(struct change_opts *opts)
{
	strvec_clear(&opts->revs);
	strvec_clear(&opts->paths);
	strvec_clear(&opts->authors);
}

static int how_rank(enum attrib_how how)
{
	switch (how) {
	case ATTRIB_HOOK:
		return 5;
	case ATTRIB_LINK:
		return 4;
	case ATTRIB_WINDOW:
		return 3;
	case ATTRIB_IMPORT:
		return 2;
	case ATTRIB_DAY:
		return 1;
	default:
		return 0;
	}
}

void usage_sum_add(struct usage_sum *u, uint64_t requests, uint64_t input,
		   uint64_t output, uint64_t cache_write, uint64_t cache_read,
		   double cost, int cost_known, enum attrib_how how)
{
	u->requests += requests;
	u->input += input;
	u->output += output;
	u->cache_write += cache_write;
	u->cache_read += cache_read;
	if (cost_known)
		u->cost += cost;
	else
		u->cost_unknown = 1;
	if (!u->has_usage || how_rank(how) < how_rank(u->how))
		u->how = how;
	u->has_usage = 1;
}

static void change_clear(struct change *c)
{
	free(c->author_name);
	free(c->author_email);
	free(c->committer_name);
	free(c->committer_email);
	free(c->subject);
	free(c->reverts);
}

/* Take out of the set the changes whose gone[i] is set, in place. */
static void drop_changes(struct change_set *set, const unsigned char *gone)
{
	size_t i, w;

	for (i = w = 0; i < set->nr; i++) {
		if (!gone[i]) {
			if (w != i)
				set->c[w] = set->c[i];
			w++;
			continue;
		}
		set->excluded_lines -= set->c[i].excluded;
		change_clear(&set->c[i]);
	}
	set->nr = w;
}

void change_set_release(struct change_set *set)
{
	size_t i;

	for (i = 0; i < set->nr; i++)
		change_clear(&set->c[i]);
	free(set->c);
	free(set->mainline_ref);
	free(set->absorbed);
	memset(set, 0, sizeof(*set));
}

/* --- squash merges: one change ------------------------------------------- */

/* The first absorbed entry whose from is not below hex (a prefix). */
static size_t absorbed_pos(const struct change_set *set, const char *hex,
			   size_t len)
{
	size_t lo = 0, hi = set->absorbed_nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(set->absorbed[mid].from, hex, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void change_set_absorb(struct change_set *set, const char *from,
		       const char *into)
{
	struct squash_absorbed *a;
	size_t pos;

	if (strlen(from) != 40 || strlen(into) != 40 || !strcmp(from, into))
		return;
	/* kept sorted by from: a squash absorbs a commit once */
	pos = absorbed_pos(set, from, 40);
	if (pos < set->absorbed_nr && !strcmp(set->absorbed[pos].from, from))
		return;
	ALLOC_GROW(set->absorbed, set->absorbed_nr + 1, set->absorbed_alloc);
	a = &set->absorbed[pos];
	memmove(a + 1, a, (set->absorbed_nr - pos) * sizeof(*a));
	memcpy(a->from, from, 41);
	memcpy(a->into, into, 41);
	set->absorbed_nr++;
}

const char *change_set_absorbed_into(const struct change_set *set,
				     const char *hex)
{
	size_t len = strlen(hex), pos;

	if (len < 4 || len > 40)
		return NULL;
	pos = absorbed_pos(set, hex, len);
	if (pos >= set->absorbed_nr ||
	    strncasecmp(set->absorbed[pos].from, hex, len))
		return NULL;
	/* an ambiguous prefix names no commit */
	if (len < 40 && pos + 1 < set->absorbed_nr &&
	    !strncasecmp(set->absorbed[pos + 1].from, hex, len))
		return NULL;
	return set->absorbed[pos].into;
}

void change_set_fold_squashes(struct change_set *set)
{
	struct oidmap idx = OIDMAP_INIT;
	unsigned char *gone = NULL;
	size_t i, from, into;

	if (!set->absorbed_nr || !set->nr)
		return;
	for (i = 0; i < set->nr; i++)
		oidmap_put(&idx, set->c[i].oid, i);
	gone = xcalloc(set->nr, 1);
	for (i = 0; i < set->absorbed_nr; i++) {
		const struct squash_absorbed *a = &set->absorbed[i];

		if (!oidmap_get(&idx, a->from, &from) ||
		    !oidmap_get(&idx, a->into, &into) || gone[into])
			continue;
		gone[from] = 1;
		/* the squash message may have lost the agent's trailer */
		if (!set->c[into].agent)
			set->c[into].agent = set->c[from].agent;
	}
	/* their lines are the squash commits' lines: count them once */
	drop_changes(set, gone);
	free(gone);
	oidmap_clear(&idx);
}

static int git_capture(struct strbuf *out, const char **argv, int quiet_err)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	int ret;

	cp.git_cmd = 1;
	cp.no_stderr = !!quiet_err;
	strvec_pushv(&cp.args, argv);
	ret = capture_command(&cp, out);
	child_process_clear(&cp);
	return ret;
}

__attribute__((format(printf, 2, 3)))
static int user_error(struct strbuf *err, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (err)
		strbuf_addbuf(err, &sb);
	else
		error("%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

/* --- mainline ------------------------------------------------------------ */

/* SPEC §2: --mainline, tokens.mainline, origin/HEAD, main, master, ... */
static int find_mainline(struct change_set *out, struct repo *repo,
			 const char *opt, struct strbuf *err)
{
	static const char *guesses[] = {
		"refs/remotes/origin/HEAD", "refs/heads/main", "refs/heads/master",
		"refs/remotes/origin/main", "refs/remotes/origin/master",
	};
	char *cfg = NULL;
	size_t i;
	int ret = 0;

	if (!opt && repo_config_string(repo, "tokens.mainline", &cfg) == 0)
		opt = cfg;
	if (opt) {
		if (repo_resolve(repo, opt, out->mainline_tip) != 0)
			ret = user_error(err, "mainline '%s' does not exist", opt);
		else
			out->mainline_ref = xstrdup(opt);
		goto cleanup;
	}
	for (i = 0; i < ARRAY_SIZE(guesses); i++)
		if (repo_resolve(repo, guesses[i], out->mainline_tip) == 0) {
			const char *name = guesses[i];

			if (!strncmp(name, "refs/heads/", 11))
				name += 11;
			else if (!strncmp(name, "refs/remotes/", 13))
				name += 13;
			out->mainline_ref = xstrdup(name);
			break;
		}
cleanup:
	free(cfg);
	return ret;
}

/*
 * The user's revision arguments for git log and rev-list. --all leaves
 * out the notes refs: a notes commit is bookkeeping, not a change.
 */
static void push_revs(struct strvec *args, const struct strvec *revs)
{
	size_t i;

	for (i = 0; i < revs->nr; i++) {
		if (!strcmp(revs->v[i], "--all"))
			strvec_push(args, "--exclude=refs/notes/*");
		strvec_push(args, revs->v[i]);
	}
}

/* --- revisions ------------------------------------------------------------ */

/* Every end of A..B, A...B and ^A must name a commit. */
static int check_revs(struct repo *repo, const struct strvec *revs,
		      struct strbuf *err)
{
	char oid[OID_HEX + 1];
	size_t i;

	for (i = 0; i < revs->nr; i++) {
		const char *r = revs->v[i], *dots;
		char *a = NULL, *b = NULL;
		int bad = 0;

		if (*r == '-')
			continue;  /* --all, --branches, ...: git checks them */
		if (*r == '^')
			r++;
		dots = strstr(r, "..");
		if (dots) {
			a = xstrndup(r, dots - r);
			b = xstrdup(dots + (dots[2] == '.' ? 3 : 2));
		} else {
			a = xstrdup(r);
		}
		if (*a && repo_resolve(repo, a, oid) != 0)
			bad = 1;
		if (b && *b && repo_resolve(repo, b, oid) != 0)
			bad = 1;
		free(a);
		free(b);
		if (bad)
			return user_error(err, "bad revision '%s'", revs->v[i]);
	}
	return 0;
}

/* An unlinked temporary file holding data, positioned at its start. */
static int temp_file_with(const struct strbuf *data)
{
	const char *tmpdir = getenv("TMPDIR");
	struct strbuf path = STRBUF_INIT;
	int fd;

	strbuf_addf(&path, "%s/git-tokens.XXXXXX",
		    tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(path.buf);
	if (fd < 0) {
		error_errno("unable to create '%s'", path.buf);
		goto cleanup;
	}
	unlink(path.buf);
	if (write(fd, data->buf, data->len) != (ssize_t)data->len ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		error_errno("unable to write '%s'", path.buf);
		close(fd);
		fd = -1;
	}
cleanup:
	strbuf_release(&path);
	return fd;
}

/* --- exclusions ----------------------------------------------------------- */

struct excluder {
	struct repo *repo;
	struct strvec patterns;   /* tokens.exclude */
	char attr_commit[OID_HEX + 1];
	int has_attr_commit;
	/* path (interned pointer) -> 0/1, remembered in an open hash */
	const char **seen;
	unsigned char *verdict;
	size_t nr, alloc;
};

static size_t ptr_slot(const void *p, size_t alloc)
{
	uintptr_t h = (uintptr_t)p;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 7) & (alloc - 1);
}

static void excluder_grow(struct excluder *ex)
{
	const char **old = ex->seen;
	unsigned char *oldv = ex->verdict;
	size_t i, j, n = ex->alloc;

	ex->alloc = n ? n * 2 : 1024;
	ex->seen = xcalloc(ex->alloc, sizeof(*ex->seen));
	ex->verdict = xcalloc(ex->alloc, 1);
	for (i = 0; i < n; i++) {
		if (!old[i])
			continue;
		for (j = ptr_slot(old[i], ex->alloc); ex->seen[j];
		     j = (j + 1) & (ex->alloc - 1))
			;
		ex->seen[j] = old[i];
		ex->verdict[j] = oldv[i];
	}
	free(old);
	free(oldv);
}

static int pathspec_match(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);

	if (!strpbrk(pattern, "*?[")) {
		/* a plain pathspec names a file or a directory prefix */
		while (n && pattern[n - 1] == '/')
			n--;
		return !strncmp(pattern, path, n) &&
			(path[n] == '\0' || path[n] == '/');
	}
	return !fnmatch(pattern, path, 0);
}

static int builtin_excluded(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t i, n = strlen(path);

	base = base ? base + 1 : path;
	for (i = 0; i < ARRAY_SIZE(lock_files); i++)
		if (!strcmp(base, lock_files[i]))
			return 1;
	for (i = 0; i < ARRAY_SIZE(generated_suffixes); i++) {
		size_t k = strlen(generated_suffixes[i]);

		if (n > k && !strcmp(path + n - k, generated_suffixes[i]))
			return 1;
	}
	for (i = 0; i < ARRAY_SIZE(vendor_dirs); i++) {
		const char *p = path;
		size_t k = strlen(vendor_dirs[i]);

		while ((p = strstr(p, vendor_dirs[i]))) {
			if ((p == path || p[-1] == '/') && p[k] == '/')
				return 1;
			p += k;
		}
	}
	return 0;
}

/* Paths are interned, so a pointer identifies one. */
static unsigned char *verdict_slot(struct excluder *ex, const char *path,
				   int *found)
{
	size_t slot;

	if ((ex->nr + 1) * 2 > ex->alloc)
		excluder_grow(ex);
	for (slot = ptr_slot(path, ex->alloc); ex->seen[slot];
	     slot = (slot + 1) & (ex->alloc - 1))
		if (ex->seen[slot] == path) {
			*found = 1;
			return &ex->verdict[slot];
		}
	*found = 0;
	ex->seen[slot] = path;
	ex->nr++;
	return &ex->verdict[slot];
}

static int path_excluded(struct excluder *ex, const char *path)
{
	unsigned char *v;
	size_t i;
	int found;

	v = verdict_slot(ex, path, &found);
	if (found)
		return *v == 1;
	*v = builtin_excluded(path);
	for (i = 0; !*v && i < ex->patterns.nr; i++)
		*v = pathspec_match(ex->patterns.v[i], path);
	if (!*v)
		*v = 2;  /* attributes still to ask */
	return *v == 1;
}

static void parse_check_attr(struct excluder *ex, struct strbuf *out)
{
	char *p = out->buf, *end = out->buf + out->len;

	/* -z: "<path>\0<attribute>\0<value>\0" per answer */
	while (p < end) {
		char *path = p, *attr, *val;
		unsigned char *v;
		int found;

		attr = path + strlen(path) + 1;
		if (attr >= end)
			break;
		val = attr + strlen(attr) + 1;
		if (val >= end)
			break;
		p = val + strlen(val) + 1;
		v = verdict_slot(ex, numstat_path_intern(path, strlen(path)),
				 &found);
		if (!strcmp(attr, "diff") ? !strcmp(val, "unset") :
		    (!strcmp(val, "set") || !strcmp(val, "true")))
			*v = 1;
		else if (*v >= 2)
			*v = 0;
	}
}

/*
 * .gitattributes as of the tip: linguist-generated, linguist-vendored
 * and -diff make a path not countable. libgit2's git_attr_get_many_ext
 * on a commit took 2.4 s for git.git's 10k paths (most of a cached
 * report); git check-attr on a throw-away index of the tip takes a
 * fraction of that, with git's own matching rules.
 */
static int ask_attributes(struct excluder *ex, const char **paths, size_t nr)
{
	struct child_process rt = CHILD_PROCESS_INIT, ca = CHILD_PROCESS_INIT;
	struct strbuf index = STRBUF_INIT, list = STRBUF_INIT, out = STRBUF_INIT;
	const char *tmpdir = getenv("TMPDIR");
	size_t i;
	int fd = -1, ret = 0;

	if (!nr || !ex->has_attr_commit)
		goto cleanup;
	strbuf_addf(&index, "%s/git-tokens-index.XXXXXX",
		    tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(index.buf);
	if (fd < 0) {
		ret = error_errno("unable to create '%s'", index.buf);
		goto cleanup;
	}
	close(fd);
	fd = -1;
	rt.git_cmd = ca.git_cmd = 1;
	strvec_pushf(&rt.env, "GIT_INDEX_FILE=%s", index.buf);
	strvec_pushf(&ca.env, "GIT_INDEX_FILE=%s", index.buf);
	strvec_pushl(&rt.args, "read-tree", ex->attr_commit, NULL);
	rt.no_stdin = 1;
	if (run_command(&rt)) {
		ret = error("git read-tree failed for '%s'", ex->attr_commit);
		goto cleanup;
	}
	for (i = 0; i < nr; i++)
		strbuf_add(&list, paths[i], strlen(paths[i]) + 1);
	fd = temp_file_with(&list);
	if (fd < 0) {
		ret = -1;
		goto cleanup;
	}
	ca.in = fd;
	strvec_pushl(&ca.args, "check-attr", "--cached", "--stdin", "-z",
		     "linguist-generated", "linguist-vendored", "diff", NULL);
	if (capture_command(&ca, &out)) {
		ret = error("git check-attr failed");
		goto cleanup;
	}
	parse_check_attr(ex, &out);
cleanup:
	if (fd >= 0)
		close(fd);
	if (index.len)
		unlink(index.buf);
	child_process_clear(&rt);
	child_process_clear(&ca);
	strbuf_release(&index);
	strbuf_release(&list);
	strbuf_release(&out);
	return ret;
}

/* --- commit metadata ------------------------------------------------------ */

static char *field(char **p)
{
	char *s = *p, *e = strchr(s, FIELD_SEP);

	if (e) {
		*e = '\0';
		*p = e + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

static int author_matches(regex_t *re, size_t nre, const struct change *c)
{
	struct strbuf id = STRBUF_INIT;
	size_t i;
	int hit = !nre;

	strbuf_addf(&id, "%s <%s>", c->author_name, c->author_email);
	for (i = 0; !hit && i < nre; i++)
		hit = !regexec(&re[i], id.buf, 0, NULL, 0);
	strbuf_release(&id);
	return hit;
}

/* "This reverts commit <sha>." anywhere in the message. */
static char *find_revert(const char *msg)
{
	const char *p = strstr(msg, "This reverts commit ");
	size_t n;

	if (!p)
		return NULL;
	p += 20;
	n = strspn(p, "0123456789abcdef");
	return n >= 7 ? xstrndup(p, n) : NULL;
}

/* The --author patterns; *nre of them compiled, also on failure. */
static int authors_compile(const struct strvec *authors, regex_t **re,
			   size_t *nre)
{
	size_t i;

	*nre = 0;
	*re = xcalloc(authors->nr + 1, sizeof(**re));
	for (i = 0; i < authors->nr; i++) {
		if (regcomp(&(*re)[*nre], authors->v[i], REG_NOSUB))
			return error("invalid --author pattern '%s'",
				     authors->v[i]);
		(*nre)++;
	}
	return 0;
}

static void authors_free(regex_t *re, size_t nre)
{
	size_t i;

	for (i = 0; i < nre; i++)
		regfree(&re[i]);
	free(re);
}

/*
 * "Subject (#12)" or a line "See merge request group/project!12": a
 * squash commit, maybe, whose author is its request's (SPEC §7.2).
 */
static int squash_message(const char *msg)
{
	const char *eol = msg + strcspn(msg, "\n"), *p;

	while (eol > msg && (eol[-1] == ' ' || eol[-1] == '\r'))
		eol--;
	if (eol - msg >= 4 && eol[-1] == ')') {
		for (p = eol - 1; p > msg && p[-1] >= '0' && p[-1] <= '9'; p--)
			;
		if (p < eol - 1 && p - msg >= 2 && p[-1] == '#' &&
		    p[-2] == '(')
			return 1;
	}
	for (p = msg; (p = strstr(p, "See merge request ")); p++)
		if (p == msg || p[-1] == '\n')
			return 1;
	return 0;
}

static int parse_log(struct change_set *out, struct repo *repo,
		     struct strbuf *log, const struct change_opts *opts,
		     const struct oidmap *shallow, size_t *nshallow)
{
	struct strvec extra = STRVEC_INIT;
	regex_t *re = NULL;
	size_t nre = 0;
	char *p = log->buf, *end = log->buf + log->len;
	int ret = 0;

	repo_config_multi(repo, "tokens.agentIdentity", &extra);
	if (authors_compile(&opts->authors, &re, &nre) < 0) {
		ret = -1;
		goto cleanup;
	}
	while (p < end) {
		char *rec = p, *oid, *an, *ae, *cn, *ce, *at, *ct, *msg, *nl;
		struct agent_mark mark = AGENT_MARK_INIT;
		struct change c;

		p += strlen(p) + 1;
		if (*rec == '\n')
			rec++;
		if (!*rec)
			continue;
		oid = field(&rec);
		an = field(&rec);
		ae = field(&rec);
		cn = field(&rec);
		ce = field(&rec);
		at = field(&rec);
		ct = field(&rec);
		msg = rec;
		if (strlen(oid) != 40) {
			ret = error("unexpected output from git log");
			goto cleanup;
		}
		if (oidmap_get(shallow, oid, NULL)) {
			(*nshallow)++;
			continue;
		}
		memset(&c, 0, sizeof(c));
		memcpy(c.oid, oid, 41);
		c.author_time = strtoll(at, NULL, 10);
		c.commit_time = strtoll(ct, NULL, 10);
		c.committer_name = xstrdup(cn);
		c.committer_email = xstrdup(ce);
		nl = strchr(msg, '\n');
		c.subject = nl ? xstrndup(msg, nl - msg) : xstrdup(msg);
		c.reverts = find_revert(msg);
		agents_detect(&mark, an, ae, msg, &extra);
		c.agent = mark.agent;
		c.agent_author = mark.author_is_agent;
		if (mark.author_is_agent && mark.human_name) {
			repo_mailmap(repo, mark.human_name, mark.human_email,
				     &c.author_name, &c.author_email);
		} else if (mark.author_is_agent) {
			c.author_name = xstrdup(cn);
			c.author_email = xstrdup(ce);
		} else {
			c.author_name = xstrdup(an);
			c.author_email = xstrdup(ae);
		}
		agent_mark_release(&mark);
		/*
		 * A squash commit stays until its author is settled:
		 * change_set_squash_authors() applies the patterns then.
		 */
		if (!author_matches(re, nre, &c) && !squash_message(msg)) {
			change_clear(&c);
			continue;
		}
		ALLOC_GROW(out->c, out->nr + 1, out->alloc);
		out->c[out->nr++] = c;
	}
cleanup:
	authors_free(re, nre);
	strvec_clear(&extra);
	return ret;
}

static int read_log(struct change_set *out, struct repo *repo,
		    const struct change_opts *opts, const struct oidmap *shallow,
		    size_t *nshallow, struct strbuf *err)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf log = STRBUF_INIT, gerr = STRBUF_INIT;
	int ret = 0, code;

	cp.git_cmd = 1;
	strvec_pushl(&cp.args, "-c", "log.showSignature=false", "log",
		     "--no-merges", "-z", "--no-color",
		     "--format=%H%x1f%aN%x1f%aE%x1f%cN%x1f%cE%x1f%at%x1f%ct%x1f%B",
		     NULL);
	if (opts->since)
		strvec_pushf(&cp.args, "--since=%s", opts->since);
	if (opts->until)
		strvec_pushf(&cp.args, "--until=%s", opts->until);
	if (opts->max_count > 0)
		strvec_pushf(&cp.args, "--max-count=%d", opts->max_count);
	if (opts->revs.nr)
		push_revs(&cp.args, &opts->revs);
	else
		strvec_push(&cp.args, "HEAD");
	strvec_push(&cp.args, "--");
	strvec_pushv(&cp.args, opts->paths.v);
	/* git's complaint (a missing object...) becomes our one line. */
	code = capture_command_err(&cp, &log, &gerr);
	if (code && git_complaint(gerr.buf, err))
		ret = -1;
	else if (code)
		ret = error("git log failed (exit code %d)", code);
	else
		ret = parse_log(out, repo, &log, opts, shallow, nshallow);
	if (!code && gerr.len)
		fputs(gerr.buf, stderr); /* its warnings still show */
	child_process_clear(&cp);
	strbuf_release(&log);
	strbuf_release(&gerr);
	return ret;
}

/* --- landed --------------------------------------------------------------- */

/*
 * The tips a range starts from, to say "--not <them>": B for A..B, both
 * sides of A...B, a plain revision or --all as it is, nothing for ^A.
 */
static void range_tips(struct strvec *out, const struct strvec *revs)
{
	size_t i;

	if (!revs->nr)
		strvec_push(out, "HEAD");
	for (i = 0; i < revs->nr; i++) {
		const char *r = revs->v[i], *dots = strstr(r, "..");

		if (*r == '^')
			continue;
		if (!dots) {
			if (!strcmp(r, "--all") || !strcmp(r, "--branches"))
				strvec_push(out, "--exclude=refs/notes/*");
			strvec_push(out, r);
		} else if (dots[2] == '.') {
			char *a = xstrndup(r, dots - r);

			strvec_push(out, *a ? a : "HEAD");
			strvec_push(out, dots[3] ? dots + 3 : "HEAD");
			free(a);
		} else {
			strvec_push(out, dots[2] ? dots + 2 : "HEAD");
		}
	}
}

/*
 * Reachable from the mainline tip, without walking the whole mainline:
 * what the range holds beyond the tip is exactly what is not.
 */
static int mark_reachable(struct change_set *set, const struct change_opts *opts)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	struct oidmap beyond = OIDMAP_INIT;
	char *p, *nl;
	size_t i;
	int ret = 0;

	cp.git_cmd = 1;
	strvec_pushl(&cp.args, "rev-list", "--no-merges", NULL);
	if (opts->revs.nr)
		push_revs(&cp.args, &opts->revs);
	else
		strvec_push(&cp.args, "HEAD");
	strvec_pushl(&cp.args, "--not", set->mainline_tip, NULL);
	if (capture_command(&cp, &out)) {
		ret = error("git rev-list failed on the mainline '%s'",
			    set->mainline_ref);
		goto cleanup;
	}
	for (p = out.buf; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		oidmap_put(&beyond, p, 1);
	}
	for (i = 0; i < set->nr; i++)
		if (!oidmap_get(&beyond, set->c[i].oid, NULL))
			set->c[i].landed = LANDED_REACHABLE;
cleanup:
	child_process_clear(&cp);
	strbuf_release(&out);
	oidmap_clear(&beyond);
	return ret;
}

/*
 * "git patch-id --stable" over a patch stream from producer; calls back
 * with each (patch-id, commit) pair.
 */
static int patch_ids(struct child_process *producer,
		     void (*fn)(const char *pid, const char *oid, void *data),
		     void *data)
{
	struct child_process pid = CHILD_PROCESS_INIT;
	struct strbuf out = STRBUF_INIT;
	char *p, *nl;
	int ret = 0;

	producer->out = -1;
	producer->git_cmd = 1;
	if (start_command(producer) < 0)
		return error("unable to run git");
	pid.git_cmd = 1;
	pid.in = producer->out;
	strvec_pushl(&pid.args, "patch-id", "--stable", NULL);
	if (capture_command(&pid, &out))
		ret = error("git patch-id failed");
	close(producer->out);
	if (finish_command(producer))
		ret = error("git failed while computing patch-ids");
	for (p = out.buf; !ret && (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		if (strlen(p) == 81 && p[40] == ' ') {
			p[40] = '\0';
			fn(p, p + 41, data);
		}
	}
	child_process_clear(&pid);
	strbuf_release(&out);
	return ret;
}

struct pid_table {
	struct oidmap map;          /* patch-id -> index into oids */
	char (*oids)[41];
	int64_t *times;
	size_t nr, alloc;
};

static void collect_mainline_pid(const char *pid, const char *oid, void *data)
{
	struct pid_table *t = data;

	ALLOC_GROW(t->oids, t->nr + 1, t->alloc);
	memcpy(t->oids[t->nr], oid, 41);
	/* git log walks newest first: keep the oldest mainline match */
	oidmap_put(&t->map, pid, t->nr++);
}

struct pid_match {
	struct change_set *set;
	struct oidmap *by_oid;       /* change oid -> index */
	const struct pid_table *mainline;
	const struct oidmap *mainline_time;
};

static void match_change_pid(const char *pid, const char *oid, void *data)
{
	struct pid_match *m = data;
	size_t ci, mi, t;
	struct change *c;

	if (!oidmap_get(m->by_oid, oid, &ci) ||
	    !oidmap_get(&m->mainline->map, pid, &mi))
		return;
	c = &m->set->c[ci];
	if (!oidmap_get(m->mainline_time, m->mainline->oids[mi], &t) ||
	    (int64_t)t < c->author_time)
		return;
	c->landed = LANDED_PATCH_ID;
	memcpy(c->landed_as, m->mainline->oids[mi], 41);
}

static int mark_patch_ids(struct change_set *set)
{
	struct child_process log = CHILD_PROCESS_INIT, dt = CHILD_PROCESS_INIT;
	struct pid_table mainline = { OIDMAP_INIT, NULL, NULL, 0, 0 };
	struct oidmap by_oid = OIDMAP_INIT, mtime = OIDMAP_INIT;
	struct strbuf times = STRBUF_INIT, list = STRBUF_INIT;
	struct pid_match m;
	int64_t oldest = INT64_MAX;
	size_t i, nopen = 0;
	char *p, *nl;
	int ret = 0;

	for (i = 0; i < set->nr; i++)
		if (!set->c[i].landed) {
			nopen++;
			oidmap_put(&by_oid, set->c[i].oid, i);
			if (set->c[i].author_time < oldest)
				oldest = set->c[i].author_time;
		}
	if (!nopen)
		goto cleanup;

	/* Mainline commits since the oldest open change, with their times. */
	{
		const char *argv[] = { "log", "--no-merges", "--format=%H %ct",
				       NULL, set->mainline_tip, NULL };
		char since[40];

		snprintf(since, sizeof(since), "--since=@%lld", (long long)oldest);
		argv[3] = since;
		if (git_capture(&times, argv, 0)) {
			ret = error("git log failed on the mainline");
			goto cleanup;
		}
		for (p = times.buf; (nl = strchr(p, '\n')); p = nl + 1) {
			*nl = '\0';
			if (strlen(p) > 41)
				oidmap_put(&mtime, p, (size_t)strtoll(p + 41, NULL, 10));
		}
		if (!mtime.nr)
			goto cleanup;
		strvec_pushl(&log.args, "log", "-p", "--no-merges", "--no-color",
			     "--no-ext-diff", "--no-textconv", "--format=commit %H",
			     since, set->mainline_tip, NULL);
	}
	if (patch_ids(&log, collect_mainline_pid, &mainline) < 0) {
		ret = -1;
		goto cleanup;
	}

	/* The open changes' own patches, through one diff-tree. */
	for (i = 0; i < set->nr; i++)
		if (!set->c[i].landed)
			strbuf_addf(&list, "%s\n", set->c[i].oid);
	/* From a file, so that a long list never blocks on a pipe. */
	dt.in = temp_file_with(&list);
	if (dt.in < 0) {
		ret = -1;
		goto cleanup;
	}
	strvec_pushl(&dt.args, "diff-tree", "--stdin", "-p", "--root",
		     "--no-color", "--no-ext-diff", "--no-textconv", NULL);
	m.set = set;
	m.by_oid = &by_oid;
	m.mainline = &mainline;
	m.mainline_time = &mtime;
	ret = patch_ids(&dt, match_change_pid, &m);
	close(dt.in);
cleanup:
	child_process_clear(&log);
	child_process_clear(&dt);
	oidmap_clear(&mainline.map);
	oidmap_clear(&by_oid);
	oidmap_clear(&mtime);
	free(mainline.oids);
	strbuf_release(&times);
	strbuf_release(&list);
	return ret;
}

struct revert {
	char *reverter;   /* full id */
	char *target;     /* as the message names it, 7 to 40 hex digits */
};

static int prefix_of(const char *abbrev, const char *oid)
{
	return !strncmp(oid, abbrev, strlen(abbrev));
}

/*
 * A change is reverted when a mainline commit reverts it and that revert
 * is not itself reverted (reverts of reverts cancel). The reverts the
 * range holds are in its messages already; only mainline commits outside
 * the range are searched (all of them when dates limit the range).
 */
static int mark_reverts(struct change_set *set, const struct change_opts *opts)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strvec tips = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	struct revert *rv = NULL;
	size_t nr = 0, alloc = 0, i, j, k, rounds = 0;
	char *p, *end;
	int ret = 0, *state = NULL, changed;

	for (i = 0; i < set->nr; i++)
		if (set->c[i].reverts && set->c[i].landed == LANDED_REACHABLE) {
			ALLOC_GROW(rv, nr + 1, alloc);
			rv[nr].reverter = xstrdup(set->c[i].oid);
			rv[nr++].target = xstrdup(set->c[i].reverts);
		}
	cp.git_cmd = 1;
	strvec_pushl(&cp.args, "log", "--no-merges", "-z", "--format=%H %B",
		     "--grep=This reverts commit ", "-F", set->mainline_tip,
		     NULL);
	if (!opts->since && !opts->until) {
		range_tips(&tips, &opts->revs);
		strvec_push(&cp.args, "--not");
		strvec_pushv(&cp.args, tips.v);
	}
	if (capture_command(&cp, &out)) {
		ret = error("git log failed on the mainline");
		goto cleanup;
	}
	for (p = out.buf, end = out.buf + out.len; p < end; p += strlen(p) + 1) {
		char *t;

		if (*p == '\n')
			p++;
		if (strlen(p) < 41 || !(t = find_revert(p + 41)))
			continue;
		for (j = 0; j < nr; j++)
			if (!strncmp(rv[j].reverter, p, 40))
				break;
		if (j < nr) {
			free(t);
			continue;
		}
		ALLOC_GROW(rv, nr + 1, alloc);
		rv[nr].reverter = xstrndup(p, 40);
		rv[nr++].target = t;
	}
	/* state[k]: 1 while revert k is in effect; a chain of reverts of
	 * reverts settles in as many rounds as it is long. */
	state = xcalloc(nr + 1, sizeof(*state));
	for (k = 0; k < nr; k++)
		state[k] = 1;
	do {
		changed = 0;
		for (k = 0; k < nr; k++) {
			int cancelled = 0;

			for (j = 0; j < nr; j++)
				if (state[j] && prefix_of(rv[j].target, rv[k].reverter))
					cancelled = 1;
			if (state[k] == cancelled) {
				state[k] = !cancelled;
				changed = 1;
			}
		}
	} while (changed && ++rounds < 64);
	for (i = 0; i < set->nr; i++)
		for (k = 0; k < nr; k++)
			if (state[k] && prefix_of(rv[k].target, set->c[i].oid))
				set->c[i].reverted = 1;
cleanup:
	for (k = 0; k < nr; k++) {
		free(rv[k].reverter);
		free(rv[k].target);
	}
	free(rv);
	free(state);
	child_process_clear(&cp);
	strvec_clear(&tips);
	strbuf_release(&out);
	return ret;
}

/* --- shallow -------------------------------------------------------------- */

static void read_shallow(struct repo *repo, struct oidmap *shallow)
{
	struct strbuf path = STRBUF_INIT, buf = STRBUF_INIT;
	char *p, *nl;

	strbuf_addf(&path, "%s/shallow", repo_common_dir(repo));
	if (strbuf_read_file(&buf, path.buf, 0) >= 0)
		for (p = buf.buf; (nl = strchr(p, '\n')); p = nl + 1) {
			*nl = '\0';
			oidmap_put(shallow, p, 1);
		}
	strbuf_release(&path);
	strbuf_release(&buf);
}

/* --- the whole ------------------------------------------------------------ */

static int count_lines(struct change_set *set, struct repo *repo,
		       const struct change_opts *opts, struct strbuf *err)
{
	struct excluder ex;
	struct numstat_opts nopts = { &opts->paths, opts->use_cache, opts->progress };
	struct commit_stat *stats = NULL;
	char (*oids)[41] = NULL;
	const char **ask = NULL;
	size_t i, j, nask = 0, ask_alloc = 0;
	int ret = 0;

	if (!set->nr)
		return 0;
	memset(&ex, 0, sizeof(ex));
	ex.repo = repo;
	strvec_init(&ex.patterns);
	repo_config_multi(repo, "tokens.exclude", &ex.patterns);
	/* Attributes as the tip of the work has them (HEAD, else mainline). */
	if (repo_resolve(repo, "HEAD", ex.attr_commit) == 0)
		ex.has_attr_commit = 1;
	else if (*set->mainline_tip) {
		memcpy(ex.attr_commit, set->mainline_tip, 41);
		ex.has_attr_commit = 1;
	}
	oids = xmalloc(set->nr * sizeof(*oids));
	for (i = 0; i < set->nr; i++)
		memcpy(oids[i], set->c[i].oid, 41);
	stats = xcalloc(set->nr, sizeof(*stats));
	if (numstat_compute(stats, (const char (*)[41])oids, set->nr, repo,
			    &nopts, err) < 0) {
		ret = -1;
		goto cleanup;
	}
	/* Settle each distinct path once, the attributes in one batch. */
	for (i = 0; i < set->nr; i++)
		for (j = 0; j < stats[i].nr; j++) {
			const char *path = stats[i].f[j].path;
			unsigned char *v;
			int found;

			if (stats[i].f[j].binary)
				continue;
			path_excluded(&ex, path);
			v = verdict_slot(&ex, path, &found);
			if (*v == 2) {
				*v = 3;  /* asked once */
				ALLOC_GROW(ask, nask + 1, ask_alloc);
				ask[nask++] = path;
			}
		}
	if (ask_attributes(&ex, ask, nask) < 0)
		warning("unable to read .gitattributes; generated and "
			"vendored files are counted");
	for (i = 0; i < set->nr; i++) {
		struct change *c = &set->c[i];

		for (j = 0; j < stats[i].nr; j++) {
			const struct file_stat *f = &stats[i].f[j];

			if (f->binary)
				continue;
			if (path_excluded(&ex, f->path)) {
				c->excluded += (uint64_t)f->added + f->deleted;
				continue;
			}
			c->added += f->added;
			c->deleted += f->deleted;
		}
		set->excluded_lines += c->excluded;
	}
cleanup:
	for (i = 0; stats && i < set->nr; i++)
		commit_stat_release(&stats[i]);
	free(stats);
	free(oids);
	free(ex.seen);
	free(ex.verdict);
	free(ask);
	strvec_clear(&ex.patterns);
	return ret;
}

/* --- outcomes: squash, open or abandoned, survival, rework ---------------- */

struct countable {
	struct excluder *ex;
	const struct strvec *paths;
	const char **ask;
	size_t nask, alloc;
};

static void collect_path(const char *path, void *data)
{
	struct countable *cc = data;
	unsigned char *v;
	int found;

	if (path_excluded(cc->ex, path))
		return;
	v = verdict_slot(cc->ex, path, &found);
	if (*v == 2) {
		*v = 3;  /* asked once */
		ALLOC_GROW(cc->ask, cc->nask + 1, cc->alloc);
		cc->ask[cc->nask++] = path;
	}
}

/* Lines at the tip count where the change's own lines count (§7.1). */
static int path_countable(const char *path, void *data)
{
	struct countable *cc = data;
	size_t i;

	if (path_excluded(cc->ex, path))
		return 0;
	for (i = 0; i < cc->paths->nr; i++)
		if (pathspec_match(cc->paths->v[i], path))
			return 1;
	return !cc->paths->nr;
}

static int mark_outcomes(struct change_set *set, struct repo *repo,
			 const struct change_opts *opts)
{
	struct survival_opts so = { opts->use_cache, opts->progress };
	struct survival *s = NULL;
	struct excluder ex;
	struct countable cc;
	int64_t days = 14;
	int ret = 0;

	if (landing_mark(set, &opts->revs) < 0)
		return -1;
	if (!opts->survival)
		return 0;
	if (repo_config_int(repo, "tokens.reworkDays", &days) < 0 || days < 0)
		days = 14;
	/* Without survival the rest of the report still stands. */
	if (survival_run(&s, repo, set->mainline_tip, &so) < 0) {
		warning("lines could not be followed to the mainline tip; "
			"surviving and rework are unknown");
		return 0;
	}
	memset(&ex, 0, sizeof(ex));
	memset(&cc, 0, sizeof(cc));
	ex.repo = repo;
	strvec_init(&ex.patterns);
	repo_config_multi(repo, "tokens.exclude", &ex.patterns);
	if (repo_resolve(repo, "HEAD", ex.attr_commit) == 0)
		ex.has_attr_commit = 1;
	else if (*set->mainline_tip) {
		memcpy(ex.attr_commit, set->mainline_tip, 41);
		ex.has_attr_commit = 1;
	}
	cc.ex = &ex;
	cc.paths = &opts->paths;
	survival_for_each_path(s, collect_path, &cc);
	if (ask_attributes(&ex, cc.ask, cc.nask) < 0)
		warning("unable to read .gitattributes; generated and "
			"vendored files are counted");
	survival_tally(s, set, path_countable, &cc, days * 86400);
	survival_free(s);
	free(ex.seen);
	free(ex.verdict);
	free(cc.ask);
	strvec_clear(&ex.patterns);
	return ret;
}

/* --- squash merges: the request's author ------------------------------- */

/*
 * The commits among hex ids ("<id>\n" each) this repository has, read
 * as the change engine reads a range (mailmap, agents, countable
 * lines), whoever wrote them. A request's commits may never have been
 * fetched: those are left out.
 */
static int load_commits(struct change_set *out, struct repo *repo,
			const struct change_opts *opts,
			const struct strbuf *ids)
{
	struct child_process cf = CHILD_PROCESS_INIT, lg = CHILD_PROCESS_INIT;
	struct change_opts eo = CHANGE_OPTS_INIT;
	struct oidmap none = OIDMAP_INIT;
	struct strbuf have = STRBUF_INIT, log = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	size_t nshallow = 0;
	char *p, *nl;
	int fd = -1, ret = 0;

	fd = temp_file_with(ids);
	if (fd < 0) {
		ret = -1;
		goto cleanup;
	}
	cf.git_cmd = 1;
	cf.in = fd;
	strvec_pushl(&cf.args, "cat-file",
		     "--batch-check=%(objectname) %(objecttype)", NULL);
	if (capture_command(&cf, &log)) {
		ret = error("git cat-file failed");
		goto cleanup;
	}
	for (p = log.buf; (nl = strchr(p, '\n')); p = nl + 1)
		if (nl - p == OID_HEX + 7 &&
		    !strncmp(p + OID_HEX, " commit", 7)) {
			strbuf_add(&have, p, OID_HEX);
			strbuf_addch(&have, '\n');
		}
	strbuf_reset(&log);
	if (!have.len)
		goto cleanup;
	close(fd);
	fd = temp_file_with(&have);
	if (fd < 0) {
		ret = -1;
		goto cleanup;
	}
	lg.git_cmd = 1;
	lg.in = fd;
	strvec_pushl(&lg.args, "-c", "log.showSignature=false", "log",
		     "--no-walk=unsorted", "--stdin", "-z", "--no-color",
		     "--format=%H%x1f%aN%x1f%aE%x1f%cN%x1f%cE%x1f%at%x1f%ct%x1f%B",
		     NULL);
	if (capture_command(&lg, &log)) {
		ret = error("git log failed on the commits of squash merges");
		goto cleanup;
	}
	/* no --author here: the patterns apply to the squash commit */
	eo.paths = opts->paths;
	eo.use_cache = opts->use_cache;
	eo.progress = 0;
	if (parse_log(out, repo, &log, &eo, &none, &nshallow) < 0 ||
	    count_lines(out, repo, &eo, &err) < 0) {
		if (err.len)
			error("%s", err.buf);
		ret = -1;
	}
cleanup:
	if (fd >= 0)
		close(fd);
	child_process_clear(&cf);
	child_process_clear(&lg);
	oidmap_clear(&none);
	strbuf_release(&have);
	strbuf_release(&log);
	strbuf_release(&err);
	return ret;
}

struct squash_part {
	size_t into;               /* the squash commit, index in the set */
	const struct change *c;    /* a commit it absorbed */
};

static int squash_part_cmp(const void *a, const void *b)
{
	const struct squash_part *x = a, *y = b;

	return x->into < y->into ? -1 : x->into > y->into;
}

static int same_author(const struct change *a, const struct change *b)
{
	return !strcmp(a->author_name ? a->author_name : "",
		       b->author_name ? b->author_name : "") &&
		!strcmp(a->author_email ? a->author_email : "",
			b->author_email ? b->author_email : "");
}

/* Is a earlier than b? Author time, then committer time. */
static int earlier(const struct change *a, const struct change *b)
{
	if (a->author_time != b->author_time)
		return a->author_time < b->author_time;
	return a->commit_time < b->commit_time;
}

/*
 * Of the commits parts[0..n) (one request), the author of the most
 * countable lines; ties to the author of the earliest commit.
 */
static const struct change *request_author(const struct squash_part *parts,
					   size_t n)
{
	struct tally {
		const struct change *first;
		uint64_t lines;
	} *t = xcalloc(n, sizeof(*t));
	const struct change *best = NULL;
	size_t i, j, nt = 0, b = 0;

	for (i = 0; i < n; i++) {
		const struct change *c = parts[i].c;

		for (j = 0; j < nt; j++)
			if (same_author(t[j].first, c))
				break;
		if (j == nt)
			t[nt++].first = c;
		else if (earlier(c, t[j].first))
			t[j].first = c;
		t[j].lines += c->added + c->deleted;
	}
	for (j = 1; j < nt; j++)
		if (t[j].lines > t[b].lines ||
		    (t[j].lines == t[b].lines && earlier(t[j].first,
							 t[b].first)))
			b = j;
	if (nt)
		best = t[b].first;
	free(t);
	return best;
}

int change_set_squash_authors(struct change_set *set, struct repo *repo,
			      const struct change_opts *opts)
{
	struct change_set extra = CHANGE_SET_INIT;
	struct oidmap idx = OIDMAP_INIT, xidx = OIDMAP_INIT;
	struct strbuf ids = STRBUF_INIT;
	struct squash_part *parts = NULL;
	regex_t *re = NULL;
	size_t nre = 0, nparts = 0, i, j, k, from, into;
	unsigned char *gone = NULL;
	int ret = 0;

	if (!set->absorbed_nr && !opts->authors.nr)
		return 0;
	for (i = 0; i < set->nr; i++)
		oidmap_put(&idx, set->c[i].oid, i);
	for (i = 0; i < set->absorbed_nr; i++)
		if (oidmap_get(&idx, set->absorbed[i].into, NULL) &&
		    !oidmap_get(&idx, set->absorbed[i].from, NULL))
			strbuf_addf(&ids, "%s\n", set->absorbed[i].from);
	/* Without them the squash commit keeps its own author. */
	if (ids.len && load_commits(&extra, repo, opts, &ids) < 0)
		warning("the commits of squash merges could not be read; "
			"their squash commits keep their own authors");
	for (i = 0; i < extra.nr; i++)
		oidmap_put(&xidx, extra.c[i].oid, i);

	parts = xcalloc(set->absorbed_nr + 1, sizeof(*parts));
	for (i = 0; i < set->absorbed_nr; i++) {
		const struct squash_absorbed *a = &set->absorbed[i];

		if (!oidmap_get(&idx, a->into, &into))
			continue;
		if (oidmap_get(&idx, a->from, &from))
			parts[nparts].c = &set->c[from];
		else if (oidmap_get(&xidx, a->from, &from))
			parts[nparts].c = &extra.c[from];
		else
			continue;
		parts[nparts++].into = into;
	}
	qsort(parts, nparts, sizeof(*parts), squash_part_cmp);
	for (i = 0; i < nparts; i = j) {
		struct change *s = &set->c[parts[i].into];
		const struct change *by;

		for (j = i + 1; j < nparts && parts[j].into == parts[i].into;
		     j++)
			;
		by = request_author(parts + i, j - i);
		if (!by || same_author(by, s))
			continue;
		free(s->author_name);
		free(s->author_email);
		s->author_name = xstrdup(by->author_name ?
					 by->author_name : "");
		s->author_email = xstrdup(by->author_email ?
					  by->author_email : "");
	}

	/* --author: on the authors as they are now */
	if (!opts->authors.nr)
		goto cleanup;
	if (authors_compile(&opts->authors, &re, &nre) < 0) {
		ret = -1;
		goto cleanup;
	}
	gone = xcalloc(set->nr ? set->nr : 1, 1);
	for (k = 0; k < set->nr; k++)
		gone[k] = !author_matches(re, nre, &set->c[k]);
	drop_changes(set, gone);
cleanup:
	free(gone);
	authors_free(re, nre);
	free(parts);
	strbuf_release(&ids);
	oidmap_clear(&idx);
	oidmap_clear(&xidx);
	change_set_release(&extra);
	return ret;
}

int changes_load(struct change_set *out, struct repo *repo,
		 const struct change_opts *opts, struct strbuf *err)
{
	struct oidmap shallow = OIDMAP_INIT;
	char head[OID_HEX + 1];
	size_t nshallow = 0;
	int r, ret = 0;

	memset(out, 0, sizeof(*out));
	if (find_mainline(out, repo, opts->mainline, err) < 0 ||
	    check_revs(repo, &opts->revs, err) < 0) {
		ret = -1;
		goto cleanup;
	}
	/* An empty repository or an unborn branch has no changes yet. */
	if (!opts->revs.nr && (r = repo_resolve(repo, "HEAD", head)) != 0) {
		/* A HEAD we cannot read is no empty history (error said) */
		if (r < 0)
			ret = user_error(err, "cannot read the history of "
					 "'HEAD'");
		goto cleanup;
	}
	if (repo_is_shallow(repo))
		read_shallow(repo, &shallow);
	if (read_log(out, repo, opts, &shallow, &nshallow, err) < 0 ||
	    count_lines(out, repo, opts, err) < 0) {
		ret = -1;
		goto cleanup;
	}
	if (nshallow)
		warning("shallow clone: %lu commit(s) at the history boundary "
			"have no parent here and are not counted; run "
			"'git fetch --unshallow' for the full history",
			(unsigned long)nshallow);
	if (out->mainline_ref && out->nr &&
	    (mark_reachable(out, opts) < 0 || mark_patch_ids(out) < 0 ||
	     mark_reverts(out, opts) < 0 ||
	     mark_outcomes(out, repo, opts) < 0))
		ret = -1;
	/* squash merges matched through request refs have their author */
	if (!ret && !opts->defer_squash_authors &&
	    change_set_squash_authors(out, repo, opts) < 0)
		ret = -1;
cleanup:
	oidmap_clear(&shallow);
	if (ret < 0)
		change_set_release(out);
	return ret;
}
