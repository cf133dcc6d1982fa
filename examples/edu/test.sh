# SPDX-License-Identifier: GPL-2.0
# rust_edu in the guest, booted with QEMU's edu device (examples/edu/qemu-args):
# binding, the device's registers through /dev/rust_edu's ioctls (/edu_ctl),
# factorials woken by the interrupt, a DMA round trip, the interrupt count in
# /proc/interrupts, unbind and rebind through sysfs, rmmod while in use, a
# factorial storm from several processes, and the INTx fallback (intx=1).
. /lib.sh

drv=/sys/bus/pci/drivers/rust_edu
ctl() { /edu_ctl "$@" | tr '\n' ' ' | sed 's/ $//'; }
# The edu device's address: the PCI function with vendor 0x1234, device 0x11e8.
dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] && dev=$(basename "$d")
done
# The interrupt controllers as /proc/interrupts names them: on the PC, the
# IO-APIC (INTx) and PCI-MSI; on arm64's virt machine
# (examples/edu/qemu-args-arm64), the GIC (INTx) and its MSI frame (GICv2m).
if [ "$(uname -m)" = aarch64 ]; then
	intx_chip=GIC msi_chip=MSI
else
	intx_chip=IO-APIC msi_chip=PCI-MSI
fi
# interrupts: the sum over CPUs of rust_edu's line in /proc/interrupts.
interrupts() {
	awk -v n="$(grep -c ^processor /proc/cpuinfo)" \
		'/ rust_edu$/ { for (i = 2; i <= n + 1; i++) s += $i; found = 1 } END { if (found) print s + 0 }' \
		/proc/interrupts
}
# hold OPS...: /edu_ctl hold OPS in the background, the device open until
# release; its output goes to /tmp/hold.out.
hold() {
	rm -f /tmp/hold.fifo && mkfifo /tmp/hold.fifo
	/edu_ctl hold "$@" </tmp/hold.fifo >/tmp/hold.out 2>&1 &
	hold_pid=$!
	exec 3>/tmp/hold.fifo
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		grep -q hold=open /tmp/hold.out && break
		sleep 1
	done
}
release() {
	exec 3>&-
	wait "$hold_pid"
}

check "QEMU's edu device (1234:11e8) is on the PCI bus" [ -n "$dev" ]

# Installed as depmod sees it, the module is found by the device's modalias,
# as udev finds it when the device appears.
mods=/lib/modules/$(uname -r)
mkdir -p "$mods/extra" && cp /rust_edu.ko "$mods/extra/" && depmod
expect "modinfo shows the ID table as an alias (MODULE_DEVICE_TABLE)" \
	"pci:v00001234d000011E8sv*sd*bc*sc*i*" "$(modinfo -F alias rust_edu)"
check "modprobe of the device's modalias ($(cat "/sys/bus/pci/devices/$dev/modalias")) loads rust_edu" \
	eval 'modprobe "$(cat /sys/bus/pci/devices/$dev/modalias)" && loaded rust_edu'
check "which binds the device" [ -e "$drv/$dev" ]
unload rust_edu
kernel_log >/dev/null

load rust_edu
check "the driver appears under /sys/bus/pci/drivers/rust_edu" [ -d $drv ]
check "it is bound to the edu device ($dev)" [ -e "$drv/$dev" ]
log=$(kernel_log | grep rust_edu | grep -v taint)
expect_match "probe checked the identification and liveness registers and got MSI" \
	"^rust_edu: $dev: edu version 1\.0, liveness ok, MSI, IRQ [0-9]+$" "$log"
check "/dev/rust_edu is a character device" [ -c /dev/rust_edu ]

expect "the identification register reads 0x010000ed (version 1.0)" "id=0x010000ed" "$(ctl id)"
expect "the liveness register returns the bitwise inverse of what was written" \
	"live=0xedcba987 live=0xffffffff live=0x00000000 live=0x5a5a5a5a" \
	"$(ctl live:0x12345678 live:0 live:0xffffffff live:0xa5a5a5a5)"
expect "no interrupt has come yet" "irqs=0" "$(ctl irqs)"
expect "the device computes factorials, 32 bits wrapping (13! = 6227020800 mod 2^32)" \
	"fact=1 fact=1 fact=120 fact=3628800 fact=479001600 fact=1932053504" \
	"$(ctl fact:0 fact:1 fact:5 fact:10 fact:12 fact:13)"
expect "each factorial took exactly one interrupt" "irqs=6" "$(ctl irqs)"
expect "/proc/interrupts counts the same 6 on rust_edu's line" "6" "$(interrupts)"
expect_match "rust_edu's line in /proc/interrupts is an MSI one" "$msi_chip.* rust_edu$" \
	"$(grep ' rust_edu$' /proc/interrupts)"

# DMA: write(2) goes RAM -> coherent buffer -> device, read(2) back again.
head -c 4095 /dev/urandom >/tmp/a
check "4095 random bytes written to the device by DMA" eval "dd if=/tmp/a of=/dev/rust_edu bs=4095 count=1 2>/dev/null"
dd if=/dev/rust_edu of=/tmp/b bs=4095 count=1 2>/dev/null
check "and read back by DMA, identical" cmp /tmp/a /tmp/b
printf hello | dd of=/dev/rust_edu bs=1 seek=100 conv=notrunc 2>/dev/null
expect "a write at offset 100 lands there in the device's buffer" "hello" \
	"$(dd if=/dev/rust_edu bs=1 skip=100 count=5 2>/dev/null)"
