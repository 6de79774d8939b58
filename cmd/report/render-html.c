/*
 * The html format of the report: one self-contained page with
 * the report table and inline SVG charts. Nothing is loaded from
 * anywhere: no scripts, no external style sheets, fonts or images, and
 * a Content-Security-Policy that forbids them should any slip in. Every
 * piece of text is escaped; every number comes from metrics_compute().
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/die.h"
#include "model/change.h"
#include "report/metrics.h"
#include "report/render.h"
#include "report/report-opts.h"

/* Chart geometry, in SVG user units (CSS pixels). */
#define CHART_W 720
#define PAD_L 64
#define PAD_R 64
#define PAD_T 16
#define PAD_B 48
#define BAR_H 22
#define LABEL_W 180
#define MAX_BAR_W 48
#define WEEK_SECONDS (7 * 86400)
#define MAX_WEEKS 520
#define FONT_PX 12      /* the charts' text size */
#define TICK_DY 20      /* x tick labels below the axis */
#define SCATTER_H 360

static const char *const palette[] = {
	"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};
#define PALETTE_NR (sizeof(palette) / sizeof(*palette))

static const char css[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;"
	"margin:2em auto;max-width:1400px;padding:0 1em;color:#222;"
	"background:#fff}\n"
	"h1{font-size:1.5em;margin-bottom:.2em}\n"
	".wide{overflow-x:auto}\n"
	"h2{font-size:1.1em;margin:1.5em 0 .4em}\n"
	".meta{color:#555;margin-top:0}\n"
	"code{font-family:ui-monospace,monospace;font-size:.95em}\n"
	"table.report{border-collapse:collapse;font-variant-numeric:"
	"tabular-nums;font-size:.85em}\n"
	"table.report th,table.report td{padding:.3em .45em;"
	"border-bottom:1px solid #ddd;text-align:left;white-space:nowrap}\n"
	"table.report td.key{white-space:normal;min-width:9em;max-width:16em;"
	"overflow-wrap:anywhere}\n"
	"table.report .email{display:block;color:#666;font-size:.85em}\n"
	"table.report td.flags{white-space:normal;min-width:4em}\n"
	"table.report th{background:#f4f4f4}\n"
	"table.report .num{text-align:right}\n"
	"table.report tfoot td{font-weight:bold;border-top:2px solid #999}\n"
	".flag{display:inline-block;padding:0 .4em;margin-right:.2em;"
	"border-radius:.3em;background:#eee;font-size:.85em}\n"
	".flag-no-ai{background:#dde8f6}.flag-burn{background:#fbd9d3}\n"
	".flag-rework{background:#fdeccc}.flag-unknown{background:#e8e8e8}\n"
	".notes{color:#444;white-space:pre-wrap;font-size:.9em}\n"
	"figure{margin:1.5em 0}\n"
	"figcaption{font-weight:bold;margin-bottom:.4em}\n"
	"svg{max-width:100%;height:auto;font-size:12px;"
	"font-family:system-ui,sans-serif}\n"
	"svg .axis{stroke:#888;stroke-width:1}\n"
	"svg .grid{stroke:#e4e4e4;stroke-width:1}\n"
	"svg .empty{fill:#777}\n";

/* Text for HTML and SVG: the five characters that mean something. */
static void add_escaped(struct strbuf *out, const char *s)
{
	static const char *const entity[256] = {
		['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;",
		['"'] = "&quot;", ['\''] = "&#39;",
	};
	unsigned char c;

	for (; s && *s; s++) {
		c = (unsigned char)*s;
		if (entity[c])
			strbuf_addstr(out, entity[c]);
		else if (c < 0x20 && c != '\n' && c != '\t')
			/* Control characters have no place in a page. */
			strbuf_addch(out, ' ');
		else
			strbuf_addch(out, c);
	}
}

/* A number as the table shows it ("$3.41", "41.2k"). */
static void add_human(struct strbuf *out, enum render_kind kind, double d)
{
	struct render_col col = { "", "", kind, 0, 0, 0 };
	struct render_cell cell;
	struct strbuf sb = STRBUF_INIT;

	memset(&cell, 0, sizeof(cell));
	cell.known = 1;
	if (kind == RENDER_INT)
		cell.n = d > 0 ? (uint64_t)llround(d) : 0;
	else
		cell.d = d;
	render_human(&sb, &col, &cell);
	add_escaped(out, sb.buf);
	strbuf_release(&sb);
}

/* A tick step of 1, 2 or 5 times a power of ten, at least min_step. */
static double nice_step(double span, int ticks, double min_step)
{
	double raw = span / ticks, mag, r;

	if (!(raw > 0))
		return min_step > 0 ? min_step : 1;
	mag = pow(10, floor(log10(raw)));
	r = raw / mag;
	r = r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10;
	return r * mag < min_step ? min_step : r * mag;
}

struct axis {
	double max;     /* top of the scale */
	double step;
	enum render_kind kind;
};

static void axis_init(struct axis *a, double max, enum render_kind kind)
{
	a->kind = kind;
	a->step = nice_step(max, 4, kind == RENDER_INT ? 1 : 0);
	a->max = ceil(max / a->step) * a->step;
	if (!(a->max > 0))
		a->max = a->step * 4;
}

/* How many steps the axis has (its ticks are 0 .. max). */
static size_t axis_ticks(const struct axis *a)
{
	return (size_t)llround(a->max / a->step);
}

static void svg_open(struct strbuf *out, const char *id, int w, int h,
		     const char *label)
{
	strbuf_addf(out, "<svg id=\"%s\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		    "height=\"%d\" role=\"img\" aria-label=\"", id, w, h, w, h);
	add_escaped(out, label);
	strbuf_addstr(out, "\">\n");
}

static void svg_text(struct strbuf *out, double x, double y,
		     const char *anchor, const char *attrs, const char *text)
{
	strbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s>",
		    x, y, anchor, attrs ? " " : "", attrs ? attrs : "");
	add_escaped(out, text);
	strbuf_addstr(out, "</text>\n");
}

/* A horizontal grid line with its value, on the left or right side. */
static void svg_ytick(struct strbuf *out, const struct axis *a, double v,
		      double y, int right, int grid)
{
	struct strbuf label = STRBUF_INIT;

	if (grid)
		strbuf_addf(out, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" "
			    "x2=\"%d\" y2=\"%.1f\"/>\n", PAD_L, y,
			    CHART_W - PAD_R, y);
	add_human(&label, a->kind, v);
	/* add_human escaped it already: write it as it is. */
	strbuf_addf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"%s\">%s"
		    "</text>\n", right ? CHART_W - PAD_R + 6 : PAD_L - 6,
		    y + 4, right ? "start" : "end", label.buf);
	strbuf_release(&label);
}

static void add_empty(struct strbuf *out, const char *id, const char *why)
{
	svg_open(out, id, CHART_W, 60, why);
	svg_text(out, CHART_W / 2.0, 34, "middle", "class=\"empty\"", why);
	strbuf_addstr(out, "</svg>\n");
}

/* "Name <email>" -> "Name"; other keys as they are. */
static void key_label(struct strbuf *out, const char *key, int author)
{
	const char *lt = author ? strstr(key, " <") : NULL;

	strbuf_reset(out);
	if (lt && lt != key)
		strbuf_add(out, key, lt - key);
	else
		strbuf_addstr(out, key);
}

/*
 * The width of a 12 px chart text, from classes of characters. It errs
 * wide (DejaVu Sans, the widest common sans, plus a tenth) so that a
 * label placed by it fits whatever font the browser picks.
 */
static double text_px(const char *s)
{
	double em = 0;
	unsigned char c;

	for (; *s; s++) {
		c = (unsigned char)*s;
		if ((c & 0xc0) == 0x80)
			continue;
		if (c >= 0x80)
			em += 1.0;
		else if (strchr("mwMW@%&", c))
			em += 1.0;
		else if (strchr("ijlft.,:;'!|I -()[]/ ", c))
			em += 0.4;
		else if (c >= 'A' && c <= 'Z')
			em += 0.78;
		else
			em += 0.64;
	}
	return em * FONT_PX * 1.1;
}

/* As much of s as fits in max_px, "…" when cut. */
static void cut_label(struct strbuf *out, const char *s, double max_px)
{
	const char *p, *fit = s;
	struct strbuf head = STRBUF_INIT;

	strbuf_reset(out);
	if (text_px(s) <= max_px) {
		strbuf_addstr(out, s);
		return;
	}
	for (p = s; *p; p++) {
		if (((unsigned char)*p & 0xc0) == 0x80)
			continue;
		strbuf_reset(&head);
		strbuf_add(&head, s, p - s);
		strbuf_addstr(&head, "\xe2\x80\xa6");
		if (text_px(head.buf) > max_px)
			break;
		fit = p;
	}
	strbuf_add(out, s, fit - s);
	strbuf_addstr(out, "\xe2\x80\xa6");
	strbuf_release(&head);
}

struct box {
	double x0, y0, x1, y1;
};

/* The box of a chart text whose baseline starts or ends at x, y. */
static struct box text_box(double x, double y, double w, int end)
{
	struct box b;

	b.x0 = end ? x - w : x;
	b.x1 = b.x0 + w;
	b.y0 = y - FONT_PX;
	b.y1 = y + FONT_PX / 3.0;
	return b;
}

static int box_clear(const struct box *b, const struct box *in,
		     const struct box *taken, size_t nr)
{
	size_t i;

	if (b->x0 < in->x0 || b->y0 < in->y0 || b->x1 > in->x1 ||
	    b->y1 > in->y1)
		return 0;
	for (i = 0; i < nr; i++)
		if (b->x0 < taken[i].x1 && taken[i].x0 < b->x1 &&
		    b->y0 < taken[i].y1 && taken[i].y0 < b->y1)
			return 0;
	return 1;
}

static double scatter_value(const struct metrics_row *r, int use_surviving)
{
	return use_surviving ? (double)r->surviving_priced :
		(double)r->added_priced;
}

/*
 * The points, each labelled beside it where the label stays in the
 * plot and clear of every point and label so far (right or left, above
 * or below); a point with no such place keeps only its tooltip. Returns
 * how many points have no label.
 */
static size_t scatter_points(struct strbuf *out,
			     const struct metrics_report *m,
			     const struct axis *ax, const struct axis *ay,
			     int use_surviving)
{
	static const struct {
		double dx, dy;
		int end;
	} spot[] = { { 8, -7, 0 }, { -8, -7, 1 }, { 8, 17, 0 }, { -8, 17, 1 } };
	const double pw = CHART_W - PAD_L - PAD_R;
	const double ph = SCATTER_H - PAD_T - PAD_B;
	const struct box plot = { PAD_L + 1, 1, CHART_W - 1, PAD_T + ph - 1 };
	struct strbuf name = STRBUF_INIT, label = STRBUF_INIT;
	struct box *taken = xcalloc(2 * m->nr + 1, sizeof(*taken));
	size_t i, k, nr = 0, unlabelled = 0;
	double *xy = xcalloc(2 * m->nr + 1, sizeof(*xy));

	for (i = 0; i < m->nr; i++) {
		const struct metrics_row *r = &m->rows[i];

		xy[2 * i] = PAD_L + r->cost / ax->max * pw;
		xy[2 * i + 1] = PAD_T + ph - scatter_value(r, use_surviving) /
			ay->max * ph;
		if (!r->cost_known || !(r->cost > 0))
			continue;
		taken[nr].x0 = xy[2 * i] - 6;
		taken[nr].x1 = xy[2 * i] + 6;
		taken[nr].y0 = xy[2 * i + 1] - 6;
		taken[nr++].y1 = xy[2 * i + 1] + 6;
	}
	for (i = 0; i < m->nr; i++) {
		const struct metrics_row *r = &m->rows[i];
		double x = xy[2 * i], y = xy[2 * i + 1], w;

		if (!r->cost_known || !(r->cost > 0))
			continue;
		strbuf_addf(out, "<g class=\"point\"><circle cx=\"%.1f\" "
			    "cy=\"%.1f\" r=\"5\" fill=\"%s\"><title>", x, y,
			    palette[i % PALETTE_NR]);
		add_escaped(out, r->key);
		strbuf_addstr(out, ": ");
		add_human(out, RENDER_MONEY, r->cost);
		strbuf_addf(out, ", %" PRIu64 " %s</title></circle>",
			    use_surviving ? r->surviving_priced :
			    r->added_priced,
			    use_surviving ? "surviving lines with usage" :
			    "+lines with usage");
		key_label(&name, r->key, 1);
		cut_label(&label, name.buf, LABEL_W);
		w = text_px(label.buf);
		for (k = 0; k < ARRAY_SIZE(spot); k++) {
			struct box b = text_box(x + spot[k].dx, y + spot[k].dy,
						w, spot[k].end);

			if (!box_clear(&b, &plot, taken, nr))
				continue;
			taken[nr++] = b;
			svg_text(out, x + spot[k].dx, y + spot[k].dy,
				 spot[k].end ? "end" : "start", NULL,
				 label.buf);
			break;
		}
		if (k == ARRAY_SIZE(spot))
			unlabelled++;
		strbuf_addstr(out, "</g>\n");
	}
	free(taken);
	free(xy);
	strbuf_release(&name);
	strbuf_release(&label);
	return unlabelled;
}

/*
 * --- cost against the lines it bought, one point per author ------------
 * The slope of a point is its lines/$: the lines of changes with usage.
 */

static void chart_scatter(struct strbuf *out, const struct metrics_report *m)
{
	struct strbuf title = STRBUF_INIT, sb = STRBUF_INIT;
	struct axis ax, ay;
	double maxx = 0, maxy = 0;
	int use_surviving = 1;
	size_t i, plotted = 0, skipped = 0, unlabelled = 0;
	const int h = SCATTER_H;
	const double pw = CHART_W - PAD_L - PAD_R, ph = h - PAD_T - PAD_B;

	for (i = 0; i < m->nr; i++) {
		const struct metrics_row *r = &m->rows[i];

		if (!r->cost_known || !(r->cost > 0)) {
			skipped++;
			continue;
		}
		plotted++;
		if (!r->surviving_known)
			use_surviving = 0;
	}
	for (i = 0; i < m->nr; i++) {
		const struct metrics_row *r = &m->rows[i];
		double y = scatter_value(r, use_surviving);

		if (!r->cost_known || !(r->cost > 0))
			continue;
		maxx = r->cost > maxx ? r->cost : maxx;
		maxy = y > maxy ? y : maxy;
	}

	if (use_surviving)
		strbuf_addstr(&title, "Cost against the surviving lines of "
			      "changes with usage, per author");
	else
		strbuf_addstr(&title, "Cost against the +lines of landed "
			      "changes with usage, per author (surviving lines "
			      "unknown: +lines instead)");
	strbuf_addstr(out, "<figure id=\"chart-scatter\">\n<figcaption>");
	add_escaped(out, title.buf);
	strbuf_addstr(out, "</figcaption>\n");
	if (!plotted) {
		add_empty(out, "svg-scatter", "no author has usage with a "
			  "known cost");
		goto done;
	}

	axis_init(&ax, maxx, RENDER_MONEY);
	axis_init(&ay, maxy, RENDER_INT);
	svg_open(out, "svg-scatter", CHART_W, h, title.buf);
	for (i = 0; i <= axis_ticks(&ay); i++) {
		double v = ay.step * i;

		svg_ytick(out, &ay, v, PAD_T + ph - v / ay.max * ph, 0, 1);
	}
	for (i = 0; i <= axis_ticks(&ax); i++) {
		double v = ax.step * i, x = PAD_L + v / ax.max * pw;

		strbuf_reset(&sb);
		add_human(&sb, RENDER_MONEY, v);
		strbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"middle\">%s</text>\n", x,
			    PAD_T + ph + TICK_DY, sb.buf);
	}
	strbuf_addf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" "
		    "x2=\"%d\" y2=\"%.1f\"/>\n", PAD_L, PAD_T + ph,
		    CHART_W - PAD_R, PAD_T + ph);
	strbuf_addf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" "
		    "x2=\"%d\" y2=\"%.1f\"/>\n", PAD_L, PAD_T, PAD_L,
		    PAD_T + ph);
	svg_text(out, PAD_L + pw / 2, h - 8, "middle", NULL, "cost (USD)");
	strbuf_addf(out, "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" "
		    "transform=\"rotate(-90 14 %.1f)\">%s</text>\n",
		    PAD_T + ph / 2, PAD_T + ph / 2,
		    use_surviving ? "surviving lines" : "+lines");

	unlabelled = scatter_points(out, m, &ax, &ay, use_surviving);
	strbuf_addstr(out, "</svg>\n");
	if (skipped) {
		strbuf_addf(out, "<p class=\"notes\">%zu author%s without a "
			    "known cost %s not plotted.</p>\n", skipped,
			    skipped == 1 ? "" : "s",
			    skipped == 1 ? "is" : "are");
	}
	if (unlabelled)
		strbuf_addf(out, "<p class=\"notes\">%zu point%s without a "
			    "label, for want of room: %s name%s the author."
			    "</p>\n", unlabelled, unlabelled == 1 ? "" : "s",
			    unlabelled == 1 ? "its tooltip" : "their tooltips",
			    unlabelled == 1 ? "s" : "");
