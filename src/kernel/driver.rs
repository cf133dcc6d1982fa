// SPDX-License-Identifier: GPL-2.0
//! What the bus drivers ([`pci`](crate::pci), [`platform`](crate::platform))
//! share: the registration of the module's driver, handing the value a
//! probe returns to C as the device's driver data and taking it back at
//! remove, device-managed values, and writing a driver's ID table into the
//! module's `.kmod_info` section.
//!
//! Each bus's C half (`helpers/pci.c`, `helpers/platform.c`) owns the
//! module's one `struct <bus>_driver` and calls Rust through a table of two
//! functions, [`Ops`], made here for each driver from the bus's [`Bus`]
//! implementation: probe, which boxes the driver's value and leaks it into
//! the device's driver data, and remove, which turns that pointer back into
//! the `Box`, lets the driver see it last, and drops it.

use alloc::boxed::Box;
use core::ffi::{c_int, c_uint, c_void};
use core::marker::PhantomData;

use crate::allocator::try_box;
use crate::context::{might_sleep, might_sleep_in_drop};
use crate::error::{code::EINVAL, to_result, Result};

/// The function table a bus's C half calls: `struct rust_pci_ops` in
/// `helpers/pci.c`, `struct rust_platform_ops` in `helpers/platform.c`
/// (same field order). `probe` gets the index of the matching entry of the
/// module's ID table (-1 for none), returns 0 and its data in `*data`, or a
/// negative errno; `remove` gets that data back, and drops it.
#[repr(C)]
pub struct Ops {
    probe: unsafe extern "C" fn(dev: *mut c_void, id_index: c_int, data: *mut *mut c_void) -> c_int,
    remove: unsafe extern "C" fn(dev: *mut c_void, data: *mut c_void),
}

/// One bus's side of a driver: how its C half registers the module's
/// driver, and how the device it passes to probe and remove becomes what
/// the bus's `Driver` trait takes. Implemented by `pci::Adapter<T>` and
/// `platform::Adapter<T>`.
///
/// # Safety
///
/// `REGISTER` registers the module's one driver of the bus with `ops` as
/// its probe and remove, so that C calls them as their contracts say (the
/// device live and locked, the driver data given back once), or fails and
/// registers nothing: `EBUSY` if the module's driver of the bus is
/// registered already. It may be called at any time with a `'static` table.
/// `UNREGISTER` undoes it, removing every bound device first.
pub unsafe trait Bus: 'static {
    /// The driver's value for one bound device: the device's driver data.
    type Data: Send + Sync + 'static;

    /// How many entries the driver's ID table has.
    const IDS: usize;

    /// The C half's function that registers the driver with `ops` and the
    /// table's length (`pci_register_driver()`, `platform_driver_register()`):
    /// 0 or a negative errno.
    const REGISTER: unsafe extern "C" fn(ops: *const Ops, ids: c_uint) -> c_int;

    /// The C half's function that unregisters the registered driver
    /// (`pci_unregister_driver()`, `platform_driver_unregister()`).
    const UNREGISTER: unsafe extern "C" fn();

    /// The driver's probe of `dev`, which matched entry `id_index` of the
    /// table (-1: none).
    ///
    /// # Safety
    ///
    /// `dev` is a live device of the bus that the module's driver is
    /// probing, with the device lock held by the driver core.
    unsafe fn probe(dev: *mut c_void, id_index: c_int) -> Result<Self::Data>;

    /// The driver's remove of `dev`, before `data` is dropped.
    ///
    /// # Safety
    ///
    /// `dev` is a live device of the bus that the module's driver is bound
    /// to, being removed, with the device lock held by the driver core.
    unsafe fn remove(dev: *mut c_void, data: &Self::Data);
}

/// The [`Ops`] of the bus side `B`.
struct Adapter<B>(PhantomData<B>);

impl<B: Bus> Adapter<B> {
    const OPS: &'static Ops = &Ops { probe: Self::probe, remove: Self::remove };

    /// # Safety
    ///
    /// As for [`Bus::probe`], and `data` is a valid place for the driver
    /// data.
    unsafe extern "C" fn probe(dev: *mut c_void, id_index: c_int, data: *mut *mut c_void) -> c_int {
        // SAFETY: `dev` is live and being probed, by the contract.
        let result = unsafe { B::probe(dev, id_index) };
        match result.and_then(try_box) {
            Ok(boxed) => {
                // SAFETY: `data` is valid for a write, by the contract.
                unsafe { *data = Box::into_raw(boxed).cast() };
                0
            }
            Err(err) => err.to_errno(),
        }
    }

    /// # Safety
    ///
    /// As for [`Bus::remove`], and `data` is the pointer the device's
    /// successful probe stored (a leaked `Box<B::Data>`), given back once.
    unsafe extern "C" fn remove(dev: *mut c_void, data: *mut c_void) {
        // SAFETY: by the contract, the leaked Box probe stored, taken once.
        let driver = unsafe { Box::from_raw(data.cast::<B::Data>()) };
        // SAFETY: `dev` is live and bound, by the contract.
        unsafe { B::remove(dev, &driver) };
        drop(driver);
    }
}

/// The module's registered driver of one bus (`pci::Registration<T>`,
/// `platform::Registration<T>`): the bus's register function
/// (`pci_register_driver()`, `platform_driver_register()`) on creation,
/// which probes the matching devices present now (and later ones as they
/// appear), and its unregister function on drop, which removes each bound
/// device first.
pub struct Registration<B: Bus> {
    _bus: PhantomData<B>,
}

impl<B: Bus> Registration<B> {
    /// Registers the module's driver of the bus (named after the module).
    /// Errors: `EBUSY` if the module registered one already (there is one
    /// per module and bus), or what the bus's register function returns. A
    /// probe that fails does not fail the registration. Process context,
    /// may sleep (`EDEADLK` in atomic context).
    #[track_caller]
    pub fn new() -> Result<Self> {
        might_sleep()?;
        let ids = c_uint::try_from(B::IDS).map_err(|_| EINVAL)?;
        // SAFETY: `OPS` is 'static; its functions keep the driver data as a
        // `Box<B::Data>`, and the C half calls them as their contracts say
        // (`Bus`'s contract).
        to_result(unsafe { (B::REGISTER)(Adapter::<B>::OPS, ids) })?;
        Ok(Registration { _bus: PhantomData })
    }
}

impl<B: Bus> Drop for Registration<B> {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // SAFETY: the driver was registered in `new` (a second registration
        // fails there); this runs once.
        unsafe { (B::UNREGISTER)() }
    }
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
    to_result(unsafe { rust_helper_driver_devm_add_action(dev, drop_boxed::<V>, data.cast()) })?;
    Ok(())
}
