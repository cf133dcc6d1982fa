// SPDX-License-Identifier: GPL-2.0
//! The C functions the core of this crate calls: printing, `BUG()` and memory.
//!
//! They are helpers in `module.c` (for kernel APIs that are macros or inline
//! functions) or functions the kernel exports. The declarations must match the
//! C prototypes exactly; nothing here knows the layout of a kernel structure.
//! Each safe wrapper for a kernel facility (`miscdev.rs`, `sync.rs`, ...)
//! declares its own C helpers at its top, next to their C half in `helpers/`.
//!
//! Outside the kernel (host unit tests, `cargo test`) there is no kernel: the
//! functions the tests reach are replaced by fakes that record what they got.

#[cfg(not(target_os = "none"))]
pub use host_fakes::*;
#[cfg(target_os = "none")]
pub use kernel::*;

#[cfg(target_os = "none")]
mod kernel {
    use core::ffi::{c_char, c_int, c_uint, c_void};

    extern "C" {
        /// Logs `len` bytes at `msg` as one line at level `level` (0-7), with
        /// the module-name prefix (module.c).
        pub fn rust_helper_printk(level: c_int, msg: *const c_char, len: c_int);

        /// `printk(fmt, words[0], ..., words[count - 1])` (all sixteen for
        /// more than four), with `KBUILD_MODNAME` before the words unless
        /// `named` (the name is in `fmt`): a line lowered at compile time
        /// (module.c; `print/lower.rs`).
        pub fn rust_helper_printf(fmt: *const c_char, words: *const u64, count: c_uint, named: bool);

        /// `BUG()`: oopses with a backtrace and never returns (module.c). It is
        /// declared here as returning so that the caller can end the path with
        /// a trap that objtool recognises (see lang_items.rs).
        pub fn rust_helper_bug();

        /// The kernel's `current`: the task this code runs in (the
        /// interrupted one in interrupt context), as an identity only; never
        /// dereferenced (module.c).
        pub fn rust_helper_current() -> *const c_void;

        /// `krealloc(ptr, size, GFP_KERNEL | __GFP_NOWARN)` (module.c); with
        /// `GFP_ATOMIC` in atomic context, after a report (`context.rs`).
        pub fn rust_helper_krealloc(ptr: *const c_void, size: usize) -> *mut c_void;

        /// Exported by the kernel (mm/slub.c).
        pub fn kfree(ptr: *const c_void);
    }
}

#[cfg(not(target_os = "none"))]
mod host_fakes {
    use core::ffi::{c_char, c_int, c_uint};
    use std::cell::RefCell;
    use std::string::String;
    use std::vec::Vec;

    std::thread_local! {
        /// Every line "printed" by this thread, with its level.
        pub static PRINTED: RefCell<Vec<(c_int, String)>> = const { RefCell::new(Vec::new()) };
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

    /// The module name the fake `rust_helper_printf` passes for the format's
    /// first `%s` when not `named`, as module.c passes `KBUILD_MODNAME`.
    pub const HOST_MODULE_NAME: &core::ffi::CStr = c"host";

    std::thread_local! {
        /// Every lowered line "printed" by this thread: its format and words.
        pub static LOWERED: RefCell<Vec<(Vec<u8>, [u64; crate::print::lower::MAX_WORDS])>> =
            const { RefCell::new(Vec::new()) };
    }

    /// Formats the line as the kernel's `vsnprintf` would
    /// (`print::vsnprintf`, a model of it), and records it as
    /// [`rust_helper_printk`] does, with its format and words in [`LOWERED`].
    ///
    /// # Safety
    ///
    /// `fmt` must be NUL-terminated, `words` point to `MAX_WORDS` words,
    /// and each `%.*s` of `fmt` have a readable string in its words.
    pub unsafe fn rust_helper_printf(fmt: *const c_char, words: *const u64, count: c_uint, named: bool) {
        use crate::print::lower::MAX_WORDS;
        assert!(count as usize <= MAX_WORDS);
        // SAFETY: the caller guarantees both.
        let (fmt, words) =
            unsafe { (core::ffi::CStr::from_ptr(fmt).to_bytes(), core::slice::from_raw_parts(words, MAX_WORDS)) };
        let mut args = if named { std::vec![] } else { std::vec![HOST_MODULE_NAME.as_ptr() as u64] };
        args.extend_from_slice(words);
        // SAFETY: the module name is a C string, the words as the caller says.
        let text = unsafe { crate::print::vsnprintf::vsnprintf(fmt, &args) };
        let text = String::from_utf8(text).expect("printk got invalid UTF-8");
        let rest = text.strip_prefix('\x01').expect("no KERN_ level");
        let level = rest.as_bytes()[0] - b'0';
        let prefixed =
            if named { rest[1..].split_once(": ").map(|(_, l)| l) } else { rest[1..].strip_prefix("host: ") };
        let line = prefixed.and_then(|l| l.strip_suffix('\n')).expect("no prefix or newline");
        PRINTED.with(|p| p.borrow_mut().push((level.into(), line.into())));
        LOWERED.with(|l| l.borrow_mut().push((fmt.to_vec(), words.try_into().unwrap())));
    }

    /// Takes the lowered lines' formats and words printed so far by this thread.
    pub fn take_lowered() -> Vec<(Vec<u8>, [u64; crate::print::lower::MAX_WORDS])> {
        LOWERED.with(|l| core::mem::take(&mut *l.borrow_mut()))
    }

    /// Takes the lines printed so far by this thread.
    pub fn take_printed() -> Vec<(c_int, String)> {
        PRINTED.with(|p| core::mem::take(&mut *p.borrow_mut()))
    }
}
