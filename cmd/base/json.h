#ifndef TOKENS_JSON_H
#define TOKENS_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "base/strbuf.h"

/*
 * Thin helpers over cJSON; json.c is the only file that includes
 * <cJSON.h>. A struct json is a node inside a parsed document: only
 * the root returned by json_parse() is freed, with json_free().
 */
struct json;

/* Parse len bytes (need not be NUL-terminated); NULL when malformed. */
struct json *json_parse(const char *buf, size_t len);
void json_free(struct json *root);

/*
 * Look up a dotted path ("message.usage.input_tokens"); a component
 * made of digits indexes an array. NULL when any step is missing or
 * obj is NULL.
 */
struct json *json_get(const struct json *obj, const char *path);

/* Type tests (all false for NULL). */
int json_is_null(const struct json *j);
int json_is_object(const struct json *j);
int json_is_array(const struct json *j);
int json_is_number(const struct json *j);

/* The string value, or NULL when j is not a string. */
const char *json_str(const struct json *j);
/* The string at path, or NULL. */
const char *json_get_str(const struct json *obj, const char *path);

/* Counters: an integer in 0 .. JSON_U64_MAX. */
#define JSON_U64_MAX 1000000000000ULL
enum json_num_status {
	JSON_NUM_OK = 0,
	JSON_NUM_MISSING = 1,   /* absent, null, or not a number */
	JSON_NUM_BAD = 2,       /* negative, fractional, or beyond 10^12 */
};
/*
 * Read a token counter: *out is set to the value (0 unless OK).
 * Returns one of json_num_status; a string is MISSING.
 */
int json_u64(const struct json *j, uint64_t *out);
/* The same at path. */
int json_get_u64(const struct json *obj, const char *path, uint64_t *out);
/* A double (costs); 0 when OK, 1 when missing/not a number. */
int json_double(const struct json *j, double *out);
/* 1 for true, 0 for false, -1 when not a boolean. */
int json_bool(const struct json *j);

/* Arrays and objects: the children in order, and their keys (objects). */
/* Iterate: for (c = json_child(j); c; c = json_next(c)) */
struct json *json_child(const struct json *j);
struct json *json_next(const struct json *j);
const char *json_key(const struct json *j);

/*
 * The fast path for hot loops (log lines): skim an object in place,
 * without building a tree. For each name in keys[0..nkeys-1], out[i]
 * gets the raw text of that member's value (p NULL when absent; the
 * last one wins). Other members are skipped with their structure
 * checked (strings closed, brackets matched). Returns 0, or -1 when
 * buf is not one well-formed object. Keys are JSON_KEY("name").
 */
struct json_raw {
	const char *p;
	size_t len;
};
struct json_key {
	const char *name;
	size_t len;
};
#define JSON_KEY(name) { name, sizeof(name) - 1 }
int json_skim(const char *buf, size_t len, const struct json_key *keys,
	      size_t nkeys, struct json_raw *out);
/*
 * keys, a static array that never changes, gets its lookup table made
 * once, not at each skim (hot loops: call it before the loop; from any
 * thread).
 */
void json_keys_fixed(const struct json_key *keys, size_t nkeys);
/*
 * json_skim() with more read in the same pass. When member keys[sub->key]
 * is an object, it is skimmed with sub->keys into sub->out (sub->bad = 1
 * when that would fail; sub->out is then empty), and so on down the
 * chain of sub->sub. With pass non-NULL (a NULL-ended list), member
 * keys[gate] can end the skim early, a cheap way to pass over records
 * of other types: when it comes among the leading scalar members
 * (before any object or array) and its value is none of the strings in
 * pass, returns 1 with out[gate] set and the rest unread.
 */
struct json_skim_sub {
	size_t key;
	const struct json_key *keys;
	size_t nkeys;
	struct json_raw *out;
	int bad;
	struct json_skim_sub *sub;
};
int json_skim_sub(const char *buf, size_t len, const struct json_key *keys,
		  size_t nkeys, struct json_raw *out,
		  struct json_skim_sub *sub, size_t gate,
		  const char * const *pass);
/* Type tests on raw values. */
int json_raw_is_object(const struct json_raw *v);
/*
 * A string value equals s (no escapes in it). Inline: for a literal s
 * the length is known when compiled, and the call cost more than the
 * compare.
 */
static inline int json_raw_streq(const struct json_raw *v, const char *s)
{
	size_t n = strlen(s);

	return v->p && v->len == n + 2 && v->p[0] == '"' &&
	       !memcmp(v->p + 1, s, n);
}
/*
 * A string value: *s and *len point into the buffer when it has no
 * escapes, else the decoded text is put in tmp. -1 when not a string.
 */
int json_raw_str(const struct json_raw *v, struct strbuf *tmp,
		 const char **s, size_t *len);
/* As json_u64(), json_double() and json_bool() for raw values. */
int json_raw_u64(const struct json_raw *v, uint64_t *out);
int json_raw_double(const struct json_raw *v, double *out);
int json_raw_bool(const struct json_raw *v);

#endif
