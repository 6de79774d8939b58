#!/bin/sh

test_description='agents by name, not by trailer; bots in one row'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
HOME=$(pwd)
TRASH=$(pwd)
XDG_CACHE_HOME=$(pwd)/cache
export GIT_TOKENS_NOW HOME XDG_CACHE_HOME

# as <name> <email> <file> <message>...: a commit adding one line.
as () {
	name=$1 email=$2 file=$3 &&
	shift 3 &&
	echo "$file" >>"$file" &&
	git add "$file" &&
	test_tick &&
	for m
	do
		printf '%s\n\n' "$m"
	done >msg &&
	git commit -q --author="$name <$email>" -F msg &&
	rm msg
}

# The agent of each change, newest first: "<subject> <agent or None>".
log_agents () {
	git tokens log --format=json >log.json &&
	git log --format="%H %s" >subjects &&
	python3 -c 'import json
subject = dict(l.rstrip("\n").split(" ", 1) for l in open("subjects"))
for c in json.load(open("log.json"))["changes"]:
    print(subject[c["commit"]], c["agent"])'
}

test_expect_success 'setup: people, agents and bots in one history' '
	git init -q repo &&
	(
		cd repo &&
		as Alice alice@example.com a "helped by a person" \
			"Assisted-by: Bob Helper <bob@example.com>" &&
		as Alice alice@example.com a "helped by Claude Code" \
			"Assisted-by: Claude Code:claude-opus-4-5 sparse" &&
		as Alice alice@example.com a "helped by a tool nobody knows" \
			"Generated-by: frobnicate 2.1" &&
		as Carol carol@example.com c "with the Claude GitHub App" \
			"Co-authored-by: claude[bot] <209825114+claude[bot]@users.noreply.github.com>" &&
		as Carol carol@example.com c "a review suggestion" \
			"Co-authored-by: gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>" &&
		as Dave dave@example.com d "plain" &&
		as "renovate[bot]" 29139614+renovate[bot]@users.noreply.github.com \
			lock "chore(deps): update x" &&
		as "dependabot[bot]" 49699333+dependabot[bot]@users.noreply.github.com \
			lock "Bump y from 1 to 2" &&
		as "dependabot[bot]" 49699333+dependabot[bot]@users.noreply.github.com \
			lock "Bump z from 3 to 4"
	)
'

test_expect_success 'a person in Assisted-by stays a person; an agent is one' '
	(cd repo && log_agents) >actual &&
	cat >expect <<-\EOF &&
	Bump z from 3 to 4 None
	Bump y from 1 to 2 None
	chore(deps): update x None
	plain None
	a review suggestion None
	with the Claude GitHub App claude
	helped by a tool nobody knows None
	helped by Claude Code claude
	helped by a person None
	EOF
	test_cmp expect actual
'

test_expect_success 'show: the person-assisted change is not assisted' '
	(cd repo && git tokens show HEAD~8) >show.txt &&
	grep "^agent     none$" show.txt &&
	! grep "assisted" show.txt
'

# Rows by author: Alice has 3 changes, one assisted by Claude and
# without usage: 1 > 3/4, more than a quarter, so "unknown" (the person
# and the unknown tool are no agents: before, all 3 were). Carol has 2,
# one by the Claude app: "unknown" too. Dave: 1, no AI, "no-ai". The 3
# changes of renovate and dependabot are one row "bots", without a flag.
test_expect_success 'report: bots form one row, never no-ai' '
	(cd repo && git tokens report --format=json >../report.json) &&
	python3 - <<-\PY >actual &&
	import json
	d = json.load(open("report.json"))
	for r in sorted(d["rows"], key=lambda r: r["author"]):
	    print(r["author"], r["changes"], " ".join(r["flags"]) or "-")
	print("total", d["total"]["changes"],
	      d["coverage"]["assisted_unknown"])
	PY
	cat >expect <<-\EOF &&
	Alice <alice@example.com> 3 unknown
	Carol <carol@example.com> 2 unknown
	Dave <dave@example.com> 1 no-ai
	bots 3 -
	total 9 2
	EOF
	test_cmp expect actual
'

