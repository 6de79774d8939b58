#!/bin/sh

test_description='prices: the bundled table, aliases, cache rates, overrides'

. "$(dirname "$0")"/lib-tokens.sh

GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME

# cost <table> <model> <input> <output> <cache_write> <cache_write_1h>
#      <cache_read>: the price of one request, from the table's rates
# (USD per million tokens) and the providers' rules, done here in python.
cost () {
	python3 - "$@" <<-\PY
	import json, sys
	table, model = sys.argv[1], sys.argv[2]
	i, o, cw, cw1h, cr = map(int, sys.argv[3:])
	t = json.load(open(table))
	m = t["models"][t.get("aliases", {}).get(model, model)]
	r = m
	lc = m.get("long_context")
	if lc and i + cw + cr > lc["threshold"]:
	    r = lc
	if m["provider"] == "anthropic":
	    c = (i * r["input"] + o * r["output"] +
	         (cw - cw1h) * r.get("cache_write_5m", 1.25 * r["input"]) +
	         cw1h * r.get("cache_write_1h", 2 * r["input"]) +
	         cr * r.get("cache_read", 0.1 * r["input"]))
	else:
	    c = ((i + cw) * r["input"] + o * r["output"] +
	         cr * r.get("cache_read", r["input"]))
	print("%.10f" % (c / 1e6))
	PY
}

# ev <model> <input> <output> <cache_write> <cache_write_1h> <cache_read>
ev () {
	printf '{"time":"2026-11-20T10:00:00Z","session":"%s","model":"%s","input":%d,"output":%d,"cache_write":%d,"cache_write_1h":%d,"cache_read":%d}\n' \
		"$*" "$@"
}

# model_cost <out.json> <model>: the cost_usd of that model's row
model_cost () {
	python3 - "$@" <<-\PY
	import json, sys
	rows = {r["key"]: r for r in json.load(open(sys.argv[1]))["rows"]}
	c = rows[sys.argv[2]]["cost_usd"]
	print("null" if c is None else "%.10f" % c)
	PY
}

# same <a> <b>: two costs agree to the millionth of a dollar JSON shows
same () {
	python3 -c 'import sys; a, b = sys.argv[1:]; sys.exit(not abs(float(a) - float(b)) < 1e-6)' "$1" "$2"
}

T="$GIT_TOKENS_DATADIR/prices.json"

test_expect_success 'setup' '
	git init -q proj &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"schema\"] == \"git-tokens/prices/v1\" and d[\"date\"]" "$T"
'

test_expect_success 'a dated model id is priced like its base' '
	{
		ev claude-sonnet-4-5 1000 2000 3000 1000 40000 &&
		ev claude-sonnet-4-5-20250929 1000 2000 3000 1000 40000
	} >a.jsonl &&
	git -C proj tokens import -q ../a.jsonl &&
	(cd proj && git tokens usage --by model --format json >../out.json 2>../err) &&
	test_must_be_empty err &&
	want=$(cost "$T" claude-sonnet-4-5 1000 2000 3000 1000 40000) &&
	same "$(model_cost out.json claude-sonnet-4-5)" $want &&
	same "$(model_cost out.json claude-sonnet-4-5-20250929)" $want
'

test_expect_success 'provider prefixes are stripped' '
	{
		ev anthropic/claude-haiku-4-5 500 60 0 0 700 &&
		ev openai/gpt-5 500 60 0 0 700 &&
		ev gemini/gemini-2.5-flash 500 60 0 0 700
	} >b.jsonl &&
	git -C proj tokens import -q ../b.jsonl &&
	(cd proj && git tokens usage --by model --format json >../out.json 2>../err) &&
	test_must_be_empty err &&
	same "$(model_cost out.json anthropic/claude-haiku-4-5)" \
		$(cost "$T" claude-haiku-4-5 500 60 0 0 700) &&
	same "$(model_cost out.json openai/gpt-5)" \
		$(cost "$T" gpt-5 500 60 0 0 700) &&
	same "$(model_cost out.json gemini/gemini-2.5-flash)" \
		$(cost "$T" gemini-2.5-flash 500 60 0 0 700)
'

