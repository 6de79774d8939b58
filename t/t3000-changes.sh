#!/bin/sh
test_description='the change engine: ranges, lines, exclusions, landed, reverts'
. "$(dirname "$0")"/lib-tokens.sh

# log_field <field> [<git tokens log args>...]: "<commit> <value>" lines
log_field () {
	f=$1 && shift &&
	git tokens log --format=json "$@" >log.json &&
	python3 -c 'import json,sys
for c in json.load(open("log.json"))["changes"]:
    v = c[sys.argv[1]]
    print(c["commit"], "null" if v is None else str(v).lower())' "$f"
}

total () {
	git tokens report --format=json "$@" >report.json &&
	python3 -c 'import json
d = json.load(open("report.json"))
t = d["total"]
print(t["changes"], t["lines_added"], t["lines_deleted"], d["excluded_lines"])'
}

test_expect_success 'setup: text, binary, generated, vendored, excluded paths' '
	git init -q repo &&
	cd repo &&
	test_commit base a.txt "$(test_seq 1 10)" &&
	printf "x\000y" >blob.bin &&
	mkdir -p vendor/lib gen "dir with space" &&
	test_seq 1 7 >vendor/lib/v.c &&
	test_seq 1 5 >gen/out.c &&
	test_seq 1 4 >app.min.js &&
	test_seq 1 3 >"dir with space/f i.txt" &&
	test_seq 1 6 >"$(printf "caf\351.txt")" &&
	test_seq 1 9 >docs.md &&
	echo "gen/** linguist-generated" >.gitattributes &&
	git add . &&
	test_tick &&
	git commit -q -m "many kinds of files" &&
	git config tokens.exclude "docs.md" &&
	git mv a.txt b.txt &&
	echo 11 >>b.txt && git add b.txt &&
	test_tick &&
	git commit -q -m "rename with an edit" &&
	cd ..
'

test_expect_success 'countable lines leave out binary, generated, vendored, min.js and tokens.exclude' '
	(
		cd repo &&
		total >actual &&
		# base 10; then .gitattributes 1 + space 3 + cafe 6; rename +1
		echo "3 21 0 25" >expect &&
		test_cmp expect actual
	)
'

test_expect_success 'countable plus excluded lines equal git log --numstat' '
	(
		cd repo &&
		total >t &&
		read n a d x <t &&
		numstat_totals >nt &&
		read na nd <nt &&
		test $((a + d + x)) = $((na + nd))
	)
'

test_expect_success 'a rename with an edit counts the edit only, as -M does' '
	(
		cd repo &&
		log_field lines_added -n 1 >actual &&
		echo "$(git rev-parse HEAD) 1" >expect &&
		test_cmp expect actual
	)
'

test_expect_success 'setup: history with branches, merges and authors' '
	git init -q hist &&
	cd hist &&
	test_commit one &&
	test_commit two &&
	git checkout -q -b side &&
	test_commit side1 s.txt "$(test_seq 1 4)" &&
	test_commit side2 s.txt "$(test_seq 5 6)" &&
	git checkout -q main &&
	test_commit three &&
	test_tick &&
	git merge -q --no-ff -m "merge side" side &&
	git tag merged &&
	test_commit four &&
	cd ..
'

test_expect_success 'merges are never changes' '
	(
		cd hist &&
		log_field commit >actual &&
		test $(wc -l <actual) = $(git rev-list --no-merges --count HEAD)
	)
'

test_expect_success 'ranges: A..B, A...B, ^A, --all' '
	(
		cd hist &&
		for r in "one..HEAD" "side...main" "HEAD ^two" "--all" "merged"
		do
			git tokens log --format=json $r >out.json &&
			python3 -c "import json; print(len(json.load(open(\"out.json\"))[\"changes\"]))" >n &&
			echo $(git rev-list --no-merges --count $r) >expect &&
			test_cmp expect n || return 1
		done
	)
'

test_expect_success '--all leaves out notes commits' '
	(
		cd hist &&
		git notes --ref=tokens add -m "{}" HEAD &&
		git notes add -m "plain" HEAD~1 &&
		git tokens log --format=json --all >out.json &&
		python3 -c "import json; print(len(json.load(open(\"out.json\"))[\"changes\"]))" >n &&
		echo $(git rev-list --no-merges --count --exclude="refs/notes/*" --all) >expect &&
		test_cmp expect n &&
		git notes --ref=tokens remove HEAD &&
		git notes remove HEAD~1
	)
