#!/bin/sh

test_description='lock files of every common ecosystem are never countable lines'

. "$(dirname "$0")"/lib-tokens.sh

LOCKS="bun.lock flake.lock Pipfile.lock poetry.lock uv.lock pubspec.lock
mix.lock composer.lock Gemfile.lock Cargo.lock go.sum packages.lock.json
gradle.lockfile yarn.lock pnpm-lock.yaml package-lock.json
npm-shrinkwrap.json"

test_expect_success 'setup: every kind of lock file and a normal file' '
	git init -q repo &&
	(
	cd repo &&
	n=1 &&
	for f in $LOCKS
	do
		seq $n >$f &&
		mkdir -p sub &&
		seq 2 >sub/$f &&
		n=$((n + 1)) || return 1
	done &&
	printf "\000\001bun binary lock" >bun.lockb &&
	seq 5 >app.c &&
	git add . &&
	test_tick &&
	git commit -q -m "lock files and app.c" &&
	for f in $LOCKS
	do
		echo more >>$f || return 1
	done &&
	seq 3 >app.c &&
	echo six >>app.c &&
	git add . &&
	test_tick &&
	git commit -q -m "lock files grow, app.c changes"
	)
'

test_expect_success 'lines are git log --numstat of the countable files' '
	(
	cd repo &&
	: the countable files, computed here: those not named as a lock &&
	for f in $LOCKS bun.lockb
	do
		echo "$f" || return 1
	done >../locks &&
	git ls-files >../all &&
	awk -F/ "NR == FNR { lock[\$0] = 1; next } !(\$NF in lock)" \
		../locks ../all >../countable &&
	awk -F/ "NR == FNR { lock[\$0] = 1; next } \$NF in lock" \
		../locks ../all >../lockpaths &&
	numstat_totals HEAD -- $(cat ../countable) >../expect &&
	numstat_totals HEAD -- $(cat ../lockpaths) >../lock.lines &&
	git tokens report --format=json >../out.json
	) &&
	echo app.c >expect.countable &&
	test_cmp expect.countable countable &&
	echo "$(json_get total.lines_added <out.json)" \
		"$(json_get total.lines_deleted <out.json)" >actual &&
	test_cmp expect actual &&
	: app.c: 5 added, then 3 kept, 2 deleted, 1 added &&
	echo "6 2" >by-hand &&
	test_cmp by-hand actual
'

test_expect_success 'excluded lines are those of the lock files' '
	read a d <lock.lines &&
	: 1+2+...+17 and 17 times 2, then one more line in each of 17 &&
	test $((a + d)) = $((153 + 34 + 17)) &&
	test "$(json_get excluded_lines <out.json)" = $((a + d))
'

test_expect_success 'surviving lines agree: only app.c counts at the tip' '
	test "$(json_get total.surviving <out.json)" = 4
'

test_done
