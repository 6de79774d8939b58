#!/bin/sh

test_description='import --format=cursor-csv: the dashboard usage CSV'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-cursor.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
HOME=$(pwd)
XDG_CACHE_HOME=$(pwd)/cache
export GIT_TOKENS_NOW HOME XDG_CACHE_HOME
STORE=repo/.git/tokens/provider-usage.jsonl

# csv <layout> [crlf] [bom] <rows> <file>: the fixture generator. Rows,
# "<date> <user> <kind> <model> <w/> <w/o> <read> <output>
# [<total>]" ("-" = empty, "_" in kind a space), become the export's
# exact text in that layout (v1: Date,Model,… plus Cost to you; v2:
# Kind and Max Mode; v3: User, Cloud Agent ID and Automation ID). The
# total is the real exports' (w/ + w/o + read + output) unless given.
csv () {
	python3 - "$@" <<-\PY
	import csv, io, sys
	args = sys.argv[1:]
	layout, rows, out = args[0], args[-2], args[-1]
	crlf, bom = "crlf" in args, "bom" in args
	tok = ["Input (w/ Cache Write)", "Input (w/o Cache Write)",
	       "Cache Read", "Output Tokens", "Total Tokens", "Cost"]
	head = {"v1": ["Date", "Model"] + tok + ["Cost to you"],
	        "v2": ["Date", "Kind", "Model", "Max Mode"] + tok,
	        "v3": ["Date", "User", "Cloud Agent ID", "Automation ID",
	               "Kind", "Model", "Max Mode"] + tok}[layout]
	buf = io.StringIO()
	w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n",
	               quoting=csv.QUOTE_MINIMAL if layout == "v1"
	               else csv.QUOTE_ALL)
	w.writerow(head)
	for line in open(rows):
	    f = line.split()
	    if not f:
	        continue
	    date, kind, model = f[0], f[2].replace("_", " "), f[3]
	    user = "" if f[1] == "-" else f[1]
	    c = [int(x) for x in f[4:8]]
	    total = int(f[8]) if len(f) > 8 else sum(c)
	    row = {"Date": date, "User": user, "Kind": kind, "Model": model,
	           "Max Mode": "No", "Cloud Agent ID": "bc-1, 2",
	           "Automation ID": "", "Cost": "Included",
	           "Cost to you": "$0.00", "Total Tokens": str(total)}
	    for k, v in zip(tok, c):
	        row[k] = str(v)
	    w.writerow([row[h] for h in head])
	text = buf.getvalue()
	open(out, "w", newline="").write(("\ufeff" if bom else "") + text)
	PY
}

# stored: per author and model, the Cursor events in the store.
stored () {
	cursor_stored "$STORE"
}

# want <rows>...: the same from the generator's rows by the CSV rule:
# input = w/o, cache write = w/ (apart, as the real totals say), or
# w/ - w/o when the total says w/ holds w/o; other totals are bad.
want () {
	cat "$@" | python3 -c '
import sys
tot = {}
for l in sys.stdin:
    f = l.split()
    if not f:
        continue
    w, wo, rd, out = (int(x) for x in f[4:8])
    total = int(f[8]) if len(f) > 8 else w + wo + rd + out
    if total == w + wo + rd + out:
        cw = w
    elif w >= wo and total == w + rd + out:
        cw = w - wo
    else:
        continue
    if not (w or wo or rd or out) or f[0] < "2020":
        continue
    user = f[1] if f[1] != "-" else "author@example.com"
    model = {"auto": "cursor-auto", "default": "cursor-auto"}.get(f[3], f[3])
    r = tot.setdefault((user, model), [0, 0, 0, 0, 0])
    r[0] += 1
    for i, v in enumerate((wo, out, cw, rd)):
        r[i + 1] += v
for k in sorted(tot):
    print(*k, *tot[k])
'
}

