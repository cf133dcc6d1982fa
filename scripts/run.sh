#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make run`: build the module for a Debian kernel, boot that kernel in QEMU,
# load the module, show its log, unload it, power off.
#
#   scripts/run.sh [6.1|6.12]
#
# Exits non-zero if the load or unload fails, or if the kernel logs an oops,
# BUG or WARNING, or is tainted beyond out-of-tree/unsigned.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

series=${1:-6.1}
"$top/scripts/setup.sh"
kdir=$(kernel_dir "$series")
build_for "$series" "$kdir"
build=$(build_dir "$series")
echo "  QEMU    Debian $(cat "$kdir/version") ($(basename "$(readlink "$kdir/vmlinuz")"))"
"$top/scripts/vm.sh" "$kdir/vmlinuz" "$build/vm" "$top/tests/guest/run.sh" "$build/hello.ko"

log=$build/vm/guest.log
awk '/^@@ / { exit } { print }' "$log"
status=0
grep -q 'failed with status' "$log" && status=1
problems=$(grep -E "$bad_kernel_messages" "$build/vm/console.log" || true)
if [[ -n $problems ]]; then
	echo "run: the kernel reported problems (full console log: $build/vm/console.log):" >&2
	echo "$problems" >&2
	status=1
fi
tainted=$(section tainted "$log")
if ! taint_ok "$tainted"; then
	echo "run: kernel taint is '$tainted', more than out-of-tree/unsigned modules" >&2
	status=1
fi
exit $status
