// SPDX-License-Identifier: GPL-2.0
//! PCI drivers: an ID table, probe and remove, and what a probe acquires on
//! its device (enabling it, its regions, bus mastering, the DMA mask, a
//! mapped BAR, interrupt vectors), each released when its value is dropped.
//!
//! A module declares the devices it drives with [`pci_device_table!`], which
//! becomes both the driver's ID table and the module's `MODULE_DEVICE_TABLE`
//! (`modinfo` shows `alias: pci:v00001234d000011E8sv*sd*bc*sc*i*`, and udev
//! loads the module when such a device appears), implements [`Driver`], and
//! registers it from `init` with [`Registration::new`]:
//!
//! ```ignore
//! struct MyDriver { regs: Bar<256>, _regions: Regions, _enabled: Enabled }
//!
//! kernel::pci_device_table!(MyDriver, [(0x1234, 0x11e8)]);
//!
//! impl pci::Driver for MyDriver {
//!     fn probe(dev: &pci::Device, _id: &pci::DeviceId) -> Result<Self> {
//!         let enabled = dev.enable()?;              // pci_enable_device
//!         let regions = dev.request_regions()?;     // pci_request_regions
//!         let regs = dev.iomap::<256>(0)?;          // pci_iomap of BAR 0
//!         let id = regs.read32::<0x00>();           // offset checked at compile time
//!         Ok(MyDriver { regs, _regions: regions, _enabled: enabled })
//!     }
//! }
//! ```
//!
//! Everything a probe acquires is a value whose `Drop` gives it back
//! (`pci_disable_device`, `pci_release_regions`, `pci_clear_master`,
//! `pci_iounmap`, `pci_free_irq_vectors`). A probe that fails with `?` drops
//! the locals it had, in reverse order; on remove (`rmmod`, a sysfs unbind)
//! the driver's value is dropped, its fields in the order they are declared:
//! declare them in the reverse order of acquisition (the interrupt handler
//! first, the enabled device last).
//!
//! Underneath, `helpers/pci.c` owns the `struct pci_driver` (one per module,
//! named after it: `/sys/bus/pci/drivers/<module>/`) and calls back into
//! Rust for probe and remove. Each resource holds a reference on the `struct
//! pci_dev` (`pci_dev_get`), so even one kept past remove refers to a live
//! structure; its register accesses then reach a disabled device, which is
//! harmless but useless: drop everything in remove.

use core::ffi::{c_char, c_int, c_uint, c_void, CStr};
use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::context::might_sleep_in_drop;
use crate::driver::{Bus, Ops};
use crate::error::{code::EINVAL, to_result, Error, Result};

extern "C" {
    fn rust_helper_pci_register(ops: *const Ops, ids: c_uint) -> c_int;
    fn rust_helper_pci_unregister();
    fn rust_helper_pci_dev_get(pdev: *mut c_void) -> *mut c_void;
    fn rust_helper_pci_dev_put(pdev: *mut c_void);
    fn rust_helper_pci_ids(pdev: *mut c_void, vendor: *mut u16, device: *mut u16, revision: *mut u8);
    fn rust_helper_pci_name(pdev: *mut c_void) -> *const c_char;
    pub(crate) fn rust_helper_pci_device(pdev: *mut c_void) -> *mut c_void;
    fn rust_helper_pci_enable_device(pdev: *mut c_void) -> c_int;
    fn rust_helper_pci_disable_device(pdev: *mut c_void);
    fn rust_helper_pci_request_regions(pdev: *mut c_void) -> c_int;
    fn rust_helper_pci_release_regions(pdev: *mut c_void);
    fn rust_helper_pci_set_master(pdev: *mut c_void);
    fn rust_helper_pci_clear_master(pdev: *mut c_void);
    fn rust_helper_pci_dma_set_mask_and_coherent(pdev: *mut c_void, bits: c_uint) -> c_int;
    fn rust_helper_pci_iomap(pdev: *mut c_void, bar: c_int, size: usize, err: *mut c_int) -> *mut c_void;
    fn rust_helper_pci_iounmap(pdev: *mut c_void, addr: *mut c_void);
    fn rust_helper_pci_ioread32(addr: *const c_void) -> u32;
    fn rust_helper_pci_iowrite32(value: u32, addr: *mut c_void);
    fn rust_helper_pci_alloc_irq_vectors(pdev: *mut c_void, min: c_uint, max: c_uint, msi: bool, intx: bool) -> c_int;
    fn rust_helper_pci_free_irq_vectors(pdev: *mut c_void);
    fn rust_helper_pci_irq_vector(pdev: *mut c_void, nr: c_uint) -> c_int;
    fn rust_helper_pci_msi_enabled(pdev: *mut c_void) -> bool;
}

