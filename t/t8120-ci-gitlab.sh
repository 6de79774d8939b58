#!/bin/sh

test_description='ci on GitLab CI: the merge request report and one sticky note'

. "$(dirname "$0")"/lib-tokens.sh

TOKEN=glpat-SENTINEL_ci_8120_token
JOBTOKEN=glcbt-SENTINEL_ci_8120_jobtoken
P=/api/v4/projects/7/merge_requests/3/notes
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GIT_SSL_CAINFO CURL_CA_BUNDLE GITHUB_STEP_SUMMARY GIT_TOKENS_GITLAB_API \
	CI_MERGE_REQUEST_SOURCE_BRANCH_SHA CI_COMMIT_SHA CI_API_V4_URL

# ci <clone> <base> <head> [<args>...]: a merge request pipeline. The
# token comes from $GL_TOKEN (GITLAB_TOKEN) or $JOB_TOKEN (CI_JOB_TOKEN).
ci () {
	dir=$1 base=$2 head=$3 &&
	shift 3 &&
	(
		cd "$dir" &&
		if test -n "$GL_TOKEN"
		then
			GITLAB_TOKEN=$GL_TOKEN &&
			export GITLAB_TOKEN
		fi &&
		if test -n "$JOB_TOKEN"
		then
			CI_JOB_TOKEN=$JOB_TOKEN &&
			export CI_JOB_TOKEN
		fi &&
		GITLAB_CI=true CI_API_V4_URL=$HTTPD_URL/api/v4 \
		CI_SERVER_URL=https://gitlab.example.com CI_PROJECT_ID=7 \
		CI_MERGE_REQUEST_PROJECT_ID=7 CI_MERGE_REQUEST_IID=3 \
		CI_PIPELINE_SOURCE=merge_request_event \
		CI_MERGE_REQUEST_DIFF_BASE_SHA=$base CI_COMMIT_SHA=$head \
		CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main \
		git tokens ci "$@"
	)
}

notes () {
	python3 - "$1" <<-\PY
	import json, sys
	try:
	    store = json.load(open("srv/threads.json"))
	except FileNotFoundError:
	    store = {}
	for c in store.get(sys.argv[1], []):
	    print(c["id"], c["author"].get("username"), c.get("system", False))
	PY
}

note_body () {
	python3 - "$1" "$2" <<-\PY
	import json, sys
	for c in json.load(open("srv/threads.json"))[sys.argv[1]]:
	    if c["id"] == int(sys.argv[2]):
	        sys.stdout.write(c["body"])
	PY
}

requests_since () {
	python3 - "$1" <<-\PY
	import json, sys
	lines = open("srv/requests.log").read().splitlines()[int(sys.argv[1]):]
	for l in lines:
	    r = json.loads(l)
	    print(r["method"], r["path"] + ("?" + r["query"] if r["query"] else ""))
	PY
}

test_expect_success 'setup: a merge request, its notes and the GitLab API' '
	request_origin refs/merge-requests/3/head "{\"v\":1,\"tool\":\"codex\",\"model\":\"gpt-5\",\"session\":\"aa11bb22cc33\",\"from\":\"2024-11-18T09:00:00Z\",\"to\":\"2024-11-18T09:30:00Z\",\"requests\":3,\"input\":1000,\"output\":5000,\"cache_write\":0,\"cache_read\":0,\"cost_usd\":0.5,\"by\":\"author@example.com\",\"how\":\"hook\"}" &&
	git clone -q origin.git ci &&

	gitlab_srv srv 300
'

test_expect_success 'the first run creates the note' '
	GL_TOKEN=$TOKEN JOB_TOKEN= ci ci $B $H >out 2>err &&
	grep "created comment 1001 on merge request !3" err &&
	requests_since 0 >actual &&
	cat >expect <<-EOF &&
	GET /api/v4/user
	GET $P?sort=asc&order_by=created_at&per_page=100
	POST $P
	EOF
	test_cmp expect actual &&
	notes $P >actual &&
	echo "1001 project_7_bot_1 False" >expect &&
	test_cmp expect actual &&
	note_body $P 1001 >note &&
	head -n 1 note >first &&
	echo "<!-- git-tokens -->" >expect &&
	test_cmp expect first &&
	grep "^### git tokens: merge request !3" note &&
	grep "Changes in \`$(git -C dev rev-parse --short=7 base)..$(git -C dev rev-parse --short=7 two)\`" note &&
	grep "^| total | 2 |" out &&
	grep "| 5.0k |" out
'

test_expect_success 'the token went in PRIVATE-TOKEN' '
	python3 - "$TOKEN" >hdrs <<-\PY &&
	import json, sys
	for l in open("srv/requests.log"):
	    h = json.loads(l)["headers"]
	    print(h.get("PRIVATE-TOKEN") == sys.argv[1], "Authorization" in h)
	PY
	sort -u hdrs >actual &&
	echo "True False" >expect &&
	test_cmp expect actual
'

