#!/bin/sh
#
# p1010-all-sources: git tokens with the logs of every assistant it reads
# on the machine at once, against a Claude Code corpus of the same size.
# Checks the totals per tool against what the generators wrote, then
# measures, the commands taking turns round after round:
#
#  - "usage" cold (--no-cache): time per byte over every source, as a
#    ratio to the time per byte over the Claude-only corpus (goal: no
#    slower, a ratio <= 1);
#  - "usage" again with no new data (goal: under 50 ms), and as a ratio
#    to "git-tokens --version", the start-up alone;
#  - the post-commit hook, as p5000-post-commit.sh runs it, with every
#    source present (goal: a median under 25 ms).
#
# Run on demand (not part of "make check"):
#
#	t/perf/p1010-all-sources.sh [<build dir>]
#
# Environment: PERF_DIR (corpora, default /tmp/git-tokens-p1010),
# PERF_MIB (MiB per source, default 4), PERF_RUNS (rounds, default 5, at
# least 3), PERF_COMMITS (hook runs, default 10). Needs python3 and
# sqlite3's Python module; runs under nice, the machine may be shared.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../..}
bin=$(cd "$build" && pwd)/git-tokens
test -x "$bin" || { echo "no git-tokens in $build" >&2; exit 1; }
dir=${PERF_DIR:-/tmp/git-tokens-p1010}
mib=${PERF_MIB:-4}
runs=${PERF_RUNS:-5}
commits=${PERF_COMMITS:-10}

# Hermetic: only the corpora, private caches, UTC days, no pager, no
# other folder named by a source's variable.
unset GIT_TOKENS_NOW XDG_DATA_HOME XDG_CONFIG_HOME CODEX_HOME \
	CODEX_EXEC_LOG_DIR GEMINI_CLI_HOME AMP_DATA_DIR QWEN_DATA_DIR \
	KIMI_DATA_DIR KIMI_CODE_HOME DROID_SESSIONS_DIR CONTINUE_GLOBAL_DIR \
	GOOSE_PATH_ROOT CRUSH_GLOBAL_DATA KILO_DATA_DIR \
	COPILOT_OTEL_FILE_EXPORTER_PATH GIT_DIR GIT_WORK_TREE \
	GIT_AUTHOR_DATE GIT_COMMITTER_DATE
TZ=UTC
GIT_CONFIG_NOSYSTEM=1
export TZ GIT_CONFIG_NOSYSTEM

