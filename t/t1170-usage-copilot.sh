#!/bin/sh

test_description='usage: GitHub Copilot CLI, OpenTelemetry export and session state'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME
unset COPILOT_OTEL_FILE_EXPORTER_PATH

# Write ~/.copilot as Copilot CLI does with the file exporter on: spans,
# logs and metrics of the same calls in ~/.copilot/otel/copilot.jsonl,
# and session-state/<id>/events.jsonl naming each session's cwd; plus
# expect-proj.json and expect-other.json, the usage per UTC day worked
# out here from the calls themselves (each once).
gen_copilot () {
	python3 - <<-\PY
	import json, os
	proj, other = os.path.abspath("proj"), os.path.abspath("other")
	# USD per million: input, output, cache write, cache read
	price = {"claude-sonnet-4.5": (3, 15, 3.75, 0.3),
	         "claude-haiku-4.5": (1, 5, 1.25, 0.1),
	         "gpt-5.1": (1.25, 10, 1.25, 0.125)}
	expect = {proj: {}, other: {}}
	otel = []

	def bill(repo, sec, model, i, o, cr=0, cw=0):
	    import time
	    day = time.strftime("%Y-%m-%d", time.gmtime(sec))
	    e = expect[repo].setdefault(day, dict(requests=0, input=0,
	        output=0, cache_write=0, cache_read=0, cost_usd=0.0))
	    inp = i - min(cr, i)   # input_tokens includes the cache reads
	    e["requests"] += 1
	    e["input"] += inp
	    e["output"] += o
	    e["cache_write"] += cw
	    e["cache_read"] += cr
	    if model not in price:
	        e["cost_usd"] = None
	    elif e["cost_usd"] is not None:
	        pi, po, pw, pr = price[model]
	        e["cost_usd"] += (inp * pi + o * po + cw * pw + cr * pr) / 1e6

	def usage(i, o, cr=0, cw=0, strings=False):
	    u = {"gen_ai.usage.input_tokens": i,
	         "gen_ai.usage.output_tokens": o,
	         "gen_ai.usage.cache_read.input_tokens": cr,
	         "gen_ai.usage.cache_creation.input_tokens": cw,
	         "gen_ai.usage.reasoning.output_tokens": o // 3}
	    return {k: str(v) for k, v in u.items()} if strings else u

	def span(trace, sid, name, op, sec, attrs):
	    a = {"gen_ai.operation.name": op}
	    a.update(attrs)
	    otel.append({"type": "span", "traceId": trace, "spanId": sid,
	        "parentSpanId": None, "name": name, "kind": 0,
	        "startTime": [sec - 3, 133000000],
	        "endTime": [sec, 967317833], "attributes": a,
	        "status": {"code": 0}, "events": [], "links": [],
	        "resource": {"attributes": {"service.name": "github-copilot"}},
	        "instrumentationScope": {"name": "github.copilot"}})

	def log(trace, sid, event, sec, attrs, body):
	    a = {"event.name": event}
	    a.update(attrs)
	    otel.append({"hrTime": [sec, 5000000],
	        "spanContext": {"traceId": trace, "spanId": sid, "traceFlags": 1},
	        "attributes": a, "_body": body,
	        "instrumentationScope": {"name": "github.copilot"}})

	def conv(sid, model=None):
	    a = {"gen_ai.conversation.id": sid}
	    if model:
	        a["gen_ai.response.model"] = model
	        a["gen_ai.request.model"] = model
	    return a

	def chat(trace, sid, sess, sec, model, *u, strings=False):
	    a = conv(sess, model)
	    a.update(usage(*u, strings=strings))
	    span(trace, sid, "chat " + model, "chat", sec, a)

	def turn(trace, sid, sess, sec, n, *u):
	    a = conv(sess)
	    a["turn.index"] = n
	    a.update(usage(*u))
	    log(trace, sid, "copilot_chat.agent.turn", sec, a,
	        "copilot_chat.agent.turn: %d" % n)

	T = 1763632800   # 2025-11-20T10:00:00Z
	# Trace 1: two chat calls; the turn logs, the inference log, the
	# invoke_agent span and the metric repeat them.
	otel.append({"type": "metric", "name": "gen_ai.client.token.usage",
	             "dataPoints": [{"value": 20093}]})
	span("t1", "tool", "execute_tool rg", "execute_tool", T + 5,
	     {"gen_ai.tool.name": "rg"})
	chat("t1", "c1", "sess-a", T + 10, "claude-sonnet-4.5", 19452, 281, 12000, 300)
	bill(proj, T + 10, "claude-sonnet-4.5", 19452, 281, 12000, 300)
	a = conv("sess-a", "claude-sonnet-4.5")
	a.update(usage(19452, 281, 12000, 300))
	log("t1", "c1", "gen_ai.client.inference.operation.details", T + 10, a,
	    "GenAI inference: claude-sonnet-4.5")
	turn("t1", "l0", "sess-a", T + 11, 0, 19452, 281, 12000, 300)
	# counters as strings, as some exporters write them
	chat("t1", "c2", "sess-a", T + 20, "gpt-5.1", 811, 92, 640, strings=True)
	bill(proj, T + 20, "gpt-5.1", 811, 92, 640)
	turn("t1", "l1", "sess-a", T + 21, 1, 811, 92, 640)
	a = conv("sess-a", "claude-sonnet-4.5")
	a.update(usage(19452 + 811, 281 + 92, 12640, 300))
	span("t1", "agent", "invoke_agent copilot", "invoke_agent", T + 22, a)
	# the same span flushed twice: once
	otel.append(dict(otel[-3]))

	# Trace 2, the next day: agent-turn logs only; the invoke_agent span
	# (their sum) names the model.
	D = T + 86400
	turn("t2", "l0", "sess-a", D, 0, 5000, 100, 4000, 0)
	turn("t2", "l1", "sess-a", D + 30, 1, 7000, 200, 0, 1000)
	a = conv("sess-a", "gpt-5.1")
	a.update(usage(12000, 300, 4000, 1000))
	span("t2", "agent", "invoke_agent copilot", "invoke_agent", D + 31, a)
	bill(proj, D, "gpt-5.1", 5000, 100, 4000)
	bill(proj, D + 30, "gpt-5.1", 7000, 200, 0, 1000)

	# Trace 3: inference logs and a turn log, no chat span.
	a = conv("sess-a", "claude-sonnet-4.5")
	a.update(usage(900, 40, 0, 800))
	log("t3", "i1", "gen_ai.client.inference.operation.details", D + 60,
	    a, "GenAI inference: claude-sonnet-4.5")
	turn("t3", "l0", "sess-a", D + 61, 0, 900, 40, 0, 800)
	bill(proj, D + 60, "claude-sonnet-4.5", 900, 40, 0, 800)

	# Trace 4: another session, in another repository.
	chat("t4", "c1", "sess-b", T + 100, "claude-haiku-4.5", 3000, 50, 2500, 100)
	bill(other, T + 100, "claude-haiku-4.5", 3000, 50, 2500, 100)

	# Trace 5: a model the price table lacks, on a day of its own.
	chat("t5", "c1", "sess-a", T + 2 * 86400, "grok-code-fast-1", 1000, 10)
	bill(proj, T + 2 * 86400, "grok-code-fast-1", 1000, 10)

	os.makedirs(".copilot/otel")
	with open(".copilot/otel/copilot.jsonl", "w") as f:
	    for r in otel:
	        f.write(json.dumps(r) + "\n")

	def events(sid, cwd, start):
	    d = ".copilot/session-state/%s" % sid
	    os.makedirs(d)
	    ev = [{"type": "session.start", "data": {"sessionId": sid,
	           "version": 1, "producer": "copilot-agent",
	           "copilotVersion": "1.0.86", "startTime": start,
	           "context": {"cwd": cwd, "gitRoot": cwd, "branch": "main"}},
	           "id": "e0", "timestamp": start, "parentId": None},
	          {"type": "session.model_change", "data": {"newModel": "auto"},
	           "id": "e1", "timestamp": start, "parentId": "e0"},
	          {"type": "assistant.message", "data": {"messageId": "m1",
	           "content": "ok", "outputTokens": 281}, "id": "e2",
	           "timestamp": start, "parentId": "e1"},
	          {"type": "session.shutdown", "data": {"modelMetrics": {
	           "claude-sonnet-4.5": {"requests": {"count": 5, "cost": 1},
	           "usage": {"inputTokens": 129755, "outputTokens": 16496,
	           "cacheReadTokens": 91485, "cacheWriteTokens": 0}}}},
	           "id": "e3", "timestamp": start, "parentId": "e2"}]
	    with open(d + "/events.jsonl", "w") as f:
	        for e in ev:
	            f.write(json.dumps(e) + "\n")
	events("sess-a", proj, "2025-11-20T09:59:00.000Z")
	events("sess-b", other, "2025-11-20T09:59:00.000Z")
	for repo, name in ((proj, "proj"), (other, "other")):
	    with open("expect-%s.json" % name, "w") as f:
	        json.dump(expect[repo], f)
	PY
}

test_expect_success 'setup' '
	git init -q proj &&
	git init -q other &&
	gen_copilot
'

test_expect_success 'each call once: chat spans, else inference logs, else turns' '
	(cd proj && git tokens usage --since 2025-01-01 --format json \
		>../out.json 2>../err) &&
	usage_matches out.json expect-proj.json &&
	grep "^warning: no price for model .grok-code-fast-1.: its cost is unknown" err &&
	test_line_count = 1 err
'

test_expect_success 'the session-state cwd ties calls to their repository' '
	(cd other && git tokens usage --since 2025-01-01 --format json \
		>../out.json) &&
	usage_matches out.json expect-other.json &&
	git tokens usage --all-repos --since 2025-01-01 --format json \
		>out.json 2>/dev/null &&
	usage_matches out.json expect-proj.json expect-other.json
'

test_expect_success 'an unpriced model is cost unknown, never $0' '
	(cd proj && git tokens usage --since 2025-01-01 --by model \
		--format json >../out.json 2>/dev/null) &&
	python3 - <<-\PY
	import json
	d = json.load(open("out.json"))
	rows = {r["key"]: r for r in d["rows"]}
	assert rows["grok-code-fast-1"]["cost_usd"] is None, rows
	assert rows["gpt-5.1"]["cost_usd"] > 0, rows
	assert d["total"]["cost_usd"] is None, d
	PY
'

test_expect_success 'appended lines are read on the next run, as without cache' '
	cat >>.copilot/otel/copilot.jsonl <<-\EOF &&
	{"type":"span","traceId":"t6","spanId":"c1","name":"chat gpt-5.1","startTime":[1763719200,0],"endTime":[1763719205,0],"attributes":{"gen_ai.operation.name":"chat","gen_ai.conversation.id":"sess-a","gen_ai.response.model":"gpt-5.1","gen_ai.usage.input_tokens":100,"gen_ai.usage.output_tokens":10}}
	EOF
	(cd proj && git tokens usage --since 2025-01-01 --format json \
		>../out.json 2>/dev/null) &&
	test "$(json_get rows.1.requests <out.json)" = 4 &&
	test "$(json_get rows.1.input <out.json)" = $((1000 + 7000 + 900 + 100)) &&
	(cd proj && git tokens usage --since 2025-01-01 --no-cache \
		--format json >../out2.json 2>/dev/null) &&
	test_cmp out.json out2.json
'

test_expect_success 'the file COPILOT_OTEL_FILE_EXPORTER_PATH names is read' '
	mkdir exports &&
	cat >exports/run.jsonl <<-\EOF &&
	{"type":"span","traceId":"t7","spanId":"c1","name":"chat gpt-5.1","endTime":[1763719300,0],"attributes":{"gen_ai.operation.name":"chat","gen_ai.conversation.id":"sess-a","gen_ai.response.model":"gpt-5.1","gen_ai.usage.input_tokens":50,"gen_ai.usage.output_tokens":5}}
	EOF
	(cd proj && COPILOT_OTEL_FILE_EXPORTER_PATH=$HOME/exports/run.jsonl \
		git tokens usage --since 2025-01-01 --format json \
		>../out.json 2>/dev/null) &&
	test "$(json_get rows.1.requests <out.json)" = 5
'

test_expect_success 'tokens.copilot-cli.path: a folder of exports elsewhere' '
	git -C proj config tokens.copilot-cli.path "$HOME/exports" &&
	(cd proj && git tokens usage --since 2025-01-01 --format json \
		>../out.json 2>/dev/null) &&
	git -C proj config --unset tokens.copilot-cli.path &&
	test "$(json_get rows.0.key <out.json)" = 2025-11-21 &&
	test "$(json_get rows.0.requests <out.json)" = 1 &&
	test "$(json_get rows.0.input <out.json)" = 50
'

test_expect_success 'bad lines: one warning naming the first, the rest counted' '
	f=.copilot/otel/copilot.jsonl &&
	echo "{\"type\":\"span\",\"traceId\":\"t8\"," >>$f &&
	n=$(wc -l <$f) &&
	echo "{\"type\":\"span\",\"traceId\":\"t9\",\"spanId\":\"c\",\"name\":\"chat gpt-5.1\",\"endTime\":[1763719400,0],\"attributes\":{\"gen_ai.operation.name\":\"chat\",\"gen_ai.conversation.id\":\"sess-a\",\"gen_ai.response.model\":\"gpt-5.1\",\"gen_ai.usage.input_tokens\":-5}}" >>$f &&
	printf "%s" "{\"type\":\"span\",\"traceId\":\"t10\"" >>$f &&
	(cd proj && git tokens usage --since 2025-01-01 --format json \
		>../out.json 2>../err) &&
	test "$(json_get rows.1.requests <out.json)" = 4 &&
	grep "^warning: skipped 3 bad usage records (first: .*copilot.jsonl:$n: not a JSON object)" err &&
	head -n $((n - 1)) $f >tmp && mv tmp $f
'

test_expect_success 'a member twice: the last counts; bad attributes named' '
	f=.copilot/otel/copilot.jsonl &&
	cp $f saved.jsonl &&
	test_when_finished "mv saved.jsonl $f" &&
	(cd proj && git tokens usage --since 2025-01-01 --format json \
		>../before.json) &&
	echo "{\"type\":\"span\",\"traceId\":\"t11\",\"spanId\":\"c\",\"name\":\"chat gpt-5.1\",\"endTime\":[1763719400,0],\"attributes\":{\"gen_ai.operation.name\":\"chat\",\"gen_ai.conversation.id\":\"sess-a\",\"gen_ai.response.model\":\"gpt-5.1\",\"gen_ai.usage.input_tokens\":9000,\"gen_ai.usage.input_tokens\":70,\"gen_ai.usage.output_tokens\":7}}" >>$f &&
	echo "{\"type\":\"span\",\"traceId\":\"t12\",\"spanId\":\"c\",\"name\":\"chat gpt-5.1\",\"endTime\":[1763719400,0],\"attributes\":{\"gen_ai.usage.input_tokens\":5 \"gen_ai.usage.output_tokens\":1}}" >>$f &&
	n=$(wc -l <$f) &&
	(cd proj && git tokens usage --since 2025-01-01 --format json \
		>../out.json 2>../err) &&
	test "$(json_get rows.1.requests <out.json)" = \
		$(($(json_get rows.1.requests <before.json) + 1)) &&
	test "$(json_get rows.1.input <out.json)" = \
		$(($(json_get rows.1.input <before.json) + 70)) &&
	test "$(json_get rows.1.output <out.json)" = \
		$(($(json_get rows.1.output <before.json) + 7)) &&
	grep "^warning: skipped 1 bad usage record (first: .*copilot.jsonl:$n: malformed JSON)" err &&
	test $(grep -c "bad usage" err) = 1
'

test_expect_success 'a vanished session file: named, the rest counted' '
	mkdir .copilot/session-state/sess-c &&
	ln -s nowhere .copilot/session-state/sess-c/events.jsonl &&
	(cd proj && git tokens usage --since 2025-01-01 --format json \
		>../out.json 2>../err) &&
	test "$(json_get rows.1.requests <out.json)" = 4 &&
	grep "^warning: skipped 1 bad usage record (first: .*/sess-c/events.jsonl: file vanished)" err &&
	rm -r .copilot/session-state/sess-c
'

test_expect_success 'the post-commit hook reads only the end of a long export' '
	git init -q hook &&
	(cd hook && commit_at 2026-11-29T10:00:00Z base) &&
	mkdir .copilot/session-state/sess-h &&
	echo "{\"type\":\"session.start\",\"data\":{\"sessionId\":\"sess-h\",\"context\":{\"cwd\":\"$HOME/hook\"}}}" \
		>.copilot/session-state/sess-h/events.jsonl &&
	python3 - <<-\PY &&
	import json
	old = 1764000000   # 2025-11-24: long before the parent commit
	with open(".copilot/otel/big.jsonl", "w") as f:
	    f.write("{\"type\":\"span\",\"traceId\":\n")   # old and bad
	    i = 0
	    while f.tell() < 1200000:
	        f.write(json.dumps({"type": "span", "traceId": "old%d" % i,
	            "spanId": "c", "name": "chat gpt-5.1", "endTime": [old + i, 0],
	            "attributes": {"gen_ai.operation.name": "chat",
	                "gen_ai.conversation.id": "sess-h",
	                "gen_ai.response.model": "gpt-5.1",
	                "gen_ai.usage.input_tokens": 7,
	                "gen_ai.usage.output_tokens": 1}}) + "\n")
	        i += 1
	    # written during the commit: 2026-11-29T10:59:30Z
	    f.write(json.dumps({"type": "span", "traceId": "new", "spanId": "c",
	        "name": "chat gpt-5.1", "endTime": [1795949970, 0],
	        "attributes": {"gen_ai.operation.name": "chat",
	            "gen_ai.conversation.id": "sess-h",
	            "gen_ai.response.model": "gpt-5.1",
	            "gen_ai.usage.input_tokens": 1500,
	            "gen_ai.usage.cache_read.input_tokens": 1000,
	            "gen_ai.usage.output_tokens": 40}}) + "\n")
	PY
	record_commit_at hook 2026-11-29T11:00:00Z one 2026-11-29T11:00:05Z &&
	grep "recorded 1 event" err &&
	! grep "big.jsonl" err &&
	test "$(json_get input <note)" = 500 &&
	test "$(json_get cache_read <note)" = 1000 &&
	: the whole file, as usage reads it, has the bad line &&
	(cd hook && git tokens usage --since 2025-01-01 --format json \
		>../out.json 2>../err) &&
	grep "big.jsonl:1: not a JSON object" err &&
	rm -r .copilot/otel/big.jsonl .copilot/session-state/sess-h
'

test_expect_success 'doctor: where the logs are, and the unpriced models' '
	(cd proj && git tokens doctor >../out 2>/dev/null || :) &&
	grep "^ok   source copilot-cli: 7 events for this repository, 8 on this machine in ~/.copilot/otel, ~/.copilot/session-state$" out &&
	grep "^warn prices: no price for 1 model, whose cost is unknown: grok-code-fast-1" out
'

test_expect_success 'doctor: session state alone says how to turn the export on' '
	mv .copilot/otel otel.saved &&
	(cd proj && git tokens doctor >../out 2>/dev/null || :) &&
	grep "^warn source copilot-cli: logs without token counts in ~/.copilot/session-state (hint: set COPILOT_OTEL_ENABLED=true, COPILOT_OTEL_EXPORTER_TYPE=file and COPILOT_OTEL_FILE_EXPORTER_PATH=" out &&
	mv otel.saved .copilot/otel
'

test_done
