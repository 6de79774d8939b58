#!/bin/sh

test_description='ci on GitHub Actions: the report of the pull request, its step summary and one sticky comment'

. "$(dirname "$0")"/lib-tokens.sh

TOKEN=ghp_SENTINEL_ci_8100_token
R=/repos/acme/widget
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GIT_SSL_CAINFO CURL_CA_BUNDLE GITHUB_STEP_SUMMARY GITHUB_EVENT_PATH \
	GITHUB_SHA GITHUB_REPOSITORY GITHUB_API_URL GIT_TOKENS_GITHUB_API

NOTE='{"v":1,"tool":"claude-code","model":"claude-sonnet-4-5","session":"3f9a1c0e2b7d","from":"2024-11-18T09:12:03Z","to":"2024-11-18T09:58:41Z","requests":41,"input":1830,"output":22410,"cache_write":51200,"cache_read":1960443,"cost_usd":1.2731,"by":"alice@example.com","how":"hook"}'

# ci <clone> <event file> [<args>...]: git tokens ci as Actions runs it.
ci () {
	dir=$1 ev=$2 &&
	shift 2 &&
	(
		cd "$dir" &&
		GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request \
		GITHUB_EVENT_PATH="$SHARNESS_TRASH_DIRECTORY/$ev" \
		GITHUB_REPOSITORY=acme/widget GITHUB_API_URL=$HTTPD_URL/ \
		GITHUB_SERVER_URL=https://github.com GITHUB_SHA=$M \
		GITHUB_REF=refs/pull/5/merge \
		GITHUB_STEP_SUMMARY="$SHARNESS_TRASH_DIRECTORY/summary.md" \
		GITHUB_TOKEN=$TOKEN \
		git tokens ci "$@"
	)
}

# comments <list path>: "<id> <login>" of each stored comment.
comments () {
	python3 - "$1" <<-\PY
	import json, sys
	store = json.load(open("srv/threads.json"))
	for c in store.get(sys.argv[1], []):
	    print(c["id"], c["user"].get("login"))
	PY
}

# body <list path> <id>: the text of one stored comment.
body () {
	python3 - "$1" "$2" <<-\PY
	import json, sys
	store = json.load(open("srv/threads.json"))
	for c in store[sys.argv[1]]:
	    if c["id"] == int(sys.argv[2]):
	        sys.stdout.write(c["body"])
	PY
}

# "<method> <path>" of the requests after line <n> of the server's log.
requests_since () {
	python3 - "$1" <<-\PY
	import json, sys
	lines = open("srv/requests.log").read().splitlines()[int(sys.argv[1]):]
	for l in lines:
	    r = json.loads(l)
	    print(r["method"], r["path"] + ("?" + r["query"] if r["query"] else ""))
	PY
}

test_expect_success 'setup: origin with a pull request and its notes' '
	request_origin refs/pull/5/head "$NOTE" &&
	(
		cd dev &&
		git checkout -q main &&
		GIT_AUTHOR_NAME="Other Person" GIT_AUTHOR_EMAIL=other@example.com \
		test_commit later later.t &&
		git push -q origin main
	) &&
	L=$(git -C dev rev-parse later) &&
	echo "$(git -C dev rev-parse --short=7 base)..$(git -C dev rev-parse --short=7 two)" >range &&
	pr_event event.json 5 $B $H &&

	merge_checkout ci &&

	mkdir srv &&
	printf "403\nContent-Type: application/json\n\n%s\n" \
		"{\"message\":\"Resource not accessible by integration\"}" >srv/u403 &&
	echo "/user - u403" >srv/routes &&
	cat >srv/threads <<-EOF &&
	$R/issues/5/comments $R/issues/comments/
	$R/issues/6/comments $R/issues/comments/
	$R/issues/7/comments $R/issues/comments/ 2
	EOF
	echo "{\"login\":\"github-actions[bot]\",\"type\":\"Bot\"}" >srv/whoami &&
	HTTPD_URL=$(python3 "$TEST_SRCDIR/lib-httpd.py" --start --timeout 300 srv)
'

test_expect_success 'the first run creates the comment' '
	ci ci event.json >out 2>err &&
	grep "created comment 1001 on pull request #5" err &&
	requests_since 0 >actual &&
	cat >expect <<-EOF &&
	GET /user
	GET $R/issues/5/comments?per_page=100
	POST $R/issues/5/comments
	EOF
	test_cmp expect actual &&
	comments $R/issues/5/comments >actual &&
	echo "1001 github-actions[bot]" >expect &&
	test_cmp expect actual &&
	body $R/issues/5/comments 1001 >comment &&
	head -n 1 comment >first &&
	echo "<!-- git-tokens -->" >expect &&
	test_cmp expect first &&
	grep "^### git tokens: pull request #5" comment
