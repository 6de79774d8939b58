#!/bin/sh
test_description='survival: reverts, reverts of reverts, fixup! and squash!'
. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-survival.sh

commit_as () {
	# commit_as <name> <email> <message>
	test_tick && as "$1" "$2" git commit -q -m "$3"
}

test_expect_success 'setup' '
	git init -q -b main repo && (
		cd repo &&
		lines base 1 10 >base.c && git add base.c &&
		commit_as Alice alice@example.com "base" &&

		lines feature 1 10 >feature.c && git add feature.c &&
		commit_as Alice alice@example.com "add feature" &&
		git rev-parse HEAD >../feature &&
		lines other 1 5 >other.c && git add other.c &&
		commit_as Bob bob@example.com "add other" &&
		test_tick && as Carol carol@example.com \
			git revert --no-edit HEAD~1 >/dev/null &&
		git rev-parse HEAD >../revert1 &&

		lines x 1 4 >x.c && git add x.c &&
		commit_as Alice alice@example.com "add x" &&
		git rev-parse HEAD >../x &&
		test_tick && as Bob bob@example.com \
			git revert --no-edit HEAD >/dev/null &&
		git rev-parse HEAD >../revert2 &&
		test_tick && as Carol carol@example.com \
			git revert --no-edit HEAD >/dev/null &&
		git rev-parse HEAD >../revert3 &&

		lines y 1 3 >y.c && git add y.c &&
		commit_as Bob bob@example.com "add y" &&
		git rev-parse HEAD >../y &&
		test_tick && git revert --no-edit HEAD >/dev/null &&
		test_tick && git revert --no-edit HEAD >/dev/null &&
		test_tick && git revert --no-edit HEAD >/dev/null &&

		lines util 1 6 >util.c && git add util.c &&
		commit_as Bob bob@example.com "add util" &&
		git rev-parse HEAD >../util &&
		sed -i "s/^util 2$/util two/" util.c &&
		test_tick && as Bob bob@example.com \
			git commit -q -a --fixup=HEAD &&
		git rev-parse HEAD >../fixup &&
		echo "util 7" >>util.c &&
		test_tick && as Bob bob@example.com \
			git commit -q -a --squash=HEAD~1 --no-edit &&
		git rev-parse HEAD >../squash
	)
'

test_expect_success 'survival per change equals git blame' '
	per_change_is_blame
'

test_expect_success 'a reverted change keeps no line' '
	log_values log.json reverted >reverted &&
	grep "^$(cat feature) true$" reverted &&
	log_values log.json surviving >surviving &&
	grep "^$(cat feature) 0$" surviving &&
	grep "^$(cat revert1) 0$" surviving
'

test_expect_success 'a revert of a revert cancels it: the lines are back' '
	grep "^$(cat x) false$" reverted &&
	grep "^$(cat revert2) true$" reverted &&
	grep "^$(cat revert3) false$" reverted &&
	# blame gives the lines back to the commit that put them back
	grep "^$(cat revert3) 4$" surviving &&
	grep "^$(cat x) 0$" surviving
'

test_expect_success 'three reverts in a row: reverted' '
	grep "^$(cat y) true$" reverted &&
	grep "^$(cat y) 0$" surviving
'

test_expect_success 'fixup! and squash! commits are recognised' '
	log_values log.json fixup true >actual &&
	sort >expect <<-EOF &&
	$(cat fixup) true
	$(cat squash) true
	EOF
	test_cmp expect actual
'

test_expect_success 'what a fixup! replaces soon after is rework' '
	log_values log.json reworked >reworked &&
	grep "^$(cat util) 1$" reworked &&
	grep "^$(cat util) 5$" surviving
'

test_done
