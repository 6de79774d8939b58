# Shared by the sharness scripts of the file-based sources (t12x0): a
# private home, a price table of the test's own (t/lib_sources.py
# PRICES). Source it after lib-tokens.sh.

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
