#!/bin/sh

test_description='usage: OpenCode channel databases, forks, Kilo CLI'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-sources.sh

unset XDG_DATA_HOME KILO_DATA_DIR

OC=.local/share/opencode

# gen_dbs: SQL for opencode.db (WAL), opencode-stable.db (rollback
# journal, so that a lock keeps readers out) and kilo/kilo.db, message
# files, and the usage per UTC day each selection should give, summed
# here from the calls the rows were made from:
#   expect-all.json    OpenCode: every call once
#   expect-nostable.json  the same without opencode-stable.db
#   expect-kilo.json   Kilo CLI
#   expect-more.json   OpenCode after add.sql (one new call)
gen_dbs () {
	python3 - <<-\PY
	import json, os
	proj = os.path.abspath("proj")
	price = {"claude-sonnet-4-20250514": (3, 15, 3.75, 0.3),
	         "gpt-5": (1.25, 10, 1.25, 0.125)}
	day = lambda ms: __import__("time").strftime(
	    "%Y-%m-%d", __import__("time").gmtime(ms // 1000))

	def msg(mid, sid, created, model, t, parent="u0"):
	    i, o, r, cr, cw = t
	    return {"id": mid, "sessionID": sid, "role": "assistant",
	            "parentID": parent, "modelID": model,
	            "providerID": "anthropic", "cost": 0,
	            "time": {"created": created, "completed": created + 900},
	            "path": {"cwd": proj, "root": proj},
	            "tokens": {"input": i, "output": o, "reasoning": r,
	                       "cache": {"read": cr, "write": cw}}}

	def bill(expect, m):
	    t = m["tokens"]
	    e = expect.setdefault(day(m["time"]["created"]), dict(
	        requests=0, input=0, output=0, cache_write=0, cache_read=0,
	        cost_usd=0.0))
	    pi, po, pw, pr = price[m["modelID"]]
	    e["requests"] += 1
	    e["input"] += t["input"]
	    e["output"] += t["output"] + t["reasoning"]
	    e["cache_write"] += t["cache"]["write"]
	    e["cache_read"] += t["cache"]["read"]
	    e["cost_usd"] += (t["input"] * pi +
	                      (t["output"] + t["reasoning"]) * po +
	                      t["cache"]["write"] * pw +
	                      t["cache"]["read"] * pr) / 1e6

	def sql(name, rows, wal, parts=()):
	    with open(name, "w") as f:
	        if wal:
	            f.write("PRAGMA journal_mode=WAL;\n")
	        f.write("CREATE TABLE session(id TEXT PRIMARY KEY,"
	                " directory TEXT);\n"
	                "CREATE TABLE message(id TEXT PRIMARY KEY,"
	                " session_id TEXT, data TEXT);\n"
	                "CREATE TABLE part(id TEXT PRIMARY KEY,"
	                " message_id TEXT, data TEXT);\n")
	        for s in sorted({m["sessionID"] for m in rows}):
	            f.write("INSERT INTO session VALUES('%s','%s');\n" % (
	                s, proj))
	        for m in rows:
	            f.write("INSERT INTO message VALUES('%s','%s','%s');\n" % (
	                m["id"], m["sessionID"], json.dumps(m)))
	        for i, p in enumerate(parts):
	            f.write("INSERT INTO part VALUES('prt_%d','%s','%s');\n" % (
	                i, p["messageID"], json.dumps(p)))

	d = 1795168800000   # 2026-11-20T10:00:00Z
	a1 = msg("msg_a1", "ses_1", d, "claude-sonnet-4-20250514",
	         (100, 50, 5, 1000, 20))
	a2 = msg("msg_a2", "ses_1", d + 60000, "gpt-5", (300, 70, 0, 0, 0),
	         parent="u1")
	# the same instant and model as a1, other counts: another call
	a3 = msg("msg_a3", "ses_2", d, "claude-sonnet-4-20250514",
	         (101, 50, 5, 1000, 20))
	# a fork of ses_1 copies a1 and a2 under new ids (and parents)
	f1 = dict(a1, id="msg_f1", sessionID="ses_f", parentID="u8")
	f2 = dict(a2, id="msg_f2", sessionID="ses_f", parentID="u9")
	f3 = msg("msg_f3", "ses_f", d + 86400000, "gpt-5", (40, 4, 0, 0, 0))
	user = dict(msg("msg_u1", "ses_1", d, "gpt-5", (0, 0, 0, 0, 0)),
	            role="user")
	# a step-finish part repeats its message's usage
	step = {"id": "prt_0", "messageID": "msg_a1", "type": "step-finish",
	        "tokens": a1["tokens"], "cost": 0}
	sql("main.sql", [user, a1, a2, a3, f1, f2, f3], True, [step])
	# the channel database repeats a1 and has one call of its own
	s1 = msg("msg_s1", "ses_3", d + 2 * 86400000, "gpt-5",
	         (5, 6, 0, 7, 0))
	sql("stable.sql", [a1, s1], False)
	# Kilo CLI: its own calls, one of them copied by a fork too
	k1 = msg("msg_k1", "ses_k", d, "gpt-5", (9, 8, 0, 70, 0))
	k2 = dict(k1, id="msg_k2", sessionID="ses_kf")
	sql("kilo.sql", [k1, k2], True)
	# a legacy message file repeats a2
	os.makedirs(".local/share/opencode/storage/message/ses_1")
	with open(".local/share/opencode/storage/message/ses_1/msg_a2.json",
	          "w") as f:
	    json.dump(a2, f)
	g = msg("msg_g1", "ses_1", d + 3 * 86400000, "gpt-5", (1, 2, 0, 3, 0))
	with open("add.sql", "w") as f:
	    f.write("INSERT INTO message VALUES('%s','%s','%s');\n" % (
	        g["id"], g["sessionID"], json.dumps(g)))
	for name, calls in (("all", [a1, a2, a3, f3, s1]),
	                    ("nostable", [a1, a2, a3, f3]),
	                    ("kilo", [k1]),
	                    ("more", [a1, a2, a3, f3, s1, g])):
	    expect = {}
	    for m in calls:
	        bill(expect, m)
	    with open("expect-%s.json" % name, "w") as f:
	        json.dump(expect, f)
	PY
}

# usage_of <source> <out>: the usage of proj from that source alone.
usage_of () {
	(cd proj && git -c tokens.sources=$1 tokens usage --format json \
		>../$2 2>../err)
}

test_expect_success SQLITE3 'setup' '
	git init -q proj &&
	gen_dbs &&
	mkdir -p .local/share/kilo &&
	sqlite3 $OC/opencode.db <main.sql >/dev/null &&
	sqlite3 $OC/opencode-stable.db <stable.sql >/dev/null &&
	sqlite3 .local/share/kilo/kilo.db <kilo.sql >/dev/null
'

test_expect_success SQLITE3 'each call once: channels, forks, parts, files' '
	usage_of opencode out.json &&
	usage_matches out.json expect-all.json &&
	test_must_be_empty err
'

test_expect_success SQLITE3 'a rerun with nothing changed gives the same' '
	usage_of opencode out.json &&
	usage_matches out.json expect-all.json &&
	test_must_be_empty err
'

test_expect_success SQLITE3 'a row added since: counted, nothing twice' '
	sqlite3 $OC/opencode.db <add.sql &&
	usage_of opencode out.json &&
	usage_matches out.json expect-more.json &&
	usage_of opencode out.json &&
	usage_matches out.json expect-more.json &&
	sqlite3 $OC/opencode.db "DELETE FROM message WHERE id = \"msg_g1\"" &&
	usage_of opencode out.json &&
	usage_matches out.json expect-all.json
'

test_expect_success SQLITE3 'an unchanged database is not opened' '
	test_when_finished "exec 9>&-" &&
	lock_db $OC/opencode-stable.db &&
	usage_of opencode out.json &&
	usage_matches out.json expect-all.json &&
	test_must_be_empty err
'

test_expect_success SQLITE3 'a locked database: one warning, the run goes on' '
	test_when_finished "exec 9>&-" &&
	lock_db $OC/opencode-stable.db &&
	(cd proj && git -c tokens.sources=opencode tokens usage --no-cache \
		--format json >../out.json 2>../err) &&
	usage_matches out.json expect-nostable.json &&
	grep "^warning: .*opencode-stable\.db.*locked" err &&
	test $(grep -c "opencode-stable\.db" err) = 1 &&
	exec 9>&- &&
	usage_of opencode out.json &&
	usage_matches out.json expect-all.json
'

test_expect_success SQLITE3 'a corrupt database is named and skipped' '
	test_when_finished "rm -f $OC/opencode-beta.db" &&
	printf "%0999d" 0 >$OC/opencode-beta.db &&
	usage_of opencode out.json &&
	usage_matches out.json expect-all.json &&
	grep "^warning: .*opencode-beta\.db.*not a database" err &&
	test_line_count = 1 err
'

test_expect_success SQLITE3 'a database that vanished since the last run' '
	mv $OC/opencode-stable.db stable.db &&
	usage_of opencode out.json &&
	usage_matches out.json expect-nostable.json &&
	test_must_be_empty err &&
	mv stable.db $OC/opencode-stable.db &&
	usage_of opencode out.json &&
	usage_matches out.json expect-all.json
'

test_expect_success SQLITE3 'Kilo CLI: kilo.db, a tool of its own' '
	usage_of kilo-cli out.json &&
	usage_matches out.json expect-kilo.json &&
	test_must_be_empty err &&
	(cd proj && git -c tokens.sources=kilo-cli,opencode tokens usage \
		--by tool --format json >../out.json) &&
	python3 -c "import json,sys; print(\",\".join(sorted( \
		r[\"key\"] for r in json.load(sys.stdin)[\"rows\"])))" \
		<out.json >tools &&
	echo kilo-cli,opencode >expect &&
	test_cmp expect tools
'

test_expect_success SQLITE3 'KILO_DATA_DIR moves Kilo CLI data' '
	mv .local/share/kilo kilodata &&
	(KILO_DATA_DIR=$(pwd)/kilodata && export KILO_DATA_DIR &&
	 usage_of kilo-cli out.json) &&
	usage_matches out.json expect-kilo.json &&
	usage_of kilo-cli out.json &&
	echo "{}" >expect-none.json &&
	usage_matches out.json expect-none.json
'

test_done
