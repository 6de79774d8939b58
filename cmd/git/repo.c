/*
 * The one file that talks to libgit2: everything else sees struct repo,
 * hex object ids and plain strings.
 */
#include "base/compat.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "base/die.h"
#include "base/paths.h"
#include "git/config-cache.h"
#include "git/git-cmd.h"
#include "git/repo.h"

struct repo {
	git_repository *git;    /* opened on first use: git_of() */
	char *git_dir, *common_dir, *work_tree;  /* ending in '/' */
	git_mailmap *mailmap;
	int mailmap_loaded;
};

const char *repo_last_error(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown error";
}

/* <top>/ of a plain repository, where config_load() keeps its cache. */
static char *config_cache_top;
static int config_cache_user; /* outside any repository */

static int in_libgit2_init;

static void libgit2_init_once(void)
{
	static int done;

	if (!done) {
		in_libgit2_init = 1;
		git_libgit2_init();
		in_libgit2_init = 0;
		done = 1;
	}
}

#ifdef RTLD_NEXT
/*
 * A libgit2 built on mbedTLS (Debian's) parses the whole CA bundle in
 * git_libgit2_init(): 14 ms of a 20 ms start. git-tokens runs git for
 * every fetch and push, so libgit2's TLS is never used; these two
 * shadow mbedTLS's functions and load no certificate during that
 * call. Were libgit2's TLS ever used, the empty CA chain would fail
 * verification: closed, never open. Any other caller, or any later
 * call, gets mbedTLS's own.
 */
struct mbedtls_x509_crt;
typedef int (*crt_parse_fn)(struct mbedtls_x509_crt *, const char *);
int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain,
				const char *path);
int mbedtls_x509_crt_parse_path(struct mbedtls_x509_crt *chain,
				const char *path);

static int crt_parse_next(const char *name, struct mbedtls_x509_crt *chain,
			  const char *path)
{
	void *sym = dlsym(RTLD_NEXT, name);
	crt_parse_fn fn;

	if (!sym)
		return -1;
	/* POSIX's way from a data pointer to a function pointer. */
	memcpy(&fn, &sym, sizeof(sym));
	return fn(chain, path);
}

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain,
				const char *path)
{
	if (in_libgit2_init)
		return 0;
	return crt_parse_next("mbedtls_x509_crt_parse_file", chain, path);
}

int mbedtls_x509_crt_parse_path(struct mbedtls_x509_crt *chain,
				const char *path)
{
	if (in_libgit2_init)
		return 0;
	return crt_parse_next("mbedtls_x509_crt_parse_path", chain, path);
}

/*
 * The same for libssh2, which libgit2 starts for its SSH transport in
 * git_libgit2_init(): libssh2 starts OpenSSL then (its error strings,
 * its engines), a tenth of a post-commit hook's own instructions, for
 * a transport git-tokens never uses. libssh2 starts itself when a
 * session is first made; libgit2's libssh2_exit() at shutdown is then
 * a no-op.
 */
int libssh2_init(int flags);

int libssh2_init(int flags)
{
	void *sym;
	int (*fn)(int);

	if (in_libgit2_init)
		return 0;
	if (!(sym = dlsym(RTLD_NEXT, "libssh2_init")))
		return -1;
	memcpy(&fn, &sym, sizeof(sym));
	return fn(flags);
}
#endif

/* Where the repository we refused to open lives, for the hint. */
void repo_explain_ownership(void)
{
	git_buf found = GIT_BUF_INIT;
	const char *dir = getenv("GIT_DIR");
	struct strbuf path = STRBUF_INIT;
	char real[PATH_MAX];

	if (dir && *dir) {
		strbuf_addstr(&path, realpath(dir, real) ? real : dir);
	} else if (!git_repository_discover(&found, ".", 0,
					    getenv("GIT_CEILING_DIRECTORIES"))) {
		strbuf_addstr(&path, found.ptr);
		/* git names the work tree, not its .git directory. */
		if (path.len > 6 &&
		    !strcmp(path.buf + path.len - 6, "/.git/"))
			strbuf_setlen(&path, path.len - 6);
		else if (path.len > 1 && path.buf[path.len - 1] == '/')
			strbuf_setlen(&path, path.len - 1);
	}
	if (!path.len) {
		error("%s", repo_last_error());
	} else {
		error("detected dubious ownership in repository at '%s'",
		      path.buf);
		fprintf(stderr,
			"To add an exception for this directory, call:\n"
			"\n"
			"\tgit config --global --add safe.directory '%s'\n",
			path.buf);
	}
	git_buf_dispose(&found);
	strbuf_release(&path);
}

/*
 * What the current folder and those above it hold, looked at as git
 * does: REPO_NONE when neither a ".git" nor a "HEAD" (a bare
 * repository, or inside .git), so surely no repository, and libgit2
 * needs no start-up (with mbedTLS, parsing the CA certificates: most of
 * a quick "usage --all-repos" outside one); REPO_PLAIN when the first
 * found is <top>/.git, a folder of ours holding HEAD, on the file
 * system we are on (top in *top, with a trailing '/'); else REPO_ASK:
 * git sorts it out (GIT_DIR and the like set, a linked work tree's
 * .git file, another owner).
 */
enum repo_walk { REPO_NONE, REPO_PLAIN, REPO_ASK };

static enum repo_walk repo_walk(struct strbuf *top)
{
	static const char *const vars[] = {
		"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR",
		"GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM",
	};
	struct strbuf path = STRBUF_INIT;
	struct stat sb, dir, here;
	enum repo_walk ret = REPO_NONE;
	char cwd[PATH_MAX];
	const char *v;
	size_t len, i;

