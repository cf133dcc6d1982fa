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

/// The longest parameter name: the name of its file in
/// `/sys/module/<module>/parameters/`, a path component (`NAME_MAX`).
pub const MAX_NAME_LEN: usize = 255;

/// Whether `name`, as `stringify!` spells a parameter's identifier, can cross
/// to C unchanged: ASCII letters, digits and `_`, at most [`MAX_NAME_LEN`]
/// bytes. It becomes part of C identifiers (`rust_param_<name>`,
/// `rust_getparam_<name>`, the kernel's `__param_<name>`), the parameter's
/// name on the `insmod` command line and its sysfs file. Rust also accepts
/// raw identifiers (`r#type`) and non-ASCII ones (`größe`), which C and the
/// build cannot carry: `module!` rejects those with this check.
#[doc(hidden)]
pub const fn is_c_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_NAME_LEN || bytes[0].is_ascii_digit() {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if !(bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            return false;
        }
        i += 1;
    }
    true
}

/// Names `make FAIL_ALLOC=1` gives parameters of its own (allocator.rs).
const RESERVED_NAMES: [&str; 2] = ["fail_alloc_nth", "alloc_count"];

/// Whether `a` is `prefix` followed by `b`.
const fn is_prefixed(a: &[u8], prefix: &[u8], b: &[u8]) -> bool {
    if a.len() != prefix.len() + b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        let want = if i < prefix.len() { prefix[i] } else { b[i - prefix.len()] };
        if a[i] != want {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether the C names the kernel's `module_param_named()` makes of the
/// parameter names `names` are all distinct: for a parameter `x` it defines
/// `__param_x` and `__param_str_x`, so a parameter `str_x` next to `x` would
/// define `__param_str_x` twice. Nor may a name be one of the parameters
/// `make FAIL_ALLOC=1` adds.
#[doc(hidden)]
pub const fn names_are_distinct_in_c(names: &[&str]) -> bool {
    let mut i = 0;
    while i < names.len() {
        let a = names[i].as_bytes();
        let mut r = 0;
        while r < RESERVED_NAMES.len() {
            if is_prefixed(a, b"", RESERVED_NAMES[r].as_bytes()) {
                return false;
            }
            r += 1;
        }
        let mut j = 0;
        while j < names.len() {
            if i != j && is_prefixed(a, b"str_", names[j].as_bytes()) {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
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
    ($other:tt) => {
        ::core::compile_error!(::core::concat!(
            "module!: parameter type `",
            ::core::stringify!($other),
            "` is not supported: use bool, i32, u32, i64, u64 or str"
        ))
    };
}

/// A compile-time error, with the rule, for a parameter name C cannot carry.
#[doc(hidden)]
#[macro_export]
macro_rules! __param_name_check {
    ($name:ident) => {
        const _: () = ::core::assert!(
            $crate::params::is_c_name(::core::stringify!($name)),
            ::core::concat!(
                "module!: parameter name `",
                ::core::stringify!($name),
                "` cannot cross to C: a parameter name must be ASCII letters, digits and `_` \
                 (no raw identifier, no non-ASCII letter), at most 255 bytes"
            )
        );
    };
}

/// One parameter: in the kernel, its storage (`rust_param_<name>`, which
/// module_info.h points `module_param()` at) and a `Param` that reads it
/// through the C getter (`rust_getparam_<name>`: neither prefix starts the
/// other, so no parameter's storage can have another one's getter's name);
/// in host tests, a per-thread value. A name C cannot carry is a
/// compile-time error ([`is_c_name`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __param {
    ($name:ident, str, $default:expr, $doc:literal) => {
        $crate::__param_name_check!($name);
        #[doc = $doc]
        #[cfg(target_os = "none")]
        pub static $name: $crate::params::StrParam = {
            extern "C" {
                #[link_name = ::core::concat!("rust_getparam_", ::core::stringify!($name))]
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
        $crate::__param_name_check!($name);
        // A type C's module_param() has no counterpart for fails here, on
        // every target.
        const _: &str = $crate::__param_ctype!($ty);
        #[doc = $doc]
        #[cfg(target_os = "none")]
        pub static $name: $crate::params::Param<$ty> = {
            extern "C" {
                #[link_name = ::core::concat!("rust_getparam_", ::core::stringify!($name))]
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
    fn c_names_are_ascii_letters_digits_and_underscores_of_any_case() {
        use crate::params::is_c_name;
        for name in ["N", "MAX_DEVICES", "camelCase", "_leading", "x9", "_"] {
            assert!(is_c_name(name), "{name}");
        }
        assert!(is_c_name(&"a".repeat(crate::params::MAX_NAME_LEN)));
    }

    #[test]
    fn raw_non_ascii_empty_and_over_long_names_are_not_c_names() {
        use crate::params::is_c_name;
        for name in ["r#type", "größe", "", "9x", "a-b", "a b"] {
            assert!(!is_c_name(name), "{name}");
        }
        assert!(!is_c_name(&"a".repeat(crate::params::MAX_NAME_LEN + 1)));
    }

    #[test]
    fn a_name_that_is_str_and_another_name_clashes_in_c() {
        use crate::params::names_are_distinct_in_c;
        assert!(names_are_distinct_in_c(&["x", "get_x", "str", "STR_x", "y"]));
        assert!(names_are_distinct_in_c(&[]));
        assert!(!names_are_distinct_in_c(&["x", "str_x"]));
        assert!(!names_are_distinct_in_c(&["str_x", "x"]));
        assert!(!names_are_distinct_in_c(&["fail_alloc_nth"]));
        assert!(!names_are_distinct_in_c(&["alloc_count"]));
    }

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
