/*
 * Aider: .aider.chat.history.md in the root of each work tree of the
 * repository (main and linked), and any tokens.aider.path; for
 * --all-repos, of every repository seen on this machine too.
 *
 * A session starts at "# aider chat started at YYYY-MM-DD HH:MM:SS"
 * (local time of the machine, converted to UTC here). Each
 * "> Tokens: ... sent, ... received." line is one event; its cost, when
 * aider printed one, is on the same line or on the next one and is kept
 * as recorded. "> Commit <hash> <msg>" links the session's events since
 * the previous commit line to that commit.
 *
 * Aider logs no time per message: an event's time is its session start
 * plus its 1-based index in the session in milliseconds, so events keep
 * their order and stay in the second the session started.
 *
 * The file is small and append-only, but the commit links reach back
 * over earlier lines, so a file that changed is parsed again whole.
 */
#include "base/compat.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "git/repo.h"
#include "sources/sources.h"

#define AIDER_HISTORY ".aider.chat.history.md"
/* Far beyond any real count: keeps the arithmetic from wrapping. */
#define COUNT_MAX 1000000000000000ULL

struct aider_parse {
	const char *cwd;          /* interned work tree, no trailing slash */
	int in_session;
	int64_t start;            /* ms */
	char session[13];
	const char *model;
	uint64_t nev;             /* events in this session */
	size_t first_unlinked;    /* first record since the last commit */
	long cost_pending;        /* record waiting for a next-line cost */
	uint64_t bad, bad_line;
	const char *bad_why;
};

static void bad_line(struct source_ctx *ctx, struct source_file *f,
		     struct aider_parse *ap, uint64_t lineno, const char *why)
{
	source_bad_line(ctx, f->path, lineno, why);
	if (!ap->bad++) {
		ap->bad_line = lineno;
		ap->bad_why = event_intern(why);
	}
}

static int skip_prefix(const char *s, const char *prefix, const char **out)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n))
		return 0;
	*out = s + n;
	return 1;
}

/*
 * A token count as aider prints it: "104", "2.4k", "12k", "1234k",
 * "5,244" (older versions). Returns the length consumed, 0 if none.
 */
static size_t parse_count(const char *s, uint64_t *out)
{
	const char *p = s;
	uint64_t ip = 0, frac = 0, div = 1, mult = 1;
	int digits = 0;

	while (isdigit((unsigned char)*p) ||
	       (*p == ',' && digits && isdigit((unsigned char)p[1]))) {
		if (*p != ',') {
			if (ip > COUNT_MAX)
				return 0;
			ip = ip * 10 + (uint64_t)(*p - '0');
			digits++;
		}
		p++;
	}
	if (!digits)
		return 0;
	if (*p == '.' && isdigit((unsigned char)p[1])) {
		for (p++; isdigit((unsigned char)*p); p++)
			if (div < 1000000) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				div *= 10;
			}
	}
	if (*p == 'k' || *p == 'K') {
		mult = 1000;
		p++;
	} else if (*p == 'M') {
		mult = 1000000;
		p++;
	}
	/* Counts beyond 10^12 cannot be right. */
	if (ip > JSON_U64_MAX / mult)
		return 0;
	*out = ip * mult + (frac * mult + div / 2) / div;
	if (*out > JSON_U64_MAX)
		return 0;
	return (size_t)(p - s);
}

/* "$0.0042 message" or "$0.02 request": the cost of this message. */
static int parse_cost(const char *s, double *out)
{
	const char *p = strstr(s, "Cost: $");
	char *end;
	double v;

	if (!p)
		return -1;
	p += strlen("Cost: $");
	v = strtod(p, &end);
	if (end == p || !(v >= 0 && v <= 1e9))
		return -1;
	while (*end == ' ')
		end++;
	if (strncmp(end, "message", 7) && strncmp(end, "request", 7))
		return -1;
	*out = v;
	return 0;
}

/*
 * "<S> sent[, <W> cache write][, <H> cache hit|cached], <R> received."
 * Returns 0, or -1 when the line is not one aider wrote.
 */
