#!/bin/sh

test_description='usage in the second of a commit: on the commit or pending, never lost'

. "$(dirname "$0")"/lib-tokens.sh

XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
TZ=UTC
TRASH=$(pwd)
LATER=2026-11-30T00:00:00Z
export XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR TZ

# The commit C is made at 10:00:00 (whole seconds); its hook runs at
# 10:00:00.400. Input tokens tell the events apart:
#   e1     1  09:59:30.000  before the commit's second
#   e2    10  10:00:00.100  the commit's second, before the hook ran
#   e3   100  10:00:00.700  the commit's second, after the hook ran
#   e4  1000  10:00:01.500  after the commit's second, within 2 s
# e1 and e2 are C's; e3 and e4 are pending until the next commit.
test_expect_success 'setup: a base commit, events around a commit' '
	git init -q repo &&
	(cd repo && commit_at 2026-11-20T08:00:00Z base) &&
	claude_ev s-one m1 2026-11-20T09:59:30.000Z 1 0 &&
	claude_ev s-one m2 2026-11-20T10:00:00.100Z 10 0 &&
	claude_ev s-one m3 2026-11-20T10:00:00.700Z 100 0 &&
	claude_ev s-two m4 2026-11-20T10:00:01.500Z 1000 0
'

test_expect_success 'the hook records what was logged before it ran' '
	(
	cd repo &&
	commit_at 2026-11-20T10:00:00Z one &&
	GIT_TOKENS_NOW=2026-11-20T10:00:00.400Z git tokens record --hook &&
	git notes --ref=tokens show HEAD >../note
	) &&
	test_line_count = 1 note &&
	grep "\"from\":\"2026-11-20T09:59:30.000Z\",\"to\":\"2026-11-20T10:00:00.100Z\",\"requests\":2,\"input\":11," note
'

test_expect_success 'record run again later adds nothing to that commit' '
	(
	cd repo &&
	GIT_TOKENS_NOW=$LATER git tokens record &&
	git notes --ref=tokens show HEAD >../note2
	) &&
	test_cmp note note2
'

test_expect_success 'report: e1 and e2 on the commit, e3 and e4 pending' '
	(cd repo && GIT_TOKENS_NOW=$LATER git tokens report --format=json) \
		>report.json &&
	python3 - <<-\PY
	import json
	r = json.load(open("report.json"))
	cov, p = r["coverage"], r["pending"]
	assert (cov["changes"], cov["with_usage"]) == (2, 1), cov
	assert cov["tokens_attributed"] == 1 + 10, cov
	assert cov["tokens_pending"] == 100 + 1000, cov
	assert (p["events"], p["tokens"]) == (2, 1100), p
	# the total adds the pending row in: 11 on the commit, 1100 pending
	assert r["total"]["tokens"] == 11 + 1100, r["total"]
	PY
'

test_expect_success 'the next commit takes e3 and e4: nothing pending' '
	(
	cd repo &&
	commit_at 2026-11-20T10:05:00Z two &&
	GIT_TOKENS_NOW=2026-11-20T10:05:00.200Z git tokens record --hook &&
	git notes --ref=tokens show HEAD >../note3 &&
	GIT_TOKENS_NOW=$LATER git tokens report --format=json >../report2.json
	) &&
	grep "\"input\":100," note3 &&
	grep "\"input\":1000," note3 &&
	python3 - <<-\PY
	import json
	r = json.load(open("report2.json"))
	cov, p = r["coverage"], r["pending"]
	assert (cov["changes"], cov["with_usage"]) == (3, 2), cov
	assert cov["tokens_attributed"] == 1111, cov
	assert cov["tokens_pending"] == 0, cov
	assert p["events"] == 0, p
	PY
'

test_expect_success 'without the hook, an event in the second is still counted' '
	git init -q plain &&
	(cd plain && commit_at 2026-11-20T08:00:00Z base) &&
	claude_ev s-three m5 2026-11-20T11:00:00.900Z 7 0 0 0 plain &&
	(
	cd plain &&
	commit_at 2026-11-20T11:00:00Z one &&
	GIT_TOKENS_NOW=$LATER git tokens report --format=json >../report3.json
	) &&
	python3 - <<-\PY
	import json
	r = json.load(open("report3.json"))
	cov = r["coverage"]
	assert (cov["changes"], cov["with_usage"]) == (2, 1), cov
	assert cov["tokens_attributed"] == 7, cov
	assert cov["by_confidence"]["window"] == 1, cov
	PY
'

test_done
