/* report --from: export rows read back into changes, then the report. */
#include "fuzz.h"
#include "report/export-read.h"
#include "report/metrics.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct change_set set = CHANGE_SET_INIT;
	struct export_read r = { 0 };
	struct metrics_report m = METRICS_REPORT_INIT;
	size_t i;

	r.set = &set;
	export_read_mem(&r, "fuzz.jsonl", (const char *)data, size);
	export_read_finish(&r);
	for (i = 0; i < set.nr; i++)
		if (!set.c[i].repo || strlen(set.c[i].oid) != 40)
			BUG("change %zu without repository or commit", i);
	metrics_compute(&m, set.c, set.nr, METRICS_BY_REPO, NULL);
	if (m.total.changes != set.nr)
		BUG("%zu changes read, %llu counted", set.nr,
		    (unsigned long long)m.total.changes);
	metrics_report_release(&m);
	export_read_release(&r);
	change_set_release(&set);
	return 0;
}
