#!/bin/sh

test_description='git tokens report: csv, markdown, table width, colour and -o'

. "$(dirname "$0")"/lib-tokens.sh

# commit_as <name> <email> <file> <lines>: add lines to a file, commit.
commit_as () {
	printf "%s\n" $4 >>"$3" &&
	git add "$3" &&
	test_tick &&
	GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$2 git commit -q -m "edit $3"
}

CR=$(printf "\r")

# The widest line of a file, in characters (not bytes).
max_width () {
	python3 -c 'import sys
print(max([len(l.rstrip("\r\n")) for l in open(sys.argv[1], encoding="utf-8")] + [0]))' "$1"
}

test_expect_success 'setup: an author whose name has a comma and a quote' '
	git init -q repo &&
	(
	cd repo &&
	commit_as "Ann Long-Name Example" ann@example.com a.txt "1 2 3" &&
	commit_as "O\"Brien, Pat" pat@example.com b.txt "1 2" &&
	commit_as "O\"Brien, Pat" pat@example.com b.txt "3" &&
	commit_as "Zed" zed@example.com c.txt "1"
	)
'

test_expect_success 'csv: RFC 4180 quoting, header row, CRLF, raw numbers' '
	(cd repo && git tokens report --format=csv) >out.csv &&
	head -n 1 out.csv >header &&
	printf "author,changes,landed,lines_added,lines_deleted,surviving,assisted_share,rework,reviewed,tokens,output_tokens,cost_usd,surviving_priced,landed_priced,lines_per_usd,usd_per_landed,unlanded,flags\r\n" >expect &&
	test_cmp expect header &&
	# no usage, no AI marker: assisted 0, nothing priced, no ratio
	grep "^\"O\"\"Brien, Pat <pat@example.com>\",2,2,3,0,3,0,0,,,,,0,0,,,,no-ai$CR\$" out.csv &&
	test $(grep -c "$CR\$" out.csv) = $(wc -l <out.csv) &&
	python3 -c "import csv,sys
