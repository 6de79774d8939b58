#!/bin/sh

test_description='usage: Kimi CLI wire files, StatusUpdate and usage.record'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-sources.sh

# Write ~/.kimi (StatusUpdate) and ~/.kimi-code (usage.record) for the
# repositories proj and other, and expect-proj.json / expect-other.json
# from the tokens the records were made with.
gen_kimi () {
	python3 - <<-\PY
	import calendar, hashlib, os
	from lib_sources import Expect, write_json, write_lines
	kimi = os.path.abspath(".kimi")
	code = os.path.abspath(".kimi-code")
	proj = os.path.abspath("proj")
	other = os.path.abspath("other")
	ex = Expect()
	md5 = lambda p: hashlib.md5(p.encode()).hexdigest()
	write_json(kimi + "/kimi.json", {"work_dirs": [
	    {"path": proj, "kaos": "local", "last_session_id": "s1"},
	    {"path": other, "kaos": "local", "last_session_id": "s2"}]})

	def wire(secs, mtype, payload):
	    return {"timestamp": secs, "message": {"type": mtype,
	                                           "payload": payload}}

	def status(secs, mid, i, o, cr=0, cw=0):
	    return wire(secs, "StatusUpdate", {"context_usage": 0.1,
	        "message_id": mid, "token_usage": {"input_other": i,
	        "output": o, "input_cache_read": cr,
	        "input_cache_creation": cw}})

	t0 = calendar.timegm((2026, 11, 20, 10, 0, 0)) + 0.25
	iso = "2026-11-20"
	lines = [{"type": "metadata", "protocol_version": "1.2"},
	         wire(t0, "TurnBegin", {"user_input": "hi"}),
	         # m1: an early update with part of the output, the complete
	         # one, and the same again: the last, largest, counts once
	         status(t0 + 1, "chatcmpl-m1", 1200, 10, 8000, 300),
	         status(t0 + 2, "chatcmpl-m1", 1200, 310, 8000, 300),
	         status(t0 + 3, "chatcmpl-m1", 1200, 310, 8000, 300),
	         wire(t0 + 3, "StatusUpdate", {"context_usage": 0.2,
	              "token_usage": None, "message_id": None}),
	         status(t0 + 60, "chatcmpl-m2", 400, 50, 9500)]
	ex.bill(proj, iso, "kimi-for-coding", 1200, 310, 300, 8000)
	ex.bill(proj, iso, "kimi-for-coding", 400, 50, 0, 9500)
	write_lines("%s/sessions/%s/s1/wire.jsonl" % (kimi, md5(proj)), lines)
	# context.jsonl _usage rows are not usage
	write_lines("%s/sessions/%s/s1/context.jsonl" % (kimi, md5(proj)),
	            [{"role": "_usage", "token_count": 99999}])
	write_lines("%s/sessions/%s/s2/wire.jsonl" % (kimi, md5(other)),
	            [status(t0 + 86400 * 2, "chatcmpl-o1", 700, 70)])
	ex.bill(other, "2026-11-22", "kimi-for-coding", 700, 70)

	# Kimi Code
	write_json(code + "/workspaces.json", {"version": 1, "workspaces": {
	    "proj-3f2a": {"root": proj, "name": "proj"}}})
	ms = calendar.timegm((2026, 11, 21, 10, 0, 0)) * 1000
	usage = lambda i, o, cr=0, cw=0: {"inputOther": i, "output": o,
	    "inputCacheRead": cr, "inputCacheCreation": cw}
	write_lines(code + "/sessions/proj-3f2a/n1/agents/main/wire.jsonl", [
	    {"type": "turn.begin", "time": ms},
	    {"type": "llm.request", "model": "kimi-code/kimi-k2-turbo-preview",
	     "time": ms},
	    # a symbolic model: the request's
	    {"type": "usage.record", "model": "__kimi_env_model__",
	     "usage": usage(900, 90, 5000, 100), "usageScope": "turn",
	     "time": ms + 1000},
	    # step.end repeats it; session records are totals
	    {"type": "step.end", "usage": usage(900, 90, 5000, 100),
	     "time": ms + 1001},
	    {"type": "usage.record", "model": "kimi-code/kimi-for-coding",
	     "usage": usage(50, 5), "usageScope": "turn", "time": ms + 2000},
	    {"type": "usage.record", "usage": usage(950, 95, 5000, 100),
	     "usageScope": "session", "time": ms + 3000}])
	ex.bill(proj, "2026-11-21", "kimi-k2-turbo-preview", 900, 90, 100, 5000)
	ex.bill(proj, "2026-11-21", "kimi-for-coding", 50, 5)
	ex.write(proj, "expect-proj.json")
	ex.write(other, "expect-other.json")
	PY
}

test_expect_success 'setup' '
	git init -q proj &&
	git init -q other &&
	use_test_prices &&
	gen_kimi
