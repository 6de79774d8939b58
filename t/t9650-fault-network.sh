#!/bin/sh

test_description='fetch: a connection that drops in the middle of a page'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-hardening.sh

KEY=sk-ant-admin01-SENTINEL-net-51c2
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GIT_SSL_CAINFO CURL_CA_BUNDLE
GIT_TOKENS_HTTP_MAX_WAIT=0
export GIT_TOKENS_HTTP_MAX_WAIT

# Tokens per author in the stored provider usage.
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

# page <output of alice> <output of bob> <dir>: two pages of analytics
# for 2025-08-01, the second one also as a copy cut after 60 bytes.
pages () {
	cat >"$3/p1" <<-EOF &&
	200

	{"data":[{"date":"2025-08-01T00:00:00Z",
	  "actor":{"type":"user_actor","email_address":"alice@example.com"},
	  "customer_type":"subscription",
	  "model_breakdown":[{"model":"claude-sonnet-4",
	   "tokens":{"input":1,"output":$1,"cache_read":0,"cache_creation":0},
	   "estimated_cost":{"amount":10,"currency":"USD"}}]}],
	 "has_more":true,"next_page":"pg2"}
	EOF
	cat >"$3/p2" <<-EOF &&
	200
	Content-Type: application/json

	{"data":[{"date":"2025-08-01T00:00:00Z",
	  "actor":{"type":"user_actor","email_address":"bob@example.com"},
	  "customer_type":"subscription",
	  "model_breakdown":[{"model":"claude-sonnet-4",
	   "tokens":{"input":1,"output":$2,"cache_read":0,"cache_creation":0},
	   "estimated_cost":{"amount":20,"currency":"USD"}}]}],
	 "has_more":false,"next_page":null}
	EOF
	{
		echo 200 &&
		echo "Content-Type: application/json" &&
		echo "X-Test-Cut-After: 60" &&
		sed -n "/^$/,\$p" "$3/p2"
	} >"$3/p2-cut" &&
	cat >"$3/users" <<-\EOF &&
	200
	ETag: "users-v1"

	{"data":[{"id":"user_1","email":"alice@example.com"},
	 {"id":"user_2","email":"bob@example.com"}],"has_more":false}
	EOF
	cat >"$3/empty" <<-\EOF
	200

	{"data":[],"has_more":false,"next_page":null}
	EOF
}

# scenario <dir> <answers for page 2...>
scenario () {
	dir=$1 &&
	shift &&
	{
		echo "/v1/organizations/users - users" &&
		echo "/v1/organizations/api_keys - empty" &&
		echo "/v1/organizations/usage_report/claude_code starting_at=2025-08-01&page=pg2 $*" &&
		echo "/v1/organizations/usage_report/claude_code starting_at=2025-08-01 p1" &&
		echo "/v1/organizations/usage_report/claude_code - empty" &&
		echo "/v1/organizations/usage_report/messages - empty"
	} >"$dir/routes" &&
	start_httpd "$dir"
}

fetch () {
	(
		cd repo &&
		ANTHROPIC_ADMIN_KEY=$KEY GIT_TOKENS_ANTHROPIC_URL=$HTTPD_URL \
		git tokens fetch anthropic --since 2025-08-01 \
			--until 2025-08-01 "$@"
	)
}

# The stored files: provider usage and the HTTP cache, byte for byte.
snapshot () {
	(
		cd repo/.git/tokens &&
		find . -type f | sort | xargs sha256sum
	)
}

test_expect_success 'setup' '
	git init -q repo &&
	mkdir s1 s2 &&
	pages 100 200 s1 &&
	pages 111 222 s2
'

test_expect_success 'a drop in page 2 is retried and the run succeeds' '
	test_when_finished "stop_httpd s1" &&
	scenario s1 p2-cut p2 &&
	fetch 2>err &&
	cat >expect <<-\EOF &&
	alice@example.com 101
	bob@example.com 201
	EOF
	stored_totals repo/.git/tokens/provider-usage.jsonl >actual &&
	test_cmp expect actual &&
	test $(grep -c "page=pg2" s1/requests.log) = 2
'

test_expect_success 'drops on every try: a clear error, nothing stored changes' '
	test_when_finished "stop_httpd s2" &&
	snapshot >before &&
	scenario s2 p2-cut p2-cut p2-cut p2-cut p2 &&
	test_expect_code 128 fetch >out 2>err &&
	test_must_be_empty out &&
	grep "^error: unable to fetch .http://127.0.0.1:[0-9]*/v1/organizations/usage_report/claude_code?.*page=pg2.*(gave up after 4 tries)" err &&
	grep "^fatal: could not fetch usage from anthropic" err &&
	! grep -e "$KEY" -e SENTINEL err &&
	snapshot >after &&
	: what was stored is unchanged, good pages of this run may be added &&
	sort before >before.s && sort after >after.s &&
	comm -23 before.s after.s >changed &&
	test_must_be_empty changed &&
	grep provider-usage.jsonl before >expect &&
	grep provider-usage.jsonl after >actual &&
	test_cmp expect actual &&
	: nothing of the broken page is kept &&
	! grep -r "\"output\":222" repo/.git/tokens &&
	: a later run succeeds &&
	fetch 2>err &&
	cat >expect <<-\EOF &&
	alice@example.com 112
	bob@example.com 223
	EOF
	stored_totals repo/.git/tokens/provider-usage.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'a drop with nothing retried leaves no temporary file' '
	find repo/.git/tokens -name "*tmp*" >temps &&
	test_must_be_empty temps
'

test_done
