/* Thin helpers over cJSON: the only file that includes <cJSON.h>. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/die.h"
#include "base/hash.h"
#include "base/json.h"

#define J(x) ((cJSON *)(x))
#define R(x) ((struct json *)(x))

struct json *json_parse(const char *buf, size_t len)
{
	cJSON *root;

	if (!buf)
		return NULL;
	root = cJSON_ParseWithLengthOpts(buf, len, NULL, 0);
	return R(root);
}

void json_free(struct json *root)
{
	cJSON_Delete(J(root));
}

static cJSON *child_n(const cJSON *obj, const char *key, size_t len)
{
	cJSON *c;
	size_t i, idx = 0;
	int digits = len > 0;

	if (!obj)
		return NULL;
	for (i = 0; i < len; i++)
		if (key[i] < '0' || key[i] > '9') {
			digits = 0;
			break;
		}
	if (digits && cJSON_IsArray(obj)) {
		for (i = 0; i < len && idx < 100000000; i++)
			idx = idx * 10 + (size_t)(key[i] - '0');
		for (c = obj->child; c && idx; c = c->next)
			idx--;
		return c;
	}
	if (!cJSON_IsObject(obj))
		return NULL;
	/* Case-sensitive, as the logs are. */
	for (c = obj->child; c; c = c->next)
		if (c->string && !strncmp(c->string, key, len) &&
		    !c->string[len])
			return c;
	return NULL;
}

struct json *json_get(const struct json *obj, const char *path)
{
	const cJSON *cur = J(obj);
	const char *p = path, *dot;

	if (!cur || !path)
		return NULL;
	while (cur && *p) {
		dot = strchr(p, '.');
		if (!dot)
			dot = p + strlen(p);
		cur = child_n(cur, p, (size_t)(dot - p));
		p = *dot ? dot + 1 : dot;
	}
	return R(cur);
}

int json_is_null(const struct json *j)
{
	return j && cJSON_IsNull(J(j));
}

int json_is_object(const struct json *j)
{
	return j && cJSON_IsObject(J(j));
}

int json_is_array(const struct json *j)
{
	return j && cJSON_IsArray(J(j));
}

int json_is_number(const struct json *j)
{
	return j && cJSON_IsNumber(J(j));
}

const char *json_str(const struct json *j)
{
	if (!j || !cJSON_IsString(J(j)))
		return NULL;
	return J(j)->valuestring;
}

const char *json_get_str(const struct json *obj, const char *path)
{
	return json_str(json_get(obj, path));
}

int json_u64(const struct json *j, uint64_t *out)
{
	double d;

	*out = 0;
	if (!j || !cJSON_IsNumber(J(j)))
		return JSON_NUM_MISSING;
	d = J(j)->valuedouble;
	if (!isfinite(d) || d < 0 || d != floor(d) ||
	    d > (double)JSON_U64_MAX)
		return JSON_NUM_BAD;
	*out = (uint64_t)d;
	return JSON_NUM_OK;
}

int json_get_u64(const struct json *obj, const char *path, uint64_t *out)
{
	return json_u64(json_get(obj, path), out);
}

int json_double(const struct json *j, double *out)
{
	*out = 0;
	if (!j || !cJSON_IsNumber(J(j)) || !isfinite(J(j)->valuedouble))
		return 1;
	*out = J(j)->valuedouble;
	return 0;
}

int json_bool(const struct json *j)
{
	if (!j)
		return -1;
	if (cJSON_IsTrue(J(j)))
		return 1;
	if (cJSON_IsFalse(J(j)))
		return 0;
	return -1;
}

struct json *json_child(const struct json *j)
{
	if (!j || !(cJSON_IsArray(J(j)) || cJSON_IsObject(J(j))))
		return NULL;
	return R(J(j)->child);
}

struct json *json_next(const struct json *j)
{
	return j ? R(J(j)->next) : NULL;
}

const char *json_key(const struct json *j)
{
	return j ? J(j)->string : NULL;
}

