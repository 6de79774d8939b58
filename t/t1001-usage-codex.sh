#!/bin/sh

test_description='usage: Codex rollouts, deltas of running totals, forks'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CODEX_HOME=$(pwd)/codex
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME CODEX_HOME

command -v zstd >/dev/null && test_set_prereq ZSTD

# Write rollouts under codex/ and the turns they hold, each once, into
# expect-<repo>.json (per day), as the generator made them.
gen_codex () {
	python3 - <<-\PY
	import json, os
	home = os.path.abspath("codex")
	proj = os.path.abspath("proj")
	other = os.path.abspath("other")
	turns = []   # (cwd, day, model, usage) of every genuine turn
	K = ("input_tokens", "cached_input_tokens", "output_tokens",
	     "reasoning_output_tokens", "total_tokens")

	def tu(i, c, o, r):
	    return dict(zip(K, (i, c, o, r, i + o)))

	def add(a, b):
	    return {k: a[k] + b[k] for k in K}

	def ts(h, m, s, ms=0):
	    return "2026-11-%02dT%02d:%02d:%02d.%03dZ" % (h // 24 + 20, h % 24,
	                                                  m, s, ms)

	def line(t, typ, payload):
	    return json.dumps({"timestamp": t, "type": typ, "payload": payload},
	                      separators=(",", ":"))

	def meta(t, sid, cwd, **kw):
	    p = {"id": sid, "timestamp": t, "cwd": cwd,
	         "originator": "codex_cli_rs", "cli_version": "0.148.0",
	         "source": "cli", "model_provider": "openai"}
	    p.update(kw)
	    return line(t, "session_meta", p)

	def ctx(t, cwd, model):
	    return line(t, "turn_context", {"cwd": cwd, "model": model,
	                                    "effort": "medium"})

	def tok(t, total, last):
	    info = None if total is None else {
	        "total_token_usage": total, "last_token_usage": last,
	        "model_context_window": 258400}
	    return line(t, "event_msg", {"type": "token_count", "info": info,
	        "rate_limits": {"primary": {"used_percent": 1.0}}})

	def write(rel, lines):
	    path = os.path.join(home, rel)
	    os.makedirs(os.path.dirname(path), exist_ok=True)
	    with open(path, "w") as f:
	        f.write("\n".join(lines) + "\n")
	    return lines

	U1 = "019aad50-0000-7000-8000-000000000001"
	# The parent: re-emitted totals, a model switch, a counter reset.
	p, total = [], tu(0, 0, 0, 0)
	p.append(meta(ts(10, 0, 0), U1, proj))
	p.append(ctx(ts(10, 0, 1), proj, "gpt-5-codex"))
	p.append(tok(ts(10, 0, 2), None, None))
	steps = [("gpt-5-codex", tu(1000, 800, 100, 50), 1),
	         ("gpt-5-codex", tu(2000, 1700, 200, 20), 2),
	         ("gpt-5.1-codex", tu(4000, 3900, 40, 0), 0),
	         ("RESET", tu(500, 100, 60, 0), 1),
	         ("gpt-5.1-codex", tu(700, 600, 70, 7), 0)]
	m = 1
	model = "gpt-5-codex"
	for step, u, reemit in steps:
	    m += 5
	    if step == "RESET":
	        total = u          # the running total starts again
	    else:
	        if step != model:
	            model = step
	            p.append(ctx(ts(10, m, 0), proj, model))
	        total = add(total, u)
	    p.append(tok(ts(10, m, 30), total, u))
	    turns.append((proj, "2026-11-20", model, u))
	    for n in range(reemit):   # UI refreshes: same total, new time
	        p.append(tok(ts(10, m, 40 + n), total, u))
	write("sessions/2026/11/20/rollout-2026-11-20T10-00-00-%s.jsonl" % U1, p)
	parent_hist = [l for l in p if '"session_meta"' not in l]

	# A fork replays the parent's history in a burst, then goes on.
	U2 = "019aad50-0000-7000-8000-000000000002"
	f = [meta(ts(11, 0, 0), U2, proj, forked_from_id=U1)]
	f.append(meta(ts(11, 0, 0, 5), U1, proj))
	for n, l in enumerate(parent_hist):
	    d = json.loads(l)
	    d["timestamp"] = ts(11, 0, 0, 10 + n * 20)
	    f.append(json.dumps(d))
	own = tu(300, 200, 30, 3)
	f.append(ctx(ts(11, 1, 0), proj, "gpt-5.1-codex"))
	f.append(tok(ts(11, 1, 5), add(total, own), own))
	turns.append((proj, "2026-11-20", "gpt-5.1-codex", own))
	write("sessions/2026/11/20/rollout-2026-11-20T11-00-00-%s.jsonl" % U2, f)

	# A subagent thread replays part of it too.
	U3 = "019aad50-0000-7000-8000-000000000003"
	s = [meta(ts(12, 0, 0), U3, proj,
	          source={"subagent": {"thread_spawn": {
	              "parent_thread_id": U1, "depth": 1}}})]
	for n, l in enumerate(parent_hist[:6]):
	    d = json.loads(l)
	    d["timestamp"] = ts(12, 0, 0, 100 + n * 100)
	    s.append(json.dumps(d))
	base = json.loads(parent_hist[5])["payload"]["info"]["total_token_usage"]
	own = tu(900, 100, 90, 9)
	s.append(ctx(ts(12, 0, 20), proj, "gpt-5-codex"))
	s.append(tok(ts(12, 0, 30), add(base, own), own))
	turns.append((proj, "2026-11-20", "gpt-5-codex", own))
	write("sessions/2026/11/20/rollout-2026-11-20T12-00-00-%s.jsonl" % U3, s)

	# A fork that kept the parent's times: no burst to see, the
	# (total, last) pairs give the replay away.
	U4 = "019aad50-0000-7000-8000-000000000004"
	g = [meta(ts(13, 0, 0), U4, proj, forked_from_id=U1)] + parent_hist
	own = tu(50, 0, 5, 0)
	g.append(tok(ts(13, 5, 0), add(total, own), own))
	turns.append((proj, "2026-11-20", "gpt-5.1-codex", own))
	write("sessions/2026/11/20/rollout-2026-11-20T13-00-00-%s.jsonl" % U4, g)

	# The archived copy of the parent loses to sessions/; another
	# rollout lives only in the archive, in another repository, a day on.
	write("archived_sessions/rollout-2026-11-20T10-00-00-%s.jsonl" % U1, p)
	U5 = "019aad50-0000-7000-8000-000000000005"
	own = tu(10000, 4000, 1000, 0)
	write("archived_sessions/rollout-2026-11-21T09-00-00-%s.jsonl" % U5, [
	    meta(ts(33, 0, 0), U5, other), ctx(ts(33, 0, 1), other, "gpt-5-codex"),
	    tok(ts(33, 0, 9), own, own)])
	turns.append((other, "2026-11-21", "gpt-5-codex", own))

	# Compressed: written as .jsonl here, squeezed by the test.
	U6 = "019aad50-0000-7000-8000-000000000006"
	own = tu(1234, 234, 34, 4)
	write("sessions/2026/11/22/rollout-2026-11-22T08-00-00-%s.jsonl" % U6, [
	    meta(ts(56, 0, 0), U6, proj), ctx(ts(56, 0, 1), proj, "gpt-5-codex"),
	    tok(ts(56, 0, 9), own, own)])
	json.dump([proj, "2026-11-22", "gpt-5-codex", own], open("zst-turn.json", "w"))

	json.dump(turns, open("turns.json", "w"))
	PY
}

