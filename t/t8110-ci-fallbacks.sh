#!/bin/sh

test_description='ci: what keeps the job green (no token, a fork, a shallow clone, a long report) and what does not'

. "$(dirname "$0")"/lib-tokens.sh

TOKEN=ghp_SENTINEL_ci_8110_token
R=/repos/acme/widget
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GIT_SSL_CAINFO CURL_CA_BUNDLE GITHUB_STEP_SUMMARY GITHUB_EVENT_PATH \
	GITHUB_SHA GITHUB_REPOSITORY GITHUB_API_URL GIT_TOKENS_GITHUB_API

# event <file> <number> <base sha> <head sha> [<head repository>]
event () {
	printf '{"pull_request":{"number":%s,"head":{"sha":"%s","repo":{"full_name":"%s"}},"base":{"sha":"%s","ref":"main","repo":{"full_name":"acme/widget"}}}}\n' \
		"$2" "$4" "${5:-acme/widget}" "$3" >"$1"
}

# ci <clone> <event file> [<args>...]; the token from $CI_TOKEN.
ci () {
	dir=$1 ev=$2 &&
	shift 2 &&
	(
		cd "$dir" &&
		if test -n "$CI_TOKEN"
		then
			GITHUB_TOKEN=$CI_TOKEN &&
			export GITHUB_TOKEN
		fi &&
		GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request \
		GITHUB_EVENT_PATH="$SHARNESS_TRASH_DIRECTORY/$ev" \
		GITHUB_REPOSITORY=acme/widget GITHUB_API_URL=$HTTPD_URL \
		GITHUB_STEP_SUMMARY="$SHARNESS_TRASH_DIRECTORY/summary.md" \
		git tokens ci "$@"
	)
}

# The stored comments of a thread: "<id> <characters> <login>".
comments () {
	python3 - "$1" <<-\PY
	import json, sys
	try:
	    store = json.load(open("srv/threads.json"))
	except FileNotFoundError:
	    store = {}
	for c in store.get(sys.argv[1], []):
	    print(c["id"], len(c["body"]), c["user"].get("login"))
	PY
}

test_expect_success 'setup' '
	git init -q --bare origin.git &&
	git clone -q origin.git dev 2>/dev/null &&
	(
		cd dev &&
		test_commit base base.t &&
		test_commit more base.t &&
		git push -q origin HEAD:main &&
		git checkout -q -b feat &&
		test_commit one feat.t &&
		test_commit two feat.t &&
		git push -q origin feat feat:refs/pull/5/head
	) &&
	B=$(git -C dev rev-parse more) &&
	H=$(git -C dev rev-parse two) &&
	git clone -q origin.git ci &&
	event event.json 5 $B $H &&
	event fork.json 5 $B $H someone/widget &&

	mkdir srv &&
	echo "[]" >empty.body &&
	{ printf "200\nContent-Type: application/json\n\n" && echo "[]"; } >srv/empty &&
	{
		printf "422\nContent-Type: application/json\n\n" &&
		echo "{\"message\":\"Validation Failed\"}"
	} >srv/e422 &&
	cat >srv/routes <<-EOF &&
	$R/issues/9/comments - empty e422
	EOF
	cat >srv/threads <<-EOF &&
	$R/issues/5/comments $R/issues/comments/
	$R/issues/8/comments $R/issues/comments/
	EOF
	echo "{\"login\":\"github-actions[bot]\"}" >srv/whoami &&
	HTTPD_URL=$(python3 "$TEST_SRCDIR/lib-httpd.py" --start --timeout 300 srv)
'

test_expect_success 'no token: the step summary only, a warning, exit 0' '
	n=$(log_lines) &&
	CI_TOKEN= ci ci event.json >out 2>err &&
	grep "^warning: no GitHub token (set GITHUB_TOKEN" err &&
	grep "the report is only in the step summary" err &&
	# no notes on origin: said once, by ci, not again by the report
	grep "^warning: .origin. has no refs/notes/tokens yet" err &&
	! grep "no usage notes here" err &&
	test "$(log_lines)" = "$n" &&
	grep "^### git tokens: pull request #5" summary.md &&
	grep "^| total | 2 |" summary.md
'

test_expect_success 'no write access (a fork): 403 on posting, a warning, exit 0' '
	echo "Resource not accessible by integration" >srv/deny &&
	rm -f summary.md &&
	CI_TOKEN=$TOKEN ci ci fork.json >out 2>err &&
	rm srv/deny &&
	grep "^warning: cannot comment on pull request #5: creating the comment was refused (HTTP 403: Resource not accessible by integration)" err &&
	grep "fork .someone/widget. gets a read-only token" err &&
	grep "the report is only in the step summary" err &&
	comments $R/issues/5/comments >actual &&
	test_must_be_empty actual &&
	grep "^| total | 2 |" summary.md
'

test_expect_success 'without a step summary the warning points at the job log' '
	echo "Resource not accessible by integration" >srv/deny &&
	(
		cd ci &&
		GITHUB_ACTIONS=true GITHUB_REPOSITORY=acme/widget \
		GITHUB_EVENT_PATH="$SHARNESS_TRASH_DIRECTORY/fork.json" \
		GITHUB_API_URL=$HTTPD_URL GITHUB_TOKEN=$TOKEN \
		git tokens ci >../out 2>../err
	) &&
	rm srv/deny &&
	grep "the report is only in the job log" err &&
	grep "^| total | 2 |" out
