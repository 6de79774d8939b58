#!/bin/sh

test_description='review outcomes and squash merges from the GitLab API'

. "$(dirname "$0")"/lib-tokens.sh

JOB=glcbt-SENTINEL-job-7020
PAT=glpat-SENTINEL-pat-7020
GIT_TOKENS_NOW=2026-11-22T12:00:00Z
export GIT_TOKENS_NOW
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GIT_SSL_CAINFO CURL_CA_BUNDLE GIT_TOKENS_HTTP_MAX_WAIT

respond () {
	file=$1 status=$2 body=$3 &&
	shift 3 &&
	{
		echo "$status" &&
		for h in "$@"
		do
			echo "$h"
		done &&
		echo &&
		printf "%s\n" "$body"
	} >"srv/$file"
}

mr () {
	# mr <iid> <merge commit or null> <squash commit or null> <created> <merged>
	printf '{"iid":%s,"state":"merged","merge_commit_sha":%s,"squash_commit_sha":%s,"created_at":"%s","merged_at":"%s","target_branch":"main"}' \
		"$1" "$2" "$3" "$4" "$5"
}

note () {
	# note <system> <body> <created>
	printf '{"id":1,"system":%s,"body":"%s","created_at":"%s","author":{"username":"x"}}' \
		"$1" "$2" "$3"
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
    print("%s|%s|%s" % (names[c["commit"]], c["review"], c["landed"]))
' | sort
}

test_expect_success 'setup: a repository on GitLab and its API' '
	git init -q repo &&
	(
		cd repo &&
		git remote add origin git@gitlab.example.com:group/sub/proj.git &&
		test_commit "Improve parser" parser.t &&
		git checkout -q -b mr4 &&
		test_commit u1 u.t &&
		test_commit u2 u.t &&
		git checkout -q main &&
		echo export >exporter.t &&
		git add exporter.t &&
		test_tick &&
		git commit -q -m "Add exporter

See merge request group/sub/proj!4" &&
		echo docs >docs.t &&
		git add docs.t &&
		test_tick &&
		git commit -q -m "Docs

Acked-by: Mona Maintainer <mona@example.com>" &&
		test_commit "Unreviewed merge" unrev.t
	) &&
	G1=$(git -C repo rev-parse ":/Improve parser") &&
	U1=$(git -C repo rev-parse u1) &&
	U2=$(git -C repo rev-parse u2) &&
	S2=$(git -C repo rev-parse ":/Add exporter") &&
	G3=$(git -C repo rev-parse ":/Docs") &&
	G4=$(git -C repo rev-parse ":/Unreviewed merge") &&
	mkdir srv &&
	P=/api/v4/projects/group%2Fsub%2Fproj &&
	respond empty 200 "[]" &&
	respond mrs-g1 200 "[$(mr 3 "\"$G1\"" null 2024-11-18T00:00:00.000Z 2024-11-18T12:00:00.000+00:00)]" &&
	respond appr3 200 "{\"approved\":true,\"approvals_required\":1,\"approvals_left\":0,\"approved_by\":[{\"user\":{\"id\":1,\"username\":\"rita\",\"name\":\"Rita\"},\"approved_at\":\"2024-11-18T11:00:00Z\"}]}" &&
	respond notes3p2 200 "[$(note true "approved this merge request" 2024-11-18T11:00:00Z)]" &&
	respond mr4 200 "$(mr 4 null "\"$S2\"" 2024-11-18T00:00:00Z 2024-11-18T01:30:00Z)" &&
	respond commits4 200 "[{\"id\":\"$U2\"},{\"id\":\"$U1\"}]" &&
	respond denied 403 "{\"message\":\"403 Forbidden\"}" &&
	respond notes4 200 "[$(note true "approved this merge request" 2024-11-18T01:00:00Z)]" &&
	respond mrs-g4 200 "[$(mr 6 "\"$G4\"" null 2024-11-18T00:00:00Z 2024-11-18T00:30:00Z)]" &&
	respond appr6 200 "{\"approved\":false,\"approved_by\":[]}" &&
	cat >srv/routes <<-EOF &&
	$P/repository/commits/$G1/merge_requests - mrs-g1
	$P/merge_requests/3/approvals - appr3
	$P/merge_requests/3/notes page=2 notes3p2
	$P/merge_requests/3/notes - notes3p1
	$P/merge_requests/4 - mr4
	$P/merge_requests/4/commits - commits4
	$P/merge_requests/4/approvals - denied
	$P/merge_requests/4/notes - notes4
	$P/repository/commits/$G3/merge_requests - empty
	$P/repository/commits/$G4/merge_requests - mrs-g4
	$P/merge_requests/6/approvals - appr6
	$P/merge_requests/6/notes - empty
	EOF
	HTTPD_URL=$(python3 "$TEST_SRCDIR/lib-httpd.py" --start --timeout 300 srv) &&
	respond notes3p1 200 "[$(note true "requested changes" 2024-11-18T02:00:00Z),
