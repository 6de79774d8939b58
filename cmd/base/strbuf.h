#ifndef TOKENS_STRBUF_H
#define TOKENS_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A growable string with git's invariants: buf is never NULL and always
 * NUL-terminated; strbuf_detach() is the only way to take ownership.
 */
struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { .buf = strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addchars(struct strbuf *sb, int c, size_t n);
__attribute__((format(printf, 2, 3)))
void strbuf_addf(struct strbuf *sb, const char *fmt, ...);
__attribute__((format(printf, 2, 0)))
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other);
void strbuf_rtrim(struct strbuf *sb);
void strbuf_trim(struct strbuf *sb);

/* Append a JSON string literal (quotes included, escaped). */
void strbuf_add_json_str(struct strbuf *sb, const char *s);

/* Read a whole file; returns bytes read or -1 (errno set). */
long strbuf_read_file(struct strbuf *sb, const char *path, size_t hint);
/* Read one line up to '\n' (not kept) from fp; returns EOF at end. */
int strbuf_getline(struct strbuf *sb, FILE *fp);
/* The same, up to a NUL byte. */
int strbuf_getline_nul(struct strbuf *sb, FILE *fp);

/*
 * Split buf on delim into a NULL-terminated array of pointers into buf
 * (buf is modified in place); returns the count.
 */
size_t strbuf_split_inplace(char *buf, int delim, char ***out);

#endif