/// One entry of a driver's ID table: a vendor and device ID (any subsystem
/// IDs, any class), as C's `PCI_DEVICE(vendor, device)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceId {
    /// The vendor ID (`PCI_VENDOR_ID`, config space offset 0).
    pub vendor: u16,
    /// The device ID (`PCI_DEVICE_ID`, config space offset 2).
    pub device: u16,
}

impl DeviceId {
    /// The entry for `vendor`:`device`.
    pub const fn new(vendor: u16, device: u16) -> Self {
        DeviceId { vendor, device }
    }
}

/// The devices a driver binds to. Implemented by [`pci_device_table!`],
/// which also makes the table the module's `MODULE_DEVICE_TABLE`; a driver
/// does not implement it by hand.
pub trait DeviceTable {
    /// The entries, in the order of the C table.
    const IDS: &'static [DeviceId];
}

/// Declares the PCI devices `$driver` binds to, as `(vendor, device)` pairs
/// of integer literals:
///
/// ```ignore
/// kernel::pci_device_table!(EduDriver, [(0x1234, 0x11e8)]);
/// ```
///
/// It implements [`DeviceTable`] for the driver, and puts one `pci_id`
/// record per entry in the module's `.kmod_info` section, from which
/// `scripts/module-info.sh` writes the C table `rust_pci_id_table` and its
/// `MODULE_DEVICE_TABLE(pci, ...)`: the table the kernel matches devices
/// against is that one, so `modinfo` and udev see exactly what the driver
/// declares. One table per module.
#[macro_export]
macro_rules! pci_device_table {
    ($driver:ty, [ $( ($vendor:literal, $device:literal) ),+ $(,)? ]) => {
        impl $crate::pci::DeviceTable for $driver {
            const IDS: &'static [$crate::pci::DeviceId] = &[$($crate::pci::DeviceId::new($vendor, $device)),+];
        }

        $crate::__kmod_info_records!(
            __kmod_info_pci,
            ::core::concat!($("pci_id|", ::core::stringify!($vendor), "|", ::core::stringify!($device), "\n"),+)
        );
    };
}

/// A PCI driver: what it does when a device of its table appears (probe) and
/// when it goes (remove).
pub trait Driver: DeviceTable + Send + Sync + Sized + 'static {
    /// `probe`: set up `dev`, which matched `id` of the table (for an ID
    /// added through `/sys/bus/pci/drivers/<module>/new_id`, the device's own
    /// IDs). The value returned is the device's driver data until remove. An
    /// error leaves the device unbound; what the probe acquired is dropped.
    /// Process context, may sleep.
    fn probe(dev: &Device, id: &DeviceId) -> Result<Self>;

    /// `remove`: runs before the driver's value is dropped, for work that
    /// must come before the drops (stopping the device). Process context,
    /// may sleep. The default does nothing.
    fn remove(&self, _dev: &Device) {}
}

/// The module's PCI driver, registered: `pci_register_driver()` on
/// [`new`](crate::driver::Registration::new), `pci_unregister_driver()` on
/// drop ([`driver::Registration`](crate::driver::Registration)).
pub type Registration<T> = crate::driver::Registration<Adapter<T>>;

/// The PCI side of the driver `T`, for [`Registration`].
pub struct Adapter<T>(PhantomData<T>);

