#!/bin/sh

test_description='cursor: the stop hook log as a usage source'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
HOME=$(pwd)
XDG_CACHE_HOME=$(pwd)/cache
export GIT_TOKENS_NOW HOME XDG_CACHE_HOME
LOG=$HOME/.local/share/git-tokens/cursor-usage.jsonl

# payloads <file>: one stop-hook payload (as Cursor writes it) per line,
# written by the fixture generator below from "<conv> <gen> <model>
# <input> <output> <cache read> <cache write> <workspace> [<transcript>]"
# on stdin; PROJ in a workspace stands for the repository's path.
payloads () {
	python3 -c '
import json, os, sys
proj = os.path.abspath("proj")
for l in sys.stdin:
    f = l.split()
    if not f:
        continue
    p = {"conversation_id": f[0], "generation_id": f[1], "model": f[2],
         "hook_event_name": "stop", "cursor_version": "1.7.2",
         "status": "completed", "loop_count": 0,
         "input_tokens": int(f[3]), "output_tokens": int(f[4]),
         "cache_read_tokens": int(f[5]), "cache_write_tokens": int(f[6]),
         "workspace_roots": [f[7].replace("PROJ", proj)], "user_email": "dev@example.com",
         "transcript_path": f[8] if len(f) > 8 else
             "/home/dev/.cursor/projects/p/agent-transcripts/%s.txt" % f[0]}
    print(json.dumps(p))
' >"$1"
}

# hook_all <file> [<now>]: run the hook once per payload line.
hook_all () {
	while IFS= read -r p
	do
		printf "%s\n" "$p" |
		GIT_TOKENS_NOW=${2:-$GIT_TOKENS_NOW} \
			git tokens hooks cursor-stop >>hook.out || return 1
	done <"$1"
}

# want <file>...: per model, the sums "usage --by model" must show for
# the payloads of proj (each generation once, Auto as cursor-auto, a
# Claude Code or Codex transcript not counted, zero usage not counted).
want () {
	python3 - "$(pwd)/proj" "$@" <<-\PY
	import json, sys
	proj, rows, seen = sys.argv[1], {}, set()
	for path in sys.argv[2:]:
	    for l in open(path):
	        p = json.loads(l)
	        key = (p["conversation_id"], p["generation_id"])
	        c = [p[k] for k in ("input_tokens", "output_tokens",
	                            "cache_write_tokens", "cache_read_tokens")]
	        if key in seen or not sum(c):
	            continue
	        seen.add(key)
	        if "/.claude/" in p["transcript_path"] or \
	           "/.codex/" in p["transcript_path"]:
	            continue
	        root = p["workspace_roots"][0]
	        if root != proj and not root.startswith(proj + "/"):
	            continue
	        m = {"default": "cursor-auto", "auto": "cursor-auto"}.get(
	            p["model"], p["model"])
	        r = rows.setdefault(m, [0, 0, 0, 0, 0])
	        r[0] += 1
	        for i in range(4):
	            r[i + 1] += c[i]
	for m in sorted(rows):
	    print(m, *rows[m])
	PY
}

# got: per model, what usage --by model says, and whether it is priced.
got () {
	(cd proj && git tokens usage --by model --format json) >got.json &&
	python3 - <<-\PY
	import json
	for r in json.load(open("got.json"))["rows"]:
	    print(r["key"], r["requests"], r["input"], r["output"],
	          r["cache_write"], r["cache_read"])
	PY
}

test_expect_success 'setup: a repository and generated payloads' '
	git init -q proj &&
	payloads p1.jsonl <<-\EOF
	c1 g1 default 1200 340 56000 800 PROJ
	c1 g2 default 10 5 0 0 PROJ/src
	c1 g3 claude-4.5-sonnet 3000 1200 0 4500 PROJ
	c2 g1 gpt-5 77 11 1000 0 PROJ
	c2 g1 gpt-5 77 11 1000 0 PROJ
	c3 g9 claude-4.5-sonnet 500 50 0 0 /elsewhere/other
	c4 g1 default 0 0 0 0 PROJ
	c5 g1 claude-4.5-sonnet 900 90 9000 99 PROJ /home/dev/.claude/projects/-p/c5.jsonl
	c6 g1 gpt-5 400 40 4000 0 PROJ /home/dev/.codex/sessions/2026/11/rollout-c6.jsonl
	EOF
'

test_expect_success 'the hook appends each generation and answers {}' '
	hook_all p1.jsonl &&
	test_line_count = 9 hook.out &&
	test "$(sort -u hook.out)" = "{}" &&
	test_line_count = 8 "$LOG" &&
	want p1.jsonl >expect &&
	got >actual &&
	test_cmp expect actual
