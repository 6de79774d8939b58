# Shared by the sharness scripts of the file-based sources (t12x0): a
# private home, a price table of the test's own (t/lib_sources.py
# PRICES) and check_usage. Source it after lib-tokens.sh.

unset AMP_DATA_DIR QWEN_DATA_DIR KIMI_DATA_DIR KIMI_CODE_HOME \
	DROID_SESSIONS_DIR CONTINUE_GLOBAL_DIR
GIT_TOKENS_NOW=2026-11-30T00:00:00Z
XDG_CACHE_HOME=$(pwd)/cache
HOME=$(pwd)
PYTHONPATH=$TEST_SRCDIR
export GIT_TOKENS_NOW XDG_CACHE_HOME HOME PYTHONPATH

# use_test_prices: install prices-test.json as tokens.prices
use_test_prices () {
	python3 -c 'import lib_sources; lib_sources.write_prices()' &&
	git config --global tokens.prices "$(pwd)/prices-test.json"
}

# check_usage <usage --format json output> <expect.json>...: the rows,
# one a day, are exactly the sum of the expected days.
check_usage () {
	python3 - "$@" <<-\PY
	import json, sys
	got = json.load(open(sys.argv[1]))
	want = {}
	for p in sys.argv[2:]:
	    for day, w in json.load(open(p)).items():
	        if day in want:
	            for k in w:
	                want[day][k] += w[k]
	        else:
	            want[day] = w
	rows = {r["key"]: r for r in got["rows"]}
	assert sorted(rows) == sorted(want), (sorted(rows), sorted(want))
	for day, w in want.items():
	    r = rows[day]
	    for k in ("requests", "input", "output", "cache_write", "cache_read"):
	        assert r[k] == w[k], (day, k, r[k], w[k])
	    assert abs(r["cost_usd"] - w["cost_usd"]) < 1e-6, (day, r, w)
	PY
}