/* ---- the skimmer ---- */

static const char *skip_ws(const char *p, const char *end)
{
	/* JSON.stringify writes none: look once before looping. */
	if (p < end && (unsigned char)*p > ' ')
		return p;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
			   *p == '\r'))
		p++;
	return p;
}

/*
 * The first quote or backslash at or after p, or end. Log lines are
 * mostly short strings (keys, ids, times): sixteen bytes a step with
 * SSE2 where the compiler has it beats a memchr call a string, which
 * also had to look back over runs of backslashes.
 */
static inline const char *find_special(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		int m = _mm_movemask_epi8(_mm_or_si128(
				_mm_cmpeq_epi8(v, quote),
				_mm_cmpeq_epi8(v, bslash)));

		if (m)
			return p + __builtin_ctz((unsigned)m);
		p += 16;
	}
#endif
	while (p < end && *p != '"' && *p != '\\')
		p++;
	return p;
}

/*
 * The rest of a long string (texts, tool output: most of a log's
 * bytes): memchr() finds the next quote faster than the loop above, and
 * a quote after an odd run of backslashes is escaped. s is where the
 * string starts.
 */
static const char *skip_long_string(const char *s, const char *p,
				    const char *end)
{
	const char *q, *b;

	while ((q = memchr(p, '"', (size_t)(end - p)))) {
		for (b = q; b > s && b[-1] == '\\'; b--)
			;
		if (!((q - b) & 1))
			return q + 1;
		p = q + 1;
	}
	return NULL;
}

/*
 * Just after the string's end when the first quote or backslash in the
 * 32 bytes at p is a quote, else NULL: most keys and values (ids, times)
 * end there, and one step with no loop spares a mispredicted loop exit
 * a string. The masks tell it without a second look at the byte.
 */
static inline const char *string_end32(const char *p)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
	unsigned q = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, quote)) |
		     (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, quote)) << 16;
	unsigned m = q |
		     (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, bslash)) |
		     (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, bslash)) << 16;

	/* m & -m: the first of them */
	return q & m & -m ? p + __builtin_ctz(m) + 1 : NULL;
#else
	const char *q = find_special(p, p + 32);

	return q < p + 32 && *q == '"' ? q + 1 : NULL;
#endif
}

/* skip_string() past the first 32 bytes, or with a backslash in them */
static const char *skip_string_slow(const char *p, const char *end)
{
	const char *s = p, *stop = end - p > 64 ? p + 64 : end;

	for (;;) {
		p = find_special(p, stop);
		if (p >= stop)
			return stop == end ? NULL : skip_long_string(s, p, end);
		if (*p == '"')
			return p + 1;
		/* a backslash: the next byte is escaped, whatever it is */
		if (end - p < 2)
			return NULL;
		p += 2;
	}
}

/*
 * p is just after the opening quote; returns just after the closing.
 * Inline: most strings end within one look, and a call a string cost
 * more than the look.
 */
static inline const char *skip_string(const char *p, const char *end)
{
	const char *q;

	if (end - p >= 32 && (q = string_end32(p)))
		return q;
	return skip_string_slow(p, end);
}

static int is_scalar_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       c == '-' || c == '+' || c == '.' || c == 'E';
}

static const char *skip_scalar(const char *p, const char *end)
{
	const char *s = p;
	size_t n;

	while (p < end && is_scalar_char((unsigned char)*p))
		p++;
	n = (size_t)(p - s);
	if (!n)
		return NULL;
	if (*s >= 'a' && *s <= 'z')
		return (n == 4 && (!memcmp(s, "true", 4) ||
				   !memcmp(s, "null", 4))) ||
		       (n == 5 && !memcmp(s, "false", 5)) ? p : NULL;
	if (*s != '-' && (*s < '0' || *s > '9'))
		return NULL;
	return p;
}

