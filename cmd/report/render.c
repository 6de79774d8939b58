#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/die.h"
#include "base/term.h"
#include "report/render.h"

#define UNKNOWN_MARK "\xe2\x80\x94"   /* an em dash */
#define ELLIPSIS "\xe2\x80\xa6"
#define COL_GAP 2

void render_table_init(struct render_table *t, const struct render_col *cols,
		       size_t ncols)
{
	size_t i, exact = 0, counts = 0;

	/* "2207" beside "2.2k" reads as two numbers: one style a table. */
	for (i = 0; i < ncols; i++) {
		if (cols[i].kind != RENDER_INT ||
		    cols[i].flags & RENDER_DATA_ONLY)
			continue;
		counts++;
		exact += !!(cols[i].flags & RENDER_EXACT);
	}
	if (exact && exact != counts)
		BUG("a table mixes exact and scaled counts");
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
}

void render_table_release(struct render_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].s);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->alloc = 0;
}

struct render_cell *render_table_add_row(struct render_table *t)
{
	struct render_cell *row;

	ALLOC_GROW(t->cells, (t->nrows + 1) * t->ncols, t->alloc);
	row = &t->cells[t->nrows * t->ncols];
	memset(row, 0, t->ncols * sizeof(*row));
	t->nrows++;
	return row;
}

struct render_cell *render_table_cell(const struct render_table *t,
				      size_t row, size_t col)
{
	return &t->cells[row * t->ncols + col];
}

void render_cell_int(struct render_cell *c, uint64_t n)
{
	c->known = 1;
	c->n = n;
}

void render_cell_double(struct render_cell *c, double d, int known)
{
	c->known = !!known && isfinite(d);
	c->d = c->known ? d : 0;
}

void render_cell_str(struct render_cell *c, const char *s)
{
	free(c->s);
	c->s = s ? xstrdup(s) : NULL;
	c->known = !!s;
}

void render_cell_bool(struct render_cell *c, int b)
{
	c->known = 1;
	c->b = !!b;
}

size_t render_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* 1234 -> 1.2k, 41213 -> 41.2k, 1.2e6 -> 1.2M; v >= 999.5. */
static void add_scaled(struct strbuf *out, double v)
{
	static const char units[] = "kMGTPE";
	int u = -1;

	while (v >= 999.5 && u < (int)sizeof(units) - 2) {
		v /= 1000;
		u++;
	}
	if (u < 0)
		strbuf_addf(out, "%.0f", v);
	else if (v < 99.95)
		strbuf_addf(out, "%.1f%c", v, units[u]);
	else
		strbuf_addf(out, "%.0f%c", v, units[u]);
}

/* Text for people: control characters would reach the terminal. */
static void add_clean(struct strbuf *out, const char *s)
{
	for (; *s; s++)
		strbuf_addch(out, ((unsigned char)*s < 0x20 || *s == 0x7f) ?
			     ' ' : *s);
}

void render_human(struct strbuf *out, const struct render_col *col,
		  const struct render_cell *c)
{
	double d = c->d;

	if (!c->known) {
		/* A blank boolean is "no", not unknown. */
		if (col->kind != RENDER_BOOL)
			strbuf_addstr(out, UNKNOWN_MARK);
		return;
	}
	switch (col->kind) {
	case RENDER_INT:
		if (col->flags & RENDER_EXACT || c->n < 1000)
			strbuf_addf(out, "%" PRIu64, c->n);
		else
			add_scaled(out, (double)c->n);
		break;
	case RENDER_MONEY:
		if (d < 0) {
			strbuf_addch(out, '-');
			d = -d;
		}
		if (d > 0 && d < 0.005)
			strbuf_addstr(out, "<$0.01");
		else if (d < 999.995)
			strbuf_addf(out, "$%.2f", d);
		else {
			strbuf_addch(out, '$');
			add_scaled(out, d);
		}
		break;
	case RENDER_SHARE:
		d *= 100;
		if (d > 0 && d < 0.5)
			strbuf_addstr(out, "<1%");
		else
			strbuf_addf(out, "%.0f%%", d);
		break;
	case RENDER_NUMBER:
		if (d < 0) {
			strbuf_addch(out, '-');
			d = -d;
		}
		if (d < 9.95)
			strbuf_addf(out, "%.1f", d);
		else if (d < 999.5)
			strbuf_addf(out, "%.0f", d);
		else
			add_scaled(out, d);
		break;
	case RENDER_BOOL:
		if (c->b)
			strbuf_addstr(out, "yes");
		break;
	case RENDER_TEXT:
	case RENDER_FLAGS:
		add_clean(out, c->s ? c->s : "");
		break;
	}
}

