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

# More created files than git runs at once for them: each answer must
# reach its own file, the last ones included (z2.txt, as d2.txt above).
test_expect_success 'a commit that creates many files: each followed alone' '
	(
		cd repo &&
		mkdir many &&
		for i in 1 2 3 4 5 6 7 8 9
		do
			lines "file$i" 1 10 >many/f$i.txt || return 1
		done &&
		lines many 1 20 >many/s1.txt &&
		{ lines many 1 12 && lines other 1 8; } >many/s2.txt &&
		git add many && test_tick &&
		as Grace grace@example.com git commit -q -m "grace: many" &&
		git rm -q -r many &&
		mkdir moved &&
		for i in 1 2 3 4 5 6 7 8 9
		do
			{ lines "file$i" 1 9 && echo "heidi $i"; } \
				>moved/g$i.txt || return 1
		done &&
		{ lines many 1 19 && echo "heidi 20"; } >moved/z1.txt &&
		{ lines many 1 16 && lines heidi 1 4; } >moved/z2.txt &&
		git add moved && test_tick &&
		as Heidi heidi@example.com git commit -q -m "heidi: move" &&
		git diff-tree -r -M HEAD >whole &&
		grep "R[0-9]*	many/f9.txt	moved/g9.txt$" whole &&
		grep "R[0-9]*	many/s2.txt	moved/z2.txt$" whole &&
		test "$(source HEAD moved/z2.txt)" = \
			"$(printf "many/s1.txt\nmoved/z2.txt")"
	) &&
	check_blame &&
	per_change_is_blame
'

test_done
