#!/bin/sh

test_description='usage: Amp threads, message usage and the older ledger'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-sources.sh

# Write ~/.local/share/amp/threads/ for the repositories proj and "other
# repo", and expect-proj.json / expect-other.json from the tokens the
# records were made with.
gen_amp () {
	python3 - <<-\PY
	import os, urllib.parse
	from lib_sources import Expect, write_json
	threads = os.path.abspath(".local/share/amp/threads")
	proj = os.path.abspath("proj")
	other = os.path.abspath("other repo")
	ex = Expect()

	def env(path):
	    return {"initial": {"trees": [{
	        "displayName": os.path.basename(path),
	        "uri": "file://" + urllib.parse.quote(path)}],
	        "platform": {"os": "linux"}}}

	def usage(ts, model, i, o, cw=0, cr=0):
	    # totalInputTokens is the sum of the three inputs: not input
	    return {"model": model, "inputTokens": i, "outputTokens": o,
	            "cacheCreationInputTokens": cw, "cacheReadInputTokens": cr,
	            "totalInputTokens": i + cw + cr, "timestamp": ts}

	def asst(mid, u):
	    return {"role": "assistant", "messageId": mid,
	            "content": [{"type": "text", "text": "ok"}], "usage": u,
	            "state": {"type": "complete"}}

	user = {"role": "user", "messageId": 0,
	        "content": [{"type": "text", "text": "hi"}]}
	# Current layout.
	u1 = usage("2026-11-20T10:00:05.000Z", "claude-sonnet-4-5", 12, 340,
	           4100, 20000)
	u2 = usage("2026-11-20T10:01:00.000Z", "claude-sonnet-4-5", 3, 80,
	           0, 24100)
	u3 = usage("2026-11-21T09:00:00.000Z", "claude-haiku-4-5", 700, 90)
	write_json(threads + "/T-aaaa-1111.json", {
	    "v": 42, "id": "T-aaaa-1111", "created": 1763632800000,
	    "env": env(proj),
	    "messages": [user, asst(1, u1), user, asst(3, u2),
	                 asst(4, usage("2026-11-21T08:59:00.000Z",
	                               "claude-haiku-4-5", 0, 0)),
	                 asst(5, u3)],
	    # repeats the last call
	    "~debug": {"lastInferenceUsage": u3}})
	ex.bill(proj, u1["timestamp"], "claude-sonnet-4-5", 12, 340, 4100, 20000)
	ex.bill(proj, u2["timestamp"], "claude-sonnet-4-5", 3, 80, 0, 24100)
	ex.bill(proj, u3["timestamp"], "claude-haiku-4-5", 700, 90)

	# The ledger layout: input and output from the ledger, cache from
	# the message it names; the messages' usage is not counted again.
	write_json(threads + "/T-bbbb-2222.json", {
	    "v": 7, "id": "T-bbbb-2222", "env": env(other),
	    "messages": [user,
	                 asst(1, usage("2026-11-22T07:00:00.000Z", "gpt-5",
	                               50, 60, 0, 900)),
	                 asst(2, usage("2026-11-22T07:05:00.000Z", "gpt-5",
	                               5, 6, 0, 0))],
	    "usageLedger": {"events": [
	        {"id": "ev-1", "timestamp": "2026-11-22T07:00:00.000Z",
	         "model": "gpt-5", "credits": 3,
	         "tokens": {"input": 50, "output": 60, "total": 1010},
	         "operationType": "inference", "fromMessageId": 0,
	         "toMessageId": 1},
	        {"id": "ev-2", "timestamp": "2026-11-22T07:05:00.000Z",
	         "model": "gpt-5", "credits": 1,
	         "tokens": {"input": 5, "output": 6, "total": 11},
	         "operationType": "inference", "fromMessageId": 1,
	         "toMessageId": 2}]}})
	ex.bill(other, "2026-11-22T07:00:00.000Z", "gpt-5", 50, 60, 0, 900)
	ex.bill(other, "2026-11-22T07:05:00.000Z", "gpt-5", 5, 6)

	# A stub with no usage and no work tree: nothing, no complaint.
	write_json(threads + "/T-cccc-3333.json",
	           {"v": 1, "id": "T-cccc-3333", "messages": [user]})
	# Not a thread file.
	write_json(threads + "/index.json", {"x": 1})
	ex.write(proj, "expect-proj.json")
	ex.write(other, "expect-other.json")
	PY
}

test_expect_success 'setup' '
	git init -q proj &&
	git init -q "other repo" &&
	use_test_prices &&
	gen_amp
'

test_expect_success 'message usage: cache apart from input, debug copy not read' '
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	check_usage out.json expect-proj.json &&
	test_must_be_empty err
'

test_expect_success 'ledger: one event a call, cache from its message; %20 in the URI' '
	(cd "other repo" && git tokens usage --format json >../out.json) &&
	check_usage out.json expect-other.json
'

