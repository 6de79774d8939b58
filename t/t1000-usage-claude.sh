#!/bin/sh

test_description='usage: Claude Code transcripts counted once per response'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME

# Write a Claude Code tree under claude/projects and, beside it, the
# responses the tree holds, each once (expect-<repo>.json): what the
# counting rules must give, worked out from how the files were made.
gen_claude () {
	python3 - "$@" <<-\PY
	import json, os, sys
	root = os.path.abspath("claude/projects")
	proj = os.path.abspath("proj")
	other = os.path.abspath("other")
	billed = []   # (cwd, day, usage, model, cost or None)

	def usage(i, o, cw5=0, cw1=0, cr=0):
	    u = {"input_tokens": i, "output_tokens": o,
	         "cache_creation_input_tokens": cw5 + cw1,
	         "cache_read_input_tokens": cr,
	         "cache_creation": {"ephemeral_5m_input_tokens": cw5,
	                            "ephemeral_1h_input_tokens": cw1},
	         "service_tier": "standard"}
	    return u

	def rec(cwd, sid, mid, rid, ts, u, model="claude-sonnet-4-5",
	        side=False, **extra):
	    r = {"parentUuid": None, "isSidechain": side, "userType": "external",
	         "cwd": cwd, "sessionId": sid, "version": "2.1.39",
	         "type": "assistant", "timestamp": ts,
	         "message": {"model": model, "id": mid, "type": "message",
	                     "role": "assistant",
	                     "content": [{"type": "text", "text": "ok"}],
	                     "usage": u}}
	    if rid:
	        r["requestId"] = rid
	    r.update(extra)
	    return r

	def progress(cwd, sid, inner, ts):
	    return {"type": "progress", "cwd": cwd, "sessionId": sid,
	            "timestamp": ts, "isSidechain": False,
	            "data": {"type": "agent_progress",
	                     "message": {"type": "assistant",
	                                 "timestamp": inner["timestamp"],
	                                 "requestId": inner.get("requestId"),
	                                 "message": inner["message"]}}}

	def write(path, recs, type_last=False, under=root):
	    path = os.path.join(under, path)
	    os.makedirs(os.path.dirname(path), exist_ok=True)
	    with open(path, "w") as f:
	        for r in recs:
	            if type_last:
	                # as Claude Code writes assistant records: the
	                # message first, the type after it
	                r = dict(r)
	                r["type"] = r.pop("type")
	            f.write((r if isinstance(r, str) else json.dumps(r)) + "\n")

	def bill(cwd, ts, u, model="claude-sonnet-4-5", cost=None):
	    billed.append((cwd, ts[:10], u, model, cost))

	a = []
	a.append({"type": "user", "cwd": proj, "sessionId": "sess-a",
	          "timestamp": "2026-11-20T10:00:00.000Z",
	          "message": {"role": "user",
	                      "content": "quote: \"usage\":{\"input_tokens\":5}"}})
	# A1 streamed: output grows 10, 10, 10, 299 on the last block.
	for n, out in enumerate([10, 10, 10, 299]):
	    a.append(rec(proj, "sess-a", "msg_a1", "req_a1",
	                 "2026-11-20T10:00:0%d.000Z" % (n + 1),
	                 usage(3, out, 613, 0, 50973)))
	bill(proj, "2026-11-20", usage(3, 299, 613, 0, 50973))
	# A2 with a 1-hour cache write, two blocks.
	for out in (7, 120):
	    a.append(rec(proj, "sess-a", "msg_a2", "req_a2",
	                 "2026-11-20T10:01:00.000Z", usage(5, out, 100, 200, 900)))
	bill(proj, "2026-11-20", usage(5, 120, 100, 200, 900))
	# S1: a subagent response nested in progress; its transcript exists.
	s1 = rec(proj, "sess-a", "msg_s1", "req_s1", "2026-11-20T10:02:00.000Z",
	         usage(40, 400, 0, 0, 4000), side=True,
	         model="claude-haiku-4-5")
	a.append(progress(proj, "sess-a", s1, "2026-11-20T10:02:01.000Z"))
	bill(proj, "2026-11-20", usage(40, 400, 0, 0, 4000), "claude-haiku-4-5")
	# S2: nested twice (growing), its transcript is gone: counted once.
	for out in (11, 222):
	    s2 = rec(proj, "sess-a", "msg_s2", "req_s2",
	             "2026-11-20T10:03:00.000Z", usage(50, out, 0, 0, 5000),
	             side=True, model="claude-haiku-4-5")
	    a.append(progress(proj, "sess-a", s2, "2026-11-20T10:03:01.000Z"))
	bill(proj, "2026-11-20", usage(50, 222, 0, 0, 5000), "claude-haiku-4-5")
	# No billable usage: a synthetic model, an API error message.
	a.append(rec(proj, "sess-a", "msg_syn", "req_syn",
	             "2026-11-20T10:04:00.000Z", usage(9, 9), model="<synthetic>"))
	a.append(rec(proj, "sess-a", "msg_err", "req_err",
	             "2026-11-20T10:04:30.000Z", usage(8, 8),
	             isApiErrorMessage=True))
	write("-proj/sess-a.jsonl", a)

	sub = []
	for out in (30, 400):
	    sub.append(rec(proj, "sess-a", "msg_s1", "req_s1",
	                   "2026-11-20T10:02:00.000Z", usage(40, out, 0, 0, 4000),
	                   side=True, model="claude-haiku-4-5", agentId="x"))
	# S3: the subagent's own second response, only here.
	sub.append(rec(proj, "sess-a", "msg_s3", "req_s3",
	               "2026-11-20T10:05:00.000Z", usage(60, 600, 0, 0, 6000),
	               side=True, model="claude-haiku-4-5", agentId="x"))
	bill(proj, "2026-11-20", usage(60, 600, 0, 0, 6000), "claude-haiku-4-5")
	write("-proj/sess-a/subagents/agent-x.jsonl", sub)
	# A /btw side question replays A1 under a new request id.
	write("-proj/sess-a/subagents/agent-btw.jsonl", [
	    rec(proj, "sess-a", "msg_a1", "req_btw", "2026-11-20T10:06:00.000Z",
	        usage(3, 299, 613, 0, 50973), side=True)])

	# A resumed session copies A1 and A2 into a new file, then goes on.
	b = [rec(proj, "sess-b", "msg_a1", "req_a1", "2026-11-20T10:00:04.000Z",
	         usage(3, 299, 613, 0, 50973)),
	     rec(proj, "sess-b", "msg_a2", "req_a2", "2026-11-20T10:01:00.000Z",
	         usage(5, 120, 100, 200, 900)),
	     rec(proj, "sess-b", "msg_b1", "req_b1", "2026-11-21T09:00:00.000Z",
	         usage(2, 77, 0, 0, 1234))]
	bill(proj, "2026-11-21", usage(2, 77, 0, 0, 1234))
	# A recorded cost is kept as recorded.
	b.append(rec(proj, "sess-b", "msg_b2", "req_b2", "2026-11-22T09:00:00.000Z",
	             usage(1, 1), costUSD=0.5))
	bill(proj, "2026-11-22", usage(1, 1), cost=0.5)
	write("-proj/sess-b.jsonl", b, type_last=True)

	# The folder name says proj, the records say other: records win.
	write("-proj-x/sess-c.jsonl", [
	    rec(other, "sess-c", "msg_c1", "req_c1", "2026-11-20T12:00:00.000Z",
	        usage(100, 1000, 0, 0, 0))])
	bill(other, "2026-11-20", usage(100, 1000, 0, 0, 0))

	# A fork of sess-a (claude --fork-session) copies A1 as it was and A2
	# under a new request id, each marked forkedFrom, then goes on.
	def fork(r, parent, sid, rid=None):
	    r = dict(r, sessionId=sid,
	             forkedFrom={"sessionId": parent, "messageUuid": "u"})
	    if rid:
	        r["requestId"] = rid
	    return r
	write("-proj/sess-f.jsonl", [
	    fork(a[4], "sess-a", "sess-f"),
	    fork(a[6], "sess-a", "sess-f", "req_f2"),
	    rec(proj, "sess-f", "msg_f1", "req_f1", "2026-11-23T08:00:00.000Z",
	        usage(7, 70, 0, 0, 700))])
	bill(proj, "2026-11-23", usage(7, 70, 0, 0, 700))
	# A fork of sess-c: its copy stands in when sess-c is gone.
	write("-proj-x/sess-g.jsonl", [
	    fork(rec(other, "sess-c", "msg_c1", "req_c1",
	             "2026-11-20T12:00:00.000Z", usage(100, 1000, 0, 0, 0)),
	         "sess-c", "sess-g")])

	# ~/.claude/transcripts/**: a copy of B1 (counted once) and T1,
	# a response only this file holds.
	write("2026/t-1.jsonl", [
	    b[2],
	    rec(proj, "sess-t", "msg_t1", "req_t1", "2026-11-24T08:00:00.000Z",
	        usage(9, 90, 0, 0, 900))],
	    under=os.path.abspath("claude/transcripts"))
	bill(proj, "2026-11-24", usage(9, 90, 0, 0, 900))

	prices = json.load(open(os.path.join(os.environ["GIT_TOKENS_DATADIR"],
	                                     "prices.json")))["models"]
	def price(u, model, cost):
	    if cost is not None:
	        return cost
	    p = prices[model]
	    cw1 = u["cache_creation"]["ephemeral_1h_input_tokens"]
	    cw5 = u["cache_creation_input_tokens"] - cw1
	    return (u["input_tokens"] * p["input"] + u["output_tokens"] * p["output"]
	            + cw5 * p["cache_write_5m"] + cw1 * p["cache_write_1h"]
	            + u["cache_read_input_tokens"] * p["cache_read"]) / 1e6

	for name, keep in (("proj", lambda c: c == proj), ("all", lambda c: True)):
	    days = {}
	    for cwd, day, u, model, cost in billed:
	        if not keep(cwd):
	            continue
	        d = days.setdefault(day, dict(requests=0, input=0, output=0,
	                                      cache_write=0, cache_read=0,
	                                      cost_usd=0.0))
	        d["requests"] += 1
	        d["input"] += u["input_tokens"]
	        d["output"] += u["output_tokens"]
	        d["cache_write"] += u["cache_creation_input_tokens"]
	        d["cache_read"] += u["cache_read_input_tokens"]
	        d["cost_usd"] += price(u, model, cost)
	    json.dump(days, open("expect-%s.json" % name, "w"), indent=1)
	PY
}

