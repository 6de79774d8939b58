#!/bin/sh

test_description='export: JSON Lines per change, and loading it into PostgreSQL'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
TZ=UTC
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME TZ

# commit_on <date> <name> <email> <file> <lines> [<subject>]
commit_on () {
	mkdir -p "$(dirname "$4")" &&
	printf "%s\n" $5 >>"$4" &&
	git add "$4" &&
	GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" \
	GIT_AUTHOR_NAME=$2 GIT_AUTHOR_EMAIL=$3 \
		git commit -q -m "${6:-edit $4}"
}

# usage_note <tool> <model> <input> <output> <cost>: a hook note on HEAD.
usage_note () {
	git notes --ref=tokens add -f -m "{\"v\":1,\"tool\":\"$1\",\"model\":\"$2\",\"session\":\"0123456789ab\",\"from\":\"2024-11-18T08:00:00Z\",\"to\":\"2024-11-18T08:30:00Z\",\"requests\":3,\"input\":$3,\"output\":$4,\"cache_write\":7,\"cache_read\":100,\"cost_usd\":$5,\"by\":\"x@example.com\",\"how\":\"hook\"}" HEAD
}

# rows_check <file>: every line a JSON object of schema v1; prints the
# count, the sums of lines added, deleted, output tokens and cost.
rows_sum () {
	python3 - "$1" <<-\PY
	import json, sys
	n = a = d = out = 0
	cost = 0.0
	for line in open(sys.argv[1], encoding="utf-8"):
	    r = json.loads(line)
	    assert r["schema"] == "git-tokens/export/v1", r
	    n += 1
	    a += r["lines_added"]
	    d += r["lines_deleted"]
	    out += r["output_tokens"] or 0
	    cost += r["cost_usd"] or 0
	print(n, a, d, out, "%.4f" % cost)
	PY
}

test_expect_success 'setup: changes with and without usage, an odd subject' '
	git init -q repo &&
	(
	cd repo &&
	commit_on 2024-11-18T10:00:00Z "Ann Smith" ann@example.com a.txt "1 2 3 4 5" &&
	usage_note claude-code claude-sonnet-4-5 1000 2000 2.5 &&
	commit_on 2024-11-19T10:00:00Z "Bob Jones" bob@example.com b.txt "1 2 3" \
		"subject with \\backslash, \"quotes\",	a tab and ünïcode" &&
	usage_note codex gpt-5 10 500 0.75 &&
	commit_on 2024-11-20T10:00:00Z "Ann Smith" ann@example.com sub/c.txt "1 2" &&
	commit_on 2024-12-03T10:00:00Z "Bob Jones" bob@example.com a.txt "6 7 8 9" &&
	usage_note claude-code claude-opus-4-1 20 3000 4.25 &&
	git checkout -q -b topic &&
	commit_on 2024-12-05T10:00:00Z "Ann Smith" ann@example.com d.txt "1" &&
	usage_note claude-code claude-sonnet-4-5 1 50 0.5 &&
	git checkout -q main
	)
'

test_expect_success 'one row per change, newest first, each with the schema' '
	(cd repo && git tokens export topic) >all.jsonl &&
	test $(wc -l <all.jsonl) = $(cd repo && git rev-list --count --no-merges topic) &&
	python3 - all.jsonl repo <<-\PY
	import json, subprocess, sys
	rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
	want = subprocess.check_output(["git", "-C", sys.argv[2], "rev-list",
	                                "--no-merges", "topic"]).decode().split()
	assert [r["commit"] for r in rows] == want, rows
	top = rows[0]
	assert top["landed"] is False and top["landed_how"] == "no", top
	assert top["author_name"] == "Ann Smith" and top["lines_added"] == 1
	assert top["mainline"] == "main"
	bob = rows[3]
	assert bob["subject"] == "subject with \\backslash, \"quotes\",\ta tab and \u00fcn\u00efcode", bob
	assert bob["tool"] == "codex" and bob["model"] == "gpt-5"
	assert bob["confidence"] == "hook" and bob["requests"] == 3
	assert bob["input_tokens"] == 10 and bob["output_tokens"] == 500
	assert bob["cache_write_tokens"] == 7 and bob["cache_read_tokens"] == 100
	assert bob["tokens"] == 617 and bob["cost_usd"] == 0.75
	assert bob["author_date"] == "2024-11-19T10:00:00Z"
	assert bob["landed"] is True and bob["reverted"] is False
	# usage of known cost: in the lines per dollar, and assisted
	assert bob["priced"] is True and bob["assisted"] is True, bob
	# no usage: counters and cost unknown (null), never 0
	plain = rows[2]
	assert plain["has_usage"] is False
	assert plain["priced"] is False and plain["assisted"] is False, plain
	for k in ("requests", "input_tokens", "output_tokens", "tokens",
	          "cost_usd", "tool", "model", "confidence"):
	    assert plain[k] is None, (k, plain)
	# no review source: null, never "unreviewed"
	assert plain["review"] is None and plain["review_rounds"] is None
	keys = set(rows[0])
	assert all(set(r) == keys for r in rows), "rows differ in fields"
	PY
