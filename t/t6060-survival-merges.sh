#!/bin/sh
test_description='survival at merges: merge-born lines, subtrees, usage on merges, as git blame says'
. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-survival.sh

GIT_TOKENS_NOW=2024-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
CLAUDE_CONFIG_DIR=$(pwd)/no-logs
TZ=UTC
export GIT_TOKENS_NOW XDG_CACHE_HOME CLAUDE_CONFIG_DIR TZ

mona () {
	as Mona mona@example.com "$@"
}

# change <file> <commit> <key>: a key of one change of a log JSON, or
# "absent".
change () {
	python3 -c "import json, sys
d = {c['commit']: c for c in json.load(open(sys.argv[1]))['changes']}
c = d.get(sys.argv[2])
print('absent' if c is None else json.dumps(c[sys.argv[3]]))" "$@"
}

# join <branch> <prefix>: merge the branch's history with its tree under
# <prefix>/, as Mona (a subtree join).
join () {
	git checkout -q main && test_tick &&
	git merge -q -s ours --no-commit --allow-unrelated-histories \
		"$1" >/dev/null &&
	git read-tree --prefix="$2/" -u "$1" &&
	mona git commit -q -m "join $1"
}

# own <merge>: the lines git blame at the merge itself gives the merge.
own () {
	blame_counts "$1" commit | sed -n "s/^$1 //p"
}

test_expect_success 'setup: a conflict, an evil merge, a subtree, a rename, an octopus' '
	git init -q repo &&
	(
		cd repo &&
		lines alpha 1 20 >a.c &&
		lines beta 1 10 >b.c &&
		lines gamma 1 8 >c.c &&
		lines make 1 2 >Makefile &&
		git add . && test_tick &&
		as Alice alice@example.com git commit -q -m initial &&

		# a conflict resolved with new lines
		git checkout -q -b topic &&
		sed -i "s/^alpha 5$/bob five/" a.c && test_tick &&
		as Bob bob@example.com git commit -q -a -m "bob: five" &&
		git checkout -q main &&
		sed -i "s/^alpha 5$/alice five/" a.c && test_tick &&
		as Alice alice@example.com git commit -q -a -m "alice: five" &&
		test_tick &&
		test_must_fail git merge -q topic >/dev/null &&
		lines alpha 1 4 >a.c &&
		printf "%s\n" "merged five" "resolution 1" "resolution 2" >>a.c &&
		lines alpha 6 20 >>a.c &&
		git add a.c && mona git commit -q --no-edit &&
		git rev-parse HEAD >../conflict &&

		# an evil merge: a clean merge that adds lines of its own
		git checkout -q -b evil HEAD~1 &&
		sed -i "s/^beta 2$/bob two/" b.c && test_tick &&
		as Bob bob@example.com git commit -q -a -m "bob: two" &&
		git checkout -q main && test_tick &&
		git merge -q --no-ff --no-commit evil >/dev/null &&
		lines evil 1 3 >>c.c && git add c.c &&
		mona git commit -q --no-edit &&
		git rev-parse HEAD >../evil &&

		# a second history joined under tool/, then merged as a subtree
		git checkout -q --orphan tool && git rm -rqf . &&
		lines tool 1 12 >tool.c && lines readme 1 3 >README.sub &&
		lines toolmake 1 5 >Makefile &&
		git add . && test_tick &&
		as Sam sam@example.com git commit -q -m "tool: initial" &&
		join tool tool &&
		git rev-parse HEAD >../join &&
		git checkout -q tool &&
		sed -i "s/^tool 3$/sam three/" tool.c &&
		lines more 1 4 >>tool.c && test_tick &&
		as Sam sam@example.com git commit -q -a -m "tool: more" &&
		git checkout -q main &&
		sed -i "s/^alpha 12$/alice twelve/" a.c && test_tick &&
		as Alice alice@example.com git commit -q -a -m "alice: twelve" &&
		test_tick && mona git merge -q -s subtree --no-edit tool &&
		git rev-parse HEAD >../subtree &&
		test_path_is_missing tool.c &&

		# renamed on the mainline, edited on a topic
		git checkout -q -b ren &&
		sed -i "s/^beta 7$/bob seven/" b.c && test_tick &&
		as Bob bob@example.com git commit -q -a -m "bob: seven" &&
		git checkout -q main && git mv b.c bee.c && test_tick &&
		as Alice alice@example.com git commit -q -m "alice: bee.c" &&
		test_tick && mona git merge -q --no-edit ren &&
		git rev-parse HEAD >../renamed &&
		grep "^bob seven$" bee.c &&

		# an octopus that adds a line of its own
		for b in o1 o2 o3
		do
			git checkout -q -b $b main~1 &&
			lines $b 1 3 >$b.c && git add $b.c && test_tick &&
			as Carol carol@example.com git commit -q -m "carol: $b" ||
			return 1
		done &&
		git checkout -q main && test_tick &&
		git merge -q --no-commit o1 o2 o3 >/dev/null &&
		echo "octopus line" >>o2.c && git add o2.c &&
		mona git commit -q -m octopus &&
		git rev-parse HEAD >../octopus &&
		test $(git rev-list --parents -n 1 HEAD | wc -w) = 5 &&
		test_commit after
	)
