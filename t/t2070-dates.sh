#!/bin/sh

test_description='--since and --until: one reading of dates in every command, a bad date is an error'

. "$(dirname "$0")"/lib-tokens.sh

HOME=$(pwd)
XDG_CACHE_HOME=$(pwd)/cache
CLAUDE_CONFIG_DIR=$(pwd)/claude
TRASH=$(pwd)
# Wednesday 2024-11-20, noon.
GIT_TOKENS_NOW=2024-11-20T12:00:00Z
export HOME XDG_CACHE_HOME CLAUDE_CONFIG_DIR TRASH GIT_TOKENS_NOW

test_expect_success 'setup: commits and usage on 2024-11-18 and 2024-11-19' '
	git init -q repo &&
	(
		cd repo &&
		commit_at 2024-11-18T08:00:00Z a &&
		commit_at 2024-11-18T23:30:00Z b &&
		commit_at 2024-11-19T01:00:00Z c
	) &&
	claude_ev s1 m1 2024-11-18T08:00:00Z 10 20 &&
	claude_ev s1 m2 2024-11-18T23:30:00Z 10 20 &&
	claude_ev s1 m3 2024-11-19T01:00:00Z 10 20
'

test_expect_success 'a bad date: one message and exit 128 in every command' '
	for cmd in report log export usage "fetch anthropic" "fetch github"
	do
		for opt in since until
		do
			(cd repo && ANTHROPIC_ADMIN_KEY=not-used \
				test_expect_code 128 git tokens $cmd \
				--$opt=garbage >../out 2>../err) &&
			test_must_be_empty out &&
			echo "fatal: invalid date '"'"'garbage'"'"' for --$opt" \
				>expect &&
			test_cmp expect err || return 1
		done
	done
'

# changes <cmd> <args>...: how many changes (report) or requests (usage).
count () {
	cmd=$1 &&
	shift &&
	(cd repo && git tokens $cmd --format=json "$@" >../count.json) &&
	if test $cmd = usage
	then
		json_get total.requests <count.json
	else
		json_get total.changes <count.json
	fi
}

test_expect_success 'a day alone is the whole day, in report and usage alike' '
	test "$(count report --since=2024-11-18 --until=2024-11-18)" = 2 &&
	test "$(count usage --since=2024-11-18 --until=2024-11-18)" = 2 &&
	test "$(count report --since=2024-11-19)" = 1 &&
	test "$(count usage --since=2024-11-19)" = 1 &&
	: a time is exclusive for --until: the first instant not counted &&
	test "$(count report --until=2024-11-18T23:30:00Z)" = 1 &&
	test "$(count usage --until=2024-11-18T23:30:00Z)" = 1 &&
	test "$(count report --until=2024-11-18T23:30:01Z)" = 2 &&
	test "$(count usage --until=2024-11-18T23:30:01Z)" = 2
'

test_expect_success 'the same words everywhere: weekdays, ago, git'"'"'s approxidate' '
	: 2024-11-18 was a Monday &&
	test "$(count report --since=monday)" = 3 &&
	test "$(count usage --since=monday)" = 3 &&
	test "$(count report --since=tuesday)" = 1 &&
	test "$(count usage --since=tuesday)" = 1 &&
	test "$(count report --since=2.days.ago)" = 2 &&
	test "$(count usage --since="2 days ago")" = 2 &&
	: a form only git reads, asked of git &&
	test "$(count report --since="Mon, 18 Nov 2024 23:00:00 +0000")" = 2 &&
	test "$(count usage --since="Mon, 18 Nov 2024 23:00:00 +0000")" = 2
'

test_done
