#ifndef TOKENS_RENDER_H
#define TOKENS_RENDER_H

#include <stdint.h>
#include <stddef.h>
#include "base/strbuf.h"

/*
 * A small generic table model and its writers: an aligned terminal
 * table, CSV (RFC 4180), a GitHub markdown table and JSON objects. A
 * cell may be unknown: "—" for people, null in JSON, empty in CSV. The
 * writers only append to a strbuf; the caller decides where it goes.
 */
enum render_kind {
	RENDER_INT,     /* a count: 41.2k in tables, 41213 in data */
	RENDER_SHARE,   /* a fraction: 45% in tables, 0.45 in data */
	RENDER_MONEY,   /* USD: $3.41 in tables, 3.4127 in data */
	RENDER_NUMBER,  /* a ratio (lines/$): 412 in tables */
	RENDER_TEXT,
	RENDER_BOOL,    /* "yes" or blank in tables, true/false in data */
	RENDER_FLAGS,   /* space-separated words; an array in JSON */
};

enum render_col_flags {
	RENDER_HUMAN_ONLY = 1 << 0, /* table and markdown only */
	RENDER_DATA_ONLY = 1 << 1,  /* JSON and CSV only */
	RENDER_TERM_ONLY = 1 << 2,  /* the terminal table only */
	RENDER_FLEX = 1 << 3,       /* text that may be cut to fit */
	RENDER_EXACT = 1 << 4,      /* a count printed in full: all or none
				       of a table's counts are */
};

struct render_col {
	const char *name;   /* header in table and markdown */
	const char *key;    /* JSON key and CSV header */
	enum render_kind kind;
	int flags;          /* enum render_col_flags */
	int priority;       /* 0 is never dropped; the highest goes first */
	int min_width;      /* flex columns: the narrowest they get */
};

struct render_cell {
	unsigned known:1;
	uint64_t n;         /* RENDER_INT */
	double d;           /* RENDER_SHARE, RENDER_MONEY, RENDER_NUMBER */
	char *s;            /* RENDER_TEXT, RENDER_FLAGS (owned) */
	int b;              /* RENDER_BOOL */
};

struct render_table {
	const struct render_col *cols;
	size_t ncols;
	struct render_cell *cells;  /* row-major, ncols per row */
	size_t nrows, alloc;
};

void render_table_init(struct render_table *t, const struct render_col *cols,
		       size_t ncols);
void render_table_release(struct render_table *t);
/* Append a row of unknown cells; the pointer is valid until the next add. */
struct render_cell *render_table_add_row(struct render_table *t);
struct render_cell *render_table_cell(const struct render_table *t,
				      size_t row, size_t col);

void render_cell_int(struct render_cell *c, uint64_t n);
void render_cell_double(struct render_cell *c, double d, int known);
/* s NULL leaves the cell unknown. */
void render_cell_str(struct render_cell *c, const char *s);
void render_cell_bool(struct render_cell *c, int b);

/* Human form ("1.2M", "$3.41", "45%", "—") and raw form ("" unknown). */
void render_human(struct strbuf *out, const struct render_col *col,
		  const struct render_cell *c);
void render_raw(struct strbuf *out, const struct render_col *col,
		const struct render_cell *c);
/* Display width of UTF-8 text (code points; escapes not expected). */
size_t render_width(const char *s);

struct render_opts {
	int width;      /* columns to fit in; 0 means no limit */
	int color;      /* bold header, coloured flags */
};

void render_text(struct strbuf *out, const struct render_table *t,
		 const struct render_opts *opts);
void render_csv(struct strbuf *out, const struct render_table *t);
/*
 * A markdown table. A text cell (names, e-mails, keys: text from the
 * data) is a code span, as render_markdown_code() writes it, unless it
 * is only letters, digits, blanks, '-', '(' and ')' ("total", "(none)").
 */
void render_markdown(struct strbuf *out, const struct render_table *t);
/*
 * s as an inline code span, safe in a table cell: GitHub and GitLab
 * make no mention ("@org/team") or link of anything in one, and nothing
 * in it is markup. The fence is one backtick longer than the longest
 * run inside; control characters (line breaks) become spaces; '|' stays
 * escaped (GFM ends a cell at a bare one, even in code); "<!--" gets a
 * zero-width space, so no text holds a hidden comment marker.
 */
void render_markdown_code(struct strbuf *out, const char *s);
/*
 * One row as a JSON object of its data columns (numbers as numbers,
 * unknown as null); skip_col (or -1) leaves one column out.
 */
void render_json_row(struct strbuf *out, const struct render_table *t,
		     size_t row, int skip_col);
/* Rows [from, to) as a JSON array, one object per line after indent. */
void render_json_rows(struct strbuf *out, const struct render_table *t,
		      size_t from, size_t to, const char *indent);
/* A JSON number of a kind's precision ("null" when not finite). */
void render_json_number(struct strbuf *out, enum render_kind kind, double d);
/* One CSV field, quoted when it must be (RFC 4180). */
void render_csv_field(struct strbuf *out, const char *s);

/*
 * ---- html (added by the reports work; cmd/render-html.c) ----
 *
 * The report as one self-contained HTML page: the table (its human
 * columns, as markdown shows them) and inline SVG charts computed from
 * the changes with metrics_compute(): cost against surviving lines per
 * author (+lines, said so, while survival is unknown), landed lines and
 * cost per week, cost by tool and by model. Nothing is loaded from the
 * network; all text is escaped. Returns 0, or -1 after error().
 */
struct change;

struct render_html_input {
	const char *title;              /* NULL: "git tokens report" */
	const char *range;              /* may be NULL */
	const char *mainline;           /* NULL: "(none)" */
	const char *generated;          /* may be NULL */
	const struct render_table *table;
	size_t foot;                    /* last rows that are totals */
	const char *notes;              /* coverage lines; may be NULL */
	const struct change *changes;   /* what the charts are made of */
	size_t nr;
};
int render_html(struct strbuf *out, const struct render_html_input *in);

/*
 * render_html() for report and log: the range, mainline and generated
 * time (GIT_TOKENS_NOW) of the command's options and change set.
 */
struct report_opts;
struct change_set;
int render_html_report(struct strbuf *out, const char *title,
		       const struct report_opts *o,
		       const struct change_set *set,
		       const struct render_table *t, size_t foot,
		       const char *notes);

#endif
