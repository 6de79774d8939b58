#!/bin/sh

test_description='report --by team: tokens.team.<name> patterns'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME

# commit_as <name> <email> <file> <lines>: add lines to a file, commit.
commit_as () {
	printf "%s\n" $4 >>"$3" &&
	git add "$3" &&
	test_tick &&
	GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$2 git commit -q -m "edit $3"
}

# usage_note <commit> <output> <cost>: a hook note on a commit.
usage_note () {
	git notes --ref=tokens add -f -m "{\"v\":1,\"tool\":\"claude-code\",\"model\":\"claude-sonnet-4-5\",\"session\":\"0123456789ab\",\"from\":\"2024-11-18T08:00:00Z\",\"to\":\"2024-11-18T08:30:00Z\",\"requests\":1,\"input\":10,\"output\":$2,\"cache_write\":0,\"cache_read\":0,\"cost_usd\":$3,\"by\":\"x@example.com\",\"how\":\"hook\"}" "$1"
}

# team_sums <json>: "team changes lines_added cost" per row, sorted.
team_sums () {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for r in sorted(d["rows"], key=lambda r: r["team"]):
    print(r["team"], r["changes"], r["lines_added"], r["cost_usd"])
t = d["total"]
print("total", t["changes"], t["lines_added"], t["cost_usd"])' "$1"
}

test_expect_success 'setup: five people, a mailmap, two teams' '
	git init -q repo &&
	(
	cd repo &&
	commit_as "Ann Web" ann@web.example.com a.txt "1 2 3" &&
	usage_note HEAD 100 1.5 &&
	commit_as "Ben Old" ben@old.example.com b.txt "1 2" &&
	commit_as "Cat Core" cat@core.example.com c.txt "1 2 3 4" &&
	usage_note HEAD 200 0.25 &&
	commit_as "Cat Core" cat@core.example.com c.txt "5" &&
	commit_as "Dan Solo" dan@solo.example.com d.txt "1 2 3 4 5" &&
	commit_as "EVE Shouting" eve@else.example.com e.txt "1" &&
	printf "%s\n" "Ben Web <ben@web.example.com> <ben@old.example.com>" \
		>.mailmap &&
	git config --add tokens.team.web "@WEB.example.com" &&
	git config --add tokens.team.core "*@core.example.com" &&
	git config --add tokens.team.core "eve shout" &&
	git config --add tokens.team.late "ann"
	)
'

test_expect_success '--by team: rows per team, the rest in (none)' '
	(cd repo && git tokens report --by team --format=json) >out.json &&
	team_sums out.json >actual &&
	cat >expect <<-\EOF &&
	(none) 1 5 None
	core 3 6 0.25
	web 2 5 1.5
	total 6 16 1.75
	EOF
	test_cmp expect actual
'

test_expect_success 'the total matches git log over the same range' '
	(cd repo && numstat_totals) >expect &&
	python3 -c "import json, sys
t = json.load(open(sys.argv[1]))[\"total\"]
print(t[\"lines_added\"], t[\"lines_deleted\"])" out.json >actual &&
	test_cmp expect actual
'

test_expect_success 'the mailmapped identity is what matches' '
	(cd repo && git tokens report --by team --format=csv) >out.csv &&
	grep "^web,2," out.csv &&
	(cd repo && mv .mailmap mailmap.off &&
	 git tokens report --by team --format=json >../nomap.json;
	 mv mailmap.off .mailmap) &&
	team_sums nomap.json >actual &&
	grep "^web 1 3 " actual &&
	grep "^(none) 2 7 " actual
'

test_expect_success 'the first team in config order wins; total counts once' '
	(cd repo && git tokens report --by team --format=json) >out.json &&
	! grep "\"late\"" out.json
'

test_expect_success 'table and markdown show the team column' '
	(cd repo && COLUMNS=200 git tokens report --by=team) >out &&
	head -n 1 out | grep "^team " &&
	grep "^(none) " out &&
	grep "^core  *3 " out &&
	(cd repo && git tokens report --by=team --format=markdown) >out.md &&
	grep "^| team |" out.md &&
	grep "^| web | 2 |" out.md
'

test_expect_success 'no team configured: everyone in (none), with a warning' '
	git init -q bare-teams &&
	(
	cd bare-teams &&
	commit_as "Ann Web" ann@web.example.com a.txt "1" &&
	git tokens report --by team --format=json >../none.json 2>../err
	) &&
	grep "no teams configured" err &&
	team_sums none.json >actual &&
	printf "(none) 1 1 None\ntotal 1 1 None\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a team key without a value is ignored with a warning' '
	(
	cd repo &&
	printf "[tokens \"team\"]\n\tempty\n" >>.git/config &&
	git tokens report --by team --format=json >../out2.json 2>../err
	) &&
	grep "tokens.team.empty. has no author pattern" err &&
	team_sums out2.json >actual &&
	team_sums out.json >expect &&
	test_cmp expect actual
'

test_done
