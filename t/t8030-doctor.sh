#!/bin/sh

test_description='doctor: sources, hooks, notes refspecs, mainline, prices, forge'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
CODEX_HOME=$(pwd)/codex
TRASH=$(pwd)
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR CODEX_HOME
# claude_ev's responses hold no content blocks.
CLAUDE_EV_CONTENT=

# The installed layout: the shims sit in <datadir>/hooks.
mkdir datadir &&
for f in "$GIT_TOKENS_DATADIR"/*
do
	ln -s "$f" datadir/
done &&
ln -s "$TEST_SRCDIR/../hooks" datadir/hooks || exit 1
GIT_TOKENS_DATADIR=$(pwd)/datadir
export GIT_TOKENS_DATADIR

# Each finding is one line: level, topic, message; warn and fix lines
# carry a hint.
check_lines () {
	while IFS= read -r line
	do
		case $line in
		"ok   "*": "* | "note "*": "*) ;;
		"warn "*": "*"(hint: "*")" | "fix  "*": "*"(hint: "*")") ;;
		*) echo "bad finding line: $line"; return 1 ;;
		esac
	done <"$1"
}

test_expect_success 'setup: a repository, a remote, local usage' '
	git init -q --bare remote.git &&
	git init -q repo &&
	(
	cd repo &&
	test_commit one &&
	git remote add origin ../remote.git &&
	git push -q origin main
	) &&
	claude_ev s1 m1 2026-11-20T10:00:00.000Z 10 20 0 0 repo &&
	claude_ev s1 m2 2026-11-20T10:01:00.000Z 10 20 0 0 repo &&
	claude_ev s2 m3 2026-11-21T10:00:00.000Z 10 20 0 0 elsewhere
'

test_expect_success 'a fresh set-up: what is missing, with hints, exit 1' '
	(cd repo && test_expect_code 1 git tokens doctor) >out 2>err &&
	check_lines out &&
	grep "^ok   source claude-code: 2 events for this repository, 3 on this machine in ~/claude/projects$" out &&
	grep "^note source codex: no usage logs found$" out &&
	grep "^fix  hooks: post-commit, pre-push, post-rewrite not installed in .*(hint: git tokens hooks install)$" out &&
	grep "^warn notes.rewriteRef: " out &&
	grep "^note notes: .refs/notes/tokens. does not exist yet" out &&
	grep "^warn remote origin: no remote.origin.fetch refspec" out &&
	grep "^fix  remote origin: .refs/notes/tokens. is never pushed" out &&
	grep "^ok   mainline: .refs/remotes/origin/HEAD\|^ok   mainline: .refs/heads/main." out &&
	date=$(python3 -c "import json, sys
print(json.load(open(sys.argv[1]))[\"date\"])" "$GIT_TOKENS_DATADIR/prices.json") &&
	grep "^ok   prices: price table of $date$" out &&
	grep "^note forge: none" out
'

test_expect_success 'hooks installed (with the notes fetch refspec): all fine, exit 0' '
	(
	cd repo &&
	git tokens hooks install >/dev/null &&
	git tokens doctor >../out 2>../err
	) &&
	check_lines out &&
	! grep "^fix \|^warn remote" out &&
	grep "^ok   hooks: post-commit, pre-push and post-rewrite installed" out &&
	grep "^ok   notes.rewriteRef: " out &&
	grep "^ok   remote origin: remote.origin.fetch brings .refs/notes/tokens. into .refs/notes/remotes/origin/tokens.$" out &&
	grep "^ok   remote origin: .refs/notes/tokens. is pushed (pre-push hook)$" out
'

test_expect_success '-q shows only what needs a look' '
	(cd repo && git tokens doctor -q) >out &&
	! grep "^ok \|^note " out &&
	(cd repo && git config tokens.mainline nope &&
	 test_expect_code 1 git tokens doctor -q) >out &&
	grep "^fix  mainline: tokens.mainline .nope. does not exist (hint: git config tokens.mainline <branch>)$" out &&
	(cd repo && git config --unset tokens.mainline)
'

test_expect_success 'a notes refspec into a ref nothing reads warns' '
	git clone -q repo other &&
	(
	cd other &&
	git config --add remote.origin.fetch \
		"+refs/notes/*:refs/remotes/origin/notes/*" &&
	test_expect_code 1 git tokens doctor >../out 2>../err
	) &&
	grep "^warn remote origin: remote.origin.fetch brings .refs/notes/tokens. into .refs/remotes/origin/notes/tokens., which git tokens does not read (hint: .git tokens hooks install. (or .git tokens sync origin.) adds .+refs/notes/tokens\*:refs/notes/remotes/origin/tokens\*.)$" out
'

test_expect_success 'a forced fetch into the notes ref is something to fix' '
	(
	cd repo &&
	git config --add remote.origin.fetch "+refs/notes/*:refs/notes/*" &&
	test_expect_code 1 git tokens doctor >../out 2>../err &&
	git config --unset remote.origin.fetch "refs/notes/\\*:"
	) &&
	grep "^fix  remote origin: a forced fetch refspec overwrites .refs/notes/tokens. and drops local notes (hint: " out &&
	(cd repo && git tokens doctor) >out
'

test_expect_success 'a push refspec counts as pushing the notes' '
	(
	cd repo &&
	git tokens hooks uninstall >/dev/null &&
	git config remote.origin.push refs/notes/tokens &&
	test_expect_code 1 git tokens doctor >../out
	) &&
	grep "^ok   remote origin: .refs/notes/tokens. is pushed (remote.<name>.push)$" out &&
	grep "^fix  hooks: " out &&
	(cd repo && git tokens hooks install >/dev/null)
'

test_expect_success 'prices: an old table warns, a missing one is to fix' '
	sed "s/\"date\": \"[0-9-]*\"/\"date\": \"2025-01-15\"/" \
		"$GIT_TOKENS_DATADIR/prices.json" >old-prices.json &&
	(
	cd repo &&
	git config tokens.prices "$TRASH/old-prices.json" &&
	git tokens doctor >../out &&
	git config tokens.prices "$TRASH/nope.json" &&
	test_expect_code 1 git tokens doctor >../out2 2>../err &&
	git config --unset tokens.prices
	) &&
	grep "^warn prices: the price table of 2025-01-15 is 684 days old (hint: " out &&
	grep "^fix  prices: no price table could be read" out2 &&
	grep "nope.json" err
'

test_expect_success 'sources: disabled, and logs of other checkouts only' '
	(cd repo && git config tokens.sources codex &&
	 git tokens doctor >../out && git config --unset tokens.sources) &&
	grep "^note source claude-code: disabled by tokens.sources$" out &&
	grep "^warn sources: no local usage for this repository" out &&
	git init -q other &&
	(cd other && test_commit x && test_expect_code 1 git tokens doctor) >out &&
	grep "^warn source claude-code: 3 events on this machine in ~/claude/projects, none for this repository (hint: " out
'

test_expect_success 'forge: kind, project and which variable holds the token' '
	(
	cd repo &&
	git remote set-url origin https://github.com/acme/proj.git &&
	GITHUB_TOKEN=sekrit-value-123 git tokens doctor >../out 2>&1 &&
	git tokens doctor >../out2 &&
	git remote set-url origin ../remote.git
	) &&
	grep "^ok   forge: github, project .acme/proj. (from the remote URL), token in GITHUB_TOKEN$" out &&
	! grep "sekrit" out &&
	grep "^note forge: github, project .acme/proj. (from the remote URL); no token" out2 &&
	(cd repo && git config tokens.forge gerrit && git tokens doctor >../out &&
	 git config --unset tokens.forge) &&
	grep "^ok   forge: gerrit (tokens.forge)" out
'

test_expect_success 'outside a repository: the machine only, exit 1' '
	mkdir -p norepo &&
	(cd norepo && GIT_CEILING_DIRECTORIES=$TRASH &&
	 export GIT_CEILING_DIRECTORIES &&
	 test_expect_code 1 git tokens doctor) >out 2>err &&
	check_lines out &&
	grep "^fix  repository: not in a git repository" out &&
	grep "^ok   source claude-code: 3 events on this machine in ~/claude/projects$" out &&
	grep "^ok   prices: " out &&
	! grep "hooks\|mainline" out
'

test_expect_success 'Cursor on the machine without its stop hook: a note' '
	(cd repo && git tokens doctor) >out &&
	! grep "^[a-z]* *cursor:" out &&
	mkdir .cursor &&
	(cd repo && git tokens doctor) >out &&
	check_lines out &&
	grep "^note cursor: .$HOME/.cursor. is there but not the stop hook that records Cursor.s usage (hint: git tokens hooks install --cursor)$" out &&
	(cd repo && git tokens doctor -q) >out &&
	! grep "cursor" out &&
	(cd repo && git tokens hooks install -q --cursor) &&
	(cd repo && git tokens doctor) >out &&
	grep "^ok   cursor: the stop hook is in .$HOME/.cursor/hooks.json.$" out &&
	(cd repo && git tokens hooks uninstall -q --cursor) &&
	(cd repo && git tokens hooks install -q) &&
	rmdir .cursor
'

test_expect_success 'doctor -h and a stray argument' '
	(cd repo && git tokens doctor -h) >out &&
	grep "^usage: git tokens doctor" out &&
	(cd repo && test_expect_code 129 git tokens doctor extra) 2>err &&
	grep "too many arguments" err
'

test_done
