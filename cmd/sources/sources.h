#ifndef TOKENS_SOURCES_H
#define TOKENS_SOURCES_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include "base/strbuf.h"
#include "base/strvec.h"
#include "model/event.h"

struct repo;
struct json;
struct json_key;
struct json_raw;
struct json_skim_sub;

/*
 * Local usage sources: each one reads a tool's logs and adds
 * usage events to a usage_set. The public entry point is usage_load();
 * the rest of this header is the interface a source is written against.
 */

/* What usage_load() is asked for. */
struct usage_query {
	int64_t since;        /* ms since the epoch, inclusive; 0 = open */
	int64_t until;        /* ms since the epoch, exclusive; 0 = open */
	unsigned all_repos:1; /* every repository, not only repo's */
	unsigned use_cache:1; /* keep per-file state between runs */
	/*
	 * Only what was written since "since": files last modified before
	 * it (less a few minutes) are not even opened, and no state is
	 * read or written. record's fast path: a hook after each commit
	 * must not pay for a year of logs.
	 */
	unsigned recent:1;
	/*
	 * For doctor, when non-NULL: where each source (by its index in
	 * source_table[]) found its logs, and the models that had no price.
	 */
	struct usage_found *found;
	struct strvec *unpriced;
	/* With all_repos and use_cache: see struct usage_summary. */
	struct usage_summary *summary;
};
#define USAGE_QUERY_INIT { .use_cache = 1 }

/*
 * What a caller made of the events last time (usage: its rows), kept
 * for a run that finds nothing new. usage_load() works out what its
 * answer depends on: the result of every source (each cache's stamp),
 * the query, the price table's text, the time zone, the binary and
 * name. When nothing of it changed it loads no event: hit is set, data
 * holds what usage_summary_save() kept, and the price warnings of then
 * are printed again. Only for every repository: which events belong to
 * one asks the file system, not the logs.
 */
struct usage_summary {
	const char *name;       /* what the caller makes: its file's name */
	struct strbuf data;
	int hit;
	/* private to sources/ */
	uint64_t id;            /* what the answer depends on; 0 = unknown */
	struct strbuf path;
	struct strbuf warnings; /* the price warnings, a line each */
};
#define USAGE_SUMMARY_INIT { NULL, STRBUF_INIT, 0, 0, STRBUF_INIT, \
			     STRBUF_INIT }
/* Keep data for the next run over the same input: 0, or -1. */
int usage_summary_save(const struct usage_summary *s);
void usage_summary_release(struct usage_summary *s);

struct usage_found {
	struct strvec where;  /* folders (or files) the logs were found in */
	uint64_t files;       /* log files seen */
	const char *hint;     /* how to get more from this source, or NULL */
};

/*
 * Load the deduplicated, priced usage events of every enabled source
 * (tokens.sources) that belong to repo (its work tree or one of its
 * linked worktrees), or of every repository with q->all_repos (repo may
 * then be NULL), within [since, until), sorted by time. Bad input is
 * skipped and summed up in one warning. Returns 0 or -1.
 */
int usage_load(struct usage_set *out, struct repo *repo,
	       const struct usage_query *q);

/*
 * Incremental per-file state. A source turns each file into records
 * (candidate events plus what it needs to deduplicate them later); the
 * records, the parser state and the offset are kept between runs, so
 * an unchanged file is not read at all and a file that grew is parsed
 * from where the last run stopped.
 */
struct source_rec {
	struct usage_event ev;
	uint64_t key;   /* source-defined dedup key (hash), 0 = none */
	uint64_t key2;  /* a second one (Claude: message.id alone) */
	uint32_t flags; /* source-defined */
	uint32_t pad;
};

struct source_file {
	const char *path;       /* interned */
	uint64_t dev, ino, size, mtime_ns;
	uint64_t offset;        /* bytes consumed: complete lines only */
	uint64_t lines;         /* lines consumed, for line numbers */
	struct strbuf state;    /* the source's own resume state */
	struct source_rec *rec;
	size_t nr, alloc;
	/* Bad lines among those consumed: kept so the warning repeats. */
	uint64_t bad;
	uint64_t bad_line;      /* line number of the first one */
	const char *bad_why;    /* interned */
	uint64_t tail_hash;     /* of the first and last 4 KiB before offset */
	unsigned seen:1;        /* found on disk in this run */
	unsigned changed:1;     /* read again in this run */
	/* private: records still in the mapped cache file */
	const void *disk;
	size_t disk_nr;
};

