#!/bin/sh
# Benchmark: a range's report, cold, against "git log --numstat -M
# --no-merges" of the whole history, in the same run; and the range's
# surviving lines against "git blame <bottom>..<tip>".
#
#	t/perf/p6100-range.sh <repository> [<commits>]
#
# The range is <tip>~<commits>..<tip> (default 20) at HEAD, what "git
# tokens ci" reports for a pull request. Cold: the repository's tokens/
# folder is removed before each report (the benchmark may write there;
# give it a clone) and no usage logs are read (an empty HOME). The two
# commands run in turn, three times each; the ratio of the medians is
# printed (goal: at most 0.10).
#
# Then the agreement: per commit, the lines at the tip the survival
# engine gives each commit of the range (GIT_TOKENS_TRACE_SURVIVAL: the
# countable files it followed, which are those the range changed),
# against "git blame --root <bottom>..<tip>" of the same files, boundary
# lines left out: they must be equal. Needs python3; git-tokens
# on PATH (or GIT_TOKENS=<binary>). Runs under nice: the machine is
# shared.
set -eu
repo=${1:?usage: p6100-range.sh <repository> [<commits>]}
n=${2:-20}
gt=${GIT_TOKENS:-git-tokens}
out=${TMPDIR:-/tmp}/p6100.$$
mkdir -p "$out/home"
trap 'rm -rf "$out"' EXIT
trap 'exit 1' INT TERM
tokdir=$(git -C "$repo" rev-parse --path-format=absolute \
	--git-common-dir)/tokens
tip=$(git -C "$repo" rev-parse HEAD)
bottom=$(git -C "$repo" rev-parse "HEAD~$n")
range=$bottom..$tip

now () { python3 -c 'import time; print("%.3f" % time.monotonic())'; }

echo "repository: $repo at $tip"
echo "  $(git -C "$repo" rev-list --count HEAD) commits; range HEAD~$n..HEAD:" \
	"$(git -C "$repo" rev-list --count "$range") commits"

report () {
	rm -rf "$tokdir"
	(cd "$repo" && HOME=$out/home XDG_CACHE_HOME=$out/home/cache \
		XDG_CONFIG_HOME=$out/home/config XDG_DATA_HOME=$out/home/data \
		nice "$@" "$gt" report --format=json --no-progress \
		-o "$out/report.json" "$range" 2>"$out/debug") ||
		{ cat "$out/debug" >&2; exit 1; }
}

: >"$out/times"
for i in 1 2 3
do
	t0=$(now)
	nice git -C "$repo" log --numstat -M --no-merges --format=%H HEAD \
		>/dev/null
	t1=$(now)
	report env
	t2=$(now)
	echo "$t0 $t1 $t2" >>"$out/times"
done
report env GIT_TOKENS_DEBUG=1 GIT_TOKENS_TRACE_SURVIVAL="$out/trace"
grep '^survival:' "$out/debug"

cut -d' ' -f3- "$out/trace" | sort -u >"$out/files"
mkdir "$out/blame"
(cd "$repo" && tr '\n' '\0' <"$out/files" |
	nice xargs -0 -P2 -n1 sh -c 'git blame --line-porcelain --root "$1" \
		-- "$3" >"$2/$(printf %s "$3" | md5sum | cut -c1-32)"' \
		sh "$range" "$out/blame")

python3 - "$out" <<-\EOF
import collections, os, statistics, sys
out = sys.argv[1]
runs = [list(map(float, l.split())) for l in open(out + "/times")]
numstat = statistics.median(t1 - t0 for t0, t1, t2 in runs)
report = statistics.median(t2 - t1 for t0, t1, t2 in runs)
print("git log --numstat -M --no-merges, whole history: %7.2f s (median of 3)"
      % numstat)
print("report <range>, cold:                            %7.2f s (median of 3)"
      % report)
print("ratio: %.3f (goal: at most 0.10)" % (report / numstat))
mine = collections.Counter()
for line in open(out + "/trace"):
    oid, k, path = line.rstrip("\n").split(" ", 2)
    if oid != "none":
        mine[oid] += int(k)
theirs = collections.Counter()
files = open(out + "/files").read().split("\n")[:-1]
for name in os.listdir(out + "/blame"):
    sha = None
    boundary = False
    for line in open(out + "/blame/" + name, encoding="utf-8",
                     errors="replace"):
        if len(line) > 41 and line[40] == " " and \
           all(c in "0123456789abcdef" for c in line[:40]):
            sha, boundary = line[:40], False
        elif line == "boundary\n":
            boundary = True
        elif line.startswith("filename ") and not boundary:
            theirs[sha] += 1
print("files followed and blamed: %d" % len(files))
diff = {c: (mine[c], theirs[c]) for c in set(mine) | set(theirs)
        if mine[c] != theirs[c]}
print("commits of the range with surviving lines: git-tokens %d, blame %d"
      % (len(mine), len(theirs)))
print("surviving lines: git-tokens %d, blame %d, commits that differ: %d"
      % (sum(mine.values()), sum(theirs.values()), len(diff)))
for c, (a, b) in sorted(diff.items())[:10]:
    print("  %s git-tokens %d blame %d" % (c, a, b))
EOF