'

test_expect_success '--since and --until, ISO and relative' '
	(
		cd hist &&
		since=$(git log -1 --format=%cI three) &&
		git tokens log --format=json --since="$since" >out.json &&
		python3 -c "import json; print(len(json.load(open(\"out.json\"))[\"changes\"]))" >n &&
		echo $(git rev-list --no-merges --count --since="$since" HEAD) >expect &&
		test_cmp expect n &&
		git tokens log --format=json --since="1000.years.ago" --until="2.days.ago" >out.json &&
		python3 -c "import json; print(len(json.load(open(\"out.json\"))[\"changes\"]))" >n &&
		echo $(git rev-list --no-merges --count --since=1000.years.ago --until=2.days.ago HEAD) >expect &&
		test_cmp expect n
	)
'

test_expect_success 'mailmap merges two identities into one author' '
	(
		cd hist &&
		GIT_AUTHOR_EMAIL=old@example.com test_commit five &&
		printf "A U Thor <author@example.com> <old@example.com>\n" >.mailmap &&
		git add .mailmap && test_tick && git commit -q -m mailmap &&
		git tokens report --format=json >r.json &&
		python3 -c "import json
rows = json.load(open(\"r.json\"))[\"rows\"]
print(len(rows), rows[0][\"author\"])" >actual &&
		echo "1 A U Thor <author@example.com>" >expect &&
		test_cmp expect actual
	)
'

test_expect_success 'setup: a branch rebased and cherry-picked onto main' '
	git init -q land &&
	cd land &&
	test_commit base &&
	git checkout -q -b topic &&
	test_commit t1 t.txt "$(test_seq 1 3)" &&
	test_commit t2 t.txt "$(test_seq 4 5)" &&
	test_commit t3 u.txt "only on topic" &&
	git checkout -q main &&
	test_commit m1 &&
	test_tick &&
	git cherry-pick t1 t2 >/dev/null &&
	cd ..
'

test_expect_success 'cherry-picked originals are landed by patch-id, the rest is not' '
	(
		cd land &&
		log_field landed --all >actual &&
		cat >expect <<-EOF &&
		$(git rev-parse HEAD) yes
		$(git rev-parse HEAD~1) yes
		$(git rev-parse t3) no
		$(git rev-parse t2) patch-id
		$(git rev-parse t1) patch-id
		$(git rev-parse m1) yes
		$(git rev-parse base) yes
		EOF
		sort expect >e && sort actual >a &&
		test_cmp e a &&
		# older than 30 days with nothing newer on its branch
		log_field unlanded --all >actual &&
		grep "^$(git rev-parse t3) abandoned$" actual
	)
'

test_expect_success 'reverts, and reverts of reverts' '
	(
		cd land &&
		test_commit r1 r.txt "to revert" &&
		test_commit r2 q.txt "to revert and restore" &&
		test_tick && git revert --no-edit r1 >/dev/null &&
		test_tick && git revert --no-edit r2 >/dev/null &&
		test_tick && git revert --no-edit HEAD >/dev/null &&
		log_field reverted >actual &&
		grep "^$(git rev-parse r1) true" actual &&
		grep "^$(git rev-parse r2) false" actual &&
		grep "^$(git rev-parse HEAD~1) true" actual &&
		test $(grep -c " true$" actual) = 2
	)
'

test_expect_success 'a missing mainline and a bad range are fatal' '
	(
		cd land &&
		test_expect_code 128 git tokens report --mainline=nope 2>err &&
		grep "^fatal: mainline .nope. does not exist" err &&
		test_expect_code 128 git -c tokens.mainline=viaparam tokens report 2>err &&
		grep "^fatal: mainline .viaparam. does not exist" err &&
		test_expect_code 128 git tokens log nope..HEAD 2>err &&
		grep "^fatal: bad revision .nope..HEAD." err &&
		test $(wc -l <err) = 1
	)
'

test_expect_success 'AI trailers and agent authors mark a change assisted' '
	(
		cd land &&
		test_tick &&
		echo x >ai.txt && git add ai.txt &&
		git commit -q -m "with claude" -m "Co-Authored-By: Claude <noreply@anthropic.com>" &&
		echo y >>ai.txt && git add ai.txt &&
		git -c user.name="Jane Doe (aider)" commit -q --author="Jane Doe (aider) <jane@example.com>" -m "by aider" &&
		echo z >>ai.txt && git add ai.txt &&
		git commit -q --author="copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>" \
			-m "by copilot" -m "Co-authored-by: Sam Human <sam@example.com>" &&
		git tokens log --format=json -n 3 >out.json &&
		python3 -c "import json
for c in json.load(open(\"out.json\"))[\"changes\"]:
    print(c[\"agent\"], c[\"author_name\"], c[\"author_email\"])" >actual &&
		cat >expect <<-\EOF &&
		copilot Sam Human sam@example.com
		aider Jane Doe jane@example.com
		claude A U Thor author@example.com
		EOF
		test_cmp expect actual
	)
'

test_expect_success 'a corrupt cache is rebuilt silently; --no-cache agrees' '
	(
		cd hist &&
		git tokens report --format=json >first.json &&
		cache=$(git rev-parse --git-common-dir)/tokens/numstat-v1.cache &&
		test -s "$cache" &&
		printf "garbage" | dd of="$cache" bs=1 seek=30 conv=notrunc 2>/dev/null &&
		git tokens report --format=json >second.json 2>err &&
		test_must_be_empty err &&
		git tokens report --format=json --no-cache >third.json &&
		python3 -c "import json,sys
a, b, c = (json.load(open(f))[\"total\"] for f in sys.argv[1:])
assert a == b == c, (a, b, c)" first.json second.json third.json
	)
'

test_expect_success 'an empty repository and an unborn branch: as git log, every command' '
	git init -q empty &&
	(
		cd empty &&
		test_expect_code 128 git log 2>expect &&
		for cmd in report log export show
		do
			test_expect_code 128 git tokens $cmd >out 2>err &&
			test_must_be_empty out &&
			test_cmp expect err || return 1
		done &&
		git tokens report --all --format=json -q >out.json &&
		test "$(json_get total.changes <out.json)" = 0
	) &&
	(
		cd hist &&
		git checkout -q --orphan unborn &&
		test_expect_code 128 git log 2>expect &&
		test_expect_code 128 git tokens log --format=json -q 2>err &&
		test_cmp expect err &&
		git checkout -q -f main
	)
'

test_expect_success 'a bare clone, a linked worktree and a detached HEAD' '
	git clone -q --bare hist hist.git &&
	(
		cd hist.git &&
		git tokens report --format=json >out.json &&
		test "$(json_get total.changes <out.json)" = $(git rev-list --no-merges --count HEAD)
	) &&
	(
		cd hist &&
		git worktree add -q ../wt side &&
		cd ../wt &&
		git tokens log --format=json >out.json &&
		test "$(python3 -c "import json; print(len(json.load(open(\"out.json\"))[\"changes\"]))" )" = $(git rev-list --no-merges --count HEAD) &&
		git checkout -q --detach HEAD~1 &&
		git tokens log --format=json >out.json &&
		test "$(python3 -c "import json; print(len(json.load(open(\"out.json\"))[\"changes\"]))" )" = $(git rev-list --no-merges --count HEAD)
	)
'

test_expect_success 'a shallow clone says what is missing' '
	git clone -q --depth=2 "file://$PWD/hist" shallow &&
	(
		cd shallow &&
		git tokens report --format=json >out.json 2>err &&
		grep "^warning: shallow clone" err &&
		grep "git fetch --unshallow" err &&
		test "$(json_get total.changes <out.json)" = 1
	)
'

test_expect_success 'a missing object is one fatal line naming it' '
	git init -q broken &&
	(
		cd broken &&
		test_commit one f.txt hello &&
		test_commit two f.txt more &&
		blob=$(git rev-parse one:f.txt) &&
		rm -f .git/objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-) &&
		test_expect_code 128 git tokens report --no-cache 2>err &&
		test $(wc -l <err) = 1 &&
		grep "^fatal: .*$blob" err
	)
'

test_expect_success 'a missing commit is one fatal line naming it' '
	git init -q broken-commit &&
	(
		cd broken-commit &&
		test_commit one f.txt hello &&
		test_commit two f.txt more &&
		test_commit three f.txt again &&
		c=$(git rev-parse HEAD~1) &&
		rm -f .git/objects/$(echo $c | cut -c1-2)/$(echo $c | cut -c3-) &&
		test_expect_code 128 git tokens report --no-cache 2>err &&
		test $(wc -l <err) = 1 &&
		grep "^fatal: .*$c" err &&
		test_expect_code 128 git tokens log 2>err &&
		test $(wc -l <err) = 1
	)
'

test_done
