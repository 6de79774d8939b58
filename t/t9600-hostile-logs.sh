#!/bin/sh

test_description='hostile usage logs: the run goes on, bad input is named'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-hardening.sh

# good <file>: two good responses (output 100 + 20) from the work tree.
good () {
	{
		claude_rec "$TRASH/proj" s-good m-good1 2026-11-20T10:00:00.000Z 1 100 &&
		claude_rec "$TRASH/proj" s-good m-good2 2026-11-20T10:01:00.000Z 2 20
	} >"$1"
}

# usage_in <claude dir>: git tokens usage over that folder, into out.json
# and err; the run must succeed, and a hang fails rather than blocks.
usage_in () {
	(
		cd proj &&
		CLAUDE_CONFIG_DIR=$TRASH/$1 timeout 120 git tokens usage \
			--format json >../out.json 2>../err
	)
}

# expect_total <output> <requests>
expect_total () {
	test "$(json_get total.output <out.json)" = "$1" &&
	test "$(json_get total.requests <out.json)" = "$2"
}

# A response line with a field around it: rec_with <msg-id> <output>
# <before> <after>, raw text spliced in before "message".
assistant () {
	printf '{"type":"assistant","cwd":"%s","sessionId":"s-bad","timestamp":"%s","requestId":"req_%s",%s"message":{"model":"claude-sonnet-4-5","id":"%s","usage":{"input_tokens":1,"output_tokens":%s}}}\n' \
		"$TRASH/proj" "${4:-2026-11-20T11:00:00.000Z}" "$1" "$3" "$1" "$2"
}

test_expect_success 'setup' '
	git init -q proj &&
	mkdir -p c0/projects/p &&
	good c0/projects/p/good.jsonl &&
	usage_in c0 &&
	expect_total 120 2 &&
	test_must_be_empty err
'

test_expect_success 'a 100 MB line that holds a response counts it' '
	mkdir -p big/projects/p &&
	good big/projects/p/good.jsonl &&
	test_when_finished "rm -rf big" &&
	python3 - "$TRASH" <<-\PY &&
	import sys
	trash = sys.argv[1]
	pad = "x" * (100 << 20)
	with open(trash + "/big/projects/p/huge.jsonl", "w") as f:
	    f.write("{\"type\":\"assistant\",\"cwd\":\"%s/proj\",\"sessionId\":\"s-big\",\"timestamp\":\"2026-11-20T12:00:00.000Z\",\"requestId\":\"req_big\",\"message\":{\"model\":\"claude-sonnet-4-5\",\"id\":\"m-big\",\"content\":[{\"type\":\"text\",\"text\":\"%s\"}],\"usage\":{\"input_tokens\":1,\"output_tokens\":1000}}}\n" % (trash, pad))
	    # and a 100 MB line that never closes its object
	    f.write("{\"type\":\"assistant\",\"message\":{\"usage\":\"%s\n" % pad)
	    f.write("{\"type\":\"assistant\",\"cwd\":\"%s/proj\",\"sessionId\":\"s-big\",\"timestamp\":\"2026-11-20T12:01:00.000Z\",\"requestId\":\"req_after\",\"message\":{\"model\":\"claude-sonnet-4-5\",\"id\":\"m-after\",\"usage\":{\"input_tokens\":1,\"output_tokens\":3}}}\n" % trash)
	PY
	test $(wc -c <big/projects/p/huge.jsonl) -gt 200000000 &&
	usage_in big &&
	expect_total 1123 4 &&
	grep "^warning: skipped 1 bad usage record (first: .*/big/projects/p/huge.jsonl:2: not a JSON object)$" err &&
	: read again from the cache: the same &&
	usage_in big &&
	expect_total 1123 4 &&
	grep "huge.jsonl:2: not a JSON object" err
'

test_expect_success 'deep nesting (100k brackets) is malformed, not a crash' '
	mkdir -p deep/projects/p &&
	good deep/projects/p/good.jsonl &&
	python3 - <<-\PY &&
	n = 100000
	with open("deep/projects/p/deep.jsonl", "w") as f:
	    f.write("[" * n + "]" * n + "\n")
	    f.write("{\"type\":\"assistant\",\"usage\":" + "[" * n + "]" * n + "}\n")
	    f.write("{\"type\":\"assistant\",\"message\":{\"usage\":" + "{\"a\":" * n + "1" + "}" * n + "}}\n")
	    f.write("{\"type\":\"assistant\",\"message\":" + "[" * n + "\n")
	PY
	usage_in deep &&
	expect_total 120 2 &&
	grep "^warning: skipped 4 bad usage records (first: .*/deep/projects/p/deep.jsonl:1: not a JSON object)$" err
'