done:
	strbuf_addstr(out, "</figure>\n");
	strbuf_release(&title);
	strbuf_release(&sb);
}

/* --- weekly landed lines (bars) and cost (line) ----------------------- */

struct week {
	char key[16];
	const struct metrics_row *row;  /* NULL: a week without changes */
};

/* Every ISO week from the oldest change to the newest, gaps included. */
static size_t weeks_list(struct week **out, const struct change *c,
			 size_t nr, const struct metrics_report *m)
{
	struct week *w = NULL;
	size_t n = 0, alloc = 0, i;
	int64_t lo = INT64_MAX, hi = INT64_MIN, t;

	for (i = 0; i < nr; i++) {
		lo = c[i].author_time < lo ? c[i].author_time : lo;
		hi = c[i].author_time > hi ? c[i].author_time : hi;
	}
	if (!nr)
		return 0;
	/* Years of history: the newest weeks are the ones worth bars. */
	if ((hi - lo) / WEEK_SECONDS > MAX_WEEKS)
		lo = hi - (int64_t)MAX_WEEKS * WEEK_SECONDS;
	for (t = lo; ; t += WEEK_SECONDS) {
		char key[16];

		if (t > hi)
			t = hi;
		metrics_key_week(t, key);
		if (!n || strcmp(w[n - 1].key, key)) {
			ALLOC_GROW(w, n + 1, alloc);
			memcpy(w[n].key, key, sizeof(key));
			w[n].row = NULL;
			for (i = 0; i < m->nr; i++)
				if (!strcmp(m->rows[i].key, key))
					w[n].row = &m->rows[i];
			n++;
		}
		if (t == hi)
			break;
	}
	*out = w;
	return n;
}