struct source_ctx;

/*
 * Look a file up before reading it. Returns NULL when the file cannot
 * be used (vanished, unreadable, not a regular file: counted as bad
 * input). Otherwise f->offset tells where parsing resumes: 0 with
 * records and state cleared when the file is new, shrank or was
 * replaced; f->size (*changed == 0) when it is unchanged and there is
 * nothing to do.
 */
struct source_file *source_file_get(struct source_ctx *ctx, const char *path,
				    int *changed);
void source_file_add(struct source_file *f, const struct source_rec *rec);
/* The same, replacing an earlier record of the same key: the last wins. */
void source_file_put(struct source_file *f, const struct source_rec *rec);
/* A record's four counters summed. */
uint64_t source_rec_total(const struct source_rec *r);
/*
 * Add one event per key of recs (sorted in place): the record with the
 * largest total, for copies of one call or readings of running totals.
 */
void source_emit_largest(struct source_ctx *ctx,
			 const struct source_rec **recs, size_t nr);
/* The same choice: recs[0..n) are the largest of each key; returns n. */
size_t source_pick_largest(const struct source_rec **recs, size_t nr);
/*
 * For sessions logged as totals only: of the records of files, the
 * largest of each key holds a session's totals, ev.time the start of its window and flags
 * the window's length in seconds. Its window is cut into n equal
 * slices, n = 1 + the whole 5 minutes it lasts (at most 1,000), and
 * each slice gets one event at its end; each counter is divided
 * evenly, the first events taking one more of any remainder, so that
 * the events add up to the totals (a recorded cost: divided by n).
 */
void source_emit_spread(struct source_ctx *ctx, struct source_file **files,
			size_t nr);
/* Add the events of f's records to the usage set being read. */
void source_file_emit(struct source_ctx *ctx, const struct source_file *f);
/*
 * Add the events of recs to ctx->out in usage_set_sort()'s order (ties
 * as they come), so that the sorts after it find nothing to do.
 */
void source_add_sorted(struct source_ctx *ctx,
		       const struct source_rec * const *recs, size_t nr);

/*
 * For sources that set ctx->lazy_records before their first
 * source_file_get(): the records of unchanged files stay on disk until
 * this is called, after every file was looked up. Returns 1 when no
 * file is new, changed or gone since the last run: the source's result
 * of then has been added to ctx->out and the source is done. Returns 0
 * when it must work: every file's records are now in memory.
 */
int source_reuse_result(struct source_ctx *ctx);
/*
 * The files a source looked up, for sources that set ctx->lazy_records
 * and parse what changed as they go: source_files_emit() reuses the last
 * result when nothing changed, else adds the events of every file's
 * records; it empties the list.
 */
struct source_files {
	struct source_file **f;
	size_t nr, alloc;
};
void source_files_add(struct source_files *l, struct source_file *f);
/*
 * Look each of paths up (source_file_get()): the files there go to all,
 * those new or changed to todo too, for source_parallel().
 */
void source_files_collect(struct source_ctx *ctx, const struct strvec *paths,
			  struct source_files *all, struct source_files *todo);
void source_files_emit(struct source_ctx *ctx, struct source_files *l);
/* Forget what was read of f (start again from offset 0). */
void source_file_reset(struct source_file *f);

/*
 * Read the complete lines of f from f->offset, a chunk at a time, and
 * call fn for each; empty lines are skipped, lines that do not look like
 * one JSON object ({...}) are counted as bad input here, and lines that
 * contain none of the pre-filter byte strings (NULL-terminated list; NULL = no
 * filter) are skipped. fn returns 0. A last line without its newline is
 * passed with partial = 1: fn returns 0 when it used the line (complete
 * JSON), 1 to leave it for the next run (the scanner counts it as a
 * truncated line; fn must not). Updates f->offset and f->lines.
 * Returns 0, or -1 when the file could not be read (counted as bad).
 */