$(note false "requested changes, says a person" 2024-11-18T03:00:00Z)]" \
		"X-Page: 1" "X-Next-Page: 2"
'

test_expect_success 'log: review per change, squash merge matched' '
	(
		cd repo &&
		CI_JOB_TOKEN=$JOB GIT_TOKENS_GITLAB_API=$HTTPD_URL/api/v4 \
		git tokens log --format=json main mr4
	) >log.json 2>err &&
	review_table <log.json >actual &&
	cat >expect <<-\EOF &&
	Add exporter|approved|yes
	Docs|approved|yes
	Improve parser|changes-requested|yes
	Unreviewed merge|not-approved|yes
	EOF
	test_cmp expect actual &&
	test_must_be_empty err &&
	# without the squash commit in range, its commits land as it
	(
		cd repo &&
		CI_JOB_TOKEN=$JOB GIT_TOKENS_GITLAB_API=$HTTPD_URL/api/v4 \
		git tokens log --format=json mr4
	) >mr4.json 2>err &&
	review_table <mr4.json >actual &&
	grep "^u1|approved|squash$" actual &&
	grep "^u2|approved|squash$" actual &&
	test_must_be_empty err
'

test_expect_success 'the job token went in JOB-TOKEN, pages by x-next-page' '
	python3 -c "
