/*
 * The price table (share/prices.json, tokens.prices) loaded from
 * memory, then used to price events of models spelled the ways the
 * tools spell them.
 */
#include "fuzz.h"
#include "model/event.h"
#include "sources/prices.h"

static const char *models[] = {
	"claude-sonnet-4-5-20250929", "claude-opus-4.1", "claude-3-5-haiku-latest",
	"anthropic/claude-sonnet-4-5", "openrouter/anthropic/claude-3.7-sonnet",
	"us.anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1@20250805",
	"claude-sonnet-4-5[1m]", "gpt-5", "gpt-5-codex", "o3-2025-04-16",
	"gemini-2.5-pro", "gemini-2.5-flash-2025-06-17", "x-2-", "-latest",
	"a-20251", "-2025-01-0", "", NULL
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

static void price(const struct price_table *t, const char *model)
{
	struct usage_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.tool = TOOL_CLAUDE;
	ev.model = event_intern(model);
	ev.input = 1000;
	ev.output = 2000;
	ev.cache_write = 300000;
	ev.cache_write_1h = 100000;
	ev.cache_read = 1000000000000ULL;
	if (!prices_apply(t, &ev) && (!ev.cost_known || ev.cost < 0))
		BUG("priced '%s' without a cost", model);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct price_table *t;
	char name[41];
	size_t i, n;

	if (prices_load_mem(&t, (const char *)data, size, "fuzz.json"))
		return 0;
	if (!prices_date(t))
		BUG("no date");
	for (i = 0; models[i]; i++)
		price(t, models[i]);
	/* The input's first bytes as a model name too. */
	n = size < 40 ? size : 40;
	memcpy(name, data, n);
	name[n] = '\0';
	price(t, name);
	prices_free(t);
	return 0;
}
