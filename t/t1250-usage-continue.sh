#!/bin/sh

test_description='usage: Continue tokensGenerated.jsonl, folders from sessions.json'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-sources.sh

# Write ~/.continue for the repositories proj and other, and
# expect-proj.json / expect-other.json / expect-none.json from the
# tokens the records were made with.
gen_continue () {
	python3 - <<-\PY
	import os, urllib.parse
	from lib_sources import Expect, write_json, write_lines
	home = os.path.abspath(".continue")
	proj = os.path.abspath("proj")
	other = os.path.abspath("other")
	ex = Expect()

	def tok(ts, sid, model, p, g):
	    r = {"eventName": "tokensGenerated", "schema": "0.2.0",
	         "createdAt": ts, "userId": "u-1", "userAgent": "vscode",
	         "selectedProfileId": "local", "model": model,
	         "provider": "anthropic", "promptTokens": p,
	         "generatedTokens": g}
	    if sid:
	        r["sessionId"] = sid
	    return r

	calls = [("2026-11-20T10:00:00.000Z", "s-proj", "claude-sonnet-4-5",
	          5000, 300, proj),
	         ("2026-11-20T10:05:00.000Z", "s-proj", "claude-haiku-4-5",
	          800, 40, proj),
	         ("2026-11-21T09:00:00.000Z", "s-other", "gpt-5", 1200, 90, other),
	         # no session: no folder, counted only with --all-repos
	         ("2026-11-22T09:00:00.000Z", None, "gpt-5", 10, 1,
	          os.path.abspath("none"))]
	lines = []
	for ts, sid, model, p, g, repo in calls:
	    lines.append(tok(ts, sid, model, p, g))
	    ex.bill(repo, ts, model, p, g)
	lines.append(tok("2026-11-22T09:01:00.000Z", "s-proj", "gpt-5", 0, 0))
	write_lines(home + "/dev_data/0.2.0/tokensGenerated.jsonl", lines)
	# the same calls kept in another form: never added
	write_lines(home + "/dev_data/0.2.0/chatInteraction.jsonl",
	            [{"promptTokens": 5000, "createdAt": calls[0][0]}])
	write_json(home + "/sessions/sessions.json", [
	    {"sessionId": "s-proj", "title": "a", "dateCreated": "1",
	     "workspaceDirectory": "file://" + urllib.parse.quote(proj)},
	    {"sessionId": "s-other", "title": "b", "dateCreated": "2",
	     "workspaceDirectory": other}])
	ex.write(proj, "expect-proj.json")
	ex.write(other, "expect-other.json")
	ex.write("none", "expect-none.json")
	PY
}

test_expect_success 'setup' '
	git init -q proj &&
	git init -q other &&
	use_test_prices &&
	gen_continue
'

test_expect_success 'prompt and generated tokens, no cache; the folder of the session' '
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	check_usage out.json expect-proj.json &&
	test_must_be_empty err &&
	(cd other && git tokens usage --format json >../out.json) &&
	check_usage out.json expect-other.json &&
	(cd proj && git tokens usage --all-repos --format json >../out.json) &&
	check_usage out.json expect-proj.json expect-other.json expect-none.json
'

test_expect_success 'a session listed after its calls were read' '
	mv .continue/sessions/sessions.json saved.json &&
	(cd proj && git tokens usage --format json >../out.json) &&
	test $(json_get total.requests <out.json) = 0 &&
	mv saved.json .continue/sessions/sessions.json &&
	(cd proj && git tokens usage --format json >../out.json) &&
	check_usage out.json expect-proj.json
'

test_expect_success 'CONTINUE_GLOBAL_DIR and tokens.continue.path' '
	mv .continue c2 &&
	(cd proj && CONTINUE_GLOBAL_DIR=$(pwd)/../c2 git tokens usage \
		--format json >../out.json) &&
	check_usage out.json expect-proj.json &&
	(cd proj && git config tokens.continue.path "$(pwd)/../c2" &&
	 git tokens usage --format json >../out.json &&
	 git config --unset tokens.continue.path) &&
	check_usage out.json expect-proj.json &&
	mv c2 .continue
'

test_expect_success 'appended calls read once; bad and cut lines named' '
	f=.continue/dev_data/0.2.0/tokensGenerated.jsonl &&
	echo "{\"promptTokens\": \"many\", \"generatedTokens\": -3, \"createdAt\": \"2026-11-20T11:00:00Z\"}" >>"$f" &&
	n=$(wc -l <"$f") &&
	echo "{\"promptTokens\": 100, \"generatedTokens\": 10, \"createdAt\": \"2026-11-20T12:00:00Z\", \"sessionId\": \"s-proj\", \"model\": \"claude-haiku-4-5\"}" >>"$f" &&
	printf "%s" "{\"promptTokens\": 7, \"generatedTok" >>"$f" &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	test $(json_get rows.0.requests <out.json) = 3 &&
	test $(json_get rows.0.input <out.json) = 5900 &&
	grep "^warning: skipped 2 bad usage records (first: .*tokensGenerated.jsonl:$n: bad token counter)" err &&
	(cd proj && git tokens usage --format json >../again.json 2>/dev/null) &&
	test_cmp out.json again.json &&
	(cd proj && git tokens usage --no-cache --format json >../fresh.json 2>/dev/null) &&
	test_cmp out.json fresh.json
'

test_expect_success 'members not read are only skipped; a broken line is named' '
	rm -rf .continue/dev_data &&
	f=.continue/dev_data/0.2.0/tokensGenerated.jsonl &&
	mkdir -p .continue/dev_data/0.2.0 &&
	cat >"$f" <<-\EOF &&
	{"promptTokens": 40, "generatedTokens": 4, "createdAt": "2026-11-20T12:00:00Z", "sessionId": "s-proj", "model": "claude-haiku-\u0034-5", "extra": {"a": [1 2]}}
	{"promptTokens": 9, "generatedTokens": 1, "createdAt": "2026-11-20T12:01:00Z", "sessionId": "s-proj" "model": "x"}
	EOF
	(cd proj && git tokens usage --format json --by model >../out.json 2>../err) &&
	test $(json_get rows.0.requests <out.json) = 1 &&
	test $(json_get rows.0.input <out.json) = 40 &&
	test $(json_get rows.0.key <out.json) = claude-haiku-4-5 &&
	grep "^warning: skipped 1 bad usage record (first: .*tokensGenerated.jsonl:2: malformed JSON)" err
'

test_done
