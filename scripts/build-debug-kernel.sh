#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a debug kernel from Debian's own kernel source: the stock kernel's
# configuration with the kernel's memory and locking checkers switched on.
#
#   scripts/build-debug-kernel.sh 6.1      prints the debug kernel's cache directory
#                                          (6.1 is the series built and tested so far)
#
# Debian's kernels ship without these checkers (they cost memory and speed):
#   KASAN               every load and store of the kernel and the module's C is
#                       checked against shadow memory: use after free, out of bounds
#   KMEMLEAK            a tracing scan of memory finds allocations nothing points to
#   PROVE_LOCKING       lockdep: lock order, locks held in IRQ context, sleeping
#                       while holding a spinlock
#   DEBUG_ATOMIC_SLEEP  a sleeping call in atomic context is reported
#   FAILSLAB            any slab allocation can be made to fail (fail-nth)
#   DEBUG_OBJECTS_*     timers and work items freed while still active
#
# The directory it makes has the layout of scripts/fetch-kernel.sh's, so the
# test scripts take "6.1-debug" wherever they take "6.1":
#   vmlinuz   the debug kernel, kdir  its build tree (a KDIR), version, build.log
#
# To keep the build to tens of minutes on a small machine, Debian's modules
# (=m) are left out (the test VM loads none from disk; evdev, which an example
# needs, is built in) and so is debug info.
# The first call downloads the source (~140 MB) and builds; later calls reuse
# the result. REBUILD=1 builds again.
set -euo pipefail

series=${1:?usage: $0 6.1|6.12}
top=$(cd "$(dirname "$0")/.." && pwd)
stock=$("$top/scripts/fetch-kernel.sh" "$series")
dir=$(dirname "$stock")/debian-$series-debug
if [[ -e $dir/ready && -z ${REBUILD:-} ]]; then
	echo "$dir"
	exit 0
fi

for tool in gcc make bc bison flex openssl perl xz; do
	command -v $tool >/dev/null ||
		{ echo "build-debug-kernel: '$tool' not found (run make setup)" >&2; exit 1; }
done
for header in openssl/opensslv.h gelf.h; do
	[[ -e /usr/include/$header ]] ||
		{ echo "build-debug-kernel: <$header> not found (run make setup: libssl-dev, libelf-dev)" >&2; exit 1; }
done

tarball=$("$top/scripts/fetch-kernel.sh" --source "$series")
version=$(cat "$stock/version")
rm -rf "$dir"
mkdir -p "$dir"
src=$dir/source
out=$dir/build
echo "  UNPACK  linux-source-$series $version" >&2
mkdir -p "$src" "$out"
tar -xJf "$tarball" -C "$src" --strip-components=1

# The stock configuration, without modules and debug info (evdev built in).
"$top/scripts/debian-config.sh" "$stock" "$src" "$out" -debug
config=("$src/scripts/config" --file "$out/.config")
# The checkers. kmemleak scans only when asked (the tests scan after unloading).
wanted=(KASAN KASAN_GENERIC KASAN_OUTLINE KASAN_VMALLOC
	DEBUG_KMEMLEAK
	PROVE_LOCKING DEBUG_ATOMIC_SLEEP
	FAULT_INJECTION FAILSLAB FAULT_INJECTION_DEBUG_FS
	DEBUG_OBJECTS DEBUG_OBJECTS_TIMERS DEBUG_OBJECTS_WORK DEBUG_OBJECTS_FREE)
for option in "${wanted[@]}"; do
	"${config[@]}" --enable "$option"
done
"${config[@]}" --disable DEBUG_KMEMLEAK_DEFAULT_OFF --disable DEBUG_KMEMLEAK_AUTO_SCAN \
	--set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 16000
echo "  CONFIG  $out/.config (Debian's, modules and debug info off, checkers on)" >&2
make -C "$src" O="$out" olddefconfig >"$dir/build.log" 2>&1
for option in "${wanted[@]}"; do
	grep -qx "CONFIG_$option=y" "$out/.config" ||
		{ echo "build-debug-kernel: CONFIG_$option did not stay on (see $out/.config)" >&2; exit 1; }
done

# bzImage for the VM; modules (there are none) for Module.symvers, which
# out-of-tree builds need; modules_prepare for the rest of a KDIR.
echo "  MAKE    bzImage (-j$(nproc), see $dir/build.log)" >&2
start=$(date +%s)
if ! make -C "$src" O="$out" -j"$(nproc)" bzImage modules modules_prepare >>"$dir/build.log" 2>&1; then
	tail -n 30 "$dir/build.log" >&2
	echo "build-debug-kernel: the kernel build failed (whole log: $dir/build.log)" >&2
	exit 1
fi
seconds=$(($(date +%s) - start))
echo "$seconds" >"$dir/build-seconds"
echo "  BUILT   in $((seconds / 60)) min $((seconds % 60)) s on $(nproc) CPUs" >&2

ln -sfn "$out" "$dir/kdir"
ln -sfn "$out/arch/x86/boot/bzImage" "$dir/vmlinuz"
echo "$version (debug)" >"$dir/version"
touch "$dir/ready"
echo "$dir"