test_expect_success 'setup: a repository, rows and three layouts' '
	git init -q repo &&
	cat >rows-v1 <<-\EOF &&
	2026-11-18 - - gpt-4o 10 5 0 15
	2026-11-18 - - gpt-4o 10 5 0 15
	2026-11-19 - - gpt-4o-mini 0 0 0 5
	EOF
	cat >rows-v2 <<-\EOF &&
	2026-11-20T18:36:05.846Z - Included auto 28342 775 105891 21282
	2026-11-20T13:35:04.658Z - On-Demand gpt-5-codex 0 8263 66964 1612
	2026-11-20T14:00:00.000Z - Errored,_No_Charge claude-4.5-sonnet 100 40 0 3
	2026-11-20T15:00:00.000Z - Included claude-4.5-sonnet 500 200 1000 50 1550
	2026-11-20T16:00:00.000Z - Included gpt-5 0 0 0 0
	EOF
	cat >rows-v3 <<-\EOF &&
	2026-11-21T09:00:00.000Z ann@example.com Included gpt-5 3000 1000 20000 700
	2026-11-21T10:00:00.000Z bob@example.com Included default 0 50 500 60
	2026-11-21T10:00:00.000Z - Included gpt-5 7 8 9 10
	EOF
	csv v1 rows-v1 v1.csv &&
	csv v2 crlf bom rows-v2 v2.csv &&
	csv v3 rows-v3 v3.csv &&
	head -n 1 v2.csv | od -c | head -n 1 | grep "357 273 277"
'

test_expect_success 'every layout imports with exact totals' '
	(cd repo && git tokens import --format=cursor-csv ../v1.csv ../v2.csv \
		../v3.csv) 2>err &&
	echo "imported 10 events (0 duplicates skipped)" >expect &&
	test_cmp expect err &&
	want rows-v1 rows-v2 rows-v3 >expect &&
	stored >actual &&
	test_cmp expect actual
'

test_expect_success 'times keep their millisecond; a date alone is its day' '
	grep "\"time\":\"2026-11-20T18:36:05.846Z\"" $STORE &&
	grep "\"time\":\"2026-11-18T00:00:00Z\"" $STORE
'

test_expect_success 'importing again, or an overlapping export, adds nothing' '
	cp $STORE before &&
	head -n 3 v3.csv >part.csv &&
	(cd repo && git tokens import --format=cursor-csv ../v1.csv \
		../part.csv) 2>err &&
	echo "imported 0 events (5 duplicates skipped)" >expect &&
	test_cmp expect err &&
	test_cmp before $STORE
'

test_expect_success 'bad rows: one warning naming the first, the rest kept' '
	cat >bad.csv <<-\EOF &&
	Date,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Cost
	"2026-11-22T10:00:00.000Z","Included","gpt-5","No","1","2","3","4","10","0.01"
	"2026-11-22T11:00:00.000Z","Included","gpt-5","No","1","2","3","4","99","0.01"
	"yesterday","Included","gpt-5","No","1","2","3","4","10","0.01"
	"2026-11-22T12:00:00.000Z","Included","gpt-5","No","x","2","3","4","10","0.01"
	"2019-11-22T12:00:00.000Z","Included","gpt-5","No","1","2","3","4","10","0.01"
	"2026-11-22T13:00:00.000Z","Included","gpt-5","No"," 10","20 ","30","40","100","0.01"
	"2026-11-22T14:00:00.000Z","Included","gpt-5","No","1","2"
	EOF
	test_expect_code 1 git -C repo tokens import --format=cursor-csv \
		../bad.csv 2>err &&
	grep "^warning: skipped 5 bad rows (first: \.\./bad\.csv:3: .Total Tokens. does not add up)$" err &&
	grep "^imported 2 events" err &&
	cat >rows-bad <<-\EOF &&
	2026-11-22T10:00:00.000Z - Included gpt-5 1 2 3 4
	2026-11-22T13:00:00.000Z - Included gpt-5 10 20 30 40
	EOF
	want rows-v1 rows-v2 rows-v3 rows-bad >expect &&
	stored >actual &&
	test_cmp expect actual
'

test_expect_success 'a truncated file: the cut row is bad, the rest counted' '
	cat >rows-cut <<-\EOF &&
	2026-11-23T10:00:00.000Z - Included gpt-5 100 200 300 400
	2026-11-23T11:00:00.000Z - Included gpt-5 5 6 7 8
	EOF
	csv v2 rows-cut cut.csv &&
	size=$(wc -c <cut.csv) &&
	head -c $((size - 20)) cut.csv >cut2.csv &&
	test_expect_code 1 git -C repo tokens import --format=cursor-csv \
		../cut2.csv 2>err &&
	grep "skipped 1 bad row (first: \.\./cut2\.csv:3: " err &&
	head -n 1 rows-cut >rows-cut1 &&
	want rows-v1 rows-v2 rows-v3 rows-bad rows-cut1 >expect &&
	stored >actual &&
	test_cmp expect actual
'