# Compare "git tokens usage --format json" output with an expectation.
check_usage () {
	python3 - "$1" "$2" <<-\PY
	import json, sys
	got = json.load(open(sys.argv[1]))
	want = json.load(open(sys.argv[2]))
	assert got["schema"] == "git-tokens/usage/v1", got["schema"]
	rows = {r["key"]: r for r in got["rows"]}
	assert sorted(rows) == sorted(want), (sorted(rows), sorted(want))
	tot = dict(requests=0, input=0, output=0, cache_write=0, cache_read=0,
	           cost_usd=0.0)
	for day, w in want.items():
	    r = rows[day]
	    for k in ("requests", "input", "output", "cache_write", "cache_read"):
	        assert r[k] == w[k], (day, k, r[k], w[k])
	        tot[k] += w[k]
	    assert r["total"] == (w["input"] + w["output"] + w["cache_write"]
	                          + w["cache_read"]), (day, r)
	    assert abs(r["cost_usd"] - w["cost_usd"]) < 1e-6, (day, r, w)
	    tot["cost_usd"] += w["cost_usd"]
	for k in ("requests", "input", "output", "cache_write", "cache_read"):
	    assert got["total"][k] == tot[k], (k, got["total"][k], tot[k])
	assert abs(got["total"]["cost_usd"] - tot["cost_usd"]) < 1e-6
	PY
}

