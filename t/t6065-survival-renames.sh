#!/bin/sh
test_description='survival through renames: each file followed alone, as git blame does'
. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-survival.sh

GIT_TOKENS_NOW=2024-11-30T00:00:00Z
export GIT_TOKENS_NOW

# source <commit> <path>: the files git blame takes the lines of <path>
# from, one a line.
source () {
	git blame --porcelain "$1" -- "$2" | sed -n "s/^filename //p" | sort -u
}

check_blame () {
	(cd repo && git tokens report --format=json "$@" >../report.json &&
	 blame_counts main email) >expect &&
	report_surviving report.json >actual &&
	test_cmp expect actual
}

# One commit deletes four files and creates six. The whole tree's rename
# detection gives each deleted file to one created file at most, best
# pairs first: s1.txt to d1.txt, so d2.txt gets s2.txt; callouts.xsl
# to base.xsl, so normal.xsl (the same text) is new, as b.bin is. git
# blame follows each created file alone: d2.txt from s1.txt, its best
# match, normal.xsl from callouts.xsl too.
test_expect_success 'setup: the whole tree pairs renames otherwise than blame' '
	git init -q -b main repo &&
	(
		cd repo &&
		mkdir doc src &&
		lines common 1 20 >src/s1.txt &&
		{ lines common 1 12 && lines two 1 8; } >src/s2.txt &&
		lines xsl 1 6 >doc/callouts.xsl &&
		printf "\0\1\2binary\n" >doc/logo.bin &&
		git add . && test_tick &&
		as Alice alice@example.com git commit -q -m initial &&
		lines bob 1 3 >>src/s2.txt && test_tick &&
		as Bob bob@example.com git commit -q -a -m "bob: s2" &&

		git rm -q src/s1.txt src/s2.txt doc/callouts.xsl doc/logo.bin &&
		mkdir -p doc src &&
		{ lines common 1 19 && echo "carol 20"; } >src/d1.txt &&
		{ lines common 1 16 && lines carol 1 4; } >src/d2.txt &&
		lines xsl 1 6 >doc/base.xsl &&
		lines xsl 1 6 >doc/normal.xsl &&
		printf "\0\1\2binary\n" >doc/a.bin &&
		printf "\0\1\2binary\n" >doc/b.bin &&
		git add . && test_tick &&
		as Carol carol@example.com git commit -q -m "carol: move" &&
		git rev-parse HEAD >../move &&
		git diff-tree -r -M HEAD >whole &&
		grep "R[0-9]*	src/s1.txt	src/d1.txt$" whole &&
		grep "R[0-9]*	src/s2.txt	src/d2.txt$" whole &&
		grep "A	doc/normal.xsl$" whole &&
		test "$(source HEAD src/d2.txt)" = "$(printf "src/d2.txt\nsrc/s1.txt")" &&
		test "$(source HEAD doc/normal.xsl)" = doc/callouts.xsl &&

		# on a side branch, merged: one file becomes two
		git checkout -q -b side &&
		mkdir lib &&
		git mv src/d1.txt lib/one.txt &&
		{ lines common 1 18 && lines dave 1 2; } >lib/one.txt &&
		{ lines common 1 17 && lines dave 3 5; } >lib/two.txt &&
		lines dave 6 9 >lib/three.txt &&
		git add lib && test_tick &&
		as Dave dave@example.com git commit -q -m "dave: split" &&
		git diff-tree -r -M HEAD >whole &&
		grep "A	lib/two.txt$" whole &&
		test "$(source HEAD lib/two.txt)" = "$(printf "lib/two.txt\nsrc/s1.txt")" &&
		git checkout -q main &&
		lines eve 1 2 >>src/d2.txt && test_tick &&
		as Eve eve@example.com git commit -q -a -m "eve: d2" &&
		test_tick && git merge -q --no-ff -m "merge side" side
	) &&
	check_blame
'

test_expect_success 'per change: the surviving lines blame gives each commit' '
	per_change_is_blame
'

test_expect_success '+lines stay those of git log --numstat -M --no-merges' '
	(cd repo && numstat_totals main && git log -1 --numstat -M \
		--format= $(cat ../move) >../move.numstat) >numstat &&
	test "$(json_get total.lines_added <report.json)" = \
		"$(cut -d" " -f1 numstat)" &&
	awk -F"\t" "\$1 != \"-\" { a += \$1 } END { print a }" \
		move.numstat >expect &&
	python3 -c "import json
print([c for c in json.load(open(\"log.json\"))[\"changes\"]
       if c[\"commit\"] == \"$(cat move)\"][0][\"lines_added\"])" >actual &&
	test_cmp expect actual
'

test_expect_success 'a later run from the stored state agrees with blame' '
	(
		cd repo &&
		git rm -q src/d2.txt doc/base.xsl &&
		mkdir -p src doc &&
		lines common 1 16 >src/d3.txt &&
		lines xsl 1 5 >doc/d3.xsl &&
		lines xsl 2 6 >doc/d4.xsl &&
		git add . && test_tick &&
		as Frank frank@example.com git commit -q -m "frank: again"
	) &&
	check_blame &&
	report_surviving report.json >cached &&
	check_blame --no-cache &&
	report_surviving report.json >full &&
	test_cmp full cached
'

test_done
