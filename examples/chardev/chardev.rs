// SPDX-License-Identifier: GPL-2.0
//! rust_chardev: a character device, `/dev/rust_chardev`, that behaves like a
//! small file of at most 4096 bytes kept in kernel memory.
//!
//! It shows a misc device's `read`, `write` and `lseek` in Rust, and copying
//! between user and kernel memory:
//!
//! ```text
//! # printf 'hello world' > /dev/rust_chardev
//! # cat /dev/rust_chardev
//! hello world
//! # printf WORLD | dd of=/dev/rust_chardev bs=1 seek=6 2>/dev/null
//! # cat /dev/rust_chardev
//! hello WORLD
//! ```
//!
//! Reads and writes start at the file's position and move it on. A read
//! stops at the end of the data; a write that does not fit stores what fits,
//! and one that starts at the end of the buffer fails with `ENOSPC`. A bad
//! user pointer fails with `EFAULT`; a write whose buffer turns bad partway
//! stores the bytes before the bad one and returns their count (a short
//! write, as a regular file does). The data stays until the module is
//! unloaded (opening with `O_TRUNC` does not clear it).

#![no_std]

use kernel::miscdev::{File, FileOperations, MiscDevice, SeekFrom};
use kernel::prelude::*;
use kernel::sync::Mutex;
use kernel::uaccess::{UserSliceReader, UserSliceWriter};

/// How many bytes the device can hold.
const CAPACITY: usize = 4096;

/// The bytes and how many of them have been written.
struct Contents {
    /// Always `CAPACITY` bytes long, allocated once at load.
    bytes: Vec<u8>,
    /// The end of the data: the highest offset written so far.
    size: usize,
}

/// The device's state, shared by every process that opens it. A Mutex, not
/// a spinlock: copying from or to user memory may sleep on a page fault.
struct Buffer {
    contents: Mutex<Contents>,
}

/// A file offset as an index into the buffer; negative ones are refused.
fn index(offset: i64) -> Result<usize> {
    usize::try_from(offset).map_err(|_| EINVAL)
}

kernel::file_operations! {
    impl FileOperations for Buffer {
        fn read(&self, _file: &File<'_>, out: &mut UserSliceWriter<'_>, offset: &mut i64) -> Result<usize> {
            let contents = self.contents.lock()?;
            let start = index(*offset)?;
            if start >= contents.size {
                return Ok(0); // end of file
            }
            let count = out.len().min(contents.size - start);
            out.write_slice(&contents.bytes[start..start + count])?;
            *offset += count as i64;
            Ok(count)
        }

        fn write(&self, _file: &File<'_>, input: &mut UserSliceReader<'_>, offset: &mut i64) -> Result<usize> {
            // Like a regular file: writing nothing changes nothing, anywhere.
            if input.is_empty() {
                return Ok(0);
            }
            let mut guard = self.contents.lock()?;
            let Contents { bytes, size } = &mut *guard;
            let start = index(*offset)?;
            if start >= CAPACITY {
                return Err(ENOSPC);
            }
            let count = input.len().min(CAPACITY - start);
            // Like a regular file: a buffer that turns bad partway gives a short
            // write of the bytes before the bad one, a bad start EFAULT; bytes
            // not copied are left as they were.
            let copied = input.read_slice_partial(&mut bytes[start..start + count])?;
            // Writing past the end of the data leaves a gap that reads as zeroes.
            if start > *size {
                bytes[*size..start].fill(0);
            }
            *size = (*size).max(start + copied);
            *offset += copied as i64;
            Ok(copied)
        }

        fn seek(&self, _file: &File<'_>, current: i64, from: SeekFrom) -> Result<i64> {
            // SEEK_END counts from the end of the data; the result may lie past
            // it (reads there find nothing) but not before the start (EINVAL).
            let size = self.contents.lock()?.size as i64;
            from.resolve(current, size)
        }
    }
}

/// `CAPACITY` zero bytes, or `ENOMEM`.
fn zeroed() -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(CAPACITY)?;
    bytes.resize(CAPACITY, 0);
    Ok(bytes)
}

struct Chardev {
    device: MiscDevice<Buffer>,
}

impl Module for Chardev {
    fn init() -> Result<Self> {
        // Allocate the buffer now, so writes never allocate.
        let buffer = Buffer { contents: Mutex::new(Contents { bytes: zeroed()?, size: 0 })? };

        let device = MiscDevice::register(c"rust_chardev", buffer)?;
        pr_info!("/dev/rust_chardev is ready ({CAPACITY} bytes)");
        Ok(Chardev { device })
    }
}

impl Drop for Chardev {
    // Runs before the fields are dropped: the device still exists here.
    fn drop(&mut self) {
        // Module exit runs in process context, where lock() cannot fail.
        if let Ok(contents) = self.device.data().contents.lock() {
            pr_info!("removing /dev/rust_chardev, which holds {} bytes", contents.size);
        }
    }
}

module! {
    type: Chardev,
    author: "The rust-kmod template authors",
    description: "A character device holding a 4096-byte buffer",
}
