#!/bin/sh

test_description='usage: Goose session totals, spread over the session'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-sources.sh

unset GOOSE_PATH_ROOT XDG_DATA_HOME

# gen_goose <db> <scenario>: a sessions.db, and expect-<scenario>.json
# (proj's usage per UTC day) worked out here from the session totals:
# a session's totals are cut into n = 1 + (whole 5 minutes of its
# window) events, one at the end of each slice, each counter divided
# evenly with the remainder going to the first events.
gen_goose () {
	python3 - "$@" <<-\PY
	import calendar, json, os, sys, time
	from lib_sources import Expect, GooseDB, iso_ms, spread
	path, scenario = sys.argv[1:3]
	proj = os.path.abspath("proj")
	other = os.path.abspath("other")

	def ms(s):
	    return calendar.timegm(time.strptime(s, "%Y-%m-%d %H:%M:%S")) * 1000

	# id, cwd, created, updated, model, accumulated in/out, last call's
	s1 = ["20261120_1", proj, "2026-11-20 23:40:00", "2026-11-21 00:20:00",
	      "claude-sonnet-4-5", 1000, 250, 10, 3]
	# no accumulated counts (an older row): the plain ones
	s2 = ["20261122_1", proj, "2026-11-22 08:00:00", "2026-11-22 08:02:00",
	      "gpt-5", None, None, 300, 40]
	s3 = ["20261122_2", other, "2026-11-22 09:00:00", "2026-11-22 09:30:00",
	      "gpt-5", 77, 7, 1, 1]
	s4 = ["20261123_1", proj, "2026-11-23 09:00:00", "2026-11-23 09:00:00",
	      "gpt-5", 0, 0, 0, 0]
	if scenario == "grown":
	    # the session went on: running totals, rewritten
	    s1[3:7] = ["2026-11-21 01:00:00", "claude-sonnet-4-5", 1500, 400]
	if scenario == "legacy":
	    # an older copy of s1 in another database: the larger counts once
	    s1[3:7] = ["2026-11-20 23:50:00", "claude-sonnet-4-5", 600, 100]
	    sessions = [s1]
	else:
	    sessions = [s1, s2, s3, s4]
	db = GooseDB(path)
	for s in sessions:
	    db.session(*s)
	if scenario == "bad":
	    db.db.execute("UPDATE sessions SET accumulated_input_tokens = 'x1'"
	                  " WHERE id = '20261122_1'")
	    sessions = [s1, s3, s4]
	db.close()
	ex = Expect()
	for sid, cwd, start, end, model, ai, ao, li, lo in sessions:
	    i = li if ai is None else ai
	    o = lo if ao is None else ao
	    for t, (ci, co) in spread(ms(start), ms(end), [i, o]):
	        if ci or co:
	            ex.bill(cwd, iso_ms(t), model, ci, co)
	ex.write("proj", "expect-%s.json" % scenario)
	PY
}

