#!/bin/sh

test_description='usage --all-repos: the rows a rerun with nothing new prints again'

. "$(dirname "$0")"/lib-tokens.sh

TRASH=$(pwd)
HOME=$TRASH
GIT_TOKENS_NOW=2026-11-30T00:00:00Z TZ=UTC
XDG_CACHE_HOME=$TRASH/cache CLAUDE_CONFIG_DIR=$TRASH/claude
CODEX_HOME=$TRASH/codex
export TRASH HOME GIT_TOKENS_NOW TZ XDG_CACHE_HOME CLAUDE_CONFIG_DIR \
	CODEX_HOME

test -f /usr/share/zoneinfo/Asia/Tokyo &&
test -f /usr/share/zoneinfo/America/New_York &&
test_set_prereq TZDATA

# ev <session> <id> <time> <output tokens> <model>: one Claude Code
# response with no other tokens.
ev () {
	mkdir -p claude/projects/-repo &&
	cat >>claude/projects/-repo/$1.jsonl <<-EOF
	{"type":"assistant","cwd":"$TRASH/repo","sessionId":"$1","timestamp":"$3","requestId":"req_$2","message":{"model":"$5","id":"$2","type":"message","role":"assistant","content":[],"usage":{"input_tokens":0,"output_tokens":$4}}}
	EOF
}

# u <name> [<option>...]: usage --all-repos --format json with the
# options into <name>.json (stderr, debugging on, into <name>.err);
# it must be what a run that reads every log again prints.
u () {
	name=$1 &&
	shift &&
	(cd repo && GIT_TOKENS_DEBUG=1 git tokens usage --all-repos \
		--format json "$@" >../$name.json 2>../$name.err) &&
	(cd repo && git tokens usage --all-repos --format json --no-cache \
		"$@" >../$name.ref 2>../$name.ref-err) &&
	test_cmp $name.ref $name.json &&
	sed "/^usage: /d" $name.err >$name.warn &&
	test_cmp $name.ref-err $name.warn
}

# used <name>: that run answered from the summary
used () {
	grep "^usage: the summary of the last run$" $1.err
}

test_expect_success 'setup' '
	git init -q repo &&
	ev s1 m1 2026-11-20T10:00:00.000Z 10 claude-sonnet-4-5 &&
	ev s1 m2 2026-11-20T23:30:00.000Z 20 claude-sonnet-4-5 &&
	ev s2 m3 2026-11-21T10:00:00.000Z 40 no-such-model &&
	ev s2 m4 2026-11-22T03:00:00.000Z 80 claude-sonnet-4-5
'

test_expect_success 'a rerun with nothing new answers from the summary' '
	u a1 &&
	! used a1 &&
	test -f cache/git-tokens/usage-by-day.summary &&
	test "$(json_get total.output <a1.json)" = 150 &&
	test "$(json_get total.requests <a1.json)" = 4 &&
	test "$(json_get rows.0.output <a1.json)" = 30 &&
	u a2 &&
	used a2 &&
	test_cmp a1.json a2.json &&
	grep "no price for model .no-such-model." a2.warn
'

test_expect_success 'new data: the response appended counts' '
	ev s2 m5 2026-11-22T14:00:00.000Z 160 claude-sonnet-4-5 &&
	u b1 &&
	! used b1 &&
	test "$(json_get total.output <b1.json)" = 310 &&
	test "$(json_get total.requests <b1.json)" = 5 &&
	u b2 &&
	used b2
'

test_expect_success 'a log gone: its responses are gone' '
	mv claude/projects/-repo/s1.jsonl s1.jsonl &&
	u c1 &&
	! used c1 &&
	test "$(json_get total.output <c1.json)" = 280 &&
	mv s1.jsonl claude/projects/-repo/s1.jsonl &&
	u c2 &&
	! used c2 &&
	test "$(json_get total.output <c2.json)" = 310
'

test_expect_success 'another --by, --since or --until: another answer' '
	u d1 --by model &&
	! used d1 &&
	test "$(json_get rows.0.key <d1.json)" = claude-sonnet-4-5 &&
	u d2 --by model &&
	used d2 &&
	u d3 --since 2026-11-21 &&
	! used d3 &&
	test "$(json_get total.output <d3.json)" = 280 &&
	u d4 --since 2026-11-21 &&
	used d4 &&
	u d5 --until 2026-11-20 &&
	! used d5 &&
	test "$(json_get total.output <d5.json)" = 30 &&
	u d6 &&
	! used d6 &&
	test "$(json_get total.output <d6.json)" = 310
'

# Output only: 270 tokens of claude-sonnet-4-5, 40 of no-such-model.
test_expect_success 'another price table, or the same one edited: new costs' '
	cat >p.json <<-\EOF &&
	{"schema": "git-tokens/prices/v1",
	 "models": {"claude-sonnet-4-5": {"provider": "anthropic", "input": 3,
	                "output": 10, "cache_write": 3.75, "cache_read": 0.3},
	            "no-such-model": {"provider": "anthropic", "input": 3,
	                "output": 20, "cache_write": 3.75, "cache_read": 0.3}}}
	EOF
	git config --global tokens.prices "$TRASH/p.json" &&
	u e1 &&
	! used e1 &&
	test_must_be_empty e1.warn &&
	test "$(json_get total.cost_usd <e1.json)" = 0.0035 &&
	sed "s/\"output\": 10,/\"output\": 30,/" p.json >p.new &&
	cat p.new >p.json &&
	u e2 &&
	! used e2 &&
	test "$(json_get total.cost_usd <e2.json)" = 0.0089 &&
	u e3 &&
	used e3 &&
	git config --global --unset tokens.prices &&
	u e4 &&
	! used e4 &&
	test "$(json_get total.cost_usd <e4.json)" = null
