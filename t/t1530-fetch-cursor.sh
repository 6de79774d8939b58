#!/bin/sh

test_description='fetch cursor: the team admin API usage events'

. "$(dirname "$0")"/lib-tokens.sh
. "$TEST_SRCDIR"/lib-cursor.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
export GIT_TOKENS_NOW
STORE=repo/.git/tokens/provider-usage.jsonl

# stored: per author and model, the Cursor events in the store.
stored () {
	cursor_stored "$STORE"
}

# want <page>...: the same from the answers: events with tokenUsage,
# in [2026-11-20, 2026-11-21], counters as given, Auto as cursor-auto.
want () {
	python3 - "$@" <<-\PY
	import json, sys
	lo, hi = 1795132800000, 1795305600000
	tot, seen = {}, set()
	for path in sys.argv[1:]:
	    body = open(path).read().split("\n\n", 1)[1]
	    for e in json.loads(body)["usageEvents"]:
	        try:
	            t = int(e["timestamp"])
	        except ValueError:
	            continue
	        u = e.get("tokenUsage")
	        if not u or not lo <= t < hi:
	            continue
	        c = [u["inputTokens"], u["outputTokens"], u["cacheWriteTokens"],
	             u["cacheReadTokens"]]
	        k = (t, e["userEmail"], e["model"], *c)
	        if min(c) < 0 or not sum(c) or k in seen:
	            continue
	        seen.add(k)
	        m = {"default": "cursor-auto"}.get(e["model"], e["model"])
	        r = tot.setdefault((e["userEmail"], m), [0, 0, 0, 0, 0])
	        r[0] += 1
	        for i in range(4):
	            r[i + 1] += c[i]
	for k in sorted(tot):
	    print(*k, *tot[k])
	PY
}

KEY=key_SENTINEL_cursor_9d1e
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	GIT_SSL_CAINFO CURL_CA_BUNDLE GIT_TOKENS_HTTP_MAX_WAIT

test_expect_success 'setup: repository and scripted answers' '
	git init -q repo &&
	mkdir srv &&
	echo "/teams/filtered-usage-events - page-1 page-2" >srv/routes &&
	cat >srv/page-1 <<-\EOF &&
	200
	Content-Type: application/json

	{"totalUsageEventsCount":5,
	 "pagination":{"numPages":2,"currentPage":1,"pageSize":500,
	  "hasNextPage":true,"hasPreviousPage":false},
	 "usageEvents":[
	  {"timestamp":"1795167000123","model":"claude-4.5-sonnet",
	   "kind":"Usage-based","maxMode":true,"requestsCosts":5,
	   "isTokenBasedCall":true,
	   "tokenUsage":{"inputTokens":126,"outputTokens":450,
	    "cacheWriteTokens":6112,"cacheReadTokens":11964,
	    "totalCents":20.18232},
	   "isFreeBugbot":false,"userEmail":"ann@example.com"},
	  {"timestamp":1795280400000,"model":"default","kind":"Included in Business",
	   "isTokenBasedCall":true,
	   "tokenUsage":{"inputTokens":5805,"outputTokens":311,
	    "cacheWriteTokens":0,"cacheReadTokens":0,"totalCents":4.1},
	   "userEmail":"bob@example.com"},
	  {"timestamp":"1795167000999","model":"claude-4-sonnet-thinking",
	   "kind":"Included in Business","requestsCosts":1.4,
	   "isTokenBasedCall":false,"userEmail":"ann@example.com"}]}
	EOF
	cat >srv/page-2 <<-\EOF &&
	200

	{"totalUsageEventsCount":5,
	 "pagination":{"numPages":2,"currentPage":2,"pageSize":500,
	  "hasNextPage":false,"hasPreviousPage":true},
	 "usageEvents":[
	  {"timestamp":"1795167000123","model":"claude-4.5-sonnet",
	   "tokenUsage":{"inputTokens":126,"outputTokens":450,
	    "cacheWriteTokens":6112,"cacheReadTokens":11964},
	   "userEmail":"ann@example.com"},
	  {"timestamp":"1795280400000","model":"gpt-5",
	   "tokenUsage":{"inputTokens":-3,"outputTokens":1,
	    "cacheWriteTokens":0,"cacheReadTokens":0},
	   "userEmail":"bob@example.com"},
	  {"timestamp":"soon","model":"gpt-5",
	   "tokenUsage":{"inputTokens":3,"outputTokens":1,
	    "cacheWriteTokens":0,"cacheReadTokens":0},
	   "userEmail":"bob@example.com"}],
	 "period":{"startDate":1795132800000,"endDate":1795305599999}}
	EOF
	start_httpd srv
