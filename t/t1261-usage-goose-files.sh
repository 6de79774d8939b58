#!/bin/sh

test_description='usage: Goose session files (.jsonl), from before its database'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-sources.sh

unset GOOSE_PATH_ROOT XDG_DATA_HOME

# gen_files <scenario>: the session files (and for "imported" a
# sessions.db), and expect-<scenario>.json (proj's usage per UTC day)
# worked out here: a session's totals (the accumulated counters, else
# the plain ones) spread over its first to its last message as
# lib_sources.spread() says; a session without messages at its file's
# time. Goose names no model in these files: no cost.
gen_files () {
	python3 - "$@" <<-\PY
	import calendar, os, sys, time
	from lib_sources import (Expect, GooseDB, GooseLedgerDB,
	                         goose_session_file, iso_ms, spread)
	scenario = sys.argv[1]
	proj = os.path.abspath("proj")
	other = os.path.abspath("other")
	d = ".local/share/goose/sessions"

	def s(t):
	    return calendar.timegm(time.strptime(t, "%Y-%m-%d %H:%M:%S"))

	# id, cwd, message times, accumulated in/out, last call's, mtime
	files = [
	    ["20250310_233000", proj,
	     ["2025-03-10 23:30:00", "2025-03-10 23:41:10",
	      "2025-03-10 23:58:00", "2025-03-11 00:20:00"],
	     1200, 340, 30, 8, None],
	    # older than the accumulated counters: the plain ones
	    ["20250312_090000", proj,
	     ["2025-03-12 09:00:00", "2025-03-12 09:02:30"],
	     None, None, 400, 60, None],
	    ["20250312_100000", other,
	     ["2025-03-12 10:00:00", "2025-03-12 10:30:00"],
	     500, 50, 5, 5, None],
	    ["20250313_080000", proj, ["2025-03-13 08:00:00"], 0, 0, 0, 0, None],
	    # no message: when the file was last written
	    ["20250314_120000", proj, [], 90, 9, 90, 9, "2025-03-14 12:34:56"],
	]
	if scenario == "grown":
	    # Goose rewrote the file as the session went on
	    files[0][2].append("2025-03-11 00:45:00")
	    files[0][3:5] = [1800, 500]
	if scenario == "cut":
	    # a copy of the first under another id, cut short below
	    files = [["cut"] + files[0][1:]]
	for sid, cwd, times, ai, ao, li, lo, mt in files:
	    goose_session_file("%s/%s.jsonl" % (d, sid), cwd,
	                       [s(t) for t in times], ai, ao, li, lo,
	                       mt and s(mt))
	if scenario == "cut":
	    # the last message cut short: the window ends before it
	    path = d + "/cut.jsonl"
	    data = open(path).read()
	    open(path, "w").write(data[:-40])
	    files[0][2].pop()
	ex = Expect()

	def bill(cwd, start, end, i, o, model=None):
	    for t, (ci, co) in spread(start * 1000, end * 1000, [i, o]):
	        if ci or co:
	            ex.bill(cwd, iso_ms(t), model, ci, co)

	dbs = []
	if scenario == "imported":
	    db = GooseDB(d + "/sessions.db")
	    # imported as is, stamped with the import's time: the file wins
	    db.session("20250310_233000", proj, "2025-03-20 08:00:00",
	               "2025-03-20 08:00:00", "gpt-5", 1200, 340, 30, 8)
	    # imported, then resumed: the database's larger totals win
	    db.session("20250312_090000", proj, "2025-03-12 09:00:00",
	               "2025-03-12 11:00:00", "gpt-5", 900, 100, 20, 2)
	    db.close()
	    bill(proj, s("2025-03-12 09:00:00"), s("2025-03-12 11:00:00"),
	         900, 100, "gpt-5")
	    files = [f for f in files if f[0] != "20250312_090000"]
	    # an older copy of a session in the other folder: counted once
	    goose_session_file(".local/share/Block/goose/sessions/"
	                       "20250310_233000.jsonl", proj,
	                       [s("2025-03-10 23:30:00")], 700, 100)
	if scenario == "resumed":
	    # imported, then resumed by a Goose with the usage ledger: its
	    # calls, more than the file's totals, count and the file not
	    db = GooseLedgerDB(d + "/sessions.db")
	    db.session("20250310_233000", proj, "2025-03-20 08:00:00",
	               "2025-03-20 08:05:00", "gpt-5", 1400, 400)
	    for t, i, o in [("2025-03-20 08:00:00", 1000, 200),
	                    ("2025-03-20 08:05:00", 400, 200)]:
	        db.call("20250310_233000", s(t), "gpt-5", i, o)
	        ex.bill(proj, iso_ms(s(t) * 1000), "gpt-5", i, o)
	    db.close()
	    files = files[1:]
	for sid, cwd, times, ai, ao, li, lo, mt in files:
	    i = li if ai is None else ai
	    o = lo if ao is None else ao
	    ts = [s(t) for t in times] or [s(mt)]
	    bill(cwd, min(ts), max(ts), i, o)
	ex.write("proj", "expect-%s.json" % scenario)
	PY
}

