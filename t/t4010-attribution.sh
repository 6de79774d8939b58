#!/bin/sh

test_description='attribution: hook, link, window, day, pending; report and log'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
TZ=UTC
TRASH=$(pwd)
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR TZ

# The hand-computed truth, per commit subject: tokens, output, cost, how.
cat >expect-log <<\EOF
base 110 10 0.00045 window
hooked 220 20 0.0009 hook
windowed 770 70 0.00315 window
bob-aider 1050 50 0.01 link
carol-1 3000 2250 0.375 day
carol-2 1000 750 0.125 day
last-window 550 50 0.00225 window
amended none
EOF

test_expect_success 'setup: history, local logs, an aider link, provider usage' '
	git init -q repo &&
	claude_ev s-w0 m_w0 2026-11-20T07:30:00.000Z 100 10 &&
	(cd repo && commit_at 2026-11-20T08:00:00Z base 1) &&
	claude_ev s-h1 m_h1 2026-11-20T08:30:00.000Z 200 20 &&
	(cd repo && commit_at 2026-11-20T09:00:00Z hooked 1 && git tokens record -q) &&
	claude_ev s-w1 m_w1 2026-11-20T09:30:00.000Z 300 30 &&
	claude_ev s-w1 m_w2 2026-11-20T09:40:00.000Z 400 40 &&
	(cd repo && commit_at 2026-11-20T10:00:00Z windowed 1) &&
	(
		cd repo &&
		GIT_AUTHOR_NAME=Bob GIT_AUTHOR_EMAIL=bob@example.com \
			commit_at 2026-11-20T10:30:00Z bob-aider 1 &&
		cat >.aider.chat.history.md <<-EOF

		# aider chat started at 2026-11-20 10:20:00

		> Aider v0.86.1  
		> Main model: claude-sonnet-4-5-20250929 with diff edit format  
		> Git repo: .git with 3 files  

		#### make it so

		Sure.

		> Tokens: 1,000 sent, 50 received. Cost: \$0.01 message, \$0.01 session.  

		> Commit $(git rev-parse --short=7 HEAD) bob-aider  
		EOF
		GIT_AUTHOR_NAME=Carol GIT_AUTHOR_EMAIL=carol@example.com \
			commit_at 2026-11-20T11:00:00Z carol-1 30 &&
		GIT_AUTHOR_NAME=Carol GIT_AUTHOR_EMAIL=carol@example.com \
			commit_at 2026-11-20T11:30:00Z carol-2 10 &&
		mkdir -p .git/tokens &&
		cat >.git/tokens/provider-usage.jsonl <<-\EOF
		{"format":"git-tokens-provider-usage","version":1}
		{"time":"2026-11-20T00:00:00Z","tool":"anthropic-api","author":"carol@example.com","model":"claude-sonnet-4-5","input":1000,"output":3000,"cache_write":0,"cache_write_1h":0,"cache_read":0,"cost_usd":0.5}
		EOF
	) &&
	claude_ev s-l1 m_l1 2026-11-20T11:50:00.000Z 500 50 &&
	(cd repo && commit_at 2026-11-20T12:00:00Z last-window 1) &&
	claude_ev s-e m_e 2026-11-20T12:50:00.000Z 700 70 &&
	(
		cd repo &&
		commit_at 2026-11-20T13:00:00Z amended 1 &&
		git tokens record -q &&
		echo again >>amended.t &&
		git add amended.t &&
		GIT_COMMITTER_DATE=2026-11-20T13:10:00Z git commit -q --amend -m amended
	) &&
	claude_ev s-p m_p 2026-11-20T13:30:00.000Z 600 60
'

test_expect_success 'log: per change tokens, cost and confidence' '
	(cd repo && git tokens log --format=json) >log.json &&
	(cd repo && git log --format="%H %s") >subjects &&
	python3 - <<-\PY
	import json
	subj = dict(l.split(" ", 1) for l in open("subjects").read().splitlines())
	got = {subj[c["commit"]]: c for c in json.load(open("log.json"))["changes"]}
	want = [l.split() for l in open("expect-log").read().splitlines()]
	assert sorted(got) == sorted(w[0] for w in want), sorted(got)
	for w in want:
	    c = got[w[0]]
	    if w[1] == "none":
	        assert c["tokens"] is None and c["cost_usd"] is None, c
	        assert c["how"] in (None, ""), c
	        continue
	    assert c["tokens"] == int(w[1]), (w, c)
	    assert c["output_tokens"] == int(w[2]), (w, c)
	    assert abs(c["cost_usd"] - float(w[3])) < 1e-9, (w, c)
	    assert c["how"] == w[4], (w, c)
	PY
'