test_expect_success 'setup' '
	git init -q proj &&
	git init -q other &&
	gen_claude &&
	CLAUDE_CONFIG_DIR=$(pwd)/claude &&
	export CLAUDE_CONFIG_DIR
'

test_expect_success 'one event per response, in this repository' '
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	test_must_be_empty err &&
	check_usage out.json expect-proj.json
'

test_expect_success '--all-repos counts every repository, outside one too' '
	git tokens usage --all-repos --format json >out.json 2>err &&
	test_must_be_empty err &&
	check_usage out.json expect-all.json
'

test_expect_success 'a second run reads the saved state and agrees' '
	test -f proj/.git/tokens/usage-claude-code.cache &&
	(cd proj && git tokens usage --format json >../out2.json) &&
	check_usage out2.json expect-proj.json &&
	(cd proj && git tokens usage --no-cache --format json >../out3.json) &&
	check_usage out3.json expect-proj.json
'

test_expect_success 'a nested response counts once when its transcript is gone' '
	mv claude/projects/-proj/sess-a/subagents/agent-x.jsonl agent-x.saved &&
	python3 - <<-\PY &&
	import json
	d = json.load(open("expect-proj.json"))
	# S3 lived only in the transcript; S1 is still nested in progress.
	day = d["2026-11-20"]
	day["requests"] -= 1
	day["input"] -= 60
	day["output"] -= 600
	day["cache_read"] -= 6000
	day["cost_usd"] -= (60 * 1 + 600 * 5 + 6000 * 0.1) / 1e6
	json.dump(d, open("expect-gone.json", "w"))
	PY
	(cd proj && git tokens usage --format json >../out.json) &&
	mv agent-x.saved claude/projects/-proj/sess-a/subagents/agent-x.jsonl &&
	check_usage out.json expect-gone.json
'

test_expect_success 'a fork'"'"'s copy counts when the original is gone' '
	mv claude/projects/-proj-x/sess-c.jsonl sess-c.saved &&
	git tokens usage --all-repos --no-cache --format json >out.json &&
	mv sess-c.saved claude/projects/-proj-x/sess-c.jsonl &&
	check_usage out.json expect-all.json
'

