#!/bin/sh

test_description='show; links from Claude Code and Codex "git commit" output'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
CODEX_HOME=$(pwd)/codex
TZ=UTC
TRASH=$(pwd)
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR CODEX_HOME TZ

# claude_ev's responses run "git commit".
CLAUDE_EV_CONTENT='{"type":"tool_use","id":"toolu_x","name":"Bash","input":{"command":"git commit -m x"}}'

# claude_commit_output <session> <time> <branch> <short-sha>: the tool
# result Claude Code logs after running "git commit".
claude_commit_output () {
	cat >>"claude/projects/-repo/$1.jsonl" <<-EOF
	{"type":"user","cwd":"$TRASH/repo","sessionId":"$1","timestamp":"$2","message":{"role":"user","content":[{"tool_use_id":"toolu_x","type":"tool_result","content":"[$3 $4] feature\\n 1 file changed, 1 insertion(+)","is_error":false}]},"toolUseResult":{"stdout":"[$3 $4] feature\\n 1 file changed, 1 insertion(+)","stderr":"","interrupted":false}}
	EOF
}

test_expect_success 'setup: a Claude Code session that committed' '
	git init -q repo &&
	(cd repo && commit_at 2026-11-20T08:00:00Z base) &&
	claude_ev sess-link m_1 2026-11-20T10:00:00.000Z 111 11 &&
	claude_ev sess-link m_2 2026-11-20T10:01:00.000Z 222 22 &&
	(
		cd repo &&
		GIT_AUTHOR_NAME=Bob GIT_AUTHOR_EMAIL=bob@example.com \
			commit_at 2026-11-20T10:02:00Z feature &&
		git rev-parse HEAD >../feature
	) &&
	claude_commit_output sess-link 2026-11-20T10:02:01.000Z main \
		"$(git -C repo rev-parse --short=7 HEAD)" &&
	claude_ev sess-link m_3 2026-11-20T10:03:00.000Z 333 33
'

test_expect_success 'the session up to its commit output is linked' '
	(cd repo && git tokens show --format=json $(cat ../feature)) >feature.json &&
	python3 - <<-\PY
	import json
	s = json.load(open("feature.json"))
	u = s["usage"]
	assert u["how"] == "link", u
	assert (u["input"], u["output"], u["requests"]) == (333, 33, 2), u
	assert s["author_email"] == "bob@example.com", s
	assert s["note"]["lines"] == [] and s["note"]["kept"] == [], s
	PY
'

test_expect_success 'usage after the link is pending' '
	(cd repo && git tokens report --format=json) >report.json &&
	python3 - <<-\PY
	import json
	p = json.load(open("report.json"))["pending"]
	assert (p["events"], p["tokens"]) == (1, 366), p
	PY
'

test_expect_success 'a Codex rollout that committed is linked too' '
	(
		cd repo &&
		GIT_AUTHOR_NAME=Bob GIT_AUTHOR_EMAIL=bob@example.com \
			commit_at 2026-11-20T11:30:00Z codex-work &&
		git rev-parse HEAD >../codex-commit &&
		git rev-parse --short=9 HEAD >../codex-short
	) &&
	python3 - "$TRASH/repo" "$(cat codex-short)" <<-\PY
	import json, os, sys
	cwd, short = sys.argv[1], sys.argv[2]
	def line(t, typ, p):
	    return json.dumps({"timestamp": t, "type": typ, "payload": p})
	def tok(t, i, o):
	    u = {"input_tokens": i, "cached_input_tokens": 0,
	         "output_tokens": o, "reasoning_output_tokens": 0,
	         "total_tokens": i + o}
	    return line(t, "event_msg", {"type": "token_count",
	        "info": {"total_token_usage": u, "last_token_usage": u}})
	out = json.dumps({"output": "[detached HEAD %s] codex-work\n 1 file changed" % short,
	                  "metadata": {"exit_code": 0}})
	lines = [
	  line("2026-11-20T11:00:00.000Z", "session_meta",
	       {"id": "codex-sess", "cwd": cwd, "source": "cli"}),
	  line("2026-11-20T11:00:01.000Z", "turn_context",
	       {"cwd": cwd, "model": "gpt-5-codex"}),
	  tok("2026-11-20T11:10:00.000Z", 1000, 100),
	  line("2026-11-20T11:30:01.000Z", "response_item",
	       {"type": "function_call_output", "call_id": "c1", "output": out}),
	  tok("2026-11-20T11:40:00.000Z", 1500, 150),
	]
	d = "codex/sessions/2026/11/20"
	os.makedirs(d, exist_ok=True)
	with open(d + "/rollout-2026-11-20T11-00-00-codex-sess.jsonl", "w") as f:
	    f.write("\n".join(lines) + "\n")
	PY
	(cd repo && git tokens show --format=json $(cat ../codex-commit)) >codex.json &&
	python3 - <<-\PY
	import json
	u = json.load(open("codex.json"))["usage"]
	assert u["how"] == "link", u
	assert (u["input"], u["output"], u["tool"]) == (1000, 100, "codex"), u
	PY
