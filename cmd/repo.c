/*
 * The one file that talks to libgit2: everything else sees struct repo,
 * hex object ids and plain strings.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "paths.h"
#include "repo.h"
#include "usage.h"

struct repo {
	git_repository *git;
	git_config *config;     /* snapshot, taken on first use */
	git_mailmap *mailmap;
	int mailmap_loaded;
};

const char *repo_last_error(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown error";
}

static void libgit2_init_once(void)
{
	static int done;

	if (!done) {
		git_libgit2_init();
		done = 1;
	}
}

/* Where the repository we refused to open lives, for the hint. */
static void explain_dubious_ownership(void)
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
 * libgit2 refuses GIT_WORK_TREE with GIT_REPOSITORY_OPEN_FROM_ENV, so
 * hide it while opening and apply it afterwards, as git would.
 */
int repo_open(struct repo **out)
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
		explain_dubious_ownership();
		goto cleanup;
	}
	if (r < 0) {
		error("cannot open the repository: %s", repo_last_error());
		goto cleanup;
	}
	if (work_tree) {
		if (!realpath(work_tree, real)) {
			error_errno("invalid GIT_WORK_TREE '%s'", work_tree);
			goto cleanup;
		}
		if (git_repository_set_workdir(git, real, 0) < 0) {
			error("cannot use work tree '%s': %s", real,
			      repo_last_error());
			goto cleanup;
		}
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->git = git;
	git = NULL;
	ret = 0;

cleanup:
	git_repository_free(git);
	free(work_tree);
	return ret;
}

void repo_free(struct repo *repo)
{
	if (!repo)
		return;
	git_mailmap_free(repo->mailmap);
	git_config_free(repo->config);
	git_repository_free(repo->git);
	free(repo);
}

const char *repo_git_dir(const struct repo *repo)
{
	return git_repository_path(repo->git);
}

const char *repo_common_dir(const struct repo *repo)
{
	return git_repository_commondir(repo->git);
}

const char *repo_work_tree(const struct repo *repo)
{
	return git_repository_workdir(repo->git);
}

int repo_tokens_dir(struct repo *repo, struct strbuf *out)
{
	const char *common = repo_common_dir(repo);
	size_t len = strlen(common);

	strbuf_reset(out);
	strbuf_addstr(out, common);
	if (len && common[len - 1] != '/')
		strbuf_addch(out, '/');
	strbuf_addstr(out, "tokens/");
	if (mkdir_p(out->buf) < 0)
		return error_errno("cannot create '%s'", out->buf);
	return 0;
}

int repo_is_shallow(struct repo *repo)
{
	return git_repository_is_shallow(repo->git);
}

int repo_is_empty(struct repo *repo)
{
	int r = git_repository_is_empty(repo->git);

	if (r < 0)
		return error("cannot read HEAD: %s", repo_last_error());
	return r;
}

static git_config *config_of(struct repo *repo)
{
	if (!repo->config &&
	    git_repository_config_snapshot(&repo->config, repo->git) < 0) {
		error("cannot read the configuration: %s", repo_last_error());
		return NULL;
	}
	return repo->config;
}

static int config_result(int r, const char *key)
{
	if (r == GIT_ENOTFOUND)
		return 1;
	if (r < 0)
		return error("bad config value for '%s': %s", key,
			     repo_last_error());
	return 0;
}

int repo_config_string(struct repo *repo, const char *key, char **out)
{
	git_config *cfg = config_of(repo);
	const char *v;
	int r;

	*out = NULL;
	if (!cfg)
		return -1;
	r = git_config_get_string(&v, cfg, key);
	if (!r)
		*out = xstrdup(v);
	return config_result(r, key);
}

int repo_config_bool(struct repo *repo, const char *key, int *out)
{
	git_config *cfg = config_of(repo);

	if (!cfg)
		return -1;
	return config_result(git_config_get_bool(out, cfg, key), key);
}

int repo_config_int(struct repo *repo, const char *key, int64_t *out)
{
	git_config *cfg = config_of(repo);
	int64_t v;
	int r;

	if (!cfg)
		return -1;
	r = git_config_get_int64(&v, cfg, key);
	if (!r)
		*out = v;
	return config_result(r, key);
}

static int push_entry(const git_config_entry *e, void *data)
{
	strvec_push(data, e->value ? e->value : "");
	return 0;
}

int repo_config_multi(struct repo *repo, const char *key, struct strvec *out)
{
	git_config *cfg = config_of(repo);

	if (!cfg)
		return -1;
	return config_result(git_config_get_multivar_foreach(cfg, key, NULL,
							      push_entry, out),
			     key);
}

int repo_resolve(struct repo *repo, const char *rev, char out[OID_HEX + 1])
{
	git_object *obj = NULL, *commit = NULL;
	int r, ret = -1;

	r = git_revparse_single(&obj, repo->git, rev);
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
		r = git_reference_lookup(&ref, repo->git, name);
	else
		r = git_reference_dwim(&ref, repo->git, name);
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

void repo_mailmap(struct repo *repo, const char *name, const char *email,
		  char **out_name, char **out_email)
{
	const char *n = name ? name : "", *e = email ? email : "";

	if (!repo->mailmap_loaded) {
		repo->mailmap_loaded = 1;
		if (git_mailmap_from_repository(&repo->mailmap, repo->git) < 0)
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
