#!/bin/sh

test_description='usage: per-file state between runs'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
CODEX_HOME=$(pwd)/codex
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR CODEX_HOME

# gen <file> <first> <count> [<session>]: append responses first..first+count-1,
# each streamed in two lines; response n has n output tokens.
gen () {
	python3 - "$@" <<-\PY
	import json, os, sys
	path, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	sid = sys.argv[4] if len(sys.argv) > 4 else "s"
	if os.path.dirname(path):
	    os.makedirs(os.path.dirname(path), exist_ok=True)
	with open(path, "a") as f:
	    for n in range(first, first + count):
	        for out in (1, n):
	            f.write(json.dumps({"type": "assistant", "cwd": os.path.abspath("proj"),
	                "sessionId": sid, "requestId": "r%d" % n,
	                "timestamp": "2026-11-%02dT10:00:00.000Z" % (1 + n % 28),
	                "message": {"id": "m%d" % n, "model": "claude-sonnet-4-5",
	                            "usage": {"input_tokens": 1, "output_tokens": out}}},
	                separators=(",", ":")) + "\n")
	PY
}

# sum n for n in first..last
sum () {
	echo $(( ($1 + $2) * ($2 - $1 + 1) / 2 ))
}

check () {
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	test_must_be_empty err &&
	test "$(json_get total.output <out.json)" = "$1" &&
	test "$(json_get total.requests <out.json)" = "$2"
}

F=claude/projects/p/s.jsonl

test_expect_success 'setup' '
	git init -q proj &&
	gen $F 1 100 &&
	check $(sum 1 100) 100 &&
	test -f proj/.git/tokens/usage-claude-code.cache
'

test_expect_success 'appended events add exactly themselves' '
	gen $F 101 50 &&
	check $(sum 1 150) 150
'

# Change the output of response n from n to n+1 in place (n+1 has as
# many digits as n): the size stays.
bump () {
	sed "s/\"id\":\"m$1\",\(.*\)\"output_tokens\":$1}/\"id\":\"m$1\",\1\"output_tokens\":$(($1 + 1))}/" $F >tmp &&
	test $(wc -c <tmp) -eq $(wc -c <$F) &&
	! cmp -s tmp $F &&
	cat tmp >$F
}

test_expect_success 'an unchanged file is not read again' '
	cp -p $F saved &&
	bump 5 &&
	touch -r saved $F &&
	check $(sum 1 150) 150 &&
	(cd proj && git tokens usage --no-cache --format json >../out.json) &&
	test "$(json_get total.output <out.json)" = $(( $(sum 1 150) + 1 )) &&
	cp -p saved $F
'

test_expect_success 'a file that grew is read from where the last run stopped' '
	cp -p $F saved &&
	: response 60 lies deep inside the part already read &&
	test $(wc -c <$F) -gt 40000 &&
	bump 60 &&
	gen $F 151 1 &&
	check $(sum 1 151) 151 &&
	(cd proj && git tokens usage --no-cache --format json >../out.json) &&
	test "$(json_get total.output <out.json)" = $(( $(sum 1 151) + 1 )) &&
	: a change near the start is noticed, and all is read again &&
	bump 5 &&
	gen $F 152 1 &&
	check $(( $(sum 1 152) + 2 )) 152 &&
	cp saved $F &&
	gen $F 151 1 &&
	check $(sum 1 151) 151
'

test_expect_success 'a file that shrank is read again from the start' '
	head -n 20 $F >tmp && cat tmp >$F &&
	check $(sum 1 10) 10
'

test_expect_success 'a file rewritten with other content is read again' '
	rm $F && gen $F 1000 3 &&
	check $(sum 1000 1002) 3
'

test_expect_success 'a rewrite that keeps the size but changes earlier bytes' '
	gen $F 1003 1 &&
	check $(sum 1000 1003) 4 &&
	sed "s/\"output_tokens\":1000}/\"output_tokens\":9000}/" $F >tmp &&
	test $(wc -c <tmp) -eq $(wc -c <$F) &&
	: the rewrite and an append, so that the size grows &&
	gen tmp 1004 1 &&
	cat tmp >$F &&
	check $(( $(sum 1000 1004) + 8000 )) 5
'

test_expect_success 'a deleted file leaves the totals' '
	gen claude/projects/p/t.jsonl 5000 1 t &&
	check $(( $(sum 1000 1004) + 8000 + 5000 )) 6 &&
	rm claude/projects/p/t.jsonl &&
	check $(( $(sum 1000 1004) + 8000 )) 5
'

test_expect_success 'a corrupt or foreign state file is rebuilt silently' '
	C=proj/.git/tokens/usage-claude-code.cache &&
	head -c 100 $C >tmp && mv tmp $C &&
	check $(( $(sum 1000 1004) + 8000 )) 5 &&
	printf "GTKUSAGE\377\377\377\377garbage" >$C &&
	check $(( $(sum 1000 1004) + 8000 )) 5 &&
	dd if=/dev/urandom of=$C bs=1k count=4 2>/dev/null &&
	check $(( $(sum 1000 1004) + 8000 )) 5 &&
	: and it was written back whole &&
	head -c 8 $C >magic && printf GTKUSAGE >expect && test_cmp expect magic
'

test_expect_success 'a Codex rollout resumes with its running total' '
	mkdir -p codex/sessions &&
	R=codex/sessions/rollout-2026-11-20T10-00-00-x.jsonl &&
	tc () {
		printf "{\"timestamp\":\"2026-11-20T1%s:00:00Z\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":%s,\"cached_input_tokens\":0,\"output_tokens\":%s,\"reasoning_output_tokens\":0,\"total_tokens\":0}}}}\n" "$@"
	} &&
	{
		printf "{\"timestamp\":\"2026-11-20T10:00:00Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"x\",\"cwd\":\"%s\"}}\n" "$(pwd)/proj" &&
		tc 1 10 100 &&
		tc 2 30 300
	} >$R &&
	(cd proj && git tokens usage --by tool --format json >../out.json) &&
	grep "\"key\":\"codex\",\"requests\":2,\"input\":30,\"output\":300" out.json &&
	tc 3 30 300 >>$R &&
	tc 4 60 700 >>$R &&
	(cd proj && git tokens usage --by tool --format json >../out.json) &&
	grep "\"key\":\"codex\",\"requests\":3,\"input\":60,\"output\":700" out.json &&
	(cd proj && git tokens usage --no-cache --by tool --format json >../out2.json) &&
	test_cmp out.json out2.json
'

test_expect_success '--all-repos keeps its state in the user cache folder' '
	git tokens usage --all-repos --format json >out.json &&
	test -f cache/git-tokens/usage-claude-code.cache &&
	test -f cache/git-tokens/usage-codex.cache &&
	git tokens usage --all-repos --format json >out2.json &&
	test_cmp out.json out2.json
'

test_done
