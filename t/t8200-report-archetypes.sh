#!/bin/sh

test_description='report: a team of four, each flag and the order'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
CLAUDE_CONFIG_DIR=$(pwd)/no-logs
export GIT_TOKENS_NOW XDG_CACHE_HOME CLAUDE_CONFIG_DIR

# note <commit> <email> <output tokens> <cost>: a usage note as another
# person's post-commit hook writes it, arrived through sync.
note () {
	printf '{"v":1,"tool":"claude-code","model":"claude-sonnet-4-5","session":"0123456789ab","from":"2026-11-20T08:00:00Z","to":"2026-11-20T08:30:00Z","requests":5,"input":1000,"output":%s,"cache_write":0,"cache_read":0,"cost_usd":%s,"by":"%s","how":"hook"}\n' \
		"$3" "$4" "$2" >note.txt &&
	git notes --ref=tokens add -f -F note.txt "$1"
}

# as <name> <email> <file> <lines> [<message>...]: a commit by someone else.
as () {
	n=$1 e=$2 f=$3 l=$4 &&
	shift 4 &&
	test_seq 1 $l | sed "s/^/$f /" >"$f" &&
	git add "$f" &&
	test_tick &&
	GIT_AUTHOR_NAME=$n GIT_AUTHOR_EMAIL=$e git commit -q -m "$f" "$@"
}

test_expect_success 'setup: a burner, a lander, one without AI, one unknown' '
	git init -q repo &&
	(
	cd repo &&
	as Lander land@example.com l1 100 &&
	note HEAD land@example.com 20000 0.50 &&
	as Lander land@example.com l2 100 &&
	note HEAD land@example.com 20000 0.50 &&
	as Noai noai@example.com n1 30 &&
	as Noai noai@example.com n2 20 &&
	as Unknown unk@example.com u1 10 -m "Co-Authored-By: Claude <noreply@anthropic.com>" &&
	as Unknown unk@example.com u2 10 -m "Co-Authored-By: Claude <noreply@anthropic.com>" &&
	as Unknown unk@example.com u3 10 &&
	git checkout -q -b burn &&
	as Burner burn@example.com b1 40 &&
	note HEAD burn@example.com 900000 20.00 &&
	as Burner burn@example.com b2 40 &&
	note HEAD burn@example.com 900000 20.00 &&
	git checkout -q main &&
	git tokens report --all --format=json >../report.json
	)
'

row () {
	python3 -c "import json, sys
d = json.load(open(\"report.json\"))
r = [x for x in d[\"rows\"] if sys.argv[1] in x[\"author\"]][0]
print(\" \".join(json.dumps(r[k], separators=(\",\", \":\")) for k in sys.argv[2:]))" "$@"
}

test_expect_success 'the lander: landed lines, cheap, no flag' '
	row land@ changes landed lines_added cost_usd output_tokens flags >actual &&
	echo "2 2 200 1 40000 []" >expect &&
	test_cmp expect actual
'

test_expect_success 'the burner: nothing landed, all cost unlanded, burn' '
	row burn@ changes landed lines_added cost_usd unlanded flags >actual &&
	echo "2 0 0 40 1 [\"burn\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'no AI at all is flagged no-ai, with no cost rather than zero' '
	row noai@ changes landed lines_added cost_usd tokens flags >actual &&
	echo "2 2 50 null null [\"no-ai\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'assisted changes with unknown tokens are flagged unknown, not no-ai' '
	row unk@ changes landed cost_usd flags >actual &&
	echo "3 3 null [\"unknown\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'rows with cost first by lines per dollar, then the rest, never by tokens' '
	python3 -c "import json
d = json.load(open(\"report.json\"))
print(\" \".join(r[\"author\"].split(\"<\")[1].split(\"@\")[0] for r in d[\"rows\"]))" >actual &&
	echo "land burn noai unk" >expect &&
	test_cmp expect actual
'

test_expect_success 'lines per dollar counts the lines of changes with usage' '
	# by hand: the lander keeps 100 + 100 lines of two changes with
	# usage, $0.50 each: 200 / 1.00 = 200 lines/$, $1.00 / 2 = $0.50 a
	# landed change. The burner landed nothing: no ratio (unlanded 100%).
	# No usage, no ratio, whatever survives (noai, unk).
	row land@ surviving surviving_priced lines_per_usd usd_per_landed >actual &&
	echo "200 200 200 0.5" >expect &&
	test_cmp expect actual &&
	row burn@ landed_priced lines_per_usd usd_per_landed >actual &&
	echo "0 null null" >expect &&
	test_cmp expect actual &&
	row noai@ surviving surviving_priced lines_per_usd >actual &&
	echo "50 0 null" >expect &&
	test_cmp expect actual &&
	# unk: 2 of its 3 changes carry a Claude trailer: 20 of 30 lines
	row unk@ surviving assisted_share lines_per_usd unlanded >actual &&
	echo "30 0.6667 null null" >expect &&
	test_cmp expect actual &&
	# the total: 200 lines for $41 of changes, $41 / 2 landed priced
	python3 -c "import json
t = json.load(open(\"report.json\"))[\"total\"]
assert t[\"surviving_priced\"] == 200 and t[\"surviving\"] == 280, t
assert abs(t[\"lines_per_usd\"] - round(200 / 41.0, 2)) < 1e-9, t
assert abs(t[\"usd_per_landed\"] - 41.0 / 2) < 1e-9, t"
'

test_expect_success 'the table shows the flags and fits 80 columns' '
	COLUMNS=80 git -C repo tokens report --all --no-color >table &&
	grep "burn" table | grep -q "burn$" &&
	grep "noai@" table | grep -q "no-ai" &&
	grep "unk@" table | grep -q "unknown" &&
	python3 -c "import sys
w = max(len(l.rstrip(\"\\n\")) for l in open(\"table\", encoding=\"utf-8\"))
sys.exit(w > 80)"
'

test_done