static void chart_weekly(struct strbuf *out, const struct change *c,
			 size_t nr, const struct metrics_report *m)
{
	struct week *w = NULL;
	struct strbuf sb = STRBUF_INIT, line = STRBUF_INIT;
	struct axis al, ac;
	double maxl = 0, maxc = 0, slot, bw;
	size_t n = weeks_list(&w, c, nr, m), i, every;
	int any_cost = 0;       /* weeks with a known cost */
	const int h = 320;
	const double pw = CHART_W - PAD_L - PAD_R, ph = h - PAD_T - PAD_B;

	strbuf_addstr(out, "<figure id=\"chart-weekly\">\n<figcaption>"
		      "Landed lines (bars) and cost (line), per week"
		      "</figcaption>\n");
	if (!n) {
		add_empty(out, "svg-weekly", "no changes in range");
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (!w[i].row)
			continue;
		if ((double)w[i].row->lines_added > maxl)
			maxl = (double)w[i].row->lines_added;
		if (w[i].row->cost_known) {
			any_cost++;
			maxc = w[i].row->cost > maxc ? w[i].row->cost : maxc;
		}
	}
	axis_init(&al, maxl, RENDER_INT);
	axis_init(&ac, maxc, RENDER_MONEY);
	svg_open(out, "svg-weekly", CHART_W, h,
		 "landed lines and cost per week");
	for (i = 0; i <= axis_ticks(&al); i++)
		svg_ytick(out, &al, al.step * i,
			  PAD_T + ph - al.step * i / al.max * ph, 0, 1);
	for (i = 0; any_cost && i <= axis_ticks(&ac); i++)
		svg_ytick(out, &ac, ac.step * i,
			  PAD_T + ph - ac.step * i / ac.max * ph, 1, 0);
	slot = pw / (double)n;
	bw = slot * 0.7 > 1 ? slot * 0.7 : 1;
	bw = bw > MAX_BAR_W ? MAX_BAR_W : bw;
	/* Every k-th week is labelled, k as small as lets labels fit. */
	every = (size_t)ceil((text_px(w[0].key) + 8) / slot);
	for (i = 0; i < n; i++) {
		double x = PAD_L + slot * i + (slot - bw) / 2;
		uint64_t lines = w[i].row ? w[i].row->lines_added : 0;
		double bh = (double)lines / al.max * ph;

		strbuf_addf(out, "<rect class=\"bar\" x=\"%.2f\" y=\"%.2f\" "
			    "width=\"%.2f\" height=\"%.2f\" fill=\"%s\">"
			    "<title>", x, PAD_T + ph - bh, bw, bh, palette[0]);
		add_escaped(out, w[i].key);
		strbuf_addf(out, ": %" PRIu64 " landed +lines", lines);
		if (w[i].row && w[i].row->cost_known) {
			strbuf_addstr(out, ", ");
			add_human(out, RENDER_MONEY, w[i].row->cost);
		}
		strbuf_addstr(out, "</title></rect>\n");
		if (i % every == 0)
			svg_text(out, PAD_L + slot * i + slot / 2,
				 PAD_T + ph + TICK_DY, "middle", NULL,
				 w[i].key);
	}
	/* The cost line joins the weeks that have a known cost. */
	for (i = 0; any_cost && i < n; i++) {
		double x = PAD_L + slot * i + slot / 2, y;

		if (!w[i].row || !w[i].row->cost_known)
			continue;
		y = PAD_T + ph - w[i].row->cost / ac.max * ph;
		strbuf_addf(&line, "%s%.2f,%.2f", line.len ? " " : "", x, y);
		strbuf_addf(&sb, "<circle class=\"cost\" cx=\"%.2f\" "
			    "cy=\"%.2f\" r=\"%d\" fill=\"%s\"/>\n", x, y,
			    /* A line of one point is no line: a marker. */
			    any_cost == 1 ? 6 : 3, palette[1]);
	}
	if (line.len)
		strbuf_addf(out, "<polyline class=\"cost\" fill=\"none\" "
			    "stroke=\"%s\" stroke-width=\"2\" "
			    "points=\"%s\"/>\n", palette[1], line.buf);
	strbuf_addbuf(out, &sb);
	strbuf_addf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" "
		    "x2=\"%d\" y2=\"%.1f\"/>\n", PAD_L, PAD_T + ph,
		    CHART_W - PAD_R, PAD_T + ph);
	strbuf_addf(out, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" "
		    "fill=\"%s\"/>\n", PAD_L, h - 18, palette[0]);
	svg_text(out, PAD_L + 14, h - 9, "start", NULL,
		 "landed +lines (left axis)");
	if (any_cost) {
		strbuf_addf(out, "<rect x=\"%d\" y=\"%d\" width=\"10\" "
			    "height=\"10\" fill=\"%s\"/>\n", PAD_L + 220,
			    h - 18, palette[1]);
		svg_text(out, PAD_L + 234, h - 9, "start", NULL,
			 "cost, USD (right axis)");
	} else {
		svg_text(out, PAD_L + 220, h - 9, "start",
			 "class=\"empty\"", "no known cost in range");
	}
	strbuf_addstr(out, "</svg>\n");
