// SPDX-License-Identifier: GPL-2.0
//! User memory: reading what a process passed to `write(2)` or `ioctl(2)`,
//! and writing what it asked for with `read(2)`.
//!
//! A user address is only a number to the kernel: the page behind it may be
//! missing, swapped out, read-only or not there at all, and it may even point
//! into the kernel, if the process is hostile. So Rust never dereferences one.
//! Every byte goes through the kernel's `copy_from_user` / `copy_to_user`
//! (in `helpers/uaccess.c`), which check that the range is user memory,
//! handle page faults (which may sleep) and report a bad address as
//! [`EFAULT`](crate::error::code::EFAULT) instead of an oops.
//!
//! A module never makes these objects. The kernel crate makes them from the
//! arguments of the system call being served, and lends them for the length
//! of the callback (`&mut`, with a lifetime): for example a device's
//! [`read`](crate::miscdev::FileOperations::read) gets a
//! [`UserSliceWriter`] over the caller's buffer. They are cursors: each
//! successful read or write moves on past the bytes it copied, and never
//! beyond the range the process passed.
//!
//! Because copies may sleep, they must not run under a spinlock; use the
//! sleeping [`Mutex`](crate::sync::Mutex) when user memory is copied while a
//! lock is held.
//!
//! Structures shared with user space, such as `ioctl` arguments, are declared
//! with [`uapi_struct!`](crate::uapi_struct) and copied whole with
//! [`UserSliceReader::read`] and [`UserSliceWriter::write`].

use core::ffi::c_void;
use core::marker::PhantomData;
use core::mem::{size_of, MaybeUninit};
use core::panic::Location;

use crate::context::refused_in_atomic_context;
use crate::error::{code::EFAULT, Result};

// Each returns the bytes it could not copy, or ATOMIC, having copied
// nothing, in atomic context (helpers/uaccess.c).
extern "C" {
    fn rust_helper_uaccess_copy_from_user(to: *mut c_void, from: *const c_void, n: usize) -> usize;
    fn rust_helper_uaccess_copy_from_user_partial(to: *mut c_void, from: *const c_void, n: usize) -> usize;
    fn rust_helper_uaccess_copy_to_user(to: *mut c_void, from: *const c_void, n: usize) -> usize;
}

/// What the copy helpers return in atomic context: `ULONG_MAX`.
const ATOMIC: usize = usize::MAX;

/// Plain old data: a type that can be copied to and from user memory as
/// bytes.
///
/// Implemented for the integer types and for arrays of `Pod` types; declare
/// structures with [`uapi_struct!`](crate::uapi_struct), which implements it
/// after checking the conditions below at compile time.
///
/// # Safety
///
/// Every bit pattern of `size_of::<Self>()` bytes is a valid value of the type
/// (so reading arbitrary user bytes into one is sound), and the type has no
/// padding bytes (so writing one to user space copies only initialised bytes
/// and leaks nothing of the kernel's memory).
pub unsafe trait Pod: Sized {}

macro_rules! impl_pod {
    ($($ty:ty),*) => {
        // SAFETY: integers have no padding and every bit pattern is a value.
        $(unsafe impl Pod for $ty {})*
    };
}
impl_pod!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

// SAFETY: an array's elements follow each other without gaps (an element's
// size is a multiple of its alignment), so an array of Pod is Pod.
unsafe impl<T: Pod, const N: usize> Pod for [T; N] {}

