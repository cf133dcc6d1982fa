#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make debug`: gdb on the module, running in a Debian kernel under QEMU.
#
#   scripts/debug.sh [5.10|6.1|6.12] [EXAMPLE]
#
# Builds the template module, or the example, with DWARF for its Rust code
# (make DEBUGINFO=1, into build/debuginfo-<series>/), boots the kernel with
# QEMU's gdb stub on a free local port and with nokaslr, loads the module
# (scripts/debug-guest.sh), waits for the guest to print where the kernel put
# the module's sections (/sys/module/<name>/sections/), and starts gdb,
# attached to the stub, with the module's symbols at those addresses. gdb's
# prompt comes up with the VM stopped: set breakpoints, then `continue`.
# When gdb quits, the VM is stopped.
#
# TRIGGER='<shell command>' runs in the guest every TRIGGER_PERIOD seconds
# (default 2), from the module's load until the VM stops: the way to make
# the module's code run while gdb waits at a breakpoint (e.g. TRIGGER='cat
# /dev/rust_chardev'). The example's test programs are in the guest's /.
# Its output goes to the guest log, build/debuginfo-<series>/vm-debug/guest.log.
#
# GDB_BATCH=<file> runs `gdb -batch` with the commands in <file> instead of
# the prompt (make test's debugger checks). Once gdb has ended, the script
# waits for the guest to finish one more round of the trigger, prints that
# round's "@@ trigger N tainted=T" line (the guest ran on after gdb), and
# exits non-zero if it never came or gdb failed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
cd "$top"

series=${1:-6.1}
example=${2:-}
trigger=${TRIGGER:-}
batch=${GDB_BATCH:-}
"$top/scripts/setup.sh"
kdir=$(kernel_dir "$series")
export BUILD_VARIANT=debuginfo
build=$(build_dir "$series")
build_to_boot "$series" "$kdir" "$example" DEBUGINFO=1
ko=$build/$module.ko

# A local port nothing listens on, for QEMU's gdb stub.
port=
for _ in $(seq 50); do
	candidate=$((20000 + RANDOM % 20000))
	if [[ -z $(ss -Hltn "sport = :$candidate") ]]; then
		port=$candidate
		break
	fi
done
[[ -n $port ]] || { echo "debug: no free local port for the gdb stub" >&2; exit 1; }

vmout=$build/vm-debug
# (Not a word from the last run's logs or QEMU's pid file may be read for this one's.)
rm -rf "$vmout"
mkdir -p "$build"
# The kernel's functions, from the guest's /proc/kallsyms (the vmlinux with
# debug info is in Debian's huge -dbg package, and the System.map of its
# image package is a stub), sorted by address: read on the first run for
# each kernel (nokaslr keeps the addresses from one boot to the next).
kallsyms=$build/kallsyms-$(cat "$kdir/version")
read_kallsyms=
[[ -s $kallsyms ]] || read_kallsyms=1
printf '%s\n' "$trigger" >"$build/trigger.sh"
# gdb and the assembler for the guest's architecture: for arm64 on another
# machine, gdb-multiarch (Debian's gdb knows only the host's) and the cross
# assembler.
gdb=gdb as=as
if [[ ${ARCH:-} == arm64 && $(uname -m) != aarch64 ]]; then
	gdb=gdb-multiarch as=aarch64-linux-gnu-as
fi
# arm64: a CPU without pointer authentication. With it, the kernel signs the
# return addresses it saves (pac-ret), and QEMU 7.2's gdb stub does not tell
# gdb so, which then cannot strip the signatures: a backtrace stops at the
# first caller. The kernel and the module run the same code without it (the
# signing instructions are no-ops then).
[[ ${ARCH:-} == arm64 && -z ${VM_CPU:-} ]] && export VM_CPU=max,pauth=off
echo "  QEMU    Debian $(cat "$kdir/version") ($(basename "$(readlink "$kdir/vmlinuz")")), gdb stub on 127.0.0.1:$port"
# An interactive session may last: QEMU's time-out is a day then. (In a
# session of its own, so that the ^C that interrupts gdb does not stop QEMU.)
# shellcheck disable=SC2086 # one program path per word
VM_TIMEOUT=$([[ -n $batch ]] && echo 300 || echo 86400) \
	VM_CMDLINE="${VM_CMDLINE:-} nokaslr" \
	VM_QEMU_ARGS="${VM_QEMU_ARGS:-} -gdb tcp:127.0.0.1:$port -pidfile $vmout/qemu.pid" \
	VM_GUEST_ENV="MODULE=$module TRIGGER_PERIOD=${TRIGGER_PERIOD:-2} KALLSYMS=$read_kallsyms" \
	setsid "$top/scripts/vm.sh" "$kdir/vmlinuz" "$vmout" scripts/debug-guest.sh \
	"$ko" "$build/trigger.sh" $programs 2>"$vmout.log" &
vm=$!