'

test_expect_success 'both layouts; one event per message, the last update' '
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	check_usage out.json expect-proj.json &&
	test_must_be_empty err
'

test_expect_success 'the work directory from kimi.json by its md5' '
	(cd other && git tokens usage --format json >../out.json) &&
	check_usage out.json expect-other.json &&
	(cd proj && git tokens usage --all-repos --format json >../out.json) &&
	check_usage out.json expect-proj.json expect-other.json
'

test_expect_success 'KIMI_DATA_DIR, KIMI_CODE_HOME and tokens.kimi.path' '
	mv .kimi k1 && mv .kimi-code k2 &&
	(cd proj && KIMI_DATA_DIR=$(pwd)/../k1 KIMI_CODE_HOME=$(pwd)/../k2 \
		git tokens usage --all-repos --format json >../out.json) &&
	check_usage out.json expect-proj.json expect-other.json &&
	(cd proj && git config tokens.kimi.path "$(pwd)/../k1" &&
	 git config --add tokens.kimi.path "$(pwd)/../k2" &&
	 git tokens usage --format json >../out.json &&
	 git config --unset-all tokens.kimi.path) &&
	check_usage out.json expect-proj.json &&
	mv k1 .kimi && mv k2 .kimi-code
'

test_expect_success 'a later update of a message read in an earlier run replaces it' '
	f=$(echo .kimi/sessions/*/s1/wire.jsonl | tr " " "\n" | head -1) &&
	(cd proj && git tokens usage --format json >../before.json) &&
	python3 - "$f" <<-\PY &&
	import json, sys
	with open(sys.argv[1], "a") as f:
	    f.write(json.dumps({"timestamp": 1795168861.25, "message": {
	        "type": "StatusUpdate", "payload": {"message_id": "chatcmpl-m2",
	        "token_usage": {"input_other": 400, "output": 80,
	        "input_cache_read": 9500, "input_cache_creation": 0}}}}) + "\n")
	PY
	(cd proj && git tokens usage --format json >../out.json) &&
	test $(json_get rows.0.requests <out.json) = 2 &&
	test $(json_get rows.0.output <out.json) = $(($(json_get rows.0.output <before.json) + 30)) &&
	(cd proj && git tokens usage --no-cache --format json >../fresh.json) &&
	test_cmp out.json fresh.json
'

test_expect_success 'bad and cut lines: one warning naming the first, the rest counted' '
	f=$(ls .kimi/sessions/*/s1/wire.jsonl | head -1) &&
	echo "{\"timestamp\": 1795168900, \"message\": {\"type\": \"StatusUpdate\", \"payload\": {\"message_id\": \"m3\", \"token_usage\": {\"input_other\": \"x\"" >>"$f" &&
	n=$(wc -l <"$f") &&
	echo "{\"timestamp\": 1795169000, \"message\": {\"type\": \"StatusUpdate\", \"payload\": {\"message_id\": \"m4\", \"token_usage\": {\"input_other\": -1, \"output\": 1}}}}" >>"$f" &&
	echo "{\"timestamp\": 1795169100, \"message\": {\"type\": \"StatusUpdate\", \"payload\": {\"message_id\": \"m5\", \"token_usage\": {\"input_other\": 10, \"output\": 1}}}}" >>"$f" &&
	printf "%s" "{\"timestamp\": 1795169200, \"message\": {\"type\": \"Status" >>"$f" &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	test $(json_get rows.0.requests <out.json) = 3 &&
	grep "^warning: skipped 3 bad usage records (first: .*/s1/wire.jsonl:$n: " err
'

test_expect_success 'members not read are only skipped; a broken usage is named' '
	d=kc2/sessions/proj-3f2a/n1/agents/main &&
	mkdir -p empty $d &&
	cp .kimi-code/workspaces.json kc2/ &&
	cat >$d/wire.jsonl <<-\EOF &&
	{"type": "usage.record", "model": "kimi-\u0032", "usage": {"inputOther": 7, "output": 1}, "usageScope": "turn", "time": 1795255200000, "id": "u1", "extra": {"a": [1 2]}}
	{"type": "usage.record", "model": "kimi-3", "usage": {"inputOther": 9 "output": 1}, "usageScope": "turn", "time": 1795255201000, "id": "u2"}
	EOF
	(cd proj && KIMI_DATA_DIR=$(pwd)/../empty KIMI_CODE_HOME=$(pwd)/../kc2 \
		git tokens usage --by model --format json >../out.json 2>../err) &&
	test $(json_get total.requests <out.json) = 1 &&
	grep "\"key\":\"kimi-2\",\"requests\":1,\"input\":7," out.json &&
	grep "^warning: skipped 1 bad usage record (first: .*/n1/agents/main/wire.jsonl:2: malformed JSON)" err
'

test_done
