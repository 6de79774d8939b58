#ifndef TOKENS_OIDMAP_H
#define TOKENS_OIDMAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * A hash map from object ids (hex on the way in, kept as 20 bytes) to a
 * size_t, for the sets a history walk needs: reachable commits, commit
 * index by id, patch-ids. Open addressing, never shrinks.
 */
struct oidmap_entry {
	unsigned char oid[20];
	size_t value;
};

struct oidmap {
	struct oidmap_entry *e;
	unsigned char *used;
	size_t nr, alloc;
};
#define OIDMAP_INIT { 0 }

/* 0 on success, -1 when hex is not 40 hex digits. */
int oid_from_hex(unsigned char out[20], const char *hex);
void oid_to_hex(char out[41], const unsigned char oid[20]);

/* Insert or replace; returns -1 for a malformed id. */
int oidmap_put(struct oidmap *map, const char *hex, size_t value);
int oidmap_put_raw(struct oidmap *map, const unsigned char oid[20], size_t value);
/* 1 and *value when present, else 0. value may be NULL. */
int oidmap_get(const struct oidmap *map, const char *hex, size_t *value);
int oidmap_get_raw(const struct oidmap *map, const unsigned char oid[20], size_t *value);
void oidmap_clear(struct oidmap *map);

#endif
