#!/bin/sh

test_description='usage: Qwen Code chats, cached inside or apart from the prompt'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-sources.sh

# Write ~/.qwen/projects/ for the repositories proj and other, and
# expect-proj.json / expect-other.json from the tokens the records were
# made with.
gen_qwen () {
	python3 - <<-\PY
	import os, re
	from lib_sources import Expect, write_lines
	home = os.path.abspath(".qwen")
	proj = os.path.abspath("proj")
	other = os.path.abspath("other")
	ex = Expect()

	def folder(path):
	    return re.sub("[^A-Za-z0-9]", "-", path)

	def rec(uuid, ts, typ, cwd=None, **kw):
	    r = {"uuid": uuid, "parentUuid": None, "sessionId": "sess-q1",
	         "timestamp": ts, "type": typ, "version": "0.2.1"}
	    if cwd:
	        r["cwd"] = cwd
	    r.update(kw)
	    return r

	def meta(p, c, cached=0, thoughts=0):
	    # candidates already hold the thoughts: total = prompt + candidates
	    return {"promptTokenCount": p, "candidatesTokenCount": c,
	            "thoughtsTokenCount": thoughts,
	            "cachedContentTokenCount": cached,
	            "totalTokenCount": p + c}

	def call(uuid, ts, model, m, cwd=proj):
	    return rec(uuid, ts, "assistant", cwd, model=model,
	               message={"role": "model", "parts": [{"text": "ok"}]},
	               usageMetadata=m)

	def bill(repo, ts, model, m):
	    p, c, k = (m["promptTokenCount"], m["candidatesTokenCount"],
	               m["cachedContentTokenCount"])
	    inp = p - k if k <= p else p
	    ex.bill(repo, ts, model, inp, c, 0, k)

	def telemetry(ts, m):
	    # repeats the call before it: never counted
	    return rec("t-" + ts, ts, "system", proj, subtype="ui_telemetry",
	               systemPayload={"uiEvent": {
	                   "event.name": "qwen-code.api_response",
	                   "input_token_count": m["promptTokenCount"],
	                   "output_token_count": m["candidatesTokenCount"],
	                   "cached_content_token_count":
	                       m["cachedContentTokenCount"]}})

	lines = [rec("u1", "2026-11-20T10:00:00.000Z", "user", proj,
	             message={"role": "user", "parts": [{"text": "hi"}]})]
	# OpenAI-compatible: cached inside the prompt
	m1 = meta(12000, 300, 9000, 120)
	m2 = meta(15000, 80, 15000)
	# Anthropic: cached larger than the prompt, apart from it
	m3 = meta(1508, 205, 4864, 50)
	for uuid, ts, model, m in (
	        ("a1", "2026-11-20T10:00:05.000Z", "qwen3-coder-plus", m1),
	        ("a2", "2026-11-20T10:02:00.000Z", "qwen3-coder-plus", m2),
	        ("a3", "2026-11-21T09:00:00.000Z", "qwen3-coder-flash", m3)):
	    lines += [call(uuid, ts, model, m), telemetry(ts, m)]
	    bill(proj, ts, model, m)
	# a3 written again: the last copy counts, once
	m3b = meta(1508, 305, 4864, 50)
	lines.append(call("a3", "2026-11-21T09:00:00.000Z",
	                  "qwen3-coder-flash", m3b))
	ex.days[proj]["2026-11-21"]["output"] += 100
	ex.days[proj]["2026-11-21"]["cost_usd"] += 100 * 1.50 / 1e6
	# nothing to count
	lines.append(call("a4", "2026-11-21T09:05:00.000Z",
	                  "qwen3-coder-flash", meta(0, 0)))
	write_lines(home + "/projects/" + folder(proj) + "/chats/sess-q1.jsonl",
	            lines)

	# other: records without cwd, found by their folder's name
	m4 = meta(2000, 100, 500)
	write_lines(home + "/projects/" + folder(other) + "/chats/sess-q2.jsonl",
	            [call("b1", "2026-11-22T07:00:00.000Z", "qwen3-coder-plus",
	                  m4, cwd=None)])
	bill(other, "2026-11-22T07:00:00.000Z", "qwen3-coder-plus", m4)
	ex.write(proj, "expect-proj.json")
	ex.write(other, "expect-other.json")
	PY
}

test_expect_success 'setup' '
	git init -q proj &&
	git init -q other &&
	use_test_prices &&
	gen_qwen
'

test_expect_success 'cached inside the prompt when not larger; telemetry not read' '
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	check_usage out.json expect-proj.json &&
	test_must_be_empty err
'

test_expect_success 'the work tree from the project folder name' '
	(cd other && git tokens usage --format json >../out.json) &&
	check_usage out.json expect-other.json
'

test_expect_success 'QWEN_DATA_DIR and tokens.qwen-code.path' '
	mv .qwen q2 &&
	(cd proj && QWEN_DATA_DIR=$(pwd)/../q2 git tokens usage \
		--format json >../out.json) &&
	check_usage out.json expect-proj.json &&
	(cd proj && git config tokens.qwen-code.path "$(pwd)/../q2" &&
	 git tokens usage --format json >../out.json &&
	 git config --unset tokens.qwen-code.path) &&
	check_usage out.json expect-proj.json &&
	mv q2 .qwen
'

