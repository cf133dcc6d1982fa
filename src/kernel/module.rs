// SPDX-License-Identifier: GPL-2.0
//! The module's life cycle and its declaration: [`Module::init`] at load,
//! `Drop` at unload, and the [`module!`](crate::module!) macro that ties a
//! type to the C shim.
//!
//! `module.c`'s init function calls `rust_module_init`, which runs `init()`
//! and keeps the value; its exit function calls `rust_module_exit`, which
//! drops it. The value lives in a lock-protected slot, never a `static mut`.

use core::ffi::c_int;

use crate::error::Result;

/// A loadable module. Its value is the module's state from load to unload.
pub trait Module: Sized + Send {
    /// Runs at load time (`insmod`). An error fails the load with that errno
    /// (`insmod: ERROR: could not insert module: Invalid argument`), after
    /// dropping whatever init had built, in reverse order.
    fn init() -> Result<Self>;
}

/// The slot that holds the module's state between init and exit.
pub struct ModuleState<M> {
    slot: spin::Mutex<Option<M>>,
}

impl<M: Module> ModuleState<M> {
    pub const fn new() -> Self {
        ModuleState { slot: spin::Mutex::new(None) }
    }

    /// Runs `M::init` and keeps its value; returns 0 or a negative errno for C.
    pub fn init(&self) -> c_int {
        match M::init() {
            Ok(module) => {
                *self.slot.lock() = Some(module);
                0
            }
            Err(err) => {
                report_leaks("a failed init");
                err.to_errno()
            }
        }
    }

    /// Drops the module's value, outside the lock, so `Drop` may sleep.
    pub fn exit(&self) {
        let module = self.slot.lock().take();
        drop(module);
        report_leaks("unload");
    }
}

impl<M: Module> Default for ModuleState<M> {
    fn default() -> Self {
        Self::new()
    }
}

/// In `make FAIL_ALLOC=1` builds, which count allocations: after a failed
/// init or at unload nothing the Rust code allocated may be left.
fn report_leaks(when: &str) {
    if let Some(live) = crate::allocator::live_allocations() {
        if live != 0 {
            crate::pr_err!("{live} allocations leaked after {when}");
        }
    }
}

/// Declares the module: its type, its `modinfo` and its parameters.
///
/// ```ignore
/// module! {
///     type: Hello,
///     author: "Jane Doe",
///     description: "Hello, world in Rust",
///     params: {
///         count: i32 = 3, 0o444, "How many greetings to keep",
///         name: str = "world", 0o644, "Whom to greet",
///     },
/// }
/// ```
///
/// Parameter types are `bool`, `i32`, `u32`, `i64`, `u64` and `str` (C's
/// `bool`, `int`, `uint`, `long`, `ulong` and `charp`; any other type is a
/// compile-time error saying so); the permissions are
/// those of `/sys/module/<name>/parameters/<param>` (0 hides it). The macro
/// defines a module `params` with one [`Param`](crate::params::Param) per
/// parameter: `params::count.get()`.
///
/// The kernel reads parameters and `modinfo` from C structures, so the build
/// turns this declaration into C: the macro stores it as text in the object's
/// `.kmod_info` section, and `scripts/module-info.sh` writes it out as the
/// `module_info.h` that `module.c` includes (docs/boundary.md). Each
/// parameter's value lives in a Rust static, `rust_param_<name>`, with its
/// default; `module_param()` in C points the kernel at it.
///
/// The author, the description and the parameters' descriptions reach
/// `modinfo` byte for byte (quotes, backslashes, `%`, UTF-8...); each must be
/// one line without NUL, or the build fails with a message saying so.
///
/// A parameter's name crosses to C as it is written: ASCII letters, digits
/// and `_`, upper or lower case, up to 255 bytes. A name C cannot carry (a
/// raw identifier such as `r#type`, a non-ASCII one) or two names whose C
/// symbols would clash (`x` and `str_x`) fail the build with a message
/// saying so.
#[macro_export]
macro_rules! module {
    (
        type: $module:ty,
        author: $author:literal,
        description: $description:literal
        $(, params: { $($name:ident : $ty:tt = $default:expr, $perm:literal, $doc:literal),* $(,)? })?
        $(,)?
    ) => {
        #[cfg(target_os = "none")]
        static MODULE_STATE: $crate::module::ModuleState<$module> = $crate::module::ModuleState::new();

        /// Called by module.c's module_init function.
        #[cfg(target_os = "none")]
        #[no_mangle]
        extern "C" fn rust_module_init() -> ::core::ffi::c_int {
            MODULE_STATE.init()
        }

        // Outside the kernel (host unit tests) nothing calls init; this keeps
        // the module type from looking unused.
        #[cfg(not(target_os = "none"))]
        const _: fn() -> $crate::error::Result<$module> = <$module as $crate::module::Module>::init;

        /// Called by module.c's module_exit function.
        #[cfg(target_os = "none")]
        #[no_mangle]
        extern "C" fn rust_module_exit() {
            MODULE_STATE.exit()
        }

        /// The declaration as text, for scripts/module-info.sh: one record per
        /// line, fields separated by '|'. (Parameter defaults are not in it:
        /// each parameter's storage is a Rust static, see params.rs.)
        #[cfg(target_os = "none")]
        const _: () = {
            const INFO: &str = ::core::concat!(
                "author|", $author, "\n",
                "description|", $description, "\n",
                $($("param|", $crate::__param_ctype!($ty), "|", ::core::stringify!($name), "|",
                    ::core::stringify!($perm), "|", $doc, "\n",)*)?
                $crate::__fail_alloc_params!(),
            );
            assert!(
                $crate::module::is_one_line($author) && $crate::module::is_one_line($description)
                    $($(&& $crate::module::is_one_line($doc))*)?,
                "module!: the author, description and parameter descriptions must be one line each"
            );
            #[no_mangle]
            #[used]
            #[link_section = ".kmod_info"]
            static __kmod_info: [u8; INFO.len()] = $crate::module::info_bytes::<{ INFO.len() }>(INFO);
        };

        const _: () = ::core::assert!(
            $crate::params::names_are_distinct_in_c(&[$($(::core::stringify!($name)),*)?]),
            "module!: two parameters would get the same C name: the kernel's module_param() \
             defines __param_<name> and __param_str_<name>, so `x` and `str_x` cannot both be \
             parameters; nor can `fail_alloc_nth` or `alloc_count` (make FAIL_ALLOC=1 adds them)"
        );

        /// The module's parameters, as declared in `module!`.
        #[allow(non_upper_case_globals, dead_code)]
        pub mod params {
            $($(
                $crate::__param!($name, $ty, $default, $doc);
            )*)?
        }
    };
}

/// Whether `text` has no line break or NUL, so it fits one `.kmod_info` record.
#[doc(hidden)]
pub const fn is_one_line(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'\n' | b'\r' | 0) {
            return false;
        }
        i += 1;
    }
    true
}

/// The bytes of `text` as an array, for the `.kmod_info` section.
#[doc(hidden)]
pub const fn info_bytes<const N: usize>(text: &str) -> [u8; N] {
    let bytes = text.as_bytes();
    let mut out = [0; N];
    let mut i = 0;
    while i < N {
        out[i] = bytes[i];
        i += 1;
    }
    out
}
