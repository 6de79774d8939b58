#!/bin/sh

test_description='days, weeks, months and printed times in the local zone'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-12-10T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
TRASH=$(pwd)
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR TRASH

NY=America/New_York
if test -f /usr/share/zoneinfo/$NY || test -f "${TZDIR:-/nonexistent}/$NY"
then
	test_set_prereq TZDATA
fi

# Three changes, written in New York (-05:00):
#   nov   Mon 2026-11-30 22:00 = Tue 2026-12-01 03:00 UTC
#   late  Sun 2026-12-06 23:30 = Mon 2026-12-07 04:30 UTC
#   next  Tue 2026-12-08 10:00 = Tue 2026-12-08 15:00 UTC
# ISO weeks: 2026-11-30 to 12-06 is W49, 12-07 to 12-13 is W50. So
#   in New York: W49 nov late, W50 next;  2026-11 nov, 2026-12 late next
#   in UTC:      W49 nov, W50 late next;  2026-12 all three
# and two responses 04:10 and 05:10 UTC on the 7th, 23:10 on the 6th and
# 00:10 on the 7th in New York: one day apart there, the same day in UTC.
test_expect_success 'setup: changes and usage around midnight' '
	git init -q repo &&
	(
	cd repo &&
	commit_at 2026-11-30T22:00:00-05:00 nov 3 &&
	commit_at 2026-12-06T23:30:00-05:00 late 5 &&
	commit_at 2026-12-08T10:00:00-05:00 next 7
	) &&
	claude_ev s1 msg_e1 2026-12-07T04:10:00.000Z 10 100 &&
	claude_ev s1 msg_e2 2026-12-07T05:10:00.000Z 20 200
'

# keys <file>: the --by key and changes of each row, in row order.
keys () {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
k = [c for c in d["rows"][0] if c in ("week", "month", "key")][0]
for r in d["rows"]:
    print(r[k], r.get("changes", r.get("requests")))' "$1"
}

# rows_are <file> <row>...: its rows are these, in this order.
rows_are () {
	rows_file=$1 &&
	shift &&
	printf "%s\n" "$@" >expect &&
	keys "$rows_file" >actual &&
	test_cmp expect actual
}

test_expect_success TZDATA 'TZ=America/New_York: weeks and months are local' '
	(cd repo &&
	 TZ=$NY git tokens report --by=week --format=json >../week.json &&
	 TZ=$NY git tokens report --by=month --format=json >../month.json) &&
	rows_are week.json "2026-W49 2" "2026-W50 1" &&
	rows_are month.json "2026-11 1" "2026-12 2" &&
	test "$(json_get timezone <week.json)" = $NY &&
	test "$(json_get generated <week.json)" = 2026-12-09T19:00:00-05:00
'

# W50 holds more lines than W49 here: rows by lines would put it first.
test_expect_success 'TZ=UTC: the same changes in UTC weeks, oldest first' '
	(cd repo &&
	 TZ=UTC git tokens report --by=week --format=json >../week.json &&
	 TZ=UTC git tokens report --by=month --format=json >../month.json) &&
	rows_are week.json "2026-W49 1" "2026-W50 2" &&
	rows_are month.json "2026-12 3" &&
	test "$(json_get timezone <week.json)" = UTC &&
	test "$(json_get generated <week.json)" = 2026-12-10T00:00:00Z
'

test_expect_success TZDATA '--timezone wins over TZ, both ways' '
	(cd repo &&
	 TZ=UTC git tokens report --by=week --timezone=$NY \
		--format=json >../ny.json &&
	 TZ=$NY git tokens report --by=week --timezone=UTC \
		--format=json >../utc.json) &&
	rows_are ny.json "2026-W49 2" "2026-W50 1" &&
	rows_are utc.json "2026-W49 1" "2026-W50 2" &&
	test "$(json_get timezone <ny.json)" = $NY &&
	test "$(json_get timezone <utc.json)" = UTC
'

