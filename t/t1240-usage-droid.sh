#!/bin/sh

test_description='usage: Factory Droid session totals, the largest reading once'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-sources.sh

# settings <path> <session> <cwd> <input> <output> <cache write>
# <cache read> <thinking> [<lock time>]: a <session>.settings.json and
# its sidecar transcript.
gen_session () {
	python3 - "$@" <<-\PY
	import json, os, sys
	from lib_sources import write_json, write_lines
	d, sid, cwd = sys.argv[1:4]
	i, o, cw, cr, th = map(int, sys.argv[4:9])
	doc = {"assistantActiveTimeMs": 1000, "model": "custom:claude-sonnet-4-5",
	       "reasoningEffort": "medium", "autonomyMode": "auto-low",
	       "providerLock": "anthropic",
	       "tokenUsage": {"inputTokens": i, "outputTokens": o,
	                      "cacheCreationTokens": cw, "cacheReadTokens": cr,
	                      "thinkingTokens": th,
	                      "totalTokens": i + o + cw + cr + th}}
	if len(sys.argv) > 9:
	    doc["providerLockTimestamp"] = sys.argv[9]
	write_json(os.path.join(d, sid + ".settings.json"), doc)
	write_lines(os.path.join(d, sid + ".jsonl"), [
	    {"type": "session_start", "id": sid, "title": "t",
	     "owner": "me", "version": 2, "cwd": os.path.abspath(cwd)},
	    {"type": "message", "id": "m1", "timestamp": "2026-11-20T10:00:00Z",
	     "message": {"role": "user", "content": [{"type": "text",
	                                              "text": "hi"}]}}])
	PY
}

test_expect_success 'setup' '
	git init -q proj &&
	git init -q other &&
	use_test_prices &&
	s=.factory/sessions &&
	gen_session $s/-w-proj s-aaaa proj 1200 3400 5000 90000 600 \
		2026-11-20T10:00:00.000Z &&
	gen_session $s/-w-other s-bbbb other 10 20 0 0 5 \
		2026-11-22T08:00:00.000Z
'

# expect <file> <day> <input> <output+thinking> <cache write> <cache read>
expect_day () {
	python3 - "$@" <<-\PY
	import json, sys
	from lib_sources import Expect
	ex = Expect()
	f, day = sys.argv[1:3]
	i, o, cw, cr = map(int, sys.argv[3:7])
	ex.bill("r", day + "T00:00:00Z", "claude-sonnet-4-5", i, o, cw, cr)
	json.dump(ex.days["r"], open(f, "w"))
	PY
}

test_expect_success 'one event a session, thinking billed as output' '
	expect_day expect-proj.json 2026-11-20 1200 4000 5000 90000 &&
	expect_day expect-other.json 2026-11-22 10 25 0 0 &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	check_usage out.json expect-proj.json &&
	test_must_be_empty err &&
	(cd other && git tokens usage --format json >../out.json) &&
	check_usage out.json expect-other.json
'

test_expect_success 'totals rewritten as the session goes on: the latest, never a sum' '
	(cd proj && git tokens usage --format json >/dev/null) &&
	gen_session .factory/sessions/-w-proj s-aaaa proj 1500 4000 6000 \
		120000 700 2026-11-20T10:00:00.000Z &&
	expect_day expect-proj.json 2026-11-20 1500 4700 6000 120000 &&
	(cd proj && git tokens usage --format json >../out.json) &&
	check_usage out.json expect-proj.json &&
	(cd proj && git tokens usage --no-cache --format json >../out.json) &&
	check_usage out.json expect-proj.json
'

test_expect_success 'the same session in two places: the larger reading, once' '
	gen_session .factory/sessions/old s-aaaa proj 1200 3400 5000 90000 \
		600 2026-11-20T10:00:00.000Z &&
	(cd proj && git tokens usage --format json >../out.json) &&
	check_usage out.json expect-proj.json
'

test_expect_success 'DROID_SESSIONS_DIR and tokens.droid.path' '
	mv .factory/sessions d2 &&
	(cd proj && DROID_SESSIONS_DIR=$(pwd)/../d2 git tokens usage \
		--format json >../out.json) &&
	check_usage out.json expect-proj.json &&
	(cd proj && git config tokens.droid.path "$(pwd)/../d2" &&
	 git tokens usage --format json >../out.json &&
	 git config --unset tokens.droid.path) &&
	check_usage out.json expect-proj.json &&
	mv d2 .factory/sessions
'

test_expect_success 'no lock time: the file time' '
	gen_session .factory/sessions/-w-other s-cccc other 1 2 0 0 0 &&
	touch -d 2026-11-25T12:00:00Z .factory/sessions/-w-other/s-cccc.settings.json &&
	(cd other && git tokens usage --format json >../out.json) &&
	test $(json_get rows.1.key <out.json) = 2026-11-25 &&
	test $(json_get rows.1.output <out.json) = 2
'

test_expect_success 'a cut file and a bad counter: one warning, the rest counted' '
	s=.factory/sessions/-w-other &&
	head -c 100 $s/s-bbbb.settings.json >$s/s-dddd.settings.json &&
	echo "{\"tokenUsage\": {\"inputTokens\": 1.5}}" >$s/s-eeee.settings.json &&
	(cd other && git tokens usage --format json >../out.json 2>../err) &&
	test $(json_get total.requests <out.json) = 2 &&
	test $(json_get rows.0.output <out.json) = 25 &&
	grep "^warning: skipped 2 bad usage records (first: .*/s-dddd.settings.json: malformed JSON document)" err
'

test_done
