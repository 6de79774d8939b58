#!/bin/sh
test_description='landing: squash merges through request refs, rebase merges, open and abandoned'
. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-survival.sh

DAY0=1717200000   # 2024-06-01
on_day () {
	GIT_AUTHOR_DATE="$(($DAY0 + $1 * 86400)) +0000" &&
	GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE &&
	export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
}
NOW=2024-07-31T00:00:00Z   # day 60

test_expect_success 'setup' '
	git init -q -b main repo && (
		cd repo &&
		on_day 0 && lines base 1 10 >base.c && git add base.c &&
		as Alice alice@example.com git commit -q -m "base" &&

		# GitHub: pull request 7, squash-merged
		git checkout -q -b feat &&
		on_day 1 && lines feat 1 6 >f.c && git add f.c &&
		as Carol carol@example.com git commit -q -m "feat: start" &&
		on_day 2 && lines more 1 2 >>f.c &&
		as Carol carol@example.com git commit -q -a -m "feat: more" &&
		git update-ref refs/pull/7/head feat &&
		git checkout -q main && on_day 3 &&
		git merge -q --squash feat >/dev/null &&
		as Carol carol@example.com git commit -q -m "Add feat (#7)" &&
		git rev-parse HEAD >../squash7 &&
		git branch -q -D feat &&

		# GitLab: merge request 3, squashed and merged
		git checkout -q -b mr &&
		on_day 4 && lines mr 1 4 >m.c && git add m.c &&
		as Bob bob@example.com git commit -q -m "mr: one" &&
		on_day 5 && sed -i "s/^mr 4$/mr four/" m.c &&
		as Bob bob@example.com git commit -q -a -m "mr: two" &&
		git update-ref refs/merge-requests/3/head mr &&
		git checkout -q -b sq main &&
		git merge -q --squash mr >/dev/null &&
		on_day 6 && as Bob bob@example.com git commit -q -m "MR three" &&
		git rev-parse HEAD >../squash3 &&
		git checkout -q main &&
		git merge -q --no-ff sq -m "Merge branch '\''mr'\'' into '\''main'\''" \
			-m "See merge request group/project!3" &&
		git branch -q -D mr sq &&

		# a rebase merge: copies land, the originals by patch-id
		git checkout -q -b rb main~2 &&
		on_day 7 && lines rb 1 3 >r.c && git add r.c &&
		as Bob bob@example.com git commit -q -m "rb: one" &&
		on_day 8 && echo "rb 4" >>r.c &&
		as Bob bob@example.com git commit -q -a -m "rb: two" &&
		git checkout -q main && on_day 9 &&
		git cherry-pick main..rb >/dev/null &&

		# unlanded: abandoned, open with newer work, fresh, a PR
		git checkout -q -b stale main && on_day 10 &&
		echo stale >s.c && git add s.c &&
		as Carol carol@example.com git commit -q -m "stale work" &&
		git checkout -q -b active main && on_day 10 &&
		echo active >t.c && git add t.c &&
		as Carol carol@example.com git commit -q -m "active: old" &&
		on_day 50 && echo more >>t.c &&
		as Carol carol@example.com git commit -q -a -m "active: new" &&
		git checkout -q -b pr9 main && on_day 20 &&
		echo nine >n.c && git add n.c &&
		as Bob bob@example.com git commit -q -m "pr 9 (#9)" &&
		git update-ref refs/pull/9/head pr9 && git checkout -q main &&
		git branch -q -D pr9 &&
		GIT_TOKENS_NOW=$NOW git tokens log --all --format=json >../log.json
	)
'

landed_of () {
	python3 - "$1" <<-\EOF
	import json, sys
	for c in json.load(open("log.json"))["changes"]:
	    if c["commit"] == sys.argv[1]:
	        print(c["unlanded"] or c["landed"], c["surviving"])
	EOF
}