'

test_expect_success 'other HTTP errors are errors: exit 128' '
	event event9.json 9 $B $H &&
	CI_TOKEN=$TOKEN test_expect_code 128 ci ci event9.json >out 2>err &&
	grep "^error: creating the comment failed: HTTP 422 from .*/issues/9/comments.*Validation Failed" err
'

test_expect_success 'a shallow clone is detected and explained; the report is still made' '
	git clone -q --depth 1 "file://$SHARNESS_TRASH_DIRECTORY/origin.git" shallow &&
	test -f shallow/.git/shallow &&
	rm -f summary.md &&
	CI_TOKEN= ci shallow event.json --no-fetch >out 2>err &&
	grep "^warning: this is a shallow clone: commits before its depth are missing" err &&
	grep "fetch-depth: 0 in actions/checkout" err &&
	grep "^> \*\*Shallow clone:\*\* history is missing" out &&
	grep "fetch-depth: 0" summary.md &&
	grep "^| total |" out
'

test_expect_success 'shallow: a head that is not here is fetched, a base that is not is explained' '
	CI_TOKEN= ci shallow event.json >out 2>err &&
	git -C shallow cat-file -e $H &&
	grep "^warning: this is a shallow clone" err &&
	grep "^| total |" out
'

test_expect_success 'shallow without the base: every change that is here' '
	git clone -q --depth 1 --single-branch --branch feat \
		"file://$SHARNESS_TRASH_DIRECTORY/origin.git" shallow2 &&
	test_must_fail git -C shallow2 cat-file -e $B &&
	CI_TOKEN= ci shallow2 event.json --no-fetch >out 2>err &&
	grep "^warning: the base $B is not in this clone (shallow)" err &&
	grep "Changes in \`$(git -C dev rev-parse --short=7 two)\`" out &&
	grep "^| total |" out
'

test_expect_success 'setup: a pull request with a report over 65536 characters' '
	{
		i=0 &&
		while test $i -lt 900
		do
			i=$(($i + 1)) &&
			printf "commit refs/heads/big\n" &&
			printf "author Author %04d <author%04d@example.com> %d +0000\n" $i $i $((1731920000 + $i)) &&
			printf "committer C O Mitter <committer@example.com> %d +0000\n" $((1731920000 + $i)) &&
			printf "data 7\nchange\n" &&
			if test $i = 1
			then
				printf "from %s\n" $B
			fi &&
			printf "M 100644 inline big/f%04d.t\ndata 5\nline\n\n" $i ||
			return 1
		done
	} >big.fi &&
	git -C dev fast-import --quiet <big.fi &&
	git -C dev push -q origin big:refs/pull/8/head &&
	event big.json 8 $B $(git -C dev rev-parse big)
'

test_expect_success 'a body over the limit is cut with a note; the summary has it all' '
	rm -f summary.md &&
	CI_TOKEN=$TOKEN ci ci big.json >out 2>err &&
	grep "^warning: the report is longer than a GitHub comment may be: the comment is cut" err &&
	grep "created comment" err &&
	comments $R/issues/8/comments >actual &&
	test $(wc -l <actual) = 1 &&
	read id chars login <actual &&
	test $chars -le 65536 &&
	test $chars -gt 60000 &&
	python3 - $R/issues/8/comments >body <<-\PY &&
	import json, sys
	sys.stdout.write(json.load(open("srv/threads.json"))[sys.argv[1]][0]["body"])
	PY
	head -n 1 body >first &&
	echo "<!-- git-tokens -->" >expect &&
	test_cmp expect first &&
	tail -n 1 body >last &&
	echo "_(report cut to fit GitHub'\''s limit of 65536 characters for a comment; the whole report is in the step summary)_" >expect &&
	test_cmp expect last &&
	! grep "^| total |" body &&
	grep "^| \`Author 0001 " body &&
	test $(wc -c <out) -gt 65536 &&
	grep "^| total | 900 |" out &&
	grep "^| total | 900 |" summary.md &&
	grep "^| \`Author 0900 " summary.md
'

test_expect_success 'a push event: the step summary, no comment' '
	printf "{\"before\":\"%s\",\"after\":\"%s\"}\n" $B $H >push.json &&
	n=$(log_lines) &&
	rm -f summary.md &&
	CI_TOKEN=$TOKEN ci ci push.json >out 2>err &&
	test "$(log_lines)" = "$n" &&
	grep "^### git tokens$" summary.md &&
	grep "Changes in \`$(git -C dev rev-parse --short=7 more)..$(git -C dev rev-parse --short=7 two)\`" out
'

test_expect_success 'an event without the head sha is an error' '
	echo "{\"pull_request\":{\"number\":5,\"base\":{\"sha\":\"$B\"}}}" >nohead.json &&
	CI_TOKEN= test_expect_code 128 ci ci nohead.json 2>err &&
	grep "no valid pull_request.head.sha in the event file .*nohead.json" err
'

test_expect_success 'the token is never printed nor stored' '
	grep -q "$TOKEN" srv/requests.log &&
	! grep -r -e "$TOKEN" ci shallow dev &&
	! grep -e "$TOKEN" out err summary.md
'

test_expect_success 'stop the server' '
	python3 "$TEST_SRCDIR/lib-httpd.py" --stop srv
'

test_done