import json
reqs = [json.loads(l) for l in open(\"srv/requests.log\")]
for r in reqs:
    h = {k.lower(): v for k, v in r[\"headers\"].items()}
    assert h[\"job-token\"] == \"$JOB\", h
    assert \"private-token\" not in h and \"authorization\" not in h, h
qs = [r[\"query\"] for r in reqs if r[\"path\"].endswith(\"/merge_requests/3/notes\")]
assert len(qs) == 2 and \"page=2\" in qs[1], qs
"
'

test_expect_success 'fetch gitlab uses GITLAB_TOKEN in PRIVATE-TOKEN' '
	wc -l <srv/requests.log >before &&
	(
		cd repo &&
		GITLAB_TOKEN=$PAT CI_JOB_TOKEN=$JOB \
		GIT_TOKENS_GITLAB_API=$HTTPD_URL/api/v4 \
		git tokens fetch gitlab main mr4
	) 2>fetch.err &&
	grep "^fetched review data for 5 of 6 landed changes" fetch.err &&
	grep "^3 approved on first pass, 1 after 1 change-request round, 1 not approved; median 1.5 hours from open to merge$" fetch.err &&
	python3 -c "
import json
reqs = [json.loads(l) for l in open(\"srv/requests.log\")][$(cat before):]
assert reqs
for r in reqs:
    h = {k.lower(): v for k, v in r[\"headers\"].items()}
    assert h[\"private-token\"] == \"$PAT\", h
    assert \"job-token\" not in h, h
"
'

test_expect_success 'no token is stored or printed' '
	! grep -r -e "$JOB" -e "$PAT" repo/.git/tokens &&
	! grep -e "$JOB" -e "$PAT" err fetch.err log.json
'

# usage <session> <input> <output> <cost>: one note line.
usage () {
	printf '{"v":1,"tool":"claude-code","model":"claude-sonnet-4-5","session":"%s","from":"2024-11-18T08:00:00Z","to":"2024-11-18T08:30:00Z","requests":1,"input":%s,"output":%s,"cache_write":0,"cache_read":0,"cost_usd":%s,"by":"bob@example.com","how":"hook"}\n' "$@"
}

# change <log json> <commit> <key>: a key of one change, or "absent".
change () {
	python3 -c "import json, sys
d = {c['commit']: c for c in json.load(open(sys.argv[1]))['changes']}
c = d.get(sys.argv[2])
print('absent' if c is None else c[sys.argv[3]])" "$@"
}

side_requests () {
	if test -f side/srv/requests.log
	then
		wc -l <side/srv/requests.log | tr -d " "
	else
		echo 0
	fi
}

test_expect_success 'setup: squash merges found only through the API' '
	NQ1=$(usage 7020q1q1q1q1 4000 400 0.40) &&
	NQ2=$(usage 7020q2q2q2q2 100 10 0.01) &&
	NS8=$(usage 7020s8s8s8s8 50 5 0.005) &&
	NV1=$(usage 7020v1v1v1v1 1000 100 0.10) &&
	NX=$(usage 7020xxxxxxxx 3000 300 0.30) &&
	NS9=$(usage 7020s9s9s9s9 500 50 0.05) &&
	mkdir side &&
	(
		cd side &&
		git init -q repo &&
		cd repo &&
		git remote add origin git@gitlab.example.com:group/side.git &&
		test_commit base base.t &&
		# !8, squashed and fast-forwarded: its commits never kept
		git checkout -q -b lost &&
		test_commit q1 q.t && git notes --ref=tokens add -m "$NQ1" &&
		test_commit q2 q.t && git notes --ref=tokens add -m "$NQ2" &&
		git rev-parse q1 q2 >../lost &&
		git checkout -q main &&
		git merge -q --squash lost >/dev/null && test_tick &&
		git commit -q -m "Widget work

See merge request group/side!8" &&
		git notes --ref=tokens add -m "$NS8" &&
		git branch -q -D lost && git tag -d q1 q2 >/dev/null &&
		git reflog expire --expire=now --all &&
		git gc -q --prune=now &&
		for c in $(cat ../lost)
		do
			test_must_fail git cat-file -e $c || return 1
		done &&
		# !9, squashed under a merge commit: Bob'\''s commits are here
		git checkout -q -b topic9 &&
		test_seq 1 4 >v.t && git add v.t && test_tick &&
		GIT_AUTHOR_NAME=Bob GIT_AUTHOR_EMAIL=bob@example.com \
			git commit -q -m v1 &&
		printf "%s\n" "$NV1" "$NX" >n.txt &&
		git notes --ref=tokens add -F n.txt &&
		test_seq 5 6 >>v.t && test_tick &&
		GIT_AUTHOR_NAME=Bob GIT_AUTHOR_EMAIL=bob@example.com \
			git commit -q -a -m v2 &&
		git rev-parse topic9~1 topic9 >../topic9 &&
		git checkout -q -b squash9 main &&
		git merge -q --squash topic9 >/dev/null && test_tick &&
		GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@example.com \
			git commit -q -m "Widget docs" &&
		printf "%s\n" "$NX" "$NS9" >n.txt &&
		git notes --ref=tokens add -F n.txt &&
		rm n.txt &&
		git checkout -q main &&
		test_commit between between.t &&
		test_tick &&
		git merge -q --no-ff squash9 -m "Merge branch '\''topic9'\'' into '\''main'\''

Widget docs

See merge request group/side!9" &&
		git rev-parse squash9 >../s9 &&
		git branch -q -D squash9 &&
		git rev-parse ":/Widget work" >../s8 &&
		git rev-parse HEAD >../m9 &&
		git rev-parse base >../base &&
		git rev-parse between >../between
	) &&
	S8=$(cat side/s8) && S9=$(cat side/s9) &&
	mkdir side/srv &&
	Q=/api/v4/projects/group%2Fside &&
	(
		cd side &&
		respond empty 200 "[]" &&
		respond unapproved 200 "{\"approved\":false,\"approved_by\":[]}" &&
		respond mr8 200 "$(mr 8 null "\"$S8\"" 2024-11-18T00:00:00Z 2024-11-18T01:00:00Z)" &&
		respond commits8 200 "[$(sed "s/.*/{\"id\":\"&\"}/" lost | paste -sd,)]" &&
		respond mrs-s9 200 "[$(mr 9 "\"$(cat m9)\"" "\"$S9\"" 2024-11-18T00:00:00Z 2024-11-18T02:00:00Z)]" &&
		respond commits9 200 "[$(sed "s/.*/{\"id\":\"&\"}/" topic9 | paste -sd,)]" &&
		cat >srv/routes <<-EOF &&
		$Q/repository/commits/$(cat base)/merge_requests - empty
		$Q/repository/commits/$(cat between)/merge_requests - empty
		$Q/repository/commits/$S9/merge_requests - mrs-s9
		$Q/merge_requests/8 - mr8
		$Q/merge_requests/8/commits - commits8
		$Q/merge_requests/8/approvals - unapproved
		$Q/merge_requests/8/notes - empty
		$Q/merge_requests/9/commits - commits9
		$Q/merge_requests/9/approvals - unapproved
		$Q/merge_requests/9/notes - empty
		EOF
		python3 "$TEST_SRCDIR/lib-httpd.py" --start --timeout 300 srv \
			>url
	)
'

side () {
	(
		cd side/repo &&
		CI_JOB_TOKEN=$JOB GIT_TOKENS_GITLAB_API=$(cat ../url)/api/v4 \
		git tokens "$@"
	)
}

test_expect_success 'the squash commits hold the union of the notes' '
	side log --format=json main >side.json 2>err &&
	test_must_be_empty err &&
	# !8: q1 + q2 + s8; !9: v1 + x + s9, x once
	test "$(change side.json $S8 tokens)" = 4565 &&
	test "$(change side.json $S8 cost_usd)" = 0.415 &&
	test "$(change side.json $S9 tokens)" = 4950 &&
	test "$(change side.json $S9 cost_usd)" = 0.45 &&
	test "$(change side.json $S9 author_name)" = Bob &&
	test "$(change side.json $S8 author_name)" = "A U Thor" &&
	python3 -c "
import json
paths = [json.loads(l)[\"path\"] for l in open(\"side/srv/requests.log\")]
for n in (8, 9):
    assert paths.count(\"/api/v4/projects/group%%2Fside/merge_requests/%d/commits\" % n) == 1, paths
assert len(paths) == len(set(paths)), paths
" &&
	side_requests >side-count
'

test_expect_success '--offline with a warm cache: the same' '
	(
		cd side/repo &&
		GIT_TOKENS_GITLAB_API=$(cat ../url)/api/v4 \
		git tokens log --offline --format=json main
	) >side-offline.json 2>err &&
	test_must_be_empty err &&
	test_cmp side.json side-offline.json &&
	side_requests >count &&
	test_cmp side-count count
'

test_expect_success 'no forge detected: no request, the own notes only' '
	git -C side/repo remote set-url origin ../elsewhere.git &&
	rm -r side/repo/.git/tokens &&
	side log --format=json main >side-none.json &&
	git -C side/repo remote set-url origin \
		git@gitlab.example.com:group/side.git &&
	side_requests >count &&
	test_cmp side-count count &&
	test "$(change side-none.json $S8 tokens)" = 55 &&
	test "$(change side-none.json $S9 tokens)" = 3850 &&
	test "$(change side-none.json $S9 author_name)" = Alice
'

test_expect_success 'stop the side server' '
	python3 "$TEST_SRCDIR/lib-httpd.py" --stop side/srv
'

test_expect_success 'stop the server' '
	python3 "$TEST_SRCDIR/lib-httpd.py" --stop srv
'

test_done
