// SPDX-License-Identifier: GPL-2.0
//! rust_fifo: `/dev/rust_fifo`, a bounded byte pipe in kernel memory, and
//! `/proc/rust_fifo`, its counters.
//!
//! It shows blocking I/O in safe Rust: a read on an empty pipe sleeps until
//! a writer adds data, a write to a full one until a reader makes room;
//! `O_NONBLOCK` turns both waits into `EAGAIN`; `poll(2)`, `select(2)` and
//! epoll wait for either; signals interrupt the waits as the kernel's
//! restart protocol says.
//!
//! ```text
//! # echo hello > /dev/rust_fifo
//! # cat /dev/rust_fifo
//! hello
//! # exec 3>/dev/rust_fifo              (a writer stays open, so...)
//! # cat /dev/rust_fifo 3>&- &          (...cat sleeps on the empty pipe)
//! # grep sleeping_readers /proc/rust_fifo
//! sleeping_readers 1
//! # echo world >&3; exec 3>&-          (cat prints it, then reads end of file)
//! world
//! ```
//!
//! At its edges:
//!
//! - A read takes what is there, up to the size asked for. On an empty pipe
//!   it returns 0 (end of file) if no file is open for writing, fails with
//!   `EAGAIN` if the file is `O_NONBLOCK` (or after the file's read timeout,
//!   set by ioctl), and sleeps otherwise, until data comes or the last
//!   writer closes.
//! - A write stores what fits and returns that count (a short write, as
//!   LDD3's scull pipe does); on a full pipe it sleeps, or fails with
//!   `EAGAIN` if `O_NONBLOCK`. Data is kept whether or not a reader has the
//!   device open.
//! - A signal ends a sleep with `ERESTARTSYS`: the process sees `EINTR`, or
//!   its call restarts if the handler was installed with `SA_RESTART`;
//!   `SIGKILL` kills a sleeping reader or writer. A bad user pointer fails
//!   with `EFAULT` and moves no data in or out.
//! - `poll`: readable (`EPOLLIN`) when there is data, hung up (`EPOLLHUP`)
//!   when it is empty with no writer, writable (`EPOLLOUT`) when there is
//!   room, each for files opened for that direction.
//! - The pipe holds `capacity` bytes (a parameter, 4096 by default, at most
//!   1 MiB), allocated at load with `KVVec` (kvmalloc: large ones come from
//!   vmalloc). While a file is open, the module cannot be unloaded.

#![no_std]

use core::fmt::Write;
use core::pin::Pin;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use kernel::completion::WaitResult;
use kernel::ioctl::iow;
use kernel::miscdev::{AccessMode, File, FileOperations, MiscDevice, PollMask, PollTable};
use kernel::prelude::*;
use kernel::procfs::{ProcFile, ProcShow, SeqFile};
use kernel::sync::{CondVar, Mutex};
use kernel::uaccess::{IoctlArg, UserSliceReader, UserSliceWriter};
use kernel::vmalloc::KVVec;

/// The largest `capacity` accepted: 1 MiB.
const MAX_CAPACITY: u32 = 1 << 20;

/// `_IOW('f', 1, __u32)`: the file's read timeout in milliseconds (0: wait
/// for ever). A read that times out fails with `EAGAIN`, as `SO_RCVTIMEO`
/// does for sockets.
const FIFO_SET_READ_TIMEOUT: u32 = iow(b'f', 1, size_of::<u32>());

/// What `/proc/rust_fifo` counts (since load).
#[derive(Default)]
struct Counters {
    bytes_written: u64,
    bytes_read: u64,
    writes: u64,
    reads: u64,
    /// Times a reader or writer went to sleep.
    read_waits: u64,
    write_waits: u64,
    /// Calls that failed with `EAGAIN` (`O_NONBLOCK`) or timed out.
    eagain: u64,
    timeouts: u64,
    /// Waits a signal ended (`ERESTARTSYS`).
    interrupted: u64,
}

/// The ring buffer and who uses it; all behind one lock.
struct Ring {
    /// `capacity` bytes; the data is `len` bytes from `head`, wrapping.
    bytes: KVVec<u8>,
    head: usize,
    len: usize,
    /// Files open for reading, for writing (an `O_RDWR` file is both).
    readers: u32,
    writers: u32,
    /// Tasks asleep in `read` or `write` right now.
    sleeping_readers: u32,
    sleeping_writers: u32,
    counters: Counters,
}

impl Ring {
    fn capacity(&self) -> usize {
        self.bytes.len()
    }

    fn room(&self) -> usize {
        self.capacity() - self.len
    }

