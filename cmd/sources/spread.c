/*
 * Sessions logged as totals only (Goose, Crush): the totals spread over
 * the session's window, so that attribution by time finds the commits
 * made during it. See source_emit_spread() in sources.h.
 */
#include <stdlib.h>

#include "base/die.h"
#include "sources/sources.h"

#define SLICE_MS (5 * 60 * 1000)
#define MAX_SLICES 1000

static uint64_t share(uint64_t total, uint64_t n, uint64_t i)
{
	return total / n + (i < total % n);
}

static void spread(struct source_ctx *ctx, const struct source_rec *r)
{
	int64_t len = (int64_t)r->flags * 1000;
	uint64_t n = 1 + (uint64_t)len / SLICE_MS, i;

	if (n > MAX_SLICES)
		n = MAX_SLICES;
	for (i = 0; i < n; i++) {
		struct usage_event ev = r->ev;

		ev.time = r->ev.time + (int64_t)((uint64_t)len * (i + 1) / n);
		ev.input = share(r->ev.input, n, i);
		ev.output = share(r->ev.output, n, i);
		ev.cache_write = share(r->ev.cache_write, n, i);
		ev.cache_write_1h = share(r->ev.cache_write_1h, n, i);
		ev.cache_read = share(r->ev.cache_read, n, i);
		ev.web_searches = (uint32_t)share(r->ev.web_searches, n, i);
		if (ev.cost_recorded)
			ev.cost = r->ev.cost / (double)n;
		usage_set_add(ctx->out, &ev);
	}
}

void source_emit_spread(struct source_ctx *ctx, struct source_file **files,
			size_t nr)
{
	const struct source_rec **all = NULL;
	size_t i, j, n = 0, alloc = 0;

	for (i = 0; i < nr; i++)
		for (j = 0; j < files[i]->nr; j++) {
			ALLOC_GROW(all, n + 1, alloc);
			all[n++] = &files[i]->rec[j];
		}
	n = source_pick_largest(all, n);
	for (i = 0; i < n; i++)
		spread(ctx, all[i]);
	free(all);
}