done:
	strbuf_addstr(out, "</figure>\n");
	free(w);
	strbuf_release(&sb);
	strbuf_release(&line);
}

/* --- cost by tool, by model: horizontal bars -------------------------- */

static int cmp_cost_desc(const void *va, const void *vb)
{
	const struct metrics_row *a = *(const struct metrics_row * const *)va;
	const struct metrics_row *b = *(const struct metrics_row * const *)vb;

	if (a->cost != b->cost)
		return a->cost > b->cost ? -1 : 1;
	return strcmp(a->key, b->key);
}

static void chart_hbars(struct strbuf *out, const char *id,
			const char *title, const struct metrics_report *m)
{
	const struct metrics_row **v = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct axis ax;
	size_t n = 0, i;
	double maxc = 0, pw;
	int h;

	strbuf_addf(out, "<figure id=\"chart-%s\">\n<figcaption>", id);
	add_escaped(out, title);
	strbuf_addstr(out, "</figcaption>\n");
	if (m->nr)
		v = xcalloc(m->nr, sizeof(*v));
	for (i = 0; i < m->nr; i++)
		if (m->rows[i].cost_known && m->rows[i].cost > 0) {
			v[n++] = &m->rows[i];
			if (m->rows[i].cost > maxc)
				maxc = m->rows[i].cost;
		}
	strbuf_addf(&sb, "svg-%s", id);
	if (!n) {
		add_empty(out, sb.buf, "no usage with a known cost");
		goto done;
	}
	qsort(v, n, sizeof(*v), cmp_cost_desc);
	axis_init(&ax, maxc, RENDER_MONEY);
	h = PAD_T + (int)n * (BAR_H + 6) + 28;
	pw = CHART_W - LABEL_W - PAD_R;
	svg_open(out, sb.buf, CHART_W, h, title);
	for (i = 0; i < n; i++) {
		double y = PAD_T + i * (BAR_H + 6.0);
		double bw = v[i]->cost / ax.max * pw;

		cut_label(&sb, v[i]->key, LABEL_W - 12);
		svg_text(out, LABEL_W - 8, y + BAR_H * 0.7, "end", NULL,
			 sb.buf);
		strbuf_addf(out, "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" "
			    "width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>",
			    LABEL_W, y, bw < 1 ? 1 : bw, BAR_H,
			    palette[i % PALETTE_NR]);
		add_escaped(out, v[i]->key);
		strbuf_addstr(out, ": ");
		add_human(out, RENDER_MONEY, v[i]->cost);
		strbuf_addstr(out, "</title></rect>\n");
		strbuf_reset(&sb);
		add_human(&sb, RENDER_MONEY, v[i]->cost);
		strbuf_addf(out, "<text class=\"value\" x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"start\">%s</text>\n",
			    LABEL_W + (bw < 1 ? 1 : bw) + 6, y + BAR_H * 0.7,
			    sb.buf);
	}
	strbuf_addf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
		    "y2=\"%d\"/>\n", LABEL_W, PAD_T - 4, LABEL_W, h - 24);
	for (i = 0; i <= axis_ticks(&ax); i++) {
		double val = ax.step * i;

		strbuf_reset(&sb);
		add_human(&sb, RENDER_MONEY, val);
		strbuf_addf(out, "<text x=\"%.1f\" y=\"%d\" "
			    "text-anchor=\"middle\">%s</text>\n",
			    LABEL_W + val / ax.max * pw, h - 8, sb.buf);
	}
	strbuf_addstr(out, "</svg>\n");
