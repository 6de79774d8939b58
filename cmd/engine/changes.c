/*
 * The log reader: every non-merge commit of a range, its metadata from
 * one "git log" (mailmap applied by git's %aN/%aE exactly as the user's
 * git applies it), its agent, whether it reverts another.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/die.h"
#include "base/oidmap.h"
#include "base/run-command.h"
#include "base/strbuf.h"
#include "engine/changes.h"
#include "engine/revs.h"
#include "git/repo.h"
#include "model/agents.h"
#include "model/event.h"

#define FIELD_SEP '\x1f'

/* An unlinked temporary file holding data, positioned at its start. */
int changes_temp_file(const struct strbuf *data)
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

int author_filter_match(const struct author_filter *f,
			const struct change *c)
{
	struct strbuf id = STRBUF_INIT;
	size_t i;
	int hit = !f->nr;

	strbuf_addf(&id, "%s <%s>", c->author_name, c->author_email);
	for (i = 0; !hit && i < f->nr; i++)
		hit = !regexec(&f->re[i], id.buf, 0, NULL, 0);
	strbuf_release(&id);
	return hit;
}

char *changes_revert_of(const char *msg)
{
	const char *p = strstr(msg, "This reverts commit ");
	size_t n;

	if (!p)
		return NULL;
	p += 20;
	n = strspn(p, "0123456789abcdef");
	return n >= 7 ? xstrndup(p, n) : NULL;
}

int author_filter_init(struct author_filter *f, const struct strvec *patterns)
{
	size_t i;

	f->nr = 0;
	f->re = xcalloc(patterns->nr + 1, sizeof(*f->re));
	for (i = 0; i < patterns->nr; i++) {
		if (regcomp(&f->re[f->nr], patterns->v[i], REG_NOSUB))
			return error("invalid --author pattern '%s'",
				     patterns->v[i]);
		f->nr++;
	}
	return 0;
}

void author_filter_release(struct author_filter *f)
{
	size_t i;

	for (i = 0; i < f->nr; i++)
		regfree(&f->re[i]);
	free(f->re);
	f->re = NULL;
	f->nr = 0;
}

/*
 * "Subject (#12)" or a line "See merge request group/project!12": a
 * squash commit, maybe, whose author is its request's.
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

int changes_parse(struct change_set *out, struct repo *repo,
		  struct strbuf *log, const struct strvec *authors,
		  const struct oidmap *shallow, size_t *nshallow, int merges)
{
	struct agent_list agents = AGENT_LIST_INIT;
	struct author_filter af = { NULL, 0 };
	char *p = log->buf, *end = log->buf + log->len;
	int ret = 0;

	if (agents_load(&agents, repo) < 0 ||
	    author_filter_init(&af, authors) < 0) {
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
		c.merge = !!merges;
		c.author_time = strtoll(at, NULL, 10);
		c.commit_time = strtoll(ct, NULL, 10);
		c.committer_name = event_intern(cn);
		c.committer_email = event_intern(ce);
		nl = strchr(msg, '\n');
		c.subject = nl ? xstrndup(msg, nl - msg) : xstrdup(msg);
		c.reverts = changes_revert_of(msg);
		agents_detect(&mark, an, ae, msg, &agents);
		c.agent = mark.agent;
		c.agent_tool = mark.tool;
		c.agent_author = mark.author_is_agent;
		c.bot = mark.author_is_bot;
		if (mark.author_is_agent && mark.human_name) {
			char *name, *email;

			repo_mailmap(repo, mark.human_name, mark.human_email,
				     &name, &email);
			c.author_name = event_intern(name);
			c.author_email = event_intern(email);
			free(name);
			free(email);
		} else if (mark.author_is_agent) {
			c.author_name = c.committer_name;
			c.author_email = c.committer_email;
		} else {
			c.author_name = event_intern(an);
			c.author_email = event_intern(ae);
		}
		agent_mark_release(&mark);
		/*
		 * A squash commit stays until its author is settled:
		 * squash_authors() applies the patterns then.
		 */
		if (!author_filter_match(&af, &c) &&
		    (merges || !squash_message(msg))) {
			change_clear(&c);
			continue;
		}
		ALLOC_GROW(out->c, out->nr + 1, out->alloc);
		out->c[out->nr++] = c;
	}
