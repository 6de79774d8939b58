#!/bin/sh

test_description='lines agents say they wrote (git-ai, Qwen Code notes) and those surviving, as git blame says'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-survival.sh

# gitai_note <commit> <file of attestations>: a git-ai authorship log
# ("authorship/3.0.0") naming one session (claude), one legacy prompt
# (cursor) and one person.
gitai_note () {
	{
		cat "$2" &&
		cat <<-\EOF
		---
		{"schema_version": "authorship/3.0.0",
		 "base_commit_sha": "0000000000000000000000000000000000000000",
		 "prompts": {"abcd1234abcd1234": {"agent_id": {"tool": "cursor",
		   "id": "p1", "model": "gpt-5"}, "human_author": "Al <al@x>",
		   "total_additions": 5, "total_deletions": 0,
		   "accepted_lines": 5, "overriden_lines": 0}},
		 "sessions": {"s_c9883b05a2487d": {"agent_id": {"tool": "claude",
		   "id": "c1", "model": "claude-sonnet-4-5"},
		   "human_author": "al@x"}},
		 "humans": {"h_31dce776f88375": {"author": "Al <al@x>"}}}
		EOF
	} | git notes --ref=ai add -F - "$1"
}

test_expect_success 'setup: agent lines, the person'"'"'s, edits that remove some' '
	git init -q repo &&
	(
	cd repo &&
	seq 1 10 | sed "s/^/base /" >a.txt &&
	printf "keep\n" >b.txt &&
	git add . && test_tick && git commit -q -m base &&
	seq 1 10 | sed "s/^/agent or person /" >>a.txt &&
	seq 1 5 | sed "s/^/cursor /" >c.txt &&
	git add . && test_tick && git commit -q -m "agent work" &&
	git rev-parse HEAD >../agent &&
	cat >../att <<-\EOF &&
	a.txt
	  s_c9883b05a2487d::t_9f8e7d6c5b4a32 11-14,16
	  h_31dce776f88375 17-18
	"c.txt"
	  abcd1234abcd1234 1-5
	EOF
	gitai_note HEAD ../att &&
	sed -i -e 12d -e 13d -e "16s/.*/rewritten by hand/" a.txt &&
	sed -i 2d c.txt &&
	test_tick && git commit -q -a -m "person edits" &&
	printf "q1\nq2\nq3\nq4\n" >q.txt &&
	printf "mixed\n" >>b.txt &&
	git add . && test_tick && git commit -q -m "qwen work" &&
	git rev-parse HEAD >../qwen &&
	git notes --ref=ai-attribution add -m "{\"version\": 1,
	  \"generator\": \"Qwen-Coder\",
	  \"files\": {\"q.txt\": {\"aiChars\": 12, \"humanChars\": 0,
	  \"percent\": 100}, \"b.txt\": {\"aiChars\": 3, \"humanChars\": 3,
	  \"percent\": 50}}, \"summary\": {}, \"promptCount\": 1}" HEAD &&
	sed -i 1d q.txt &&
	test_tick && git commit -q -a -m "person trims" &&
	git rev-parse HEAD >../trim &&
	printf "a.txt\n  s_x 1-2\n" | git notes --ref=ai add -F - HEAD
	)
'

test_expect_success 'log: the agents'"'"' lines and those git blame keeps' '
	(cd repo && git tokens log --format=json >../log.json 2>../err) &&
	# 5 lines of the session and 5 of the legacy prompt; not the person'"'"'s
	test "$(change_field log.json $(cat agent) ai_lines_added)" = 10 &&
	(cd repo && expect_surviving $(cat ../agent) \
		"a.txt:11-14 a.txt:16-16 c.txt:1-5") >expect &&
	change_field log.json $(cat agent) ai_surviving >actual &&
	test_cmp expect actual &&
	# 11, 14 of the session (12, 13 deleted, 16 rewritten); c.txt 1, 3-5
	test $(cat actual) = 6 &&
	test "$(change_field log.json $(cat qwen) ai_lines_added)" = 4 &&
	(cd repo && expect_surviving $(cat ../qwen) "q.txt:1-4") >expect &&
	change_field log.json $(cat qwen) ai_surviving >actual &&
	test_cmp expect actual &&
	test $(cat actual) = 3
'

test_expect_success 'an agent'"'"'s note without usage: assisted, tokens unknown' '
	test "$(change_field log.json $(cat agent) agent)" = "\"claude\"" &&
	test "$(change_field log.json $(cat qwen) agent)" = "\"qwen-code\"" &&
	test "$(change_field log.json $(cat trim) agent)" = null &&
	(cd repo && git tokens show --format=json $(cat ../qwen) >../show.json) &&
	test "$(json_get agent_model <show.json)" = Qwen-Coder &&
	test "$(json_get assisted_tokens_unknown <show.json)" = True
'

test_expect_success 'a malformed note is skipped with one warning naming it' '
	test "$(change_field log.json $(cat trim) ai_lines_added)" = null &&
	grep "warning: skipped 1 agent note that could not be read; the first: commit $(cut -c1-12 trim) in refs/notes/ai, line 3" err &&
	test $(wc -l <err) = 1
'