# expect <repo|all> <with-zst 0|1>: per-day totals of the genuine turns.
expect () {
	python3 - "$@" <<-\PY
	import json, os, sys
	turns = json.load(open("turns.json"))
	if sys.argv[2] == "1":
	    turns.append(json.load(open("zst-turn.json")))
	prices = json.load(open(os.path.join(os.environ["GIT_TOKENS_DATADIR"],
	                                     "prices.json")))["models"]
	days = {}
	for cwd, day, model, u in turns:
	    if sys.argv[1] != "all" and cwd != os.path.abspath(sys.argv[1]):
	        continue
	    d = days.setdefault(day, dict(requests=0, input=0, output=0,
	                                  cache_write=0, cache_read=0,
	                                  cost_usd=0.0))
	    unc = u["input_tokens"] - u["cached_input_tokens"]
	    d["requests"] += 1
	    d["input"] += unc
	    d["output"] += u["output_tokens"]
	    d["cache_read"] += u["cached_input_tokens"]
	    p = prices[model]
	    d["cost_usd"] += (unc * p["input"] + u["output_tokens"] * p["output"]
	                      + u["cached_input_tokens"] * p["cache_read"]) / 1e6
	json.dump(days, sys.stdout)
	PY
}

test_expect_success 'setup' '
	git init -q proj &&
	git init -q other &&
	gen_codex