cleanup:
	author_filter_release(&af);
	agent_list_release(&agents);
	return ret;
}

static int read_log(struct change_set *out, struct repo *repo,
		    const struct change_opts *opts, const struct oidmap *shallow,
		    size_t *nshallow, struct strbuf *err, int merges)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf log = STRBUF_INIT, gerr = STRBUF_INIT;
	int ret = 0, code;

	cp.git_cmd = 1;
	strvec_pushl(&cp.args, "-c", "log.showSignature=false", "log",
		     merges ? "--merges" : "--no-merges", "-z", "--no-color",
		     CHANGES_LOG_FORMAT, NULL);
	if (opts->since)
		strvec_pushf(&cp.args, "--since=%s", opts->since);
	if (opts->until)
		strvec_pushf(&cp.args, "--until=%s", opts->until);
	if (opts->max_count > 0)
		strvec_pushf(&cp.args, "--max-count=%d", opts->max_count);
	if (opts->revs.nr)
		revs_push(&cp.args, &opts->revs);
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
		ret = changes_parse(out, repo, &log, &opts->authors, shallow,
				    nshallow, merges);
	if (!code && gerr.len)
		fputs(gerr.buf, stderr); /* its warnings still show */
	child_process_clear(&cp);
	strbuf_release(&log);
	strbuf_release(&gerr);
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

int changes_read(struct change_set *out, struct repo *repo,
		 const struct change_opts *opts, struct strbuf *err)
{
	struct oidmap shallow = OIDMAP_INIT;
	size_t nshallow = 0;
	int r, ret = 0;

	memset(out, 0, sizeof(*out));
	r = revs_resolve(out, repo, opts, err);
	if (r <= 0) {
		ret = r;
		goto cleanup;
	}
	if (repo_is_shallow(repo))
		read_shallow(repo, &shallow);
	if (read_log(out, repo, opts, &shallow, &nshallow, err, 0) < 0) {
		ret = -1;
		goto cleanup;
	}
	ret = 1;
	if (nshallow)
		warning("shallow clone: %lu commit(s) at the history boundary "
			"have no parent here and are not counted; run "
			"'git fetch --unshallow' for the full history",
			(unsigned long)nshallow);
cleanup:
	oidmap_clear(&shallow);
	if (ret < 0)
		change_set_release(out);
	return ret;
}

/*
 * The merges of the range after its other changes: both lists are
 * newest first, and so is the result (a merge before a commit of its
 * second). With -n, merges older than the n changes stay out.
 */
static void interleave(struct change_set *set, size_t nplain,
		       const struct change_opts *opts)
{
	struct change *c = xmalloc((set->nr + 1) * sizeof(*c));
	size_t i = 0, j = nplain, w = 0;
	int64_t oldest = INT64_MIN;

	if (opts->max_count > 0 && nplain >= (size_t)opts->max_count)
		oldest = set->c[nplain - 1].commit_time;
	while (i < nplain || j < set->nr) {
		if (j < set->nr &&
		    (i == nplain ||
		     set->c[j].commit_time >= set->c[i].commit_time)) {
			if (set->c[j].commit_time >= oldest)
				c[w++] = set->c[j];
			else
				change_clear(&set->c[j]);
			j++;
		} else {
			c[w++] = set->c[i++];
		}
	}
	free(set->c);
	set->c = c;
	set->nr = w;
	set->alloc = set->nr + 1;
}

int changes_read_merges(struct change_set *set, struct repo *repo,
			const struct change_opts *opts, struct strbuf *err)
{
	struct oidmap shallow = OIDMAP_INIT;
	size_t nshallow = 0, nplain = set->nr;
	int ret = 0;

	if (repo_is_shallow(repo))
		read_shallow(repo, &shallow);
	if (read_log(set, repo, opts, &shallow, &nshallow, err, 1) < 0)
		ret = -1;
	else
		interleave(set, nplain, opts);
	oidmap_clear(&shallow);
	return ret;
}

void changes_drop_idle_merges(struct change_set *set)
{
	unsigned char *gone = xcalloc(set->nr + 1, 1);
	size_t i;

	for (i = 0; i < set->nr; i++)
		gone[i] = set->c[i].merge && !set->c[i].added &&
			!set->c[i].usage.has_usage;
	change_set_drop(set, gone);
	free(gone);
}
