# SPDX-License-Identifier: GPL-2.0
# Guest side of make test-debug's checker controls (scripts/test-debug.sh):
# rust_canary (tests/debug/canary/canary.rs) commits one bug per load, and
# the debug kernel must report each, naming the Rust code that did it. This
# is what makes "no report" in the rest of make test-debug mean something.
#
# The order matters: lockdep turns itself off after its first report, and
# after any KASAN report (which says lockdep is no longer reliable); KASAN
# reports more than its first bug only with kasan_multi_shot on the command
# line, which scripts/test-debug.sh passes.
. /lib.sh

leaks=/sys/kernel/debug/kmemleak

# commit BUG: loads rust_canary with bug=BUG, unloads it, and prints the
# kernel's messages since.
commit() {
	insmod /rust_canary.ko bug=$1 && rmmod rust_canary
	kernel_log
}

out=$(commit none)
check "rust_canary with bug=none loads and unloads" eval "! loaded rust_canary"
expect "... and the kernel reports nothing" "" "$(printf '%s\n' "$out" | grep -E 'BUG|WARNING|kmemleak')"

# Lockdep: Mutex A then B, then B then A.
out=$(commit lock-order)
expect_match "lockdep reports two Mutexes taken in both orders" \
	'WARNING: possible circular locking dependency detected' "$out"
expect_match "... taken in the Rust function" 'at: .*canary.*lock_order.*\[rust_canary\]' "$out"

# The atomic-sleep check (DEBUG_ATOMIC_SLEEP) works without lockdep. The
# kernel crate's own report comes first (at src/kernel/...): the kernel's
# must follow, at its own mutex code.
out=$(commit sleep-in-atomic)
expect_match "the kernel reports a WorkQueue dropped under a SpinLock" \
	'BUG: sleeping function called from invalid context at kernel/' "$out"
expect_match "... from the Rust function" 'canary.*sleep_in_atomic.*\[rust_canary\]' "$out"

# KASAN, in the Rust code itself (make builds it with -Z sanitizer=kernel-address).
out=$(commit out-of-bounds)
expect_match "KASAN reports the Rust read past the end of a Vec, in the Rust function" \
	'BUG: KASAN: slab-out-of-bounds in .*canary.*out_of_bounds.*\[rust_canary\]' "$out"
expect_match "... as a 1-byte read" 'Read of size 1 at addr' "$out"
# The 24 bytes live in a 32-byte slab object; KASAN knows the last 8 are
# not the Vec's (the shadow marks 24 bytes valid).
expect_match "... at byte 24 of the 32-byte kmalloc object" 'located 24 bytes inside of' "$out"
expect_match "... which KASAN says was allocated by the Rust function" \
	'^ *_R.*canary.*out_of_bounds\+.*\[rust_canary\]' "$(printf '%s\n' "$out" | sed -n '/^Allocated by task/,/^$/p')"

out=$(commit use-after-free)
expect_match "KASAN reports the Rust read of a freed Box, in the Rust function" \
	'BUG: KASAN: .*use-after-free in .*canary.*use_after_free.*\[rust_canary\]' "$out"
expect_match "... with where it was freed" '^Freed by task' "$out"

# kmemleak: a Box leaked in init. (The pointer may linger in a dead stack
# frame for a while, which counts as a reference: hence two scans.)
commit leak >/dev/null
sleep 6
echo scan >$leaks
echo scan >$leaks
report=$(cat $leaks)
expect_match "kmemleak reports the 256-byte Box that init leaked" 'unreferenced object 0x[0-9a-f]+ \(size 256\)' "$report"
expect_match "... filled with the canary's bytes" '^ +5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a' "$report"
expect_match "... allocated through krealloc (the Rust allocator)" 'krealloc' "$report"
echo clear >$leaks
kernel_log >/dev/null
finish
