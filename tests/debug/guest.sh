# SPDX-License-Identifier: GPL-2.0
# Guest side of make test-debug's FAILSLAB tests (scripts/test-debug.sh): on
# the debug kernel, every slab allocation of loading each module, and of the
# examples' file operations, is made to fail in turn by /fail_nth
# (tests/debug/fail_nth.c). Unlike make stress's FAIL_ALLOC=1, which fails only
# the Rust allocator's requests, this reaches the kernel's own allocations on
# the module's behalf: the misc device, the proc entry, the kobject, the
# seq_file, the timer's work queue. Each run must succeed or fail with ENOMEM,
# a failed load must leave nothing behind, and the kernel must stay quiet
# (the host reads its log and the kmemleak scan after the script).
. /lib.sh

# Fail GFP_KERNEL allocations too (by default failslab spares those that
# may sleep), and do it silently: each injected failure would otherwise log
# a stack trace.
echo N >/sys/kernel/debug/failslab/ignore-gfp-wait
echo 0 >/sys/kernel/debug/failslab/verbose
# Thousands of loads: keep their KERN_INFO lines off the (slow, emulated)
# serial console. Warnings and worse (any oops, BUG, WARNING, KASAN or
# lockdep report) still go there for the host to find.
echo N >/sys/module/printk/parameters/ignore_loglevel
dmesg -n 5

# fail_each OP ARGS...: /fail_nth OP ARGS as one check, named by its summary.
fail_each() {
	_out=$(/fail_nth "$@")
	_status=$?
	printf '%s\n' "$_out" | grep '^    '
	check "$(printf '%s\n' "$_out" | tail -n 1)" [ $_status = 0 ]
}

for ko in /*.ko; do
	fail_each load "$ko"
	check "nothing of $(basename "$ko" .ko) is left loaded" eval "! loaded $(basename "$ko" .ko)"
done

# The examples' files, with each allocation of open, read, write and close failing.
insmod /rust_chardev.ko
fail_each write /dev/rust_chardev "hello"
fail_each read /dev/rust_chardev
rmmod rust_chardev

insmod /rust_ioctl.ko
fail_each open /dev/rust_ioctl
rmmod rust_ioctl

insmod /rust_sync.ko
fail_each write /dev/rust_sync 5
fail_each read /dev/rust_sync
rmmod rust_sync

insmod /rust_sysfs.ko
fail_each write /sys/kernel/rust_sysfs/name failslab
fail_each write /sys/kernel/rust_sysfs/value 42
fail_each read /sys/kernel/rust_sysfs/name
fail_each read /sys/kernel/rust_sysfs/version
rmmod rust_sysfs

for m in procfs params timer kthread; do
	insmod /rust_$m.ko
	fail_each read /proc/rust_$m
	rmmod rust_$m
done

check "no module is left loaded" eval "! grep -q '^rust_\|^$MODULE ' /proc/modules"
finish