done:
	strbuf_addstr(out, "</figure>\n");
	free(v);
	strbuf_release(&sb);
}

/* --- the table -------------------------------------------------------- */

static int html_col(const struct render_col *col)
{
	return !(col->flags & (RENDER_DATA_ONLY | RENDER_TERM_ONLY));
}

static int numeric_col(const struct render_col *col)
{
	return col->kind == RENDER_INT || col->kind == RENDER_SHARE ||
		col->kind == RENDER_MONEY || col->kind == RENDER_NUMBER;
}

static void add_flags(struct strbuf *out, const char *s)
{
	while (s && *s) {
		size_t len = strcspn(s, " ");
		struct strbuf word = STRBUF_INIT;

		if (len) {
			strbuf_add(&word, s, len);
			strbuf_addstr(out, "<span class=\"flag flag-");
			add_escaped(out, word.buf);
			strbuf_addstr(out, "\">");
			add_escaped(out, word.buf);
			strbuf_addstr(out, "</span>");
		}
		strbuf_release(&word);
		s += len;
		while (*s == ' ')
			s++;
	}
}

/*
 * A key that may be long ("Name <e-mail>") wraps in its cell, the
 * e-mail on a line of its own.
 */
static void add_key(struct strbuf *out, const char *s)
{
	struct strbuf name = STRBUF_INIT;

	key_label(&name, s, 1);
	add_escaped(out, name.buf);
	if (name.len < strlen(s)) {
		strbuf_addstr(out, " <span class=\"email\">");
		add_escaped(out, s + name.len + 1);
		strbuf_addstr(out, "</span>");
	}
	strbuf_release(&name);
}

