/* Unit tests for usage events: interning and session hashes. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "model/event.h"
#include "tap.h"

static void test_intern(void)
{
	char buf[64];
	const char *a = event_intern("claude-sonnet-4-5");
	const char *b, *c;
	int i;

	strcpy(buf, "claude-sonnet-4-5");
	is_int(event_intern(buf) == a, 1, "same text, same pointer");
	is_str(a, "claude-sonnet-4-5", "the text kept");
	b = event_intern_n("claude-sonnet-4-5x", 17);
	is_int(b == a, 1, "the first len bytes");
	/* same length and last byte: the same memo slot, other text */
	c = event_intern("claude-sonnet-4-6");
	b = event_intern("claude-haiku-4-55");
	is_str(c, "claude-sonnet-4-6", "a neighbour keeps its text");
	is_str(b, "claude-haiku-4-55", "and so does the next");
	is_int(event_intern("claude-sonnet-4-6") == c, 1, "and its pointer");
	is_int(event_intern_n("", 0) == event_intern(""), 1, "empty text");
	is_int(event_intern_n("ab", 1) == event_intern("a"), 1,
	       "a prefix is its own string");
	/* more strings than the memo holds, twice round */
	for (i = 0; i < 200; i++) {
		snprintf(buf, sizeof(buf), "m%d", i % 50);
		if (strcmp(event_intern(buf), buf))
			break;
	}
	is_int(i, 200, "every string its own text");
}

static void hash_of(const char *id, char out[13])
{
	char hex[65];

	sha256_hex(id, strlen(id), hex);
	memcpy(out, hex, 12);
	out[12] = '\0';
}

static void *other_thread(void *v)
{
	event_session_hash(v, "ses-b");
	return NULL;
}

static void test_session_hash(void)
{
	char got[13], want[13], long_id[300];
	pthread_t t;
	int i;

	for (i = 0; i < 4; i++) {
		const char *id = i % 2 ? "ses-b" : "ses-a";

		event_session_hash(got, id);
		hash_of(id, want);
		if (strcmp(got, want))
			break;
	}
	is_int(i, 4, "sessions taking turns hash as sha256 says");
	event_session_hash(got, "ses-a");
	event_session_hash(got, "ses-ab");
	hash_of("ses-ab", want);
	is_str(got, want, "an id the last one begins");
	event_session_hash(got, "");
	is_str(got, "", "no id, no hash");
	memset(long_id, 'x', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	event_session_hash(got, long_id);
	hash_of(long_id, want);
	is_str(got, want, "a long id");
	long_id[5] = 'y';
	event_session_hash(got, long_id);
	hash_of(long_id, want);
	is_str(got, want, "another long id");
	event_session_hash(got, "ses-a");
	pthread_create(&t, NULL, other_thread, got);
	pthread_join(t, NULL);
	hash_of("ses-b", want);
	is_str(got, want, "each thread its own last id");
}

int main(void)
{
	test_intern();
	test_session_hash();
	return done_testing();
}
