/*
 * Forge answers (GitHub, GitLab): the first byte picks the forge and
 * the call the rest answers; the request itself is read from the same
 * body first, so that the review answers see its merge time. The rest
 * is also tried as a Link header and as a URL to redact.
 */
#include "fuzz.h"
#include "net/forge.h"
#include "net/http.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct forge_request r;
	struct strvec commits = STRVEC_INIT;
	struct http_response res = HTTP_RESPONSE_INIT;
	struct strbuf sb = STRBUF_INIT;
	enum forge_kind kind;
	enum forge_answer what;
	const char *body;
	char *s;
	size_t i;

	if (!size)
		return 0;
	kind = data[0] & 1 ? FORGE_GITLAB : FORGE_GITHUB;
	what = (enum forge_answer)((data[0] >> 1) % 6);
	body = (const char *)data + 1;
	size--;

	memset(&r, 0, sizeof(r));
	r.created_at = r.merged_at = -1;
	forge_answer_parse(kind, FORGE_ANSWER_REQUEST, body, size, NULL, &r,
			   &commits);
	if (forge_answer_parse(kind, what, body, size, "main", &r,
			       &commits) >= 0 && what == FORGE_ANSWER_COMMITS)
		for (i = 0; i < commits.nr; i++)
			if (strlen(commits.v[i]) != 40)
				BUG("not a commit id: '%s'", commits.v[i]);
	forge_request_release(&r);
	strvec_clear(&commits);

	s = fuzz_str(data + 1, size);
	strvec_pushf(&res.headers, "link: %s", s);
	if (!http_link_next(&res, &sb) && memchr(sb.buf, '>', sb.len))
		BUG("next page URL with '>': %s", sb.buf);
	http_url_redact(&sb, s);
	http_response_release(&res);
	strbuf_release(&sb);
	free(s);
	return 0;
}
