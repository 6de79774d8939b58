#!/bin/sh

test_description='hooks install and uninstall change nothing when they cannot finish; bare repositories refused'

. "$(dirname "$0")"/lib-tokens.sh

HOME=$(pwd)
TRASH=$(pwd)
XDG_CACHE_HOME=$(pwd)/cache
export HOME TRASH XDG_CACHE_HOME

# The shims of the build tree, found beside the binary.
unset GIT_TOKENS_DATADIR
test "$(id -u)" != 0 && test_set_prereq NOT_ROOT

# The config and the hooks folder of repo, byte for byte.
state () {
	cat repo/.git/config &&
	dir_snapshot repo/.git/hooks
}

# A user's own pre-push hook.
write_user_hook () {
	printf '#!/bin/sh\necho %s\n' "$2" >"$1" &&
	chmod 755 "$1"
}

test_expect_success 'setup: a repository with its own pre-push hook' '
	git init -q repo &&
	(cd repo && test_commit one &&
	 git config notes.rewriteMode concatenate) &&
	write_user_hook repo/.git/hooks/pre-push mine &&
	state >before
'

test_expect_success 'a missing shim: nothing changes, the shim is named' '
	mkdir noshims &&
	(cd repo && test_expect_code 128 env GIT_TOKENS_DATADIR="$TRASH/noshims" \
		git tokens hooks install >../out 2>../err) &&
	test_must_be_empty out &&
	grep "^error: cannot read the hook shim .*/noshims/.*post-commit" err &&
	state >after &&
	test_cmp before after
'

test_expect_success 'the chained name taken by another hook: nothing changes' '
	write_user_hook repo/.git/hooks/pre-push.git-tokens-chained other &&
	state >before.taken &&
	(cd repo && test_expect_code 128 git tokens hooks install \
		>../out 2>../err) &&
	grep "^error: cannot chain .*pre-push" err &&
	state >after &&
	test_cmp before.taken after &&
	rm repo/.git/hooks/pre-push.git-tokens-chained
'

test_expect_success 'a config another git holds locked: nothing changes' '
	>repo/.git/config.lock &&
	(cd repo && test_expect_code 128 git tokens hooks install \
		>../out 2>../err) &&
	rm repo/.git/config.lock &&
	grep "^error: cannot change the config: .*config.lock. exists" err &&
	state >after &&
	test_cmp before after
'

test_expect_success NOT_ROOT 'a hooks folder this user cannot write: nothing changes' '
	chmod a-w repo/.git/hooks &&
	(cd repo && test_expect_code 128 git tokens hooks install \
		>../out 2>../err) &&
	chmod u+w repo/.git/hooks &&
	grep "^error: cannot write in .*hooks.: Permission denied" err &&
	state >after &&
	test_cmp before after
'

test_expect_success 'then it installs, and a failed uninstall changes nothing' '
	(cd repo && git tokens hooks install -q) &&
	test_cmp "$TEST_SRCDIR/../hooks/pre-push" repo/.git/hooks/pre-push &&
	state >installed &&
	>repo/.git/config.lock &&
	(cd repo && test_expect_code 128 git tokens hooks uninstall \
		>../out 2>../err) &&
	rm repo/.git/config.lock &&
	grep "^error: cannot change the config" err &&
	state >after &&
	test_cmp installed after &&
	(cd repo && git tokens hooks uninstall -q) &&
	state >after &&
	test_cmp before after
'

test_expect_success 'a bare repository: refused, nothing written' '
	git init -q --bare bare.git &&
	cp bare.git/config bare-config.before &&
	dir_snapshot bare.git/hooks >bare-hooks.before &&
	test_expect_code 128 git -C bare.git tokens hooks install >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	error: cannot install hooks in a bare repository: git runs post-commit, pre-push and post-rewrite only where commits are made
	EOF
	test_cmp expect err &&
	test_cmp bare-config.before bare.git/config &&
	dir_snapshot bare.git/hooks >after &&
	test_cmp bare-hooks.before after
'

test_done