/// Declares a `#[repr(C)]` structure that can be copied to and from user
/// space, for example as an `ioctl` argument.
///
/// The structure has the layout C gives the same declaration, so it matches
/// the C header user space compiles against. The macro checks at compile time
/// that every field is [`Pod`] and that the structure has no padding (which
/// would copy uninitialised kernel bytes out to user space), then implements
/// [`Pod`] for it. Where the C structure has a hole, declare the hole as an
/// explicit field (`pub reserved: u32`).
///
/// ```ignore
/// kernel::uapi_struct! {
///     /// `struct rust_ioctl_add` in the C header.
///     pub struct AddArgs {
///         pub delta: u64,
///         pub result: u64,
///     }
/// }
/// ```
///
/// A structure with padding does not compile:
/// `uapi_struct! Bad has padding: declare the gaps as explicit fields`.
#[macro_export]
macro_rules! uapi_struct {
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident {
            $($(#[$field_attr:meta])* $field_vis:vis $field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$attr])*
        #[repr(C)]
        $vis struct $name {
            $($(#[$field_attr])* $field_vis $field: $ty),*
        }

        const _: () = {
            // Fails to compile unless every field is Pod.
            const fn field_is_pod<T: $crate::uaccess::Pod>() {}
            $(field_is_pod::<$ty>();)*
            // The fields add up to the whole: no padding between or after them.
            ::core::assert!(
                ::core::mem::size_of::<$name>() == 0 $(+ ::core::mem::size_of::<$ty>())*,
                ::core::concat!("uapi_struct! ", ::core::stringify!($name),
                    " has padding: declare the gaps as explicit fields"),
            );
        };

        // SAFETY: checked above at compile time: every field is Pod and the
        // #[repr(C)] structure has no padding, so it is Pod as a whole.
        unsafe impl $crate::uaccess::Pod for $name {}
    };
}

/// Reads from a range of user memory, front to back: the data of a
/// `write(2)`, or the input of an `ioctl(2)`.
///
/// It lives no longer than the system call it serves (the lifetime `'a`) and
/// stays on its thread (`!Send`): a user address only means something in the
/// address space of the process that made the call.
pub struct UserSliceReader<'a> {
    addr: usize,
    len: usize,
    _call: PhantomData<(&'a mut (), *mut ())>,
}

impl UserSliceReader<'_> {
    /// A reader over the `len` bytes of user memory at `addr`.
    ///
    /// # Safety
    ///
    /// The range comes from the system call that the current task is making,
    /// and the reader is used only during that call, in process context where
    /// sleeping is allowed (copies fault pages in). The range need not be
    /// valid memory: a bad address is reported as `EFAULT`.
    pub(crate) unsafe fn new(addr: usize, len: usize) -> Self {
        UserSliceReader { addr, len, _call: PhantomData }
    }

    /// How many bytes are left to read.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether everything has been read.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Fills `out` with the next `out.len()` bytes and moves past them.
    ///
    /// Fails with `EFAULT`, and does not move, if fewer than `out.len()`
    /// bytes are left or if any byte of the user range cannot be read; `out`
    /// then holds an unspecified mix of copied bytes and zeroes.
    #[track_caller]
    pub fn read_slice(&mut self, out: &mut [u8]) -> Result {
        if out.len() > self.len {
            return Err(EFAULT);
        }
        // SAFETY: `out` is valid for writing `out.len()` bytes. The source is
        // a user address, which copy_from_user checks and never trusts; the
        // constructor's contract puts us in the process that passed it, in
        // a context that may sleep.
        let missed = unsafe {
            rust_helper_uaccess_copy_from_user(out.as_mut_ptr().cast(), self.addr as *const c_void, out.len())
        };
        if missed == ATOMIC {
            return Err(refused_in_atomic_context(Location::caller()));
        }
        if missed != 0 {
            return Err(EFAULT);
        }
        self.advance(out.len());
        Ok(())
    }

    /// Copies the next bytes into `out`, as many as can be read, at most
    /// `out.len()` and what is left: the copy stops at the first byte of the
    /// user range that cannot be read (on x86; arm64's copy routine may stop
    /// earlier, in the 8-byte load that faulted, but copies one byte at the
    /// least). This is the kernel's own answer for a
    /// `write(2)` whose buffer turns bad partway: a short write of what came
    /// before the bad byte (as for a regular file), and `EFAULT` only when
    /// nothing could be copied.
    ///
    /// Moves past the bytes copied and returns their count. The bytes of
    /// `out` past that count are left as they were (`read_slice`, which
    /// wraps `copy_from_user()`, zeroes them), so `out` can be the final
    /// place of the data: a fault changes nothing that was not copied.
    ///
    /// Wraps `access_ok()` and `__copy_from_user()` (`helpers/uaccess.c`).
    /// Process context only: it may sleep to fault pages in.
    #[track_caller]
    pub fn read_slice_partial(&mut self, out: &mut [u8]) -> Result<usize> {
        let n = out.len().min(self.len);
        if n == 0 {
            return Ok(0);
        }
        // SAFETY: `out` is valid for writing `n <= out.len()` bytes. The
        // source is a user address, which the helper checks (access_ok) and
        // never trusts; the constructor's contract puts us in the process
        // that passed it, in a context that may sleep.
        let missed = unsafe {
            rust_helper_uaccess_copy_from_user_partial(out.as_mut_ptr().cast(), self.addr as *const c_void, n)
        };
        if missed == ATOMIC {
            return Err(refused_in_atomic_context(Location::caller()));
        }
        let copied = n - missed.min(n);
        if copied == 0 {
            return Err(EFAULT);
        }
        self.advance(copied);
        Ok(copied)
    }

    /// Reads one value of a [`Pod`] type (an integer, an array, a
    /// [`uapi_struct!`](crate::uapi_struct)) from the next
    /// `size_of::<T>()` bytes, as `read_slice` does.
    #[track_caller]
    pub fn read<T: Pod>(&mut self) -> Result<T> {
        let mut value = MaybeUninit::<T>::zeroed();
        // SAFETY: `value` is `size_of::<T>()` bytes, all initialised (zeroed),
        // and nothing else refers to it while the slice lives.
        let bytes = unsafe { core::slice::from_raw_parts_mut(value.as_mut_ptr().cast::<u8>(), size_of::<T>()) };
        self.read_slice(bytes)?;
        // SAFETY: every byte was written by the copy (or is still zero), and
        // T is Pod: every bit pattern is a valid T.
        Ok(unsafe { value.assume_init() })
    }

    /// Moves past the next `n` bytes without reading them; `EFAULT` if fewer
    /// are left.
    pub fn skip(&mut self, n: usize) -> Result {
        if n > self.len {
            return Err(EFAULT);
        }
        self.advance(n);
        Ok(())
    }

    fn advance(&mut self, n: usize) {
        self.addr = self.addr.wrapping_add(n);
        self.len -= n;
    }
}

/// Writes to a range of user memory, front to back: the buffer of a
/// `read(2)`, or the output of an `ioctl(2)`.
///
/// Like [`UserSliceReader`], it lives no longer than the system call it
/// serves and stays on its thread.
pub struct UserSliceWriter<'a> {
    addr: usize,
    len: usize,
    _call: PhantomData<(&'a mut (), *mut ())>,
}

impl UserSliceWriter<'_> {
    /// A writer over the `len` bytes of user memory at `addr`.
    ///
    /// # Safety
    ///
    /// As for [`UserSliceReader::new`]: the range comes from the system call
    /// the current task is making, and the writer is used only during it, in
    /// a context that may sleep.
    pub(crate) unsafe fn new(addr: usize, len: usize) -> Self {
        UserSliceWriter { addr, len, _call: PhantomData }
    }

    /// How many bytes there is room for.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the range is full.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Copies `data` to the next `data.len()` bytes and moves past them.
    ///
    /// Fails with `EFAULT`, and does not move, if there is room for fewer
    /// than `data.len()` bytes or if any byte of the user range cannot be
    /// written (the bytes before it may have been written).
    #[track_caller]
    pub fn write_slice(&mut self, data: &[u8]) -> Result {
        if data.len() > self.len {
            return Err(EFAULT);
        }
        // SAFETY: `data` is valid for reading `data.len()` bytes. The
        // destination is a user address, which copy_to_user checks and never
        // trusts; the constructor's contract puts us in the process that
        // passed it, in a context that may sleep.
        let missed =
            unsafe { rust_helper_uaccess_copy_to_user(self.addr as *mut c_void, data.as_ptr().cast(), data.len()) };
        if missed == ATOMIC {
            return Err(refused_in_atomic_context(Location::caller()));
        }
        if missed != 0 {
            return Err(EFAULT);
        }
        self.addr = self.addr.wrapping_add(data.len());
        self.len -= data.len();
        Ok(())
    }

    /// Writes one value of a [`Pod`] type to the next `size_of::<T>()`
    /// bytes, as `write_slice` does.
    #[track_caller]
    pub fn write<T: Pod>(&mut self, value: &T) -> Result {
        // SAFETY: `value` is a valid T of `size_of::<T>()` bytes, and T is Pod,
        // so it has no padding: every one of those bytes is initialised.
        let bytes = unsafe { core::slice::from_raw_parts((value as *const T).cast::<u8>(), size_of::<T>()) };
        self.write_slice(bytes)
    }
}

/// The argument of an `ioctl(2)`: a number, or the address of the command's
/// data in user memory (which of the two, the command says).
///
/// Lent to an `ioctl` handler for the length of the call, like the slices.
pub struct IoctlArg<'a> {
    value: usize,
    _call: PhantomData<(&'a mut (), *mut ())>,
}

impl IoctlArg<'_> {
    /// The argument `value` of the `ioctl(2)` being served.
    ///
    /// # Safety
    ///
    /// As for [`UserSliceReader::new`]: `value` comes from the system call the
    /// current task is making, and the argument is used only during it, in a
    /// context that may sleep.
    pub(crate) unsafe fn new(value: usize) -> Self {
        IoctlArg { value, _call: PhantomData }
    }

    /// The argument as a number, for commands that pass one (`_IO`).
    pub fn value(&self) -> usize {
        self.value
    }

    /// A reader over the `len` bytes of user memory the argument points to.
    pub fn reader(&mut self, len: usize) -> UserSliceReader<'_> {
        // SAFETY: the address is this ioctl's argument, and the reader
        // borrows `self`, so it lives no longer than the call.
        unsafe { UserSliceReader::new(self.value, len) }
    }

    /// A writer over the `len` bytes of user memory the argument points to.
    pub fn writer(&mut self, len: usize) -> UserSliceWriter<'_> {
        // SAFETY: as in `reader`.
        unsafe { UserSliceWriter::new(self.value, len) }
    }

    /// Reads the [`Pod`] value the argument points to (`_IOW`, `_IOWR`).
    #[track_caller]
    pub fn read<T: Pod>(&mut self) -> Result<T> {
        self.reader(size_of::<T>()).read()
    }

    /// Writes `value` to where the argument points (`_IOR`, `_IOWR`).
    #[track_caller]
    pub fn write<T: Pod>(&mut self, value: &T) -> Result {
        self.writer(size_of::<T>()).write(value)
    }
}
