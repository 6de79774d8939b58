/*
 * Which lines count: a change's lines in paths that are not countable
 * (lock files, vendored and generated files, tokens.exclude, and what
 * .gitattributes marks) are excluded, at the change and at the tip.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/die.h"
#include "base/run-command.h"
#include "base/strbuf.h"
#include "engine/changes.h"
#include "engine/countable.h"
#include "engine/numstat.h"
#include "engine/revs.h"
#include "engine/survival.h"
#include "git/repo.h"

/* Never countable, whatever the attributes say. */
static const char *lock_files[] = {
	"package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
	"pnpm-lock.yaml", "bun.lock", "bun.lockb", "Cargo.lock", "go.sum",
	"poetry.lock", "uv.lock", "Pipfile.lock", "Gemfile.lock",
	"composer.lock", "flake.lock", "pubspec.lock", "mix.lock",
	"packages.lock.json", "gradle.lockfile",
};
static const char *vendor_dirs[] = { "vendor", "node_modules", "third_party" };
static const char *generated_suffixes[] = { ".min.js", ".min.css", ".map" };

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
	fd = changes_temp_file(&list);
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

/* Attributes as the tip of the work has them (HEAD, else mainline). */
static void excluder_init(struct excluder *ex, struct repo *repo,
			  const struct change_set *set)
{
	memset(ex, 0, sizeof(*ex));
	ex->repo = repo;
	strvec_init(&ex->patterns);
	repo_config_multi(repo, "tokens.exclude", &ex->patterns);
	if (repo_resolve(repo, "HEAD", ex->attr_commit) == 0)
		ex->has_attr_commit = 1;
	else if (*set->mainline_tip) {
		memcpy(ex->attr_commit, set->mainline_tip, 41);
		ex->has_attr_commit = 1;
	}
}

static void excluder_release(struct excluder *ex)
{
	free(ex->seen);
	free(ex->verdict);
	strvec_clear(&ex->patterns);
}

/* The paths whose attributes are still to ask, each once. */
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

int countable_count(struct change_set *set, struct repo *repo,
		    const struct change_opts *opts, struct strbuf *err)
{
	struct excluder ex;
	struct numstat_opts nopts = { &opts->paths, opts->use_cache, opts->progress };
	struct commit_stat *stats = NULL;
	char (*oids)[41] = NULL;
	struct countable cc;
	size_t i, j;
	int ret = 0;

	if (!set->nr)
		return 0;
	excluder_init(&ex, repo, set);
	memset(&cc, 0, sizeof(cc));
	cc.ex = &ex;
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
		for (j = 0; j < stats[i].nr; j++)
			if (!stats[i].f[j].binary)
				collect_path(stats[i].f[j].path, &cc);
	if (ask_attributes(&ex, cc.ask, cc.nask) < 0)
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
	free(cc.ask);
	excluder_release(&ex);
	return ret;
}

/* --- lines at the tip: survival and rework ------------------------------- */

/* Lines at the tip count where the change's own lines count. */
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

/*
 * A range's bottoms, and the mainline commits its landed changes count
 * as (as survival_tally() finds them): survival needs no line older.
 */
static void survival_range(const struct change_set *set,
			   const struct change_opts *opts,
			   struct strvec *bottoms, struct strvec *need)
{
	size_t i;

	if (revs_bottoms(bottoms, &opts->revs) < 0)
		strvec_clear(bottoms);  /* the whole history, then */
	for (i = 0; bottoms->nr && i < set->nr; i++) {
		const struct change *c = &set->c[i];

		if (c->landed == LANDED_NO)
			continue;
		strvec_push(need, c->landed != LANDED_REACHABLE &&
			    *c->landed_as ? c->landed_as : c->oid);
	}
}

int countable_survival(struct change_set *set, struct repo *repo,
		       const struct change_opts *opts, struct survival **keep)
{
	struct strvec bottoms = STRVEC_INIT, need = STRVEC_INIT;
	struct survival_opts so = { opts->use_cache, opts->progress,
				    &bottoms, &need };
	struct survival *s = NULL;
	struct excluder ex;
	struct countable cc;
	struct strbuf said = STRBUF_INIT, why = STRBUF_INIT;
	int64_t days = 14;
	int capturing, r;

	if (repo_config_int(repo, "tokens.reworkDays", &days) < 0 || days < 0)
		days = 14;
	/*
	 * Without survival the rest of the report still stands: say so in
	 * one warning, with git's reason (a missing object), rather than
	 * pass on what git and the stages said on the way.
	 */
	survival_range(set, opts, &bottoms, &need);
	capturing = !stderr_capture_start();
	r = survival_run(&s, repo, set->mainline_tip, &so);
	if (capturing)
		stderr_capture_stop(&said);
	strvec_clear(&bottoms);
	strvec_clear(&need);
	if (r < 0) {
		if (!git_fatal_reason(said.buf, &why))
			strbuf_addstr(&why, "see 'git tokens doctor'");
		warning("surviving and rework are unknown: the lines could not "
			"be followed to the mainline tip (%s)", why.buf);
		strbuf_release(&said);
		strbuf_release(&why);
		return 0;
	}
	fputs(said.buf, stderr);
	strbuf_release(&said);
	excluder_init(&ex, repo, set);
	memset(&cc, 0, sizeof(cc));
	cc.ex = &ex;
	cc.paths = &opts->paths;
	survival_for_each_path(s, collect_path, &cc);
	if (ask_attributes(&ex, cc.ask, cc.nask) < 0)
		warning("unable to read .gitattributes; generated and "
			"vendored files are counted");
	survival_tally(s, set, path_countable, &cc, days * 86400);
	if (keep)
		*keep = s;
	else
		survival_free(s);
	free(cc.ask);
	excluder_release(&ex);
	return 0;
}
