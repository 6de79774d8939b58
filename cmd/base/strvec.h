#ifndef TOKENS_STRVEC_H
#define TOKENS_STRVEC_H

#include <stddef.h>

/* A NULL-terminated, growable array of owned strings (git's strvec). */
struct strvec {
	const char **v;
	size_t nr;
	size_t alloc;
};

extern const char *empty_strvec[];
#define STRVEC_INIT { .v = empty_strvec }

void strvec_init(struct strvec *sv);
const char *strvec_push(struct strvec *sv, const char *s);
__attribute__((format(printf, 2, 3)))
const char *strvec_pushf(struct strvec *sv, const char *fmt, ...);
/* Push each argument up to a NULL. */
void strvec_pushl(struct strvec *sv, ...);
void strvec_pushv(struct strvec *sv, const char **v);
void strvec_clear(struct strvec *sv);
/* 1 when s is one of the strings, else 0. */
int strvec_has(const struct strvec *sv, const char *s);

#endif
