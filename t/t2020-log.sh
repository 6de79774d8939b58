#!/bin/sh

test_description='git tokens log: one row per change, newest first'

. "$(dirname "$0")"/lib-tokens.sh

# commit_as <name> <email> <file> <lines>: add lines to a file, commit.
commit_as () {
	printf "%s\n" $4 >>"$3" &&
	git add "$3" &&
	test_tick &&
	GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$2 git commit -q -m "edit $3"
}

pyjson () {
	python3 -c 'import json,sys
d=json.load(sys.stdin)
exec(sys.argv[1])' "$1"
}

CR=$(printf "\r")

test_expect_success 'setup: authors, a rename, a lock file, a merge, a side branch' '
	git init -q repo &&
	(
	cd repo &&
	commit_as Alice alice@example.com a.txt "1 2 3 4" &&
	printf "l1\nl2\n" >yarn.lock &&
	git add yarn.lock &&
	commit_as Alice alice@example.com a.txt "5" &&
	commit_as "O\"Brien, Pat" pat@example.com b.txt "1 2 3" &&
	git mv b.txt c.txt &&
	commit_as "O\"Brien, Pat" pat@example.com c.txt "4" &&
	git checkout -q -b topic &&
	commit_as Bob bob@example.com d.txt "1 2" &&
	git checkout -q main &&
	test_tick &&
	git merge -q --no-ff -m merge topic &&
	git checkout -q -b side &&
	commit_as Bob bob@example.com e.txt "1 2 3 4 5 6 7" &&
	git checkout -q main &&
	sed -i 1d a.txt &&
	commit_as Alice alice@example.com a.txt "6 7"
	)
'

test_expect_success 'json: one change per non-merge commit, in git log order' '
	(cd repo &&
	 GIT_TOKENS_NOW=2026-01-02T03:04:05Z git tokens log --format=json \
		>../log.json &&
	 git log --no-merges --format=%H >../expect) &&
	pyjson "
