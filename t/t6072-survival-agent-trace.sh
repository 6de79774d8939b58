#!/bin/sh

test_description='Agent Trace records: the lines an agent wrote, tied to the commit made next, and those git blame keeps'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-survival.sh

# trace <type> <path> <from> <to> [sha256|murmur3] [revision]: append a
# record as the reference implementation writes it after an edit (HEAD
# then as its revision, "1.0" as its version), the content hash of
# lines from..to of the working file joined by "\n".
trace () {
	python3 - "$@" <<-\EOF
	import hashlib, json, subprocess, sys
	kind, path, a, b = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
	how = sys.argv[5] if len(sys.argv) > 5 else ""
	rev = sys.argv[6] if len(sys.argv) > 6 else subprocess.run(
	    ["git", "rev-parse", "HEAD"], check=True, capture_output=True,
	    text=True).stdout.strip()
	rng = {"start_line": a, "end_line": b}
	if how == "sha256":
	    lines = open(path).read().split("\n")[a - 1:b]
	    rng["content_hash"] = "sha256:" + hashlib.sha256(
	        "\n".join(lines).encode()).hexdigest()
	elif how:
	    rng["content_hash"] = "murmur3:9f2e8a1b"
	who = {"type": kind}
	if kind == "ai":
	    who["model_id"] = "anthropic/claude-sonnet-4-5"
	rec = {"version": "1.0", "id": "550e8400-e29b-41d4-a716-446655440000",
	       "timestamp": "2024-11-18T08:50:00Z",
	       "vcs": {"type": "git", "revision": rev},
	       "tool": {"name": "claude-code"},
	       "files": [{"path": path, "conversations": [
	           {"url": "file:///tmp/t.jsonl", "contributor": who,
	            "ranges": [rng]}]}]}
	with open(".agent-trace/traces.jsonl", "a") as f:
	    f.write(json.dumps(rec) + "\n")
	EOF
}

test_expect_success 'setup: agent edits, the person'"'"'s, edits that remove some' '
	git init -q -b main repo &&
	(
	cd repo &&
	mkdir .agent-trace &&
	echo .agent-trace/ >>.git/info/exclude &&
	seq 1 10 | sed "s/^/base /" >a.txt &&
	git add . && test_tick && git commit -q -m base &&
	git rev-parse HEAD >../base &&

	# the agent appends 5 lines, then the person 2
	seq 1 5 | sed "s/^/agent /" >>a.txt && trace ai a.txt 11 15 &&
	printf "person 1\nperson 2\n" >>a.txt && trace human a.txt 16 17 &&
	# the agent writes c.txt; the person puts a line above it
	seq 1 4 | sed "s/^/agent c /" >c.txt && trace ai c.txt 1 4 sha256 &&
	sed -i "1i person c" c.txt &&
	# a hash this reader cannot check
	seq 1 3 | sed "s/^/agent d /" >d.txt && trace ai d.txt 1 3 murmur3 &&
	git add a.txt c.txt d.txt && test_tick && git commit -q -m work &&
	git rev-parse HEAD >../work &&

	# two broken records among good ones
	echo "{not json" >>.agent-trace/traces.jsonl &&
	echo "{\"version\": \"1.0\", \"timestamp\": \"x\", \"files\": []}" \
		>>.agent-trace/traces.jsonl &&

	sed -i -e 12d -e 13d -e "15s/.*/rewritten by hand/" a.txt &&
	sed -i 4d c.txt &&
	test_tick && git commit -q -a -m "person edits" &&
	git rev-parse HEAD >../edits &&

	# another commit on the same parent changes e.txt, not f.txt
	git checkout -q -b side &&
	echo side >e.txt && git add e.txt && test_tick &&
	git commit -q -m side &&
	git checkout -q main &&
	printf "e1\ne2\n" >e.txt && trace ai e.txt 1 2 &&
	printf "f1\nf2\nf3\n" >f.txt && trace ai f.txt 1 3 &&
	# an edit above lines an earlier one wrote may have moved them
	printf "g1\ng2\ng3\ng4\n" >g.txt && trace ai g.txt 1 4 &&
	sed -i "2a g5\ng6" g.txt && trace ai g.txt 3 4 &&
	git add e.txt f.txt g.txt && test_tick && git commit -q -m next &&
	git rev-parse HEAD >../next &&

	# records naming the commit itself, as the specification reads it
	printf "h1\nh2\nh3\n" >h.txt &&
	git add h.txt && test_tick && git commit -q -m self &&
	git rev-parse HEAD >../self &&
	trace ai h.txt 1 3 sha256 $(cat ../self) &&
	trace ai h.txt 1 1 "" $(cat ../self)
	)
'

test_expect_success 'log: the agent'"'"'s lines, and those git blame keeps' '
	(cd repo && git tokens log --format=json >../log.json 2>../err) &&
	# a.txt 11-15 at its place, c.txt 2-5 found by its hash
	test "$(change_field log.json $(cat work) ai_lines_added)" = 9 &&
	(cd repo && expect_surviving $(cat ../work) "a.txt:11-15 c.txt:2-5") \
		>expect &&
	change_field log.json $(cat work) ai_surviving >actual &&
	test_cmp expect actual &&
	# a.txt 11 and 14 (12, 13 deleted, 15 rewritten); c.txt 2, 4, 5
	test $(cat actual) = 5
