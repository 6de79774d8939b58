/* Usage events: interned strings, sets of events, session hashes. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/die.h"
#include "base/hash.h"
#include "base/sha256.h"
#include "model/event.h"

static const char *tool_names[] = {
#define TOOL_STR(e, s) s,
	TOOL_LIST(TOOL_STR)
#undef TOOL_STR
};

const char *tool_name(enum tool t)
{
	if ((unsigned)t >= TOOL__NR)
		return "unknown";
	return tool_names[t];
}

int tool_parse(const char *s)
{
	int i;

	if (!s)
		return -1;
	for (i = 0; i < TOOL__NR; i++)
		if (!strcmp(s, tool_names[i]))
			return i;
	return -1;
}

/*
 * The intern table: open addressing over (hash, pointer) slots. Strings
 * are never freed. A mutex makes it safe for reader threads.
 */
struct intern_slot {
	uint64_t hash;
	const char *str;
	size_t len;
};

static struct intern_slot *intern_tab;
static size_t intern_nr, intern_alloc;
static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;

/* Eight bytes a step: paths of a hundred bytes are interned by the thousand. */
static uint64_t intern_hash(const char *s, size_t len)
{
	return hash_long(s, len, 0);
}

static void intern_grow(void)
{
	struct intern_slot *old = intern_tab;
	size_t old_alloc = intern_alloc, i;

	intern_alloc = old_alloc ? old_alloc * 2 : 1024;
	intern_tab = xcalloc(intern_alloc, sizeof(*intern_tab));
	for (i = 0; i < old_alloc; i++) {
		size_t j;

		if (!old[i].str)
			continue;
		j = old[i].hash & (intern_alloc - 1);
		while (intern_tab[j].str)
			j = (j + 1) & (intern_alloc - 1);
		intern_tab[j] = old[i];
	}
	free(old);
}

/*
 * Each thread's last strings interned, by length and end bytes: a log
 * repeats its model and folder on every record, and a hit skips the
 * hash and the lock. Interned strings are never freed.
 */
#define INTERN_MEMO 16
static __thread struct intern_memo {
	const char *str;
	size_t len;
} intern_memo[INTERN_MEMO];

static unsigned intern_memo_slot(const char *s, size_t len)
{
	return (unsigned)(len * 31 +
			  (len ? (unsigned char)s[len - 1] : 0)) &
	       (INTERN_MEMO - 1);
}

static const char *intern_locked(const char *s, size_t len);

const char *event_intern_n(const char *s, size_t len)
{
	struct intern_memo *memo;

	if (!s)
		return NULL;
	memo = &intern_memo[intern_memo_slot(s, len)];
	if (!memo->str || memo->len != len || memcmp(memo->str, s, len)) {
		memo->str = intern_locked(s, len);
		memo->len = len;
	}
	return memo->str;
}

static const char *intern_locked(const char *s, size_t len)
{
	uint64_t h;
	size_t j;
	const char *ret;
	char *copy;

	h = intern_hash(s, len);
	pthread_mutex_lock(&intern_lock);
	if ((intern_nr + 1) * 2 > intern_alloc)
		intern_grow();
	j = h & (intern_alloc - 1);
	while (intern_tab[j].str) {
		if (intern_tab[j].hash == h && intern_tab[j].len == len &&
		    !memcmp(intern_tab[j].str, s, len)) {
			ret = intern_tab[j].str;
			goto cleanup;
		}
		j = (j + 1) & (intern_alloc - 1);
	}
	copy = xmalloc(len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	intern_tab[j].hash = h;
	intern_tab[j].str = copy;
	intern_tab[j].len = len;
	intern_nr++;
	ret = copy;
cleanup:
	pthread_mutex_unlock(&intern_lock);
	return ret;
}

const char *event_intern(const char *s)
{
	return s ? event_intern_n(s, strlen(s)) : NULL;
}

/* Room for n more, growing as ALLOC_GROW() does: huge pages past 1 MiB. */
void usage_set_reserve(struct usage_set *set, size_t n)
{
	size_t alloc = (set->alloc + 16) * 3 / 2, got;

	if (set->nr + n <= set->alloc)
		return;
	if (alloc < set->nr + n)
		alloc = set->nr + n;
	set->ev = xrealloc_huge(set->ev, set->nr * sizeof(*set->ev),
				alloc * sizeof(*set->ev), &got);
	set->alloc = got / sizeof(*set->ev);
}

void usage_set_add(struct usage_set *set, const struct usage_event *ev)
{
	if (set->nr == set->alloc)
		usage_set_reserve(set, 1);
	set->ev[set->nr++] = *ev;
}

void usage_set_release(struct usage_set *set)
{
	free(set->ev);
	set->ev = NULL;
	set->nr = set->alloc = 0;
}

static int strcmp_null(const char *a, const char *b)
{
	if (a == b)
		return 0;
	if (!a)
		return -1;
	if (!b)
		return 1;
	return strcmp(a, b);
}

int event_cmp(const void *va, const void *vb)
{
	const struct usage_event *a = va, *b = vb;
	int c;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	if (a->tool != b->tool)
		return a->tool < b->tool ? -1 : 1;
	c = strcmp(a->session, b->session);
	if (c)
		return c;
	/* The rest only makes the order total, hence deterministic. */
	c = strcmp_null(a->model, b->model);
	if (c)
		return c;
	if (a->output != b->output)
		return a->output < b->output ? -1 : 1;
	if (a->input != b->input)
		return a->input < b->input ? -1 : 1;
	if (a->cache_read != b->cache_read)
		return a->cache_read < b->cache_read ? -1 : 1;
	if (a->cache_write != b->cache_write)
		return a->cache_write < b->cache_write ? -1 : 1;
	return strcmp_null(a->cwd, b->cwd);
}

void usage_set_sort(struct usage_set *set)
{
	size_t i;

	/* Sets come back in order from the saved state: check first. */
	for (i = 1; i < set->nr; i++)
		if (event_cmp(&set->ev[i - 1], &set->ev[i]) > 0)
			break;
	if (i < set->nr)
		qsort(set->ev, set->nr, sizeof(*set->ev), event_cmp);
}

/* Each thread's last session id hashed: records come a session at a time. */
#define SESSION_MEMO_MAX 128
static __thread char session_memo_id[SESSION_MEMO_MAX];
static __thread char session_memo_hash[13];

void event_session_hash(char out[13], const char *session_id)
{
	char hex[65];
	size_t len;

	if (!session_id || !*session_id) {
		out[0] = '\0';
		return;
	}
	len = strlen(session_id);
	if (len < SESSION_MEMO_MAX && session_memo_hash[0] &&
	    !memcmp(session_memo_id, session_id, len + 1)) {
		memcpy(out, session_memo_hash, 13);
		return;
	}
	sha256_hex(session_id, len, hex);
	memcpy(out, hex, 12);
	out[12] = '\0';
	if (len < SESSION_MEMO_MAX) {
		memcpy(session_memo_id, session_id, len + 1);
		memcpy(session_memo_hash, out, 13);
	}
}

uint64_t event_total_tokens(const struct usage_event *ev)
{
	return ev->input + ev->output + ev->cache_write + ev->cache_read;
}