assert d[\"schema\"] == \"git-tokens/log/v1\"
assert set(d) == {\"schema\",\"range\",\"mainline\",\"generated\",
                  \"timezone\",\"changes\"}, set(d)
# lib-tokens.sh sets TZ=UTC: times print with Z, the zone is named
assert d[\"generated\"] == \"2026-01-02T03:04:05Z\"
assert d[\"timezone\"] == \"UTC\", d[\"timezone\"]
for c in d[\"changes\"]:
    print(c[\"commit\"])
" <log.json >actual &&
	test_cmp expect actual
'

test_expect_success 'json: lines of each change equal git show --numstat -M' '
	(cd repo &&
	 for c in $(git log --no-merges --format=%H)
	 do
		echo "$c $(git show --numstat -M --format= $c -- . ":!yarn.lock" |
			awk -F"\t" "\$1 != \"-\" { a += \$1; d += \$2 } END { printf \"%d %d\", a, d }")" ||
		return 1
	 done) >expect &&
	pyjson "
for c in d[\"changes\"]:
    print(c[\"commit\"], c[\"lines_added\"], c[\"lines_deleted\"])
" <log.json >actual &&
	test_cmp expect actual
'

test_expect_success 'json: identities, dates, landed; unknown is null' '
	(cd repo && git log --no-merges -1 --format="%an|%ae|%ad" \
		--date=format-local:%Y-%m-%dT%H:%M:%SZ) >expect &&
	TZ=UTC pyjson "
c = d[\"changes\"][0]
print(\"%s|%s|%s\" % (c[\"author_name\"], c[\"author_email\"], c[\"date\"]))
" <log.json >actual &&
	TZ=UTC test_cmp expect actual &&
	pyjson "
for c in d[\"changes\"]:
    assert c[\"landed\"] == \"yes\", c
    assert c[\"reverted\"] is False
    for k in (\"tokens\", \"output_tokens\", \"cost_usd\",
              \"review\", \"how\"):
        assert c[k] is None, (k, c)
    assert 0 <= c[\"surviving\"] <= c[\"lines_added\"], c
pat = [c for c in d[\"changes\"] if c[\"author_email\"] == \"pat@example.com\"]
assert pat[0][\"author_name\"] == \"O\\\"Brien, Pat\", pat
" <log.json
'

test_expect_success 'a change that is not on the mainline is not landed' '
	(cd repo && git tokens log --format=json main side >../both.json &&
	 git rev-parse side >../side) &&
	SIDE=$(cat side) pyjson "
import os
side = [c for c in d[\"changes\"] if c[\"commit\"] == os.environ[\"SIDE\"]]
assert side and side[0][\"landed\"] == \"no\", side
assert sum(c[\"landed\"] == \"no\" for c in d[\"changes\"]) == 1
" <both.json
'

test_expect_success 'table: short ids, dates, subjects, humanised and fitted' '
	(cd repo && COLUMNS=200 git tokens log >../out &&
	 git log --no-merges -1 --format="%h %ad %s" --abbrev=10 \
		--date=short >../head1) &&
	read sha day subject <head1 &&
	head -n 1 out | grep "^commit  *date  *author  *+lines  *-lines  *landed" &&
	sed -n 2p out >line2 &&
	grep "^$sha  $day  Alice  *2  *1  yes .*edit a.txt\$" line2 &&
	(cd repo && git rev-list --count --no-merges HEAD) >count &&
	test $(wc -l <out) = $(($(cat count) + 1)) &&
	(cd repo && env -u COLUMNS git tokens log) >out80 &&
	python3 -c "import sys
assert max(len(l.rstrip(\"\n\")) for l in open(sys.argv[1], encoding=\"utf-8\")) <= 80" out80
'

test_expect_success 'csv and markdown' '
	(cd repo && git tokens log --format=csv) >out.csv &&
	head -n 1 out.csv >header &&
	echo "commit,date,author_name,author_email,lines_added,lines_deleted,landed,reverted,tokens,output_tokens,cost_usd,surviving,reworked,unlanded,fixup,review,how,agent,kind$CR" >expect &&
	test_cmp expect header &&
	grep ",\"O\"\"Brien, Pat\",pat@example.com,1,0,yes,false,,,,1,0,,false,,,,commit$CR\$" out.csv &&
	(cd repo && git tokens log --format=markdown) >out.md &&
	head -n 1 out.md | grep "^| commit | date | author | +lines | -lines | landed |" &&
	! grep "subject" out.md &&
	(cd repo && git rev-list --count --no-merges HEAD) >count &&
	test $(grep -c "^| [0-9a-f]\{10\} |" out.md) = $(cat count)
'

test_expect_success 'log -o, --author and pathspecs' '
	(cd repo && git tokens log --format=json -o ../o.json --author=pat@ \
		-- c.txt) >out &&
	test_must_be_empty out &&
	pyjson "print(len(d[\"changes\"]), d[\"changes\"][0][\"lines_added\"])" \
		<o.json >actual &&
	(cd repo &&
	 n=$(git rev-list --count --no-merges --author=pat@ HEAD -- c.txt) &&
	 set -- $(numstat_totals --author=pat@ HEAD -- c.txt) &&
	 echo "$n $1") >expect &&
	echo "1 4" >expect.literal &&
	test_cmp expect.literal expect &&
	test_cmp expect actual
'

test_expect_success 'the counts of a row share one style: log exact, report scaled' '
	git init -q big &&
	(
	cd big &&
	seq 1 2207 >big.txt &&
	git add big.txt &&
	test_tick &&
	git commit -q -m big &&
	git notes --ref=tokens add -m "{\"v\":1,\"tool\":\"claude-code\",\"model\":\"claude-sonnet-4-5\",\"session\":\"0123456789ab\",\"from\":\"2005-04-07T22:00:00Z\",\"to\":\"2005-04-07T22:10:00Z\",\"requests\":3,\"input\":1500,\"output\":41213,\"cache_write\":0,\"cache_read\":0,\"cost_usd\":3.5,\"by\":\"x@example.com\",\"how\":\"hook\"}" HEAD &&
	git tokens log --format=json >../big.json &&
	COLUMNS=200 git tokens log >../big-log &&
	git tokens log --format=html >../big-log.html &&
	COLUMNS=200 git tokens report >../big-report
	) &&
	python3 - big.json big-log big-log.html big-report <<-\EOF
	import json, re, sys
	c = json.load(open(sys.argv[1]))["changes"][0]
	counts = [c[k] for k in ("lines_added", "tokens", "output_tokens",
	                         "surviving")]
	assert counts == [2207, 42713, 41213, 2207], counts
	scaled = re.compile(r"^[0-9.]+[kMG]$")
	row = open(sys.argv[2]).read().splitlines()[1].split()
	assert not [w for w in row if scaled.match(w)], row
	for n in counts:
	    assert str(n) in row, (n, row)
	page = open(sys.argv[3], encoding="utf-8").read()
	cells = re.findall(r"<td class=\"num\">([^<]*)</td>", page)
	assert not [w for w in cells if scaled.match(w)], cells
	for n in counts:
	    assert str(n) in cells, (n, cells)
	row = open(sys.argv[4]).read().splitlines()[1].split()
	for n in ("2.2k", "42.7k", "41.2k"):
	    assert n in row, (n, row)
	assert "2207" not in row, row
	EOF
'

test_expect_success 'log in an empty repository says what git log says' '
	git init -q empty &&
	(cd empty && test_expect_code 128 git log) 2>expect &&
	(cd empty && test_expect_code 128 git tokens log --format=json) \
		>out.json 2>err &&
	test_cmp expect err &&
	(cd empty && git tokens log --all --format=json) >out.json 2>err &&
	grep "no changes in range" err &&
	pyjson "print(d[\"changes\"])" <out.json >actual &&
	echo "[]" >expect &&
	test_cmp expect actual
'

test_done
