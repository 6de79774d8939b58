#!/bin/sh

test_description='review outcomes and squash merges from the GitHub API'

. "$(dirname "$0")"/lib-tokens.sh

TOKEN=ghp_SENTINEL_review_7010_token
GIT_TOKENS_NOW=2026-11-22T12:00:00Z
export GIT_TOKENS_NOW
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GIT_SSL_CAINFO CURL_CA_BUNDLE GIT_TOKENS_HTTP_MAX_WAIT

# respond <file> <status> <body> [<header>...]: a lib-httpd.py answer.
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

pr () {
	# pr <number> <merge commit> <created> <merged>
	printf '{"number":%s,"state":"closed","merged_at":"%s","created_at":"%s","merge_commit_sha":"%s","base":{"ref":"main"}}' \
		"$1" "$4" "$3" "$2"
}

review () {
	# review <state> <login> <commit> <submitted>
	printf '{"id":1,"state":"%s","user":{"login":"%s"},"commit_id":"%s","submitted_at":"%s"}' \
		"$1" "$2" "$3" "$4"
}

gt () {
	(
		cd repo &&
		GITHUB_TOKEN=$TOKEN GIT_TOKENS_GITHUB_API=$HTTPD_URL \
		git tokens "$@"
	)
}

# "<subject>|<review>|<landed>" for each change of a log --format=json.
review_table () {
	(cd repo && git log --format="%H %s" --all) >subjects &&
	python3 -c '
import json, sys
names = {}
for line in open("subjects"):
    sha, _, subject = line.rstrip("\n").partition(" ")
    names[sha] = subject
d = json.load(sys.stdin)
for c in d["changes"]:
    print("%s|%s|%s" % (names[c["commit"]], c["review"], c["landed"]))
' | sort
}

test_expect_success 'setup: a repository on GitHub and its API' '
	git init -q repo &&
	(
		cd repo &&
		git remote add origin https://github.com/acme/widget.git &&
		test_commit base base.t &&
		test_commit "Add feature (#5)" feature.t &&
		test_commit "Fix thing (#7)" fix.t &&
		git checkout -q -b feat9 &&
		test_commit d1 d.t &&
		test_commit d2 d.t &&
		git checkout -q main &&
		test_tick &&
		git merge -q --no-ff -m "Merge pull request #9 from acme/feat9" \
			feat9 &&
		echo tidy >>base.t &&
		test_tick &&
		git commit -q -am "Tidy up

Reviewed-by: Someone <someone@example.com>" &&
		git checkout -q -b topic &&
		test_commit t1 topic1.t &&
		test_commit t2 topic2.t &&
		git checkout -q main &&
		test_commit "Topic work (#12)" topic.t &&
		# usage on a request commit and on its squash commit, one
		# line on both
		u1="\"session\":\"7010aaaaaaaa\",\"from\":\"2024-11-18T08:00:00Z\",\"to\":\"2024-11-18T08:30:00Z\",\"requests\":2,\"input\":100,\"output\":10" &&
		u2="\"session\":\"7010bbbbbbbb\",\"from\":\"2024-11-18T09:00:00Z\",\"to\":\"2024-11-18T09:30:00Z\",\"requests\":3,\"input\":200,\"output\":20" &&
		rest="\"cache_write\":0,\"cache_read\":0,\"cost_usd\":0.01,\"by\":\"author@example.com\",\"how\":\"hook\"}" &&
		head="{\"v\":1,\"tool\":\"claude-code\",\"model\":\"claude-sonnet-4-5\"" &&
		printf "%s\n" "$head,$u1,$rest" "$head,$u2,$rest" >note.txt &&
		git notes --ref=tokens add -F note.txt t1 &&
		git notes --ref=tokens add -m "$head,$u2,$rest" HEAD &&
		rm note.txt
	) &&
	A=$(git -C repo rev-parse base) &&
	B=$(git -C repo rev-parse ":/Add feature") &&
	C=$(git -C repo rev-parse ":/Fix thing") &&
	D1=$(git -C repo rev-parse d1) &&
	D2=$(git -C repo rev-parse d2) &&
	M9=$(git -C repo rev-parse ":/Merge pull request #9") &&
	E=$(git -C repo rev-parse ":/Tidy up") &&
	T1=$(git -C repo rev-parse t1) &&
	T2=$(git -C repo rev-parse t2) &&
	S=$(git -C repo rev-parse ":/Topic work") &&
	mkdir srv &&
	R=/repos/acme/widget &&
	respond empty 200 "[]" &&
	respond pr5 200 "$(pr 5 $B 2024-11-18T00:00:00Z 2024-11-18T06:00:00Z)" \
		"ETag: W/\"pr5-v1\"" &&
	respond not-modified 304 "" &&
	respond rev5 200 "[$(review APPROVED alice $B 2024-11-18T05:00:00Z)]" &&
	respond pr7 200 "$(pr 7 $C 2024-11-17T00:00:00Z 2024-11-18T00:00:00Z)" &&
	respond rev7 200 "[$(review CHANGES_REQUESTED alice 1111111111111111111111111111111111111111 2024-11-17T01:00:00Z),
