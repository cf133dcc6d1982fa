// SPDX-License-Identifier: GPL-2.0
//! The module's life cycle: [`Module::init`] at load, `Drop` at unload.
//!
//! `module!(Hello)` connects a type to the C shim: module.c's init function
//! calls `rust_module_init`, which runs `Hello::init()` and keeps the value;
//! module.c's exit function calls `rust_module_exit`, which drops it. The value
//! lives in a spinlock-protected slot, never in a `static mut`.

use core::ffi::c_int;

use crate::error::Result;

/// A loadable module. Its value is the module's state from load to unload.
pub trait Module: Sized + Send {
    /// Runs at load time (`insmod`). An error fails the load with that errno
    /// (`insmod: ERROR: could not insert module: Invalid argument`).
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
            Err(err) => err.to_errno(),
        }
    }

    /// Drops the module's value, outside the lock, so `Drop` may sleep.
    pub fn exit(&self) {
        let module = self.slot.lock().take();
        drop(module);
    }
}

impl<M: Module> Default for ModuleState<M> {
    fn default() -> Self {
        Self::new()
    }
}

/// Declares the type whose value is the module: `module!(Hello);`.
#[macro_export]
macro_rules! module {
    ($module:ty) => {
        #[cfg(not(test))]
        static MODULE_STATE: $crate::module::ModuleState<$module> = $crate::module::ModuleState::new();

        /// Called by module.c's module_init function.
        #[cfg(not(test))]
        #[no_mangle]
        extern "C" fn rust_module_init() -> ::core::ffi::c_int {
            MODULE_STATE.init()
        }

        /// Called by module.c's module_exit function.
        #[cfg(not(test))]
        #[no_mangle]
        extern "C" fn rust_module_exit() {
            MODULE_STATE.exit()
        }
    };
}
