// SPDX-License-Identifier: GPL-2.0
//! Misc character devices: a `/dev/<name>` whose `read`, `write`, `lseek`
//! and `ioctl` are Rust methods.
//!
//! A module implements [`FileOperations`] for a type holding the device's
//! state and registers a value of it with [`MiscDevice::register`]:
//!
//! ```ignore
//! struct Greeter;
//!
//! impl FileOperations for Greeter {
//!     fn read(&self, out: &mut UserSliceWriter<'_>, offset: &mut i64) -> Result<usize> {
//!         // ... copy bytes from offset into `out`, move the offset on
//!     }
//! }
//!
//! let device = MiscDevice::register(c"greeter", Greeter)?; // /dev/greeter
//! ```
//!
//! The state is shared by every process that has the device open, and their
//! calls run at the same time on different CPUs: methods get `&self`, so the
//! type is `Sync` and keeps what changes behind a lock
//! ([`Mutex`](crate::sync::Mutex)) or in atomics.
//!
//! Underneath, `helpers/miscdev.c` allocates and owns the `struct
//! miscdevice` and its `struct file_operations` (with `owner =
//! THIS_MODULE`), registers them with `misc_register` and calls back into
//! Rust through a table of functions made for the module's type. Dropping
//! the [`MiscDevice`] removes `/dev/<name>`. The state lives until the
//! registration is dropped *and* the last open file is closed, so a file that
//! is still open never sees it freed. While a file is open the module cannot
//! be unloaded: `rmmod` fails.
//!
//! Methods a type does not implement behave as for a C driver that leaves
//! them out: `read` and `write` fail with `EINVAL`, `ioctl` with `ENOTTY`,
//! and `lseek` with `ESPIPE` (the device is a stream unless it implements
//! [`FileOperations::seek`]).

use core::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void, CStr};
use core::marker::PhantomData;
use core::ptr::{self, NonNull};

use crate::allocator::try_box;
use crate::error::{
    code::{EINVAL, ENOTTY, ESPIPE},
    to_result, Result,
};
use crate::uaccess::{IoctlArg, UserSliceReader, UserSliceWriter};

extern "C" {
    fn rust_helper_miscdev_register(
        name: *const c_char,
        mode: u16,
        ops: *const Ops,
        data: *mut c_void,
        out: *mut *mut c_void,
    ) -> c_int;
    fn rust_helper_miscdev_deregister(dev: *mut c_void);
}

/// The permissions of `/dev/<name>` that [`MiscDevice::register`] gives:
/// anyone may read and write (the examples' tests rely on it). Use
/// [`MiscDevice::register_with_mode`] for anything stricter.
pub const DEFAULT_MODE: u16 = 0o666;

/// Where an `lseek(2)` counts from, with its offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeekFrom {
    /// `SEEK_SET`: from the start.
    Start(i64),
    /// `SEEK_CUR`: from the current position.
    Current(i64),
    /// `SEEK_END`: from the end of the data.
    End(i64),
}

impl SeekFrom {
    /// The position this asks for, given the file's `current` position and
    /// where its data ends (`end`). `EINVAL` if it is negative or overflows.
    pub fn resolve(self, current: i64, end: i64) -> Result<i64> {
        let (base, offset) = match self {
            SeekFrom::Start(offset) => (0, offset),
            SeekFrom::Current(offset) => (current, offset),
            SeekFrom::End(offset) => (end, offset),
        };
        match base.checked_add(offset) {
            Some(position) if position >= 0 => Ok(position),
            _ => Err(EINVAL),
        }
    }
}

/// What a device does when a process opens, reads, writes, seeks, sends an
/// `ioctl` to or closes `/dev/<name>`.
///
/// Every method has a default; implement those the device supports. They run
/// in the calling process's context, where sleeping is allowed. Errors reach
/// the process as `-1` and `errno`.
pub trait FileOperations: Sync + Send + Sized + 'static {
    /// `open(2)`. An error fails the open. The default accepts every open.
    ///
    /// It runs under the mutex of the kernel's list of misc devices: it must
    /// not register or drop a [`MiscDevice`].
    fn open(&self) -> Result {
        Ok(())
    }

    /// The last `close(2)` of a file opened with `open`.
    fn release(&self) {}

    /// `read(2)`: copy up to `out.len()` bytes, starting at `*offset`, into
    /// `out`; advance `*offset` past them and return how many were copied
    /// (0 means end of file). The offset is stored back only on success.
    fn read(&self, _out: &mut UserSliceWriter<'_>, _offset: &mut i64) -> Result<usize> {
        Err(EINVAL)
    }

    /// `write(2)`: take up to `input.len()` bytes from `input` and store them
    /// at `*offset`; advance `*offset` past them and return how many were
    /// taken. The offset is stored back only on success.
    fn write(&self, _input: &mut UserSliceReader<'_>, _offset: &mut i64) -> Result<usize> {
        Err(EINVAL)
    }

    /// `lseek(2)`: the new position, given the `current` one and the request
    /// (often just `Ok(from.resolve(current, size)?)`). The kernel crate sets
    /// the file's position to it. `SEEK_DATA` and `SEEK_HOLE` are refused with
    /// `EINVAL` before this is called.
    fn seek(&self, _current: i64, _from: SeekFrom) -> Result<i64> {
        Err(ESPIPE)
    }

    /// `ioctl(2)`: carry out command `cmd` (see [`crate::ioctl`] for how
    /// commands are numbered) with its argument `arg`. Return a non-negative
    /// value for the process, or `ENOTTY` for a command the device does not
    /// know.
    fn ioctl(&self, _cmd: u32, _arg: &mut IoctlArg<'_>) -> Result<isize> {
        Err(ENOTTY)
    }
}

