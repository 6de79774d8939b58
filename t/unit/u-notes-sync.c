/* Refspecs: where a fetch takes the notes, as git maps them. */
#include <string.h>

#include "tap.h"
#include "engine/notes-sync.h"

static struct strbuf into = STRBUF_INIT;

/* The destination of ref through spec, "-" when it does not match. */
static const char *map(const char *spec, const char *ref, int *forced)
{
	if (!notes_refspec_map(spec, ref, &into, forced))
		return "-";
	return into.buf;
}

int main(void)
{
	struct strbuf sb = STRBUF_INIT;
	const char *ref = "refs/notes/tokens";
	int forced = -1;

	notes_fetch_refspec(&sb, "origin", ref);
	is_str(sb.buf, "+refs/notes/tokens*:refs/notes/remotes/origin/tokens*",
	       "our refspec: a pattern, forced, into the tracking ref");
	is_str(map(sb.buf, ref, &forced), "refs/notes/remotes/origin/tokens",
	       "it maps the notes ref to its tracking ref");
	is_int(forced, 1, "forced");
	is_str(map(sb.buf, "refs/notes/tokens-old", &forced),
	       "refs/notes/remotes/origin/tokens-old",
	       "the star stands for the rest of the name");
	is_str(map(sb.buf, "refs/notes/token", &forced), "-",
	       "a shorter name does not match");
	notes_fetch_refspec(&sb, "up", "refs/tokens/usage");
	is_str(sb.buf, "+refs/tokens/usage*:refs/notes/remotes/up/tokens/usage*",
	       "a notes ref outside refs/notes/");

	is_str(map("+refs/heads/*:refs/remotes/origin/*", ref, &forced), "-",
	       "branches do not take the notes");
	is_str(map("+refs/notes/*:refs/notes/*", ref, &forced),
	       "refs/notes/tokens", "a glob into the local ref");
	is_int(forced, 1, "and forced: it clobbers");
	is_str(map("refs/notes/tokens:refs/notes/tokens", ref, &forced),
	       "refs/notes/tokens", "an exact one, not forced");
	is_int(forced, 0, "not forced");
	is_str(map("refs/notes/tokens", ref, &forced), "",
	       "no destination: FETCH_HEAD only");
	is_str(map("+refs/notes/*:refs/remotes/origin/notes/*", ref, &forced),
	       "refs/remotes/origin/notes/tokens", "a glob elsewhere");
	is_str(map("refs/*/tokens:refs/x/*", ref, &forced), "refs/x/notes",
	       "a star in the middle");
	is_str(map("refs/notes/*:refs/fixed", ref, &forced), "refs/fixed",
	       "a pattern source into a fixed ref");
	is_str(map("^refs/notes/tokens", ref, &forced), "-",
	       "a negative refspec takes nothing");
	is_str(map("", ref, &forced), "-", "an empty refspec");
	strbuf_release(&sb);
	strbuf_release(&into);
	return done_testing();
}
