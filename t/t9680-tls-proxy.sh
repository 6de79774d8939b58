#!/bin/sh

test_description='TLS is always verified; CA and proxy settings are honoured everywhere'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-hardening.sh

GITHUB_TOKEN=ghp_SENTINEL_tls_9680
OPENAI_ADMIN_KEY=sk-admin-SENTINEL-tls-9680
GIT_TOKENS_HTTP_MAX_WAIT=0
export GITHUB_TOKEN OPENAI_ADMIN_KEY GIT_TOKENS_HTTP_MAX_WAIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	no_proxy NO_PROXY GIT_SSL_CAINFO CURL_CA_BUNDLE GIT_SSL_NO_VERIFY
R=/repos/acme/widget

openssl version >/dev/null 2>&1 && test_set_prereq OPENSSL

# answers <dir>: OpenAI usage and the GitHub pulls of every commit.
answers () {
	mkdir -p "$1" &&
	printf "200\n\n%s\n" '{"data":[{"id":"user-a","email":"dana@example.com"}],"has_more":false}' >"$1/users" &&
	printf "200\n\n%s\n" '{"data":[{"start_time":1754006400,"results":[{"input_tokens":7,"output_tokens":3,"input_cached_tokens":0,"user_id":"user-a","model":"gpt-4o"}]}],"has_more":false}' >"$1/usage" &&
	printf "200\n\n[]\n" >"$1/empty" &&
	{
		echo "/v1/organization/users - users" &&
		echo "/v1/organization/usage/completions - usage" &&
		for c in $(git -C repo rev-list --all)
		do
			echo "$R/commits/$c/pulls - empty" || return 1
		done
	} >"$1/routes"
}

fetch_openai () {
	(
		cd repo &&
		git tokens fetch openai --since 2025-08-01 --until 2025-08-01 "$@"
	)
}

fetch_github () {
	(
		cd repo &&
		git tokens fetch github main "$@"
	)
}

test_expect_success 'setup' '
	git init -q repo &&
	(
		cd repo &&
		git remote add origin https://github.com/acme/widget.git &&
		commit_at 2026-11-20T09:00:00Z base
	) &&
	answers plain
'

test_expect_success 'http_proxy from the environment carries provider and forge requests' '
	test_when_finished "stop_httpd plain" &&
	start_httpd plain &&
	http_proxy=$HTTPD_URL GIT_TOKENS_OPENAI_URL=http://usage.example.invalid \
		fetch_openai 2>err &&
	grep "fetched 1 day, 1 person, 10 tokens" err &&
	http_proxy=$HTTPD_URL \
	GIT_TOKENS_GITHUB_API=http://api.github.example.invalid \
		fetch_github 2>err &&
	grep "\"Host\": \"usage.example.invalid\"" plain/requests.log &&
	grep "\"Host\": \"api.github.example.invalid\"" plain/requests.log
'

test_expect_success 'http.proxy from git config carries forge requests too' '
	test_when_finished "stop_httpd plain" &&
	rm -f plain/requests.log &&
	start_httpd plain &&
	git -C repo config http.proxy "$HTTPD_URL" &&
	test_when_finished "git -C repo config --unset http.proxy" &&
	GIT_TOKENS_GITHUB_API=http://forge.example.invalid fetch_github 2>err &&
	grep "\"Host\": \"forge.example.invalid\"" plain/requests.log &&
	: and wins over the environment, as in git &&
	http_proxy=http://127.0.0.1:9 \
	GIT_TOKENS_GITHUB_API=http://forge2.example.invalid fetch_github 2>err &&
	grep "\"Host\": \"forge2.example.invalid\"" plain/requests.log
'

test_expect_success OPENSSL 'setup: a TLS server with a certificate of our own' '
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-keyout key.pem -out cert.pem -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 2>/dev/null &&
	answers tls
'

start_tls () {
	HTTPD_URL=$(python3 "$TEST_SRCDIR/lib-httpd.py" --start --timeout 120 \
		--tls cert.pem key.pem tls)
}

test_expect_success OPENSSL 'no setting turns verification off, for any request' '
	test_when_finished "stop_httpd tls" &&
	start_tls &&
	git -C repo config http.sslVerify false &&
	test_when_finished "git -C repo config --unset http.sslVerify" &&
	GIT_SSL_NO_VERIFY=1 GIT_TOKENS_GITHUB_API=$HTTPD_URL \
		test_expect_code 128 fetch_github 2>err &&
	grep "SSL peer certificate\|certificate" err &&
	GIT_SSL_NO_VERIFY=1 GIT_TOKENS_OPENAI_URL=$HTTPD_URL \
		test_expect_code 128 fetch_openai 2>err &&
	grep "SSL peer certificate\|certificate" err &&
	! test -s tls/requests.log &&
	! grep -e "$GITHUB_TOKEN" -e "$OPENAI_ADMIN_KEY" err
'

test_expect_success OPENSSL 'the CA from config or environment is used for forges' '
	test_when_finished "stop_httpd tls" &&
	start_tls &&
	GIT_SSL_CAINFO=$TRASH/cert.pem GIT_TOKENS_GITHUB_API=$HTTPD_URL \
		fetch_github 2>err &&
	CURL_CA_BUNDLE=$TRASH/cert.pem GIT_TOKENS_GITHUB_API=$HTTPD_URL \
		fetch_github 2>err &&
	git -C repo config http.sslCAInfo "$TRASH/cert.pem" &&
	test_when_finished "git -C repo config --unset http.sslCAInfo" &&
	GIT_TOKENS_GITHUB_API=$HTTPD_URL fetch_github 2>err &&
	test $(grep -c "/pulls" tls/requests.log) = 3 &&
	: a CA bundle that is not ours is refused &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-keyout other-key.pem -out other.pem -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 2>/dev/null &&
	GIT_SSL_CAINFO=$TRASH/other.pem GIT_TOKENS_GITHUB_API=$HTTPD_URL \
		test_expect_code 128 fetch_github 2>err &&
	test $(grep -c "/pulls" tls/requests.log) = 3
'

test_done
