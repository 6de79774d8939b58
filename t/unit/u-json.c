/* Unit tests for the JSON skimmer: which member each wanted key gets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "tap.h"

/* The raw text of v, or "(absent)". */
static const char *text(const struct json_raw *v)
{
	static char buf[8][128];
	static int n;
	char *b = buf[n++ % 8];

	if (!v->p)
		return "(absent)";
	snprintf(b, sizeof(buf[0]), "%.*s", (int)v->len, v->p);
	return b;
}

static int skim(const char *s, const struct json_key *keys, size_t nkeys,
		struct json_raw *out)
{
	return json_skim(s, strlen(s), keys, nkeys, out);
}

static void test_any_order(void)
{
	static const struct json_key keys[] = {
		JSON_KEY("type"), JSON_KEY("message"), JSON_KEY("requestId"),
		JSON_KEY("timestamp"), JSON_KEY("cwd"), JSON_KEY("sessionId"),
	};
	struct json_raw out[6];
	const char *s = "{\"uuid\":\"u\",\"cwd\":\"/x\",\"message\":{\"a\":[1]},"
			"\"version\":\"2\",\"timestamp\":\"t\",\"type\":\"user\","
			"\"sessionIdx\":1,\"requestid\":2}";

	is_int(skim(s, keys, 6, out), 0, "skimmed");
	is_str(text(&out[0]), "\"user\"", "type, after other members");
	is_str(text(&out[1]), "{\"a\":[1]}", "an object member whole");
	is_str(text(&out[2]), "(absent)", "no match in another case");
	is_str(text(&out[3]), "\"t\"", "timestamp");
	is_str(text(&out[4]), "\"/x\"", "a key of three bytes");
	is_str(text(&out[5]), "(absent)", "no match with a longer name");
}

static void test_same_slot(void)
{
	/* same length, same first and last byte: one slot, a chain */
	static const struct json_key keys[] = {
		JSON_KEY("axb"), JSON_KEY("ayb"), JSON_KEY(""),
	};
	struct json_raw out[3];

	is_int(skim("{\"ayb\":1,\"azb\":2,\"axb\":3,\"\":4}", keys, 3, out), 0,
	       "skimmed");
	is_str(text(&out[0]), "3", "first key of a shared slot");
	is_str(text(&out[1]), "1", "second key of a shared slot");
	is_str(text(&out[2]), "4", "the empty name");
	is_int(skim("{\"azb\":2,\"ax\\u0062\":3}", keys, 3, out), 0,
	       "skimmed");
	is_str(text(&out[0]), "(absent)", "an escaped name is no key");
	is_str(text(&out[1]), "(absent)", "a third name in the slot is none");
	is_int(skim("{\"axb\":1,\"axb\":[2]}", keys, 3, out), 0, "skimmed");
	is_str(text(&out[0]), "[2]", "the last of two members wins");
}

static void test_many_keys(void)
{
	struct json_key keys[40];
	struct json_raw out[40];
	char names[40][8];
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "k%02d", i);
		keys[i].name = names[i];
		keys[i].len = strlen(names[i]);
	}
	is_int(skim("{\"k39\":39,\"k00\":0,\"k17\":17,\"k40\":40}", keys, 40,
		    out), 0, "skimmed with 40 keys");
	is_str(text(&out[0]), "0", "first of 40 keys");
	is_str(text(&out[17]), "17", "a middle one");
	is_str(text(&out[39]), "39", "last of 40 keys");
	is_str(text(&out[1]), "(absent)", "a key with no member");
	/* the same address, other keys: no stale lookup */
	keys[0].name = "zz";
	keys[0].len = 2;
	is_int(skim("{\"k00\":0,\"zz\":1}", keys, 1, out), 0, "skimmed");
	is_str(text(&out[0]), "1", "a key list changed in place");
}

/*
 * Names of every length up to past 32, each against names of its length
 * that differ in one byte only, where the compare changes how it looks;
 * with a table made at each skim and with one made once.
 */