static int kind_decimals(enum render_kind kind)
{
	switch (kind) {
	case RENDER_MONEY:
		return 6;
	case RENDER_SHARE:
		return 4;
	default:
		return 2;
	}
}

void render_json_number(struct strbuf *out, enum render_kind kind, double d)
{
	char buf[64];
	char *p;

	if (!isfinite(d)) {
		strbuf_addstr(out, "null");
		return;
	}
	snprintf(buf, sizeof(buf), "%.*f", kind_decimals(kind), d);
	/* Plain decimals: drop trailing zeros and a bare point. */
	if (strchr(buf, '.')) {
		p = buf + strlen(buf);
		while (p[-1] == '0')
			*--p = '\0';
		if (p[-1] == '.')
			*--p = '\0';
	}
	if (!strcmp(buf, "-0"))
		strcpy(buf, "0");
	strbuf_addstr(out, buf);
}

void render_raw(struct strbuf *out, const struct render_col *col,
		const struct render_cell *c)
{
	if (!c->known)
		return;
	switch (col->kind) {
	case RENDER_INT:
		strbuf_addf(out, "%" PRIu64, c->n);
		break;
	case RENDER_MONEY:
	case RENDER_SHARE:
	case RENDER_NUMBER:
		render_json_number(out, col->kind, c->d);
		break;
	case RENDER_BOOL:
		strbuf_addstr(out, c->b ? "true" : "false");
		break;
	case RENDER_TEXT:
	case RENDER_FLAGS:
		strbuf_addstr(out, c->s ? c->s : "");
		break;
	}
}

static int right_aligned(const struct render_col *col)
{
	return col->kind == RENDER_INT || col->kind == RENDER_SHARE ||
		col->kind == RENDER_MONEY || col->kind == RENDER_NUMBER;
}

/* Append s cut to w display columns, with an ellipsis when cut. */
static void add_cut(struct strbuf *out, const char *s, size_t w)
{
	size_t n = 0;
	const char *p;

	if (render_width(s) <= w) {
		strbuf_addstr(out, s);
		return;
	}
	if (!w)
		return;
	for (p = s; *p; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && ++n == w)
			break;
	}
	strbuf_add(out, s, p - s);
	strbuf_addstr(out, ELLIPSIS);
}