	for (i = 0; i < ARRAY_SIZE(vars); i++)
		if ((v = getenv(vars[i])) && *v)
			ret = REPO_ASK;
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/' ||
	    stat(cwd, &here) < 0)
		return REPO_ASK;
	for (len = strlen(cwd); ret == REPO_NONE; ) {
		strbuf_reset(&path);
		strbuf_add(&path, cwd, len);
		if (stat(path.buf, &dir) < 0 || dir.st_dev != here.st_dev)
			ret = REPO_ASK;
		strbuf_addstr(&path, len > 1 ? "/.git" : ".git");
		if (!lstat(path.buf, &sb)) {
			ret = REPO_ASK;
			if (S_ISDIR(sb.st_mode) && sb.st_uid == geteuid() &&
			    dir.st_uid == geteuid() && dir.st_dev == here.st_dev) {
				strbuf_addstr(&path, "/HEAD");
				if (!lstat(path.buf, &sb))
					ret = REPO_PLAIN;
			}
			if (ret == REPO_PLAIN) {
				strbuf_reset(top);
				strbuf_add(top, cwd, len);
				if (len > 1)
					strbuf_addch(top, '/');
				break;
			}
		} else if (errno != ENOENT) {
			ret = REPO_ASK;
		}
		strbuf_setlen(&path, len);
		strbuf_addstr(&path, len > 1 ? "/HEAD" : "HEAD");
		if (!lstat(path.buf, &sb) || errno != ENOENT)
			ret = REPO_ASK;
		if (len <= 1)
			break;
		while (len > 1 && cwd[len - 1] != '/')
			len--;
		if (len > 1)
			len--;
	}
	strbuf_release(&path);
	return ret;
}

/*
 * libgit2 refuses GIT_WORK_TREE with GIT_REPOSITORY_OPEN_FROM_ENV, so
 * hide it while opening and apply it afterwards, as git would.
 */
static int libgit2_open(git_repository **out)
{
	const char *env = getenv("GIT_WORK_TREE");
	char *work_tree = env && *env ? xstrdup(env) : NULL;
	char real[PATH_MAX];
	git_repository *git = NULL;
	int ret = -1, r;

	*out = NULL;
	libgit2_init_once();
	if (work_tree)
		unsetenv("GIT_WORK_TREE");
	r = git_repository_open_ext(&git, NULL, GIT_REPOSITORY_OPEN_FROM_ENV,
				    NULL);
	if (work_tree)
		setenv("GIT_WORK_TREE", work_tree, 1);
	/*
	 * libgit2 1.5 reports a repository we do not own as "config value
	 * 'safe.directory' was not found" when no safe.directory is set.
	 */
	if (r == GIT_ENOTFOUND && git_error_last() &&
	    git_error_last()->klass == GIT_ERROR_CONFIG)
		r = GIT_EOWNER;
	if (r == GIT_ENOTFOUND) {
		ret = 1;
		goto cleanup;
	}
	if (r == GIT_EOWNER) {
		ret = 2;   /* the caller explains it, or goes on without */
		goto cleanup;
	}
	if (r < 0) {
		error("cannot open the repository: %s", repo_last_error());
		goto cleanup;
	}
	if (work_tree) {
		const char *cur;

		if (!realpath(work_tree, real)) {
			error_errno("invalid GIT_WORK_TREE '%s'", work_tree);
			goto cleanup;
		}
		/* libgit2 1.5 leaks when given the work tree it has. */
		cur = git_repository_workdir(git);
		if ((!cur || strncmp(cur, real, strlen(real)) ||
		     strcmp(cur + strlen(real), "/")) &&
		    git_repository_set_workdir(git, real, 0) < 0) {
			error("cannot use work tree '%s': %s", real,
			      repo_last_error());
			goto cleanup;
		}
	}
	*out = git;
	git = NULL;
	ret = 0;
cleanup:
	git_repository_free(git);
	free(work_tree);
	return ret;
}

/* The repository's libgit2 handle, opened now if not yet. */
static git_repository *git_of(struct repo *repo)
{
	if (!repo->git && libgit2_open(&repo->git))
		error("cannot open the repository with libgit2");
	return repo->git;
}

/* path, made absolute and real, with a trailing '/'. */
static char *dir_path(const char *path)
{
	char real[PATH_MAX];

	if (!realpath(path, real))
		return NULL;
	return xstrfmt("%s%s", real, strcmp(real, "/") ? "/" : "");
}

/*
 * The repository as git finds it (GIT_DIR, GIT_WORK_TREE, worktrees,
 * safe.directory), from one "git rev-parse": 0, or 1 when it cannot
 * tell (no work tree: a bare repository, inside .git; not ours).
 */
static int repo_find(struct repo *repo)
{
	const char *argv[] = {
		"rev-parse", "--path-format=absolute", "--git-dir",
		"--git-common-dir", "--show-toplevel", NULL
	};
	struct strbuf out = STRBUF_INIT;
	char **lines = NULL;
	int ret = 1;

	if (git_cmd(argv, &out, NULL, GIT_CMD_NO_STDIN | GIT_CMD_QUIET) ||
	    strbuf_split_inplace(out.buf, '\n', &lines) < 3)
		goto cleanup;
	repo->git_dir = dir_path(lines[0]);
	repo->common_dir = dir_path(lines[1]);
	repo->work_tree = dir_path(lines[2]);
	if (repo->git_dir && repo->common_dir && repo->work_tree)
		ret = 0;
cleanup:
	free(lines);
	strbuf_release(&out);
	return ret;
}

/*
 * <top>/.git as git takes it, unless the configuration moves the work
 * tree: 0, or 1 when git must say.
 */
static int repo_plain(struct repo *repo, const char *top)
{
	char *work_tree = NULL;
	int bare = 0, r;

	if (!config_cache_top)
		config_cache_top = xstrdup(top);
	r = repo_config_string(NULL, "core.worktree", &work_tree);
	free(work_tree);
	if (r != 1 || repo_config_bool(NULL, "core.bare", &bare) < 0 || bare)
		return 1;
	repo->work_tree = xstrdup(top);
	repo->git_dir = xstrfmt("%s.git/", top);
	repo->common_dir = xstrdup(repo->git_dir);
	return 0;
}

