// SPDX-License-Identifier: GPL-2.0
//! rust_sync: state that many processes change at once, kept correct with a
//! kernel `Mutex`, a `SpinLock` and an atomic counter.
//!
//! Each `write(2)` of a decimal number to `/dev/rust_sync` adds it to a
//! total kept three ways, and a read shows them:
//!
//! ```text
//! # echo 5 > /dev/rust_sync; echo 7 > /dev/rust_sync
//! # cat /dev/rust_sync
//! 12 2 12
//! ```
//!
//! The fields are the total (under a `Mutex`), the number of writes (under a
//! `SpinLock`) and the total again (an `AtomicU64`). Writers on every CPU
//! update them at the same time; none of their updates is lost. Anything
//! but one number of at most 20 digits fails with `EINVAL`, and a total
//! that would overflow with `EOVERFLOW`.

#![no_std]

use core::fmt::Write;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::miscdev::{File, FileOperations, MiscDevice};
use kernel::prelude::*;
use kernel::sync::{Mutex, SpinLock};
use kernel::uaccess::{UserSliceReader, UserSliceWriter};

/// The longest write accepted: a 20-digit number with some white space.
const MAX_INPUT: usize = 32;

struct Totals {
    /// The sum of all numbers written. A Mutex: the default for state that
    /// system calls share (a waiter sleeps instead of spinning).
    total: Mutex<u64>,
    /// How many numbers were written. A SpinLock: the section is a single
    /// addition that never sleeps, and could also run in a timer callback.
    count: SpinLock<u64>,
    /// The sum again, with no lock: one atomic addition.
    atomic_total: AtomicU64,
}

/// The number in `input`, with white space around it allowed.
fn parse(input: &[u8]) -> Result<u64> {
    let text = core::str::from_utf8(input).map_err(|_| EINVAL)?;
    text.trim().parse().map_err(|_| EINVAL)
}

kernel::file_operations! {
    impl FileOperations for Totals {
        fn write(&self, _file: &File<'_>, input: &mut UserSliceReader<'_>, _offset: &mut i64) -> Result<usize> {
            let len = input.len();
            if len > MAX_INPUT {
                return Err(EINVAL);
            }
            let mut buf = [0u8; MAX_INPUT];
            input.read_slice(&mut buf[..len])?;
            let number = parse(&buf[..len])?;

            {
                let mut total = self.total.lock()?;
                *total = total.checked_add(number).ok_or(EOVERFLOW)?;
            } // the guard unlocks here
            *self.count.lock() += 1;
            self.atomic_total.fetch_add(number, Ordering::Relaxed);
            Ok(len)
        }

        fn read(&self, _file: &File<'_>, out: &mut UserSliceWriter<'_>, offset: &mut i64) -> Result<usize> {
            // Each value is read under its own lock: the line is not one
            // snapshot while writers are busy, but each number is exact.
            let total = *self.total.lock()?;
            let count = *self.count.lock();
            let atomic_total = self.atomic_total.load(Ordering::Relaxed);

            let mut text = String::new();
            text.try_reserve(3 * 21)?; // three u64s and their separators: no allocation below
            let _ = writeln!(text, "{total} {count} {atomic_total}");

            // Serve the part of the text at the file position, so `cat` stops.
            let start = usize::try_from(*offset).map_err(|_| EINVAL)?.min(text.len());
            let copied = out.len().min(text.len() - start);
            out.write_slice(&text.as_bytes()[start..start + copied])?;
            *offset += copied as i64;
            Ok(copied)
        }
    }
}

struct SyncModule {
    _device: MiscDevice<Totals>,
}

impl Module for SyncModule {
    fn init() -> Result<Self> {
        let totals = Totals { total: Mutex::new(0)?, count: SpinLock::new(0)?, atomic_total: AtomicU64::new(0) };
        let device = MiscDevice::register(c"rust_sync", totals)?;
        pr_info!("/dev/rust_sync is ready");
        Ok(SyncModule { _device: device })
    }
}

module! {
    type: SyncModule,
    author: "The rust-kmod template authors",
    description: "Shared counters under a Mutex, a SpinLock and an atomic",
}
