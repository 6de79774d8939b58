#!/bin/sh

test_description='usage: the same result on one thread and on several'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
CODEX_HOME=$(pwd)/no-codex
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR CODEX_HOME

# Thirty session files: responses written as streamed copies (a line per
# content block, the output growing on the last), subagent responses
# nested in progress records, bad lines in some files, lines longer than
# a read and files of many reads. expect: what the files hold, counted
# by the generator: each response once, with its last copy's counters,
# and the warning the bad lines must give (the first by file and line).
gen () {
	python3 - "$@" <<-\PY
	import json, os, random, sys
	rnd = random.Random(int(sys.argv[1]))
	root = os.path.abspath("claude/projects")
	tot = {"requests": 0, "output": 0, "cache_read": 0}
	bad = []
	if os.path.exists("expect"):
	    tot = json.load(open("expect"))
	    bad = [tuple(b) for b in json.load(open("bad.json"))]
	seq = [0]

	def resp(cwd, sid, t, out, nested=False):
	    seq[0] += 1
	    mid = "msg_%s_%05d" % (sys.argv[1], seq[0])
	    rid = "req_%s_%05d" % (sys.argv[1], seq[0])
	    ts = "2026-11-%02dT%02d:%02d:00.000Z" % (1 + t % 28, t % 24, t % 60)
	    cr = rnd.randrange(1000, 9000)
	    tot["requests"] += 1
	    tot["output"] += out
	    tot["cache_read"] += cr
	    lines = []
	    for k in range(rnd.randrange(1, 4), 0, -1):
	        text = "x" * rnd.choice([10, 3000, 70000])
	        m = {"model": "claude-sonnet-4-5", "id": mid, "type": "message",
	             "role": "assistant",
	             "content": [{"type": "text", "text": text}],
	             "usage": {"input_tokens": 3, "output_tokens": out - k + 1,
	                       "cache_read_input_tokens": cr}}
	        r = {"isSidechain": nested, "cwd": cwd, "sessionId": sid,
	             "type": "assistant", "timestamp": ts, "requestId": rid,
	             "message": m}
	        if nested:
	            r = {"type": "progress", "cwd": cwd, "sessionId": sid,
	                 "timestamp": ts,
	                 "data": {"type": "agent_progress", "message": r}}
	        lines.append(json.dumps(r, separators=(",", ":")))
	    return lines

	for i in range(30):
	    proj = "p%d" % (i % 3)
	    cwd = os.path.abspath(proj)
	    sid = "s%02d" % i
	    path = os.path.join(root, proj, sid + ".jsonl")
	    os.makedirs(os.path.dirname(path), exist_ok=True)
	    lines = []
	    before = 0
	    if os.path.exists(path):
	        before = sum(1 for _ in open(path))
	    for j in range(rnd.randrange(2, 30)):
	        lines.append(json.dumps({"type": "user", "cwd": cwd,
	                                 "sessionId": sid,
	                                 "message": {"content": "y" * 500}}))
	        lines += resp(cwd, sid, i * 31 + j + len(lines),
	                      rnd.randrange(5, 900), nested=rnd.random() < 0.2)
	        if rnd.random() < 0.05:
	            lines.append('{"type":"assistant","message":{"usage":{x}}}')
	            bad.append((path, before + len(lines)))
	    with open(path, "a") as f:
	        f.write("\n".join(lines) + "\n")
	with open("expect", "w") as f:
	    json.dump(tot, f)
	with open("bad.json", "w") as f:
	    json.dump(bad, f)
	with open("expect-warning", "w") as f:
	    if bad:
	        p, n = min(bad)
	        f.write("warning: skipped %d bad usage record%s (first: %s:%d: "
	                "malformed JSON)\n" % (len(bad),
	                "" if len(bad) == 1 else "s", p, n))
	PY
}

run_usage () {
	GIT_TOKENS_THREADS=$1 git tokens usage --all-repos --by session \
		--format json $2 >out-$1 2>err-$1
}

# The generator's counts against the output.
check_totals () {
	python3 - "$1" <<-\PY
	import json, sys
	want = json.load(open("expect"))
	got = json.load(open(sys.argv[1]))["total"]
	bad = [k for k in want if got[k] != want[k]]
	print("want", want, "got", {k: got[k] for k in want})
	sys.exit(1 if bad else 0)
	PY
}

test_expect_success 'setup' '
	gen 1 &&
	test $(find claude -name "*.jsonl" | wc -l) = 30 &&
	test $(find claude -size +64k -name "*.jsonl" | wc -l) -gt 10
'

test_expect_success 'one thread: every response once, bad lines named' '
	run_usage 1 --no-cache &&
	check_totals out-1 &&
	test_cmp expect-warning err-1
'

for n in 2 3 4 16
do
	test_expect_success "$n threads: the same output and warnings" '
		run_usage $n --no-cache &&
		test_cmp out-1 out-$n &&
		test_cmp err-1 err-$n
	'
done

test_expect_success 'grown files read from the cache on several threads' '
	run_usage 4 &&
	test_cmp out-1 out-4 &&
	gen 2 &&
	run_usage 3 &&
	check_totals out-3 &&
	run_usage 1 --no-cache &&
	test_cmp out-1 out-3 &&
	test_cmp err-1 err-3 &&
	test_cmp expect-warning err-1
'

test_done
