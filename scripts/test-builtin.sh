#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make test-builtin: the template module built into Debian's kernel from source
# (make builtin) and that kernel booted.
#
#   scripts/test-builtin.sh [6.1]
#
# Debian's source of the same version as the stock image (fetch-kernel.sh
# --source), configured as the stock kernel without modules and debug info
# (debian-config.sh), in ~/.cache/rust-kmod/debian-<series>-builtin; make
# builtin puts the module in as drivers/misc/<module>/ and builds bzImage
# (about 15 minutes on 2 CPUs the first time; later runs rebuild what
# changed); one boot with <module>.count=2 on the command line checks that
# init ran at boot (tests/builtin/guest.sh). Outside make test: the kernel
# build is too long for it. docs/build.md has the figures of a run.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
cd "$top"
series=${1:-6.1}
module=$(template_module)
"$top/scripts/setup.sh" kernel-build || exit 1

stock=$(kernel_dir "$series") || { echo "test-builtin: cannot fetch Debian $series" >&2; exit 1; }
tarball=$("$top/scripts/fetch-kernel.sh" --source "$series") || exit 1
dir=$(dirname "$stock")/debian-$series-builtin
src=$dir/source
out=$dir/build
if [[ ! -f $src/Makefile || -n ${REFRESH:-} ]]; then
	rm -rf "$dir"
	mkdir -p "$src"
	echo "  UNPACK  $(basename "$tarball")" >&2
	tar -xJf "$tarball" -C "$src" --strip-components=1
	"$top/scripts/debian-config.sh" "$stock" "$src" "$out" -builtin
fi

echo "Debian $series: $module built into the kernel (make builtin)"
start=$(date +%s)
out_log=$("$top/scripts/builtin.sh" "$src" "$out" 2>&1)
status=$?
echo "$out_log" | sed 's/^/    /'
check "$series builtin: make builtin builds the kernel with $module in it" [ "$status" = 0 ]
((status == 0)) || { checks_summary; exit 1; }
# (Debian's own source has a warning or two of its own; the module's code must
# have none: its files, and objtool's or modpost's words about Rust symbols.)
check "$series builtin: ... without a warning about the module's code (compiler, objtool, modpost)" \
	lacks "$(grep -iE 'warning|error' "$out/builtin.log" | grep -E "drivers/misc/$module|_R[A-Za-z0-9]+|rust_")" '.'
check "$series builtin: CONFIG_RUST_KMOD_${module^^}=y in its .config" \
	has "$(cat "$out/.config")" "^CONFIG_RUST_KMOD_${module^^}=y$"
check "$series builtin: $module's init is in vmlinux" has "$(nm "$out/vmlinux")" ' [Tt] rust_module_init$'

vmout=$dir/vm
VM_CMDLINE="$module.count=2" VM_GUEST_ENV="MODULE=$module" \
	"$top/scripts/vm.sh" "$out/arch/x86/boot/bzImage" "$vmout" tests/builtin/guest.sh tests/guest/lib.sh
boot_checks "$series builtin: " "$vmout"
check "$series builtin: init ran at boot, without insmod, with count=2 from the kernel command line" same "\
$module: Hello from Rust! Keeping 2 greetings.
$module: core::fmt works here:  right|left  |0xbeef|-42
$module: a literal percent sign: 100%
$module: greeting #1 of 2 ready
$module: greeting #2 of 2 ready" "$(sed -n "s/^\[ *[0-9]*\.[0-9]*\] \($module: .*\)/\1/p" "$vmout/console.log" | tr -d '\r')"
echo "  (the kernel build took $(cat "$out/builtin-seconds") s; the whole run $(($(date +%s) - start)) s)"
checks_summary