/*
 * Starting libgit2 costs a process time (with mbedTLS it would parse
 * the CA bundle then), "git rev-parse" about 2 ms: "usage" needs no
 * more of the repository than where it is, and config comes from git
 * too. So libgit2 opens the repository on first use, unless neither a
 * look at <top>/.git (the common case, no process at all) nor
 * rev-parse could tell where it is.
 */
int repo_open(struct repo **out)
{
	struct strbuf top = STRBUF_INIT;
	enum repo_walk walk = repo_walk(&top);
	struct repo *repo;
	const char *p;
	int r;

	*out = NULL;
	if (walk == REPO_NONE) {
		config_cache_user = 1;
		return 1;
	}
	repo = xcalloc(1, sizeof(*repo));
	r = walk == REPO_PLAIN ? repo_plain(repo, top.buf) : 1;
	strbuf_release(&top);
	if (r && repo_find(repo)) {
		free(repo->git_dir);
		free(repo->common_dir);
		free(repo->work_tree);
		repo->git_dir = repo->common_dir = repo->work_tree = NULL;
		r = libgit2_open(&repo->git);
		if (r) {
			free(repo);
			return r;
		}
		repo->git_dir = xstrdup(git_repository_path(repo->git));
		repo->common_dir =
			xstrdup(git_repository_commondir(repo->git));
		p = git_repository_workdir(repo->git);
		repo->work_tree = p ? xstrdup(p) : NULL;
	}
	*out = repo;
	return 0;
}

void repo_free(struct repo *repo)
{
	if (!repo)
		return;
	git_mailmap_free(repo->mailmap);
	git_repository_free(repo->git);
	free(repo->git_dir);
	free(repo->common_dir);
	free(repo->work_tree);
	free(repo);
}

const char *repo_git_dir(const struct repo *repo)
{
	return repo->git_dir;
}

const char *repo_common_dir(const struct repo *repo)
{
	return repo->common_dir;
}

const char *repo_work_tree(const struct repo *repo)
{
	return repo->work_tree;
}

void repo_worktrees(struct repo *repo, struct strvec *out)
{
	const char *common = repo_common_dir(repo);
	const char *wt = repo_work_tree(repo);
	int bare = 0;

	if (wt)
		strvec_push(out, wt);
	if (!common)
		return;
	if (repo_config_bool(repo, "core.bare", &bare) != 0)
		bare = 0;
	repo_worktrees_of(common, bare, out);
}

void repo_worktrees_of(const char *common, int bare, struct strvec *out)
{
	struct strbuf sb = STRBUF_INIT, gitdir = STRBUF_INIT;
	struct dirent *de;
	DIR *dir;
	size_t len;

	strbuf_addstr(&sb, common);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	/* The main work tree holds the common dir as its ".git". */
	if (!bare && sb.len >= 5 && !strcmp(sb.buf + sb.len - 5, "/.git")) {
		strbuf_setlen(&sb, sb.len - 5);
		strvec_push(out, sb.len ? sb.buf : "/");
		strbuf_addstr(&sb, "/.git");
	}
	/* Linked ones: <common>/worktrees/<id>/gitdir names <wt>/.git */
	strbuf_addstr(&sb, "/worktrees");
	dir = opendir(sb.buf);
	len = sb.len;
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		strbuf_setlen(&sb, len);
		strbuf_addf(&sb, "/%s/gitdir", de->d_name);
		strbuf_reset(&gitdir);
		if (strbuf_read_file(&gitdir, sb.buf, 256) < 0)
			continue;
		strbuf_trim(&gitdir);
		if (gitdir.len > 5 &&
		    !strcmp(gitdir.buf + gitdir.len - 5, "/.git")) {
			strbuf_setlen(&gitdir, gitdir.len - 5);
			strvec_push(out, gitdir.buf);
		}
	}
	if (dir)
		closedir(dir);
	strbuf_release(&sb);
	strbuf_release(&gitdir);
}

void repo_common_path(struct repo *repo, struct strbuf *out,
		      const char *name)
{
	const char *common = repo_common_dir(repo);
	size_t len = strlen(common);

	strbuf_reset(out);
	strbuf_addstr(out, common);
	if (len && common[len - 1] != '/')
		strbuf_addch(out, '/');
	strbuf_addstr(out, name);
}

int repo_tokens_dir(struct repo *repo, struct strbuf *out)
{
	repo_common_path(repo, out, "tokens/");
	if (mkdir_p(out->buf) < 0)
		return error_errno("cannot create '%s'", out->buf);
	return 0;
}

int repo_is_shallow(struct repo *repo)
{
	return git_repository_is_shallow(git_of(repo));
}

int repo_is_empty(struct repo *repo)
{
	int r = git_repository_is_empty(git_of(repo));

	if (r < 0)
		return error("cannot read HEAD: %s", repo_last_error());
	return r;
}

int repo_unborn_branch(struct repo *repo, struct strbuf *out)
{
	git_reference *head = NULL;
	const char *target;
	int ret = 0;

	if (git_repository_head_unborn(git_of(repo)) != 1 ||
	    git_reference_lookup(&head, git_of(repo), "HEAD") < 0)
		goto cleanup;
	target = git_reference_symbolic_target(head);
	if (target && !strncmp(target, "refs/heads/", 11)) {
		strbuf_reset(out);
		strbuf_addstr(out, target + 11);
		ret = 1;
	}
cleanup:
	git_reference_free(head);
	return ret;
}


/*
 * The configuration is what "git config --list" says, read once: in a
 * repository (git runs where we do, so it finds the same one) and
 * outside one (the system, XDG and global files); -c on top. Asking
 * git costs one process; starting libgit2 would cost more (its TLS
 * set-up), on every quick run.
 */
