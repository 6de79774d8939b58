#!/bin/sh

test_description='usage: OpenCode database and message files'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME

# The database needs the sqlite3 shell to be made, and a git-tokens
# built with libsqlite3 to be read.
sqlite3 -version >/dev/null 2>&1 &&
grep -q "define HAVE_SQLITE3 1" "$SHARNESS_BUILD_DIRECTORY/config.h" &&
test_set_prereq SQLITE3

# gen_opencode <with-db>: write ~/.local/share/opencode (the database as
# SQL in db.sql, loaded by the test when sqlite3 is there, and the
# message files) and expect-proj.json / expect-other.json, the usage per
# UTC day, worked out from the numbers the messages were made with.
gen_opencode () {
	python3 - "$@" <<-\PY
	import json, os, sys
	with_db = sys.argv[1] == "yes"
	base = os.path.abspath(".local/share/opencode")
	proj = os.path.abspath("proj")
	other = os.path.abspath("other")
	# USD per million tokens: input, output, cache write, cache read
	price = {"claude-sonnet-4-20250514": (3, 15, 3.75, 0.3),
	         "gpt-5": (1.25, 10, 1.25, 0.125),
	         "claude-haiku-4-5": (1, 5, 1.25, 0.1)}
	expect = {proj: {}, other: {}}
	ms_day = lambda ms: __import__("time").strftime(
	    "%Y-%m-%d", __import__("time").gmtime(ms // 1000))

	def msg(mid, sid, created, model, tok, cost=0, cwd=None,
	        role="assistant", provider="anthropic"):
	    m = {"id": mid, "sessionID": sid, "role": role,
	         "time": {"created": created, "completed": created + 4000},
	         "modelID": model, "providerID": provider, "mode": "build",
	         "cost": cost, "tokens": tok, "finish": "stop"}
	    if cwd:
	        m["path"] = {"cwd": cwd, "root": cwd}
	    return m

	def tok(i, o, r=0, cr=0, cw=0):
	    return {"input": i, "output": o, "reasoning": r,
	            "cache": {"read": cr, "write": cw}}

	def bill(repo, m):
	    t = m["tokens"]
	    e = expect[repo].setdefault(ms_day(m["time"]["created"]), dict(
	        requests=0, input=0, output=0, cache_write=0, cache_read=0,
	        cost_usd=0.0))
	    e["requests"] += 1
	    e["input"] += t["input"]
	    e["output"] += t["output"] + t["reasoning"]
	    e["cache_write"] += t["cache"]["write"]
	    e["cache_read"] += t["cache"]["read"]
	    if m["cost"] > 0:
	        e["cost_usd"] += m["cost"]
	    else:
	        pi, po, pw, pr = price[m["modelID"]]
	        e["cost_usd"] += (t["input"] * pi +
	                          (t["output"] + t["reasoning"]) * po +
	                          t["cache"]["write"] * pw +
	                          t["cache"]["read"] * pr) / 1e6

	d1 = 1795168800000   # 2026-11-20T10:00:00Z
	db = [
	    msg("msg_1", "ses_1", d1, "claude-sonnet-4-20250514",
	        tok(100, 50, 5, 10, 20), cwd=proj),
	    # no path: the session's directory tells the project
	    msg("msg_2", "ses_1", d1 + 5000, "gpt-5", tok(1000, 500),
	        cost=0.5, provider="openai"),
	    msg("msg_u", "ses_1", d1, "", tok(0, 0), role="user"),
	    msg("msg_0", "ses_1", d1 + 6000, "gpt-5", tok(0, 0), cwd=proj),
	    msg("msg_o", "ses_2", d1 + 86400000, "claude-haiku-4-5",
	        tok(7, 8, 0, 100, 0), cwd=other + "/sub"),
	]
	files = [
	    # the same message as in the database, other numbers: the row wins
	    msg("msg_1", "ses_1", d1, "claude-sonnet-4-20250514",
	        tok(999, 50, 5, 10, 20), cwd=proj),
	    msg("msg_3", "ses_1", d1 + 2 * 86400000, "claude-haiku-4-5",
	        tok(70, 80, 0, 1000, 10), cwd=proj + "/src"),
	]
	if with_db:
	    for m in db:
	        if m["role"] == "assistant" and sum(
	                [m["tokens"]["input"], m["tokens"]["output"]]):
	            bill(other if m["sessionID"] == "ses_2" else proj, m)
	    with open("db.sql", "w") as f:
	        f.write("PRAGMA journal_mode=WAL;\n"
	                "CREATE TABLE session(id TEXT PRIMARY KEY, project_id TEXT,"
	                " directory TEXT);\n"
	                "CREATE TABLE message(id TEXT PRIMARY KEY, session_id TEXT,"
	                " time_created INTEGER, time_updated INTEGER, data TEXT);\n")
	        f.write("INSERT INTO session VALUES('ses_1','p','%s');\n" % proj)
	        f.write("INSERT INTO session VALUES('ses_2','p','%s');\n" % other)
	        for m in db:
	            f.write("INSERT INTO message VALUES('%s','%s',0,0,'%s');\n" % (
	                m["id"], m["sessionID"], json.dumps(m)))
	for m in files:
	    if not with_db or m["id"] not in [x["id"] for x in db]:
	        bill(proj, m)
	    d = os.path.join(base, "storage", "message", m["sessionID"])
	    os.makedirs(d, exist_ok=True)
	    with open(os.path.join(d, m["id"] + ".json"), "w") as f:
	        json.dump(m, f, indent=2)
	for repo, name in ((proj, "proj"), (other, "other")):
	    with open("expect-%s.json" % name, "w") as f:
	        json.dump(expect[repo], f)
	PY
}

test_expect_success 'setup' '
	git init -q proj &&
	git init -q other
'

test_expect_success 'message files alone' '
	gen_opencode no &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	usage_matches out.json expect-proj.json &&
	test_must_be_empty err
'

test_expect_success SQLITE3 'database rows, and files for what they lack' '
	rm -rf .local expect-*.json &&
	gen_opencode yes &&
	sqlite3 .local/share/opencode/opencode.db <db.sql >/dev/null &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	usage_matches out.json expect-proj.json &&
	test_must_be_empty err &&
	(cd other && git tokens usage --format json >../out.json) &&
	usage_matches out.json expect-other.json &&
	git tokens usage --all-repos --format json >out.json &&
	usage_matches out.json expect-proj.json expect-other.json
'

test_expect_success SQLITE3 'a database in a read-only folder is still read' '
	test_when_finished "chmod u+w .local/share/opencode" &&
	chmod a-w .local/share/opencode &&
	(cd proj && git tokens usage --no-cache --format json >../out.json) &&
	usage_matches out.json expect-proj.json
'

test_expect_success SQLITE3 'a row that is not JSON is skipped and named' '
	sqlite3 .local/share/opencode/opencode.db \
		"INSERT INTO message VALUES(\"msg_bad\",\"ses_1\",0,0,\"{oops\");" &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	usage_matches out.json expect-proj.json &&
	grep "^warning: .*opencode\.db:6" err
'

test_expect_success 'tokens.opencode.path names the data folder' '
	mv .local/share/opencode moved &&
	git -C proj config tokens.opencode.path "$(pwd)/moved" &&
	(cd proj && git tokens usage --format json >../out.json 2>/dev/null) &&
	usage_matches out.json expect-proj.json
'

test_expect_success 'the post-commit hook skips old session folders' '
	git init -q hook &&
	(cd hook && commit_at 2026-11-29T10:00:00Z base) &&
	python3 - <<-\PY &&
	import json, os
	base = os.path.abspath(".local/share/opencode/storage/message")
	hook = os.path.abspath("hook")
	def write(sid, mid, text, folder_time):
	    d = os.path.join(base, sid)
	    os.makedirs(d, exist_ok=True)
	    with open(os.path.join(d, mid + ".json"), "w") as f:
	        f.write(text)
	    os.utime(d, (folder_time, folder_time))
	# a session of 2026-11-20 whose folder has not changed since; its
	# message file rewritten lately, now bad: the hook never opens it
	write("ses_old", "msg_old", "{oops", 1795168800)
	# started during the commit, 2026-11-29T10:59:30Z
	write("ses_new", "msg_new", json.dumps({
	    "id": "msg_new", "sessionID": "ses_new", "role": "assistant",
	    "time": {"created": 1795949970000}, "modelID": "gpt-5",
	    "path": {"cwd": hook}, "cost": 0,
	    "tokens": {"input": 500, "output": 40, "reasoning": 2,
	               "cache": {"read": 1000, "write": 0}}}), 1795949970)
	PY
	record_commit_at hook 2026-11-29T11:00:00Z one 2026-11-29T11:00:05Z &&
	grep "recorded 1 event" err &&
	! grep "msg_old" err &&
	test "$(json_get input <note)" = 500 &&
	test "$(json_get output <note)" = 42 &&
	test "$(json_get cache_read <note)" = 1000 &&
	: usage reads every folder, the bad file with them &&
	(cd hook && git tokens usage --since 2025-01-01 --format json \
		>../out.json 2>../err) &&
	grep "^warning: skipped 1 bad usage record (first: .*/ses_old/msg_old.json: malformed JSON)" err
'

test_expect_success 'an old folder with a new subfolder: the hook reads it' '
	python3 - <<-\PY &&
	import json, os
	base = os.path.abspath(".local/share/opencode/storage/message")
	hook = os.path.abspath("hook")
	d = os.path.join(base, "ses_deep", "later")
	os.makedirs(d, exist_ok=True)
	# started during the commit, 2026-11-29T11:59:30Z
	with open(os.path.join(d, "msg_deep.json"), "w") as f:
	    f.write(json.dumps({
	        "id": "msg_deep", "sessionID": "ses_deep", "role": "assistant",
	        "time": {"created": 1795953570000}, "modelID": "gpt-5",
	        "path": {"cwd": hook}, "cost": 0,
	        "tokens": {"input": 700, "output": 70, "reasoning": 0,
	                   "cache": {"read": 0, "write": 0}}}))
	os.utime(d, (1795953570, 1795953570))
	# the session folder itself has not changed since 2026-11-20
	old = os.path.join(base, "ses_deep")
	os.utime(old, (1795168800, 1795168800))
	PY
	record_commit_at hook 2026-11-29T12:00:00Z two 2026-11-29T12:00:05Z &&
	grep "recorded 1 event" err &&
	test "$(json_get input <note)" = 700 &&
	test "$(json_get output <note)" = 70
'

test_done
