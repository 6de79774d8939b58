#!/bin/sh

test_description='import: usage events from JSON Lines'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME

# sum_by <key> <file>...: what "usage --by <key>" must show for the
# events of these JSON Lines files that belong to proj (no cwd, a cwd in
# proj, or a repo naming it), each distinct line once; costs as given.
sum_by () {
	python3 - "$@" <<-\PY
	import json, os, sys
	key, files = sys.argv[1], sys.argv[2:]
	proj = os.path.abspath("proj")
	rows, seen = {}, set()
	for p in files:
	    for line in open(p):
	        line = line.strip()
	        if not line or line in seen:
	            continue
	        seen.add(line)
	        try:
	            e = json.loads(line)
	        except ValueError:
	            continue
	        counters = [e[c] for c in ("input", "output", "cache_write",
	                                   "cache_read") if c in e]
	        if ("time" not in e or e["time"] < "2020" or not counters or
	                min(counters) < 0 or e.get("tool", "import") not in
	                ("import", "claude-code", "codex", "gemini")):
	            continue
	        cwd = e.get("cwd")
	        if cwd is not None and not (cwd + "/").startswith(proj + "/"):
	            continue
	        # the work tree's name, path, or its remote (or its tail)
	        if e.get("repo") not in (None, "proj", proj, "acme/proj",
	                                 "https://example.com/acme/proj.git"):
	            continue
	        k = {"day": e["time"][:10], "tool": e.get("tool", "import"),
	             "model": e.get("model", "unknown")}[key]
	        r = rows.setdefault(k, dict(requests=0, input=0, output=0,
	                                    cache_write=0, cache_read=0,
	                                    cost_usd=0.0))
	        r["requests"] += 1
	        for c in ("input", "output", "cache_write", "cache_read"):
	            r[c] += e.get(c, 0)
	        r["cost_usd"] += e["cost_usd"]
	json.dump(rows, sys.stdout)
	PY
}

check_usage () {
	python3 - "$1" "$2" <<-\PY
	import json, sys
	got = json.load(open(sys.argv[1]))
	want = json.load(open(sys.argv[2]))
	rows = {r["key"]: r for r in got["rows"]}
	assert sorted(rows) == sorted(want), (sorted(rows), sorted(want))
	for k, w in want.items():
	    for c in ("requests", "input", "output", "cache_write", "cache_read"):
	        assert rows[k][c] == w[c], (k, c, rows[k][c], w[c])
	    assert abs(rows[k]["cost_usd"] - w["cost_usd"]) < 1e-9, (k, rows[k])
	PY
}

test_expect_success 'setup' '
	git init -q proj &&
	git -C proj remote add origin https://example.com/acme/proj.git &&
	p=$(pwd)/proj &&
	cat >good.jsonl <<-EOF
	{"time":"2026-11-20T10:00:00Z","tool":"claude-code","model":"claude-sonnet-4-5","session":"s1","cwd":"$p","author":"alice@example.com","input":1000,"output":200,"cache_write":300,"cache_read":4000,"cost_usd":0.25}
	{"time":"2026-11-20T11:00:00Z","model":"gpt-5","input":10,"output":20,"cost_usd":0.5}
	{"time":"2026-11-21T09:30:00+02:00","tool":"codex","model":"gpt-5","cwd":"$p/src","output":7,"cost_usd":0.125}
	{"time":"2026-11-21T12:00:00Z","tool":"gemini","model":"gemini-2.5-pro","repo":"proj","input":5,"cost_usd":1}
	{"time":"2026-11-22T12:00:00Z","model":"gpt-5","repo":"acme/proj","cache_read":9,"cost_usd":0.75}
	{"time":"2026-11-22T13:00:00Z","model":"gpt-5","cwd":"/somewhere/else","input":99,"cost_usd":9}
	EOF
'

test_expect_success 'good lines are imported' '
	(cd proj && git tokens import ../good.jsonl) 2>err &&
	echo "imported 6 events (0 duplicates skipped)" >expect &&
	test_cmp expect err &&
	head -n 1 proj/.git/tokens/imported.jsonl >head &&
	echo "{\"schema\":\"git-tokens/imported/v1\"}" >expect &&
	test_cmp expect head &&
	(cd proj && git tokens usage --format json >../out.json) &&
	sum_by day good.jsonl >want.json &&
	check_usage out.json want.json &&
	(cd proj && git tokens usage --by tool --format json >../out.json) &&
	sum_by tool good.jsonl >want.json &&
	check_usage out.json want.json
'

test_expect_success 'identical lines are not added twice' '
	cp proj/.git/tokens/imported.jsonl before &&
	(cd proj && git tokens import ../good.jsonl ../good.jsonl) 2>err &&
	echo "imported 0 events (12 duplicates skipped)" >expect &&
	test_cmp expect err &&
	test_cmp before proj/.git/tokens/imported.jsonl &&
	(cd proj && git tokens usage --format json >../out.json) &&
	sum_by day good.jsonl >want.json &&
	check_usage out.json want.json
