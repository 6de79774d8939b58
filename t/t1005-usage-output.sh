#!/bin/sh

test_description='usage: --by, --since/--until, formats, unknown prices'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T12:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
CLAUDE_CONFIG_DIR=$(pwd)/claude
CODEX_HOME=$(pwd)/codex
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME CLAUDE_CONFIG_DIR CODEX_HOME

# rec <msg-id> <time> <model> <input> <output> <cache write> <cache read>
rec () {
	printf '{"type":"assistant","cwd":"%s","sessionId":"sess-%s","requestId":"r-%s","timestamp":"%s","message":{"id":"%s","model":"%s","usage":{"input_tokens":%s,"output_tokens":%s,"cache_creation_input_tokens":%s,"cache_read_input_tokens":%s}}}\n' \
		"$(pwd)/proj" "$3" "$1" "$2" "$1" "$3" "$4" "$5" "$6" "$7"
}

test_expect_success 'setup' '
	git init -q proj &&
	mkdir -p claude/projects/p &&
	{
		rec a 2026-11-20T23:59:59.000Z claude-sonnet-4-5 1 10 100 1000 &&
		rec b 2026-11-21T00:00:00.000Z claude-sonnet-4-5 2 20 200 2000 &&
		rec c 2026-11-21T10:00:00.000Z claude-haiku-4-5 3 30 300 3000 &&
		rec d 2026-11-29T10:00:00.000Z claude-haiku-4-5 4 40 400 4000
	} >claude/projects/p/s.jsonl
'

test_expect_success 'days are UTC days' '
	(cd proj && git tokens usage --format csv >../crlf.csv) &&
	: RFC 4180 lines end in CRLF &&
	test $(grep -c "$(printf "\r")\$" crlf.csv) = 5 &&
	tr -d "\r" <crlf.csv >out.csv &&
	cat >expect <<-\EOF &&
	key,requests,input,output,cache_write,cache_read,total,cost_usd
	2026-11-20,1,1,10,100,1000,1111,0.000828
	2026-11-21,2,5,50,500,5000,5555,0.002484
	2026-11-29,1,4,40,400,4000,4444,0.001104
	total,4,10,100,1000,10000,11110,0.004416
	EOF
	test_cmp expect out.csv
'

test_expect_success 'the costs agree with the price table' '
	python3 - <<-\PY
	import csv, json, os
	p = json.load(open(os.path.join(os.environ["GIT_TOKENS_DATADIR"],
	                                "prices.json")))["models"]
	def cost(m, i, o, w, r):
	    m = p[m]
	    return (i * m["input"] + o * m["output"] + w * m["cache_write_5m"]
	            + r * m["cache_read"]) / 1e6
	want = {"2026-11-20": cost("claude-sonnet-4-5", 1, 10, 100, 1000),
	        "2026-11-21": cost("claude-sonnet-4-5", 2, 20, 200, 2000)
	                      + cost("claude-haiku-4-5", 3, 30, 300, 3000),
	        "2026-11-29": cost("claude-haiku-4-5", 4, 40, 400, 4000)}
	for row in csv.DictReader(open("out.csv")):
	    if row["key"] in want:
	        assert abs(float(row["cost_usd"]) - want[row["key"]]) < 1e-6, row
	PY
'

test_expect_success '--since and --until (a bare day is the whole day)' '
	(cd proj && git tokens usage --since 2026-11-21 --until 2026-11-21 \
		--format json >../out.json) &&
	test "$(json_get total.requests <out.json)" = 2 &&
	test "$(json_get rows.0.key <out.json)" = 2026-11-21 &&
	(cd proj && git tokens usage --since 2026-11-21T05:00:00Z \
		--format json >../out.json) &&
	test "$(json_get total.requests <out.json)" = 2 &&
	(cd proj && git tokens usage --until 2026-11-21T00:00:00Z \
		--format json >../out.json) &&
	test "$(json_get total.requests <out.json)" = 1 &&
	(cd proj && git tokens usage --since 2.days.ago --format json >../out.json) &&
	test "$(json_get total.requests <out.json)" = 1 &&
	(cd proj && git tokens usage --since "9 days ago" --format json >../out.json) &&
	test "$(json_get total.requests <out.json)" = 1 &&
	(cd proj && git tokens usage --since "10 days ago" --format json >../out.json) &&
	test "$(json_get total.requests <out.json)" = 4 &&
	(cd proj && git tokens usage --since yesterday --format json >../out.json) &&
	test "$(json_get total.requests <out.json)" = 1