'

test_expect_success 'stdout, the step summary and the comment say the same' '
	sed 1d comment >comment.text &&
	test_cmp out comment.text &&
	# A blank line keeps appended reports apart.
	{ cat out && echo; } >expect &&
	test_cmp expect summary.md
'

test_expect_success 'the range is base..head of the event, not GITHUB_SHA' '
	grep "Changes in \`$(cat range)\`" out &&
	! grep "$(git -C ci rev-parse --short=7 $M)" out &&
	# base..head holds one and two; the merge would add "later".
	grep "^| total | 2 |" out &&
	! grep "Other Person" out &&
	grep "landed on \`origin/main\`" out
'

test_expect_success 'the notes were fetched and merged: usage is in the report' '
	git -C ci rev-parse -q --verify refs/notes/remotes/origin/tokens &&
	git -C ci notes --ref=tokens show $H >note &&
	echo "$NOTE" >expect &&
	test_cmp expect note &&
	grep "| 22.4k |" out
'

test_expect_success 'requests carry the token and the API version' '
	python3 - "$TOKEN" >hdrs <<-\PY &&
	import json, sys
	for l in open("srv/requests.log"):
	    h = json.loads(l)["headers"]
	    print(h.get("Authorization") == "Bearer " + sys.argv[1],
	          h.get("X-GitHub-Api-Version"), h.get("User-Agent", "")[:11])
	PY
	sort -u hdrs >actual &&
	echo "True 2022-11-28 git-tokens/" >expect &&
	test_cmp expect actual
'

test_expect_success 'a second run with nothing new leaves the comment alone' '
	n=$(log_lines) &&
	ci ci event.json >out2 2>err &&
	grep "comment 1001 on pull request #5 is up to date" err &&
	requests_since $n >actual &&
	! grep -e "^POST" -e "^PATCH" actual &&
	comments $R/issues/5/comments >actual &&
	echo "1001 github-actions[bot]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a push to the pull request updates the same comment' '
	(
		cd dev &&
		git checkout -q feat &&
		test_commit three feat.t &&
		git push -q origin feat feat:refs/pull/5/head
	) &&
	H3=$(git -C dev rev-parse three) &&
	pr_event event3.json 5 $B $H3 &&
	n=$(log_lines) &&
	ci ci event3.json >out3 2>err &&
	grep "updated comment 1001 on pull request #5" err &&
	requests_since $n >actual &&
	cat >expect <<-EOF &&
	GET /user
	GET $R/issues/5/comments?per_page=100
	PATCH $R/issues/comments/1001
	EOF
	test_cmp expect actual &&
	comments $R/issues/5/comments >actual &&
	echo "1001 github-actions[bot]" >expect &&
	test_cmp expect actual &&
	body $R/issues/5/comments 1001 >comment3 &&
	grep "$(git -C dev rev-parse --short=7 three)" comment3 &&
	grep "^| total | 3 |" comment3
'

test_expect_success 'the head the clone lacks is fetched from refs/pull/N/head' '
	git clone -q --no-local --single-branch --branch main origin.git ci2 &&
	test_must_fail git -C ci2 cat-file -e $H3 &&
	ci ci2 event3.json --no-comment >out4 2>err &&
	git -C ci2 cat-file -e $H3 &&
	git -C ci2 rev-parse -q --verify refs/remotes/origin/pull/5/head &&
	grep "^| total | 3 |" out4
'

test_expect_success 'the step summary is appended to, never overwritten' '
	grep -c "^### git tokens: pull request #5" summary.md >actual &&
	echo 4 >expect &&
	test_cmp expect actual
'

test_expect_success 'local notes are kept: the remote ones are merged in' '
	git -C ci notes --ref=tokens add -m "{\"v\":1,\"local\":true}" \
		$(git -C dev rev-parse one) &&
	ci ci event3.json --no-comment >/dev/null 2>err &&
	git -C ci notes --ref=tokens show $(git -C dev rev-parse one) >n1 &&
	grep "\"local\":true" n1 &&
	git -C ci notes --ref=tokens show $H >n2 &&
	grep "3f9a1c0e2b7d" n2
'

test_expect_success 'another user quoting the marker is left alone' '
	cat >seed.py <<-\PY &&
	import json, sys
	store = json.load(open("srv/threads.json"))
	store[sys.argv[1]] = [{"id": 900, "user": {"login": "mallory", "type": "User"},
	                       "body": "<!-- git-tokens -->\nI am the report now"}]
	json.dump(store, open("srv/threads.json", "w"))
	PY
	python3 seed.py $R/issues/6/comments &&
	pr_event event6.json 6 $B $H3 &&
	n=$(log_lines) &&
	ci ci event6.json >/dev/null 2>err &&
	grep "created comment 1002 on pull request #6" err &&
	requests_since $n >actual &&
	! grep "PATCH $R/issues/comments/900" actual &&
	comments $R/issues/6/comments >actual &&
	cat >expect <<-\EOF &&
	900 mallory
	1002 github-actions[bot]
	EOF
	test_cmp expect actual &&
	body $R/issues/6/comments 900 >mallory &&
	printf "<!-- git-tokens -->\nI am the report now" >expect &&
	test_cmp expect mallory
