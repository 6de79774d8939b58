# Helpers for the survival tests (t60xx): what "git blame" says about
# the tip, to compare git-tokens with. Source after lib-tokens.sh.

# blame_counts <tip> <by> [<exclude-regex>]: "<key> <lines>" per author
# email (by=email) or per commit (by=commit), from "git blame
# --line-porcelain" (mailmap applied, renames followed, no -M/-C) of
# every file at <tip> that is countable: text, and not matching the
# regex. Lines that blame gives to a merge commit are the merge's, as
# for any commit. Sorted by key. <tip> may be a range <bottom>..<tip>:
# the lines blame leaves at the bottom (its "^" lines) are left out.
blame_counts () {
	python3 - "$1" "$2" "${3:-}" <<-\EOF
	import collections, re, subprocess, sys
	rev, by, exclude = sys.argv[1], sys.argv[2], sys.argv[3]
	tip = rev.split("..")[-1]
	def git(*args):
	    return subprocess.run(("git",) + args, check=True,
	                          capture_output=True).stdout
	empty = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	counts = collections.Counter()
	for entry in git("ls-tree", "-r", "-z", tip).split(b"\0"):
	    if not entry:
	        continue
	    meta, path = entry.split(b"\t", 1)
	    if meta.split()[1] != b"blob":
	        continue
	    path = path.decode()
	    if exclude and re.search(exclude, path):
	        continue
	    ns = git("diff", "--numstat", empty, tip, "--", path).decode()
	    if ns.startswith("-"):
	        continue  # binary
	    sha = key = None
	    # --root: a root commit above the bottom is no boundary
	    out = git("blame", "--line-porcelain", "--root", rev, "--", path)
	    for line in out.decode("utf-8", "replace").split("\n"):
	        if re.match(r"^[0-9a-f]{40} ", line):
	            sha, boundary = line[:40], False
	        elif line.startswith("author-mail "):
	            key = line[12:].strip("<>") if by == "email" else sha
	        elif line == "boundary" and rev != tip:
	            boundary = True
	        elif line.startswith("filename ") and not boundary:
	            counts[key] += 1
	for key in sorted(counts):
	    print(key, counts[key])
	EOF
}

# per_change_is_blame [<exclude-regex>]: "git tokens log --format=json"
# of repo/ (kept in log.json) says for each change the surviving lines
# git blame gives it at main.
per_change_is_blame () {
	(cd repo && git tokens log --format=json >../log.json &&
	 blame_counts main commit "${1:-}") >expect &&
	log_values log.json surviving nonzero >actual &&
	test_cmp expect actual
}

# report_surviving <json file>: "<email> <surviving>" per report row.
report_surviving () {
	python3 - "$1" <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	rows = {}
	for r in d["rows"]:
	    email = r["author"].rsplit("<", 1)[1].rstrip(">")
	    if r["surviving"] is None:
	        raise SystemExit("surviving is unknown for " + r["author"])
	    if r["surviving"]:
	        rows[email] = rows.get(email, 0) + r["surviving"]
	for email in sorted(rows):
	    print(email, rows[email])
	EOF
}

# log_field <json file> <field>: "<commit> <value>" per change, sorted;
# with a third argument, only changes whose value is not 0/null/false.
log_values () {
	python3 - "$1" "$2" "${3:-}" <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	out = []
	for c in d["changes"]:
	    v = c[sys.argv[2]]
	    if sys.argv[3] and not v:
	        continue
	    out.append("%s %s" % (c["commit"], json.dumps(v).strip('"')))
	for line in sorted(out):
	    print(line)
	EOF
}

# as <name> <email> <git command...>: run it as that author.
as () {
	as_name=$1 as_email=$2
	shift 2
	GIT_AUTHOR_NAME=$as_name GIT_AUTHOR_EMAIL=$as_email "$@"
}

lines () {
	# lines <prefix> <from> <to>: "<prefix> <n>" for n in from..to
	seq "$2" "$3" | sed "s/^/$1 /"
}

