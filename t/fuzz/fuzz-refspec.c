/* Refspecs from the config: where a fetch takes the notes ref. */
#include "fuzz.h"
#include "engine/notes-sync.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf into = STRBUF_INIT;
	char *spec = fuzz_str(data, size), *nl = strchr(spec, '\n');
	const char *ref = "refs/notes/tokens";
	int forced = -1;

	/* "<refspec>\n<ref>", or the refspec alone against our ref. */
	if (nl) {
		*nl = '\0';
		ref = nl + 1;
	}
	if (notes_refspec_map(spec, ref, &into, &forced)) {
		if (forced != (*spec == '+'))
			BUG("forced is %d for '%s'", forced, spec);
		if (into.len != strlen(into.buf))
			BUG("a NUL inside the destination");
	} else if (into.len) {
		BUG("no match but a destination '%s'", into.buf);
	}
	strbuf_release(&into);
	free(spec);
	return 0;
}
