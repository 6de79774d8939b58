#!/bin/sh

test_description='squash merges: one change, the union of the usage of its commits'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2024-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/no-logs
TZ=UTC
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR TZ

# line <session> <requests> <input> <output> <cache read> <cost>: one
# note line as the post-commit hook writes it.
line () {
	printf '{"v":1,"tool":"claude-code","model":"claude-sonnet-4-5","session":"%s","from":"2024-11-18T08:00:00Z","to":"2024-11-18T08:30:00Z","requests":%s,"input":%s,"output":%s,"cache_write":0,"cache_read":%s,"cost_usd":%s,"by":"carol@example.com","how":"hook"}\n' \
		"$@"
}

# The usage of each commit, by hand. LX is on A3 and on the squash.
L1=$(line 111111111111 1 1000 100 5000 0.10)   # 6100 tokens
L2=$(line 222222222222 2 2000 200 0 0.20)      # 2200
L3=$(line 333333333333 3 3000 300 0 0.30)      # 3300
LX=$(line 444444444444 4 4000 400 0 0.40)      # 4400
LS=$(line 555555555555 5 500 50 0 0.05)        # 550
LC=$(line 666666666666 1 10 1 0 0.01)          # 11

# note <commit> <line>...: the note of a commit, as sync brings it.
note () {
	c=$1 &&
	shift &&
	printf '%s\n' "$@" >note.txt &&
	git notes --ref=tokens add -f -F note.txt "$c" &&
	rm note.txt
}

carol () {
	GIT_AUTHOR_NAME=Carol GIT_AUTHOR_EMAIL=carol@example.com "$@"
}

# json <file> <python expression over d>: print its value.
json () {
	python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
print($2)" "$1"
}

# change <file> <commit> <key>: a key of one change of a log JSON, or
# "absent".
change () {
	python3 -c "import json, sys
d = {c['commit']: c for c in json.load(open(sys.argv[1]))['changes']}
c = d.get(sys.argv[2])
print('absent' if c is None else json.dumps(c[sys.argv[3]]))" "$@"
}

test_expect_success 'setup: a request of three commits, squash-merged' '
	git init -q repo &&
	(
		cd repo &&
		test_commit base base.t &&
		git checkout -q -b topic &&
		test_seq 1 6 >f.t && git add f.t && test_tick &&
		carol git commit -q -m one && note HEAD "$L1" &&
		test_seq 7 9 >>f.t && test_tick &&
		carol git commit -q -a -m two && note HEAD "$L2" &&
		test_seq 1 4 >g.t && git add g.t && test_tick &&
		carol git commit -q -m three && note HEAD "$L3" "$LX" &&
		git update-ref refs/pull/1/head topic &&
		git checkout -q main &&
		git merge -q --squash topic >/dev/null && test_tick &&
		carol git commit -q -m "Add f and g (#1)" &&
		note HEAD "$LX" "$LS" &&
		git branch -q -D topic &&
		test_commit later later.t && note HEAD "$LC" &&
		# aider names the second commit of the request
		cat >.aider.chat.history.md <<-EOF &&

		# aider chat started at 2024-11-18 08:40:00

		> Aider v0.86.1  
		> Main model: claude-sonnet-4-5-20250929 with diff edit format  
		> Git repo: .git with 3 files  

		#### make it so

		Sure.

		> Tokens: 1,000 sent, 50 received. Cost: \$0.01 message, \$0.01 session.  

		> Commit $(git rev-parse --short=7 refs/pull/1/head~1) two  
		EOF
		git rev-parse HEAD~1 >../squash &&
		git rev-list main..refs/pull/1/head >../absorbed &&
		test $(wc -l <../absorbed) = 3
	)
'

