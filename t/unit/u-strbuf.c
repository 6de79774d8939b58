/* Unit tests for strbuf and strvec. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/die.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "tap.h"

static FILE *file_with(const char *data, size_t len)
{
	FILE *fp = tmpfile();

	if (!fp || fwrite(data, 1, len, fp) != len) {
		perror("tmpfile");
		exit(1);
	}
	rewind(fp);
	return fp;
}

static void test_basics(void)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;
	size_t len;

	is_str(sb.buf, "", "a new strbuf is the empty string");
	strbuf_addstr(&sb, "abc");
	strbuf_addch(&sb, 'd');
	strbuf_addchars(&sb, 'x', 3);
	strbuf_addf(&sb, "-%d-%s", 42, "z");
	is_str(sb.buf, "abcdxxx-42-z", "add, addch, addchars and addf append");
	is_int(sb.len, 12, "len follows");
	strbuf_addbuf(&sb, &sb);
	is_str(sb.buf, "abcdxxx-42-zabcdxxx-42-z", "addbuf of itself");
	strbuf_setlen(&sb, 3);
	is_str(sb.buf, "abc", "setlen truncates");
	strbuf_reset(&sb);
	is_int(sb.len, 0, "reset empties");
	strbuf_addstr(&sb, "  \t trim me \n ");
	strbuf_trim(&sb);
	is_str(sb.buf, "trim me", "trim removes both ends");
	s = strbuf_detach(&sb, &len);
	is_str(s, "trim me", "detach hands over the string");
	is_int(len, 7, "detach reports the length");
	is_str(sb.buf, "", "the strbuf is empty after detach");
	free(s);
	s = strbuf_detach(&sb, NULL);
	ok(s && !*s, "detach of an empty strbuf gives an owned empty string");
	free(s);
}

static void test_addf_long(void)
{
	struct strbuf sb = STRBUF_INIT;
	char big[5000];

	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_addstr(&sb, "<");
	strbuf_addf(&sb, "%s>%d", big, 7);
	is_int(sb.len, 1 + 4999 + 2, "addf grows for long output");
	ok(sb.buf[0] == '<' && !strcmp(sb.buf + 5000, ">7"),
	   "addf keeps what was there and ends right");
	strbuf_release(&sb);
}

static void test_getline(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct strbuf big = STRBUF_INIT;
	FILE *fp;
	int r;

	fp = file_with("one\n\nthree", 10);
	r = strbuf_getline(&sb, fp);
	ok(!r && !strcmp(sb.buf, "one"), "getline reads a line without '\\n'");
	r = strbuf_getline(&sb, fp);
	ok(!r && sb.len == 0, "an empty line is a line");
	r = strbuf_getline(&sb, fp);
	ok(!r && !strcmp(sb.buf, "three"),
	   "a last line without '\\n' is read");
	is_int(strbuf_getline(&sb, fp), EOF, "then EOF");
	is_int(sb.len, 0, "and the strbuf is empty at EOF");
	fclose(fp);

	strbuf_addchars(&big, 'a', 200000);
	strbuf_addstr(&big, "\nb\n");
	fp = file_with(big.buf, big.len);
	r = strbuf_getline(&sb, fp);
	ok(!r && sb.len == 200000 && sb.buf[199999] == 'a' && !sb.buf[200000],
	   "a 200000-byte line is read whole");
	r = strbuf_getline(&sb, fp);
	ok(!r && !strcmp(sb.buf, "b"), "the next line follows");
	is_int(strbuf_getline(&sb, fp), EOF, "EOF after the final '\\n'");
	fclose(fp);

	fp = file_with("a\0bc\0", 5);
	r = strbuf_getline_nul(&sb, fp);
	ok(!r && !strcmp(sb.buf, "a"), "getline_nul splits on NUL");
	r = strbuf_getline_nul(&sb, fp);
	ok(!r && !strcmp(sb.buf, "bc"), "getline_nul second record");
	is_int(strbuf_getline_nul(&sb, fp), EOF, "getline_nul EOF");
	fclose(fp);

	fp = file_with("", 0);
	is_int(strbuf_getline(&sb, fp), EOF, "an empty file is EOF at once");
	fclose(fp);
	strbuf_release(&big);
	strbuf_release(&sb);
}

static void test_json_and_split(void)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[] = "a,,b,c";
	char **parts;
	size_t n;

	strbuf_add_json_str(&sb, "q\"b\\s\n\t\001é");
	is_str(sb.buf, "\"q\\\"b\\\\s\\n\\t\\u0001é\"",
	       "JSON strings are quoted and escaped");
	n = strbuf_split_inplace(buf, ',', &parts);
	is_int(n, 4, "split counts the fields");
	ok(!strcmp(parts[0], "a") && !*parts[1] && !strcmp(parts[2], "b") &&
	   !strcmp(parts[3], "c") && !parts[4],
	   "split fields, NULL-terminated");
	free(parts);
	strbuf_release(&sb);
}

static void test_read_file(void)
{
	struct strbuf sb = STRBUF_INIT;
	char path[] = "/tmp/u-strbuf-XXXXXX";
	struct strbuf want = STRBUF_INIT;
	int fd = mkstemp(path);
	long n;

	strbuf_addchars(&want, 'z', 70000);
	if (fd < 0 || write(fd, want.buf, want.len) != (ssize_t)want.len) {
		perror("mkstemp");
		exit(1);
	}
	close(fd);
	strbuf_addstr(&sb, "pre");
	n = strbuf_read_file(&sb, path, 0);
	is_int(n, 70000, "read_file returns the bytes read");
	ok(sb.len == 70003 && !memcmp(sb.buf + 3, want.buf, want.len),
	   "read_file appends the contents");
	unlink(path);
	is_int(strbuf_read_file(&sb, path, 0), -1, "a missing file is -1");
	strbuf_release(&sb);
	strbuf_release(&want);
}

static void test_strvec(void)
{
	struct strvec sv = STRVEC_INIT;
	const char *more[] = { "d", "e", NULL };

	ok(sv.nr == 0 && sv.v[0] == NULL, "a new strvec is empty");
	strvec_push(&sv, "a");
	strvec_pushf(&sv, "%s-%d", "b", 2);
	strvec_pushl(&sv, "c", NULL);
	strvec_pushv(&sv, more);
	is_int(sv.nr, 5, "push, pushf, pushl and pushv add");
	ok(!strcmp(sv.v[1], "b-2") && !strcmp(sv.v[4], "e") && !sv.v[5],
	   "in order, NULL-terminated");
	strvec_clear(&sv);
	ok(sv.nr == 0 && sv.v[0] == NULL, "clear empties it");
}

int main(void)
{
	test_basics();
	test_addf_long();
	test_getline();
	test_json_and_split();
	test_read_file();
	test_strvec();
	return done_testing();
}