'

test_expect_success 'deltas of totals: re-emits, resets, cached input split' '
	expect proj 1 >expect.json &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	test_must_be_empty err &&
	usage_matches out.json expect.json
'

test_expect_success 'archived rollouts count unless sessions/ has them' '
	expect all 1 >expect.json &&
	git tokens usage --all-repos --format json >out.json 2>err &&
	test_must_be_empty err &&
	usage_matches out.json expect.json
'

test_expect_success 'by model and by session' '
	(cd proj && git tokens usage --by model --format json >../out.json) &&
	python3 - <<-\PY &&
	import json
	got = {r["key"]: r for r in json.load(open("out.json"))["rows"]}
	turns = [t for t in json.load(open("turns.json"))
	         + [json.load(open("zst-turn.json"))] if t[0].endswith("/proj")]
	want = {}
	for cwd, day, model, u in turns:
	    want[model] = want.get(model, 0) + u["output_tokens"]
	assert {k: v["output"] for k, v in got.items()} == want, (got, want)
	PY
	(cd proj && git tokens usage --by session --format json >../out.json) &&
	test "$(json_get rows <out.json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")" = 5 &&
	printf %s 019aad50-0000-7000-8000-000000000001 | sha256sum | cut -c1-12 >sid &&
	grep "\"key\":\"$(cat sid)\"" out.json
'