// SAFETY: helpers/pci.c's register and unregister keep `Bus`'s contract
// (see its opening comment).
unsafe impl<T: Driver> Bus for Adapter<T> {
    type Data = T;
    const IDS: usize = T::IDS.len();

    const REGISTER: unsafe extern "C" fn(*const Ops, c_uint) -> c_int = rust_helper_pci_register;
    const UNREGISTER: unsafe extern "C" fn() = rust_helper_pci_unregister;

    unsafe fn probe(pdev: *mut c_void, id_index: c_int) -> Result<T> {
        // SAFETY: `pdev` is live for the call, by the contract.
        let dev = unsafe { Device::from_raw(pdev) }.ok_or(EINVAL)?;
        let id = usize::try_from(id_index)
            .ok()
            .and_then(|i| T::IDS.get(i).copied())
            .unwrap_or(DeviceId::new(dev.vendor_id(), dev.device_id()));
        T::probe(&dev, &id)
    }

    unsafe fn remove(pdev: *mut c_void, driver: &T) {
        // SAFETY: `pdev` is live for the call, by the contract.
        if let Some(dev) = unsafe { Device::from_raw(pdev) } {
            driver.remove(&dev);
        }
    }
}

/// A PCI device (`struct pci_dev`), held by a reference (`pci_dev_get`,
/// `pci_dev_put` on drop); `Clone` takes another.
///
/// # Invariants
///
/// `raw` points to a `struct pci_dev` on which this value holds a reference.
pub struct Device {
    raw: NonNull<c_void>,
}

// SAFETY: a reference on a pci_dev may be used and dropped on any thread; the
// calls made through it are the kernel's, which lock what they need.
unsafe impl Send for Device {}
// SAFETY: every method takes `&self` and is safe to call concurrently (the
// kernel serialises what it must; the driver core calls probe and remove of
// one device one at a time).
unsafe impl Sync for Device {}

impl Device {
    /// Takes a reference on `pdev`.
    ///
    /// # Safety
    ///
    /// `pdev` is null or points to a live `struct pci_dev`.
    unsafe fn from_raw(pdev: *mut c_void) -> Option<Self> {
        // SAFETY: `pdev` is live, by the contract; pci_dev_get(NULL) is NULL.
        let raw = NonNull::new(unsafe { rust_helper_pci_dev_get(pdev) })?;
        Some(Device { raw })
    }

    fn ptr(&self) -> *mut c_void {
        self.raw.as_ptr()
    }

    /// The generic `struct device` inside (`&pdev->dev`), for the DMA API.
    pub(crate) fn as_device_ptr(&self) -> *mut c_void {
        // SAFETY: `raw` is live (the invariant).
        unsafe { rust_helper_pci_device(self.ptr()) }
    }

    fn ids(&self) -> (u16, u16, u8) {
        let (mut vendor, mut device, mut revision) = (0, 0, 0);
        // SAFETY: `raw` is live (the invariant); the outputs are valid places.
        unsafe { rust_helper_pci_ids(self.ptr(), &mut vendor, &mut device, &mut revision) };
        (vendor, device, revision)
    }

    /// The vendor ID (`pdev->vendor`).
    pub fn vendor_id(&self) -> u16 {
        self.ids().0
    }

    /// The device ID (`pdev->device`).
    pub fn device_id(&self) -> u16 {
        self.ids().1
    }

    /// The revision (`pdev->revision`).
    pub fn revision(&self) -> u8 {
        self.ids().2
    }

    /// The device's address on the bus, such as `0000:00:04.0` (`pci_name`).
    pub fn name(&self) -> &str {
        // SAFETY: `raw` is live; pci_name() returns its NUL-terminated name,
        // which lives as long as the device, and so as long as `self`.
        let name = unsafe { CStr::from_ptr(rust_helper_pci_name(self.ptr())) };
        name.to_str().unwrap_or("?")
    }

