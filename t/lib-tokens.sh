# Shared set-up for git-tokens' sharness scripts. Each t[0-9]*.sh starts
#
#	test_description='...'
#	. "$(dirname "$0")"/lib-tokens.sh
#
# and runs from any directory, under prove or "make check".

TEST_SRCDIR=$(cd "$(dirname "$0")" && pwd)
export TEST_SRCDIR
# Trash directories go beside the build, never into a read-only source tree.
: "${SHARNESS_TEST_OUTDIR:=$TEST_SRCDIR}"
SHARNESS_TEST_DIRECTORY=$SHARNESS_TEST_OUTDIR
export SHARNESS_TEST_DIRECTORY
: "${SHARNESS_BUILD_DIRECTORY:=$TEST_SRCDIR/..}"
export SHARNESS_BUILD_DIRECTORY
: "${GIT_TOKENS_DATADIR:=$TEST_SRCDIR/../share}"
export GIT_TOKENS_DATADIR
: "${SHARNESS_LIB:=/usr/share/sharness/sharness.sh}"
mkdir -p "$SHARNESS_TEST_DIRECTORY"

if ! test -x "$SHARNESS_BUILD_DIRECTORY/git-tokens"; then
	echo "Bail out! no git-tokens binary in $SHARNESS_BUILD_DIRECTORY (build first)"
	exit 1
fi

# Hermetic git, as git's own test-lib does it.
GIT_CONFIG_NOSYSTEM=1
GIT_ATTR_NOSYSTEM=1
GIT_AUTHOR_NAME='A U Thor'
GIT_AUTHOR_EMAIL='author@example.com'
GIT_COMMITTER_NAME='C O Mitter'
GIT_COMMITTER_EMAIL='committer@example.com'
GIT_MERGE_VERBOSITY=5
# Days, weeks and printed times are in the local zone: UTC unless a
# test says otherwise.
TZ=UTC
GIT_TOKENS_NOW=
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_PAGER \
	GIT_TOKENS_NOW CLAUDE_CONFIG_DIR CODEX_HOME XDG_CONFIG_HOME \
	XDG_CACHE_HOME XDG_DATA_HOME NO_COLOR GITHUB_TOKEN GH_TOKEN \
	GITLAB_TOKEN CI_JOB_TOKEN ANTHROPIC_ADMIN_KEY OPENAI_ADMIN_KEY \
	GITHUB_ACTIONS GITLAB_CI CI
export GIT_CONFIG_NOSYSTEM GIT_ATTR_NOSYSTEM GIT_AUTHOR_NAME \
	GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL \
	GIT_MERGE_VERBOSITY TZ

if ! test -f "$SHARNESS_LIB"
then
	echo "Bail out! sharness not found: apt-get install sharness" \
		"(or set SHARNESS_LIB to its sharness.sh)"
	exit 1
fi
. "$SHARNESS_LIB"

# Never discover the repository the tests themselves live in (a build
# directory inside a clone): as git's test-lib, stop above the trash.
GIT_CEILING_DIRECTORIES=$(dirname "$SHARNESS_TRASH_DIRECTORY")
export GIT_CEILING_DIRECTORIES

git config --global init.defaultBranch main
git config --global advice.detachedHead false

# Fixed dates that advance 60 s a call (git's test_tick).
test_tick () {
	if test -z "${test_tick+set}"
	then
		test_tick=1731920000   # 2024-11-18T08:53:20Z
	else
		test_tick=$(($test_tick + 60))
	fi
	GIT_COMMITTER_DATE="$test_tick +0000"
	GIT_AUTHOR_DATE="$test_tick +0000"
	export GIT_COMMITTER_DATE GIT_AUTHOR_DATE
}

# test_commit <message> [<file> [<contents>]]: add or append, commit, and
# tag the commit <message> when that is a valid tag name.
test_commit () {
	file=${2:-"$1.t"}
	mkdir -p "$(dirname "$file")" &&
	if test $# -ge 3
	then
		printf '%s\n' "$3" >>"$file"
	else
		printf '%s\n' "$1" >>"$file"
	fi &&
	git add -- "$file" &&
	test_tick &&
	git commit -q -m "$1" &&
	{ git tag -f "$1" >/dev/null 2>&1 || :; }
}

# Sum the added and deleted columns of git log --numstat over text files.
numstat_totals () {
	git log --numstat -M --no-merges --format= "$@" |
	awk -F'\t' '$1 != "-" && NF >= 3 { a += $1; d += $2 } END { printf "%d %d\n", a, d }'
}

# Extract a number from JSON with python3 (always present where tests run).
json_get () {
	python3 -c 'import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    d = d[int(k)] if k.lstrip("-").isdigit() else d[k]
print(json.dumps(d) if isinstance(d,(dict,list)) or d is None else d)' "$1"
}