test_expect_success 'a push to the merge request updates the same note (PUT)' '
	(
		cd dev &&
		test_commit three feat.t &&
		git push -q origin feat feat:refs/merge-requests/3/head
	) &&
	H3=$(git -C dev rev-parse three) &&
	n=$(log_lines) &&
	GL_TOKEN=$TOKEN JOB_TOKEN= ci ci $B $H3 >out 2>err &&
	grep "updated comment 1001 on merge request !3" err &&
	requests_since $n >actual &&
	cat >expect <<-EOF &&
	GET /api/v4/user
	GET $P?sort=asc&order_by=created_at&per_page=100
	PUT $P/1001
	EOF
	test_cmp expect actual &&
	notes $P >actual &&
	echo "1001 project_7_bot_1 False" >expect &&
	test_cmp expect actual &&
	note_body $P 1001 >note &&
	grep "^| total | 3 |" note
'

test_expect_success 'system notes and other users notes are never taken for ours' '
	cat >seed.py <<-\PY &&
	import json, sys
	p = sys.argv[1]
	store = json.load(open("srv/threads.json"))
	ours = store[p]
	store[p] = [
	    {"id": 500, "body": "<!-- git-tokens -->\nfrom mallory",
	     "author": {"username": "mallory"}, "user": {}, "system": False},
	    {"id": 501, "body": "<!-- git-tokens --> added 1 commit",
	     "author": {"username": "project_7_bot_1"}, "user": {},
	     "system": True},
	] + ours
	json.dump(store, open("srv/threads.json", "w"))
	PY
	python3 seed.py $P &&
	(cd dev && test_commit four feat.t && git push -q origin feat) &&
	n=$(log_lines) &&
	GL_TOKEN=$TOKEN JOB_TOKEN= ci ci $B $(git -C dev rev-parse four) >out 2>err &&
	grep "updated comment 1001 on merge request !3" err &&
	requests_since $n >actual &&
	grep "^PUT $P/1001$" actual &&
	! grep -e "$P/500" -e "$P/501" actual &&
	note_body $P 500 >mallory &&
	printf "<!-- git-tokens -->\nfrom mallory" >expect &&
	test_cmp expect mallory &&
	note_body $P 501 >system &&
	printf "<!-- git-tokens --> added 1 commit" >expect &&
	test_cmp expect system
'

test_expect_success 'merged results pipelines: the head is the source branch sha' '
	(
		cd ci &&
		git fetch -q origin feat:refs/remotes/origin/feat &&
		git checkout -q --detach origin/main &&
		test_tick &&
		git merge -q --no-ff -m "merged result" origin/feat
	) &&
	MR=$(git -C ci rev-parse HEAD) &&
	H4=$(git -C dev rev-parse four) &&
	GL_TOKEN= JOB_TOKEN= CI_MERGE_REQUEST_SOURCE_BRANCH_SHA=$H4 \
		ci ci $B $MR --no-comment >out 2>err &&
	grep "Changes in \`$(git -C dev rev-parse --short=7 base)..$(git -C dev rev-parse --short=7 four)\`" out &&
	! grep "$(git -C ci rev-parse --short=7 $MR)" out
'

test_expect_success 'CI_JOB_TOKEN cannot write notes: a warning, exit 0, nothing sent' '
	n=$(log_lines) &&
	GL_TOKEN= JOB_TOKEN=$JOBTOKEN ci ci $B $H3 >out 2>err &&
	grep "^warning: cannot comment on merge request !3: CI_JOB_TOKEN cannot write merge request notes (set GITLAB_TOKEN" err &&
	grep "the report is only in the job log" err &&
	test "$(log_lines)" = "$n" &&
	grep "^| total | 3 |" out
'

test_expect_success 'no token: the job log only, a warning, exit 0' '
	n=$(log_lines) &&
	GL_TOKEN= JOB_TOKEN= ci ci $B $H3 >out 2>err &&
	grep "^warning: no GitLab token (set GITLAB_TOKEN" err &&
	test "$(log_lines)" = "$n" &&
	grep "^### git tokens: merge request !3" out
'

test_expect_success 'a refused write (403) keeps the job green' '
	echo "403 Forbidden" >srv/deny &&
	(cd dev && test_commit five feat.t && git push -q origin feat) &&
	GL_TOKEN=$TOKEN JOB_TOKEN= ci ci $B $(git -C dev rev-parse five) >out 2>err &&
	rm srv/deny &&
	grep "^warning: cannot comment on merge request !3: updating the comment was refused (HTTP 403: 403 Forbidden)" err
'

test_expect_success 'the tokens are never printed nor stored' '
	grep -q "$TOKEN" srv/requests.log &&
	! grep -r -e "$TOKEN" -e "$JOBTOKEN" ci dev &&
	! grep -e "$TOKEN" -e "$JOBTOKEN" out err
'

test_expect_success 'stop the server' '
	python3 "$TEST_SRCDIR/lib-httpd.py" --stop srv
'

test_done
