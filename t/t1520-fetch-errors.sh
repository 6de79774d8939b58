#!/bin/sh

test_description='fetch: retries, rejected keys, bad answers, bad arguments'

. "$(dirname "$0")"/lib-tokens.sh

# scenario <dir> <completions answers...>: an OpenAI server whose users
# list answers normally and whose usage endpoint answers as scripted.
scenario () {
	dir=$1 &&
	shift &&
	mkdir "$dir" &&
	cp answers/* "$dir"/ &&
	test_when_finished "stop_httpd $dir" &&
	{
		echo "/v1/organization/users - users" &&
		echo "/v1/organization/usage/completions - $*"
	} >"$dir/routes" &&
	start_httpd "$dir"
}

# Completions requests the server saw.
count_usage_requests () {
	grep -c "/v1/organization/usage/completions" "$1/requests.log"
}

fetch_openai () {
	(
		cd repo &&
		OPENAI_ADMIN_KEY=$KEY GIT_TOKENS_OPENAI_URL=$HTTPD_URL \
		git tokens fetch openai --since 2025-08-01 --until 2025-08-01 \
			"$@"
	)
}

KEY=sk-admin-SENTINEL-errors-93be
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GIT_SSL_CAINFO CURL_CA_BUNDLE GIT_TOKENS_HTTP_MAX_WAIT

test_expect_success 'setup' '
	git init -q repo &&
	mkdir answers &&
	cat >answers/users <<-\EOF &&
	200

	{"data":[{"id":"user-a","email":"dana@example.com"}],"has_more":false}
	EOF
	cat >answers/ok <<-\EOF &&
	200

	{"data":[{"start_time":1754006400,"results":[
	  {"input_tokens":70,"output_tokens":30,"input_cached_tokens":0,
	   "user_id":"user-a","model":"gpt-4o"}]}],"has_more":false}
	EOF
	cat >answers/r429 <<-\EOF &&
	429
	Retry-After: 1

	{"error":{"message":"Rate limit reached","type":"requests"}}
	EOF
	cat >answers/r429-long <<-EOF &&
	429
	Retry-After: 3600

	{"error":{"message":"Rate limit reached","type":"requests"}}
	EOF
	cat >answers/r500 <<-\EOF &&
	500
	Content-Type: application/json

	{"error":{"message":"The server had an error","type":"server_error"}}
	EOF
	cat >answers/r401 <<-EOF &&
	401

	{"error":{"message":"Incorrect API key provided: $KEY.","type":"invalid_request_error","code":"invalid_api_key"}}
	EOF
	cat >answers/r403 <<-EOF &&
	403

	{"error":{"message":"You have insufficient permissions for $KEY","type":"invalid_request_error"}}
	EOF
	cat >answers/bad-json <<-\EOF
	200

	{"data":[{"start_time":1754006400,"results":[
	EOF
'

test_expect_success 'a 429 with retry-after is waited out, then succeeds' '
	scenario s429 r429 ok &&
	GIT_TOKENS_HTTP_MAX_WAIT=10 fetch_openai 2>err &&
	echo "fetched 1 day, 1 person, 100 tokens" >expect &&
	test_cmp expect err &&
	echo 2 >expect &&
	count_usage_requests s429 >actual &&
	test_cmp expect actual
'

test_expect_success 'a retry-after beyond GIT_TOKENS_HTTP_MAX_WAIT gives up' '
	cp repo/.git/tokens/provider-usage.jsonl before &&
	scenario slong r429-long ok &&
	GIT_TOKENS_HTTP_MAX_WAIT=5 test_expect_code 128 fetch_openai 2>err &&
	grep "asked to wait 3600 s" err &&
	echo 1 >expect &&
	count_usage_requests slong >actual &&
	test_cmp expect actual &&
	test_cmp before repo/.git/tokens/provider-usage.jsonl
'

test_expect_success '500s are retried, then succeed' '
	scenario s500 r500 r500 ok &&
	GIT_TOKENS_HTTP_MAX_WAIT=0 fetch_openai 2>err &&
	echo "fetched 1 day, 1 person, 100 tokens" >expect &&
	test_cmp expect err &&
	echo 3 >expect &&
	count_usage_requests s500 >actual &&
	test_cmp expect actual
'

test_expect_success '500s until the retry limit: clear error, cache intact' '
	scenario sdown r500 &&
	GIT_TOKENS_HTTP_MAX_WAIT=0 test_expect_code 128 fetch_openai 2>err &&
	grep "^error: unable to fetch .http://127.0.0.1:[0-9]*/v1/organization/usage/completions?start_time=1754006400&end_time=1754092800&.*: HTTP 500: The server had an error (gave up after 4 tries)" err &&
	grep "^fatal: could not fetch usage from openai" err &&
	echo 4 >expect &&
	count_usage_requests sdown >actual &&
	test_cmp expect actual &&
	test_cmp before repo/.git/tokens/provider-usage.jsonl
'

test_expect_success 'malformed JSON: an error naming the URL, without secrets' '
	scenario sbad bad-json &&
	url=$(echo "$HTTPD_URL" | sed "s|//|//someone:$KEY@|") &&
	(
		cd repo &&
		OPENAI_ADMIN_KEY=$KEY GIT_TOKENS_OPENAI_URL=$url \
		test_expect_code 128 git tokens fetch openai \
			--since 2025-08-01 --until 2025-08-01 2>../err
	) &&
	grep "^error: malformed JSON in the answer from .http://127.0.0.1:[0-9]*/v1/organization/usage/completions?start_time=" err &&
	! grep -e "$KEY" -e someone err &&
	test_cmp before repo/.git/tokens/provider-usage.jsonl
'

test_expect_success 'a rejected key (401) names the variable, never the key' '
	scenario s401 r401 &&
	test_expect_code 128 fetch_openai >out 2>err &&
	grep "^error: the server rejected the key in OPENAI_ADMIN_KEY (HTTP 401" err &&
	echo 1 >expect &&
	count_usage_requests s401 >actual &&
	test_cmp expect actual &&
	! grep -r -e "$KEY" -e SENTINEL out err repo/.git/tokens &&
	test_cmp before repo/.git/tokens/provider-usage.jsonl
'

test_expect_success 'a key without permission (403) names the variable' '
	scenario s403 r403 &&
	test_expect_code 128 fetch_openai >out 2>err &&
	grep "^error: the server rejected the key in OPENAI_ADMIN_KEY: permission denied (HTTP 403" err &&
	! grep -r -e "$KEY" -e SENTINEL out err repo/.git/tokens
'

test_expect_success 'a rejected Anthropic key names ANTHROPIC_ADMIN_KEY' '
	mkdir sant &&
	cp answers/r401 sant/ &&
	echo "/v1/organizations/users - r401" >sant/routes &&
	test_when_finished "stop_httpd sant" &&
	start_httpd sant &&
	(
		cd repo &&
		ANTHROPIC_ADMIN_KEY=$KEY GIT_TOKENS_ANTHROPIC_URL=$HTTPD_URL \
		test_expect_code 128 git tokens fetch anthropic \
			--since 2025-08-01 --until 2025-08-01 >../out 2>../err
	) &&
	grep "^error: the server rejected the key in ANTHROPIC_ADMIN_KEY (HTTP 401" err &&
	grep -i "\"x-api-key\": \"$KEY\"" sant/requests.log &&
	! grep -r -e "$KEY" -e SENTINEL out err repo/.git/tokens
'

test_expect_success 'a missing key is a clear fatal error' '
	(
		cd repo &&
		test_expect_code 128 git tokens fetch openai 2>../err &&
		OPENAI_ADMIN_KEY= test_expect_code 128 \
			git tokens fetch openai 2>>../err &&
		test_expect_code 128 git tokens fetch anthropic 2>>../err
	) &&
	cat >expect <<-\EOF &&
	fatal: OPENAI_ADMIN_KEY is not set: '\''fetch openai'\'' needs an organization admin key in it
	fatal: OPENAI_ADMIN_KEY is not set: '\''fetch openai'\'' needs an organization admin key in it
	fatal: ANTHROPIC_ADMIN_KEY is not set: '\''fetch anthropic'\'' needs an organization admin key in it
	EOF
	test_cmp expect err
'

test_expect_success 'a server that is gone: connection errors, bounded' '
	(
		cd repo &&
		OPENAI_ADMIN_KEY=$KEY GIT_TOKENS_OPENAI_URL=$HTTPD_URL \
		GIT_TOKENS_HTTP_MAX_WAIT=0 test_expect_code 128 \
		git tokens fetch openai --since 2025-08-01 \
			--until 2025-08-01 2>../err
	) &&
	grep "^error: unable to fetch .http://127.0.0.1:[0-9]*/v1/organization/users?limit=100.: Couldn.t connect to server (gave up after 4 tries)" err &&
	test_cmp before repo/.git/tokens/provider-usage.jsonl
'

test_expect_success 'fetch -h names every source' '
	(
		cd repo &&
		git tokens fetch -h >../help
	) &&
	grep "fetch anthropic" help &&
	grep "fetch openai" help &&
	grep "github" help &&
	grep "gitlab" help &&
	(
		cd repo &&
		test_expect_code 129 git tokens fetch bitbucket 2>../err
	) &&
	grep "bitbucket" err
'

test_expect_success 'bad arguments are usage or fatal errors' '
	(
		cd repo &&
		test_expect_code 129 git tokens fetch &&
		test_expect_code 129 git tokens fetch openai anthropic &&
		test_expect_code 129 git tokens fetch nosuch &&
		OPENAI_ADMIN_KEY=$KEY test_expect_code 128 \
			git tokens fetch openai --since 2025-13-01 2>../err1 &&
		OPENAI_ADMIN_KEY=$KEY test_expect_code 128 \
			git tokens fetch openai --since 2025-02-29 2>>../err1 &&
		OPENAI_ADMIN_KEY=$KEY test_expect_code 128 \
			git tokens fetch openai --since 2025-08-02 \
				--until 2025-08-01 2>../err2
	) &&
	grep "invalid date .2025-13-01. for --since" err1 &&
	grep "invalid date .2025-02-29. for --since" err1 &&
	grep "since is after --until" err2
'

test_expect_success 'http.proxy from git config is used' '
	scenario sproxy ok &&
	(
		cd repo &&
		git config http.proxy "$HTTPD_URL" &&
		OPENAI_ADMIN_KEY=$KEY \
		GIT_TOKENS_OPENAI_URL=http://usage.example.invalid \
		git tokens fetch openai --since 2025-08-01 \
			--until 2025-08-01 2>../err &&
		git config --unset http.proxy
	) &&
	echo "fetched 1 day, 1 person, 100 tokens" >expect &&
	test_cmp expect err &&
	grep "\"Host\": \"usage.example.invalid\"" sproxy/requests.log
'

openssl version >/dev/null 2>&1 && test_set_prereq OPENSSL

test_expect_success OPENSSL 'TLS: a certificate we do not trust is refused' '
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-keyout key.pem -out cert.pem -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 2>/dev/null &&
	mkdir stls &&
	cp answers/* stls/ &&
	printf "%s\n" "/v1/organization/users - users" \
		"/v1/organization/usage/completions - ok" >stls/routes &&
	test_when_finished "stop_httpd stls" &&
	HTTPD_URL=$(python3 "$TEST_SRCDIR/lib-httpd.py" --start \
		--timeout 120 --tls cert.pem key.pem stls) &&
	(
		cd repo &&
		git config http.sslVerify false &&
		OPENAI_ADMIN_KEY=$KEY GIT_SSL_NO_VERIFY=1 \
		GIT_TOKENS_OPENAI_URL=$HTTPD_URL \
		test_expect_code 128 git tokens fetch openai \
			--since 2025-08-01 --until 2025-08-01 2>../err
	) &&
	grep "^error: unable to fetch .https://127.0.0.1:[0-9]*/v1/organization/users?limit=100.: SSL peer certificate" err &&
	! test -s stls/requests.log &&
	test_cmp before repo/.git/tokens/provider-usage.jsonl
'

test_expect_success OPENSSL 'TLS: http.sslCAInfo and CURL_CA_BUNDLE are honoured' '
	test_when_finished "stop_httpd stls" &&
	rm -f stls/requests.log &&
	HTTPD_URL=$(python3 "$TEST_SRCDIR/lib-httpd.py" --start \
		--timeout 120 --tls cert.pem key.pem stls) &&
	(
		cd repo &&
		git config http.sslCAInfo "$(pwd)/../cert.pem" &&
		OPENAI_ADMIN_KEY=$KEY GIT_TOKENS_OPENAI_URL=$HTTPD_URL \
		git tokens fetch openai -q --since 2025-08-01 \
			--until 2025-08-01 &&
		git config --unset http.sslCAInfo &&
		CURL_CA_BUNDLE=$(pwd)/../cert.pem OPENAI_ADMIN_KEY=$KEY \
		GIT_TOKENS_OPENAI_URL=$HTTPD_URL \
		git tokens fetch openai -q --since 2025-08-01 \
			--until 2025-08-01 &&
		GIT_SSL_CAINFO=$(pwd)/../cert.pem OPENAI_ADMIN_KEY=$KEY \
		GIT_TOKENS_OPENAI_URL=$HTTPD_URL \
		git tokens fetch openai -q --since 2025-08-01 \
			--until 2025-08-01
	) &&
	grep -c "/v1/organization/usage/completions" stls/requests.log >actual &&
	echo 3 >expect &&
	test_cmp expect actual
'

# libcurl is opened by the commands that talk HTTP, not linked: starting
# it costs every other command (the post-commit hook) about 10 ms.
command -v objdump >/dev/null && test "$(uname -s)" = Linux &&
	test_set_prereq OBJDUMP_ELF

test_expect_success OBJDUMP_ELF 'git-tokens does not link libcurl' '
	objdump -p "$SHARNESS_BUILD_DIRECTORY/git-tokens" >dynamic &&
	grep "NEEDED.*libgit2" dynamic &&
	! grep "NEEDED.*libcurl" dynamic
'

test_expect_success OBJDUMP_ELF 'a libcurl that cannot be loaded is named' '
	mkdir junklib &&
	echo "not a library" >junklib/libcurl.so.4 &&
	(
		cd repo &&
		LD_LIBRARY_PATH=$(pwd)/../junklib OPENAI_ADMIN_KEY=$KEY \
		GIT_TOKENS_OPENAI_URL=http://127.0.0.1:9 test_expect_code 128 \
			git tokens fetch openai --since 2025-08-01 \
			--until 2025-08-01 2>../err
	) &&
	grep "^error: cannot load libcurl.so.4: .*junklib/libcurl.so.4" err &&
	grep "^fatal: could not fetch usage from openai" err
'

test_expect_success 'fetch outside a repository fails' '
	mkdir norepo &&
	(
		cd norepo &&
		GIT_CEILING_DIRECTORIES=$(dirname "$(pwd)") &&
		export GIT_CEILING_DIRECTORIES &&
		OPENAI_ADMIN_KEY=$KEY test_expect_code 128 \
			git tokens fetch openai
	)
'

test_done
