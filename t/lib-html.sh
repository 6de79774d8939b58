# Helpers of the HTML report tests (t80xx): commits, hook notes, and a
# headless Chromium. The pages are made at a fixed now, in UTC, with
# the cache in the trash directory.

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
TZ=UTC
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME TZ

test -x /usr/bin/chromium && test_set_prereq CHROMIUM

# commit_on <date> <name> <email> <file> <lines>: add lines, commit.
commit_on () {
	printf "%s\n" $5 >>"$4" &&
	git add "$4" &&
	GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" \
	GIT_AUTHOR_NAME=$2 GIT_AUTHOR_EMAIL=$3 git commit -q -m "edit $4"
}

# usage_note <tool> <model> <output> <cost>: a hook note on HEAD.
usage_note () {
	git notes --ref=tokens add -f -m "{\"v\":1,\"tool\":\"$1\",\"model\":\"$2\",\"session\":\"0123456789ab\",\"from\":\"2024-11-18T08:00:00Z\",\"to\":\"2024-11-18T08:30:00Z\",\"requests\":1,\"input\":10,\"output\":$3,\"cache_write\":0,\"cache_read\":0,\"cost_usd\":$4,\"by\":\"x@example.com\",\"how\":\"hook\"}" HEAD
}

# headless <args>...: Chromium without a network, a profile of its own.
headless () {
	rm -rf profile &&
	mkdir profile &&
	timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--disable-dev-shm-usage --user-data-dir="$(pwd)/profile" "$@"
}
