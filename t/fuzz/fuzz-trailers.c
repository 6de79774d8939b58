/* Commit message trailers (review outcomes: Reviewed-by and the like). */
#include "fuzz.h"
#include "model/trailers.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trailer_list list = TRAILER_LIST_INIT;
	size_t i;

	trailers_parse(&list, (const char *)data, size);
	for (i = 0; i < list.nr; i++)
		if (!list.v[i].key || !*list.v[i].key || !list.v[i].value)
			BUG("trailer %zu without key or value", i);
	if (list.nr && !trailers_count(&list, list.v[0].key))
		BUG("trailer '%s' not counted", list.v[0].key);
	trailers_count(&list, "Reviewed-by");
	trailer_list_release(&list);
	return 0;
}
