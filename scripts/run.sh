#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make run`: build the module for a Debian kernel, boot that kernel in QEMU,
# load the module, show its log, unload it, run its checks, power off.
#
#   scripts/run.sh [5.10|6.1|6.12|trixie|sid...] [EXAMPLE]   (the series: docs/kernels.md)
#
# Without an example: the template module, through tests/guest/module.sh (load
# it, show its log and parameters, unload it, load and unload it again) and
# then its own checks (tests/module/test.sh). With an example name: that
# example's guest script (examples/<name>/test.sh, which drives the module
# from user space), its checks and the module's kernel log.
#
# Exits non-zero, saying why, if a check or a command the guest runs (insmod,
# rmmod) fails, if the guest script stops early, or if the kernel logs an
# oops, BUG or WARNING, or is tainted beyond out-of-tree/unsigned.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
cd "$top"

series=${1:-6.1}
example=${2:-}
"$top/scripts/setup.sh"
kdir=$(kernel_dir "$series")
build=$(build_dir "$series")
build_to_boot "$series" "$kdir" "$example"
if [[ -n $example ]]; then
	guest=("examples/$example/test.sh")
else
	guest=(tests/guest/module.sh)
	[[ -f $own_tests/test.sh ]] && guest+=("$own_tests/test.sh")
fi
echo "  QEMU    Debian $(cat "$kdir/version") ($(basename "$(readlink "$kdir/vmlinuz")"))"
vmout=$build/vm-run
# shellcheck disable=SC2086 # one program path per word
VM_GUEST_ENV="MODULE=$module" "$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" "${guest[@]}" \
	tests/guest/lib.sh "$build/$module.ko" $programs

log=$vmout/guest.log
awk '/^@@ / { exit } { print }' "$log"
if [[ -n $example ]]; then
	echo "The module's kernel log:"
	grep -E "^\[ *[0-9.]+\] $module: " "$vmout/console.log" | sed 's/^/  /' || true
fi
status=0
failures=$(awk '/^@@ / { exit } /^FAIL / { print "  " substr($0, 6) }' "$log")
if [[ -n $failures ]]; then
	echo "run: these checks failed:" >&2
	echo "$failures" >&2
	status=1
fi
if [[ -z $example && ! -f $own_tests/test.sh ]]; then
	echo "run: the module's own checks, $own_tests/test.sh, are missing" >&2
	status=1
fi
grep -qx '@@ tests-complete' "$log" || { echo "run: the guest script stopped early" >&2; status=1; }
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