test_expect_success 'appended records read once; bad and cut lines named' '
	f=$(echo .qwen/projects/*proj/chats/sess-q1.jsonl) &&
	(cd proj && git tokens usage --format json >../before.json) &&
	echo "{\"type\":\"assistant\",\"usageMetadata\":{\"promptTokenCount\":" >>"$f" &&
	n=$(wc -l <"$f") &&
	echo "{\"uuid\":\"a5\",\"sessionId\":\"sess-q1\",\"type\":\"assistant\",\"timestamp\":\"2026-11-21T10:00:00Z\",\"cwd\":\"$(pwd)/proj\",\"model\":\"qwen3-coder-flash\",\"usageMetadata\":{\"promptTokenCount\":1000,\"candidatesTokenCount\":10,\"cachedContentTokenCount\":400}}" >>"$f" &&
	printf "%s" "{\"uuid\":\"a6\",\"type\":\"assistant\",\"usageMeta" >>"$f" &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	test $(json_get rows.1.requests <out.json) = 2 &&
	test $(json_get rows.1.input <out.json) = $(($(json_get rows.1.input <before.json) + 600)) &&
	test $(json_get rows.1.cache_read <out.json) = $(($(json_get rows.1.cache_read <before.json) + 400)) &&
	grep "^warning: skipped 2 bad usage records (first: .*sess-q1.jsonl:$n: not a JSON object)" err &&
	(cd proj && git tokens usage --format json >../again.json 2>/dev/null) &&
	test_cmp out.json again.json &&
	(cd proj && git tokens usage --no-cache --format json >../fresh.json 2>/dev/null) &&
	test_cmp out.json fresh.json
'

test_expect_success 'a member twice: the last counts; bad usageMetadata named' '
	mkdir -p q9/projects/x/chats &&
	f=q9/projects/x/chats/sess-q9.jsonl &&
	echo "{\"uuid\":\"a9\",\"sessionId\":\"sess-q9\",\"type\":\"assistant\",\"timestamp\":\"2026-11-21T10:00:00Z\",\"cwd\":\"$(pwd)/proj\",\"model\":\"qwen3-coder-flash\",\"usageMetadata\":{\"promptTokenCount\":9000},\"usageMetadata\":{\"promptTokenCount\":70,\"promptTokenCount\":50,\"candidatesTokenCount\":5}}" >$f &&
	echo "{\"uuid\":\"a10\",\"sessionId\":\"sess-q9\",\"type\":\"assistant\",\"timestamp\":\"2026-11-21T10:01:00Z\",\"cwd\":\"$(pwd)/proj\",\"usageMetadata\":{\"promptTokenCount\":5 \"candidatesTokenCount\":1}}" >>$f &&
	(cd proj && QWEN_DATA_DIR=$(pwd)/../q9 git -c tokens.sources=qwen-code \
		tokens usage --format json >../out.json 2>../err) &&
	test $(json_get total.requests <out.json) = 1 &&
	test $(json_get total.input <out.json) = 50 &&
	test $(json_get total.output <out.json) = 5 &&
	grep "^warning: skipped 1 bad usage record (first: .*/sess-q9.jsonl:2: malformed JSON)" err &&
	test $(grep -c "bad usage" err) = 1
'

test_expect_success 'a chat removed since the last run leaves with it' '
	rm .qwen/projects/*other/chats/sess-q2.jsonl &&
	git tokens usage --all-repos --format json >out.json 2>/dev/null &&
	test $(json_get total.requests <out.json) = 4
'

# Records of a real Qwen Code 0.14.2 session, as published in a public
# repository's tests: a ui_telemetry row that repeats the call, and the
# call. By hand: cached 13042 is not larger than the prompt 15599, so
# it is inside it: input = 15599 - 13042 = 2557, cache read 13042;
# output = candidates 76 (its 26 thoughts inside: total 15675 = 15599 +
# 76); one call; "coder-model" has no price: cost unknown.
test_expect_success 'real records: one call, cached inside the prompt' '
	d=real/projects/-Users-kunkun--adk-release-workspaces-uza2qoqz/chats &&
	mkdir -p $d &&
	cat >$d/session.jsonl <<-\EOF &&
	{"sessionId":"qwen-session-1","timestamp":"2026-04-12T05:12:58.028Z","type":"system","cwd":"/Users/kunkun/.adk/release/workspaces/uza2qoqz","version":"0.14.2","subtype":"ui_telemetry","systemPayload":{"uiEvent":{"event.name":"qwen-code.api_response","model":"coder-model"}}}
	{"sessionId":"qwen-session-1","timestamp":"2026-04-12T05:12:58.063Z","type":"assistant","cwd":"/Users/kunkun/.adk/release/workspaces/uza2qoqz","version":"0.14.2","model":"coder-model","message":{"role":"model","parts":[{"text":"hello"}]},"usageMetadata":{"promptTokenCount":15599,"candidatesTokenCount":76,"thoughtsTokenCount":26,"totalTokenCount":15675,"cachedContentTokenCount":13042}}
	EOF
	QWEN_DATA_DIR=$(pwd)/real git -c tokens.sources=qwen-code tokens usage \
		--all-repos --by model --format json >out.json 2>err &&
	cat >expect <<-\EOF &&
	coder-model 1 2557 76 0 13042 None
	EOF
	python3 -c "import json, sys
for r in json.load(sys.stdin)[\"rows\"]:
    print(r[\"key\"], r[\"requests\"], r[\"input\"], r[\"output\"],
          r[\"cache_write\"], r[\"cache_read\"], r[\"cost_usd\"])" \
		<out.json >actual &&
	test_cmp expect actual &&
	grep "no price for model .coder-model." err
'

test_done
