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

test_done