struct config_entry {
	char *key;
	char *value;    /* NULL for a key without "=" */
};
static struct config_entry *config;
static size_t config_nr;

static int config_load(void)
{
	static int loaded;      /* 1 read, -1 failed */
	const char *argv[] = {
		"config", "--list", "-z", "--show-origin", NULL
	};
	struct strbuf out = STRBUF_INIT;
	struct timespec ts;
	int64_t asked = 0;
	size_t alloc = 0;
	char *p, *end, *nl;

	if (loaded)
		return loaded < 0 ? -1 : 0;
	loaded = -1;
	if (config_cache_top || config_cache_user) {
		if (!config_cache_read(config_cache_top, &out))
			goto parse;
		strbuf_reset(&out);
		if (!clock_gettime(CLOCK_REALTIME, &ts))
			asked = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	if (git_cmd(argv, &out, NULL, GIT_CMD_NO_STDIN)) {
		error("cannot read the configuration: 'git config --list' "
		      "failed");
		goto cleanup;
	}
	if (asked > 0)
		config_cache_write(config_cache_top, &out, asked);
parse:
	/* origin, then key and value: "<origin>\0<key>\n<value>\0" */
	for (p = out.buf, end = out.buf + out.len; p < end; ) {
		p += strlen(p) + 1;
		if (p >= end)
			break;
		ALLOC_GROW(config, config_nr + 1, alloc);
		nl = strchr(p, '\n');
		config[config_nr].key = nl ? xstrndup(p, nl - p) :
			xstrdup(p);
		config[config_nr].value = nl ? xstrdup(nl + 1) : NULL;
		config_nr++;
		p += strlen(p) + 1;
	}
	loaded = 1;
cleanup:
	strbuf_release(&out);
	return loaded < 0 ? -1 : 0;
}

/* Section and name without regard to case, the subsection as written. */
static int key_eq(const char *a, const char *b)
{
	const char *first = strchr(a, '.'), *last = strrchr(a, '.');

	if (strcasecmp(a, b))
		return 0;
	return !first || !strncmp(first, b + (first - a), last - first);
}

/* The last value of key: 0 and *e, 1 when not set, or -1. */
static int config_last(const char *key, const struct config_entry **e)
{
	size_t i;

	if (config_load() < 0)
		return -1;
	*e = NULL;
	for (i = 0; i < config_nr; i++)
		if (key_eq(config[i].key, key))
			*e = &config[i];
	return *e ? 0 : 1;
}

/* git's booleans: no value, true/yes/on, false/no/off/"", a number. */
static int parse_bool(const char *v, int *out)
{
	char *end;
	long n;

	if (!v || !strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
	    !strcasecmp(v, "on")) {
		*out = 1;
		return 0;
	}
	if (!*v || !strcasecmp(v, "false") || !strcasecmp(v, "no") ||
	    !strcasecmp(v, "off")) {
		*out = 0;
		return 0;
	}
	n = strtol(v, &end, 10);
	if (*end)
		return -1;
	*out = !!n;
	return 0;
}

/* git's integers: a number with an optional k, m or g. */
static int parse_int(const char *v, int64_t *out)
{
	char *end;
	long long n;

	if (!v || !*v)
		return -1;
	errno = 0;
	n = strtoll(v, &end, 0);
	if (errno)
		return -1;
	if (*end == 'k' || *end == 'K')
		n *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		n *= 1024 * 1024, end++;
	else if (*end == 'g' || *end == 'G')
		n *= 1024 * 1024 * 1024, end++;
	if (*end)
		return -1;
	*out = n;
	return 0;
}

int repo_config_string(struct repo *repo, const char *key, char **out)
{
	const struct config_entry *e;
	int r = config_last(key, &e);

	*out = NULL;
	if (!r)
		*out = xstrdup(e->value ? e->value : "");
	return r;
}

char *repo_config_get(void *repo, const char *key)
{
	char *v = NULL;

	repo_config_string(repo, key, &v);
	return v;
}

int repo_config_bool(struct repo *repo, const char *key, int *out)
{
	const struct config_entry *e;
	int r = config_last(key, &e);

	if (!r && parse_bool(e->value, out) < 0)
		return error("bad boolean config value for '%s'", key);
	return r;
}

int repo_config_int(struct repo *repo, const char *key, int64_t *out)
{
	const struct config_entry *e;
	int r = config_last(key, &e);

	if (!r && parse_int(e->value, out) < 0)
		return error("bad numeric config value for '%s'", key);
	return r;
}

int repo_config_multi(struct repo *repo, const char *key, struct strvec *out)
{
	size_t i;

	if (config_load() < 0)
		return -1;
	for (i = 0; i < config_nr; i++)
		if (key_eq(config[i].key, key))
			strvec_push(out, config[i].value ?
				    config[i].value : "");
	return 0;
}

int repo_resolve(struct repo *repo, const char *rev, char out[OID_HEX + 1])
{
	git_object *obj = NULL, *commit = NULL;
	int r, ret = -1;

	r = git_revparse_single(&obj, git_of(repo), rev);
	if (r == GIT_ENOTFOUND || r == GIT_EINVALIDSPEC) {
		ret = 1;
		goto cleanup;
	}
	if (r < 0) {
		error("bad revision '%s': %s", rev, repo_last_error());
		goto cleanup;
	}
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		error("'%s' is not a commit", rev);
		goto cleanup;
	}
	git_oid_tostr(out, OID_HEX + 1, git_object_id(commit));
	ret = 0;

cleanup:
	git_object_free(commit);
	git_object_free(obj);
	return ret;
}

