#!/bin/sh

test_description='usage: Gemini CLI chats, JSON and JSONL, per project'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME

# Write ~/.gemini/tmp/ for the repositories proj and other, and
# expect-proj.json / expect-other.json: the usage per UTC day, worked out
# from the tokens the messages were made with.
gen_gemini () {
	python3 - "$@" <<-\PY
	import hashlib, json, os
	home = os.path.abspath(".gemini")
	proj = os.path.abspath("proj")
	other = os.path.abspath("other")
	# USD per million tokens: input, output, cached input
	price = {"gemini-2.5-pro": (1.25, 10, 0.125),
	         "gemini-2.5-flash": (0.30, 2.50, 0.03),
	         "gemini-3-pro-preview": (2, 12, 2)}
	expect = {proj: {}, other: {}}

	def tokens(i, o, c=0, t=0, tool=0):
	    return {"input": i, "output": o, "cached": c, "thoughts": t,
	            "tool": tool, "total": i + o + t + tool}

	def msg(mid, ts, tok=None, model="gemini-2.5-pro", typ="gemini"):
	    m = {"id": mid, "timestamp": ts, "type": typ, "content": "..."}
	    if typ == "gemini":
	        m["model"] = model
	        m["thoughts"] = []
	    if tok:
	        m["tokens"] = tok
	    return m

	def bill(repo, ts, tok, model="gemini-2.5-pro"):
	    day = ts[:10]
	    e = expect[repo].setdefault(day, dict(requests=0, input=0, output=0,
	        cache_write=0, cache_read=0, cost_usd=0.0))
	    c = min(tok["cached"], tok["input"])
	    inp = tok["input"] - c + tok["tool"]
	    out = tok["output"] + tok["thoughts"]
	    e["requests"] += 1
	    e["input"] += inp
	    e["output"] += out
	    e["cache_read"] += c
	    pi, po, pc = price[model]
	    e["cost_usd"] += (inp * pi + out * po + c * pc) / 1e6

	def write(path, lines):
	    path = os.path.join(home, "tmp", path)
	    os.makedirs(os.path.dirname(path), exist_ok=True)
	    with open(path, "w") as f:
	        for l in lines:
	            f.write((l if isinstance(l, str) else json.dumps(l)) + "\n")

	def meta(sid, root):
	    return {"sessionId": sid,
	            "projectHash": hashlib.sha256(root.encode()).hexdigest(),
	            "startTime": "2026-11-20T10:00:00.000Z",
	            "lastUpdated": "2026-11-20T10:00:00.000Z", "kind": "main"}

	# proj: a slug folder with .project_root, the JSONL form.
	os.makedirs(os.path.join(home, "tmp", "proj"), exist_ok=True)
	with open(os.path.join(home, "tmp", "proj", ".project_root"), "w") as f:
	    f.write(proj + "\n")
	a = [meta("sess-a", proj),
	     msg("u1", "2026-11-20T10:00:01.000Z", typ="user"),
	     # m1 is written three times; the last line wins
	     msg("m1", "2026-11-20T10:00:02.000Z"),
	     msg("m1", "2026-11-20T10:00:02.000Z", tokens(100, 10)),
	     msg("m1", "2026-11-20T10:00:02.000Z", tokens(12034, 310, 8000, 512))]
	bill(proj, "2026-11-20T10:00:02.000Z", tokens(12034, 310, 8000, 512))
	a += [msg("m2", "2026-11-20T10:01:00.000Z",
	          tokens(500, 20, 100, 5, 7), "gemini-2.5-flash"),
	      {"$set": {"lastUpdated": "2026-11-20T10:01:00.000Z"}},
	      # rewound: m2 was billed all the same
	      {"$rewindTo": "m2"},
	      msg("m3", "2026-11-21T08:00:00.000Z", tokens(700, 70, 0, 30),
	          "gemini-2.5-flash"),
	      msg("e1", "2026-11-21T08:00:01.000Z", typ="error")]
	bill(proj, "2026-11-20T10:01:00.000Z", tokens(500, 20, 100, 5, 7),
	     "gemini-2.5-flash")
	bill(proj, "2026-11-21T08:00:00.000Z", tokens(700, 70, 0, 30),
	     "gemini-2.5-flash")
	write("proj/chats/session-2026-11-20T10-00-sessaaaa.jsonl", a)
	# A subagent chat of sess-a.
	write("proj/chats/sess-a/sub-1.jsonl", [
	    meta("sub-1", proj),
	    msg("s1", "2026-11-21T08:05:00.000Z", tokens(300, 30, 100, 0),
	        "gemini-3-pro-preview")])
	bill(proj, "2026-11-21T08:05:00.000Z", tokens(300, 30, 100, 0),
	     "gemini-3-pro-preview")

	# proj again: an old hash folder (sha256 of the path), legacy JSON,
	# and the same session migrated to JSONL beside it: counted once.
	h = hashlib.sha256(proj.encode()).hexdigest()
	legacy = dict(meta("sess-b", proj))
	legacy["messages"] = [
	    msg("u1", "2026-11-19T09:00:00.000Z", typ="user"),
	    msg("b1", "2026-11-19T09:00:05.000Z", tokens(1000, 50, 200, 10)),
	    msg("b2", "2026-11-19T09:10:05.000Z", tokens(2000, 80, 0, 0))]
	write(h + "/chats/session-2026-11-19T09-00-sessbbbb.json",
	      [json.dumps(legacy, indent=2)])
	write(h + "/chats/session-2026-11-19T09-00-sessbbbb.jsonl",
	      [meta("sess-b", proj)] + legacy["messages"])
	bill(proj, "2026-11-19T09:00:05.000Z", tokens(1000, 50, 200, 10))
	bill(proj, "2026-11-19T09:10:05.000Z", tokens(2000, 80, 0, 0))

	# other: a slug folder found through projects.json only.
	with open(os.path.join(home, "projects.json"), "w") as f:
	    json.dump({"projects": {other: "other-1"}}, f)
	write("other-1/chats/session-2026-11-22T07-00-sesscccc.jsonl", [
	    {"sessionId": "sess-c", "projectHash": "0" * 64,
	     "startTime": "2026-11-22T07:00:00.000Z"},
	    msg("c1", "2026-11-22T07:00:01.000Z", tokens(4000, 400, 1000, 40))])
	bill(other, "2026-11-22T07:00:01.000Z", tokens(4000, 400, 1000, 40))
	# A chat named by its UUID alone, in the legacy whole-document form.
	d = dict(meta("6f1c2e7a-0d1b-4c55-9a43-6b1f0e2d9c11", other))
	d["messages"] = [msg("d1", "2026-11-23T07:00:01.000Z",
	                     tokens(900, 90, 300, 9))]
	write("other-1/chats/6f1c2e7a-0d1b-4c55-9a43-6b1f0e2d9c11.json",
	      [json.dumps(d)])
	bill(other, "2026-11-23T07:00:01.000Z", tokens(900, 90, 300, 9))

	for repo, name in ((proj, "proj"), (other, "other")):
	    with open("expect-%s.json" % name, "w") as f:
	        json.dump(expect[repo], f)
	PY
}

