#!/bin/sh

test_description='git-tokens run from its build tree, nothing installed: data, hooks, manual'

. "$(dirname "$0")"/lib-tokens.sh

BUILD=$SHARNESS_BUILD_DIRECTORY
HOME=$(pwd)
TRASH=$(pwd)
XDG_CACHE_HOME=$(pwd)/cache
CLAUDE_CONFIG_DIR=$(pwd)/claude
GIT_TOKENS_NOW=2026-11-30T00:00:00Z
export HOME TRASH XDG_CACHE_HOME CLAUDE_CONFIG_DIR GIT_TOKENS_NOW
SRC_DATADIR=$GIT_TOKENS_DATADIR
# As a user runs it: no GIT_TOKENS_DATADIR.
unset GIT_TOKENS_DATADIR

# Only meaningful while the configured prefix has no data installed.
prefix=$(sed -n 's/^prefix = //p' "$BUILD/Makefile")
test -n "$prefix" && ! test -e "$prefix/share/git-tokens" &&
	test_set_prereq NOT_INSTALLED
grep -q "^ASCIIDOCTOR = ." "$BUILD/Makefile" 2>/dev/null &&
	command -v man >/dev/null && test_set_prereq MANUAL

test_expect_success 'setup: a repository with usage' '
	git init -q repo &&
	(cd repo && test_commit one) &&
	claude_ev s1 m1 2026-11-01T00:00:00Z 1000 2000
'

test_expect_success NOT_INSTALLED 'the price table is the build tree'"'"'s' '
	(cd repo && "$BUILD/git-tokens" usage --format=json >../out.json \
		2>../err) &&
	test_must_be_empty err &&
	(cd repo && GIT_TOKENS_DATADIR=$SRC_DATADIR \
		"$BUILD/git-tokens" usage --format=json >../expect.json) &&
	test_cmp expect.json out.json &&
	test "$(json_get total.cost_usd <out.json)" != None
'

test_expect_success NOT_INSTALLED 'report runs through a symbolic link on PATH' '
	mkdir bin &&
	ln -s "$BUILD/git-tokens" bin/git-tokens &&
	(cd repo && PATH=$TRASH/bin:$PATH git tokens report >../out 2>../err) &&
	test_must_be_empty err &&
	grep "^total" out
'

test_expect_success NOT_INSTALLED 'hooks install writes the build tree'"'"'s shims' '
	(cd repo && "$BUILD/git-tokens" hooks install >../out 2>../err) &&
	test_must_be_empty err &&
	for h in post-commit pre-push post-rewrite
	do
		test_cmp "$TEST_SRCDIR/../hooks/$h" repo/.git/hooks/$h || return 1
	done
'

test_expect_success MANUAL 'git-tokens --help shows the build tree'"'"'s manual' '
	MANWIDTH=80 "$BUILD/git-tokens" --help >out 2>err &&
	grep "^NAME" out &&
	grep "git-tokens - " out
'

test_expect_success MANUAL 'git tokens --help: man finds the page from PATH' '
	(unset MANPATH; cd repo && MANWIDTH=80 git tokens --help >../out) &&
	grep "^NAME" out &&
	grep "git-tokens - " out
'

test_expect_success MANUAL 'git tokens <command> --help shows the manual' '
	(cd repo && MANWIDTH=80 git tokens report --help >../out) &&
	grep "^NAME" out
'

test_expect_success 'without a manual: --help is the built-in usage, exit 0' '
	mkdir nomanbin &&
	printf "#!/bin/sh\nexit 16\n" >nomanbin/man &&
	chmod +x nomanbin/man &&
	(cd repo && PATH=$TRASH/nomanbin:$PATH \
		"$BUILD/git-tokens" --help >../out) &&
	grep "^usage: git tokens" out &&
	grep "^   report " out &&
	(cd repo && PATH=$TRASH/nomanbin:$PATH \
		"$BUILD/git-tokens" report --help >../out) &&
	grep "^usage: git tokens report" out
'

test_done
