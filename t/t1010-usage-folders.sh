#!/bin/sh

test_description='usage: a rerun lists only the log folders that changed'

. "$(dirname "$0")"/lib-tokens.sh

TRASH=$(pwd)
HOME=$TRASH
GIT_TOKENS_NOW=2026-11-30T00:00:00Z TZ=UTC
XDG_CACHE_HOME=$TRASH/cache CLAUDE_CONFIG_DIR=$TRASH/claude
CODEX_HOME=$TRASH/codex
export TRASH HOME GIT_TOKENS_NOW TZ XDG_CACHE_HOME CLAUDE_CONFIG_DIR \
	CODEX_HOME

P=claude/projects

# ev <folder under projects> <session> <id> <output tokens>: one Claude
# Code response.
ev () {
	mkdir -p $P/$1 &&
	cat >>$P/$1/$2.jsonl <<-EOF
	{"type":"assistant","cwd":"$TRASH/repo","sessionId":"$2","timestamp":"2026-11-20T10:00:00.000Z","requestId":"req_$3","message":{"model":"claude-sonnet-4-5","id":"$3","type":"message","role":"assistant","content":[],"usage":{"input_tokens":0,"output_tokens":$4}}}
	EOF
}

# u <name>: usage --all-repos --by day into <name>.json, what the walk
# did into <name>.walk; it must print what a run reading every log again
# prints, warnings included.
u () {
	(cd repo && GIT_TOKENS_DEBUG=1 git tokens usage --all-repos \
		--by day --format json >../$1.json 2>../$1.err) &&
	(cd repo && git tokens usage --all-repos --by day --format json \
		--no-cache >../$1.ref 2>../$1.ref-err) &&
	test_cmp $1.ref $1.json &&
	sed -n "s/^usage: claude-code: //p" $1.err >$1.walk &&
	sed "/^usage: /d" $1.err >$1.warn &&
	test_cmp $1.ref-err $1.warn
}

# walked <name> <listed> <as last time>
walked () {
	echo "$2 folders listed, $3 as last time" >expect.walk &&
	test_cmp expect.walk $1.walk
}

# A folder is kept only once its times are older than its listing by
# two seconds: an entry added within the same clock tick may leave
# them as they were. (So only a run after that shows the walk kept.)
settle () {
	sleep 3
}

test_expect_success 'setup' '
	git init -q repo &&
	ev -a s1 m1 1 &&
	ev -a s2 m2 2 &&
	ev -b s3 m3 4 &&
	ev -b/s3/subagents agent-x m4 8 &&
	settle
'

# projects, -a, -b, -b/s3, -b/s3/subagents
test_expect_success 'a rerun lists no folder that did not change' '
	u a1 &&
	walked a1 5 0 &&
	test "$(json_get total.output <a1.json)" = 15 &&
	test -f cache/git-tokens/usage-claude-code.dirs &&
	u a2 &&
	walked a2 0 5
'

test_expect_success 'a log that grew in a known folder counts' '
	ev -a s1 m5 16 &&
	u b1 &&
	walked b1 0 5 &&
	test "$(json_get total.output <b1.json)" = 31
'

test_expect_success 'a new log, a new subfolder, a log gone: found' '
	ev -a s4 m6 32 &&
	ev -b/s3/subagents agent-y m7 64 &&
	ev -c s5 m8 128 &&
	rm $P/-b/s3.jsonl &&
	u c1 &&
	test "$(json_get total.output <c1.json)" = 251 &&
	walked c1 5 1
'

test_expect_success 'a folder whose time is not yet two seconds old is listed again' '
	touch -d 2100-01-01 $P/-a &&
	settle &&
	u c2 &&
	u c3 &&
	walked c3 1 5 &&
	touch -d 2026-11-01 $P/-a &&
	settle &&
	u c4 &&
	u c5 &&
	walked c5 0 6
'

test_expect_success 'a folder reached through a symlink follows the link' '
	ev ../../elsewhere/one s6 m9 256 &&
	ev ../../elsewhere/two s7 m10 512 &&
	ln -s ../../elsewhere/one $P/-link &&
	settle &&
	u d1 &&
	test "$(json_get total.output <d1.json)" = 507 &&
	u d2 &&
	walked d2 1 6 &&
	ln -sfn ../../elsewhere/two $P/-link &&
	u d3 &&
	test "$(json_get total.output <d3.json)" = 763 &&
	rm $P/-link
'

test_expect_success 'a damaged folder list is listed again, and mended' '
	u e1 &&
	settle &&
	u e2 &&
	u e3 &&
	walked e3 0 6 &&
	printf "GTKDIRS1 not quite" >cache/git-tokens/usage-claude-code.dirs &&
	u e4 &&
	walked e4 6 0 &&
	u e5 &&
	walked e5 0 6 &&
	head -c 200 cache/git-tokens/usage-claude-code.dirs >cut &&
	mv cut cache/git-tokens/usage-claude-code.dirs &&
	u e6 &&
	walked e6 6 0 &&
	python3 - cache/git-tokens/usage-claude-code.dirs <<-\EOF &&
	import sys
	p = sys.argv[1]
	b = open(p, "rb").read()
	assert b"fs1.jsonl\0" in b
	open(p, "wb").write(b.replace(b"fs1.jsonl\0", b"f../s.txt\0"))
	EOF
	u e7 &&
	walked e7 6 0
'

test_expect_success '--no-cache keeps no folder list' '
	rm -rf cache &&
	(cd repo && git tokens usage --all-repos --no-cache >/dev/null) &&
	test_path_is_missing cache/git-tokens/usage-claude-code.dirs
'

test_done
