#!/bin/sh

test_description='report: unknown unlanded stays unknown, the total adds up, time rows in time order'

. "$(dirname "$0")"/lib-tokens.sh

# The local user's Claude logs (claude_ev) in the trash directory.
TRASH=$(pwd)
CLAUDE_CONFIG_DIR=$TRASH/claude
GIT_TOKENS_NOW=2026-12-02T00:00:00Z TZ=UTC
export GIT_TOKENS_NOW CLAUDE_CONFIG_DIR TZ

# note <cost>: a usage note on HEAD, as a post-commit hook writes it.
note () {
	printf '{"v":1,"tool":"claude-code","model":"claude-sonnet-4-5","session":"0123456789ab","from":"2026-11-01T08:00:00Z","to":"2026-11-01T08:30:00Z","requests":1,"input":100,"output":200,"cache_write":0,"cache_read":0,"cost_usd":%s,"by":"author@example.com","how":"hook"}\n' \
		"$1" >note.txt &&
	git notes --ref=tokens add -f -F note.txt HEAD
}

# as <name> <email> <file> [<message>...]: a one-line commit by someone.
as () {
	n=$1 e=$2 f=$3 &&
	shift 3 &&
	echo "$f" >"$f" &&
	git add "$f" &&
	test_tick &&
	GIT_AUTHOR_NAME=$n GIT_AUTHOR_EMAIL=$e git commit -q -m "$f" "$@"
}

test_expect_success 'setup: unlanded work beside landed work of unknown cost' '
	git init -q unl &&
	(
	cd unl &&
	as Una una@example.com u1 -m "Co-Authored-By: Claude <noreply@anthropic.com>" &&
	as Burt burt@example.com b1 &&
	git checkout -q -b never &&
	as Una una@example.com u2 &&
	note 2.00 &&
	as Burt burt@example.com b2 &&
	note 2.00 &&
	git checkout -q main &&
	git tokens report --all --format=json >../unl.json &&
	COLUMNS=200 git tokens report --all --color=never >../unl.txt
	)
'

test_expect_success 'unlanded is unknown while a landed assisted change has no cost' '
	# Una: $2 unlanded, and u1 landed with Claude but no usage: what u1
	# cost is unknown, so is the share (it read 100%). Burt: $2
	# unlanded, his landed b1 is by hand: 2 / 2 = 100%, known.
	python3 -c "import json
d = json.load(open(\"unl.json\"))
rows = {r[\"author\"].split()[0]: r for r in d[\"rows\"]}
assert rows[\"Una\"][\"unlanded\"] is None, rows[\"Una\"]
assert rows[\"Burt\"][\"unlanded\"] == 1, rows[\"Burt\"]
assert d[\"total\"][\"unlanded\"] is None, d[\"total\"]
" &&
	grep "^Una <una@example.com> .*\$2.00 .* —  *—  *—" unl.txt &&
	grep "^Burt <burt@example.com> .*\$2.00 .* 100%\$" unl.txt
'

test_expect_success 'setup: three weeks over two months, usage pending' '
	git init -q repo &&
	(
	cd repo &&
	commit_at 2026-11-02T10:00:00Z old 10 &&
	note 1.00 &&
	commit_at 2026-11-09T10:00:00Z mid 10 &&
	commit_at 2026-12-01T10:00:00Z new 100 &&
	note 1.00
	) &&
	claude_ev s-p m_p 2026-12-01T11:00:00.000Z 1000 1000
'

test_expect_success 'the total row adds up the rows and pending' '
	(cd repo && git tokens report --format=json) >report.json &&
	(cd repo && git tokens report --format=csv) >report.csv &&
	# pending: 1000 in at $3, 1000 out at $15 a million: $0.018
	python3 -c "import json
d = json.load(open(\"report.json\"))
p, t = d[\"pending\"], d[\"total\"]
assert (p[\"events\"], p[\"tokens\"]) == (1, 2000), p
assert abs(p[\"cost_usd\"] - 0.018) < 1e-9, p
assert t[\"tokens\"] == sum(r[\"tokens\"] for r in d[\"rows\"]) + 2000, t
assert t[\"tokens\"] == 300 + 300 + 2000, t
assert abs(t[\"cost_usd\"] - (2.00 + 0.018)) < 1e-9, t
# lines/\$ is what changes bought, pending left out: 110 / 2.00
assert t[\"lines_per_usd\"] == 55, t
" &&
	python3 -c "import csv
rows = list(csv.DictReader(open(\"report.csv\", newline=\"\")))
assert [r[\"author\"] for r in rows][-2:] == [\"pending\", \"total\"], rows
cost = sum(float(r[\"cost_usd\"]) for r in rows[:-1] if r[\"cost_usd\"])
assert abs(cost - float(rows[-1][\"cost_usd\"])) < 1e-9, (cost, rows[-1])
"
'

test_expect_success '--by week and --by month rows come in time order' '
	# by lines/$ the newest (100 lines for $1) would come first
	(cd repo && git tokens report --by=week --format=json) >week.json &&
	python3 -c "import json
print(\" \".join(r[\"week\"] for r in json.load(open(\"week.json\"))[\"rows\"]))" >actual &&
	echo "2026-W45 2026-W46 2026-W49" >expect &&
	test_cmp expect actual &&
	(cd repo && git tokens report --by=month --color=never) >month.txt &&
	sed -n "2,3s/ .*//p" month.txt >actual &&
	printf "2026-11\n2026-12\n" >expect &&
	test_cmp expect actual &&
	(cd repo && git tokens report --by=month --format=csv) >month.csv &&
	cut -d, -f1 month.csv >actual &&
	printf "month\n2026-11\n2026-12\npending\ntotal\n" >expect &&
	test_cmp expect actual
'

test_done