'

test_expect_success '--by model, tool and session' '
	(cd proj && git tokens usage --by model --format csv >../out.csv) &&
	tr -d "\r" <out.csv | cut -d, -f1-3 >actual &&
	cat >expect <<-\EOF &&
	key,requests,input
	claude-haiku-4-5,2,7
	claude-sonnet-4-5,2,3
	total,4,10
	EOF
	test_cmp expect actual &&
	(cd proj && git tokens usage --by tool --format csv >../out.csv) &&
	grep "^claude-code,4,10,100," out.csv &&
	(cd proj && git tokens usage --by session --format csv >../out.csv) &&
	printf %s sess-claude-haiku-4-5 | sha256sum | cut -c1-12 >sid &&
	grep "^$(cat sid),2,7,70," out.csv
'

test_expect_success 'JSON shape' '
	(cd proj && git tokens usage --format json >../out.json) &&
	test "$(json_get schema <out.json)" = git-tokens/usage/v1 &&
	test "$(json_get by <out.json)" = day &&
	test "$(json_get rows.2.key <out.json)" = 2026-11-29 &&
	test "$(json_get total.total <out.json)" = 11110 &&
	test "$(json_get total.cache_write <out.json)" = 1000
'

test_expect_success 'markdown and table' '
	(cd proj && git tokens usage --format markdown >../out.md) &&
	head -n 1 out.md >actual &&
	echo "| date | requests | input | output | cache write | cache read | total | cost |" >expect &&
	test_cmp expect actual &&
	grep "^| total | 4 | 10 | 100 | 1000 | 10000 | 11110 |" out.md &&
	(cd proj && git tokens usage --no-pager >../out.txt) &&
	grep "^date  *requests  *input  *output  *cache write  *cache read  *total  *cost$" out.txt &&
	grep "^total  *4  *10  *100  *1000  *10000  *11110 " out.txt
'

test_expect_success '-o writes a file, and stdout stays empty' '
	(cd proj && git tokens usage --format json -o ../file.json >../out) &&
	test_must_be_empty out &&
	test "$(json_get total.requests <file.json)" = 4
'

test_expect_success 'a model without a price: a null cost and one warning' '
	rec e 2026-11-22T10:00:00.000Z mystery-model-9 1 1 0 0 >>claude/projects/p/s.jsonl &&
	rec f 2026-11-22T11:00:00.000Z mystery-model-9 1 1 0 0 >>claude/projects/p/s.jsonl &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	test "$(json_get rows.2.key <out.json)" = 2026-11-22 &&
	test "$(json_get rows.2.cost_usd <out.json)" = null &&
	test "$(json_get total.cost_usd <out.json)" = null &&
	test "$(json_get rows.1.cost_usd <out.json)" != null &&
	echo "warning: no price for model '"'"'mystery-model-9'"'"': its cost is unknown" >expect &&
	test_cmp expect err
'

test_expect_success 'usage errors' '
	(cd proj &&
	 test_expect_code 129 git tokens usage --by week 2>../err) &&
	grep "unknown --by" err &&
	(cd proj &&
	 test_expect_code 129 git tokens usage --format yaml 2>../err) &&
	grep "unknown --format" err &&
	(cd proj &&
	 test_expect_code 128 git tokens usage --since "not a date" 2>../err) &&
	grep "invalid date" err &&
	(cd proj && git tokens usage -h >../out) &&
	grep "git tokens usage" out
'

test_expect_success 'markdown: a hostile model name stays in its cell' '
	mkdir -p claude/projects/q &&
	rec hostile 2026-11-29T11:00:00.000Z \
		"m\\n<!-- git-tokens -->|\`@user\`" 1 1 0 0 \
		>claude/projects/q/s.jsonl &&
	(cd proj && git tokens usage --by=model --format=markdown \
		--since=2026-11-29) >out.md 2>err &&
	markdown_safe out.md &&
	: the marker gets a zero-width space, the line break a blank &&
	printf "| \`\` m <\342\200\213!-- git-tokens -->\\\\|\`@user\` \`\` |" \
		>expect &&
	grep -F -f expect out.md
'

test_done
