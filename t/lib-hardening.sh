# Helpers shared by the hardening tests (t96xx): hostile input, faults,
# concurrency, secrets. Source it after lib-tokens.sh.

TRASH=$(pwd)
GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$TRASH/cache
HOME=$TRASH
CLAUDE_CONFIG_DIR=$TRASH/claude
CODEX_HOME=$TRASH/codex
TZ=UTC
export TRASH GIT_TOKENS_NOW XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR \
	CODEX_HOME TZ

# claude_rec <cwd> <session> <msg-id> <time> <input> <output>: one
# Claude Code response as its log line, with a prompt and a path that
# must never leave the machine.
claude_rec () {
	printf '{"type":"user","cwd":"%s","sessionId":"%s","timestamp":"%s","message":{"role":"user","content":"SENTINEL-PROMPT edit /home/someone/SENTINEL-FILE.c"}}\n' \
		"$1" "$2" "$4" &&
	printf '{"type":"assistant","cwd":"%s","sessionId":"%s","timestamp":"%s","requestId":"req_%s","message":{"model":"claude-sonnet-4-5","id":"%s","type":"message","role":"assistant","content":[{"type":"text","text":"SENTINEL-ANSWER"}],"usage":{"input_tokens":%s,"output_tokens":%s,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}\n' \
		"$1" "$2" "$4" "$3" "$3" "$5" "$6"
}

# note_requests [<ref>]: the sum of "requests" over every note line of
# the notes ref (default refs/notes/tokens), as git itself reads them.
note_requests () {
	ref=${1:-refs/notes/tokens}
	git notes --ref="$ref" list |
	while read -r blob commit
	do
		git notes --ref="$ref" show "$commit"
	done >note-dump.tmp &&
	python3 -c 'import json,sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if line.startswith("{"):
        n += json.loads(line).get("requests", 0)
print(n)' note-dump.tmp
}

# Every note line of every commit, one a line, sorted (duplicates kept).
note_all_lines () {
	ref=${1:-refs/notes/tokens}
	git notes --ref="$ref" list |
	while read -r blob commit
	do
		git notes --ref="$ref" show "$commit"
	done | sort
}

# The installed layout, so that "hooks install" finds its shims in
# <datadir>/hooks (as t5000 does it).
use_installed_datadir () {
	mkdir -p "$TRASH/datadir" &&
	for f in "$GIT_TOKENS_DATADIR"/*
	do
		ln -s "$f" "$TRASH/datadir/" || return 1
	done &&
	ln -s "$TEST_SRCDIR/../hooks" "$TRASH/datadir/hooks" &&
	GIT_TOKENS_DATADIR=$TRASH/datadir &&
	export GIT_TOKENS_DATADIR
}