/* Skip an object or array, checking brackets and strings only. */
static const char *skip_container(const char *p, const char *end)
{
	uint64_t stack = 0; /* 1 = object, per level */
	int depth = 0;

	while (p < end) {
		switch (*p) {
		case '"':
			p = skip_string(p + 1, end);
			if (!p)
				return NULL;
			continue;
		case '{':
		case '[':
			if (depth == 64)
				return NULL;
			stack = (stack << 1) | (*p == '{');
			depth++;
			break;
		case '}':
		case ']':
			if (!depth || (int)(stack & 1) != (*p == '}'))
				return NULL;
			stack >>= 1;
			if (!--depth)
				return p + 1;
			break;
		default:
			break;
		}
		p++;
	}
	return NULL;
}

static const char *skip_value(const char *p, const char *end)
{
	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_string(p + 1, end);
	if (*p == '{' || *p == '[')
		return skip_container(p, end);
	return skip_scalar(p, end);
}

/* A member whose value may end the skim (json_skim_sub). */
struct skim_gate {
	size_t key;
	const char * const *pass;
	int gated;
};

/* Does a leading scalar member end the skim? */
static int skim_gated(struct skim_gate *g, const struct json_raw *v)
{
	const char * const *s;

	for (s = g->pass; *s; s++)
		if (json_raw_streq(v, *s)) {
			g->key = SIZE_MAX; /* the first one decides */
			return 0;
		}
	g->gated = 1;
	return 1;
}

static void raw_clear(struct json_raw *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[i].p = NULL;
		out[i].len = 0;
	}
}

static void sub_clear(struct json_skim_sub *sub, int bad)
{
	for (; sub; sub = sub->sub) {
		raw_clear(sub->out, sub->nkeys);
		sub->bad = bad;
		bad = 0;
	}
}

/*
 * Which wanted key a member's name is, by its length and end bytes: one
 * probe and mostly one compare a member, where a walk down the keys
 * mispredicted its way out. More keys than fit are looked up one by one.
 */
#define KEY_SLOTS 64
#define KEY_TABLE_MAX 32
struct key_table {
	unsigned char first[KEY_SLOTS]; /* 1 + a key's index, or 0 */
	unsigned char next[KEY_TABLE_MAX]; /* the same, for that slot */
};

static unsigned key_slot(const char *k, size_t len)
{
	if (!len)
		return 0;
	return (unsigned)(len * 7 + (unsigned char)k[0] +
			  (unsigned char)k[len - 1] * 3) & (KEY_SLOTS - 1);
}

static void key_table_init(struct key_table *t, const struct json_key *keys,
			   size_t nkeys)
{
	size_t i = nkeys;

	memset(t->first, 0, sizeof(t->first));
	/* from the last key: a chain holds its keys in order */
	while (i--) {
		unsigned h = key_slot(keys[i].name, keys[i].len);

		t->next[i] = t->first[h];
		t->first[h] = (unsigned char)(i + 1);
	}
}

/*
 * The tables of the key lists json_keys_fixed() was told of, made once:
 * making one at each skim was 5% of the skimmer's work. A slot is taken
 * once, by the first list that lands on it, and never changes after;
 * the list is published last, so a reader that sees it sees its table.
 */
#define KEY_FIXED 64
static struct key_fixed {
	const struct json_key *keys;
	size_t nkeys;
	int taken;
	struct key_table table;
} key_fixed[KEY_FIXED];

static struct key_fixed *key_fixed_slot(const struct json_key *keys)
{
	return &key_fixed[(uintptr_t)keys / sizeof(*keys) % KEY_FIXED];
}

