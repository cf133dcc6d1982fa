// SPDX-License-Identifier: GPL-2.0
//! The module's parameters, read safely.
//!
//! Parameters are declared in module.c with `module_param()` (their storage,
//! permissions and descriptions are kernel structures, so C owns them); the
//! kernel sets them from the `insmod` command line before init runs, and shows
//! them in `/sys/module/<name>/parameters/`.

use crate::bindings;

/// `count`: how many greetings to keep (read-only after load).
pub fn count() -> i32 {
    // SAFETY: reads an int parameter; no preconditions.
    unsafe { bindings::hello_param_count() }
}

/// `panic_on_init`: panic during init, to show the panic path.
pub fn panic_on_init() -> bool {
    // SAFETY: reads a bool parameter; no preconditions.
    unsafe { bindings::hello_param_panic_on_init() }
}
