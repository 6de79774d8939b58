#!/bin/sh

test_description='record: usage since the watermark into the commit note'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
TZ=UTC
TRASH=$(pwd)
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR TZ

# claude_ev's responses carry a prompt and a file path that must never
# reach a note.
CLAUDE_EV_PROMPT='SENTINEL-PROMPT please edit /home/someone/SENTINEL-FILE.c'
CLAUDE_EV_CONTENT='{"type":"text","text":"SENTINEL-ANSWER in /home/someone/SENTINEL-FILE.c"}'

# note_lines <commit>: the note, one line each, to stdout.
note_lines () {
	git notes --ref=tokens show "$1"
}

# sha256 session hash, as a note carries it.
session_hash () {
	printf '%s' "$1" | sha256sum | cut -c1-12
}

test_expect_success 'setup' '
	git init -q repo &&
	(cd repo && commit_at 2026-11-20T08:00:00Z base)
'

test_expect_success 'record writes the usage up to the commit' '
	claude_ev SENTINEL-SESSION-1 msg_1 2026-11-20T10:00:00.000Z 1000 2000 400 10000 &&
	claude_ev SENTINEL-SESSION-1 msg_2 2026-11-20T10:01:00.500Z 500 100 &&
	(
		cd repo &&
		commit_at 2026-11-20T10:05:00Z one &&
		git tokens record 2>err &&
		grep "recorded 2 events" err &&
		note_lines HEAD >../note1
	) &&
	test_line_count = 1 note1 &&
	: times to the millisecond: msg_1 and msg_2 as logged &&
	python3 - "$(session_hash SENTINEL-SESSION-1)" <<-\PY
	import json, sys
	l = json.loads(open("note1").read())
	want = {"v": 1, "tool": "claude-code", "model": "claude-sonnet-4-5",
	        "session": sys.argv[1], "from": "2026-11-20T10:00:00.000Z",
	        "to": "2026-11-20T10:01:00.500Z", "requests": 2, "input": 1500,
	        "output": 2100, "cache_write": 400, "cache_read": 10000,
	        "by": "author@example.com", "how": "hook"}
	for k, v in want.items():
	    assert l[k] == v, (k, l[k], v)
	# 1500*3 + 2100*15 + 400*3.75 + 10000*0.3 per million
	assert abs(l["cost_usd"] - 0.0405) < 1e-9, l["cost_usd"]
	assert sorted(l) == sorted(list(want) + ["cost_usd"]), sorted(l)
	PY
'

test_expect_success 'usage after the commit waits for the next one' '
	claude_ev SENTINEL-SESSION-1 msg_3 2026-11-20T10:30:00.000Z 7 11 &&
	(
		cd repo &&
		git tokens record -q 2>err &&
		test_must_be_empty err &&
		note_lines HEAD >../note1b
	) &&
	test_cmp note1 note1b
'

test_expect_success 'record twice adds nothing and moves nothing' '
	(
		cd repo &&
		git rev-parse refs/notes/tokens >../tip1 &&
		git tokens record -q &&
		git tokens record -q &&
		git rev-parse refs/notes/tokens >../tip2
	) &&
	test_cmp tip1 tip2
'

test_expect_success 'a watermark that is gone or corrupt adds no duplicate' '
	(
		cd repo &&
		echo garbage >.git/tokens/record-watermark &&
		git tokens record -q &&
		rm .git/tokens/record-watermark &&
		git tokens record -q &&
		note_lines HEAD >../note1c
	) &&
	test_cmp note1 note1c
'

test_expect_success 'amend after more usage: old lines kept, new added' '
	claude_ev SENTINEL-SESSION-2 msg_4 2026-11-20T10:40:00.000Z 2 3 &&
	(
		cd repo &&
		git config notes.rewriteRef refs/notes/tokens &&
		echo more >>one.t &&
		git add one.t &&
		GIT_COMMITTER_DATE=2026-11-20T10:45:00Z git commit -q --amend -m one &&
		git tokens record -q &&
		note_lines HEAD >../note2
	) &&
	test_line_count = 3 note2 &&
	head -n 1 note2 >first &&
	test_cmp note1 first &&
	grep "\"session\":\"$(session_hash SENTINEL-SESSION-1)\".*\"requests\":1,\"input\":7,\"output\":11," note2 &&
	grep "\"session\":\"$(session_hash SENTINEL-SESSION-2)\".*\"requests\":1,\"input\":2,\"output\":3," note2