# gen_ledger <db> <scenario>: a sessions.db of Goose's newer schemas,
# and expect-<scenario>.json (proj's usage per UTC day) and
# models-<scenario>.json (per model) worked out here from its rows:
# input counts include the cache reads and writes (taken off, unless
# they exceed it); each usage_ledger row is a call at its own time,
# a carried_forward row spread from the session's start to its time;
# what the session's totals hold beyond its ledger's sums (counter by
# counter) is spread over its window; costs are Goose's where given.
gen_ledger () {
	python3 - "$@" <<-\PY
	import calendar, json, os, sys, time
	from lib_sources import (Expect, GooseDB, GooseLedgerDB, PRICES, iso_ms,
	                         spread)
	path, scenario = sys.argv[1:3]
	proj = os.path.abspath("proj")
	C, H, G = "claude-sonnet-4-5", "claude-haiku-4-5", "gpt-5"

	def ms(s):
	    return calendar.timegm(time.strptime(s, "%Y-%m-%d %H:%M:%S")) * 1000

	def secs(s):
	    return ms(s) // 1000

	# session: id, start, end, model, in, out, cache read, cache write,
	# cost, kind, parent; calls: time, model, in, out, read, write,
	# cost, cost_source, compaction
	if scenario in ("cache", "cache-once"):
	    calls = {}
	    sessions = [
	        ["20261124_1", "2026-11-24 10:00:00", "2026-11-24 10:20:00", C,
	         10000, 500, 7000, 2000, None, "user", None],
	        # written before the cache columns: input as it is
	        ["20261124_2", "2026-11-24 11:00:00", "2026-11-24 11:00:00", G,
	         400, 40, None, None, None, "user", None],
	        # more cache than input: input counted as given, and a warning
	        ["20261124_3", "2026-11-24 12:00:00", "2026-11-24 12:04:00", C,
	         100, 10, 300, 0, None, "user", None],
	        ["20261125_1", "2026-11-25 09:00:00", "2026-11-25 09:30:00", G,
	         5000, 200, 4000, 0, 0.25, "user", None],
	        # a sub-agent's session, before Goose named its parent
	        ["20261125_2", "2026-11-25 09:10:00", "2026-11-25 09:15:00", G,
	         300, 30, 0, 0, None, "sub_agent", None]]
	else:
	    sessions = [
	        ["20261126_1", "2026-11-26 09:00:00", "2026-11-26 11:00:00", G,
	         8100, 480, 4500, 1000, 0.05, "user", None],
	        # a call on the second day of a window across midnight, and
	        # more in the totals than in the ledger
	        ["20261126_2", "2026-11-26 23:00:00", "2026-11-27 01:00:00", C,
	         1600, 180, 900, 100, 0.005, "user", None],
	        # less in the totals than in the ledger: the ledger (its
	        # time in milliseconds, as Goose also reads them)
	        ["20261127_1", "2026-11-27 13:00:00", "2026-11-27 13:10:00", G,
	         400, 40, None, None, None, "user", None],
	        # a sub-agent's session holds its own calls, its parent its
	        ["20261128_1", "2026-11-28 08:00:00", "2026-11-28 09:00:00", C,
	         4000, 300, 2800, 500, None, "user", None],
	        ["20261128_2", "2026-11-28 08:20:00", "2026-11-28 08:30:00", H,
	         700, 70, 0, 0, None, "sub_agent", "20261128_1"]]
	    calls = {
	        "20261126_1": [
	            ["2026-11-26 10:00:00", C, 5000, 300, 3000, 1000, 0.04,
	             "carried_forward", 0],
	            ["2026-11-26 10:10:00", C, 2000, 100, 1500, 0, 0.01,
	             "estimated", 0],
	            ["2026-11-26 10:20:00", G, 800, 50, None, None, None, None, 0],
	            ["2026-11-26 10:30:00", None, 300, 30, 0, 0, None, None, 1]],
	        "20261126_2": [
	            ["2026-11-27 00:30:00", C, 1000, 100, 600, 0, 0.002,
	             "estimated", 0]],
	        "20261127_1": [
	            ["2026-11-27 13:05:00", G, 500, 50, None, None, None, None, 0]],
	        "20261128_1": [
	            ["2026-11-28 08:05:00", C, 3000, 200, 2000, 500, None, None,
	             0],
	            ["2026-11-28 08:40:00", C, 1000, 100, 800, 0, None, None, 0]],
	        "20261128_2": [
	            ["2026-11-28 08:25:00", H, 700, 70, 0, 0, None, None, 0]]}
	db = GooseLedgerDB(path, ledger=bool(calls))
	for sid, start, end, model, i, o, cr, cw, cost, kind, parent in sessions:
	    db.session(sid, proj, start, end, model, i, o, cr, cw, cost, kind,
	               parent)
	    for t, m, ci, co, ccr, ccw, cc, src, comp in calls.get(sid, []):
	        t = ms(t) if sid == "20261127_1" else secs(t)
	        db.call(sid, t, m, ci, co, ccr, ccw, cc, src, comp)
	bad = set()
	if scenario == "ledger-bad":
	    # a bad counter (row 3) and a bad time: skipped, and their
	    # tokens left in their sessions' totals
	    db.db.execute("UPDATE usage_ledger SET input_tokens = 'x'"
	                  " WHERE id = 3")
	    db.db.execute("UPDATE usage_ledger SET created_timestamp = 'soon'"
	                  " WHERE id = 6")
	    bad = {("20261126_1", 2), ("20261127_1", 0)}
	db.close()
	if scenario == "copies":
	    # an older copy, before the ledger, in the older folder
	    old = GooseDB(".local/share/Block/goose/sessions/sessions.db")
	    old.session("20261126_1", proj, "2026-11-26 09:00:00",
	                "2026-11-26 09:50:00", G, 5000, 300)
	    old.close()

	def fresh(i, cr, cw):
	    cr, cw = cr or 0, cw or 0
	    return (i - cr - cw if cr + cw <= i else i), cr, cw

	ex = Expect()
	models = {}

	def bill(start, end, model, i, o, cr, cw, cost):
	    f, cr, cw = fresh(i, cr, cw)
	    n = len(list(spread(start, end, [0])))
	    for t, (a, b, c, d) in spread(start, end, [f, o, cw, cr]):
	        share = None if cost is None else cost / n
	        ex.bill(proj, iso_ms(t), model, a, b, c, d, share)
	        e = models.setdefault(model, dict(requests=0, input=0,
	            output=0, cache_write=0, cache_read=0, cost_usd=0.0))
	        e["requests"] += 1
	        for k, v in (("input", a), ("output", b), ("cache_write", c),
	                     ("cache_read", d)):
	            e[k] += v
	        p = PRICES[model]
	        e["cost_usd"] += (share if cost is not None else
	                          (a * p[0] + b * p[1] + c * p[2] + d * p[3]) / 1e6)

	for sid, start, end, model, i, o, cr, cw, cost, kind, parent in sessions:
	    sums = [0, 0, 0, 0, 0.0]
	    for n, (t, m, ci, co, ccr, ccw, cc, src, comp) in \
	            enumerate(calls.get(sid, [])):
	        if (sid, n) in bad:
	            continue
	        for k, v in enumerate((ci, co, ccr, ccw, cc)):
	            sums[k] += v or 0
	        begin = ms(start) if src == "carried_forward" else ms(t)
	        bill(begin, ms(t), m or model, ci, co, ccr, ccw, cc)
	    left = [max(0, (v or 0) - s) for v, s in zip((i, o, cr, cw), sums)]
	    if cost is not None:
	        cost = cost - sums[4] if cost - sums[4] > 1e-9 else 0
	    if any(left):
	        bill(ms(start), ms(end), model, *left, cost)
	ex.write("proj", "expect-%s.json" % scenario)
	with open("models-%s.json" % scenario, "w") as f:
	    json.dump(models, f)
	PY
}

