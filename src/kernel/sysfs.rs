// SPDX-License-Identifier: GPL-2.0
//! A directory `/sys/kernel/<name>/` of attribute files, shown and stored by
//! Rust.
//!
//! ```ignore
//! struct Knob { value: AtomicI64 }
//!
//! impl SysfsAttributes for Knob {
//!     const ATTRIBUTES: &'static [Attribute] = &[Attribute::read_write(c"value")];
//!
//!     fn show(&self, _name: &str, out: &mut ShowBuffer<'_>) -> Result {
//!         let _ = writeln!(out, "{}", self.value.load(Ordering::Relaxed));
//!         Ok(())
//!     }
//!
//!     fn store(&self, _name: &str, input: &[u8]) -> Result {
//!         self.value.store(parse_int(input)?, Ordering::Relaxed);
//!         Ok(())
//!     }
//! }
//!
//! let dir = SysfsDir::create(c"rust_knob", Knob { value: AtomicI64::new(0) })?;
//! // /sys/kernel/rust_knob/value now exists; dropping `dir` removes it.
//! ```
//!
//! Each file is one value, as text: `cat` calls [`SysfsAttributes::show`],
//! which writes into the page sysfs hands over (at most `PAGE_SIZE - 1`
//! bytes; the rest is cut off); a `write()` calls
//! [`SysfsAttributes::store`] with the bytes written (`echo` adds a newline:
//! [`parse_int`] and [`parse_str`] drop it). An error fails that `read()` or
//! `write()` with its errno, and a successful store consumes the whole write.
//!
//! Underneath (`helpers/sysfs.c`), C owns the `kobject` (whose directory this
//! is, under `kernel_kobj`), a `kobj_attribute` per file and the
//! `attribute_group` that creates them, and calls back into Rust with the
//! file's index. A read-only attribute (0444) has no store operation, and
//! sysfs refuses to open it for writing, even for root: `EACCES`.
//!
//! Dropping the [`SysfsDir`] removes the directory: the kernel waits for every
//! show and store in progress; files still open fail with `ENODEV` from then
//! on without calling into the module.
//!
//! The same trait serves a device's attributes, files in its own directory
//! that a driver adds in probe and the driver core removes at unbind
//! ([`platform::Device::devm_attributes`](crate::platform::Device::devm_attributes)).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ffi::{c_char, c_int, c_uint, c_ushort, c_void, CStr};
use core::fmt;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::ptr;
use core::str::FromStr;

use crate::allocator::try_box;
use crate::context::{might_sleep, might_sleep_in_drop};
use crate::driver::drop_boxed;
use crate::error::{code, to_result, Result};

type ShowFn = unsafe extern "C" fn(data: *const c_void, index: c_uint, buf: *mut u8, size: usize) -> isize;
type StoreFn = unsafe extern "C" fn(data: *const c_void, index: c_uint, buf: *const u8, len: usize) -> c_int;

extern "C" {
    /// Creates `/sys/kernel/<name>/` with `count` files named `names[i]`, mode
    /// `modes[i]`; stores the handle for `rust_helper_sysfs_remove` in `*dir`.
    fn rust_helper_sysfs_create(
        name: *const c_char,
        names: *const *const c_char,
        modes: *const c_ushort,
        count: c_uint,
        show: ShowFn,
        store: StoreFn,
        data: *const c_void,
        dir: *mut *mut c_void,
    ) -> c_int;
    /// Removes the directory, after every show and store in progress.
    fn rust_helper_sysfs_remove(dir: *mut c_void);
    /// Adds `count` device-managed files to the `struct device` `dev`; `data`
    /// belongs to the device from the call on, and `drop(data)` runs when
    /// the files are gone (or at once if this fails early).
    fn rust_helper_sysfs_devm_add_group(
        dev: *mut c_void,
        names: *const *const c_char,
        modes: *const c_ushort,
        count: c_uint,
        show: ShowFn,
        store: StoreFn,
        data: *mut c_void,
        drop: unsafe extern "C" fn(data: *mut c_void),
    ) -> c_int;
}

/// One file of a [`SysfsDir`]: its name and whether it can be written.
#[derive(Clone, Copy, Debug)]
pub struct Attribute {
    name: &'static CStr,
    mode: u16,
}

impl Attribute {
    /// A file everyone may read and nobody may write (mode 0444).
    pub const fn read_only(name: &'static CStr) -> Self {
        Attribute { name, mode: 0o444 }
    }

