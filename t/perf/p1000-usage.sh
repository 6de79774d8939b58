#!/bin/sh
#
# p1000-usage: git tokens usage on a 1 GiB Claude Code corpus, against
# the generator's own totals and ccusage's, with timings, and the floor:
# "wc -l" of every file, two at a time, reads each byte once and does
# nothing else. Run on demand (not part of "make check"):
#
#	t/perf/p1000-usage.sh [<build dir>]
#
# Environment: PERF_DIR (corpus, default /tmp/git-tokens-perf), PERF_MIB
# (default 1100), PERF_FILES (default 2000), PERF_RUNS (default 10),
# CCUSAGE (command, default "ccusage" else "npx ccusage@latest").
# Needs python3 and hyperfine; ccusage is optional.
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
		CCUSAGE="npx -y ccusage@latest"
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
if $CCUSAGE --version >/dev/null 2>&1
then
	have_cc=1
	$CCUSAGE daily --json --offline >ccusage.json
	python3 - "$dir" <<'PY' || status=1
import json, sys
d = sys.argv[1]
want = json.load(open(d + "/expected.json"))
cc = {r.get("period") or r.get("date"): r
      for r in json.load(open(d + "/ccusage.json"))["daily"]}
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

if command -v hyperfine >/dev/null
then
	# The floor: reading every byte of the corpus once, two at a time.
	find projects -name '*.jsonl' -print0 >files.list
	set -- -N --warmup 1 --runs "$runs" --export-json timings.json \
		-n cold "$ours --no-cache" -n warm "$ours" \
		-n wc "xargs -0 -a files.list -P2 -n 500 wc -l"
	if test -n "$have_cc"
	then
		set -- "$@" -n ccusage "$CCUSAGE daily --json --offline"
	fi
	hyperfine "$@" >/dev/null
	python3 - <<'PY' || status=1
import json
res = {r["command"]: r for r in json.load(open("timings.json"))["results"]}
for name, r in res.items():
    print("%-8s median %8.1f ms  (min %.1f, max %.1f, user %.1f, sys %.1f)"
          % (name, r["median"] * 1e3, r["min"] * 1e3, r["max"] * 1e3,
             r["user"] * 1e3, r["system"] * 1e3))
ok = res["warm"]["median"] < 0.050
print("repeated run with no new data: %.1f ms (%s 50 ms)" % (
    res["warm"]["median"] * 1e3, "under" if ok else "NOT under"))
if "ccusage" in res:
    for name in ("cold", "warm", "wc"):
        print("ccusage / %s: %.1fx" % (
            name, res["ccusage"]["median"] / res[name]["median"]))
print("cold / wc: %.2fx" % (res["cold"]["median"] / res["wc"]["median"]))
raise SystemExit(0 if ok else 1)
PY
else
	echo "hyperfine not available: no timings"
fi
exit $status