static const char *flag_color(const char *word, size_t len)
{
	static const struct {
		const char *word;
		const char *color;
	} map[] = {
		{ "burn", COLOR_RED },
		{ "rework", COLOR_RED },
		{ "no-ai", COLOR_YELLOW },
		{ "unknown", COLOR_CYAN },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (strlen(map[i].word) == len &&
		    !strncmp(map[i].word, word, len))
			return map[i].color;
	return NULL;
}

static void add_flags_colored(struct strbuf *out, const char *s)
{
	while (*s) {
		size_t len = strcspn(s, " ");
		const char *color = flag_color(s, len);

		if (color)
			strbuf_addstr(out, color);
		strbuf_add(out, s, len);
		if (color)
			strbuf_addstr(out, COLOR_RESET);
		s += len;
		for (; *s == ' '; s++)
			strbuf_addch(out, ' ');
	}
}

/*
 * Choose the columns and widths that fit in opts->width: flex columns
 * shrink to their minimum first, then the columns of highest priority
 * are dropped, and flex columns get back what is left.
 */
static void fit_columns(const struct render_table *t, char **txt,
			int width, size_t *w, int *vis)
{
	size_t nc = t->ncols, i, r, sum, nvis;
	size_t *nat = xcalloc(nc, sizeof(*nat));
	size_t *minw = xcalloc(nc, sizeof(*minw));

	for (i = 0; i < nc; i++) {
		const struct render_col *col = &t->cols[i];

		vis[i] = !(col->flags & RENDER_DATA_ONLY);
		nat[i] = render_width(col->name);
		for (r = 0; r < t->nrows; r++) {
			size_t cw = render_width(txt[r * nc + i]);

			if (cw > nat[i])
				nat[i] = cw;
		}
		minw[i] = nat[i];
		if (col->flags & RENDER_FLEX) {
			size_t m = col->min_width > 0 ? col->min_width : 8;

			if (m < render_width(col->name))
				m = render_width(col->name);
			if (m < minw[i])
				minw[i] = m;
		}
	}
	for (;;) {
		int drop = -1;

		sum = 0;
		nvis = 0;
		for (i = 0; i < nc; i++) {
			if (!vis[i])
				continue;
			sum += minw[i];
			nvis++;
			if (t->cols[i].priority > 0 &&
			    (drop < 0 ||
			     t->cols[i].priority >= t->cols[drop].priority))
				drop = i;
		}
		if (nvis)
			sum += COL_GAP * (nvis - 1);
		if (width <= 0 || sum <= (size_t)width || drop < 0)
			break;
		vis[drop] = 0;
	}
	for (i = 0; i < nc; i++) {
		size_t room, extra;

		w[i] = minw[i];
		if (!vis[i] || nat[i] == minw[i])
			continue;
		room = width > 0 && sum < (size_t)width ? width - sum : 0;
		if (width <= 0)
			room = nat[i];
		extra = nat[i] - minw[i] < room ? nat[i] - minw[i] : room;
		w[i] += extra;
		sum += extra;
	}
	free(nat);
	free(minw);
}

static void add_padded(struct strbuf *line, const struct render_col *col,
		       const char *s, size_t w, int last, int color)
{
	struct strbuf cut = STRBUF_INIT;
	size_t cw;

	add_cut(&cut, s, w);
	cw = render_width(cut.buf);
	if (right_aligned(col))
		strbuf_addchars(line, ' ', w - cw);
	if (color && col->kind == RENDER_FLAGS)
		add_flags_colored(line, cut.buf);
	else
		strbuf_addbuf(line, &cut);
	if (!right_aligned(col) && !last)
		strbuf_addchars(line, ' ', w - cw);
	strbuf_release(&cut);
}

void render_text(struct strbuf *out, const struct render_table *t,
		 const struct render_opts *opts)
{
	size_t nc = t->ncols, i, r, last = 0;
	char **txt = xcalloc(t->nrows * nc + 1, sizeof(*txt));
	size_t *w = xcalloc(nc + 1, sizeof(*w));
	int *vis = xcalloc(nc + 1, sizeof(*vis));
	struct strbuf sb = STRBUF_INIT, line = STRBUF_INIT;

	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < nc; i++) {
			strbuf_reset(&sb);
			render_human(&sb, &t->cols[i],
				     render_table_cell(t, r, i));
			txt[r * nc + i] = xstrdup(sb.buf);
		}
	}
	fit_columns(t, txt, opts->width, w, vis);
	for (i = 0; i < nc; i++)
		if (vis[i])
			last = i;

	for (r = 0; r <= t->nrows; r++) {
		int first = 1;

		strbuf_reset(&line);
		for (i = 0; i < nc; i++) {
			const char *s;

			if (!vis[i])
				continue;
			if (!first)
				strbuf_addchars(&line, ' ', COL_GAP);
			first = 0;
			s = r ? txt[(r - 1) * nc + i] : t->cols[i].name;
			add_padded(&line, &t->cols[i], s, w[i], i == last,
				   opts->color && r);
		}
		strbuf_rtrim(&line);
		if (!r && opts->color)
			strbuf_addf(out, "%s%s%s\n", COLOR_BOLD, line.buf,
				    COLOR_RESET);
		else
			strbuf_addf(out, "%s\n", line.buf);
	}

	for (i = 0; i < t->nrows * nc; i++)
		free(txt[i]);
	free(txt);
	free(w);
	free(vis);
	strbuf_release(&sb);
	strbuf_release(&line);
}

static int data_col(const struct render_col *col)
{
	return !(col->flags & (RENDER_HUMAN_ONLY | RENDER_TERM_ONLY));
}

void render_csv_field(struct strbuf *out, const char *s)
{
	const char *p;

	if (!strpbrk(s, ",\"\r\n")) {
		strbuf_addstr(out, s);
		return;
	}
	strbuf_addch(out, '"');
	for (p = s; *p; p++) {
		if (*p == '"')
			strbuf_addch(out, '"');
		strbuf_addch(out, *p);
	}
	strbuf_addch(out, '"');
}

void render_csv(struct strbuf *out, const struct render_table *t)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, r;

	for (r = 0; r <= t->nrows; r++) {
		int first = 1;

		for (i = 0; i < t->ncols; i++) {
			if (!data_col(&t->cols[i]))
				continue;
			if (!first)
				strbuf_addch(out, ',');
			first = 0;
			strbuf_reset(&sb);
			if (r)
				render_raw(&sb, &t->cols[i],
					   render_table_cell(t, r - 1, i));
			else
				strbuf_addstr(&sb, t->cols[i].key);
			render_csv_field(out, sb.buf);
		}
		strbuf_addstr(out, "\r\n");
	}
	strbuf_release(&sb);
}

static int markdown_col(const struct render_col *col)
{
	return !(col->flags & (RENDER_DATA_ONLY | RENDER_TERM_ONLY));
}

/* Keep a cell inside its table cell and out of inline math. */
static void add_markdown_escaped(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '$' || *s == '\\' || *s == '*' ||
		    *s == '_' || *s == '`' || *s == '<' || *s == '>')
			strbuf_addch(out, '\\');
		strbuf_addch(out, *s);
	}
}

