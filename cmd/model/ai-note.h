#ifndef TOKENS_AI_NOTE_H
#define TOKENS_AI_NOTE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Line-level authorship that agents record themselves, per commit, in
 * git notes of their own: which lines of the committed files an agent
 * wrote. One reader per format, each a pure parser of a note's text
 * (ai-gitai.c, ai-qwen.c); the engine (engine/ai-lines.c) finds the
 * notes and joins them with the changes.
 *
 * Line numbers are those of the file as committed, 1-based.
 */
struct ai_span {
	uint32_t from, to;      /* inclusive */
	const char *tool;       /* interned; NULL: a person wrote them */
	const char *model;      /* interned; NULL when not said */
	const char *human;      /* interned: who directed the agent, or the
				   person who wrote them; may be NULL */
};

struct ai_file {
	char *path;
	struct ai_span *s;
	size_t nr, alloc;
	/*
	 * No ranges: every line the commit added to the file is s[0]'s
	 * (a note that records shares of files, not lines, of a file
	 * only the agent wrote). The engine turns it into ranges.
	 */
	unsigned added:1;
};

struct ai_note {
	struct ai_file *f;
	size_t nr, alloc;
	/* An agent that wrote some of it, where no line says (Qwen). */
	struct ai_span agent;
};

/*
 * git-ai's authorship log ("authorship/3.0.0", refs/notes/ai): file
 * paths, each followed by "  <key> <ranges>" lines, a "---" line, and
 * JSON whose "prompts" and "sessions" name each key's agent and whose
 * "humans" name the people of "h_" keys. Returns 0, or -1 when
 * malformed, with the 1-based line of the fault in *bad_line.
 */
int ai_note_parse_gitai(struct ai_note *out, const char *buf, size_t len,
			size_t *bad_line);

/*
 * Qwen Code's attribution note (refs/notes/ai-attribution): JSON,
 * "version": 1, "generator" (the model), "files" mapping each path to
 * its "aiChars", "humanChars" and "percent". It gives shares, not
 * lines: a file only the agent wrote (aiChars > 0, humanChars 0) is an
 * ai_file with .added set; other files say nothing line by line.
 * Returns 0, or -1 (*bad_line 1) when malformed.
 */
int ai_note_parse_qwen(struct ai_note *out, const char *buf, size_t len,
		       size_t *bad_line);

/*
 * Agent Trace records (ai-trace.c): not notes of a commit but of an
 * edit, with the commit that was HEAD when it was made; the engine
 * ties them to commits. One range of a record tied to a git commit:
 */
struct ai_trace_range {
	char rev[41];           /* vcs.revision */
	char *path;
	uint32_t from, to;      /* inclusive, 1-based */
	char *hash;             /* content_hash as written; NULL: none */
	const char *tool;       /* interned; NULL: not the agent's */
	const char *model;      /* interned; NULL when not said */
	size_t record;          /* its record's line in the file */
};

struct ai_trace {
	struct ai_trace_range *r;
	size_t nr, alloc;
	size_t bad;             /* records that could not be read */
	size_t bad_line;        /* the first one's line */
};

/*
 * The records of a traces.jsonl file, one a line, in order. A record
 * that is malformed is skipped whole and counted in ->bad; records of
 * no git revision are valid but give no range.
 */
void ai_trace_parse(struct ai_trace *out, const char *buf, size_t len);
void ai_trace_release(struct ai_trace *t);

/* Lines the agents wrote: the sum of their ranges. */
uint64_t ai_note_agent_lines(const struct ai_note *n);
/* The agent the note names first (tool and model), or NULL: none. */
const struct ai_span *ai_note_agent(const struct ai_note *n);
/* The span holding line of path, or NULL. */
const struct ai_span *ai_note_find(const struct ai_note *n, const char *path,
				   uint32_t line);
/* A new file entry, empty. */
struct ai_file *ai_note_add_file(struct ai_note *n, const char *path,
				 size_t len);
/* Append a span to f. */
void ai_file_add(struct ai_file *f, uint32_t from, uint32_t to,
		 const struct ai_span *who);
void ai_note_release(struct ai_note *n);

#endif