    /// `pci_enable_device`: wakes the device and enables its memory and I/O
    /// decoding; dropping the result calls `pci_disable_device`. Errors are
    /// `pci_enable_device`'s (`EIO`, `ENODEV`...). May sleep.
    pub fn enable(&self) -> Result<Enabled> {
        // SAFETY: `raw` is live (the invariant).
        to_result(unsafe { rust_helper_pci_enable_device(self.ptr()) })?;
        Ok(Enabled { dev: self.clone() })
    }

    /// `pci_request_regions`: claims all the device's BARs in the module's
    /// name (`/proc/iomem`); dropping the result calls
    /// `pci_release_regions`. `EBUSY` if another driver holds one. May sleep.
    pub fn request_regions(&self) -> Result<Regions> {
        // SAFETY: `raw` is live (the invariant).
        to_result(unsafe { rust_helper_pci_request_regions(self.ptr()) })?;
        Ok(Regions { dev: self.clone() })
    }

    /// `pci_set_master`: lets the device start DMA; dropping the result
    /// calls `pci_clear_master`. May sleep (config space access).
    pub fn set_master(&self) -> BusMaster {
        // SAFETY: `raw` is live (the invariant).
        unsafe { rust_helper_pci_set_master(self.ptr()) };
        BusMaster { dev: self.clone() }
    }

    /// `dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(bits))`: the
    /// device can address `bits` bits of bus address, for streaming and
    /// coherent DMA. `EINVAL` for 0 or more than 64 bits, `EIO` if the
    /// platform cannot honour the mask.
    pub fn dma_set_mask_and_coherent(&self, bits: u32) -> Result {
        // SAFETY: `raw` is live (the invariant).
        to_result(unsafe { rust_helper_pci_dma_set_mask_and_coherent(self.ptr(), bits) })?;
        Ok(())
    }

    /// `pci_iomap`: maps the first `SIZE` bytes of memory BAR `bar` (0-5)
    /// for register access. `EINVAL` for a bad BAR number, `ENODEV` if the
    /// BAR is not memory or smaller than `SIZE`, `ENOMEM` if mapping fails.
    /// Request the regions first. May sleep.
    pub fn iomap<const SIZE: usize>(&self, bar: u32) -> Result<Bar<SIZE>> {
        let bar = c_int::try_from(bar).map_err(|_| EINVAL)?;
        let mut err = 0;
        // SAFETY: `raw` is live (the invariant); `err` is a valid place.
        let addr = unsafe { rust_helper_pci_iomap(self.ptr(), bar, SIZE, &mut err) };
        match NonNull::new(addr) {
            Some(addr) => Ok(Bar { dev: self.clone(), addr }),
            None => Err(Error::from_errno(err)),
        }
    }

    /// `pci_alloc_irq_vectors(dev, min, max, flags)`: between `min` and
    /// `max` interrupt vectors, of the kinds `kinds` allows (MSI first, then
    /// INTx: the PCI core tries them in that order). Dropping the result
    /// calls `pci_free_irq_vectors`. `ENOSPC` if fewer than `min` are to be
    /// had, `EINVAL` for `min` 0 or above `max`. May sleep.
    pub fn alloc_irq_vectors(&self, min: u32, max: u32, kinds: IrqKinds) -> Result<IrqVectors> {
        if min == 0 || min > max {
            return Err(EINVAL);
        }
        // SAFETY: `raw` is live (the invariant).
        let count =
            to_result(unsafe { rust_helper_pci_alloc_irq_vectors(self.ptr(), min, max, kinds.msi, kinds.intx) })?;
        Ok(IrqVectors { dev: self.clone(), count: count as u32 })
    }
}

impl Clone for Device {
    fn clone(&self) -> Self {
        // SAFETY: `raw` is live (the invariant), so pci_dev_get returns it.
        unsafe { rust_helper_pci_dev_get(self.ptr()) };
        Device { raw: self.raw }
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        // SAFETY: this value's reference (the invariant), given back once.
        unsafe { rust_helper_pci_dev_put(self.ptr()) }
    }
}

