#!/bin/sh

test_description='no token, prompt, path or session id leaves where it belongs'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-hardening.sh

# A sentinel in every variable that may hold a secret.
GITHUB_TOKEN=ghp_SENTINELgithub0001
GH_TOKEN=gho_SENTINELgh0002
GITLAB_TOKEN=glpat-SENTINELgitlab0003
CI_JOB_TOKEN=glcbt-SENTINELjob0004
ANTHROPIC_ADMIN_KEY=sk-ant-admin01-SENTINELanthropic0005
OPENAI_ADMIN_KEY=sk-admin-SENTINELopenai0006
export GITHUB_TOKEN GH_TOKEN GITLAB_TOKEN CI_JOB_TOKEN ANTHROPIC_ADMIN_KEY \
	OPENAI_ADMIN_KEY
SECRETS="$GITHUB_TOKEN $GH_TOKEN $GITLAB_TOKEN $CI_JOB_TOKEN $ANTHROPIC_ADMIN_KEY $OPENAI_ADMIN_KEY"
GIT_TOKENS_HTTP_MAX_WAIT=0
export GIT_TOKENS_HTTP_MAX_WAIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GIT_SSL_CAINFO CURL_CA_BUNDLE
# Temporary files go where we can look at them.
mkdir tmp
TMPDIR=$TRASH/tmp
export TMPDIR

R=/repos/acme/widget
P=/api/v4/projects/group%2Fproj

# respond <dir> <file> <status> <body>
respond () {
	printf "%s\nContent-Type: application/json\n\n%s\n" "$3" "$4" >"$1/$2"
}

# Every output of every command goes to out/, numbered (the count is in
# a file: run is called from subshells).
run () {
	n=$(cat "$TRASH/count" 2>/dev/null || echo 0) &&
	n=$(($n + 1)) &&
	echo $n >"$TRASH/count" &&
	"$@" >"$TRASH/out/$n.out" 2>"$TRASH/out/$n.err"
}

# The routes every server answers, each with <answer> or the named file.
routes () {
	cat <<-EOF
	/v1/organizations/users - ${1:-ant-users}
	/v1/organizations/api_keys - ${1:-data-empty}
	/v1/organizations/usage_report/claude_code - ${1:-cc}
	/v1/organizations/usage_report/messages - ${1:-data-empty}
	/v1/organization/users - ${1:-oai-users}
	/v1/organization/usage/completions - ${1:-oai-usage}
	/user - ${1:-user-bot}
	EOF
	for c in $(git -C repo rev-list --all)
	do
		echo "$R/commits/$c/pulls - ${1:-list-empty}" &&
		echo "$P/repository/commits/$c/merge_requests - ${1:-list-empty}" ||
		return 1
	done
}

answers () {
	mkdir -p "$1" &&
	respond "$1" data-empty 200 '{"data":[],"has_more":false,"next_page":null}' &&
	respond "$1" list-empty 200 '[]' &&
	respond "$1" ant-users 200 '{"data":[{"id":"u1","email":"alice@example.com"}],"has_more":false}' &&
	respond "$1" cc 200 '{"data":[{"date":"2025-08-01T00:00:00Z","actor":{"type":"user_actor","email_address":"alice@example.com"},"customer_type":"api","model_breakdown":[{"model":"claude-sonnet-4","tokens":{"input":1,"output":2,"cache_read":0,"cache_creation":0},"estimated_cost":{"amount":10,"currency":"USD"}}]}],"has_more":false,"next_page":null}' &&
	respond "$1" oai-users 200 '{"data":[{"id":"user-a","email":"dana@example.com"}],"has_more":false}' &&
	respond "$1" oai-usage 200 '{"data":[{"start_time":1754006400,"results":[{"input_tokens":7,"output_tokens":3,"input_cached_tokens":0,"user_id":"user-a","model":"gpt-4o"}]}],"has_more":false}' &&
	respond "$1" user-bot 200 '{"login":"github-actions[bot]","type":"Bot"}' &&
	: answers that quote the key back, as real APIs do &&
	respond "$1" r401 401 "{\"error\":{\"message\":\"Incorrect API key provided: $OPENAI_ADMIN_KEY $ANTHROPIC_ADMIN_KEY $GITHUB_TOKEN $GITLAB_TOKEN\"},\"message\":\"Bad credentials $GITHUB_TOKEN $GH_TOKEN $CI_JOB_TOKEN\"}" &&
	respond "$1" r500 500 "{\"error\":{\"message\":\"internal error for $OPENAI_ADMIN_KEY $ANTHROPIC_ADMIN_KEY\"},\"message\":\"oops $GITHUB_TOKEN $GITLAB_TOKEN $CI_JOB_TOKEN\"}"
}