test_expect_success 'a missing file and a file that is no usage CSV' '
	echo "{\"a\":1}" >not.csv &&
	test_must_fail git -C repo tokens import --format=cursor-csv \
		../gone.csv ../not.csv 2>err &&
	grep "cannot read .\.\./gone\.csv.: No such file" err &&
	grep "\.\./not\.csv. is not a Cursor usage CSV" err
'

test_expect_success '--author names whose rows are; usage is attributed by day' '
	cat >rows-eve <<-\EOF &&
	2026-11-24T09:00:00.000Z - Included gpt-5 0 1000 0 300
	EOF
	csv v2 rows-eve eve.csv &&
	git -C repo tokens import -q --format=cursor-csv --author=eve@example.com \
		../eve.csv &&
	grep "\"author\":\"eve@example.com\"" $STORE &&
	(
		cd repo &&
		GIT_AUTHOR_EMAIL=eve@example.com &&
		export GIT_AUTHOR_EMAIL &&
		commit_at 2026-11-24T15:00:00Z e1 3 &&
		commit_at 2026-11-24T16:00:00Z e2 1 &&
		commit_at 2026-11-25T10:00:00Z e3 1 &&
		git tokens log --format=json >../log.json
	) &&
	python3 - <<-\PY
	import json
	name = {"2026-11-24T15:00:00Z": "e1", "2026-11-24T16:00:00Z": "e2",
	        "2026-11-25T10:00:00Z": "e3"}
	ch = {name[c["date"]]: c for c in json.load(open("log.json"))["changes"]}
	# 1300 tokens (300 out) over e1 and e2 by their lines, 3 to 1
	assert ch["e1"]["how"] == "day" and ch["e2"]["how"] == "day", ch
	assert (ch["e1"]["tokens"], ch["e1"]["output_tokens"]) == (975, 225), ch
	assert (ch["e2"]["tokens"], ch["e2"]["output_tokens"]) == (325, 75), ch
	assert ch["e3"]["tokens"] is None, ch["e3"]
	PY
'

# Rows of real exports, as published in public repositories' tests.
# In each, Total Tokens = (w/) + (w/o) + Cache Read + Output, and one
# has (w/) 3549 below (w/o) 31589: (w/) cannot hold (w/o).
test_expect_success 'real export rows: the two input columns are apart' '
	git init -q real &&
	cat >real.csv <<-\EOF &&
	Date,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Cost
	"2025-11-13T18:36:05.846Z","Included","auto","No","28342","775","105891","21282","156290","0.19"
	"2025-11-13T13:35:04.658Z","On-Demand","gpt-5-codex","No","0","8263","66964","1612","76839","0.03"
	"2025-12-28T12:05:02.926Z","Included","claude-4.5-opus-high-thinking","No","46800","4647","275594","3562","330603","0.62"
	"2025-12-28T10:34:54.404Z","Included","auto","No","2801","0","343040","2076","347917","0.10"
	"2025-12-16T03:02:51.377Z","Included","claude-4.5-opus-high-thinking","No","55747","14237","1529932","14842","1614758","1.78"
	"2025-12-16T02:43:37.120Z","Included","claude-4.5-opus-high-thinking","No","3549","31589","559719","2153","597010","0.43"
	"2025-12-15T18:09:50.676Z","Included","claude-4.5-opus-high-thinking","No","17932","32712","1066257","6244","1123145","0.97"
	"2025-12-15T16:43:40.980Z","On-Demand","claude-4.5-opus-high-thinking","No","4188","16404","300036","1206","321834","0.25"
	"2025-12-15T15:43:02.043Z","Included","auto","No","22006","0","87808","2622","112436","0.07"
	EOF
	(cd real && git tokens import --format=cursor-csv ../real.csv) 2>err &&
	echo "imported 9 events (0 duplicates skipped)" >expect &&
	test_cmp expect err &&
	# by hand: input = (w/o), output, cache write = (w/), cache read
	cat >expect <<-\EOF &&
	author@example.com claude-4.5-opus-high-thinking 5 99589 28007 128216 3731538
	author@example.com cursor-auto 3 775 25980 53149 536739
	author@example.com gpt-5-codex 1 8263 1612 0 66964
	EOF
	cursor_stored real/.git/tokens/provider-usage.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success '--author goes with cursor-csv; an unknown format' '
	test_expect_code 129 git -C repo tokens import --author=x ../v1.csv &&
	test_expect_code 129 git -C repo tokens import --format=xls ../v1.csv
'

test_done
