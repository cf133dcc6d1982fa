// SPDX-License-Identifier: GPL-2.0
//! Read-only files in `/proc` whose content Rust produces on every read.
//!
//! ```ignore
//! struct Stats { hits: AtomicU64 }
//!
//! impl ProcShow for Stats {
//!     fn show(&self, out: &mut SeqFile<'_>) -> Result {
//!         let _ = writeln!(out, "hits: {}", self.hits.load(Ordering::Relaxed));
//!         Ok(())
//!     }
//! }
//!
//! let file = ProcFile::create(c"rust_stats", Stats { hits: AtomicU64::new(0) })?;
//! file.data().hits.fetch_add(1, Ordering::Relaxed);
//! // `cat /proc/rust_stats` prints "hits: 1"; dropping `file` removes it.
//! ```
//!
//! Underneath is the kernel's `seq_file` in its simplest form, `single_open()`
//! (the C half is `helpers/procfs.c`). Each `open()` of the file makes a
//! buffer; the first `read()` calls [`ProcShow::show`], which writes the whole
//! content into it, and that and the following reads copy out of the buffer,
//! however small the reads are. When the content does not fit, `seq_file`
//! throws it away, doubles the buffer and calls `show` again, so `show` must
//! produce the same text when called twice in a row and may be called several
//! times per `open()`; an `lseek` back also runs it again.
//!
//! An error from `show` fails that `read()` with its errno (if the reader got
//! nothing yet from this buffer). The file has mode 0444 and no write
//! operation: writing to it fails with `EIO`, even for root.
//!
//! Dropping the [`ProcFile`] removes the file. `proc_remove()` waits for any
//! `show` in progress, and afterwards reads on files that are still open fail
//! with `EIO` without calling into the module: the module can be unloaded
//! while someone holds the file open.

use alloc::boxed::Box;
use core::ffi::{c_int, c_void, CStr};
use core::fmt;
use core::marker::{PhantomData, PhantomPinned};
use core::pin::Pin;
use core::ptr;

use crate::allocator::try_box;
use crate::context::{might_sleep, might_sleep_in_drop};
use crate::error::{code, to_result, Result};

/// The show callback as C calls it: 0 or a negative errno.
type ShowFn = unsafe extern "C" fn(seq: *mut c_void, data: *const c_void) -> c_int;

extern "C" {
    /// Creates `/proc/<name>` (0444); `show(seq, data)` produces its content.
    /// Stores the handle for `rust_helper_procfs_remove` in `*entry`.
    fn rust_helper_procfs_create(
        name: *const core::ffi::c_char,
        show: ShowFn,
        data: *const c_void,
        entry: *mut *mut c_void,
    ) -> c_int;
    /// Removes the file and frees the handle, after any running show returns.
    fn rust_helper_procfs_remove(entry: *mut c_void);
    /// `seq_write()`: 0, or -1 when the buffer is full.
    fn rust_helper_procfs_write(seq: *mut c_void, buf: *const c_void, len: usize) -> c_int;
    /// `seq_has_overflowed()`.
    fn rust_helper_procfs_overflowed(seq: *mut c_void) -> c_int;
}

/// What produces the content of a [`ProcFile`].
///
/// `show` runs in process context (the reader's `read()` system call), so it
/// may sleep and allocate; several readers may run it at the same time, hence
/// `Sync`.
pub trait ProcShow: Send + Sync + 'static {
    /// Writes the whole content of the file into `out`. Called on the first
    /// read after `open()` and again whenever the content did not fit in the
    /// buffer, so it must write the same text each time it is called for one
    /// read. An error fails the `read()` with that errno.
    fn show(&self, out: &mut SeqFile<'_>) -> Result;
}

/// The output buffer of one read of a [`ProcFile`]: a `seq_file`.
///
/// It implements [`core::fmt::Write`], so `write!(out, ...)` and
/// `writeln!(out, ...)` work; writing never fails. When the buffer is full the
/// rest is dropped and `seq_file` calls `show` again with a larger buffer, so
/// `show` need not care, though a long one may stop early when
/// [`is_full`](SeqFile::is_full) says its work is going to waste.
pub struct SeqFile<'a> {
    seq: *mut c_void,
    _buffer: PhantomData<&'a mut ()>,
}