rows = list(csv.DictReader(open(sys.argv[1], newline=\"\")))
pat = [r for r in rows if r[\"author\"].startswith(\"O\")]
assert pat[0][\"author\"] == \"O\\\"Brien, Pat <pat@example.com>\", pat
assert rows[-1][\"author\"] == \"total\" and rows[-1][\"changes\"] == \"4\"
assert rows[-1][\"cost_usd\"] == \"\"
assert len(rows) == 4, rows
" out.csv
'

test_expect_success 'markdown: a GitHub table with humanised cells' '
	(cd repo && git tokens report --format=markdown) >out.md &&
	head -n 1 out.md >actual &&
	echo "| author | changes | landed | +lines | surviving | assisted | rework | reviewed | tokens | out tok | cost | lines/\\\$ | \\\$/landed | unlanded | flags |" >expect &&
	test_cmp expect actual &&
	sed -n 2p out.md | grep "^| :--- | ---: | ---: |" &&
	test $(grep -c "^|" out.md) = 6 &&
	grep "^| \`O\"Brien, Pat <pat@example.com>\` | 2 | 2 | 3 | 3 | 0% | 0% | — |" out.md &&
	grep "^| total | 4 | 4 | 7 |" out.md &&
	grep "^coverage: 0 of 4 changes" out.md
'

test_expect_success 'table: fits 80 columns by default, COLUMNS otherwise' '
	(cd repo && env -u COLUMNS git tokens report) >out &&
	test $(max_width out) -le 80 &&
	grep "^Ann Long-Name Exam" out &&
	# at 80 columns landed goes before surviving and assisted
	grep "^total  *4  *7  *7  *0% " out &&
	(cd repo && COLUMNS=50 git tokens report) >narrow &&
	test $(max_width narrow) -le 50 &&
	! grep "reviewed" narrow &&
	grep "^total" narrow &&
	(cd repo && COLUMNS=300 git tokens report) >wide &&
	head -n 1 wide | grep "reviewed" &&
	grep "Ann Long-Name Example <ann@example.com>" wide &&
	grep "^Zed <zed@example.com>  *1  *1  *1  *1  *0%  *0%  *— " wide
'

test_expect_success 'table: unknown is a dash, numbers are humanised' '
	(
	cd repo &&
	for i in $(seq 1 1234); do echo $i; done >big.txt &&
	git add big.txt &&
	test_tick &&
	git commit -q -m big &&
	COLUMNS=300 git tokens report >../out
	) &&
	grep "^A U Thor <author@example.com>  *1  *1  *1.2k  *1.2k  *0%  *0%  *— " out
'

test_expect_success 'colour: only when asked for, or on a terminal' '
	(cd repo && git tokens report) >plain &&
	! grep "$(printf "\033")" plain &&
	(cd repo && git tokens report --color=always) >color &&
	grep "$(printf "\033")\[1m" color &&
	grep "$(printf "\033")\[33mno-ai" color &&
	(cd repo && git tokens report --color=always --no-color) >plain2 &&
	! grep "$(printf "\033")" plain2 &&
	(cd repo && git tokens report --color=always --format=csv) >csv &&
	! grep "$(printf "\033")" csv &&
	(cd repo && test_expect_code 129 git tokens report --color=sometimes) \
		2>err &&
	grep "invalid color value" err
'

test_expect_success '-o writes the file atomically, nothing on stdout' '
	(cd repo && git tokens report --format=json -o ../report.json) >out &&
	test_must_be_empty out &&
	python3 -c "import json,sys
d = json.load(open(sys.argv[1]))
assert d[\"schema\"] == \"git-tokens/report/v1\"
assert d[\"total\"][\"changes\"] == 5, d[\"total\"]" report.json &&
	! ls report.json.tmp-* 2>/dev/null &&
	echo old >report.csv &&
	(cd repo && git tokens report --format=csv --output=../report.csv) &&
	head -n 1 report.csv | grep "^author,changes," &&
	(cd repo && test_expect_code 128 \
		git tokens report -o ../no/such/dir/r.json) 2>err &&
	grep "no/such/dir" err
'

test_expect_success 'the pager runs for a table on a terminal only' '
	(cd repo && GIT_PAGER="cat >../paged" git tokens report) >out &&
	! test -e paged &&
	grep "^total" out
'

# script(1) gives the command a terminal, for the pager.
script -qec true /dev/null >/dev/null 2>&1 && test_set_prereq TTY

test_expect_success TTY 'on a terminal a table is paged, json and --no-pager are not' '
	rm -f out paged &&
	(cd repo &&
	 GIT_PAGER="cat >../paged" script -qec "git tokens report" /dev/null \
		>/dev/null) &&
	grep "^total" paged &&
	rm paged &&
	(cd repo &&
	 GIT_PAGER="cat >../paged" script -qec "git tokens report --no-pager" \
		/dev/null >../out) &&
	! test -e paged &&
	grep "^total" out &&
	rm out &&
	(cd repo &&
	 GIT_PAGER="cat >../paged" script -qec \
		"git tokens report --format=json" /dev/null >../out) &&
	! test -e paged &&
	grep "git-tokens/report/v1" out
'

test_expect_success '-o into a FIFO writes through it and leaves it a FIFO' '
	(
		cd repo &&
		mkfifo ../fifo &&
		{ cat ../fifo >../from-fifo & } &&
		git tokens report --format=csv -o ../fifo &&
		wait &&
		test -p ../fifo &&
		head -n 1 ../from-fifo | grep "^author,changes,"
	)
'

test_expect_success 'json: GIT_TOKENS_NOW as @<epoch> is the same clock as ISO' '
	(cd repo && GIT_TOKENS_NOW=@1700000000 \
		git tokens report --format=json) >epoch.json &&
	(cd repo && GIT_TOKENS_NOW=2023-11-14T22:13:20Z \
		git tokens report --format=json) >iso.json &&
	grep "\"generated\": \"2023-11-14T22:13:20Z\"" epoch.json &&
	grep "\"generated\"" epoch.json >expect &&
	grep "\"generated\"" iso.json >actual &&
	test_cmp expect actual
'

test_done
