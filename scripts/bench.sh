#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: the Rust modules measured against C modules doing the same
# work, on a Debian kernel, and printed as one table.
#
#   scripts/bench.sh [6.1|6.12]          default 6.1
#
# The pairs: the template's hello (src/lib.rs) and bench/c/hello, the chardev
# example and bench/c/chardev, bench/printbench and bench/c/printbench. The C
# modules are built with a plain Kbuild file each (make -C $KDIR M=<dir>).
#
#   - build times of hello, on the host: the first build (core and alloc
#     compiled too), make clean && make, the same with this repository's
#     crates recompiled, the rebuild after touching one source file, and a
#     no-op make;
#   - sizes: the .ko file and its Berkeley text/data/bss (size);
#   - in the guest (QEMU boots with the serial console kept quiet): chardev
#     throughput for reads and writes of 64 B, 4 KB and 64 KB, timed by a
#     static C program (bench/user/chardev_bench.c) that has the devices take
#     turns (Rust's, C's, and C's through the layers Rust's goes through:
#     bench/c/chardev/layered_chardev.c), and the cost of one pr_info line, timed with ktime_get_ns()
#     by the printbench modules, loaded in turns;
#   - the time of make run's steps (build, boot, insmod, rmmod) for each.
#
# Repeated figures are medians; "±" is half their interquartile range,
# relative to the median. A throughput sample is the median slice of a round, a printing
# sample the fastest batch of a module load. Everything is measured in this
# run; nothing is carried over. Output goes to build/bench/<series>/ (the
# table also to bench.txt there); other builds' directories and cargo's
# shared cache are not touched.
#
# Environment: BENCH_BUILD_REPS (5 builds of each kind), BENCH_RUN_REPS (3),
# BENCH_BOOTS (3) and, in each boot, BENCH_REPS (3 rounds), BENCH_MS (200 ms
# per throughput figure and round, the two devices taking turns),
# BENCH_LINES (50 lines per timed batch of printing) and BENCH_LOOPS (32
# batches of each kind per module load).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
cd "$top"

series=${1:-6.1}
build_reps=${BENCH_BUILD_REPS:-5}
run_reps=${BENCH_RUN_REPS:-3}
boots=${BENCH_BOOTS:-3}
export BENCH_REPS=${BENCH_REPS:-3} BENCH_MS=${BENCH_MS:-200}
export BENCH_LINES=${BENCH_LINES:-50} BENCH_LOOPS=${BENCH_LOOPS:-32}

die() {
	echo "bench: $*" >&2
	exit 1
}

"$top/scripts/setup.sh" || die "setup failed"
kernel=$(kernel_dir "$series") || die "cannot fetch Debian $series"
kdir=$kernel/kdir
out=$top/build/bench/$series
rust=build/bench/$series/rust  # the Rust modules' BUILD=, relative like make's messages
# cargo's output (core, alloc, the crates): the benchmark's own, not the one
# in the user's cache that other builds of this checkout share.
cargo_target=$out/cargo
cdir=$out/c                    # one kbuild directory per C module
logs=$out/logs
rm -rf "$logs"
mkdir -p "$logs" "$cdir"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# Both with the kernel's own compiler (kernel_make, scripts/lib.sh).
rust_make() {
	kernel_make "$kernel" -C "$top" --no-print-directory KDIR="$kdir" BUILD="$rust" CARGO_TARGET="$cargo_target" "$@"
}

# c_make NAME [TARGET]: kbuild on bench/c/NAME, in its own directory.
c_make() {
	kernel_make "$kernel" -C "$kdir" --no-print-directory M="$cdir/$1" "${2:-modules}"
}