test_expect_success 'setup' '
	git init -q proj &&
	git init -q other &&
	gen_gemini &&
	test -f expect-proj.json
'

test_expect_success 'JSONL: the last line for a message id wins, rewound count' '
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	usage_matches out.json expect-proj.json &&
	test_must_be_empty err
'

test_expect_success 'projects.json maps a slug folder to its project' '
	(cd other && git tokens usage --format json >../out.json) &&
	usage_matches out.json expect-other.json
'

test_expect_success 'all repositories at once' '
	git tokens usage --all-repos --format json >out.json &&
	usage_matches out.json expect-proj.json expect-other.json
'

test_expect_success 'GEMINI_CLI_HOME moves ~/.gemini' '
	mkdir gh &&
	mv .gemini gh/.gemini &&
	git tokens usage --all-repos --no-cache --format json >out.json &&
	GEMINI_CLI_HOME=$(pwd)/gh git tokens usage --all-repos --no-cache \
		--format json >out2.json &&
	mv gh/.gemini .gemini &&
	test "$(json_get total.requests <out.json)" = 0 &&
	check_usage out2.json expect-proj.json expect-other.json
'

test_expect_success 'a project matched by the sha256 of its path only' '
	mv .gemini/tmp/proj/.project_root project_root.saved &&
	mv .gemini/tmp/proj .gemini/tmp/$(printf %s "$(pwd)/proj" |
		sha256sum | cut -c1-64)-x &&
	(cd proj && git tokens usage --format json >../out.json) &&
	usage_matches out.json expect-proj.json
