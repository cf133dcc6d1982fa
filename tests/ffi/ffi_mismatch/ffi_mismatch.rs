// SPDX-License-Identifier: GPL-2.0
//! rust_ffi_mismatch: kernel functions declared as Debian 5.10 has them, for
//! the build-error tests (scripts/test.sh): it builds for 5.10 and must not
//! for the kernels where these functions changed, each mismatch an error that
//! names its declaration here:
//!
//! - `register_shrinker()` took a name (printf-like, variadic) from 6.0 on,
//!   and is gone from 6.7 (shrinker_alloc()),
//! - `proc_dointvec()` takes a `const struct ctl_table *` from 6.11 on,
//! - `strlcpy()` is gone from 6.8 (strscpy()).
//!
//! Declared, never called: the module does nothing.

#![no_std]

use core::ffi::{c_char, c_int, c_void};
use kernel::prelude::*;

#[allow(non_camel_case_types)]
pub enum shrinker {}
#[allow(non_camel_case_types)]
pub enum ctl_table {}

extern "C" {
    pub fn register_shrinker(shrinker: *mut shrinker) -> c_int;
    pub fn proc_dointvec(
        table: *mut ctl_table,
        write: c_int,
        buffer: *mut c_void,
        lenp: *mut usize,
        ppos: *mut i64,
    ) -> c_int;
    pub fn strlcpy(dest: *mut c_char, src: *const c_char, size: usize) -> usize;
}

struct Mismatch;

impl Module for Mismatch {
    fn init() -> Result<Self> {
        Ok(Mismatch)
    }
}

module! {
    type: Mismatch,
    author: "The rust-kmod template authors",
    description: "Kernel functions declared as Debian 5.10 has them",
}