cat >gen-nul.py <<\EOF
import sys
cwd = sys.argv[1].encode()
def rec(mid, out, model=b"claude-sonnet-4-5", extra=b"", sess=b"s-bad"):
    return (b'{"type":"assistant","cwd":"' + cwd + b'","sessionId":"' +
            sess + b'","timestamp":"2026-11-20T11:00:00.000Z",' +
            b'"requestId":"req_' + mid + b'",' + extra +
            b'"message":{"model":"' + model + b'","id":"' + mid +
            b'","usage":{"input_tokens":1,"output_tokens":' + out +
            b'}}}\n')
with open("nul/projects/p/nul.jsonl", "wb") as f:
    f.write(rec(b"m-nul1", b"7", extra=b'"x":"a\0b",'))
    f.write(rec(b"m-nul2", b"8", model=b"claude\0-sonnet-4-5"))
    f.write(b'{"type":"assistant",\0"message":{}}\n')
    f.write(rec(b"m-utf1", b"9", extra=b'"version":"\xff\xfe",'))
    f.write(rec(b"m-utf2", b"11", sess=b"s-\xff",
                model=b"claude-\xc3\x28-\xff\xed\xa0\x80"))
EOF

test_expect_success 'NUL bytes and invalid UTF-8 never reach the output raw' '
	mkdir -p nul/projects/p &&
	good nul/projects/p/good.jsonl &&
	python3 gen-nul.py "$TRASH/proj" &&
	usage_in nul &&
	: a raw NUL is no JSON: those lines are skipped, named &&
	expect_total 140 4 &&
	grep "^warning: skipped 3 bad usage records (first: .*/nul/projects/p/nul.jsonl:1: NUL byte in line)$" err &&
	(
		cd proj &&
		CLAUDE_CONFIG_DIR=$TRASH/nul git tokens usage --by model \
			--format json >../by-model.json 2>../err2
	) &&
	: the JSON is valid UTF-8 whatever the logs held &&
	python3 -c "import json; d = json.loads(open(\"by-model.json\", \"rb\").read().decode(\"utf-8\")); assert any(\"\ufffd\" in r[\"key\"] for r in d[\"rows\"]), d"
'

test_expect_success 'numbers beyond 64 bits, negative and absurd counters' '
	mkdir -p num/projects/p &&
	good num/projects/p/good.jsonl &&
	{
		assistant m-n1 18446744073709551616 &&
		assistant m-n2 99999999999999999999999999999999 &&
		assistant m-n3 -1 &&
		assistant m-n4 -9223372036854775808 &&
		assistant m-n5 1000000000001 &&
		assistant m-n6 1e400 &&
		assistant m-n7 1e-400 &&
		assistant m-n8 NaN &&
		assistant m-n9 "\"12\"" &&
		assistant m-ok 1000000000000
	} >num/projects/p/num.jsonl &&
	usage_in num &&
	: a counter of exactly 10^12 is allowed, the others are not &&
	expect_total 1000000000120 3 &&
	grep "^warning: skipped 9 bad usage records (first: .*/num/projects/p/num.jsonl:1: bad token count)$" err
'

test_expect_success 'import: impossible numbers name the file and line' '
	cat >imp.jsonl <<-EOF &&
	{"time":"2026-11-20T10:00:00Z","tool":"codex","model":"gpt-5","cwd":"$TRASH/proj","input":1,"output":5}
	{"time":"2026-11-20T10:00:01Z","tool":"codex","model":"gpt-5","cwd":"$TRASH/proj","input":1,"output":18446744073709551617}
	{"time":"2026-11-20T10:00:02Z","tool":"codex","model":"gpt-5","cwd":"$TRASH/proj","input":-3,"output":1}
	{"time":"0001-01-01T00:00:00Z","tool":"codex","model":"gpt-5","cwd":"$TRASH/proj","input":1,"output":1}
	{"time":"9999-12-31T23:59:59Z","tool":"codex","model":"gpt-5","cwd":"$TRASH/proj","input":1,"output":1}
	{"time":"2026-11-20T10:00:03Z","tool":"codex","model":"gpt-5","cwd":"$TRASH/proj","input":1,"output":7}
	EOF
	(
		cd proj &&
		git tokens import ../imp.jsonl >../imp.out 2>../imp.err ||
		: a partial import may exit non-zero
	) &&
	grep "imp.jsonl:2: " imp.err &&
	grep "imp.jsonl:3: " imp.err &&
	grep "imp.jsonl:4: " imp.err &&
	grep "imp.jsonl:5: " imp.err &&
	! grep "imp.jsonl:[16]: " imp.err &&
	(
		cd proj &&
		CLAUDE_CONFIG_DIR=$TRASH/c0 git tokens usage --by tool \
			--format json >../out.json 2>../err
	) &&
	test "$(json_get total.output <out.json)" = 132 &&
	rm -f proj/.git/tokens/import*.jsonl
'

