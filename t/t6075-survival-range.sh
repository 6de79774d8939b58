#!/bin/sh
test_description='survival of a range: replayed from its bottom, as git blame <bottom>.. says'
. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-survival.sh

# replayed <debug output>: "<commits replayed> <boundary commits>".
replayed () {
	pat='^survival: [0-9]* commits, \([0-9]*\) replayed'
	sed -n "s/$pat .*kB, \([0-9]*\) boundary commit(s)$/\1 \2/p" "$1"
}

# range_is_blame <range>: per change (git tokens log) and per author
# (git tokens report), the surviving lines of the range are those git
# blame <range> gives at main, boundary lines left out; and only the
# range's commits were replayed.
range_is_blame () {
	(
		cd repo &&
		GIT_TOKENS_DEBUG=1 git tokens log --format=json "$1" \
			>../log.json 2>../debug &&
		git tokens report --format=json "$1" >../report.json &&
		blame_counts "$1" commit "$NOT_COUNTABLE" >../expect.commit &&
		git log --format="%H %aE" "$1" >../emails &&
		echo "$(git rev-list --count "$1")" >../expect.replayed
	) &&
	# per author: the sum of their commits'"'"' lines
	awk "NR == FNR { mail[\$1] = \$2; next }
	     { n[mail[\$1]] += \$2 }
	     END { for (m in n) print m, n[m] }" emails expect.commit |
		sort >expect.email &&
	log_values log.json surviving nonzero >actual.commit &&
	test_cmp expect.commit actual.commit &&
	report_surviving report.json >actual.email &&
	test_cmp expect.email actual.email &&
	replayed debug >actual.replayed &&
	cut -d" " -f1 actual.replayed >replayed.count &&
	test_cmp expect.replayed replayed.count
}

test_expect_success 'setup: merges, renames, moves, an octopus, a subtree' '
	mkdir repo && (cd repo && build_history) &&
	(cd repo && git rev-list --first-parent main~1) >first-parent &&
	test $(wc -l <first-parent) -ge 12
'

test_expect_success 'a range from each first-parent commit: as blame says' '
	while read bottom
	do
		range_is_blame "$bottom..main" || return 1
	done <first-parent
'

test_expect_success 'bottoms on topics, whose merges reach below them' '
	for bottom in x y topic1 topic2 o2 gui gui~1
	do
		range_is_blame "$bottom..main" || return 1
	done &&
	# y..main: x merged y, main merged both; boundary commits on both
	range_is_blame "y..main" &&
	test $(cut -d" " -f2 actual.replayed) -ge 2
'

test_expect_success 'a file deleted above the bottom stays deleted' '
	(
		cd repo && git checkout -q -b del main &&
		git rm -q src/a.c && test_tick &&
		as Carol carol@example.com git commit -q -m "carol: no a.c" &&
		git checkout -q main &&
		sed -i "/^alpha 30$/d" src/a.c && test_tick &&
		as Alice alice@example.com git commit -q -a -m "alice: -30" &&
		test_tick && test_must_fail git merge -q del >/dev/null 2>&1 &&
		# back as at the bottom, and one line more
		git show del~1:src/a.c >src/a.c && echo merged >>src/a.c &&
		git add src/a.c && as Mona mona@example.com git commit -q \
			--no-edit &&
		git rev-parse HEAD >../merge
	) &&
	range_is_blame "del~1..main" &&
	test "$(replayed debug)" = "3 1" &&
	# "alpha 30" came back with no parent holding it: the merge made it
	grep "^$(cat merge) 2$" expect.commit
'

test_expect_success 'A...B and ^A B stop where A..B does' '
	(cd repo && git tokens log --format=json "main~4...main" >../sym.json &&
	 git tokens log --format=json ^main~4 main >../not.json &&
	 git tokens log --format=json "main~4..main" >../dots.json) &&
	log_values sym.json surviving >sym &&
	log_values not.json surviving >not &&
	log_values dots.json surviving >dots &&
	grep " [1-9]" dots &&
	test_cmp dots sym &&
	test_cmp dots not
'

test_expect_success 'a range keeps no state; the whole history stays whole' '
	(cd repo && tokdir=$(git rev-parse --git-common-dir)/tokens &&
	 rm -f "$tokdir"/survival-v*.state &&
	 git tokens report --format=json main~3..main >/dev/null &&
	 ! ls "$tokdir" | grep "^survival" &&
	 git tokens report --format=json >../full.json &&
	 test -f "$tokdir"/survival-v1.state &&
	 blame_counts main email "$NOT_COUNTABLE" >../expect.full) &&
	report_surviving full.json >actual.full &&
	test_cmp expect.full actual.full &&
	# with the whole history kept, a range is still its own
	range_is_blame "main~3..main" &&
	(cd repo && git tokens report --format=json >../full2.json) &&
	report_surviving full2.json >actual.full2 &&
	test_cmp expect.full actual.full2
'

test_expect_success 'a bottom at the tip: nothing replayed, open work open' '
	(
		cd repo && git checkout -q -b open main &&
		echo "never merged" >>src/a.c && test_tick &&
		git commit -q -a -m "open work" && git checkout -q main &&
		GIT_TOKENS_DEBUG=1 git tokens log --format=json main..open \
			>../open.json 2>../debug
	) &&
	test "$(replayed debug)" = "0 0" &&
	test "$(json_get changes.0.landed <open.json)" = no &&
	test "$(json_get changes.0.surviving <open.json)" = null
'

test_expect_success 'a change landed as a commit below the bottom: all history' '
	(
		cd repo &&
		git checkout -q -b pick main~6 &&
		lines picked 1 6 >picked.c && git add picked.c && test_tick &&
		as Erin erin@example.com git commit -q -m "erin: picked" &&
		git rev-parse HEAD >../topic-commit &&
		git checkout -q main && test_tick &&
		as Erin erin@example.com git cherry-pick pick >/dev/null &&
		git rev-parse HEAD >../picked &&
		lines late 1 3 >late.c && git add late.c && test_tick &&
		as Alice alice@example.com git commit -q -m "alice: late" &&
		GIT_TOKENS_DEBUG=1 git tokens log --no-cache --format=json \
			main~1..pick >../pick.json 2>../debug &&
		git rev-list --count main >../all &&
		blame_counts main commit "$NOT_COUNTABLE" >../blame.all
	) &&
	test "$(replayed debug | cut -d" " -f1)" = "$(cat all)" &&
	log_values pick.json surviving >actual &&
	echo "$(cat topic-commit) $(sed -n "s/^$(cat picked) //p" blame.all)" \
		>expect &&
	test_cmp expect actual &&
	test "$(cut -d" " -f2 actual)" = 6
'

test_done
