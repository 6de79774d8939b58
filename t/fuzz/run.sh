#!/bin/bash
# Build the libFuzzer targets t/fuzz/fuzz-*.c with clang and
# AddressSanitizer + UndefinedBehaviorSanitizer against cmd/*.c, and run
# each for a bounded time. One summary line per target; exits 1 on any
# crash, leak, timeout or sanitizer report (the input is kept in
# <dir>/artifacts/: copy it to t/fuzz/crashers/<target>-<name> once
# the bug is fixed, and t9500 replays it).
#
#   t/fuzz/run.sh                  every target, FUZZ_TIME seconds each
#   t/fuzz/run.sh claude notes     only these targets
#
#   FUZZ_DIR    work directory: objects, targets, corpora, artifacts
#               (default: <top>/build-fuzz; kept between runs, so the
#               corpora grow)
#   FUZZ_TIME   seconds per target (default 4: about a minute in all)
#   FUZZ_JOBS   parallel compiles (default: JOBS, else 2)
#   FUZZ_CC     a clang with libFuzzer (default: clang)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${FUZZ_DIR:-$top/build-fuzz}
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
time_each=${FUZZ_TIME:-4}
jobs=${FUZZ_JOBS:-${JOBS:-2}}
CC=${FUZZ_CC:-clang}

# Everything the targets reach: the library layers of cmd/ (and the
# modules in folders of their own), not the commands nor main().
lib_src=$(cd "$top/cmd" && find . -mindepth 2 -name '*.c' | sed 's|^\./||' |
	sort | grep -v '^builtin/' | sed 's/\.c$//')

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

# config.h, from configure run with clang (again when configure changed).
if ! test -f "$dir/conf/config.h" || test "$top/configure" -nt "$dir/conf/config.h"
then
	test -x "$top/configure" || (cd "$top" && autoreconf -fi >/dev/null)
	mkdir -p "$dir/conf"
	(cd "$dir/conf" && "$top/configure" -q CC="$CC" >/dev/null) || {
		echo "fuzz: configure failed (see $dir/conf/config.log)" >&2
		exit 1
	}
	touch "$dir/conf/config.h" # kept as it was when nothing changed
fi

pkgs="libgit2 libcjson libcurl"
grep -q '^#define HAVE_SQLITE3 1' "$dir/conf/config.h" && pkgs="$pkgs sqlite3"
grep -q '^#define HAVE_ZSTD 1' "$dir/conf/config.h" && pkgs="$pkgs libzstd"
# shellcheck disable=SC2086
pkg_cflags=$(pkg-config --cflags $pkgs)
# shellcheck disable=SC2086
pkg_libs=$(pkg-config --libs $pkgs)
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-std=gnu11 -g -O1 -fno-omit-frame-pointer -pthread $san
	-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -D_GNU_SOURCE
	-DPKGDATADIR=\"$top/share\" -I$dir/conf -I$top/cmd $pkg_cflags"

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
status=0
pids=()
for s in $lib_src
do
	mkdir -p "$dir/obj/${s%/*}"
	compile "$top/cmd/$s.c" "$dir/obj/$s.o" -fsanitize=fuzzer-no-link &
	pids+=($!)
	if test ${#pids[@]} -ge "$jobs"
	then
		wait "${pids[0]}" || status=1
		pids=("${pids[@]:1}")
	fi
done
for p in "${pids[@]}"
do
	wait "$p" || status=1
done
test $status = 0 || { echo "fuzz: compiling cmd/ failed" >&2; exit 1; }
objs=
for s in $lib_src
do
	objs="$objs $dir/obj/$s.o"
done
for t in $targets
do
	src=$top/t/fuzz/fuzz-$t.c
	test -f "$src" || { echo "fuzz: no target '$t'" >&2; exit 1; }
	compile "$src" "$dir/obj/fuzz-$t.o" "-fsanitize=fuzzer-no-link -I$top/t/fuzz"
	# shellcheck disable=SC2086
	"$CC" -fsanitize=fuzzer $san -pthread -o "$dir/bin/fuzz-$t" \
		"$dir/obj/fuzz-$t.o" $objs $pkg_libs -lm
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