usage_of () {
	(cd proj && git tokens usage --format json "$@" >../out.json 2>../err)
}

G=.local/share/goose/sessions

test_expect_success 'setup' '
	git init -q proj &&
	git init -q other &&
	use_test_prices &&
	gen_files all &&
	echo "warning: usage without a model name: its cost is unknown" \
		>expect-warn
'

test_expect_success 'totals spread over first to last message, across midnight' '
	usage_of &&
	check_usage out.json expect-all.json &&
	test_cmp expect-warn err &&
	test $(json_get rows.0.key <out.json) = 2025-03-10 &&
	test $(json_get rows.0.requests <out.json) = 6 &&
	test $(json_get rows.0.input <out.json) = 655 &&
	test $(json_get rows.1.requests <out.json) = 5 &&
	test $(json_get rows.1.input <out.json) = 545 &&
	test $(json_get rows.2.input <out.json) = 400 &&
	test $(json_get rows.3.key <out.json) = 2025-03-14 &&
	test $(json_get rows.3.input <out.json) = 90 &&
	usage_of &&
	check_usage out.json expect-all.json &&
	test_cmp expect-warn err
'

test_expect_success 'a file rewritten with grown totals: the latest, never a sum' '
	gen_files grown &&
	usage_of &&
	check_usage out.json expect-grown.json &&
	usage_of --no-cache &&
	check_usage out.json expect-grown.json
'

test_expect_success SQLITE3 'imported into sessions.db: each session once' '
	gen_files all &&
	gen_files imported &&
	usage_of &&
	check_usage out.json expect-imported.json &&
	test_cmp expect-warn err &&
	rm -r $G/sessions.db .local/share/Block
'

test_expect_success SQLITE3 'resumed with the usage ledger: its calls, not the file' '
	gen_files all &&
	gen_files resumed &&
	usage_of &&
	check_usage out.json expect-resumed.json &&
	test $(json_get rows.2.key <out.json) = 2025-03-20 &&
	test $(json_get rows.2.requests <out.json) = 2 &&
	test_cmp expect-warn err &&
	rm $G/sessions.db
'

bad_one () {
	usage_of &&
	check_usage out.json expect-all.json &&
	grep "^warning: skipped 1 bad usage record (first: .*/$1)" err &&
	test_line_count = 2 err
}

test_expect_success 'a malformed first line: named, the rest counted' '
	gen_files all &&
	echo "{\"working_dir\":\"$(pwd)/proj\",\"accumulated_input_tokens\":7,}" >$G/bad.jsonl &&
	echo "{\"id\":null,\"role\":\"user\",\"created\":1741600000,\"content\":[]}" >>$G/bad.jsonl &&
	bad_one "bad\.jsonl:1: malformed JSON" &&
	rm $G/bad.jsonl
'

test_expect_success 'a bad counter or message time: named, the rest counted' '
	echo "{\"working_dir\":\"$(pwd)/proj\",\"accumulated_input_tokens\":-7}" >$G/bad.jsonl &&
	bad_one "bad\.jsonl:1: bad token counter" &&
	echo "{\"working_dir\":\"$(pwd)/other\",\"input_tokens\":7}" >$G/bad.jsonl &&
	echo "{\"id\":null,\"role\":\"user\",\"created\":\"soon\",\"content\":[]}" >>$G/bad.jsonl &&
	echo "{\"id\":null,\"role\":\"user\",\"created\":1741600000,\"content\":[]}" >>$G/bad.jsonl &&
	bad_one "bad\.jsonl:2: bad or missing created time" &&
	rm $G/bad.jsonl
'

test_expect_success 'a truncated file: its last line named, the rest counted' '
	gen_files cut &&
	n=$(($(wc -l <$G/cut.jsonl) + 1)) &&
	usage_of &&
	check_usage out.json expect-all.json expect-cut.json &&
	grep "^warning: skipped 1 bad usage record (first: .*/cut\.jsonl:$n: truncated last line)" err &&
	test_line_count = 2 err &&
	rm $G/cut.jsonl
'

test_expect_success 'a file vanished since the last run: its session with it' '
	usage_of &&
	rm $G/20250312_090000.jsonl &&
	usage_of &&
	test_cmp expect-warn err &&
	test "$(json_get rows.2.key <out.json)" = 2025-03-14
'

test_expect_success 'GOOSE_PATH_ROOT and tokens.goose.path' '
	gen_files all &&
	mkdir -p root/data &&
	mv $G root/data/sessions &&
	usage_of &&
	echo "{}" >expect-none.json &&
	check_usage out.json expect-none.json &&
	(GOOSE_PATH_ROOT=$(pwd)/root && export GOOSE_PATH_ROOT && usage_of) &&
	check_usage out.json expect-all.json &&
	(cd proj && git config tokens.goose.path "$(pwd)/../root/data") &&
	usage_of &&
	check_usage out.json expect-all.json
'

test_done