/// A registered misc device: `/dev/<name>` exists until this is dropped.
pub struct MiscDevice<T: FileOperations> {
    /// The C `struct rust_miscdev`.
    dev: NonNull<c_void>,
    /// The device's state; C owns it from registration on (see the module
    /// documentation) and holds a reference for as long as `self` lives.
    data: NonNull<T>,
    _owns: PhantomData<T>,
}

// SAFETY: the registration itself is only pointers; the state it refers to is
// Send + Sync (FileOperations requires both), as it is used from every process
// that calls into the device and may be dropped on any of them.
unsafe impl<T: FileOperations> Send for MiscDevice<T> {}
// SAFETY: `&MiscDevice` only gives out `&T`, and T is Sync.
unsafe impl<T: FileOperations> Sync for MiscDevice<T> {}

impl<T: FileOperations> MiscDevice<T> {
    /// Registers `/dev/<name>` (mode [`DEFAULT_MODE`]) with `data` as its
    /// state. Fails with the errno `misc_register` gives (`EBUSY`, `EEXIST`
    /// for a name in use, ...) or `ENOMEM`.
    pub fn register(name: &'static CStr, data: T) -> Result<Self> {
        Self::register_with_mode(name, DEFAULT_MODE, data)
    }

    /// Registers `/dev/<name>` with permissions `mode` (such as `0o600`).
    pub fn register_with_mode(name: &'static CStr, mode: u16, data: T) -> Result<Self> {
        let data = NonNull::from(alloc::boxed::Box::leak(try_box(data)?));
        let mut dev = ptr::null_mut();
        // SAFETY: `name` is a NUL-terminated string that lives for ever;
        // `OPS` is a static table whose functions expect `data` to be a T,
        // which it is; `dev` is a valid place for the result.
        let ret = unsafe {
            rust_helper_miscdev_register(name.as_ptr(), mode, Adapter::<T>::OPS, data.as_ptr().cast(), &mut dev)
        };
        if let Err(err) = to_result(ret) {
            // SAFETY: registration failed, so C kept no pointer to `data`,
            // which came from a Box above and is still ours.
            drop(unsafe { alloc::boxed::Box::from_raw(data.as_ptr()) });
            return Err(err);
        }
        // C returns a valid device whenever it returns 0.
        let dev = NonNull::new(dev).ok_or(EINVAL)?;
        Ok(MiscDevice { dev, data, _owns: PhantomData })
    }

    /// The device's state, as the file operations see it.
    pub fn data(&self) -> &T {
        // SAFETY: the registration holds a reference on the state until
        // `drop`, so it is alive; it is only ever shared (`&T`).
        unsafe { self.data.as_ref() }
    }
}

impl<T: FileOperations> Drop for MiscDevice<T> {
    fn drop(&mut self) {
        // SAFETY: `dev` came from a successful registration and is
        // deregistered only here, once. Afterwards C drops the state as soon
        // as no file is open; `self.data` is not used again.
        unsafe { rust_helper_miscdev_deregister(self.dev.as_ptr()) }
    }
}

/// The function table C calls: `struct rust_miscdev_ops` in
/// `helpers/miscdev.c`, field for field.
#[repr(C)]
struct Ops {
    open: unsafe extern "C" fn(data: *const c_void) -> c_int,
    release: unsafe extern "C" fn(data: *const c_void),
    read: unsafe extern "C" fn(data: *const c_void, buf: *mut c_char, count: usize, pos: *mut i64) -> isize,
    write: unsafe extern "C" fn(data: *const c_void, buf: *const c_char, count: usize, pos: *mut i64) -> isize,
    llseek: unsafe extern "C" fn(data: *const c_void, pos: i64, offset: i64, whence: c_int) -> i64,
    ioctl: unsafe extern "C" fn(data: *const c_void, cmd: c_uint, arg: c_ulong) -> c_long,
    free_data: unsafe extern "C" fn(data: *mut c_void),
}

/// The C-callable functions for one device type `T`: each turns C's
/// arguments into Rust ones, calls `T`'s method and turns the `Result` into
/// C's "count or negative errno".
///
/// Their common `# Safety` contract: `data` is the state of a live
/// `MiscDevice<T>` registration (C passes the pointer it was given, and holds
/// a reference on it during the call), and they are called from the file
/// operations of a process's system call, in process context.
struct Adapter<T>(PhantomData<T>);