static int parse_tokens(const char *s, uint64_t *sent, uint64_t *write,
			uint64_t *hit, uint64_t *recv, const char **rest)
{
	int have_sent = 0, have_recv = 0;
	const char *p = s, *q;
	uint64_t n;
	size_t len;

	*sent = *write = *hit = *recv = 0;
	while (!have_recv) {
		while (*p == ' ')
			p++;
		len = parse_count(p, &n);
		if (!len || p[len] != ' ')
			return -1;
		p += len + 1;
		if (skip_prefix(p, "sent", &q) && !have_sent) {
			*sent = n;
			have_sent = 1;
		} else if (skip_prefix(p, "cache write", &q)) {
			*write = n;
		} else if (skip_prefix(p, "cache hit", &q) ||
			   skip_prefix(p, "cached", &q)) {
			*hit = n;
		} else if (skip_prefix(p, "received", &q)) {
			*recv = n;
			have_recv = 1;
		} else {
			return -1;
		}
		p = q;
		if (have_recv)
			break;
		if (*p != ',')
			return -1;
		p++;
	}
	if (!have_sent)
		return -1;
	*rest = p;
	return 0;
}

/*
 * "2024-08-21 10:39:04", the time of the machine that wrote it -> ms
 * since the epoch.
 */
static int parse_local_time(const char *s, int64_t *ms)
{
	struct tm tm;
	time_t t;
	int y, mo, d, h, mi, sec;
	char tail;

	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi,
		   &sec, &tail) < 6)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = date_mktime_system(&tm);
	if (t == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

static void set_model(struct aider_parse *ap, const char *s)
{
	const char *end;
	size_t len;

	while (*s == ' ')
		s++;
	/* "<model> with <format> edit format": no model before " with " */
	end = strncmp(s, "with ", 5) ? strstr(s, " with ") : s;
	len = end ? (size_t)(end - s) : strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == ','))
		len--;
	ap->model = len ? event_intern_n(s, len) : NULL;
}

static void link_commit(struct source_ctx *ctx, struct source_file *f,
			struct aider_parse *ap, const char *s)
{
	char hex[41], full[OID_HEX + 1];
	size_t len = 0, i;

	while (isxdigit((unsigned char)s[len]) && len < 40) {
		/* Lower case, as git prints it. */
		hex[len] = (char)tolower((unsigned char)s[len]);
		len++;
	}
	hex[len] = '\0';
	if (len < 4 || (s[len] && s[len] != ' '))
		return;
	/* The full name when the commit is here (aider prints 7 digits). */
	if (ctx->repo && len >= 7 && len < 40 &&
	    !repo_resolve(ctx->repo, hex, full))
		memcpy(hex, full, sizeof(hex));
	for (i = ap->first_unlinked; i < f->nr; i++)
		memcpy(f->rec[i].ev.commit, hex, strlen(hex) + 1);
	ap->first_unlinked = f->nr;
}

static void add_event(struct source_ctx *ctx, struct source_file *f,
		      struct aider_parse *ap, uint64_t lineno,
		      const char *rest)
{
	struct source_rec rec;
	uint64_t sent, write, hit, recv, cached;
	double cost;

	if (parse_tokens(rest, &sent, &write, &hit, &recv, &rest)) {
		bad_line(ctx, f, ap, lineno, "unreadable token line");
		return;
	}
	if (!ap->in_session) {
		bad_line(ctx, f, ap, lineno,
			 "token line before any session header");
		return;
	}
	memset(&rec, 0, sizeof(rec));
	rec.ev.tool = TOOL_AIDER;
	rec.ev.model = ap->model;
	rec.ev.cwd = ap->cwd;
	memcpy(rec.ev.session, ap->session, sizeof(rec.ev.session));
	rec.ev.time = ap->start + (int64_t)++ap->nev;
	/*
	 * "sent" holds the cache writes (aider adds them) and, with most
	 * providers, the cache hits; when it is too small to hold the hits
	 * they were reported beside it.
	 */
	if (write + hit <= sent)
		cached = write + hit;
	else
		cached = write <= sent ? write : sent;
	rec.ev.input = sent - cached;
	rec.ev.cache_write = write;
	rec.ev.cache_read = hit;
	rec.ev.output = recv;
	rec.key = hash_bytes(f->path, strlen(f->path), lineno);
	if (!parse_cost(rest, &cost)) {
		rec.ev.cost = cost;
		rec.ev.cost_known = 1;
		rec.ev.cost_recorded = 1;
		ap->cost_pending = -1;
	} else {
		ap->cost_pending = (long)f->nr;
	}
	source_file_add(f, &rec);
}

