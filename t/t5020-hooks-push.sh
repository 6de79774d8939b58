#!/bin/sh

test_description='pre-push and sync: notes beside the branch, summary, policy, merging'

. "$(dirname "$0")"/lib-tokens.sh

HOME=$(pwd)
XDG_CACHE_HOME=$(pwd)/cache
CLAUDE_CONFIG_DIR=$(pwd)/claude
export HOME XDG_CACHE_HOME CLAUDE_CONFIG_DIR

mkdir datadir &&
for f in "$GIT_TOKENS_DATADIR"/*
do
	ln -s "$f" datadir/
done &&
ln -s "$TEST_SRCDIR/../hooks" datadir/hooks || exit 1
GIT_TOKENS_DATADIR=$(pwd)/datadir
export GIT_TOKENS_DATADIR

# claude_log <session> <epoch s> <output tokens>: one Claude Code
# response for the current directory.
claude_log () {
	python3 - "$@" <<-\PY
	import datetime, json, os, sys
	sid, t, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	d = os.path.join(os.environ["CLAUDE_CONFIG_DIR"], "projects", "p")
	os.makedirs(d, exist_ok=True)
	ts = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
	mid = "msg_%s_%s_%d_%d" % (os.path.basename(os.getcwd()), sid, t, out)
	rec = {"parentUuid": None, "isSidechain": False, "userType": "external",
	       "cwd": os.getcwd(), "sessionId": sid, "version": "2.1.39",
	       "type": "assistant",
	       "timestamp": ts.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
	       "requestId": "req_" + mid[4:],
	       "message": {"model": "claude-sonnet-4-5", "id": mid,
	                   "type": "message", "role": "assistant",
	                   "content": [{"type": "text", "text": "ok"}],
	                   "usage": {"input_tokens": 10, "output_tokens": out,
	                             "cache_creation_input_tokens": 0,
	                             "cache_read_input_tokens": 100}}}
	with open(os.path.join(d, sid + ".jsonl"), "a") as f:
	    f.write(json.dumps(rec) + "\n")
	PY
}

# The clock is kept in a file: the tests move between subshells.
TICKFILE=$(pwd)/tick
test_tick () {
	test_tick=$(($(cat "$TICKFILE" 2>/dev/null || echo 1731920000) + 60)) &&
	echo $test_tick >"$TICKFILE" &&
	GIT_COMMITTER_DATE="$test_tick +0000" &&
	GIT_AUTHOR_DATE="$test_tick +0000" &&
	export GIT_COMMITTER_DATE GIT_AUTHOR_DATE
}

# usage <output tokens> [<session>]: one response, 30 s after the clock.
usage () {
	claude_log "${2:-sess-1}" $(($(cat "$TICKFILE") + 30)) "$1"
}

# notes_sum <rev>...: output tokens and cost over the notes of commits.
notes_sum () {
	for r in "$@"
	do
		git notes --ref=tokens show "$r" 2>/dev/null
	done | python3 -c '
import json, sys
o = c = 0
for l in sys.stdin:
    if l.strip():
        d = json.loads(l); o += d["output"]; c += d["cost_usd"]
print(o, "%.4f" % c)'
}

# new_clone <name>: a clone of the shared remote with the hooks.
new_clone () {
	git clone -q remote.git "$1" &&
	git -C "$1" config user.name "$1" &&
	git -C "$1" config user.email "$1@example.com" &&
	(cd "$1" && git tokens hooks install -q)
}

test_expect_success 'setup: a shared remote and a first clone' '
	test_tick &&
	git init -q --bare remote.git &&
	git init -q seed &&
	(cd seed && test_commit base && git push -q ../remote.git main) &&
	new_clone alice
'

test_expect_success 'push: notes go beside the branch, with a summary' '
	(
	cd alice &&
	usage 1000 && test_commit a1 &&
	usage 40000 && test_commit a2 a2.t "x
y" &&
	git push origin main 2>err &&
	git ls-remote ../remote.git refs/notes/tokens >remote-notes &&
	test "$(cut -f1 remote-notes)" = "$(git rev-parse refs/notes/tokens)" &&
	set -- $(numstat_totals HEAD~2..HEAD) &&
	grep "^2 changes, +$1 \(−\|-\)$2 lines, " err &&
	set -- $(notes_sum a1 a2) &&
	test "$1" = 41000 &&
	tail=$(printf "lines, 41.0k out tok, \$%.2f" "$2") &&
	grep -F "$tail" err
	)
'

test_expect_success 'a second clone runs sync: the notes arrive' '
	new_clone bob &&
	(
	cd bob &&
	git tokens sync >out &&
	grep "merged origin" out &&
	a2=$(git -C ../alice rev-parse a2) &&
	git -C ../alice notes --ref=tokens show $a2 >expect &&
	git notes --ref=tokens show $a2 >actual &&
	test_cmp expect actual &&
	test "$(git rev-parse refs/notes/remotes/origin/tokens)" = \
		"$(git rev-parse refs/notes/tokens)" &&
	git tokens sync >out &&
	grep "up to date" out
	)
'

test_expect_success 'sync never drops a local line: same commit, both notes' '
	a1=$(git -C alice rev-parse a1) &&
	(
	cd bob &&
	git notes --ref=tokens append -m "{\"v\":1,\"local\":\"bob\"}" $a1
	) &&
	(
	cd alice &&
	git notes --ref=tokens append -m "{\"v\":1,\"local\":\"alice\"}" a1 &&
	git tokens sync -q
	) &&
	(
	cd bob &&
	git tokens sync >out &&
	git notes --ref=tokens show $a1 >note &&
	grep "\"local\":\"bob\"" note &&
	grep "\"local\":\"alice\"" note &&
	test $(grep -c "\"output\":1000," note) -eq 1 &&
	git ls-remote ../remote.git refs/notes/tokens >remote-notes &&
	test "$(cut -f1 remote-notes)" = "$(git rev-parse refs/notes/tokens)"
	)
'

test_expect_success 'pre-push merges when the remote notes moved, then pushes' '
	(
	cd alice &&
	git tokens sync -q &&
	usage 500 && test_commit a3
	) &&
	(
	cd bob &&
	git pull -q --rebase &&
	usage 700 bob-sess && test_commit b1 &&
	git -C ../alice push -q origin main 2>/dev/null &&
	git push -q origin HEAD:refs/heads/bob 2>err &&
	git ls-remote ../remote.git refs/notes/tokens >remote-notes &&
	test "$(cut -f1 remote-notes)" = "$(git rev-parse refs/notes/tokens)" &&
	git notes --ref=tokens show $(git -C ../alice rev-parse a3) &&
	git notes --ref=tokens show b1 &&
	git rev-list --parents -1 refs/notes/tokens >parents &&
	test $(wc -w <parents) -eq 3
	)
'

# Each push is started on a line of its own: in "a=$! && (...) &" the
# "&" puts the whole list, a=$! included, in the background, so "wait $a"
# was a bare "wait" and the pushes' exit codes went unseen (and bash,
# which "make check" runs the scripts with, then failed "wait $b" now
# and then: that pid was no longer its child to wait for).
test_expect_success 'two clones pushing at the same time: both sets survive' '
	(
	cd alice && git tokens sync -q && usage 11 && test_commit a4
	) &&
	(
	cd bob && git tokens sync -q && usage 13 bob-sess && test_commit b2
	) &&
	{
		(cd alice && git push -q origin HEAD:refs/heads/alice-2 \
			2>../push-a.err) &
		a=$!
		(cd bob && git push -q origin HEAD:refs/heads/bob-2 \
			2>../push-b.err) &
		b=$!
		wait $a && wait $b
	} &&
	! grep -e "not pushed" -e "^error" -e "^fatal" push-a.err push-b.err &&
	new_clone carol &&
	(
	cd carol &&
	git fetch -q origin &&
	git tokens sync -q &&
	git -C ../alice notes --ref=tokens show a4 >expect &&
	git notes --ref=tokens show origin/alice-2 >actual &&
	test_cmp expect actual &&
	git -C ../bob notes --ref=tokens show b2 >expect &&
	git notes --ref=tokens show origin/bob-2 >actual &&
	test_cmp expect actual
	)
'

test_expect_success 'the hook that was there gets the same input; its failure blocks the push' '
	(
	cd alice &&
	git tokens hooks uninstall -q &&
	cat >.git/hooks/pre-push <<-\EOF &&
	#!/bin/sh
	echo "$1 $2" >../chained.args
	cat >../chained.in
	exit ${CHAINED_EXIT:-0}
	EOF
	chmod +x .git/hooks/pre-push &&
	git tokens hooks install -q &&
	usage 3 && test_commit a5 &&
	git push -q origin HEAD:refs/heads/chained 2>err &&
	echo "origin $(cd ../remote.git && pwd)" >expect.args &&
	echo "HEAD $(git rev-parse HEAD) refs/heads/chained $(printf "%040d" 0)" >expect.in &&
	test_cmp expect.args ../chained.args &&
	test_cmp expect.in ../chained.in &&
	git ls-remote ../remote.git refs/notes/tokens >remote-notes &&
	test "$(cut -f1 remote-notes)" = "$(git rev-parse refs/notes/tokens)" &&
	usage 4 && test_commit a6 &&
	test_must_fail env CHAINED_EXIT=1 git push -q origin HEAD:refs/heads/blocked 2>err &&
	test -z "$(git ls-remote ../remote.git refs/heads/blocked)" &&
	git ls-remote ../remote.git refs/notes/tokens >remote-notes &&
	test "$(cut -f1 remote-notes)" != "$(git rev-parse refs/notes/tokens)"
	)
'

test_expect_success 'policy: a warning by default, a refusal with enforce' '
	(
	cd alice &&
	git checkout -q -b feature &&
	usage 30000 && test_commit f1 &&
	git config tokens.prePush.policy maxUnlandedShare=0.5 &&
	git push -q origin feature 2>err &&
	grep "^warning: tokens.prePush.policy: 100% of the cost" err &&
	test -n "$(git ls-remote ../remote.git refs/heads/feature)" &&
	usage 30000 && test_commit f2 &&
	git config tokens.prePush.enforce true &&
	test_expect_code 1 git push -q origin feature 2>err &&
	grep "push refused by tokens.prePush.policy" err &&
	test "$(git ls-remote ../remote.git refs/heads/feature | cut -f1)" = \
		"$(git rev-parse f1)" &&
	# pushed to the mainline, the same changes have landed: no refusal
	git checkout -q main &&
	git merge -q --ff-only feature &&
	git push -q origin main 2>err &&
	! grep policy err
	)
'

test_expect_success 'tokens.prePush.summary=false: no summary' '
	(
	cd alice &&
	git config --unset tokens.prePush.policy &&
	usage 5 && test_commit a7 &&
	git config tokens.prePush.summary false &&
	git push origin main 2>err &&
	! grep "out tok" err &&
	git config --unset tokens.prePush.summary &&
	usage 5 && test_commit a8 &&
	git push origin main 2>err &&
	grep "^1 change, " err
	)
'

test_expect_success 'push -q (git passes the hook no -q): no summary' '
	(
	cd alice &&
	usage 5 && test_commit a8q &&
	git push -q origin main 2>err &&
	test_must_be_empty err &&
	test "$(git ls-remote origin refs/notes/tokens | cut -f1)" = \
		"$(git rev-parse refs/notes/tokens)" &&
	usage 5 && test_commit a8r &&
	git push --quiet --force origin main 2>err &&
	test_must_be_empty err &&
	usage 5 && test_commit a8s &&
	git -c color.ui=never push -fq origin main 2>err &&
	test_must_be_empty err &&
	usage 5 && test_commit a8t &&
	git push origin main 2>err &&
	grep "^1 change, " err
	)
'

test_expect_success 'push --dry-run pushes no notes' '
	(
	cd alice &&
	git tokens sync -q &&
	before=$(git ls-remote ../remote.git refs/notes/tokens | cut -f1) &&
	usage 6 && test_commit a9 &&
	git push -q --dry-run origin main 2>err &&
	test "$(git ls-remote ../remote.git refs/notes/tokens | cut -f1)" = "$before" &&
	git push -q -n origin main 2>err &&
	test "$(git ls-remote ../remote.git refs/notes/tokens | cut -f1)" = "$before" &&
	git push -q origin main 2>err &&
	test "$(git ls-remote ../remote.git refs/notes/tokens | cut -f1)" = \
		"$(git rev-parse refs/notes/tokens)"
	)
'

test_expect_success 'a push to a URL, not a configured remote, carries no notes' '
	git init -q --bare other.git &&
	(
	cd alice &&
	git push -q ../other.git main 2>err &&
	test -n "$(git ls-remote ../other.git refs/heads/main)" &&
	test -z "$(git ls-remote ../other.git refs/notes/tokens)"
	)
'

test_expect_success 'sync to a remote with no notes yet just pushes' '
	(
	cd alice &&
	git remote add other ../other.git &&
	git tokens sync other >out &&
	grep "other has no refs/notes/tokens yet" out &&
	grep "pushed refs/notes/tokens to other" out &&
	test "$(git ls-remote ../other.git refs/notes/tokens | cut -f1)" = \
		"$(git rev-parse refs/notes/tokens)"
	)
'

test_expect_success 'sync: errors' '
	git init -q lonely &&
	(
	cd lonely &&
	test_commit x &&
	test_expect_code 128 git tokens sync 2>err &&
	grep "no remote to sync with" err &&
	test_expect_code 128 git tokens sync ../remote.git 2>err &&
	grep "is not a configured remote" err &&
	test_expect_code 129 git tokens sync a b 2>err
	)
'

test_done
