#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make stress`: shows that the modules cannot hurt the kernel, on real Debian
# kernels in QEMU (docs/reliability.md).
#
#   scripts/stress.sh [series...]        default: 5.10 6.1 6.12
#
# For each kernel it builds the template module, every example and a C
# baseline module (tests/stress/module/) into build/stress-<series>/, then
# boots five times:
#
#   stress        tests/stress/stress.sh: $STRESS_CYCLES (500) load/unload
#                 cycles of every module with the slab usage before and after,
#                 8 processes hammering four examples for $STRESS_SECONDS (15)
#                 seconds, rmmod with files open, reads and writes of every size
#   bad-input     tests/stress/bad-input.sh: the table of docs/reliability.md
#   debug-stress  tests/stress/stress.sh again ($STRESS_DEBUG_CYCLES, 100,
#                 cycles), booted with the options below that make the stock
#                 kernel check its memory: slab red zones, poisoning, sanity
#                 checks and allocation tracking, page poisoning, full
#                 preemption
#   debug-bad-input and debug-examples (every examples/<name>/test.sh) with
#                 the same options
#
# After every boot: the guest script ran to its end, no module is left
# loaded, the kernel's log has no oops, BUG, WARNING, lockdep or slab report,
# and the taint flags are only O and E. One line per check; the last line
# is "N passed, M failed", and the exit status is non-zero if anything failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
cd "$top"

# Builds and VM work directories of our own, build/stress-<series>, apart
# from make test's, which may be building at the same time.
export BUILD_VARIANT=stress

cycles=${STRESS_CYCLES:-500}
debug_cycles=${STRESS_DEBUG_CYCLES:-100}
seconds=${STRESS_SECONDS:-15}
debug_cmdline="slub_debug=FZPU init_on_free=1 page_poison=1 preempt=full"
# The template module's name (make rename changes it), and the examples.
module=$(template_module)
examples=$(tested_examples)
# The examples' emulated devices (examples/<name>/qemu-args) in every boot.
export VM_QEMU_ARGS="${VM_QEMU_ARGS:-} $(examples_qemu_args)"
modules=$module
for name in $examples; do
	modules+=",rust_$name"
done

# What a debug boot adds to the kernel's bad messages: SLUB's reports
# ("BUG kmalloc-64 (Not tainted): Poison overwritten"), page poisoning's,
# list debugging's, and a cache destroyed with objects in it.
stress_bad_messages="$bad_kernel_messages|BUG [^ ]+ \\((Not tainted|Tainted)|Poison overwritten|Redzone overwritten|Object padding overwritten|Freepointer corrupt|pagealloc: (memory corruption|single bit error)|list_(add|del) corruption|still has objects"

# The user-space programs, static, for the busybox guest: ours and the
# examples' (the examples' tests and the round trips use them).
programs=$top/build/stress-programs
build_programs() {
	local src
	mkdir -p "$programs"
	for src in tests/stress/*.c examples/*/*.c; do
		gcc -static -O2 -Wall -Wextra -Werror -o "$programs/$(basename "$src" .c)" "$src" || return 1
	done
}

# build_null SERIES KDIR: builds the C baseline module tests/stress/module/stress_null.c.
build_null() {
	local dir
	dir=$(build_dir "$1")/stress_null
	mkdir -p "$dir"
	ln -sf "$top/tests/stress/module/stress_null.c" "$dir/stress_null.c"
	echo 'obj-m := stress_null.o' >"$dir/Kbuild"
	# (with the kernel's own compiler, as build_for)
	kernel_make "$2" -C "$2/kdir" M="$dir" modules
}