expect "the bytes around it are the ones written before" \
	"$(dd if=/tmp/a bs=1 skip=95 count=5 2>/dev/null | od -An -tx1)" \
	"$(dd if=/dev/rust_edu bs=1 skip=95 count=5 2>/dev/null | od -An -tx1)"
expect "a write at the end of the 4095 bytes fails with ENOSPC" "No space left on device" \
	"$(printf x | dd of=/dev/rust_edu bs=1 seek=4095 conv=notrunc 2>&1 | grep -o 'No space left on device')"
expect "a read at the end returns end of file" "0" \
	"$(dd if=/dev/rust_edu bs=1 skip=4095 count=1 2>/dev/null | wc -c)"
expect "one interrupt per DMA transfer: 6 factorials + 2 + 3 x 5 one-byte transfers = 23" \
	"irqs=23 23" "$(ctl irqs) $(interrupts)"

# A signal while the device copies: the read returns EINTR at once, and its
# buffer stays mapped until the transfer is over (the next one waits for it).
dd if=/tmp/a of=/dev/rust_edu bs=4095 count=1 2>/dev/null
expect "a read a signal interrupts while the device copies fails with EINTR" \
	"read-signal=EINTR" "$(ctl read-signal)"
check "the next read returns the device's data" eval 'dd if=/dev/rust_edu bs=4095 count=1 2>/dev/null | cmp /tmp/a -'

expect "a bad pointer fails with EFAULT" "fact=EFAULT" "$(ctl fact-bad)"
expect "an unknown command fails with ENOTTY" "unknown=ENOTTY" "$(ctl unknown)"

before=$(interrupts)
expect "a storm: 4 processes x 25 factorials, each result exact" "storm=ok" "$(ctl storm:4:25)"
expect "the storm took 100 interrupts" "100" "$(($(interrupts) - before))"

# rmmod while a file is open: refused (fops.owner); the device keeps working.
hold fact:7
check "rmmod while /dev/rust_edu is open fails" eval '! rmmod rust_edu 2>/dev/null'
check "and the module stays loaded" loaded rust_edu
release
expect "the file held open still works afterwards" "hold=open hold=closed fact=5040" \
	"$(tr '\n' ' ' </tmp/hold.out | sed 's/ $//')"

# Unbind and rebind through sysfs.
kernel_log >/dev/null
count=$(ctl irqs)
check "unbind through sysfs" eval "echo $dev >$drv/unbind"
check "the device is no longer bound" [ ! -e "$drv/$dev" ]
check "/dev/rust_edu is gone" [ ! -e /dev/rust_edu ]
expect "remove logged the interrupt count" "rust_edu: $dev: removed after ${count#irqs=} interrupts" \
	"$(kernel_log | grep rust_edu)"
expect "rust_edu's interrupt is freed (not in /proc/interrupts)" "" "$(interrupts)"
check "rebind through sysfs" eval "echo $dev >$drv/bind"
check "the device is bound again" [ -e "$drv/$dev" ]
expect "after the rebind: identification, liveness, factorial, a fresh count" \
	"id=0x010000ed live=0xfffffffe fact=40320 irqs=1" "$(ctl id live:1 fact:8 irqs)"

# Unbind with a file open: the file's calls fail with ENODEV, and closing it
# afterwards is safe (helpers/miscdev.c keeps the device's file_operations
# until the module unloads).
hold fact:3
check "unbind with /dev/rust_edu open" eval "echo $dev >$drv/unbind"
release
expect "the open file's factorial fails with ENODEV" "hold=open hold=closed fact=ENODEV" \
	"$(tr '\n' ' ' </tmp/hold.out | sed 's/ $//')"
check "rebind" eval "echo $dev >$drv/bind"
expect "and it works again" "fact=6" "$(ctl fact:3)"

kernel_log >/dev/null
unload rust_edu
check "the driver is gone from /sys/bus/pci/drivers" [ ! -e $drv ]
check "/dev/rust_edu is gone after rmmod" [ ! -e /dev/rust_edu ]
expect "rmmod removed the device, then the module" \
	"rust_edu: unloading|rust_edu: $dev: removed after 1 interrupts" \
	"$(kernel_log | grep rust_edu | tr '\n' '|' | sed 's/|$//')"

# The INTx fallback: the legacy interrupt pin, a shared line.
load rust_edu intx=1
expect_match "with intx=1 the driver uses INTx" "^rust_edu: $dev: edu version 1\.0, liveness ok, INTx, IRQ [0-9]+$" \
	"$(kernel_log | grep rust_edu)"
expect "factorials and DMA work on INTx too" "fact=120 irqs=1" "$(ctl fact:5 irqs)"
check "DMA round trip on INTx" eval 'dd if=/tmp/a of=/dev/rust_edu bs=4095 count=1 2>/dev/null &&
	dd if=/dev/rust_edu bs=4095 count=1 2>/dev/null | cmp /tmp/a -'
expect "/proc/interrupts counts 3 on an $intx_chip line" "3" "$(interrupts)"
expect_match "the line is not MSI" "$intx_chip.* rust_edu$" "$(grep ' rust_edu$' /proc/interrupts)"
unload rust_edu
load_unload_twice rust_edu
finish
