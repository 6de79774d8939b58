#!/bin/sh
# Benchmark: the change engine over a large history, against git's own
# "git log --numstat -M --no-merges" in the same run.
#
#	t/perf/p0001-report.sh <repository> [<runs>]
#
# Prints the median wall time of each, the ratios and the peak memory of
# the cold run. Needs hyperfine and GNU time; the built git-tokens must be
# on PATH (or set GIT_TOKENS=<path to the binary>).
set -eu
repo=${1:?usage: p0001-report.sh <repository> [<runs>]}
runs=${2:-5}
gt=${GIT_TOKENS:-git-tokens}
out=${TMPDIR:-/tmp}/p0001.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
tokdir=$(git -C "$repo" rev-parse --git-common-dir)/tokens
case "$tokdir" in /*) ;; *) tokdir=$repo/$tokdir ;; esac

echo "repository: $repo ($(git -C "$repo" rev-list --count --no-merges HEAD) changes)"
hyperfine --runs "$runs" --warmup 1 --export-json "$out/cold.json" \
	-n 'git log --numstat' \
	"git -C '$repo' log --numstat -M --no-merges --format=%H >/dev/null" \
	-n 'git tokens report (cold)' \
	--prepare "rm -rf '$tokdir'" \
	"cd '$repo' && $gt report --format=json --no-progress >/dev/null"
"$gt" -C "$repo" report --format=json --no-progress >/dev/null 2>&1 ||
	(cd "$repo" && "$gt" report --format=json --no-progress >/dev/null)
hyperfine --runs "$runs" --warmup 1 --export-json "$out/warm.json" \
	-n 'git tokens report (cached)' \
	"cd '$repo' && $gt report --format=json --no-progress >/dev/null"
rm -rf "$tokdir"
# The same cold run says how long each pass over history took.
( cd "$repo" && GIT_TOKENS_DEBUG=1 /usr/bin/time -f '%M' -o "$out/rss" \
	"$gt" report --format=json --no-progress >/dev/null 2>"$out/debug" )
sed -n 's/^\(numstat\|survival\): .* in \([0-9.]* s\).*/pass \1: \2/p' \
	"$out/debug"
python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
cold = {r["command"]: r["median"] for r in json.load(open(d + "/cold.json"))["results"]}
warm = json.load(open(d + "/warm.json"))["results"][0]["median"]
base, ours = cold["git log --numstat"], cold["git tokens report (cold)"]
rss = int(open(d + "/rss").read().split()[-1])
print(f"median git log --numstat: {base:.2f} s")
print(f"median report, cold:      {ours:.2f} s  ({ours / base:.2f}x git log)")
print(f"median report, cached:    {warm:.3f} s  ({warm / ours * 100:.1f}% of cold)")
print(f"peak memory, cold:        {rss / 1024:.0f} MiB")
PY