int repo_ref_dwim(struct repo *repo, const char *name, struct strbuf *full)
{
	git_reference *ref = NULL;
	int r;

	if (!strncmp(name, "refs/", 5) || !strcmp(name, "HEAD"))
		r = git_reference_lookup(&ref, git_of(repo), name);
	else
		r = git_reference_dwim(&ref, git_of(repo), name);
	if (r == GIT_ENOTFOUND || r == GIT_EINVALIDSPEC)
		return 1;
	if (r < 0)
		return error("cannot read ref '%s': %s", name,
			     repo_last_error());
	if (full) {
		strbuf_reset(full);
		strbuf_addstr(full, git_reference_name(ref));
	}
	git_reference_free(ref);
	return 0;
}

int repo_ref_exists(struct repo *repo, const char *refname)
{
	return repo_ref_dwim(repo, refname, NULL) == 0;
}

int repo_ref_prefix_exists(struct repo *repo, const char *prefix)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	char *glob = xstrfmt("%s*", prefix);
	int r = git_reference_iterator_glob_new(&it, git_of(repo), glob);

	if (!r)
		r = git_reference_next(&ref, it);
	if (!r)
		r = 1;
	else if (r == GIT_ITEROVER)
		r = 0;
	else
		r = error("cannot list the refs: %s", repo_last_error());
	git_reference_free(ref);
	git_reference_iterator_free(it);
	free(glob);
	return r;
}

void repo_mailmap(struct repo *repo, const char *name, const char *email,
		  char **out_name, char **out_email)
{
	const char *n = name ? name : "", *e = email ? email : "";

	if (!repo->mailmap_loaded) {
		repo->mailmap_loaded = 1;
		if (git_mailmap_from_repository(&repo->mailmap,
						git_of(repo)) < 0)
			warning("cannot read the mailmap: %s",
				repo_last_error());
	}
	if (repo->mailmap &&
	    git_mailmap_resolve(&n, &e, repo->mailmap, n, e) < 0) {
		n = name ? name : "";
		e = email ? email : "";
	}
	*out_name = name || *n ? xstrdup(n) : NULL;
	*out_email = email || *e ? xstrdup(e) : NULL;
}

/* The author identity as git commit would use it, then mailmapped. */
int repo_user_ident(struct repo *repo, char **name, char **email)
{
	const char *env_name = getenv("GIT_AUTHOR_NAME");
	const char *env_email = getenv("GIT_AUTHOR_EMAIL");
	char *n = NULL, *e = NULL;
	int ret = 0;

	*name = *email = NULL;
	if (env_name && *env_name)
		n = xstrdup(env_name);
	else if (repo_config_string(repo, "author.name", &n) == 1 &&
		 repo_config_string(repo, "user.name", &n) < 0)
		ret = -1;
	if (env_email && *env_email)
		e = xstrdup(env_email);
	else if (repo_config_string(repo, "author.email", &e) == 1 &&
		 repo_config_string(repo, "user.email", &e) < 0)
		ret = -1;
	if (n || e)
		repo_mailmap(repo, n, e, name, email);
	free(n);
	free(e);
	return ret;
}

/*
 * ---- notes ----
 *
 * Notes commits are written without git_note_create(): that makes one
 * commit per note and moves the ref without compare-and-swap. Here all
 * updates become one tree, one commit, and the ref moves only if it
 * still points where the caller read it.
 */

int repo_notes_tip(struct repo *repo, const char *ref, char out[OID_HEX + 1])
{
	git_oid oid;
	int r = git_reference_name_to_id(&oid, git_of(repo), ref);

	out[0] = '\0';
	if (r == GIT_ENOTFOUND)
		return 1;
	if (r < 0)
		return error("cannot read '%s': %s", ref, repo_last_error());
	git_oid_tostr(out, OID_HEX + 1, &oid);
	return 0;
}

static int notes_commit_lookup(struct repo *repo, const char *tip,
			       git_commit **out)
{
	git_oid oid;

	if (git_oid_fromstr(&oid, tip) < 0 ||
	    git_commit_lookup(out, git_of(repo), &oid) < 0)
		return error("cannot read notes commit '%s': %s", tip,
			     repo_last_error());
	return 0;
}

int repo_notes_read_all(struct repo *repo, const char *tip,
			repo_note_fn *fn, void *data)
{
	git_commit *commit = NULL;
	git_note_iterator *it = NULL;
	git_oid note_id, annotated;
	git_blob *blob = NULL;
	char hex[OID_HEX + 1];
	int r, ret = -1;

	if (notes_commit_lookup(repo, tip, &commit) < 0)
		goto cleanup;
	r = git_note_commit_iterator_new(&it, commit);
	if (r == GIT_ENOTFOUND) {
		ret = 0;
		goto cleanup;
	}
	if (r < 0) {
		error("cannot read notes '%s': %s", tip, repo_last_error());
		goto cleanup;
	}
	while (!(r = git_note_next(&note_id, &annotated, it))) {
		if (git_blob_lookup(&blob, git_of(repo), &note_id) < 0) {
			error("cannot read note blob: %s", repo_last_error());
			goto cleanup;
		}
		git_oid_tostr(hex, sizeof(hex), &annotated);
		r = fn(hex, git_blob_rawcontent(blob),
		       (size_t)git_blob_rawsize(blob), data);
		git_blob_free(blob);
		blob = NULL;
		if (r) {
			ret = r;
			goto cleanup;
		}
	}
	if (r != GIT_ITEROVER) {
		error("cannot read notes '%s': %s", tip, repo_last_error());
		goto cleanup;
	}
	ret = 0;
cleanup:
	git_blob_free(blob);
	git_note_iterator_free(it);
	git_commit_free(commit);
	return ret;
}

int repo_note_read(struct repo *repo, const char *tip, const char *commit,
		   struct strbuf *out)
{
	git_commit *notes = NULL;
	git_note *note = NULL;
	git_blob *blob = NULL;
	git_oid oid;
	int r, ret = -1;

