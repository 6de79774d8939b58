#!/bin/sh

test_description='review outcomes from trailers and Gerrit review notes'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-22T12:00:00Z
export GIT_TOKENS_NOW

# commit_msg <file> <message>: a commit with a full message.
commit_msg () {
	echo "$1" >>"$1" &&
	git add "$1" &&
	test_tick &&
	git commit -q -m "$2"
}

# "<subject>|<review>" per change of "git tokens log --format=json".
review_table () {
	git log --format="%H %s" --all >../subjects &&
	git tokens log --format=json "$@" >../log.json &&
	python3 -c '
import json
names = {}
for line in open("../subjects"):
    sha, _, subject = line.rstrip("\n").partition(" ")
    names[sha] = subject
for c in json.load(open("../log.json"))["changes"]:
    print("%s|%s" % (names[c["commit"]], c["review"]))
' | sort
}

test_expect_success 'setup' '
	git init -q repo &&
	(
		cd repo &&
		commit_msg a "plain change" &&
		commit_msg b "reviewed change

Some body text.

Reviewed-by: Rita Reviewer <rita@example.com>
Signed-off-by: A U Thor <author@example.com>" &&
		commit_msg c "acked change

ACKED-BY: Mona Maintainer <mona@example.com>" &&
		commit_msg d "tested only

Tested-by: Tess Tester <tess@example.com>" &&
		commit_msg e "trailer not at the end

Reviewed-by: Rita Reviewer <rita@example.com>

And then more prose, so that was no trailer block." &&
		commit_msg f "prose with a colon

This paragraph says Reviewed-by: nobody in prose." &&
		git checkout -q -b side &&
		commit_msg g "unlanded but reviewed

Reviewed-by: Rita Reviewer <rita@example.com>" &&
		git checkout -q main
	)
'

test_expect_success 'trailers: reviewed, acked, tested, and no source' '
	(cd repo && review_table main side) >actual &&
	cat >expect <<-\EOF &&
	acked change|approved
	plain change|None
	prose with a colon|None
	reviewed change|approved
	tested only|not-approved
	trailer not at the end|None
	unlanded but reviewed|None
	EOF
	test_cmp expect actual
'

test_expect_success 'report: trailers alone give no approval rate' '
	(cd repo && git tokens report --format=json) >report.json &&
	python3 -c "
