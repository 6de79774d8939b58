#!/bin/bash
# Build the libFuzzer targets t/fuzz/fuzz-*.c with clang and
# AddressSanitizer + UndefinedBehaviorSanitizer against libtokens.a (the
# library layers of cmd/, made by "make libtokens.a" in a build
# directory configured for clang), and run each for a bounded time. One
# summary line per target; exits 1 on any crash, leak, timeout or
# sanitizer report (the input is kept in <dir>/artifacts/: copy it to
# t/fuzz/crashers/<target>-<name> once the bug is fixed, and t9500
# replays it).
#
#   t/fuzz/run.sh                  every target, FUZZ_TIME seconds each
#   t/fuzz/run.sh claude notes     only these targets
#
#   FUZZ_DIR    work directory: the build, targets, corpora, artifacts
#               (default: <top>/build-fuzz; kept between runs, so the
#               corpora grow)
#   FUZZ_TIME   seconds per target (default 4: about a minute in all)
#   FUZZ_JOBS   parallel make jobs (default: JOBS, else 2)
#   FUZZ_CC     a clang with libFuzzer (default: clang)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${FUZZ_DIR:-$top/build-fuzz}
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
time_each=${FUZZ_TIME:-4}
jobs=${FUZZ_JOBS:-${JOBS:-2}}
CC=${FUZZ_CC:-clang}

all_targets=
for f in "$top"/t/fuzz/fuzz-*.c
do
	n=${f##*/fuzz-}
	all_targets="$all_targets ${n%.c}"
done
targets=${*:-$all_targets}

if ! command -v "$CC" >/dev/null
then
	echo "fuzz: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2
	exit 1
fi
echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
	"$CC" -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null || {
	echo "fuzz: $CC cannot link libFuzzer (apt-get install libclang-rt-14-dev)" >&2
	exit 1
}
mkdir -p "$dir/obj" "$dir/bin" "$dir/corpus" "$dir/artifacts" "$dir/seeds"

san="-fsanitize=address,undefined -fno-sanitize-recover=all"
# The library is built with these (CFLAGS); the targets with them too.
lib_cflags="-g -O1 -fno-omit-frame-pointer $san -fsanitize=fuzzer-no-link
	-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
lib_cflags=$(echo $lib_cflags)

# The build directory, configured with clang and the flags above (again
# when configure or the flags changed); make rebuilds only what changed.
build=$dir/build
if ! test -f "$build/config.status" ||
	test "$top/configure" -nt "$build/config.status" ||
	test "$(cat "$build/.fuzz-flags" 2>/dev/null)" != "$CC $lib_cflags"
then
	test -x "$top/configure" || (cd "$top" && autoreconf -fi >/dev/null)
	mkdir -p "$build"
	rm -f "$build/.fuzz-flags"
	(cd "$build" && "$top/configure" -q CC="$CC" CFLAGS="$lib_cflags" \
		>/dev/null) || {
		echo "fuzz: configure failed (see $build/config.log)" >&2
		exit 1
	}
	printf '%s\n' "$CC $lib_cflags" >"$build/.fuzz-flags"
fi

pkgs="libgit2 libcjson libcurl"
grep -q '^#define HAVE_SQLITE3 1' "$build/config.h" && pkgs="$pkgs sqlite3"
grep -q '^#define HAVE_ZSTD 1' "$build/config.h" && pkgs="$pkgs libzstd"
# shellcheck disable=SC2086
pkg_cflags=$(pkg-config --cflags $pkgs)
# shellcheck disable=SC2086
pkg_libs=$(pkg-config --libs $pkgs)
cflags="-std=gnu11 -pthread $lib_cflags -D_GNU_SOURCE
	-I$build -I$top/cmd $pkg_cflags"

# Compile src to obj unless obj is newer than everything it includes.
compile () {
	local src=$1 obj=$2 extra=$3 dep
	if test -f "$obj" && test -f "$obj.d"
	then
		dep=$(sed -e 's/^[^:]*://' -e 's/\\$//' "$obj.d" | tr -s ' \n' '\n\n')
		stale=
		for d in $dep
		do
			test "$d" -nt "$obj" && { stale=1; break; }
		done
		test -z "$stale" && return 0
	fi
	# shellcheck disable=SC2086
	"$CC" $cflags $extra -MMD -MF "$obj.d" -c "$src" -o "$obj"
}

echo "fuzz: building in $dir"
make -s -C "$build" -j"$jobs" libtokens.a >"$dir/make.log" 2>&1 || {
	cat "$dir/make.log" >&2
	echo "fuzz: building libtokens.a failed" >&2
	exit 1
}
for t in $targets
do
	src=$top/t/fuzz/fuzz-$t.c
	test -f "$src" || { echo "fuzz: no target '$t'" >&2; exit 1; }
	compile "$src" "$dir/obj/fuzz-$t.o" "-I$top/t/fuzz"
	# shellcheck disable=SC2086
	"$CC" -fsanitize=fuzzer $san -pthread -o "$dir/bin/fuzz-$t" \
		"$dir/obj/fuzz-$t.o" "$build/libtokens.a" $pkg_libs -lm
done

rm -rf "$dir/seeds"
sh "$top/t/fuzz/seed.sh" "$dir/seeds"

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export GIT_TOKENS_DATADIR=$top/share
failed=
for t in $targets
do
	corpus=$dir/corpus/$t
	log=$dir/fuzz-$t.log
	mkdir -p "$corpus"
	seeds=
	for s in "$dir/seeds/$t" "$top/t/fuzz/corpus/$t"
	do
		test -d "$s" && seeds="$seeds $s"
	done
	rm -f "$dir/artifacts/$t-"*
	rc=0
	# shellcheck disable=SC2086
	(cd "$dir" && "$dir/bin/fuzz-$t" -max_total_time="$time_each" \
		-rss_limit_mb=2048 -timeout=10 -max_len=65536 \
		-close_fd_mask=1 -print_final_stats=1 \
		-dict="$top/t/fuzz/json.dict" \
		-artifact_prefix="$dir/artifacts/$t-" \
		"$corpus" $seeds) >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(sed -n 's/.*\(cov: [0-9]*\).*/\1/p' "$log" | tail -1)
	units=$(find "$corpus" -type f | wc -l)
	artifact=$(find "$dir/artifacts" -name "$t-*" -type f | head -1)
	if test $rc != 0 || test -n "$artifact" ||
		grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
			-e 'runtime error:' -e '^BUG: ' "$log"
	then
		why=$(grep -m1 -o -e 'ERROR: [A-Za-z]*Sanitizer: [A-Za-z-]*' \
			-e 'runtime error: .*' -e 'BUG: .*' \
			-e 'ERROR: libFuzzer: [a-z -]*' \
			-e 'ALARM: working on the last Unit for [0-9]* seconds' \
			-e 'out-of-memory' "$log" || echo "exit $rc")
		printf 'fuzz-%-13s FAILED: %s; input: %s; log: %s\n' "$t" \
			"$why" "${artifact:-none}" "$log"
		failed="$failed $t"
	else
		printf 'fuzz-%-13s ok: %s execs in %ss, %s, corpus %s\n' "$t" \
			"${execs:-?}" "$time_each" "${cov:-cov: ?}" "$units"
	fi
done
if test -n "$failed"
then
	echo "fuzz: FAILED:$failed"
	exit 1
fi
echo "fuzz: all $(echo $targets | wc -w) targets ok"
