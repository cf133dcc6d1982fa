// SPDX-License-Identifier: GPL-2.0
//! What the bus drivers ([`pci`](crate::pci), [`platform`](crate::platform))
//! share: handing the value a probe returns to C as the device's driver data
//! and taking it back at remove, and writing a driver's ID table into the
//! module's `.kmod_info` section.
//!
//! Each bus's C half (`helpers/pci.c`, `helpers/platform.c`) calls Rust's
//! probe with a place for the driver data; [`store_probe_result`] boxes the
//! driver's value and leaks it there, and remove gives the pointer back to
//! [`take_driver_data`], which turns it into the `Box` again, to be dropped.

use alloc::boxed::Box;
use core::ffi::{c_int, c_void};

use crate::allocator::try_box;
use crate::error::Result;

/// Boxes what a probe returned and stores the box's pointer in `*data` (0),
/// or returns the negative errno of the probe's error, or `ENOMEM` if the box
/// cannot be allocated (the value is dropped then).
///
/// # Safety
///
/// `data` is valid for a write of a pointer.
pub(crate) unsafe fn store_probe_result<T>(result: Result<T>, data: *mut *mut c_void) -> c_int {
    match result.and_then(try_box) {
        Ok(boxed) => {
            // SAFETY: `data` is valid for a write, by the contract.
            unsafe { *data = Box::into_raw(boxed).cast() };
            0
        }
        Err(err) => err.to_errno(),
    }
}

/// The driver data a probe stored, as the `Box` it was.
///
/// # Safety
///
/// `data` is a pointer [`store_probe_result::<T>`] stored, and is given back
/// once.
pub(crate) unsafe fn take_driver_data<T>(data: *mut c_void) -> Box<T> {
    // SAFETY: by the contract, the pointer of a leaked `Box<T>`, taken once.
    unsafe { Box::from_raw(data.cast::<T>()) }
}

/// Puts `$info`, a `&str` constant of `.kmod_info` records (one a line), in
/// the module's `.kmod_info` section, for `scripts/module-info.sh`: an ID
/// table macro's half of the build ([`pci_device_table!`](crate::pci_device_table),
/// [`platform_device_table!`](crate::platform_device_table)). `$name` is the
/// static's name, one per kind of table.
///
/// The records go in a section of their own also named `.kmod_info`:
/// `#[used]` marks it `SHF_GNU_RETAIN`, so the `--gc-sections` link keeps it
/// though nothing refers to it, and the copy-out takes both. (Were it
/// dropped, the C table the bus's helper names would be undefined and
/// modpost would fail.)
#[doc(hidden)]
#[macro_export]
macro_rules! __kmod_info_records {
    ($name:ident, $info:expr) => {
        #[cfg(target_os = "none")]
        const _: () = {
            const INFO: &str = $info;
            #[no_mangle]
            #[used]
            #[link_section = ".kmod_info"]
            static $name: [u8; INFO.len()] = $crate::module::info_bytes::<{ INFO.len() }>(INFO);
        };
    };
}

extern "C" {
    fn rust_helper_driver_devm_add_action(
        dev: *mut c_void,
        action: unsafe extern "C" fn(data: *mut c_void),
        data: *mut c_void,
    ) -> c_int;
}

/// Drops the `Box<V>` whose pointer `data` is: a devres action.
///
/// # Safety
///
/// `data` is the pointer of a leaked `Box<V>`, given back once.
pub(crate) unsafe extern "C" fn drop_boxed<V>(data: *mut c_void) {
    // SAFETY: by the contract, a leaked `Box<V>`, taken back once.
    drop(unsafe { Box::from_raw(data.cast::<V>()) });
}

/// `devm_add_action_or_reset(dev, action, value)`: gives `value` to the
/// device, to be dropped by the driver core when the driver unbinds from it,
/// after the driver's `remove`, or when the probe fails. Devres releases in
/// the reverse order of acquisition. `ENOMEM` (then `value` was dropped at
/// once). May sleep.
///
/// # Safety
///
/// `dev` is a live `struct device` that the module's driver is bound to or
/// probing, under the device lock the driver core holds for probe and remove:
/// then devres releases `value` at the latest when the driver is unregistered,
/// before the module's code is gone.
pub(crate) unsafe fn devm_add<V: Send + 'static>(dev: *mut c_void, value: V) -> Result {
    let data = Box::into_raw(try_box(value)?);
    // SAFETY: `dev` is live and bound, by the contract; `drop_boxed::<V>`
    // takes exactly the leaked `Box<V>` it is given, and devres calls it
    // once (or devm_add_action_or_reset does at once, on failure).
    crate::error::to_result(unsafe { rust_helper_driver_devm_add_action(dev, drop_boxed::<V>, data.cast()) })?;
    Ok(())
}
