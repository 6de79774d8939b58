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

# The bad databases every SQLite source meets. Each <usage command>
# writes out.json and err, and takes more options.
#
# db_locked <db> <expect.json> <usage command>...: while another sqlite3
# holds <db>, the command (uncached) warns once that it is locked; once
# free, it reads what <expect.json> says. test_when_finished "exec 9>&-".
db_locked () {
	db=$1 expect=$2 &&
	shift 2 &&
	lock_db "$db" &&
	"$@" --no-cache &&
	grep "^warning: .*/$(basename "$db").*locked" err &&
	test_line_count = 1 err &&
	exec 9>&- &&
	"$@" &&
	check_usage out.json "$expect"
}

# db_corrupt <db> <expect.json> <usage command>...: a <db> that is no
# database is named in the command's one warning, the others read.
db_corrupt () {
	db=$1 expect=$2 &&
	shift 2 &&
	printf "%0999d" 0 >"$db" &&
	"$@" &&
	check_usage out.json "$expect" &&
	grep "^warning: .*$db.*not a database" err &&
	test_line_count = 1 err
}

# db_gone <usage command>...: with the databases gone since the last
# run, nothing of them is left, and no warning.
db_gone () {
	"$@" &&
	echo "{}" >expect-none.json &&
	check_usage out.json expect-none.json &&
	test_must_be_empty err
}
