#!/bin/sh

test_description='hooks run from repositories whose paths hold spaces, quotes, $ and newlines'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-hardening.sh

use_installed_datadir

# The repository's path: every character a shell may trip on.
ODD="odd dir/it's \"q\" \$HOME \`x\` ;&|
second line"

# claude_at <cwd> <msg-id> <time> <output>: a response logged in cwd,
# the path JSON-escaped as Claude Code writes it.
claude_at () {
	python3 - "$1" "$2" "$3" "$4" <<-\PY
	import json, sys
	cwd, mid, t, out = sys.argv[1:5]
	print(json.dumps({"type": "assistant", "cwd": cwd, "sessionId": "odd-s",
	                  "timestamp": t, "requestId": "req_" + mid,
	                  "message": {"model": "claude-sonnet-4-5", "id": mid,
	                              "usage": {"input_tokens": 1,
	                                        "output_tokens": int(out)}}}))
	PY
}

test_expect_success 'setup: a repository at an odd path, hooks installed' '
	mkdir -p "$(dirname "$ODD")" &&
	git init -q "$ODD" &&
	git init -q --bare "$ODD.git" &&
	mkdir -p claude/projects/p &&
	(
		cd "$ODD" &&
		commit_at 2026-11-20T09:00:00Z base &&
		git remote add origin "$TRASH/$ODD.git" &&
		printf "#!/bin/sh\necho chained \"\$0\" >>\"\$HOOK_LOG\"\n" \
			>.git/hooks/post-commit &&
		chmod +x .git/hooks/post-commit &&
		git tokens hooks install >../../out 2>../../err &&
		git tokens hooks status >>../../out
	) &&
	test -f "$ODD/.git/hooks/post-commit.git-tokens-chained"
'

test_expect_success 'post-commit records from there, the chained hook runs' '
	claude_at "$TRASH/$ODD" m1 2026-11-20T10:00:00.000Z 42 \
		>claude/projects/p/a.jsonl &&
	HOOK_LOG=$TRASH/hook.log &&
	export HOOK_LOG &&
	(
		cd "$ODD" &&
		commit_at 2026-11-20T10:05:00Z one 2>../../commit.err &&
		git notes --ref=tokens show HEAD >../../note
	) &&
	test_must_be_empty commit.err &&
	grep "\"output\":42," note &&
	grep "^chained .*post-commit.git-tokens-chained$" hook.log &&
	! grep -F "$TRASH" note
'

test_expect_success 'core.hooksPath at an odd path too' '
	(
		cd "$ODD" &&
		git tokens hooks uninstall >/dev/null &&
		mkdir -p "../hooks \$dir \"q\"" &&
		git config core.hooksPath "$TRASH/odd dir/hooks \$dir \"q\"" &&
		git tokens hooks install >/dev/null
	) &&
	test -x "odd dir/hooks \$dir \"q\"/post-commit" &&
	claude_at "$TRASH/$ODD" m2 2026-11-20T11:00:00.000Z 7 \
		>>claude/projects/p/a.jsonl &&
	(
		cd "$ODD" &&
		commit_at 2026-11-20T11:05:00Z two 2>../../commit.err &&
		git notes --ref=tokens show HEAD >../../note2
	) &&
	test_must_be_empty commit.err &&
	grep "\"output\":7," note2
'

test_expect_success 'post-rewrite and pre-push from there' '
	claude_at "$TRASH/$ODD" m3 2026-11-20T11:06:00.000Z 5 \
		>>claude/projects/p/a.jsonl &&
	(
		cd "$ODD" &&
		echo more >>two.t &&
		git add two.t &&
		GIT_COMMITTER_DATE=2026-11-20T11:10:00Z \
			git commit -q --amend --no-edit 2>../../amend.err &&
		git notes --ref=tokens show HEAD >../../note3 &&
		git push -q origin main 2>../../push.err &&
		git --git-dir="$TRASH/$ODD.git" notes --ref=tokens \
			show main >../../remote-note
	) &&
	grep "\"output\":7," note3 &&
	grep "\"output\":5," note3 &&
	test_cmp note3 remote-note
'

test_done