static void aider_line(struct source_ctx *ctx, struct source_file *f,
		       struct aider_parse *ap, const char *line, size_t len,
		       uint64_t lineno)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s, *rest;
	double cost;

	strbuf_add(&sb, line, len);
	strbuf_trim(&sb);
	s = sb.buf;

	if (!*s)
		goto cleanup;
	if (ap->cost_pending >= 0 && (size_t)ap->cost_pending < f->nr) {
		long i = ap->cost_pending;

		ap->cost_pending = -1;
		skip_prefix(s, "> ", &s);
		if (!strncmp(s, "Cost: $", 7)) {
			if (!parse_cost(s, &cost)) {
				f->rec[i].ev.cost = cost;
				f->rec[i].ev.cost_known = 1;
				f->rec[i].ev.cost_recorded = 1;
			}
			goto cleanup;
		}
		s = sb.buf;
	}

	if (skip_prefix(s, "# aider chat started at ", &rest)) {
		int64_t ms;

		ap->in_session = 0;
		if (parse_local_time(rest, &ms) || !source_time_ok(ctx, ms)) {
			bad_line(ctx, f, ap, lineno, "bad session start time");
			goto cleanup;
		}
		ap->in_session = 1;
		ap->start = ms;
		ap->model = NULL;
		ap->nev = 0;
		ap->first_unlinked = f->nr;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "aider:%s:%llu", f->path,
			    (unsigned long long)lineno);
		event_session_hash(ap->session, sb.buf);
		goto cleanup;
	}
	if (!skip_prefix(s, "> ", &s))
		goto cleanup;
	if (skip_prefix(s, "Tokens: ", &rest))
		add_event(ctx, f, ap, lineno, rest);
	else if (skip_prefix(s, "Main model: ", &rest) ||
		 skip_prefix(s, "Model: ", &rest) ||
		 skip_prefix(s, "Models: ", &rest))
		set_model(ap, rest);
	else if (skip_prefix(s, "Commit ", &rest) && ap->in_session)
		link_commit(ctx, f, ap, rest);
cleanup:
	strbuf_release(&sb);
}

static void parse_begin(struct aider_parse *ap, const char *cwd)
{
	memset(ap, 0, sizeof(*ap));
	ap->cwd = event_intern(cwd);
	ap->cost_pending = -1;
}

/*
 * The whole lines of buf into f's records; returns the bytes they take.
 * A last line without newline is being written.
 */
static size_t parse_lines(struct source_ctx *ctx, struct source_file *f,
			  struct aider_parse *ap, const char *buf, size_t len)
{
	const char *p, *nl, *end = buf + len;

	for (p = buf; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		aider_line(ctx, f, ap, p, (size_t)(nl - p), ++f->lines);
	}
	return (size_t)(p - buf);
}

/* Remember the first bad line, so later runs warn again. */
static void parse_end(struct source_file *f, const struct aider_parse *ap)
{
	f->bad = ap->bad;
	f->bad_line = ap->bad_line;
	f->bad_why = ap->bad_why;
}

void source_aider_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len)
{
	struct aider_parse ap;

	parse_begin(&ap, NULL);
	f->lines = 0;
	parse_lines(ctx, f, &ap, buf, len);
	parse_end(f, &ap);
	source_file_emit(ctx, f);
}

/*
 * The history parsed again whole, read a chunk at a time: read whole,
 * 4 MiB of history took 4 MiB of fresh memory, a page fault each 4 KiB,
 * most of the run.
 */
#define HISTORY_CHUNK (64 << 10)
static int parse_history(struct source_ctx *ctx, struct source_file *f,
			 const char *cwd)
{
	struct aider_parse ap;
	struct stat st;
	size_t alloc = HISTORY_CHUNK, len = 0, used;
	char *buf = NULL;
	ssize_t got = 1;
	int fd, ret = -1;

	source_file_reset(f);
	/* A FIFO put where the history was must not hang us. */
	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		source_bad_line(ctx, f->path, 0, errno == ENOENT ?
				"file vanished" : "cannot read file");
		return -1;
	}
	if (fstat(fd, &st) < 0 || S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode))
		goto cleanup;
	parse_begin(&ap, cwd);
	buf = xmalloc(alloc);
	while (got) {
		if (len == alloc) {
			alloc *= 2; /* a line longer than the buffer */
			buf = xrealloc(buf, alloc);
		}
		got = read(fd, buf + len, alloc - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto cleanup;
		f->offset += (uint64_t)got;
		len += (size_t)got;
		used = parse_lines(ctx, f, &ap, buf, len);
		memmove(buf, buf + used, len - used);
		len -= used;
	}
	parse_end(f, &ap);
	ret = 0;
cleanup:
	if (ret) {
		source_file_reset(f);
		source_bad_line(ctx, f->path, 0, "cannot read file");
	}
	free(buf);
	close(fd);
	return ret;
}

