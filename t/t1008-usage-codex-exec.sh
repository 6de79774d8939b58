#!/bin/sh

test_description='usage: codex exec --json output saved in CODEX_EXEC_LOG_DIR'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-sources.sh

CODEX_HOME=$(pwd)/codex
export CODEX_HOME

# exec_log <file> <thread> <turn totals>...: the events codex exec
# --json prints for a thread, one turn.completed per "in,cached,out"
# running total (Codex fills a turn's usage from the thread's total).
exec_log () {
	python3 - "$@" <<-\PY
	import json, os, sys
	path, tid = sys.argv[1:3]
	os.makedirs(os.path.dirname(path), exist_ok=True)
	ev = [{"type": "thread.started", "thread_id": tid}]
	for i, t in enumerate(sys.argv[3:]):
	    a, c, o = map(int, t.split(","))
	    ev += [{"type": "turn.started"},
	           {"type": "item.completed", "item": {"id": "item_%d" % i,
	            "type": "agent_message", "text": "done"}},
	           {"type": "turn.completed", "usage": {
	               "input_tokens": a, "cached_input_tokens": c,
	               "output_tokens": o}}]
	with open(path, "w") as f:
	    for e in ev:
	        f.write(json.dumps(e, separators=(",", ":")) + "\n")
	PY
}

# The rollout of thread 019aad50-...-e2, for the run also saved by
# exec: its one turn counts from here, with its time and model.
rollout () {
	d=codex/sessions/2026/11/22 &&
	mkdir -p $d &&
	cat >$d/rollout-2026-11-22T08-00-00-019aad50-0000-7000-8000-0000000000e2.jsonl <<-EOF
	{"timestamp":"2026-11-22T08:00:00.000Z","type":"session_meta","payload":{"id":"019aad50-0000-7000-8000-0000000000e2","cwd":"$(pwd)/proj","originator":"codex_exec","cli_version":"0.148.0","source":"exec"}}
	{"timestamp":"2026-11-22T08:00:01.000Z","type":"turn_context","payload":{"cwd":"$(pwd)/proj","model":"gpt-5"}}
	{"timestamp":"2026-11-22T08:00:09.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":3000,"cached_input_tokens":1000,"output_tokens":300,"reasoning_output_tokens":30,"total_tokens":3300},"last_token_usage":{"input_tokens":3000,"cached_input_tokens":1000,"output_tokens":300,"reasoning_output_tokens":30,"total_tokens":3300}}}}
	EOF
}

# By hand, at the test prices of gpt-5 (1.25 in, 10 out, 0.125 cache
# read per million):
#   e1, --ephemeral (no rollout), two turns, totals 1000/800/50 then
#   2500/2000/120: one event, its largest total: input 2500 - 2000 =
#   500, cache read 2000, output 120; $0.000625 + $0.00025 + $0.0012
#   = $0.002075, on 2026-11-21 (the file's time).
#   e2, a rollout too: 3000 in (1000 cached), 300 out, from the rollout
#   on 2026-11-22: input 2000, cache read 1000, output 300; $0.0025 +
#   $0.000125 + $0.003 = $0.005625.
test_expect_success 'setup' '
	git init -q proj &&
	use_test_prices &&
	mkdir -p codex &&
	echo "model = \"gpt-5\"" >codex/config.toml &&
	L=proj/.codex-exec &&
	exec_log $L/e1.jsonl 019aad50-0000-7000-8000-0000000000e1 \
		1000,800,50 2500,2000,120 &&
	exec_log $L/e2.jsonl 019aad50-0000-7000-8000-0000000000e2 \
		3000,1000,300 &&
	touch -d 2026-11-21T12:00:00Z $L/e1.jsonl $L/e2.jsonl &&
	rollout &&
	cat >expect.json <<-\EOF
	{"2026-11-21": {"requests": 1, "input": 500, "output": 120,
	                "cache_write": 0, "cache_read": 2000,
	                "cost_usd": 0.002075},
	 "2026-11-22": {"requests": 1, "input": 2000, "output": 300,
	                "cache_write": 0, "cache_read": 1000,
	                "cost_usd": 0.005625}}
	EOF