static void test_key_lengths(void)
{
	static char names[40][41];
	static struct json_key fixed[40];
	struct json_key made;
	struct json_raw out[1];
	char doc[2048], *d;
	size_t len, i, bad = 0, cases = 0;
	int pass;

	for (len = 1; len <= 40; len++) {
		for (i = 0; i < len; i++)
			names[len - 1][i] = (char)('a' + i % 26);
		fixed[len - 1].name = names[len - 1];
		fixed[len - 1].len = len;
	}
	for (len = 1; len <= 40; len++)
		json_keys_fixed(&fixed[len - 1], 1);
	for (pass = 0; pass < 2; pass++)
		for (len = 1; len <= 40; len++) {
			const struct json_key *k = &fixed[len - 1];

			made = fixed[len - 1];
			if (!pass)
				k = &made;
			/* the name last: a near miss read after it wins */
			d = doc;
			d += sprintf(d, "{\"%s\":0", names[len - 1]);
			for (i = 0; i < len; i++) {
				char near[41];

				memcpy(near, names[len - 1], len + 1);
				near[i] = '_';
				d += sprintf(d, ",\"%s\":%d", near,
					     (int)i + 1);
			}
			strcpy(d, "}");
			cases++;
			if (skim(doc, k, 1, out) || strcmp(text(out), "0"))
				bad++;
		}
	is_int(bad, 0, "names of 1 to 40 bytes, against near misses");
	is_int(cases, 80, "with tables made then and made once");
}

static void test_fixed_count(void)
{
	static const struct json_key keys[] = {
		JSON_KEY("a"), JSON_KEY("b"), JSON_KEY("c"),
	};
	struct json_raw out[3];

	/* made once for its first key alone: not the table of all three */
	json_keys_fixed(keys, 1);
	json_keys_fixed(keys, 3);
	is_int(skim("{\"c\":3,\"a\":1}", keys, 1, out), 0, "skimmed");
	is_str(text(&out[0]), "1", "a fixed list: its key");
	is_int(skim("{\"c\":3,\"b\":2,\"a\":1}", keys, 3, out), 0,
	       "skimmed");
	is_str(text(&out[0]), "1", "more keys than fixed: the first");
	is_str(text(&out[2]), "3", "and the last, not in that table");
}

static void test_gate_and_sub(void)
{
	static const struct json_key keys[] = {
		JSON_KEY("type"), JSON_KEY("message"),
	};
	static const struct json_key msg_keys[] = { JSON_KEY("usage") };
	static const struct json_key u_keys[] = { JSON_KEY("n") };
	static const char *pass[] = { "assistant", NULL };
	struct json_raw out[2], msg[1], u[1];
	struct json_skim_sub usub = { 0, u_keys, 1, u, 0, NULL };
	struct json_skim_sub msub = { 1, msg_keys, 1, msg, 0, &usub };
	const char *user = "{\"type\":\"user\",\"message\":{\"usage\":{\"n\":1}}}";
	const char *late = "{\"x\":{},\"type\":\"user\",\"message\":{}}";
	const char *both = "{\"type\":\"assistant\","
			   "\"message\":{\"usage\":{\"n\":7}}}";
	const char *bad = "{\"type\":\"assistant\","
			  "\"message\":{\"usage\":{\"n\" 7}}}";

	is_int(json_skim_sub(user, strlen(user), keys, 2, out, &msub, 0, pass),
	       1, "another type, leading: passed over");
	is_str(text(&out[0]), "\"user\"", "with the type read");
	is_int(json_skim_sub(late, strlen(late), keys, 2, out, &msub, 0, pass),
	       0, "a type after an object: read whole");
	is_int(json_skim_sub(both, strlen(both), keys, 2, out, &msub, 0, pass),
	       0, "a wanted type: read whole");
	is_str(text(&u[0]), "7", "usage read in the same pass");
	is_int(json_skim_sub(bad, strlen(bad), keys, 2, out, &msub, 0, pass),
	       0, "a malformed nested object is skipped");
	is_int(usub.bad, 1, "and flagged");
	is_str(text(&u[0]), "(absent)", "with nothing read from it");
}

/*
 * A string skipped whole, whatever its length and wherever an escaped
 * quote or backslash falls in it: before, across and after the first 32
 * and 64 bytes, where the skimmer changes how it looks.
 */