test_expect_success 'timestamps far in the past or the future are rejected' '
	mkdir -p time/projects/p &&
	good time/projects/p/good.jsonl &&
	{
		assistant m-t1 1 "" 1970-01-01T00:00:00.000Z &&
		assistant m-t2 1 "" 0001-01-01T00:00:00.000Z &&
		assistant m-t3 1 "" 2019-12-31T23:59:59.999Z &&
		assistant m-t4 1 "" 9999-12-31T23:59:59.999Z &&
		assistant m-t5 1 "" 2026-12-01T00:00:00.001Z &&
		assistant m-t6 1 "" 99999-01-01T00:00:00Z &&
		assistant m-t7 1 "" 2026-02-30T00:00:00Z &&
		assistant m-t8 1 "" 2026-11-20T25:00:00Z &&
		assistant m-t9 1 "" yesterday &&
		assistant m-ok 5 "" 2026-11-30T23:00:00.000Z
	} >time/projects/p/time.jsonl &&
	usage_in time &&
	expect_total 125 3 &&
	grep "^warning: skipped 9 bad usage records (first: .*/time/projects/p/time.jsonl:1: " err
'

test_expect_success 'symlink loops in the projects folder end, each file once' '
	mkdir -p loop/projects/p/sub &&
	good loop/projects/p/good.jsonl &&
	ln -s . loop/projects/p/self &&
	ln -s .. loop/projects/p/sub/up &&
	ln -s ../p loop/projects/p/sub/again &&
	ln -s "$TRASH/loop/projects" loop/projects/p/sub/abs &&
	ln -s missing loop/projects/p/dangling.jsonl &&
	ln -s loop1.jsonl loop/projects/p/loop2.jsonl &&
	ln -s loop2.jsonl loop/projects/p/loop1.jsonl &&
	usage_in loop &&
	expect_total 120 2 &&
	: the same through CLAUDE_CONFIG_DIR pointing into the loop &&
	(
		cd proj &&
		CLAUDE_CONFIG_DIR=$TRASH/loop/projects/p/sub/abs/.. \
			git tokens usage --format json >../out.json 2>../err
	) &&
	expect_total 120 2
'

test_expect_success 'a FIFO or a folder where a log was: no hang, named' '
	mkdir -p fifo/projects/p &&
	good fifo/projects/p/good.jsonl &&
	assistant m-f 7 >fifo/projects/p/was-a-log.jsonl &&
	assistant m-d 9 >fifo/projects/p/was-a-file.jsonl &&
	usage_in fifo &&
	expect_total 136 4 &&
	rm fifo/projects/p/was-a-log.jsonl fifo/projects/p/was-a-file.jsonl &&
	mkfifo fifo/projects/p/was-a-log.jsonl &&
	mkdir fifo/projects/p/was-a-file.jsonl &&
	: a writer that never writes: opening the FIFO must not wait for it &&
	usage_in fifo &&
	expect_total 120 2 &&
	grep "^warning: skipped 1 bad usage record (first: .*/fifo/projects/p/was-a-log.jsonl: not a regular file)$" err &&
	: the same with the cache gone &&
	rm -rf proj/.git/tokens &&
	usage_in fifo &&
	expect_total 120 2 &&
	grep "was-a-log.jsonl: not a regular file" err
'

test_expect_success 'FIFOs where other sources read whole files' '
	mkdir -p gem/.gemini/tmp/abc/chats &&
	mkfifo gem/.gemini/projects.json &&
	mkfifo gem/.gemini/tmp/abc/.project_root &&
	mkfifo gem/.gemini/tmp/abc/chats/session-1.json &&
	mkfifo proj/.aider.chat.history.md &&
	mkdir -p codex/sessions/2026/11/20 &&
	mkfifo codex/sessions/2026/11/20/rollout-x.jsonl &&
	(
		cd proj &&
		HOME=$TRASH/gem CLAUDE_CONFIG_DIR=$TRASH/c0 timeout 120 \
			git tokens usage --format json >../out.json 2>../err
	) &&
	expect_total 120 2 &&
	grep "^warning: skipped 2 bad usage records (first: .*/codex/sessions/2026/11/20/rollout-x.jsonl: not a regular file)$" err &&
	rm -rf proj/.aider.chat.history.md codex gem
'

test_expect_success 'a tokens.<source>.path that is a FIFO or a folder' '
	mkfifo pipe.jsonl &&
	(
		cd proj &&
		git config tokens.import.path "$TRASH/pipe.jsonl" &&
		git config --add tokens.import.path "$TRASH/c0" &&
		CLAUDE_CONFIG_DIR=$TRASH/c0 timeout 120 git tokens usage \
			--format json >../out.json 2>../err &&
		git config --unset-all tokens.import.path
	) &&
	expect_total 120 2 &&
	grep "^warning: skipped 2 bad usage records (first: .*/c0: not a regular file)$" err
'

test_done
