#!/bin/sh
test_description='survival: the lines at the mainline tip, as git blame says'
. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-survival.sh

test_expect_success 'setup: merges, renames, moves, an octopus' '
	mkdir repo && (cd repo && build_history) &&
	(cd repo && git rev-list --merges --count main) >merges &&
	test $(cat merges) -ge 6 &&
	(cd repo && git rev-list --min-parents=3 --count main) >octopus &&
	test $(cat octopus) = 1
'

test_expect_success 'per author: surviving equals git blame over the tip' '
	(cd repo && git tokens report --format=json >../report.json &&
	 blame_counts main email "$NOT_COUNTABLE") >expect &&
	report_surviving report.json >actual &&
	test_cmp expect actual &&
	# four people (the mailmap folds two of the identities)
	test $(wc -l <actual) = 4
'

test_expect_success 'per change: surviving equals git blame over the tip' '
	per_change_is_blame "$NOT_COUNTABLE"
'

test_expect_success 'the total is every countable line at the tip' '
	(cd repo && git ls-tree -r --name-only main |
	 grep -Ev "$NOT_COUNTABLE" | grep -v "^logo.bin$" |
	 while read f; do cat "$f"; done | wc -l) >expect &&
	json_get total.surviving <report.json >actual &&
	test $(cat expect) = $(cat actual)
'

test_expect_success 'a block moved inside a file belongs to whoever moved it' '
	(cd repo && git rev-parse ":/bob: move a block") >moved &&
	log_values log.json surviving nonzero >per-change &&
	grep "^$(cat moved) [1-9]" per-change &&
	# moved lines are new lines: blame runs without -M
	(cd repo && git blame -s main -- src/c.c) >blame.c &&
	test $(grep -c "^$(cut -c1-8 moved)" blame.c) = \
		$(grep "^$(cat moved) " per-change | cut -d" " -f2)
'

test_expect_success 'survival is known for landed changes only' '
	(cd repo && git checkout -q -b open main &&
	 echo "never merged" >>src/a.c && test_tick &&
	 git commit -q -a -m "open work" &&
	 GIT_TOKENS_NOW=2024-11-19T00:00:00Z \
		git tokens log --format=json main open >../both.json &&
	 git rev-parse open >../open && git checkout -q main) &&
	python3 - "$(cat open)" <<-\EOF
	import json, sys
	d = json.load(open("both.json"))
	for c in d["changes"]:
	    if c["commit"] == sys.argv[1]:
	        assert c["landed"] == "no" and c["unlanded"] == "open", c
	        assert c["surviving"] is None, c
	    else:
	        assert c["landed"] == "yes" and c["unlanded"] is None, c
	        assert isinstance(c["surviving"], int), c
	EOF
'

test_expect_success 'a pathspec counts the lines at the tip under it' '
	(cd repo && git tokens report --format=json -- src >../src.json &&
	 git ls-tree -r --name-only main -- src |
	 while read f; do cat "$f"; done | wc -l) >expect &&
	json_get total.surviving <src.json >actual &&
	test $(cat expect) = $(cat actual)
'

test_expect_success 'tokens.exclude leaves files out of survival too' '
	(cd repo && git -c tokens.exclude=src/c.c tokens report \
		--format=json >../excl.json &&
	 blame_counts main email "$NOT_COUNTABLE|^src/c\.c\$") >expect &&
	report_surviving excl.json >actual &&
	test_cmp expect actual
'

test_expect_success 'a work tree is not needed: bare clones' '
	git clone -q --bare repo bare.git &&
	(cd bare.git && git tokens report --format=json >../bare.json) &&
	report_surviving bare.json >actual &&
	report_surviving report.json >expect &&
	test_cmp expect actual
'

test_done