	strbuf_reset(out);
	if (!tip || !*tip)
		return 1;
	if (git_oid_fromstr(&oid, commit) < 0)
		return error("invalid object name '%s'", commit);
	if (notes_commit_lookup(repo, tip, &notes) < 0)
		goto cleanup;
	r = git_note_commit_read(&note, git_of(repo), notes, &oid);
	if (r == GIT_ENOTFOUND) {
		ret = 1;
		goto cleanup;
	}
	if (r < 0) {
		error("cannot read the note of '%s': %s", commit,
		      repo_last_error());
		goto cleanup;
	}
	/* The blob, not the message: a NUL byte must not cut it short. */
	if (git_blob_lookup(&blob, git_of(repo), git_note_id(note)) < 0) {
		error("cannot read the note of '%s': %s", commit,
		      repo_last_error());
		goto cleanup;
	}
	strbuf_add(out, git_blob_rawcontent(blob),
		   (size_t)git_blob_rawsize(blob));
	ret = 0;
cleanup:
	git_blob_free(blob);
	git_note_free(note);
	git_commit_free(notes);
	return ret;
}

/* The committer of notes commits, as git notes would name it. */
static int notes_signature(struct repo *repo, git_signature **out)
{
	const char *name = getenv("GIT_COMMITTER_NAME");
	const char *email = getenv("GIT_COMMITTER_EMAIL");
	char *cname = NULL, *cemail = NULL;
	int r;

	if (!name || !*name) {
		repo_config_string(repo, "user.name", &cname);
		name = cname ? cname : "git-tokens";
	}
	if (!email || !*email) {
		repo_config_string(repo, "user.email", &cemail);
		email = cemail ? cemail : "git-tokens@localhost";
	}
	r = git_signature_now(out, name, email);
	free(cname);
	free(cemail);
	if (r < 0)
		return error("invalid identity '%s <%s>': %s", name, email,
			     repo_last_error());
	return 0;
}

int repo_ref_cas(struct repo *repo, const char *ref, const char *commit,
		 const char *expected, const char *msg)
{
	git_reference *out = NULL;
	git_oid new_id, old_id;
	int r;

	if (git_oid_fromstr(&new_id, commit) < 0)
		return error("invalid object name '%s'", commit);
	if (expected && *expected) {
		if (git_oid_fromstr(&old_id, expected) < 0)
			return error("invalid object name '%s'", expected);
		r = git_reference_create_matching(&out, git_of(repo), ref,
						  &new_id, 1, &old_id, msg);
	} else {
		r = git_reference_create(&out, git_of(repo), ref, &new_id, 0,
					 msg);
	}
	git_reference_free(out);
	/* Moved, created or locked by another writer meanwhile: retry. */
	if (r == GIT_EMODIFIED || r == GIT_EEXISTS || r == GIT_ELOCKED ||
	    r == GIT_ENOTFOUND)
		return 1;
	if (r < 0)
		return error("cannot update '%s': %s", ref, repo_last_error());
	return 0;
}

/* Few updates: let libgit2 edit the paths (keeps any fanout). */
static int notes_tree_chain(struct repo *repo, git_commit *base,
			    const struct note_update *u, size_t n,
			    git_signature *sig, git_oid *tree_out)
{
	git_commit *cur = base, *next = NULL;
	git_oid commit_id, blob_id, target;
	size_t i;
	int r, ret = -1;

	for (i = 0; i < n; i++) {
		if (git_oid_fromstr(&target, u[i].commit) < 0) {
			error("invalid object name '%s'", u[i].commit);
			goto cleanup;
		}
		if (u[i].text)
			r = git_note_commit_create(&commit_id, &blob_id,
						   git_of(repo), cur, sig, sig,
						   &target, u[i].text, 1);
		else if (!cur)
			continue;
		else
			r = git_note_commit_remove(&commit_id, git_of(repo),
						   cur, sig, sig, &target);
		if (r == GIT_ENOTFOUND && !u[i].text)
			continue;
		if (r < 0) {
			error("cannot write the note of '%s': %s",
			      u[i].commit, repo_last_error());
			goto cleanup;
		}
		/* Not there: libgit2 lost a write error (a full disk). */
		if (git_commit_lookup(&next, git_of(repo), &commit_id) < 0) {
			error("cannot read the notes commit just written "
			      "(is the disk full?): %s", repo_last_error());
			goto cleanup;
		}
		if (cur != base)
			git_commit_free(cur);
		cur = next;
		next = NULL;
	}
	if (cur) {
		git_oid_cpy(tree_out, git_commit_tree_id(cur));
	} else {
		/* Nothing to write on an empty ref: the empty tree. */
		git_treebuilder *tb = NULL;

		if (git_treebuilder_new(&tb, git_of(repo), NULL) < 0 ||
		    git_treebuilder_write(tree_out, tb) < 0) {
			git_treebuilder_free(tb);
			error("cannot write tree: %s", repo_last_error());
			goto cleanup;
		}
		git_treebuilder_free(tb);
	}
	ret = 0;
cleanup:
	if (cur != base)
		git_commit_free(cur);
	return ret;
}

struct flat_ctx {
	git_repository *git;
	git_treebuilder *tb;
};

static int flat_add(const git_oid *blob_id, const git_oid *annotated,
		    void *data)
{
	struct flat_ctx *ctx = data;
	char hex[OID_HEX + 1];

	git_oid_tostr(hex, sizeof(hex), annotated);
	return git_treebuilder_insert(NULL, ctx->tb, hex, blob_id,
				      GIT_FILEMODE_BLOB);
}

