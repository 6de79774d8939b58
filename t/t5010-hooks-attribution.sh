#!/bin/sh

test_description='hooks: usage notes through commit, amend, rebase, cherry-pick, pull --rebase'

. "$(dirname "$0")"/lib-tokens.sh

HOME=$(pwd)
XDG_CACHE_HOME=$(pwd)/cache
CLAUDE_CONFIG_DIR=$(pwd)/claude
export HOME XDG_CACHE_HOME CLAUDE_CONFIG_DIR

mkdir datadir &&
for f in "$GIT_TOKENS_DATADIR"/*
do
	ln -s "$f" datadir/
done &&
ln -s "$TEST_SRCDIR/../hooks" datadir/hooks || exit 1
GIT_TOKENS_DATADIR=$(pwd)/datadir
export GIT_TOKENS_DATADIR

# claude_log <session> <epoch s> <output tokens> [<count> [<pause s>]]:
# append Claude Code responses (one line each, timestamps one second
# apart) for the current directory, as Claude Code writes them.
claude_log () {
	python3 - "$@" <<-\PY
	import datetime, json, os, sys, time
	sid, t, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	count = int(sys.argv[4]) if len(sys.argv) > 4 else 1
	pause = float(sys.argv[5]) if len(sys.argv) > 5 else 0
	d = os.path.join(os.environ["CLAUDE_CONFIG_DIR"], "projects", "p")
	os.makedirs(d, exist_ok=True)
	for i in range(count):
	    ts = datetime.datetime.fromtimestamp(t + i, datetime.timezone.utc)
	    mid = "msg_%s_%d_%d_%d" % (sid, t, out, i)
	    rec = {"parentUuid": None, "isSidechain": False,
	           "userType": "external", "cwd": os.getcwd(),
	           "sessionId": sid, "version": "2.1.39", "type": "assistant",
	           "timestamp": ts.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
	           "requestId": "req_" + mid[4:],
	           "message": {"model": "claude-sonnet-4-5", "id": mid,
	                       "type": "message", "role": "assistant",
	                       "content": [{"type": "text", "text": "ok"}],
	                       "usage": {"input_tokens": 10,
	                                 "output_tokens": out,
	                                 "cache_creation_input_tokens": 0,
	                                 "cache_read_input_tokens": 100}}}
	    with open(os.path.join(d, sid + ".jsonl"), "a") as f:
	        f.write(json.dumps(rec) + "\n")
	    if pause:
	        time.sleep(pause)
	PY
}

# usage <output tokens> [<session>]: one response 30 s after the last tick
# (the next test_tick, and so the next commit, is 60 s after it).
usage () {
	claude_log "${2:-sess-1}" $(($test_tick + 30)) "$1"
}

# note_output <rev>: the output tokens of a commit's note; checks that
# every line is one JSON object and that no line is there twice.
note_output () {
	git notes --ref=tokens show "$1" >note.txt &&
	python3 - <<-\PY
	import json
	lines = open("note.txt").read().split("\n")
	assert lines[-1] == "", "note does not end in a newline"
	lines = lines[:-1]
	assert len(lines) == len(set(lines)), "duplicate lines"
	total = 0
	for l in lines:
	    o = json.loads(l)
	    assert o["v"] == 1 and o["how"] == "hook", l
	    total += o["output"]
	print(total)
	PY
}

test_expect_success 'setup: a repository with the hooks' '
	git init -q repo &&
	cd repo &&
	git config user.name "A U Thor" &&
	git config user.email author@example.com &&
	git tokens hooks install -q &&
	test_commit base &&
	test_must_fail git notes --ref=tokens show HEAD
'

test_expect_success 'commit: the usage before it lands in its note' '
	usage 100 &&
	test_commit one &&
	test "$(note_output HEAD)" = 100 &&
	grep "\"by\":\"author@example.com\"" note.txt
'

test_expect_success 'amend after more usage: old lines kept, new ones added' '
	git notes --ref=tokens show HEAD >old-note &&
	old=$(git rev-parse HEAD) &&
	usage 200 sess-2 &&
	test_tick &&
	git commit -q --amend -m one-amended &&
	test "$(note_output HEAD)" = 300 &&
	while IFS= read -r l
	do
		grep -F -x "$l" note.txt || return 1
	done <old-note &&
	git notes --ref=tokens show $old >still &&
	test_cmp old-note still
'

test_expect_success 'rebase -i with squash and fixup: the note is the union' '
	usage 10 && test_commit A &&
	usage 20 && test_commit B &&
	usage 40 && test_commit C &&
	# pending usage, after the last commit: it goes to the new HEAD
	usage 5 &&
	test_tick &&
	GIT_SEQUENCE_EDITOR="sed -i -e \"2s/^pick/squash/\" -e \"3s/^pick/fixup/\"" \
	GIT_EDITOR=true git rebase -q -i HEAD~3 &&
	test "$(git log --format=%s -1 HEAD~1)" = one-amended &&
	test "$(git log --format=%s -1)" = A &&
	test "$(note_output HEAD)" = 75 &&
	for t in A B C
	do
		git notes --ref=tokens show $t >n &&
		while IFS= read -r l
		do
			grep -F -x "$l" note.txt || return 1
		done <n || return 1
	done
'

test_expect_success 'rebase with pick and edit: each commit keeps its note' '
	usage 1 && test_commit D &&
	usage 2 && test_commit E &&
	test_tick &&
	GIT_SEQUENCE_EDITOR="sed -i -e \"1s/^pick/reword/\"" \
	GIT_EDITOR="sed -i -e s/D/D2/" git rebase -q -i HEAD~2 &&
	test "$(git log --format=%s -1 HEAD~1)" = D2 &&
	test "$(note_output HEAD~1)" = 1 &&
	test "$(note_output HEAD)" = 2
'

test_expect_success 'cherry-pick: the original keeps its note, usage counts once' '
	git checkout -q -b side &&
	usage 300 && test_commit S &&
	git notes --ref=tokens show S >s-note &&
	git checkout -q main &&
	usage 7 &&
	test_tick &&
	git cherry-pick S >/dev/null &&
	test "$(note_output HEAD)" = 7 &&
	git notes --ref=tokens show S >s-after &&
	test_cmp s-note s-after
'

test_expect_success 'pull --rebase: the rebased commit keeps its note' '
	git init -q --bare ../remote.git &&
	git remote add origin ../remote.git &&
	git push -q -u origin main 2>/dev/null &&
	git clone -q ../remote.git ../other &&
	(
	cd ../other &&
	test_commit theirs
	) &&
	git -C ../other push -q origin main &&
	usage 50 && test_commit mine &&
	git notes --ref=tokens show mine >mine-note &&
	test_tick &&
	git pull -q --rebase &&
	test "$(git log --format=%s -1 HEAD~1)" = theirs &&
	test "$(git log --format=%s -1)" = mine &&
	git notes --ref=tokens show HEAD >rebased-note &&
	test_cmp mine-note rebased-note
'

# Real time here: a response is logged as it arrives, so its time is the
# time of its line; the commit lands while lines keep coming.
test_expect_success 'a commit while a log is being written: nothing lost or doubled' '
	(
	unset GIT_COMMITTER_DATE GIT_AUTHOR_DATE &&
	{
	python3 - <<-\PY &
	import datetime, json, os, time
	d = os.path.join(os.environ["CLAUDE_CONFIG_DIR"], "projects", "p")
	for i in range(150):
	    now = datetime.datetime.now(datetime.timezone.utc)
	    rec = {"type": "assistant", "cwd": os.getcwd(), "sessionId": "busy",
	           "version": "2.1.39", "isSidechain": False,
	           "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.")
	                        + "%03dZ" % (now.microsecond // 1000),
	           "requestId": "req_busy_%d" % i,
	           "message": {"model": "claude-sonnet-4-5", "id": "msg_busy_%d" % i,
	                       "role": "assistant", "content": [],
	                       "usage": {"input_tokens": 1, "output_tokens": 3,
	                                 "cache_creation_input_tokens": 0,
	                                 "cache_read_input_tokens": 0}}}
	    with open(os.path.join(d, "busy.jsonl"), "a") as f:
	        f.write(json.dumps(rec) + "\n")
	    time.sleep(0.01)
	PY
	} &&
	writer=$! &&
	# Commit once the writer is under way (python may start slowly on
	# a loaded machine), bounded to 20 s.
	busy="$CLAUDE_CONFIG_DIR/projects/p/busy.jsonl" && n=0 &&
	while test $(cat "$busy" 2>/dev/null | wc -l) -lt 30 &&
		test $n -lt 400
	do
		sleep 0.05 && n=$((n + 1)) || return 1
	done &&
	echo during >during.t && git add during.t &&
	git commit -q -m during &&
	wait $writer &&
	test $(wc -l <"$CLAUDE_CONFIG_DIR/projects/p/busy.jsonl") -eq 150 &&
	# past the time a late line may still belong to "during"
	sleep 3 &&
	echo after >after.t && git add after.t &&
	git commit -q -m after
	) &&
	first=$(note_output HEAD~1) &&
	second=$(note_output HEAD) &&
	echo "output tokens: during $first, after $second" &&
	test $first -gt 0 &&
	test $(($first + $second)) -eq 450
'

test_expect_success 'post-commit never fails the commit: one warning line at most' '
	blob=$(echo junk | git hash-object -w --stdin) &&
	saved=$(git rev-parse refs/notes/tokens) &&
	git update-ref refs/notes/tokens $blob &&
	usage 9 &&
	test_tick &&
	echo x >>x.t && git add x.t &&
	git commit -q -m broken-notes 2>err &&
	test "$(git log --format=%s -1)" = broken-notes &&
	test $(grep -c . err) -le 1 &&
	git update-ref refs/notes/tokens $saved
'

test_done
