/*
 * Cursor's dashboard usage CSV ("Export" on the usage page,
 * export-usage-events-csv?strategy=tokens). Its layouts, found by
 * header name, never by position:
 *
 *   Date,Model,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,
 *     Output Tokens,Total Tokens,Cost,Cost to you
 *   Date,Kind,Model,Max Mode,Input (w/ Cache Write),…,Total Tokens,Cost
 *   Date,User,Cloud Agent ID,Automation ID,Kind,Model,Max Mode,…,Cost
 *
 * The two input columns: in real exports Total Tokens is (w/) + (w/o) +
 * Cache Read + Output, so they are apart: input = (w/o), cache write =
 * (w/). A row whose total says instead that (w/) holds (w/o) (total =
 * (w/) + Cache Read + Output) is read that way: cache write = (w/) −
 * (w/o). A row whose total fits neither is bad input. Without a Total
 * column the columns are taken as apart. Every row with tokens counts,
 * whatever Kind and Cost say ("Included", "Free", "Errored, No Charge":
 * the tokens were spent); Cost is Cursor's charge under its plan, not a
 * list price, and is not used.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/date.h"
#include "base/die.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "sources/cursor.h"
#include "sources/sources.h"

enum col {
	COL_DATE, COL_MODEL, COL_USER, COL_WITH, COL_WITHOUT, COL_READ,
	COL_OUTPUT, COL_TOTAL, COL__NR
};

static const char * const col_names[COL__NR] = {
	[COL_DATE] = "Date",
	[COL_MODEL] = "Model",
	[COL_USER] = "User",
	[COL_WITH] = "Input (w/ Cache Write)",
	[COL_WITHOUT] = "Input (w/o Cache Write)",
	[COL_READ] = "Cache Read",
	[COL_OUTPUT] = "Output Tokens",
	[COL_TOTAL] = "Total Tokens",
};

/*
 * One record (RFC 4180: quoted fields may hold commas, "" and line
 * breaks) from *pos into fields; *lines counts the line breaks it
 * crossed. Returns 0, or 1 at the end of the text.
 */
static int read_record(const char *buf, size_t len, size_t *pos,
		       struct strvec *fields, uint64_t *lines)
{
	struct strbuf cell = STRBUF_INIT;
	size_t p = *pos;
	int quoted = 0;

	strvec_clear(fields);
	if (p >= len)
		return 1;
	for (; p < len; p++) {
		char c = buf[p];

		if (quoted) {
			if (c == '"' && p + 1 < len && buf[p + 1] == '"') {
				strbuf_addch(&cell, '"');
				p++;
			} else if (c == '"') {
				quoted = 0;
			} else {
				if (c == '\n')
					(*lines)++;
				strbuf_addch(&cell, c);
			}
		} else if (c == '"') {
			quoted = 1;
		} else if (c == ',') {
			strvec_push(fields, cell.buf);
			strbuf_reset(&cell);
		} else if (c == '\n') {
			(*lines)++;
			p++;
			break;
		} else if (c != '\r') {
			strbuf_addch(&cell, c);
		}
	}
	strbuf_trim(&cell);
	strvec_push(fields, cell.buf);
	strbuf_release(&cell);
	*pos = p;
	return 0;
}

static const char *field(const struct strvec *f, const int *idx, enum col c)
{
	return idx[c] >= 0 && (size_t)idx[c] < f->nr ? f->v[idx[c]] : NULL;
}