'

test_expect_success 'what is not certain does not count' '
	# e.txt: another child of the same parent changed it; g.txt: 1-2 of
	# the first edit, 3-4 of the second (the agent wrote all six lines)
	test "$(change_field log.json $(cat next) ai_lines_added)" = 7 &&
	(cd repo && expect_surviving $(cat ../next) "f.txt:1-3 g.txt:1-4") \
		>expect &&
	change_field log.json $(cat next) ai_surviving >actual &&
	test_cmp expect actual &&
	# the commit itself, by its hash only
	test "$(change_field log.json $(cat self) ai_lines_added)" = 3 &&
	test "$(change_field log.json $(cat edits) ai_lines_added)" = null &&
	test "$(change_field log.json $(cat base) ai_lines_added)" = null
'

test_expect_success 'broken records: one warning naming the file and line' '
	grep "^warning: skipped 2 Agent Trace records that could not be read; the first: .*/repo/.agent-trace/traces.jsonl., line 5\$" err &&
	test $(wc -l <err) = 1
'

test_expect_success 'blame: the agent on the lines git blame gives the commit' '
	(
	cd repo &&
	git blame --porcelain c.txt >../git-blame &&
	git tokens blame --porcelain c.txt >../tokens-blame
	) &&
	grep -v -e "^agent " -e "^agent-model " -e "^tokens-cost " \
		tokens-blame >stripped &&
	test_cmp git-blame stripped &&
	test $(grep -c "^agent claude-code$" tokens-blame) = 3 &&
	test $(grep -c "^agent-model anthropic/claude-sonnet-4-5$" \
		tokens-blame) = 3
'

test_expect_success 'a change with agent lines and no usage: assisted, tokens unknown' '
	test "$(change_field log.json $(cat work) agent)" = "\"claude-code\"" &&
	test "$(change_field log.json $(cat base) agent)" = null &&
	(
	cd repo &&
	git tokens show --format=json $(cat ../work) >../show.json &&
	git tokens report --format=json >../report.json &&
	git tokens report >../report.txt
	) &&
	test "$(json_get agent <show.json)" = claude-code &&
	test "$(json_get agent_model <show.json)" = anthropic/claude-sonnet-4-5 &&
	test "$(json_get assisted_tokens_unknown <show.json)" = True &&
	test "$(json_get usage <show.json)" = null &&
	# work, next and self; base and the person'"'"'s edits are not
	test "$(json_get coverage.assisted_unknown <report.json)" = 3 &&
	grep "; 3 assisted with tokens unknown" report.txt &&
	! grep "no-ai" report.txt
'

test_expect_success 'two revisions in one file: all their children from one walk' '
	git init -q -b main two &&
	(
	cd two &&
	mkdir .agent-trace &&
	echo .agent-trace/ >>.git/info/exclude &&
	echo base >base.txt &&
	git add . && test_tick && git commit -q -m base &&
	# the agent writes x.txt on base, and so does another child of base
	printf "x1\nx2\nx3\n" >x.txt && trace ai x.txt 1 3 &&
	git add x.txt && test_tick && git commit -q -m mine &&
	git rev-parse HEAD >../mine &&
	git checkout -q -b side HEAD^ &&
	echo other >x.txt && git add x.txt && test_tick &&
	git commit -q -m other &&
	git rev-parse HEAD >../other &&
	# that other child is the revision of the next edit
	printf "y1\ny2\n" >y.txt && trace ai y.txt 1 2 &&
	git add y.txt && test_tick && git commit -q -m next &&
	git rev-parse HEAD >../next2 &&
	GIT_TRACE=$(pwd)/../trace.log &&
	export GIT_TRACE &&
	git tokens log --format=json main side >../two.json 2>../err
	) &&
	test_must_be_empty err &&
	# base has two children that both changed x.txt: neither takes it
	test "$(change_field two.json $(cat mine) ai_lines_added)" = null &&
	test "$(change_field two.json $(cat other) ai_lines_added)" = null &&
	test "$(change_field two.json $(cat next2) ai_lines_added)" = 2 &&
	grep "built-in: git rev-list --parents --branches" trace.log >walks &&
	test_line_count = 1 walks &&
	grep "built-in: git merge-base --octopus" trace.log >bases &&
	test_line_count = 1 bases &&
	# a revision git does not have: each walked on its own, the same
	(cd two &&
	 trace ai z.txt 1 1 "" 0123456789012345678901234567890123456789 &&
	 git tokens log --format=json main side >../two.json 2>../err) &&
	test_must_be_empty err &&
	test "$(change_field two.json $(cat mine) ai_lines_added)" = null &&
	test "$(change_field two.json $(cat next2) ai_lines_added)" = 2
'

test_done