# check_usage <usage --format json output> <expect.json>...: the rows,
# one a day, are exactly the sum of the expected days.
check_usage () {
	python3 - "$@" <<-\PY
	import json, sys
	got = json.load(open(sys.argv[1]))
	want = {}
	for p in sys.argv[2:]:
	    for day, w in json.load(open(p)).items():
	        if day in want:
	            for k in w:
	                if None in (want[day][k], w[k]):
	                    want[day][k] = None
	                else:
	                    want[day][k] += w[k]
	        else:
	            want[day] = w
	rows = {r["key"]: r for r in got["rows"]}
	assert sorted(rows) == sorted(want), (sorted(rows), sorted(want))
	for day, w in want.items():
	    r = rows[day]
	    for k in ("requests", "input", "output", "cache_write", "cache_read"):
	        assert r[k] == w[k], (day, k, r[k], w[k])
	    if w["cost_usd"] is None:
	        assert r["cost_usd"] is None, (day, r, w)
	    else:
	        assert abs(r["cost_usd"] - w["cost_usd"]) < 1e-6, (day, r, w)
	PY
}

# test_line_count <op> <n> <file>: as git's ("test_line_count = 3 out").
test_line_count () {
	test "$(wc -l <"$3" | tr -d " ")" "$1" "$2" ||
	{ echo "$3 has $(wc -l <"$3") lines, expected $1 $2"; cat "$3"; false; }
}

# test_path_is_missing <path>: neither a file nor a (dangling) symlink.
test_path_is_missing () {
	! test -e "$1" && ! test -h "$1"
}

# dir_snapshot <dir>: what a folder holds: names, types, modes, sizes,
# link targets, bytes.
dir_snapshot () {
	(cd "$1" && find . -printf '%y %m %s %p -> %l\n' | LC_ALL=C sort &&
	 find . -type f -print | LC_ALL=C sort | while IFS= read -r f
	 do
		printf '%s ' "$f" && cksum <"$f"
	 done)
}

# markdown_safe <file>: as GitHub reads the markdown in file, every table
# row has its header's cells, no "@" is outside a code span (a mention),
# and "<!--" is only on the first line (the comment's marker), if at all.
markdown_safe () {
	python3 - "$1" <<-\PY
	import re, sys
	text = open(sys.argv[1], encoding="utf-8").read()
	def cells(line):
	    return len(re.findall(r"(?<!\\)\|", line))
	header = None
	for line in text.split("\n"):
	    if not line.startswith("|"):
	        header = None
	    elif header is None:
	        header = cells(line)
	    elif cells(line) != header:
	        sys.exit("cells differ from the header: " + line)
	# Code spans as CommonMark finds them: a run of n backticks up to
	# the next run of exactly n.
	out, i = [], 0
	while i < len(text):
	    m = re.compile(r"`+").search(text, i)
	    if not m:
	        out.append(text[i:]); break
	    out.append(text[i:m.start()])
	    close = re.compile(r"(?<!`)" + "`" * len(m.group()) + r"(?!`)")
	    c = close.search(text, m.end())
	    if not c:
	        out.append(m.group()); i = m.end(); continue
	    i = c.end()
	bare = "".join(out)
	if "@" in bare:
	    sys.exit("a mention outside code: " + bare[bare.index("@") - 20:][:60])
	if "<!--" in bare.split("\n", 1)[-1]:
	    sys.exit("a comment marker in the text")
	PY
}

# commit_at <time> <name> [<lines>]: commit a new file <name>.t at that
# time (author and committer), holding <name>, or <lines> lines "1".."n".
commit_at () {
	if test $# -ge 3
	then
		seq "$3" >"$2.t"
	else
		echo "$2" >"$2.t"
	fi &&
	git add "$2.t" &&
	GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" git commit -q -m "$2"
}

# record_commit_at <repo> <time> <name> <now>: commit_at <time> <name>
# in <repo>, then "git tokens record" at <now>, as the post-commit hook
# runs it: its stderr in err, the commit's note in note.
record_commit_at () {
	(
		cd "$1" &&
		commit_at "$2" "$3" &&
		GIT_TOKENS_NOW=$4 git tokens record 2>../err &&
		git notes --ref=tokens show HEAD >../note
	)
}

# claude_ev <session> <msg-id> <time> <input> <output> [<cache write>
# [<cache read> [<work tree>]]]: one response of claude-sonnet-4-5 ($3
# in, $15 out per million), appended to the Claude Code transcript
# claude/projects/-<work tree>/<session>.jsonl, logged from
# $TRASH/<work tree> (default "repo"). The response holds
# $CLAUDE_EV_CONTENT (content blocks; default one text block, "ok");
# with $CLAUDE_EV_PROMPT set, a user line with that prompt comes first.
claude_ev () {
	claude_content=${CLAUDE_EV_CONTENT-'{"type":"text","text":"ok"}'} &&
	mkdir -p "claude/projects/-${8:-repo}" &&
	if test -n "${CLAUDE_EV_PROMPT:-}"
	then
		cat <<-EOF
		{"type":"user","cwd":"$TRASH/${8:-repo}","sessionId":"$1","timestamp":"$3","message":{"role":"user","content":"$CLAUDE_EV_PROMPT"}}
		EOF
	fi >>"claude/projects/-${8:-repo}/$1.jsonl" &&
	cat >>"claude/projects/-${8:-repo}/$1.jsonl" <<-EOF
	{"type":"assistant","cwd":"$TRASH/${8:-repo}","sessionId":"$1","version":"2.1.39","timestamp":"$3","requestId":"req_$2","message":{"model":"claude-sonnet-4-5","id":"$2","type":"message","role":"assistant","content":[$claude_content],"usage":{"input_tokens":$4,"output_tokens":$5,"cache_creation_input_tokens":${6:-0},"cache_read_input_tokens":${7:-0}}}}
	EOF
}

