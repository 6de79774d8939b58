/* The trailer parser against git's rules. */
#include <string.h>

#include "tap.h"
#include "model/trailers.h"

static size_t count(const char *msg, const char *key)
{
	struct trailer_list l = TRAILER_LIST_INIT;
	size_t n;

	trailers_parse(&l, msg, strlen(msg));
	n = trailers_count(&l, key);
	trailer_list_release(&l);
	return n;
}

static size_t total(const char *msg)
{
	struct trailer_list l = TRAILER_LIST_INIT;
	size_t n;

	trailers_parse(&l, msg, strlen(msg));
	n = l.nr;
	trailer_list_release(&l);
	return n;
}

int main(void)
{
	struct trailer_list l = TRAILER_LIST_INIT;
	const char *msg;

	is_int(count("fix\n\nReviewed-by: A <a@x>\n", "reviewed-by"), 1,
	       "a lone trailer paragraph");
	is_int(count("fix\n\nReviewed-By: A <a@x>\nACKED-BY: B\n",
		     "Reviewed-by"), 1, "keys compare case-insensitively");
	is_int(count("fix\n\nReviewed-By: A <a@x>\nACKED-BY: B\n",
		     "acked-by"), 1, "a second key in the block");
	is_int(count("Reviewed-by: A <a@x>\n", "Reviewed-by"), 0,
	       "the subject is never a trailer block");
	is_int(count("fix\nReviewed-by: A\n", "Reviewed-by"), 0,
	       "the subject paragraph, even on two lines");
	is_int(count("fix\n\nReviewed-by: A\n\nSome prose here.\n",
		     "Reviewed-by"), 0, "only the last paragraph counts");
	is_int(count("fix\n\nbody text\nReviewed-by: A\n", "Reviewed-by"), 0,
	       "prose in the block without a git trailer rejects it");
	is_int(count("fix\n\nbody text\nmore text\nSigned-off-by: S\n"
		     "Reviewed-by: A\n", "Reviewed-by"), 1,
	       "a git-generated trailer and 25% trailers accept it");
	is_int(count("fix\n\nl1\nl2\nl3\nl4\nl5\nl6\nl7\n"
		     "Signed-off-by: S\nReviewed-by: A\n", "Reviewed-by"), 0,
	       "under 25% trailers rejects it");
	is_int(count("fix\n\nTested-by: T\n\n", "tested-by"), 1,
	       "trailing blank lines are ignored");
	is_int(count("fix\r\n\r\nReviewed-by: A\r\n", "Reviewed-by"), 1,
	       "CRLF line ends");
	is_int(count("fix\n\nReviewed-by: A\n# a comment\nAcked-by: B\n",
		     "acked-by"), 1, "comment lines are skipped");
	is_int(count("fix\n\nReviewed-by : A\n", "Reviewed-by"), 1,
	       "blanks before the separator");
	is_int(count("fix\n\nReviewed by: A\n", "Reviewed-by"), 0,
	       "a space inside the token is no trailer");
	is_int(count("fix\n\n(cherry picked from commit abc)\n"
		     "Reviewed-by: A\n", "Reviewed-by"), 1,
	       "cherry-pick line counts as a trailer line");
	is_int(total("fix\n\n(cherry picked from commit abc)\n"), 0,
	       "cherry-pick line yields no key");
	is_int(total(""), 0, "empty message");
	is_int(total("\n\n\n"), 0, "blank message");
	is_int(count("fix\n\nsee https://x: y\n", "see"), 0,
	       "a colon in prose is no trailer");

	msg = "fix\n\nReviewed-by: Jane\n  Doe <j@x>\nAcked-by:B\n";
	trailers_parse(&l, msg, strlen(msg));
	is_int(l.nr, 2, "continuation joins the previous trailer");
	if (l.nr == 2) {
		is_str(l.v[0].key, "Reviewed-by", "key kept as written");
		is_str(l.v[0].value, "Jane Doe <j@x>", "folded value");
		is_str(l.v[1].value, "B", "value without a blank");
	}
	trailer_list_release(&l);
	is_int(l.nr, 0, "release empties the list");

	msg = "fix\n\nbody\n\nCo-authored-by: Claude <noreply@anthropic.com>";
	is_int(count(msg, "co-authored-by"), 1,
	       "no final newline");
	return done_testing();
}
