// SPDX-License-Identifier: GPL-2.0
//! rust_ioctl: a device, `/dev/rust_ioctl`, that holds one 64-bit number
//! and is driven by `ioctl(2)` commands.
//!
//! It shows how commands are numbered (`_IO`, `_IOR`, `_IOW`, `_IOWR` from
//! `kernel::ioctl`, the same numbers C's `<linux/ioctl.h>` macros give) and
//! how a command's argument is either a plain number or a pointer to data
//! in user memory, here a `u64` or a structure declared with `uapi_struct!`.
//! In C, as user space sees it:
//!
//! ```text
//! struct rust_ioctl_add { __u64 delta; __u64 result; };
//!
//! #define RUST_IOCTL_RESET _IO('r', 0)    // value = arg (a number)
//! #define RUST_IOCTL_GET   _IOR('r', 1, __u64)
//! #define RUST_IOCTL_SET   _IOW('r', 2, __u64)
//! #define RUST_IOCTL_ADD   _IOWR('r', 3, struct rust_ioctl_add)
//! ```
//!
//! Unknown commands fail with `ENOTTY`, bad pointers with `EFAULT`, an
//! addition that would overflow with `EOVERFLOW`. `read`, `write` and
//! `lseek` are left out, so they fail as the kernel crate's defaults say.

#![no_std]

use core::mem::size_of;
use kernel::ioctl::{io, ior, iow, iowr};
use kernel::miscdev::{File, FileOperations, MiscDevice};
use kernel::prelude::*;
use kernel::sync::Mutex;
use kernel::uaccess::IoctlArg;

kernel::uapi_struct! {
    /// The argument of `RUST_IOCTL_ADD`: `struct rust_ioctl_add` in C.
    struct AddArgs {
        /// In: what to add to the value.
        delta: u64,
        /// Out: the value after the addition.
        result: u64,
    }
}

/// The driver's type byte, shared by its commands.
const TYPE: u8 = b'r';
const RUST_IOCTL_RESET: u32 = io(TYPE, 0);
const RUST_IOCTL_GET: u32 = ior(TYPE, 1, size_of::<u64>());
const RUST_IOCTL_SET: u32 = iow(TYPE, 2, size_of::<u64>());
const RUST_IOCTL_ADD: u32 = iowr(TYPE, 3, size_of::<AddArgs>());

struct Counter {
    value: Mutex<u64>,
}

kernel::file_operations! {
    impl FileOperations for Counter {
        fn ioctl(&self, _file: &File<'_>, cmd: u32, arg: &mut IoctlArg<'_>) -> Result<isize> {
            match cmd {
                // _IO: the argument is the number itself, not an address.
                RUST_IOCTL_RESET => *self.value.lock()? = arg.value() as u64,
                RUST_IOCTL_GET => {
                    let value = *self.value.lock()?;
                    arg.write(&value)?;
                }
                RUST_IOCTL_SET => {
                    let value: u64 = arg.read()?;
                    *self.value.lock()? = value;
                }
                RUST_IOCTL_ADD => {
                    let args: AddArgs = arg.read()?;
                    let mut value = self.value.lock()?;
                    let sum = value.checked_add(args.delta).ok_or(EOVERFLOW)?;
                    // Copying to user memory may sleep, which a Mutex allows.
                    // The value changes only once the caller has the result.
                    arg.write(&AddArgs { delta: args.delta, result: sum })?;
                    *value = sum;
                }
                _ => return Err(ENOTTY),
            }
            Ok(0)
        }
    }
}

struct Ioctl {
    _device: MiscDevice<Counter>,
}

impl Module for Ioctl {
    fn init() -> Result<Self> {
        let device = MiscDevice::register(c"rust_ioctl", Counter { value: Mutex::new(0)? })?;
        pr_info!(
            "/dev/rust_ioctl is ready: reset {RUST_IOCTL_RESET:#x}, get {RUST_IOCTL_GET:#x}, \
             set {RUST_IOCTL_SET:#x}, add {RUST_IOCTL_ADD:#x}"
        );
        Ok(Ioctl { _device: device })
    }
}

module! {
    type: Ioctl,
    author: "The rust-kmod template authors",
    description: "A device driven by ioctl commands",
}
