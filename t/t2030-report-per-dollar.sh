#!/bin/sh

test_description='report: lines/$ and $/landed count what tokens bought; the assisted share'

. "$(dirname "$0")"/lib-tokens.sh

# No local logs: the usage is in the notes only. No forge token.
unset GITHUB_TOKEN GH_TOKEN GITHUB_STEP_SUMMARY GITHUB_EVENT_PATH
GIT_TOKENS_NOW=2026-11-30T00:00:00Z CLAUDE_CONFIG_DIR=$(pwd)/no-logs
export GIT_TOKENS_NOW CLAUDE_CONFIG_DIR

# note <cost>: a usage note on HEAD as Hana's post-commit hook writes it.
note () {
	printf '{"v":1,"tool":"claude-code","model":"claude-sonnet-4-5","session":"0123456789ab","from":"2026-11-20T08:00:00Z","to":"2026-11-20T08:30:00Z","requests":5,"input":1000,"output":2000,"cache_write":0,"cache_read":0,"cost_usd":%s,"by":"hana@example.com","how":"hook"}\n' \
		"$1" >note.txt &&
	git notes --ref=tokens add -f -F note.txt HEAD
}

# hana <file> <lines> [<message>...]: Hana Half commits <lines> new lines.
hana () {
	f=$1 l=$2 &&
	shift 2 &&
	test_seq 1 $l | sed "s/^/$f /" >"$f" &&
	git add "$f" &&
	test_tick &&
	GIT_AUTHOR_NAME="Hana Half" GIT_AUTHOR_EMAIL=hana@example.com \
		git commit -q -m "$f" "$@"
}

# Hana's six landed changes, half of them with AI:
#   a1  40 lines, usage $0.50; 5 of its lines are later deleted by h3
#   a2  20 lines, usage $0.30
#   a3  10 lines, a Claude trailer, no usage (tokens unknown)
#   h1  30 lines, h2 50 lines, h3 10 lines: by hand
# and u1 (8 lines, usage $0.20) on a branch that never lands.
#
# By hand:
#   surviving         35 + 20 + 10 + 30 + 50 + 10 = 155
#   priced changes    a1, a2, u1: cost 0.50 + 0.30 + 0.20 = $1.00
#   lines/$           (35 + 20) / 1.00 = 55    (the old way: 155 / 1.00)
#   $/landed          1.00 / 2 landed priced = 0.50 (old: 1.00 / 6)
#   assisted share    (35 + 20 + 10) / 155 = 0.4194
#   unlanded          unknown: a3 landed, assisted, of unknown cost
test_expect_success 'setup: an author with half AI changes' '
	git init -q repo &&
	(
	cd repo &&
	hana a1 40 &&
	note 0.50 &&
	hana a2 20 &&
	note 0.30 &&
	hana a3 10 -m "Co-Authored-By: Claude <noreply@anthropic.com>" &&
	hana h1 30 &&
	hana h2 50 &&
	sed -i "1,5d" a1 &&
	git add a1 &&
	hana h3 10 &&
	git checkout -q -b never &&
	hana u1 8 &&
	note 0.20 &&
	git checkout -q main &&
	git tokens report --all --format=json >../report.json &&
	git tokens report --all --format=csv >../report.csv &&
	git tokens report --all --format=markdown >../report.md &&
	git tokens report --all --format=html -o ../report.html &&
	COLUMNS=200 git tokens report --all --color=never >../report.txt &&
	git tokens export --all >../export.jsonl
	)
'

test_expect_success 'the change counts are those of git log' '
	(cd repo && numstat_totals main) >expect &&
	python3 -c "import json