'

test_expect_success 'two record runs at once: every line exactly once' '
	claude_ev SENTINEL-SESSION-3 msg_5 2026-11-20T11:00:00.000Z 5 5 &&
	claude_ev SENTINEL-SESSION-4 msg_6 2026-11-20T11:01:00.000Z 6 6 &&
	(
		cd repo &&
		commit_at 2026-11-20T11:05:00Z two &&
		{ git tokens record -q & git tokens record -q & wait; } &&
		git tokens record -q &&
		note_lines HEAD >../note3
	) &&
	test_line_count = 2 note3 &&
	test $(grep -c "\"input\":5," note3) = 1 &&
	test $(grep -c "\"input\":6," note3) = 1 &&
	test_path_is_missing repo/.git/tokens/record.lock
'

test_expect_success 'a stale lock (dead owner) does not block' '
	claude_ev SENTINEL-SESSION-5 msg_7 2026-11-20T12:00:00.000Z 8 8 &&
	(
		cd repo &&
		commit_at 2026-11-20T12:05:00Z three &&
		dead=$(sh -c "echo \$\$") &&
		echo $dead >.git/tokens/record.lock &&
		git tokens record -q &&
		note_lines HEAD >../note4
	) &&
	grep "\"input\":8," note4 &&
	test_path_is_missing repo/.git/tokens/record.lock
'

test_expect_success 'the notes ref moved underneath: nothing is lost' '
	claude_ev SENTINEL-SESSION-6 msg_8 2026-11-20T13:00:00.000Z 9 9 &&
	(
		cd repo &&
		commit_at 2026-11-20T13:05:00Z four &&
		other=$(git rev-parse HEAD~1) &&
		head=$(git rev-parse HEAD) &&
		GIT_TOKENS_TEST_NOTES_RACE="git notes --ref=tokens append -m other-writer-1 $other && git notes --ref=tokens append -m other-writer-2 $head" \
			git tokens record -q &&
		note_lines HEAD >../note5 &&
		note_lines HEAD~1 >../note5b &&
		git log --format=%s refs/notes/tokens -3 >../notes-log
	) &&
	grep -x other-writer-2 note5 &&
	grep "\"input\":9," note5 &&
	grep -x other-writer-1 note5b &&
	grep "\"input\":8," note5b &&
	head -n 1 notes-log >top &&
	echo "Notes added by '"'"'git tokens record'"'"'" >expect &&
	test_cmp expect top
'

test_expect_success 'lines we cannot read are kept verbatim and reported once' '
	claude_ev SENTINEL-SESSION-7 msg_9 2026-11-20T14:00:00.000Z 10 10 &&
	(
		cd repo &&
		commit_at 2026-11-20T14:05:00Z five &&
		git notes --ref=tokens add -m "not json at all" HEAD &&
		git notes --ref=tokens append -m "{\"v\":2,\"tool\":\"future\"}" HEAD &&
		git notes --ref=tokens append -m "{\"tool\":\"someone-else\",\"x\":1}" HEAD &&
		git tokens record -q &&
		note_lines HEAD >../note6 &&
		git tokens report --format=json >../report.json 2>../report.err
	) &&
	grep -x "not json at all" note6 &&
	grep -x "{\"v\":2,\"tool\":\"future\"}" note6 &&
	grep -x "{\"tool\":\"someone-else\",\"x\":1}" note6 &&
	grep "\"input\":10," note6 &&
	# three here, two "other-writer" lines from the race above
	grep "^warning: 5 note lines not understood" report.err &&
	test $(grep -c "not understood" report.err) = 1
'

test_expect_success 'no note holds a session id, prompt, answer or path' '
	(cd repo && git log -p refs/notes/tokens) >all-notes &&
	grep "\"how\":\"hook\"" all-notes &&
	! grep SENTINEL all-notes &&
	! grep "/home/someone" all-notes &&
	! grep "$TRASH" all-notes
'

