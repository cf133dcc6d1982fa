// SPDX-License-Identifier: GPL-2.0
//! Platform drivers and devices: the driver model without a bus to find the
//! devices. A platform device is one the kernel is told about (by firmware
//! tables, board code, or a module that registers it) rather than one it
//! discovers; a platform driver binds to it by name.
//!
//! A module declares the device names it drives with
//! [`platform_device_table!`], which becomes both the driver's ID table and
//! the module's `MODULE_DEVICE_TABLE` (`modinfo` shows `alias:
//! platform:<name>`), implements [`Driver`], and registers it from `init`
//! with [`Registration::new`], as a PCI driver does ([`pci`](crate::pci)):
//!
//! ```ignore
//! struct MyDriver { name: String }
//!
//! kernel::platform_device_table!(MyDriver, ["my_device"]);
//!
//! impl platform::Driver for MyDriver {
//!     fn probe(dev: &platform::Device, _id: Option<&platform::DeviceId>) -> Result<Self> {
//!         dev.devm_attributes(MyAttributes::new())?;   // files under the device, removed at unbind
//!         Ok(MyDriver { name: String::from(dev.name()) })
//!     }
//! }
//!
//! let driver = platform::Registration::<MyDriver>::new()?;   // platform_driver_register
//! let device = platform::DeviceRegistration::new(c"my_device", Some(0))?; // "my_device.0", probed now
//! ```
//!
//! What a probe acquires goes back in one of two ways. A value the driver
//! keeps in its own value is dropped at remove, as for PCI. A value given to
//! the device with [`Device::devm_add`] or [`Device::devm_attributes`] is
//! device-managed ("devres"): the driver core releases it after remove, and
//! when a probe fails, the newest first.
//!
//! Underneath, `helpers/platform.c` owns the `struct platform_driver` (one
//! per module, named after it: `/sys/bus/platform/drivers/<module>/`) and
//! calls back into Rust for probe and remove; the devres parts are in
//! `helpers/driver.c` and `helpers/sysfs.c`.

use core::ffi::{c_char, c_int, c_uint, c_void, CStr};
use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::context::{might_sleep, might_sleep_in_drop};
use crate::driver::{self, Bus, Ops};
use crate::error::{code::EINVAL, Error, Result};
use crate::sysfs::{self, SysfsAttributes};

extern "C" {
    fn rust_helper_platform_register(ops: *const Ops, ids: c_uint) -> c_int;
    fn rust_helper_platform_unregister();
    fn rust_helper_platform_device(pdev: *mut c_void) -> *mut c_void;
    fn rust_helper_platform_name(pdev: *mut c_void) -> *const c_char;
    fn rust_helper_platform_id(pdev: *mut c_void) -> c_int;
    fn rust_helper_platform_device_register(name: *const c_char, id: c_int, err: *mut c_int) -> *mut c_void;
    fn rust_helper_platform_device_unregister(pdev: *mut c_void);
}

/// One entry of a driver's ID table: a device name, as C's `struct
/// platform_device_id`'s `name`. It matches every device of that name,
/// whatever its instance number (`my_device`, `my_device.0`, `my_device.1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceId {
    /// The device name (at most 19 bytes: `PLATFORM_NAME_SIZE` with its NUL).
    pub name: &'static str,
}

impl DeviceId {
    /// The entry for devices named `name`.
    pub const fn new(name: &'static str) -> Self {
        DeviceId { name }
    }
}

/// The device names a driver binds to. Implemented by
/// [`platform_device_table!`], which also makes the table the module's
/// `MODULE_DEVICE_TABLE`; a driver does not implement it by hand.
pub trait DeviceTable {
    /// The entries, in the order of the C table.
    const IDS: &'static [DeviceId];
}

/// Declares the platform device names `$driver` binds to, as string
/// literals:
///
/// ```ignore
/// kernel::platform_device_table!(MyDriver, ["my_device"]);
/// ```
///
/// It implements [`DeviceTable`] for the driver, and puts one `platform_id`
/// record per entry in the module's `.kmod_info` section, from which
/// `scripts/module-info.sh` writes the C table `rust_platform_id_table` and
/// its `MODULE_DEVICE_TABLE(platform, ...)` (`modinfo`: `alias:
/// platform:my_device`). A name longer than 19 bytes, or with other
/// characters than letters, digits, `_`, `-` and `.`, fails the build. One
/// table per module.
#[macro_export]
macro_rules! platform_device_table {
    ($driver:ty, [ $($name:literal),+ $(,)? ]) => {
        impl $crate::platform::DeviceTable for $driver {
            const IDS: &'static [$crate::platform::DeviceId] = &[$($crate::platform::DeviceId::new($name)),+];
        }

        const _: () = ::core::assert!(
            true $(&& $crate::platform::valid_id_name($name))+,
            "platform_device_table!: a name must be 1 to 19 bytes of letters, digits, `_`, `-` and `.`"
        );

        $crate::__kmod_info_records!(__kmod_info_platform, ::core::concat!($("platform_id|", $name, "\n"),+));
    };
}