'

test_expect_success 'a message updated by a later line (saved state)' '
	f=$(echo .gemini/tmp/*-x/chats/session-*.jsonl) &&
	python3 - "$f" <<-\PY &&
	import json, sys
	with open(sys.argv[1], "a") as f:
	    f.write(json.dumps({"id": "m3", "timestamp": "2026-11-21T08:00:00.000Z",
	        "type": "gemini", "model": "gemini-2.5-flash", "content": "",
	        "tokens": {"input": 900, "output": 90, "cached": 0,
	                   "thoughts": 30, "tool": 0, "total": 1020}}) + "\n")
	PY
	(cd proj && git tokens usage --format json >../out.json) &&
	test $(json_get rows.2.input <out.json) = $((900 + 200)) &&
	test $(json_get rows.2.requests <out.json) = 2 &&
	(cd proj && git tokens usage --no-cache --format json >../out2.json) &&
	test_cmp out.json out2.json
'

test_expect_success 'a malformed line is skipped and named' '
	f=$(echo .gemini/tmp/*-x/chats/session-*.jsonl) &&
	echo "{\"id\":\"m9\",\"tokens\":{\"input\":" >>"$f" &&
	echo "{\"id\":\"m9\",\"timestamp\":\"2026-11-21T09:00:00Z\",\"type\":\"gemini\",\"model\":\"gemini-2.5-flash\",\"tokens\":{\"input\":1,\"output\":1}}" >>"$f" &&
	n=$(($(wc -l <"$f") - 1)) &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	test $(json_get rows.2.requests <out.json) = 3 &&
	grep "^warning: .*session-.*\.jsonl:$n" err
'

test_expect_success 'a member twice: the last counts; bad tokens named' '
	f=$(echo .gemini/tmp/*-x/chats/session-*.jsonl) &&
	(cd proj && git tokens usage --format json >../before.json 2>/dev/null) &&
	echo "{\"id\":\"m10\",\"timestamp\":\"2026-11-21T09:30:00Z\",\"type\":\"gemini\",\"model\":\"gemini-2.5-flash\",\"tokens\":{\"input\":7000},\"tokens\":{\"input\":40,\"prompt\":9,\"output\":4,\"output\":5}}" >>"$f" &&
	echo "{\"id\":\"m11\",\"timestamp\":\"2026-11-21T09:40:00Z\",\"type\":\"gemini\",\"tokens\":{\"input\":1 \"output\":1}}" >>"$f" &&
	n=$(wc -l <"$f") &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	test $(json_get rows.2.requests <out.json) = \
		$(($(json_get rows.2.requests <before.json) + 1)) &&
	test $(json_get rows.2.input <out.json) = \
		$(($(json_get rows.2.input <before.json) + 40)) &&
	test $(json_get rows.2.output <out.json) = \
		$(($(json_get rows.2.output <before.json) + 5)) &&
	grep "^warning: skipped 2 bad usage records (first: .*session-.*\.jsonl:$((n - 3)): " err
'

test_done
