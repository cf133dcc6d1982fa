# SPDX-License-Identifier: GPL-2.0
# Guest side of the safety tests (tests/safety/checks.sh): rust_safety
# (tests/safety/safety/safety.rs) at the edges where Rust hands names, text
# and code to C and to the kernel. Every check here runs on a kernel that must
# stay clean; the host reads the checks before "@@ tests-complete". After
# them, rust_atomic (tests/safety/atomic/atomic.rs) sleeps in atomic context,
# which taints the kernel, and rust_safety panics, which oopses.
. /lib.sh

dir=/sys/module/rust_safety/parameters
long=LONG_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij

# --- Parameter names: every one module! accepts works end to end ------------------

load rust_safety MAX_DEVICES=5 N=-1 GREETING=hi x=10 get_x=20 $long=3 _leading=0
init_log=$(kernel_log)
expect "init reads each parameter by its exact name, upper case and 255 bytes included" \
	"rust_safety: params: N=-1 MAX_DEVICES=5 camelCase=7 _leading=false x9=9 x=10 get_x=20 GREETING=hi long=3" \
	"$(printf '%s\n' "$init_log" | grep '^rust_safety: params:')"
expect "sysfs has one file per parameter, named as in module!" \
	"GREETING $long MAX_DEVICES N _leading camelCase get_x panic_in_fmt x x9" "$(ls $dir | sort | tr '\n' ' ' | sed 's/ $//')"
echo 6 >$dir/MAX_DEVICES
expect "a write to /sys/.../parameters/MAX_DEVICES reads back" 6 "$(cat $dir/MAX_DEVICES)"
expect "the 255-byte parameter's sysfs file reads its value" 3 "$(cat $dir/$long)"
unload rust_safety

# --- Code that pulls in compiler_builtins ------------------------------------------

expect "u128 division and float math give the right results" \
	"rust_safety: u128::MAX / 3 = 113427455640312821154458202477256070485, 1.0 / 3.0 = 0.333333" \
	"$(printf '%s\n' "$init_log" | grep '^rust_safety: u128')"

# --- A 3 KB stack frame (a build warning) still runs -------------------------

load rust_frames
expect "a function with a 3 KB stack frame runs" "rust_frames: sum of a 3 KB frame: 391680" \
	"$(kernel_log | grep '^rust_frames:')"
unload rust_frames

# --- A NUL byte in a printed line ---------------------------------------------

expect "a line with a NUL byte reaches the log whole, the NUL shown as \\x00" \
	'rust_safety: name=ab\x00cd id=42' "$(printf '%s\n' "$init_log" | grep '^rust_safety: name=')"

# --- Lines lowered to printk formats ------------------------------------------
# The text is core::fmt's (the host tests print each line both ways); here
# the kernel's own vsnprintf prints it.

expect "lowered integers of every width print as core::fmt prints them" \
	'rust_safety: lowered integers: -128 255 -32768 65535 -2147483648 4294967295 -9223372036854775808 18446744073709551615 -9223372036854775808 18446744073709551615' \
	"$(printf '%s\n' "$init_log" | grep '^rust_safety: lowered integers:')"
expect "lowered hex and octal print as core::fmt prints them" \
	'rust_safety: lowered hex and octal: 80 FFFF 000000ff 20000000000 ffffffffffffffff FFFFFFFFFFFFFFFF 1000000000000000000000' \
	"$(printf '%s\n' "$init_log" | grep '^rust_safety: lowered hex')"
expect "lowered widths, zero padding, signs and alignment print as core::fmt prints them" \
	'rust_safety: lowered widths: [   42] [42   ] [-0042] [+7] [-00007] [+3    ] [a   ]' \
	"$(printf '%s\n' "$init_log" | grep '^rust_safety: lowered widths:')"
expect "lowered text, precision and char print as core::fmt prints them, % as it is" \
	'rust_safety: lowered text: größe grö [] 🦀 100% %d %s' \
	"$(printf '%s\n' "$init_log" | grep '^rust_safety: lowered text:')"
expect "a newline in a lowered line's argument still splits the line" \
	'rust_safety: split: one|rust_safety: two' \
	"$(printf '%s\n' "$init_log" | grep -A1 '^rust_safety: split:' | tr '\n' '|' | sed 's/|$//')"
expect "a lowered line too long for a line is cut with [...]" \
	"rust_safety: long: $(printf 'z%.0s' $(seq 245))[...]" \
	"$(printf '%s\n' "$init_log" | grep '^rust_safety: long:')"

finish

# --- After finish, as it taints the kernel (W): sleeping in atomic context ----
# The host reads these sections, and the console log between the markers.
echo "rust_safety test: sleeping in atomic context starts" >/dev/kmsg
echo "@@ atomic-taint-before"
cat /proc/sys/kernel/tainted
echo "@@ atomic"
insmod /rust_atomic.ko
echo "status=$?"
echo "@@ atomic-read"
cat /dev/rust_atomic 2>&1
echo "status=$?"
echo "@@ atomic-write"
echo hello 2>&1 >/dev/rust_atomic
echo "status=$?"
echo "@@ atomic-unload"
rmmod rust_atomic
echo "status=$?"
echo "@@ atomic-taint-after"
cat /proc/sys/kernel/tainted
echo "@@ atomic-log"
dmesg -c | sed 's/\[ *[0-9]*\.[0-9]*\] //'

# --- Last, as it oopses: a panic while formatting a panic message -------------
# The host reads these sections, and the console log after the marker.
echo "rust_safety test: panic while formatting starts" >/dev/kmsg
echo "@@ panic-in-fmt"
insmod /rust_safety.ko panic_in_fmt=1
echo "status=$?"
echo "@@ panic-in-fmt-log"
# With the level: "<0>" is KERN_EMERG.
dmesg -c -r | sed 's/\[ *[0-9]*\.[0-9]*\] //'
echo "@@ alive"
echo "still running, uptime $(cut -d' ' -f1 /proc/uptime)"
