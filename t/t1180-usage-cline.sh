#!/bin/sh

test_description='usage: Cline, Roo Code and Kilo Code tasks in every VS Code-family install'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME
unset XDG_CONFIG_HOME

# Write tasks of the three extensions into several installs (VS Code,
# Cursor and VSCodium on Linux paths, Windsurf on the macOS path, a VS
# Code server), as the extensions write them, and expect-<tool>.json:
# the usage per UTC day of each extension in the repository proj, worked
# out here from the calls themselves.
gen_tasks () {
	python3 - <<-\PY
	import json, os, time
	proj, other = os.path.abspath("proj"), os.path.abspath("other")
	# USD per million: input, output, cache write, cache read
	price = {"claude-sonnet-4-5": (3, 15, 3.75, 0.3),
	         "claude-haiku-4-5": (1, 5, 1.25, 0.1),
	         "gpt-5.1": (1.25, 10, 1.25, 0.125)}
	expect = {}
	ext = {"cline": "saoudrizwan.claude-dev",
	       "roo-code": "rooveterinaryinc.roo-cline",
	       "kilo-code": "kilocode.kilo-code"}
	CUT = 1761955200000   # 2025-11-01: Roo Code 3.29.5
	home = os.getcwd()

	def bill(tool, ms, model, inp, out, cr, cw):
	    day = time.strftime("%Y-%m-%d", time.gmtime(ms / 1000))
	    e = expect.setdefault(tool, {}).setdefault(day, dict(requests=0,
	        input=0, output=0, cache_write=0, cache_read=0, cost_usd=0.0))
	    e["requests"] += 1
	    e["input"] += inp
	    e["output"] += out
	    e["cache_write"] += cw
	    e["cache_read"] += cr
	    pi, po, pw, pr = price[model]
	    e["cost_usd"] += (inp * pi + out * po + cw * pw + cr * pr) / 1e6

	def req(ts, info, **extra):
	    m = {"ts": ts, "type": "say", "say": "api_req_started",
	         "text": json.dumps(info)}
	    m.update(extra)
	    return m

	def env(cwd, model=None, word="Working"):
	    t = ("<environment_details>\n# VSCode Visible Files\nsrc/a.c\n\n"
	         "# Current Time\n11/20/2025, 10:00:00 AM\n\n"
	         "# Current %s Directory (%s) Files\nsrc/\n" % (word, cwd))
	    if model:
	        t += "\n# Current Mode\n<slug>code</slug>\n<name>Code</name>\n<model>%s</model>\n" % model
	    return t + "</environment_details>"

	def task(root, tool, tid, msgs, history=None, meta=None, hist_item=None,
	         indent=None):
	    d = os.path.join(home, root, ext[tool], "tasks", tid)
	    os.makedirs(d)
	    with open(os.path.join(d, "ui_messages.json"), "w") as f:
	        json.dump(msgs, f, indent=indent)
	    if history is not None:
	        with open(os.path.join(d, "api_conversation_history.json"), "w") as f:
	            json.dump(history, f)
	    if meta is not None:
	        with open(os.path.join(d, "task_metadata.json"), "w") as f:
	            json.dump(meta, f)
	    if hist_item is not None:
	        with open(os.path.join(d, "history_item.json"), "w") as f:
	            json.dump(hist_item, f)

	def user(text):
	    return {"role": "user", "content": [{"type": "text", "text": text}]}

	T = 1763632800000   # 2025-11-20T10:00:00Z
	code = ".config/Code/User/globalStorage"
	# Cline in VS Code: tokensIn is without the cache, even after the
	# cut; the model from the record, else task_metadata.json.
	msgs = [{"ts": T, "type": "say", "say": "task", "text": "fix it"},
	        req(T + 1000, {"request": "<task>fix it</task>", "tokensIn": 12,
	            "tokensOut": 300, "cacheWrites": 11200, "cacheReads": 0,
	            "cost": 0.04}),
	        {"ts": T + 2000, "type": "say", "say": "text", "text": "ok"},
	        req(T + 3000, {"request": "...", "tokensIn": 4, "tokensOut": 90,
	            "cacheWrites": 310, "cacheReads": 11200, "cost": 0.01},
	            modelInfo={"modelId": "claude-haiku-4-5",
	                       "providerId": "anthropic", "mode": "act"}),
	        # written before its tokens, never filled: cancelled
	        req(T + 4000, {"request": "...", "cancelReason": "user_cancelled"}),
	        # a streaming failure keeps the tokens it had
	        req(T + 5000, {"request": "...", "tokensIn": 3, "tokensOut": 7,
	            "cacheWrites": 0, "cacheReads": 11510,
	            "cancelReason": "streaming_failed",
	            "streamingFailedMessage": "overloaded"})]
	bill("cline", T + 1000, "claude-sonnet-4-5", 12, 300, 0, 11200)
	bill("cline", T + 3000, "claude-haiku-4-5", 4, 90, 11200, 310)
	bill("cline", T + 5000, "claude-sonnet-4-5", 3, 7, 11510, 0)
	task(code, "cline", "1763632800000", msgs,
	     history=[user("<task>fix it</task>\n" + env(proj))],
	     meta={"files_in_context": [], "model_usage": [
	         {"ts": T - 5000, "model_id": "claude-sonnet-4-5-20250929",
	          "model_provider_id": "anthropic", "mode": "act"}]})
	# The task list repeats each task's totals: never added.
	d = os.path.join(code, ext["cline"], "state")
	os.makedirs(d)
	with open(os.path.join(d, "taskHistory.json"), "w") as f:
	    json.dump([{"id": "1763632800000", "ts": T, "task": "fix it",
	                "tokensIn": 19, "tokensOut": 397, "cacheWrites": 11510,
	                "cacheReads": 22710, "totalCost": 0.05,
	                "cwdOnTaskInitialization": proj}], f)
	# Cline in Cursor, another repository.
	task(".config/Cursor/User/globalStorage", "cline", "1763640000000",
	     [req(T + 7200000, {"tokensIn": 100, "tokensOut": 10,
	          "cacheWrites": 0, "cacheReads": 0})],
	     history=[user(env(other))],
	     meta={"model_usage": [{"ts": T, "model_id": "gpt-5.1"}]})

	# Roo Code in Windsurf (macOS path): since 3.29.5 tokensIn is the
	# whole prompt; model from the environment details' last <model>.
	ws = "Library/Application Support/Windsurf/User/globalStorage"
	msgs = [req(T + 10000, {"apiProtocol": "anthropic"}),   # placeholder
	        req(T + 20000, {"apiProtocol": "anthropic", "tokensIn": 20000,
	            "tokensOut": 500, "cacheWrites": 1000, "cacheReads": 18000,
	            "cost": 0.02}),
	        # an older Roo still installed: tokensIn below the cache
	        req(T + 30000, {"apiProtocol": "anthropic", "tokensIn": 50,
	            "tokensOut": 60, "cacheWrites": 200, "cacheReads": 19000})]
	bill("roo-code", T + 20000, "claude-sonnet-4-5", 1000, 500, 18000, 1000)
	bill("roo-code", T + 30000, "claude-sonnet-4-5", 50, 60, 19000, 200)
	task(ws, "roo-code", "0199a1b2-roo", msgs,
	     history=[user("<task>x</task>\n" + env(proj, "claude-3-5-haiku", "Workspace")),
	              {"role": "assistant", "content": [{"type": "text", "text": "..."}]},
	              user(env(proj, "anthropic/claude-sonnet-4.5", "Workspace"))],
	     hist_item={"id": "0199a1b2-roo", "tokensIn": 99999999,
	                "tokensOut": 99999, "totalCost": 9, "workspace": proj})
	# Roo Code before 3.29.5 (VSCodium): tokensIn without the cache.
	O = 1759312800000   # 2025-10-01T10:00:00Z
	task(".config/VSCodium/User/globalStorage", "roo-code", "old-roo",
	     [req(O, {"apiProtocol": "anthropic", "tokensIn": 900,
	          "tokensOut": 80, "cacheWrites": 100, "cacheReads": 500})],
	     history=[user(env(proj, "claude-sonnet-4-5", "Workspace"))],
	     indent=2)
	bill("roo-code", O, "claude-sonnet-4-5", 900, 80, 500, 100)

	# Kilo Code on a VS Code server: whole prompt too; cwd from
	# history_item.json when the environment details have none.
	srv = ".vscode-server/data/User/globalStorage"
	task(srv, "kilo-code", "kilo-1",
	     [req(T + 86400000, {"apiProtocol": "openai", "tokensIn": 5000,
	          "tokensOut": 700, "cacheWrites": 0, "cacheReads": 4096})],
	     history=[user("<environment_details>\n<model>gpt-5.1</model>\n"
	                   "</environment_details>")],
	     hist_item={"id": "kilo-1", "workspace": proj, "tokensIn": 5000})
	bill("kilo-code", T + 86400000, "gpt-5.1", 5000 - 4096, 700, 4096, 0)

	for tool in ext:
	    with open("expect-%s.json" % tool, "w") as f:
	        json.dump(expect.get(tool, {}), f)
	PY
}