$(review COMMENTED bob 1111111111111111111111111111111111111111 2024-11-17T02:00:00Z),
$(review CHANGES_REQUESTED bob 2222222222222222222222222222222222222222 2024-11-17T03:00:00Z),
$(review APPROVED alice 3333333333333333333333333333333333333333 2024-11-17T04:00:00Z),
$(review APPROVED bob 3333333333333333333333333333333333333333 2024-11-17T05:00:00Z),
$(review CHANGES_REQUESTED carol 3333333333333333333333333333333333333333 2024-11-19T00:00:00Z)]" &&
	respond pulls-d2 200 "[{\"number\":8,\"state\":\"open\",\"merged_at\":null},
$(pr 9 $M9 2024-11-18T08:00:00Z 2024-11-18T10:00:00Z)]" &&
	respond commits9 200 "[{\"sha\":\"$D1\"},{\"sha\":\"$D2\"}]" &&
	respond rev9p2 200 "[$(review APPROVED alice $D2 2024-11-18T09:00:00Z)]" &&
	respond pulls-e 200 "[$(pr 11 $E 2024-11-18T09:00:00Z 2024-11-18T10:00:00Z)]" &&
	respond pr12 200 "$(pr 12 $S 2024-11-18T08:00:00Z 2024-11-18T11:00:00Z)" &&
	respond commits12 200 "[{\"sha\":\"$T1\"},{\"sha\":\"$T2\"}]" &&
	respond rev12 200 "[$(review APPROVED alice $T2 2024-11-18T10:00:00Z)]" &&
	cat >srv/routes <<-EOF &&
	$R/commits/$A/pulls - empty
	$R/pulls/5 - pr5 not-modified
	$R/pulls/5/reviews - rev5
	$R/pulls/7 - pr7
	$R/pulls/7/reviews - rev7
	$R/commits/$D2/pulls - pulls-d2
	$R/commits/$D1/pulls - empty
	$R/pulls/9/commits - commits9
	$R/pulls/9/reviews page=2 rev9p2
	$R/pulls/9/reviews - rev9p1
	$R/commits/$E/pulls - pulls-e
	$R/pulls/11/reviews - empty
	$R/pulls/12 - pr12
	$R/pulls/12/commits - commits12
	$R/pulls/12/reviews - rev12
	EOF
	HTTPD_URL=$(python3 "$TEST_SRCDIR/lib-httpd.py" --start --timeout 300 srv) &&
	respond rev9p1 200 "[$(review COMMENTED bob $D1 2024-11-18T08:30:00Z)]" \
		"Link: <$HTTPD_URL$R/pulls/9/reviews?per_page=100&page=2>; rel=\"next\", <$HTTPD_URL$R/pulls/9/reviews?per_page=100&page=2>; rel=\"last\""
'