test_expect_success TZDATA 'tokens.timezone chooses; --timezone overrides it' '
	git -C repo config tokens.timezone $NY &&
	(cd repo && git tokens report --by=week --format=json >../cfg.json &&
	 git tokens report --by=week --timezone=UTC \
		--format=json >../opt.json) &&
	git -C repo config --unset tokens.timezone &&
	rows_are cfg.json "2026-W49 2" "2026-W50 1" &&
	rows_are opt.json "2026-W49 1" "2026-W50 2"
'

test_expect_success 'an unknown zone is an error, not UTC' '
	(cd repo &&
	 test_must_fail git tokens report --timezone=Mars/Olympus 2>../err) &&
	grep "unknown time zone .Mars/Olympus." err &&
	git -C repo config tokens.timezone America/New_Yrok &&
	(cd repo && test_must_fail git tokens usage 2>../err) &&
	git -C repo config --unset tokens.timezone &&
	grep "unknown time zone .America/New_Yrok." err
'

# the times of log, export and show, for the change "late"
test_expect_success TZDATA 'JSON times carry the offset of the zone' '
	(cd repo &&
	 TZ=$NY git tokens log --format=json >../log.json &&
	 TZ=$NY git tokens log --no-pager --color=never >../log.txt &&
	 TZ=$NY git tokens export >../export.jsonl &&
	 TZ=$NY git tokens show --format=json HEAD^ >../show.json) &&
	test "$(json_get changes.1.date <log.json)" = 2026-12-06T23:30:00-05:00 &&
	grep "2026-12-06 .* late" log.txt &&
	test "$(json_get timezone <log.json)" = $NY &&
	sed -n 2p export.jsonl >late.json &&
	test "$(json_get author_date <late.json)" = 2026-12-06T23:30:00-05:00 &&
	test "$(json_get timezone <late.json)" = $NY &&
	test "$(json_get date <show.json)" = 2026-12-06T23:30:00-05:00 &&
	test "$(json_get timezone <show.json)" = $NY
'

test_expect_success 'the same times in UTC end in Z' '
	(cd repo &&
	 TZ=UTC git tokens log --format=json >../log.json &&
	 TZ=UTC git tokens log --no-pager --color=never >../log.txt &&
	 git tokens export --timezone=UTC >../export.jsonl) &&
	test "$(json_get changes.1.date <log.json)" = 2026-12-07T04:30:00Z &&
	grep "2026-12-07 .* late" log.txt &&
	sed -n 2p export.jsonl >late.json &&
	test "$(json_get author_date <late.json)" = 2026-12-07T04:30:00Z &&
	test "$(json_get timezone <late.json)" = UTC
'

test_expect_success TZDATA 'usage: the two responses on two local days' '
	(cd repo && TZ=$NY git tokens usage --format=json >../ny.json &&
	 git tokens usage --timezone=$NY --format=json >../ny2.json &&
	 TZ=$NY git tokens usage --timezone=UTC --format=json >../utc.json) &&
	rows_are ny.json "2026-12-06 1" "2026-12-07 1" &&
	test "$(json_get timezone <ny.json)" = $NY &&
	rows_are ny2.json "2026-12-06 1" "2026-12-07 1" &&
	rows_are utc.json "2026-12-07 2" &&
	test "$(json_get timezone <utc.json)" = UTC
'

test_expect_success TZDATA 'usage: --since and --until days are local days' '
	(cd repo &&
	 TZ=$NY git tokens usage --since=2026-12-07 --format=json >../a.json &&
	 TZ=$NY git tokens usage --until=2026-12-06 --format=json >../b.json &&
	 TZ=UTC git tokens usage --since=2026-12-07 --format=json >../c.json) &&
	# New York: the 7th begins 05:00 UTC, after the first response
	test "$(json_get total.output <a.json)" = 200 &&
	test "$(json_get total.output <b.json)" = 100 &&
	test "$(json_get total.output <c.json)" = 300
'

test_done