/* The longest run of backticks in s. */
static size_t longest_backtick_run(const char *s)
{
	size_t run = 0, max = 0;

	for (; *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > max)
			max = run;
	}
	return max;
}

void render_markdown_code(struct strbuf *out, const char *s)
{
	size_t fence = longest_backtick_run(s) + 1, i;
	size_t len = strlen(s);
	int pad = len && (s[0] == '`' || s[len - 1] == '`');

	for (i = 0; i < fence; i++)
		strbuf_addch(out, '`');
	if (pad)
		strbuf_addch(out, ' ');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < ' ' || c == 0x7f)
			strbuf_addch(out, ' ');
		else if (c == '|')
			strbuf_addstr(out, "\\|");
		else if (c == '<' && !strncmp(s, "<!--", 4))
			/* a zero-width space: no comment marker in text */
			strbuf_addstr(out, "<\xe2\x80\x8b");
		else
			strbuf_addch(out, (char)c);
	}
	if (pad)
		strbuf_addch(out, ' ');
	for (i = 0; i < fence; i++)
		strbuf_addch(out, '`');
}

/* Letters, digits, blanks, '-', '(' and ')' only: no markup at all. */
static int plain_word(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(" -()", *s))
			return 0;
	return 1;
}

void render_markdown(struct strbuf *out, const struct render_table *t)
{
	struct strbuf sb = STRBUF_INIT;
	const struct render_cell *cell;
	size_t i, r;

	strbuf_addch(out, '|');
	for (i = 0; i < t->ncols; i++) {
		if (!markdown_col(&t->cols[i]))
			continue;
		strbuf_addch(out, ' ');
		add_markdown_escaped(out, t->cols[i].name);
		strbuf_addstr(out, " |");
	}
	strbuf_addstr(out, "\n|");
	for (i = 0; i < t->ncols; i++) {
		if (!markdown_col(&t->cols[i]))
			continue;
		strbuf_addstr(out, right_aligned(&t->cols[i]) ?
			      " ---: |" : " :--- |");
	}
	strbuf_addch(out, '\n');
	for (r = 0; r < t->nrows; r++) {
		strbuf_addch(out, '|');
		for (i = 0; i < t->ncols; i++) {
			if (!markdown_col(&t->cols[i]))
				continue;
			cell = render_table_cell(t, r, i);
			strbuf_reset(&sb);
			render_human(&sb, &t->cols[i], cell);
			strbuf_addch(out, ' ');
			if (t->cols[i].kind == RENDER_TEXT && cell->known &&
			    !plain_word(sb.buf))
				render_markdown_code(out, sb.buf);
			else
				add_markdown_escaped(out, sb.buf);
			strbuf_addstr(out, " |");
		}
		strbuf_addch(out, '\n');
	}
	strbuf_release(&sb);
}

static void json_flags(struct strbuf *out, const char *s)
{
	int first = 1;

	strbuf_addch(out, '[');
	while (*s) {
		size_t len = strcspn(s, " ");
		char *word;

		if (len) {
			word = xstrndup(s, len);
			if (!first)
				strbuf_addch(out, ',');
			first = 0;
			strbuf_add_json_str(out, word);
			free(word);
		}
		s += len;
		while (*s == ' ')
			s++;
	}
	strbuf_addch(out, ']');
}

void render_json_row(struct strbuf *out, const struct render_table *t,
		     size_t row, int skip_col)
{
	size_t i;
	int first = 1;

	strbuf_addch(out, '{');
	for (i = 0; i < t->ncols; i++) {
		const struct render_col *col = &t->cols[i];
		const struct render_cell *c = render_table_cell(t, row, i);

		if (!data_col(col) || (int)i == skip_col)
			continue;
		if (!first)
			strbuf_addch(out, ',');
		first = 0;
		strbuf_add_json_str(out, col->key);
		strbuf_addch(out, ':');
		if (!c->known)
			strbuf_addstr(out, "null");
		else if (col->kind == RENDER_TEXT)
			strbuf_add_json_str(out, c->s ? c->s : "");
		else if (col->kind == RENDER_FLAGS)
			json_flags(out, c->s ? c->s : "");
		else
			render_raw(out, col, c);  /* numbers are JSON as they are */
	}
	strbuf_addch(out, '}');
}

void render_json_rows(struct strbuf *out, const struct render_table *t,
		      size_t from, size_t to, const char *indent)
{
	size_t r;

	strbuf_addch(out, '[');
	for (r = from; r < to && r < t->nrows; r++) {
		strbuf_addf(out, "%s\n%s  ", r > from ? "," : "", indent);
		render_json_row(out, t, r, -1);
	}
	if (to > from && from < t->nrows)
		strbuf_addf(out, "\n%s", indent);
	strbuf_addch(out, ']');
}