test_expect_success 'report table: the bots row, no no-ai on it' '
	(cd repo && git tokens report --color=never >../table.txt) &&
	grep "^bots " table.txt >bots.txt &&
	! grep "no-ai" bots.txt &&
	! grep "renovate\|dependabot" table.txt
'

test_expect_success '--by tool: the Claude app is claude-code' '
	(cd repo && git tokens report --by=tool --format=json >../tool.json) &&
	python3 - <<-\PY >actual &&
	import json
	d = json.load(open("tool.json"))
	for r in sorted(d["rows"], key=lambda r: r["tool"]):
	    print(r["tool"], r["changes"])
	PY
	cat >expect <<-\EOF &&
	claude-code 2
	none 7
	EOF
	test_cmp expect actual
'

test_expect_success 'tokens.agentIdentity and tokens.bot' '
	(
		cd repo &&
		git config --add tokens.agentIdentity "*@agents.example.com" &&
		git config --add tokens.agentIdentity "frobnicate*" &&
		git config --add tokens.bot "Nightly Job" &&
		as "Build Agent" build@agents.example.com b "by the build agent" &&
		as "Nightly Job" nightly@example.com n "nightly refresh" &&
		log_agents >../actual &&
		git tokens report --format=json >../config.json
	) &&
	head -n 3 actual >actual.3 &&
	cat >expect <<-\EOF &&
	nightly refresh None
	by the build agent *@agents.example.com
	Bump z from 3 to 4 None
	EOF
	test_cmp expect actual.3 &&
	grep "^helped by a tool nobody knows frobnicate\*$" actual &&
	python3 - <<-\PY
	import json
	d = json.load(open("config.json"))
	rows = {r["author"]: r for r in d["rows"]}
	assert rows["bots"]["changes"] == 4, rows["bots"]
	# An agent author with no human co-author: the committer.
	c = rows["C O Mitter <committer@example.com>"]
	assert c["changes"] == 1 and c["flags"] == ["unknown"], c
	assert rows["Alice <alice@example.com>"]["changes"] == 3
	PY
'

test_expect_success 'a bot pattern names no agent in a trailer' '
	(
		cd repo &&
		git config --add tokens.bot "claude[bot]" &&
		log_agents >../actual &&
		git config --unset tokens.bot "claude.bot."
	) &&
	grep "^with the Claude GitHub App None$" actual
'

test_expect_success 'doctor counts the rules; --agents lists them in order' '
	(cd repo && test_expect_code 1 git tokens doctor) >out &&
	grep "^fix  hooks:" out &&
	grep "^ok   agents: [0-9][0-9]* rules from .*agents.txt., 3 from tokens.agentIdentity and tokens.bot" out &&
	(cd repo && git tokens doctor --agents) >list &&
	head -n 3 list >actual &&
	printf "%s\t%s\n" >expect \
		"agent *@agents.example.com *@agents.example.com" \
			"(tokens.agentIdentity)" \
		"agent frobnicate* frobnicate*" "(tokens.agentIdentity)" \
		"bot   -          Nightly Job" "(tokens.bot)" &&
	test_cmp expect actual &&
	grep "^agent claude     claude\[bot\]	(.*/agents.txt:[0-9]*)$" list &&
	grep "^bot   -          dependabot\[bot\]	" list &&
	grep "^line  cursor     Made-with: Cursor	" list &&
	grep "^tool  claude     claude-code	" list
'

test_expect_success 'doctor --agents outside a repository: the file only' '
	test_must_fail git rev-parse --git-dir 2>/dev/null &&
	git tokens doctor --agents >list &&
	! grep "tokens\.bot\|tokens\.agentIdentity" list &&
	grep "^agent claude " list
'

test_expect_success 'no agent list: doctor says fix, report fails' '
	mkdir empty &&
	ln -s "$GIT_TOKENS_DATADIR/prices.json" empty/ &&
	(cd repo && GIT_TOKENS_DATADIR=$TRASH/empty \
		test_expect_code 1 git tokens doctor) >out 2>err &&
	grep "^fix  agents: the agent list .*empty/agents.txt. could not be read" out &&
	grep "cannot read the agent list" err &&
	(cd repo && GIT_TOKENS_DATADIR=$TRASH/empty \
		test_expect_code 128 git tokens report) 2>err &&
	grep "cannot read the agent list .*empty/agents.txt" err
'

test_done