static void add_row(struct strbuf *out, const struct render_table *t,
		    size_t r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_addstr(out, "<tr>");
	for (i = 0; i < t->ncols; i++) {
		const struct render_col *col = &t->cols[i];
		const struct render_cell *cell = render_table_cell(t, r, i);

		if (!html_col(col))
			continue;
		strbuf_addstr(out, numeric_col(col) ? "<td class=\"num\">" :
			      col->kind == RENDER_FLAGS ?
			      "<td class=\"flags\">" :
			      col->flags & RENDER_FLEX ? "<td class=\"key\">" :
			      "<td>");
		if (col->kind == RENDER_FLAGS && cell->known) {
			add_flags(out, cell->s);
		} else {
			strbuf_reset(&sb);
			render_human(&sb, col, cell);
			if (col->flags & RENDER_FLEX)
				add_key(out, sb.buf);
			else
				add_escaped(out, sb.buf);
		}
		strbuf_addstr(out, "</td>");
	}
	strbuf_addstr(out, "</tr>\n");
	strbuf_release(&sb);
}

static void add_table(struct strbuf *out, const struct render_table *t,
		      size_t foot)
{
	size_t i, r, body = t->nrows > foot ? t->nrows - foot : 0;

	strbuf_addstr(out, "<table class=\"report\" id=\"report\">\n"
		      "<thead><tr>");
	for (i = 0; i < t->ncols; i++) {
		if (!html_col(&t->cols[i]))
			continue;
		strbuf_addstr(out, numeric_col(&t->cols[i]) ?
			      "<th class=\"num\">" : "<th>");
		add_escaped(out, t->cols[i].name);
		strbuf_addstr(out, "</th>");
	}
	strbuf_addstr(out, "</tr></thead>\n<tbody>\n");
	for (r = 0; r < body; r++)
		add_row(out, t, r);
	strbuf_addstr(out, "</tbody>\n");
	if (body < t->nrows) {
		strbuf_addstr(out, "<tfoot>\n");
		for (r = body; r < t->nrows; r++)
			add_row(out, t, r);
		strbuf_addstr(out, "</tfoot>\n");
	}
	strbuf_addstr(out, "</table>\n");
}