usage_of () {
	(cd proj && git tokens usage --format json "$@" >../out.json 2>../err)
}

G=.local/share/goose/sessions

test_expect_success SQLITE3 'setup' '
	git init -q proj &&
	git init -q other &&
	use_test_prices &&
	gen_goose $G/sessions.db all
'

test_expect_success SQLITE3 'totals spread over the window, across midnight' '
	usage_of &&
	check_usage out.json expect-all.json &&
	test_must_be_empty err &&
	test $(json_get rows.0.requests <out.json) = 4 &&
	test $(json_get rows.0.input <out.json) = 445 &&
	test $(json_get rows.1.input <out.json) = 555 &&
	usage_of &&
	check_usage out.json expect-all.json
'

test_expect_success SQLITE3 'doctor names the database and its events' '
	(cd proj && git tokens doctor >../doc 2>&1 || :) &&
	grep "source goose: 10 events for this repository, 17 on this machine in ~/.local/share/goose/sessions" doc
'

test_expect_success SQLITE3 'running totals rewritten: the latest, never a sum' '
	gen_goose $G/sessions.db grown &&
	usage_of &&
	check_usage out.json expect-grown.json &&
	usage_of --no-cache &&
	check_usage out.json expect-grown.json
'

test_expect_success SQLITE3 'a session in two databases counts once, the larger' '
	gen_goose .local/share/Block/goose/sessions/sessions.db legacy &&
	usage_of &&
	check_usage out.json expect-grown.json &&
	test_must_be_empty err &&
	rm -r .local/share/Block
'

test_expect_success SQLITE3 'a bad counter: one warning naming the row' '
	gen_goose $G/sessions.db bad &&
	usage_of &&
	check_usage out.json expect-bad.json &&
	grep "^warning: skipped 1 bad usage record (first: .*/sessions\.db:2: bad token counter)" err &&
	test_line_count = 1 err
'

test_expect_success SQLITE3 'a locked database: one warning, read again once free' '
	test_when_finished "exec 9>&-" &&
	gen_goose $G/sessions.db all &&
	db_locked $G/sessions.db expect-all.json usage_of &&
	test_must_be_empty err
'

