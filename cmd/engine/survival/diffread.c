/*
 * Reading git's answers: "git diff-tree --raw -z -p -U0" output, one
 * record (raw entries and their hunks) per commit or request, each
 * ended by the "@" line we ask git to echo after it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/die.h"
#include "engine/numstat.h"
#include "engine/survival/survival-internal.h"

int rd_more(struct rd *r)
{
	ssize_t n;

	if (r->eof || r->err)
		return 0;
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->alloc - r->len < 65536) {
		r->alloc = r->alloc ? r->alloc * 2 : (1 << 20);
		r->buf = xrealloc(r->buf, r->alloc);
	}
	do {
		n = read(r->fd, r->buf + r->len, r->alloc - r->len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		r->err = 1;
		return error_errno("cannot read the output of git");
	}
	if (!n) {
		r->eof = 1;
		return 0;
	}
	r->len += (size_t)n;
	return 1;
}

/* The next token ending in term (consumed, not included); NULL at the end. */
char *rd_token(struct rd *r, int term, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		char *start = r->buf + r->pos, *e = NULL;

		if (r->len > r->pos + scanned)
			e = memchr(start + scanned, term,
				   r->len - r->pos - scanned);
		if (e) {
			*len = (size_t)(e - start);
			r->pos += *len + 1;
			return start;
		}
		scanned = r->len - r->pos;
		if (rd_more(r) <= 0)
			return NULL;
	}
}

static int rd_peek(struct rd *r)
{
	if (r->pos == r->len && rd_more(r) <= 0)
		return -1;
	return (unsigned char)r->buf[r->pos];
}

int rd_hex_oid(unsigned char out[20], const char *p)
{
	char hex[41];

	memcpy(hex, p, 40);
	hex[40] = '\0';
	return oid_from_hex(out, hex);
}

/* ":100644 100644 <old> <new> R086" and the path(s) after it. */
static int read_raw_entry(struct rd *r, struct diff_record *rec)
{
	struct dentry *e;
	char *tok, *p;
	size_t len;

	tok = rd_token(r, '\0', &len);
	if (!tok || len < 2 * 40 + 4 * 1 + 3)
		return error("unexpected output from git diff-tree");
	ALLOC_GROW(rec->e, rec->nr + 1, rec->alloc);
	e = &rec->e[rec->nr];
	memset(e, 0, sizeof(*e));
	e->omode = (uint32_t)strtoul(tok + 1, &p, 8);
	if (*p != ' ')
		return error("unexpected output from git diff-tree");
	e->nmode = (uint32_t)strtoul(p + 1, &p, 8);
	if (*p != ' ' || (size_t)(p - tok) + 84 > len ||
	    rd_hex_oid(e->oblob, p + 1) || p[41] != ' ' ||
	    rd_hex_oid(e->nblob, p + 42) || p[82] != ' ')
		return error("unexpected output from git diff-tree");
	e->status = p[83];
	if (!strchr("ADMRCT", e->status))
		return error("unexpected change '%c' from git diff-tree",
			     e->status);
	tok = rd_token(r, '\0', &len);
	if (!tok)
		return error("unexpected output from git diff-tree");
	e->opath = e->npath = numstat_path_intern(tok, len);
	if (e->status == 'R' || e->status == 'C') {
		tok = rd_token(r, '\0', &len);
		if (!tok)
			return error("unexpected output from git diff-tree");
		e->npath = numstat_path_intern(tok, len);
	}
	rec->nr++;
	return 0;
}

static int parse_range(const char **p, uint32_t *start, uint32_t *count)
{
	char *end;

	*start = (uint32_t)strtoul(*p, &end, 10);
	*count = 1;
	if (*end == ',')
		*count = (uint32_t)strtoul(end + 1, &end, 10);
	*p = end;
	return 0;
}

/* "@@ -a,b +c,d @@ ...": the header, then its b + d lines, skipped. */
static int read_hunk(struct rd *r, struct diff_record *rec, char *tok,
		     size_t len)
{
	struct hunk h;
	const char *p = tok + 3;
	size_t n;

	if (len < 10 || *p != '-')
		return error("bad hunk header from git diff-tree");
	p++;
	parse_range(&p, &h.a, &h.b);
	if (p[0] != ' ' || p[1] != '+')
		return error("bad hunk header from git diff-tree");
	p += 2;
	parse_range(&p, &h.c, &h.d);
	ALLOC_GROW(rec->h, rec->nh + 1, rec->halloc);
	rec->h[rec->nh++] = h;
	for (n = (size_t)h.b + h.d; n; ) {
		tok = rd_token(r, '\n', &len);
		if (!tok)
			return error("git diff-tree stopped in a hunk");
		if (len && tok[0] == '\\')
			continue;  /* "\ No newline at end of file" */
		n--;
	}
	return 0;
}

/*
 * One answer: a header ended by head_term, -z raw entries, a NUL, the
 * -U0 patch, and the "@" line we asked git to echo after each request.
 * Returns 1, 0 at the end of the output, or -1.
 */
int diff_record_read(struct rd *r, struct diff_record *rec, int head_term)
{
	struct dentry *cur = NULL;
	size_t next = 0, len;
	char *tok;
	int ch, patches = 0;

	strbuf_reset(&rec->head);
	rec->nr = rec->nh = 0;
	tok = rd_token(r, head_term, &len);
	if (!tok)
		return r->err ? -1 : 0;
	strbuf_add(&rec->head, tok, len);
	while ((ch = rd_peek(r)) == ':')
		if (read_raw_entry(r, rec) < 0)
			return -1;
	/* the NUL before the patches; none when diffs are not asked for */
	if (ch == '\0') {
		r->pos++;
		patches = 1;
	}
	for (;;) {
		tok = rd_token(r, '\n', &len);
		if (!tok)
			return error("git diff-tree stopped early");
		if (len == 1 && tok[0] == '@')
			break;
		if (len > 11 && !memcmp(tok, "diff --git ", 11)) {
			/* a type change is a deletion, then a creation */
			if (!cur || cur->status != 'T' || cur->sections != 1) {
				if (next >= rec->nr)
					return error("git diff-tree gave more "
						     "patches than changes");
				cur = &rec->e[next++];
			}
			cur->sections++;
			cur->h = rec->nh;
			cur->nh = 0;
			cur->binary = 0;
			continue;
		}
		if (!cur)
			return error("unexpected output from git diff-tree");
		if (len > 3 && !memcmp(tok, "@@ ", 3)) {
			if (read_hunk(r, rec, tok, len) < 0)
				return -1;
			cur->nh++;
		} else if (len > 13 && !memcmp(tok, "Binary files ", 13)) {
			cur->binary = 1;
		}
	}
	if (patches && next != rec->nr)
		return error("git diff-tree gave fewer patches than changes");
	return 1;
}

void diff_record_release(struct diff_record *rec)
{
	strbuf_release(&rec->head);
	free(rec->e);
	free(rec->h);
}
