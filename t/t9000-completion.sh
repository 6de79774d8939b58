#!/bin/sh

test_description='shell completion: git tokens <TAB>, options, values'

. "$(dirname "$0")"/lib-tokens.sh

GIT_COMPLETION=${GIT_COMPLETION:-/usr/share/bash-completion/completions/git}
OUR_COMPLETION=$TEST_SRCDIR/../share/completion/git-tokens
OUR_ZSH_COMPLETION=$TEST_SRCDIR/../share/completion/_git-tokens

test -f "$GIT_COMPLETION" && command -v bash >/dev/null &&
	test_set_prereq GITCOMP
command -v zsh >/dev/null && test_set_prereq ZSH

# complete "<words>": what bash would offer for that command line (a
# trailing space means a new, empty word), one candidate a line. Runs
# git's completion and ours in bash, as git's t9902 does.
cat >complete.bash <<'END'
_get_comp_words_by_ref ()
{
	while [ $# -gt 0 ]; do
		case "$1" in
		cur) cur=${_words[_cword]} ;;
		prev) prev=${_words[_cword-1]} ;;
		words) words=("${_words[@]}") ;;
		cword) cword=$_cword ;;
		esac
		shift
	done
}
compopt () { :; }
. "$GIT_COMPLETION" || exit 1
. "$OUR_COMPLETION" || exit 1
read -r -a _words <<<"$1"
test "${1: -1}" = ' ' && _words+=('')
_cword=$(( ${#_words[@]} - 1 ))
COMPREPLY=()
__git_wrap__git_main
for c in "${COMPREPLY[@]}"; do
	printf '%s\n' "${c% }"
done
END

HELPER=$(pwd)/complete.bash

# Complete in the test repository; the candidates go to ./actual.
complete () {
	(
		cd repo &&
		GIT_COMPLETION=$GIT_COMPLETION OUR_COMPLETION=$OUR_COMPLETION \
			bash "$HELPER" "$1"
	) >actual
}

test_expect_success 'setup' '
	git init -q repo &&
	(
		cd repo &&
		test_commit one &&
		git branch maint
	)
'

test_expect_success 'the completion scripts parse' '
	bash -n "$OUR_COMPLETION"
'

test_expect_success GITCOMP 'git tokens <TAB> offers every command' '
	complete "git tokens " &&
	git tokens --list-cmds | sort >expect &&
	sort actual >sorted &&
	test_cmp expect sorted &&
	grep -x report actual &&
	grep -x log actual
'

test_expect_success GITCOMP 'a prefix narrows the commands' '
	complete "git tokens rep" &&
	echo report >expect &&
	test_cmp expect actual
'

test_expect_success GITCOMP 'git tokens report --<TAB> offers the options of -h' '
	complete "git tokens report --" &&
	git -C repo tokens report -h >help &&
	sed -n "s/^    \(-., \)\{0,1\}\(--[a-z][-a-z0-9]*\).*/\2/p" help |
		sort >expect &&
	test -s expect &&
	sed "s/=\$//" actual | sort >got &&
	test_cmp expect got &&
	grep -x -- "--since=" actual &&
	grep -x -- "--format=" actual &&
	grep -x -- "--no-cache" actual
'

test_expect_success GITCOMP 'options of another command: log' '
	complete "git tokens log --for" &&
	echo "--format=" >expect &&
	test_cmp expect actual
'

test_expect_success GITCOMP '--format=<TAB> offers the formats' '
	complete "git tokens report --format=" &&
	for f in table json csv markdown
	do
		grep -x "$f" actual || return 1
	done &&
	complete "git tokens report --format=j" &&
	echo json >expect &&
	test_cmp expect actual
'

test_expect_success GITCOMP 'usage --by=<TAB> offers repo too' '
	complete "git tokens usage --by=" &&
	printf "%s\n" day session model tool repo >expect &&
	test_cmp expect actual &&
	complete "git tokens usage --by=r" &&
	echo repo >expect &&
	test_cmp expect actual
'

test_expect_success GITCOMP 'a revision argument completes refs' '
	complete "git tokens report ma" &&
	grep -x main actual &&
	grep -x maint actual &&
	complete "git tokens log main..ma" &&
	grep -x "main..maint" actual
'

test_expect_success GITCOMP 'hooks <TAB> offers its actions, once' '
	complete "git tokens hooks " &&
	printf "%s\n" install uninstall status >expect &&
	test_cmp expect actual &&
	complete "git tokens hooks install " &&
	test_must_be_empty actual
'

test_expect_success GITCOMP 'git tokens --<TAB> offers the global options' '
	complete "git tokens --no-" &&
	echo "--no-pager" >expect &&
	test_cmp expect actual
'

test_expect_success ZSH 'the zsh completion parses' '
	zsh -n "$OUR_ZSH_COMPLETION"
'

test_expect_success ZSH 'the zsh completion reads the options from -h' '
	sed "\$d" "$OUR_ZSH_COMPLETION" >zcomp &&
	(cd repo && zsh -fc ". ../zcomp && __git_tokens_option_specs report") >specs &&
	grep "^--since=\[.*\]:date: *\$" specs &&
	grep "^--no-cache\[" specs &&
	grep "^--format=\[.*\]:format:(table json csv markdown" specs &&
	grep "^--color=-\[.*\]:when:(always never auto)\$" specs
'

test_done
