#!/bin/sh

test_description='usage: Crush session costs from its per-project database'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-sources.sh

unset CRUSH_GLOBAL_DATA XDG_DATA_HOME

# gen_crush <db> <project> <scenario>: a crush.db (the columns of
# Crush's migrations up to workspace_cwd), and expect-<scenario>.json:
# the project's usage per UTC day, worked out here. Crush's cost is a
# session's sum (a sub-agent's included in its parent's) while its
# token columns hold the last call only. Each call is an assistant
# message of the session or of its sub-agents' sessions: an event at
# its time, on its model, with an equal share of the top-level
# session's cost and no tokens. A session with a cost and no message
# left is its cost cut into n = 1 + (whole 5 minutes of its window)
# events, one at the end of each slice.
gen_crush () {
	python3 - "$@" <<-\PY
	import json, os, sys
	from lib_sources import CrushDB, iso_ms, spread
	path, project, scenario = sys.argv[1:4]
	project = os.path.abspath(project)
	db = CrushDB(path)
	d = 1795168800   # 2026-11-20T10:00:00Z
	# id, parent, cost, created, updated, model, workspace_cwd
	sessions = [
	    ("s1", None, 0.75, d, d + 12 * 60, "claude-sonnet-4-5", None),
	    # a sub-agent's session: its cost is in s1's already
	    ("s1-task", "s1", 0.20, d + 60, d + 120, "claude-haiku-4-5", None),
	    # a free model: calls, at no cost
	    ("s2", None, 0.0, d + 3600, d + 3700, "qwen/qwen3-coder:free", None),
	    # across midnight, its folder recorded
	    ("s3", None, 1.0, d + 13 * 3600 + 59 * 60 + 58,
	     d + 14 * 3600 + 20 * 60, "gpt-5", project),
	    # its messages gone: the cost over the window
	    ("s5", None, 0.30, d + 7200, d + 7200 + 20 * 60, "gpt-5", None),
	]
	if scenario == "bad":
	    sessions.append(("s4", None, "lots", d, d, "gpt-5", None))
	for s in sessions:
	    db.session(*s)
	db.db.execute("DELETE FROM messages WHERE session_id = 's5'")
	db.close()
	# CrushDB.session() gives each session two calls, one second and
	# two seconds after it starts, on "old" then on its model.
	calls = {}
	for sid, parent, cost, c, u, model, cwd in sessions:
	    if sid != "s5":
	        calls.setdefault(parent or sid, []).extend(
	            [(c + 1, "old"), (c + 2, model)])
	days, models = {}, {}
	def add(t, model, cost):
	    for key, rows in ((iso_ms(t)[:10], days), (model, models)):
	        e = rows.setdefault(key, dict(
	            requests=0, input=0, output=0, cache_write=0,
	            cache_read=0, cost_usd=0.0))
	        e["requests"] += 1
	        e["cost_usd"] += cost
	for sid, parent, cost, c, u, model, cwd in sessions:
	    if parent or not isinstance(cost, float):
	        continue
	    if sid in calls:
	        for t, m in calls[sid]:
	            add(t * 1000, m, cost / len(calls[sid]))
	        continue
	    n = len(list(spread(c * 1000, u * 1000, [0])))
	    for t, _ in spread(c * 1000, u * 1000, [0]):
	        add(t, "unknown", cost / n)
	json.dump(days, open("expect-%s.json" % scenario, "w"))
	json.dump(models, open("expect-%s-models.json" % scenario, "w"))
	PY
}

usage_of () {
	(cd "$1" && shift &&
	 git tokens usage --format json "$@" >../out.json 2>../err)
}

test_expect_success SQLITE3 'setup' '
	git init -q proj &&
	git init -q other &&
	gen_crush proj/.crush/crush.db proj proj &&
	gen_crush data/other/crush.db other other &&
	mkdir -p .local/share/crush &&
	cat >.local/share/crush/projects.json <<-EOF
	{
	  "projects": [
	    {
	      "path": "$(pwd)/other",
	      "data_dir": "$(pwd)/data/other",
	      "last_accessed": "2026-11-21T10:00:00Z"
	    }
	  ]
	}
	EOF
'

test_expect_success SQLITE3 'each call: its time, model and share of the cost' '
	usage_of proj &&
	check_usage out.json expect-proj.json &&
	test_must_be_empty err &&
	test $(json_get rows.0.requests <out.json) = 12 &&
	test $(json_get rows.1.requests <out.json) = 1 &&
	usage_of proj &&
	check_usage out.json expect-proj.json &&
	(cd proj && git tokens usage --by model --format json) >models.json &&
	check_usage models.json expect-proj-models.json
'

test_expect_success SQLITE3 'a project listed in projects.json' '
	usage_of other &&
	check_usage out.json expect-other.json &&
	test_must_be_empty err
'

test_expect_success SQLITE3 'a bad cost: one warning naming the row' '
	gen_crush proj/.crush/crush.db proj bad &&
	usage_of proj &&
	check_usage out.json expect-bad.json &&
	grep "^warning: skipped 1 bad usage record (first: .*/proj/\.crush/crush\.db:6: bad cost)" err &&
	test_line_count = 1 err
'

test_expect_success SQLITE3 'a locked database, then free again' '
	test_when_finished "exec 9>&-" &&
	db_locked proj/.crush/crush.db expect-bad.json usage_of proj
'

test_expect_success SQLITE3 'a corrupt database, and one gone' '
	echo "{}" >expect-none.json &&
	db_corrupt data/other/crush.db expect-none.json usage_of other &&
	rm data/other/crush.db &&
	db_gone usage_of other
'

test_expect_success SQLITE3 'tokens.crush.path names a data folder' '
	gen_crush proj/.crush/crush.db proj proj &&
	mv proj/.crush proj/.crush-kept &&
	mkdir proj/.crush &&
	mv proj/.crush-kept/crush.db proj/.crush/ &&
	(cd proj && git config tokens.crush.path "$(pwd)/.crush") &&
	usage_of proj &&
	check_usage out.json expect-proj.json &&
	(cd proj && git config tokens.crush.path "$(pwd)/.crush-kept") &&
	usage_of proj &&
	echo "{}" >expect-none.json &&
	check_usage out.json expect-none.json
'

test_done
