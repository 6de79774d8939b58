#include <stdlib.h>
#include <string.h>
#include "base/die.h"
#include "base/hash.h"
#include "base/oidmap.h"

int oid_from_hex(unsigned char out[20], const char *hex)
{
	return hex_decode(out, hex, 20);
}

void oid_to_hex(char out[41], const unsigned char oid[20])
{
	hex_encode(out, oid, 20);
}

/* Object ids are uniformly distributed already: their first bytes hash. */
static size_t slot_of(const struct oidmap *map, const unsigned char oid[20])
{
	size_t h;

	memcpy(&h, oid, sizeof(h));
	return h & (map->alloc - 1);
}

static void grow(struct oidmap *map)
{
	struct oidmap old = *map;
	size_t i;

	map->alloc = old.alloc ? old.alloc * 2 : 64;
	map->e = xcalloc(map->alloc, sizeof(*map->e));
	map->used = xcalloc(map->alloc, 1);
	map->nr = 0;
	for (i = 0; i < old.alloc; i++)
		if (old.used[i])
			oidmap_put_raw(map, old.e[i].oid, old.e[i].value);
	free(old.e);
	free(old.used);
}

int oidmap_put_raw(struct oidmap *map, const unsigned char oid[20], size_t value)
{
	size_t i;

	if ((map->nr + 1) * 4 > map->alloc * 3)
		grow(map);
	for (i = slot_of(map, oid); map->used[i]; i = (i + 1) & (map->alloc - 1))
		if (!memcmp(map->e[i].oid, oid, 20)) {
			map->e[i].value = value;
			return 0;
		}
	memcpy(map->e[i].oid, oid, 20);
	map->e[i].value = value;
	map->used[i] = 1;
	map->nr++;
	return 0;
}

int oidmap_put(struct oidmap *map, const char *hex, size_t value)
{
	unsigned char oid[20];

	if (oid_from_hex(oid, hex))
		return -1;
	return oidmap_put_raw(map, oid, value);
}

int oidmap_get_raw(const struct oidmap *map, const unsigned char oid[20], size_t *value)
{
	size_t i;

	if (!map->alloc)
		return 0;
	for (i = slot_of(map, oid); map->used[i]; i = (i + 1) & (map->alloc - 1))
		if (!memcmp(map->e[i].oid, oid, 20)) {
			if (value)
				*value = map->e[i].value;
			return 1;
		}
	return 0;
}

int oidmap_get(const struct oidmap *map, const char *hex, size_t *value)
{
	unsigned char oid[20];

	if (oid_from_hex(oid, hex))
		return 0;
	return oidmap_get_raw(map, oid, value);
}

void oidmap_clear(struct oidmap *map)
{
	free(map->e);
	free(map->used);
	memset(map, 0, sizeof(*map));
}
