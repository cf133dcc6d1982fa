#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make run`: build the module for a Debian kernel, boot that kernel in QEMU,
# load the module, show its log, unload it, power off.
#
#   scripts/run.sh [6.1|6.12] [EXAMPLE]
#
# With an example name, runs that example's guest script (examples/<name>/test.sh,
# which drives the module from user space) and shows its checks and the
# module's kernel log.
#
# Exits non-zero if a check, the load or the unload fails, or if the kernel logs
# an oops, BUG or WARNING, or is tainted beyond out-of-tree/unsigned.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

series=${1:-6.1}
example=${2:-}
"$top/scripts/setup.sh"
kdir=$(kernel_dir "$series")
build=$(build_dir "$series")
if [[ -n $example ]]; then
	module=rust_$example
	build_for "$series" "$kdir" EXAMPLE="$example"
	programs=$(build_test_programs "$example")
	guest=("$top/examples/$example/test.sh" "$top/tests/guest/lib.sh" "$build/$module.ko" $programs)
else
	module=$(sed -n 's/^MODULE *:= *//p' "$top/Makefile")
	export VM_GUEST_ENV="MODULE=$module"
	build_for "$series" "$kdir"
	guest=("$top/tests/guest/run.sh" "$build/$module.ko")
fi
echo "  QEMU    Debian $(cat "$kdir/version") ($(basename "$(readlink "$kdir/vmlinuz")"))"
vmout=$build/vm-run
"$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" "${guest[@]}"

log=$vmout/guest.log
awk '/^@@ / { exit } { print }' "$log"
status=0
grep -qE 'failed with status|^FAIL ' "$log" && status=1
if [[ -n $example ]]; then
	echo "The module's kernel log:"
	grep -E "^\[ *[0-9.]+\] $module: " "$vmout/console.log" | sed 's/^/  /' || true
	grep -qx '@@ tests-complete' "$log" || { echo "run: the guest script stopped early" >&2; status=1; }
fi
problems=$(grep -E "$bad_kernel_messages" "$vmout/console.log" || true)
if [[ -n $problems ]]; then
	echo "run: the kernel reported problems (full console log: $vmout/console.log):" >&2
	echo "$problems" >&2
	status=1
fi
tainted=$(section tainted "$log")
if ! taint_ok "$tainted"; then
	echo "run: kernel taint is '$tainted', more than out-of-tree/unsigned modules" >&2
	status=1
fi
exit $status