impl<T: FileOperations> Adapter<T> {
    /// The table, as a `'static` reference: C keeps the pointer for as long
    /// as the device exists.
    const OPS: &'static Ops = &Ops {
        open: Self::open,
        release: Self::release,
        read: Self::read,
        write: Self::write,
        llseek: Self::llseek,
        ioctl: Self::ioctl,
        free_data: Self::free_data,
    };

    /// # Safety
    ///
    /// See [`Adapter`].
    unsafe fn state<'a>(data: *const c_void) -> &'a T {
        // SAFETY: by the contract, `data` points to a live T, only shared.
        unsafe { &*data.cast::<T>() }
    }

    /// # Safety
    ///
    /// See [`Adapter`].
    unsafe extern "C" fn open(data: *const c_void) -> c_int {
        // SAFETY: see Adapter.
        let state = unsafe { Self::state(data) };
        match state.open() {
            Ok(()) => 0,
            Err(err) => err.to_errno(),
        }
    }

    /// # Safety
    ///
    /// See [`Adapter`].
    unsafe extern "C" fn release(data: *const c_void) {
        // SAFETY: see Adapter.
        unsafe { Self::state(data) }.release()
    }

    /// # Safety
    ///
    /// See [`Adapter`]; also, `buf` and `count` are the user buffer of the
    /// `read(2)` being served and `pos` points to its file position.
    unsafe extern "C" fn read(data: *const c_void, buf: *mut c_char, count: usize, pos: *mut i64) -> isize {
        // SAFETY: see Adapter.
        let state = unsafe { Self::state(data) };
        // SAFETY: the user range of this very read(2), used only in this call.
        let mut out = unsafe { UserSliceWriter::new(buf as usize, count) };
        // SAFETY: `pos` is valid for the call (the kernel's file position).
        let mut offset = unsafe { *pos };
        match state.read(&mut out, &mut offset) {
            Ok(copied) => {
                // SAFETY: as above.
                unsafe { *pos = offset };
                copied.min(count) as isize
            }
            Err(err) => err.to_errno() as isize,
        }
    }

    /// # Safety
    ///
    /// See [`Adapter`]; also, `buf` and `count` are the user buffer of the
    /// `write(2)` being served and `pos` points to its file position.
    unsafe extern "C" fn write(data: *const c_void, buf: *const c_char, count: usize, pos: *mut i64) -> isize {
        // SAFETY: see Adapter.
        let state = unsafe { Self::state(data) };
        // SAFETY: the user range of this very write(2), used only in this call.
        let mut input = unsafe { UserSliceReader::new(buf as usize, count) };
        // SAFETY: `pos` is valid for the call (the kernel's file position).
        let mut offset = unsafe { *pos };
        match state.write(&mut input, &mut offset) {
            Ok(taken) => {
                // SAFETY: as above.
                unsafe { *pos = offset };
                taken.min(count) as isize
            }
            Err(err) => err.to_errno() as isize,
        }
    }

    /// # Safety
    ///
    /// See [`Adapter`].
    unsafe extern "C" fn llseek(data: *const c_void, pos: i64, offset: i64, whence: c_int) -> i64 {
        // SAFETY: see Adapter.
        let state = unsafe { Self::state(data) };
        // SEEK_SET, SEEK_CUR and SEEK_END from <linux/fs.h>.
        let from = match whence {
            0 => SeekFrom::Start(offset),
            1 => SeekFrom::Current(offset),
            2 => SeekFrom::End(offset),
            _ => return EINVAL.to_errno().into(),
        };
        match state.seek(pos, from) {
            Ok(position) if position >= 0 => position,
            Ok(_) => EINVAL.to_errno().into(),
            Err(err) => err.to_errno().into(),
        }
    }

    /// # Safety
    ///
    /// See [`Adapter`]; also, `arg` is the argument of the `ioctl(2)` being
    /// served.
    unsafe extern "C" fn ioctl(data: *const c_void, cmd: c_uint, arg: c_ulong) -> c_long {
        // SAFETY: see Adapter.
        let state = unsafe { Self::state(data) };
        // SAFETY: the argument of this very ioctl(2), used only in this call.
        let mut arg = unsafe { IoctlArg::new(arg as usize) };
        match state.ioctl(cmd, &mut arg) {
            Ok(value) => value as c_long,
            Err(err) => err.to_errno().into(),
        }
    }

    /// # Safety
    ///
    /// `data` came from the `Box<T>` leaked in `register_with_mode`, and
    /// nothing uses it any more (C calls this when the last reference goes).
    unsafe extern "C" fn free_data(data: *mut c_void) {
        // SAFETY: by the contract, this is the Box's pointer, freed once.
        drop(unsafe { alloc::boxed::Box::from_raw(data.cast::<T>()) });
    }
}
