// SPDX-License-Identifier: GPL-2.0
//! Misc character devices: a `/dev/<name>` whose `open`, `read`, `write`,
//! `lseek`, `ioctl`, `poll` and `release` are Rust methods.
//!
//! A module implements [`FileOperations`] for a type holding the device's
//! state, inside [`file_operations!`](crate::file_operations), and registers
//! a value of it with [`MiscDevice::register`]:
//!
//! ```ignore
//! struct Greeter;
//!
//! kernel::file_operations! {
//!     impl FileOperations for Greeter {
//!         fn read(&self, file: &File<'_>, out: &mut UserSliceWriter<'_>, offset: &mut i64) -> Result<usize> {
//!             // ... copy bytes from offset into `out`, move the offset on
//!         }
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
//! # The open file
//!
//! Every method also gets the open file, a [`File`]: its flags as they are
//! at the time of the call ([`File::is_nonblocking`], [`File::is_append`],
//! [`File::access_mode`]) and the file's own state, of the type
//! [`FileOperations::OpenState`]: `open` makes it, every call on that file
//! sees it as [`File::state`], and it is dropped after `release`, at the last
//! `close(2)` of that open (a `dup(2)` or `fork(2)` shares it). A type that
//! names no `OpenState` gets `()`, and an `open` that accepts every open.
//!
//! # Optional operations
//!
//! [`file_operations!`](crate::file_operations) wraps the `impl` block and
//! tells C which methods it contains, as Rust-for-Linux's `#[vtable]` does:
//! `fops.poll` is set only for a type that implements
//! [`poll`](FileOperations::poll), so a device without it behaves as a C
//! driver without one (always ready to `poll(2)` and `select(2)`, refused by
//! `epoll_ctl` with `EPERM`). The trait cannot be implemented without the
//! macro (a hidden item is missing), so there is no flag to forget.
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
use core::ops::{BitOr, BitOrAssign};
use core::ptr::{self, NonNull};

use crate::allocator::{try_box, try_box_uninit};
use crate::completion::WaitQueue;
use crate::context::{might_sleep, might_sleep_in_drop};
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
    fn rust_helper_miscdev_file_flags(file: *mut c_void) -> c_uint;
    fn rust_helper_miscdev_poll_wait(file: *mut c_void, queue: *mut c_void, table: *mut c_void);
}

/// The permissions of `/dev/<name>` that [`MiscDevice::register`] gives:
/// anyone may read and write (the examples' tests rely on it). Use
/// [`MiscDevice::register_with_mode`] for anything stricter.
pub const DEFAULT_MODE: u16 = 0o666;

/// `open(2)` flags, as [`File::flags`] returns them (the x86-64 user-space
/// values, from `include/uapi/asm-generic/fcntl.h`; `helpers/miscdev.c`
/// checks them against the kernel's at build time).
pub mod flags {
    /// The bits of the access mode: one of the next three.
    pub const O_ACCMODE: u32 = 0o3;
    /// Opened for reading only.
    pub const O_RDONLY: u32 = 0o0;
    /// Opened for writing only.
    pub const O_WRONLY: u32 = 0o1;
    /// Opened for reading and writing.
    pub const O_RDWR: u32 = 0o2;
    /// Writes go to the end of the file. The kernel does not move the
    /// offset of a device for it: a device that honours it checks
    /// [`File::is_append`](super::File::is_append).
    pub const O_APPEND: u32 = 0o2000;
    /// Reads and writes that would wait fail with `EAGAIN` instead.
    pub const O_NONBLOCK: u32 = 0o4000;
}

/// How a file was opened: `O_RDONLY`, `O_WRONLY` or `O_RDWR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessMode {
    /// `O_RDONLY`.
    ReadOnly,
    /// `O_WRONLY`.
    WriteOnly,
    /// `O_RDWR`.
    ReadWrite,
}

