#!/bin/sh

test_description='usage: the Zed agent threads database, zed.dev threads only'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-sources.sh

unset XDG_DATA_HOME

command -v zstd >/dev/null &&
grep -q "define HAVE_ZSTD 1" "$SHARNESS_BUILD_DIRECTORY/config.h" &&
test_have_prereq SQLITE3 && test_set_prereq ZED

# gen_zed <db> <scenario>: a threads.db and expect-<scenario>.json, the
# usage of proj per UTC day worked out here: only zed.dev threads that
# were not imported; a thread's cumulative_token_usage (else the sum of
# its request_token_usage) spread over created_at..updated_at in
# n = 1 + (whole 5 minutes) events, one at the end of each slice.
gen_zed () {
	python3 - "$@" <<-\PY
	import calendar, datetime, json, os, sys
	from lib_sources import Expect, ZedDB, iso_ms, spread
	path, scenario = sys.argv[1:3]
	proj = os.path.abspath("proj")
	u = ZedDB.usage

	def ms(s):
	    # digits past the millisecond dropped, as git-tokens reads them
	    t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
	    return (calendar.timegm(t.utctimetuple()) * 1000 +
	            t.microsecond // 1000)

	# id, created, updated, folders, provider, model, cumulative,
	# requests, data_type, imported
	threads = [
	    ("t1", "2026-11-20T10:00:00.123456+00:00",
	     "2026-11-20T10:20:00.5+00:00", proj + "\n/elsewhere", "zed.dev",
	     "claude-sonnet-4-5", u(1000, 200, 300, 5000),
	     {"m1": u(400, 50, 300, 0), "m2": u(100, 20, 0, 2000)}),
	    # no cumulative total: the last request of each turn, summed
	    ("t2", "2026-11-21T09:00:00Z", "2026-11-21T09:01:00Z", proj,
	     "zed.dev", "claude-sonnet-4-5", None,
	     {"m1": u(70, 7), "m2": u(30, 3, 0, 100)}, "json"),
	    # the user's own key, and an imported thread: not counted here
	    ("t3", "2026-11-21T10:00:00Z", "2026-11-21T10:30:00Z", proj,
	     "anthropic", "claude-sonnet-4-5", u(9000, 900), None),
	    ("t4", "2026-11-21T11:00:00Z", "2026-11-21T11:30:00Z", proj,
	     "zed.dev", "claude-sonnet-4-5", u(8000, 800), None, "zstd",
	     True),
	]
	if scenario == "grown":
	    threads[0] = threads[0][:2] + ("2026-11-20T10:45:00Z",) + \
	        threads[0][3:6] + (u(1600, 260, 300, 9000),) + threads[0][7:]
	db = ZedDB(path)
	for t in threads:
	    db.thread(*t)
	if scenario == "bad":
	    db.db.execute("INSERT INTO threads VALUES ('t5', 't', "
	                  "'2026-11-22T10:00:00Z', 'zstd', X'00112233', NULL,"
	                  " ?, NULL, NULL)", (proj,))
	if scenario == "dup":
	    # a member given twice: the last one counts; a thread cut
	    # short: bad input, named by its row
	    doc = ('{"model":{"provider":"zed.dev","model":"claude-sonnet-4-5"},'
	           '"imported":false,"messages":[{"x":"]}"}],'
	           '"cumulative_token_usage":%s,"cumulative_token_usage":%s}'
	           % (json.dumps(u(1, 1)), json.dumps(u(600, 60, 6, 6000))))
	    for tid, data in (("t6", doc), ("t7", doc[:60])):
	        db.db.execute("INSERT INTO threads VALUES (?, 't', "
	                      "'2026-11-23T10:05:00Z', 'json', ?, NULL, ?,"
	                      " NULL, '2026-11-23T10:00:00Z')",
	                      (tid, data.encode(), proj))
	    threads.append(("t6", "2026-11-23T10:00:00Z",
	                    "2026-11-23T10:05:00Z", proj, "zed.dev",
	                    "claude-sonnet-4-5", u(600, 60, 6, 6000), None))
	db.close()
	ex = Expect()
	for t in threads:
	    tid, created, updated, folders, provider, model, cum, req = t[:8]
	    if provider != "zed.dev" or (len(t) > 9 and t[9]):
	        continue
	    tot = cum or {k: sum(r[k] for r in req.values())
	                  for k in u(0, 0)}
	    c = [tot["input_tokens"], tot["output_tokens"],
	         tot["cache_creation_input_tokens"],
	         tot["cache_read_input_tokens"]]
	    for when, (i, o, cw, cr) in spread(ms(created), ms(updated), c):
	        ex.bill(folders.split("\n")[0], iso_ms(when), model, i, o, cw, cr)
	ex.write("proj", "expect-%s.json" % scenario)
	PY
}

usage_of () {
	(cd proj && git tokens usage --format json "$@" >../out.json 2>../err)
}

Z=.local/share/zed/threads

test_expect_success ZED 'setup' '
	git init -q proj &&
	use_test_prices &&
	gen_zed $Z/threads.db all
'

test_expect_success ZED 'zed.dev threads, zstd or plain, spread over the thread' '
	usage_of &&
	check_usage out.json expect-all.json &&
	test_must_be_empty err &&
	test $(json_get rows.0.requests <out.json) = 5 &&
	usage_of &&
	check_usage out.json expect-all.json
'

test_expect_success ZED 'a thread that went on: its latest totals, once' '
	gen_zed $Z/threads.db grown &&
	usage_of &&
	check_usage out.json expect-grown.json &&
	usage_of --no-cache &&
	check_usage out.json expect-grown.json
'

test_expect_success ZED 'bad zstd data: one warning naming the row' '
	gen_zed $Z/threads.db bad &&
	usage_of &&
	check_usage out.json expect-bad.json &&
	grep "^warning: skipped 1 bad usage record (first: .*/threads\.db:5: bad zstd data)" err &&
	test_line_count = 1 err
'

test_expect_success ZED 'a locked database, then free again' '
	test_when_finished "exec 9>&-" &&
	db_locked $Z/threads.db expect-bad.json usage_of
'

test_expect_success ZED 'the macOS folder; a corrupt database named' '
	mkdir -p "Library/Application Support/Zed" &&
	mv .local/share/zed/threads "Library/Application Support/Zed/" &&
	usage_of &&
	check_usage out.json expect-bad.json &&
	mkdir -p $Z &&
	db_corrupt $Z/threads.db expect-bad.json usage_of
'

test_expect_success ZED 'a database gone; tokens.zed.path' '
	rm -r .local/share/zed &&
	mv "Library/Application Support/Zed" zeddata &&
	db_gone usage_of &&
	(cd proj && git config tokens.zed.path "$(pwd)/../zeddata") &&
	usage_of &&
	check_usage out.json expect-bad.json
'

test_expect_success ZED 'a member twice: the last counts; a thread cut short named' '
	rm zeddata/threads/threads.db &&
	gen_zed zeddata/threads/threads.db dup &&
	usage_of &&
	check_usage out.json expect-dup.json &&
	grep "^warning: skipped 1 bad usage record (first: .*/threads\.db:6: malformed JSON)" err &&
	test_line_count = 1 err
'

test_done
