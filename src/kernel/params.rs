// SPDX-License-Identifier: GPL-2.0
//! Module parameters, read safely: `params::count.get()`.
//!
//! Parameters are declared in [`module!`](crate::module!). Each one's value
//! lives in a Rust static, `rust_param_<name>`, initialised with its default
//! and written only by the kernel. The kernel's description of a parameter
//! (`struct kernel_param`: name, permissions, parser) is a C structure, so the
//! build declares it in C (`module_param()` in the generated `module_info.h`,
//! included by `module.c`), pointing at that static. The kernel sets the value
//! from the `insmod` command line before init runs and shows it in
//! `/sys/module/<name>/parameters/`, where a writable one can change at any
//! time. So Rust never reads the static itself: each read goes through a C
//! getter that holds `kernel_param_lock()`, the lock sysfs writes take.
//!
//! In host unit tests each parameter is a per-thread value that starts at its
//! default and that tests may [`set`](Param::set).

#[cfg(not(target_os = "none"))]
use core::cell::Cell;
#[cfg(not(target_os = "none"))]
use std::thread::LocalKey;

use alloc::string::String;
#[cfg(target_os = "none")]
use alloc::vec::Vec;

#[cfg(target_os = "none")]
use crate::error::code;
use crate::error::Result;

/// A parameter of type `bool`, `i32`, `u32`, `i64` or `u64`.
pub struct Param<T: 'static> {
    #[cfg(target_os = "none")]
    getter: unsafe extern "C" fn() -> T,
    #[cfg(not(target_os = "none"))]
    value: &'static LocalKey<Cell<T>>,
}

impl<T: Copy> Param<T> {
    /// The current value.
    pub fn get(&self) -> T {
        #[cfg(target_os = "none")]
        // SAFETY: the getter is the one module_info.h defines for this
        // parameter; it takes no arguments and only reads under the lock.
        return unsafe { (self.getter)() };
        #[cfg(not(target_os = "none"))]
        return self.value.get();
    }

    #[doc(hidden)]
    #[cfg(target_os = "none")]
    pub const fn __new(getter: unsafe extern "C" fn() -> T) -> Self {
        Param { getter }
    }

    #[doc(hidden)]
    #[cfg(not(target_os = "none"))]
    pub const fn __new(value: &'static LocalKey<Cell<T>>) -> Self {
        Param { value }
    }

    /// Sets the value, as `insmod ... name=value` would (host tests only).
    #[cfg(not(target_os = "none"))]
    pub fn set(&self, value: T) {
        self.value.set(value)
    }
}

/// A parameter of type `str` (C's `charp`).
pub struct StrParam {
    #[cfg(target_os = "none")]
    getter: unsafe extern "C" fn(buf: *mut u8, size: usize) -> usize,
    #[cfg(not(target_os = "none"))]
    value: &'static LocalKey<Cell<&'static str>>,
}

impl StrParam {
    /// A copy of the current value: `ENOMEM` if it cannot be allocated,
    /// `EINVAL` if it is not UTF-8.
    pub fn get(&self) -> Result<String> {
        #[cfg(target_os = "none")]
        {
            let mut buf = Vec::new();
            loop {
                // SAFETY: the getter copies at most `capacity` bytes into the
                // buffer, which has room for them, and returns the full length.
                let len = unsafe { (self.getter)(buf.as_mut_ptr(), buf.capacity()) };
                if len <= buf.capacity() {
                    // SAFETY: the getter wrote `len` bytes, within the capacity.
                    unsafe { buf.set_len(len) };
                    return String::from_utf8(buf).map_err(|_| code::EINVAL);
                }
                // Written through sysfs to a longer value meanwhile: try again.
                buf.try_reserve_exact(len)?;
            }
        }
        #[cfg(not(target_os = "none"))]
        {
            let mut copy = String::new();
            copy.try_reserve_exact(self.value.get().len())?;
            copy.push_str(self.value.get());
            Ok(copy)
        }
    }

    #[doc(hidden)]
    #[cfg(target_os = "none")]
    pub const fn __new(getter: unsafe extern "C" fn(*mut u8, usize) -> usize) -> Self {
        StrParam { getter }
    }

    #[doc(hidden)]
    #[cfg(not(target_os = "none"))]
    pub const fn __new(value: &'static LocalKey<Cell<&'static str>>) -> Self {
        StrParam { value }
    }

    /// Sets the value, as `insmod ... name=value` would (host tests only).
    #[cfg(not(target_os = "none"))]
    pub fn set(&self, value: &'static str) {
        self.value.set(value)
    }
}

#[doc(hidden)]
#[cfg(not(target_os = "none"))]
pub use ::std::thread_local as __thread_local;