test_expect_success 'hook mode: a failure is one warning and exit 0' '
	(
		cd repo &&
		rm -rf .git/tokens &&
		echo "not a directory" >.git/tokens &&
		git tokens record --hook -q 2>../hook.err &&
		rm .git/tokens
	) &&
	test_line_count = 1 hook.err &&
	grep "^warning: git tokens record: " hook.err &&
	(
		cd repo &&
		echo "not a directory" >.git/tokens &&
		test_must_fail git tokens record 2>../plain.err &&
		rm .git/tokens
	) &&
	grep "^error: " plain.err
'

test_expect_success 'record needs a work tree' '
	git clone -q --bare repo bare.git &&
	test_expect_code 128 git -C bare.git tokens record 2>err &&
	grep "work tree" err
'

test_expect_success 'record -n prints the lines and writes nothing' '
	claude_ev SENTINEL-SESSION-8 msg_10 2026-11-20T15:00:00.000Z 12 12 &&
	(
		cd repo &&
		commit_at 2026-11-20T15:05:00Z six &&
		git tokens record -n >../dry &&
		test_must_fail git notes --ref=tokens show HEAD
	) &&
	grep "\"input\":12," dry
'

test_expect_success 'a shallow clone: its oldest commit has no parent, as for git' '
	git clone -q --depth 1 "file://$TRASH/repo" shallow &&
	(
		cd shallow &&
		git tokens record -n HEAD >../shallow.out 2>../shallow.err
	) &&
	test_must_be_empty shallow.err
'

# Starting libgit2 costs a process time (with mbedTLS it looks for the
# CA bundle then): a "usage" rerun asks git instead. The post-commit
# hook reads its two commits with libgit2, which its note needs anyway,
# and which costs less than a "git rev-list" now that no CA bundle is
# read. Seen where starting libgit2 looks for the bundle, as a command
# that needs libgit2 ("show") shows.
command -v strace >/dev/null &&
	(cd repo && strace -f -o ../show.trace -e trace=%file \
		git-tokens show HEAD >/dev/null 2>&1) &&
	grep -q "/etc/ssl" show.trace &&
	test_set_prereq LIBGIT2_INIT_SEEN

test_expect_success LIBGIT2_INIT_SEEN 'starting libgit2 reads no CA bundle' '
	! grep "open.*/etc/ssl" show.trace
'

test_expect_success LIBGIT2_INIT_SEEN 'usage does not start libgit2, the hook reads no CA bundle' '
	(
		cd repo &&
		git tokens record -q &&
		strace -o ../hook.trace -e trace=%file \
			git-tokens hooks run post-commit &&
		strace -o ../usage.trace -e trace=%file \
			git-tokens usage --format=json >../usage.json
	) &&
	grep "tokens/record-watermark" hook.trace &&
	! grep "open.*/etc/ssl" hook.trace &&
	! grep "/etc/ssl" usage.trace &&
	grep "\"rows\"" usage.json
'

# git writes notes trees with a fanout (ab/cdef...) once they are big:
# a note there is added to in place, never doubled by a flat one.
test_expect_success 'a note in a fanout folder is added to where it is' '
	(
		cd repo &&
		commit_at 2026-11-21T09:00:00Z fan &&
		hex=$(git rev-parse HEAD) &&
		head=${hex%${hex#??}} &&
		blob=$(echo "kept as written" | git hash-object -w --stdin) &&
		sub=$(printf "100644 blob %s\t%s\n" $blob ${hex#??} |
			git mktree) &&
		tip=$(git rev-parse refs/notes/tokens) &&
		top=$({
			git ls-tree refs/notes/tokens &&
			printf "040000 tree %s\t%s\n" $sub $head
		} | git mktree) &&
		new=$(echo fanout | git commit-tree $top -p $tip) &&
		git update-ref refs/notes/tokens $new $tip &&
		git notes --ref=tokens show HEAD >../before &&
		grep "kept as written" ../before
	) &&
	claude_ev fan-session msg_fan 2026-11-21T08:59:00.000Z 7 7 &&
	(
		cd repo &&
		git tokens record -q &&
		git notes --ref=tokens show HEAD >../after &&
		git ls-tree -r --name-only refs/notes/tokens >../paths &&
		hex=$(git rev-parse HEAD) &&
		grep "${hex#??}" ../paths >../where &&
		echo "${hex%${hex#??}}/${hex#??}" >../expect
	) &&
	test_cmp expect where &&
	grep "kept as written" after &&
	grep "\"input\":7," after
'

test_done
