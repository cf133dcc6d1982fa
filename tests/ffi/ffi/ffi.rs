// SPDX-License-Identifier: GPL-2.0
//! rust_ffi: a module with C of its own beside its Rust (`c/ffi_c.c`,
//! declared in `c/ffi_c.h`), which calls Rust and is called from it, and
//! kernel functions Rust calls directly, with no wrapper. The build checks
//! every declaration here against the C one, on the kernel it builds for
//! (docs/build.md, "Your own C"); tests/ffi/checks.sh builds and loads it:
//!
//! ```text
//! # insmod rust_ffi.ko && dmesg
//! rust_ffi: kstrtouint("123456789") from Rust: 123456789; crc32_le() of it from C: 0x340bc6d9
//! rust_ffi: C applies the Rust step twice: 5 -> 49
//! ...
//! ```

#![no_std]

use core::ffi::{c_char, c_int, c_long, c_uint};
use kernel::prelude::*;

/// `struct timespec64` (`<linux/time64.h>`), which `ktime_get_real_ts64()`
/// fills: the build checks its fields against the kernel's.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct timespec64 {
    tv_sec: i64,
    tv_nsec: c_long,
}

extern "C" {
    // The kernel's, declared by the headers c/ffi_c.h includes. (Not
    // crc32_le(), whose buffer became a const void * in 7.x: C calls it.)
    fn kstrtouint(s: *const c_char, base: c_uint, res: *mut c_uint) -> c_int;
    fn get_random_u32() -> u32;
    fn ktime_get_real_ts64(ts: *mut timespec64);

    // The module's own C (c/ffi_c.c).
    fn ffi_c_crc32(p: *const u8, len: usize) -> u32;
    fn ffi_c_apply_twice(x: u32) -> u32;
    fn ffi_c_format(buf: *mut c_char, size: usize, name: *const c_char, value: c_int) -> c_int;
    fn ffi_c_real_seconds() -> i64;
}

/// Called from C (`ffi_c_apply_twice()`): one step of the 3x + 1 sequence.
#[no_mangle]
pub extern "C" fn ffi_rust_step(x: u32) -> u32 {
    x.wrapping_mul(3).wrapping_add(1)
}

struct Ffi;

impl Module for Ffi {
    fn init() -> Result<Self> {
        let check = c"123456789";
        let mut number: c_uint = 0;
        // SAFETY: `check` is NUL-terminated; kstrtouint() writes `number` only.
        let status = unsafe { kstrtouint(check.as_ptr(), 10, &mut number) };
        // SAFETY: `check` is valid for reads of its length; crc32_le() only reads it.
        let crc = unsafe { ffi_c_crc32(check.as_ptr().cast(), check.count_bytes()) };
        pr_info!("kstrtouint(\"123456789\") from Rust: {number} (status {status}); crc32_le() of it from C: {crc:#x}");

        // SAFETY: ffi_c_apply_twice() takes and returns a plain integer.
        let twice = unsafe { ffi_c_apply_twice(5) };
        pr_info!("C applies the Rust step twice: 5 -> {}", twice);

        let mut buf = [0u8; 32];
        // SAFETY: `buf` is writable for its length, which snprintf() in
        // ffi_c_format() does not exceed; the name is NUL-terminated.
        let len = unsafe { ffi_c_format(buf.as_mut_ptr().cast(), buf.len(), c"answer".as_ptr(), 42) };
        let text = usize::try_from(len).ok().and_then(|n| buf.get(..n)).unwrap_or(&[]);
        pr_info!("C formats: {}", core::str::from_utf8(text).unwrap_or("(not UTF-8)"));

        // SAFETY: get_random_u32() takes nothing and may be called in any context.
        let (a, b) = unsafe { (get_random_u32(), get_random_u32()) };
        pr_info!("get_random_u32() twice gives two values: {}", a != b);

        let mut now = timespec64 { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `now` is a timespec64 as the kernel lays it out (checked
        // by the build), writable; ktime_get_real_ts64() fills it.
        unsafe { ktime_get_real_ts64(&mut now) };
        // SAFETY: ffi_c_real_seconds() takes nothing.
        let c_now = unsafe { ffi_c_real_seconds() };
        pr_info!(
            "ktime_get_real_ts64(): nanoseconds below 1e9: {}, seconds within 1 s of C's ktime_get_real_seconds(): {}",
            (0..1_000_000_000).contains(&now.tv_nsec),
            (c_now - now.tv_sec).abs() <= 1
        );
        Ok(Ffi)
    }
}

module! {
    type: Ffi,
    author: "The rust-kmod template authors",
    description: "Own C beside the Rust, and kernel functions called directly, all declarations checked",
}