impl AccessMode {
    /// The access mode in `open(2)` flags. (The kernel refuses an `open` of
    /// a device with mode 3, so that never reaches a method; it reads as
    /// `ReadWrite`.)
    pub fn from_flags(flags: u32) -> AccessMode {
        match flags & flags::O_ACCMODE {
            flags::O_RDONLY => AccessMode::ReadOnly,
            flags::O_WRONLY => AccessMode::WriteOnly,
            _ => AccessMode::ReadWrite,
        }
    }

    /// Whether `read(2)` is allowed (the kernel refuses it with `EBADF`
    /// before calling the device otherwise).
    pub fn can_read(self) -> bool {
        self != AccessMode::WriteOnly
    }

    /// Whether `write(2)` is allowed (likewise).
    pub fn can_write(self) -> bool {
        self != AccessMode::ReadOnly
    }
}

/// An open file of the device: a `struct file`, during one call of a
/// [`FileOperations`] method.
///
/// `S` is the file's own state ([`FileOperations::OpenState`]); in `open`,
/// which makes it, there is none yet and `S` is `()`.
///
/// # Invariants
///
/// `raw` is the `struct file` of the system call being served, alive for
/// `'a`; `state` is this file's state.
pub struct File<'a, S = ()> {
    raw: *mut c_void,
    state: &'a S,
}

impl<'a, S> File<'a, S> {
    /// The file's `open(2)` flags now (`file->f_flags`): the access mode,
    /// `O_APPEND`, `O_NONBLOCK` and the rest. `fcntl(F_SETFL)` may change
    /// `O_APPEND` and `O_NONBLOCK` while the file is open, so read them at
    /// each call rather than keeping them from `open`.
    pub fn flags(&self) -> u32 {
        // SAFETY: `raw` is the live struct file of this call (invariant).
        unsafe { rust_helper_miscdev_file_flags(self.raw) }
    }

    /// `O_NONBLOCK`: a call that would wait must fail with `EAGAIN` instead.
    pub fn is_nonblocking(&self) -> bool {
        self.flags() & flags::O_NONBLOCK != 0
    }

    /// `O_APPEND`: writes go to the end of the data.
    pub fn is_append(&self) -> bool {
        self.flags() & flags::O_APPEND != 0
    }

    /// Whether the file was opened for reading, writing or both.
    pub fn access_mode(&self) -> AccessMode {
        AccessMode::from_flags(self.flags())
    }

    /// The file's own state, which `open` returned.
    pub fn state(&self) -> &'a S {
        self.state
    }
}

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

/// What [`FileOperations::poll`] returns: the kernel's `__poll_t`, a set of
/// `EPOLL*` bits saying what the file is ready for now.
///
/// `poll(2)` reports them as `POLLIN`, ...; `select(2)` counts a file as
/// readable for `EPOLLIN`, `EPOLLHUP` or `EPOLLERR` and writable for
/// `EPOLLOUT` or `EPOLLERR`; epoll reports them as they are.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PollMask(u32);

impl PollMask {
    /// Nothing is ready.
    pub const NONE: PollMask = PollMask(0);
    /// `EPOLLIN`: a read would not wait.
    pub const EPOLLIN: PollMask = PollMask(0x001);
    /// `EPOLLPRI`: urgent data.
    pub const EPOLLPRI: PollMask = PollMask(0x002);
    /// `EPOLLOUT`: a write would not wait.
    pub const EPOLLOUT: PollMask = PollMask(0x004);
    /// `EPOLLERR`: an error is pending (reported even if not asked for).
    pub const EPOLLERR: PollMask = PollMask(0x008);
    /// `EPOLLHUP`: the other side has gone (reported even if not asked for);
    /// a read returns 0 (end of file).
    pub const EPOLLHUP: PollMask = PollMask(0x010);
    /// `EPOLLRDNORM`: normal data to read; usually given with `EPOLLIN`.
    pub const EPOLLRDNORM: PollMask = PollMask(0x040);
    /// `EPOLLWRNORM`: room to write; usually given with `EPOLLOUT`.
    pub const EPOLLWRNORM: PollMask = PollMask(0x100);
    /// `EPOLLRDHUP`: the peer closed its writing side.
    pub const EPOLLRDHUP: PollMask = PollMask(0x2000);
    /// What the kernel assumes for a file without `poll`
    /// (`DEFAULT_POLLMASK`): readable and writable.
    pub const DEFAULT: PollMask = PollMask(0x001 | 0x004 | 0x040 | 0x100);