# usage_tool <tool> <out.json>: proj's usage of one source, by day
usage_tool () {
	(cd proj && git -c tokens.sources=$1 tokens usage --since 2025-01-01 \
		--format json) >$2
}

test_expect_success 'setup' '
	git init -q proj &&
	git init -q other &&
	gen_tasks
'

test_expect_success 'Cline: tokensIn apart from the cache; cancelled is no event' '
	usage_tool cline out.json 2>err &&
	usage_matches out.json expect-cline.json &&
	test_must_be_empty err
'

test_expect_success 'Roo Code: whole prompt since 3.29.5, apart before' '
	usage_tool roo-code out.json &&
	usage_matches out.json expect-roo-code.json
'

test_expect_success 'Kilo Code: whole prompt; cwd from history_item.json' '
	usage_tool kilo-code out.json &&
	usage_matches out.json expect-kilo-code.json
'

test_expect_success 'all three at once, in their own tools' '
	(cd proj && git tokens usage --since 2025-01-01 --by tool \
		--format json >../out.json) &&
	python3 - <<-\PY
	import json
	got = {r["key"]: r["requests"] for r in json.load(open("out.json"))["rows"]}
	assert got == {"cline": 3, "roo-code": 3, "kilo-code": 1}, got
	PY
'

test_expect_success 'a record filled in later counts once' '
	f=".config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks/1763632800000/ui_messages.json" &&
	python3 - "$f" <<-\PY &&
	import json, sys
	msgs = json.load(open(sys.argv[1]))
	msgs.append({"ts": 1763632810000, "type": "say",
	             "say": "api_req_started", "text": json.dumps({"request": "..."})})
	json.dump(msgs, open(sys.argv[1], "w"))
	PY
	usage_tool cline out.json &&
	test "$(json_get rows.0.requests <out.json)" = 3 &&
	python3 - "$f" <<-\PY &&
	import json, sys
	msgs = json.load(open(sys.argv[1]))
	msgs[-1]["text"] = json.dumps({"request": "...", "tokensIn": 6,
	    "tokensOut": 40, "cacheWrites": 0, "cacheReads": 11510})
	json.dump(msgs, open(sys.argv[1], "w"))
	PY
	usage_tool cline out.json &&
	test "$(json_get rows.0.requests <out.json)" = 4 &&
	test "$(json_get rows.0.input <out.json)" = $((12 + 4 + 3 + 6)) &&
	(cd proj && git -c tokens.sources=cline tokens usage --no-cache \
		--since 2025-01-01 --format json >../out2.json) &&
	test_cmp out.json out2.json
