#!/bin/sh

test_description='the manual: built with the program, documents every command'

. "$(dirname "$0")"/lib-tokens.sh

ADOC=$TEST_SRCDIR/../share/man/git-tokens.adoc
MAN1=$SHARNESS_BUILD_DIRECTORY/share/man/man1/git-tokens.1


# configure builds the page when it finds asciidoctor.
grep -q "^ASCIIDOCTOR = ." "$SHARNESS_BUILD_DIRECTORY/Makefile" \
	2>/dev/null && test_set_prereq ASCIIDOCTOR
command -v man >/dev/null && test_set_prereq MAN

# The lines of one "== SECTION" of the adoc.
adoc_section () {
	sed -n "/^== $1\$/,/^== /p" "$ADOC"
}

test_expect_success 'setup' '
	test -f "$ADOC" &&
	git tokens --list-cmds >cmds &&
	test -s cmds &&
	git init -q repo &&
	(cd repo && test_commit one)
'

test_expect_success ASCIIDOCTOR 'the build has the man page' '
	test -s "$MAN1" &&
	grep "^\.TH \"GIT.-TOKENS\" \"1\"" "$MAN1"
'

test_expect_success ASCIIDOCTOR,MAN 'man -l renders it' '
	MANWIDTH=80 man -l "$MAN1" >out 2>err &&
	grep "^NAME" out &&
	grep "git-tokens - " out &&
	grep "^COMMANDS" out &&
	grep "^CONFIGURATION" out &&
	# a term too long for 80 columns makes troff warn on every --help
	test_must_be_empty err
'

test_expect_success 'the manual has the sections of a git man page' '
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS CONFIGURATION \
		"OUTPUT FORMATS" FILES ENVIRONMENT "EXIT STATUS" EXAMPLES \
		"SEE ALSO"
	do
		grep -x "== $s" "$ADOC" || return 1
	done
'

test_expect_success 'every command of git tokens -h has a section' '
	git tokens -h >help &&
	sed -n "s/^   \([a-z][a-z-]*\)  .*/\1/p" help >listed &&
	test_cmp cmds listed &&
	adoc_section COMMANDS >commands &&
	while read cmd
	do
		grep "^$cmd\( .*\)\{0,1\}::\$" commands ||
		{ echo "no section for $cmd in COMMANDS"; return 1; }
	done <cmds
'

test_expect_success 'the manual documents no command that does not exist' '
	adoc_section COMMANDS |
		sed -n "s/^\([a-z][a-z-]*\)\( .*\)\{0,1\}::\$/\1/p" >documented &&
	adoc_section SYNOPSIS |
		sed -n "s/^\*git tokens\* \[\{0,1\}\([a-z][a-z-]*\).*/\1/p" \
		>>documented &&
	sort -u documented >documented.sorted &&
	sort cmds >cmds.sorted &&
	comm -23 documented.sorted cmds.sorted >extra &&
	test_must_be_empty extra
'

test_expect_success 'every long option of every command is documented' '
	while read cmd
	do
		git -C repo tokens $cmd -h >help &&
		sed -n "s/^    \(-., \)\{0,1\}--\([a-z][-a-z0-9]*\).*/\2/p" help |
		while read opt
		do
			grep -e "^--$opt\(\[\{0,1\}=.*\)\{0,1\}::\$" \
			     -e "^--\[no-\]$opt" "$ADOC" >/dev/null ||
			{ echo "$cmd --$opt is not in the manual"; return 1; }
		done || return 1
	done <cmds
'

test_expect_success 'every configuration key of the spec is documented' '
	adoc_section CONFIGURATION >config &&
	for key in tokens.mainline tokens.notesRef tokens.sources \
		"tokens.<source>.path" tokens.prices tokens.exclude \
		tokens.reworkDays tokens.forge tokens.prePush.summary \
		tokens.prePush.policy tokens.agentIdentity tokens.bot \
		"tokens.team.<name>" tokens.timezone
	do
		grep -F -x "$key::" config ||
		{ echo "$key is not documented"; return 1; }
	done
'

test_done
