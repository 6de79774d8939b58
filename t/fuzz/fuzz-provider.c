/*
 * Provider usage API answers (Anthropic Admin API, OpenAI
 * organization usage) and the provider store file. The input is a
 * sequence of answers, each one byte naming the call (and the tool
 * from the first), then its body up to a NUL byte; the whole input is
 * also read as the store.
 */
#include "fuzz.h"
#include "model/event.h"
#include "net/provider.h"

#define MAX_ANSWERS 8

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum provider_answer what[MAX_ANSWERS];
	const char *body[MAX_ANSWERS];
	size_t len[MAX_ANSWERS], nr = 0, i;
	struct usage_set out = USAGE_SET_INIT;
	const uint8_t *p = data, *end = data + size;
	enum tool tool;

	if (!size)
		return 0;
	tool = data[0] & 0x80 ? TOOL_OPENAI_API : TOOL_ANTHROPIC_API;
	while (p < end && nr < MAX_ANSWERS) {
		const uint8_t *nul;

		what[nr] = (enum provider_answer)((*p++ & 0x7f) % 5);
		nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul)
			nul = end;
		body[nr] = (const char *)p;
		len[nr] = (size_t)(nul - p);
		nr++;
		p = nul < end ? nul + 1 : end;
	}
	provider_answer_parse(tool, what, body, len, nr, &out);
	for (i = 0; i < out.nr; i++)
		if (out.ev[i].tool != tool)
			BUG("event of another tool");
	usage_set_release(&out);

	provider_store_parse((const char *)data, size, &out);
	usage_set_release(&out);
	return 0;
}