    /// A file everyone may read and root may write (mode 0644).
    pub const fn read_write(name: &'static CStr) -> Self {
        Attribute { name, mode: 0o644 }
    }

    /// The file name.
    pub fn name(&self) -> &'static CStr {
        self.name
    }

    /// The file's permissions, such as 0o644.
    pub fn mode(&self) -> u16 {
        self.mode
    }
}

/// The data behind a [`SysfsDir`]: which files it has, and what reading and
/// writing them does.
///
/// `show` and `store` run in process context (the `read()` or `write()` of
/// whoever uses the file), so they may sleep, allocate and take a
/// `kernel::sync::Mutex`; they may run on several CPUs at once, hence `Sync`.
pub trait SysfsAttributes: Send + Sync + 'static {
    /// The files. Names must be distinct, non-empty UTF-8 without `/`.
    const ATTRIBUTES: &'static [Attribute];

    /// Writes the value of the attribute `name` into `out` (a newline at the
    /// end is the convention). An error fails the `read()` with its errno.
    fn show(&self, name: &str, out: &mut ShowBuffer<'_>) -> Result;

    /// Takes `input`, what was written to the writable attribute `name` (with
    /// the newline `echo` adds). An error fails the `write()` with its errno,
    /// and a failed store should leave the value as it was. Only called for
    /// [`Attribute::read_write`] files; the default fails with `EIO`.
    fn store(&self, name: &str, input: &[u8]) -> Result {
        let _ = (name, input);
        Err(code::EIO)
    }
}

/// The page a [`SysfsAttributes::show`] writes into; implements
/// [`core::fmt::Write`].
///
/// It holds at most `PAGE_SIZE - 1` bytes. Text that does not fit is cut off
/// (at a character boundary) and the write returns `fmt::Error`; what fit is
/// still shown.
pub struct ShowBuffer<'a> {
    buf: &'a mut [u8],
    len: usize,
    truncated: bool,
}

impl ShowBuffer<'_> {
    /// Appends raw bytes, as many as fit (see [`is_truncated`](Self::is_truncated)).
    pub fn write_bytes(&mut self, bytes: &[u8]) {
        self.append(bytes, bytes.len());
    }

    /// Appends the first `want` bytes of `bytes`, as many as fit; any of
    /// `bytes` left out marks the buffer truncated, and from then on nothing
    /// more is appended: the reader would see text with a hole in it.
    fn append(&mut self, bytes: &[u8], want: usize) {
        if self.truncated {
            return;
        }
        let take = want.min(self.buf.len() - self.len);
        self.buf[self.len..self.len + take].copy_from_slice(&bytes[..take]);
        self.len += take;
        self.truncated = take < bytes.len();
    }

    /// The number of bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Nothing written yet?
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Was anything cut off?
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
}

impl fmt::Write for ShowBuffer<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        // Cut at a character boundary, so what is shown stays UTF-8.
        let mut take = text.len().min(self.buf.len() - self.len);
        while !text.is_char_boundary(take) {
            take -= 1;
        }
        self.append(text.as_bytes(), take);
        if self.truncated {
            return Err(fmt::Error);
        }
        Ok(())
    }
}

/// The input of a store without the one trailing newline `echo` adds.
pub fn trim_newline(input: &[u8]) -> &[u8] {
    input.strip_suffix(b"\n").unwrap_or(input)
}

/// Parses a store's input as a decimal integer of type `T` (`i64`, `u32`,
/// ...), with an optional sign and one trailing newline: `"42\n"`, `"-7"`.
///
/// `EINVAL` for anything else: empty input, other characters (`"1x"`,
/// `" 1"`, `"0x10"`) or a value out of `T`'s range.
pub fn parse_int<T: FromStr>(input: &[u8]) -> Result<T> {
    let text = core::str::from_utf8(trim_newline(input)).map_err(|_| code::EINVAL)?;
    text.parse().map_err(|_| code::EINVAL)
}

/// A store's input as text, without one trailing newline: `EINVAL` if it is
/// not UTF-8 or contains a NUL or another newline.
pub fn parse_str(input: &[u8]) -> Result<&str> {
    let bytes = trim_newline(input);
    if bytes.iter().any(|&b| b == 0 || b == b'\n') {
        return Err(code::EINVAL);
    }
    core::str::from_utf8(bytes).map_err(|_| code::EINVAL)
}

