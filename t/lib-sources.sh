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

# SQLITE3: databases are read (built with libsqlite3), and the sqlite3
# program is there to write and lock them.
sqlite3 -version >/dev/null 2>&1 &&
grep -q "define HAVE_SQLITE3 1" "$SHARNESS_BUILD_DIRECTORY/config.h" &&
test_set_prereq SQLITE3

# lock_db <db>: another sqlite3 holds an exclusive lock on it until fd 9
# is closed.
lock_db () {
	rm -f lock.in lock.out &&
	mkfifo lock.in &&
	{ sqlite3 "$1" <lock.in >lock.out 2>&1 & } &&
	exec 9>lock.in &&
	echo "BEGIN EXCLUSIVE;" >&9 &&
	echo ".print locked" >&9 &&
	i=0 &&
	while test $i -lt 100
	do
		grep -q locked lock.out && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
