#!/bin/sh
# Benchmark: the survival engine over a whole history, against what it
# replaces, "git blame" of every countable file at the tip (two at a
# time), and against "git log --numstat -M --no-merges", all in the same
# run.
#
#	t/perf/p6000-survival.sh <repository> [<files to blame>]
#
# <repository> is a clone the benchmark may write its state into (its
# tokens/ folder is removed and rebuilt). Blaming every file of git.git
# takes about 40 minutes on two cores, so by default a deterministic
# random sample of 400 files is blamed, its time extrapolated to all the
# files, and the agreement measured on the sample: per author (mailmap
# applied), the surviving lines the report tallied in the sampled files
# (GIT_TOKENS_TRACE_SURVIVAL: each commit's lines per file at the tip)
# against git blame's, merge commits' lines included on both sides. A
# report with 400 paths as its pathspec would cost two walks of the
# history limited to them; give "all" to blame every file and compare
# the report's own rows, or "@<file>" to blame the paths listed in it.
# The files where the two disagree most are listed. P6000_KEEP=<dir>
# keeps the trace, the sample and the blames there.
#
# Goals: survival at least 20x faster than the blames, about twice
# "git log --numstat", peak memory under 2 GiB, the ten largest authors
# within 0.1% of blame and the total within 0.05%. Needs GNU time;
# git-tokens on PATH (or GIT_TOKENS=<binary>). Everything runs under
# nice: the machine is shared.
set -eu
repo=${1:?usage: p6000-survival.sh <repository> [<files to blame>|all]}
sample=${2:-400}
gt=${GIT_TOKENS:-git-tokens}
out=${P6000_KEEP:-${TMPDIR:-/tmp}/p6000.$$}
mkdir -p "$out"
test -n "${P6000_KEEP:-}" || trap 'rm -rf "$out"' EXIT
repo=$(cd "$repo" && pwd)
tokdir=$(git -C "$repo" rev-parse --git-common-dir)/tokens
case "$tokdir" in /*) ;; *) tokdir=$repo/$tokdir ;; esac
tip=$(git -C "$repo" rev-parse HEAD)

now () { python3 -c 'import time; print("%.3f" % time.monotonic())'; }

echo "repository: $repo at $tip"
echo "  $(git -C "$repo" rev-list --count HEAD) commits," \
	"$(git -C "$repo" rev-list --count --merges HEAD) merges"

# 1. git log --numstat, the yardstick
t0=$(now)
nice git -C "$repo" log --numstat -M --no-merges --format=%H HEAD >/dev/null
t1=$(now)
numstat=$(python3 -c "print($t1 - $t0)")

# 2. a report with the line counts cached and no survival state: the
# survival engine's own time is printed by GIT_TOKENS_DEBUG
(cd "$repo" && "$gt" report --format=json --no-progress >/dev/null 2>&1) || :
rm -f "$tokdir"/survival-v*.state
(cd "$repo" && nice env GIT_TOKENS_DEBUG=1 \
	GIT_TOKENS_TRACE_SURVIVAL="$out/trace" \
	/usr/bin/time -f '%M' -o "$out/rss" \
	"$gt" report --format=json --no-progress -o "$out/report.json" \
	2>"$out/debug") || { cat "$out/debug" >&2; exit 1; }
grep '^survival:' "$out/debug" || {
	echo "p6000: no survival run (no mainline? set tokens.mainline)" >&2
	cat "$out/debug" >&2
	exit 1
}
survival=$(sed -n 's/^survival: .* replayed in \([0-9.]*\) s.*/\1/p' "$out/debug")

# 3. a report with the state: what every later run costs
t0=$(now)
(cd "$repo" && nice "$gt" report --format=json --no-progress >/dev/null 2>&1)
t1=$(now)
warm=$(python3 -c "print($t1 - $t0)")

# 4. git blame of the countable files at the tip (the ones git-tokens
# counted), two at a time
cut -d' ' -f3- "$out/trace" | sort -u >"$out/files"
total_files=$(wc -l <"$out/files")
case $sample in
all)
	cp "$out/files" "$out/sample" ;;
@*)
	sort -u "${sample#@}" | comm -12 - "$out/files" >"$out/sample" ;;