# W1 searched the web 3 times (and fetched once, which is free), logged
# on two streamed lines: 20 input, 200 output, 2000 cache read of
# claude-sonnet-4-5 at $3, $15 and $0.30 per million = $0.00366, and 3
# searches at $10 per 1,000 = $0.03.
test_expect_success 'web searches are counted, shown and priced per search' '
	mkdir -p ws/projects/-proj &&
	for out in 20 200
	do
		printf "%s\n" "{\"type\":\"assistant\",\"cwd\":\"$(pwd)/proj\",\"sessionId\":\"sess-w\",\"timestamp\":\"2026-11-25T08:00:00.000Z\",\"requestId\":\"req_w1\",\"message\":{\"model\":\"claude-sonnet-4-5\",\"id\":\"msg_w1\",\"usage\":{\"input_tokens\":20,\"output_tokens\":$out,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":2000,\"server_tool_use\":{\"web_search_requests\":3,\"web_fetch_requests\":1},\"service_tier\":\"standard\"}}}" || return 1
	done >ws/projects/-proj/sess-w.jsonl &&
	mkdir -p wsdata &&
	cat >wsdata/prices.json <<-\EOF &&
	{"schema": "git-tokens/prices/v1",
	 "models": {"claude-sonnet-4-5": {"input": 3, "output": 15,
	                                  "cache_read": 0.3}}}
	EOF
	(
		cd proj &&
		CLAUDE_CONFIG_DIR=$(pwd)/../ws &&
		GIT_TOKENS_DATADIR=$(pwd)/../wsdata &&
		export CLAUDE_CONFIG_DIR GIT_TOKENS_DATADIR &&
		git tokens usage --no-cache --format json >../out.json 2>../err &&
		grep "no web search price for model .claude-sonnet-4-5." \
			../err &&
		test "$(json_get total.web_searches <../out.json)" = 3 &&
		test "$(json_get total.output <../out.json)" = 200 &&
		test "$(json_get total.cost_usd <../out.json)" = null &&
		cat >../ws-prices.json <<-\EOF &&
		{"schema": "git-tokens/prices/v1",
		 "web_search": {"anthropic": 10}}
		EOF
		git config tokens.prices "$(pwd)/../ws-prices.json" &&
		git tokens usage --no-cache --format json >../out.json 2>../err &&
		git tokens usage --no-cache --format csv >../out.csv &&
		git config --unset tokens.prices &&
		test_must_be_empty ../err &&
		test "$(json_get total.web_searches <../out.json)" = 3 &&
		python3 -c "import json,sys
c = json.load(open(\"../out.json\"))[\"total\"][\"cost_usd\"]
assert abs(c - 0.03366) < 1e-9, c"
	) &&
	head -n 1 out.csv | tr -d "\r" >head.csv &&
	echo "key,requests,input,output,cache_write,cache_read,total,cost_usd,web_searches" >expect &&
	test_cmp expect head.csv
'

test_expect_success 'CLAUDE_CONFIG_DIR may name projects/ and be a list' '
	mkdir -p empty &&
	CLAUDE_CONFIG_DIR="$(pwd)/empty,$(pwd)/claude/projects" \
		git tokens usage --all-repos --no-cache --format json >out.json &&
	check_usage out.json expect-all.json
'

test_expect_success 'without CLAUDE_CONFIG_DIR: ~/.claude and ~/.config/claude' '
	mkdir -p h1/.config h1/.claude &&
	cp -R claude/projects h1/.config/claude-projects &&
	mkdir h1/.config/claude &&
	mv h1/.config/claude-projects h1/.config/claude/projects &&
	cp -R claude/transcripts h1/.config/claude/transcripts &&
	(
		HOME=$(pwd)/h1 &&
		unset CLAUDE_CONFIG_DIR &&
		git tokens usage --all-repos --no-cache --format json >out.json
	) &&
	check_usage out.json expect-all.json &&
	mkdir -p h2 &&
	cp -R claude h2/.claude &&
	(
		HOME=$(pwd)/h2 &&
		unset CLAUDE_CONFIG_DIR &&
		git tokens usage --all-repos --no-cache --format json >out.json
	) &&
	check_usage out.json expect-all.json
'

test_expect_success 'tokens.sources can turn the source off' '
	git -C proj config tokens.sources codex &&
	(cd proj && git tokens usage --format json >../out.json) &&
	test "$(json_get total.requests <out.json)" = 0 &&
	git -C proj config --unset tokens.sources
'

test_expect_success 'tokens.claude-code.path overrides the environment' '
	git -C proj config tokens.claude-code.path "$(pwd)/empty" &&
	(cd proj && git tokens usage --no-cache --format json >../out.json) &&
	test "$(json_get total.requests <out.json)" = 0 &&
	git -C proj config --add tokens.claude-code.path "$(pwd)/claude" &&
	(cd proj && git tokens usage --no-cache --format json >../out.json) &&
	check_usage out.json expect-proj.json &&
	git -C proj config --unset-all tokens.claude-code.path
'

test_done
