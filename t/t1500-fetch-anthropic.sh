#!/bin/sh

test_description='fetch anthropic: Claude Code analytics and the messages usage report'

. "$(dirname "$0")"/lib-tokens.sh

# Tokens per author (or "-") in the stored provider usage.
stored_totals () {
	python3 - "$1" <<-\PY
	import json, sys
	lines = open(sys.argv[1]).read().splitlines()
	assert json.loads(lines[0])["version"] == 1
	tot = {}
	for l in lines[1:]:
	    e = json.loads(l)
	    who = e.get("author", "-")
	    tot[who] = tot.get(who, 0) + sum(e[k] for k in
	        ("input", "output", "cache_write", "cache_read"))
	for k in sorted(tot):
	    print(k, tot[k])
	PY
}

KEY=sk-ant-admin01-SENTINEL-7f3a9c
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GIT_SSL_CAINFO CURL_CA_BUNDLE GIT_TOKENS_HTTP_MAX_WAIT

test_expect_success 'setup: repository and scripted answers' '
	git init -q repo &&
	mkdir srv &&
	cat >srv/routes <<-\EOF &&
	/v1/organizations/users after_id=user_2 users-2
	/v1/organizations/users - users-1 users-304
	/v1/organizations/api_keys - keys
	/v1/organizations/usage_report/claude_code starting_at=2025-08-01&page=pg3 cc-1c
	/v1/organizations/usage_report/claude_code starting_at=2025-08-01&page=pg2 cc-1b
	/v1/organizations/usage_report/claude_code starting_at=2025-08-01 cc-1a
	/v1/organizations/usage_report/claude_code starting_at=2025-08-02 cc-2
	/v1/organizations/usage_report/claude_code - cc-empty
	/v1/organizations/usage_report/messages - messages
	EOF
	cat >srv/users-1 <<-\EOF &&
	200
	Content-Type: application/json
	ETag: "users-v1"

	{"data":[{"id":"user_1","email":"alice@example.com"},
	 {"id":"user_2","email":"bob@example.com"}],
	 "has_more":true,"first_id":"user_1","last_id":"user_2"}
	EOF
	cat >srv/users-304 <<-\EOF &&
	304
	ETag: "users-v1"

	EOF
	cat >srv/users-2 <<-\EOF &&
	200

	{"data":[{"id":"user_3","email":"carol@example.com"}],
	 "has_more":false,"last_id":"user_3"}
	EOF
	cat >srv/keys <<-\EOF &&
	200

	{"data":[{"id":"apikey_1","name":"ci-key","status":"active",
	 "partial_key_hint":"sk-ant-api03-HINTSENTINEL...AA",
	 "created_by":{"id":"user_3","type":"user"}}],"has_more":false}
	EOF
	cat >srv/cc-1a <<-\EOF &&
	200

	{"data":[{"date":"2025-08-01T00:00:00Z",
	  "actor":{"type":"user_actor","email_address":"alice@example.com"},
	  "customer_type":"subscription",
	  "model_breakdown":[{"model":"claude-sonnet-4",
	   "tokens":{"input":100,"output":10,"cache_read":1000,"cache_creation":50},
	   "estimated_cost":{"amount":186,"currency":"USD"}}]}],
	 "has_more":true,"next_page":"pg2"}
	EOF
	cat >srv/cc-1b <<-\EOF &&
	200

	{"data":[{"date":"2025-08-01",
	  "actor":{"type":"user_actor","email_address":"bob@example.com"},
	  "customer_type":"api",
	  "model_breakdown":[{"model":"claude-sonnet-4",
	   "tokens":{"input":200,"output":20,"cache_read":2000,"cache_creation":60},
	   "estimated_cost":{"amount":200,"currency":"USD"}}]}],
	 "has_more":true,"next_page":"pg3"}
	EOF
	cat >srv/cc-1c <<-\EOF &&
	200

	{"data":[{"date":"2025-08-01T00:00:00Z",
	  "actor":{"type":"api_actor","api_key_name":"ci-key"},
	  "customer_type":"api",
	  "model_breakdown":[{"model":"claude-opus-4",
	   "tokens":{"input":300,"output":30,"cache_read":0,"cache_creation":0},
	   "estimated_cost":{"amount":50,"currency":"USD"}}]}],
	 "has_more":false,"next_page":null}
	EOF
	cat >srv/cc-2 <<-\EOF &&
	200

	{"data":[{"date":"2025-08-02T00:00:00Z",
	  "actor":{"type":"user_actor","email_address":"alice@example.com"},
	  "customer_type":"subscription",
	  "model_breakdown":[{"model":"claude-sonnet-4",
	   "tokens":{"input":1,"output":2,"cache_read":3,"cache_creation":4},
	   "estimated_cost":{"amount":10,"currency":"USD"}}]}],
	 "has_more":false}
	EOF
	cat >srv/cc-empty <<-\EOF &&
	200

	{"data":[],"has_more":false,"next_page":null}
	EOF
	cat >srv/messages <<-\EOF &&
	200

	{"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-02T00:00:00Z",
	  "results":[
	   {"uncached_input_tokens":500,"output_tokens":50,"cache_read_input_tokens":2500,
	    "cache_creation":{"ephemeral_1h_input_tokens":10,"ephemeral_5m_input_tokens":90},
	    "account_id":"user_2","api_key_id":null,"model":"claude-sonnet-4"},
	   {"uncached_input_tokens":300,"output_tokens":30,"cache_read_input_tokens":0,
	    "cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},
	    "account_id":null,"api_key_id":"apikey_1","model":"claude-opus-4"},
	   {"uncached_input_tokens":7,"output_tokens":3,"cache_read_input_tokens":0,
	    "cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},
	    "account_id":null,"api_key_id":null,"model":"claude-haiku-4"}]},
	  {"starting_at":"2025-08-02T00:00:00Z","ending_at":"2025-08-03T00:00:00Z",
	   "results":[]}],
	 "has_more":false,"next_page":null}
	EOF
	start_httpd srv