    /// The two slices (the second maybe empty) of `count <= len` bytes from
    /// the head, in order.
    fn data(&self, count: usize) -> (&[u8], &[u8]) {
        let first = count.min(self.capacity() - self.head);
        (&self.bytes[self.head..self.head + first], &self.bytes[..count - first])
    }

    /// The two slices of `count <= room` free bytes after the data, in order.
    fn free(&mut self, count: usize) -> (&mut [u8], &mut [u8]) {
        let tail = (self.head + self.len) % self.capacity();
        let first = count.min(self.capacity() - tail);
        let (start, end) = self.bytes.split_at_mut(tail);
        (&mut end[..first], &mut start[..count - first])
    }
}

/// The state the device and the /proc file share.
struct Pipe {
    ring: Mutex<Ring>,
    /// Notified when data arrives or the last writer goes.
    readable: CondVar,
    /// Notified when room is made.
    writable: CondVar,
}

/// One open file: how it was opened, and its read timeout.
struct OpenFile {
    mode: AccessMode,
    read_timeout_ms: AtomicU32,
}

/// `/dev/rust_fifo`.
struct Fifo(Arc<Pipe>);

kernel::file_operations! {
    impl FileOperations for Fifo {
        type OpenState = OpenFile;

        fn open(&self, file: &File<'_>) -> Result<OpenFile> {
            let mode = file.access_mode();
            let mut ring = self.0.ring.lock_interruptible()?;
            ring.readers += u32::from(mode.can_read());
            ring.writers += u32::from(mode.can_write());
            Ok(OpenFile { mode, read_timeout_ms: AtomicU32::new(0) })
        }

        fn release(&self, file: &File<'_, OpenFile>) {
            let mode = file.state().mode;
            // release runs in process context, where lock() cannot fail.
            let Ok(mut ring) = self.0.ring.lock() else { return };
            ring.readers -= u32::from(mode.can_read());
            ring.writers -= u32::from(mode.can_write());
            if mode.can_write() && ring.writers == 0 {
                // Sleeping readers of an empty pipe now read end of file.
                drop(ring);
                self.0.readable.notify_all();
            }
        }

        fn read(&self, file: &File<'_, OpenFile>, out: &mut UserSliceWriter<'_>, _pos: &mut i64) -> Result<usize> {
            if out.is_empty() {
                return Ok(0);
            }
            let mut ring = self.0.ring.lock_interruptible()?;
            while ring.len == 0 {
                if ring.writers == 0 {
                    return Ok(0); // end of file
                }
                if file.is_nonblocking() {
                    ring.counters.eagain += 1;
                    return Err(EAGAIN);
                }
                ring.counters.read_waits += 1;
                ring.sleeping_readers += 1;
                let timeout = file.state().read_timeout_ms.load(Relaxed);
                let woke = match timeout {
                    0 => self.0.readable.wait_interruptible(&mut ring).map(|()| WaitResult::Ready),
                    ms => self.0.readable.wait_interruptible_timeout(&mut ring, ms),
                };
                ring.sleeping_readers -= 1;
                match woke {
                    Err(err) => {
                        ring.counters.interrupted += 1;
                        return Err(err); // ERESTARTSYS: nothing was read
                    }
                    Ok(WaitResult::TimedOut) if ring.len == 0 => {
                        ring.counters.timeouts += 1;
                        return Err(EAGAIN);
                    }
                    Ok(_) => {}
                }
            }
            let count = out.len().min(ring.len);
            // Both copies or nothing: after an EFAULT the data stays.
            let (first, second) = ring.data(count);
            out.write_slice(first)?;
            out.write_slice(second)?;
            let was_full = ring.room() == 0;
            ring.head = (ring.head + count) % ring.capacity();
            ring.len -= count;
            ring.counters.reads += 1;
            ring.counters.bytes_read += count as u64;
            // Pass it on: another sleeping reader can take the rest.
            let pass_on = ring.len > 0 && ring.sleeping_readers > 0;
            drop(ring);
            if was_full {
                // Writers sleep, and pollers wait for EPOLLOUT, only on a full pipe.
                self.0.writable.notify_one();
            }
            if pass_on {
                self.0.readable.notify_one();
            }
            Ok(count)
        }

        fn write(&self, file: &File<'_, OpenFile>, input: &mut UserSliceReader<'_>, _pos: &mut i64) -> Result<usize> {
            if input.is_empty() {
                return Ok(0);
            }
            let mut ring = self.0.ring.lock_interruptible()?;
            while ring.room() == 0 {
                if file.is_nonblocking() {
                    ring.counters.eagain += 1;
                    return Err(EAGAIN);
                }
                ring.counters.write_waits += 1;
                ring.sleeping_writers += 1;
                let woke = self.0.writable.wait_interruptible(&mut ring);
                ring.sleeping_writers -= 1;
                if let Err(err) = woke {
                    ring.counters.interrupted += 1;
                    return Err(err);
                }
            }
            let count = input.len().min(ring.room());
            // The bytes count only once both copies succeed: an EFAULT adds
            // nothing.
            let (first, second) = ring.free(count);
            input.read_slice(first)?;
            input.read_slice(second)?;
            ring.len += count;
            ring.counters.writes += 1;
            ring.counters.bytes_written += count as u64;
            let pass_on = ring.room() > 0 && ring.sleeping_writers > 0;
            drop(ring);
            // Every write, as pipes do since Linux 5.14: an edge-triggered
            // epoll reader hears of each one, not only of the first.
            self.0.readable.notify_one();
            if pass_on {
                self.0.writable.notify_one();
            }
            Ok(count)
        }

        fn ioctl(&self, file: &File<'_, OpenFile>, cmd: u32, arg: &mut IoctlArg<'_>) -> Result<isize> {
            match cmd {
                FIFO_SET_READ_TIMEOUT => file.state().read_timeout_ms.store(arg.read()?, Relaxed),
                _ => return Err(ENOTTY),
            }
            Ok(0)
        }

        fn poll<'a>(&'a self, file: &'a File<'a, OpenFile>, table: &mut PollTable<'a>) -> PollMask {
            // First register, then look: a change after the look wakes us.
            let mode = file.state().mode;
            if mode.can_read() {
                table.register(&self.0.readable);
            }
            if mode.can_write() {
                table.register(&self.0.writable);
            }
            // poll runs in process context, where lock() cannot fail.
            let Ok(ring) = self.0.ring.lock() else { return PollMask::EPOLLERR };
            let mut mask = PollMask::NONE;
            if mode.can_read() {
                if ring.len > 0 {
                    mask |= PollMask::EPOLLIN | PollMask::EPOLLRDNORM;
                } else if ring.writers == 0 {
                    mask |= PollMask::EPOLLHUP;
                }
            }
            if mode.can_write() && ring.room() > 0 {
                mask |= PollMask::EPOLLOUT | PollMask::EPOLLWRNORM;
            }
            mask
        }
    }
}

