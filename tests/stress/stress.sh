# SPDX-License-Identifier: GPL-2.0
# The guest half of `make stress` (scripts/stress.sh), in one boot:
#
#  1. With MODE=debug, that the memory-debugging boot options took effect.
#  2. Load/unload cycles of every module: $WARMUP cycles to settle, then
#     $CYCLES more between two slab measurements (after dropping the
#     caches). The host compares the figures; in a debug boot (exact slab
#     counts: no per-CPU slabs) this script also checks that no slab cache
#     grew with the cycles, and that no slab object allocated by a module's
#     code survives its unload. A C module that leaks on purpose shows that
#     the measurement sees a leak.
#  3. Eight processes hammer the chardev, procfs, sysfs and ioctl examples
#     for $HAMMER_SECONDS seconds; then each still works and unloads.
#  4. rmmod while files are open: refused for a device (EAGAIN), allowed
#     for /proc and /sys files, whose held descriptors then fail cleanly,
#     also after the module is loaded again.
#  5. Reads and writes of every size from 0 to past the buffer, and ioctl
#     sizes off by one.
#
# Variables (from the host, through /guest.env): MODULES (comma-separated
# module names), CYCLES, WARMUP, HAMMER_SECONDS, MODE (normal or debug).

# The boot log, before lib.sh clears the kernel's log buffer.
boot=$(dmesg)
. /lib.sh

cycles=${CYCLES:-500}
warmup=${WARMUP:-20}
seconds=${HAMMER_SECONDS:-15}
modules=$(echo "${MODULES:-}" | tr , ' ')
debug=0
[ "${MODE:-normal}" = debug ] && debug=1
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# indent: the input, indented, for the host to show under a failed check.
indent() { sed 's/^/    /'; }

# --- 1. The debug options ---------------------------------------------------------

