#!/bin/sh

test_description='fetch openai: organization completions usage by user'

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
	    assert e["tool"] == "openai-api" and "cost_usd" not in e, e
	    who = e.get("author", "-")
	    tot[who] = tot.get(who, 0) + sum(e[k] for k in
	        ("input", "output", "cache_write", "cache_read"))
	for k in sorted(tot):
	    print(k, tot[k])
	PY
}

KEY=sk-admin-SENTINEL-openai-41d2
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GIT_SSL_CAINFO CURL_CA_BUNDLE GIT_TOKENS_HTTP_MAX_WAIT

# 2025-08-01 is 1754006400, 2025-08-02 is 1754092800.
test_expect_success 'setup: repository and scripted answers' '
	git init -q repo &&
	mkdir srv &&
	cat >srv/routes <<-\EOF &&
	/v1/organization/users after=user-a users-2
	/v1/organization/users - users-1
	/v1/organization/usage/completions page=c3 comp-3
	/v1/organization/usage/completions page=c2 comp-2
	/v1/organization/usage/completions - comp-1
	EOF
	cat >srv/users-1 <<-\EOF &&
	200

	{"object":"list","data":[{"object":"organization.user","id":"user-a",
	 "email":"dana@example.com"}],"has_more":true,"last_id":"user-a"}
	EOF
	cat >srv/users-2 <<-\EOF &&
	200

	{"object":"list","data":[{"object":"organization.user","id":"user-b",
	 "email":"eve@example.com"}],"has_more":false,"last_id":"user-b"}
	EOF
	cat >srv/comp-1 <<-\EOF &&
	200

	{"object":"page","data":[{"object":"bucket","start_time":1754006400,
	  "end_time":1754092800,"results":[
	  {"input_tokens":1000,"output_tokens":100,"input_cached_tokens":800,
	   "num_model_requests":5,"user_id":"user-a","model":"gpt-4o"},
	  {"input_tokens":50,"output_tokens":5,"input_cached_tokens":0,
	   "num_model_requests":1,"user_id":null,"model":"gpt-4o"}]}],
	 "has_more":true,"next_page":"c2"}
	EOF
	cat >srv/comp-2 <<-\EOF &&
	200

	{"object":"page","data":[{"object":"bucket","start_time":1754092800,
	  "end_time":1754179200,"results":[
	  {"input_tokens":10,"output_tokens":20,"input_cached_tokens":0,
	   "user_id":"user-b","model":"gpt-4o-mini"},
	  {"input_tokens":5,"output_tokens":1000,"input_cached_tokens":5,
	   "user_id":"user-a","model":"o3"}]}],
	 "has_more":true,"next_page":"c3"}
	EOF
	cat >srv/comp-3 <<-\EOF &&
	200

	{"object":"page","data":[{"object":"bucket","start_time":1754092800,
	  "end_time":1754179200,"results":[
	  {"input_tokens":300,"output_tokens":0,"input_cached_tokens":100,
	   "user_id":"user-a","model":"gpt-4o"}]}],
	 "has_more":false,"next_page":null}
	EOF
	start_httpd srv
'

test_expect_success 'fetch openai walks every page and totals exactly' '
	(
		cd repo &&
		OPENAI_ADMIN_KEY=$KEY GIT_TOKENS_OPENAI_URL=$HTTPD_URL \
		git tokens fetch openai --since 2025-08-01 \
			--until 2025-08-02 >../out 2>../err
	) &&
	test_must_be_empty out &&
	echo "fetched 2 days, 2 people, 2.5k tokens" >expect &&
	test_cmp expect err &&
	cat >expect <<-\EOF &&
	- 55
	dana@example.com 2405
	eve@example.com 30
	EOF
	stored_totals repo/.git/tokens/provider-usage.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'cached input is split out of input_tokens' '
	python3 - repo/.git/tokens/provider-usage.jsonl <<-\PY
	import json, sys
	ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()[1:]]
	d = [e for e in ev if e.get("author") == "dana@example.com" and
	     e["model"] == "gpt-4o" and e["time"].startswith("2025-08-01")]
	assert len(d) == 1, d
	assert (d[0]["input"], d[0]["cache_read"], d[0]["output"]) == \
	    (200, 800, 100), d
	PY
'

test_expect_success 'the key went as a bearer token; range and grouping asked' '
	python3 - srv/requests.log "$KEY" <<-\PY
	import json, sys
	from urllib.parse import parse_qs
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	assert len(reqs) == 5, reqs
	for r in reqs:
	    h = {k.lower(): v for k, v in r["headers"].items()}
	    assert h["authorization"] == "Bearer " + sys.argv[2], h
	    assert "x-api-key" not in h
	comp = [parse_qs(r["query"]) for r in reqs
	        if r["path"] == "/v1/organization/usage/completions"]
	assert len(comp) == 3
	for q in comp:
	    assert q["start_time"] == ["1754006400"], q
	    assert q["end_time"] == ["1754179200"], q
	    assert q["bucket_width"] == ["1d"], q
	    assert sorted(q["group_by[]"]) == ["model", "user_id"], q
	assert [q.get("page") for q in comp] == [None, ["c2"], ["c3"]]
	PY
'

test_expect_success 're-fetching the same days replaces, not adds' '
	cp repo/.git/tokens/provider-usage.jsonl before &&
	(
		cd repo &&
		OPENAI_ADMIN_KEY=$KEY GIT_TOKENS_OPENAI_URL=$HTTPD_URL \
		git tokens fetch openai -q --since 2025-08-01 \
			--until 2025-08-02 2>../err
	) &&
	test_must_be_empty err &&
	test_cmp before repo/.git/tokens/provider-usage.jsonl
'

test_expect_success 'a shorter range replaces only its own days' '
	(
		cd repo &&
		OPENAI_ADMIN_KEY=$KEY GIT_TOKENS_OPENAI_URL=$HTTPD_URL \
		git tokens fetch openai --since 2025-08-02 \
			--until 2025-08-02 2>../err
	) &&
	echo "fetched 1 day, 2 people, 1.3k tokens" >expect &&
	test_cmp expect err &&
	stored_totals repo/.git/tokens/provider-usage.jsonl >actual &&
	stored_totals before >expect &&
	test_cmp expect actual
'

test_expect_success 'default and relative dates follow GIT_TOKENS_NOW' '
	: >srv/requests.log &&
	(
		cd repo &&
		OPENAI_ADMIN_KEY=$KEY GIT_TOKENS_OPENAI_URL=$HTTPD_URL \
		GIT_TOKENS_NOW=2025-08-03 git tokens fetch -q openai &&
		OPENAI_ADMIN_KEY=$KEY GIT_TOKENS_OPENAI_URL=$HTTPD_URL \
		GIT_TOKENS_NOW=2025-08-03T10:00:00Z \
		git tokens fetch -q openai --since 2.days.ago --until yesterday
	) &&
	grep -o "start_time=[0-9]*&end_time=[0-9]*" srv/requests.log |
		sort -u >actual &&
	cat >expect <<-\EOF &&
	start_time=1753574400&end_time=1754179200
	start_time=1754006400&end_time=1754179200
	EOF
	test_cmp expect actual &&
	stored_totals repo/.git/tokens/provider-usage.jsonl >actual &&
	stored_totals before >expect &&
	test_cmp expect actual
'

test_expect_success 'the key is in no output and no cache file' '
	! grep -r -e "$KEY" out err repo/.git/tokens
'

test_expect_success 'cleanup' '
	stop_httpd srv
'

test_done