/// The directory `/sys/kernel/<name>/` with the files of `T::ATTRIBUTES`.
///
/// Removed on drop, after every show and store in progress. The data lives in
/// the same heap block as the handle and never moves, hence `Pin<Box<Self>>`.
pub struct SysfsDir<T: SysfsAttributes> {
    /// The C handle (`struct rust_sysfs_dir`); null until created.
    dir: *mut c_void,
    data: T,
    /// C holds a pointer to `data`: moving it out of the box would leave
    /// that pointer dangling, so the type is `!Unpin`.
    _pin: PhantomPinned,
}

// SAFETY: the C handle is only used by `Drop`, and removing the directory
// from another thread is fine; `T` itself is `Send + Sync`.
unsafe impl<T: SysfsAttributes> Send for SysfsDir<T> {}
// SAFETY: `&SysfsDir` only gives out `&T`, and `T` is `Sync`.
unsafe impl<T: SysfsAttributes> Sync for SysfsDir<T> {}

/// A name the kernel accepts for a file or directory: not empty, not `.` or
/// `..`, no `/`, at most 255 bytes.
fn valid_name(name: &CStr) -> bool {
    let bytes = name.to_bytes();
    !bytes.is_empty() && bytes.len() <= 255 && !bytes.contains(&b'/') && bytes != b"." && bytes != b".."
}

/// `T::ATTRIBUTES` as C takes them: the names and the modes, checked
/// (`EINVAL` for an invalid or duplicate name, or too many), or `ENOMEM`.
fn attribute_table<T: SysfsAttributes>() -> Result<(Vec<*const c_char>, Vec<c_ushort>)> {
    let attrs = T::ATTRIBUTES;
    for (i, attr) in attrs.iter().enumerate() {
        let duplicate = attrs[..i].iter().any(|other| other.name == attr.name);
        if !valid_name(attr.name) || attr.name.to_str().is_err() || duplicate {
            return Err(code::EINVAL);
        }
    }
    c_uint::try_from(attrs.len()).map_err(|_| code::EINVAL)?;
    let mut names = Vec::new();
    names.try_reserve_exact(attrs.len())?;
    names.extend(attrs.iter().map(|attr| attr.name.as_ptr()));
    let mut modes = Vec::new();
    modes.try_reserve_exact(attrs.len())?;
    modes.extend(attrs.iter().map(|attr| attr.mode));
    Ok((names, modes))
}

impl<T: SysfsAttributes> SysfsDir<T> {
    /// Creates `/sys/kernel/<name>/` with `data` behind its files.
    ///
    /// `EINVAL` for an invalid directory or attribute name (see
    /// [`SysfsAttributes::ATTRIBUTES`]) or duplicate attribute names;
    /// `EEXIST` if `/sys/kernel/<name>` exists (the kernel also logs a
    /// warning with a stack trace about it); `ENOMEM`.
    #[track_caller]
    pub fn create(name: &'static CStr, data: T) -> Result<Pin<Box<Self>>> {
        might_sleep()?;
        if !valid_name(name) {
            return Err(code::EINVAL);
        }
        let (names, modes) = attribute_table::<T>()?;
        let count = names.len() as c_uint;

        let mut dir = try_box(SysfsDir { dir: ptr::null_mut(), data, _pin: PhantomPinned })?;
        let data_ptr: *const T = &dir.data;
        let mut handle = ptr::null_mut();
        // SAFETY: `name` and every attribute name are 'static and
        // NUL-terminated, as C keeps them until removal; `names` and `modes`
        // hold `count` entries each and C copies them; `data_ptr` points into
        // the heap block of `dir`, which is pinned below and outlives the C
        // directory (Drop removes it before the data is dropped); the
        // trampolines expect exactly such a pointer to a `T`.
        to_result(unsafe {
            rust_helper_sysfs_create(
                name.as_ptr(),
                names.as_ptr(),
                modes.as_ptr(),
                count,
                show_trampoline::<T>,
                store_trampoline::<T>,
                data_ptr.cast(),
                &mut handle,
            )
        })?;
        dir.dir = handle;
        Ok(Box::into_pin(dir))
    }

    /// The data behind the files, as show and store see it.
    pub fn data(&self) -> &T {
        &self.data
    }
}

impl<T: SysfsAttributes> Drop for SysfsDir<T> {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // Null only when create failed: then there is nothing to remove.
        if self.dir.is_null() {
            return;
        }
        // SAFETY: `dir` came from a successful rust_helper_sysfs_create and
        // is removed only here, once.
        unsafe { rust_helper_sysfs_remove(self.dir) };
    }
}