/// Whether `name` fits a `struct platform_device_id` (at most 19 bytes and
/// a NUL) and is made of letters, digits, `_`, `-` and `.`.
#[doc(hidden)]
pub const fn valid_id_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > 19 {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if !(bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'-' | b'.')) {
            return false;
        }
        i += 1;
    }
    true
}

/// A platform driver: what it does when a device of its table is bound to it
/// (probe) and when it goes (remove).
pub trait Driver: DeviceTable + Send + Sync + Sized + 'static {
    /// `probe`: set up `dev`, which matched `id` of the table (`None` for a
    /// device bound through its `driver_override`). The value returned is
    /// the device's driver data until remove. An error leaves the device
    /// unbound; what the probe acquired is dropped, and its devres released.
    /// Process context, may sleep.
    fn probe(dev: &Device, id: Option<&DeviceId>) -> Result<Self>;

    /// `remove`: runs before the driver's value is dropped, and before the
    /// device's devres is released. Process context, may sleep. The default
    /// does nothing.
    fn remove(&self, _dev: &Device) {}
}

/// The module's platform driver, registered: `platform_driver_register()`
/// on [`new`](crate::driver::Registration::new),
/// `platform_driver_unregister()` on drop
/// ([`driver::Registration`](crate::driver::Registration)).
pub type Registration<T> = crate::driver::Registration<Adapter<T>>;

/// The platform side of the driver `T`, for [`Registration`].
pub struct Adapter<T>(PhantomData<T>);

// SAFETY: helpers/platform.c's register and unregister keep `Bus`'s contract
// (see its opening comment).
unsafe impl<T: Driver> Bus for Adapter<T> {
    type Data = T;
    const IDS: usize = T::IDS.len();

    const REGISTER: unsafe extern "C" fn(*const Ops, c_uint) -> c_int = rust_helper_platform_register;
    const UNREGISTER: unsafe extern "C" fn() = rust_helper_platform_unregister;

    unsafe fn probe(pdev: *mut c_void, id_index: c_int) -> Result<T> {
        // SAFETY: `pdev` is live, being probed by this driver, under the
        // device lock, for the call (the contract): the value lives only in
        // this call.
        let dev = unsafe { Device::from_raw(pdev) }.ok_or(EINVAL)?;
        let id = usize::try_from(id_index).ok().and_then(|i| T::IDS.get(i));
        T::probe(&dev, id)
    }

    unsafe fn remove(pdev: *mut c_void, driver: &T) {
        // SAFETY: `pdev` is live, bound to this driver and being removed,
        // under the device lock, for the call (the contract).
        if let Some(dev) = unsafe { Device::from_raw(pdev) } {
            driver.remove(&dev);
        }
    }
}

/// A platform device (`struct platform_device`) that the module's driver is
/// probing or is bound to, lent to [`Driver::probe`] and [`Driver::remove`]
/// for the length of the call.
///
/// It cannot be cloned, kept or sent to another thread: device-managed
/// resources ([`devm_add`](Device::devm_add),
/// [`devm_attributes`](Device::devm_attributes)) may only be added while the
/// driver is bound, or the driver core would release them only when the
/// device is freed, which may be after the module is gone. Keep what the
/// driver needs later (its name, say) in the driver's value.
///
/// # Invariants
///
/// `raw` points to a live `struct platform_device` that the module's driver
/// is probing or bound to, with the device lock held by the driver core, for
/// as long as this value exists (it exists only inside a probe or remove
/// call, on that call's thread).
pub struct Device {
    raw: NonNull<c_void>,
    /// Neither `Send` nor `Sync`: the value stays on the thread of the call.
    _not_send: PhantomData<*mut ()>,
}

impl Device {
    /// # Safety
    ///
    /// `pdev` is null or a live `struct platform_device` the module's driver
    /// is probing or bound to, with the device lock held, for as long as the
    /// value exists.
    unsafe fn from_raw(pdev: *mut c_void) -> Option<Self> {
        Some(Device { raw: NonNull::new(pdev)?, _not_send: PhantomData })
    }

    fn ptr(&self) -> *mut c_void {
        self.raw.as_ptr()
    }

    /// The generic `struct device` inside (`&pdev->dev`).
    fn as_device_ptr(&self) -> *mut c_void {
        // SAFETY: `raw` is live (the invariant).
        unsafe { rust_helper_platform_device(self.ptr()) }
    }

    /// The device's name in sysfs (`dev_name(&pdev->dev)`), such as
    /// `my_device.0`. Any context.
    pub fn name(&self) -> &str {
        // SAFETY: `raw` is live; the name is NUL-terminated and lives as long
        // as the device, so as long as `self`.
        let name = unsafe { CStr::from_ptr(rust_helper_platform_name(self.ptr())) };
        name.to_str().unwrap_or("?")
    }

    /// The instance number the device was registered with (`pdev->id`), or
    /// `None` for a device registered without one (`PLATFORM_DEVID_NONE`).
    /// Any context.
    pub fn id(&self) -> Option<u32> {
        // SAFETY: `raw` is live (the invariant).
        u32::try_from(unsafe { rust_helper_platform_id(self.ptr()) }).ok()
    }