/// An enabled device; `pci_disable_device` on drop.
pub struct Enabled {
    dev: Device,
}

impl Drop for Enabled {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // SAFETY: enabled in `Device::enable`, disabled once, here.
        unsafe { rust_helper_pci_disable_device(self.dev.ptr()) }
    }
}

/// The device's claimed regions; `pci_release_regions` on drop.
pub struct Regions {
    dev: Device,
}

impl Drop for Regions {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // SAFETY: requested in `Device::request_regions`, released once.
        unsafe { rust_helper_pci_release_regions(self.dev.ptr()) }
    }
}

/// Bus mastering on; `pci_clear_master` on drop.
pub struct BusMaster {
    dev: Device,
}

impl Drop for BusMaster {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // SAFETY: the device is live (its reference is held).
        unsafe { rust_helper_pci_clear_master(self.dev.ptr()) }
    }
}

/// Whether `offset` is a 4-byte-aligned offset of a `u32` inside `size`
/// bytes.
pub const fn u32_fits(offset: usize, size: usize) -> bool {
    offset.is_multiple_of(4) && offset < size && size - offset >= 4
}

/// The first `SIZE` bytes of a memory BAR, mapped (`pci_iomap`); unmapped
/// (`pci_iounmap`) on drop. Registers are read and written with 32-bit
/// accesses (`ioread32`, `iowrite32`), little-endian as PCI is; none of
/// them sleeps, so a `Bar` may be used in hard-IRQ context.
///
/// [`read32`](Bar::read32) and [`write32`](Bar::write32) take the offset as
/// a constant and check it when the program is compiled: an offset that is
/// not 4-byte aligned or not inside `SIZE` bytes does not build.
/// [`try_read32`](Bar::try_read32) and [`try_write32`](Bar::try_write32)
/// check an offset known only at run time and fail with `EINVAL`.
///
/// # Invariants
///
/// `addr` is the mapping of at least `SIZE` bytes of a memory BAR of `dev`,
/// live until drop.
pub struct Bar<const SIZE: usize> {
    dev: Device,
    addr: NonNull<c_void>,
}

// SAFETY: MMIO through the mapping may be done from any thread at once (each
// access is one ioread32/iowrite32); the mapping is unmapped only in Drop.
unsafe impl<const SIZE: usize> Send for Bar<SIZE> {}
// SAFETY: as above: `&Bar` only allows single 32-bit accesses.
unsafe impl<const SIZE: usize> Sync for Bar<SIZE> {}

impl<const SIZE: usize> Bar<SIZE> {
    /// How many bytes are mapped.
    pub const SIZE: usize = SIZE;

    fn at(&self, offset: usize) -> *mut c_void {
        self.addr.as_ptr().cast::<u8>().wrapping_add(offset).cast()
    }

    /// `ioread32` of the register at `OFFSET`, checked at compile time.
    /// Any context.
    pub fn read32<const OFFSET: usize>(&self) -> u32 {
        const { assert!(u32_fits(OFFSET, SIZE), "read32: offset not 4-byte aligned or beyond the BAR's SIZE") };
        // SAFETY: the mapping is live and OFFSET..OFFSET+4 is inside it (the
        // invariant and the assertion above).
        unsafe { rust_helper_pci_ioread32(self.at(OFFSET)) }
    }

    /// `iowrite32` of `value` to the register at `OFFSET`, checked at
    /// compile time. Any context.
    pub fn write32<const OFFSET: usize>(&self, value: u32) {
        const { assert!(u32_fits(OFFSET, SIZE), "write32: offset not 4-byte aligned or beyond the BAR's SIZE") };
        // SAFETY: as in read32.
        unsafe { rust_helper_pci_iowrite32(value, self.at(OFFSET)) }
    }

    /// `ioread32` at `offset`, checked at run time: `EINVAL` if it is not
    /// 4-byte aligned or not inside `SIZE` bytes. Any context.
    pub fn try_read32(&self, offset: usize) -> Result<u32> {
        if !u32_fits(offset, SIZE) {
            return Err(EINVAL);
        }
        // SAFETY: the mapping is live and offset..offset+4 is inside it.
        Ok(unsafe { rust_helper_pci_ioread32(self.at(offset)) })
    }