typedef int source_line_fn(struct source_ctx *ctx, struct source_file *f,
			   const char *line, size_t len, uint64_t lineno,
			   int partial, void *data);
int source_scan(struct source_ctx *ctx, struct source_file *f,
		const char * const *filter, source_line_fn *fn, void *data);
/*
 * Read f whole into sb, for formats that are not JSON Lines, in three
 * system calls from the size f's stat found: a file that changes is
 * read again whole (no tail hash). Returns 0, or -1 after counting it
 * as a bad file.
 */
int source_file_read(struct source_ctx *ctx, struct source_file *f,
		     struct strbuf *sb);
/* The same over a buffer that holds the whole file (decompressed). */
int source_scan_mem(struct source_ctx *ctx, struct source_file *f,
		    const char *buf, size_t len,
		    const char * const *filter, source_line_fn *fn, void *data);
/*
 * For a source_line_fn: parse the line into *out. Returns 0 with *out
 * set, 0 with *out NULL when the line is malformed (counted as bad),
 * or 1 for a partial line that may still be being written (return it).
 */
int source_line_json(struct source_ctx *ctx, struct source_file *f,
		     const char *line, size_t len, uint64_t lineno,
		     int partial, struct json **out);

/*
 * For lines read with json_skim(): a string value's text, NUL-ended,
 * decoded into tmp when it has escapes; NULL when v is not a string.
 */
const char *source_raw_cstr(const struct json_raw *v, struct strbuf *tmp);
/* Why json_skim() refused buf: "not a JSON object" or "malformed JSON". */
const char *source_skim_why(const char *buf, size_t len);
/*
 * For a source_line_fn: json_skim_sub() of the line (no gate). Returns
 * 0 when it and every sub-object skimmed, 1 when the line is partial
 * and did not (the rest may still be written: return 1), -1 when it
 * holds no record: counted as bad input unless it is valid JSON but
 * not an object.
 */
int source_line_skim(struct source_ctx *ctx, struct source_file *f,
		     const char *line, size_t len, uint64_t lineno,
		     int partial, const struct json_key *keys, size_t nkeys,
		     struct json_raw *out, struct json_skim_sub *sub);
/*
 * Walk the JSON array in buf element by element, so that one bad element
 * (or a file cut short while it was written) costs that element only:
 * fn(p, e, line, NULL, data) for each object or array, p to e, line the
 * one it starts on; fn(p, p, line, why, data) for bad input: a scalar
 * element ("not a JSON object"; the walk goes on), or buf not an array,
 * an element or the array cut short (the walk ends).
 */
typedef void source_element_fn(const char *p, const char *e, uint64_t line,
			       const char *why, void *data);
void source_array_each(const char *buf, size_t len, source_element_fn *fn,
		       void *data);
/*
 * A one-entry memo of a string member, so that a run of records with
 * the same value interns or hashes it once.
 */
struct source_memo {
	struct strbuf raw;      /* the value as last seen, quotes and all */
	struct strbuf text;     /* its text */
	const char *interned;   /* event_intern(text); NULL when empty */
	char session[13];       /* event_session_hash(text) */
	unsigned valid:1, hashed:1;
};
#define SOURCE_MEMO_INIT { STRBUF_INIT, STRBUF_INIT, NULL, "", 0, 0 }
/* v's text interned: NULL when v is not a string or is empty. */
const char *source_memo_intern(struct source_memo *m,
			       const struct json_raw *v);
/* event_session_hash() of v's text ("" when v is not a string). */
void source_memo_session(struct source_memo *m, const struct json_raw *v,
			 char out[13]);
void source_memo_release(struct source_memo *m);

/*
 * Call fn(ctx, files[i], data) for each file, spread over a few threads
 * by size. fn may only touch its own file, source_file_add(),
 * source_bad_line() and event_intern(); results stay deterministic.
 */
typedef void source_file_fn(struct source_ctx *ctx, struct source_file *f,
			    void *data);
void source_parallel(struct source_ctx *ctx, struct source_file **files,
		     size_t nr, source_file_fn *fn, void *data);

/*
 * Bad input: count one bad line (line 0 = the whole file). Lines that
 * were consumed are remembered with the file; only the first file and
 * line appear in the warning.
 */
void source_bad_line(struct source_ctx *ctx, const char *file,
		     uint64_t line, const char *why);

