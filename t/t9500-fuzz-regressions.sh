#!/bin/sh

test_description='fuzz regressions: what the fuzzers once broke, through git-tokens

Each t/fuzz/crashers/<target>-<name> crashed, leaked or broke an
invariant under its fuzz target (t/fuzz/fuzz-<target>.c). Here each
one goes where git-tokens reads that kind of input, and the run must
end normally: no signal, no sanitizer report, no BUG. Run under the
sanitizers (configure --enable-asan --enable-ubsan) this catches the
memory errors the fuzzers found.'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-01-01T00:00:00Z
HOME=$(pwd)
XDG_CACHE_HOME=$(pwd)/cache
XDG_DATA_HOME=$(pwd)/data
CLAUDE_CONFIG_DIR=$(pwd)/claude
CODEX_HOME=$(pwd)/codex
TZ=UTC
export GIT_TOKENS_NOW HOME XDG_CACHE_HOME XDG_DATA_HOME CLAUDE_CONFIG_DIR \
	CODEX_HOME TZ

crashers=$TEST_SRCDIR/fuzz/crashers

# survived <exit code> <stderr file>: ended normally, said nothing of
# a crash (the exit code may say the input was refused).
survived () {
	if test "$1" -gt 129
	then
		echo "exit code $1" >&2
		return 1
	fi
	if grep -e 'Sanitizer' -e 'runtime error:' -e '^BUG: ' "$2" >&2
	then
		return 1
	fi
	return 0
}

# place <file> <path>: a copy of the crasher as the log at path
place () {
	mkdir -p "$(dirname "$2")" &&
	cp "$1" "$2"
}

# replay <crasher>: feed it to git-tokens where its target's input goes
replay () {
	f=$1
	name=${f##*/}
	rm -rf claude codex data .gemini .factory .local cache \
		proj/.aider.chat.history.md &&
	case $name in
	claude-*)
		place "$f" claude/projects/-w/3f9a1c0e.jsonl ;;
	codex-*)
		place "$f" codex/sessions/2026/01/01/rollout-2026-01-01T10-00-00-0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.jsonl ;;
	gemini-jsonl-*)
		place "$f" .gemini/tmp/p1/chats/session-1.jsonl ;;
	gemini-json-*)
		place "$f" .gemini/tmp/p1/chats/session-1.json ;;
	aider-*)
		place "$f" proj/.aider.chat.history.md ;;
	opencode-*)
		place "$f" data/opencode/storage/message/ses_1/msg_1.json ;;
	cursor-*)
		place "$f" data/git-tokens/cursor-usage.jsonl ;;
	droid-*)
		place "$f" .factory/sessions/s1.settings.json ;;
	amp-*)
		place "$f" .local/share/amp/threads/T-1.json ;;
	esac &&
	case $name in
	claude-*|codex-*|gemini-*|aider-*|opencode-*|cursor-*|droid-*|amp-*)
		(cd proj && git tokens usage --all-repos --no-cache \
			--format json >../out 2>../err)
		;;
	import-*)
		(cd proj && git tokens import "$f" >../out 2>../err)
		;;
	notes-*)
		(cd proj &&
		 git notes --ref=tokens add -f -F "$f" HEAD &&
		 git tokens show HEAD >../out 2>../err &&
		 git tokens log >>../out 2>>../err)
		;;
	prices-*)
		(cd proj && git -c tokens.prices="$f" tokens usage \
			--no-cache >../out 2>../err)
		;;
	date-*)
		d=$(tr -d '\000' <"$f") &&
		(cd proj &&
		 { git tokens usage --no-cache --since="$d" --until="$d" \
			>../out 2>../err; echo $? >../code; } &&
		 survived "$(cat ../code)" ../err &&
		 ANTHROPIC_ADMIN_KEY=sk-test git tokens fetch anthropic \
			--offline --since="$d" --until="$d" >../out 2>../err)
		;;
	*)
		echo "no way to replay $name" >&2
		return 1
		;;
	esac
	survived $? err
}

test_expect_success 'setup' '
	git init -q proj &&
	(cd proj && test_commit -q one) &&
	ls "$crashers" >list &&
	test -s list
'

for f in "$crashers"/*
do
	test -f "$f" || continue
	test_expect_success "${f##*/}" "
		replay '$f'
	"
done

# The bugs behind them, checked for what they should do.
test_expect_success 'aider: no model before " with " is no model' '
	cat >proj/.aider.chat.history.md <<-\EOF &&

	# aider chat started at 2025-12-20 10:00:00
	> Main model:  with diff edit format
	> Tokens: 1k sent, 2 received.
	EOF
	(cd proj && git tokens usage --no-cache --format json \
		--by model >../out 2>../err) &&
	grep "\"key\":\"unknown\",\"requests\":1,\"input\":1000," out
'

test_expect_success 'the day of a provider answer is its first ten characters' '
	test_expect_code 128 env ANTHROPIC_ADMIN_KEY=sk-test git -C proj \
		tokens fetch anthropic --offline --since=2025-12-000020 2>err &&
	grep "invalid date .2025-12-000020." err
'

test_expect_success '--since beyond what 64 bits hold is refused' '
	test_expect_code 128 git -C proj tokens usage \
		--since=@99999999999999999 2>err &&
	grep "invalid date" err &&
	test_expect_code 128 git -C proj tokens usage \
		--since="99999999999999 years ago" 2>err &&
	grep "invalid date" err
'

test_expect_success 'a note line ends at a NUL byte, and counts once' '
	printf "%s\n" "{\"v\":1}" "x" >note &&
	printf "x\000a\nx\000b\n \000c\n" >>note &&
	git -C proj notes --ref=tokens add -f -F ../note HEAD &&
	git -C proj tokens show HEAD >out 2>err &&
	grep "^note *2 lines" out
'

test_done
