#!/bin/sh

test_description='a disk that fills while writing a cache or a note loses nothing'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-hardening.sh

# The shim (t/lib/fail-write.c): writes under $FAIL_WRITE_PATH fail with
# ENOSPC after $FAIL_WRITE_AFTER bytes. LD_PRELOAD splits on spaces, as
# the trash directory has them: the shim goes to a folder of its own.
SHIM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gt-shim.XXXXXX") &&
SHIM=$SHIM_DIR/fail-write.so &&
# An AddressSanitizer build must have its runtime first in the library
# list, which a preloaded shim takes: those builds skip these tests (the
# plain build runs them).
if command -v cc >/dev/null &&
   ! ldd "$(command -v git-tokens)" 2>/dev/null | grep -q libasan &&
   cc -shared -fPIC -o "$SHIM" "$TEST_SRCDIR/lib/fail-write.c" -ldl 2>cc.err
then
	test_set_prereq SHIM
fi

# full <path pattern> <bytes> <command...>: run it on a "disk" that is
# full for those paths after that many bytes.
full () {
	pat=$1 after=$2 &&
	shift 2 &&
	LD_PRELOAD=$SHIM FAIL_WRITE_PATH=$pat \
		FAIL_WRITE_AFTER=$after "$@"
}

# Nothing half-written is left in the tokens folder or the objects.
no_temp_files () {
	find .git/tokens .git/objects .git/refs -name "*tmp*" -o \
		-name "*.lock" >../temps &&
	test_must_be_empty ../temps
}

test_expect_success 'setup' '
	git init -q repo &&
	mkdir -p claude/projects/p &&
	for i in 1 2 3
	do
		claude_rec "$TRASH/repo" s1 m$i 2026-11-20T10:0$i:00.000Z 1 10 ||
		return 1
	done >claude/projects/p/a.jsonl &&
	(
		cd repo &&
		commit_at 2026-11-20T09:00:00Z base &&
		git tokens usage --format=json >../usage.json &&
		git tokens report --format=json >../report.json
	) &&
	test "$(json_get total.output <usage.json)" = 30 &&
	test -s repo/.git/tokens/usage-claude-code.cache &&
	test -s repo/.git/tokens/numstat-v1.cache
'

test_expect_success SHIM 'usage caches: a full disk keeps the old file' '
	claude_rec "$TRASH/repo" s2 m4 2026-11-20T11:00:00.000Z 1 5 \
		>>claude/projects/p/a.jsonl &&
	(
		cd repo &&
		cp .git/tokens/usage-claude-code.cache ../cache.before &&
		for n in 0 1 100 500 900
		do
			full /.git/tokens/ $n git tokens usage --format=json \
				>../usage.json 2>../err &&
			test "$(json_get total.output <../usage.json)" = 35 &&
			cmp .git/tokens/usage-claude-code.cache ../cache.before &&
			no_temp_files || return 1
		done &&
		: the next normal run writes it &&
		git tokens usage --format=json >../usage.json &&
		test "$(json_get total.output <../usage.json)" = 35 &&
		! cmp -s .git/tokens/usage-claude-code.cache ../cache.before
	)
'

test_expect_success SHIM 'line-count cache: a full disk keeps the old file' '
	(
		cd repo &&
		commit_at 2026-11-20T09:30:00Z more &&
		cp .git/tokens/numstat-v1.cache ../numstat.before &&
		for n in 0 30 60
		do
			full /.git/tokens/numstat $n git tokens report \
				--format=json >../report.json 2>../err &&
			test "$(json_get total.changes <../report.json)" = 2 &&
			grep "^warning: the line-count cache was not saved" ../err &&
			cmp .git/tokens/numstat-v1.cache ../numstat.before &&
			no_temp_files || return 1
		done &&
		full /.git/tokens/numstat 0 env FAIL_WRITE_FSYNC=1 \
			git tokens report --format=json >../report.json 2>../err &&
		cmp .git/tokens/numstat-v1.cache ../numstat.before &&
		git tokens report --format=json >../report.json 2>../err &&
		test_must_be_empty ../err &&
		! cmp -s .git/tokens/numstat-v1.cache ../numstat.before
	)
'

test_expect_success SHIM 'notes: a full object store moves no ref, loses nothing' '
	(
		cd repo &&
		commit_at 2026-11-20T11:30:00Z one &&
		full /.git/objects/ 0 git tokens record --hook 2>../err &&
		test_line_count = 1 ../err &&
		grep "^warning: git tokens record: .*\(No space left on device\|disk full\)" ../err &&
		: the disk fills at every point of the write until it fits &&
		n=0 &&
		while ! full /.git/objects/ $n git tokens record 2>../err
		do
			grep "^error: .*\(No space left on device\|disk full\)" ../err &&
			test_must_fail git rev-parse -q --verify refs/notes/tokens &&
			no_temp_files &&
			n=$(($n + 25)) &&
			test $n -lt 5000 || return 1
		done &&
		test $n -gt 100 &&
		grep "recorded 4 events" ../err &&
		: the next runs add nothing twice &&
		git tokens record -q &&
		test "$(note_requests)" = 4 &&
		git fsck --no-progress --strict 2>../fsck.err &&
		! grep -i -e error -e missing -e corrupt ../fsck.err
	)
'