'

test_expect_success 'Auto is cursor-auto and unpriced, not $0' '
	(cd proj && git tokens usage --by model --format json) >got.json \
		2>err &&
	grep "no price for model .cursor-auto." err &&
	python3 - <<-\PY
	import json
	rows = {r["key"]: r for r in json.load(open("got.json"))["rows"]}
	assert rows["cursor-auto"]["cost_usd"] is None, rows["cursor-auto"]
	PY
'

test_expect_success 'the hook works outside any repository' '
	payloads p2.jsonl <<-\EOF &&
	c7 g1 gpt-5 3 4 5 6 PROJ
	EOF
	mkdir -p nowhere &&
	(cd nowhere && GIT_CEILING_DIRECTORIES=$(pwd)/.. &&
	 export GIT_CEILING_DIRECTORIES &&
	 git tokens hooks cursor-stop <../p2.jsonl >out) &&
	echo "{}" >expect &&
	test_cmp expect nowhere/out &&
	want p1.jsonl p2.jsonl >expect &&
	got >actual &&
	test_cmp expect actual
'

test_expect_success 'a payload that starts with a byte order mark' '
	payloads p2b.jsonl <<-\EOF &&
	c7b g1 gpt-5 30 40 50 60 PROJ
	EOF
	printf "\357\273\277" >bom.json &&
	cat p2b.jsonl >>bom.json &&
	git tokens hooks cursor-stop <bom.json >out 2>err &&
	test_must_be_empty err &&
	want p1.jsonl p2.jsonl p2b.jsonl >expect &&
	got >actual &&
	test_cmp expect actual
'

test_expect_success 'a payload the hook cannot read is one warning, exit 0' '
	echo "not json" | git tokens hooks cursor-stop >out 2>err &&
	echo "{}" >expect &&
	test_cmp expect out &&
	grep "^warning: Cursor usage not recorded" err &&
	echo "{\"input_tokens\":-5,\"model\":\"x\"}" |
		git tokens hooks cursor-stop >out 2>err &&
	grep "bad .input_tokens." err &&
	test_line_count = 10 "$LOG"
'