/* updates applied to tb, then the tree written: 0, or -1 after error(). */
static int notes_tree_apply(struct repo *repo, git_treebuilder *tb,
			    const struct note_update *u, size_t n,
			    git_oid *tree_out)
{
	git_oid annotated, blob_id;
	char name[OID_HEX + 1];
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		if (git_oid_fromstr(&annotated, u[i].commit) < 0)
			return error("invalid object name '%s'", u[i].commit);
		git_oid_tostr(name, sizeof(name), &annotated);
		if (!u[i].text) {
			r = git_treebuilder_remove(tb, name);
			if (r < 0 && r != GIT_ENOTFOUND)
				goto fail;
			continue;
		}
		if (git_blob_create_from_buffer(&blob_id, git_of(repo),
						u[i].text,
						u[i].len ? u[i].len :
						strlen(u[i].text)) < 0 ||
		    git_treebuilder_insert(NULL, tb, name, &blob_id,
					   GIT_FILEMODE_BLOB) < 0)
			goto fail;
	}
	if (git_treebuilder_write(tree_out, tb) < 0)
		goto fail;
	return 0;
fail:
	return error("cannot write notes tree: %s", repo_last_error());
}

/*
 * Many updates (sync, rewrites): one flat tree built from scratch, so
 * the cost is one pass over the notes, not one tree write per note.
 */
static int notes_tree_flat(struct repo *repo, git_commit *base,
			   const struct note_update *u, size_t n,
			   git_oid *tree_out)
{
	struct flat_ctx ctx = { git_of(repo), NULL };
	git_note_iterator *it = NULL;
	git_oid note_id, annotated;
	int r, ret = -1;

	if (git_treebuilder_new(&ctx.tb, git_of(repo), NULL) < 0)
		goto fail;
	if (base) {
		r = git_note_commit_iterator_new(&it, base);
		if (r < 0 && r != GIT_ENOTFOUND)
			goto fail;
		while (it && !(r = git_note_next(&note_id, &annotated, it)))
			if (flat_add(&note_id, &annotated, &ctx) < 0)
				goto fail;
		if (it && r != GIT_ITEROVER)
			goto fail;
	}
	ret = notes_tree_apply(repo, ctx.tb, u, n, tree_out);
	goto cleanup;
fail:
	error("cannot write notes tree: %s", repo_last_error());
cleanup:
	git_note_iterator_free(it);
	git_treebuilder_free(ctx.tb);
	return ret;
}

/*
 * Few updates on a flat notes tree (no fanout: every note at the top,
 * as libgit2 writes them): the tree edited in one pass, as libgit2's
 * note calls would edit it, without the commit each of them writes
 * and reads back. 1 when the tree has subtrees: the chain keeps them.
 */
static int notes_tree_edit(struct repo *repo, git_commit *base,
			   const struct note_update *u, size_t n,
			   git_oid *tree_out)
{
	git_tree *tree = NULL;
	git_treebuilder *tb = NULL;
	size_t i;
	int ret = -1;

	if ((base && git_commit_tree(&tree, base) < 0) ||
	    git_treebuilder_new(&tb, git_of(repo), tree) < 0) {
		error("cannot read notes tree: %s", repo_last_error());
		goto cleanup;
	}
	for (i = 0; tree && i < git_tree_entrycount(tree); i++)
		if (git_tree_entry_type(git_tree_entry_byindex(tree, i)) !=
		    GIT_OBJECT_BLOB) {
			ret = 1;
			goto cleanup;
		}
	ret = notes_tree_apply(repo, tb, u, n, tree_out);
cleanup:
	git_treebuilder_free(tb);
	git_tree_free(tree);
	return ret;
}

#define NOTES_CHAIN_MAX 16

/*
 * libgit2 can report a loose object as written when a full disk lost
 * its last bytes (the final flush's error is dropped): read back what
 * the ref is to point at before moving it.
 */
static int notes_written(struct repo *repo, const git_oid *commit_id,
			 const struct note_update *u, size_t n)
{
	git_odb *odb = NULL;
	git_commit *c = NULL;
	git_note *note = NULL;
	git_oid target;
	size_t i;
	int ret = -1;

	if (git_repository_odb(&odb, git_of(repo)) < 0 ||
	    !git_odb_exists(odb, commit_id) ||
	    git_commit_lookup(&c, git_of(repo), commit_id) < 0 ||
	    !git_odb_exists(odb, git_commit_tree_id(c)))
		goto cleanup;
	for (i = 0; i < n; i++) {
		if (!u[i].text)
			continue;
		if (git_oid_fromstr(&target, u[i].commit) < 0 ||
		    git_note_commit_read(&note, git_of(repo), c, &target) < 0 ||
		    !git_odb_exists(odb, git_note_id(note)))
			goto cleanup;
		git_note_free(note);
		note = NULL;
	}
	ret = 0;
cleanup:
	if (ret)
		error("cannot write the notes: what was written is not in the "
		      "object store (is the disk full?)");
	git_note_free(note);
	git_commit_free(c);
	git_odb_free(odb);
	return ret;
}