if [ $debug = 1 ]; then
	cmdline=$(cat /proc/cmdline)
	for option in slub_debug=FZPU init_on_free=1 page_poison=1 preempt=full; do
		expect_match "the kernel command line has $option" "(^| )$option( |$)" "$cmdline"
	done
	# slub_debug=FZPU: F sanity checks, Z red zones, P poisoning, U the
	# allocating and freeing call sites, in every cache.
	total=0 debugged=0
	for cache in /sys/kernel/slab/*; do
		[ -L "$cache" ] && continue # an alias of a merged cache
		total=$((total + 1))
		[ "$(cat $cache/sanity_checks $cache/red_zone $cache/poison $cache/store_user)" = "1
1
1
1" ] && debugged=$((debugged + 1))
	done
	expect "slub_debug=FZPU: all $total slab caches have sanity_checks, red_zone, poison and store_user on" \
		"$total" "$debugged"
	# Slab poisoning and page poisoning fill freed memory with a pattern that
	# is checked at the next allocation; the kernel says that they replace
	# init_on_free's zeroing, which is therefore reported off.
	expect_match "init_on_free=1 is taken, and slab poisoning (P) takes its place for slab memory" \
		'mem auto-init: SLAB_POISON will take precedence over init_on_alloc/init_on_free' "$boot"
	case $(uname -r) in
	5.*)
		# 5.10 says nothing about page poisoning: check that the kernel
		# took the parameter as its own (it would otherwise hand it to
		# init as an environment variable, as it does with preempt=).
		check "page_poison=1 is a parameter 5.10 takes (it is not passed on to init)" \
			[ -z "${page_poison:-}" ]
		;;
	*)
		expect_match "page_poison=1 is on: the kernel says page poisoning replaces init_on_free" \
			'mem auto-init: CONFIG_PAGE_POISONING is on, will take precedence' "$boot"
		;;
	esac
	if [ -e /sys/kernel/debug/sched/preempt ]; then
		expect_match "preempt=full is on: the boot log says Dynamic Preempt: full" '^\[ *[0-9.]*\] Dynamic Preempt: full$' "$boot"
		expect_match "... and /sys/kernel/debug/sched/preempt shows (full)" '^none voluntary \(full\) ?$' \
			"$(cat /sys/kernel/debug/sched/preempt)"
	else
		# No PREEMPT_DYNAMIC (before 5.12): preempt= is no parameter of this
		# kernel, which hands it to init as an environment variable.
		expect "preempt=full is unknown to this kernel (no PREEMPT_DYNAMIC): it reaches init as an environment variable" \
			"full" "${preempt:-}"
	fi
fi

# --- 2. Load/unload cycles --------------------------------------------------------

# measure NAME: drops the page cache, dentries and inodes (twice, a second
# apart, so that RCU-freed objects are gone too), then saves /proc/slabinfo
# as "cache active-objects object-size" lines to /tmp/slab.NAME and prints
# Slab, SUnreclaim and VmallocUsed from /proc/meminfo, in kB.
measure() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
	echo 3 >/proc/sys/vm/drop_caches
	awk 'NR > 2 { print $1, $2, $4 }' /proc/slabinfo >/tmp/slab.$1
	awk '/^Slab:/ { s = $2 } /^SUnreclaim:/ { u = $2 } /^VmallocUsed:/ { v = $2 }
		END { print s, u, v }' /proc/meminfo
}

# grown BEFORE AFTER MIN: the caches whose active objects grew by MIN or
# more, as "cache +objects" words.
grown() {
	awk -v min="$3" 'FNR == NR { was[$1] = $2; next }
		$2 - was[$1] >= min { printf "%s +%d ", $1, $2 - was[$1] }' /tmp/slab.$1 /tmp/slab.$2
}

# changed BEFORE AFTER KB: the caches whose size changed by KB kB or more.
changed() {
	awk -v kb="$3" 'FNR == NR { was[$1] = $2; next }
		{ d = ($2 - was[$1]) * $3 / 1024 }
		d >= kb || d <= -kb { printf "%s %+d objects (%+d kB); ", $1, $2 - was[$1], d }' /tmp/slab.$1 /tmp/slab.$2
}

# from_unloaded_code: how many live slab objects have, in their allocation
# stack, an address that no symbol covers: code of a module that is gone.
# (6.1 on: /sys/kernel/debug/slab/*/alloc_traces, with store_user on. 5.10
# lists only the allocating function, in sysfs, cut at one page: not used.)
from_unloaded_code() {
	cat /sys/kernel/debug/slab/*/alloc_traces 2>/dev/null | awk '
		function done() { if (raw) total += count; raw = 0; count = 0 }
		/^ *[0-9]+ / { done(); count = $1; if ($2 ~ /^0x[0-9a-f]+$/) raw = 1; next }
		/^[ \t]+0x[0-9a-f]+$/ { raw = 1 }
		END { done(); print total + 0 }'
}

# cycle NAME LABEL [PARAMS]: WARMUP cycles, a measurement, CYCLES cycles,
# another measurement; prints "SLAB LABEL CYCLES MS before... after..." for
# the host, and in a debug boot checks the slab counts.
cycle() {
	/stress_cycle /$1.ko $1 $warmup ${3:-} >/dev/null
	before=$(measure before)
	out=$(/stress_cycle /$1.ko $1 $cycles ${3:-})
	status=$?
	after=$(measure after)
	ms=$(echo "$out" | sed -n 's/^cycles=[0-9]* ms=\([0-9]*\)$/\1/p')
	check "$2: $cycles load/unload cycles succeed (${ms:-?} ms, $((${ms:-0} / cycles)) ms a cycle)" [ $status = 0 ]
	[ $status = 0 ] || echo "$out" | indent
	echo "SLAB $2 $cycles ${ms:-0} $before $after"
	moved=$(changed before after 16)
	[ -n "$moved" ] && echo "INFO $2: caches that changed by 16 kB or more: $moved"
	if [ $debug = 1 ] && [ "$2" != leaky ]; then
		# With slab debugging every object is counted exactly: a leak of
		# one object a cycle would show as a cache grown by $cycles.
		expect "$2: no slab cache grew by $((cycles / 2)) objects or more in $cycles cycles" \
			"" "$(grown before after $((cycles / 2)))"
	fi
}

# A PCI device's first pci_enable_device() has ACPI route its interrupt link
# (the _SRS method), and the ACPI interpreter creates that method's mutex
# then and keeps it: two slab objects whose allocation stack runs through the
# probe of the driver that enabled it, counted below as left by an unloaded
# module. So each device without a driver (an example's emulated one,
# examples/*/qemu-args) is enabled once from sysfs first.
for d in /sys/bus/pci/devices/*; do
	[ -e "$d/driver" ] || { echo 1 >"$d/enable" && echo 0 >"$d/enable"; } 2>/dev/null
done

cycle stress_null baseline
for m in $modules; do
	cycle $m $m
done
if [ $debug = 1 ] && [ -d /sys/kernel/debug/slab ]; then
	expect "after the cycles, no live slab object was allocated by code of an unloaded module" \
		0 "$(from_unloaded_code)"
fi
# The check of the check: a module that leaks at every load.
if [ $debug = 1 ]; then
	cycle stress_null leaky leak_bytes=64
	leak=$(grown before after 1 | tr ' ' '\n' | grep -A1 '^kmalloc-64$' | sed -n 's/^+//p')
	check "a C module leaking 64 bytes a load is caught: kmalloc-64 grew by ${leak:-0} objects in $cycles cycles" \
		[ "${leak:-0}" -ge $((cycles - 5)) -a "${leak:-0}" -le $((cycles + 5)) ]
	if [ -d /sys/kernel/debug/slab ]; then
		expect "... and alloc_traces shows its $((warmup + cycles)) objects, allocated by its unloaded code" \
			$((warmup + cycles)) "$(from_unloaded_code)"
	fi
else
	# 512 bytes a load: 250 kB in 500 cycles, which must stand out of the
	# noise in SUnreclaim (the host checks that it does).
	cycle stress_null leaky leak_bytes=512
fi
kernel_log >/dev/null

# --- 3. Eight processes at once ----------------------------------------------------

for m in rust_chardev rust_procfs rust_sysfs rust_ioctl; do
	load $m
done
out=$(/stress_hammer $seconds 8 2>&1)
status=$?
echo "$out" | grep -v '^op ' | grep -v '^processes=' | indent
summary=$(echo "$out" | grep '^processes=')
echo "INFO hammer: $summary"
echo "$out" | sed -n 's/^op /INFO hammer: /p'
check "8 processes for $seconds s on the four modules: every call returned what the module documents ($summary)" \
	[ $status = 0 ]
idle=$(echo "$out" | grep '^op ' | grep ' calls=0 ')
expect "each of the $(echo "$out" | grep -c '^op ') kinds of call was made" "" "$idle"

# Each module still works: a known write and read back.
printf 'stress-ok' >/dev/rust_chardev
expect "after the hammer, /dev/rust_chardev returns what was just written at offset 0" "stress-ok" \
	"$(head -c 9 /dev/rust_chardev)"
echo 3 >/sys/module/rust_procfs/parameters/lines
expect "after the hammer, /proc/rust_procfs shows the table for lines=3" "# 3 lines: n and n squared
     1            1
     2            4
     3            9" "$(cat /proc/rust_procfs)"
echo 4242 >/sys/kernel/rust_sysfs/value
echo stressed >/sys/kernel/rust_sysfs/name
expect "after the hammer, the sysfs attributes store and show values" "4242 stressed 1.0" \
	"$(cat /sys/kernel/rust_sysfs/value) $(cat /sys/kernel/rust_sysfs/name) $(cat /sys/kernel/rust_sysfs/version)"
expect "after the hammer, the ioctl commands work: set 42, add 1, get 43" "set=0 add=43 get=43 " \
	"$(/ioctl_client set:42 add:1 get | tr '\n' ' ')"
for m in rust_chardev rust_procfs rust_sysfs rust_ioctl; do
	unload $m
done
expect "no kernel message from the modules but their own load and unload lines" "" \
	"$(kernel_log | grep -vE '^rust_(chardev|procfs|sysfs|ioctl): (/dev/rust_(chardev|ioctl) is ready|created|removing|unloading)')"

# --- 4. rmmod while a file is open --------------------------------------------------

# A device: the open file holds a reference on the module (fops.owner).
for m in rust_chardev rust_ioctl rust_sync; do
	load $m
	exec 3<>/dev/$m
	out=$(rmmod $m 2>&1)
	expect "rmmod $m while /dev/$m is open fails with EAGAIN" \
		"rmmod: can't unload module '$m': Resource temporarily unavailable" "$out"
	check "... and $m stays loaded" loaded $m
	if [ $m = rust_chardev ]; then
		printf held >&3
		expect "... and the open file still works: what it writes, a new open reads" "held" \
			"$(head -c 4 /dev/rust_chardev)"
	fi
	exec 3>&-
	check "rmmod $m succeeds once the file is closed" rmmod $m
done

# /proc and /sys files: removal waits for calls in progress, then the held
# descriptor fails without calling into the module, even once it is loaded
# again under the same name.
load rust_procfs
exec 3</proc/rust_procfs
expect "a held /proc/rust_procfs reads its first line" "# 1000 lines: n and n squared" "$(head -n 1 <&3)"
check "rmmod rust_procfs succeeds while /proc/rust_procfs is open" rmmod rust_procfs
expect_match "a read of the held /proc file after rmmod fails with EIO" 'Input/output error' \
	"$(dd bs=64 count=1 <&3 2>&1 >/dev/null)"
load rust_procfs
expect_match "with the module loaded again, the held descriptor still fails with EIO" 'Input/output error' \
	"$(dd bs=64 count=1 <&3 2>&1 >/dev/null)"
expect "... while a new open reads the new file" "# 1000 lines: n and n squared" "$(head -n 1 /proc/rust_procfs)"
exec 3<&-
unload rust_procfs

load rust_sysfs
exec 3<>/sys/kernel/rust_sysfs/value
check "rmmod rust_sysfs succeeds while value is open for reading and writing" rmmod rust_sysfs
expect_match "a read of the held sysfs file after rmmod fails with ENODEV" 'No such device' \
	"$(dd bs=64 count=1 <&3 2>&1 >/dev/null)"
expect_match "a write to it fails with ENODEV" 'No such device' "$(echo 5 2>&1 >&3)"
load rust_sysfs
expect_match "with the module loaded again, the held descriptor still fails with ENODEV" 'No such device' \
	"$(dd bs=64 count=1 <&3 2>&1 >/dev/null)"
expect "... while the new directory works" "0" "$(cat /sys/kernel/rust_sysfs/value)"
exec 3>&-
unload rust_sysfs

load rust_params
exec 3</sys/module/rust_params/parameters/delta
check "rmmod rust_params succeeds while a parameter file is open" rmmod rust_params
expect_match "a read of the held parameter file after rmmod fails with ENODEV" 'No such device' \
	"$(dd bs=64 count=1 <&3 2>&1 >/dev/null)"
exec 3<&-
kernel_log >/dev/null

# --- 5. Every size ------------------------------------------------------------------

# sizes AREA WHAT: runs stress_sizes AREA as one check.
sizes() {
	out=$(/stress_sizes $1)
	status=$?
	check "$2 ($(echo "$out" | tail -n 1))" [ $status = 0 ]
	[ $status = 0 ] || echo "$out" | indent
}

load rust_chardev
sizes chardev-zero "chardev: a zero-length write returns 0 and changes nothing, wherever it starts, as for a regular file"
sizes chardev "chardev: writes and reads of 0 to 4200 bytes at every offset return the exact counts and bytes"
unload rust_chardev
load rust_sysfs
sizes sysfs "sysfs: writes of 0 to 4097 bytes to value and name return the exact counts (4096 at most) and store or refuse"
unload rust_sysfs
load rust_ioctl
sizes ioctl "ioctl: each command with its size off by one, 0 or the largest, or another direction, fails with ENOTTY"
unload rust_ioctl
expect "the size tests logged nothing but load and unload lines" "" \
	"$(kernel_log | grep -vE '^rust_(chardev|sysfs|ioctl): (/dev/rust_(chardev|ioctl) is ready|created|removing|unloading)')"

finish