# boot SERIES NAME SCRIPT ENV [FILES...]: boots the kernel (with $VM_CMDLINE)
# and runs SCRIPT with the variables ENV; turns the PASS and FAIL lines the
# guest prints into checks, and checks the run, the modules left, the taint
# and the log. Prints the guest's INFO lines. (Unlike lib.sh's guest_checks,
# it reads the whole log: examples.sh runs several scripts, each with its
# own "@@" sections.)
boot() {
	local series=$1 name=$2 script=$3 env=$4
	shift 4
	local kdir build vmout log start line current="" reported=0 status
	kdir=$(kernel_dir "$series")
	build=$(build_dir "$series")
	vmout=$build/vm-$name
	echo "Debian $series, $name${VM_CMDLINE:+ ($VM_CMDLINE)}:"
	start=$SECONDS
	VM_GUEST_ENV="$env" VM_TIMEOUT=${VM_TIMEOUT:-$((600 + 3 * cycles))} \
		"$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" "$script" tests/guest/lib.sh "$@"
	status=$?
	log=$vmout/guest.log
	while IFS= read -r line; do
		case $line in
		"@@ example "*) current="${line#@@ example }: " ;;
		"PASS "*) check "$series $name: $current${line#PASS }" true; reported=$((reported + 1)) ;;
		"FAIL "*) check "$series $name: $current${line#FAIL }" false; reported=$((reported + 1)) ;;
		"INFO "*) echo "        ${line#INFO }" ;;
		"    "*) echo "    $line" >&2 ;;
		esac
	done <"$log"
	check "$series $name: the VM ran the guest script to its end ($reported checks, $((SECONDS - start)) s)" \
		eval '[[ $status == 0 ]] && ((reported > 0)) && grep -qx "@@ tests-complete" "$log" && grep -qx "@@ guest-done" "$log"'
	check "$series $name: no module is left loaded" \
		lacks "$(section modules "$log")" "^(rust_|$module |stress_null )"
	local tainted
	tainted=$(section tainted "$log" | tail -n 1)
	check "$series $name: taint is only out-of-tree and unsigned (got '$tainted')" taint_ok "$tainted"
	check "$series $name: the kernel log has no oops, BUG, WARNING, lockdep or slab report" \
		lacks "$(cat "$vmout/console.log")" "$stress_bad_messages"
}

# slab_checks SERIES: the slab figures of the stress boot, checked against a
# threshold from the baseline (the C module that does nothing); written to
# build/stress-SERIES/slab.txt as well.
slab_checks() {
	local series=$1 log label n ms b_slab b_unrec b_vm a_slab a_unrec a_vm
	log=$(build_dir "$series")/vm-stress/guest.log
	local base limit report
	base=$(awk '$1 == "SLAB" && $2 == "baseline" { d = $9 - $6; print d < 0 ? -d : d }' "$log")
	if [[ -z $base ]]; then
		check "$series: the stress boot reported slab figures" false
		return
	fi
	# The noise: what the cycles of a module that allocates nothing do to
	# SUnreclaim. Growth up to twice that, and at least 128 kB, is noise
	# (any module's runs moved it by up to 60 kB, the baseline's too: a slab
	# that a CPU holds counts as used, however many of its objects are
	# free). A leak smaller than 256 bytes a cycle hides in it: the debug
	# boot's exact object counts are the test for those.
	limit=$((2 * base > 128 ? 2 * base : 128))
	report=$(build_dir "$series")/slab.txt
	printf '%-14s %6s %9s %19s %19s %19s\n' module cycles "ms/cycle" "Slab kB" "SUnreclaim kB" \
		"VmallocUsed kB" >"$report"
	while read -r _ label n ms b_slab b_unrec b_vm a_slab a_unrec a_vm; do
		printf '%-14s %6d %9d %8d -> %-8d %8d -> %-8d %8d -> %-8d\n' "$label" "$n" $((ms / n)) \
			"$b_slab" "$a_slab" "$b_unrec" "$a_unrec" "$b_vm" "$a_vm" >>"$report"
		local d_unrec=$((a_unrec - b_unrec)) d_slab=$((a_slab - b_slab)) d_vm=$((a_vm - b_vm))
		local figures
		figures="SUnreclaim $(printf %+d $d_unrec) kB, Slab $(printf %+d $d_slab) kB, VmallocUsed $(printf %+d $d_vm) kB"
		case $label in
		baseline) echo "        baseline (stress_null, $n cycles): $figures; the limit is $limit kB" ;;
		leaky)
			# The control leaks 512 B a cycle: it only shows something
			# when that adds up to well past the limit (500 cycles: 250 kB).
			if ((n * 512 / 1024 <= 3 * limit / 2)); then
				echo "        leak control not checked: $n cycles leak $((n * 512 / 1024)) kB, too close to the $limit kB limit ($figures)"
			else
				check "$series: the measurement sees a leak: stress_null leaking 512 B a load grows SUnreclaim by more than $limit kB ($figures)" \
					eval '((d_unrec > limit))'
			fi
			;;
		*)
			check "$series: $label: no slab or vmalloc growth beyond $limit kB after $n cycles ($figures)" \
				eval '((d_unrec <= limit && d_vm <= limit))'
			;;
		esac
	done < <(grep '^SLAB ' "$log")
	echo "        written to ${report#"$top"/}"
}

