#!/bin/sh

test_description='usage --all-repos: aider histories and imports of every repository seen; --by repo'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
TRASH=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
TZ=UTC
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME TRASH CLAUDE_CONFIG_DIR TZ

# aider_session <work tree> <day> <sent> <received> <cost>: one aider
# session of one message, as aider writes its history.
aider_session () {
	cat >>"$1/.aider.chat.history.md" <<-EOF

	# aider chat started at $2 10:00:00

	> Aider v0.86.1  
	> Main model: gpt-5 with diff edit format  
	> Git repo: .git with 3 files  

	#### make it so

	Sure.

	> Tokens: $3 sent, $4 received. Cost: \$$5 message, \$$5 session.
	EOF
}

# row <file> <key> <field>: a field of the --by repo row with that key.
row () {
	python3 -c 'import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
print([r for r in rows if r["key"] == sys.argv[2]][0][sys.argv[3]])' "$@"
}

test_expect_success 'setup: two repositories, a linked worktree, an import' '
	git init -q one &&
	(cd one && test_commit a) &&
	git init -q two &&
	(cd two && test_commit b && git worktree add -q ../two-wt) &&
	aider_session one 2026-11-20 1000 200 0.01 &&
	aider_session two 2026-11-21 3000 400 0.02 &&
	aider_session two-wt 2026-11-22 5000 800 0.04 &&
	printf "%s\n" "{\"time\":\"2026-11-23T10:00:00Z\",\"tool\":\"import\",\"model\":\"gpt-5\",\"input\":10,\"output\":20,\"cost_usd\":0.5}" >imp.jsonl &&
	(cd one && git tokens import -q ../imp.jsonl) &&
	claude_ev s1 m1 2026-11-24T10:00:00.000Z 7 9 0 0 elsewhere
'

test_expect_success 'a repository is seen once, in the user cache' '
	(cd two && git tokens usage >/dev/null && git tokens usage >/dev/null) &&
	(cd two-wt && git tokens usage >/dev/null) &&
	(cd one && git tokens usage >/dev/null) &&
	printf "%s\n" "$TRASH/one/.git" "$TRASH/two/.git" | sort >expect &&
	sort cache/git-tokens/repos >actual &&
	test_cmp expect actual
'

test_expect_success '--all-repos outside a repository: every history, the import' '
	git tokens usage --all-repos --by tool --format json >all.json 2>err &&
	test_must_be_empty err &&
	# aider 1000 + 3000 + 5000 in, 200 + 400 + 800 out; import 10 and
	# 20; Claude Code 7 and 9
	test "$(json_get total.input <all.json)" = 9017 &&
	test "$(json_get total.output <all.json)" = 1429 &&
	test "$(json_get total.requests <all.json)" = 5 &&
	test "$(json_get rows.0.key <all.json)" = aider &&
	test "$(json_get rows.0.output <all.json)" = 1400
'

test_expect_success '--all-repos inside one repository says the same' '
	(cd one && git tokens usage --all-repos --by tool --format json) >in.json &&
	test_cmp all.json in.json
'

test_expect_success '--by repo: one row per repository, with its path' '
	git tokens usage --all-repos --by repo --format json >repo.json &&
	test "$(json_get by <repo.json)" = repo &&
	test "$(json_get rows.3 <repo.json 2>/dev/null || echo none)" = none &&
	test "$(row repo.json "$TRASH/one" output)" = 220 &&
	test "$(row repo.json "$TRASH/one" cost_usd)" = 0.51 &&
	test "$(row repo.json "$TRASH/two" output)" = 1200 &&
	test "$(row repo.json "$TRASH/two" requests)" = 2 &&
	test "$(row repo.json "$TRASH/two" cost_usd)" = 0.06 &&
	test "$(row repo.json "$TRASH/elsewhere" output)" = 9
'

test_expect_success '--by repo in a table names the repositories' '
	git tokens usage --all-repos --by repo --no-pager >table &&
	head -n 1 table | grep "^repository" &&
	grep "^~/elsewhere  *1  *7  *9 " table &&
	grep "^~/one  *2  *1010  *220 " table &&
	grep "^~/two  *2  *8000  *1200 " table &&
	grep "^total  *5 " table &&
	(cd one && git tokens usage --by repo --format csv) >one.csv &&
	test_line_count = 3 one.csv &&
	grep "^$TRASH/one," one.csv
'

test_expect_success 'a repository deleted since it was seen is left out quietly' '
	git init -q gone &&
	aider_session gone 2026-11-25 100 10 0.001 &&
	(cd gone && git tokens usage >/dev/null) &&
	rm -rf gone &&
	git tokens usage --all-repos --by tool --format json >after.json 2>err &&
	test_must_be_empty err &&
	test_cmp all.json after.json
'

test_expect_success 'a global tokens.prices counts outside a repository too' '
	cat >mine.json <<-\EOF &&
	{"schema": "git-tokens/prices/v1", "date": "2026-12-01",
	 "models": {"claude-sonnet-4-5": {"provider": "anthropic",
	   "input": 1000000, "output": 1000000, "cache_write_5m": 0,
	   "cache_write_1h": 0, "cache_read": 0}},
	 "aliases": {}}
	EOF
	git config --global tokens.prices "$TRASH/mine.json" &&
	# $1 a token: the 7 in and 9 out of the Claude Code event
	git tokens usage --all-repos --by repo --format json >out.json &&
	test "$(row out.json "$TRASH/elsewhere" cost_usd)" = 16 &&
	(cd one && git tokens usage --all-repos --by repo --format json) >in.json &&
	test_cmp out.json in.json &&
	git config --global --unset tokens.prices &&
	git tokens usage --all-repos --by repo --format json >out.json &&
	test "$(row out.json "$TRASH/elsewhere" cost_usd)" != 16 &&
	git -c tokens.prices="$TRASH/mine.json" tokens usage --all-repos \
		--by repo --format json >out.json &&
	test "$(row out.json "$TRASH/elsewhere" cost_usd)" = 16
'

test_expect_success 'usage --by frob names it and the choices' '
	test_expect_code 129 git tokens usage --by frob 2>err &&
	grep "unknown --by .frob. (expected day, session, model, tool or repo)" err
'

test_done
