#!/bin/sh
#
# p1000-usage: git tokens usage on a 1 GiB Claude Code corpus, against
# the generator's own totals and ccusage's, with timings as ratios to
# the floor, "wc -l" of every file, and to ccusage. Run on demand (not
# part of "make check"):
#
#	t/perf/p1000-usage.sh [<build dir>]
#
# Environment: PERF_DIR (corpus, default /tmp/git-tokens-perf), PERF_MIB
# (default 1100), PERF_FILES (default 2000), PERF_RUNS (rounds, default
# 10, at least 3), CCUSAGE (command, default "ccusage" else "npx -y
# ccusage@17"; "false" skips it). Needs python3; ccusage is optional.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../..}
bin=$(cd "$build" && pwd)/git-tokens
test -x "$bin" || { echo "no git-tokens in $build" >&2; exit 1; }
dir=${PERF_DIR:-/tmp/git-tokens-perf}
mib=${PERF_MIB:-1100}
files=${PERF_FILES:-2000}
runs=${PERF_RUNS:-10}
if test -z "${CCUSAGE:-}"
then
	if command -v ccusage >/dev/null
	then
		CCUSAGE=ccusage
	else
		# 17 is plain JavaScript; later ones need a native part
		CCUSAGE="npx -y ccusage@17"
	fi
fi

mkdir -p "$dir"
if ! test -f "$dir/expected.json" ||
   test "$(cat "$dir/params" 2>/dev/null)" != "$mib $files"
then
	echo "generating $mib MiB in about $files files under $dir"
	python3 "$here/gen-claude-corpus.py" "$dir" --mib "$mib" --files "$files"
	echo "$mib $files" >"$dir/params"
fi
echo "corpus: $(find "$dir/projects" -name '*.jsonl' | wc -l) files," \
	"$(du -sm "$dir/projects" | cut -f1) MiB"

# Hermetic: only the corpus, a private cache, UTC days, no pager.
export CLAUDE_CONFIG_DIR="$dir" XDG_CACHE_HOME="$dir/cache" TZ=UTC
export CODEX_HOME="$dir/no-codex" HOME="$dir/home"
export GIT_TOKENS_DATADIR="${GIT_TOKENS_DATADIR:-$here/../../share}"
test -f "$GIT_TOKENS_DATADIR/prices.json" ||
	GIT_TOKENS_DATADIR=$here/../../share
mkdir -p "$HOME"
unset GIT_TOKENS_NOW
cd "$dir"

ours="$bin usage --all-repos --by day --format=json"
$ours --no-cache >ours.json
rm -rf cache
$ours >/dev/null
$ours >ours-warm.json

status=0
python3 - "$dir" <<'PY' || status=1
import json, sys
d = sys.argv[1]
want = json.load(open(d + "/expected.json"))
for name in ("ours.json", "ours-warm.json"):
    got = {r["key"]: r for r in json.load(open(d + "/" + name))["rows"]}
    bad = [(day, k) for day, w in want.items() for k in w
           if got.get(day, {}).get(k) != w[k]]
    extra = sorted(set(got) - set(want))
    print("%s vs generator: %d days, %d mismatches%s" % (
        name, len(want), len(bad), ", extra days %s" % extra if extra else ""))
    if bad or extra:
        sys.exit(1)
PY

have_cc=
if test "$CCUSAGE" != false && $CCUSAGE --version >/dev/null 2>&1
then
	have_cc=1
	# not ccusage.json: ccusage reads that, in the current folder, as its
	# configuration
	$CCUSAGE daily --json --offline >cc-daily.json
	python3 - "$dir" <<'PY' || status=1
import json, sys
d = sys.argv[1]
want = json.load(open(d + "/expected.json"))
cc = {r.get("period") or r.get("date"): r
      for r in json.load(open(d + "/cc-daily.json"))["daily"]}
keys = (("input", "inputTokens"), ("output", "outputTokens"),
        ("cache_write", "cacheCreationTokens"),
        ("cache_read", "cacheReadTokens"))
bad = [(day, k) for day, w in want.items() for k, ck in keys
       if cc.get(day, {}).get(ck) != w[k]]
print("ccusage vs generator: %d days, %d mismatches" % (len(want), len(bad)))
sys.exit(1 if bad else 0)
PY
else
	echo "ccusage not available: no comparison with it"
fi

# Timings, the commands taking turns round after round (a drift in the
# machine's speed hits them alike), each figure the median of its
# rounds and each ratio the median of the rounds' ratios. The floor:
# "wc -l" over every file, two at a time, reads each byte once and does
# nothing else.
find projects -name '*.jsonl' -print0 >files.list
python3 - "$runs" "$ours" "$have_cc" "$CCUSAGE" <<'PY' || status=1
import statistics, subprocess, sys, time
runs, ours, have_cc, cc = max(3, int(sys.argv[1])), sys.argv[2], \
    sys.argv[3], sys.argv[4]
cmds = [("cold", ours + " --no-cache"), ("warm", ours),
        ("wc", "xargs -0 -a files.list -P2 -n 500 wc -l")]
if have_cc:
    cmds.append(("ccusage", cc + " daily --json --offline"))
t = {name: [] for name, _ in cmds}
for r in range(runs + 1):
    for name, cmd in cmds:
        start = time.monotonic()
        subprocess.run(cmd, shell=True, check=True,
                       stdout=subprocess.DEVNULL)
        if r:   # the first round warms up
            t[name].append(time.monotonic() - start)
def ratio(a, b):
    return statistics.median(x / y for x, y in zip(t[a], t[b]))
print("%d rounds; medians, and ratios to \"wc -l\" of the same round:"
      % runs)
for name, _ in cmds:
    print("  %-8s %8.1f ms  %5.2fx wc -l" % (
        name, statistics.median(t[name]) * 1e3, ratio(name, "wc")))
if have_cc:
    for name in ("cold", "warm"):
        print("  %s / ccusage: %.3fx (ccusage %.1fx slower)" % (
            name, ratio(name, "ccusage"), 1 / ratio(name, "ccusage")))
cold, warm = ratio("cold", "wc"), statistics.median(t["warm"])
print("cold: %.2fx wc -l (goal 1.5x: %s)" % (
    cold, "met" if cold <= 1.5 else "NOT met"))
print("repeated run with no new data: %.1f ms (goal under 50 ms: %s)" % (
    warm * 1e3, "met" if warm < 0.050 else "NOT met"))
sys.exit(0 if cold <= 1.5 and warm < 0.050 else 1)
PY
exit $status
