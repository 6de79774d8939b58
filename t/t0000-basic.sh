#!/bin/sh

test_description='the git-tokens binary: dispatch, global options, repository discovery'

. "$(dirname "$0")"/lib-tokens.sh

# The trash directory is not in a repository, and discovery must not
# climb out of it into whatever tree holds the build.

# script(1) gives the command a terminal, for the pager.
script -qec true /dev/null >/dev/null 2>&1 && test_set_prereq TTY
# Only root can give a repository to someone else.
test "$(id -u)" = 0 && getent passwd nobody >/dev/null &&
	test_set_prereq ROOT

test_expect_success 'git-tokens is the binary under test, and git finds it' '
	test "$(command -v git-tokens)" = "$SHARNESS_BUILD_DIRECTORY/git-tokens" &&
	git tokens --version >out &&
	git-tokens --version >expect &&
	test_cmp expect out
'

test_expect_success '--version' '
	git tokens --version >out 2>err &&
	grep "^git-tokens version [0-9]" out &&
	test $(wc -l <out) = 1 &&
	test_must_be_empty err
'

test_expect_success '-h lists the commands on stdout and exits 0' '
	git tokens -h >out 2>err &&
	test_must_be_empty err &&
	grep "^usage: git tokens " out &&
	grep "^   report  *[a-z]" out &&
	grep "^   log  *[a-z]" out
'

test_expect_success '--help falls back to the command list without a manual' '
	MANPATH="$(pwd)/no-such-dir" git-tokens --help >out &&
	grep "^   report " out
'

test_expect_success 'an unknown command is a usage error' '
	test_expect_code 129 git tokens frobnicate >out 2>err &&
	test_must_be_empty out &&
	echo "git tokens: '\''frobnicate'\'' is not a git-tokens command. See '\''git tokens -h'\''." >expect &&
	test_cmp expect err
'

test_expect_success 'an unknown global option is a usage error' '
	test_expect_code 129 git tokens -C 2>err &&
	grep "requires a value" err &&
	grep "^usage: git tokens" err
'

test_expect_success 'outside a repository, report dies as git does' '
	mkdir outside &&
	(
		cd outside &&
		test_expect_code 128 git tokens report >out 2>err &&
		test_must_be_empty out &&
		echo "fatal: not a git repository (or any of the parent directories): .git" >expect &&
		test_cmp expect err &&
		test_expect_code 128 git tokens 2>err &&
		test_cmp expect err
	)
'

test_expect_success '-h works outside a repository' '
	git -C outside tokens report -h >out &&
	grep "^usage: git tokens report" out
'

test_expect_success 'setup a repository' '
	git init -q repo &&
	(
		cd repo &&
		test_commit one &&
		mkdir -p sub/dir
	)
'

# A command that reached its own option parser found the repository:
# it rejects the bad option with 129 instead of dying with 128.
test_expect_success 'the repository is found from a subdirectory (git -C)' '
	test_expect_code 129 git -C repo/sub/dir tokens report --no-such-opt 2>err &&
	grep "unknown option .no-such-opt." err &&
	test_expect_code 128 git -C outside tokens report --no-such-opt
'

test_expect_success 'git tokens -C <path>, repeatable as in git' '
	test_expect_code 129 git tokens -C repo -C sub report --no-such-opt &&
	test_expect_code 128 git tokens -C outside report --no-such-opt 2>err &&
	grep "^fatal: not a git repository" err &&
	test_expect_code 128 git tokens -C no-such-dir report 2>err &&
	grep "^fatal: cannot change to .no-such-dir.: " err
'

test_expect_success 'GIT_DIR and GIT_WORK_TREE are honoured' '
	(
		cd outside &&
		GIT_DIR=../repo/.git &&
		export GIT_DIR &&
		test_expect_code 129 git tokens report --no-such-opt &&
		GIT_WORK_TREE=../repo &&
		export GIT_WORK_TREE &&
		test_expect_code 129 git tokens report --no-such-opt 2>err &&
		grep "unknown option" err
	)
'

test_expect_success 'a bare clone and a linked worktree are repositories' '
	git clone -q --bare repo bare.git &&
	test_expect_code 129 git -C bare.git tokens report --no-such-opt &&
	git -C repo worktree add -q ../wt &&
	test_expect_code 129 git -C wt tokens report --no-such-opt
'

test_expect_success 'options before the command go to report' '
	test_expect_code 129 git -C repo tokens --no-such-opt 2>err &&
	grep "^usage: git tokens report" err
'

test_expect_success 'a failed exit code of the command is passed on' '
	test_expect_code 129 git -C repo tokens log --no-such-opt 2>err &&
	grep "^usage: git tokens log" err
'

test_expect_success TTY 'the pager: -p, GIT_PAGER, LESS and --no-pager' '
	GIT_PAGER="sed s/^/paged:/" script -qec "git -C repo tokens -p log -h" /dev/null >out &&
	grep "^paged:usage: git tokens log" out &&
	GIT_PAGER="sed s/^/paged:/" script -qec "git -C repo tokens --no-pager -p log -h" /dev/null >out &&
	grep "^usage: git tokens log" out &&
	! grep paged: out &&
	GIT_PAGER=env script -qec "git -C repo tokens -p log -h" /dev/null >out &&
	grep "^LESS=FRX" out &&
	grep "^LV=-c" out &&
	GIT_PAGER="sed s/^/paged:/" git -C repo tokens -p log -h >out &&
	! grep paged: out
'

test_expect_success ROOT 'dubious ownership is explained as git does' '
	git init -q theirs &&
	chown -R nobody theirs &&
	test_expect_code 128 git -C theirs tokens report 2>err &&
	grep "dubious ownership in repository at .*theirs" err &&
	grep "safe.directory" err &&
	git config --global --add safe.directory "$(pwd)/theirs" &&
	test_expect_code 129 git -C theirs tokens report --no-such-opt
'

test_done
