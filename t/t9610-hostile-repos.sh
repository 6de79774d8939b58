#!/bin/sh

test_description='hostile repositories: the numbers still reconcile with git'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-hardening.sh

# check_report [<git log options>...]: report, log, export and show run;
# report's totals equal git's own over the same history.
check_report () {
	git tokens report --format=json >../report.json 2>../report.err &&
	git tokens log --format=json >../log.json 2>../log.err &&
	git tokens export >../export.jsonl 2>../export.err &&
	git tokens show --format=json HEAD >../show.json 2>../show.err &&
	git rev-list --count --no-merges "$@" HEAD >../expect.count &&
	numstat_totals "$@" HEAD >../expect.lines &&
	python3 -c "import json,sys
t = json.load(open(\"../report.json\"))[\"total\"]
print(t[\"changes\"])
print(t[\"lines_added\"], t[\"lines_deleted\"])" >../actual &&
	cat ../expect.count ../expect.lines >../expect &&
	test_cmp ../expect ../actual &&
	test $(wc -l <../export.jsonl) = $(cat ../expect.count)
}

test_expect_success 'a huge binary file counts no lines' '
	git init -q bin &&
	(
		cd bin &&
		test_commit text a.txt "one" &&
		head -c 67108864 /dev/zero >big.bin &&
		printf "tail\n" >>big.bin &&
		git add big.bin &&
		test_tick &&
		git commit -q -m "big binary" &&
		test_commit more a.txt "two" &&
		check_report
	) &&
	test "$(cat expect.lines)" = "2 0"
'

test_expect_success 'a commit of 100k files (fast-import)' '
	git init -q wide &&
	: no work tree: 100k files cost minutes to check out and remove &&
	python3 - <<-\PY | (cd wide && git fast-import --quiet) &&
	import sys
	w = sys.stdout.write
	w("commit refs/heads/main\n")
	w("author A U Thor <author@example.com> 1731920000 +0000\n")
	w("committer C O Mitter <committer@example.com> 1731920000 +0000\n")
	w("data 5\nwide\n\n")
	for i in range(100000):
	    body = "line %d\n" % i
	    w("M 100644 inline d%02d/f%06d.txt\ndata %d\n%s\n" %
	      (i % 97, i, len(body), body))
	w("commit refs/heads/main\n")
	w("author A U Thor <author@example.com> 1731920060 +0000\n")
	w("committer C O Mitter <committer@example.com> 1731920060 +0000\n")
	w("data 6\nafter\n\n")
	w("M 100644 inline a.txt\ndata 4\none\n\n")
	PY
	(
		cd wide &&
		check_report
	) &&
	test "$(cat expect.lines)" = "100001 0" &&
	test "$(cat expect.count)" = 2
'

test_expect_success 'an octopus merge is no change of its own' '
	git init -q octo &&
	(
		cd octo &&
		test_commit base &&
		for b in b1 b2 b3
		do
			git checkout -q -b $b main &&
			test_commit $b || return 1
		done &&
		git checkout -q main &&
		test_tick &&
		git merge -q -m octopus b1 b2 b3 >/dev/null &&
		test $(git rev-list --merges --count HEAD) = 1 &&
		test $(git rev-list --parents -n 1 HEAD | wc -w) = 4 &&
		test_commit after &&
		check_report &&
		test_expect_code 128 git tokens show HEAD^ 2>../octo.err
	) &&
	grep "^fatal: .HEAD^. is a merge commit, not a change" octo.err &&
	test "$(cat expect.count)" = 5
'

test_expect_success 'a commit with an empty author email' '
	git init -q noemail &&
	(
		cd noemail &&
		test_commit base &&
		echo x >x.t &&
		git add x.t &&
		test_tick &&
		git commit -q --author="Nobody <>" -m "empty email" &&
		check_report
	) &&
	test "$(cat expect.count)" = 2 &&
	python3 -c "import json
rows = [json.loads(l) for l in open(\"export.jsonl\")]
assert any(r[\"author_email\"] in (\"\", None) and r[\"author_name\"] == \"Nobody\" for r in rows), rows"
'

test_expect_success 'a commit with no author email at all: a clear error' '
	(
		cd noemail &&
		tree=$(git write-tree) &&
		parent=$(git rev-parse HEAD) &&
		printf "tree %s\nparent %s\nauthor Nobody 1731920100 +0000\ncommitter Nobody 1731920100 +0000\n\nno email at all\n" \
			"$tree" "$parent" >raw &&
		c=$(git hash-object -t commit -w --literally raw) &&
		git update-ref refs/heads/main $c &&
		git log --format="%H %ae" >../noemail.log &&
		test_expect_code 128 git tokens report >../r.out 2>../r.err &&
		test_expect_code 128 git tokens log >../l.out 2>../l.err &&
		test_expect_code 128 git tokens show $c >../s.out 2>../s.err &&
		: the hook never fails the commit &&
		git tokens record --hook 2>../h.err
	) &&
	test_line_count = 3 noemail.log &&
	test_must_be_empty r.out &&
	grep "^error: bad revision .HEAD.: failed to parse signature - malformed e-mail" r.err &&
	grep "^fatal: " r.err &&
	grep "^fatal: " l.err &&
	grep "malformed e-mail" s.err &&
	test_line_count = 1 h.err &&
	grep "^warning: git tokens record: cannot read commit .HEAD.: .*malformed e-mail" h.err
'

test_expect_success 'replaced objects (git replace) are followed as git does' '
	git init -q repl &&
	(
		cd repl &&
		test_commit one &&
		test_commit two two.t "2a" &&
		test_commit three &&
		git checkout -q -b other one &&
		printf "x\ny\nz\n" >two.t &&
		git add two.t &&
		test_tick &&
		git commit -q -m "two, rewritten" &&
		git checkout -q main &&
		git replace two other &&
		check_report &&
		test "$(cat ../expect.lines)" = "6 3" &&
		GIT_NO_REPLACE_OBJECTS=1 &&
		export GIT_NO_REPLACE_OBJECTS &&
		check_report &&
		test "$(cat ../expect.lines)" = "3 0"
	)
'

test_expect_success 'grafts (.git/info/grafts) are followed as git does' '
	git init -q graft &&
	(
		cd graft &&
		test_commit g1 &&
		test_commit g2 &&
		test_commit g3 &&
		git rev-parse g2 >.git/info/grafts &&
		check_report 2>/dev/null &&
		test "$(cat ../expect.count)" = 2
	)
'

if test "$(id -u)" = 0 && getent passwd nobody >/dev/null
then
	test_set_prereq ROOT_CHOWN
fi

test_expect_success ROOT_CHOWN 'a repository owned by someone else is explained' '
	git init -q theirs &&
	(cd theirs && test_commit t1) &&
	chown -R nobody theirs &&
	test_when_finished "chown -R 0 theirs" &&
	(
		cd theirs &&
		test_expect_code 128 git tokens report >../own.out 2>../own.err &&
		test_expect_code 128 git tokens record >>../own.out 2>>../own.err
	) &&
	test_must_be_empty own.out &&
	grep "dubious ownership" own.err &&
	grep "git config --global --add safe.directory" own.err &&
	git config --global --add safe.directory "$TRASH/theirs" &&
	(
		cd theirs &&
		git tokens report --format=json >../own.json
	) &&
	test "$(json_get total.changes <own.json)" = 1
'

test_expect_success 'a missing object: one warning says what is unknown and why' '
	git init -q missing &&
	(
		cd missing &&
		for i in 1 2 3 4
		do
			seq $i 10 >f && git add f && test_tick &&
			git commit -q -m c$i && git tag c$i || return 1
		done &&
		git tokens report >/dev/null &&
		blob=$(git rev-parse c2:f) &&
		rm .git/objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-) &&
		rm .git/tokens/survival-*.state &&
		for cmd in report log export
		do
			git tokens $cmd >../out 2>../err &&
			echo "warning: surviving and rework are unknown: the lines could not be followed to the mainline tip (unable to read $blob)" >../expect &&
			test_cmp ../expect ../err &&
			git tokens $cmd -q >../out 2>../err &&
			test_must_be_empty ../err || return 1
		done &&
		git tokens report --format=json >../missing.json 2>../err &&
		test "$(json_get total.surviving <../missing.json)" = null &&
		test_expect_code 128 git tokens report --no-cache >../out 2>../err &&
		echo "fatal: cannot count the lines the changes add and delete: unable to read $blob" >../expect &&
		test_cmp ../expect ../err
	)
'

test_done
