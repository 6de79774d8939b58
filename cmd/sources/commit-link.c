/* "[main 1a2b3c4] subject" in a tool's output: a session's commit. */
#include <string.h>

#include "sources/commit-link.h"

static int is_hex_lower(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int line_start(const char *s, size_t i)
{
	if (!i)
		return 1;
	if (s[i - 1] == '"' || s[i - 1] == '\n')
		return 1;
	/* "\n" inside a JSON string (or a JSON string in one: "\\n"). */
	return i >= 2 && s[i - 2] == '\\' && s[i - 1] == 'n';
}

int commit_link_scan(const char *s, size_t len, char out[41])
{
	const char *p = s, *end = s + len;
	int found = 0;

	while ((p = memchr(p, '[', end - p))) {
		const char *q = p + 1, *tok[5];
		size_t toklen[5], ntok = 0;

		if (!line_start(s, p - s)) {
			p++;
			continue;
		}
		/* Space-separated tokens up to ']', on one line. */
		while (q < end && *q != ']' && *q != '"' && *q != '\\' &&
		       *q != '\n' && ntok < 5 && q - p < 300) {
			const char *t = q;

			while (q < end && *q != ' ' && *q != ']' && *q != '"' &&
			       *q != '\\' && *q != '\n')
				q++;
			if (q == t)
				break;
			tok[ntok] = t;
			toklen[ntok++] = (size_t)(q - t);
			if (q < end && *q == ' ')
				q++;
		}
		if (q < end && *q == ']' && ntok >= 2 && ntok <= 4 &&
		    toklen[ntok - 1] >= 7 && toklen[ntok - 1] <= 40 &&
		    is_hex_lower(tok[ntok - 1], toklen[ntok - 1]) &&
		    (ntok == 2 ||
		     (ntok == 3 && toklen[1] == 13 &&
		      !memcmp(tok[1], "(root-commit)", 13)) ||
		     (ntok == 3 && toklen[0] == 8 &&
		      !memcmp(tok[0], "detached", 8)) ||
		     (ntok == 4 && !memcmp(tok[0], "detached", 8) &&
		      toklen[2] == 13 &&
		      !memcmp(tok[2], "(root-commit)", 13)))) {
			memcpy(out, tok[ntok - 1], toklen[ntok - 1]);
			out[toklen[ntok - 1]] = '\0';
			found = 1;
		}
		p++;
	}
	return found;
}