'

test_expect_success 'a relative --since moves with the clock' '
	(
		GIT_TOKENS_NOW=2026-11-22T13:00:00Z &&
		export GIT_TOKENS_NOW &&
		u f1 --since yesterday &&
		u f2 --since yesterday &&
		used f2
	) &&
	test "$(json_get total.output <f1.json)" = 280 &&
	(
		GIT_TOKENS_NOW=2026-11-23T13:00:00Z &&
		export GIT_TOKENS_NOW &&
		u f3 --since yesterday &&
		! used f3
	) &&
	test "$(json_get total.output <f3.json)" = 240
'

# In Tokyo (UTC+9) m2 is on the 21st, in New York (UTC-5) m4.
test_expect_success TZDATA 'another time zone: other days' '
	u g1 &&
	test "$(json_get rows.1.output <g1.json)" = 40 &&
	u g2 --timezone Asia/Tokyo &&
	! used g2 &&
	test "$(json_get rows.1.output <g2.json)" = 60 &&
	u g3 --timezone Asia/Tokyo &&
	used g3 &&
	(TZ=America/New_York && export TZ && u g4) &&
	! used g4 &&
	test "$(json_get rows.1.output <g4.json)" = 120
'

test_expect_success TZDATA 'new rules for the same zone: other days' '
	mkdir -p zi/Test &&
	cp /usr/share/zoneinfo/Asia/Tokyo zi/Test/Zone &&
	(
		TZDIR=$TRASH/zi &&
		export TZDIR &&
		u h1 --timezone Test/Zone &&
		u h2 --timezone Test/Zone &&
		used h2 &&
		cat /usr/share/zoneinfo/America/New_York >zi/Test/Zone &&
		u h3 --timezone Test/Zone &&
		! used h3
	) &&
	test "$(json_get rows.1.output <h2.json)" = 60 &&
	test "$(json_get rows.1.output <h3.json)" = 120
'

test_expect_success 'a damaged summary is not used' '
	u j1 &&
	head -c 40 cache/git-tokens/usage-by-day.summary >damaged &&
	mv damaged cache/git-tokens/usage-by-day.summary &&
	u j2 &&
	! used j2 &&
	test_cmp j1.json j2.json &&
	u j3 &&
	used j3
'

# One turn of gpt-5.5, 100 output tokens; the tier is config.toml's.
test_expect_success 'Codex: config.toml changed, the tier follows' '
	mkdir -p codex/sessions/2026/11/25 &&
	python3 - <<-\PY &&
	import json, os
	sid = "019aad50-0000-7000-8000-0000000000f1"
	t = "2026-11-25T08:00:%02d.000Z"
	cwd = os.environ["TRASH"] + "/repo"
	use = {"input_tokens": 1000, "cached_input_tokens": 400,
	       "output_tokens": 100, "reasoning_output_tokens": 10,
	       "total_tokens": 1100}
	lines = [
	    (0, "session_meta", {"id": sid, "timestamp": t % 0, "cwd": cwd,
	                         "originator": "codex_cli_rs",
	                         "cli_version": "0.148.0", "source": "exec",
	                         "model_provider": "openai"}),
	    (1, "turn_context", {"cwd": cwd, "model": "gpt-5.5"}),
	    (9, "event_msg", {"type": "token_count", "info": {
	        "total_token_usage": use, "last_token_usage": use}}),
	]
	with open("codex/sessions/2026/11/25/rollout-2026-11-25T08-00-00-"
	          + sid + ".jsonl", "w") as f:
	    for s, typ, p in lines:
	        f.write(json.dumps({"timestamp": t % s, "type": typ,
	                            "payload": p}) + "\n")
	PY
	echo "model = \"gpt-5.5\"" >codex/config.toml &&
	u i1 --by model &&
	u i2 --by model &&
	used i2 &&
	test "$(json_get rows.1.key <i2.json)" = gpt-5.5 &&
	echo "service_tier = \"priority\"" >>codex/config.toml &&
	u i3 --by model &&
	! used i3 &&
	test "$(json_get rows.1.key <i3.json)" = gpt-5.5-fast &&
	test "$(json_get rows.1.output <i3.json)" = 100
'

test_expect_success 'the last log of a source gone: its rows are gone' '
	rm -r codex/sessions &&
	u i4 --by model &&
	! used i4 &&
	! grep gpt-5.5 i4.json &&
	test "$(json_get total.output <i4.json)" = 310
'

test_expect_success 'another build of git-tokens: the rows made again' '
	mkdir bin &&
	cp "$(command -v git-tokens)" bin/ &&
	(
		PATH=$TRASH/bin:$PATH &&
		u l1 &&
		u l2 &&
		used l2 &&
		rm bin/git-tokens &&
		cp "$(command -v git-tokens)" bin/ &&
		u l3 &&
		! used l3
	)
'

test_expect_success 'usage of one repository keeps no summary' '
	(cd repo && git tokens usage --format json >../k.json) &&
	test "$(json_get total.output <k.json)" = 310 &&
	! ls repo/.git/tokens/*.summary
'

test_done