    /// The bits, as C's `__poll_t`.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// Whether every bit of `other` is set in `self`.
    pub fn contains(self, other: PollMask) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for PollMask {
    type Output = PollMask;

    fn bitor(self, other: PollMask) -> PollMask {
        PollMask(self.0 | other.0)
    }
}

impl BitOrAssign for PollMask {
    fn bitor_assign(&mut self, other: PollMask) {
        self.0 |= other.0;
    }
}

/// The kernel's `poll_table`, during one call of [`FileOperations::poll`]:
/// where `poll` registers the wait queues whose wake-ups may change its
/// answer.
///
/// The queues must live as long as the file may be polled, which for epoll
/// is until the file's last close. `'a` is the lifetime of the device's
/// state and of the file's state in that call, so a queue borrowed from
/// either is accepted, and one on the stack or behind a lock guard is not.
///
/// # Invariants
///
/// `file` and `table` are the `struct file` and the `poll_table` (maybe
/// null) of the `poll` call being served.
pub struct PollTable<'a> {
    file: *mut c_void,
    table: *mut c_void,
    _queues: PhantomData<&'a WaitQueue>,
}

impl<'a> PollTable<'a> {
    /// `poll_wait()`: a wake-up of `queue` makes `poll(2)`, `select(2)` and
    /// epoll ask [`FileOperations::poll`] again. Register every queue the
    /// file's readiness may change on, then compute the mask: a change
    /// after the registration wakes the poller, so none is missed. Takes a
    /// [`WaitQueue`] or a [`CondVar`](crate::sync::CondVar) (whose
    /// `notify_one` and `notify_all` wake pollers too). May sleep
    /// (`poll(2)` allocates its wait entries with `GFP_KERNEL`).
    pub fn register<Q: AsRef<WaitQueue> + ?Sized>(&mut self, queue: &'a Q) {
        // SAFETY: `file` and `table` are those of this poll call (invariant);
        // the queue lives for 'a, as long as the device's or the file's
        // state, which outlive every epoll entry on the file (see
        // helpers/miscdev.c); poll(2) and select(2) remove theirs before
        // returning.
        unsafe { rust_helper_miscdev_poll_wait(self.file, queue.as_ref().as_raw(), self.table) }
    }
}