'

test_expect_success 'every page of comments is searched for ours' '
	cat >seed7.py <<-\PY &&
	import json, sys
	store = json.load(open("srv/threads.json"))
	cs = [{"id": 10 + i, "user": {"login": "bob"}, "body": "lgtm %d" % i}
	      for i in range(4)]
	cs.append({"id": 20, "user": {"login": "github-actions[bot]"},
	           "body": "<!-- git-tokens -->\nold report"})
	store[sys.argv[1]] = cs
	json.dump(store, open("srv/threads.json", "w"))
	PY
	python3 seed7.py $R/issues/7/comments &&
	pr_event event7.json 7 $B $H3 &&
	n=$(log_lines) &&
	ci ci event7.json >/dev/null 2>err &&
	grep "updated comment 20 on pull request #7" err &&
	requests_since $n >actual &&
	cat >expect <<-EOF &&
	GET /user
	GET $R/issues/7/comments?per_page=100
	GET $R/issues/7/comments?per_page=2&page=2
	GET $R/issues/7/comments?per_page=2&page=3
	PATCH $R/issues/comments/20
	EOF
	test_cmp expect actual &&
	body $R/issues/7/comments 20 >c20 &&
	grep "^### git tokens: pull request #7" c20
'

test_expect_success 'a PAT: comments are matched by the login from GET /user' '
	printf "200\nContent-Type: application/json\n\n%s\n" \
		"{\"login\":\"octo-bot\",\"type\":\"User\"}" >srv/user200 &&
	echo "/user - user200" >srv/routes.new &&
	mv srv/routes.new srv/routes &&
	python3 "$TEST_SRCDIR/lib-httpd.py" --stop srv &&
	HTTPD_URL=$(python3 "$TEST_SRCDIR/lib-httpd.py" --start --timeout 300 srv) &&
	echo "{\"login\":\"octo-bot\",\"type\":\"User\"}" >srv/whoami &&
	ci ci event6.json >/dev/null 2>err &&
	grep "created comment 1003 on pull request #6" err &&
	ci ci event6.json >/dev/null 2>err &&
	grep "comment 1003 on pull request #6 is up to date" err &&
	comments $R/issues/6/comments >actual &&
	cat >expect <<-\EOF &&
	900 mallory
	1002 github-actions[bot]
	1003 octo-bot
	EOF
	test_cmp expect actual
'

test_expect_success 'names from commits mention no one and keep the table' '
	(
		cd dev &&
		git checkout -q feat &&
		GIT_AUTHOR_NAME=@octo-org/security \
		GIT_AUTHOR_EMAIL=sec@example.com test_commit four feat.t &&
		GIT_AUTHOR_NAME="x | \`y\` \`\`z @user" \
		GIT_AUTHOR_EMAIL="a\`b|c@example.com" test_commit five feat.t &&
		git push -q origin feat feat:refs/pull/6/head
	) &&
	pr_event event6b.json 6 $B $(git -C dev rev-parse five) &&
	ci ci event6b.json >/dev/null 2>err &&
	grep "updated comment 1003 on pull request #6" err &&
	body $R/issues/6/comments 1003 >hostile &&
	markdown_safe hostile &&
	grep -F "| \`@octo-org/security <sec@example.com>\` | 1 |" hostile &&
	grep -F "| \`\`\`x \\| \`y\` \`\`z @user <a\`b\\|c@example.com>\`\`\` | 1 |" \
		hostile
'

test_expect_success 'the token is never printed nor stored' '
	grep -q "$TOKEN" srv/requests.log &&
	! grep -r -e "$TOKEN" ci ci2 dev &&
	! grep -e "$TOKEN" out out2 out3 out4 err summary.md
'

test_expect_success 'outside CI it is an error' '
	(
		cd ci &&
		test_expect_code 128 git tokens ci 2>../err
	) &&
	grep "not in a CI job" err
'

test_expect_success 'a malformed event file is named' '
	echo "{ nope" >bad.json &&
	test_expect_code 128 ci ci bad.json 2>err &&
	grep "malformed JSON in the event file .*bad.json" err
'

test_expect_success 'stop the server' '
	python3 "$TEST_SRCDIR/lib-httpd.py" --stop srv
'

test_done