test_expect_success 'appending a turn adds exactly that turn' '
	f=$(ls codex/sessions/2026/11/20/*0001.jsonl) &&
	python3 - "$f" <<-\PY &&
	import json, sys
	lines = open(sys.argv[1]).read().splitlines()
	last = [json.loads(l) for l in lines if "token_count" in l][-1]
	tot = last["payload"]["info"]["total_token_usage"]
	own = {"input_tokens": 111, "cached_input_tokens": 11,
	       "output_tokens": 22, "reasoning_output_tokens": 2,
	       "total_tokens": 133}
	new = {k: tot[k] + own[k] for k in tot}
	last["timestamp"] = "2026-11-20T18:00:00.000Z"
	last["payload"]["info"]["total_token_usage"] = new
	last["payload"]["info"]["last_token_usage"] = own
	with open(sys.argv[1], "a") as f:
	    f.write(json.dumps(last) + "\n")
	    f.write(json.dumps(last) + "\n")   # and a re-emit
	PY
	(cd proj && git tokens usage --format json >../out2.json) &&
	expect proj 1 >expect.json &&
	python3 - <<-\PY
	import json
	got = {r["key"]: r for r in json.load(open("out2.json"))["rows"]}
	want = json.load(open("expect.json"))
	d = got["2026-11-20"]
	w = want["2026-11-20"]
	assert d["requests"] == w["requests"] + 1, (d, w)
	assert d["input"] == w["input"] + 100, (d, w)
	assert d["cache_read"] == w["cache_read"] + 11, (d, w)
	assert d["output"] == w["output"] + 22, (d, w)
	PY
'

test_expect_success ZSTD '.jsonl.zst rollouts are read' '
	f=$(ls codex/sessions/2026/11/22/*.jsonl) &&
	zstd -q --rm "$f" &&
	test -f "$f.zst" &&
	git tokens usage --all-repos --format json >out.json 2>err &&
	if grep "built without zstd" err
	then
		expect all 0 >expect.json
	else
		test_must_be_empty err &&
		expect all 1 >expect.json
	fi &&
	python3 - <<-\PY &&
	import json
	got = {r["key"]: r for r in json.load(open("out.json"))["rows"]}
	want = json.load(open("expect.json"))
	assert sorted(got) == sorted(want), (sorted(got), sorted(want))
	for k in ("2026-11-21", "2026-11-22"):
	    if k in want:
	        assert got[k]["input"] == want[k]["input"], (got[k], want[k])
	        assert got[k]["output"] == want[k]["output"], (got[k], want[k])
	PY
	zstd -q -d "$f.zst" -o "$f" &&
	git tokens usage --all-repos --format json >out.json 2>err &&
	test_must_be_empty err &&
	test "$(grep -c 2026-11-22 out.json)" = 1
'

# One turn of gpt-5.5: 1000 input of which 400 cached, 100 output. At
# $5 input, $30 output, $0.50 cached per million: 600 x 5 + 100 x 30 +
# 400 x 0.5 = 6,200 millionths, $0.0062; the fast tier at 2.5x: $0.0155.
test_expect_success 'the fast tier of config.toml is priced with its multiplier' '
	mkdir -p fh/sessions/2026/11/25 &&
	cat >fh/sessions/2026/11/25/rollout-2026-11-25T08-00-00-019aad50-0000-7000-8000-0000000000f1.jsonl <<-EOF &&
	{"timestamp":"2026-11-25T08:00:00.000Z","type":"session_meta","payload":{"id":"019aad50-0000-7000-8000-0000000000f1","timestamp":"2026-11-25T08:00:00.000Z","cwd":"$(pwd)/proj","originator":"codex_cli_rs","cli_version":"0.148.0","source":"exec","model_provider":"openai"}}
	{"timestamp":"2026-11-25T08:00:01.000Z","type":"turn_context","payload":{"cwd":"$(pwd)/proj","model":"gpt-5.5","effort":"medium"}}
	{"timestamp":"2026-11-25T08:00:09.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":1000,"cached_input_tokens":400,"output_tokens":100,"reasoning_output_tokens":10,"total_tokens":1100},"last_token_usage":{"input_tokens":1000,"cached_input_tokens":400,"output_tokens":100,"reasoning_output_tokens":10,"total_tokens":1100},"model_context_window":258400}}}
	EOF
	cat >fh/config.toml <<-\EOF &&
	model = "gpt-5.5"
	service_tier_override = "standard"
	service_tier = "priority" # the fast tier
	EOF
	mkdir -p fdata &&
	cat >fdata/prices.json <<-\EOF &&
	{"schema": "git-tokens/prices/v1",
	 "models": {"gpt-5.5": {"provider": "openai", "input": 5,
	                        "output": 30, "cache_read": 0.5}}}
	EOF
	cat >fast-prices.json <<-\EOF &&
	{"schema": "git-tokens/prices/v1",
	 "models": {"gpt-5.5": {"provider": "openai", "input": 5,
	                        "output": 30, "cache_read": 0.5, "fast": 2.5}}}
	EOF
	# A fast tier with a row of its own: its rates, not the multiplier
	# (600 x 12.5 + 100 x 75 + 400 x 1.25 = 15,500 millionths).
	cat >own-row.json <<-\EOF &&
	{"schema": "git-tokens/prices/v1",
	 "models": {"gpt-5.5": {"provider": "openai", "input": 5,
	                        "output": 30, "cache_read": 0.5, "fast": 2},
	            "gpt-5.5-fast": {"provider": "openai", "input": 12.5,
	                             "output": 75, "cache_read": 1.25}}}
	EOF
	(
		cd proj &&
		CODEX_HOME=$(pwd)/../fh &&
		GIT_TOKENS_DATADIR=$(pwd)/../fdata &&
		export CODEX_HOME GIT_TOKENS_DATADIR &&
		git tokens usage --by model --format json >../f1.json 2>../err1 &&
		git config tokens.prices "$(pwd)/../fast-prices.json" &&
		git tokens usage --by model --format json >../f2.json 2>../err2 &&
		sed "s/priority/flex/" ../fh/config.toml >../config.toml &&
		mv ../config.toml ../fh/config.toml &&
		git tokens usage --by model --format json >../f3.json 2>../err3 &&
		sed "s/flex/fast/" ../fh/config.toml >../config.toml &&
		mv ../config.toml ../fh/config.toml &&
		git config tokens.prices "$(pwd)/../own-row.json" &&
		git tokens usage --by model --format json >../f4.json 2>../err4 &&
		git config --unset tokens.prices
	) &&
	grep "no price for model .gpt-5.5-fast." err1 &&
	test "$(json_get rows.0.key <f1.json)" = gpt-5.5-fast &&
	test "$(json_get total.cost_usd <f1.json)" = null &&
	test_must_be_empty err2 &&
	test "$(json_get rows.0.key <f2.json)" = gpt-5.5-fast &&
	test "$(json_get rows.0.input <f2.json)" = 600 &&
	test "$(json_get rows.0.cache_read <f2.json)" = 400 &&
	test "$(json_get total.cost_usd <f2.json)" = 0.0155 &&
	test_must_be_empty err3 &&
	test "$(json_get rows.0.key <f3.json)" = gpt-5.5 &&
	test "$(json_get total.cost_usd <f3.json)" = 0.0062 &&
	test_must_be_empty err4 &&
	test "$(json_get rows.0.key <f4.json)" = gpt-5.5-fast &&
	test "$(json_get total.cost_usd <f4.json)" = 0.0155
'

test_done