'

test_expect_success 'a bad record is named; a file cut short keeps what came before' '
	f=".config/VSCodium/User/globalStorage/rooveterinaryinc.roo-cline/tasks/old-roo/ui_messages.json" &&
	python3 - "$f" <<-\PY &&
	import json, sys
	msgs = json.load(open(sys.argv[1]))
	bad = dict(msgs[0], text="{\"tokensIn\": 5,")
	good = dict(msgs[0], ts=msgs[0]["ts"] + 1000)
	text = json.dumps([msgs[0], bad, good], indent=2)
	open(sys.argv[1], "w").write(text[:-40])
	PY
	line=$(grep -nF "tokensIn\\\": 5," "$f" | cut -d: -f1) &&
	usage_tool roo-code out.json 2>err &&
	test "$(json_get rows.0.requests <out.json)" = 1 &&
	grep "^warning: skipped 2 bad usage records (first: .*/old-roo/ui_messages.json:$((line - 4)): malformed api_req_started text)" err
'

test_expect_success 'a vanished task file is named, the rest counted' '
	d=".config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks" &&
	mkdir "$d/gone" &&
	ln -s nowhere "$d/gone/ui_messages.json" &&
	usage_tool cline out.json 2>err &&
	test "$(json_get rows.0.requests <out.json)" = 4 &&
	grep "^warning: skipped 1 bad usage record (first: .*/gone/ui_messages.json: file vanished)" err
'

test_expect_success 'doctor lists each extension and where its tasks are' '
	(cd proj && git tokens doctor >../out 2>/dev/null || :) &&
	grep "^ok   source cline: 4 events for this repository, 5 on this machine in ~/.config/Code/User/globalStorage/saoudrizwan.claude-dev, ~/.config/Cursor/User/globalStorage/saoudrizwan.claude-dev$" out &&
	grep "^ok   source roo-code: 3 events for this repository, 3 on this machine in ~/.config/VSCodium/User/globalStorage/rooveterinaryinc.roo-cline, ~/Library/Application Support/Windsurf/User/globalStorage/rooveterinaryinc.roo-cline$" out &&
	grep "^ok   source kilo-code: 1 events for this repository, 1 on this machine in ~/.vscode-server/data/User/globalStorage/kilocode.kilo-code$" out
'

test_done
