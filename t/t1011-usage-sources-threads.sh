#!/bin/sh

test_description='usage: every source read at once, as read one by one'

. "$(dirname "$0")"/lib-tokens.sh

HOME=$(pwd)/home
XDG_CACHE_HOME=$(pwd)/cache
CLAUDE_CONFIG_DIR=$HOME/.claude
export HOME XDG_CACHE_HOME CLAUDE_CONFIG_DIR

# usage <threads> <name> [<option>...]: out-<name>, err-<name>
usage () {
	n=$1 name=$2 &&
	shift 2 &&
	(cd home/proj &&
	 GIT_TOKENS_THREADS=$n git tokens usage --all-repos --format json \
		"$@" >../../out-$name 2>../../err-$name)
}

# Every tool against what the generator wrote.
check_tools () {
	python3 - "$1" <<-\PY
	import json, sys
	want = json.load(open("home/expected-tools.json"))
	got = {r["key"]: r for r in json.load(open(sys.argv[1]))["rows"]}
	bad = [(t, k) for t in set(want) | set(got)
	       for k in ("input", "output", "cache_write", "cache_read")
	       if want.get(t, {}).get(k) != got.get(t, {}).get(k)]
	print("tools", sorted(got), "differ", bad)
	sys.exit(1 if bad or len(got) < 20 else 0)
	PY
}

test_expect_success 'setup: the logs of every source, bad records in two' '
	mkdir -p home/proj &&
	git init -q home/proj &&
	python3 "$TEST_SRCDIR"/perf/gen-all-sources.py home home/proj \
		--mib 0.05 &&
	codex=$(find home/.codex -name "*.jsonl" | sort | head -n 1) &&
	kimi=$(find home/.kimi -name "wire.jsonl" | sort | head -n 1) &&
	test -n "$codex" && test -n "$kimi" &&
	echo "{\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":{x}}}" >>"$codex" &&
	echo "{\"timestamp\": 1790812849.5, \"message\": {\"type\": \"StatusUpdate\", \"payload\": {\"token_usage\": {x}}}}" >>"$kimi" &&
	usage 1 one-tool --by tool --no-cache &&
	check_tools out-one-tool &&
	grep "^warning: skipped 2 bad usage records (first: .*/\.codex/" \
		err-one-tool
'

for n in 2 3 4 16
do
	test_expect_success "$n threads: the same events, the same messages" '
		usage $n tool-$n --by tool --no-cache &&
		test_cmp out-one-tool out-tool-$n &&
		test_cmp err-one-tool err-tool-$n &&
		usage 1 one-session --by session --no-cache &&
		usage $n session-$n --by session --no-cache &&
		test_cmp out-one-session out-session-$n &&
		test_cmp err-one-session err-session-$n
	'
done

test_expect_success 'days in a chosen zone: aider read apart, the same' '
	usage 1 one-zone --by day --timezone America/New_York --no-cache &&
	usage 4 zone-4 --by day --timezone America/New_York --no-cache &&
	test_cmp out-one-zone out-zone-4 &&
	test_cmp err-one-zone err-zone-4
'

test_expect_success 'caches written on threads, then read on threads' '
	usage 4 cold --by session &&
	test_cmp out-one-session out-cold &&
	usage 4 warm --by session &&
	test_cmp out-one-session out-warm &&
	test_cmp err-one-session err-warm &&
	usage 1 warm-1 --by session &&
	test_cmp out-one-session out-warm-1
'

test_expect_success 'a source grown since: read again, the rest reused' '
	mkdir -p home2/proj &&
	git init -q home2/proj &&
	python3 "$TEST_SRCDIR"/perf/gen-all-sources.py home2 home2/proj \
		--mib 0.02 --seed 2 &&
	cp -R home2/.gemini/tmp/. home/.gemini/tmp/ &&
	usage 4 grown --by tool &&
	usage 1 grown-1 --by tool --no-cache &&
	test_cmp out-grown-1 out-grown &&
	test_cmp err-grown-1 err-grown &&
	! test_cmp out-one-tool out-grown
'

test_done