/// Adds the files of `T::ATTRIBUTES` to the directory of the `struct
/// device` `dev` (`/sys/devices/.../<device>/`), with `data` behind them, all
/// device-managed: the structures (`devm_kzalloc`), a devres action that
/// drops `data`, and the group (`devm_device_add_group`). The driver core
/// removes the files when the driver unbinds, after its remove (waiting for
/// every show and store in progress), then drops `data`.
///
/// `EINVAL` for invalid or duplicate attribute names, `EEXIST` if a file of
/// that name exists, `ENOMEM`; on an error `data` is dropped now or when the
/// failed probe releases the device's devres. May sleep.
///
/// # Safety
///
/// As for [`devm_add`](crate::driver::devm_add): `dev` is live, and the
/// module's driver is bound to it or probing it, under the device lock.
pub(crate) unsafe fn devm_add_attributes<T: SysfsAttributes>(dev: *mut c_void, data: T) -> Result {
    let (names, modes) = attribute_table::<T>()?;
    let data = Box::into_raw(try_box(data)?);
    // SAFETY: `dev` is live and bound (the contract), so devres removes the
    // files and then drops the data before the module's code is gone; the
    // attribute names are 'static and NUL-terminated; `names` and `modes`
    // hold `names.len()` entries (which fits a c_uint: attribute_table) and
    // C copies them; the trampolines and `drop_boxed` expect exactly the
    // leaked `Box<T>` given, which is shared only as `&T` until dropped.
    to_result(unsafe {
        rust_helper_sysfs_devm_add_group(
            dev,
            names.as_ptr(),
            modes.as_ptr(),
            names.len() as c_uint,
            show_trampoline::<T>,
            store_trampoline::<T>,
            data.cast(),
            drop_boxed::<T>,
        )
    })?;
    Ok(())
}

/// The name of attribute `index` of `T`, as checked by `create`.
fn attribute_name<T: SysfsAttributes>(index: c_uint) -> Result<&'static str> {
    let attr = T::ATTRIBUTES.get(index as usize).ok_or(code::EIO)?;
    attr.name.to_str().map_err(|_| code::EIO)
}

/// Called by sysfs (through `helpers/sysfs.c`, for a directory or a
/// device's attributes) to read attribute `index`.
///
/// # Safety
///
/// `data` is the pointer to the live `T` that [`SysfsDir::create`] (or
/// [`devm_add_attributes`]) registered, and `buf` points to
/// `size` writable bytes that nothing else uses during the call.
unsafe extern "C" fn show_trampoline<T: SysfsAttributes>(
    data: *const c_void,
    index: c_uint,
    buf: *mut u8,
    size: usize,
) -> isize {
    // SAFETY: by this function's contract `data` points to a live `T`, which
    // is only ever shared (`&T`) while its files exist.
    let data = unsafe { &*data.cast::<T>() };
    // SAFETY: by this function's contract `buf` is `size` writable bytes,
    // ours for the call (sysfs zeroes the page, so they are initialised).
    let buf = unsafe { core::slice::from_raw_parts_mut(buf, size) };
    let mut out = ShowBuffer { buf, len: 0, truncated: false };
    match attribute_name::<T>(index).and_then(|name| data.show(name, &mut out)) {
        // At most `size`, which is less than a page: no overflow.
        Ok(()) => out.len as isize,
        Err(err) => err.to_errno() as isize,
    }
}

/// Called by sysfs (through `helpers/sysfs.c`, for a directory or a
/// device's attributes) to write attribute `index`.
///
/// # Safety
///
/// `data` is the pointer to the live `T` that [`SysfsDir::create`] (or
/// [`devm_add_attributes`]) registered, and `buf` points to
/// `len` readable bytes, unchanged during the call.
unsafe extern "C" fn store_trampoline<T: SysfsAttributes>(
    data: *const c_void,
    index: c_uint,
    buf: *const u8,
    len: usize,
) -> c_int {
    // SAFETY: by this function's contract `data` points to a live `T`, which
    // is only ever shared (`&T`) while its files exist.
    let data = unsafe { &*data.cast::<T>() };
    let input = if len == 0 {
        &[][..]
    } else {
        // SAFETY: by this function's contract `buf` is `len` readable bytes
        // (a kernel copy of the user's write), unchanged during the call.
        unsafe { core::slice::from_raw_parts(buf, len) }
    };
    match attribute_name::<T>(index).and_then(|name| data.store(name, input)) {
        Ok(()) => 0,
        Err(err) => err.to_errno(),
    }
}