/// What a device does when a process opens, reads, writes, seeks, sends an
/// `ioctl` to, polls or closes `/dev/<name>`.
///
/// Implement it inside [`file_operations!`](crate::file_operations). Every
/// method but `open` has a default, and the macro supplies `open` (and an
/// `OpenState` of `()`) when the `impl` leaves them out. The methods run in
/// the calling process's context, where sleeping is allowed. Errors reach
/// the process as `-1` and `errno`; `ERESTARTSYS` (from an interrupted wait)
/// becomes `EINTR`, or a transparent restart of the call when the signal's
/// handler was installed with `SA_RESTART`.
pub trait FileOperations: Sync + Send + Sized + 'static {
    /// The state of one open file: made by `open`, seen by every method
    /// called on that file as [`File::state`], dropped after `release`.
    type OpenState: Send + Sync + 'static;

    /// Whether the type implements `poll`: set by `file_operations!`.
    #[doc(hidden)]
    const HAS_POLL: bool = false;

    /// Only `file_operations!` defines this, so the trait cannot be
    /// implemented without it (which would leave `HAS_POLL` wrong).
    #[doc(hidden)]
    const USE_FILE_OPERATIONS_MACRO: ();

    /// `open(2)`: the new file's state, or an error that fails the open.
    /// `file` has the flags of the open (and no state yet). The memory for
    /// the state is allocated before this is called (`ENOMEM` fails the
    /// open without calling it), so an `open` that succeeds is never undone:
    /// `release` follows it, at the last close. Without an
    /// `open`, `file_operations!` accepts every open with the default
    /// state (`OpenState::default()`).
    ///
    /// It runs under the mutex of the kernel's list of misc devices: it must
    /// not register or drop a [`MiscDevice`].
    fn open(&self, file: &File<'_>) -> Result<Self::OpenState>;

    /// The last `close(2)` of a file opened with `open` (its state is
    /// dropped right after).
    fn release(&self, _file: &File<'_, Self::OpenState>) {}

    /// `read(2)`: copy up to `out.len()` bytes, starting at `*offset`, into
    /// `out`; advance `*offset` past them and return how many were copied
    /// (0 means end of file). The offset is stored back only on success.
    fn read(
        &self,
        _file: &File<'_, Self::OpenState>,
        _out: &mut UserSliceWriter<'_>,
        _offset: &mut i64,
    ) -> Result<usize> {
        Err(EINVAL)
    }

    /// `write(2)`: take up to `input.len()` bytes from `input` and store them
    /// at `*offset`; advance `*offset` past them and return how many were
    /// taken. The offset is stored back only on success.
    fn write(
        &self,
        _file: &File<'_, Self::OpenState>,
        _input: &mut UserSliceReader<'_>,
        _offset: &mut i64,
    ) -> Result<usize> {
        Err(EINVAL)
    }

    /// `lseek(2)`: the new position, given the `current` one and the request
    /// (often just `Ok(from.resolve(current, size)?)`). The kernel crate sets
    /// the file's position to it. `SEEK_DATA` and `SEEK_HOLE` are refused with
    /// `EINVAL` before this is called.
    fn seek(&self, _file: &File<'_, Self::OpenState>, _current: i64, _from: SeekFrom) -> Result<i64> {
        Err(ESPIPE)
    }

    /// `ioctl(2)`: carry out command `cmd` (see [`crate::ioctl`] for how
    /// commands are numbered) with its argument `arg`. Return a non-negative
    /// value for the process, or `ENOTTY` for a command the device does not
    /// know.
    fn ioctl(&self, _file: &File<'_, Self::OpenState>, _cmd: u32, _arg: &mut IoctlArg<'_>) -> Result<isize> {
        Err(ENOTTY)
    }

    /// `poll(2)`, `select(2)` and epoll: register on `table` every wait
    /// queue whose wake-up may change the answer, then return what the file
    /// is ready for now. Called once per `poll(2)`, again after each
    /// wake-up, and by epoll whenever it checks (edge- and level-triggered
    /// alike). Process context: it may take a [`Mutex`](crate::sync::Mutex)
    /// to look at the state, but must never wait for the event it reports.
    /// A type that does not implement it has no `poll` at all (see the
    /// module documentation).
    fn poll<'a>(&'a self, _file: &'a File<'a, Self::OpenState>, _table: &mut PollTable<'a>) -> PollMask {
        PollMask::DEFAULT
    }
}