static void add_meta(struct strbuf *out, const char *label, const char *v,
		     int *first)
{
	if (!v)
		return;
	if (!*first)
		strbuf_addstr(out, " &middot; ");
	*first = 0;
	add_escaped(out, label);
	strbuf_addstr(out, " <code>");
	add_escaped(out, v);
	strbuf_addstr(out, "</code>");
}

int render_html(struct strbuf *out, const struct render_html_input *in)
{
	struct metrics_report by_author = METRICS_REPORT_INIT;
	struct metrics_report by_week = METRICS_REPORT_INIT;
	struct metrics_report by_tool = METRICS_REPORT_INIT;
	struct metrics_report by_model = METRICS_REPORT_INIT;
	const char *title = in->title ? in->title : "git tokens report";
	int first = 1, ret = 0;

	/* The charts have keys of their own, whatever --by the table has. */
	if (metrics_compute(&by_author, in->changes, in->nr,
			    METRICS_BY_AUTHOR, NULL) < 0 ||
	    metrics_compute(&by_week, in->changes, in->nr, METRICS_BY_WEEK,
			    NULL) < 0 ||
	    metrics_compute(&by_tool, in->changes, in->nr, METRICS_BY_TOOL,
			    NULL) < 0 ||
	    metrics_compute(&by_model, in->changes, in->nr, METRICS_BY_MODEL,
			    NULL) < 0) {
		ret = -1;
		goto cleanup;
	}

	strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		      "<meta charset=\"utf-8\">\n"
		      "<meta http-equiv=\"Content-Security-Policy\" "
		      "content=\"default-src 'none'; style-src 'unsafe-inline'"
		      "\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, "
		      "initial-scale=1\">\n"
		      "<meta name=\"generator\" content=\"git-tokens\">\n"
		      "<title>");
	add_escaped(out, title);
	strbuf_addf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n"
		    "<h1>", css);
	add_escaped(out, title);
	strbuf_addstr(out, "</h1>\n<p class=\"meta\">");
	add_meta(out, "range", in->range, &first);
	add_meta(out, "mainline", in->mainline ? in->mainline : "(none)",
		 &first);
	add_meta(out, "generated", in->generated, &first);
	strbuf_addstr(out, "</p>\n");

	strbuf_addstr(out, "<div class=\"wide\">\n");
	add_table(out, in->table, in->foot);
	strbuf_addstr(out, "</div>\n");
	if (in->notes && *in->notes) {
		strbuf_addstr(out, "<p class=\"notes\" id=\"coverage\">");
		add_escaped(out, in->notes);
		strbuf_addstr(out, "</p>\n");
	}

	strbuf_addstr(out, "<h2>Charts</h2>\n");
	chart_scatter(out, &by_author);
	chart_weekly(out, in->changes, in->nr, &by_week);
	chart_hbars(out, "tool", "Cost by tool", &by_tool);
	chart_hbars(out, "model", "Cost by model", &by_model);
	strbuf_addstr(out, "</body>\n</html>\n");
cleanup:
	metrics_report_release(&by_author);
	metrics_report_release(&by_week);
	metrics_report_release(&by_tool);
	metrics_report_release(&by_model);
	return ret;
}

int render_html_report(struct strbuf *out, const char *title,
		       const struct report_opts *o,
		       const struct change_set *set,
		       const struct render_table *t, size_t foot,
		       const char *notes)
{
	struct render_html_input in;
	struct strbuf range = STRBUF_INIT, now = STRBUF_INIT;
	int ret;

	if (report_generated(&now) < 0) {
		ret = -1;
		goto cleanup;
	}
	report_range(&range, o, 1);
	memset(&in, 0, sizeof(in));
	in.title = title;
	in.range = range.buf;
	in.mainline = set->mainline_ref;
	in.generated = now.buf;
	in.table = t;
	in.foot = foot;
	in.notes = notes;
	in.changes = set->c;
	in.nr = set->nr;
	ret = render_html(out, &in);
cleanup:
	strbuf_release(&range);
	strbuf_release(&now);
	return ret;
}