    /// `iowrite32` at `offset`, checked at run time: `EINVAL` if it is not
    /// 4-byte aligned or not inside `SIZE` bytes. Any context.
    pub fn try_write32(&self, offset: usize, value: u32) -> Result {
        if !u32_fits(offset, SIZE) {
            return Err(EINVAL);
        }
        // SAFETY: the mapping is live and offset..offset+4 is inside it.
        unsafe { rust_helper_pci_iowrite32(value, self.at(offset)) };
        Ok(())
    }
}

impl<const SIZE: usize> Drop for Bar<SIZE> {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // SAFETY: `addr` is this device's mapping (the invariant), unmapped once.
        unsafe { rust_helper_pci_iounmap(self.dev.ptr(), self.addr.as_ptr()) }
    }
}

/// Which kinds of interrupt [`Device::alloc_irq_vectors`] may use
/// (`PCI_IRQ_MSI`, `PCI_IRQ_INTX`, called `PCI_IRQ_LEGACY` before 6.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IrqKinds {
    msi: bool,
    intx: bool,
}

impl IrqKinds {
    /// MSI only.
    pub const MSI: IrqKinds = IrqKinds { msi: true, intx: false };
    /// The legacy INTx pin only.
    pub const INTX: IrqKinds = IrqKinds { msi: false, intx: true };
    /// MSI if the device and the platform can, else INTx.
    pub const MSI_OR_INTX: IrqKinds = IrqKinds { msi: true, intx: true };
}

/// A device's allocated interrupt vectors; `pci_free_irq_vectors` on drop.
/// Drop every [`irq::Registration`](crate::irq::Registration) on them first
/// (declare those fields before this one).
pub struct IrqVectors {
    dev: Device,
    count: u32,
}

impl IrqVectors {
    /// How many vectors were allocated.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// Whether they are MSI (`pdev->msi_enabled`) rather than INTx.
    pub fn is_msi(&self) -> bool {
        // SAFETY: the device is live (its reference is held).
        unsafe { rust_helper_pci_msi_enabled(self.dev.ptr()) }
    }

    /// The Linux IRQ number of vector `index` (`pci_irq_vector`), as
    /// `/proc/interrupts` shows it. `EINVAL` if `index` is not below
    /// [`count`](IrqVectors::count).
    pub fn irq(&self, index: u32) -> Result<u32> {
        if index >= self.count {
            return Err(EINVAL);
        }
        // SAFETY: the device is live and its vectors allocated.
        let irq = to_result(unsafe { rust_helper_pci_irq_vector(self.dev.ptr(), index) })?;
        Ok(irq as u32)
    }
}

impl Drop for IrqVectors {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // SAFETY: allocated in `alloc_irq_vectors`, freed once.
        unsafe { rust_helper_pci_free_irq_vectors(self.dev.ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TwoDevices;
    crate::pci_device_table!(TwoDevices, [(0x1234, 0x11e8), (0x1af4, 0x1000)]);

    #[test]
    fn pci_device_table_lists_its_entries_in_order() {
        assert_eq!(<TwoDevices as DeviceTable>::IDS, &[DeviceId::new(0x1234, 0x11e8), DeviceId::new(0x1af4, 0x1000)]);
    }

    #[test]
    fn u32_fits_accepts_aligned_offsets_inside_the_bar() {
        assert!(u32_fits(0, 4));
        assert!(u32_fits(0x9c, 0x100));
        assert!(u32_fits(0xfc, 0x100));
    }

    #[test]
    fn u32_fits_rejects_unaligned_and_out_of_range_offsets() {
        assert!(!u32_fits(2, 0x100));
        assert!(!u32_fits(0x100, 0x100));
        assert!(!u32_fits(0, 2));
        assert!(!u32_fits(usize::MAX - 3, 0x100));
    }
}