/* What a source gets. */
struct source_ctx {
	struct usage_set *out;     /* add the final events here */
	struct repo *repo;         /* may be NULL */
	const struct source *src;
	struct strvec paths;       /* tokens.<source>.path, else empty */
	int64_t now;               /* ms; GIT_TOKENS_NOW overrides */
	int use_cache;
	int lazy_records;          /* see source_reuse_result() */
	int64_t recent_since;      /* ms; skip files older (usage_query.recent) */
	/* --all-repos: the common dir of every repository seen, else NULL */
	const struct strvec *seen;
	struct usage_found *found; /* usage_query.found's entry, or NULL */
	/* private to sources.c */
	struct source_state *state;
	struct source_warn *warn;
	struct source_match *match;
};

/* Sanity bounds shared by all sources: 2020-01-01 .. now + 1 day. */
#define SOURCE_TIME_MIN 1577836800000LL
int source_time_ok(const struct source_ctx *ctx, int64_t ms);
/*
 * The repositories git-tokens has seen on this machine, kept in the
 * user cache (<cache>/repos, one common dir a line) so that usage
 * --all-repos finds their aider histories and imports. usage_load()
 * adds repo's; source_seen_list() gives those still there, resolved.
 */
void source_seen_add(struct repo *repo);
void source_seen_list(struct strvec *out);

/* Does cwd lie in repo's work tree or one of its linked worktrees? */
int source_repo_match(struct source_ctx *ctx, const char *cwd);

/*
 * Every file under dir whose name ends in one of the suffixes, found
 * recursively, appended to out as full paths; a missing dir is fine,
 * an unreadable one is bad input.
 */
void source_find_files(struct source_ctx *ctx, const char *dir,
		       const char * const *suffixes, struct strvec *out);
/*
 * The same for formats that only add files, each dated when it is
 * created: with ctx->recent_since (the post-commit hook), the files
 * of a folder last changed before then are left out unlooked-at (the
 * folder's time is that of its last file added), its subfolders
 * still searched.
 */
void source_find_new_files(struct source_ctx *ctx, const char *dir,
			   const char * const *suffixes, struct strvec *out);
/*
 * The local path of a file:// URI (or of a plain absolute path), with
 * %XX decoded and no trailing slash. Returns 0, or -1 when it names no
 * local absolute path.
 */
int source_uri_path(const char *uri, struct strbuf *out);
/* Sort a strvec of paths (byte order) and drop duplicates. */
void source_sort_paths(struct strvec *paths);

/* ~ expanded, $HOME-based default directories. */
const char *source_home(void);
/*
 * A tool's folder: $env when it names an absolute path, else
 * ~/<in_home>.
 */
void source_default_dir(struct strbuf *out, const char *env,
			const char *in_home);

/*
 * Tell doctor where logs were found (a folder or a file), and how the
 * user would get more of them; a no-op unless doctor asked. Sources
 * that name nothing get the common folder of the files they read.
 */
void source_found(struct source_ctx *ctx, const char *where);
void source_found_hint(struct source_ctx *ctx, const char *hint);

/*
 * A map from non-zero 64-bit keys (dedup hashes) to a size_t: find
 * returns the value slot, NULL when absent and add is 0; a new slot
 * holds 0.
 */
struct u64map {
	uint64_t *keys;
	size_t *vals;
	size_t nr, alloc;
};
#define U64MAP_INIT { NULL, NULL, 0, 0 }
size_t *u64map_find(struct u64map *m, uint64_t key, int add);
/* Room for nr more keys without growing. */
void u64map_reserve(struct u64map *m, size_t nr);
void u64map_release(struct u64map *m);

/*
 * The repository a usage event's folder lies in: the main work tree
 * above cwd (through a linked one's .git file), else cwd itself; NULL
 * for NULL. Interned; memo keeps the answers (release it).
 */
const char *source_repo_root(struct u64map *memo, const char *cwd);

struct source {
	const char *name;          /* as in tokens.sources */
	enum tool tool;
	int (*read)(struct source_ctx *ctx);
};

/* The registry, in a fixed order; NULL name ends it. */
extern const struct source source_table[];
const struct source *source_lookup(const char *name);

