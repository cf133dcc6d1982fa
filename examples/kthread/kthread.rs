// SPDX-License-Identifier: GPL-2.0
//! rust_kthread: a kernel thread that sleeps until it is kicked.
//!
//! The thread `[rust_kthread]` (see `ps`) waits on a wait queue. Every
//! `interval_ms` milliseconds a timer kicks it: it counts a pending event
//! and wakes the queue. The thread wakes, takes all pending events and counts
//! one wakeup; if the timer kicked twice before it ran, one wakeup handles
//! both. Init waits on a completion until the thread is running. At unload
//! the timer stops first, then the thread is stopped: `kthread_stop()` wakes
//! it, the wait's condition sees `should_stop()`, and the thread logs its
//! last line itself. With `max_wakeups` set, the thread ends on its own after
//! that many wakeups, and unload still works. State is in /proc/rust_kthread:
//!
//! ```text
//! $ cat /proc/rust_kthread
//! state running
//! kicks 19
//! events 19
//! wakeups 19
//! ```

#![no_std]

use core::fmt::Write;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use kernel::completion::{Completion, WaitQueue, WaitResult};
use kernel::kthread::{StopToken, Thread};
use kernel::prelude::*;
use kernel::procfs::{ProcFile, ProcShow, SeqFile};
use kernel::timer::{Restart, Timer, TimerCallback};

/// What the thread, the timer and the /proc file share.
struct Shared {
    /// The thread sleeps here until `pending` is not zero.
    queue: WaitQueue,
    /// Completed once by the thread when it starts.
    started: Completion,
    /// Kicks not handled yet.
    pending: AtomicU64,
    /// Kicks so far, and events the thread has handled.
    kicks: AtomicU64,
    events: AtomicU64,
    /// Times the thread woke up to handle events.
    wakeups: AtomicU64,
    running: AtomicBool,
}

/// The thread's body: sleep, handle what is pending, repeat until stopped.
fn thread_main(shared: &Shared, stop: &StopToken) {
    shared.running.store(true, Ordering::Relaxed);
    shared.started.complete();
    let max = u64::from(params::max_wakeups.get());
    let mut wakeups = 0;
    while !stop.should_stop() && (max == 0 || wakeups < max) {
        // kthread_stop() wakes us, and should_stop() in the condition ends
        // the wait then. The timeout is only a safety net.
        let ready = || stop.should_stop() || shared.pending.load(Ordering::Acquire) > 0;
        let _ = shared.queue.wait_interruptible_timeout(5000, ready);
        let events = shared.pending.swap(0, Ordering::AcqRel);
        if events > 0 {
            // The unit of work. We are in process context: it could sleep.
            shared.events.fetch_add(events, Ordering::Relaxed);
            wakeups += 1;
            shared.wakeups.store(wakeups, Ordering::Relaxed);
        }
    }
    shared.running.store(false, Ordering::Relaxed);
    pr_info!("thread stopping after {} wakeups", wakeups);
}

/// The timer that kicks the thread (softirq context: it only counts and
/// wakes).
struct Kicker {
    shared: Arc<Shared>,
    interval_ms: u32,
}

impl TimerCallback for Kicker {
    fn run(&self) -> Restart {
        self.shared.kicks.fetch_add(1, Ordering::Relaxed);
        // Make the condition true before waking, or the thread may sleep on.
        self.shared.pending.fetch_add(1, Ordering::Release);
        self.shared.queue.wake_up();
        Restart::After(self.interval_ms)
    }
}

/// What /proc/rust_kthread shows.
struct Stats(Arc<Shared>);

impl ProcShow for Stats {
    fn show(&self, out: &mut SeqFile<'_>) -> Result {
        let s = &self.0;
        // Read in this order so that wakeups <= events <= kicks holds.
        let wakeups = s.wakeups.load(Ordering::Relaxed);
        let events = s.events.load(Ordering::Relaxed);
        let kicks = s.kicks.load(Ordering::Relaxed);
        let state = if s.running.load(Ordering::Relaxed) { "running" } else { "exited" };
        let _ = write!(out, "state {state}\nkicks {kicks}\nevents {events}\nwakeups {wakeups}\n");
        Ok(())
    }
}

struct RustKthread {
    // Drop order: the file, the timer (no more kicks), then the thread.
    _file: Pin<Box<ProcFile<Stats>>>,
    _timer: Timer<Kicker>,
    _thread: Thread,
}

impl Module for RustKthread {
    fn init() -> Result<Self> {
        let interval_ms = params::interval_ms.get();
        if !(1..=10_000).contains(&interval_ms) {
            pr_err!("interval_ms={} is out of range (1 to 10000)", interval_ms);
            return Err(EINVAL);
        }
        let shared = try_arc(Shared {
            queue: WaitQueue::new()?,
            started: Completion::new()?,
            pending: AtomicU64::new(0),
            kicks: AtomicU64::new(0),
            events: AtomicU64::new(0),
            wakeups: AtomicU64::new(0),
            running: AtomicBool::new(false),
        })?;
        // The closure owns its own reference: the data outlives the thread.
        let for_thread = shared.clone();
        let thread = Thread::spawn(c"rust_kthread", move |stop| thread_main(&for_thread, stop))?;
        // Interruptible: a signal to insmod fails the load (ERESTARTSYS) and
        // dropping `thread` stops it.
        if shared.started.wait_interruptible_timeout(5000)? == WaitResult::TimedOut {
            pr_err!("the thread did not start within 5 s");
            return Err(ETIMEDOUT);
        }
        let timer = Timer::new(Kicker { shared: shared.clone(), interval_ms })?;
        let file = ProcFile::create(c"rust_kthread", Stats(shared))?;
        timer.arm(interval_ms);
        pr_info!("thread started, kicked every {} ms", interval_ms);
        Ok(RustKthread { _file: file, _timer: timer, _thread: thread })
    }
}

module! {
    type: RustKthread,
    author: "The rust-kmod template authors",
    description: "A kernel thread woken through a wait queue, in Rust",
    params: {
        interval_ms: u32 = 50, 0o444, "How often the timer kicks the thread, in milliseconds (1 to 10000)",
        max_wakeups: u32 = 0, 0o444, "The thread ends on its own after this many wakeups (0: runs until unload)",
    },
}