test_expect_success SHIM 'notes: a full disk on the second note keeps the first' '
	claude_rec "$TRASH/repo" s3 m5 2026-11-20T12:50:00.000Z 1 6 \
		>>claude/projects/p/a.jsonl &&
	(
		cd repo &&
		commit_at 2026-11-20T13:00:00Z two &&
		tip=$(git rev-parse refs/notes/tokens) &&
		one=$(git rev-parse HEAD~1) &&
		git notes --ref=tokens show $one >../note.before &&
		n=0 &&
		while ! full /.git/objects/ $n git tokens record 2>../err
		do
			grep "^error: .*\(No space left on device\|disk full\)" ../err &&
			test "$(git rev-parse refs/notes/tokens)" = "$tip" &&
			no_temp_files &&
			n=$(($n + 25)) &&
			test $n -lt 5000 || return 1
		done &&
		test $n -gt 100 &&
		git notes --ref=tokens show $one >../note.after &&
		test_cmp ../note.before ../note.after &&
		test "$(note_requests)" = 5 &&
		commit_at 2026-11-20T13:10:00Z two-b &&
		claude_rec "$TRASH/repo" s3 m5b 2026-11-20T13:20:00.000Z 1 6 \
			>>../claude/projects/p/a.jsonl &&
		commit_at 2026-11-20T13:30:00Z two-c &&
		tip=$(git rev-parse refs/notes/tokens) &&
		: the ref itself cannot be written &&
		test_expect_code 128 full /.git/refs/ 0 git tokens record 2>../err &&
		test "$(git rev-parse refs/notes/tokens)" = "$tip" &&
		git notes --ref=tokens show $one >../note.after &&
		test_cmp ../note.before ../note.after &&
		git tokens record -q &&
		test "$(note_requests)" = 6
	)
'

test_expect_success SHIM 'the watermark cannot be written: no line twice' '
	claude_rec "$TRASH/repo" s4 m6 2026-11-20T13:50:00.000Z 1 7 \
		>>claude/projects/p/a.jsonl &&
	(
		cd repo &&
		commit_at 2026-11-20T14:00:00Z three &&
		cp .git/tokens/record-watermark ../wm.before &&
		test_expect_code 128 full /.git/tokens/record-watermark 0 \
			git tokens record 2>../err &&
		grep "No space left on device" ../err &&
		cmp .git/tokens/record-watermark ../wm.before &&
		no_temp_files &&
		: the note was written, the next run adds nothing twice &&
		git tokens record -q &&
		git tokens record -q &&
		test "$(note_requests)" = 7 &&
		! cmp -s .git/tokens/record-watermark ../wm.before
	)
'

# A real full file system: a small tmpfs over .git/tokens, in a mount
# namespace of our own. It runs under AddressSanitizer too: it used to be
# skipped there because "the usage cache was unchanged after the disk
# was freed", but the caches were rewritten every time; what failed was
# this test's fixed totals, which counted the events of the shim tests
# above, which AddressSanitizer builds skip. The totals are now those of
# a --no-cache run.
if unshare -rm sh -c 'mount -t tmpfs -o size=64k tmpfs "$1"' - . 2>/dev/null
then
	test_set_prereq TMPFS
fi

test_expect_success TMPFS 'a tmpfs that is full: caches kept, the run goes on' '
	claude_rec "$TRASH/repo" s5 m7 2026-11-20T14:30:00.000Z 1 8 \
		>>claude/projects/p/a.jsonl &&
	(
		cd repo &&
		commit_at 2026-11-20T15:00:00Z four &&
		git tokens usage --no-cache --format=json >../usage-expect.json &&
		git tokens report --no-cache --format=json >../report-expect.json
	) &&
	output=$(json_get total.output <usage-expect.json) &&
	changes=$(json_get total.changes <report-expect.json) &&
	test "$output" -gt 0 &&
	test "$changes" -gt 0 &&
	cat >in-ns.sh <<-\EOF &&
	set -e
	cd repo
	mkdir ../saved
	cp -p .git/tokens/* ../saved/
	mount -t tmpfs -o size=256k tmpfs .git/tokens
	cp -p ../saved/* .git/tokens/
	dd if=/dev/zero of=.git/tokens/filler bs=4k 2>/dev/null || :
	git tokens usage --format=json >../usage-full.json 2>../err-full
	git tokens report --format=json >../report-full.json 2>>../err-full
	for f in ../saved/*; do cmp "$f" .git/tokens/"${f##*/}"; done
	ls .git/tokens >../ls-full
	rm .git/tokens/filler
	git tokens usage --format=json >../usage-free.json
	git tokens report --format=json >../report-free.json
	# (set -e does not stop on a failed "! cmd")
	if cmp -s ../saved/numstat-v1.cache .git/tokens/numstat-v1.cache ||
	   cmp -s ../saved/usage-claude-code.cache \
		.git/tokens/usage-claude-code.cache
	then
		echo "a cache was not written once the disk had room" >&2
		exit 1
	fi
	EOF
	unshare -rm sh in-ns.sh &&
	test "$(json_get total.output <usage-full.json)" = "$output" &&
	test "$(json_get total.changes <report-full.json)" = "$changes" &&
	grep "cache was not saved" err-full &&
	! grep -v -e "^filler$" -e "^numstat-v1.cache$" -e "^usage-.*\.cache$" \
		-e "^usage-.*\.dirs$" -e "^record-watermark$" -e "^survival" \
		-e "^review" ls-full &&
	test "$(json_get total.output <usage-free.json)" = "$output" &&
	test "$(json_get total.changes <report-free.json)" = "$changes"
'

test_expect_success 'clean up the shim' '
	rm -rf "$SHIM_DIR"
'

test_done