static void read_history(struct source_ctx *ctx, const char *path,
			 const char *cwd, struct source_files *all)
{
	struct source_file *f;
	int changed = 0;

	f = source_file_get(ctx, path, &changed);
	if (!f)
		return;
	/* Commit links reach back: parse the whole file again. */
	if (changed && parse_history(ctx, f, cwd))
		return;
	source_files_add(all, f);
}

static int file_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static void add_candidate(struct strvec *files, struct strvec *cwds,
			  const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	char *real = realpath(dir, NULL);

	/* One name per folder, or the same file is read twice. */
	strbuf_addstr(&sb, real ? real : dir);
	free(real);
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	strvec_push(cwds, sb.buf);
	strbuf_addstr(&sb, "/" AIDER_HISTORY);
	strvec_push(files, sb.buf);
	strbuf_release(&sb);
}

int source_aider_read(struct source_ctx *ctx)
{
	struct strvec files = STRVEC_INIT, cwds = STRVEC_INIT;
	struct strvec trees = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct source_files all = { NULL, 0, 0 };
	struct stat st;
	size_t i;

	for (i = 0; i < ctx->paths.nr; i++) {
		const char *p = ctx->paths.v[i];
		char *slash, *real;

		if (!stat(p, &st) && S_ISDIR(st.st_mode)) {
			real = realpath(p, NULL);
			add_candidate(&files, &cwds, real ? real : p);
			free(real);
			continue;
		}
		/* A history file: its folder is the work tree. */
		strbuf_reset(&sb);
		strbuf_addstr(&sb, p);
		slash = strrchr(sb.buf, '/');
		if (slash && slash != sb.buf)
			strbuf_setlen(&sb, (size_t)(slash - sb.buf));
		else if (slash)
			strbuf_setlen(&sb, 1);
		else {
			strbuf_reset(&sb);
			strbuf_addstr(&sb, ".");
		}
		real = realpath(sb.buf, NULL);
		if (real) {
			strbuf_reset(&sb);
			strbuf_addstr(&sb, real);
			free(real);
		}
		/*
		 * A history kept outside a work tree (--chat-history-file)
		 * belongs to the repository whose config names it.
		 */
		strbuf_addstr(&sb, "/.git");
		if (stat(sb.buf, &st) && ctx->repo &&
		    repo_work_tree(ctx->repo)) {
			strbuf_reset(&sb);
			strbuf_addstr(&sb, repo_work_tree(ctx->repo));
		} else {
			strbuf_setlen(&sb, sb.len - 5);
		}
		while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
			strbuf_setlen(&sb, sb.len - 1);
		strvec_push(&cwds, sb.buf);
		real = realpath(p, NULL);
		strvec_push(&files, real ? real : p);
		free(real);
	}
	if (ctx->repo)
		repo_worktrees(ctx->repo, &trees);
	/* --all-repos: those of every repository seen on this machine. */
	for (i = 0; ctx->seen && i < ctx->seen->nr; i++)
		repo_worktrees_of(ctx->seen->v[i], 0, &trees);
	for (i = 0; i < trees.nr; i++)
		add_candidate(&files, &cwds, trees.v[i]);
	ctx->lazy_records = 1;
	for (i = 0; i < files.nr; i++) {
		size_t j;

		/* A configured file may also be a work tree's own. */
		for (j = 0; j < i; j++)
			if (!strcmp(files.v[j], files.v[i]))
				break;
		if (j == i && file_exists(files.v[i]))
			read_history(ctx, files.v[i], cwds.v[i], &all);
	}
	source_files_emit(ctx, &all);
	strvec_clear(&files);
	strvec_clear(&cwds);
	strvec_clear(&trees);
	strbuf_release(&sb);
	return 0;
}
