/* Commit-message trailers, found the way git's trailer.c finds them. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/die.h"
#include "base/strbuf.h"
#include "model/trailers.h"

struct line {
	const char *p;
	size_t len;
};

/* Trailers git writes itself; they let a mixed block count. */
static const char *const generated_prefixes[] = {
	"Signed-off-by: ",
	"(cherry picked from commit ",
};

static int is_blank(const struct line *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (!isspace((unsigned char)l->p[i]))
			return 0;
	return 1;
}

static int is_comment(const struct line *l)
{
	return l->len && l->p[0] == '#';
}

static int has_prefix(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->len >= n && !memcmp(l->p, prefix, n);
}

static int is_generated(const struct line *l)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(generated_prefixes); i++)
		if (has_prefix(l, generated_prefixes[i]))
			return 1;
	return 0;
}

/*
 * "Token: value": letters, digits and '-', optional blanks, ':'.
 * Returns the position of the ':' (> 0) with the token length in
 * *tok_len, or 0 when the line is not a trailer.
 */
static size_t trailer_sep(const struct line *l, size_t *tok_len)
{
	size_t i = 0;

	while (i < l->len && (isalnum((unsigned char)l->p[i]) ||
			      l->p[i] == '-'))
		i++;
	if (!i)
		return 0;
	*tok_len = i;
	while (i < l->len && (l->p[i] == ' ' || l->p[i] == '\t'))
		i++;
	return i < l->len && l->p[i] == ':' ? i : 0;
}

static size_t split_lines(const char *msg, size_t len, struct line **out)
{
	struct line *v = NULL;
	size_t nr = 0, alloc = 0;
	const char *p = msg, *end = msg + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		ALLOC_GROW(v, nr + 1, alloc);
		v[nr].p = p;
		v[nr].len = n && p[n - 1] == '\r' ? n - 1 : n;
		nr++;
		p += n + (nl ? 1 : 0);
	}
	*out = v;
	return nr;
}

static void add_value(struct strbuf *sb, const char *p, size_t len)
{
	while (len && isspace((unsigned char)*p))
		p++, len--;
	while (len && isspace((unsigned char)p[len - 1]))
		len--;
	if (sb->len && len)
		strbuf_addch(sb, ' ');
	strbuf_add(sb, p, len);
}

static void push_trailer(struct trailer_list *out, const char *key,
			 size_t key_len, struct strbuf *value)
{
	ALLOC_GROW(out->v, out->nr + 1, out->alloc);
	out->v[out->nr].key = xstrndup(key, key_len);
	out->v[out->nr].value = strbuf_detach(value, NULL);
	out->nr++;
}

/* The first line of the trailer block, or nr when there is none. */
static size_t block_start(const struct line *l, size_t nr)
{
	size_t title_end, i, trailers = 0, others = 0, maybe_cont = 0;
	int recognized = 0;

	/* The first paragraph is the subject: never trailers. */
	for (title_end = 0; title_end < nr; title_end++)
		if (!is_comment(&l[title_end]) && is_blank(&l[title_end]))
			break;
	for (i = nr; i > title_end; i--) {
		const struct line *cur = &l[i - 1];
		size_t tok;

		if (is_comment(cur))
			continue;
		if (is_blank(cur)) {
			if (recognized && trailers * 3 >= others)
				return i;
			if (trailers && !others)
				return i;
			return nr;
		}
		if (is_generated(cur)) {
			trailers++;
			trailers += maybe_cont;
			maybe_cont = 0;
			recognized = 1;
		} else if (trailer_sep(cur, &tok)) {
			trailers++;
			trailers += maybe_cont;
			maybe_cont = 0;
		} else if (isspace((unsigned char)cur->p[0])) {
			maybe_cont++;
		} else {
			others++;
			others += maybe_cont;
			maybe_cont = 0;
		}
	}
	return nr;
}

void trailers_parse(struct trailer_list *out, const char *msg, size_t len)
{
	struct line *l = NULL;
	struct strbuf value = STRBUF_INIT;
	const char *key = NULL;
	size_t nr, i, start, key_len = 0;

	nr = split_lines(msg, len, &l);
	/* Trailing blank and comment lines are not part of the message. */
	while (nr && (is_blank(&l[nr - 1]) || is_comment(&l[nr - 1])))
		nr--;
	start = block_start(l, nr);
	for (i = start; i < nr; i++) {
		size_t tok, sep;

		if (is_comment(&l[i]))
			continue;
		if (key && l[i].len && isspace((unsigned char)l[i].p[0])) {
			add_value(&value, l[i].p, l[i].len);
			continue;
		}
		if (key)
			push_trailer(out, key, key_len, &value);
		key = NULL;
		sep = trailer_sep(&l[i], &tok);
		if (!sep)
			continue;  /* "(cherry picked ..." has no token */
		key = l[i].p;
		key_len = tok;
		strbuf_reset(&value);
		add_value(&value, l[i].p + sep + 1, l[i].len - sep - 1);
	}
	if (key)
		push_trailer(out, key, key_len, &value);
	strbuf_release(&value);
	free(l);
}

void trailer_list_release(struct trailer_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++) {
		free(list->v[i].key);
		free(list->v[i].value);
	}
	free(list->v);
	list->v = NULL;
	list->nr = list->alloc = 0;
}

size_t trailers_count(const struct trailer_list *list, const char *key)
{
	size_t i, n = 0;

	for (i = 0; i < list->nr; i++)
		if (!strcasecmp(list->v[i].key, key))
			n++;
	return n;
}