*)
	python3 - "$out/files" "$sample" >"$out/sample" <<-\EOF
	import random, sys
	files = open(sys.argv[1]).read().split("\n")[:-1]
	random.seed(6000)
	for f in sorted(random.sample(files, min(int(sys.argv[2]), len(files)))):
	    print(f)
	EOF
	;;
esac
blamed=$(wc -l <"$out/sample")
rm -rf "$out/blame"
mkdir "$out/blame"
t0=$(now)
(cd "$repo" && tr '\n' '\0' <"$out/sample" |
	nice xargs -0 -P2 -n1 sh -c 'git blame --line-porcelain "$1" -- "$3" \
		>"$2/$(printf %s "$3" | md5sum | cut -c1-32)"' sh "$tip" "$out/blame")
t1=$(now)
blame=$(python3 -c "print(($t1 - $t0) * $total_files / $blamed)")

# 5. agreement per author on the blamed files
git -C "$repo" log --format='%H %aE' HEAD >"$out/authors"
python3 - "$out" "$survival" "$numstat" "$blame" "$warm" "$blamed" \
	"$total_files" "$sample" <<-\EOF
import collections, hashlib, json, os, re, sys
out = sys.argv[1]
survival, numstat, blame, warm = map(float, sys.argv[2:6])
blamed, total = int(sys.argv[6]), int(sys.argv[7])
mine = collections.Counter()
file_mine = collections.Counter()
if blamed == total and sys.argv[8] == "all":
    for row in json.load(open(out + "/report.json"))["rows"]:
        # a row without an address (bots) is keyed by its name
        who = (row["author"].rsplit("<", 1)[1].rstrip(">").lower()
               if "<" in row["author"] else row["author"])
        mine[who] += row["surviving"] or 0
else:
    email = dict(l.split(" ", 1) for l in
                 open(out + "/authors").read().split("\n") if l)
    sample = set(open(out + "/sample").read().split("\n")) - {""}
    for line in open(out + "/trace"):
        oid, n, path = line.rstrip("\n").split(" ", 2)
        if path in sample:
            mine[email[oid].lower()] += int(n)
            file_mine[path, email[oid].lower()] += int(n)
theirs = collections.Counter()
file_theirs = collections.Counter()
names = {hashlib.md5(p.encode()).hexdigest(): p
         for p in open(out + "/sample").read().split("\n") if p}
for name in os.listdir(out + "/blame"):
    for line in open(out + "/blame/" + name, encoding="utf-8", errors="replace"):
        if line.startswith("author-mail "):
            who = line[12:].strip().strip("<>").lower()
            theirs[who] += 1
            file_theirs[names.get(name, name), who] += 1
rss = int(open(out + "/rss").read().split()[-1])
print("git log --numstat -M --no-merges: %8.1f s" % numstat)
print("survival, whole history:          %8.1f s  (%.2fx git log --numstat)" %
      (survival, survival / numstat))
print("git blame of %d files, 2 at a time: %8.1f s%s  (%.1fx survival)" %
      (total, blame, "" if blamed == total else
       " (extrapolated from %d files)" % blamed, blame / survival))
print("report with the state kept:       %8.1f s" % warm)
print("peak memory (GNU time %%M):        %8.1f MiB" % (rss / 1024.0))
print("surviving lines of the blamed files: git-tokens %d, blame %d (%.3f%%, goal: under 0.05%%)" %
      (sum(mine.values()), sum(theirs.values()),
       100.0 * (sum(mine.values()) - sum(theirs.values())) /
       max(1, sum(theirs.values()))))
worst = 0
print("%-40s %9s %9s %8s" % ("author (ten largest)", "git-tokens", "blame", "diff"))
for who, n in theirs.most_common(10):
    d = 100.0 * (mine[who] - n) / n
    worst = max(worst, abs(d))
    print("%-40s %9d %9d %7.3f%%" % (who[:40], mine[who], n, d))
print("worst of the ten: %.3f%% (goal: under 0.1%%)" % worst)
if file_mine:
    off = collections.Counter()
    for key in set(file_mine) | set(file_theirs):
        off[key[0]] += abs(file_mine[key] - file_theirs[key])
    print("files where they differ: %d of %d" %
          (sum(1 for n in off.values() if n), blamed))
    for path, n in off.most_common(10):
        if n:
            print("  %6d lines  %s" % (n, path))
EOF
