#!/bin/sh
test_description='survival state: incremental runs, a rewritten mainline, damage'
. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-survival.sh

STATE=repo/.git/tokens/survival-v1.state

# check_blame: the report of the repository agrees with git blame.
check_blame () {
	(cd repo && git tokens report --format=json >../report.json 2>../err &&
	 blame_counts main email "$NOT_COUNTABLE") >expect &&
	report_surviving report.json >actual &&
	test_cmp expect actual
}

replayed () {
	# replayed <stderr of a GIT_TOKENS_DEBUG run>: commits replayed
	sed -n "s/^survival: [0-9]* commits, \([0-9]*\) replayed.*/\1/p" "$1"
}

test_expect_success 'setup: the first run keeps the state' '
	mkdir repo && (cd repo && build_history) &&
	(cd repo && git tag first-tip && git branch late main~4) &&
	check_blame &&
	test -f $STATE
'

test_expect_success 'a run at the same tip replays nothing' '
	(cd repo && GIT_TOKENS_DEBUG=1 git tokens report --format=json \
		>/dev/null 2>../debug) &&
	test "$(replayed debug)" = 0
'

test_expect_success 'new commits: only they are replayed, and blame agrees' '
	(cd repo &&
	 # a topic that started before the stored tip, merged after it
	 git checkout -q late &&
	 echo "late topic" >>src/c.c && test_tick &&
	 as Carol carol@example.com git commit -q -a -m "late topic" &&
	 git checkout -q main &&
	 sed -i "s/^alpha 30$/alpha thirty/" src/a.c && test_tick &&
	 as Bob bob@example.com git commit -q -a -m "bob: thirty" &&
	 test_tick && git merge -q --no-edit late &&
	 GIT_TOKENS_DEBUG=1 git tokens report --format=json \
		>/dev/null 2>../debug) &&
	(cd repo && git rev-list --count first-tip..main) >new &&
	test "$(replayed debug)" -ge $(cat new) &&
	test "$(replayed debug)" -le $(($(cat new) + 1)) &&
	check_blame
'

test_expect_success 'the incremental result equals a full replay' '
	(cd repo && git tokens log --format=json >../inc.json &&
	 git tokens log --no-cache --format=json >../full.json) &&
	log_values inc.json surviving >a &&
	log_values full.json surviving >b &&
	test_cmp a b &&
	log_values inc.json reworked >a &&
	log_values full.json reworked >b &&
	test_cmp a b
'

test_expect_success 'a mainline rewritten by a force-push starts over' '
	(cd repo && git reset -q --hard main~3 &&
	 sed -i "s/^alpha 33$/rewritten/" src/a.c && test_tick &&
	 as Alice alice@example.com git commit -q -a -m "rewritten" &&
	 GIT_TOKENS_DEBUG=1 git tokens report --format=json \
		>/dev/null 2>../debug &&
	 git rev-list --count main) >count &&
	test "$(replayed debug)" = $(cat count) &&
	check_blame
'

test_expect_success 'a damaged state is rebuilt silently' '
	printf "garbage" >$STATE &&
	check_blame &&
	test ! -s err &&
	python3 -c "
import sys
p = sys.argv[1]
b = bytearray(open(p, \"rb\").read())
b[len(b) // 2] ^= 0xff
open(p, \"wb\").write(bytes(b))
" $STATE &&
	check_blame &&
	test ! -s err &&
	head -c 100 $STATE >short && mv short $STATE &&
	check_blame &&
	test ! -s err
'

test_expect_success 'a state of another format version is rebuilt' '
	python3 -c "
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, \"rb\").read())
b[4:8] = struct.pack(\"<I\", 999)
open(p, \"wb\").write(bytes(b))
" $STATE &&
	(cd repo && GIT_TOKENS_DEBUG=1 git tokens report --format=json \
		>/dev/null 2>../debug &&
	 git rev-list --count main) >count &&
	test "$(replayed debug)" = $(cat count) &&
	check_blame
'

test_expect_success 'the state is written atomically, no temporary left' '
	ls repo/.git/tokens >files &&
	! grep "survival-v1.state\\." files
'

test_expect_success 'replace refs: the state is neither read nor written' '
	check_blame &&
	cp $STATE state.before &&
	# the last merge, grafted onto the parent of its first parent: its
	# side and that parent become its own lines, for git blame too
	(cd repo && git replace --graft main~1 main~3 &&
	 GIT_TOKENS_DEBUG=1 git tokens report --format=json \
		>/dev/null 2>../debug &&
	 git rev-list --count main) >count &&
	test "$(replayed debug)" = $(cat count) &&
	cmp state.before $STATE &&
	check_blame &&
	rm $STATE &&
	check_blame &&
	test ! -f $STATE &&
	(cd repo && git replace -d $(git rev-parse main~1)) &&
	check_blame &&
	test -f $STATE
'

test_done