r = json.load(open(\"report.json\"))[\"rows\"][0]
print(r[\"lines_added\"], r[\"lines_deleted\"])" >actual &&
	test_cmp expect actual
'

test_expect_success 'json: lines/$ over the lines of changes with usage' '
	python3 -c "import json
d = json.load(open(\"report.json\"))
assert len(d[\"rows\"]) == 1, d[\"rows\"]
r = d[\"rows\"][0]
def near(x, y):
    assert abs(x - y) < 1e-9, (x, y, r)
assert (r[\"changes\"], r[\"landed\"], r[\"surviving\"]) == (7, 6, 155), r
near(r[\"cost_usd\"], 1.0)
assert (r[\"surviving_priced\"], r[\"landed_priced\"]) == (55, 2), r
near(r[\"lines_per_usd\"], 55.0)
assert abs(r[\"lines_per_usd\"] - 155 / 1.0) > 50, \"the old definition\"
near(r[\"usd_per_landed\"], 0.5)
near(r[\"assisted_share\"], round(65 / 155.0, 4))
assert r[\"unlanded\"] is None, r
assert d[\"total\"][\"lines_per_usd\"] == r[\"lines_per_usd\"], d[\"total\"]
"
'

test_expect_success 'csv, markdown, table and html show the same figures' '
	grep "^Hana Half <hana@example.com>,7,6,160,5,155,0.4194,[0-9.]*,,[0-9]*,[0-9]*,1,55,2,55,0.5,,$(printf "\r")\$" report.csv &&
	grep "^| \`Hana Half <hana@example.com>\` | 7 | 6 | [0-9]* | 155 | 42% | " report.md &&
	grep "^| \`Hana Half .* | \\\\\$1.00 | 55 | \\\\\$0.50 | — | " report.md &&
	grep "^Hana Half <hana@example.com>  *7  *6  *[0-9]*  *155  *42% .* \$1.00  *55  *\$0.50  *— *$" report.txt &&
	grep "<td class=\"num\">42%</td>" report.html &&
	grep "<td class=\"num\">55</td>" report.html &&
	grep "<title>Hana Half &lt;hana@example.com&gt;: \$1.00, 55 surviving lines with usage</title>" report.html
'

test_expect_success 'export: each change says whether it enters the ratio' '
	python3 - <<-\PY
	import json, subprocess
	rows = [json.loads(l) for l in open("export.jsonl")]
	subj = {}
	for sha in (r["commit"] for r in rows):
	    subj[sha] = subprocess.check_output(
	        ["git", "-C", "repo", "log", "-1", "--format=%s", sha]).decode().strip()
	got = {subj[r["commit"]]: (r["priced"], r["assisted"]) for r in rows}
	assert got == {"a1": (True, True), "a2": (True, True),
	               "a3": (False, True), "h1": (False, False),
	               "h2": (False, False), "h3": (False, False),
	               "u1": (True, True)}, got
	# the report figure again, from the export: 55 lines / $1.00
	lines = sum(r["surviving"] for r in rows if r["priced"] and r["landed"])
	cost = sum(r["cost_usd"] for r in rows if r["priced"])
	assert (lines, round(cost, 6)) == (55, 1.0), (lines, cost)
	PY
'

test_expect_success 'ci: the comment has the same row' '
	base=$(git -C repo rev-list --max-parents=0 main) &&
	head=$(git -C repo rev-parse main) &&
	printf "{\"pull_request\":{\"number\":3,\"head\":{\"sha\":\"%s\",\"repo\":{\"full_name\":\"acme/widget\"}},\"base\":{\"sha\":\"%s\",\"ref\":\"main\",\"repo\":{\"full_name\":\"acme/widget\"}}}}\n" \
		"$head" "$base" >event.json &&
	(
		cd repo &&
		GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request \
		GITHUB_EVENT_PATH="$SHARNESS_TRASH_DIRECTORY/event.json" \
		GITHUB_REPOSITORY=acme/widget \
		GITHUB_API_URL=http://127.0.0.1:9/unreachable \
		GITHUB_STEP_SUMMARY="$SHARNESS_TRASH_DIRECTORY/summary.md" \
		git tokens ci --no-fetch >../ci.out 2>../ci.err
	) &&
	# base..head leaves a1 out: a2 alone is priced, 20 lines for $0.30
	# (67 lines/$); a2 and a3 keep 30 of the 120 surviving lines
	grep "^| \`Hana Half .* | 5 | 5 | 120 | 120 | 25% | " summary.md &&
	grep "^| \`Hana Half .* | \\\\\$0.30 | 67 | \\\\\$0.30 | — | " summary.md
'

test_done
