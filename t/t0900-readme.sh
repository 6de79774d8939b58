#!/bin/sh

test_description='the README: its demo and example commands work'

. "$(dirname "$0")"/lib-tokens.sh

TOP=$TEST_SRCDIR/..
README=$TOP/README.md

command -v python3 >/dev/null && test_set_prereq PYTHON3

# The installed data layout, where "hooks install" finds its shims in
# <datadir>/hooks (the source tree keeps them in hooks/).
mkdir datadir &&
for f in "$GIT_TOKENS_DATADIR"/*
do
	ln -s "$f" datadir/
done &&
{ test -e datadir/hooks || ln -s "$TOP/hooks" datadir/hooks; } || exit 1
GIT_TOKENS_DATADIR=$(pwd)/datadir
export GIT_TOKENS_DATADIR

# The "git tokens ..." lines of the README's code blocks (fenced or
# indented), without the prompt and comments. A line whose comment ends
# in "needs network" is documentation only and is not run.
readme_commands () {
	awk '
		/^```/ { fenced = !fenced; next }
		fenced || /^    / {
			line = $0
			sub(/^ *(\$ )?/, "", line)
			if (line !~ /^git tokens( |$)/) next
			if (line ~ /#.*needs network *$/) next
			sub(/ +#.*$/, "", line)
			print line
		}
	' "$README"
}

test_expect_success PYTHON3 'the demo generator makes a repository and logs' '
	"$TOP"/share/scripts/demo "$PWD/demo" >out &&
	grep "^demo repository: " out &&
	test -f demo/env.sh &&
	. ./demo/env.sh &&
	test -d "$CLAUDE_CONFIG_DIR/projects" &&
	test -d "$CODEX_HOME/sessions" &&
	test -f demo/repo/.aider.chat.history.md &&
	git -C demo/repo rev-parse --verify main &&
	test $(git -C demo/repo rev-list --count main) -gt 10 &&
	git -C demo/repo log --format=%B | grep "^Co-Authored-By: Claude <noreply@anthropic.com>\$" &&
	git -C demo/repo log --format=%B | grep "^This reverts commit " &&
	test -f demo/repo/.mailmap
'

test_expect_success PYTHON3 'the logs point at the demo repository' '
	. ./demo/env.sh &&
	repo=$(cd demo/repo && pwd -P) &&
	find "$CLAUDE_CONFIG_DIR/projects" -name "*.jsonl" -exec cat {} + >claude &&
	test -s claude &&
	find "$CODEX_HOME/sessions" -name "rollout-*.jsonl" -exec cat {} + >codex &&
	test -s codex &&
	grep -F "\"cwd\":\"$repo\"" claude &&
	grep -F "\"cwd\":\"$repo\"" codex &&
	grep -o "\"cwd\":\"[^\"]*\"" claude codex | sort -u >cwds &&
	test $(sed "s/^[^:]*://" cwds | sort -u | wc -l) = 1
'

test_expect_success PYTHON3 'the demo can be regenerated, but never over other files' '
	"$TOP"/share/scripts/demo "$PWD/demo" >/dev/null &&
	mkdir precious &&
	echo keep >precious/file &&
	test_expect_code 128 "$TOP"/share/scripts/demo "$PWD/precious" 2>err &&
	grep "not a git-tokens demo" err &&
	test -f precious/file
'

test_expect_success 'the README has example commands' '
	readme_commands >commands &&
	test $(wc -l <commands) -ge 3 &&
	grep "^git tokens report" commands
'

test_expect_success PYTHON3 'every example command runs on the demo' '
	. ./demo/env.sh &&
	while read cmd
	do
		echo "running: $cmd" &&
		(cd demo/repo && eval "$cmd" </dev/null >../../cmd.out 2>../../cmd.err) ||
		{ echo "failed: $cmd"; cat cmd.err; return 1; }
	done <commands
'

test_expect_success PYTHON3 'the README example is real report output' '
	. ./demo/env.sh &&
	! grep "filled in" "$README" &&
	(
		# as the reader runs it: the demo sets user.email (Alice)
		unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL \
			GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL &&
		cd demo/repo &&
		COLUMNS=80 git tokens report --no-pager --color=never
	) >expect &&
	sed -n "/^## Example/,/^## /p" "$README" |
		sed -n "/^\`\`\`/,/^\`\`\`/p" | sed "1d;\$d" >actual &&
	test_cmp expect actual
'

test_done
