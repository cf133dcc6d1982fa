#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU with a tiny busybox initramfs and run a shell script in it.
#
#   scripts/vm.sh <vmlinuz> <workdir> <guest-script> [file...]
#
# The files (modules, test programs) are copied into the guest's /; a directory
# is copied with its contents (build/stage/lib becomes /lib). The guest
# script runs as root after /proc, /sys and /dev are mounted; its output goes
# to <workdir>/guest.log, the kernel console (every message, whatever its
# level: ignore_loglevel) to <workdir>/console.log. The VM
# powers off when the script ends. On a kernel with kmemleak, the guest log
# ends with a "@@ kmemleak" section: the leaks a scan found after the script.
# Needs no root: QEMU emulates the machine (TCG), so it works where KVM is
# missing or unusable; QEMU_ACCEL=kvm opts in. VM_QEMU_ARGS adds QEMU
# arguments (e.g. "-device edu" for an emulated PCI device).
# ARCH=arm64 boots an arm64 kernel (qemu-system-aarch64's virt machine, with
# Debian's static busybox for arm64, scripts/fetch-kernel.sh --busybox).
#
# A boot that dies before the guest script starts (a kernel panic, an oops or
# a time-out while the kernel boots, before any module can have been loaded)
# is the emulator's trouble, not the module's: on a starved host TCG guests
# die that way now and then (docs/testing.md). Such a boot is retried once;
# the retry is noted in <workdir>/retried and, when VM_RETRIES names a file,
# appended there as "<kernel>: <what the first boot died of>", so that the
# test scripts can report it apart from the checks. A boot is never retried
# once the guest script has started.
set -euo pipefail

vmlinuz=${1:?usage: $0 <vmlinuz> <workdir> <guest-script> [file...]}
work=${2:?}
script=${3:?}
shift 3

rm -rf "$work"
mkdir -p "$work/root"/{bin,dev,proc,sys,tmp}
root=$work/root
arch=${ARCH:-x86_64}
case $arch in
x86 | x86_64) busybox=/bin/busybox ;;
arm64) busybox=$("$(dirname "$0")/fetch-kernel.sh" --busybox) ;;
*) echo "vm: ARCH=$arch: only x86_64 and arm64 guests are booted here" >&2; exit 2 ;;
esac
cp "$busybox" "$root/bin/busybox"
cp "$script" "$root/guest.sh"
# Variables for the guest script, "NAME=value" words (e.g. VM_GUEST_ENV="MODULE=hello").
for assignment in ${VM_GUEST_ENV:-}; do
	echo "export $assignment"
done >"$root/guest.env"
for file in "$@"; do
	cp -r "$file" "$root/"
done

# The serial port the guest script's output goes to: the PC's second one; on
# arm64's virt machine, which has one UART (the console, ttyAMA0), a PCI serial
# port (8250, ttyS0; Debian's 5.10 and 6.1 build virtio-console as a module).
guest_tty=/dev/ttyS1
[[ $arch != arm64 ]] || guest_tty=/dev/ttyS0

# /init: mount the basics, run the guest script with its output on the guest
# log's serial port, then power off. A panic reboots, and -no-reboot ends QEMU.
{
echo '#!/bin/busybox sh'
echo "guest_tty=$guest_tty"
cat <<'INIT'
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
cd /
. /guest.env
# The line that tells scripts/vm.sh the kernel booted and the script starts.
echo "vm: guest script starts" >/dev/kmsg
# A kernel with kmemleak (make test-debug's) reports, after the script, the
# objects allocated since it started that nothing points to any more (what
# boot left behind is older: each report gives the jiffies of its allocation).
leaks=/sys/kernel/debug/kmemleak
start=$(sed -n 's/^jiffies: //p' /proc/timer_list | head -n 1)
sh /guest.sh >$guest_tty 2>&1
if [ -w $leaks ]; then
	# kmemleak reports only objects older than 5 s.
	sleep 6
	echo scan >$leaks
	echo "@@ kmemleak" >$guest_tty
	awk -v start="$start" '
		/^unreferenced object/ { keep = 0; head = $0; next }
		head != "" && match($0, /jiffies [0-9]+/) {
			keep = substr($0, RSTART + 8, RLENGTH - 8) + 0 >= start + 0
			if (keep) print head
			head = ""
		}
		keep' $leaks >$guest_tty
fi
echo "@@ guest-done" >$guest_tty
sync
poweroff -f
INIT
} >"$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio"

