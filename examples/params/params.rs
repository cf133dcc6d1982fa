// SPDX-License-Identifier: GPL-2.0
//! rust_params: module parameters of every type, read-only and writable.
//!
//! Parameters are declared in `module!` with a type, a default, the
//! permissions of their file in `/sys/module/rust_params/parameters/` and a
//! description (`modinfo` shows it). The kernel parses them: a value that is
//! not of the parameter's type fails `insmod` with `EINVAL`, or a write to a
//! writable (0644) parameter's file. A read-only (0444) one is set only at
//! load, and one with permissions 0 has no file at all.
//!
//! A writable parameter can change at any moment, so the module reads it
//! when it needs it (`params::name.get()`) rather than once at load:
//! `/proc/rust_params` shows the values as they are when it is read.
//!
//! ```text
//! $ insmod rust_params.ko delta=12 greeting=bonjour
//! rust_params: loaded with enabled=true delta=12 limit=100 offset=-10000000000 id=4000000000 secret=7 greeting=bonjour
//! $ echo -1 > /sys/module/rust_params/parameters/delta
//! $ cat /proc/rust_params
//! enabled=true delta=-1 limit=100 offset=-10000000000 id=4000000000 secret=7 greeting=bonjour
//! ```

#![no_std]

use core::fmt::{self, Write};
use core::pin::Pin;
use kernel::prelude::*;
use kernel::procfs::{ProcFile, ProcShow, SeqFile};

/// The parameters' current values, read when formatted.
struct Values;

impl fmt::Display for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "enabled={} delta={} limit={} offset={} id={} secret={} greeting=",
            params::enabled.get(),
            params::delta.get(),
            params::limit.get(),
            params::offset.get(),
            params::id.get(),
            params::secret.get(),
        )?;
        // A string parameter is copied out, which can fail (ENOMEM).
        match params::greeting.get() {
            Ok(greeting) => f.write_str(&greeting),
            Err(err) => write!(f, "({err:?})"),
        }
    }
}

/// /proc/rust_params: the values, one line.
struct ValuesFile;

impl ProcShow for ValuesFile {
    fn show(&self, out: &mut SeqFile<'_>) -> Result {
        let _ = writeln!(out, "{Values}");
        Ok(())
    }
}

struct RustParams {
    _file: Pin<Box<ProcFile<ValuesFile>>>,
}

impl Module for RustParams {
    fn init() -> Result<Self> {
        // By now the kernel has parsed and stored the insmod arguments.
        pr_info!("loaded with {Values}");
        let file = ProcFile::create(c"rust_params", ValuesFile)?;
        Ok(RustParams { _file: file })
    }
}

impl Drop for RustParams {
    fn drop(&mut self) {
        pr_info!("unloading with {Values}");
    }
}

module! {
    type: RustParams,
    author: "The rust-kmod template authors",
    description: "Module parameters of each type, in Rust",
    params: {
        enabled: bool = true, 0o644, "A switch (writable)",
        delta: i32 = -5, 0o644, "A signed 32-bit number (writable)",
        limit: u32 = 100, 0o444, "An unsigned 32-bit number (read-only)",
        offset: i64 = -10000000000, 0o644, "A signed 64-bit number (writable)",
        id: u64 = 4000000000, 0o444, "An unsigned 64-bit number (read-only)",
        secret: u32 = 7, 0, "Settable only at load: no file in sysfs",
        greeting: str = "hello", 0o644, "A string (writable)",
    },
}
