#!/bin/sh

test_description='usage: records without a type are skipped, counted and named'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
CODEX_HOME=$(pwd)/codex
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR CODEX_HOME

# A Claude record: rec <type> <msg-id> <output>; type "-" leaves it out.
rec () {
	if test "$1" = -
	then
		type=
	else
		type="\"type\":\"$1\","
	fi &&
	printf '{%s"cwd":"%s","sessionId":"s","requestId":"r-%s","timestamp":"2026-11-20T10:00:00.000Z","message":{"id":"%s","model":"claude-sonnet-4-5","usage":{"input_tokens":1,"output_tokens":%s}}}\n' \
		"$type" "$(pwd)/proj" "$2" "$2" "$3"
}

test_expect_success 'setup: two good records, two with usage but no type' '
	git init -q proj &&
	mkdir -p claude/projects/p &&
	{
		rec assistant good1 100 &&
		rec - untyped1 20 &&
		rec assistant good2 3 &&
		rec - untyped2 4 &&
		echo "{\"cwd\":\"/x\",\"sessionId\":\"s\"}" &&
		rec user quoted 5
	} >claude/projects/p/a.jsonl
'

test_expect_success 'usage counts them as skipped, with the reason' '
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	: good1 and good2: 100 + 3 &&
	test "$(json_get total.output <out.json)" = 103 &&
	test "$(json_get total.requests <out.json)" = 2 &&
	test_line_count = 1 err &&
	grep "^warning: skipped 2 bad usage records (first: .*/claude/projects/p/a.jsonl:2: record without a type)$" err
'

test_expect_success 'doctor, from the saved state, shows the same warning' '
	(cd proj && git tokens doctor >../doctor.out 2>../doctor.err || :) &&
	grep "skipped 2 bad usage records .*record without a type" doctor.err
'

test_expect_success 'a Codex token count without a type is skipped too' '
	mkdir -p codex/sessions/2026/11/20 &&
	cat >codex/sessions/2026/11/20/rollout-x.jsonl <<-EOF &&
	{"timestamp":"2026-11-20T10:00:00.000Z","type":"session_meta","payload":{"id":"c1","cwd":"$(pwd)/proj"}}
	{"timestamp":"2026-11-20T10:00:01.000Z","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":5,"output_tokens":6}}}}
	EOF
	(cd proj && git tokens usage --format json >../out3.json 2>../err3) &&
	grep "skipped 3 bad usage records" err3
'

test_done