/// Implements [`FileOperations`](crate::miscdev::FileOperations): wrap the
/// `impl` block in it.
///
/// ```ignore
/// kernel::file_operations! {
///     impl FileOperations for Pipe {
///         type OpenState = Reader;   // optional: () without it
///         fn open(&self, file: &File<'_>) -> Result<Reader> { ... } // optional
///         fn poll<'a>(&'a self, file: &'a File<'a, Reader>, table: &mut PollTable<'a>) -> PollMask { ... }
///     }
/// }
/// ```
///
/// It passes the items through and adds what the kernel needs to know
/// about them, as Rust-for-Linux's `#[vtable]` does without a procedural
/// macro: whether `poll` is among them (so that `fops.poll` is set only
/// then), `type OpenState = ()` if the block names no `OpenState`, and an
/// `open` that returns `OpenState::default()` if it has no `open`.
#[macro_export]
macro_rules! file_operations {
    (impl $($trait:ident)::+ for $ty:ty { $($items:tt)* }) => {
        impl $($trait)::+ for $ty {
            const USE_FILE_OPERATIONS_MACRO: () = ();
            $crate::__file_operations_scan!([no no no] $($items)*);
            $($items)*
        }
    };
}

/// The scanner behind [`file_operations!`]: walks the items of the `impl`
/// (one attribute or function per step) noting `[OpenState open poll]`,
/// then emits the items the block lacks.
#[doc(hidden)]
#[macro_export]
macro_rules! __file_operations_scan {
    ([$s:tt $o:tt $p:tt]) => {
        $crate::__file_operations_scan!(@state $s);
        $crate::__file_operations_scan!(@open $o);
        $crate::__file_operations_scan!(@poll $p);
    };
    ([$s:tt $o:tt $p:tt] type OpenState $($rest:tt)*) => {
        $crate::__file_operations_scan!([yes $o $p] $($rest)*);
    };
    ([$s:tt $o:tt $p:tt] fn open $($rest:tt)*) => {
        $crate::__file_operations_scan!([$s yes $p] $($rest)*);
    };
    ([$s:tt $o:tt $p:tt] fn poll $($rest:tt)*) => {
        $crate::__file_operations_scan!([$s $o yes] $($rest)*);
    };
    ([$s:tt $o:tt $p:tt] # [$($attr:tt)*] $($rest:tt)*) => {
        $crate::__file_operations_scan!([$s $o $p] $($rest)*);
    };
    ([$s:tt $o:tt $p:tt] fn $name:ident ($($args:tt)*) $(-> $ret:ty)? { $($body:tt)* } $($rest:tt)*) => {
        $crate::__file_operations_scan!([$s $o $p] $($rest)*);
    };
    ([$s:tt $o:tt $p:tt] $first:tt $($rest:tt)*) => {
        $crate::__file_operations_scan!([$s $o $p] $($rest)*);
    };
    (@state no) => {
        type OpenState = ();
    };
    (@state yes) => {};
    (@open no) => {
        fn open(&self, _file: &$crate::miscdev::File<'_>) -> $crate::error::Result<Self::OpenState> {
            Ok(<Self::OpenState as ::core::default::Default>::default())
        }
    };
    (@open yes) => {};
    (@poll no) => {};
    (@poll yes) => {
        const HAS_POLL: bool = true;
    };
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
    #[track_caller]
    pub fn register(name: &'static CStr, data: T) -> Result<Self> {
        Self::register_with_mode(name, DEFAULT_MODE, data)
    }

    /// Registers `/dev/<name>` with permissions `mode` (such as `0o600`).
    #[track_caller]
    pub fn register_with_mode(name: &'static CStr, mode: u16, data: T) -> Result<Self> {
        might_sleep()?;
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
        might_sleep_in_drop();
        // SAFETY: `dev` came from a successful registration and is
        // deregistered only here, once. Afterwards C drops the state as soon
        // as no file is open; `self.data` is not used again.
        unsafe { rust_helper_miscdev_deregister(self.dev.as_ptr()) }
    }
}

