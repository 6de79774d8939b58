#!/bin/sh

test_description='every command answers -h, and rejects a bad option with 129'

. "$(dirname "$0")"/lib-tokens.sh


test_expect_success 'setup' '
	git tokens --list-cmds >cmds &&
	grep -x report cmds &&
	grep -x log cmds &&
	git init -q repo &&
	(cd repo && test_commit one) &&
	mkdir outside
'

test_expect_success 'the command list of -h is the table' '
	git tokens -h >out &&
	sed -n "s/^   \([a-z][a-z-]*\)  .*/\1/p" out >listed &&
	test_cmp cmds listed
'

test_expect_success 'every command: -h prints its usage on stdout, exit 0' '
	while read cmd
	do
		git -C repo tokens $cmd -h >out 2>err &&
		head -n 1 out >first &&
		grep "^usage: git tokens $cmd\( \|$\)" first &&
		test_must_be_empty err || return 1
	done <cmds
'

test_expect_success 'every command: -h works outside a repository too' '
	while read cmd
	do
		git -C outside tokens $cmd -h >out &&
		grep "^usage: git tokens $cmd" out || return 1
	done <cmds
'

test_expect_success 'every command: a bad option is a usage error on stderr' '
	while read cmd
	do
		test_expect_code 129 git -C repo tokens $cmd --no-such-option \
			>out 2>err &&
		test_must_be_empty out &&
		grep "^error: unknown option .no-such-option." err &&
		grep "^usage: git tokens $cmd" err || return 1
	done <cmds
'

test_expect_success 'every command: a bad switch is a usage error' '
	while read cmd
	do
		test_expect_code 129 git -C repo tokens $cmd -Z >out 2>err &&
		test_must_be_empty out &&
		grep "^error: unknown switch .Z." err || return 1
	done <cmds
'

test_done
