#ifndef TOKENS_PRICES_H
#define TOKENS_PRICES_H

#include "model/event.h"

struct repo;
struct price_table;

/*
 * Load the price table: path when non-NULL, else tokens.prices, else
 * prices.json in the data folder (GIT_TOKENS_DATADIR or PKGDATADIR).
 */
int prices_load(struct price_table **out, struct repo *repo, const char *path);
/* The same from a table's text; name is the file named in errors. */
int prices_load_mem(struct price_table **out, const char *buf, size_t len,
		    const char *name);
void prices_free(struct price_table *t);
/* A hash of the tables' text: equal tables price alike. */
uint64_t prices_id(const struct price_table *t);
/* The date of the snapshot ("2026-11-01"). */
const char *prices_date(const struct price_table *t);
/*
 * Price one event unless its cost was recorded by the log: sets cost and
 * cost_known. Returns 0, 1 when the model is not in the table, or 2 when
 * the event has web searches and the table no price for its provider's
 * (the cost stays unknown either way; the caller warns once per model).
 */
int prices_apply(const struct price_table *t, struct usage_event *ev);

#endif