void json_keys_fixed(const struct json_key *keys, size_t nkeys)
{
	struct key_fixed *f = key_fixed_slot(keys);
	int free_slot = 0;

	if (nkeys > KEY_TABLE_MAX ||
	    !__atomic_compare_exchange_n(&f->taken, &free_slot, 1, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return; /* looked up as before */
	key_table_init(&f->table, keys, nkeys);
	f->nkeys = nkeys;
	__atomic_store_n(&f->keys, keys, __ATOMIC_RELEASE);
}

/* keys' table: a fixed one, else one made in t */
static const struct key_table *key_table_get(struct key_table *t,
					     const struct json_key *keys,
					     size_t nkeys)
{
	struct key_fixed *f = key_fixed_slot(keys);

	if (__atomic_load_n(&f->keys, __ATOMIC_ACQUIRE) == keys &&
	    f->nkeys == nkeys)
		return &f->table;
	if (nkeys <= KEY_TABLE_MAX)
		key_table_init(t, keys, nkeys);
	return t;
}

/*
 * A raw name equals a key of its length: two loads a side that may
 * overlap cover names of 4 to 16 bytes, where a memcmp() call a wanted
 * member cost more than the compare.
 */
static inline int key_eq(const char *name, const char *k, size_t len)
{
	uint64_t a, b, c, d;
	uint32_t e, f, g, h;

	if (len >= 8) {
		memcpy(&a, name, 8);
		memcpy(&b, k, 8);
		memcpy(&c, name + len - 8, 8);
		memcpy(&d, k + len - 8, 8);
		return a == b && c == d &&
		       (len <= 16 || !memcmp(name + 8, k + 8, len - 16));
	}
	if (len >= 4) {
		memcpy(&e, name, 4);
		memcpy(&f, k, 4);
		memcpy(&g, name + len - 4, 4);
		memcpy(&h, k + len - 4, 4);
		return e == f && g == h;
	}
	/* the first, middle and last bytes: all of them */
	return !len || (name[0] == k[0] && name[len / 2] == k[len / 2] &&
			name[len - 1] == k[len - 1]);
}

/* The index of the key named k (raw, unescaped), or nkeys. */
static size_t key_find(const struct key_table *t, const struct json_key *keys,
		       size_t nkeys, const char *k, size_t klen)
{
	size_t i;

	if (nkeys > KEY_TABLE_MAX) {
		for (i = 0; i < nkeys; i++)
			if (keys[i].len == klen && !memcmp(keys[i].name, k, klen))
				return i;
		return nkeys;
	}
	for (i = t->first[key_slot(k, klen)]; i; i = t->next[i - 1])
		if (keys[i - 1].len == klen &&
		    key_eq(keys[i - 1].name, k, klen))
			return i - 1;
	return nkeys;
}

/* The object at p (after white space); returns just after it, or NULL. */
static const char *skim_object(const char *p, const char *end,
			       const struct json_key *keys, size_t nkeys,
			       struct json_raw *out, struct json_skim_sub *sub,
			       struct skim_gate *gate)
{
	struct key_table made;
	const struct key_table *table;
	int leading = 1; /* no object or array member yet */
	size_t i;

	if (p >= end || *p != '{')
		return NULL;
	table = key_table_get(&made, keys, nkeys);
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return p + 1;
	for (;;) {
		const char *k, *kend, *v;
		size_t klen;
		int c, nested;

		if (p >= end || *p != '"')
			return NULL;
		k = p + 1;
		kend = skip_string(k, end);
		if (!kend)
			return NULL;
		p = skip_ws(kend, end);
		if (p >= end || *p != ':')
			return NULL;
		v = skip_ws(p + 1, end);
		if (v >= end)
			return NULL;
		c = *v;
		klen = (size_t)(kend - 1 - k);
		/* A raw name with a NUL byte or an escape never equals a key. */
		i = key_find(table, keys, nkeys, k, klen);
		if (c == '"') {
			/* most values: no call */
			p = skip_string(v + 1, end);
		} else if (c == '{' && sub && i == sub->key) {
			/*
			 * Skim it now rather than skip it and skim it again;
			 * what does not parse as an object is skipped as
			 * before and flagged, as json_skim() on it would fail.
			 */
			sub_clear(sub, 0);
			p = skim_object(v, end, sub->keys, sub->nkeys,
					sub->out, sub->sub, NULL);
			if (!p) {
				sub_clear(sub, 1);
				p = skip_value(v, end);
			}
		} else {
			p = skip_value(v, end);
		}
		if (!p)
			return NULL;
		nested = c == '{' || c == '[';
		if (i < nkeys) {
			out[i].p = v;
			out[i].len = (size_t)(p - v);
			if (gate && leading && !nested && i == gate->key &&
			    skim_gated(gate, &out[i]))
				return NULL;
		}
		leading &= !nested;
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}')
			return p + 1;
		return NULL;
	}
}

int json_skim(const char *buf, size_t len, const struct json_key *keys,
	      size_t nkeys, struct json_raw *out)
{
	return json_skim_sub(buf, len, keys, nkeys, out, NULL, 0, NULL);
}

int json_skim_sub(const char *buf, size_t len, const struct json_key *keys,
		  size_t nkeys, struct json_raw *out,
		  struct json_skim_sub *sub, size_t gate,
		  const char * const *pass)
{
	const char *end = buf + len, *p;
	struct skim_gate g;

	g.key = gate;
	g.pass = pass;
	g.gated = 0;
	raw_clear(out, nkeys);
	sub_clear(sub, 0);
	p = skim_object(skip_ws(buf, end), end, keys, nkeys, out, sub,
			pass ? &g : NULL);
	if (g.gated)
		return 1;
	return p && skip_ws(p, end) == end ? 0 : -1;
}

int json_raw_is_object(const struct json_raw *v)
{
	return v->p && v->len >= 2 && v->p[0] == '{';
}

static void add_utf8(struct strbuf *sb, unsigned long c)
{
	if (c < 0x80) {
		strbuf_addch(sb, (int)c);
	} else if (c < 0x800) {
		strbuf_addch(sb, (int)(0xc0 | (c >> 6)));
		strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		strbuf_addch(sb, (int)(0xe0 | (c >> 12)));
		strbuf_addch(sb, (int)(0x80 | ((c >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	} else {
		strbuf_addch(sb, (int)(0xf0 | (c >> 18)));
		strbuf_addch(sb, (int)(0x80 | ((c >> 12) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | ((c >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	}
}

static int hex4(const char *p, const char *end, unsigned long *out)
{
	unsigned long v = 0;
	int i;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		int c = hex_value((unsigned char)p[i]);

		if (c < 0)
			return -1;
		v = v << 4 | (unsigned long)c;
	}
	*out = v;
	return 0;
}

int json_raw_str(const struct json_raw *v, struct strbuf *tmp,
		 const char **s, size_t *len)
{
	const char *p, *end;

	if (!v->p || v->len < 2 || v->p[0] != '"')
		return -1;
	p = v->p + 1;
	end = v->p + v->len - 1;
	if (!memchr(p, '\\', (size_t)(end - p))) {
		*s = p;
		*len = (size_t)(end - p);
		return 0;
	}
	strbuf_reset(tmp);
	while (p < end) {
		const char *q = memchr(p, '\\', (size_t)(end - p));
		unsigned long c, lo;

		/* the run up to the next escape at once */
		strbuf_add(tmp, p, (size_t)((q ? q : end) - p));
		if (!q)
			break;
		p = q + 1;
		if (p >= end)
			return -1;
		switch (*p++) {
		case '"': strbuf_addch(tmp, '"'); break;
		case '\\': strbuf_addch(tmp, '\\'); break;
		case '/': strbuf_addch(tmp, '/'); break;
		case 'b': strbuf_addch(tmp, '\b'); break;
		case 'f': strbuf_addch(tmp, '\f'); break;
		case 'n': strbuf_addch(tmp, '\n'); break;
		case 'r': strbuf_addch(tmp, '\r'); break;
		case 't': strbuf_addch(tmp, '\t'); break;
		case 'u':
			if (hex4(p, end, &c))
				return -1;
			p += 4;
			if (c >= 0xd800 && c < 0xdc00 && end - p >= 6 &&
			    p[0] == '\\' && p[1] == 'u' &&
			    !hex4(p + 2, end, &lo) &&
			    lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			}
			add_utf8(tmp, c);
			break;
		default:
			return -1;
		}
	}
	*s = tmp->buf;
	*len = tmp->len;
	return 0;
}

/*
 * v as a C string for strtod(), if it has only the characters a JSON
 * number may (strtod() alone would take "6true93" as 6, "0x10" as 16).
 */
static int raw_number(const struct json_raw *v, char *buf, size_t size)
{
	size_t i;

	if (v->len >= size ||
	    !(*v->p == '-' || (*v->p >= '0' && *v->p <= '9')))
		return -1;
	for (i = 0; i < v->len; i++)
		if (!strchr("0123456789.eE+-", v->p[i]) || !v->p[i])
			return -1;
	memcpy(buf, v->p, v->len);
	buf[v->len] = '\0';
	return 0;
}

int json_raw_u64(const struct json_raw *v, uint64_t *out)
{
	const char *p = v->p, *end;
	uint64_t n = 0;
	double d;
	char buf[64], *e;

	*out = 0;
	if (!p || !v->len || !(*p == '-' || (*p >= '0' && *p <= '9')))
		return JSON_NUM_MISSING;
	end = p + v->len;
	while (p < end && *p >= '0' && *p <= '9' && n <= JSON_U64_MAX)
		n = n * 10 + (uint64_t)(*p++ - '0');
	if (p == end) {
		if (n > JSON_U64_MAX)
			return JSON_NUM_BAD;
		*out = n;
		return JSON_NUM_OK;
	}
	/* the rare forms: -5, 1.5, 2e3, 1.0 */
	if (raw_number(v, buf, sizeof(buf)))
		return JSON_NUM_BAD;
	/* ERANGE: 1e-400 is no whole number, though it reads as 0 */
	errno = 0;
	d = strtod(buf, &e);
	if (*e || errno == ERANGE || !isfinite(d) || d < 0 || d != floor(d) ||
	    d > (double)JSON_U64_MAX)
		return JSON_NUM_BAD;
	*out = (uint64_t)d;
	return JSON_NUM_OK;
}

/*
 * A number of at most 15 digits and no exponent, read by hand: the
 * digits as an integer (below 2^53) and 10^k for k fraction digits are
 * both exact doubles, and one division rounds correctly, so the bits
 * are strtod()'s (Clinger's fast path; needs plain double arithmetic).
 */
static int raw_small_decimal(const struct json_raw *v, double *out)
{
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
		1e11, 1e12, 1e13, 1e14, 1e15,
	};
	const char *p = v->p, *end = p + v->len, *point = NULL;
	int neg = *p == '-';
	uint64_t n = 0;
	double d;

	p += neg;
	if (p == end || end - p > 16 || *p < '0' || *p > '9')
		return -1;
	for (; p < end; p++) {
		if (*p >= '0' && *p <= '9')
			n = n * 10 + (uint64_t)(*p - '0');
		else if (*p == '.' && !point && FLT_EVAL_METHOD == 0)
			point = p;
		else
			return -1;
	}
	if (point ? end - v->p - neg > 16 || point == end - 1 :
	    end - v->p - neg > 15)
		return -1;
	d = (double)n;
	if (point)
		d /= pow10[end - point - 1];
	*out = neg ? -d : d;
	return 0;
}

int json_raw_double(const struct json_raw *v, double *out)
{
	char buf[64];
	char *e;

	*out = 0;
	if (!v->p || !v->len)
		return 1;
	if (!raw_small_decimal(v, out))
		return 0;
	if (raw_number(v, buf, sizeof(buf)))
		return 1;
	*out = strtod(buf, &e);
	if (*e || !isfinite(*out)) {
		*out = 0;
		return 1;
	}
	return 0;
}

int json_raw_bool(const struct json_raw *v)
{
	if (!v->p)
		return -1;
	if (v->len == 4 && !memcmp(v->p, "true", 4))
		return 1;
	if (v->len == 5 && !memcmp(v->p, "false", 5))
		return 0;
	return -1;
}
