#!/bin/sh

test_description='usage: events belong to a repository by their working folder'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR

# rec <cwd> <msg-id> <output>: one response of <output> tokens in <cwd>
rec () {
	printf '{"type":"assistant","cwd":"%s","sessionId":"s","requestId":"r-%s","timestamp":"2026-11-20T10:00:00.000Z","message":{"id":"%s","model":"claude-sonnet-4-5","usage":{"input_tokens":0,"output_tokens":%s}}}\n' \
		"$1" "$2" "$2" "$3"
}

output_in () {
	(cd "$1" && git tokens usage --format json) >out.json &&
	json_get total.output <out.json
}

test_expect_success 'setup' '
	root=$(pwd) &&
	git init -q proj &&
	(cd proj && test_commit one) &&
	git -C proj worktree add -q ../wt &&
	git init -q proj2 &&
	mkdir -p real &&
	git init -q real/linked &&
	ln -s real/linked link &&
	mkdir -p claude/projects/any &&
	{
		rec "$root/proj" a 1 &&
		rec "$root/proj/sub/dir" b 2 &&
		rec "$root/wt" c 4 &&
		rec "$root/wt/deep" d 8 &&
		rec "$root/proj2" e 16 &&
		rec "$root/link" f 32 &&
		rec "$root/real/linked/x" g 64 &&
		rec "$root/gone-now" h 128 &&
		rec "$root/projx" i 256
	} >claude/projects/any/s.jsonl
'

test_expect_success 'the work tree, its subfolders and its linked worktrees' '
	test "$(output_in proj)" = 15 &&
	test "$(output_in proj/.git)" = 15
'

test_expect_success 'from inside a linked worktree: the same repository' '
	test "$(output_in wt)" = 15
'

test_expect_success 'a folder whose name merely starts the same is another' '
	test "$(output_in proj2)" = 16
'

test_expect_success 'symlinks are resolved on both sides' '
	test "$(output_in link)" = 96 &&
	test "$(output_in real/linked)" = 96
'

test_expect_success '--all-repos: everything, also outside a repository' '
	git tokens usage --all-repos --format json >out.json &&
	test "$(json_get total.output <out.json)" = 511
'

test_expect_success 'outside a repository without --all-repos: an error' '
	test_expect_code 128 git tokens usage 2>err &&
	grep "^fatal: not a git repository" err
'

test_expect_success 'a bare clone matches nothing but still runs' '
	git clone -q --bare proj bare.git &&
	test "$(output_in bare.git)" = 0
'

test_done
