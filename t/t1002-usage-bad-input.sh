#!/bin/sh

test_description='usage: bad input is skipped, counted and named once'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
CODEX_HOME=$(pwd)/codex
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR CODEX_HOME

# Root reads anything: then the unreadable file is tried as nobody.
if test "$(id -u)" != 0
then
	test_set_prereq UNREADABLE
	as_user () { "$@"; }
elif command -v setpriv >/dev/null && getent passwd nobody >/dev/null
then
	test_set_prereq UNREADABLE
	as_user () {
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	}
fi

# A good Claude record: rec <msg-id> <output> [<timestamp>]
rec () {
	printf '{"type":"assistant","cwd":"%s","sessionId":"s","requestId":"r-%s","timestamp":"%s","message":{"id":"%s","model":"claude-sonnet-4-5","usage":{"input_tokens":1,"output_tokens":%s}}}\n' \
		"$(pwd)/proj" "$1" "${3:-2026-11-20T10:00:00.000Z}" "$1" "$2"
}

test_expect_success 'setup' '
	git init -q proj &&
	mkdir -p claude/projects/p &&
	{
		rec good1 100 &&
		echo "{\"type\":\"assistant\",\"message\":{\"usage\":{broken}}}" &&
		rec good2 20 &&
		printf "\000\377\376garbage \"usage\" \001\n" &&
		rec neg -5 &&
		rec huge 1000000000001 &&
		rec old 7 2019-12-31T23:59:59.000Z &&
		rec future 7 2026-12-02T00:00:00.000Z &&
		rec frac 1.5 &&
		rec good3 3 &&
		rec partial 4000 | tr -d "\n" | cut -c1-60 | tr -d "\n"
	} >claude/projects/p/a.jsonl &&
	{
		rec good4 4 &&
		echo "not json at all \"usage\""
	} >claude/projects/p/b.jsonl &&
	: the sum of the good records &&
	echo 127 >expect-output
'

test_expect_success 'bad lines are skipped, counted, and the first is named' '
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	test "$(json_get total.output <out.json)" = "$(cat expect-output)" &&
	test "$(json_get total.requests <out.json)" = 4 &&
	test $(wc -l <err) = 1 &&
	grep "^warning: skipped 9 bad usage records (first: .*/claude/projects/p/a.jsonl:2: malformed JSON)$" err
'

test_expect_success 'the warning repeats when the state is reused' '
	(cd proj && git tokens usage --format json >../out2.json 2>../err2) &&
	test_cmp out.json out2.json &&
	test_cmp err err2
'

test_expect_success 'a truncated last line is read once it is complete' '
	rec partial 4000 | cut -c61- >>claude/projects/p/a.jsonl &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	test "$(json_get total.output <out.json)" = 4127 &&
	grep "skipped 8 bad usage records" err &&
	(cd proj && git tokens usage --no-cache --format json >../out2.json 2>../err2) &&
	test_cmp out.json out2.json &&
	test_cmp err err2
'

test_expect_success 'a huge sparse file is skipped, not read' '
	truncate -s 3G claude/projects/p/sparse.jsonl &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	test "$(json_get total.output <out.json)" = 4127 &&
	grep "skipped 9 bad usage records" err &&
	rm claude/projects/p/sparse.jsonl
'

test_expect_success 'Codex: impossible counters and times are rejected' '
	mkdir -p codex/sessions &&
	tc () {
		printf "{\"timestamp\":\"%s\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":%s,\"cached_input_tokens\":0,\"output_tokens\":%s,\"reasoning_output_tokens\":0,\"total_tokens\":0}}}}\n" "$@"
	} &&
	{
		printf "{\"timestamp\":\"2026-11-21T10:00:00Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"x\",\"cwd\":\"%s\"}}\n" "$(pwd)/proj" &&
		tc 2026-11-21T10:00:01Z 10 1 &&
		tc 2026-11-21T10:00:02Z -20 2 &&
		tc 2026-11-21T10:00:03Z 20 2e13 &&
		tc 2040-01-01T00:00:00Z 30 3 &&
		tc 2026-11-21T10:00:05Z 40 4
	} >codex/sessions/rollout-x.jsonl &&
	(cd proj && git tokens usage --format json --by tool >../out.json 2>../err) &&
	python3 - <<-\PY &&
	import json
	rows = {r["key"]: r for r in json.load(open("out.json"))["rows"]}
	assert rows["codex"]["output"] == 4, rows
	assert rows["codex"]["input"] == 40, rows
	assert rows["codex"]["requests"] == 2, rows
	PY
	grep "skipped 11 bad usage records (first: .*/a.jsonl:2: malformed JSON)" err
'

test_expect_success 'Codex: a member twice counts the last; bad usage named' '
	mkdir -p codex2/sessions &&
	{
		printf "{\"timestamp\":\"2026-11-21T10:00:00Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"y\",\"cwd\":\"%s\"}}\n" "$(pwd)/proj" &&
		echo "{\"timestamp\":\"2026-11-21T10:00:01Z\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":9000,\"output_tokens\":900},\"total_token_usage\":{\"input_tokens\":50,\"output_tokens\":5,\"output_tokens\":6}}}}" &&
		echo "{\"timestamp\":\"2026-11-21T10:00:02Z\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":60 \"output_tokens\":7}}}}"
	} >codex2/sessions/rollout-y.jsonl &&
	(cd proj && CODEX_HOME=$(pwd)/../codex2 git -c tokens.sources=codex \
		tokens usage --format json --by tool >../out.json 2>../err) &&
	python3 - <<-\PY &&
	import json
	rows = {r["key"]: r for r in json.load(open("out.json"))["rows"]}
	assert rows["codex"]["input"] == 50, rows
	assert rows["codex"]["output"] == 6, rows
	assert rows["codex"]["requests"] == 1, rows
	PY
	grep "^warning: skipped 1 bad usage record (first: .*/rollout-y.jsonl:3: malformed JSON)" err &&
	test $(grep -c "bad usage" err) = 1
'

test_expect_success UNREADABLE 'an unreadable file is skipped and named' '
	rm -rf cache &&
	chmod -R a+rX . &&
	chmod 000 claude/projects/p/a.jsonl &&
	as_user env XDG_CACHE_HOME=/nonexistent/x \
		git tokens usage --all-repos --format json >out.json 2>err &&
	chmod 644 claude/projects/p/a.jsonl &&
	test "$(json_get total.output <out.json)" = 8 &&
	grep "^warning: skipped 5 bad usage records (first: .*/claude/projects/p/a.jsonl: cannot read file)$" err
'

test_expect_success UNREADABLE 'an unreadable folder is skipped and named' '
	mkdir -p claude/projects/q &&
	rec good5 5000 >claude/projects/q/c.jsonl &&
	chmod 000 claude/projects/q &&
	as_user env XDG_CACHE_HOME=/nonexistent/x \
		git tokens usage --all-repos --format json >out.json 2>err &&
	chmod 755 claude/projects/q &&
	test "$(json_get total.output <out.json)" = 4131 &&
	grep "first: .*/claude/projects/p/a.jsonl:2: malformed JSON" err &&
	grep "skipped 12 bad" err
'

test_done