# The hook finds git-tokens on PATH and its shims in the data folder.
mkdir -p "$dir/bin" "$dir/data"
ln -sf "$bin" "$dir/bin/git-tokens"
PATH=$dir/bin:$PATH
for f in "$here/../../share"/*
do
	ln -sfn "$f" "$dir/data/"
done
ln -sfn "$here/../../hooks" "$dir/data/hooks"
GIT_TOKENS_DATADIR=$dir/data
export PATH GIT_TOKENS_DATADIR

# use <all|claude>: that corpus's home
use () {
	HOME=$dir/$1/home
	XDG_CACHE_HOME=$dir/$1/cache
	CLAUDE_CONFIG_DIR=$HOME/.claude
	export HOME XDG_CACHE_HOME CLAUDE_CONFIG_DIR
}

# bytes <folder>: the bytes of the logs under it (a repository's own
# files left out, but for what "git tokens import" keeps there)
bytes () {
	python3 - "$1" <<-\PY
	import os, sys
	n = 0
	for root, dirs, files in os.walk(sys.argv[1]):
	    if root.endswith("/.git"):
	        dirs[:] = [d for d in dirs if d == "tokens"]
	        continue
	    n += sum(os.path.getsize(os.path.join(root, f)) for f in files
	             if f not in ("expected-tools.json", "sizes.json",
	                          ".gitconfig"))
	print(n)
	PY
}

# date_claude <config dir>: its transcripts dated the day after the
# corpus's last, as on a disk where they were written then (the
# post-commit hook skips what was written long before the commit)
date_claude () {
	python3 - "$1" <<-\PY
	import calendar, json, os, sys, time
	d = sys.argv[1]
	last = max(json.load(open(d + "/expected.json")))
	t = calendar.timegm(time.strptime(last, "%Y-%m-%d")) + 86400
	for root, _, files in os.walk(d + "/projects"):
	    for f in files:
	        os.utime(os.path.join(root, f), (t, t))
	PY
}

if test "$(cat "$dir/params" 2>/dev/null)" != "$mib"
then
	rm -rf "$dir/all" "$dir/claude"
	echo "generating every source, $mib MiB each, under $dir/all"
	use all
	mkdir -p "$HOME/proj"
	git init -q "$HOME/proj"
	nice python3 "$here/gen-all-sources.py" "$HOME" "$HOME/proj" \
		--mib "$mib"
	nice python3 "$here/gen-claude-corpus.py" "$CLAUDE_CONFIG_DIR" \
		--mib "$mib" --files $((5 * mib))
	date_claude "$CLAUDE_CONFIG_DIR"
	total=$(bytes "$HOME")
	echo "generating a Claude Code corpus of the same size"
	use claude
	mkdir -p "$HOME/proj"
	git init -q "$HOME/proj"
	nice python3 "$here/gen-claude-corpus.py" "$CLAUDE_CONFIG_DIR" \
		--mib $(((total + 524288) / 1048576)) --files $((100 * mib))
	date_claude "$CLAUDE_CONFIG_DIR"
	echo "$mib" >"$dir/params"
fi
use all
# what an earlier run's hook benchmark appended is not the generators'
rm -f "$CLAUDE_CONFIG_DIR/projects/$(echo "$HOME/proj" | tr / -)/"\
bench-now.jsonl
all_bytes=$(bytes "$HOME")
use claude
claude_bytes=$(bytes "$HOME")
echo "corpora: every source $((all_bytes / 1048576)) MiB," \
	"Claude Code only $((claude_bytes / 1048576)) MiB"

# Totals per tool: every tool of the all-sources corpus, and the Claude
# one alone, against their generators'.
status=0
for c in all claude
do
	use $c
	(cd "$HOME/proj" &&
	 nice "$bin" usage --all-repos --by tool --format=json --no-cache \
		>"$dir/$c.json" 2>"$dir/$c.err") || status=1
	python3 - "$HOME" "$dir/$c.json" "$c" <<-\PY || status=1
	import json, os, sys
	home, out, name = sys.argv[1:4]
	p = os.path.join(home, "expected-tools.json")
	want = json.load(open(p)) if os.path.exists(p) else {}
	claude = want.setdefault("claude-code", dict(
	    input=0, output=0, cache_write=0, cache_read=0, cost_usd=0.0))
	for day in json.load(open(home + "/.claude/expected.json")).values():
	    for k in ("input", "output", "cache_write", "cache_read"):
	        claude[k] += day[k]
	got = {r["key"]: r for r in json.load(open(out))["rows"]}
	bad = []
	for tool in sorted(set(want) | set(got)):
	    w, g = want.get(tool, {}), got.get(tool, {})
	    for k in ("input", "output", "cache_write", "cache_read"):
	        if g.get(k) != w.get(k):
	            bad.append("%s %s: got %s, wrote %s" % (tool, k, g.get(k),
	                                                    w.get(k)))
	    # a recorded cost is kept as the log gives it
	    if w.get("cost_usd") and \
	            abs((g.get("cost_usd") or 0) - w["cost_usd"]) > 1e-6 * \
	            w["cost_usd"]:
	        bad.append("%s cost: got %s, wrote %s" % (
	            tool, g.get("cost_usd"), w["cost_usd"]))
	print("%s vs generators: %d tools, %d mismatches" % (
	    name, len(want), len(bad)))
	for b in bad:
	    print("  " + b)
	sys.exit(1 if bad else 0)
	PY
done
test $status = 0 || exit 1

# Timings. Each figure is the median of its rounds, each ratio the
# median of the rounds' ratios (a drift in the machine's speed hits the
# commands of a round alike).
use all
(cd "$HOME/proj" && "$bin" usage --all-repos --format=json >/dev/null)
nice python3 - "$runs" "$bin" "$dir" "$all_bytes" "$claude_bytes" <<-\PY ||
import os, statistics, subprocess, sys, time
runs, gt, d = max(3, int(sys.argv[1])), sys.argv[2], sys.argv[3]
size = {"all": int(sys.argv[4]), "claude": int(sys.argv[5])}
usage = [gt, "usage", "--all-repos", "--format=json"]
def env(c):
    home = "%s/%s/home" % (d, c)
    return dict(os.environ, HOME=home, XDG_CACHE_HOME="%s/%s/cache" % (d, c),
                CLAUDE_CONFIG_DIR=home + "/.claude"), home + "/proj"
cmds = [("cold all", usage + ["--no-cache"], "all"),
        ("cold claude", usage + ["--no-cache"], "claude"),
        ("rerun all", usage, "all"),
        ("--version", [gt, "--version"], "all")]
t = {name: [] for name, _, _ in cmds}
for r in range(runs + 1):
    for name, argv, c in cmds:
        e, cwd = env(c)
        start = time.monotonic()
        # the check above kept the warnings (models with no price)
        subprocess.run(argv, env=e, cwd=cwd, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if r:   # the first round warms up
            t[name].append(time.monotonic() - start)
def ratio(a, b):
    return statistics.median(x / y for x, y in zip(t[a], t[b]))
print("%d rounds, medians:" % runs)
for name, _, c in cmds:
    print("  %-12s %8.1f ms" % (name, statistics.median(t[name]) * 1e3) +
          ("  %6.1f ms/MiB" % (statistics.median(t[name]) * 1e3 * 1048576 /
                               size[c]) if name.startswith("cold") else ""))
per_byte = statistics.median(
    (a / size["all"]) / (b / size["claude"])
    for a, b in zip(t["cold all"], t["cold claude"]))
rerun = statistics.median(t["rerun all"])
print("cold, time per byte, every source / Claude Code only: %.2fx"
      " (goal <= 1: %s)" % (per_byte, "met" if per_byte <= 1 else "NOT met"))
print("rerun with no new data: %.1f ms, %.2fx --version (goal under 50 ms:"
      " %s)" % (rerun * 1e3, ratio("rerun all", "--version"),
                "met" if rerun < 0.050 else "NOT met"))
sys.exit(0 if per_byte <= 1 and rerun < 0.050 else 1)
PY
status=1

# Each source alone (tokens.sources), to tell which one costs what: cold
# and rerun medians, and the cold time past start-up ("--version") per
# MiB of that source's logs.
(cd "$HOME/proj" &&
 nice python3 - "$runs" "$bin" "$HOME" <<-\PY) || status=1
import json, os, statistics, subprocess, sys, time
runs, gt, home = max(3, int(sys.argv[1])), sys.argv[2], sys.argv[3]
sizes = json.load(open(home + "/sizes.json"))
sizes["claude-code"] = sum(
    os.path.getsize(os.path.join(r, f))
    for r, _, fs in os.walk(home + "/.claude") for f in fs
    if f != "expected.json")
def median_ms(argv):
    t = []
    for r in range(runs + 1):
        start = time.monotonic()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        if r:
            t.append(time.monotonic() - start)
    return statistics.median(t) * 1e3
usage = [gt, "usage", "--all-repos", "--format=json"]
try:
    rows = []
    for source in sorted(sizes):
        subprocess.run(["git", "config", "tokens.sources", source],
                       check=True)
        v = median_ms([gt, "--version"])
        cold = median_ms(usage + ["--no-cache"])
        warm = median_ms(usage)
        rows.append((max(cold - v, 0) * 1048576 / sizes[source], source,
                     sizes[source], cold, warm, v))
finally:
    subprocess.run(["git", "config", "--unset", "tokens.sources"])
print("each source alone, slowest per byte first:")
print("  %-12s %6s %9s %9s %14s" % ("source", "MiB", "cold ms", "rerun ms",
                                    "cold-start/MiB"))
for per, source, size, cold, warm, v in sorted(rows, reverse=True):
    print("  %-12s %6.1f %9.1f %9.1f %11.1f ms" % (
        source, size / 1048576, cold, warm, per))
PY

# The post-commit hook, as p5000-post-commit.sh runs it (lib_hook.py):
# a response appended to the current Claude Code session, a commit made
# without hooks, the installed shim run by itself and timed, the note
# checked.
repo=$HOME/proj
# A new history each run, as in p5000 (an earlier run's commits, a
# minute apart, may reach past now); what "import" keeps stays.
mv "$repo/.git/tokens/imported.jsonl" "$dir/imported.jsonl"
rm -rf "$repo/.git"
git init -q "$repo"
git -C "$repo" config user.name "Bench Mark"
git -C "$repo" config user.email bench@example.com
mkdir -p "$repo/.git/tokens"
mv "$dir/imported.jsonl" "$repo/.git/tokens/imported.jsonl"
# Half an hour ago: the logs end before it; the commits follow a
# minute apart.
base=$(($(date +%s) - 1800))
GIT_COMMITTER_DATE="$base +0000" GIT_AUTHOR_DATE="$base +0000" \
	git -C "$repo" commit -q --allow-empty -m base
(cd "$repo" && git tokens hooks install -q)
cd "$repo"
PYTHONPATH=$here nice python3 - "$CLAUDE_CONFIG_DIR" "$repo" "$commits" \
	"$bin" <<-\PY ||
import statistics, sys
from lib_hook import hook_rounds
times, start = hook_rounds(sys.argv[1], sys.argv[2], int(sys.argv[3]),
                           sys.argv[4])
warm = times[1:]
med = statistics.median(warm)
print("post-commit hook, every source: first run %.1f ms; median of %d:"
      " %.1f ms (min %.1f, max %.1f), %.2fx --version (goal under 25 ms:"
      " %s)" % (times[0], len(warm), med, min(warm), max(warm),
                statistics.median(a / b for a, b in zip(warm, start[1:])),
                "met" if med < 25 else "NOT met"))
sys.exit(0 if med < 25 else 1)
PY
status=1
exit $status