/// The function table C calls: `struct rust_miscdev_ops` in
/// `helpers/miscdev.c`, field for field. Every function but `free_data` gets
/// the device's state, the `struct file` and the file's state.
#[repr(C)]
struct Ops {
    open: unsafe extern "C" fn(data: *const c_void, file: *mut c_void, open: *mut *mut c_void) -> c_int,
    release: unsafe extern "C" fn(data: *const c_void, file: *mut c_void, open: *mut c_void),
    read: unsafe extern "C" fn(
        data: *const c_void,
        file: *mut c_void,
        open: *mut c_void,
        buf: *mut c_char,
        count: usize,
        pos: *mut i64,
    ) -> isize,
    write: unsafe extern "C" fn(
        data: *const c_void,
        file: *mut c_void,
        open: *mut c_void,
        buf: *const c_char,
        count: usize,
        pos: *mut i64,
    ) -> isize,
    llseek: unsafe extern "C" fn(
        data: *const c_void,
        file: *mut c_void,
        open: *mut c_void,
        pos: i64,
        offset: i64,
        whence: c_int,
    ) -> i64,
    ioctl: unsafe extern "C" fn(
        data: *const c_void,
        file: *mut c_void,
        open: *mut c_void,
        cmd: c_uint,
        arg: c_ulong,
    ) -> c_long,
    /// `None` (NULL) when the type has no `poll`: C then leaves `fops.poll`
    /// unset.
    poll: Option<
        unsafe extern "C" fn(data: *const c_void, file: *mut c_void, open: *mut c_void, table: *mut c_void) -> c_uint,
    >,
    free_data: unsafe extern "C" fn(data: *mut c_void),
}