impl SeqFile<'_> {
    /// Appends raw bytes (they need not be UTF-8).
    pub fn write_bytes(&mut self, bytes: &[u8]) {
        // SAFETY: `self.seq` is the live seq_file of the read in progress
        // (SeqFile only exists during show); seq_write copies `bytes.len()`
        // bytes from the slice, which is valid for that many, or records an
        // overflow.
        unsafe { rust_helper_procfs_write(self.seq, bytes.as_ptr().cast(), bytes.len()) };
    }

    /// Whether the output has overflowed the buffer: everything written from
    /// now on is dropped, and `show` will be called again with a larger one.
    pub fn is_full(&self) -> bool {
        // SAFETY: `self.seq` is the live seq_file of the read in progress.
        unsafe { rust_helper_procfs_overflowed(self.seq) != 0 }
    }
}

impl fmt::Write for SeqFile<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.write_bytes(text.as_bytes());
        Ok(())
    }
}

/// The file `/proc/<name>`, whose content `T::show` produces on each read.
///
/// Removed on drop, after any `show` in progress returns. The data lives in
/// the same heap block as the handle and never moves, hence `Pin<Box<Self>>`.
pub struct ProcFile<T: ProcShow> {
    /// The C handle (`struct rust_procfs_entry`); null until created.
    entry: *mut c_void,
    data: T,
    /// C holds a pointer to `data`: moving it out of the box would leave
    /// that pointer dangling, so the type is `!Unpin`.
    _pin: PhantomPinned,
}

// SAFETY: the C handle is only used by `Drop`, and removing the file from
// another thread is fine; `T` itself is `Send + Sync`.
unsafe impl<T: ProcShow> Send for ProcFile<T> {}
// SAFETY: `&ProcFile` only gives out `&T`, and `T` is `Sync`.
unsafe impl<T: ProcShow> Sync for ProcFile<T> {}

impl<T: ProcShow> ProcFile<T> {
    /// Creates `/proc/<name>`, mode 0444, with `data` behind it.
    ///
    /// `name` must be a plain file name (not empty, no `/`, not `.` or `..`,
    /// at most 255 bytes): `EINVAL` otherwise. `ENOMEM` if memory runs out or
    /// if the kernel refuses the entry; creating a name that exists already
    /// is a bug the kernel warns about.
    #[track_caller]
    pub fn create(name: &'static CStr, data: T) -> Result<Pin<Box<Self>>> {
        might_sleep()?;
        let bytes = name.to_bytes();
        if bytes.is_empty() || bytes.len() > 255 || bytes.contains(&b'/') || bytes == b"." || bytes == b".." {
            return Err(code::EINVAL);
        }
        let mut file = try_box(ProcFile { entry: ptr::null_mut(), data, _pin: PhantomPinned })?;
        let data_ptr: *const T = &file.data;
        let mut entry = ptr::null_mut();
        // SAFETY: `name` is NUL-terminated; `data_ptr` points into the heap
        // block of `file`, which is pinned below and outlives the entry (Drop
        // removes the entry before the data is dropped); `show_trampoline::<T>`
        // expects exactly such a pointer to a `T`.
        to_result(unsafe {
            rust_helper_procfs_create(name.as_ptr(), show_trampoline::<T>, data_ptr.cast(), &mut entry)
        })?;
        file.entry = entry;
        Ok(Box::into_pin(file))
    }

    /// The data behind the file, as `show` sees it.
    pub fn data(&self) -> &T {
        &self.data
    }
}

impl<T: ProcShow> Drop for ProcFile<T> {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // Null only when create failed: then there is no file to remove.
        if self.entry.is_null() {
            return;
        }
        // SAFETY: `entry` came from a successful rust_helper_procfs_create
        // and is removed only here, once.
        unsafe { rust_helper_procfs_remove(self.entry) };
    }
}

/// Called by seq_file (through `helpers/procfs.c`) to produce the content.
///
/// # Safety
///
/// `seq` is the live `seq_file` of a read in progress and `data` the pointer
/// to the `T` that [`ProcFile::create`] registered, still alive.
unsafe extern "C" fn show_trampoline<T: ProcShow>(seq: *mut c_void, data: *const c_void) -> c_int {
    // SAFETY: by this function's contract `data` points to a live `T`, which
    // is only ever shared (`&T`) while the file exists.
    let data = unsafe { &*data.cast::<T>() };
    let mut out = SeqFile { seq, _buffer: PhantomData };
    match data.show(&mut out) {
        Ok(()) => 0,
        Err(err) => err.to_errno(),
    }
}
