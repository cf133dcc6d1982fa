# SPDX-License-Identifier: GPL-2.0
# The module's own checks, in a boot of their own (make test only): a Rust
# panic during init logs its message and location, oopses through BUG() and
# leaves the kernel running. The oops taints the kernel (D), so this script
# says it expects one: the host then leaves the taint and kernel log checks
# of this boot to the checks below.
. /lib.sh
expect_oops

out=$(insmod /"$MODULE".ko panic_on_init=1 2>&1)
status=$?
check "a panic does not let insmod complete" [ "$status" != 0 ]
log=$(dmesg -c -r | sed 's/\[ *[0-9]*\.[0-9]*\] //')
expect_match "a panic logs its message and src/lib.rs:line:column at KERN_EMERG" \
	"^<0>$MODULE: panicked at src/lib.rs:[0-9]+:[0-9]+: panic_on_init was set \(count = 3\)$" "$log"
expect_match "a panic oopses through BUG() in module.c" 'kernel BUG at .*module\.c:[0-9]+!' "$log"
# BUG() is an undefined instruction on x86 (ud2), a breakpoint on arm64 (brk #0x800).
case $(uname -m) in
aarch64) expect_match "the oops reports a BUG trap (BUG's brk #0x800)" 'Internal error: Oops - BUG' "$log" ;;
*) expect_match "the oops reports invalid opcode (BUG's ud2)" 'invalid opcode' "$log" ;;
esac
expect_match "the oops has a backtrace through the Rust init" 'rust_module_init' "$log"
tainted=$(cat /proc/sys/kernel/tainted)
check "the oops taints the kernel with D (got $tainted)" eval "[ \$(($tainted & 128)) != 0 ]"
# That the kernel kept running shows in the host's check that this script
# ran to its end.
finish
