#!/bin/sh

test_description='notes other tools or hands wrote: kept byte for byte, reported'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-hardening.sh

# A note no writer of ours would make: CRLF, blanks, tabs, a future
# version, duplicates, invalid UTF-8, a NUL byte, a 1 MB line, a line
# that is almost ours, and no newline at the end.
cat >gen-note.py <<\EOF
import sys
out = open(sys.argv[1], "wb")
out.write(b"hand-written remark\r\n")
out.write(b"\n\n")
out.write(b"\t  indented {not json}  \n")
out.write(b'{"v":2,"tool":"future","requests":1000}\n')
out.write(b"dup\ndup\n")
out.write(b"\xff\xfe bytes that are no UTF-8\n")
out.write(b"before NUL\x00after NUL\n")
out.write(b"{" + b"x" * (1 << 20) + b"}\n")
out.write(b'{"v":1,"tool":"claude-code","requests":-5,"input":1e400}\n')
out.write(b'{"v":1,"tool":"claude-code","model":"m","session":"abc","from":"2026-11-20T10:00:00Z","to":"2026-11-20T10:00:00Z","requests":99999999999999999999,"input":1,"output":1,"cache_write":0,"cache_read":0,"cost_usd":0,"how":"hook"}\n')
out.write(b"last line without a newline")
EOF

test_expect_success 'setup' '
	use_installed_datadir &&
	git init -q repo &&
	(cd repo && commit_at 2026-11-20T08:00:00Z base) &&
	python3 gen-note.py note.orig &&
	(
		cd repo &&
		blob=$(git hash-object -w ../note.orig) &&
		commit_at 2026-11-20T10:30:00Z one &&
		git notes --ref=tokens add -C $blob HEAD &&
		git cat-file blob "$(git notes --ref=tokens list HEAD)" >../note.before
	) &&
	cmp note.orig note.before
'

test_expect_success 'record appends: the old note stays byte for byte' '
	mkdir -p claude/projects/p &&
	claude_rec "$TRASH/repo" s1 m1 2026-11-20T10:10:00.000Z 5 7 \
		>claude/projects/p/s1.jsonl &&
	(
		cd repo &&
		git tokens record 2>../err &&
		git cat-file blob "$(git notes --ref=tokens list HEAD)" >../note.after
	) &&
	grep "recorded 1 event (1 new note line)" err &&
	python3 - <<-\PY
	before = open("note.before", "rb").read()
	after = open("note.after", "rb").read()
	assert after.startswith(before), "old bytes changed"
	rest = after[len(before):]
	assert rest.startswith(b"\n"), rest[:20]
	lines = rest[1:].split(b"\n")
	assert lines[-1] == b"" and len(lines) == 2, lines
	assert b"\"output\":7," in lines[0], lines[0]
	PY
'

test_expect_success 'readers count only the valid line and warn once' '
	(
		cd repo &&
		git tokens report --format=json >../report.json 2>../report.err &&
		git tokens show --format=json HEAD >../show.json 2>../show.err
	) &&
	test "$(json_get total.output_tokens <report.json)" = 7 &&
	grep "^warning: 1[0-9] note lines not understood (kept as they are), first in the note of " report.err &&
	test $(grep -c "not understood" report.err) = 1 &&
	python3 - <<-\PY
	import json
	d = json.load(open("show.json"))
	raw = json.dumps(d)
	assert "hand-written remark" in raw, "show hides the kept lines"
	PY
'

test_expect_success 'a second record run and an amend keep every byte' '
	claude_rec "$TRASH/repo" s1 m2 2026-11-20T10:40:00.000Z 1 1 \
		>>claude/projects/p/s1.jsonl &&
	(
		cd repo &&
		git config notes.rewriteRef refs/notes/tokens &&
		git config notes.rewriteMode cat_sort_uniq &&
		git tokens hooks install >/dev/null &&
		echo more >>one.t &&
		git add one.t &&
		GIT_COMMITTER_DATE=2026-11-20T10:45:00Z git commit -q --amend \
			--no-edit &&
		git tokens record -q &&
		git cat-file blob "$(git notes --ref=tokens list HEAD)" >../note.amended
	) &&
	: git cat_sort_uniq, and a union like it, cut a line at a NUL &&
	python3 - <<-\PY
	orig = open("note.orig", "rb").read().split(b"\n")
	after = open("note.amended", "rb").read().split(b"\n")
	for line in orig:
	    if line.strip():
	        assert line in after or line.split(b"\0")[0] in after, line[:40]
	assert after.count(b"dup") >= 1
	assert sum(1 for l in after if b"\"output\":7," in l) == 1, after
	assert sum(1 for l in after if b"\"output\":1," in l and b"\"requests\":1," in l) == 1
	PY
'

test_expect_success 'sync: a merge with notes from elsewhere keeps them too' '
	git init -q --bare remote.git &&
	git -C repo push -q ../remote.git main refs/notes/tokens &&
	git clone -q remote.git other &&
	(
		cd other &&
		git fetch -q origin "refs/notes/tokens:refs/notes/tokens" &&
		printf "other tool\\000with a NUL\\nsecond line from elsewhere\\n" >n &&
		blob=$(git hash-object -w n) &&
		git notes --ref=tokens add -f -C $blob HEAD~1 &&
		git tokens sync -q
	) &&
	(
		cd repo &&
		git remote add origin ../remote.git &&
		git config notes.rewriteRef "" &&
		claude_rec "$TRASH/repo" s2 m3 2026-11-20T11:00:00.000Z 3 3 \
			>>../claude/projects/p/s2.jsonl &&
		commit_at 2026-11-20T11:05:00Z two &&
		git tokens record -q &&
		git tokens sync -q &&
		git cat-file blob "$(git notes --ref=tokens list HEAD~1)" >../note.synced &&
		git cat-file blob "$(git notes --ref=tokens list HEAD~2)" >../base.synced
	) &&
	python3 - <<-\PY
	orig = open("note.orig", "rb").read().split(b"\n")
	after = open("note.synced", "rb").read().split(b"\n")
	for line in orig:
	    if line.strip():
	        assert line in after or line.split(b"\0")[0] in after, line[:40]
	base = open("base.synced", "rb").read()
	assert b"other tool" in base, base
	assert b"second line from elsewhere" in base, base
	PY
'

test_done
