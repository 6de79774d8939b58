#ifndef TOKENS_NOTES_H
#define TOKENS_NOTES_H

#include <stdint.h>
#include <stddef.h>
#include "base/strbuf.h"
#include "base/strvec.h"
#include "model/change.h"
#include "model/event.h"

struct repo;

/*
 * Usage notes under tokens.notesRef. A note is JSON Lines,
 * one object per usage group:
 *
 *   {"v":1,"tool":"claude-code","model":"…","session":"3f9a1c0e2b7d",
 *    "from":"…Z","to":"…Z","requests":41,"input":1830,"output":22410,
 *    "cache_write":51200,"cache_read":1960443,"cost_usd":1.2731,
 *    "by":"alice@example.com","how":"hook"}
 *
 * A commit's usage is the union of its lines; identical lines count
 * once. Lines we cannot read (malformed, another version, another
 * writer's) are kept verbatim whenever a note is rewritten, and counted
 * so that a reader can warn once; they are never dropped.
 *
 * Every write makes ONE notes commit for all the commits it touches and
 * moves the ref with compare-and-swap; when the ref moved underneath,
 * the write is re-applied on the new tip (appending is idempotent), so
 * two writers at once never lose a line.
 */

#define NOTES_DEFAULT_REF "refs/notes/tokens"

/* tokens.notesRef (expanded to a full ref name), else the default. */
int notes_ref(struct repo *repo, struct strbuf *out);

/* One line of a note. */
struct note_line {
	char *raw;               /* the line as stored, without '\n' */
	unsigned valid:1;        /* parsed as a v1 usage line */
	/* The rest is set only when valid. */
	const char *tool;        /* interned tool name */
	const char *model;       /* interned; NULL when unknown */
	char session[13];        /* short hash, "" when none */
	int64_t from, to;        /* ms since the epoch */
	unsigned to_ms:1;        /* "to" has milliseconds, else whole seconds */
	uint64_t requests;
	uint64_t input, output, cache_write, cache_read;
	double cost;             /* USD */
	unsigned cost_known:1;   /* cost_usd was a number, not null */
	const char *by;          /* interned email; NULL when absent */
	enum attrib_how how;
};

/* The note of one commit: its lines, deduplicated, in stored order. */
struct note {
	char commit[41];
	struct note_line *lines;
	size_t nr, alloc;
	size_t bad;              /* lines that are not valid (kept) */
	size_t bad_first;        /* 1-based line number of the first */
};

/* Parse text (need not end in '\n'); blank lines are skipped. */
void note_parse(struct note *out, const char *text, size_t len);
/* Append one raw line unless an identical one is there; 1 if added. */
int note_add_raw(struct note *n, const char *line, size_t len);
/* The note as text (every line, '\n'-terminated). */
void note_format(const struct note *n, struct strbuf *out);
void note_release(struct note *n);

/* Sum the valid lines of a note into u (how = weakest among them). */
void note_usage(const struct note *n, struct usage_sum *u);

/*
 * Group events into note lines, one per (tool, model, session), in
 * time order of their first event, and append each formatted line to
 * out. by may be NULL (then each event's author, else omitted).
 */
void notes_lines_from_events(struct strvec *out,
			     const struct usage_event *ev, size_t nr,
			     const char *by, enum attrib_how how);

/* The confidence names: "hook", "link", "window", "day", "import". */
const char *notes_how_name(enum attrib_how how);
/* -1 when s names no confidence. */
int notes_how_parse(const char *s);

/* All notes of a ref, read in one pass over its tree. */
struct notes_map {
	struct note *notes;      /* sorted by commit after notes_read_all */
	size_t nr, alloc;
	char tip[41];            /* the notes commit read, "" when none */
	size_t bad_lines;        /* invalid lines over all notes */
	char bad_commit[41];     /* the first commit holding one */
	unsigned merged:1;       /* holds the lines of more than tip */
};
#define NOTES_MAP_INIT { 0 }

/*
 * Read every note of ref (a notes ref name, or NULL for notes_ref());
 * a missing ref gives an empty map. Returns 0 or -1.
 */
int notes_read_all(struct repo *repo, const char *ref, struct notes_map *out);
/*
 * Add the notes of ref (another notes ref: a remote's, fetched) to m,
 * each line once, as notes_merge() joins them. m->tip stays a notes
 * commit all of whose lines m holds. A missing ref adds nothing.
 * Returns 0 or -1.
 */
int notes_read_union(struct repo *repo, const char *ref, struct notes_map *m);
/* The note of a commit (full hex id), or NULL. */
const struct note *notes_find(const struct notes_map *m, const char *commit);
void notes_map_release(struct notes_map *m);
/* One warning for invalid lines kept in the notes, when there are any. */
void notes_warn_bad(const struct notes_map *m);

/*
 * Append lines (raw text, one note line each, no '\n') to the notes of
 * commits: lines already present are not added again; existing lines,
 * valid or not, are kept. All commits in one notes commit; the ref
 * moves with compare-and-swap, retried on a moved tip. ref NULL =
 * notes_ref(). *added (may be NULL) gets the number of lines written.
 * Returns 0 or -1.
 */
struct notes_append {
	char commit[41];         /* full hex id of the annotated commit */
	struct strvec lines;
};
int notes_append(struct repo *repo, const char *ref,
		 const struct notes_append *a, size_t nr, size_t *added);

/*
 * Whether every one of lines (raw, no '\n') is in the note of commit
 * under ref (NULL = notes_ref()): 1 yes, 0 no, -1 after error().
 */
int notes_has_lines(struct repo *repo, const char *ref, const char *commit,
		    const char * const *lines, size_t nr);

/*
 * post-rewrite: union the notes of each from-commit into the note of
 * its to-commit (several froms may share one to: squash). One notes
 * commit; same guarantees as notes_append. Returns 0 or -1.
 */
struct notes_rewrite {
	char from[41];
	char to[41];
};
int notes_copy(struct repo *repo, const char *ref,
	       const struct notes_rewrite *r, size_t nr, size_t *added);

/*
 * sync: merge the notes commit named by other (a ref such as
 * refs/notes/remotes/origin/tokens, or a hex id) into ref as
 * cat_sort_uniq would (union of lines per commit, nothing lost). The
 * result is a merge commit whose parents are ref's tip and other, so
 * that pushing ref afterwards is a fast-forward; when ref does not
 * exist or already contains other, it fast-forwards or does nothing.
 * Returns 0 (with *changed set when ref moved) or -1.
 */
int notes_merge(struct repo *repo, const char *ref, const char *other,
		int *changed);

#endif
