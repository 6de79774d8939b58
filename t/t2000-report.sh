#!/bin/sh

test_description='git tokens report: rows, totals and keys against git log --numstat'

. "$(dirname "$0")"/lib-tokens.sh

D1=1731920000   # 2024-11-18, a Monday: 2024-W47, November
D2=1732524800   # 2024-11-25: 2024-W48
D3=1733129600   # 2024-12-02: 2024-W49, December

# commit_as <name> <email> <epoch> <message>: commit what is staged.
commit_as () {
	GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$2 \
	GIT_AUTHOR_DATE="$3 +0000" GIT_COMMITTER_DATE="$3 +0000" \
	git commit -q -m "$4"
}

# pyjson <python statements over d> <file: the JSON document on stdin.
pyjson () {
	python3 -c 'import json,sys
d=json.load(sys.stdin)
def row(key):
    m=[r for r in d["rows"] if r[next(iter(r))]==key]
    assert len(m)==1, (key, d["rows"])
    return m[0]
exec(sys.argv[1])' "$1"
}

write_lines () {
	printf "%s\n" "$@"
}

COUNTED=". :!package-lock.json"

test_expect_success 'setup: three authors, a rename, a merge, an unlanded branch' '
	git init -q repo &&
	(
	cd repo &&
	write_lines 1 2 3 4 5 >a.txt &&
	write_lines l1 l2 l3 l4 >package-lock.json &&
	git add a.txt package-lock.json &&
	commit_as "Alice A" alice@example.com $D1 "alice adds a" &&
	write_lines b1 b2 b3 >b.txt &&
	printf "\000\001\002bin" >bin.dat &&
	git add b.txt bin.dat &&
	commit_as "Bob B" bob@example.com $((D1 + 60)) "bob adds b and a binary" &&
	write_lines 1 two three 4 5 >a.txt &&
	git add a.txt &&
	commit_as "Alice A" alice@example.com $D2 "alice edits a" &&
	git mv b.txt c.txt &&
	echo b4 >>c.txt &&
	git add c.txt &&
	commit_as "Bob B" bob@example.com $((D2 + 60)) "bob renames b to c" &&
	git checkout -q -b feature &&
	write_lines p1 p2 >p.txt &&
	git add p.txt &&
	commit_as "O\"Brien, Pat" pat@example.com $D3 "pat adds p" &&
	write_lines 1 two three 4 >a.txt &&
	git add a.txt &&
	commit_as "O\"Brien, Pat" pat@example.com $((D3 + 60)) "pat trims a" &&
	git checkout -q main &&
	test_tick &&
	git merge -q --no-ff -m "merge feature" feature &&
	git checkout -q -b side &&
	write_lines s1 s2 s3 s4 s5 s6 >side.txt &&
	git add side.txt &&
	commit_as "Bob B" bob@example.com $((D3 + 120)) "bob, unmerged" &&
	git checkout -q main &&
	mkdir sub &&
	write_lines x1 x2 x3 >sub/x.txt &&
	git add sub &&
	commit_as "Alice A" alice@example.com $((D3 + 180)) "alice adds sub/x"
	)
'

test_expect_success 'json: schema and top-level keys' '
	(cd repo && git tokens report --format=json >../out.json 2>../err) &&
	test_must_be_empty err &&
	pyjson "