'

test_expect_success 'fetch cursor walks the pages; totals exact' '
	(
		cd repo &&
		CURSOR_ADMIN_KEY=$KEY GIT_TOKENS_CURSOR_URL=$HTTPD_URL \
		git tokens fetch cursor --since 2026-11-20 --until 2026-11-21 \
			>../out 2>../err
	) &&
	test_must_be_empty out &&
	cat >expect <<-EOF &&
	warning: skipped 2 malformed records from the provider; first in '\''$HTTPD_URL/teams/filtered-usage-events'\'': bad '\''tokenUsage.inputTokens'\''
	fetched 2 days, 2 people, 24.8k tokens
	EOF
	test_cmp expect err &&
	want srv/page-1 srv/page-2 >expect &&
	stored >actual &&
	test_cmp expect actual
'

test_expect_success 'an event on two pages (the list shifted) counts once' '
	grep -c "\"time\":\"2026-11-20T09:30:00.123Z\"" $STORE >count &&
	echo 1 >expect &&
	test_cmp expect count
'

test_expect_success 'Basic authentication with the key; the range and pages asked' '
	python3 - srv/requests.log "$KEY" <<-\PY
	import base64, json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1])]
	assert len(reqs) == 2, reqs
	auth = "Basic " + base64.b64encode((sys.argv[2] + ":").encode()).decode()
	for i, r in enumerate(reqs):
	    assert r["method"] == "POST", r
	    h = {k.lower(): v for k, v in r["headers"].items()}
	    assert h["authorization"] == auth, h
	    assert h["content-type"] == "application/json", h
	    b = json.loads(r["body"])
	    assert b == {"startDate": 1795132800000,
	                 "endDate": 1795305599999, "page": i + 1,
	                 "pageSize": 500}, b
	PY
'

test_expect_success '--offline rebuilds from the cached answers' '
	cp $STORE before &&
	rm $STORE &&
	(cd repo && GIT_TOKENS_CURSOR_URL=$HTTPD_URL git tokens fetch -q \
		cursor --offline --since 2026-11-20 --until 2026-11-21) &&
	test_cmp before $STORE &&
	test_line_count = 2 srv/requests.log
'

test_expect_success 'fetching again adds nothing' '
	(
		cd repo &&
		CURSOR_ADMIN_KEY=$KEY GIT_TOKENS_CURSOR_URL=$HTTPD_URL \
		git tokens fetch -q cursor --since 2026-11-20 --until 2026-11-21
	) 2>err &&
	test_cmp before $STORE
'

test_expect_success 'the CSV export of the same event counts once' '
	cat >same.csv <<-\EOF &&
	Date,User,Cloud Agent ID,Automation ID,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Cost
	"2026-11-21T17:00:00.000Z","bob@example.com","","","Included","default","No","0","5805","0","311","6116","Included"
	EOF
	(cd repo && git tokens import --format=cursor-csv ../same.csv) 2>err &&
	echo "imported 0 events (1 duplicates skipped)" >expect &&
	test_cmp expect err &&
	test_cmp before $STORE
'

test_expect_success 'windows of 30 days at most' '
	stop_httpd srv &&
	: >srv/requests.log &&
	echo "/teams/filtered-usage-events - page-2" >srv/routes &&
	start_httpd srv &&
	(
		cd repo &&
		CURSOR_ADMIN_KEY=$KEY GIT_TOKENS_CURSOR_URL=$HTTPD_URL \
		git tokens fetch -q cursor --since 2026-10-01 --until 2026-11-21
	) 2>/dev/null &&
	python3 - srv/requests.log <<-\PY
	import json, sys
	b = [json.loads(json.loads(l)["body"]) for l in open(sys.argv[1])]
	d = 86400000
	assert [(x["startDate"], x["endDate"]) for x in b] == [
	    (1790812800000, 1790812800000 + 30 * d - 1),
	    (1790812800000 + 30 * d, 1795305600000 - 1)], b
	PY
'

test_expect_success 'no key: a clear error; the key is in no output or cache' '
	(cd repo && test_must_fail git tokens fetch cursor 2>../err) &&
	grep "CURSOR_ADMIN_KEY is not set" err &&
	! grep -r -e "$KEY" -e "a2V5X1NFTlRJTkVM" out err repo/.git/tokens
'

test_expect_success 'cleanup' '
	stop_httpd srv
'

test_done
