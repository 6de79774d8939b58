#!/bin/sh

test_description='forge API failures: rate limits, 404, bad JSON, bad tokens'

. "$(dirname "$0")"/lib-tokens.sh

TOKEN=ghp_SENTINEL_errors_7030_token
CRED=SENTINEL_from_credential_7030
GIT_TOKENS_NOW=2026-11-22T12:00:00Z
export GIT_TOKENS_NOW
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GIT_SSL_CAINFO CURL_CA_BUNDLE GIT_TOKENS_HTTP_MAX_WAIT

# respond <dir> <file> <status> <body> [<header>...]
respond () {
	dir=$1 file=$2 status=$3 body=$4 &&
	shift 4 &&
	{
		echo "$status" &&
		for h in "$@"
		do
			echo "$h"
		done &&
		echo &&
		printf "%s\n" "$body"
	} >"$dir/$file"
}

# serve <dir>: start a server on <dir>/routes; its URL in <dir>/url.
serve () {
	python3 "$TEST_SRCDIR/lib-httpd.py" --start --timeout 300 "$1" >"$1/url"
}

stop () {
	python3 "$TEST_SRCDIR/lib-httpd.py" --stop "$1"
}

# gt <dir> <args>: git tokens in repo against the server of <dir>.
gt () {
	dir=$1 &&
	shift &&
	(
		cd repo &&
		GIT_TOKENS_GITHUB_API=$(cat "../$dir/url") git tokens "$@"
	)
}

nreq () {
	grep -c "$2" "$1/requests.log"
}

review_table () {
	(cd repo && git log --format="%H %s" --all) >subjects &&
	python3 -c '
import json, sys
names = {}
for line in open("subjects"):
    sha, _, subject = line.rstrip("\n").partition(" ")
    names[sha] = subject
for c in json.load(sys.stdin)["changes"]:
    print("%s|%s" % (names[c["commit"]], c["review"]))
' | sort
}

test_expect_success 'setup' '
	git init -q repo &&
	(
		cd repo &&
		git remote add origin https://github.com/acme/errs.git &&
		test_commit "Rate limited (#21)" r.t &&
		echo f >f.t &&
		git add f.t &&
		test_tick &&
		git commit -q -m "From a deleted fork

Reviewed-by: Rita Reviewer <rita@example.com>" &&
		test_commit "Malformed answer" m.t
	) &&
	R1=$(git -C repo rev-parse ":/Rate limited") &&
	F1=$(git -C repo rev-parse ":/From a deleted fork") &&
	M1=$(git -C repo rev-parse ":/Malformed answer") &&
	P=/repos/acme/errs &&
	mkdir srv &&
	respond srv pr21 200 "{\"number\":21,\"merged_at\":\"2024-11-18T02:00:00Z\",\"created_at\":\"2024-11-18T00:00:00Z\",\"merge_commit_sha\":\"$R1\"}" &&
	respond srv approved 200 "[{\"state\":\"APPROVED\",\"user\":{\"login\":\"a\"},\"submitted_at\":\"2024-11-18T01:00:00Z\"}]" &&
	respond srv pulls-f1 200 "[{\"number\":22,\"merged_at\":\"2024-11-18T02:00:00Z\",\"merge_commit_sha\":\"$F1\",\"base\":{\"ref\":\"main\"}}]" &&
	respond srv gone 404 "{\"message\":\"Not Found\",\"documentation_url\":\"https://docs.github.com/rest\"}" &&
	respond srv broken 200 "[{\"number\": 23, \"merged_at\": " &&
	cat >srv/routes <<-EOF &&
	$P/pulls/21 - rate pr21
	$P/pulls/21/reviews - approved
	$P/commits/$F1/pulls - pulls-f1
	$P/pulls/22/reviews - gone
	$P/commits/$M1/pulls - broken
	EOF
	serve srv
'