test_expect_success 'all repositories; AMP_DATA_DIR and tokens.amp.path' '
	git tokens usage --all-repos --format json >out.json &&
	check_usage out.json expect-proj.json expect-other.json &&
	mv .local/share/amp elsewhere &&
	AMP_DATA_DIR=$(pwd)/elsewhere git tokens usage --all-repos \
		--format json >out.json &&
	check_usage out.json expect-proj.json expect-other.json &&
	(cd proj && git config tokens.amp.path "$(pwd)/../elsewhere" &&
	 git tokens usage --format json >../out.json) &&
	check_usage out.json expect-proj.json &&
	mkdir -p .local/share && mv elsewhere .local/share/amp &&
	git -C proj config --unset tokens.amp.path
'

test_expect_success 'a thread rewritten with a new call: counted once each' '
	python3 - <<-\PY &&
	import json
	p = ".local/share/amp/threads/T-aaaa-1111.json"
	d = json.load(open(p))
	d["messages"].append({"role": "assistant", "messageId": 6,
	    "usage": {"model": "claude-haiku-4-5", "inputTokens": 1000,
	              "outputTokens": 100, "cacheCreationInputTokens": 0,
	              "cacheReadInputTokens": 0,
	              "timestamp": "2026-11-21T09:30:00.000Z"}})
	json.dump(d, open(p, "w"))
	PY
	(cd proj && git tokens usage --format json >../out.json) &&
	test $(json_get rows.1.requests <out.json) = 2 &&
	test $(json_get rows.1.input <out.json) = 1700 &&
	(cd proj && git tokens usage --format json >../again.json) &&
	test_cmp out.json again.json &&
	(cd proj && git tokens usage --no-cache --format json >../out2.json) &&
	test_cmp out.json out2.json
'

test_expect_success 'a cut thread and a bad counter: one warning, the rest counted' '
	t=.local/share/amp/threads &&
	head -c 200 $t/T-aaaa-1111.json >$t/T-dddd-4444.json &&
	python3 - <<-\PY &&
	import json
	p = ".local/share/amp/threads/T-bbbb-2222.json"
	d = json.load(open(p))
	d["usageLedger"]["events"].append({"id": "ev-3",
	    "timestamp": "2026-11-22T08:00:00.000Z", "model": "gpt-5",
	    "tokens": {"input": -5, "output": 1}})
	json.dump(d, open(p, "w"))
	PY
	git tokens usage --all-repos --format json >out.json 2>err &&
	test $(json_get total.requests <out.json) = 6 &&
	grep "^warning: skipped 2 bad usage records (first: .*/T-bbbb-2222.json: bad token counter)" err
'

test_expect_success 'a thread that vanished since the last run leaves with it' '
	rm .local/share/amp/threads/T-dddd-4444.json &&
	git tokens usage --all-repos --format json >before.json 2>err &&
	test $(json_get total.requests <before.json) = 6 &&
	mv .local/share/amp/threads/T-bbbb-2222.json gone.json &&
	ln -s "$(pwd)/nowhere.json" .local/share/amp/threads/T-eeee-5555.json &&
	git tokens usage --all-repos --format json >out.json 2>err &&
	test_must_be_empty err &&
	test $(json_get total.requests <out.json) = 4 &&
	(cd proj && git tokens usage --format json >../proj.json) &&
	test $(json_get total.requests <proj.json) = 4
'

test_expect_success 'a member twice: the last counts; a bad message alone skipped' '
	t=.local/share/amp/threads &&
	mv out.json prev.json &&
	cat >$t/T-ffff-6666.json <<-EOF &&
	{"id": "T-ffff-6666", "messages": [{"role": "assistant",
	  "usage": {"inputTokens": 1000, "outputTokens": 1,
	  "timestamp": "2026-11-21T10:00:00.000Z"}}],
	 "messages": [{"role": "assistant", "messageId": 1,
	  "model": "claude-haiku-4-5",
	  "usage": {"inputTokens": 5, "inputTokens": 7, "outputTokens": 3,
	  "timestamp": "2026-11-21T10:00:00.000Z"}}]}
	EOF
	cat >$t/T-gggg-7777.json <<-EOF &&
	{"id": "T-gggg-7777", "messages": {"a": {"role": "assistant",
	  "usage": {"inputTokens": 9, "outputTokens": 9,
	  "timestamp": "2026-11-21T10:00:00.000Z"}}}}
	EOF
	cat >$t/T-hhhh-8888.json <<-EOF &&
	{"id": "T-hhhh-8888", "messages": [{"role": "assistant",
	  "usage": {"inputTokens": 1 "outputTokens": 1}},
	 {"role": "assistant", "model": "claude-haiku-4-5",
	  "usage": {"inputTokens": 20, "outputTokens": 2,
	  "timestamp": "2026-11-21T10:00:00.000Z"}}]}
	EOF
	git tokens usage --all-repos --format json >out.json 2>err &&
	test $(json_get total.requests <out.json) = 6 &&
	test $(json_get total.input <out.json) = \
		$(($(json_get total.input <prev.json) + 27)) &&
	test $(json_get total.output <out.json) = \
		$(($(json_get total.output <prev.json) + 5)) &&
	grep "^warning: skipped 1 bad usage record (first: .*/T-hhhh-8888.json: malformed JSON)" err &&
	test_line_count = 1 err
'

test_done