static void test_escapes_anywhere(void)
{
	static const struct json_key keys[] = {
		JSON_KEY("a"), JSON_KEY("b"),
	};
	/* \", \\ and \\\" as JSON text */
	static const char *escapes[] = { "\\\"", "\\\\", "\\\\\\\"" };
	struct json_raw out[2];
	char doc[256], str[160], run[100];
	size_t len, pos, e, bad = 0, cases = 0;

	memset(run, 'x', sizeof(run));
	for (e = 0; e < sizeof(escapes) / sizeof(*escapes); e++)
		for (len = 0; len < sizeof(run); len++)
			for (pos = 0; pos <= len; pos++) {
				snprintf(str, sizeof(str), "\"%.*s%s%.*s\"",
					 (int)pos, run, escapes[e],
					 (int)(len - pos), run);
				snprintf(doc, sizeof(doc), "{\"a\":%s,\"b\":1}",
					 str);
				cases++;
				if ((skim(doc, keys, 2, out) ||
				     strcmp(text(&out[0]), str) ||
				     strcmp(text(&out[1]), "1")) && !bad++)
					printf("# first failure: %s\n", doc);
			}
	is_int((intmax_t)bad, 0, "an escape at every offset of strings up to "
	       "100 bytes");
	ok(cases > 10000, "in %zu cases", cases);
}

/* Numbers read whole, or not at all: strtod() alone stops early. */
static void test_numbers(void)
{
	static const struct { const char *s; int ok; uint64_t n; } c[] = {
		{ "42", 1, 42 }, { "2e3", 1, 2000 }, { "1.0", 1, 1 },
		{ "6true93", 0, 0 }, { "827e", 0, 0 }, { "0x10", 0, 0 },
		{ "1.5", 0, 0 }, { "-5", 0, 0 }, { "12 ", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(*c); i++) {
		struct json_raw v = { c[i].s, strlen(c[i].s) };
		uint64_t n;
		double d;
		int r = json_raw_u64(&v, &n);

		ok(c[i].ok ? r == JSON_NUM_OK && n == c[i].n :
		   r == JSON_NUM_BAD, "json_raw_u64(\"%s\")", c[i].s);
		if (!c[i].ok && strcmp(c[i].s, "1.5") && strcmp(c[i].s, "-5"))
			ok(json_raw_double(&v, &d) == 1 && d == 0,
			   "json_raw_double(\"%s\") refuses it", c[i].s);
	}
}

/* The same bits as strtod() gives, however the number is read. */
static void test_double_bits(void)
{
	static const char *fixed[] = {
		"0", "-0", "007", "-12", "999999999999999", "1000000000000000",
		"9007199254740993", "12345678901234567890",
		"99999999999999999999", "1790812824975",
		"0.1", "0.25", "-1.5", "3.14159265358979", "1e3", "2.5E-3",
		"0.000000000000001", "123456789.012345", "1.", "-.5",
		"0.3", "-0.0", "9.99999999999999", "0.100000000000000",
	};
	char buf[64];
	size_t i, bad = 0;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	struct json_raw v;
	double d;

	for (i = 0; i < sizeof(fixed) / sizeof(*fixed) + 200000; i++) {
		const char *s = buf;
		double want;

		if (i < sizeof(fixed) / sizeof(*fixed)) {
			s = fixed[i];
		} else {
			int digits, point;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			digits = 1 + (int)(x % 18);
			point = (int)((x >> 8) % (unsigned)(digits + 1));
			snprintf(buf, sizeof(buf), "%s%0*llu",
				 (x >> 16) & 1 ? "-" : "", digits,
				 (unsigned long long)((x >> 20) %
						     10000000000000000000ULL));
			buf[(x >> 16 & 1) + digits] = '\0';
			if (point && point < digits) {
				size_t at = (x >> 16 & 1) + (size_t)point;

				memmove(buf + at + 1, buf + at,
					strlen(buf + at) + 1);
				buf[at] = '.';
			}
		}
		v.p = s;
		v.len = strlen(s);
		want = strtod(s, NULL);
		if ((json_raw_double(&v, &d) ||
		     memcmp(&d, &want, sizeof(d))) && !bad++)
			printf("# first failure: %s\n", s);
	}
	is_int((intmax_t)bad, 0, "json_raw_double() gives strtod()'s bits");
	v.p = ".5";
	v.len = 2;
	ok(json_raw_double(&v, &d) == 1, "json_raw_double(\".5\") refuses it");
}

int main(void)
{
	test_any_order();
	test_same_slot();
	test_many_keys();
	test_key_lengths();
	test_fixed_count();
	test_gate_and_sub();
	test_escapes_anywhere();
	test_numbers();
	test_double_bits();
	return done_testing();
}
