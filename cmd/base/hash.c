#include <string.h>
#include "base/hash.h"

uint64_t hash_bytes(const void *data, size_t len, uint64_t seed)
{
	uint64_t h = fnv1a(data, len,
			   FNV1A_INIT ^ (seed * 0x9e3779b97f4a7c15ULL));

	h = hash_mix(h);
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h ? h : 1;
}

uint64_t hash_long(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = FNV1A_INIT ^ (seed * 0x9e3779b97f4a7c15ULL) ^ len, w;

	/* each step a bijection of h for a given word */
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, p, len);
	h = hash_mix((h ^ w) * 0xc4ceb9fe1a85ec53ULL);
	return h ? h : 1;
}

int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(unsigned char *out, const char *hex, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		int hi = hex_value(hex[2 * i]), lo;

		if (hi < 0 || (lo = hex_value(hex[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

void hex_encode(char *out, const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}