'

test_expect_success 'a bad line is an error naming file:line; the rest is kept' '
	cat >mixed.jsonl <<-\EOF &&
	{"time":"2026-11-23T10:00:00Z","model":"gpt-5","input":1,"cost_usd":0.01}
	not json at all
	{"model":"gpt-5","input":1}
	{"time":"2026-11-23T10:00:00Z","model":"gpt-5"}
	{"time":"2026-11-23T10:00:00Z","model":"gpt-5","input":-4}
	{"time":"2019-01-01T00:00:00Z","model":"gpt-5","input":4}
	{"time":"2026-11-23T10:00:00Z","tool":"no-such-tool","input":4}

	{"time":"2026-11-23T11:00:00Z","model":"gpt-5","output":3,"cost_usd":0.02}
	EOF
	test_expect_code 1 git -C proj tokens import ../mixed.jsonl 2>err &&
	for n in 2 3 4 5 6 7
	do
		grep "^error: \.\./mixed\.jsonl:$n: " err || return 1
	done &&
	test $(grep -c "^error:" err) = 6 &&
	grep "^imported 2 events (0 duplicates skipped)$" err &&
	(cd proj && git tokens usage --format json >../out.json) &&
	sum_by day good.jsonl mixed.jsonl >want.json &&
	check_usage out.json want.json
'

test_expect_success 'standard input, and -q' '
	echo "{\"time\":\"2026-11-24T10:00:00Z\",\"model\":\"gpt-5\",\"input\":8,\"cost_usd\":0.5}" >stdin.jsonl &&
	(cd proj && git tokens import -q - <../stdin.jsonl) 2>err &&
	test_must_be_empty err &&
	(cd proj && git tokens usage --format json >../out.json) &&
	sum_by day good.jsonl mixed.jsonl stdin.jsonl >want.json &&
	check_usage out.json want.json
'

test_expect_success 'a missing file is an error' '
	test_expect_code 1 git -C proj tokens import ../nope.jsonl 2>err &&
	grep "^error: cannot open .*nope\.jsonl" err
'

test_expect_success 'two imports at once lose nothing' '
	for i in 1 2 3 4 5 6 7 8
	do
		echo "{\"time\":\"2026-11-25T10:0$i:00Z\",\"model\":\"gpt-5\",\"input\":$i,\"cost_usd\":0.1}" >par$i.jsonl || return 1
	done &&
	for i in 1 2 3 4 5 6 7 8
	do
		(cd proj && git tokens import -q ../par$i.jsonl) &
	done &&
	wait &&
	! test -f proj/.git/tokens/imported.jsonl.lock &&
	(cd proj && git tokens usage --format json >../out.json) &&
	sum_by day good.jsonl mixed.jsonl stdin.jsonl par?.jsonl >want.json &&
	check_usage out.json want.json
'

test_expect_success 'the commit hook takes the imports of its window, as written' '
	git init -q hookrepo &&
	(cd hookrepo && commit_at 2026-11-26T08:00:00Z base) &&
	p=$(pwd)/hookrepo &&
	python3 - "$p" >window.jsonl <<-\PY &&
	import json, sys
	# the day before the window and the minutes just before it, the
	# time first (with a space, as json.dumps writes it, or without)
	# or later in the line; then the window itself
	for i, t in enumerate(["2026-11-25T09:%02d:00Z" % m for m in range(60)] +
	                      ["2026-11-26T07:5%d:00Z" % m for m in range(10)] +
	                      ["2026-11-26T08:0%d:00Z" % m for m in range(1, 10)]):
	    e = {"time": t, "model": "gpt-5", "cwd": sys.argv[1],
	         "input": i + 1, "output": 2 * i, "cost_usd": 0.01}
	    if i % 3 == 1:
	        e = dict(list(e.items())[1:] + [("time", t)])
	    print(json.dumps(e, separators=(",", ":") if i % 2 else (", ", ": ")))
	PY
	(
		cd hookrepo &&
		git tokens import -q ../window.jsonl &&
		commit_at 2026-11-26T08:10:00Z one &&
		git tokens record -q &&
		git notes --ref=tokens show HEAD >../window.note
	) &&
	python3 - <<-\PY
	import json
	want = [json.loads(l) for l in open("window.jsonl")]
	want = [e for e in want if "2026-11-26T08:00:00Z" < e["time"]]
	got = [json.loads(l) for l in open("window.note")]
	for k in ("input", "output"):
	    assert sum(l[k] for l in got) == sum(e[k] for e in want), k
	assert sum(l["requests"] for l in got) == len(want) == 9, got
	PY
'

test_expect_success 'import needs a repository' '
	test_expect_code 128 env GIT_CEILING_DIRECTORIES="$(pwd)" \
		sh -c "mkdir -p outside && cd outside && git tokens import ../good.jsonl"
'

test_done
