#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make test-debug`: the modules on a Debian kernel rebuilt with KASAN,
# kmemleak, lockdep, the atomic-sleep check and failslab
# (scripts/build-debug-kernel.sh; docs/reliability.md).
#
#   scripts/test-debug.sh [series]       default: 6.1
#
# 1. The controls: rust_canary commits each bug in Rust, and each checker
#    must report it (tests/debug/canary.sh).
# 2. The VM suite of make test (scripts/test.sh), the template module and
#    every example, on this kernel.
# 3. make stress's allocation failure (scripts/fail-alloc.sh).
# 4. Kernel allocation failure: every slab allocation made while loading each
#    module and using the examples' files fails in turn (tests/debug/guest.sh).
# Every boot's log must hold no oops, BUG, WARNING or lockdep report, and
# kmemleak's scan after the modules are unloaded must find nothing
# (scripts/vm.sh scans, lib.sh's kmemleak_checks reads it).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
cd "$top"

series=${1:-6.1}-debug
module=$(template_module)
export VM_GUEST_ENV="MODULE=$module"
# A KASAN and lockdep kernel under TCG is several times slower than the stock one.
export VM_TIMEOUT=${VM_TIMEOUT:-900}
# KASAN reports every bug, not only the first.
export VM_CMDLINE="kasan_multi_shot ${VM_CMDLINE:-}"
examples=$(tested_examples)

echo "Debian $series: the kernel"
if ! kdir=$(kernel_dir "$series"); then
	check "$series: build the debug kernel" false
	checks_summary
	exit
fi
echo "  $(cat "$kdir/version"), built in $(($(cat "$kdir/build-seconds") / 60)) min ($kdir)"
build=$(build_dir "$series")

# build_module [MAKE-ARGS...]: one check that the module builds without warnings.
build_module() {
	local out status
	out=$(build_for "$series" "$kdir" "$@" 2>&1)
	status=$?
	check "$series: make ${*:-(the template module)} builds, without warnings" \
		eval '[[ $status == 0 ]] && ! grep -q "[Ww]arning" <<<"$out" || { tail -n 10 <<<"$out" | sed "s/^/        /" >&2; false; }'
	[[ $status == 0 ]]
}

# --- 1. The checkers catch bugs in Rust ----------------------------------------

echo "Debian $series: the checkers see bugs in Rust code (rust_canary)"
if build_module EXAMPLE=canary; then
	check "$series: the Rust code is built with KASAN instrumentation (calls to __asan_*)" \
		eval 'nm -u "$build/rust_canary/rust_canary_rust.o" | grep -q " __asan_load"'
	vmout=$build/vm-canary
	"$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" tests/debug/canary.sh tests/guest/lib.sh "$build/rust_canary.ko"
	guest_checks "$series: canary: " "$vmout/guest.log"
fi

# --- 2, 3. make test's VM suite, make stress's allocation failure ----------------

# run_suite COMMAND...: runs another check script and adds its counts to ours.
run_suite() {
	local out counts
	# (Shown as it goes; tee >(...) rather than tee /dev/stderr, which would
	# reopen, and so truncate, a log file that stderr is redirected to.)
	out=$("$@" 2>&1 | tee >(cat >&2))
	counts=$(tail -n 1 <<<"$out")
	if [[ $counts =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
	else
		check "$* ran to its end" false
	fi
}
run_suite env ONLY_VM=1 scripts/test.sh "$series"
run_suite scripts/fail-alloc.sh "$series"

# --- 4. Every kernel allocation on the modules' behalf fails in turn ----------

echo "Debian $series: kernel allocation failure (failslab)"
modules=("$build/$module.ko")
build_module || modules=()
for name in $examples; do
	build_module EXAMPLE="$name" && modules+=("$build/rust_$name.ko")
done
gcc -static -O2 -Wall -Wextra -Werror -o "$build/fail_nth" tests/debug/fail_nth.c
check "$series: the fail_nth program builds" [ "$?" = 0 ]
vmout=$build/vm-failslab
# (About 300 failure points per module load in the last run, 0.2 s each.)
VM_TIMEOUT=$((VM_TIMEOUT * 3)) "$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" tests/debug/guest.sh \
	tests/guest/lib.sh "$build/fail_nth" "${modules[@]}"
# An allocation that fails without __GFP_NOWARN is reported by the kernel
# with a stack trace (warn_alloc: "vmalloc error: ...", "page allocation
# failure: ..."): here that is the injected failure doing what it should,
# not a bug. Those reports, made by fail_nth, are left out of the log check;
# anything else in it still fails.
awk '/ fail_nth: (vmalloc error|page allocation failure): / { skip = 1; n++ }
	!skip { print }
	skip && /<\/TASK>/ { skip = 0 }
	END { print n + 0 >"/dev/stderr" }' "$vmout/console.log" >"$vmout/console-checked.log" 2>"$vmout/alloc-reports"
echo "    the kernel reported $(cat "$vmout/alloc-reports") failed allocations of fail_nth's with a stack trace (warn_alloc); left out below"
boot_checks "$series: failslab: " "$vmout" "$vmout/console-checked.log"

checks_summary
