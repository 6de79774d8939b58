#ifndef TOKENS_HASH_H
#define TOKENS_HASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Non-cryptographic hashes for tables and checksums, and hex digits.
 * Values of fnv1a(), hash_bytes() and hash_long() are kept in cache
 * files: changing them means a new cache version.
 */
#define FNV1A_INIT 0xcbf29ce484222325ULL

/* FNV-1a over len bytes, going on from h (FNV1A_INIT to start). */
static inline uint64_t fnv1a(const void *data, size_t len, uint64_t h)
{
	const unsigned char *p = data;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* Spread the high bits of h over the low ones a table index uses. */
static inline uint64_t hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* A table index for an interned pointer. */
static inline uint64_t hash_ptr(const void *p)
{
	return hash_mix((uint64_t)(uintptr_t)p);
}

/* A well-mixed, never zero 64-bit hash of bytes, for dedup keys. */
uint64_t hash_bytes(const void *data, size_t len, uint64_t seed);
/* The same for long keys (whole lines), eight bytes a step. */
uint64_t hash_long(const void *data, size_t len, uint64_t seed);

/* The value of a hex digit (either case), or -1. */
int hex_value(int c);
/* len bytes from 2 * len hex digits: 0, or -1 at a non-hex digit. */
int hex_decode(unsigned char *out, const char *hex, size_t len);
/* 2 * len lower-case hex digits and a NUL. */
void hex_encode(char *out, const void *data, size_t len);

#endif
