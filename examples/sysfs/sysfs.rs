// SPDX-License-Identifier: GPL-2.0
//! rust_sysfs: settings in /sys/kernel/rust_sysfs/, read and written as text.
//!
//! The directory has three attribute files, one value each:
//!
//! - `version` (0444): read-only, the version of this example;
//! - `value` (0644): an `i64`;
//! - `name` (0644): a string of 1 to 16 bytes.
//!
//! Writes are validated: anything that is not a whole value of the right type
//! fails with `EINVAL` and leaves the setting as it was.
//!
//! ```text
//! $ echo 42 > /sys/kernel/rust_sysfs/value
//! $ cat /sys/kernel/rust_sysfs/value
//! 42
//! $ echo 4x > /sys/kernel/rust_sysfs/value
//! sh: write error: Invalid argument
//! ```

#![no_std]

use core::fmt::Write;
use core::pin::Pin;
use core::sync::atomic::{AtomicI64, Ordering};
use kernel::prelude::*;
use kernel::sync::Mutex;
use kernel::sysfs::{parse_int, parse_str, Attribute, ShowBuffer, SysfsAttributes, SysfsDir};

const VERSION: &str = "1.0";
/// The longest `name`, in bytes.
const NAME_MAX_LEN: usize = 16;

/// The data behind the files. show and store may run on several CPUs at
/// once: an atomic for the number, a mutex for the string.
struct Settings {
    value: AtomicI64,
    name: Mutex<String>,
}

impl SysfsAttributes for Settings {
    const ATTRIBUTES: &'static [Attribute] =
        &[Attribute::read_only(c"version"), Attribute::read_write(c"value"), Attribute::read_write(c"name")];

    fn show(&self, attr: &str, out: &mut ShowBuffer<'_>) -> Result {
        // Each value fits in the page with room to spare: no truncation.
        let _ = match attr {
            "version" => writeln!(out, "{VERSION}"),
            "value" => writeln!(out, "{}", self.value.load(Ordering::Relaxed)),
            "name" => writeln!(out, "{}", *self.name.lock()?),
            _ => return Err(EIO),
        };
        Ok(())
    }

    fn store(&self, attr: &str, input: &[u8]) -> Result {
        match attr {
            // parse_int fails on junk and overflow before anything changes.
            "value" => self.value.store(parse_int(input)?, Ordering::Relaxed),
            "name" => {
                let text = parse_str(input)?;
                if text.is_empty() || text.len() > NAME_MAX_LEN {
                    return Err(EINVAL);
                }
                // Allocate before taking the lock; a failure changes nothing.
                let mut name = String::new();
                name.try_reserve_exact(text.len())?;
                name.push_str(text);
                *self.name.lock()? = name;
            }
            _ => return Err(EIO),
        }
        Ok(())
    }
}

struct RustSysfs {
    // Dropping it at unload removes the directory, after any show or store
    // in progress.
    dir: Pin<Box<SysfsDir<Settings>>>,
}

impl Module for RustSysfs {
    fn init() -> Result<Self> {
        let mut name = String::new();
        name.try_reserve_exact(4)?;
        name.push_str("rust");
        let settings = Settings { value: AtomicI64::new(0), name: Mutex::new(name)? };
        let dir = SysfsDir::create(c"rust_sysfs", settings)?;
        pr_info!("created /sys/kernel/rust_sysfs");
        Ok(RustSysfs { dir })
    }
}

impl Drop for RustSysfs {
    fn drop(&mut self) {
        let settings = self.dir.data();
        // Module exit runs in process context, where lock() cannot fail.
        if let Ok(name) = settings.name.lock() {
            pr_info!("unloading with value={} name={}", settings.value.load(Ordering::Relaxed), *name);
        }
    }
}

module! {
    type: RustSysfs,
    author: "The rust-kmod template authors",
    description: "Attributes in /sys/kernel/rust_sysfs, in Rust",
}
