#!/bin/sh

test_description='record, report and usage killed at any point lose nothing'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-hardening.sh

# Forty sessions of 250 responses each (10,000 events) before the
# commit at 11:00: enough work for a kill to land in the middle.
cat >gen-logs.py <<\EOF
import sys
cwd = sys.argv[1]
for s in range(40):
    with open("claude/projects/p/s%02d.jsonl" % s, "w") as f:
        for i in range(250):
            t = "2026-11-20T10:%02d:%02d.%03dZ" % (i // 60 + 10 * (s % 4),
                                                  i % 60, s)
            f.write('{"type":"user","cwd":"%s","sessionId":"s%02d",'
                    '"timestamp":"%s","message":{"role":"user",'
                    '"content":"SENTINEL-PROMPT"}}\n' % (cwd, s, t))
            f.write('{"type":"assistant","cwd":"%s","sessionId":"s%02d",'
                    '"timestamp":"%s","requestId":"req_%d_%d","message":'
                    '{"model":"claude-sonnet-4-5","id":"m_%d_%d","usage":'
                    '{"input_tokens":1,"output_tokens":2}}}\n' %
                    (cwd, s, t, s, i, s, i))
EOF

# A delay in seconds from 0 to 0.05, the same for each seed.
delay () {
	awk -v seed="$1" 'BEGIN { srand(seed); printf "%.3f\n", rand() * 0.05 }'
}

# kill_at <seed> <command...>: start it, kill -9 it after a delay. The
# command is git-tokens itself, not "git tokens": killing git's wrapper
# would leave its child running, still holding record.lock.
kill_at () {
	d=$(delay "$1") &&
	shift &&
	{ "$@" >/dev/null 2>&1 & } &&
	pid=$! &&
	sleep "$d" &&
	if kill -9 $pid 2>/dev/null
	then
		echo killed >>"$TRASH/kills"
	else
		echo done >>"$TRASH/kills"
	fi
	wait $pid 2>/dev/null
	return 0
}

# Each session's note line is there exactly once.
lines_once () {
	note_all_lines >../lines &&
	sed -n "s/.*\"session\":\"\\([0-9a-f]*\\)\".*/\\1/p" ../lines |
		sort | uniq -c | awk "\$1 != 1" >../dups &&
	test_must_be_empty ../dups
}

test_expect_success 'setup' '
	git init -q repo &&
	mkdir -p claude/projects/p &&
	python3 gen-logs.py "$TRASH/repo" &&
	(
		cd repo &&
		commit_at 2026-11-20T09:00:00Z base &&
		commit_at 2026-11-20T12:00:00Z one
	)
'

# A killed record used to leave an empty record.lock (killed between
# creating it and writing its pid, so never seen as stale) or libgit2's
# refs/notes/tokens.lock (killed while the ref moved): the catch-up run
# then refused. Both locks are now recovered from (see the tests after
# these loops for each window on its own).
test_expect_success 'record killed 30 times, then run: every line once' '
	(
		cd repo &&
		i=0 &&
		while test $i -lt 30
		do
			: one more session at each round, before the commit &&
			claude_rec "$TRASH/repo" "k$i" "mk$i" \
				"2026-11-20T11:$(printf %02d $i):00.000Z" 1 3 \
				>>../claude/projects/p/k.jsonl &&
			kill_at $i git-tokens record &&
			i=$(($i + 1)) || return 1
		done &&
		git tokens record 2>../err &&
		test "$(note_requests)" = 10030 &&
		lines_once &&
		test $(wc -l <../lines) = 70 &&
		test_path_is_missing .git/tokens/record.lock &&
		head -n 1 .git/tokens/record-watermark >../wm &&
		echo "git-tokens-watermark 2" >../wm.expect &&
		test_cmp ../wm.expect ../wm &&
		git fsck --no-progress 2>../fsck.err &&
		! grep -i -e error -e missing -e corrupt -e broken ../fsck.err
	)
'

test_expect_success 'record on later commits killed, then caught up' '
	(
		cd repo &&
		i=0 &&
		while test $i -lt 10
		do
			: usage, a commit, the hook killed, the hook again &&
			claude_rec "$TRASH/repo" "c$i" "mc$i" \
				"2026-11-20T13:$(printf %02d $i):10.000Z" 1 5 \
				>>../claude/projects/p/c.jsonl &&
			commit_at "2026-11-20T13:$(printf %02d $i):30Z" "c$i" &&
			kill_at $((100 + $i)) git-tokens record --hook &&
			git tokens record -q &&
			i=$(($i + 1)) || return 1
		done &&
		test "$(note_requests)" = 10040 &&
		lines_once
	)
'

# The windows a random kill seldom hits, each on its own. The notes of
# one commit, as requests summed over its lines.
commit_requests () {
	git notes --ref=tokens show "$1" | python3 -c 'import json,sys
print(sum(json.loads(l)["requests"] for l in sys.stdin if l.strip()))'
}