/* A counter cell: digits (thousands commas allowed), empty is 0. */
static int counter(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	*out = 0;
	if (!s)
		return 0;
	while (*s == ' ')
		s++;
	for (; *s && *s != ' '; s++) {
		if (*s == ',')
			continue;
		if (!isdigit((unsigned char)*s) || v > JSON_U64_MAX)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (s[strspn(s, " ")] || v > JSON_U64_MAX)
		return -1;
	*out = v;
	return 0;
}

/* The header's columns; -1 unless it is a token usage CSV. */
static int read_header(const struct strvec *f, int *idx)
{
	size_t i;
	int c;

	for (c = 0; c < COL__NR; c++)
		idx[c] = -1;
	for (i = 0; i < f->nr; i++) {
		const char *name = f->v[i];

		/* a byte order mark before the first name */
		if (!i && !strncmp(name, "\xef\xbb\xbf", 3))
			name += 3;
		for (c = 0; c < COL__NR; c++)
			if (idx[c] < 0 && !strcasecmp(name, col_names[c]))
				idx[c] = (int)i;
	}
	for (c = COL_DATE; c <= COL_OUTPUT; c++)
		if (c != COL_USER && idx[c] < 0)
			return -1;
	return 0;
}

/* One row into ev: 0, 1 (no tokens: no event) or -1 with *why. */
static int read_row(const struct strvec *f, const int *idx,
		    const char *author, int64_t now,
		    struct usage_event *ev, const char **why)
{
	uint64_t with, without, rd, out, total;
	const char *s;
	int c;

	memset(ev, 0, sizeof(*ev));
	for (c = 0; c < COL__NR; c++)
		if (idx[c] >= 0 && (size_t)idx[c] >= f->nr) {
			*why = "fewer columns than the header";
			return -1;
		}
	s = field(f, idx, COL_DATE);
	if (!s || date_parse_iso(s, &ev->time) < 0) {
		*why = "no valid 'Date'";
		return -1;
	}
	if (ev->time < SOURCE_TIME_MIN || ev->time > now + 86400000LL) {
		*why = "'Date' before 2020 or in the future";
		return -1;
	}
	if (counter(field(f, idx, COL_WITH), &with) ||
	    counter(field(f, idx, COL_WITHOUT), &without) ||
	    counter(field(f, idx, COL_READ), &rd) ||
	    counter(field(f, idx, COL_OUTPUT), &out) ||
	    counter(field(f, idx, COL_TOTAL), &total)) {
		*why = "a token count is not a number";
		return -1;
	}
	ev->input = without;
	ev->cache_write = with;
	ev->cache_read = rd;
	ev->output = out;
	if (field(f, idx, COL_TOTAL) && *field(f, idx, COL_TOTAL) &&
	    total != with + without + rd + out) {
		if (with < without || total != with + rd + out) {
			*why = "'Total Tokens' does not add up";
			return -1;
		}
		ev->cache_write = with - without;
	}
	if (!event_total_tokens(ev))
		return 1;
	ev->tool = TOOL_CURSOR;
	ev->model = cursor_model(field(f, idx, COL_MODEL));
	s = field(f, idx, COL_USER);
	ev->author = event_intern(s && *s ? s : author);
	return 0;
}

int cursor_csv_parse(const char *buf, size_t len, const char *author,
		     int64_t now, struct usage_set *out, uint64_t *bad,
		     uint64_t *bad_line, const char **bad_why)
{
	struct strvec f = STRVEC_INIT;
	struct usage_event ev;
	uint64_t line = 1, start;
	size_t pos = 0;
	int idx[COL__NR], ret = -1;
	const char *why;

	*bad = *bad_line = 0;
	*bad_why = NULL;
	if (author && !*author)
		author = NULL;
	if (read_record(buf, len, &pos, &f, &line) || read_header(&f, idx))
		goto cleanup;
	for (start = line; !read_record(buf, len, &pos, &f, &line);
	     start = line) {
		if (f.nr == 1 && !*f.v[0])
			continue;  /* an empty line */
		why = NULL;
		switch (read_row(&f, idx, author, now, &ev, &why)) {
		case 0:
			usage_set_add(out, &ev);
			break;
		case -1:
			if (!(*bad)++) {
				*bad_line = start;
				*bad_why = why;
			}
			break;
		}
	}
	ret = 0;
cleanup:
	strvec_clear(&f);
	return ret;
}
