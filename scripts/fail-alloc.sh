#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Allocation failure, part of `make stress`: every module (the template's and
# the examples) is built with `make FAIL_ALLOC=1` and loaded in a Debian
# kernel with each allocation of its init failing in turn, then the user paths
# that allocate are made to fail (tests/fault/guest.sh). Each must fail with
# ENOMEM, leave nothing loaded and leak nothing, and the kernel must log no
# oops, BUG or WARNING.
#
#   scripts/fail-alloc.sh [series...]      default: 5.10 6.1 6.12
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
cd "$top"
export BUILD_VARIANT=fail

module=$(template_module)
examples=$(tested_examples)
# The examples' emulated devices (examples/<name>/qemu-args) in every boot.
export VM_QEMU_ARGS="${VM_QEMU_ARGS:-} $(examples_qemu_args)"

for series in "${@:-5.10 6.1 6.12}"; do
	echo "allocation failure, Debian $series:"
	kdir=$(kernel_dir "$series") || { check "$series: fetch the kernel" false; continue; }
	build=$(build_dir "$series")
	modules=("$build/$module.ko")
	out=$(build_for "$series" "$kdir" FAIL_ALLOC=1 2>&1)
	status=$?
	check "$series: make FAIL_ALLOC=1 builds $module.ko" eval '[[ $status == 0 ]] || { tail -n 5 <<<"$out" >&2; false; }'
	for name in $examples; do
		out=$(build_for "$series" "$kdir" FAIL_ALLOC=1 EXAMPLE="$name" 2>&1)
		status=$?
		check "$series: make FAIL_ALLOC=1 EXAMPLE=$name builds" eval '[[ $status == 0 ]] || { tail -n 5 <<<"$out" >&2; false; }'
		modules+=("$build/rust_$name.ko")
	done

	vmout=$build/vm-fail-alloc
	"$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" tests/fault/guest.sh tests/guest/lib.sh "${modules[@]}"
	boot_checks "$series: " "$vmout"
done
checks_summary