test_expect_success 'cache rates follow the provider' '
	# Anthropic: 5m write 1.25x, 1h write 2x, read 0.1x input
	test "$(cost "$T" claude-opus-4-6 0 0 1000000 0 0)" = 6.2500000000 &&
	test "$(cost "$T" claude-opus-4-6 0 0 1000000 1000000 0)" = 10.0000000000 &&
	test "$(cost "$T" claude-opus-4-6 0 0 0 0 1000000)" = 0.5000000000 &&
	{
		ev claude-opus-4-6 0 0 1000000 400000 0 &&
		ev gpt-5.1-codex 100000 0 0 0 1000000
	} >c.jsonl &&
	git -C proj tokens import -q ../c.jsonl &&
	(cd proj && git tokens usage --by model --format json >../out.json) &&
	# 600k at 6.25 and 400k at 10 per million
	same "$(model_cost out.json claude-opus-4-6)" 7.75 &&
	# OpenAI: cached input at the cached-input rate, no cache write
	same "$(model_cost out.json gpt-5.1-codex)" \
		$((100000 * 125 + 1000000 * 125 / 10))e-8
'

test_expect_success 'a long prompt is priced at the long-context rates' '
	{
		ev gemini-2.5-pro 150000 1000 0 0 60000 &&
		ev claude-sonnet-4 190000 1000 0 0 9000
	} >d.jsonl &&
	git -C proj tokens import -q ../d.jsonl &&
	(cd proj && git tokens usage --by model --format json >../out.json) &&
	same "$(model_cost out.json gemini-2.5-pro)" \
		$(cost "$T" gemini-2.5-pro 150000 1000 0 0 60000) &&
	# 150000 * 2.5 + 1000 * 15 + 60000 * 0.25, per million
	same "$(model_cost out.json gemini-2.5-pro)" 0.405 &&
	# 199k of prompt is still below the threshold
	same "$(model_cost out.json claude-sonnet-4)" \
		$(cost "$T" claude-sonnet-4 190000 1000 0 0 9000) &&
	same "$(model_cost out.json claude-sonnet-4)" 0.5877
'

test_expect_success 'an unknown model: cost null and exactly one warning' '
	{
		ev mystery-model-9 10 10 0 0 0 &&
		ev mystery-model-9 20 20 0 0 0 &&
		ev mystery-model-9 30 30 0 0 0
	} >e.jsonl &&
	git -C proj tokens import -q ../e.jsonl &&
	(cd proj && git tokens usage --by model --format json >../out.json 2>../err) &&
	test "$(model_cost out.json mystery-model-9)" = null &&
	test $(grep -c mystery-model-9 err) = 1 &&
	grep "^warning: .*mystery-model-9" err &&
	test $(json_get total.cost_usd <out.json) = null
'

test_expect_success 'a recorded cost is kept as recorded' '
	echo "{\"time\":\"2026-11-21T10:00:00Z\",\"model\":\"claude-opus-4-6\",\"input\":1000000,\"cost_usd\":0.123}" >f.jsonl &&
	git -C proj tokens import -q ../f.jsonl &&
	(cd proj && git tokens usage --since 2026-11-21 --format json >../out.json) &&
	same "$(json_get total.cost_usd <out.json)" 0.123
'

test_expect_success 'tokens.prices lays its own rates over the bundled table' '
	cat >mine.json <<-\EOF &&
	{"schema": "git-tokens/prices/v1", "date": "2026-12-01",
	 "models": {
	   "claude-sonnet-4-5": {"provider": "anthropic", "input": 100,
	                         "output": 200, "cache_write_5m": 300,
	                         "cache_write_1h": 400, "cache_read": 10},
	   "mystery-model-9": {"provider": "openai", "input": 1000,
	                       "output": 1000}},
	 "aliases": {}}
	EOF
	git -C proj config tokens.prices "$(pwd)/mine.json" &&
	(cd proj && git tokens usage --by model --format json >../out.json 2>../err) &&
	test_must_be_empty err &&
	want=$(cost mine.json claude-sonnet-4-5 1000 2000 3000 1000 40000) &&
	same $want 1.9 &&
	same "$(model_cost out.json claude-sonnet-4-5)" $want &&
	same "$(model_cost out.json claude-sonnet-4-5-20250929)" $want &&
	same "$(model_cost out.json mystery-model-9)" 0.12 &&
	# what the override does not name keeps its bundled price
	same "$(model_cost out.json gemini-2.5-pro)" 0.405
