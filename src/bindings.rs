// SPDX-License-Identifier: GPL-2.0
//! The C boundary: every C function the Rust code calls, in one place.
//!
//! Each is either a helper in `module.c` (for kernel APIs that are macros or
//! inline functions) or a function the kernel exports. The declarations must
//! match the C prototypes exactly; nothing here knows the layout of a kernel
//! structure. Only the support modules use these; the module itself goes
//! through their safe wrappers.
//!
//! In host unit tests (`cargo test`) there is no kernel: the few functions the
//! tests reach are replaced by fakes that record what they were given.

#[cfg(not(test))]
pub use kernel::*;
#[cfg(test)]
pub use host_fakes::*;

#[cfg(not(test))]
mod kernel {
    use core::ffi::{c_char, c_int, c_void};

    extern "C" {
        /// Logs `len` bytes at `msg` as one line at level `level` (0-7), with
        /// the module-name prefix (module.c).
        pub fn rust_helper_printk(level: c_int, msg: *const c_char, len: c_int);

        /// `BUG()`: oopses with a backtrace and never returns (module.c). It is
        /// declared here as returning so that the caller can end the path with
        /// a trap that objtool recognises (see lang_items.rs).
        pub fn rust_helper_bug();

        /// `krealloc(ptr, size, GFP_KERNEL | __GFP_NOWARN)` (module.c).
        pub fn rust_helper_krealloc(ptr: *const c_void, size: usize) -> *mut c_void;

        /// Exported by the kernel (mm/slub.c).
        pub fn kfree(ptr: *const c_void);

        /// The module parameters declared in module.c.
        pub fn hello_param_count() -> c_int;
        pub fn hello_param_panic_on_init() -> bool;
    }
}

#[cfg(test)]
mod host_fakes {
    use core::ffi::{c_char, c_int};
    use std::cell::{Cell, RefCell};
    use std::string::String;
    use std::vec::Vec;

    std::thread_local! {
        /// Every line "printed" by this thread, with its level.
        pub static PRINTED: RefCell<Vec<(c_int, String)>> = const { RefCell::new(Vec::new()) };

        /// The module parameters, starting at module.c's defaults.
        pub static PARAM_COUNT: Cell<c_int> = const { Cell::new(3) };
        pub static PARAM_PANIC_ON_INIT: Cell<bool> = const { Cell::new(false) };
    }

    /// # Safety
    ///
    /// None; `unsafe` only to match the kernel declaration.
    pub unsafe fn hello_param_count() -> c_int {
        PARAM_COUNT.get()
    }

    /// # Safety
    ///
    /// None; `unsafe` only to match the kernel declaration.
    pub unsafe fn hello_param_panic_on_init() -> bool {
        PARAM_PANIC_ON_INIT.get()
    }

    /// Records the line instead of printing it.
    ///
    /// # Safety
    ///
    /// `msg` must point to `len` readable bytes.
    pub unsafe fn rust_helper_printk(level: c_int, msg: *const c_char, len: c_int) {
        // SAFETY: the caller guarantees `msg` points to `len` readable bytes.
        let bytes = unsafe { core::slice::from_raw_parts(msg.cast::<u8>(), len as usize) };
        let line = String::from_utf8(bytes.to_vec()).expect("printk got invalid UTF-8");
        PRINTED.with(|p| p.borrow_mut().push((level, line)));
    }

    /// Takes the lines printed so far by this thread.
    pub fn take_printed() -> Vec<(c_int, String)> {
        PRINTED.with(|p| core::mem::take(&mut *p.borrow_mut()))
    }
}