# request_origin <head ref> <note>: origin.git, whose main holds the
# commit "base" and whose branch feat ("one", then "two" with the note)
# is pushed as <head ref> too (refs/pull/5/head), with the notes; dev/
# is the clone that made it. Sets B and H (base and head).
request_origin () {
	git init -q --bare origin.git &&
	git clone -q origin.git dev 2>/dev/null &&
	(
		cd dev &&
		test_commit base base.t &&
		git push -q origin HEAD:main &&
		git checkout -q -b feat &&
		test_commit one feat.t &&
		test_commit two feat.t &&
		git notes --ref=tokens add -m "$2" HEAD &&
		git push -q origin feat feat:"$1" refs/notes/tokens
	) &&
	B=$(git -C dev rev-parse base) &&
	H=$(git -C dev rev-parse two)
}

# merge_checkout <dir>: what a pull_request job checks out, the test
# merge of origin/feat into origin/main, cloned into <dir>. Sets M.
merge_checkout () {
	git clone -q origin.git "$1" &&
	(
		cd "$1" &&
		git checkout -q --detach origin/main &&
		test_tick &&
		git merge -q --no-ff -m "Merge $H" origin/feat
	) &&
	M=$(git -C "$1" rev-parse HEAD) &&
	test_must_fail git -C "$1" rev-parse -q --verify refs/notes/tokens
}

# pr_event <file> <number> <base sha> <head sha>: a GitHub pull_request
# event of acme/widget.
pr_event () {
	printf '{"action":"synchronize","number":%s,"pull_request":{"number":%s,"head":{"sha":"%s","ref":"feat","repo":{"full_name":"acme/widget"}},"base":{"sha":"%s","ref":"main","repo":{"full_name":"acme/widget"}}}}\n' \
		"$2" "$2" "$4" "$3" >"$1"
}

# gitlab_srv <dir> <timeout>: the loopback GitLab of merge request !3 of
# project 7, whose token is the bot project_7_bot_1, started on <dir>
# (t/lib-httpd.py; sets HTTPD_URL). The notes thread is at $P.
gitlab_srv () {
	mkdir "$1" &&
	{
		printf "200\nContent-Type: application/json\n\n" &&
		echo "{\"id\":77,\"username\":\"project_7_bot_1\"}"
	} >"$1"/user &&
	echo "/api/v4/user - user" >"$1"/routes &&
	echo "$P $P/ 2" >"$1"/threads &&
	echo "{\"username\":\"project_7_bot_1\"}" >"$1"/whoami &&
	HTTPD_URL=$(python3 "$TEST_SRCDIR/lib-httpd.py" --start \
		--timeout "$2" "$1")
}

# The scripted HTTP server on 127.0.0.1 (t/lib-httpd.py): start_httpd
# <dir> sets HTTPD_URL; the requests it answered go to <dir>/requests.log.
start_httpd () {
	HTTPD_URL=$(python3 "$TEST_SRCDIR/lib-httpd.py" --start --timeout 120 \
		"$1")
}

stop_httpd () {
	python3 "$TEST_SRCDIR/lib-httpd.py" --stop "$1"
}

# log_lines: how many requests the server in srv/ has logged.
log_lines () {
	if test -f srv/requests.log
	then
		wc -l <srv/requests.log | tr -d " "
	else
		echo 0
	fi
}

# usage_matches <usage.json> <expect.json>...: the rows of
# "git tokens usage --format json" (by day) are the per-day sums of the
# expect files ({day: {requests, input, output, cache_write, cache_read,
# cost_usd}}; cost_usd null when unpriced), to the token and the cent.
usage_matches () {
	python3 - "$@" <<-\PY
	import json, sys
	got = json.load(open(sys.argv[1]))
	want = {}
	for p in sys.argv[2:]:
	    for day, w in json.load(open(p)).items():
	        d = want.setdefault(day, dict.fromkeys(w, 0))
	        for k in w:
	            d[k] = None if None in (d[k], w[k]) else d[k] + w[k]
	rows = {r["key"]: r for r in got["rows"]}
	assert sorted(rows) == sorted(want), (sorted(rows), sorted(want))
	for day, w in want.items():
	    r = rows[day]
	    for k in ("requests", "input", "output", "cache_write", "cache_read"):
	        assert r[k] == w[k], (day, k, r[k], w[k])
	    if w["cost_usd"] is None:
	        assert r["cost_usd"] is None, (day, r)
	    else:
	        assert abs(r["cost_usd"] - w["cost_usd"]) < 1e-6, (day, r, w)
	PY
}