test_expect_success 'log: review per change, squash merges matched' '
	gt log --format=json main topic >log.json 2>err &&
	review_table <log.json >actual &&
	cat >expect <<-\EOF &&
	Add feature (#5)|approved|yes
	Fix thing (#7)|changes-requested|yes
	Tidy up|not-approved|yes
	Topic work (#12)|approved|yes
	base|None|yes
	d1|approved|yes
	d2|approved|yes
	EOF
	test_cmp expect actual &&
	test_must_be_empty err &&
	# the squash commit carries the union of its notes and those of t1
	python3 -c "
import json
d = {c[\"commit\"]: c for c in json.load(open(\"log.json\"))[\"changes\"]}
s = d[\"$S\"]
assert s[\"tokens\"] == 330 and abs(s[\"cost_usd\"] - 0.02) < 1e-9, s
" &&
	# without the squash commit in range, its commits land as it
	gt log --format=json topic >topic.json 2>err &&
	review_table <topic.json >actual &&
	grep "^t1|approved|squash$" actual &&
	grep "^t2|approved|squash$" actual &&
	test_must_be_empty err
'

test_expect_success 'the requests: headers, token, pages, no wasted lookups' '
	python3 -c "
import json
reqs = [json.loads(l) for l in open(\"srv/requests.log\")]
for r in reqs:
    h = {k.lower(): v for k, v in r[\"headers\"].items()}
    assert h[\"authorization\"] == \"Bearer $TOKEN\", h
    assert h[\"accept\"] == \"application/vnd.github+json\", h
    assert h[\"x-github-api-version\"] == \"2022-11-28\", h
    assert h[\"user-agent\"].startswith(\"git-tokens/\"), h
    assert r[\"method\"] == \"GET\", r
paths = [r[\"path\"] + \"?\" + r[\"query\"] for r in reqs]
assert \"/repos/acme/widget/pulls/9/reviews?per_page=100&page=2\" in paths, paths
# d1 came with the commit list of #9: never looked up by itself.
assert not any(\"/commits/$D1/\" in p for p in paths), paths
# squash commits name their request: no commit search for them.
assert not any(\"/commits/$B/\" in p or \"/commits/$S/\" in p for p in paths), paths
assert len(paths) == len(set(paths)), paths
" &&
	log_lines >count1
'

test_expect_success 'report: first-pass approval rate where review is known' '
	gt report --format=json main topic >report.json &&
	python3 -c "
import json
d = json.load(open(\"report.json\"))
r = d[\"total\"][\"reviewed\"]
# 6 known (base has no source; t1, t2 are one change with their
# squash commit): 4 approved on first pass
assert abs(r - 4 / 6) < 0.001, r
" &&
	gt report --format=csv main topic >report.csv &&
	grep ",0.6667," report.csv
'

test_expect_success 'a second run answers from the cache, no requests' '
	gt log --format=json main topic >log2.json &&
	test_cmp log.json log2.json &&
	log_lines >count2 &&
	test_cmp count1 count2
'

test_expect_success '--offline uses the cache only' '
	(cd repo && GIT_TOKENS_GITHUB_API=$HTTPD_URL \
	 git tokens log --offline --format=json main topic) >log3.json 2>err &&
	test_cmp log.json log3.json &&
	test_must_be_empty err &&
	log_lines >count3 &&
	test_cmp count1 count3
'

test_expect_success 'without a token a report asks nothing: cached answers only' '
	(cd repo && GIT_TOKENS_GITHUB_API=$HTTPD_URL \
	 git tokens log --format=json main topic) >log4.json &&
	test_cmp log.json log4.json &&
	log_lines >count4 &&
	test_cmp count1 count4
'

test_expect_success 'fetch github revalidates with ETags and sums up' '
	gt fetch github main topic 2>fetch.err &&
	grep "^fetched review data for 8 of 9 landed changes" fetch.err &&
	grep "^6 approved on first pass, 1 after 2 change-request rounds, 1 not approved; median 3.0 hours from open to merge$" fetch.err &&
	python3 -c "
import json
reqs = [json.loads(l) for l in open(\"srv/requests.log\")]
pr5 = [r for r in reqs if r[\"path\"] == \"/repos/acme/widget/pulls/5\"]
assert len(pr5) == 2, pr5
h = {k.lower(): v for k, v in pr5[1][\"headers\"].items()}
assert h[\"if-none-match\"] == \"W/\\\"pr5-v1\\\"\", h
" &&
	gt log --format=json main topic >log5.json &&
	test_cmp log.json log5.json
'

test_expect_success 'fetch github --since limits the range' '
	gt fetch github --since="2024-11-18 09:02:00 +0000" main 2>fetch2.err &&
	grep "^fetched review data for 1 of 1 landed change " fetch2.err
'

test_expect_success 'a report stops asking after its request cap' '
	rm -r repo/.git/tokens/http &&
	log_lines >before &&
	GIT_TOKENS_FORGE_MAX_REQUESTS=2 gt log --format=json main >capped.json 2>err &&
	grep "^warning: stopped asking github after 2 requests; run .git tokens fetch github. for the review data of the rest$" err &&
	test $(($(log_lines) - $(cat before))) = 2
'

test_expect_success 'the token is never printed nor stored' '
	! grep -r "$TOKEN" repo/.git/tokens &&
	! grep -e "$TOKEN" err fetch.err fetch2.err log.json report.json &&
	grep -q "$TOKEN" srv/requests.log
'

# usage <session> <input> <output> <cost>: one note line.
usage () {
	printf '{"v":1,"tool":"claude-code","model":"claude-sonnet-4-5","session":"%s","from":"2024-11-18T08:00:00Z","to":"2024-11-18T08:30:00Z","requests":1,"input":%s,"output":%s,"cache_write":0,"cache_read":0,"cost_usd":%s,"by":"bob@example.com","how":"hook"}\n' "$@"
}

# tokens <log json> <commit> <key>: a key of one change, or "absent".
tokens () {
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
	NP1=$(usage 7010p1p1p1p1 1000 100 0.10) &&
	NP2=$(usage 7010p2p2p2p2 2000 200 0.20) &&
	NX=$(usage 7010xxxxxxxx 3000 300 0.30) &&
	NS=$(usage 7010ssssssss 500 50 0.05) &&
	NQ1=$(usage 7010q1q1q1q1 4000 400 0.40) &&
	NQ2=$(usage 7010q2q2q2q2 100 10 0.01) &&
	NS2=$(usage 7010s2s2s2s2 50 5 0.005) &&
	git init -q side &&
	(
		cd side &&
		git init -q repo &&
		cd repo &&
		git remote add origin https://github.com/acme/gadget.git &&
		test_commit base base.t &&
		# #21: Bob'\''s commits stay on their branch, out of range
		git checkout -q -b topic &&
		test_seq 1 5 >p.t && git add p.t && test_tick &&
		GIT_AUTHOR_NAME=Bob GIT_AUTHOR_EMAIL=bob@example.com \
			git commit -q -m p1 &&
		git notes --ref=tokens add -m "$NP1" &&
		test_seq 6 8 >>p.t && test_tick &&
		GIT_AUTHOR_NAME=Bob GIT_AUTHOR_EMAIL=bob@example.com \
			git commit -q -a -m p2 &&
		printf "%s\n" "$NP2" "$NX" >n.txt &&
		git notes --ref=tokens add -F n.txt &&
		git checkout -q main &&
		git merge -q --squash topic >/dev/null && test_tick &&
		GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@example.com \
			git commit -q -m "Gadget work (#21)" &&
		printf "%s\n" "$NX" "$NS" >n.txt &&
		git notes --ref=tokens add -F n.txt &&
		# #22: commits this clone never keeps, their notes do stay
		git checkout -q -b lost &&
		test_commit q1 q.t && git notes --ref=tokens add -m "$NQ1" &&
		test_commit q2 q.t && git notes --ref=tokens add -m "$NQ2" &&
		git rev-parse q1 q2 >../lost &&
		git checkout -q main &&
		git merge -q --squash lost >/dev/null && test_tick &&
		GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@example.com \
			git commit -q -m "Lost work (#22)" &&
		git notes --ref=tokens add -m "$NS2" &&
		rm n.txt &&
		git branch -q -D lost && git tag -d q1 q2 >/dev/null &&
		git reflog expire --expire=now --all &&
		git gc -q --prune=now &&
		for c in $(cat ../lost)
		do
			test_must_fail git cat-file -e $c || return 1
		done &&
		git notes --ref=tokens list >notes &&
		for c in $(cat ../lost)
		do
			grep " $c$" notes || return 1
		done &&
		rm notes &&
		test_must_fail git rev-parse -q --verify refs/pull/21/head &&
		git rev-parse ":/Gadget work" >../s21 &&
		git rev-parse ":/Lost work" >../s22 &&
		git rev-parse topic~1 topic >../topic &&
		git rev-parse base >../base
	) &&
	S21=$(cat side/s21) && S22=$(cat side/s22) &&
	mkdir side/srv &&
	G=/repos/acme/gadget &&
	(
		cd side &&
		respond empty 200 "[]" &&
		respond pr21 200 "$(pr 21 $S21 2024-11-18T00:00:00Z 2024-11-18T06:00:00Z)" &&
		respond commits21 200 "[$(sed "s/.*/{\"sha\":\"&\"}/" topic | paste -sd,)]" &&
		respond pr22 200 "$(pr 22 $S22 2024-11-18T00:00:00Z 2024-11-18T07:00:00Z)" &&
		respond commits22 200 "[$(sed "s/.*/{\"sha\":\"&\"}/" lost | paste -sd,)]" &&
		cat >srv/routes <<-EOF &&
		$G/commits/$(cat base)/pulls - empty
		$G/pulls/21 - pr21
		$G/pulls/21/commits - commits21
		$G/pulls/21/reviews - empty
		$G/pulls/22 - pr22
		$G/pulls/22/commits - commits22
		$G/pulls/22/reviews - empty
		EOF
		python3 "$TEST_SRCDIR/lib-httpd.py" --start --timeout 300 srv \
			>url
	)
'

# side <git tokens args>: in the side repository, with its API.
side () {
	(
		cd side/repo &&
		GITHUB_TOKEN=$TOKEN GIT_TOKENS_GITHUB_API=$(cat ../url) \
		git tokens "$@"
	)
}

test_expect_success 'the squash commits hold the union of the notes' '
	side log --format=json main >side.json 2>err &&
	test_must_be_empty err &&
	# #21: p1 + p2 + x + s, x once; #22: q1 + q2 + s2
	test "$(tokens side.json $S21 tokens)" = 7150 &&
	test "$(tokens side.json $S21 cost_usd)" = 0.65 &&
	test "$(tokens side.json $S22 tokens)" = 4565 &&
	test "$(tokens side.json $S22 cost_usd)" = 0.415 &&
	# the commits of #21 are here: the request author; of #22 not
	test "$(tokens side.json $S21 author_name)" = Bob &&
	test "$(tokens side.json $S22 author_name)" = Alice &&
	python3 -c "
import json
paths = [json.loads(l)[\"path\"] for l in open(\"side/srv/requests.log\")]
for n in (21, 22):
    assert paths.count(\"/repos/acme/gadget/pulls/%d/commits\" % n) == 1, paths
assert len(paths) == len(set(paths)), paths
" &&
	side report --format=json main >side-report.json &&
	test "$(json_get total.tokens <side-report.json)" = 11715 &&
	side log --author=Bob --format=json main >side-bob.json &&
	test "$(json_get changes.0.commit <side-bob.json)" = $S21 &&
	test "$(json_get changes.0.tokens <side-bob.json)" = 7150 &&
	test "$(python3 -c "import json, sys; print(len(json.load(sys.stdin)[\"changes\"]))" <side-bob.json)" = 1 &&
	side_requests >side-count
'

test_expect_success '--offline with a warm cache: the same' '
	(
		cd side/repo &&
		GIT_TOKENS_GITHUB_API=$(cat ../url) \
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
		https://github.com/acme/gadget.git &&
	side_requests >count &&
	test_cmp side-count count &&
	test "$(tokens side-none.json $S21 tokens)" = 3850 &&
	test "$(tokens side-none.json $S22 tokens)" = 55 &&
	test "$(tokens side-none.json $S21 author_name)" = Alice
'

test_expect_success 'stop the side server' '
	python3 "$TEST_SRCDIR/lib-httpd.py" --stop side/srv
'

test_expect_success 'stop the server' '
	python3 "$TEST_SRCDIR/lib-httpd.py" --stop srv
'

test_done
