#!/bin/sh
# Benchmark and check on a repository with git-ai's notes: the agents'
# lines "log" gives each change against the sum of the attestation
# ranges of its note (every range but a person's "h_" key), counted here
# from "git notes --ref=ai", and the time of "log" against "git log
# --numstat" over the same paths.
#
#	t/perf/p6070-agent-notes.sh <repository> [<path>...]
#
# <repository>: a clone that also fetched the notes, e.g.
#	git clone https://github.com/git-ai-project/git-ai &&
#	git -C git-ai fetch origin 'refs/notes/*:refs/notes/*'
# Paths limit both commands (a snapshot missing some large blobs can be
# measured over the paths it has). git-tokens on PATH, or
# GIT_TOKENS=<binary>. Runs under nice: the machine is shared.
set -eu
repo=${1:?usage: p6070-agent-notes.sh <repository> [<path>...]}
shift
gt=${GIT_TOKENS:-git-tokens}
out=${TMPDIR:-/tmp}/p6070.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
cd "$repo"

now () { python3 -c 'import time; print("%.3f" % time.monotonic())'; }

t0=$(now)
nice git log --numstat --format=%H HEAD -- "$@" >/dev/null
t1=$(now)
nice "$gt" log --format=json --no-progress -- "$@" >"$out/log.json" \
	2>"$out/err" || { cat "$out/err" >&2; exit 1; }
t2=$(now)
python3 - "$out/log.json" <<-\PY
import json, subprocess, sys
changes = json.load(open(sys.argv[1]))["changes"]
notes = {}
listing = subprocess.run(["git", "notes", "--ref=ai", "list"], check=True,
                         capture_output=True, text=True).stdout
for line in listing.splitlines():
    blob, commit = line.split()
    notes[commit] = blob
noted = bad = lines = 0
for c in changes:
    got = c.get("ai_lines_added")
    if c["commit"] not in notes:
        bad += got is not None
        continue
    text = subprocess.run(["git", "cat-file", "blob", notes[c["commit"]]],
                          check=True, capture_output=True,
                          text=True).stdout
    want = 0
    for l in ("\n" + text).split("\n---\n", 1)[0].splitlines():
        if not l.startswith("  "):
            continue
        key, ranges = l[2:].split(" ", 1)
        if key.startswith("h_"):
            continue
        for r in ranges.split(","):
            a, _, b = r.partition("-")
            want += int(b or a) - int(a) + 1
    noted += 1
    lines += want
    if got != want:
        bad += 1
        print("differs: %s log %s, note %s" % (c["commit"], got, want))
print("changes %d, with a git-ai note %d, agents' lines %d, differing %d"
      % (len(changes), noted, lines, bad))
sys.exit(1 if bad else 0)
PY
python3 -c "print('git log --numstat %.2f s, git tokens log %.2f s (%.1fx)'
	% ($t1 - $t0, $t2 - $t1, ($t2 - $t1) / ($t1 - $t0)))"