'

test_expect_success 'per author: surviving equals git blame over the tip' '
	(cd repo && git tokens report --format=json >../report.json &&
	 blame_counts main email) >expect &&
	report_surviving report.json >actual &&
	test_cmp expect actual &&
	grep "^mona@example.com " actual &&
	grep "^sam@example.com 19$" actual &&
	grep "^alice@example.com " actual
'

test_expect_success 'per change: surviving equals git blame over the tip' '
	per_change_is_blame
'

test_expect_success 'a merge with lines of its own is a change of kind merge' '
	for m in conflict evil join octopus
	do
		test "$(change log.json $(cat $m) kind)" = "\"merge\"" &&
		(cd repo && own $(cat ../$m)) >own &&
		test "$(change log.json $(cat $m) lines_added)" = "$(cat own)" ||
		return 1
	done &&
	test "$(change log.json $(cat conflict) lines_added)" = 3 &&
	test "$(change log.json $(cat evil) lines_added)" = 3 &&
	test "$(change log.json $(cat octopus) lines_added)" = 1 &&
	# the second history'"'"'s Makefile was no rename: the main one stayed
	test "$(change log.json $(cat join) lines_added)" = 5 &&
	test "$(change log.json $(cat conflict) lines_deleted)" = 0 &&
	(cd repo && git rev-parse after) >after &&
	test "$(change log.json $(cat after) kind)" = "\"commit\""
'

test_expect_success 'a merge that made no line and has no usage is no change' '
	for m in subtree renamed
	do
		(cd repo && own $(cat ../$m)) >own &&
		test_must_be_empty own &&
		test "$(change log.json $(cat $m) kind)" = absent || return 1
	done &&
	(cd repo && git rev-list --merges main) >merges &&
	test $(wc -l <merges) = 6 &&
	python3 -c "import json