# build_history: in the current directory, a main branch with merges
# (a criss-cross, an octopus, a rename on one side and an edit on the
# other), renames, a block moved inside a file, a file deleted and made
# anew, a binary file, files that are not countable, and four
# identities of four authors (one mailmapped), a subtree merged twice.
build_history () {
	git init -q -b main &&
	mkdir src vendor &&
	lines alpha 1 40 >src/a.c &&
	lines beta 1 12 >src/b.c &&
	printf "\000\001\002binary\n" >logo.bin &&
	lines vendored 1 9 >vendor/lib.c &&
	lines lock 1 7 >package-lock.json &&
	git add . && test_tick &&
	as Alice alice@example.com git commit -q -m "initial" &&

	sed -i "s/^alpha 3$/alpha three/; s/^alpha 4$/alpha four/" src/a.c &&
	lines gamma 1 15 >src/c.c &&
	git add . && test_tick &&
	as Bob bob@old.example git commit -q -m "bob: c.c, edits" &&

	git checkout -q -b topic1 &&
	sed -i "s/^alpha 2[0-4]$/carol &/" src/a.c &&
	lines delta 1 6 >src/d.c &&
	git add . && test_tick &&
	as Carol carol@example.com git commit -q -m "carol: topic1" &&
	git checkout -q main &&
	sed -i "s/^alpha [6-8]$/ALPHA/" src/a.c &&
	mkdir lib && git mv src/b.c lib/b.c && echo "beta 13" >>lib/b.c &&
	git add . && test_tick &&
	as Alice alice@example.com git commit -q -m "alice: rename b.c" &&
	test_tick && git merge -q --no-ff --no-edit topic1 &&

	# a block moved inside a file belongs to whoever moved it
	{ sed -n "6,15p" src/c.c && sed -n "1,5p" src/c.c; } >c.new &&
	mv c.new src/c.c && git add . && test_tick &&
	as Bob bob@example.com git commit -q -m "bob: move a block" &&

	# criss-cross
	git checkout -q -b x && sed -i "s/^alpha 10$/x ten/" src/a.c &&
	test_tick && as Carol carol@example.com git commit -q -a -m "x1" &&
	git checkout -q -b y main && sed -i "s/^alpha 38$/y 38/" src/a.c &&
	test_tick && as Bob bob@example.com git commit -q -a -m "y1" &&
	git checkout -q x && test_tick && git merge -q --no-edit y~0 &&
	git checkout -q y && test_tick && git merge -q --no-edit x~1 &&
	lines epsilon 1 4 >>src/d.c && test_tick &&
	as Bob bob@example.com git commit -q -a -m "y2" &&
	git checkout -q x && sed -i "s/^alpha 1$/x one/" src/a.c &&
	test_tick && as Carol carol@example.com git commit -q -a -m "x2" &&
	git checkout -q main &&
	test_tick && git merge -q --no-ff --no-edit x &&
	test_tick && git merge -q --no-ff --no-edit y &&

	# renamed on the mainline, edited on a topic
	git checkout -q -b topic2 &&
	sed -i "s/^beta 5$/carol five/" lib/b.c && test_tick &&
	as Carol carol@example.com git commit -q -a -m "carol: beta five" &&
	git checkout -q main && git mv lib/b.c lib/bb.c && test_tick &&
	as Alice alice@example.com git commit -q -m "alice: b.c is bb.c" &&
	test_tick && git merge -q --no-edit topic2 &&

	# an octopus
	for t in o1 o2 o3
	do
		git checkout -q -b $t main &&
		lines $t 1 3 >$t.txt && git add $t.txt && test_tick &&
		as Carol carol@example.com git commit -q -m "$t" || return 1
	done &&
	git checkout -q main && test_tick &&
	git merge -q --no-ff --no-edit o1 o2 o3 &&

	# deleted, then made anew
	git rm -q src/d.c && test_tick &&
	as Alice alice@example.com git commit -q -m "alice: no d.c" &&
	lines zeta 1 5 >src/d.c && git add src/d.c && test_tick &&
	as Bob bob@example.com git commit -q -m "bob: a new d.c" &&

	# a subtree: another history merged in under gui/, then again
	git checkout -q --orphan gui &&
	git rm -rq --cached . && git clean -qfdx &&
	mkdir lib && lines gui 1 8 >lib/x.tcl && git add lib &&
	test_tick && as Dave dave@example.com git commit -q -m "gui: x" &&
	git checkout -q -f main &&
	test_tick && git merge -q -s ours --no-commit \
		--allow-unrelated-histories gui &&
	git read-tree --prefix=gui/ -u gui &&
	test_tick && git commit -q -m "merge gui as a subtree" &&
	git checkout -q gui && sed -i "s/^gui 4$/gui four/" lib/x.tcl &&
	echo "gui 9" >>lib/x.tcl && test_tick &&
	as Dave dave@example.com git commit -q -a -m "gui: more" &&
	git checkout -q main &&
	sed -i "s/^gui 1$/main edits gui/" gui/lib/x.tcl && test_tick &&
	as Alice alice@example.com git commit -q -a -m "alice: gui/" &&
	test_tick && git merge -q --no-edit -X subtree=gui/ gui &&

	echo "Bob <bob@example.com> <bob@old.example>" >.mailmap &&
	git add .mailmap && test_tick &&
	as Alice alice@example.com git commit -q -m "mailmap"
}

# Files that are never countable in build_history's repository.
NOT_COUNTABLE='^vendor/|^package-lock\.json$'

# expect_surviving <commit> <ranges: "path:from-to ..."> : how many of
# those lines of commit "git blame" at main still gives commit, at that
# line of that file.
expect_surviving () {
	python3 - "$@" <<-\EOF
	import subprocess, sys
	commit, spans = sys.argv[1], sys.argv[2].split()
	want = set()
	for s in spans:
	    path, r = s.rsplit(":", 1)
	    a, b = r.split("-")
	    want |= {(path, n) for n in range(int(a), int(b) + 1)}
	n = 0
	files = subprocess.run(["git", "ls-tree", "-r", "--name-only", "main"],
	                       check=True, capture_output=True,
	                       text=True).stdout.split()
	for f in files:
	    out = subprocess.run(["git", "blame", "--line-porcelain", "main",
	                          "--", f], check=True, capture_output=True,
	                         text=True).stdout.splitlines()
	    for i, line in enumerate(out):
	        parts = line.split(" ")
	        if len(parts) >= 3 and parts[0] == commit:
	            fn = next(l[9:] for l in out[i:] if l.startswith("filename "))
	            if (fn, int(parts[1])) in want:
	                n += 1
	print(n)
	EOF
}

# change_field <log.json> <commit> <key>
change_field () {
	python3 - "$@" <<-\EOF
	import json, sys
	for c in json.load(open(sys.argv[1]))["changes"]:
	    if c["commit"] == sys.argv[2]:
	        print(json.dumps(c.get(sys.argv[3], "absent")))
	EOF
}