# stress_kernel SERIES: everything, for one Debian kernel.
stress_kernel() {
	local series=$1 kdir build out status name ko kos=() start=$SECONDS
	echo "Debian $series: build"
	if ! kdir=$(kernel_dir "$series"); then
		check "$series: fetch the Debian kernel and headers" false
		return
	fi
	build=$(build_dir "$series")
	mkdir -p "$build"
	for name in "" $examples; do
		ko=${name:+rust_$name}
		ko=${ko:-$module}
		out=$(build_for "$series" "$kdir" ${name:+EXAMPLE=$name} 2>&1)
		status=$?
		echo "$out" >"$build/build-$ko.log"
		check "$series: make ${name:+EXAMPLE=$name }builds $ko.ko without warnings" \
			eval '[[ $status == 0 ]] && lacks "$out" "[Ww]arning"'
		kos+=("$build/$ko.ko")
	done
	out=$(build_null "$series" "$kdir" 2>&1)
	status=$?
	check "$series: the C baseline module stress_null.ko builds without warnings" \
		eval '[[ $status == 0 ]] && lacks "$out" "[Ww]arning"'
	kos+=("$build/stress_null/stress_null.ko")

	local env="MODULES=$modules HAMMER_SECONDS=$seconds"
	local files=("${kos[@]}" "$programs"/*) kernel_modules
	# The kernel's own modules some examples' tests load (evdev for vinput).
	mapfile -t kernel_modules < <(for name in $examples; do example_kernel_modules "$series" "$name"; done | sort -u)
	files+=("${kernel_modules[@]}")
	boot "$series" stress tests/stress/stress.sh "$env CYCLES=$cycles WARMUP=20 MODE=normal" "${files[@]}"
	slab_checks "$series"
	boot "$series" bad-input tests/stress/bad-input.sh "" "${files[@]}"

	# The examples' own tests, for the debug boot: /example-tests/<name>.sh.
	local tests=$build/example-tests
	rm -rf "$tests"
	mkdir -p "$tests"
	for name in $examples; do
		cp "examples/$name/test.sh" "$tests/$name.sh"
	done
	VM_CMDLINE="$debug_cmdline" boot "$series" debug-stress tests/stress/stress.sh \
		"$env CYCLES=$debug_cycles WARMUP=10 MODE=debug" "${files[@]}"
	VM_CMDLINE="$debug_cmdline" boot "$series" debug-bad-input tests/stress/bad-input.sh "" "${files[@]}"
	VM_CMDLINE="$debug_cmdline" boot "$series" debug-examples tests/stress/examples.sh "" "${files[@]}" "$tests"
	local log=$build/vm-debug-examples/guest.log
	check "$series debug-examples: every example's test ran to its end ($(grep -c '^@@ example ' "$log") started)" \
		eval '[[ $(grep -c "^@@ example " "$log") == $(wc -w <<<"$examples") ]] &&
			[[ $(grep -cx "@@ tests-complete" "$log") == $(wc -w <<<"$examples") ]]'
	echo "Debian $series: done in $((SECONDS - start)) s"
}

"$top/scripts/setup.sh" || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
build_programs
check "the test programs (tests/stress/*.c, examples/*/*.c) build without warnings" [ $? = 0 ]
for series in "${@:-5.10 6.1 6.12}"; do
	for s in $series; do
		stress_kernel "$s"
	done
done
checks_summary
