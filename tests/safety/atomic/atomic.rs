// SPDX-License-Identifier: GPL-2.0
//! rust_atomic: every sleeping operation of the `kernel` crate, tried where
//! sleeping is not allowed, for the safety tests (tests/safety/).
//!
//! Init holds a `Mutex` and arms a timer whose callback (softirq context)
//! locks that `Mutex`: the bug report this test comes from, which hung the
//! machine (`BUG: scheduling while atomic`, then `bad: scheduling from the
//! idle thread!` thousands of times). The callback, then init under a
//! `SpinLock`, then init in plain process context, try each operation once
//! and log what it returned. `/dev/rust_atomic` copies user memory under a
//! `SpinLock` on `read` and `write`.
//!
//! ```text
//! $ insmod rust_atomic.ko
//! rust_atomic: BUG: sleeping function called from invalid context at tests/safety/atomic/atomic.rs:69:15
//! rust_atomic: in_atomic(): 1, irqs_disabled(): 0, in_interrupt(): 0x100, pid: 0, name: swapper/0
//! rust_atomic: the call fails with EDEADLK instead of sleeping; later ones are not reported
//! ... (a backtrace)
//! rust_atomic: timer callback: Mutex::lock=EDEADLK Mutex::lock_interruptible=EDEADLK ... Box::new=ok
//! rust_atomic: under a SpinLock: Mutex::lock=EDEADLK ...
//! rust_atomic: process context: Mutex::lock=ok ...
//! $ cat /dev/rust_atomic
//! cat: read error: Resource deadlock avoided
//! ```

#![no_std]

use core::fmt::Write;
use core::sync::atomic::{AtomicI32, Ordering::Relaxed};

use kernel::completion::Completion;
use kernel::kthread::Thread;
use kernel::miscdev::{File, FileOperations, MiscDevice};
use kernel::prelude::*;
use kernel::sync::{Mutex, SpinLock};
use kernel::timer::{Restart, Timer, TimerCallback};
use kernel::uaccess::{UserSliceReader, UserSliceWriter};
use kernel::vmalloc::KVVec;
use kernel::workqueue::WorkQueue;

/// The operations tried, in the order [`try_each`] tries them.
const NAMES: [&str; 8] = [
    "Mutex::lock",
    "Mutex::lock_interruptible",
    "Mutex::new",
    "Completion::wait_timeout",
    "KVVec::with_capacity",
    "Thread::spawn",
    "WorkQueue::new",
    "Box::new",
];

struct Shared {
    /// Locked by init while the timer callback runs.
    held: Mutex<u32>,
    /// Free: locked only by [`try_each`].
    free: Mutex<u32>,
    /// Completed by the timer callback when it is done.
    done: Completion,
    /// Never completed: waited for, 1 ms at most.
    never: Completion,
    /// What the callback's operations returned (0, or the errno).
    outcome: [AtomicI32; NAMES.len()],
}

/// Tries each operation once, locking `mutex`, in the caller's context.
fn try_each(shared: &Shared, mutex: &Mutex<u32>) -> [Result; NAMES.len()] {
    [
        mutex.lock().map(drop),
        mutex.lock_interruptible().map(drop),
        Mutex::new(0u8).map(drop),
        shared.never.wait_timeout(1).map(drop),
        KVVec::<u8>::with_capacity(4096).map(drop),
        Thread::spawn(c"rust_atomic", |_| {}).map(drop),
        WorkQueue::new(c"rust_atomic").map(drop),
        {
            drop(Box::new([0u8; 64]));
            Ok(())
        },
    ]
}

/// One line: each operation's name and outcome.
fn log(context: &str, outcome: impl Iterator<Item = Result>) {
    let mut line = String::new();
    for (name, result) in NAMES.iter().zip(outcome) {
        let _ = match result {
            Ok(()) => write!(line, " {name}=ok"),
            Err(e) => write!(line, " {name}={e:?}"),
        };
    }
    pr_info!("{context}:{line}");
}

struct Probe(Arc<Shared>);

impl TimerCallback for Probe {
    // Softirq context: every operation below would sleep.
    fn run(&self) -> Restart {
        let shared = &*self.0;
        for (slot, result) in shared.outcome.iter().zip(try_each(shared, &shared.held)) {
            slot.store(result.err().map_or(0, |e| -e.to_errno()), Relaxed);
        }
        shared.done.complete();
        Restart::No
    }
}

/// `/dev/rust_atomic`: copies user memory under a SpinLock.
struct Device {
    lock: SpinLock<[u8; 8]>,
}

kernel::file_operations! {
    impl FileOperations for Device {
        fn read(&self, _file: &File<'_>, out: &mut UserSliceWriter<'_>, _offset: &mut i64) -> Result<usize> {
            let bytes = self.lock.lock();
            out.write_slice(&bytes[..])?; // EDEADLK: a copy may fault, and sleep
            Ok(bytes.len())
        }

        fn write(&self, _file: &File<'_>, input: &mut UserSliceReader<'_>, _offset: &mut i64) -> Result<usize> {
            let mut bytes = self.lock.lock();
            let count = input.len().min(bytes.len());
            input.read_slice(&mut bytes[..count])?; // EDEADLK, as above
            Ok(count)
        }
    }
}

struct Atomic {
    _device: MiscDevice<Device>,
}

impl Module for Atomic {
    fn init() -> Result<Self> {
        let shared = try_arc(Shared {
            held: Mutex::new(0)?,
            free: Mutex::new(0)?,
            done: Completion::new()?,
            never: Completion::new()?,
            outcome: Default::default(),
        })?;

        // The bug report: a timer callback locks a Mutex that init holds.
        let timer = Timer::new(Probe(shared.clone()))?;
        let held = shared.held.lock()?;
        timer.arm(1);
        let waited = shared.done.wait_timeout(5000)?;
        drop(held);
        drop(timer);
        if waited == kernel::completion::WaitResult::TimedOut {
            pr_err!("the timer callback did not finish within 5 s");
            return Err(ETIMEDOUT);
        }
        log(
            "timer callback",
            shared.outcome.iter().map(|slot| match slot.load(Relaxed) {
                0 => Ok(()),
                errno => Err(Error::from_errno(errno)),
            }),
        );

        // Process context, under a SpinLock: atomic too.
        let spinning = SpinLock::new(())?;
        let guard = spinning.lock();
        let outcome = try_each(&shared, &shared.free);
        drop(guard);
        log("under a SpinLock", outcome.into_iter());

        // Process context: everything works.
        log("process context", try_each(&shared, &shared.free).into_iter());

        let device = MiscDevice::register(c"rust_atomic", Device { lock: SpinLock::new([b'x'; 8])? })?;
        Ok(Atomic { _device: device })
    }
}

module! {
    type: Atomic,
    author: "rust-kmod template",
    description: "Sleeping operations tried in atomic context: each fails with EDEADLK, once reported",
}