import json
t = json.load(open(\"report.json\"))[\"total\"]
# reviewed, acked, tested are known from trailers only, and a trailer
# never records a rejection: the rate is unknown (it read 2 of 3)
assert t[\"reviewed\"] is None, t
" &&
	(cd repo && git tokens report --format=csv) >report.csv &&
	grep "^total,6,6,6,0,6,0,0,," report.csv &&
	(cd repo && COLUMNS=200 git tokens report --color=never) >report.txt &&
	grep "^total  *6  *6  *6  *6  *0%  *0%  *— " report.txt
'

test_expect_success 'report: no review source gives unknown, never zero' '
	git init -q bare-history &&
	(
		cd bare-history &&
		commit_msg x "no trailers here" &&
		git tokens report --format=json >../r2.json &&
		git tokens report --format=csv >../r2.csv &&
		git tokens report --color=never --no-pager >../r2.txt
	) &&
	python3 -c "
import json
t = json.load(open(\"r2.json\"))[\"total\"]
assert t[\"reviewed\"] is None, t
" &&
	! grep -i unreviewed r2.txt r2.csv r2.json
'

test_expect_success 'log table shows the review column' '
	(cd repo && COLUMNS=200 git tokens log --color=never --no-pager) >log.txt &&
	grep "review" log.txt &&
	grep "approved" log.txt &&
	grep "not-approved" log.txt
'

test_expect_success 'gerrit review notes: Code-Review+2 approves' '
	(
		cd repo &&
		git notes --ref=review add -m "Code-Review+2: Gerd Gerrit <gerd@example.com>
Verified+1: CI Bot <ci@example.com>
Submitted-by: Gerd Gerrit <gerd@example.com>
Submitted-at: Fri, 11 Jan 2013 16:19:45 +0100
Reviewed-on: https://review.example.com/123456
Project: test
Branch: refs/heads/main" ":/plain change" &&
		git notes --ref=review add -m "Code-Review+2: Gerd Gerrit <gerd@example.com>
Code-Review-1: Nina Nitpick <nina@example.com>
Verified+1: CI Bot <ci@example.com>" ":/prose with a colon" &&
		git notes --ref=review add -m "Verified+1: CI Bot <ci@example.com>
Code-Review+1: Nina Nitpick <nina@example.com>
Reviewed-on: https://review.example.com/1" ":/acked change" &&
		git notes --ref=review add -m "Some free text that holds no votes" \
			":/trailer not at the end" &&
		review_table main side
	) >actual &&
	cat >expect <<-\EOF &&
	acked change|not-approved
	plain change|approved
	prose with a colon|changes-requested
	reviewed change|approved
	tested only|not-approved
	trailer not at the end|None
	unlanded but reviewed|None
	EOF
	test_cmp expect actual
'

test_expect_success 'report: the rate counts Gerrit votes, not trailers' '
	(cd repo && git tokens report --format=json) >gerrit.json &&
	python3 -c "
import json
t = json.load(open(\"gerrit.json\"))[\"total\"]
# Gerrit: plain approved, prose changes-requested, acked not approved:
# 1 of 3 (with the two trailer verdicts it would read 2 of 5)
assert abs(t[\"reviewed\"] - 1.0 / 3) < 0.001, t
"
'

test_expect_success 'what messages say is cached per commit; --no-cache rereads' '
	cache=repo/.git/tokens/review-messages &&
	head -n 1 $cache >head &&
	echo "git-tokens review messages 1" >expect.head &&
	test_cmp expect.head head &&
	plain=$(git -C repo rev-parse ":/plain change") &&
	tested=$(git -C repo rev-parse ":/tested only") &&
	git -C repo notes --ref=review remove "$plain" &&
	# a forged entry shows that the cache is what gets read
	sed -e "s/^$tested .*/$tested 2/" $cache >forged &&
	cp forged $cache &&
	(cd repo && review_table main side) >cached &&
	grep "^tested only|approved$" cached &&
	grep "^plain change|None$" cached &&
	(cd repo && git tokens log --no-cache --format=json main side) >log.json &&
	(cd repo && review_table main side) >reread &&
	grep "^tested only|not-approved$" reread &&
	git -C repo notes --ref=review add -m "Code-Review+2: G <g@example.com>" \
		"$plain"
'

test_expect_success 'a corrupt message cache is rebuilt silently' '
	printf "garbage\n\001\002" >repo/.git/tokens/review-messages &&
	(cd repo && review_table main side) >actual 2>err &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	head -n 1 repo/.git/tokens/review-messages >head &&
	test_cmp expect.head head
'

test_expect_success 'a forge remote without a token or cache asks nothing' '
	(
		cd repo &&
		git remote add origin https://github.com/acme/offline.git &&
		GIT_TOKENS_GITHUB_API=http://127.0.0.1:9/unreachable \
		review_table main side >../actual 2>../err
	) &&
	test_cmp expect actual &&
	test_must_be_empty err
'

test_expect_success 'tokens.forge=none ignores the remote' '
	(
		cd repo &&
		git config tokens.forge none &&
		GITHUB_TOKEN=t0ken GIT_TOKENS_GITHUB_API=http://127.0.0.1:9/x \
		review_table main side >../actual 2>../err
	) &&
	test_cmp expect actual &&
	test_must_be_empty err
'

test_expect_success 'an invalid tokens.forge is a warning, not a failure' '
	(
		cd repo &&
		git config tokens.forge bitbucket &&
		git tokens log --format=json >/dev/null 2>../err
	) &&
	grep "^warning: ignoring invalid tokens.forge .bitbucket." err
'

test_expect_success 'fetch github: needs a GitHub project; no --offline' '
	git init -q lonely &&
	(
		cd lonely &&
		commit_msg z "lonely change" &&
		test_expect_code 128 git tokens fetch github 2>../err &&
		test_expect_code 129 git tokens fetch github --offline 2>../err2
	) &&
	grep "^error: no github project found for this repository" err &&
	grep "^fatal: could not fetch review data from github$" err &&
	grep "offline" err2
'

test_done