test_expect_success 'report: rows, pending and coverage equal the sums' '
	(cd repo && git tokens report --format=json) >report.json &&
	python3 - <<-\PY
	import json
	r = json.load(open("report.json"))
	rows = {x["author"]: x for x in r["rows"]}
	a = rows["A U Thor <author@example.com>"]
	b = rows["Bob <bob@example.com>"]
	c = rows["Carol <carol@example.com>"]
	def near(x, y):
	    assert abs(x - y) < 1e-9, (x, y)
	assert (a["tokens"], a["output_tokens"]) == (110 + 220 + 770 + 550, 150), a
	near(a["cost_usd"], 0.00045 + 0.0009 + 0.00315 + 0.00225)
	assert (b["tokens"], b["output_tokens"]) == (1050, 50), b
	near(b["cost_usd"], 0.01)
	assert (c["tokens"], c["output_tokens"]) == (4000, 3000), c
	near(c["cost_usd"], 0.5)
	t = r["total"]
	# the total adds up the rows above it: the pending row too
	assert t["tokens"] == 1650 + 1050 + 4000 + 660, t
	assert t["output_tokens"] == 150 + 50 + 3000 + 60, t
	near(t["cost_usd"], 0.00675 + 0.01 + 0.5 + 0.0027)
	# its ratios count what changes bought, not pending: every line
	# survives; 7 of 8 changes have usage (amended, 2 lines, has none),
	# whose lines are 4 + 1 + 30 + 10 = 45 of 47
	assert (t["surviving"], t["surviving_priced"]) == (47, 45), t
	near(t["lines_per_usd"], round(45 / (0.00675 + 0.01 + 0.5), 2))
	near(t["usd_per_landed"], round((0.00675 + 0.01 + 0.5) / 7, 6))
	p = r["pending"]
	assert (p["events"], p["tokens"], p["output_tokens"]) == (1, 660, 60), p
	near(p["cost_usd"], 0.0027)
	cov = r["coverage"]
	assert (cov["changes"], cov["with_usage"]) == (8, 7), cov
	assert cov["by_confidence"] == {"hook": 1, "link": 1, "window": 3,
	                                "day": 2, "import": 0}, cov
	assert cov["tokens_attributed"] == 6700, cov
	assert cov["tokens_pending"] == 660, cov
	# A: 5 landed changes; 4 of 1 line with usage, amended (2 lines)
	# without: lines/$ = 4 / 0.00675, $/landed = 0.00675 / 4, and 4 of
	# the 6 surviving lines are assisted
	assert (a["surviving"], a["surviving_priced"], a["landed_priced"]) == (6, 4, 4), a
	near(a["lines_per_usd"], round(4 / 0.00675, 2))
	near(a["usd_per_landed"], round(0.00675 / 4, 6))
	near(a["assisted_share"], round(4 / 6, 4))
	PY
'

test_expect_success 'report table: a pending row and the coverage line' '
	(cd repo && COLUMNS=200 git tokens report --color=never) >table &&
	grep "^pending " table &&
	grep "^coverage: 7 of 8 changes have usage (88%): hook 1, link 1, window 3, day 2; 91% of tokens attributed, 660 pending$" table &&
	(cd repo && git tokens report --format=csv) >report.csv &&
	grep "^pending," report.csv &&
	(cd repo && git tokens report --format=markdown) >report.md &&
	grep "coverage: 7 of 8 changes" report.md &&
	grep "| pending " report.md
'

test_expect_success '--since limits changes, not what is pending' '
	(cd repo && git tokens report --since=2026-11-20T11:45:00Z --format=json) >since.json &&
	python3 - <<-\PY
	import json
	r = json.load(open("since.json"))
	rows = {x["author"]: x for x in r["rows"]}
	assert list(rows) == ["A U Thor <author@example.com>"], list(rows)
	assert rows["A U Thor <author@example.com>"]["tokens"] == 550, rows
	assert r["coverage"]["changes"] == 2, r["coverage"]
	assert r["pending"]["tokens"] == 660, r["pending"]
	PY
'

test_expect_success '--until and --no-cache give the same numbers' '
	(cd repo && git tokens report --until=2026-11-20T10:15:00Z --format=json) >until.json &&
	python3 - <<-\PY &&
	import json
	r = json.load(open("until.json"))
	# three changes and the pending usage (660), which the total includes
	assert r["total"]["tokens"] == 110 + 220 + 770 + 660, r["total"]
	PY
	(cd repo && git tokens report --no-cache --format=json) >nocache.json &&
	python3 - <<-\PY
	import json
	a = json.load(open("report.json"))
	b = json.load(open("nocache.json"))
	for k in ("rows", "total", "coverage", "pending"):
	    assert a[k] == b[k], (k, a[k], b[k])
	PY
'

test_expect_success 'assisted but no usage: tokens unknown, never zero' '
	(
		cd repo &&
		GIT_AUTHOR_NAME=Dana GIT_AUTHOR_EMAIL=dana@example.com \
		GIT_AUTHOR_DATE=2026-11-21T09:00:00Z GIT_COMMITTER_DATE=2026-11-21T09:00:00Z \
			git commit -q --allow-empty -m "by an agent

Co-Authored-By: Claude <noreply@anthropic.com>" &&
		git tokens report --format=json >../assisted.json &&
		git tokens log -n 1 --format=json >../assisted-log.json
	) &&
	python3 - <<-\PY
	import json
	r = json.load(open("assisted.json"))
	assert r["coverage"]["assisted_unknown"] == 1, r["coverage"]
	d = [x for x in r["rows"] if "dana" in x["author"]][0]
	assert d["tokens"] is None and d["cost_usd"] is None, d
	c = json.load(open("assisted-log.json"))["changes"][0]
	assert c["tokens"] is None and c["agent"], c
	PY
'

test_done