'

test_expect_success 'a thread once: its largest total, or its rollout' '
	(cd proj && CODEX_EXEC_LOG_DIR=$(pwd)/.codex-exec \
		git tokens usage --format json >../out.json 2>../err) &&
	check_usage out.json expect.json &&
	test_must_be_empty err &&
	(cd proj && CODEX_EXEC_LOG_DIR=$(pwd)/.codex-exec \
		git tokens usage --format json >../out.json 2>../err) &&
	check_usage out.json expect.json
'

test_expect_success 'without CODEX_EXEC_LOG_DIR only the rollout' '
	(cd proj && git tokens usage --format json >../out.json) &&
	test $(json_get total.requests <out.json) = 1 &&
	test $(json_get total.input <out.json) = 2000
'

test_expect_success 'a log outside the work tree: only with --all-repos' '
	mkdir logs &&
	cp proj/.codex-exec/e1.jsonl logs/e3.jsonl &&
	sed -i "s/e1\"/e3\"/" logs/e3.jsonl &&
	touch -d 2026-11-23T12:00:00Z logs/e3.jsonl &&
	(cd proj && CODEX_EXEC_LOG_DIR=$(pwd)/../logs,$(pwd)/.codex-exec \
		git tokens usage --format json >../out.json) &&
	check_usage out.json expect.json &&
	(cd proj && CODEX_EXEC_LOG_DIR=$(pwd)/../logs,$(pwd)/.codex-exec \
		git tokens usage --all-repos --format json >../out.json) &&
	test $(json_get total.requests <out.json) = 3
'

test_expect_success 'a bad line: one warning naming it, the rest counted' '
	echo "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":-1}}" \
		>>proj/.codex-exec/e1.jsonl &&
	echo "not json" >>proj/.codex-exec/e1.jsonl &&
	touch -d 2026-11-21T12:00:00Z proj/.codex-exec/e1.jsonl &&
	(cd proj && CODEX_EXEC_LOG_DIR=$(pwd)/.codex-exec \
		git tokens usage --format json >../out.json 2>../err) &&
	check_usage out.json expect.json &&
	grep "^warning: skipped 2 bad usage records (first: .*/e1\.jsonl:8: bad token count)" err
'

# A real run's output, as published in a public repository's tests
# (an --ephemeral run: no rollout). By hand: input 24763 - cached 24448
# = 315, cache read 24448, output 122 (reasoning 9 inside); at gpt-5's
# test prices $0.00039375 + $0.003056 + $0.00122 = $0.00466975.
test_expect_success 'real output: one turn, cached inside the input' '
	mkdir -p real &&
	cat >real/run.jsonl <<-\EOF &&
	{"type":"thread.started","thread_id":"01999ce5-f229-7661"}
	{"type":"turn.started"}
	{"type":"item.completed","item":{"id":"i1","type":"reasoning","text":"thinking"}}
	{"type":"item.completed","item":{"id":"i2","type":"agent_message","text":"the answer"}}
	{"type":"turn.completed","usage":{"input_tokens":24763,"cached_input_tokens":24448,"output_tokens":122,"reasoning_output_tokens":9}}
	EOF
	touch -d 2026-11-24T12:00:00Z real/run.jsonl &&
	(cd proj && CODEX_EXEC_LOG_DIR=$(pwd)/../real git -c tokens.sources=codex \
		tokens usage --all-repos --since 2026-11-24 --format json \
		>../out.json) &&
	cat >expect-real.json <<-\EOF &&
	{"2026-11-24": {"requests": 1, "input": 315, "output": 122,
	                "cache_write": 0, "cache_read": 24448,
	                "cost_usd": 0.00466975}}
	EOF
	check_usage out.json expect-real.json
'

test_done
