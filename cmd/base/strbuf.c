#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/die.h"
#include "base/strbuf.h"

char strbuf_slopbuf[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->alloc = sb->len = 0;
	sb->buf = strbuf_slopbuf;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *res;

	strbuf_grow(sb, 0);
	res = sb->buf;
	if (len)
		*len = sb->len;
	strbuf_init(sb, 0);
	return res;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	int new_buf = !sb->alloc;

	if (sb->len + extra + 1 <= sb->len)
		die("you want to use way too much memory");
	if (new_buf)
		sb->buf = NULL;
	ALLOC_GROW(sb->buf, sb->len + extra + 1, sb->alloc);
	if (new_buf)
		sb->buf[0] = '\0';
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (len > (sb->alloc ? sb->alloc - 1 : 0))
		BUG("strbuf_setlen() beyond buffer");
	sb->len = len;
	if (sb->buf != strbuf_slopbuf)
		sb->buf[len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	strbuf_setlen(sb, sb->len + len);
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
	strbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}

void strbuf_addchars(struct strbuf *sb, int c, size_t n)
{
	strbuf_grow(sb, n);
	memset(sb->buf + sb->len, c, n);
	strbuf_setlen(sb, sb->len + n);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int len;

	strbuf_grow(sb, 64);
	va_copy(cp, ap);
	len = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (len < 0)
		BUG("bad format '%s'", fmt);
	if ((size_t)len >= sb->alloc - sb->len) {
		strbuf_grow(sb, (size_t)len);
		va_copy(cp, ap);
		len = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt,
				cp);
		va_end(cp);
	}
	strbuf_setlen(sb, sb->len + (size_t)len);
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other)
{
	/* other may be sb itself: copy its length before growing. */
	size_t len = other->len;

	strbuf_grow(sb, len);
	memmove(sb->buf + sb->len, other->buf, len);
	strbuf_setlen(sb, sb->len + len);
}

void strbuf_rtrim(struct strbuf *sb)
{
	while (sb->len && isspace((unsigned char)sb->buf[sb->len - 1]))
		sb->len--;
	if (sb->alloc)
		sb->buf[sb->len] = '\0';
}

void strbuf_trim(struct strbuf *sb)
{
	size_t skip = 0;

	strbuf_rtrim(sb);
	while (skip < sb->len && isspace((unsigned char)sb->buf[skip]))
		skip++;
	if (skip) {
		memmove(sb->buf, sb->buf + skip, sb->len - skip);
		strbuf_setlen(sb, sb->len - skip);
	}
}

/*
 * The length of the well-formed UTF-8 sequence at p (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), 0 if none.
 */
static size_t utf8_seq_len(const unsigned char *p)
{
	size_t n, i;

	if (*p < 0xc2 || *p > 0xf4)
		return 0;
	n = *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] > 0x9f) ||
	    (*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

void strbuf_add_json_str(struct strbuf *sb, const char *s)
{
	/* The characters JSON gives a short escape; other controls get \u. */
	static const char *const esc[128] = {
		['"'] = "\\\"", ['\\'] = "\\\\",
		['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
	};
	const unsigned char *p;
	size_t n;

	strbuf_addch(sb, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		/* JSON is UTF-8: a byte that is not becomes U+FFFD. */
		if (*p >= 0x80) {
			n = utf8_seq_len(p);
			if (n) {
				strbuf_add(sb, p, n);
				p += n - 1;
			} else {
				strbuf_addstr(sb, "\\ufffd");
			}
		} else if (esc[*p]) {
			strbuf_addstr(sb, esc[*p]);
		} else if (*p < 0x20 || *p == 0x7f) {
			strbuf_addf(sb, "\\u%04x", *p);
		} else {
			strbuf_addch(sb, *p);
		}
	}
	strbuf_addch(sb, '"');
}

long strbuf_read_file(struct strbuf *sb, const char *path, size_t hint)
{
	size_t oldlen = sb->len;
	struct stat st;
	int fd, saved;
	ssize_t n;

	/* A FIFO put where a file should be must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		saved = errno;
	else if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		saved = EINVAL;
	/* A regular file ignores O_NONBLOCK: two calls spared a file. */
	else if (!S_ISREG(st.st_mode) &&
		 fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		saved = errno;
	else
		saved = 0;
	if (saved) {
		close(fd);
		errno = saved;
		return -1;
	}
	strbuf_grow(sb, hint ? hint : 8192);
	for (;;) {
		if (sb->alloc - sb->len < 4096)
			strbuf_grow(sb, sb->alloc);
		n = read(fd, sb->buf + sb->len, sb->alloc - sb->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			close(fd);
			strbuf_setlen(sb, oldlen);
			errno = saved;
			return -1;
		}
		if (!n)
			break;
		strbuf_setlen(sb, sb->len + (size_t)n);
	}
	close(fd);
	return (long)(sb->len - oldlen);
}

/* getdelim() reads straight into the strbuf's buffer, as git does. */
static int getline_delim(struct strbuf *sb, FILE *fp, int delim)
{
	ssize_t r;

	if (!sb->alloc)
		sb->buf = NULL;
	errno = 0;
	r = getdelim(&sb->buf, &sb->alloc, delim, fp);
	if (r <= 0) {
		if (ferror(fp) && errno == ENOMEM)
			die("out of memory reading a line");
		if (!sb->buf) {
			strbuf_init(sb, 0);
		} else {
			sb->len = 0;
			if (sb->alloc)
				sb->buf[0] = '\0';
		}
		return EOF;
	}
	sb->len = (size_t)r;
	if (sb->buf[sb->len - 1] == (char)delim)
		sb->len--;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_getline(struct strbuf *sb, FILE *fp)
{
	return getline_delim(sb, fp, '\n');
}

int strbuf_getline_nul(struct strbuf *sb, FILE *fp)
{
	return getline_delim(sb, fp, '\0');
}

size_t strbuf_split_inplace(char *buf, int delim, char ***out)
{
	size_t nr = 1, i = 0;
	char *p;

	for (p = buf; *p; p++)
		if (*p == delim)
			nr++;
	*out = xcalloc(nr + 1, sizeof(char *));
	(*out)[i++] = buf;
	for (p = buf; *p; p++) {
		if (*p == delim) {
			*p = '\0';
			(*out)[i++] = p + 1;
		}
	}
	(*out)[i] = NULL;
	return nr;
}
