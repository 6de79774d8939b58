#!/bin/sh

test_description='hooks install, uninstall and status: chaining, core.hooksPath, husky'

. "$(dirname "$0")"/lib-tokens.sh

HOME=$(pwd)
XDG_CACHE_HOME=$(pwd)/cache
CLAUDE_CONFIG_DIR=$(pwd)/claude
export HOME XDG_CACHE_HOME CLAUDE_CONFIG_DIR

# The installed layout: the shims sit in <datadir>/hooks.
mkdir datadir &&
for f in "$GIT_TOKENS_DATADIR"/*
do
	ln -s "$f" datadir/
done &&
ln -s "$TEST_SRCDIR/../hooks" datadir/hooks || exit 1
GIT_TOKENS_DATADIR=$(pwd)/datadir
export GIT_TOKENS_DATADIR

# A hook that logs its name, arguments and input into $HOOKLOG.
write_logging_hook () {
	printf '%s\n' '#!/bin/sh' \
		'printf "%s %s\n" "$(basename "$0")" "$*" >>"$HOOKLOG"' \
		'cat >>"$HOOKLOG"' \
		"exit ${2:-0}" >"$1" &&
	chmod 751 "$1"
}
HOOKLOG=$(pwd)/hook.log
export HOOKLOG

test_expect_success 'install writes three shims and the notes config' '
	git init -q plain &&
	(
	cd plain &&
	git tokens hooks install >out &&
	for h in post-commit pre-push post-rewrite
	do
		test -x .git/hooks/$h &&
		grep "git-tokens-shim" .git/hooks/$h &&
		cmp .git/hooks/$h "$GIT_TOKENS_DATADIR/hooks/$h" || return 1
	done &&
	test_path_is_missing .git/hooks/post-commit.git-tokens-chained &&
	test "$(git config notes.rewriteRef)" = refs/notes/tokens &&
	test "$(git config notes.rewriteMode)" = cat_sort_uniq &&
	test "$(git config notes.tokens.mergeStrategy)" = cat_sort_uniq &&
	git tokens hooks status >status &&
	grep "^post-commit: installed" status &&
	grep "^pre-push: installed" status &&
	grep "^post-rewrite: installed" status &&
	grep "^notes.rewriteMode: cat_sort_uniq$" status
	)
'

test_expect_success 'install twice changes nothing' '
	(
	cd plain &&
	dir_snapshot .git/hooks >before &&
	cp .git/config config.before &&
	cp .git/tokens/hooks state.before &&
	git tokens hooks install &&
	dir_snapshot .git/hooks >after &&
	test_cmp before after &&
	test_cmp config.before .git/config &&
	test_cmp state.before .git/tokens/hooks &&
	test "$(git config --get-all notes.rewriteRef | wc -l)" -eq 1
	)
'

test_expect_success 'status exits 1 when not installed, and says why' '
	git init -q bare-status &&
	(
	cd bare-status &&
	test_expect_code 1 git tokens hooks status >status &&
	grep "^post-commit: not installed" status &&
	grep "^notes.rewriteRef: (does not name it" status
	)
'

test_expect_success 'uninstall restores the previous state byte for byte' '
	git init -q prev &&
	(
	cd prev &&
	write_logging_hook .git/hooks/pre-push 0 &&
	ln -s ../../hook-target .git/hooks/post-rewrite &&
	git config notes.rewriteMode concatenate &&
	git config notes.rewriteRef refs/notes/commits &&
	dir_snapshot .git/hooks >before &&
	cp .git/config config.before &&
	git tokens hooks install &&
	test -f .git/hooks/pre-push.git-tokens-chained &&
	test -h .git/hooks/post-rewrite.git-tokens-chained &&
	test "$(git config notes.rewriteMode)" = cat_sort_uniq &&
	git config --get-all notes.rewriteRef >refs &&
	printf "refs/notes/commits\nrefs/notes/tokens\n" >expect &&
	test_cmp expect refs &&
	git tokens hooks status >status &&
	grep "^pre-push: installed, runs the previous hook first" status &&
	git tokens hooks uninstall &&
	dir_snapshot .git/hooks >after &&
	test_cmp before after &&
	cmp config.before .git/config &&
	test_path_is_missing .git/tokens/hooks
	)
'

test_expect_success 'uninstall leaves a value changed since install' '
	(
	cd prev &&
	git tokens hooks install &&
	git config notes.rewriteMode overwrite &&
	git tokens hooks uninstall 2>err &&
	grep "left notes.rewriteMode alone" err &&
	test "$(git config notes.rewriteMode)" = overwrite &&
	test_must_fail git config notes.tokens.mergeStrategy
	)
'

test_expect_success 'a hook that was there runs first, with its arguments' '
	git init -q chain &&
	(
	cd chain &&
	write_logging_hook .git/hooks/post-commit 0 &&
	write_logging_hook .git/hooks/post-rewrite 0 &&
	git tokens hooks install &&
	: >"$HOOKLOG" &&
	test_commit one &&
	echo "post-commit.git-tokens-chained " >expect &&
	test_cmp expect "$HOOKLOG" &&
	: >"$HOOKLOG" &&
	test_tick &&
	git commit -q --amend -m one-amended &&
	head -n 1 "$HOOKLOG" >first &&
	grep "^post-commit" first &&
	grep "^post-rewrite.git-tokens-chained amend" "$HOOKLOG" &&
	# the rewrite list reached the chained hook on its stdin
	old=$(git rev-parse one) &&
	new=$(git rev-parse HEAD) &&
	grep "^$old $new" "$HOOKLOG"
	)
'

test_expect_success 'a hook is never lost when the shim cannot be read' '
	git init -q nodata &&
	(
	cd nodata &&
	write_logging_hook .git/hooks/pre-push 0 &&
	cp .git/hooks/pre-push saved &&
	test_must_fail env GIT_TOKENS_DATADIR="$HOME/nowhere" \
		git tokens hooks install 2>err &&
	grep "cannot read the hook shim" err &&
	cmp saved .git/hooks/pre-push &&
	git tokens hooks uninstall &&
	cmp saved .git/hooks/pre-push &&
	test_must_fail git config notes.rewriteMode
	)
'

test_expect_success 'core.hooksPath, relative to the top, from a subdirectory' '
	git init -q hookspath &&
	(
	cd hookspath &&
	git config core.hooksPath githooks &&
	mkdir -p sub/dir &&
	(cd sub/dir && git tokens hooks install) &&
	test -x githooks/post-commit &&
	test_path_is_missing sub/dir/githooks &&
	test_path_is_missing .git/hooks/post-commit &&
	git tokens hooks status &&
	(cd sub && git tokens hooks uninstall) &&
	test_path_is_missing githooks
	)
'

test_expect_success 'a hooks folder outside the repository: a warning' '
	git init -q shared-user &&
	(
	cd shared-user &&
	git config core.hooksPath "$HOME/shared-hooks" &&
	git tokens hooks install 2>err &&
	grep "outside this repository" err &&
	test -x "$HOME/shared-hooks/pre-push" &&
	git tokens hooks uninstall &&
	test_path_is_missing "$HOME/shared-hooks"
	)
'

test_expect_success 'a hooks folder that moved since install is refused' '
	(
	cd hookspath &&
	git tokens hooks install &&
	git config core.hooksPath other &&
	test_must_fail git tokens hooks install 2>err &&
	grep "uninstall.* first" err &&
	test_expect_code 1 git tokens hooks status >status &&
	grep "^installed in: .*githooks" status &&
	git config core.hooksPath githooks &&
	git tokens hooks uninstall &&
	test_path_is_missing githooks
	)
'

# husky 9: core.hooksPath=.husky/_ holds one stub per hook that runs
# .husky/<hook> through _/h, which finds it by the stub's own name.
test_expect_success 'husky 9: the user script in .husky/ still runs' '
	git init -q husky9 &&
	(
	cd husky9 &&
	mkdir -p .husky/_ &&
	cat >.husky/_/h <<-\EOF &&
	#!/usr/bin/env sh
	n=$(basename "$0")
	s=$(dirname "$(dirname "$0")")/$n
	[ ! -f "$s" ] && exit 0
	sh -e "$s" "$@"
	EOF
	for h in post-commit pre-push post-rewrite pre-commit
	do
		printf "#!/usr/bin/env sh\n. \"\${0%%/*}/h\"" >.husky/_/$h &&
		chmod 755 .husky/_/$h || return 1
	done &&
	echo "echo husky-post-commit \"\$@\" >>\"\$HOOKLOG\"" >.husky/post-commit &&
	git config core.hooksPath .husky/_ &&
	dir_snapshot .husky >before &&
	git tokens hooks install &&
	test -f .husky/_/post-commit.git-tokens-chained &&
	test_tick &&
	mkdir -p "$CLAUDE_CONFIG_DIR/projects/h" &&
	printf "{\"type\":\"assistant\",\"cwd\":\"%s\",\"sessionId\":\"h\",\"version\":\"2.1.39\",\"timestamp\":\"%s\",\"requestId\":\"r1\",\"message\":{\"model\":\"claude-sonnet-4-5\",\"id\":\"m1\",\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":7,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0}}}\n" \
		"$(pwd)" "$(date -u -d @$(($test_tick + 30)) +%Y-%m-%dT%H:%M:%S.000Z)" \
		>"$CLAUDE_CONFIG_DIR/projects/h/h.jsonl" &&
	: >"$HOOKLOG" &&
	test_commit h1 &&
	echo husky-post-commit >expect &&
	test_cmp expect "$HOOKLOG" &&
	# and the usage note was written after it
	git notes --ref=tokens show HEAD >note &&
	grep "\"output\":7," note &&
	git tokens hooks uninstall &&
	dir_snapshot .husky >after &&
	test_cmp before after
	)
'

test_expect_success 'husky 9 rewrote its stubs: install again takes them back' '
	(
	cd husky9 &&
	git tokens hooks install &&
	cp .husky/_/post-commit.git-tokens-chained .husky/_/post-commit &&
	test_expect_code 1 git tokens hooks status &&
	git tokens hooks install &&
	git tokens hooks status &&
	: >"$HOOKLOG" &&
	test_commit h2 &&
	echo husky-post-commit >expect &&
	test_cmp expect "$HOOKLOG" &&
	git tokens hooks uninstall &&
	test_path_is_missing .husky/_/post-commit.git-tokens-chained
	)
'

# husky 4-8: core.hooksPath=.husky, each script sources _/husky.sh,
# which runs the script again as "sh -e $0": it must run once.
test_expect_success 'husky 8: the script runs once' '
	git init -q husky8 &&
	(
	cd husky8 &&
	mkdir -p .husky/_ &&
	cat >.husky/_/husky.sh <<-\EOF &&
	#!/usr/bin/env sh
	if [ -z "$husky_skip_init" ]; then
	  readonly husky_skip_init=1
	  export husky_skip_init
	  sh -e "$0" "$@"
	  exitCode="$?"
	  exit $exitCode
	fi
	EOF
	cat >.husky/post-commit <<-\EOF &&
	#!/usr/bin/env sh
	. "$(dirname -- "$0")/_/husky.sh"
	echo husky8-post-commit >>"$HOOKLOG"
	EOF
	chmod 755 .husky/post-commit &&
	git config core.hooksPath .husky &&
	git tokens hooks install &&
	: >"$HOOKLOG" &&
	test_commit h1 &&
	echo husky8-post-commit >expect &&
	test_cmp expect "$HOOKLOG" &&
	git tokens hooks uninstall &&
	test_path_is_missing .husky/post-commit.git-tokens-chained &&
	grep husky8 .husky/post-commit
	)
'

test_expect_success 'a repository path with spaces, quotes, $ and a newline' '
	odd="odd \$dir '"'"'q\" x
nl" &&
	git init -q "$odd" &&
	(
	cd "$odd" &&
	write_logging_hook .git/hooks/post-commit 0 &&
	dir_snapshot .git/hooks >../odd-before &&
	git tokens hooks install &&
	: >"$HOOKLOG" &&
	test_commit one &&
	grep "^post-commit.git-tokens-chained" "$HOOKLOG" &&
	git tokens hooks status &&
	git tokens hooks uninstall &&
	dir_snapshot .git/hooks >../odd-after
	) &&
	test_cmp odd-before odd-after
'

test_expect_success 'usage errors' '
	(
	cd plain &&
	test_expect_code 129 git tokens hooks 2>err &&
	test_expect_code 129 git tokens hooks frob 2>err &&
	grep "unknown subcommand" err &&
	grep "unknown subcommand: .frob." err &&
	git tokens hooks -h >out &&
	grep "git tokens hooks install" out
	)
'

test_done