int repo_notes_write(struct repo *repo, const char *ref,
		     const struct note_update *updates, size_t n,
		     const char *expected_old_tip, const char *merge_parent,
		     const char *msg, char new_tip[OID_HEX + 1])
{
	git_signature *sig = NULL;
	git_commit *base = NULL, *other = NULL;
	const git_commit *parents[2];
	size_t nparents = 0;
	git_tree *tree = NULL;
	git_oid tree_id, commit_id, oid;
	char hex[OID_HEX + 1];
	size_t i;
	int r, ret = -1;

	if (notes_signature(repo, &sig) < 0)
		goto cleanup;
	if (expected_old_tip && *expected_old_tip) {
		if (notes_commit_lookup(repo, expected_old_tip, &base) < 0)
			goto cleanup;
		parents[nparents++] = base;
	}
	if (merge_parent && *merge_parent) {
		if (git_oid_fromstr(&oid, merge_parent) < 0 ||
		    git_commit_lookup(&other, git_of(repo), &oid) < 0) {
			error("cannot read notes commit '%s': %s",
			      merge_parent, repo_last_error());
			goto cleanup;
		}
		parents[nparents++] = other;
	}
	/* libgit2's note calls take C strings: a NUL byte goes flat. */
	for (i = 0; i < n && n <= NOTES_CHAIN_MAX; i++)
		if (updates[i].text && updates[i].len &&
		    memchr(updates[i].text, '\0', updates[i].len))
			break;
	if (n > NOTES_CHAIN_MAX || i < n)
		r = notes_tree_flat(repo, base, updates, n, &tree_id);
	else if ((r = notes_tree_edit(repo, base, updates, n, &tree_id)) > 0)
		r = notes_tree_chain(repo, base, updates, n, sig, &tree_id);
	if (r < 0)
		goto cleanup;
	if (git_tree_lookup(&tree, git_of(repo), &tree_id) < 0 ||
	    git_commit_create(&commit_id, git_of(repo), NULL, sig, sig, NULL,
			      msg ? msg : "Notes added by 'git tokens'",
			      tree, nparents, parents) < 0) {
		error("cannot write notes commit: %s", repo_last_error());
		goto cleanup;
	}
	if (notes_written(repo, &commit_id, updates, n) < 0)
		goto cleanup;
	git_oid_tostr(hex, sizeof(hex), &commit_id);
	r = repo_ref_cas(repo, ref, hex, expected_old_tip,
			 msg ? msg : "notes: git tokens");
	if (r < 0)
		goto cleanup;
	if (new_tip)
		memcpy(new_tip, hex, sizeof(hex));
	ret = r;
cleanup:
	git_tree_free(tree);
	git_commit_free(other);
	git_commit_free(base);
	git_signature_free(sig);
	return ret;
}

int repo_is_ancestor(struct repo *repo, const char *ancestor,
		     const char *commit)
{
	git_oid a, c;
	int r;

	if (git_oid_fromstr(&a, ancestor) < 0 ||
	    git_oid_fromstr(&c, commit) < 0)
		return error("invalid object name");
	if (git_oid_equal(&a, &c))
		return 1;
	r = git_graph_descendant_of(git_of(repo), &c, &a);
	if (r < 0)
		return error("cannot walk history: %s", repo_last_error());
	return r;
}

int repo_commit_times(struct repo *repo, const char *commit,
		      int64_t *author_time, int64_t *commit_time)
{
	git_commit *c = NULL;
	git_oid oid;

	if (git_oid_fromstr(&oid, commit) < 0 ||
	    git_commit_lookup(&c, git_of(repo), &oid) < 0)
		return error("cannot read commit '%s': %s", commit,
			     repo_last_error());
	if (author_time)
		*author_time = git_commit_author(c)->when.time;
	if (commit_time)
		*commit_time = git_commit_time(c);
	git_commit_free(c);
	return 0;
}

/* id and committer time of c. */
static void commit_fill(struct repo_commit *out, const git_commit *c)
{
	git_oid_tostr(out->id, sizeof(out->id), git_commit_id(c));
	out->time = git_commit_time(c);
}

int repo_commit_parent(struct repo *repo, const char *rev,
		       struct repo_commit *commit, struct repo_commit *parent)
{
	git_object *obj = NULL, *peeled = NULL;
	git_commit *p = NULL;
	int r, ret = 1;

	commit->id[0] = parent->id[0] = '\0';
	commit->time = parent->time = 0;
	r = git_revparse_single(&obj, git_of(repo), rev);
	/* A commit git cannot read (a malformed one) says why. */
	if (r < 0 && r != GIT_ENOTFOUND && r != GIT_EINVALIDSPEC &&
	    r != GIT_EAMBIGUOUS) {
		ret = error("cannot read commit '%s': %s", rev,
			    repo_last_error());
		goto cleanup;
	}
	/* Not a commit: the caller has its own message. */
	if (r < 0 || git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0)
		goto cleanup;
	commit_fill(commit, (git_commit *)peeled);
	ret = 0;
	if (!git_commit_parentcount((git_commit *)peeled))
		goto cleanup;
	r = git_commit_parent(&p, (git_commit *)peeled, 0);
	/* A shallow clone's boundary: git sees no parent either. */
	if (r == GIT_ENOTFOUND)
		goto cleanup;
	if (r < 0)
		ret = error("cannot read the parent of '%s': %s", rev,
			    repo_last_error());
	else
		commit_fill(parent, p);
cleanup:
	git_commit_free(p);
	git_object_free(peeled);
	git_object_free(obj);
	return ret;
}

int repo_config_foreach_prefix(struct repo *repo, const char *prefix,
			       repo_config_fn *fn, void *data)
{
	size_t i;
	int r;

	if (config_load() < 0)
		return -1;
	for (i = 0; i < config_nr; i++)
		if (!strncasecmp(config[i].key, prefix, strlen(prefix)) &&
		    (r = fn(config[i].key, config[i].value, data)))
			return r;
	return 0;
}

int repo_history_rewritten(struct repo *repo)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	const char *env = getenv("GIT_GRAFT_FILE");
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int r = 0;

	/* git log follows grafts and replace refs; commit ids stay. */
	if (env && *env)
		r = !stat(env, &st);
	else {
		strbuf_addf(&path, "%s/info/grafts",
			    repo->common_dir);
		r = !stat(path.buf, &st);
		strbuf_release(&path);
	}
	if (r)
		return 1;
	env = getenv("GIT_NO_REPLACE_OBJECTS");
	if (env)
		return 0;
	env = getenv("GIT_REPLACE_REF_BASE");
	if (env && *env && strcmp(env, "refs/replace/"))
		return 1;
	if (git_reference_iterator_glob_new(&it, git_of(repo),
					    "refs/replace/*") < 0)
		return 1;
	r = !git_reference_next(&ref, it);
	git_reference_free(ref);
	git_reference_iterator_free(it);
	return r;
}