test_expect_success 'bad log lines: one warning naming the first, rest counted' '
	cp "$LOG" log.good &&
	T=1796000000000 &&
	cat >>"$LOG" <<-EOF &&
	{"time":$T,"model":"gpt-5","input":1,"cwd":"$(pwd)/proj","generation_id":"b1"
	[1,2,3]
	{"time":$T,"model":"gpt-5","input":-1,"cwd":"$(pwd)/proj"}
	{"time":"yesterday","model":"gpt-5","input":1,"cwd":"$(pwd)/proj"}
	{"time":$T,"model":"gpt-5","cwd":"$(pwd)/proj"}
	{"time":$T,"model":"gpt-5","input":1,"cwd":"relative/path"}
	EOF
	got >actual 2>err &&
	want p1.jsonl p2.jsonl p2b.jsonl >expect &&
	test_cmp expect actual &&
	grep "skipped 6 bad usage records (first: $LOG:11: " err
'

test_expect_success 'a torn last line waits; the next hook ends it' '
	cp log.good "$LOG" &&
	printf "{\"time\":1796000000000,\"model\":\"gpt-5\",\"inp" >>"$LOG" &&
	got >actual 2>err &&
	want p1.jsonl p2.jsonl p2b.jsonl >expect &&
	test_cmp expect actual &&
	grep "skipped 1 bad usage record (first: $LOG:11" err &&
	payloads p3.jsonl <<-\EOF &&
	c8 g1 gpt-5 100 10 0 0 PROJ
	EOF
	hook_all p3.jsonl &&
	got >actual 2>err &&
	want p1.jsonl p2.jsonl p2b.jsonl p3.jsonl >expect &&
	test_cmp expect actual &&
	grep "skipped 1 bad usage record (first: $LOG:11: not a JSON object)" err
'

test_expect_success 'a hook killed mid-write loses only its own line' '
	cp "$LOG" log.before &&
	python3 - "$LOG" <<-\PY &&
	import os, signal, subprocess, sys, time
	# A writer that holds the lock, writes half a line, and is killed.
	pid = os.fork()
	if pid == 0:
	    import fcntl
	    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
	    fcntl.flock(fd, fcntl.LOCK_EX)
	    os.write(fd, b"{\"time\":1796000000000,\"mod")
	    time.sleep(60)
	    os._exit(0)
	time.sleep(0.3)
	# The hook waits for the lock meanwhile.
	p = subprocess.Popen(["git", "tokens", "hooks", "cursor-stop"],
	                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
	p.stdin.write(b"{\"conversation_id\":\"c9\",\"generation_id\":\"g1\","
	              b"\"model\":\"gpt-5\",\"input_tokens\":9,"
	              b"\"output_tokens\":1,\"workspace_roots\":[\"" +
	              os.path.abspath("proj").encode() + b"\"]}\n")
	p.stdin.close()
	time.sleep(0.3)
	assert p.poll() is None, "the hook did not wait for the lock"
	os.kill(pid, signal.SIGKILL)
	os.waitpid(pid, 0)
	assert p.wait(10) == 0
	PY
	got >actual 2>err &&
	payloads p4.jsonl <<-\EOF &&
	c9 g1 gpt-5 9 1 0 0 PROJ
	EOF
	want p1.jsonl p2.jsonl p2b.jsonl p3.jsonl p4.jsonl >expect &&
	test_cmp expect actual &&
	grep "skipped 2 bad usage records" err
'

test_expect_success 'hooks firing at once: every generation exactly once' '
	python3 - "$(pwd)/proj" <<-\PY >burst.jsonl &&
	import json, sys
	for i in range(200):
	    print(json.dumps({"conversation_id": "burst%d" % (i % 7),
	        "generation_id": "g%d" % i, "model": "gpt-5",
	        "input_tokens": i + 1, "output_tokens": 2 * i,
	        "cache_read_tokens": 3 * i, "cache_write_tokens": i % 5,
	        "workspace_roots": [sys.argv[1]],
	        "transcript_path": "/t/%d.txt" % i}))
	PY
	split -l 25 burst.jsonl part. &&
	for f in part.*
	do
		(
			while IFS= read -r p
			do
				printf "%s\n" "$p" |
				git tokens hooks cursor-stop >/dev/null || exit 1
			done <$f
		) &
	done &&
	wait &&
	python3 - "$LOG" <<-\PY
	import json, sys
	lines = open(sys.argv[1]).read().split("\n")
	gens = []
	for l in lines:
	    try:
	        e = json.loads(l)
	    except ValueError:
	        continue
	    if e.get("conversation_id", "").startswith("burst"):
	        gens.append(e["generation_id"])
	assert sorted(gens) == sorted("g%d" % i for i in range(200)), \
	    len(gens)
	PY
	got >actual 2>/dev/null &&
	want p1.jsonl p2.jsonl p2b.jsonl p3.jsonl p4.jsonl burst.jsonl >expect &&
	test_cmp expect actual
'

test_expect_success 'a log that vanishes is no error; its usage goes' '
	mv "$LOG" log.moved &&
	got >actual 2>err &&
	test_must_be_empty actual &&
	! grep -i "error" err &&
	mv log.moved "$LOG"
'

test_expect_success 'tokens.cursor.path reads another log instead' '
	cp log.good other.jsonl &&
	git -C proj config tokens.cursor.path "$(pwd)/other.jsonl" &&
	got >actual &&
	want p1.jsonl p2.jsonl p2b.jsonl >expect &&
	test_cmp expect actual &&
	git -C proj config --unset tokens.cursor.path
'

test_expect_success 'the local user: the hook days win over the API and CSV' '
	payloads p5.jsonl <<-\EOF &&
	c10 g1 gpt-5 400 40 0 0 PROJ
	EOF
	hook_all p5.jsonl 2026-11-25T09:00:00Z &&
	cat >same.csv <<-\EOF &&
	Date,User,Kind,Model,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens
	2026-11-25T09:00:00.000Z,author@example.com,Included,gpt-5,0,400,0,40,440
	2026-11-26T09:00:00.000Z,author@example.com,Included,gpt-5,0,70,0,7,77
	EOF
	(
		cd proj &&
		git tokens import -q --format=cursor-csv ../same.csv &&
		commit_at 2026-11-25T10:00:00Z a 1 &&
		commit_at 2026-11-25T11:00:00Z b 1 &&
		commit_at 2026-11-26T10:00:00Z c 1 &&
		git tokens log --format=json >../log.json
	) 2>/dev/null &&
	python3 - <<-\PY
	import json
	name = {"2026-11-25T10:00:00Z": "a", "2026-11-25T11:00:00Z": "b",
	        "2026-11-26T10:00:00Z": "c"}
	ch = {name[c["date"]]: c for c in json.load(open("log.json"))["changes"]}
	assert (ch["a"]["how"], ch["a"]["tokens"]) == ("window", 440), ch["a"]
	# the API copy of the hook day is not spread over b
	assert ch["b"]["tokens"] is None, ch["b"]
	assert (ch["c"]["how"], ch["c"]["tokens"]) == ("day", 77), ch["c"]
	PY
'

test_done