assert d[\"schema\"] == \"git-tokens/report/v1\", d[\"schema\"]
keys = set(d)
want = {\"schema\",\"range\",\"mainline\",\"generated\",\"timezone\",
        \"rows\",\"total\",\"coverage\",\"pending\",\"excluded_lines\"}
assert keys == want, keys ^ want
assert d[\"range\"] == \"HEAD\" and d[\"mainline\"] == \"main\"
" <out.json
'

test_expect_success 'json: totals equal git log --numstat -M --no-merges' '
	(cd repo &&
	 git rev-list --count --no-merges HEAD >../expect.count &&
	 numstat_totals HEAD -- $COUNTED >../expect.lines) &&
	pyjson "
t = d[\"total\"]
print(t[\"changes\"])
" <out.json >actual.count &&
	test_cmp expect.count actual.count &&
	pyjson "
t = d[\"total\"]
print(t[\"lines_added\"], t[\"lines_deleted\"])
" <out.json >actual.lines &&
	test_cmp expect.lines actual.lines &&
	pyjson "print(d[\"total\"][\"landed\"])" <out.json >actual.landed &&
	test_cmp expect.count actual.landed
'

test_expect_success 'json: excluded lines are the lock file lines' '
	(cd repo && numstat_totals HEAD -- package-lock.json) >lock &&
	read a d <lock &&
	echo $((a + d)) >expect &&
	pyjson "print(d[\"excluded_lines\"])" <out.json >actual &&
	test_cmp expect actual
'

test_expect_success 'json: each author row equals numstat of that author' '
	for who in "Alice A <alice@example.com>" "Bob B <bob@example.com>" \
		   "O\"Brien, Pat <pat@example.com>"
	do
		email=${who##*<} &&
		email=${email%>} &&
		(cd repo &&
		 printf "%s " $(git rev-list --count --no-merges \
				--author="$email" HEAD) &&
		 numstat_totals --author="$email" HEAD -- $COUNTED) >expect &&
		WHO=$who pyjson "
import os
r = row(os.environ[\"WHO\"])
print(r[\"changes\"], r[\"lines_added\"], r[\"lines_deleted\"])
" <out.json >actual &&
		test_cmp expect actual || return 1
	done &&
	pyjson "print(len(d[\"rows\"]))" <out.json >actual &&
	echo 3 >expect &&
	test_cmp expect actual
'

test_expect_success 'json: unknown values are null, never 0; no-ai is flagged' '
	pyjson "
for r in d[\"rows\"] + [d[\"total\"]]:
    for k in (\"reviewed\", \"tokens\",
              \"output_tokens\", \"cost_usd\", \"lines_per_usd\",
              \"usd_per_landed\", \"unlanded\"):
        assert k in r and r[k] is None, (k, r)
    assert isinstance(r[\"surviving\"], int) and 0 <= r[\"surviving\"] <= r[\"lines_added\"], r
    assert isinstance(r[\"changes\"], int)
for r in d[\"rows\"]:
    assert r[\"flags\"] == [\"no-ai\"], r
assert d[\"coverage\"][\"changes\"] == d[\"total\"][\"changes\"]
assert d[\"coverage\"][\"with_usage\"] == 0
" <out.json
'

test_expect_success 'an unmerged branch counts as changes, not as landed lines' '
	(cd repo &&
	 git tokens report --format=json main side >../both.json &&
	 git rev-list --count --no-merges main side >../expect.changes &&
	 numstat_totals main -- $COUNTED >../expect.lines) &&
	pyjson "print(d[\"total\"][\"changes\"])" <both.json >actual &&
	test_cmp expect.changes actual &&
	pyjson "print(d[\"total\"][\"lines_added\"], d[\"total\"][\"lines_deleted\"])" \
		<both.json >actual &&
	test_cmp expect.lines actual &&
	pyjson "
r = row(\"Bob B <bob@example.com>\")
print(r[\"changes\"], r[\"landed\"])
" <both.json >actual &&
	echo "3 2" >expect &&
	test_cmp expect actual &&
	(cd repo && git tokens report --format=json --all >../all.json) &&
	pyjson "print(d[\"total\"][\"changes\"], d[\"range\"])" <all.json >actual &&
	echo "$(cat expect.changes) --all" >expect &&
	test_cmp expect actual
'

test_expect_success 'pathspec limits the lines to matching paths' '
	(cd repo &&
	 git tokens report --format=json -- sub >../sub.json &&
	 numstat_totals HEAD -- sub >../expect) &&
	pyjson "print(d[\"total\"][\"lines_added\"], d[\"total\"][\"lines_deleted\"])" \
		<sub.json >actual &&
	test_cmp expect actual
'

test_expect_success '--author keeps only matching authors' '
	(cd repo && git tokens report --format=json --author=bob@ >../bob.json) &&
	pyjson "print(\",\".join(r[\"author\"] for r in d[\"rows\"]), d[\"total\"][\"changes\"])" \
		<bob.json >actual &&
	echo "Bob B <bob@example.com> 2" >expect &&
	test_cmp expect actual
'

test_expect_success '--by week and --by month use the ISO week and month' '
	(cd repo &&
	 TZ=UTC git log --no-merges --format=%ad --date=format-local:%G-W%V |
		sort -u >../expect.weeks &&
	 TZ=UTC git log --no-merges --format=%ad --date=format-local:%Y-%m |
		sort -u >../expect.months &&
	 git tokens report --by=week --format=json >../week.json &&
	 git tokens report --by month --format=json >../month.json) &&
	pyjson "print(\"\n\".join(sorted(r[\"week\"] for r in d[\"rows\"])))" \
		<week.json >actual.weeks &&
	test_cmp expect.weeks actual.weeks &&
	pyjson "print(\"\n\".join(sorted(r[\"month\"] for r in d[\"rows\"])))" \
		<month.json >actual.months &&
	test_cmp expect.months actual.months &&
	(cd repo && TZ=UTC git log --no-merges --format=%ad \
		--date=format-local:%G-W%V | grep -c 2024-W49) >expect &&
	pyjson "print(row(\"2024-W49\")[\"changes\"])" <week.json >actual &&
	test_cmp expect actual
'

test_expect_success '--by tool: the agent a trailer names, else none' '
	(
	cd repo &&
	git checkout -q -b assisted main &&
	echo z >z.txt &&
	git add z.txt &&
	test_tick &&
	git commit -q -m "add z" \
		-m "Co-authored-by: Claude <noreply@anthropic.com>" &&
	git tokens report --by=tool --format=json >../tool.json &&
	git rev-list --count --no-merges HEAD >../expect.all &&
	git checkout -q main
	) &&
	pyjson "
r = row(\"claude-code\")
assert r[\"changes\"] == 1 and r[\"flags\"] == [\"unknown\"], r
n = row(\"none\")
assert n[\"flags\"] == [\"no-ai\"], n
print(n[\"changes\"] + 1)
assert len(d[\"rows\"]) == 2
" <tool.json >actual &&
	test_cmp expect.all actual
'

test_expect_success 'unknown --by keys are usage errors' '
	(cd repo && test_expect_code 129 git tokens report --by=nope) 2>err &&
	grep "unknown --by key .nope." err
'

test_expect_success 'unknown --format exits 129' '
	(cd repo && test_expect_code 129 git tokens report --format=xml) \
		>out 2>err &&
	test_must_be_empty out &&
	grep "unknown --format .xml." err &&
	(cd repo && test_expect_code 129 git tokens log --format=yaml) 2>err &&
	grep "unknown --format .yaml." err
'

test_expect_success 'a revision that does not resolve is fatal' '
	(cd repo && test_expect_code 128 git tokens report nosuch..main) \
		>out 2>err &&
	test_must_be_empty out &&
	grep "bad revision .nosuch..main." err
'

test_expect_success 'GIT_TOKENS_NOW fixes the generated time' '
	(cd repo && GIT_TOKENS_NOW=2026-11-22T10:00:00+01:00 \
		git tokens report --format=json) >now.json &&
	pyjson "print(d[\"generated\"])" <now.json >actual &&
	echo 2026-11-22T09:00:00Z >expect &&
	test_cmp expect actual &&
	(cd repo && GIT_TOKENS_NOW=yesterday-ish \
		test_expect_code 128 git tokens report --format=json) 2>err &&
	grep "GIT_TOKENS_NOW" err
'

test_expect_success 'an empty repository: what git log says; --all is a zero total' '
	git init -q empty &&
	(cd empty && test_expect_code 128 git log) 2>expect &&
	(cd empty && test_expect_code 128 git tokens report) >out 2>err &&
	test_must_be_empty out &&
	test_cmp expect err &&
	(cd empty && git tokens report -q --all --format=json) >out.json 2>err &&
	test_must_be_empty err &&
	pyjson "print(d[\"rows\"], d[\"total\"][\"changes\"], d[\"total\"][\"cost_usd\"])" \
		<out.json >actual &&
	echo "[] 0 None" >expect &&
	test_cmp expect actual
'

test_expect_success 'an empty range gives a zero total' '
	(cd repo && git tokens report --format=json main..main) >out.json 2>err &&
	grep "no changes in range" err &&
	pyjson "print(len(d[\"rows\"]), d[\"total\"][\"changes\"])" <out.json >actual &&
	echo "0 0" >expect &&
	test_cmp expect actual
'

test_done