c_setup() {
	mkdir -p "$cdir/$1"
	ln -sf "$top/bench/c/$1/Kbuild" "$cdir/$1/Kbuild"
	local source
	for source in "$top/bench/c/$1"/*.c; do
		ln -sf "$source" "$cdir/$1/"
	done
}

# timed LOG COMMAND...: runs COMMAND, its output appended to LOG, and prints
# the seconds it took. Stops the benchmark if COMMAND fails.
timed() {
	local log=$1 t0 t1
	shift
	echo "\$ $*" >>"$log"
	t0=$(date +%s%N)
	"$@" >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "failed: $* (log: $log)"; }
	t1=$(date +%s%N)
	awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f\n", ns / 1e9 }'
}

# Samples, by name ("rust.noop"), as space-separated numbers.
declare -A samples
add() {
	samples[$1]="${samples[$1]:-} $2"
}

# measure NAME LOG COMMAND...: one timed sample of COMMAND.
measure() {
	local name=$1 seconds
	shift
	seconds=$(timed "$@") || exit 1
	add "$name" "$seconds"
}

# Touching src/lib.rs changes nothing in it; its time stamp is put back at
# the end, so other builds do not see it as edited.
stamp=$out/lib.rs.stamp
touch -r src/lib.rs "$stamp"
trap 'touch -r "$stamp" src/lib.rs' EXIT

progress() {
	printf '  %-7s %s\n' BENCH "$*" >&2
}

# --- Build times (hello) ----------------------------------------------------

rust_clean_build() {
	rust_make clean && rust_make
}
c_clean_build() {
	c_make hello clean && c_make hello
}

progress "first build of hello (core and alloc too)"
rm -rf "${top:?}/$rust" "${cargo_target:?}"
measure rust.first "$logs/rust-build.log" rust_make
progress "make clean && make, hello and c_hello"
c_setup hello
c_make hello >>"$logs/c-build.log" 2>&1 || die "bench/c/hello does not build (log: $logs/c-build.log)"
for i in $(seq "$build_reps"); do
	measure rust.clean "$logs/rust-build.log" rust_clean_build
	measure c.clean "$logs/c-build.log" c_clean_build
done

# A clean build of the crates: what make clean && make would take if it
# recompiled this repository's crates (hello, kernel, spin) too, and kept
# only core, alloc and compiler_builtins.
cargo_out=$cargo_target/target/release
for i in $(seq "$build_reps"); do
	progress "clean build of the crates (core and alloc kept), $i/$build_reps"
	rm -rf "$cargo_out"/.fingerprint/{hello,kernel,spin}-* "$cargo_out"/deps/{hello,kernel,spin}-* \
		"$cargo_out"/deps/lib{hello,kernel,spin}-* "$cargo_out"/libhello.*
	measure rust.crates "$logs/rust-build.log" rust_clean_build
done

for i in $(seq "$build_reps"); do
	progress "rebuild after touching one source file, and no-op make, $i/$build_reps"
	touch src/lib.rs
	measure rust.rebuild "$logs/rust-build.log" rust_make
	touch bench/c/hello/c_hello.c
	measure c.rebuild "$logs/c-build.log" c_make hello
	measure rust.noop "$logs/rust-build.log" rust_make
	measure c.noop "$logs/c-build.log" c_make hello
done
touch -r "$stamp" src/lib.rs

# The build must be clean: no warnings from cargo, rustc, gcc or kbuild.
grep -i warning "$logs"/*-build.log >&2 && die "the builds print warnings (above)"

# --- The other modules, the user programs ----------------------------------------

progress "building the chardev and printbench modules and the user programs"
for name in chardev printbench; do
	rust_make EXAMPLE=$name >>"$logs/rust-build.log" 2>&1 || die "make EXAMPLE=$name failed (log: $logs/rust-build.log)"
	c_setup $name
	c_make $name >>"$logs/c-build.log" 2>&1 || die "bench/c/$name failed (log: $logs/c-build.log)"
done
grep -i warning "$logs"/*-build.log >&2 && die "the builds print warnings (above)"
mkdir -p "$out/programs"
gcc -static -O2 -Wall -Wextra -Werror -o "$out/programs/chardev_bench" bench/user/chardev_bench.c || die "chardev_bench does not build"
gcc -static -O2 -Wall -Wextra -Werror -o "$out/programs/chardev_io" examples/chardev/chardev_io.c || die "chardev_io does not build"
# The chardev example's own test, run on the C baseline.
sed 's/rust_chardev/c_chardev/g' examples/chardev/test.sh >"$out/programs/chardev_test_c.sh"

# --- Sizes ---------------------------------------------------------------------

# size_of KO: ".ko bytes", text, data, bss, and code (the .text sections).
size_of() {
	local berkeley code
	berkeley=$(size "$1" | awk 'NR == 2 { print $1, $2, $3 }')
	code=$(size -A "$1" | awk '$1 ~ /^\.(init\.|exit\.)?text/ { sum += $2 } END { print sum + 0 }')
	echo "$(stat -c %s "$1") $berkeley $code"
}
read -r rh_file rh_text rh_data rh_bss rh_code < <(size_of "$rust/hello.ko")
read -r ch_file ch_text ch_data ch_bss ch_code < <(size_of "$cdir/hello/c_hello.ko")
read -r rc_file rc_text rc_data rc_bss rc_code < <(size_of "$rust/rust_chardev.ko")
read -r cc_file cc_text cc_data cc_bss cc_code < <(size_of "$cdir/chardev/c_chardev.ko")

# --- In the guest ------------------------------------------------------------------

# Several boots: within one boot the rounds agree closely, but from one boot
# to the next the figures of small calls move by a few percent either way
# (where the modules and their data land, in memory and in QEMU's caches).
# guest_run N: boot N; adds its samples.
guest_run() {
	local vm=$out/vm-bench-$1 glog problems c_test
	glog=$vm/guest.log
	VM_GUEST_ENV="BENCH_REPS=$BENCH_REPS BENCH_MS=$BENCH_MS BENCH_LINES=$BENCH_LINES BENCH_LOOPS=$BENCH_LOOPS" \
		VM_TIMEOUT=${VM_TIMEOUT:-900} "$top/scripts/vm.sh" "$kernel/vmlinuz" "$vm" bench/guest.sh \
		tests/guest/lib.sh "$rust/rust_chardev.ko" "$rust/rust_printbench.ko" \
		"$cdir/chardev/c_chardev.ko" "$cdir/chardev/layered_chardev.ko" "$cdir/printbench/c_printbench.ko" \
		"$out/programs/chardev_bench" "$out/programs/chardev_io" "$out/programs/chardev_test_c.sh" ||
		die "the bench VM failed (see $vm)"
	grep -q '^@@ guest-done$' "$glog" || die "the guest script did not finish (see $glog)"
	problems=$(grep -E "$bad_kernel_messages|insmod .* failed|chardev_bench:" "$glog" "$vm/console.log")
	[[ -z $problems ]] || die "the guest reported problems: $problems"
	taint_ok "$(section tainted "$glog")" || die "the kernel is tainted beyond out-of-tree/unsigned (see $glog)"
	c_test=$(section c-chardev-test "$glog")
	[[ $c_test =~ ^pass=[1-9][0-9]*\ fail=0$ ]] ||
		die "the C chardev baseline fails examples/chardev/test.sh: $c_test"
	c_test_result=$c_test
	# The benchmark's lines must not have gone to the serial console.
	grep -qE 'value [0-9]+ of bench|a line without arguments' "$vm/console.log" &&
		die "printing benchmark lines reached the serial console (see $vm/console.log)"

	# Throughput in MB/s (10^6 bytes per second), one sample per round from
	# the median slice.
	local lang op size slices calls bytes ns key
	while read -r lang op size slices calls bytes ns; do
		add "$lang.tp.$op.$size" "$(awk -v c="$calls" -v b="$bytes" -v ns="$ns" 'BEGIN { printf "%.2f\n", c * b * 1000 / ns }')"
	done < <(section throughput "$glog")
	# Printing in ns per line, one sample per load: its fastest batch.
	# Batches only get slower when the host takes the CPU away (it does: the
	# guest's time is real time, and the host is shared), never faster than
	# the work.
	while read -r key ns; do
		add "$key" "$ns"
	done < <(section printing "$glog" | awk '
		{
			key = $1 ".print." $3 " " $2
			ns = $5 / $4
			if (!(key in best) || ns < best[key]) best[key] = ns
		}
		END { for (key in best) { split(key, part, " "); printf "%s %.1f\n", part[1], best[key] } }')
}
for boot in $(seq "$boots"); do
	progress "booting Debian $series in QEMU, $boot/$boots: throughput and printing"
	guest_run "$boot"
done

# --- make run ----------------------------------------------------------------------

# What make run does (scripts/run.sh), step for step, in the benchmark's
# own directories: setup, build (nothing to do by now), boot, insmod, show
# the log, rmmod, check the log. For C, the same with c_hello.
run_like_make_run() {
	local lang=$1 ko module vmout
	"$top/scripts/setup.sh" || return 1
	kernel_dir "$series" >/dev/null || return 1
	if [[ $lang == rust ]]; then
		rust_make || return 1
		ko=$top/$rust/hello.ko module=hello
	else
		c_make hello || return 1
		ko=$cdir/hello/c_hello.ko module=c_hello
	fi
	vmout=$out/vm-run-$lang
	# The generic part of make run's boot (C's hello has no own checks).
	VM_GUEST_ENV="MODULE=$module" "$top/scripts/vm.sh" "$kernel/vmlinuz" "$vmout" tests/guest/module.sh \
		tests/guest/lib.sh "$ko" || return 1
	awk '/^@@ / { exit } { print }' "$vmout/guest.log"
	! grep -qE '^FAIL ' "$vmout/guest.log" &&
		! grep -qE "$bad_kernel_messages" "$vmout/console.log" &&
		taint_ok "$(section tainted "$vmout/guest.log")"
}
for i in $(seq "$run_reps"); do
	progress "make run, $i/$run_reps"
	for lang in rust c; do
		measure "$lang.run" "$logs/run-$lang.log" run_like_make_run "$lang"
	done
done

# --- The table ---------------------------------------------------------------------

# summary NAME: "median spread" of the samples, the spread in percent (half
# the interquartile range over the median) or "-" for a single sample.
summary() {
	tr ' ' '\n' <<<"${samples[$1]:-}" | awk 'NF' | sort -g | awk '
		# q(p): the p-quantile, interpolated between the sorted samples.
		function q(p,   x, i) {
			x = 1 + (NR - 1) * p
			i = int(x)
			return i >= NR ? v[NR] : v[i] + (x - i) * (v[i + 1] - v[i])
		}
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "- -"; exit }
			m = q(0.5)
			spread = m > 0 ? (q(0.75) - q(0.25)) / 2 / m * 100 : 0
			if (NR == 1) print m, "-"; else printf "%s %.0f\n", m, spread
		}'
}

# cell VALUE SPREAD FORMAT: the value, and its spread where there are several samples.
cell() {
	[[ $1 == - ]] && { echo -; return; }
	if [[ $2 == - ]]; then printf "$3" "$1"; else printf "$3 ±%s%%" "$1" "$2"; fi
}

# meets VALUE OP LIMIT: "yes" or "NO" (OP is <= or >=).
meets() {
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { ok = op == "<=" ? v <= l : v >= l; print ok ? "yes" : "NO" }'
}

# quotient RUST C: RUST/C as a number, for meets (0 when C is 0).
quotient() {
	awk -v r="$1" -v c="$2" 'BEGIN { print (c > 0 ? r / c : 0) }'
}

# ratio RUST C: RUST/C as "1.23x", or "-".
ratio() {
	awk -v r="$1" -v c="$2" 'BEGIN { if (c == "-" || r == "-" || c == 0) print "-"; else printf "%.2fx\n", r / c }'
}

table=$out/bench.txt
row() {
	printf '%-42s %16s %16s %7s  %-10s %s\n' "$@"
}

# timing_row LABEL NAME TARGET-OP TARGET-LIMIT TARGET-TEXT: a row of build or run times.
timing_row() {
	local label=$1 name=$2 r rs c cs met=-
	read -r r rs < <(summary "rust.$name")
	read -r c cs < <(summary "c.$name")
	[[ -n ${3:-} ]] && met=$(meets "$r" "$3" "$4")
	row "$label" "$(cell "$r" "$rs" '%.2f s')" "$(cell "$c" "$cs" '%.2f s')" "$(ratio "$r" "$c")" "${5:--}" "$met"
}

# size_row LABEL RUST C [TARGET-OP RATIO-LIMIT TARGET-TEXT [STRETCH-RATIO]]:
# a size, its target a ratio to C's.
size_row() {
	local label=$1 r=$2 c=$3 met=- q
	q=$(quotient "$r" "$c")
	[[ -n ${4:-} ]] && met=$(meets "$q" "$4" "$5")
	[[ -n ${7:-} && $met == yes ]] && met="yes (stretch: $(meets "$q" "$4" "$7"))"
	row "$label" "$r B" "$c B" "$(ratio "$r" "$c")" "${6:--}" "$met"
}

# speed_row LABEL NAME FORMAT [TARGET-OP TARGET-LIMIT TARGET-TEXT [BASELINE]]:
# rows from the guest; BASELINE is the C side's key (c, or layered).
speed_row() {
	local label=$1 name=$2 unit=$3 r rs c cs met=- q
	read -r r rs < <(summary "rust.$name")
	read -r c cs < <(summary "${7:-c}.$name")
	q=$(ratio "$r" "$c")
	[[ -n ${4:-} ]] && met=$(meets "$(quotient "$r" "$c")" "$4" "$5")
	row "$label" "$(cell "$r" "$rs" "$unit")" "$(cell "$c" "$cs" "$unit")" "$q" "${6:--}" "$met"
}

release=$(cat "$kernel/version")
{
	echo "make bench: Rust against C, Debian $series ($release), $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores," \
		"load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end;" \
		"guest: QEMU TCG, 2 vCPUs"
	echo "medians of $build_reps builds, of $boots boots x $BENCH_REPS rounds in the guest ($BENCH_MS ms per" \
		"throughput figure; printing: fastest of $BENCH_LOOPS batches of $BENCH_LINES lines per load)" \
		"and of $run_reps make runs; ± is half the interquartile range over the median"
	echo
	row "what" "Rust" "C" "Rust/C" "target" "met?"
	timing_row "build: first build (+ core, alloc)" first "<=" 30 "<= 30 s"
	timing_row "build: make clean && make" clean "<=" 3 "<= 3 s"
	timing_row "build: ... and the crates recompiled" crates
	timing_row "build: rebuild after touching a source" rebuild "<=" 1.3 "<= 1.3 s"
	timing_row "build: no-op make" noop "<=" 0.3 "<= 0.3 s"
	size_row "size: hello .ko file" "$rh_file" "$ch_file"
	size_row "size: hello text" "$rh_text" "$ch_text" "<=" 2 "<= 2x" 1.5
	size_row "size: hello data" "$rh_data" "$ch_data"
	size_row "size: hello bss" "$rh_bss" "$ch_bss"
	size_row "size: hello code (.text sections)" "$rh_code" "$ch_code"
	size_row "size: chardev .ko file" "$rc_file" "$cc_file"
	size_row "size: chardev text" "$rc_text" "$cc_text" "<=" 2 "<= 2x"
	size_row "size: chardev data" "$rc_data" "$cc_data"
	size_row "size: chardev bss" "$rc_bss" "$cc_bss"
	size_row "size: chardev code (.text sections)" "$rc_code" "$cc_code"
	for op in read write; do
		for size in 64 4096 65536; do
			speed_row "chardev: $op() of $size B" "tp.$op.$size" "%.1f MB/s" ">=" 0.98 ">= 0.98x"
		done
	done
	for op in read write; do
		speed_row "chardev: $op() of 64 B, layered C" "tp.$op.64" "%.1f MB/s" "" "" "" layered
	done
	speed_row "printing: pr_info \"value %d of %s\"" print.formatted "%.0f ns" "<=" 1.0 "<= 1.0x"
	speed_row "printing: pr_info, no arguments" print.plain "%.0f ns" "<=" 1.0 "<= 1.0x"
	timing_row "make run (build, boot, insmod, rmmod)" run
	echo
	echo "C baseline of chardev: examples/chardev/test.sh $c_test_result (last boot)"
} | tee "$table"
