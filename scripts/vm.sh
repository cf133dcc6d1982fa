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
# missing or unusable; QEMU_ACCEL=kvm opts in.
set -euo pipefail

vmlinuz=${1:?usage: $0 <vmlinuz> <workdir> <guest-script> [file...]}
work=${2:?}
script=${3:?}
shift 3

rm -rf "$work"
mkdir -p "$work/root"/{bin,dev,proc,sys,tmp}
root=$work/root
cp /bin/busybox "$root/bin/busybox"
cp "$script" "$root/guest.sh"
# Variables for the guest script, "NAME=value" words (e.g. VM_GUEST_ENV="MODULE=hello").
for assignment in ${VM_GUEST_ENV:-}; do
	echo "export $assignment"
done >"$root/guest.env"
for file in "$@"; do
	cp -r "$file" "$root/"
done

# /init: mount the basics, run the guest script with its output on the second
# serial port, then power off. A panic reboots, and -no-reboot ends QEMU.
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
cd /
. /guest.env
# A kernel with kmemleak (make test-debug's) reports, after the script, the
# objects allocated since it started that nothing points to any more (what
# boot left behind is older: each report gives the jiffies of its allocation).
leaks=/sys/kernel/debug/kmemleak
start=$(sed -n 's/^jiffies: //p' /proc/timer_list | head -n 1)
sh /guest.sh >/dev/ttyS1 2>&1
if [ -w $leaks ]; then
	# kmemleak reports only objects older than 5 s.
	sleep 6
	echo scan >$leaks
	echo "@@ kmemleak" >/dev/ttyS1
	awk -v start="$start" '
		/^unreferenced object/ { keep = 0; head = $0; next }
		head != "" && match($0, /jiffies [0-9]+/) {
			keep = substr($0, RSTART + 8, RLENGTH - 8) + 0 >= start + 0
			if (keep) print head
			head = ""
		}
		keep' $leaks >/dev/ttyS1
fi
echo "@@ guest-done" >/dev/ttyS1
sync
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio"

accel=${QEMU_ACCEL:-tcg}
cpu=max
[[ $accel == kvm ]] && cpu=host
status=0
timeout "${VM_TIMEOUT:-300}" qemu-system-x86_64 \
	-accel "$accel" -cpu "$cpu" -smp 2 -m 1024 \
	-kernel "$vmlinuz" -initrd "$work/initramfs.cpio" \
	-append "console=ttyS0 ignore_loglevel panic=-1 ${VM_CMDLINE:-}" \
	-display none -no-reboot -nodefaults \
	-serial "file:$work/console.log" -serial "file:$work/guest.log" \
	</dev/null >"$work/qemu.log" 2>&1 || status=$?
# Serial lines end in CR LF; keep plain LF for grep and awk.
sed -i 's/\r$//' "$work/guest.log" "$work/console.log"
if ((status == 124)); then
	echo "vm: QEMU timed out after ${VM_TIMEOUT:-300}s (see $work/console.log)" >&2
elif ((status != 0)); then
	echo "vm: QEMU failed with status $status:" >&2
	cat "$work/qemu.log" >&2
fi
exit $status