test_expect_success 'show: the squash commit holds the union of the notes' '
	(cd repo && git tokens show --format=json $(cat ../squash)) >show.json &&
	# L1 L2 L3 LX LS (LX once) and the aider link on "two"
	test "$(json show.json "d[\"usage\"][\"tokens\"]")" = 17600 &&
	test "$(json show.json "round(d[\"usage\"][\"cost_usd\"], 6)")" = 1.06 &&
	test "$(json show.json "d[\"usage\"][\"requests\"]")" = 16 &&
	test "$(json show.json "len(d[\"note\"][\"lines\"])")" = 5 &&
	(cd repo && git tokens show $(cat ../squash)) >show.txt &&
	grep "^note      5 lines in refs/notes/tokens$" show.txt &&
	test $(grep -c "session 444444444444" show.txt) = 1
'

test_expect_success 'log and report: the usage is on the squash commit' '
	(cd repo && git tokens log --format=json) >log.json &&
	test "$(change log.json $(cat squash) tokens)" = 17600 &&
	test "$(change log.json $(cat squash) cost_usd)" = 1.06 &&
	test "$(change log.json $(cat squash) how)" = "\"link\"" &&
	(cd repo && git tokens report --format=json) >report.json &&
	test "$(json report.json "d[\"total\"][\"changes\"]")" = 3 &&
	test "$(json report.json "d[\"total\"][\"tokens\"]")" = 17611 &&
	test "$(json report.json "round(d[\"total\"][\"cost_usd\"], 6)")" = 1.07
'

test_expect_success '--all: the squash and its commits are one change' '
	(cd repo && git tokens log --all --format=json) >log-all.json &&
	for c in $(cat absorbed)
	do
		test "$(change log-all.json $c commit)" = absent || return 1
	done &&
	(cd repo && numstat_totals -1 $(cat ../squash)) >expect &&
	echo "$(change log-all.json $(cat squash) lines_added)" \
		"$(change log-all.json $(cat squash) lines_deleted)" >actual &&
	test_cmp expect actual &&
	test "$(change log-all.json $(cat squash) tokens)" = 17600 &&
	(cd repo && git tokens report --all --format=json) >report-all.json &&
	(cd repo && numstat_totals main) >expect &&
	json report-all.json \
		"d[\"total\"][\"lines_added\"], d[\"total\"][\"lines_deleted\"]" |
		tr -d "(,)" >actual &&
	test_cmp expect actual &&
	test "$(json report-all.json "d[\"total\"][\"changes\"]")" = 3 &&
	test "$(json report-all.json "d[\"total\"][\"surviving\"]")" = \
		"$(json report.json "d[\"total\"][\"surviving\"]")" &&
	test "$(json report-all.json "d[\"total\"][\"tokens\"]")" = 17611 &&
	test "$(json report-all.json "round(d[\"total\"][\"cost_usd\"], 6)")" = 1.07
'

test_expect_success 'an explicit range with the request head: the same' '
	(cd repo && git tokens report --format=json main refs/pull/1/head) \
		>report-both.json &&
	test "$(json report-both.json "d[\"total\"][\"changes\"]")" = 3 &&
	test "$(json report-both.json "d[\"total\"][\"tokens\"]")" = 17611
'

test_expect_success 'the request alone: its commits landed, each with its own usage' '
	(cd repo && git tokens log --format=json refs/pull/1/head) >pr.json &&
	test "$(change pr.json $(cat squash) commit)" = absent &&
	set -- $(cat absorbed) &&
	test "$(change pr.json $1 landed)" = "\"squash\"" &&
	test "$(change pr.json $1 tokens)" = 7700 &&
	test "$(change pr.json $2 tokens)" = 3250 &&
	test "$(change pr.json $3 tokens)" = 6100 &&
	(cd repo && git tokens report --format=json refs/pull/1/head) \
		>report-pr.json &&
	test "$(json report-pr.json "d[\"total\"][\"changes\"]")" = 4 &&
	(cd repo && git tokens show --format=json $1) >show-a3.json &&
	test "$(json show-a3.json "d[\"landed\"]")" = squash &&
	test "$(json show-a3.json "d[\"landed_as\"]")" = $(cat squash) &&
	test "$(json show-a3.json "d[\"usage\"][\"tokens\"]")" = 7700
'


# as <name> <email> <command>...: commit as that author.
as () {
	n=$1 e=$2 &&
	shift 2 &&
	GIT_AUTHOR_NAME=$n GIT_AUTHOR_EMAIL=$e "$@"
}

# row <report json> <author>: "changes lines_added tokens" of a row.
row () {
	python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
r = [r for r in d['rows'] if r['author'] == sys.argv[2]]
print('absent' if not r else '%s %s %s' % (r[0]['changes'],
      r[0]['lines_added'], r[0]['tokens']))" "$@"
}

test_expect_success 'setup: a request by Bob, squash-merged by Alice' '
	git init -q by &&
	(
		cd by &&
		printf "Bob <bob@example.com> <bob@old.example.com>\n" \
			>.mailmap &&
		git add .mailmap &&
		test_commit base base.t &&
		git checkout -q -b topic &&
		# Dave first, 8 lines; Bob 6 under his old address and 4
		# through an agent that names him: Bob has the most
		test_seq 1 8 >d.t && git add d.t && test_tick &&
		as Dave dave@example.com git commit -q -m dave &&
		test_seq 1 6 >b.t && git add b.t && test_tick &&
		as Bob bob@old.example.com git commit -q -m bob &&
		note HEAD "$L2" &&
		test_seq 1 4 >c.t && git add c.t && test_tick &&
		as Claude noreply@anthropic.com git commit -q -m "agent

Co-authored-by: Bob <bob@example.com>" &&
		git update-ref refs/pull/2/head topic &&
		git checkout -q main &&
		git merge -q --squash topic >/dev/null && test_tick &&
		as Alice alice@example.com git commit -q -m "Bob work (#2)" &&
		git branch -q -D topic &&
		# a tie, 3 lines each: the earliest commit, Erin
		git checkout -q -b tie &&
		test_seq 1 3 >e.t && git add e.t && test_tick &&
		as Erin erin@example.com git commit -q -m erin &&
		test_seq 1 3 >f.t && git add f.t && test_tick &&
		as Frank frank@example.com git commit -q -m frank &&
		git update-ref refs/pull/3/head tie &&
		git checkout -q main &&
		git merge -q --squash tie >/dev/null && test_tick &&
		as Alice alice@example.com git commit -q -m "Tie work (#3)" &&
		git branch -q -D tie &&
		git rev-parse HEAD~1 >../bob-squash &&
		git rev-parse HEAD >../tie-squash &&
		test "$(git log -1 --format=%an HEAD~1)" = Alice
	)
'

test_expect_success 'report --by author: the row of the request goes to Bob' '
	(cd by && git tokens report --by author --format=json) >by.json &&
	test "$(row by.json "Bob <bob@example.com>")" = "1 18 2200" &&
	test "$(row by.json "Erin <erin@example.com>")" = "1 6 None" &&
	test "$(row by.json "Alice <alice@example.com>")" = absent &&
	test "$(row by.json "Dave <dave@example.com>")" = absent &&
	test "$(row by.json "Claude <noreply@anthropic.com>")" = absent &&
	test "$(json by.json "d[\"total\"][\"changes\"]")" = 3
'

test_expect_success 'log, export and show: the request author' '
	(cd by && git tokens log --format=json) >by-log.json &&
	test "$(change by-log.json $(cat bob-squash) author_name)" = "\"Bob\"" &&
	test "$(change by-log.json $(cat bob-squash) author_email)" = \
		"\"bob@example.com\"" &&
	test "$(change by-log.json $(cat tie-squash) author_name)" = "\"Erin\"" &&
	(cd by && git tokens export) >by-export.jsonl &&
	grep "\"commit\":\"$(cat bob-squash)\",\"author_name\":\"Bob\",\"author_email\":\"bob@example.com\"" \
		by-export.jsonl &&
	(cd by && git tokens show --format=json $(cat ../bob-squash)) \
		>by-show.json &&
	test "$(json by-show.json "d[\"author_name\"]")" = Bob &&
	test "$(json by-show.json "d[\"author_email\"]")" = bob@example.com &&
	(cd by && git tokens show $(cat ../tie-squash)) >tie-show.txt &&
	grep "^author    Erin <erin@example.com>$" tie-show.txt
'

test_expect_success '--author matches the request author, not the squasher' '
	(cd by && git tokens log --author=Bob --format=json) >a-bob.json &&
	test "$(json a-bob.json "\" \".join(c[\"commit\"] for c in d[\"changes\"])")" = \
		"$(cat bob-squash)" &&
	(cd by && git tokens report --author=alice@ --format=json) >a-alice.json &&
	test "$(json a-alice.json "d[\"total\"][\"changes\"]")" = 0 &&
	(cd by && git tokens report --author=Frank --format=json) >a-frank.json &&
	test "$(json a-frank.json "d[\"total\"][\"changes\"]")" = 0
'

test_expect_success 'without the request ref the squasher stays the author' '
	(
		cd by &&
		tip=$(git rev-parse refs/pull/2/head) &&
		git update-ref -d refs/pull/2/head &&
		git tokens log --format=json >../by-noref.json &&
		git update-ref refs/pull/2/head $tip
	) &&
	test "$(change by-noref.json $(cat bob-squash) author_name)" = "\"Alice\"" &&
	test "$(change by-noref.json $(cat tie-squash) author_name)" = "\"Erin\""
'

test_done