'

test_expect_success 'fetch anthropic walks every page and totals exactly' '
	(
		cd repo &&
		ANTHROPIC_ADMIN_KEY=$KEY GIT_TOKENS_ANTHROPIC_URL=$HTTPD_URL \
		git tokens fetch anthropic --since 2025-08-01 \
			--until 2025-08-02 >../out 2>../err
	) &&
	test_must_be_empty out &&
	echo "fetched 2 days, 3 people, 4.7k tokens" >expect &&
	test_cmp expect err &&
	# alice: 1160 + 10; bob: 2280 from Claude Code + 870 left in the
	# messages report; carol: Claude Code only (the report holds the
	# same usage); 10 that belong to nobody.
	cat >expect <<-\EOF &&
	- 10
	alice@example.com 1170
	bob@example.com 3150
	carol@example.com 330
	EOF
	stored_totals repo/.git/tokens/provider-usage.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'pages were requested with the cursors' '
	grep -c "\"path\": \"/v1/organizations/usage_report/claude_code\"" \
		srv/requests.log >count &&
	echo 4 >expect &&
	test_cmp expect count &&
	grep "page=pg2" srv/requests.log &&
	grep "page=pg3" srv/requests.log &&
	grep "after_id=user_2" srv/requests.log
'

test_expect_success 'the key went in x-api-key with anthropic-version' '
	python3 - srv/requests.log "$KEY" <<-\PY
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	assert reqs
	for r in reqs:
	    h = {k.lower(): v for k, v in r["headers"].items()}
	    assert h["x-api-key"] == sys.argv[2], h
	    assert h["anthropic-version"] == "2023-06-01", h
	    assert h["user-agent"].startswith("git-tokens/"), h
	    assert "authorization" not in h
	PY
'

test_expect_success 'costs from the analytics are kept, in dollars' '
	python3 - repo/.git/tokens/provider-usage.jsonl <<-\PY
	import json, sys
	ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()[1:]]
	alice = [e for e in ev if e.get("author") == "alice@example.com"]
	assert abs(sum(e["cost_usd"] for e in alice) - 1.96) < 1e-9, alice
	assert all(e["tool"] == "anthropic-api" for e in ev)
	days = sorted(set(e["time"] for e in ev))
	assert days == ["2025-08-01T00:00:00Z", "2025-08-02T00:00:00Z"], days
	bob = [e for e in ev if e.get("author") == "bob@example.com" and
	       "cost_usd" not in e]
	assert len(bob) == 1 and bob[0]["cache_write"] == 40, bob
	assert bob[0]["cache_write_1h"] == 10, bob
	PY
'

test_expect_success 're-fetching the same days replaces, not adds' '
	cp repo/.git/tokens/provider-usage.jsonl before &&
	(
		cd repo &&
		ANTHROPIC_ADMIN_KEY=$KEY GIT_TOKENS_ANTHROPIC_URL=$HTTPD_URL \
		git tokens fetch -q anthropic --since 2025-08-01 \
			--until 2025-08-02 2>../err
	) &&
	test_must_be_empty err &&
	test_cmp before repo/.git/tokens/provider-usage.jsonl
'

test_expect_success 'the cached ETag was sent and a 304 answered from the cache' '
	grep "If-None-Match\": \"\\\\\"users-v1" srv/requests.log &&
	grep -c "bob@example.com" repo/.git/tokens/provider-usage.jsonl >n &&
	test "$(cat n)" -gt 0
'

test_expect_success 'fetching other days keeps the days fetched before' '
	(
		cd repo &&
		ANTHROPIC_ADMIN_KEY=$KEY GIT_TOKENS_ANTHROPIC_URL=$HTTPD_URL \
		git tokens fetch anthropic --since 2025-08-03 \
			--until 2025-08-03 2>../err
	) &&
	echo "fetched 1 day, 0 people, 0 tokens" >expect &&
	test_cmp expect err &&
	test_cmp before repo/.git/tokens/provider-usage.jsonl
'

test_expect_success '--offline rebuilds from the cached answers' '
	stop_httpd srv &&
	rm repo/.git/tokens/provider-usage.jsonl &&
	(
		cd repo &&
		GIT_TOKENS_ANTHROPIC_URL=$HTTPD_URL \
		git tokens fetch anthropic --offline --since 2025-08-01 \
			--until 2025-08-02 2>../err
	) &&
	test_cmp before repo/.git/tokens/provider-usage.jsonl
'

test_expect_success '--offline without a cached answer fails clearly' '
	(
		cd repo &&
		GIT_TOKENS_ANTHROPIC_URL=$HTTPD_URL \
		test_expect_code 128 git tokens fetch anthropic --offline \
			--since 2025-07-01 --until 2025-07-01 2>../err
	) &&
	grep "no cached answer for .*claude_code?starting_at=2025-07-01" err &&
	test_cmp before repo/.git/tokens/provider-usage.jsonl
'

test_expect_success 'the key is in no output and no cache file' '
	! grep -r -e "$KEY" out err repo/.git/tokens
'

test_expect_success 'key hints of the key list are not cached' '
	grep -r "ci-key" repo/.git/tokens/http &&
	! grep -r HINTSENTINEL repo/.git/tokens
'

test_expect_success 'cleanup' '
	stop_httpd srv
'

test_done
