/*
 * git tokens import <file>...: add usage events from JSON Lines to
 * <common dir>/tokens/imported.jsonl, which the "import" source
 * reads. Lines are checked before they are kept; a line already in the
 * file is not added twice. The file is rewritten whole under a lock and
 * renamed into place, so readers never see half of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "base/die.h"
#include "base/hash.h"
#include "base/parse-options.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "builtin/builtin.h"
#include "git/repo.h"
#include "model/event.h"
#include "net/provider.h"
#include "sources/cursor.h"
#include "sources/import.h"
#include "sources/sources.h"

static const char * const import_usage[] = {
	"git tokens import [-q] <file>...",
	"git tokens import [-q] --format=cursor-csv [--author=<email>] "
		"<file>...",
	NULL
};

/* A set of lines: a line's hash maps to its place in v, plus one. */
struct lineset {
	struct u64map map;
	const char **v;
	size_t nr, alloc;
};

/* Add line (kept by the caller); 0 if it was new, 1 if already there. */
static int lineset_add(struct lineset *ls, const char *line)
{
	uint64_t seed;
	size_t *slot;

	/* Another line with the same hash: try the next seed. */
	for (seed = 0x6c6e;; seed++) {
		slot = u64map_find(&ls->map,
				   hash_bytes(line, strlen(line), seed), 1);
		if (!*slot)
			break;
		if (!strcmp(ls->v[*slot - 1], line))
			return 1;
	}
	ALLOC_GROW(ls->v, ls->nr + 1, ls->alloc);
	ls->v[ls->nr++] = line;
	*slot = ls->nr;
	return 0;
}

static void lineset_release(struct lineset *ls)
{
	u64map_release(&ls->map);
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}

/* Read the lines of one input; bad ones are reported and counted. */
static int read_input(const char *name, struct repo *repo, int64_t now,
		      struct strvec *good, int *bad)
{
	struct strbuf line = STRBUF_INIT;
	FILE *fp = !strcmp(name, "-") ? stdin : fopen(name, "r");
	struct usage_event ev;
	const char *why;
	unsigned long lineno = 0;
	int ret = 0;

	if (!fp)
		return error_errno("cannot open '%s'", name);
	while (strbuf_getline(&line, fp) != EOF) {
		lineno++;
		strbuf_trim(&line);
		if (!line.len)
			continue;
		if (import_parse_line(&ev, line.buf, line.len, repo, now,
				      &why)) {
			error("%s:%lu: %s", !strcmp(name, "-") ? "<stdin>" :
			      name, lineno, why);
			(*bad)++;
			continue;
		}
		strvec_push(good, line.buf);
	}
	if (ferror(fp))
		ret = error_errno("cannot read '%s'", name);
	if (fp != stdin)
		fclose(fp);
	strbuf_release(&line);
	return ret;
}

/*
 * Merge the new lines into the file: existing lines first, unchanged,
 * then the new ones that are not already there.
 */
static int store(struct repo *repo, const struct strvec *good,
		 size_t *added, size_t *dups)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT, lock = STRBUF_INIT;
	struct strbuf old = STRBUF_INIT, out = STRBUF_INIT;
	struct lineset seen = { .map = U64MAP_INIT };
	char **lines = NULL;
	size_t n = 0, i;
	int lock_fd = -1, ret = -1;

	*added = *dups = 0;
	if (repo_tokens_dir(repo, &dir))
		goto cleanup;
	strbuf_addf(&path, "%s%s", dir.buf, IMPORT_FILE);
	strbuf_addf(&lock, "%s.lock", path.buf);
	/* Another import may hold it for a moment: wait up to 10 s. */
	lock_fd = lock_file_take(lock.buf, 10000, NULL);
	if (lock_fd == -2)
		error("cannot lock '%s': another import is running", lock.buf);
	if (lock_fd < 0)
		goto cleanup;

	if (strbuf_read_file(&old, path.buf, 0) < 0 && errno != ENOENT) {
		error_errno("cannot read '%s'", path.buf);
		goto cleanup;
	}
	strbuf_addstr(&out, IMPORT_HEADER "\n");
	n = strbuf_split_inplace(old.buf, '\n', &lines);
	for (i = 0; i < n; i++) {
		if (!*lines[i] || (!i && !strcmp(lines[i], IMPORT_HEADER)))
			continue;
		if (lineset_add(&seen, lines[i]))
			continue;
		strbuf_addf(&out, "%s\n", lines[i]);
	}
	for (i = 0; i < good->nr; i++) {
		if (lineset_add(&seen, good->v[i])) {
			(*dups)++;
			continue;
		}
		strbuf_addf(&out, "%s\n", good->v[i]);
		(*added)++;
	}
	if (!*added) {
		ret = 0;
		goto cleanup;
	}

	if (write_file_atomic(path.buf, out.buf, out.len, 0666,
			      WRITE_FILE_SYNC) < 0) {
		error_errno("cannot write '%s'", path.buf);
		goto cleanup;
	}
	ret = 0;
