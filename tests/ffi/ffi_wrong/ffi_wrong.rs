// SPDX-License-Identifier: GPL-2.0
//! rust_ffi_wrong: declarations that do not match C's, on purpose, for the
//! build-error tests (scripts/test.sh): each must fail the build on every
//! kernel with an error naming it here.

#![no_std]

use core::ffi::c_long;
use kernel::prelude::*;

/// `struct timespec64` with a field of the wrong type (the kernel's
/// `tv_sec` is a `time64_t`, 64 bits).
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct timespec64 {
    tv_sec: i32,
    tv_nsec: c_long,
}

extern "C" {
    // The kernel's returns u32.
    pub fn get_random_u32() -> u64;
    // No kernel header declares it (a misspelling).
    pub fn get_random_u23() -> u32;
    // The kernel's is right, but the struct is not.
    pub fn ktime_get_real_ts64(ts: *mut timespec64);
    // c/ffi_wrong.h says u32 ffi_wrong_c(u64 x).
    pub fn ffi_wrong_c(x: u32) -> u32;
}

/// c/ffi_wrong.h says void ffi_wrong_rust(const u8 *p).
#[no_mangle]
pub extern "C" fn ffi_wrong_rust(_p: *mut u8) {}

struct Wrong;

impl Module for Wrong {
    fn init() -> Result<Self> {
        Ok(Wrong)
    }
}

module! {
    type: Wrong,
    author: "The rust-kmod template authors",
    description: "Declarations that do not match C's, on purpose",
}
