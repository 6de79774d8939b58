#!/bin/sh

test_description='ten records and two syncs at once, five rounds: nothing lost'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-hardening.sh

# events <round>: four sessions of 25 responses each, 25 minutes of
# the round's hour, then the round's commit at :30.
cat >gen-round.py <<\EOF
import sys
cwd, r = sys.argv[1], int(sys.argv[2])
for s in range(4):
    with open("claude/projects/p/r%d-s%d.jsonl" % (r, s), "w") as f:
        for i in range(25):
            t = "2026-11-20T%02d:%02d:%02d.000Z" % (10 + r, i, s)
            f.write('{"type":"assistant","cwd":"%s","sessionId":"r%d-s%d",'
                    '"timestamp":"%s","requestId":"req_%d_%d_%d","message":'
                    '{"model":"claude-sonnet-4-5","id":"m_%d_%d_%d","usage":'
                    '{"input_tokens":1,"output_tokens":2}}}\n' %
                    (cwd, r, s, t, r, s, i, r, s, i))
EOF

# A note line another machine writes: other_line <round>
other_line () {
	printf '{"v":1,"tool":"codex","model":"gpt-5","session":"0000000000%02d","from":"2026-11-20T09:00:00Z","to":"2026-11-20T09:00:00Z","requests":1,"input":1,"output":1,"cache_write":0,"cache_read":0,"cost_usd":null,"by":"other@example.com","how":"hook"}' "$1"
}

# in_bg <name> <command...>: start it in the background, in the trash
# directory, with <name>.out, .err and .code there. (A chain that ends
# in "&", as "cd repo && ... && cmd &", would put the whole chain, cd
# included, in the background: the next job then ran one level up.)
in_bg () {
	bg_name=$1 &&
	shift &&
	{ "$@" >"$bg_name.out" 2>"$bg_name.err"; echo $? >"$bg_name.code"; } &
}

test_expect_success 'setup: a remote, our clone and another one' '
	git init -q --bare remote.git &&
	git init -q repo &&
	(
		cd repo &&
		commit_at 2026-11-20T09:30:00Z base &&
		git remote add origin ../remote.git &&
		git push -q origin main &&
		git config tokens.forge none
	) &&
	git clone -q remote.git other &&
	mkdir -p claude/projects/p
'

test_expect_success 'five rounds of 10 records and 2 syncs at once' '
	r=0 &&
	while test $r -lt 5
	do
		python3 gen-round.py "$TRASH/repo" $r &&
		(cd repo && commit_at "2026-11-20T$((10 + $r)):30:00Z" "r$r") &&
		(
			cd other &&
			git notes --ref=tokens append -m "$(other_line $r)" \
				HEAD &&
			git tokens sync -q
		) &&
		i=0 &&
		while test $i -lt 10
		do
			in_bg rec-$r-$i git -C repo tokens record -q &&
			i=$(($i + 1)) || return 1
		done &&
		in_bg sync-$r-a git -C repo tokens sync -q &&
		in_bg sync-$r-b git -C repo tokens sync -q &&
		wait &&
		ls rec-$r-*.code sync-$r-*.code | wc -l >count &&
		echo 12 >expect &&
		test_cmp expect count &&
		cat rec-$r-*.code sync-$r-*.code | sort -u >codes &&
		echo 0 >expect &&
		test_cmp expect codes &&
		r=$(($r + 1)) || return 1
	done
'

test_expect_success 'every line is there exactly once, everywhere' '
	(cd repo && git tokens sync -q) &&
	(cd other && git tokens sync -q) &&
	(cd repo && git tokens sync -q) &&
	(
		cd repo &&
		test "$(note_requests)" = 505 &&
		note_all_lines >../ours
	) &&
	(
		cd other &&
		note_all_lines >../theirs
	) &&
	test_cmp ours theirs &&
	uniq -d ours >dups &&
	test_must_be_empty dups &&
	test $(wc -l <ours) = 25 &&
	r=0 &&
	while test $r -lt 5
	do
		s=0 &&
		while test $s -lt 4
		do
			h=$(printf "r%d-s%d" $r $s | sha256sum | cut -c1-12) &&
			test $(grep -c "\"session\":\"$h\".*\"requests\":25," ours) = 1 &&
			s=$(($s + 1)) || return 1
		done &&
		test $(grep -c -F "$(other_line $r)" ours) = 1 &&
		r=$(($r + 1)) || return 1
	done &&
	: and the remote holds the same &&
	git -C remote.git notes --ref=tokens list | wc -l >count &&
	echo 6 >expect &&
	test_cmp expect count
'

test_expect_success 'six syncs at once fetch into one tracking ref' '
	r=0 &&
	while test $r -lt 3
	do
		(
			cd other &&
			git notes --ref=tokens append -m "$(other_line $((10 + $r)))" \
				HEAD 2>../other-notes-$r.err &&
			git tokens sync -q 2>../other-sync-$r.err
		) &&
		(
			cd repo &&
			git notes --ref=tokens append -m "$(other_line $((20 + $r)))" \
				HEAD 2>../repo-notes-$r.err &&
			for i in 1 2 3 4 5 6
			do
				{ git tokens sync -q >../six-$r-$i.out \
					2>../six-$r-$i.err
				  echo $? >../six-$r-$i.code; } &
			done &&
			wait
		) &&
		cat six-$r-*.code | sort -u >codes &&
		echo 0 >expect &&
		test_cmp expect codes &&
		r=$(($r + 1)) || return 1
	done &&
	(cd other && git tokens sync -q) &&
	(cd repo && note_all_lines >../ours) &&
	(cd other && note_all_lines >../theirs) &&
	test_cmp ours theirs &&
	for k in 10 11 12 20 21 22
	do
		test $(grep -c -F "$(other_line $k)" ours) = 1 || return 1
	done
'

test_done
