#!/bin/sh
# Benchmark: the post-commit hook with a year of Claude Code logs on the
# machine (goal: under 50 ms).
#
#	t/perf/p5000-post-commit.sh [<days> [<MiB of logs> [<commits>]]]
#
# Writes <days> days (365) of Claude Code transcripts, about <MiB> (600)
# in all, half of them for a throw-away repository and half for other
# projects; installs the hooks there; then <commits> (20) times appends
# a response to the current session, commits without hooks and runs the
# installed post-commit shim by itself, timing it. Prints the first run
# (cold: the usage cache is built) and the median, min and max of the
# others. The built git-tokens must be on PATH (or GIT_TOKENS=<binary>);
# the shims come from GIT_TOKENS_DATADIR, else from this source tree.
set -eu
days=${1:-365}
mib=${2:-600}
commits=${3:-20}
here=$(cd "$(dirname "$0")" && pwd)
work=${TMPDIR:-/tmp}/p5000.$$
mkdir -p "$work"
trap 'test -n "${KEEP:-}" || rm -rf "$work"' EXIT

if test -n "${GIT_TOKENS:-}"
then
	mkdir "$work/bin"
	ln -s "$GIT_TOKENS" "$work/bin/git-tokens"
	PATH=$work/bin:$PATH
fi
command -v git-tokens >/dev/null || { echo "git-tokens is not on PATH" >&2; exit 1; }
if test -z "${GIT_TOKENS_DATADIR:-}" || ! test -d "$GIT_TOKENS_DATADIR/hooks"
then
	mkdir "$work/data"
	for f in "$here/../../share"/*
	do
		ln -s "$f" "$work/data/"
	done
	ln -s "$here/../../hooks" "$work/data/hooks"
	GIT_TOKENS_DATADIR=$work/data
fi
HOME=$work/home
XDG_CACHE_HOME=$work/cache
CLAUDE_CONFIG_DIR=$work/claude
GIT_CONFIG_NOSYSTEM=1
export GIT_TOKENS_DATADIR HOME XDG_CACHE_HOME CLAUDE_CONFIG_DIR \
	GIT_CONFIG_NOSYSTEM
mkdir -p "$HOME"
unset GIT_DIR GIT_WORK_TREE GIT_AUTHOR_DATE GIT_COMMITTER_DATE

repo=$work/repo
git init -q "$repo"
git -C "$repo" config user.name "Bench Mark"
git -C "$repo" config user.email bench@example.com
# Half an hour ago: the year of logs ends before it; the benchmark's
# commits follow a minute apart.
base=$(($(date +%s) - 1800))
GIT_COMMITTER_DATE="$base +0000" GIT_AUTHOR_DATE="$base +0000" \
	git -C "$repo" commit -q --allow-empty -m base

echo "writing $days days of Claude Code logs (~$mib MiB)..."
python3 - "$CLAUDE_CONFIG_DIR" "$repo" "$days" "$mib" <<'PY'
import json, os, random, sys, time
root, repo, days, mib = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(5000)
now = int(time.time()) - 3600          # the year ends an hour ago
start = now - days * 86400
words = ("refactor the parser so that streaming reads skip records that carry "
         "no usage and keep the largest usage per response id").split()
text = " ".join(rnd.choice(words) for _ in range(3000))
target = mib << 20
sessions = max(2 * days, 1)
per = target // sessions
written = 0
for s in range(sessions):
    cwd = repo if s % 2 == 0 else "/home/u/src/other-%d" % (s % 7)
    proj = os.path.join(root, "projects", cwd.replace("/", "-"))
    os.makedirs(proj, exist_ok=True)
    sid = "%08x-0000-4000-8000-%012x" % (s, s)
    t = start + s * (days * 86400 // sessions)
    size = 0
    n = 0
    with open(os.path.join(proj, sid + ".jsonl"), "w") as f:
        while size < per:
            n += 1
            t += rnd.randrange(5, 90)
            ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))
            env = {"parentUuid": None, "isSidechain": False,
                   "userType": "external", "cwd": cwd, "sessionId": sid,
                   "version": "2.1.39", "gitBranch": "main", "timestamp": ts}
            u = dict(env, type="user", message={"role": "user",
                     "content": text[:rnd.randrange(200, 4000)]})
            line = json.dumps(u) + "\n"
            f.write(line); size += len(line)
            mid = "msg_%d_%d" % (s, n)
            for b, out in enumerate((10, 10, rnd.randrange(50, 3000))):
                a = dict(env, type="assistant", requestId="req_%d_%d" % (s, n),
                         message={"model": "claude-sonnet-4-5", "id": mid,
                                  "type": "message", "role": "assistant",
                                  "content": [{"type": "text", "text":
                                               text[:rnd.randrange(100, 2000)]}],
                                  "usage": {"input_tokens": 3,
                                            "output_tokens": out,
                                            "cache_creation_input_tokens": 500,
                                            "cache_read_input_tokens": 40000}})
                line = json.dumps(a) + "\n"
                f.write(line); size += len(line)
    # A file was last written when its last line was, as on a real disk.
    os.utime(os.path.join(proj, sid + ".jsonl"), (t, t))
    written += size
print("wrote %d sessions, %.0f MiB" % (sessions, written / 1048576.0))
PY

cd "$repo"
git tokens hooks install -q
PYTHONPATH=$here python3 - "$CLAUDE_CONFIG_DIR" "$repo" "$commits" <<'PY'
import statistics, sys
from lib_hook import hook_rounds
times, _ = hook_rounds(sys.argv[1], sys.argv[2], int(sys.argv[3]))
warm = times[1:]
print("post-commit hook, first run (cold cache): %.1f ms" % times[0])
print("post-commit hook, median of %d: %.1f ms (min %.1f, max %.1f)"
      % (len(warm), statistics.median(warm), min(warm), max(warm)))
PY