test_expect_success 'killed before the note was written: the retry writes it' '
	(
		cd repo &&
		before=$(note_requests) &&
		claude_rec "$TRASH/repo" w1 mw1 2026-11-20T14:00:00.000Z 1 7 \
			>>../claude/projects/p/w.jsonl &&
		commit_at 2026-11-20T14:00:30Z w1 &&
		cp .git/tokens/record-watermark ../wm.before &&
		: the race hook runs just before the note is written &&
		test_expect_code 137 env \
			GIT_TOKENS_TEST_NOTES_RACE="kill -9 \$PPID" \
			git-tokens record 2>/dev/null &&
		test -f .git/tokens/record-pending &&
		test_must_fail git notes --ref=tokens show HEAD &&
		cmp ../wm.before .git/tokens/record-watermark &&
		git tokens record -q &&
		test_path_is_missing .git/tokens/record-pending &&
		test "$(commit_requests HEAD)" = 1 &&
		test "$(note_requests)" = $(($before + 1))
	)
'

test_expect_success 'killed between the note and the watermark: nothing twice' '
	(
		cd repo &&
		before=$(note_requests) &&
		claude_rec "$TRASH/repo" w2 mw2 2026-11-20T14:10:00.000Z 1 7 \
			>>../claude/projects/p/w.jsonl &&
		commit_at 2026-11-20T14:10:30Z w2 &&
		: the note is written, the watermark cannot be &&
		mv .git/tokens/record-watermark ../wm.saved &&
		mkdir .git/tokens/record-watermark &&
		test_must_fail git tokens record 2>../err &&
		test "$(commit_requests HEAD)" = 1 &&
		test -f .git/tokens/record-pending &&
		rmdir .git/tokens/record-watermark &&
		mv ../wm.saved .git/tokens/record-watermark &&
		: a later response of the same session, the same commit: the
		: retry would group both into one other line &&
		claude_rec "$TRASH/repo" w2 mw3 2026-11-20T14:10:20.000Z 1 7 \
			>>../claude/projects/p/w.jsonl &&
		git tokens record -q &&
		test_path_is_missing .git/tokens/record-pending &&
		test "$(commit_requests HEAD)" = 2 &&
		test "$(note_requests)" = $(($before + 2)) &&
		git tokens record -q &&
		test "$(note_requests)" = $(($before + 2))
	)
'

test_expect_success 'a ref lock left by a killed record goes, a live one stays' '
	(
		cd repo &&
		before=$(note_requests) &&
		claude_rec "$TRASH/repo" w4 mw4 2026-11-20T14:20:00.000Z 1 7 \
			>>../claude/projects/p/w.jsonl &&
		commit_at 2026-11-20T14:20:30Z w4 &&
		: killed while libgit2 moved the ref: both locks are left &&
		echo refs/notes/tokens >.git/tokens/notes.lock &&
		>.git/refs/notes/tokens.lock &&
		git tokens record 2>../err &&
		grep "removed .*tokens.lock., left by a killed" ../err &&
		test_path_is_missing .git/refs/notes/tokens.lock &&
		test_path_is_missing .git/tokens/notes.lock &&
		test "$(note_requests)" = $(($before + 1)) &&
		: a lock of another git process is never taken away &&
		claude_rec "$TRASH/repo" w5 mw5 2026-11-20T14:30:00.000Z 1 7 \
			>>../claude/projects/p/w.jsonl &&
		commit_at 2026-11-20T14:30:30Z w5 &&
		>.git/refs/notes/tokens.lock &&
		test_must_fail git tokens record 2>../err &&
		grep "tokens.lock. exists (if no git process is running" \
			../err &&
		test -f .git/refs/notes/tokens.lock &&
		rm .git/refs/notes/tokens.lock &&
		git tokens record -q &&
		test "$(note_requests)" = $(($before + 2))
	)
'

test_expect_success 'report and usage killed while they write their caches' '
	(
		cd repo &&
		git tokens report --no-cache --format=json >../report.expect &&
		git tokens usage --no-cache --format=json >../usage.expect &&
		i=0 &&
		while test $i -lt 10
		do
			rm -rf .git/tokens/numstat* .git/tokens/usage-* \
				.git/tokens/survival* &&
			kill_at $((200 + $i)) git-tokens report &&
			kill_at $((300 + $i)) git-tokens usage &&
			git tokens report --format=json >../report.actual &&
			git tokens usage --format=json >../usage.actual &&
			test_cmp ../report.expect ../report.actual &&
			test_cmp ../usage.expect ../usage.actual || return 1
			i=$(($i + 1))
		done
	)
'

test_expect_success 'temporary files of killed runs go, a live run keeps its own' '
	(
		cd repo &&
		git tokens report --format=json >/dev/null &&
		ls .git/tokens/numstat-*.cache >caches &&
		test_line_count = 1 caches &&
		cache=$(cat caches) &&
		# no process has a pid above /proc/sys/kernel/pid_max (4194304)
		echo partial >"$cache.tmp-4194999" &&
		echo mine >"$cache.tmp-$$" &&
		echo other >"$cache.tmp-x" &&
		rm "$cache" &&
		git tokens report --format=json >/dev/null &&
		test -f "$cache" &&
		! test -e "$cache.tmp-4194999" &&
		test -f "$cache.tmp-$$" &&
		test -f "$cache.tmp-x" &&
		rm "$cache.tmp-$$" "$cache.tmp-x"
	)
'

test_done
