// SPDX-License-Identifier: GPL-2.0
//! A module that is not hello, for `make test` to check that the harness
//! tests whatever module the template builds (scripts/test.sh,
//! `own_module_tests`): a renamed copy of the repository gets this file as its
//! `src/lib.rs` and `tests/own-module/test.sh` as its own checks.
//!
//! `/dev/lastword` keeps the last thing written to it, up to 64 bytes; a read
//! returns it.
//!
//! ```text
//! $ echo -n one >/dev/lastword; echo -n two >/dev/lastword; cat /dev/lastword
//! two
//! ```

#![no_std]

use kernel::miscdev::{File, FileOperations, MiscDevice};
use kernel::prelude::*;
use kernel::sync::Mutex;
use kernel::uaccess::{UserSliceReader, UserSliceWriter};

/// The most bytes a write may bring.
const CAPACITY: usize = 64;

/// The last write's bytes.
struct LastWord {
    word: Mutex<Vec<u8>>,
}

kernel::file_operations! {
    impl FileOperations for LastWord {
        fn read(&self, _file: &File<'_>, out: &mut UserSliceWriter<'_>, offset: &mut i64) -> Result<usize> {
            let word = self.word.lock()?;
            let start = usize::try_from(*offset).map_err(|_| EINVAL)?.min(word.len());
            let count = out.len().min(word.len() - start);
            out.write_slice(&word[start..start + count])?;
            *offset += count as i64;
            Ok(count)
        }

        fn write(&self, _file: &File<'_>, input: &mut UserSliceReader<'_>, _offset: &mut i64) -> Result<usize> {
            let count = input.len();
            if count > CAPACITY {
                return Err(ENOSPC);
            }
            let mut incoming = Vec::new();
            incoming.try_reserve_exact(count)?;
            incoming.resize(count, 0);
            input.read_slice(&mut incoming)?;
            *self.word.lock()? = incoming;
            Ok(count)
        }
    }
}

struct Device {
    _device: MiscDevice<LastWord>,
}

impl Module for Device {
    fn init() -> Result<Self> {
        let device = MiscDevice::register(c"lastword", LastWord { word: Mutex::new(Vec::new())? })?;
        pr_info!("/dev/lastword is ready");
        Ok(Device { _device: device })
    }
}

module! {
    type: Device,
    author: "The rust-kmod template authors",
    description: "Keeps the last word written to /dev/lastword",
}
