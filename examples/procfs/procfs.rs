// SPDX-License-Identifier: GPL-2.0
//! rust_procfs: a read-only /proc file whose content is made on every read.
//!
//! `/proc/rust_procfs` is a table of `lines` numbers and their squares. At the
//! default of 1000 lines it is about 20 KB, several pages: `seq_file` (through
//! `kernel::procfs`) grows its buffer and calls `show` again until the table
//! fits, then serves reads of any size from it. `lines` is a writable module
//! parameter that `show` reads each time, so
//! `echo 3 > /sys/module/rust_procfs/parameters/lines` changes the next read.
//!
//! ```text
//! $ head -n 3 /proc/rust_procfs
//! # 1000 lines: n and n squared
//!      1            1
//!      2            4
//! ```

#![no_std]

use core::fmt::Write;
use core::pin::Pin;
use kernel::prelude::*;
use kernel::procfs::{ProcFile, ProcShow, SeqFile};

/// The most lines the table may have (about 2 MB).
const MAX_LINES: u32 = 100_000;

/// What /proc/rust_procfs shows. It needs no state: the table is computed.
struct Table;

impl ProcShow for Table {
    fn show(&self, out: &mut SeqFile<'_>) -> Result {
        // The parameter may be written at any time: check it on every read,
        // and report a bad value as the read's error.
        let lines = params::lines.get();
        if lines > MAX_LINES {
            return Err(ERANGE);
        }
        // Writing to a SeqFile never fails: when the buffer is full, seq_file
        // drops the output and calls show again with a larger buffer.
        let _ = writeln!(out, "# {lines} lines: n and n squared");
        for n in 1..=u64::from(lines) {
            let _ = writeln!(out, "{n:6} {:12}", n * n);
        }
        Ok(())
    }
}

struct RustProcfs {
    // Dropping it at unload removes the file, after any read in progress.
    _file: Pin<Box<ProcFile<Table>>>,
}

impl Module for RustProcfs {
    fn init() -> Result<Self> {
        let file = ProcFile::create(c"rust_procfs", Table)?;
        pr_info!("created /proc/rust_procfs ({} lines)", params::lines.get());
        Ok(RustProcfs { _file: file })
    }
}

impl Drop for RustProcfs {
    fn drop(&mut self) {
        pr_info!("removing /proc/rust_procfs");
    }
}

module! {
    type: RustProcfs,
    author: "The rust-kmod template authors",
    description: "A /proc file made with seq_file, in Rust",
    params: {
        lines: u32 = 1000, 0o644, "Lines in /proc/rust_procfs (at most 100000; more makes reads fail with ERANGE)",
    },
}