# The commands that may touch a secret, against the server at $1.
# Those that must fail say so with <code>.
fetch_all () {
	url=$1 code=$2 &&
	for src in anthropic openai
	do
		(
			cd repo &&
			GIT_TOKENS_ANTHROPIC_URL=$url GIT_TOKENS_OPENAI_URL=$url \
			run test_expect_code $code git tokens fetch $src \
				--since 2025-08-01 --until 2025-08-01
		) || return 1
	done &&
	(
		cd repo &&
		GIT_TOKENS_GITHUB_API=$url run test_expect_code $code \
			git tokens fetch github main
	) &&
	(
		cd glrepo &&
		GIT_TOKENS_GITLAB_API=$url/api/v4 run test_expect_code $code \
			git tokens fetch gitlab main
	)
}

test_expect_success 'setup: usage with prompts and paths, two forges' '
	mkdir out &&
	git init -q --bare origin.git &&
	git init -q repo &&
	mkdir -p claude/projects/-home-someone-repo &&
	claude_rec "$TRASH/repo" SENTINEL-SESSION-1 m1 \
		2026-11-20T10:00:00.000Z 10 20 \
		>claude/projects/-home-someone-repo/SENTINEL-SESSION-1.jsonl &&
	(
		cd repo &&
		commit_at 2026-11-20T09:00:00Z base &&
		git push -q ../origin.git main &&
		git checkout -q -b feat &&
		commit_at 2026-11-20T10:30:00Z one &&
		run git tokens record &&
		git push -q ../origin.git feat feat:refs/pull/5/head \
			refs/notes/tokens &&
		git checkout -q main &&
		git remote add origin https://github.com/acme/widget.git
	) &&
	git clone -q origin.git glrepo &&
	git -C glrepo remote set-url origin git@gitlab.example.com:group/proj.git &&
	answers ok &&
	answers bad &&
	routes >ok/routes &&
	cat >ok/threads <<-EOF &&
	$R/issues/5/comments $R/issues/comments/
	EOF
	echo "{\"login\":\"github-actions[bot]\",\"type\":\"Bot\"}" >ok/whoami &&
	routes r401 >bad/routes &&
	mkdir bad500 &&
	cp bad/* bad500/ &&
	routes r500 >bad500/routes
'

test_expect_success 'fetch from every provider and forge: good, 401, 500' '
	test_when_finished "stop_httpd ok; stop_httpd bad; stop_httpd bad500" &&
	start_httpd ok && OK_URL=$HTTPD_URL &&
	start_httpd bad && BAD_URL=$HTTPD_URL &&
	start_httpd bad500 && BAD500_URL=$HTTPD_URL &&
	fetch_all $OK_URL 0 &&
	fetch_all $BAD_URL 128 &&
	fetch_all $BAD500_URL 128 &&
	grep "rejected the key in ANTHROPIC_ADMIN_KEY" out/*.err &&
	grep "rejected the key in OPENAI_ADMIN_KEY" out/*.err &&
	grep "HTTP 500" out/*.err &&
	: the secrets did go to the servers, in headers &&
	grep -q "$ANTHROPIC_ADMIN_KEY" ok/requests.log &&
	grep -q "$OPENAI_ADMIN_KEY" ok/requests.log &&
	grep -q "$GITHUB_TOKEN" ok/requests.log &&
	grep -q "$GITLAB_TOKEN" ok/requests.log
'

test_expect_success 'ci posts its comment; report, log, show, export, doctor' '
	test_when_finished "stop_httpd ok" &&
	start_httpd ok &&
	B=$(git -C repo rev-parse main) &&
	H=$(git -C repo rev-parse feat) &&
	printf "{\"action\":\"synchronize\",\"number\":5,\"pull_request\":{\"number\":5,\"head\":{\"sha\":\"%s\",\"ref\":\"feat\",\"repo\":{\"full_name\":\"acme/widget\"}},\"base\":{\"sha\":\"%s\",\"ref\":\"main\",\"repo\":{\"full_name\":\"acme/widget\"}}}}\n" \
		$H $B >event.json &&
	git clone -q origin.git ci &&
	(
		cd ci &&
		git checkout -q --detach $H &&
		GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request \
		GITHUB_EVENT_PATH="$TRASH/event.json" \
		GITHUB_REPOSITORY=acme/widget GITHUB_API_URL=$HTTPD_URL/ \
		GITHUB_SERVER_URL=https://github.com GITHUB_SHA=$H \
		GITHUB_REF=refs/pull/5/merge \
		GITHUB_STEP_SUMMARY="$TRASH/out/summary.md" \
		run git tokens ci
	) &&
	python3 -c "import json
store = json.load(open(\"ok/threads.json\"))
bodies = [c[\"body\"] for t in store.values() for c in t]
assert bodies and \"git-tokens\" in bodies[0], bodies
open(\"out/comment.md\", \"w\").write(\"\\n\".join(bodies))" &&
	grep "20" out/comment.md &&
	(
		cd repo &&
		GIT_TOKENS_GITHUB_API=$HTTPD_URL &&
		export GIT_TOKENS_GITHUB_API &&
		for c in "report" "report --format=json" "report --format=html" \
			"log --format=json main feat" "show feat" \
			"show --format=json feat" "export" "doctor" \
			"usage --by session" "usage --format=json --all-repos"
		do
			run git tokens $c || test $? = 1 || return 1
		done
	)
'

test_expect_success 'no secret anywhere: output, caches, notes, temp files' '
	for r in repo glrepo ci
	do
		git -C $r notes --ref=tokens list 2>/dev/null |
		while read -r blob commit
		do
			git -C $r notes --ref=tokens show $commit
		done || return 1
	done >out/notes.txt &&
	test -s out/notes.txt &&
	for s in $SECRETS
	do
		! grep -r -F -e "$s" out repo/.git/tokens glrepo/.git/tokens \
			ci/.git/tokens tmp || return 1
	done
'

test_expect_success 'no prompt, path or raw session id in a note or the comment' '
	for s in SENTINEL-SESSION-1 SENTINEL-PROMPT SENTINEL-ANSWER \
		SENTINEL-FILE /home/someone "$TRASH"
	do
		! grep -F -e "$s" out/notes.txt out/comment.md \
			out/summary.md || return 1
	done &&
	h=$(printf %s SENTINEL-SESSION-1 | sha256sum | cut -c1-12) &&
	grep "\"session\":\"$h\"" out/notes.txt
'

test_expect_success 'the local caches hold no prompt, only log and work tree paths' '
	for s in SENTINEL-PROMPT SENTINEL-ANSWER SENTINEL-FILE
	do
		! grep -r -F -e "$s" repo/.git/tokens glrepo/.git/tokens \
			ci/.git/tokens || return 1
	done &&
	: the usage caches keep per log file state under its path, whose &&
	: name is the session id, and the work tree each event came from, &&
	: the folder lists the names of the logs in each folder &&
	grep -r -l -F -e SENTINEL-SESSION-1 -e "$TRASH/repo" \
		repo/.git/tokens ci/.git/tokens >holders &&
	test -s holders &&
	! grep -v -e "/usage-[a-z-]*\.cache$" -e "/usage-[a-z-]*\.dirs$" \
		holders
'

test_done