test_expect_success 'squash merge (#7): one change with the request commits' '
	(cd repo && git rev-list main..refs/pull/7/head) >pr7 &&
	test $(wc -l <pr7) = 2 &&
	for c in $(cat pr7)
	do
		landed_of $c >out && test ! -s out || return 1
	done &&
	(cd repo && numstat_totals -1 $(cat ../squash7)) >expect &&
	python3 - "$(cat squash7)" <<-\EOF >actual &&
	import json, sys
	d = {c["commit"]: c for c in json.load(open("log.json"))["changes"]}
	squash = d[sys.argv[1]]
	assert squash["landed"] == "yes" and squash["surviving"] == 8, squash
	print(squash["lines_added"], squash["lines_deleted"])
	EOF
	test_cmp expect actual
'

test_expect_success 'squash merge (#7): out of range, it lands the request commits' '
	(cd repo && GIT_TOKENS_NOW=$NOW git tokens log --format=json \
		refs/pull/7/head >../pr7.json) &&
	python3 - "$(cat squash7)" $(cat pr7) <<-\EOF
	import json, sys
	d = {c["commit"]: c for c in json.load(open("pr7.json"))["changes"]}
	assert sys.argv[1] not in d, d
	parts = [d[c] for c in sys.argv[2:]]
	assert all(p["landed"] == "squash" for p in parts), parts
	assert sum(p["surviving"] for p in parts) == 8, parts
	EOF
'

test_expect_success 'GitLab squash and merge (!3): landed as the squash commit' '
	(cd repo && git rev-list main..refs/merge-requests/3/head) >mr3 &&
	test $(wc -l <mr3) = 2 &&
	(cd repo && GIT_TOKENS_NOW=$NOW git tokens log --format=json \
		refs/merge-requests/3/head >../mr3.json) &&
	python3 - "$(cat squash3)" $(cat mr3) <<-\EOF
	import json, sys
	d = {c["commit"]: c for c in json.load(open("log.json"))["changes"]}
	squash = d[sys.argv[1]]
	assert squash["landed"] == "yes" and squash["surviving"] == 4, squash
	assert not any(c in d for c in sys.argv[2:]), "folded into the squash"
	d = {c["commit"]: c for c in json.load(open("mr3.json"))["changes"]}
	parts = [d[c] for c in sys.argv[2:]]
	assert all(p["landed"] == "squash" for p in parts), parts
	assert sum(p["surviving"] for p in parts) == 4, parts
	EOF
'

test_expect_success 'rebase merge: the originals landed by patch-id' '
	(cd repo && git rev-list main..rb) >rb &&
	test $(wc -l <rb) = 2 &&
	for c in $(cat rb)
	do
		landed_of $c >out && grep "^patch-id [13]$" out || return 1
	done
'

test_expect_success 'unlanded: abandoned after 30 quiet days, else open' '
	(cd repo && git rev-parse stale active~1 active refs/pull/9/head) >ids &&
	landed_of $(sed -n 1p ids) >out && grep "^abandoned None$" out &&
	landed_of $(sed -n 2p ids) >out && grep "^open None$" out &&
	landed_of $(sed -n 3p ids) >out && grep "^open None$" out &&
	landed_of $(sed -n 4p ids) >out && grep "^abandoned None$" out &&
	(cd repo && GIT_TOKENS_NOW=2024-06-25T00:00:00Z \
		git tokens log --all --format=json >../early.json) &&
	python3 - $(sed -n 1p ids) <<-\EOF
	import json, sys
	for c in json.load(open("early.json"))["changes"]:
	    if c["commit"] == sys.argv[1]:
	        assert c["landed"] == "no" and c["unlanded"] == "open", c
	EOF
'

test_expect_success 'without request refs, a squash merge does not land them' '
	(cd repo && git update-ref -d refs/pull/7/head &&
	 git tokens log --format=json $(cat ../pr7 | head -1) >../nopr.json) &&
	python3 - <<-\EOF
	import json
	for c in json.load(open("nopr.json"))["changes"]:
	    if c["author_name"] == "Carol":
	        assert c["landed"] == "no", c
	        assert c["unlanded"] in ("open", "abandoned"), c
	EOF
'

test_done
