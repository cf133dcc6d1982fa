#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make builtin: build the module into a kernel built from source, as a driver
# of that tree, instead of as a loadable .ko.
#
#   scripts/builtin.sh <kernel source> <build directory> [example]
#
# <build directory> is where that kernel builds (its O=; the source directory
# itself when it builds in place) and holds its .config. The steps:
#   1. drivers/misc/<module>/ in the source: links to module.c and the C
#      helpers the Rust code uses, and the same Kbuild file (Makefile.in) as
#      an out-of-tree build gets, whose object line reads
#      obj-$(CONFIG_RUST_KMOD_<MODULE>) there; a Kconfig entry for that
#      symbol; drivers/misc/Kconfig and Makefile name the directory (once);
#   2. CONFIG_RUST_KMOD_<MODULE>=y in .config, then olddefconfig and prepare
#      (include/config/auto.conf, which the Rust flags are derived from);
#   3. make builtin-files: the Rust library built for that configuration,
#      as for a module;
#   4. the kernel: make ${BUILTIN_TARGETS:-bzImage} -j<CPUs>.
# Rebuilding after an edit is running it again. Built in, the module's init
# runs at boot (device_initcall), its exit never; its parameters are
# <module>.<name>=<value> on the kernel command line and appear under
# /sys/module/<module>/parameters as a module's do.
set -euo pipefail
ksrc=${1:?usage: make builtin KSRC=<kernel source> [KOBJ=<its build directory>] [EXAMPLE=<name>]}
kobj=${2:-$1}
example=${3:-}
top=$(cd "$(dirname "$0")/.." && pwd)
ksrc=$(cd "$ksrc" && pwd)
kobj=$(cd "$kobj" && pwd)

[[ -f $ksrc/Kconfig && -f $ksrc/drivers/misc/Kconfig && -f $ksrc/drivers/misc/Makefile ]] ||
	{ echo "make builtin: KSRC=$ksrc is not a kernel source tree (no Kconfig, drivers/misc/)" >&2; exit 1; }
[[ -f $kobj/.config ]] ||
	{ echo "make builtin: no .config in $kobj: configure the kernel first (make olddefconfig, or KOBJ=<its O= directory>)" >&2; exit 1; }

kmake=(make -C "$ksrc" -j"$(nproc)")
[[ $kobj == "$ksrc" ]] || kmake+=(O="$kobj")
makeargs=(-C "$top" --no-print-directory ${example:+EXAMPLE=$example})
module=$(make "${makeargs[@]}" -s print-module)
symbol=$(make "${makeargs[@]}" -s print-kconfig-symbol)
dir=$ksrc/drivers/misc/$module

# 1. The directory and the two lines that make it part of the tree.
mkdir -p "$dir"
grep -qx "source \"drivers/misc/$module/Kconfig\"" "$ksrc/drivers/misc/Kconfig" ||
	sed -i "0,/^endmenu/s||source \"drivers/misc/$module/Kconfig\"\n&|" "$ksrc/drivers/misc/Kconfig"
grep -qx "obj-\$(CONFIG_$symbol)	+= $module/" "$ksrc/drivers/misc/Makefile" ||
	printf 'obj-$(CONFIG_%s)\t+= %s/\n' "$symbol" "$module" >>"$ksrc/drivers/misc/Makefile"
printf '  %-7s %s\n' GEN "drivers/misc/$module/Kconfig"
# A Kconfig entry first, so that olddefconfig keeps the symbol.
[[ -f $dir/Kconfig ]] || printf 'config %s\n\ttristate "%s"\n' "$symbol" "$module" >"$dir/Kconfig"

# 2. Switch it on; the configuration the Rust flags come from.
"$ksrc/scripts/config" --file "$kobj/.config" --enable "$symbol"
printf '  %-7s %s\n' CONFIG "CONFIG_$symbol=y, olddefconfig, prepare"
"${kmake[@]}" olddefconfig prepare >"$kobj/builtin-prepare.log" 2>&1 ||
	{ tail -n 20 "$kobj/builtin-prepare.log" >&2; exit 1; }
grep -qx "CONFIG_$symbol=y" "$kobj/.config" ||
	{ echo "make builtin: CONFIG_$symbol did not stay on in $kobj/.config" >&2; exit 1; }

# 3. The Rust library for that kernel, the Kbuild file, the Kconfig entry.
make "${makeargs[@]}" builtin-files KDIR="$kobj" BUILTIN_DIR="$dir" BUILD="$top/build/builtin"

# 4. The kernel.
printf '  %-7s %s\n' MAKE "${BUILTIN_TARGETS:-bzImage} in $kobj (-j$(nproc); log: $kobj/builtin.log)"
start=$(date +%s)
# shellcheck disable=SC2086 # targets, one per word
if ! "${kmake[@]}" ${BUILTIN_TARGETS:-bzImage} >"$kobj/builtin.log" 2>&1; then
	grep -E 'error|Error' "$kobj/builtin.log" | tail -n 20 >&2
	echo "make builtin: the kernel build failed (whole log: $kobj/builtin.log)" >&2
	exit 1
fi
echo $(($(date +%s) - start)) >"$kobj/builtin-seconds"
# What the kernel's build said about the module's directory (warnings, objtool).
grep -E "drivers/misc/$module/|warning|WARNING" "$kobj/builtin.log" | grep -v '^  [A-Z]' >&2 || true
printf '  %-7s %s\n' BUILT "$module into $(cat "$kobj/include/config/kernel.release" 2>/dev/null || echo the kernel) in $(cat "$kobj/builtin-seconds") s"
