#!/bin/sh

test_description='the configuration kept from one run to the next follows every change git would see'

. "$(dirname "$0")"/lib-tokens.sh

XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
TZ=UTC
TRASH=$(pwd)
export XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR TZ
# The note names who made the commit as the configuration says.
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL
# The cache is for a repository found by a look at <top>/.git, which a
# ceiling leaves to "git rev-parse": the repository below has no other
# above it that it could be taken for.
unset GIT_CEILING_DIRECTORIES

# hook <n>: commit <n> a minute after the last, a response before it,
# the post-commit hook's "record"; the note's author in by.<n>
n=0
hook () {
	n=$((n + 1)) &&
	claude_ev s "m$1" "2026-11-20T10:0$n:30.000Z" 10 $n &&
	(
		cd repo &&
		commit_at "2026-11-20T10:0$n:40Z" "$1" &&
		GIT_TOKENS_NOW=2026-11-20T10:0$n:50Z git tokens record --hook &&
		git notes --ref=tokens show HEAD
	) >note.$1 &&
	sed -n "s/.*\"by\":\"\([^\"]*\)\".*/\1/p" note.$1 >by.$1
}

# The cache is kept only for files older than the run that asks git:
# wait past that.
settle () {
	sleep 1
}

# change <first> <then> <email> <command>: the hook for commit <first>
# names the author expected so far; after <command>, the one for <then>
# names <email>
change () {
	hook "$1" &&
	test_cmp expect "by.$1" &&
	eval "$4" &&
	settle &&
	hook "$2" &&
	echo "$3" >expect &&
	test_cmp expect "by.$2"
}

test_expect_success 'setup: the author from an included file' '
	git init -q repo &&
	git -C repo config user.name "A U Thor" &&
	echo "[user]	email = one@example.com" >extra.config &&
	git -C repo config include.path ../../extra.config &&
	(cd repo && commit_at 2026-11-20T10:00:00Z base) &&
	settle
'

test_expect_success 'the first run asks git and keeps its answer' '
	hook a &&
	echo one@example.com >expect &&
	test_cmp expect by.a &&
	test -s repo/.git/tokens/config-cache
'

command -v strace >/dev/null && test_set_prereq STRACE

test_expect_success STRACE 'a later run asks no git process' '
	(
		cd repo &&
		# LeakSanitizer cannot run under ptrace
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -s 4096 -o ../exec.trace -e trace=execve \
			git tokens usage --format=json >/dev/null
	) &&
	grep "git-tokens\", \"usage\"" exec.trace &&
	! grep "\"config\"" exec.trace
'

test_expect_success 'the cache is private; what git -c gives is not kept' '
	(
		cd repo &&
		GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader \
		GIT_CONFIG_VALUE_0="Authorization: SENTINEL-SECRET" \
			git tokens usage --format=json >/dev/null
	) &&
	test "$(stat -c %a repo/.git/tokens/config-cache)" = 600 &&
	! grep -a SENTINEL-SECRET repo/.git/tokens/config-cache
'

test_expect_success 'an included file changed in place, same size' '
	change b c two@example.com \
		"echo \"[user]	email = two@example.com\" >extra.config"
'

test_expect_success 'git -c on the command line' '
	(
		cd repo &&
		git -c user.email=three@example.com tokens usage \
			--format=json >/dev/null
	) &&
	hook d &&
	test_cmp expect by.d &&
	claude_ev s me "2026-11-20T10:05:30.000Z" 10 5 &&
	(
		cd repo &&
		commit_at 2026-11-20T10:05:40Z e &&
		GIT_TOKENS_NOW=2026-11-20T10:05:50Z \
			git -c user.email=three@example.com tokens record \
			--hook &&
		git notes --ref=tokens show HEAD
	) >note.e &&
	grep "\"by\":\"three@example.com\"" note.e
'

test_expect_success 'a global file named by GIT_CONFIG_GLOBAL, created later' '
	n=5 &&
	GIT_CONFIG_GLOBAL=$TRASH/global.config &&
	export GIT_CONFIG_GLOBAL &&
	change f g four@example.com \
		"echo \"[author]	email = four@example.com\" >global.config"
'

test_expect_success 'a file an include names, created later' '
	echo "[include]	path = more.config" >>extra.config &&
	settle &&
	change h i five@example.com \
		"echo \"[author]	email = five@example.com\" >more.config"
'

# Outside any repository git reads the same files wherever it is asked:
# its answer is kept once, in the user's cache folder. A folder with no
# repository above it: one made under the system's temporary folder.
outside=$(mktemp -d)
if (cd "$outside" && ! git rev-parse --git-dir >/dev/null 2>&1)
then
	test_set_prereq OUTSIDE
fi

# in_outside <args>: git tokens <args> there, its output in out.json
in_outside () {
	(cd "$outside" && git tokens "$@" >"$TRASH/out.json")
}

test_expect_success OUTSIDE 'outside any repository: kept in the user cache' '
	unset GIT_CONFIG_GLOBAL &&
	git config --global tokens.sources codex &&
	settle &&
	in_outside usage --all-repos --format=json &&
	test -s cache/git-tokens/config-cache &&
	test "$(stat -c %a cache/git-tokens/config-cache)" = 600 &&
	test "$(json_get rows <out.json)" = "[]"
'

test_expect_success OUTSIDE,STRACE 'outside any repository: no git process' '
	(
		cd "$outside" &&
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -s 4096 -o "$TRASH/exec.trace" -e trace=execve \
			git tokens usage --all-repos --format=json >/dev/null
	) &&
	grep "git-tokens\", \"usage\"" exec.trace &&
	! grep "\"config\"" exec.trace
'

test_expect_success OUTSIDE 'outside any repository: a global change seen' '
	git config --global tokens.sources claude-code &&
	in_outside usage --all-repos --by tool --format=json &&
	test "$(json_get rows.0.key <out.json)" = claude-code &&
	settle &&
	git config --global tokens.sources codex &&
	in_outside usage --all-repos --by tool --format=json &&
	test "$(json_get rows <out.json)" = "[]"
'

rm -rf "$outside"

test_done
