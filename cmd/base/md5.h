#ifndef TOKENS_MD5_H
#define TOKENS_MD5_H

#include <stddef.h>

/*
 * MD5 (RFC 1321), for names other tools derive from paths (never for
 * security): 32 lower-case hex digits and a NUL into hex[33].
 */
void md5_hex(const void *data, size_t len, char hex[33]);

#endif
