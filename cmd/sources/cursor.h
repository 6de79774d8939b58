#ifndef TOKENS_SOURCE_CURSOR_H
#define TOKENS_SOURCE_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include "base/strbuf.h"
#include "model/event.h"

/*
 * Cursor keeps no token log we can trust, so git-tokens keeps one:
 * the Cursor agent's "stop" hook hands each generation's usage to
 * "git tokens hooks cursor-stop", which appends it, one JSON line, to
 * ${XDG_DATA_HOME:-~/.local/share}/git-tokens/cursor-usage.jsonl; the
 * "cursor" source reads it back. The dashboard's usage CSV and the team
 * admin API hold the same usage without a repository: see
 * cursor_csv_parse() and net/provider.h.
 */

/* Cursor's Auto ("default" in the hook, "auto" in the CSV). */
#define CURSOR_AUTO_MODEL "cursor-auto"

#define CURSOR_LOG_NAME "cursor-usage.jsonl"
/* ${XDG_DATA_HOME:-~/.local/share}/git-tokens/ into out (reset first). */
void cursor_data_dir(struct strbuf *out);
/* The log's path into out (reset first). */
void cursor_log_path(struct strbuf *out);

/*
 * Append the usage of one stop-hook payload (JSON, as Cursor wrote it
 * to the hook's stdin) received at now (ms) to the log at path (its
folder created). One
 * write under an exclusive lock: hooks firing at once neither lose nor
 * mix lines, and a line a killed writer left torn is ended first so
 * that it stays one bad line. A payload without tokens appends nothing
 * (returns 1). Returns 0, 1, or -1 after error().
 */
int cursor_log_append(const char *path, const char *payload, size_t len,
		      int64_t now);

/* The model as git-tokens names it: Auto becomes CURSOR_AUTO_MODEL. */
const char *cursor_model(const char *model);

/*
 * The dashboard's usage CSV (export-usage-events-csv, every header
 * layout) into out: tool cursor, the row's model, author the row's
 * "User" column, else author (may be NULL). Bad rows are skipped and
 * counted in *bad, the first one's line number and reason kept in
 * *bad_line and *bad_why. Returns 0, or -1 when the text is no usage
 * CSV at all (no header with Date, Model and the token columns).
 */
int cursor_csv_parse(const char *buf, size_t len, const char *author,
		     int64_t now, struct usage_set *out, uint64_t *bad,
		     uint64_t *bad_line, const char **bad_why);

#endif