test_expect_success 'report: over how many changes, and the cost per agent line' '
	(
	cd repo &&
	git notes --ref=tokens add -m "{\"v\":1,\"tool\":\"claude-code\",\"model\":\"claude-sonnet-4-5\",\"session\":\"3f9a1c0e2b7d\",\"from\":\"2024-11-18T08:50:00Z\",\"to\":\"2024-11-18T08:54:00Z\",\"requests\":4,\"input\":100,\"output\":200,\"cache_write\":0,\"cache_read\":0,\"cost_usd\":1.5,\"by\":\"author@example.com\",\"how\":\"hook\"}" $(cat ../agent) &&
	git tokens report --format=json >../report.json &&
	git tokens report >../report.txt
	) &&
	json_get ai_lines <report.json >actual &&
	cat >expect <<-\EOF &&
	{"changes": 2, "added": 14, "surviving_changes": 2, "surviving": 9, "priced_changes": 1, "usd_per_surviving_line": 0.25}
	EOF
	test_cmp expect actual &&
	grep "^ai lines: 2 of 5 changes have the agents" report.txt
'

test_expect_success 'remote-tracking copies of the notes are read too' '
	git clone -q repo clone &&
	(
	cd clone &&
	git fetch -q origin "refs/notes/ai:refs/notes/remotes/origin/ai" \
		"refs/notes/ai-attribution:refs/notes/remotes/origin/ai-attribution" &&
	git tokens log --format=json >../clone.json 2>/dev/null
	) &&
	for c in agent qwen
	do
		change_field log.json $(cat $c) ai_surviving &&
		change_field clone.json $(cat $c) ai_surviving || return 1
	done >both &&
	test "$(sed -n 1p both)" = "$(sed -n 2p both)" &&
	test "$(sed -n 3p both)" = "$(sed -n 4p both)"
'

test_expect_success 'without agent notes nothing changes' '
	git init -q plain &&
	(cd plain && test_commit one && test_commit two &&
	 git tokens log --format=json >../plain-log.json &&
	 git tokens report --format=json >../plain-report.json &&
	 git tokens report >../plain-report.txt) &&
	! grep ai_ plain-log.json plain-report.json &&
	! grep "^ai lines" plain-report.txt
'

test_expect_success 'amend and squash keep Qwen Code'"'"'s notes (git-ai moves its own)' '
	git init -q rw &&
	(
	cd rw &&
	git tokens hooks install -q &&
	test_commit base &&
	printf "x1\nx2\n" >x.txt && git add x.txt && test_tick &&
	git commit -q -m x &&
	git notes --ref=ai-attribution add -m "{\"version\":1,\"generator\":\"Qwen-Coder\",\"files\":{\"x.txt\":{\"aiChars\":6,\"humanChars\":0,\"percent\":100}}}" &&
	printf "x3\n" >>x.txt && test_tick && git commit -q -a --amend -m x &&
	git tokens log --format=json >../amend.json &&
	git rev-parse HEAD >../amended &&
	printf "y1\n" >y.txt && git add y.txt && test_tick &&
	git commit -q -m y &&
	git notes --ref=ai-attribution add -m "{\"version\":1,\"generator\":\"Qwen-Coder\",\"files\":{\"y.txt\":{\"aiChars\":3,\"humanChars\":0,\"percent\":100},\"x.txt\":{\"aiChars\":0,\"humanChars\":0,\"percent\":0}}}" &&
	git rev-parse HEAD >../y &&
	test_tick && git reset -q --soft HEAD~2 && git commit -q -m squashed &&
	git rev-parse HEAD >../squashed &&
	printf "%s %s\n%s %s\n" $(cat ../amended) $(cat ../squashed) \
		$(cat ../y) $(cat ../squashed) |
		.git/hooks/post-rewrite rebase &&
	git notes --ref=ai-attribution show HEAD >../squashed-note &&
	git tokens log --format=json >../squash.json
	) &&
	test "$(change_field amend.json $(cat amended) ai_lines_added)" = 3 &&
	test $(wc -l <squashed-note) = 2 &&
	test "$(change_field squash.json $(cat squashed) ai_lines_added)" = 4
'

test_expect_success 'blame --porcelain: git blame'"'"'s plus the agent fields' '
	(
	cd repo &&
	git blame --porcelain a.txt >../git-blame &&
	git tokens blame --porcelain a.txt >../tokens-blame
	) &&
	grep -v -e "^agent " -e "^agent-model " -e "^tokens-cost " \
		tokens-blame >stripped &&
	test_cmp git-blame stripped &&
	# the two session lines left, and their commit'"'"'s cost once
	test $(grep -c "^agent claude$" tokens-blame) = 2 &&
	test $(grep -c "^agent-model claude-sonnet-4-5$" tokens-blame) = 2 &&
	grep -x "tokens-cost 1.5000" tokens-blame &&
	test $(grep -c "^tokens-cost " tokens-blame) = 1 &&
	(
	cd repo &&
	git blame --porcelain -L 11,14 HEAD~1 -- a.txt >../git-blame-l &&
	git tokens blame --porcelain -L 11,14 HEAD~1 -- a.txt >../tokens-blame-l
	) &&
	grep -v -e "^agent " -e "^agent-model " -e "^tokens-cost " \
		tokens-blame-l >stripped-l &&
	test_cmp git-blame-l stripped-l &&
	test $(grep -c "^agent claude$" tokens-blame-l) = 2
'

test_expect_success 'blame: git blame'"'"'s lines after the agent and cost' '
	(cd repo && git blame c.txt >../git-blame-c &&
	 git tokens blame c.txt >../tokens-blame-c) &&
	test $(wc -l <tokens-blame-c) = $(wc -l <git-blame-c) &&
	while read -r line
	do
		grep -F -- "$line" tokens-blame-c >/dev/null || return 1
	done <git-blame-c &&
	test $(grep -c "^cursor gpt-5 \$1.50 " tokens-blame-c) = 4
'

test_done
