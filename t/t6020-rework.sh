#!/bin/sh
test_description='rework: landed lines gone within tokens.reworkDays'
. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-survival.sh

DAY0=1717200000   # 2024-06-01
on_day () {
	# on_day <day>: author and commit dates that day
	GIT_AUTHOR_DATE="$(($DAY0 + $1 * 86400)) +0000" &&
	GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE &&
	export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
}

test_expect_success 'setup: dated history' '
	git init -q -b main repo && (
		cd repo &&
		on_day 0 && lines alice 1 20 >a.c && git add a.c &&
		as Alice alice@example.com git commit -q -m "alice: a.c" &&
		git rev-parse HEAD >../alice &&

		# day 3: seven of them replaced, within the two weeks
		on_day 3 &&
		sed -i "s/^alice \([1-7]\)$/bob \1/" a.c &&
		as Bob bob@example.com git commit -q -a -m "bob: redo" &&

		# day 30: four more deleted, long after
		on_day 30 && sed -i "/^alice 1[0-3]$/d" a.c &&
		as Bob bob@example.com git commit -q -a -m "bob: trim" &&

		# a topic: written on day 40, landed on day 60
		git checkout -q -b topic &&
		on_day 40 && lines carol 1 12 >c.c && git add c.c &&
		as Carol carol@example.com git commit -q -m "carol: c.c" &&
		git rev-parse HEAD >../carol &&
		# gone before it landed: never on the mainline, not rework
		on_day 41 && sed -i "/^carol 1[12]$/d" c.c &&
		as Carol carol@example.com git commit -q -a -m "carol: tidy" &&
		git checkout -q main &&
		on_day 60 && git merge -q --no-ff --no-edit topic &&

		# day 65: 25 days after it was written, 5 after it landed
		on_day 65 && sed -i "/^carol [1-3]$/d" c.c &&
		as Alice alice@example.com git commit -q -a -m "alice: cut"
	)
'

test_expect_success 'per change: lines gone within 14 days of landing' '
	(cd repo && git tokens log --format=json >../log.json) &&
	log_values log.json reworked >reworked &&
	grep "^$(cat alice) 7$" reworked &&
	grep "^$(cat carol) 3$" reworked &&
	test $(grep -c " 0$" reworked) = $(($(wc -l <reworked) - 2))
'

test_expect_success 'per author: the share of landed lines, and the flag' '
	(cd repo && git tokens report --format=json >../report.json) &&
	python3 - <<-\EOF
	import json
	d = json.load(open("report.json"))
	rows = {r["author"].split(" <")[0]: r for r in d["rows"]}
	a, c = rows["Alice"], rows["Carol"]
	assert a["lines_added"] == 20 and abs(a["rework"] - 0.35) < 1e-9, a
	assert "rework" in a["flags"], a
	assert c["lines_added"] == 12 and abs(c["rework"] - 0.25) < 1e-9, c
	assert "rework" not in c["flags"], c
	assert rows["Bob"]["rework"] == 0, rows["Bob"]
	assert d["total"]["rework"] is not None
	EOF
'

test_expect_success 'tokens.reworkDays moves the horizon' '
	(cd repo && git -c tokens.reworkDays=2 tokens log --format=json \
		>../log2.json &&
	 git -c tokens.reworkDays=30 tokens log --format=json >../log30.json) &&
	log_values log2.json reworked nonzero >actual &&
	test ! -s actual &&
	log_values log30.json reworked nonzero >actual &&
	sort >expect <<-EOF &&
	$(cat alice) 11
	$(cat carol) 3
	EOF
	test_cmp expect actual
'

test_expect_success 'what survives and what was reworked never overlap' '
	python3 - <<-\EOF
	import json
	for c in json.load(open("log.json"))["changes"]:
	    if c["surviving"] is not None:
	        assert c["surviving"] + c["reworked"] <= c["lines_added"], c
	EOF
'

test_done