accel=${QEMU_ACCEL:-tcg}
# VM_CPU=<model[,options]>: QEMU's -cpu (default max; with KVM, host).
cpu=${VM_CPU:-max}
[[ $accel == kvm && -z ${VM_CPU:-} ]] && cpu=host
# thread=single: one host thread runs both virtual CPUs in turn. With a thread
# each (QEMU's default), a CPU can run a stale translation of kernel code that
# the other is patching (text_poke_bp's int3), and oops on an int3 that memory
# no longer holds (docs/testing.md). The guest still has two CPUs.
[[ $accel == tcg ]] && accel=tcg,thread=single
timeout=${VM_TIMEOUT:-300}
# no_timer_check: the kernel's check that the IO-APIC timer ticks (a short
# busy loop, check_timer()) fails when the host does not give the guest the
# CPU in time, and panics "IO-APIC + timer doesn't work!" (docs/testing.md).
cmdline="console=ttyS0 ignore_loglevel panic=-1 no_timer_check ${VM_CMDLINE:-}"
# The machine, for each architecture. arm64: QEMU's virt board, whose PCI bus
# takes the same -device arguments (edu, pci-serial) as the PC's; the CPU's
# pointer authentication with QEMU's own cheap algorithm (pauth-impdef): the
# architected one (QARMA) makes the TCG boot three times slower.
qemu=(qemu-system-x86_64 -accel "$accel" -cpu "$cpu")
guest_port=(-serial "file:$work/guest.log")
if [[ $arch == arm64 ]]; then
	[[ $cpu == max ]] && cpu=max,pauth-impdef=on
	qemu=(qemu-system-aarch64 -machine virt -accel "$accel" -cpu "$cpu")
	guest_port=(-chardev "file,id=guest,path=$work/guest.log" -device pci-serial,chardev=guest)
	cmdline="console=ttyAMA0 ignore_loglevel panic=-1 ${VM_CMDLINE:-}"
fi
started='vm: guest script starts'
bad_boot='Kernel panic|Oops|BUG:|general protection|int3|invalid opcode'

# boot: runs QEMU once; its exit status is QEMU's (124: timed out).
boot() {
	: >"$work/console.log"
	: >"$work/guest.log"
	timeout "$timeout" "${qemu[@]}" -smp 2 -m 1024 \
		-kernel "$vmlinuz" -initrd "$work/initramfs.cpio" \
		-append "$cmdline" \
		-display none -no-reboot -nodefaults \
		-serial "file:$work/console.log" "${guest_port[@]}" \
		${VM_QEMU_ARGS:-} </dev/null >"$work/qemu.log" 2>&1 & # (one argument per word)
	local qemu=$!
	# A kernel that oopses or panics before the script starts may hang
	# instead of rebooting: stop it then rather than at the time-out.
	while kill -0 $qemu 2>/dev/null; do
		sleep 1
		if ! grep -q "$started" "$work/console.log" && grep -qE "$bad_boot" "$work/console.log"; then
			sleep 2
			kill $qemu 2>/dev/null || true
		fi
	done
	local status=0
	wait $qemu || status=$?
	# Serial lines end in CR LF; keep plain LF for grep and awk.
	sed -i 's/\r$//' "$work/guest.log" "$work/console.log"
	return $status
}

# died_early: prints what the boot died of when it died, oopsed or hung before
# the guest script started (the kernel's first bad line, or the time-out);
# prints nothing when the script started on a kernel that was still well.
died_early() {
	local before line started_ok=0
	before=$(awk -v started="$started" 'index($0, started) { found = 1; exit } { print } END { exit !found }' \
		"$work/console.log") || started_ok=$?
	line=$(grep -E "$bad_boot" <<<"$before" | head -n 1 | sed -E 's/^\[ *[0-9.]+\] //')
	if [[ -n $line ]]; then
		echo "$line"
	elif ((started_ok != 0)); then
		echo "no guest script after ${timeout}s"
	fi
}

status=0
boot || status=$?
reason=$(died_early)
if [[ -n $reason ]]; then
	kernel=$(basename "$(dirname "$vmlinuz")")
	kernel=${kernel#debian-}
	echo "vm: the $kernel boot died before the guest script started ($reason); booting again" >&2
	mkdir -p "$work/first-boot"
	mv "$work"/{console,guest,qemu}.log "$work/first-boot/"
	echo "$reason" >"$work/retried"
	[[ -n ${VM_RETRIES:-} ]] && echo "$kernel: $reason" >>"$VM_RETRIES"
	status=0
	boot || status=$?
	reason=$(died_early)
	if [[ -n $reason ]]; then
		echo "vm: the $kernel boot died before the guest script started again ($reason)" >&2
	fi
fi
if ((status == 124)); then
	echo "vm: QEMU timed out after ${timeout}s (see $work/console.log)" >&2
elif ((status != 0)); then
	echo "vm: QEMU failed with status $status:" >&2
	cat "$work/qemu.log" >&2
fi
# A boot that died twice before its script fails, whatever QEMU's status.
[[ -z $reason ]] || ((status != 0)) || status=1
exit $status
