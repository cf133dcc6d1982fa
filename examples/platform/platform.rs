// SPDX-License-Identifier: GPL-2.0
//! rust_platform: a platform driver, and the two platform devices it binds,
//! which the module registers itself. Each bound device gets a `level`
//! setting in sysfs, in the device's own directory, that lives as long as
//! the driver is bound to that device:
//!
//! ```text
//! # insmod rust_platform.ko
//! rust_platform: rust_platform.0: probed (matched rust_platform)
//! rust_platform: rust_platform.1: probed (matched rust_platform)
//! rust_platform: driver registered, 2 devices
//! # ls /sys/bus/platform/drivers/rust_platform/
//! bind  module  rust_platform.0  rust_platform.1  uevent  unbind
//! # cd /sys/bus/platform/devices/rust_platform.0/
//! # readlink driver
//! ../../../bus/platform/drivers/rust_platform
//! # cat level stores
//! 50
//! 0
//! # echo 42 > level; cat level stores
//! 42
//! 1
//! # echo 101 > level
//! sh: write error: Invalid argument
//! # echo rust_platform.0 > /sys/bus/platform/drivers/rust_platform/unbind
//! rust_platform: rust_platform.0: remove: level 42 after 1 store(s)
//! rust_platform: rust_platform.0: devm: the attributes' state is freed
//! rust_platform: rust_platform.0: devm: unbound, 1 device(s) still bound
//! # ls level
//! ls: level: No such file or directory
//! # echo rust_platform.0 > /sys/bus/platform/drivers/rust_platform/bind
//! rust_platform: rust_platform.0: probed (matched rust_platform)
//! # cat level
//! 50
//! ```
//!
//! What a probe sets up goes back in two ways. The driver's value (one per
//! bound device) is dropped at remove, right after [`platform::Driver::remove`]
//! runs. What the probe gave to the device ("devres", device-managed
//! resources) the driver core releases after remove, the newest first: the
//! `level` and `stores` files, then the state behind them, then the count of
//! bound devices the probe took first.
//!
//! - `level` (0644): a number from 0 to 100, 50 at probe. Anything else
//!   written fails with `EINVAL` and leaves it, and `stores`, as they were.
//! - `stores` (0444): how many writes to `level` were taken; writing it
//!   fails with `EACCES`, even for root.

#![no_std]

use core::fmt::Write;
use core::sync::atomic::{AtomicU32, Ordering};

use kernel::platform::{self, DeviceRegistration};
use kernel::prelude::*;
use kernel::sysfs::{parse_int, Attribute, ShowBuffer, SysfsAttributes};

module! {
    type: PlatformModule,
    author: "Rust kernel module template",
    description: "A platform driver and two platform devices: probe, remove, devm resources, device attributes",
}

/// The highest `level`, and its value at probe.
const LEVEL_MAX: u32 = 100;
const LEVEL_AT_PROBE: u32 = 50;

/// How many devices the driver is bound to, across the module.
static BOUND: AtomicU32 = AtomicU32::new(0);

/// A copy of `text` on the heap (`ENOMEM` if it cannot be allocated).
fn copy(text: &str) -> Result<String> {
    let mut out = String::new();
    out.try_reserve_exact(text.len())?;
    out.push_str(text);
    Ok(out)
}

/// One bound device in `BOUND`: counted at probe, and given to the device,
/// which drops it after everything else the probe gave it.
struct Bound {
    name: String,
}

impl Bound {
    fn new(name: String) -> Self {
        BOUND.fetch_add(1, Ordering::Relaxed);
        Bound { name }
    }
}

impl Drop for Bound {
    fn drop(&mut self) {
        let left = BOUND.fetch_sub(1, Ordering::Relaxed) - 1;
        pr_info!("{}: devm: unbound, {} device(s) still bound", self.name, left);
    }
}

/// A bound device's setting, shared by the driver's value and the
/// attribute files: show and store may run on several CPUs at once, hence
/// atomics.
struct State {
    name: String,
    level: AtomicU32,
    stores: AtomicU32,
}

impl Drop for State {
    fn drop(&mut self) {
        pr_info!("{}: devm: the attributes' state is freed", self.name);
    }
}

/// The files in the device's directory.
struct Attributes {
    state: Arc<State>,
}

impl SysfsAttributes for Attributes {
    const ATTRIBUTES: &'static [Attribute] = &[Attribute::read_write(c"level"), Attribute::read_only(c"stores")];

    fn show(&self, name: &str, out: &mut ShowBuffer<'_>) -> Result {
        let value = match name {
            "level" => self.state.level.load(Ordering::Relaxed),
            _ => self.state.stores.load(Ordering::Relaxed),
        };
        let _ = writeln!(out, "{}", value);
        Ok(())
    }

    fn store(&self, _name: &str, input: &[u8]) -> Result {
        let level: u32 = parse_int(input)?;
        if level > LEVEL_MAX {
            return Err(EINVAL);
        }
        self.state.level.store(level, Ordering::Relaxed);
        self.state.stores.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// The driver's value for one bound device: dropped at remove.
struct PlatformDriver {
    state: Arc<State>,
}

kernel::platform_device_table!(PlatformDriver, ["rust_platform"]);

impl platform::Driver for PlatformDriver {
    fn probe(dev: &platform::Device, id: Option<&platform::DeviceId>) -> Result<Self> {
        // Given to the device first, so released last.
        dev.devm_add(Bound::new(copy(dev.name())?))?;
        let state = try_arc(State {
            name: copy(dev.name())?,
            level: AtomicU32::new(LEVEL_AT_PROBE),
            stores: AtomicU32::new(0),
        })?;
        dev.devm_attributes(Attributes { state: state.clone() })?;
        pr_info!("{}: probed (matched {})", dev.name(), id.map_or("driver_override", |id| id.name));
        Ok(PlatformDriver { state })
    }

    fn remove(&self, dev: &platform::Device) {
        let state = &self.state;
        pr_info!(
            "{}: remove: level {} after {} store(s)",
            dev.name(),
            state.level.load(Ordering::Relaxed),
            state.stores.load(Ordering::Relaxed)
        );
    }
}

/// The module: its devices are dropped (unregistered, which removes them
/// from the driver) before the driver is.
struct PlatformModule {
    _devices: [DeviceRegistration; 2],
    _driver: platform::Registration<PlatformDriver>,
}

impl Module for PlatformModule {
    fn init() -> Result<Self> {
        let driver = platform::Registration::new()?;
        let devices =
            [DeviceRegistration::new(c"rust_platform", Some(0))?, DeviceRegistration::new(c"rust_platform", Some(1))?];
        pr_info!("driver registered, {} devices", devices.len());
        Ok(PlatformModule { _devices: devices, _driver: driver })
    }
}

impl Drop for PlatformModule {
    fn drop(&mut self) {
        pr_info!("unloading");
    }
}