cleanup:
	lock_file_release(lock.buf, lock_fd);
	free(lines);
	lineset_release(&seen);
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&lock);
	strbuf_release(&old);
	strbuf_release(&out);
	return ret;
}

/* A file, or "-" for stdin, whole into sb: 0, or -1 with errno. */
static int read_whole(const char *name, struct strbuf *sb)
{
	char buf[8192];
	size_t n;

	if (strcmp(name, "-"))
		return strbuf_read_file(sb, name, 0) < 0 ? -1 : 0;
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		strbuf_add(sb, buf, n);
	return ferror(stdin) ? -1 : 0;
}

/*
 * Cursor's usage CSVs into the provider store; bad rows are one
 * warning naming the first. Returns 0, 1 when rows were skipped, or -1.
 */
static int import_cursor_csv(struct repo *repo, int argc, const char **argv,
			     const char *author, size_t *added, size_t *dups)
{
	struct usage_set evs = USAGE_SET_INIT;
	struct strbuf sb = STRBUF_INIT;
	char *name = NULL, *email = NULL;
	uint64_t bad = 0, first_line = 0;
	const char *first_file = NULL, *first_why = NULL;
	int64_t now;
	int i, ret = 0;

	date_now(&now);
	if (!author && !repo_user_ident(repo, &name, &email))
		author = email;
	for (i = 0; i < argc; i++) {
		uint64_t n, line;
		const char *why;

		strbuf_reset(&sb);
		if (read_whole(argv[i], &sb) < 0) {
			ret = error_errno("cannot read '%s'", argv[i]);
			continue;
		}
		if (cursor_csv_parse(sb.buf, sb.len, author, now, &evs, &n,
				     &line, &why) < 0) {
			ret = error("'%s' is not a Cursor usage CSV (no Date, "
				    "Model and token columns)", argv[i]);
			continue;
		}
		if (n && !bad) {
			first_file = argv[i];
			first_line = line;
			first_why = why;
		}
		bad += n;
	}
	if (bad)
		warning("skipped %llu bad %s (first: %s:%llu: %s)",
			(unsigned long long)bad, bad == 1 ? "row" : "rows",
			first_file, (unsigned long long)first_line, first_why);
	if (provider_store_add(repo, &evs, added, dups) < 0)
		ret = -1;
	else if (!ret && bad)
		ret = 1;
	usage_set_release(&evs);
	strbuf_release(&sb);
	free(name);
	free(email);
	return ret;
}

int cmd_import(int argc, const char **argv, struct repo *repo)
{
	const char *format = "jsonl", *author = NULL;
	struct option options[] = {
		OPT__QUIET(&quiet, "do not print the summary"),
		OPT_STRING(0, "format", &format, "format",
			   "jsonl (default) or cursor-csv"),
		OPT_STRING(0, "author", &author, "email",
			   "cursor-csv: whose rows without a User column are "
			   "(default: user.email)"),
		OPT_END()
	};
	struct strvec good = STRVEC_INIT;
	size_t added = 0, dups = 0;
	int64_t now;
	int bad = 0, failed = 0, stdin_seen = 0, i;

	date_now(&now);
	argc = parse_options(argc, argv, options, import_usage, 0);
	if (argc < 1)
		usage_msg_opt("no file given", import_usage, options);
	if (!repo)
		die("not in a git repository");
	if (!strcmp(format, "cursor-csv")) {
		int r = import_cursor_csv(repo, argc, argv, author, &added,
					  &dups);

		if (r < 0)
			die("could not import the Cursor usage");
		if (!quiet)
			fprintf(stderr, "imported %lu events (%lu duplicates "
				"skipped)\n", (unsigned long)added,
				(unsigned long)dups);
		return r;
	}
	if (strcmp(format, "jsonl"))
		usage_msg_opt("--format: jsonl or cursor-csv", import_usage,
			      options);
	if (author)
		usage_msg_opt("--author goes with --format=cursor-csv",
			      import_usage, options);
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-")) {
			/* stdin can be read once. */
			if (stdin_seen++)
				continue;
		}
		if (read_input(argv[i], repo, now, &good, &bad))
			failed = 1;
	}
	if (store(repo, &good, &added, &dups))
		die("could not store the imported events");
	/* usage --all-repos run elsewhere finds them too. */
	source_seen_add(repo);
	if (!quiet)
		fprintf(stderr, "imported %lu events (%lu duplicates skipped)\n",
			(unsigned long)added, (unsigned long)dups);
	strvec_clear(&good);
	return bad || failed ? 1 : 0;
}