# stop_vm: stops QEMU (through the pid it wrote) and waits for scripts/vm.sh.
stopped=
stop_vm() {
	[[ -z $stopped ]] || return 0
	stopped=1
	# (QEMU writes its pid as it starts, a moment after scripts/vm.sh starts it.)
	local waited=0
	while [[ ! -s $vmout/qemu.pid ]] && kill -0 "$vm" 2>/dev/null && ((waited++ < 20)); do
		sleep 0.5
	done
	[[ ! -s $vmout/qemu.pid ]] || kill "$(cat "$vmout/qemu.pid")" 2>/dev/null || true
	wait "$vm" 2>/dev/null || true
}
trap stop_vm EXIT
trap 'exit 1' HUP TERM

# guest_line PATTERN: the guest log's last line that starts with PATTERN.
guest_line() {
	{ grep -a "^$1" "$vmout/guest.log" 2>/dev/null || true; } | tr -d '\r' | tail -n 1
}

# The sections, once the guest has loaded the module (scripts/vm.sh boots a
# second time, by itself, if the first boot dies before the guest script).
echo "  WAIT    $module loads (guest log: $vmout/guest.log)"
waited=0
until sections=$(guest_line "@@ sections ") && [[ -n $sections ]]; do
	failed=$(guest_line "@@ insmod-failed")
	if [[ -n $failed ]]; then
		echo "debug: insmod $module.ko failed: ${failed#@@ insmod-failed }" >&2
		exit 1
	fi
	# (scripts/vm.sh has its own time-out, for each boot.)
	if ! kill -0 "$vm" 2>/dev/null; then
		echo "debug: the guest did not load $module (after $((waited / 2)) s); scripts/vm.sh said:" >&2
		cat "$vmout.log" >&2
		exit 1
	fi
	sleep 0.5
	waited=$((waited + 1))
done

if [[ -n $read_kallsyms ]]; then
	tr -d '\r' <"$vmout/guest.log" | awk '/^@@ kallsyms$/ { on = 1; next } /^@@ kallsyms-end$/ { exit } on' |
		sort -s -k1,1 >"$kallsyms.tmp" && mv "$kallsyms.tmp" "$kallsyms"
fi
# gdb's symbol file for them: an object whose one section, .kernel (empty:
# gdb reads the code from the guest), has a label at each function's offset
# from the first, to be loaded at the first one's address. A name that
# several static functions share is name~2, name~3... after the first.
kernel_symbols=$build/kernel-symbols.o
kernel_base=$(awk 'NR == 1 { print "0x" $1 }' "$kallsyms")
awk -v base="$kernel_base" '
	NR == 1 { print ".section .kernel,\"ax\",@nobits" }
	{
		name = ++seen[$3] == 1 ? $3 : $3 "~" seen[$3]
		printf ".org 0x%s - %s\n.type \"%s\", @function\n\"%s\":\n", $1, base, name, name
	}' "$kallsyms" | "$as" -o "$kernel_symbols" -

# add-symbol-file KO TEXT -s SECTION ADDRESS...: every allocated section of
# the .ko that the kernel kept (the .init ones are freed after init).
declare -A address
for word in ${sections#@@ sections }; do
	address[${word%%=*}]=${word#*=}
done
symbols="add-symbol-file $ko ${address[.text]}"
# (readelf -SW: "[Nr] Name Type Address Off Size ES Flg Lk Inf Al", Flg
# missing when empty; A is SHF_ALLOC.)
for section in $(readelf -SW "$ko" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk 'NF == 10 && $7 ~ /A/ { print $1 }'); do
	[[ $section == .text || -z ${address[$section]:-} ]] || symbols+=" -s $section ${address[$section]}"
done
# The Rust toolchain's gdb pretty-printers (what rust-gdb loads): Vec, Option,
# strings and the like print as their contents rather than their fields.
printers=$(rustc --print sysroot)/lib/rustlib/etc/gdb_load_rust_pretty_printers.py
symbols="add-symbol-file $kernel_symbols -s .kernel $kernel_base
$symbols"
setup=$build/gdb-setup
cat >"$setup" <<EOF
set confirm off
set pagination off
$([[ ! -f $printers ]] || echo "source $printers")
$symbols
target remote 127.0.0.1:$port
$([[ -n $batch ]] || echo "set pagination on")
EOF
echo "  GDB     $module.ko's symbols at .text=${address[.text]}..., the kernel's from /proc/kallsyms ($setup)"
status=0
if [[ -z $batch ]]; then
	echo "The VM is stopped: set breakpoints, then 'continue'; quitting gdb stops the VM."
	[[ -z $trigger ]] || echo "The guest runs '$trigger' every ${TRIGGER_PERIOD:-2} s."
	"$gdb" -q -x "$setup" || status=$?
else
	timeout 180 "$gdb" -q -batch -x "$setup" -x "$batch" </dev/null || status=$?
	# The guest runs on: one more round of the trigger after gdb let go.
	before=$(guest_line "@@ trigger ")
	waited=0
	while [[ $(guest_line "@@ trigger ") == "$before" ]] && ((waited < 120)); do
		sleep 0.5
		waited=$((waited + 1))
	done
	after=$(guest_line "@@ trigger ")
	if [[ $after == "$before" ]]; then
		echo "debug: the guest ran no round of the trigger after gdb ended" >&2
		status=1
	else
		echo "debug: the guest ran on: $after"
	fi
fi
stop_vm
exit $status