test_expect_success 'a 403 rate limit: wait for the reset, then succeed' '
	respond srv rate 403 "{\"message\":\"API rate limit exceeded for user ID 1.\"}" \
		"x-ratelimit-limit: 5000" "x-ratelimit-remaining: 0" \
		"x-ratelimit-reset: $(($(date +%s) + 2))" &&
	GITHUB_TOKEN=$TOKEN gt srv log --format=json >log.json 2>err &&
	review_table <log.json >actual &&
	cat >expect <<-\EOF &&
	From a deleted fork|approved
	Malformed answer|None
	Rate limited (#21)|approved
	EOF
	test_cmp expect actual &&
	test $(nreq srv "\"/repos/acme/errs/pulls/21\"") = 2
'

test_expect_success 'a 404 (deleted fork) leaves the forge silent: trailers answer' '
	! grep "pulls/22" err &&
	test $(nreq srv "pulls/22/reviews") = 1
'

test_expect_success 'malformed JSON: one clear error, the run goes on' '
	grep "^error: malformed JSON in the answer from .http://127.0.0.1:[0-9]*/repos/acme/errs/commits/$M1/pulls?per_page=100.$" err &&
	grep "^warning: review data from github is incomplete: 1 request failed$" err &&
	test $(grep -c "^error:" err) = 1
'

test_expect_success 'bad answers are not cached; good ones are' '
	GITHUB_TOKEN=$TOKEN gt srv log --format=json >log2.json 2>err2 &&
	test_cmp log.json log2.json &&
	test $(nreq srv "/commits/$M1/pulls") = 2 &&
	test $(nreq srv "pulls/22/reviews") = 1 &&
	test $(nreq srv "\"/repos/acme/errs/pulls/21\"") = 2
'

test_expect_success 'fetch github fails on a bad answer' '
	test_expect_code 128 env GITHUB_TOKEN=$TOKEN \
		GIT_TOKENS_GITHUB_API=$(cat srv/url) \
		sh -c "cd repo && git tokens fetch github" 2>err3 &&
	grep "^error: malformed JSON in the answer" err3 &&
	grep "^fatal: could not fetch review data from github$" err3
'

test_expect_success 'a rate limit longer than GIT_TOKENS_HTTP_MAX_WAIT: clear error' '
	mkdir srv2 &&
	respond srv2 limit 403 "{\"message\":\"API rate limit exceeded\"}" \
		"x-ratelimit-remaining: 0" \
		"x-ratelimit-reset: $(($(date +%s) + 3600))" &&
	echo "/repos/acme/errs/commits/$M1/pulls - limit" >srv2/routes &&
	serve srv2 &&
	test_when_finished "stop srv2" &&
	rm -rf repo/.git/tokens/http &&
	test_expect_code 128 env GITHUB_TOKEN=$TOKEN \
		GIT_TOKENS_HTTP_MAX_WAIT=1 GIT_TOKENS_GITHUB_API=$(cat srv2/url) \
		sh -c "cd repo && git tokens fetch github" 2>err4 &&
	grep "^error: unable to fetch .http://127.0.0.1:[0-9]*/repos/acme/errs/commits/$M1/pulls?per_page=100.: the server asked to wait [0-9]* s, more than allowed (GIT_TOKENS_HTTP_MAX_WAIT=1 s)$" err4 &&
	grep "^fatal: could not fetch review data from github$" err4 &&
	test $(nreq srv2 pulls) = 1 &&
	GITHUB_TOKEN=$TOKEN GIT_TOKENS_HTTP_MAX_WAIT=1 gt srv2 log \
		--format=json >log5.json 2>err5 &&
	grep "more than allowed" err5 &&
	test $(nreq srv2 pulls) = 2
'

test_expect_success 'a rejected token: named by its variable, never shown' '
	mkdir srv3 &&
	respond srv3 bad 401 "{\"message\":\"Bad credentials $TOKEN\"}" &&
	echo "/repos/acme/errs/commits/$M1/pulls - bad" >srv3/routes &&
	serve srv3 &&
	test_when_finished "stop srv3" &&
	rm -rf repo/.git/tokens/http &&
	GITHUB_TOKEN=$TOKEN gt srv3 log --format=json >log6.json 2>err6 &&
	grep "^error: GitHub rejected the token from GITHUB_TOKEN (HTTP 401 from .http://127.0.0.1:[0-9]*/repos/acme/errs/commits/$M1/pulls?per_page=100.)$" err6 &&
	test $(wc -l <srv3/requests.log) = 1 &&
	test_expect_code 128 env GH_TOKEN=$TOKEN \
		GIT_TOKENS_GITHUB_API=$(cat srv3/url) \
		sh -c "cd repo && git tokens fetch github" 2>err7 &&
	grep "rejected the token from GH_TOKEN" err7
'

test_expect_success 'a token from git credential fill' '
	mkdir srv4 &&
	respond srv4 empty 200 "[]" &&
	cat >srv4/routes <<-EOF &&
	/repos/acme/errs/commits/$M1/pulls - empty
	/repos/acme/errs/commits/$F1/pulls - empty
	/repos/acme/errs/commits/$R1/pulls - empty
	EOF
	serve srv4 &&
	test_when_finished "stop srv4" &&
	git -C repo config credential.helper \
		"!f() { test \"\$1\" = get && echo username=x-token && echo password=$CRED; }; f" &&
	test_when_finished "git -C repo config --unset credential.helper" &&
	echo "protocol=https
host=github.com
" | git -C repo credential fill >cred.out &&
	grep "password=$CRED" cred.out &&
	rm -rf repo/.git/tokens/http &&
	gt srv4 log --format=json >log8.json 2>err8 &&
	python3 -c "
import json
reqs = [json.loads(l) for l in open(\"srv4/requests.log\")]
assert reqs
for r in reqs:
    h = {k.lower(): v for k, v in r[\"headers\"].items()}
    assert h[\"authorization\"] == \"Bearer $CRED\", h
"
'

test_expect_success 'no secret in any output or cache file' '
	! grep -r -e "$TOKEN" -e "$CRED" repo/.git/tokens &&
	! grep -e "$TOKEN" -e "$CRED" err err2 err3 err4 err5 err6 err7 err8 \
		log.json log6.json log8.json
'

test_expect_success 'stop the server' '
	stop srv
'

test_done