/// The C-callable functions for one device type `T`: each turns C's
/// arguments into Rust ones, calls `T`'s method and turns the `Result` into
/// C's "count or negative errno".
///
/// Their common `# Safety` contract: `data` is the state of a live
/// `MiscDevice<T>` registration (C passes the pointer it was given, and holds
/// a reference on it during the call); `file` is the `struct file` of the
/// system call being served, and `open` (but in `open` itself) is that
/// file's state, the pointer `Adapter::open` stored, not yet dropped. They
/// are called from the file operations of a process's system call, in
/// process context.
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
        poll: if T::HAS_POLL { Some(Self::poll) } else { None },
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
    unsafe fn file<'a>(file: *mut c_void, open: *mut c_void) -> File<'a, T::OpenState> {
        // SAFETY: by the contract, `open` is this file's live state, made by
        // `Adapter::open` from a Box and dropped only in `release`, after
        // the last call on the file; it is only shared.
        let state = unsafe { &*open.cast::<T::OpenState>() };
        // The invariant of File: `file` is this call's struct file.
        File { raw: file, state }
    }

    /// # Safety
    ///
    /// See [`Adapter`]; `out` is where C keeps the file's state.
    unsafe extern "C" fn open(data: *const c_void, file: *mut c_void, out: *mut *mut c_void) -> c_int {
        // SAFETY: see Adapter.
        let state = unsafe { Self::state(data) };
        // Room for the file's state first: once `open` has succeeded (and
        // maybe counted the file), nothing may fail, since `release` would
        // never run to undo it.
        let slot = match try_box_uninit::<T::OpenState>() {
            Ok(slot) => slot,
            Err(err) => return err.to_errno(),
        };
        // The invariant of File: `file` is the struct file being opened.
        let opening = File { raw: file, state: &() };
        match state.open(&opening) {
            Ok(open) => {
                let open = alloc::boxed::Box::write(slot, open);
                // SAFETY: `out` is valid for a write (the contract); C keeps
                // the pointer in file->private_data until release.
                unsafe { *out = alloc::boxed::Box::into_raw(open).cast() };
                0
            }
            Err(err) => err.to_errno(),
        }
    }

    /// # Safety
    ///
    /// See [`Adapter`]; this is the file's last call.
    unsafe extern "C" fn release(data: *const c_void, file: *mut c_void, open: *mut c_void) {
        // SAFETY: see Adapter.
        let (state, file_ref) = unsafe { (Self::state(data), Self::file(file, open)) };
        state.release(&file_ref);
        // SAFETY: `open` came from Box::into_raw in `open`; this is the
        // file's last call, so nothing uses it afterwards.
        drop(unsafe { alloc::boxed::Box::from_raw(open.cast::<T::OpenState>()) });
    }

    /// # Safety
    ///
    /// See [`Adapter`]; also, `buf` and `count` are the user buffer of the
    /// `read(2)` being served and `pos` points to its file position.
    unsafe extern "C" fn read(
        data: *const c_void,
        file: *mut c_void,
        open: *mut c_void,
        buf: *mut c_char,
        count: usize,
        pos: *mut i64,
    ) -> isize {
        // SAFETY: see Adapter.
        let (state, file) = unsafe { (Self::state(data), Self::file(file, open)) };
        // SAFETY: the user range of this very read(2), used only in this call.
        let mut out = unsafe { UserSliceWriter::new(buf as usize, count) };
        // SAFETY: `pos` is valid for the call (the kernel's file position).
        let mut offset = unsafe { *pos };
        match state.read(&file, &mut out, &mut offset) {
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
    unsafe extern "C" fn write(
        data: *const c_void,
        file: *mut c_void,
        open: *mut c_void,
        buf: *const c_char,
        count: usize,
        pos: *mut i64,
    ) -> isize {
        // SAFETY: see Adapter.
        let (state, file) = unsafe { (Self::state(data), Self::file(file, open)) };
        // SAFETY: the user range of this very write(2), used only in this call.
        let mut input = unsafe { UserSliceReader::new(buf as usize, count) };
        // SAFETY: `pos` is valid for the call (the kernel's file position).
        let mut offset = unsafe { *pos };
        match state.write(&file, &mut input, &mut offset) {
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
    unsafe extern "C" fn llseek(
        data: *const c_void,
        file: *mut c_void,
        open: *mut c_void,
        pos: i64,
        offset: i64,
        whence: c_int,
    ) -> i64 {
        // SAFETY: see Adapter.
        let (state, file) = unsafe { (Self::state(data), Self::file(file, open)) };
        // SEEK_SET, SEEK_CUR and SEEK_END from <linux/fs.h>.
        let from = match whence {
            0 => SeekFrom::Start(offset),
            1 => SeekFrom::Current(offset),
            2 => SeekFrom::End(offset),
            _ => return EINVAL.to_errno().into(),
        };
        match state.seek(&file, pos, from) {
            Ok(position) if position >= 0 => position,
            Ok(_) => EINVAL.to_errno().into(),
            Err(err) => err.to_errno().into(),
        }
    }

    /// # Safety
    ///
    /// See [`Adapter`]; also, `arg` is the argument of the `ioctl(2)` being
    /// served.
    unsafe extern "C" fn ioctl(
        data: *const c_void,
        file: *mut c_void,
        open: *mut c_void,
        cmd: c_uint,
        arg: c_ulong,
    ) -> c_long {
        // SAFETY: see Adapter.
        let (state, file) = unsafe { (Self::state(data), Self::file(file, open)) };
        // SAFETY: the argument of this very ioctl(2), used only in this call.
        let mut arg = unsafe { IoctlArg::new(arg as usize) };
        match state.ioctl(&file, cmd, &mut arg) {
            Ok(value) => value as c_long,
            Err(err) => err.to_errno().into(),
        }
    }

    /// # Safety
    ///
    /// See [`Adapter`]; also, `table` is the `poll_table` (maybe null) of the
    /// poll being served.
    unsafe extern "C" fn poll(data: *const c_void, file: *mut c_void, open: *mut c_void, table: *mut c_void) -> c_uint {
        // SAFETY: see Adapter.
        let (state, file_ref) = unsafe { (Self::state(data), Self::file(file, open)) };
        // The invariant of PollTable: this poll call's file and table.
        let mut table = PollTable { file, table, _queues: PhantomData };
        state.poll(&file_ref, &mut table).bits()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Implements nothing: every default.
    struct Plain;
    crate::file_operations! {
        impl FileOperations for Plain {}
    }

    /// A poll, an own open state with a Default, no open.
    #[derive(Default)]
    struct Count(u32);
    struct Polled;
    crate::file_operations! {
        impl FileOperations for Polled {
            type OpenState = Count;

            /// A doc comment, which the scanner must skip.
            #[allow(clippy::needless_lifetimes)]
            fn poll<'a>(&'a self, file: &'a File<'a, Count>, _table: &mut PollTable<'a>) -> PollMask {
                if file.state().0 > 0 { PollMask::EPOLLIN } else { PollMask::NONE }
            }
        }
    }

    /// An open of its own, and other methods around it.
    struct Opened;
    crate::file_operations! {
        impl FileOperations for Opened {
            type OpenState = u8;

            fn read(&self, _file: &File<'_, u8>, _out: &mut UserSliceWriter<'_>, _offset: &mut i64) -> Result<usize> {
                Ok(0)
            }

            fn open(&self, _file: &File<'_>) -> Result<u8> {
                Ok(42)
            }
        }
    }

    fn opened<T: FileOperations>(device: &T) -> Result<T::OpenState> {
        device.open(&File { raw: ptr::null_mut(), state: &() })
    }

    #[test]
    fn file_operations_sets_has_poll_only_for_types_with_poll() {
        fn has_poll<T: FileOperations>() -> bool {
            T::HAS_POLL
        }
        assert!(!has_poll::<Plain>());
        assert!(has_poll::<Polled>());
        assert!(!has_poll::<Opened>());
        assert!(Adapter::<Plain>::OPS.poll.is_none());
        assert!(Adapter::<Polled>::OPS.poll.is_some());
    }

    #[test]
    fn file_operations_supplies_unit_state_and_default_open_when_left_out() {
        let () = opened(&Plain).unwrap();
        assert_eq!(opened(&Polled).unwrap().0, 0);
        assert_eq!(opened(&Opened).unwrap(), 42);
    }

    #[test]
    fn access_mode_comes_from_the_two_low_bits_of_the_flags() {
        use flags::*;
        assert_eq!(AccessMode::from_flags(O_RDONLY | O_NONBLOCK), AccessMode::ReadOnly);
        assert_eq!(AccessMode::from_flags(O_WRONLY | O_APPEND), AccessMode::WriteOnly);
        assert_eq!(AccessMode::from_flags(O_RDWR), AccessMode::ReadWrite);
        assert!(AccessMode::ReadOnly.can_read() && !AccessMode::ReadOnly.can_write());
        assert!(!AccessMode::WriteOnly.can_read() && AccessMode::WriteOnly.can_write());
        assert!(AccessMode::ReadWrite.can_read() && AccessMode::ReadWrite.can_write());
    }

    #[test]
    fn poll_masks_combine_and_match_the_kernel_values() {
        let mut mask = PollMask::EPOLLIN | PollMask::EPOLLRDNORM;
        mask |= PollMask::EPOLLHUP;
        assert_eq!(mask.bits(), 0x1 | 0x40 | 0x10);
        assert!(mask.contains(PollMask::EPOLLIN | PollMask::EPOLLHUP));
        assert!(!mask.contains(PollMask::EPOLLOUT));
        assert_eq!(PollMask::DEFAULT.bits(), 0x145);
        assert_eq!(PollMask::EPOLLERR.bits() | PollMask::EPOLLWRNORM.bits() | PollMask::EPOLLRDHUP.bits(), 0x2108);
    }

    #[test]
    fn seek_positions_resolve_from_start_current_and_end() {
        assert_eq!(SeekFrom::Start(5).resolve(100, 10), Ok(5));
        assert_eq!(SeekFrom::Current(-5).resolve(100, 10), Ok(95));
        assert_eq!(SeekFrom::End(-11).resolve(100, 10), Err(EINVAL));
        assert_eq!(SeekFrom::Current(1).resolve(i64::MAX, 0), Err(EINVAL));
    }
}