/// The storage of one parameter: written by the kernel (through the pointer
/// `module_param()` holds), read only by the C getter, under the parameter
/// lock. `repr(transparent)`: C sees a plain `int`, `bool`, `char *`...
#[doc(hidden)]
#[repr(transparent)]
pub struct ParamStorage<T>(core::cell::UnsafeCell<T>);

// SAFETY: Rust code never accesses the value; the kernel writes it and the C
// getter reads it, both under kernel_param_lock().
unsafe impl<T> Sync for ParamStorage<T> {}

impl<T> ParamStorage<T> {
    #[doc(hidden)]
    pub const fn new(value: T) -> Self {
        ParamStorage(core::cell::UnsafeCell::new(value))
    }
}

/// `text` with a NUL byte added: the default of a `str` parameter, as C's
/// `char *` sees it. A NUL inside `text` is a compile-time error.
#[doc(hidden)]
pub const fn nul_terminated<const N: usize>(text: &str) -> [u8; N] {
    let bytes = text.as_bytes();
    assert!(bytes.len() + 1 == N, "nul_terminated: wrong length");
    let mut out = [0; N];
    let mut i = 0;
    while i < bytes.len() {
        assert!(bytes[i] != 0, "module!: a str parameter's default must not contain NUL");
        out[i] = bytes[i];
        i += 1;
    }
    out
}

/// The C type `module_param()` names for a Rust parameter type.
#[doc(hidden)]
#[macro_export]
macro_rules! __param_ctype {
    (bool) => {
        "bool"
    };
    (i32) => {
        "int"
    };
    (u32) => {
        "uint"
    };
    (i64) => {
        "long"
    };
    (u64) => {
        "ulong"
    };
    (str) => {
        "charp"
    };
}

/// One parameter: in the kernel, its storage (`rust_param_<name>`, which
/// module_info.h points `module_param()` at) and a `Param` that reads it
/// through the C getter; in host tests, a per-thread value.
#[doc(hidden)]
#[macro_export]
macro_rules! __param {
    ($name:ident, str, $default:expr, $doc:literal) => {
        #[doc = $doc]
        #[cfg(target_os = "none")]
        pub static $name: $crate::params::StrParam = {
            extern "C" {
                #[link_name = ::core::concat!("rust_param_get_", ::core::stringify!($name))]
                fn getter(buf: *mut u8, size: usize) -> usize;
            }
            $crate::params::StrParam::__new(getter)
        };
        #[cfg(target_os = "none")]
        const _: () = {
            const DEFAULT: &str = $default;
            static DEFAULT_NUL: [u8; DEFAULT.len() + 1] = $crate::params::nul_terminated(DEFAULT);
            #[export_name = ::core::concat!("rust_param_", ::core::stringify!($name))]
            static STORAGE: $crate::params::ParamStorage<*const u8> =
                $crate::params::ParamStorage::new(DEFAULT_NUL.as_ptr());
        };
        #[doc = $doc]
        #[cfg(not(target_os = "none"))]
        pub static $name: $crate::params::StrParam = {
            $crate::params::__thread_local! {
                static VALUE: ::core::cell::Cell<&'static str> = ::core::cell::Cell::new($default);
            }
            $crate::params::StrParam::__new(&VALUE)
        };
    };
    ($name:ident, $ty:tt, $default:expr, $doc:literal) => {
        #[doc = $doc]
        #[cfg(target_os = "none")]
        pub static $name: $crate::params::Param<$ty> = {
            extern "C" {
                #[link_name = ::core::concat!("rust_param_get_", ::core::stringify!($name))]
                fn getter() -> $ty;
            }
            $crate::params::Param::__new(getter)
        };
        #[cfg(target_os = "none")]
        const _: () = {
            #[export_name = ::core::concat!("rust_param_", ::core::stringify!($name))]
            static STORAGE: $crate::params::ParamStorage<$ty> = $crate::params::ParamStorage::new($default);
        };
        #[doc = $doc]
        #[cfg(not(target_os = "none"))]
        pub static $name: $crate::params::Param<$ty> = {
            $crate::params::__thread_local! {
                static VALUE: ::core::cell::Cell<$ty> = ::core::cell::Cell::new($default);
            }
            $crate::params::Param::__new(&VALUE)
        };
    };
}

#[cfg(test)]
#[allow(non_upper_case_globals)]
mod tests {
    crate::__param!(answer, i32, 42, "The answer.");
    crate::__param!(greeting, str, "hello", "A greeting.");

    #[test]
    fn a_parameter_starts_at_its_default_and_can_be_set_in_tests() {
        assert_eq!(answer.get(), 42);
        answer.set(-1);
        assert_eq!(answer.get(), -1);
        assert_eq!(greeting.get().unwrap(), "hello");
        greeting.set("bye");
        assert_eq!(greeting.get().unwrap(), "bye");
    }
}
