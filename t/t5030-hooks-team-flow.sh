#!/bin/sh

test_description='team flow: notes come with a plain fetch or pull after hooks install'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-hardening.sh

GIT_TOKENS_NOW=2024-11-19T00:00:00Z
export GIT_TOKENS_NOW
# Each clone commits as its own user.name and user.email.
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
use_installed_datadir || exit 1

SPEC='+refs/notes/tokens*:refs/notes/remotes/origin/tokens*'

# iso <epoch s>: the time as Claude Code writes it.
iso () {
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z
}

# work <clone> <n> <output tokens>: a Claude Code response in <clone>
# 30 s before a commit of <n> new lines there.
work () {
	test_tick &&
	claude_ev "sess-$1" "msg-$1-$2-$3" "$(iso $(($test_tick - 30)))" \
		100 "$3" 0 0 "$1" &&
	(cd "$1" && seq "$2" >"f-$2-$3.t" && git add . &&
	 git commit -q -m "work $2 $3")
}

# report_json <clone>: report --format=json without its "generated" time.
report_json () {
	(cd "$1" && git tokens report --format=json) >"$1.raw" &&
	grep -v '"generated":' "$1.raw"
}

test_expect_success 'setup: a bare origin and clone A with the hooks' '
	git init -q --bare origin.git &&
	git clone -q origin.git a 2>/dev/null &&
	git -C a config user.name "Alice Martin" &&
	git -C a config user.email alice@example.com &&
	(cd a && git tokens hooks install >../a-install.out) &&
	grep -F "added remote.origin.fetch=$SPEC" a-install.out &&
	work a 3 1200 &&
	work a 5 3400 &&
	(cd a && git push -q origin main && git remote set-head -a origin) &&
	git -C origin.git rev-parse --verify refs/notes/tokens
'

test_expect_success 'clone B with the hooks: a later pull brings the notes' '
	git clone -q origin.git b &&
	git -C b config user.name "Bob Stone" &&
	git -C b config user.email bob@example.com &&
	cp b/.git/config b-config.before &&
	(cd b && git tokens hooks install -q) &&
	test "$(git -C b config --get-all remote.origin.fetch | grep -c notes)" = 1 &&
	work a 7 5600 &&
	(cd a && git push -q origin main) &&
	(cd b && git pull -q) &&
	test "$(git -C b rev-parse refs/notes/remotes/origin/tokens)" = \
		"$(git -C a rev-parse refs/notes/tokens)" &&
	test_must_fail git -C b rev-parse --verify -q refs/notes/tokens &&
	report_json a >a.json &&
	report_json b >b.json 2>b.err &&
	test_must_be_empty b.err &&
	test_cmp a.json b.json &&
	test "$(json_get total.changes <b.json)" = 3 &&
	test "$(json_get coverage.by_confidence.hook <b.json)" = 3 &&
	set -- $(cd b && numstat_totals) &&
	test "$(json_get total.lines_added <b.json)" = $1 &&
	test $1 = 15 &&
	# The logs by hand: 1200 + 3400 + 5600 out, 3 x 100 in, at
	# $3 and $15 a million.
	test "$(json_get total.output_tokens <b.json)" = 10200 &&
	test "$(json_get total.tokens <b.json)" = 10500 &&
	test "$(json_get total.cost_usd <b.json)" = 0.1539
'

test_expect_success 'the notes B read are the union of its own and the fetched' '
	work b 2 700 &&
	git -C b rev-parse --verify refs/notes/tokens &&
	(cd b && git tokens report --format=json >../b2.json) &&
	test "$(json_get total.changes <b2.json)" = 4 &&
	test "$(json_get total.output_tokens <b2.json)" = 10900 &&
	test "$(json_get coverage.by_confidence.hook <b2.json)" = 4
'

test_expect_success 'a line in both notes counts once, one of ours counts too' '
	(
	cd b &&
	c=$(git rev-parse HEAD~1) &&
	git notes --ref=remotes/origin/tokens show $c >theirs &&
	test_line_count = 1 theirs &&
	git notes --ref=tokens append -F theirs $c &&
	git tokens report --format=json >../b3.json &&
	sed "s/\"session\":\"[^\"]*\"/\"session\":\"0123456789ab\"/" \
		theirs >mine &&
	! test_cmp theirs mine &&
	git notes --ref=tokens append -F mine $c &&
	git tokens report --format=json >../b4.json
	) &&
	test "$(json_get total.output_tokens <b3.json)" = 10900 &&
	out=$(python3 -c "import json; print(json.load(open(\"b/mine\"))[\"output\"])") &&
	test "$(json_get total.output_tokens <b4.json)" = $((10900 + $out))
'

test_expect_success 'doctor judges the set-up install made healthy' '
	(cd b && git tokens doctor >../doctor.out 2>&1) &&
	grep -F "remote.origin.fetch brings" doctor.out &&
	! grep -E "^(warn|fix) +(remote|hooks|notes)" doctor.out
'

test_expect_success 'install twice adds the refspec once' '
	(cd b && git tokens hooks install -q) &&
	git -C b config --get-all remote.origin.fetch >specs &&
	test "$(grep -c notes specs)" = 1 &&
	(cd b && git tokens hooks status >../status) &&
	grep "^remote.origin.fetch: brings the notes$" status
'

test_expect_success 'uninstall restores the config byte for byte' '
	(cd b && git tokens hooks uninstall -q) &&
	cmp b-config.before b/.git/config &&
	(cd b && test_expect_code 1 git tokens hooks status >../status) &&
	grep "^remote.origin.fetch: (does not bring the notes" status
'

test_expect_success 'a clone with no notes and nothing set up warns once' '
	git clone -q origin.git c &&
	(cd c && git tokens report --format=json >../c.json 2>../c.err) &&
	test "$(grep -c "^warning: " c.err)" = 1 &&
	test_line_count = 1 c.err &&
	grep -F "none fetched from '\''origin'\''" c.err &&
	grep -F "git tokens sync" c.err &&
	test "$(json_get coverage.with_usage <c.json)" = 0 &&
	(cd c && git tokens report -q >/dev/null 2>../cq.err &&
	 git tokens log -q >/dev/null 2>>../cq.err) &&
	test_must_be_empty cq.err
'

test_expect_success 'sync sets the refspec up too: the numbers, no warning' '
	(cd c && git tokens sync >../sync.out) &&
	grep -F "added remote.origin.fetch=$SPEC" sync.out &&
	(cd c && git tokens sync >../sync2.out) &&
	! grep -F "added" sync2.out &&
	test "$(git -C c config --get-all remote.origin.fetch | grep -c notes)" = 1 &&
	report_json c >c.json 2>c2.err &&
	test_must_be_empty c2.err &&
	test_cmp a.json c.json &&
	(cd c && git tokens doctor >../cdoc.out 2>&1 || :) &&
	grep -F "remote.origin.fetch brings" cdoc.out
'

test_expect_success 'a refspec install did not add stays after uninstall' '
	(cd c && git tokens hooks install -q && git tokens hooks uninstall -q) &&
	git -C c config --get-all remote.origin.fetch >specs &&
	grep -Fx "$SPEC" specs
'

test_done
