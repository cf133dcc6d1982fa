# SPDX-License-Identifier: GPL-2.0
# Guest side of the FFI tests (tests/ffi/checks.sh): rust_ffi
# (tests/ffi/ffi/ffi.rs), whose Rust calls its own C (c/ffi_c.c) and kernel
# functions it declares itself, and whose C calls back into Rust.
. /lib.sh

load rust_ffi
log=$(module_log rust_ffi)
expect "Rust calls kstrtouint() directly, C calls crc32_le() for it: the kernel's results for 123456789" \
	'<6>kstrtouint("123456789") from Rust: 123456789 (status 0); crc32_le() of it from C: 0x340bc6d9' \
	"$(printf '%s\n' "$log" | grep '^<6>kstrtouint')"
expect "C calls a Rust function: ffi_c_apply_twice(5) is step(step(5)) = 49" \
	"<6>C applies the Rust step twice: 5 -> 49" "$(printf '%s\n' "$log" | grep 'Rust step')"
expect "C's variadic snprintf() formats into a Rust buffer, with a Rust string" \
	"<6>C formats: answer=42" "$(printf '%s\n' "$log" | grep 'C formats')"
expect "get_random_u32(), declared in Rust, gives two different values" \
	"<6>get_random_u32() twice gives two values: true" "$(printf '%s\n' "$log" | grep get_random_u32)"
expect "ktime_get_real_ts64() fills the Rust timespec64 as C's ktime_get_real_seconds() sees the time" \
	"<6>ktime_get_real_ts64(): nanoseconds below 1e9: true, seconds within 1 s of C's ktime_get_real_seconds(): true" \
	"$(printf '%s\n' "$log" | grep ktime_get_real_ts64)"
unload rust_ffi
finish