print(sum(c[\"kind\"] == \"merge\" for c in json.load(open(\"log.json\"))[\"changes\"]))" >n &&
	test $(cat n) = 4
'

test_expect_success '+lines: every non-merge as git log --numstat, merges once' '
	(cd repo && numstat_totals main) >numstat &&
	own=$(( $(cut -d" " -f1 numstat) + 3 + 3 + 5 + 1 )) &&
	test "$(json_get total.lines_added <report.json)" = $own &&
	python3 -c "import json
print(sum(c[\"lines_added\"] for c in json.load(open(\"log.json\"))[\"changes\"]
          if c[\"kind\"] == \"commit\"))" >plain &&
	test "$(cat plain)" = "$(cut -d" " -f1 numstat)" &&
	test "$(json_get total.changes <report.json)" = \
		$(( $(cd repo && git rev-list --no-merges --count main) + 4 ))
'

test_expect_success 'a usage note on a merge: show, log, export, report' '
	(
		cd repo &&
		printf "%s\n" "{\"v\":1,\"tool\":\"claude-code\",\"model\":\"claude-sonnet-4-5\",\"session\":\"aaaaaaaaaaaa\",\"from\":\"2024-11-18T08:00:00Z\",\"to\":\"2024-11-18T08:30:00Z\",\"requests\":2,\"input\":1000,\"output\":200,\"cache_write\":0,\"cache_read\":0,\"cost_usd\":0.5,\"by\":\"mona@example.com\",\"how\":\"hook\"}" >note.txt &&
		git notes --ref=tokens add -f -F note.txt $(cat ../subtree) &&
		rm note.txt &&
		git tokens show --format=json $(cat ../subtree) >../show.json &&
		git tokens show $(cat ../subtree) >../show.txt &&
		git tokens log --format=json >../log2.json &&
		git tokens export >../export.jsonl &&
		git tokens report --format=json >../report2.json
	) &&
	test "$(json_get kind <show.json)" = merge &&
	test "$(json_get usage.tokens <show.json)" = 1200 &&
	test "$(json_get lines_added <show.json)" = 0 &&
	grep "^commit    $(cat subtree) (merge)$" show.txt &&
	test "$(change log2.json $(cat subtree) kind)" = "\"merge\"" &&
	test "$(change log2.json $(cat subtree) cost_usd)" = 0.5 &&
	grep "\"commit\":\"$(cat subtree)\".*,\"kind\":\"merge\"}$" export.jsonl &&
	python3 - <<-\EOF
	import json
	rows = {r["author"]: r for r in json.load(open("report2.json"))["rows"]}
	m = rows["Mona <mona@example.com>"]
	assert m["changes"] == 5, m
	assert m["cost_usd"] == 0.5, m
	# the merge made no line: its cost buys none
	assert m["surviving_priced"] == 0, m
	assert m["lines_per_usd"] == 0, m
	EOF
'

test_expect_success 'the cost of a merge buys the lines it made' '
	(
		cd repo &&
		printf "%s\n" "{\"v\":1,\"tool\":\"claude-code\",\"model\":\"claude-sonnet-4-5\",\"session\":\"bbbbbbbbbbbb\",\"from\":\"2024-11-18T08:00:00Z\",\"to\":\"2024-11-18T08:30:00Z\",\"requests\":1,\"input\":100,\"output\":20,\"cache_write\":0,\"cache_read\":0,\"cost_usd\":0.25,\"by\":\"mona@example.com\",\"how\":\"hook\"}" >note.txt &&
		git notes --ref=tokens remove $(cat ../subtree) 2>/dev/null &&
		git notes --ref=tokens add -f -F note.txt $(cat ../conflict) &&
		rm note.txt &&
		git tokens report --format=json >../report3.json
	) &&
	python3 - "$(change log.json $(cat conflict) surviving)" <<-\EOF
	import json, sys
	surviving = int(sys.argv[1])
	assert surviving == 3, surviving
	rows = {r["author"]: r for r in json.load(open("report3.json"))["rows"]}
	m = rows["Mona <mona@example.com>"]
	assert m["cost_usd"] == 0.25, m
	assert m["surviving_priced"] == surviving, m
	assert m["lines_per_usd"] == surviving / 0.25, m
	EOF
'

test_expect_success 'a stored state gives the same numbers as a full replay' '
	(cd repo && git tokens report --format=json >../cached.json &&
	 git tokens report --no-cache --format=json >../full.json) &&
	report_surviving cached.json >cached &&
	report_surviving full.json >full &&
	test_cmp full cached &&
	(cd repo && blame_counts main email) >expect &&
	test_cmp expect full
'

# A second history joined under tt/ whose po/vi.po the mainline has too:
# the merge does not delete it, so git blame follows tt/po/vi.po into
# the joined side through po/hu.po, the deleted file most like it, which
# the whole tree's rename detection pairs with tt/po/hu.po instead.
test_expect_success 'a file a parent lacks: its source as blame finds it' '
	git init -q -b main pairing &&
	(
		cd pairing &&
		mkdir po &&
		lines mainvi 1 6 >po/vi.po &&
		git add . && test_tick &&
		as Alice alice@example.com git commit -q -m initial &&
		git checkout -q --orphan trans && git rm -rqf . &&
		mkdir po &&
		{ lines msgid 1 10 && lines hu 1 4; } >po/hu.po &&
		{ lines msgid 1 10 && lines vi 1 4; } >po/vi.po &&
		{ lines msgid 1 3 && lines ja 1 12; } >po/ja.po &&
		git add . && test_tick &&
		as Viet viet@example.com git commit -q -m "trans: initial" &&
		join trans tt &&
		git diff-tree -r -M trans HEAD >whole &&
		grep "R100	po/hu.po	tt/po/hu.po$" whole &&
		grep "A	tt/po/vi.po$" whole &&
		git blame --porcelain HEAD -- tt/po/vi.po >blame &&
		grep "^filename po/hu.po$" blame &&
		GIT_TOKENS_TRACE_SURVIVAL=../pairing.trace \
			git tokens report --format=json >../pairing.json &&
		git blame --line-porcelain HEAD -- tt/po/vi.po |
		sed -n "s/^\([0-9a-f]\{40\}\) .*/\1/p" | sort | uniq -c |
		awk "{ print \$2, \$1 }" >../expect.vi &&
		blame_counts main email >../expect
	) &&
	sed -n "s|^\([0-9a-f]*\) \([0-9]*\) tt/po/vi.po$|\1 \2|p" \
		pairing.trace | sort >actual.vi &&
	test_cmp expect.vi actual.vi &&
	test $(wc -l <actual.vi) = 2 &&
	report_surviving pairing.json >actual &&
	test_cmp expect actual &&
	grep "^mona@example.com 4$" actual
'

test_done