'

test_expect_success 'a broken tokens.prices is an error naming it' '
	echo "{\"schema\": \"something/else\"}" >mine.json &&
	(cd proj && git tokens usage --by model --format json >../out.json 2>../err) &&
	grep "^error: .*mine\.json" err &&
	test "$(model_cost out.json openai/gpt-5)" = null
'

test_expect_success 'every model of the bundled table is dated' '
	python3 - "$T" <<-\PY
	import json, re, sys
	t = json.load(open(sys.argv[1]))
	for name, m in t["models"].items():
	    d = m.get("date", "")
	    assert re.fullmatch(r"\d{4}-\d\d-\d\d", d) and d <= t["date"], (name, d)
	PY
'

test_expect_success 'a model with a garbled date is an error naming it' '
	echo "{\"schema\": \"git-tokens/prices/v1\", \"models\": {\"m\": {\"input\": 1, \"output\": 1, \"date\": \"June\"}}}" >mine.json &&
	(cd proj && git tokens usage --format json >../out.json 2>../err) &&
	grep "^error: bad date for model .m. in .*mine\.json" err &&
	git -C proj config --unset tokens.prices
'

# The fast tiers are their base model times the multiplier.
test_expect_success 'fast tiers are priced at their multiple of the base' '
	{
		ev claude-opus-4-7 1000 2000 3000 1000 40000 &&
		ev claude-opus-4-7-fast 1000 2000 3000 1000 40000 &&
		ev claude-opus-4-8 1000 2000 3000 1000 40000 &&
		ev claude-opus-4-8-fast 1000 2000 3000 1000 40000 &&
		ev gpt-5.5 1000 2000 0 0 40000 &&
		ev gpt-5.5-fast 1000 2000 0 0 40000
	} >g.jsonl &&
	git -C proj tokens import -q ../g.jsonl &&
	(cd proj && git tokens usage --by model --format json >../out.json 2>/dev/null) &&
	for m in claude-opus-4-7:6 claude-opus-4-8:2 gpt-5.5:2.5
	do
		base=${m%:*} times=${m#*:} &&
		b=$(model_cost out.json $base) &&
		f=$(model_cost out.json $base-fast) &&
		same $f "$(python3 -c "print($b * $times)")" &&
		same $f "$(cost "$T" $base-fast 1000 2000 $(case $base in gpt*) echo 0 0 ;; *) echo 3000 1000 ;; esac) 40000)" ||
		return 1
	done
'

test_expect_success 'the new sources default models: priced, or unknown and named' '
	{
		ev claude-sonnet-4.5 1000 2000 3000 1000 40000 &&
		ev claude-haiku-4.5 1000 2000 3000 1000 40000 &&
		ev gpt-5.1 1000 2000 0 0 40000 &&
		ev gemini-3-pro-preview 1000 2000 0 0 40000 &&
		ev kimi-for-coding 100 10 0 0 0 &&
		ev qwen3-coder-plus 100 10 0 0 0 &&
		ev glm-4.6 100 10 0 0 0 &&
		ev grok-code-fast-1 100 10 0 0 0
	} >h.jsonl &&
	git -C proj tokens import -q ../h.jsonl &&
	(cd proj && git tokens usage --by model --format json >../out.json 2>../err) &&
	same "$(model_cost out.json claude-sonnet-4.5)" "$(model_cost out.json claude-sonnet-4-5)" &&
	same "$(model_cost out.json claude-haiku-4.5)" "$(cost "$T" claude-haiku-4-5 1000 2000 3000 1000 40000)" &&
	same "$(model_cost out.json gpt-5.1)" "$(cost "$T" gpt-5.1 1000 2000 0 0 40000)" &&
	same "$(model_cost out.json gemini-3-pro-preview)" "$(cost "$T" gemini-3-pro-preview 1000 2000 0 0 40000)" &&
	for m in kimi-for-coding qwen3-coder-plus glm-4.6 grok-code-fast-1
	do
		test "$(model_cost out.json $m)" = null &&
		test $(grep -c "no price for model .$m." err) = 1 || return 1
	done
'

test_done