'

test_expect_success 'sums agree with git log and with the report' '
	(cd repo && git tokens export) >main.jsonl &&
	rows_sum main.jsonl >sums &&
	(cd repo && numstat_totals) >expect &&
	cut -d" " -f2,3 sums >actual &&
	test_cmp expect actual &&
	(cd repo && git tokens report --format=json) >report.json &&
	python3 -c "import json, sys
t = json.load(open(\"report.json\"))[\"total\"]
print(t[\"changes\"], t[\"lines_added\"], t[\"lines_deleted\"], t[\"output_tokens\"], \"%.4f\" % t[\"cost_usd\"])" >expect &&
	test_cmp expect sums &&
	grep "^4 14 0 5500 7.5000$" sums
'

test_expect_success '-o writes the file; range, pathspec, --since, --author' '
	(cd repo && git tokens export -o ../out.jsonl) >stdout &&
	test_must_be_empty stdout &&
	test_cmp main.jsonl out.jsonl &&
	for args in "-- sub" "--since=2024-11-19T12:00:00Z" \
		"--author=bob" "HEAD~2..HEAD" "-n 1" "main -- a.txt"
	do
		(cd repo && git tokens export $args) >e.jsonl &&
		(cd repo && git tokens log --format=json $args) >l.json &&
		python3 -c "import json
e = [json.loads(l)[\"commit\"] for l in open(\"e.jsonl\")]
l = [c[\"commit\"] for c in json.load(open(\"l.json\"))[\"changes\"]]
assert e == l and e, (e, l)" || return 1
	done &&
	(cd repo && git tokens export -- sub) >sub.jsonl &&
	test $(wc -l <sub.jsonl) = 1 &&
	grep "\"lines_added\":2," sub.jsonl
'

test_expect_success 'an empty range is no rows; --format is not an option' '
	(cd repo && git tokens export --since=2030-01-01) >none 2>err &&
	test_must_be_empty none &&
	grep "no changes in range" err &&
	(cd repo && test_expect_code 129 git tokens export --format=csv) \
		>out 2>err &&
	test_must_be_empty out &&
	(cd repo && git tokens export -h) >help &&
	grep "^usage: git tokens export" help
'

# Only what a machine's local logs hold differs: pending usage.
strip_pending () {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
del d["generated"], d["pending"]
del d["coverage"]["tokens_pending"], d["coverage"]["usage_share"]
print(json.dumps(d, indent=1, sort_keys=True))' "$1"
}

test_expect_success 'report --from one export: the report of its repository' '
	(cd repo && git tokens report --format=json) >in-repo.json &&
	git tokens report --from main.jsonl --format=json >from.json &&
	strip_pending in-repo.json >expect &&
	strip_pending from.json >actual &&
	test_cmp expect actual &&
	grep "\"pending\": null" from.json &&
	for by in author week month tool model
	do
		(cd repo && git tokens report --by=$by --format=csv) >expect &&
		git tokens report --from main.jsonl --by=$by --format=csv \
			>actual &&
		test_cmp expect actual || return 1
	done &&
	(cd repo && git tokens report --format=html) >expect.html &&
	git tokens report --from main.jsonl --format=html >actual.html &&
	grep -v "generated\|coverage" expect.html >expect &&
	grep -v "generated\|coverage" actual.html >actual &&
	test_cmp expect actual &&
	grep "pending usage not read" actual.html
'

test_expect_success 'setup: a second repository; its mailmap names Ann as the first does' '
	git init -q -b main other &&
	printf "Ann Smith <ann@example.com> A. Smith <ann@old.example.com>\n" \
		>other.mailmap &&
	(
	cd other &&
	git config mailmap.file ../other.mailmap &&
	commit_on 2024-11-21T10:00:00Z "A. Smith" ann@old.example.com x.txt "1 2 3 4 5 6" &&
	usage_note claude-code claude-sonnet-4-5 100 1000 1.25 &&
	commit_on 2024-11-22T10:00:00Z "Carol Diaz" carol@example.com y.txt "1 2" \
		"feat: y

Co-authored-by: Claude <noreply@anthropic.com>" &&
	commit_on 2024-11-23T10:00:00Z "dependabot[bot]" dependabot@example.com z.txt "1" &&
	commit_on 2024-11-24T10:00:00Z "Carol Diaz" carol@example.com x.txt "7 8 9" &&
	usage_note codex gpt-5 10 400 0.5 &&
	git tokens export -o ../other.jsonl
	) &&
	grep "\"author_name\":\"Ann Smith\",\"author_email\":\"ann@example.com\"" other.jsonl &&
	grep "\"repository\":\"other\"" other.jsonl &&
	grep "\"bot\":true" other.jsonl
'

# identity_sums <repo>...: "Name <email> changes +lines" per mailmapped
# author over the repositories, automation accounts as "bots".
identity_sums () {
	for r
	do
		git -C "$r" log --use-mailmap --no-merges --numstat \
			--format="@%aN <%aE>" || return 1
	done | python3 -c '
import sys
rows = {}
who = None
for line in sys.stdin:
    line = line.rstrip("\n")
    if line.startswith("@"):
        who = line[1:]
        if "[bot]" in who:
            who = "bots"
        rows.setdefault(who, [0, 0])[0] += 1
    elif line:
        rows[who][1] += int(line.split("\t")[0])
for k in sorted(rows):
    print(k, *rows[k])'
}

test_expect_success 'report --from two exports: one row a person, as git log counts' '
	git tokens report --from main.jsonl other.jsonl --format=json \
		>two.json &&
	python3 -c "import json
for r in sorted(json.load(open(\"two.json\"))[\"rows\"], key=lambda r: r[\"author\"]):
    print(r[\"author\"], r[\"changes\"], r[\"lines_added\"])" >actual &&
	identity_sums repo other >expect &&
	test_cmp expect actual &&
	grep "^Ann Smith <ann@example.com> 3 13$" actual &&
	python3 -c "import json
d = json.load(open(\"two.json\"))
assert d[\"mainline\"] == \"main\" and d[\"range\"] == \"HEAD\", d
r = {r[\"author\"]: r for r in d[\"rows\"]}
assert r[\"Carol Diaz <carol@example.com>\"][\"flags\"] == [\"unknown\"], r
assert r[\"bots\"][\"flags\"] == [], r" &&
	COLUMNS=200 git tokens report --from=other.jsonl --from main.jsonl \
		--no-pager --color=never >table &&
	grep "^Ann Smith <ann@example.com>  *3  *3  *13 " table
'

test_expect_success 'report --from --by repo: each repository its own total' '
	git tokens report --from main.jsonl other.jsonl --by repo \
		--format=json >by-repo.json &&
	(cd other && git tokens report --format=json) >other-report.json &&
	python3 - <<-\PY
	import json
	rows = {r["repo"]: r for r in json.load(open("by-repo.json"))["rows"]}
	assert set(rows) == {"repo", "other"}, rows
	for name, f in (("repo", "in-repo.json"), ("other", "other-report.json")):
	    want = dict(json.load(open(f))["total"])
	    got = dict(rows[name])
	    del got["repo"]
	    # the total row never carries "burn" (it has no median)
	    got["flags"] = [x for x in got["flags"] if x != "burn"]
	    assert want == got, (name, want, got)
	PY
'

test_expect_success 'report --from: bad rows are skipped and named, the rest counts' '
	{
		head -n 1 other.jsonl &&
		echo "{not json" &&
		echo "{\"schema\":\"something/else\"}" &&
		sed -n 2p other.jsonl | sed "s/\"lines_added\":[0-9]*/\"lines_added\":\"x\"/" &&
		sed -n "3,\$p" other.jsonl
	} >bad.jsonl &&
	git tokens report --from bad.jsonl --format=json >bad.json 2>err &&
	grep "bad.jsonl.: 3 rows skipped; the first, line 2: not a JSON object" err &&
	test "$(json_get total.changes <bad.json)" = 3 &&
	git tokens report --from main.jsonl main.jsonl --format=csv \
		>twice.csv 2>err &&
	grep "4 rows repeat a commit of their repository read before" err &&
	git tokens report --from main.jsonl --format=csv >once.csv &&
	test_cmp once.csv twice.csv &&
	test_must_fail git tokens report --from nowhere.jsonl 2>err &&
	grep "cannot read .nowhere.jsonl." err &&
	test_expect_code 129 git tokens report --from main.jsonl --since=2024-01-01 2>err &&
	grep "no range, paths or filters" err &&
	(cd repo && test_expect_code 129 git tokens report --by repo) 2>err &&
	grep "needs --from" err &&
	mkdir -p norepo &&
	(cd norepo && GIT_CEILING_DIRECTORIES=$(dirname "$(pwd)") &&
	 export GIT_CEILING_DIRECTORIES &&
	 git tokens report --from ../main.jsonl --format=csv >../out.csv &&
	 test_must_fail git tokens report 2>../err) &&
	grep "not a git repository" err &&
	test $(wc -l <out.csv) = $(($(wc -l <main.jsonl) > 0 ? 4 : 0))
'

# PostgreSQL: a throw-away cluster on a Unix socket, no TCP. As root
# (initdb refuses root) the server runs as the "postgres" user.
PG_BIN=
for d in $(command -v initdb 2>/dev/null | xargs -r dirname) \
	/usr/lib/postgresql/*/bin
do
	if test -x "$d/initdb" && test -x "$d/pg_ctl" && test -x "$d/postgres"
	then
		PG_BIN=$d
		break
	fi
done
PG_AS=
if test "$(id -u)" = 0
then
	id postgres >/dev/null 2>&1 && PG_AS="runuser -u postgres --"
	command -v runuser >/dev/null 2>&1 || PG_BIN=
fi
if test -n "$PG_BIN" && command -v psql >/dev/null 2>&1 &&
	{ test "$(id -u)" != 0 || test -n "$PG_AS"; }
then
	test_set_prereq POSTGRES
fi

PGDIR=$(pwd)/pg
# Socket paths are short (108 bytes): fall back to a private /tmp dir.
SOCK=$PGDIR/sock
if test ${#SOCK} -gt 80
then
	SOCK=$(mktemp -d "${TMPDIR:-/tmp}/git-tokens-pg.XXXXXX")
fi

pg_stop () {
	$PG_AS "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop \
		>/dev/null 2>&1
	case $SOCK in "$PGDIR"/*) ;; *) rm -rf "$SOCK" ;; esac
}

# psql_q <sql>: one value, unaligned.
psql_q () {
	psql -X -q -At -h "$SOCK" -U tokens -d postgres -c "$1"
}

test_expect_success POSTGRES 'start a PostgreSQL server on a Unix socket' '
	mkdir -p "$PGDIR" "$SOCK" &&
	if test -n "$PG_AS"
	then
		chown postgres "$PGDIR" "$SOCK"
	fi &&
	$PG_AS "$PG_BIN/initdb" -D "$PGDIR/data" -A trust -U tokens \
		--no-sync -E UTF8 --locale=C >"$PGDIR/initdb.log" 2>&1 &&
	cat >>"$PGDIR/data/postgresql.conf" <<-EOF &&
	listen_addresses = '\'''\''
	unix_socket_directories = '\''$SOCK'\''
	fsync = off
	EOF
	# The server must not hold the test output open: prove would wait.
	$PG_AS "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
		-t 60 start </dev/null >"$PGDIR/pg_ctl.log" 2>&1 \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &&
	test "$(psql_q "select 1")" = 1
'

test_expect_success POSTGRES 'share/export/postgres.sql loads the export' '
	sql="$TEST_SRCDIR/../share/export/postgres.sql" &&
	psql -X -q -h "$SOCK" -U tokens -d postgres -v ON_ERROR_STOP=1 \
		-f "$sql" <all.jsonl >psql.out 2>&1 &&
	test "$(psql_q "select count(*) from git_tokens_changes")" = \
		$(wc -l <all.jsonl) &&
	python3 - all.jsonl >expect <<-\PY &&
	import json, sys
	rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
	print("%d|%d|%d|%.6f|%d|%d" % (
	    sum(r["lines_added"] for r in rows),
	    sum(r["lines_deleted"] for r in rows),
	    sum(r["output_tokens"] or 0 for r in rows),
	    sum(r["cost_usd"] or 0 for r in rows),
	    sum(1 for r in rows if r["landed"]),
	    sum(1 for r in rows if r["cost_usd"] is None)))
	PY
	psql_q "select sum(lines_added), sum(lines_deleted),
		sum(output_tokens), sum(cost_usd),
		count(*) filter (where landed),
		count(*) filter (where cost_usd is null)
		from git_tokens_changes" >actual &&
	test_cmp expect actual &&
	psql_q "select subject from git_tokens_changes
		where author_email = '\''bob@example.com'\''
		and tool = '\''codex'\''" >actual &&
	printf "subject with \\\\backslash, \"quotes\",\ta tab and \303\274n\303\257code\n" >expect &&
	test_cmp expect actual &&
	test "$(psql_q "select author_date from git_tokens_changes
		where model = '\''gpt-5'\''")" = "2024-11-19 10:00:00+00"
'

test_expect_success POSTGRES 'loading again replaces rows instead of doubling' '
	psql -X -q -h "$SOCK" -U tokens -d postgres -v ON_ERROR_STOP=1 \
		-f "$TEST_SRCDIR/../share/export/postgres.sql" <main.jsonl \
		>psql.out 2>&1 &&
	test "$(psql_q "select count(*) from git_tokens_changes")" = \
		$(wc -l <all.jsonl) &&
	test "$(psql_q "select count(*) from git_tokens_changes
		where doc->>'\''schema'\'' = '\''git-tokens/export/v1'\''")" = \
		$(wc -l <all.jsonl)
'

test_expect_success POSTGRES 'priced and assisted are columns, as the export says' '
	python3 -c "
import json, sys
rows = [json.loads(l) for l in open(\"all.jsonl\")]
print(\"%d|%d\" % (sum(1 for r in rows if r[\"priced\"]),
		   sum(1 for r in rows if r[\"assisted\"])))
" >expect &&
	psql_q "select count(*) filter (where priced),
		count(*) filter (where assisted) from git_tokens_changes" >actual &&
	test_cmp expect actual
'

test_expect_success POSTGRES 'git_tokens_author_report: the numbers of report --from' '
	psql_q "truncate git_tokens_changes" &&
	for f in main.jsonl other.jsonl
	do
		psql -X -q -h "$SOCK" -U tokens -d postgres -v ON_ERROR_STOP=1 \
			-f "$TEST_SRCDIR/../share/export/postgres.sql" <$f \
			>psql.out 2>&1 || return 1
	done &&
	psql_q "copy (select row_to_json(r) from git_tokens_author_report r)
		to stdout" >view-author.jsonl &&
	psql_q "copy (select row_to_json(r) from git_tokens_report r
		where by_key = '\''repo'\'') to stdout" >view-repo.jsonl &&
	for v in author repo
	do
		git tokens report --from main.jsonl other.jsonl --by $v \
			--format=json >from-$v.json || return 1
	done &&
	python3 - <<-\PY
	import json
	# each column as the JSON report rounds it
	digits = {"assisted_share": 4, "rework": 4, "reviewed": 4,
	          "unlanded": 4, "cost_usd": 6, "usd_per_landed": 6,
	          "lines_per_usd": 2}
	def norm(row, key):
	    out = {}
	    for k, v in row.items():
	        if k in digits and v is not None:
	            v = round(float(v), digits[k])
	        out[k] = v
	    return out
	for by in ("author", "repo"):
	    rep = json.load(open("from-%s.json" % by))["rows"]
	    view = []
	    for l in open("view-%s.jsonl" % by):
	        r = json.loads(l)
	        if "key" in r:
	            assert r.pop("by_key") == by, r
	            r = {(by if k == "key" else k): v for k, v in r.items()}
	        view.append(r)
	    want = {r[by]: norm(r, by) for r in rep}
	    got = {r[by]: norm(r, by) for r in view}
	    assert set(want) == set(got), (want.keys(), got.keys())
	    for k in want:
	        assert list(want[k]) == list(got[k]), (want[k].keys(), got[k].keys())
	        for col in want[k]:
	            assert want[k][col] == got[k][col], (by, k, col, want[k][col], got[k][col])
	    assert len(want) >= 4 if by == "author" else len(want) == 2, want
	PY
'

# Not "cleanup": sharness runs that only when every test passed.
test_expect_success POSTGRES 'stop the server' '
	pg_stop &&
	! test -e "$SOCK/.s.PGSQL.5432"
'

test_done