'

test_expect_success 'show: the note, parsed, and the lines kept' '
	claude_ev sess-hook m_4 2026-11-20T12:00:00.000Z 400 40 &&
	(
		cd repo &&
		commit_at 2026-11-20T12:05:00Z hooked &&
		git tokens record -q &&
		git notes --ref=tokens append -m "garbage line" HEAD &&
		git tokens show >../show.txt 2>../show.err &&
		git tokens show --format=json >../show.json
	) &&
	grep "^subject   hooked$" show.txt &&
	# the Codex turn after its link (11:40) came after the parent too
	grep "^usage     990 tokens (input 900, output 90, cache write 0, cache read 0), 2 requests, cost \$0.0029$" show.txt &&
	grep "how hook, tool claude-code, model claude-sonnet-4-5" show.txt &&
	grep "^note      3 lines in refs/notes/tokens$" show.txt &&
	grep "^  codex gpt-5-codex session" show.txt &&
	grep "^  kept, not understood: garbage line$" show.txt &&
	grep "not understood" show.err &&
	python3 - <<-\PY
	import json
	s = json.load(open("show.json"))
	assert s["schema"] == "git-tokens/show/v1", s
	assert s["landed"] == "yes" and s["lines_added"] == 1, s
	assert s["note"]["kept"] == ["garbage line"], s["note"]
	(l,) = [l for l in s["note"]["lines"] if l["tool"] == "claude-code"]
	assert (l["input"], l["output"], l["how"]) == (400, 40, "hook"), l
	assert len(s["note"]["lines"]) == 2, s["note"]
	# 400*3 + 40*15 (sonnet) + 500*1.25 + 50*10 (gpt-5-codex) per million
	assert abs(s["usage"]["cost_usd"] - 0.002925) < 1e-9, s["usage"]
	PY
'

test_expect_success 'show: an assisted change without usage, bad input' '
	(
		cd repo &&
		GIT_AUTHOR_DATE=2026-11-21T09:00:00Z GIT_COMMITTER_DATE=2026-11-21T09:00:00Z \
			git commit -q --allow-empty -m "agent work

Co-Authored-By: Claude <noreply@anthropic.com>" &&
		git tokens show >../assisted.txt &&
		test_expect_code 128 git tokens show no-such-rev 2>../bad.err &&
		test_expect_code 129 git tokens show --format=xml 2>../fmt.err
	) &&
	grep "^usage     assisted, tokens unknown$" assisted.txt &&
	grep "bad revision" bad.err &&
	grep "format" fmt.err
'

test_expect_success 'show in a repository with no commits says so, as git does' '
	git init -q -b trunk empty &&
	test_expect_code 128 git -C empty tokens show 2>err &&
	grep "^fatal: your current branch .trunk. does not have any commits yet" err &&
	test_expect_code 128 git -C empty tokens show nosuch 2>err &&
	grep "bad revision .nosuch." err
'

test_done