test_expect_success SQLITE3 'a corrupt database is named, the others read' '
	mkdir -p "Library/Application Support/goose/sessions" &&
	db_corrupt "Library/Application Support/goose/sessions/sessions.db" \
		expect-all.json usage_of
'

test_expect_success SQLITE3 'the macOS folder is read' '
	rm -r "Library/Application Support/goose" &&
	mkdir -p "Library/Application Support" &&
	mv .local/share/goose "Library/Application Support/goose" &&
	usage_of &&
	check_usage out.json expect-all.json &&
	test_must_be_empty err
'

test_expect_success SQLITE3 'a database gone since the last run: nothing left' '
	mv "Library/Application Support/goose" gone &&
	db_gone usage_of
'

test_expect_success SQLITE3 'GOOSE_PATH_ROOT and tokens.goose.path' '
	mkdir -p root/data &&
	mv gone root/data/sessions &&
	mv root/data/sessions/sessions root/data/sessions.tmp &&
	rm -r root/data/sessions && mv root/data/sessions.tmp root/data/sessions &&
	(GOOSE_PATH_ROOT=$(pwd)/root && export GOOSE_PATH_ROOT && usage_of) &&
	check_usage out.json expect-all.json &&
	(cd proj && git config tokens.goose.path "$(pwd)/../root/data") &&
	usage_of &&
	check_usage out.json expect-all.json
'

test_expect_success SQLITE3 'the cache columns: input less cache, one warning' '
	git -C proj config --unset tokens.goose.path &&
	rm -r root &&
	gen_ledger $G/sessions.db cache &&
	usage_of &&
	check_usage out.json expect-cache.json &&
	grep "^warning: .*/$G/sessions.db: session .20261124_3. counts more cache tokens than input: its input is counted as given" err &&
	test_line_count = 1 err &&
	test $(json_get rows.0.input <out.json) = 1500 &&
	test $(json_get rows.0.cache_read <out.json) = 7300 &&
	usage_of --by=model &&
	check_usage out.json models-cache.json &&
	usage_of --no-cache &&
	check_usage out.json expect-cache.json &&
	test_line_count = 1 err
'

test_expect_success SQLITE3 'the ledger: each call at its time, on its model' '
	gen_ledger $G/sessions.db ledger &&
	usage_of &&
	check_usage out.json expect-ledger.json &&
	test_must_be_empty err &&
	usage_of --by=model &&
	check_usage out.json models-ledger.json &&
	usage_of --since=2026-11-27 --until=2026-11-27 &&
	test $(json_get rows.0.key <out.json) = 2026-11-27 &&
	usage_of --no-cache &&
	check_usage out.json expect-ledger.json
'

test_expect_success SQLITE3 'a sub-agent and its parent: each call once' '
	usage_of --since=2026-11-28 &&
	test $(json_get rows.0.requests <out.json) = 3 &&
	test $(json_get rows.0.input <out.json) = $((500 + 200 + 700)) &&
	test $(json_get rows.0.output <out.json) = $((200 + 100 + 70)) &&
	test $(json_get rows.0.cache_read <out.json) = $((2000 + 800))
'

test_expect_success SQLITE3 'the totals beyond the ledger: spread, at their cost' '
	usage_of --by=session --since=2026-11-26 --until=2026-11-27 &&
	python3 - <<-\PY
	import json
	rows = json.load(open("out.json"))["rows"]
	# 20261126_2: the call (1000 less 600 read) and the rest of the
	# totals (600 less 300 read and 100 written) in 25 slices
	s = [r for r in rows if r["requests"] == 26]
	assert len(s) == 1, rows
	assert s[0]["input"] == 400 + 200, s
	assert abs(s[0]["cost_usd"] - 0.005) < 1e-9, s
	PY
'

test_expect_success SQLITE3 'bad ledger rows: named, their tokens left in the totals' '
	gen_ledger $G/sessions.db ledger-bad &&
	usage_of &&
	check_usage out.json expect-ledger-bad.json &&
	grep "^warning: skipped 2 bad usage records (first: .*/sessions\.db:1: bad token counter in usage_ledger row 3)" err &&
	test_line_count = 1 err
'

test_expect_success SQLITE3 'an older copy of a session without its ledger: once' '
	gen_ledger $G/sessions.db copies &&
	usage_of &&
	check_usage out.json expect-copies.json &&
	test_must_be_empty err &&
	rm -r .local/share/Block
'

test_done