int source_claude_read(struct source_ctx *ctx);
int source_codex_read(struct source_ctx *ctx);
int source_gemini_read(struct source_ctx *ctx);
int source_aider_read(struct source_ctx *ctx);
int source_opencode_read(struct source_ctx *ctx);
int source_import_read(struct source_ctx *ctx);
int source_copilot_read(struct source_ctx *ctx);
/* Cline, Roo Code and Kilo Code: by ctx->src->tool. */
int source_cline_read(struct source_ctx *ctx);
int source_cursor_read(struct source_ctx *ctx);
int source_amp_read(struct source_ctx *ctx);
int source_qwen_read(struct source_ctx *ctx);
int source_kimi_read(struct source_ctx *ctx);
int source_droid_read(struct source_ctx *ctx);
int source_continue_read(struct source_ctx *ctx);
int source_goose_read(struct source_ctx *ctx);
int source_crush_read(struct source_ctx *ctx);
int source_zed_read(struct source_ctx *ctx);

/*
 * Tests and fuzzing: parse one file from memory, without repository,
 * cache or threads. source_mem_begin() makes a context for the named
 * source whose events go to out; source_mem_file() a file of it (path
 * gives the session id where a source reads one from the file name);
 * source_<tool>_parse_mem() parses its text as source_<tool>_read()
 * would and adds the result to out; source_mem_end() prints the bad
 * input warning, if any, and frees the context and its files.
 */
struct source_ctx *source_mem_begin(const char *source,
				    struct usage_set *out);
struct source_file *source_mem_file(struct source_ctx *ctx,
				    const char *path);
void source_mem_end(struct source_ctx *ctx);
void source_claude_parse_mem(struct source_ctx *ctx, struct source_file *f,
			     const char *buf, size_t len);
void source_codex_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len);
/* Codex: one saved `codex exec --json` output. */
void source_codex_exec_parse_mem(struct source_ctx *ctx,
				 struct source_file *f,
				 const char *buf, size_t len);
/* Gemini: a legacy chat document (*.json) or JSON Lines (*.jsonl). */
void source_gemini_parse_mem(struct source_ctx *ctx, struct source_file *f,
			     const char *buf, size_t len);
void source_aider_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len);
/* OpenCode: one storage/message/<session>/<id>.json file. */
void source_opencode_parse_mem(struct source_ctx *ctx, struct source_file *f,
			       const char *buf, size_t len);
void source_import_parse_mem(struct source_ctx *ctx, struct source_file *f,
			     const char *buf, size_t len);
/* Copilot CLI: one OpenTelemetry export file (JSON Lines). */
void source_copilot_parse_mem(struct source_ctx *ctx, struct source_file *f,
			      const char *buf, size_t len);
/* The Cline family: one tasks/<id>/ui_messages.json. */
void source_cline_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len);
/* Cursor: the stop hook's log (sources/cursor.h). */
void source_cursor_parse_mem(struct source_ctx *ctx, struct source_file *f,
			     const char *buf, size_t len);
/* Amp: one threads/T-<id>.json document. */
void source_amp_parse_mem(struct source_ctx *ctx, struct source_file *f,
			  const char *buf, size_t len);
/* Qwen Code: one chats/<session>.jsonl file. */
void source_qwen_parse_mem(struct source_ctx *ctx, struct source_file *f,
			   const char *buf, size_t len);
/* Kimi CLI: one wire.jsonl file, either layout. */
void source_kimi_parse_mem(struct source_ctx *ctx, struct source_file *f,
			   const char *buf, size_t len);
/* Factory Droid: one <session>.settings.json. */
void source_droid_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len);
/* Continue: one dev_data/0.2.0/tokensGenerated.jsonl. */
void source_continue_parse_mem(struct source_ctx *ctx,
			       struct source_file *f,
			       const char *buf, size_t len);
/* Goose: a sessions.db image, or a session file <id>.jsonl. */
void source_goose_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len);
/* Crush: a crush.db image. */
void source_crush_parse_mem(struct source_ctx *ctx, struct source_file *f,
			    const char *buf, size_t len);
/* Zed: a threads.db image. */
void source_zed_parse_mem(struct source_ctx *ctx, struct source_file *f,
			  const char *buf, size_t len);

#endif