    /// `devm_add_action_or_reset()`: gives `value` to the device; the driver
    /// core drops it when the driver unbinds, after [`Driver::remove`] (and
    /// after the driver's value is dropped), or when the probe fails.
    /// Device-managed resources are released the newest first. `ENOMEM`
    /// (then `value` is dropped at once), `EDEADLK` in atomic context. May
    /// sleep.
    #[track_caller]
    pub fn devm_add<V: Send + 'static>(&self, value: V) -> Result {
        might_sleep()?;
        // SAFETY: the device is live and the driver is probing or bound to
        // it, under the device lock (the invariant).
        unsafe { driver::devm_add(self.as_device_ptr(), value) }
    }

    /// Adds the files of `A::ATTRIBUTES` to the device's directory
    /// (`/sys/bus/platform/devices/<name>/`), shown and stored by `data` as
    /// for a [`SysfsDir`](crate::sysfs::SysfsDir), device-managed: the
    /// structures (`devm_kzalloc()`), the data (a devres action that drops
    /// it) and the files (`devm_device_add_group()`). At unbind the driver
    /// core removes the files after [`Driver::remove`], waiting for every
    /// show and store in progress, then drops `data`.
    ///
    /// `EINVAL` for invalid or duplicate attribute names, `EEXIST` if the
    /// device has a file of that name, `ENOMEM`; `EDEADLK` in atomic
    /// context. May sleep.
    #[track_caller]
    pub fn devm_attributes<A: SysfsAttributes>(&self, data: A) -> Result {
        might_sleep()?;
        // SAFETY: the device is live and the driver is probing or bound to
        // it, under the device lock (the invariant).
        unsafe { sysfs::devm_add_attributes(self.as_device_ptr(), data) }
    }
}

/// A platform device the module registers itself
/// (`platform_device_register_simple()`), without resources; unregistered
/// (`platform_device_unregister()`, which may sleep) on drop, which first
/// removes it from the driver bound to it. Its name in sysfs is `<name>`
/// without an instance number, `<name>.<id>` with one.
///
/// # Invariants
///
/// `raw` is a `struct platform_device` this value registered, and holds the
/// registration's reference until drop.
pub struct DeviceRegistration {
    raw: NonNull<c_void>,
}

// SAFETY: the registration may be dropped (unregistered) on any thread; the
// driver core locks what it needs.
unsafe impl Send for DeviceRegistration {}
// SAFETY: `&DeviceRegistration` only reads the device's name.
unsafe impl Sync for DeviceRegistration {}

impl DeviceRegistration {
    /// Registers a platform device named `name` (copied), instance `id`
    /// (`None`: `PLATFORM_DEVID_NONE`); a driver whose table has `name` is
    /// probed for it at once. `EINVAL` for an `id` above `i32::MAX`,
    /// `EEXIST` if a device of that name and instance exists (the kernel
    /// logs a warning with a stack trace about it), `ENOMEM`; or the error
    /// of `platform_device_add()`. A probe that fails does not fail the
    /// registration. Process context, may sleep (`EDEADLK` in atomic
    /// context).
    #[track_caller]
    pub fn new(name: &CStr, id: Option<u32>) -> Result<Self> {
        might_sleep()?;
        let id = match id {
            Some(id) => c_int::try_from(id).map_err(|_| EINVAL)?,
            None => -1,
        };
        let mut err = 0;
        // SAFETY: `name` is NUL-terminated (copied by the kernel); `err` is
        // a valid place.
        let pdev = unsafe { rust_helper_platform_device_register(name.as_ptr(), id, &mut err) };
        match NonNull::new(pdev) {
            Some(raw) => Ok(DeviceRegistration { raw }),
            None => Err(Error::from_errno(err)),
        }
    }

    /// The device's name in sysfs, such as `my_device.0`.
    pub fn name(&self) -> &str {
        // SAFETY: `raw` is registered until drop (the invariant); its name
        // lives as long.
        let name = unsafe { CStr::from_ptr(rust_helper_platform_name(self.raw.as_ptr())) };
        name.to_str().unwrap_or("?")
    }
}

impl Drop for DeviceRegistration {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // SAFETY: registered in `new` (the invariant), unregistered once.
        unsafe { rust_helper_platform_device_unregister(self.raw.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TwoNames;
    crate::platform_device_table!(TwoNames, ["rust_a", "rust_b"]);

    #[test]
    fn platform_device_table_lists_its_names_in_order() {
        assert_eq!(<TwoNames as DeviceTable>::IDS, &[DeviceId::new("rust_a"), DeviceId::new("rust_b")]);
    }

    #[test]
    fn valid_id_name_accepts_up_to_19_bytes_of_name_characters() {
        assert!(valid_id_name("rust_platform"));
        assert!(valid_id_name("a-b.c_9"));
        assert!(valid_id_name("0123456789abcdefghi"));
    }

    #[test]
    fn valid_id_name_rejects_empty_long_and_odd_names() {
        assert!(!valid_id_name(""));
        assert!(!valid_id_name("0123456789abcdefghij"));
        assert!(!valid_id_name("a b"));
        assert!(!valid_id_name("a|b"));
        assert!(!valid_id_name("a\"b"));
    }
}