/// `/proc/rust_fifo`: the counters, one `name value` per line.
struct Stats(Arc<Pipe>);

impl ProcShow for Stats {
    fn show(&self, out: &mut SeqFile<'_>) -> Result {
        let ring = self.0.ring.lock_interruptible()?;
        let c = &ring.counters;
        let _ = write!(
            out,
            "capacity {}\nlength {}\nreaders {}\nwriters {}\nsleeping_readers {}\nsleeping_writers {}\n\
             bytes_written {}\nbytes_read {}\nwrites {}\nreads {}\nread_waits {}\nwrite_waits {}\n\
             eagain {}\ntimeouts {}\ninterrupted {}\n",
            ring.capacity(),
            ring.len,
            ring.readers,
            ring.writers,
            ring.sleeping_readers,
            ring.sleeping_writers,
            c.bytes_written,
            c.bytes_read,
            c.writes,
            c.reads,
            c.read_waits,
            c.write_waits,
            c.eagain,
            c.timeouts,
            c.interrupted,
        );
        Ok(())
    }
}

struct RustFifo {
    _device: MiscDevice<Fifo>,
    _stats: Pin<Box<ProcFile<Stats>>>,
}

impl Module for RustFifo {
    fn init() -> Result<Self> {
        let capacity = params::capacity.get();
        if capacity == 0 || capacity > MAX_CAPACITY {
            return Err(EINVAL);
        }
        let ring = Ring {
            bytes: KVVec::from_elem(0, capacity as usize)?,
            head: 0,
            len: 0,
            readers: 0,
            writers: 0,
            sleeping_readers: 0,
            sleeping_writers: 0,
            counters: Counters::default(),
        };
        let pipe = try_arc(Pipe { ring: Mutex::new(ring)?, readable: CondVar::new()?, writable: CondVar::new()? })?;
        let stats = ProcFile::create(c"rust_fifo", Stats(pipe.clone()))?;
        let device = MiscDevice::register(c"rust_fifo", Fifo(pipe))?;
        pr_info!("/dev/rust_fifo is ready ({capacity} bytes)");
        Ok(RustFifo { _device: device, _stats: stats })
    }
}

module! {
    type: RustFifo,
    author: "The rust-kmod template authors",
    description: "A bounded byte pipe: blocking and non-blocking I/O, poll, signals",
    params: {
        capacity: u32 = 4096, 0o444, "Bytes the pipe holds (1 to 1048576)",
    },
}
