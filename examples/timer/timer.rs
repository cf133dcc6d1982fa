// SPDX-License-Identifier: GPL-2.0
//! rust_timer: a periodic kernel timer that hands its work to a workqueue.
//!
//! Every `period_ms` milliseconds the timer fires, in softirq context, where
//! nothing may sleep. It only counts and queues a work item, which runs soon
//! after in process context on a kernel worker thread, where sleeping is
//! allowed: the "top half, bottom half" split of interrupt handling. The
//! counts are in /proc/rust_timer:
//!
//! ```text
//! $ cat /proc/rust_timer
//! period_ms 50
//! fired 18
//! queued 18
//! ran 18
//! ```
//!
//! A firing that finds the work still queued does not queue it twice
//! (`queued` stays behind `fired`). At unload the timer is stopped, then the
//! workqueue flushed, so every queued run has happened: `ran` equals
//! `queued` in the last log line.

#![no_std]

use core::fmt::Write;
use core::pin::Pin;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::prelude::*;
use kernel::procfs::{ProcFile, ProcShow, SeqFile};
use kernel::timer::{Restart, Timer, TimerCallback};
use kernel::workqueue::{Work, WorkCallback, WorkQueue};

/// How often the work item logs that it is still running.
const LOG_EVERY: u64 = 20;

/// The counters, shared by the timer, the work item and the /proc file.
struct Counts {
    fired: AtomicU64,
    queued: AtomicU64,
    ran: AtomicU64,
}

/// The bottom half: runs in process context, so it could sleep.
struct Bottom(Arc<Counts>);

impl WorkCallback for Bottom {
    fn run(&self) {
        let ran = self.0.ran.fetch_add(1, Ordering::Relaxed) + 1;
        if ran.is_multiple_of(LOG_EVERY) {
            pr_info!("work has run {} times", ran);
        }
    }
}

/// The top half: the timer's data, with the work item it queues.
struct Top {
    counts: Arc<Counts>,
    period_ms: u32,
    // Field order is drop order: the queue drains before the work item goes.
    queue: WorkQueue,
    work: Work<Bottom>,
}

impl TimerCallback for Top {
    // Softirq context: count, queue, re-arm; nothing that sleeps.
    fn run(&self) -> Restart {
        self.counts.fired.fetch_add(1, Ordering::Relaxed);
        if self.work.queue_on(&self.queue) {
            self.counts.queued.fetch_add(1, Ordering::Relaxed);
        }
        Restart::After(self.period_ms)
    }
}

/// What /proc/rust_timer shows.
struct Stats(Arc<Counts>);

impl ProcShow for Stats {
    fn show(&self, out: &mut SeqFile<'_>) -> Result {
        // Read the later counters first, so that ran <= queued <= fired holds
        // in what is shown even while the timer keeps firing.
        let ran = self.0.ran.load(Ordering::Relaxed);
        let queued = self.0.queued.load(Ordering::Relaxed);
        let fired = self.0.fired.load(Ordering::Relaxed);
        let _ = write!(out, "period_ms {}\nfired {fired}\nqueued {queued}\nran {ran}\n", params::period_ms.get());
        Ok(())
    }
}

struct RustTimer {
    // Fields drop in this order: the /proc file, then the timer and its data.
    _file: Pin<Box<ProcFile<Stats>>>,
    timer: Timer<Top>,
    counts: Arc<Counts>,
}

impl Module for RustTimer {
    fn init() -> Result<Self> {
        let period_ms = params::period_ms.get();
        if !(1..=10_000).contains(&period_ms) {
            pr_err!("period_ms={} is out of range (1 to 10000)", period_ms);
            return Err(EINVAL);
        }
        let counts = try_arc(Counts { fired: AtomicU64::new(0), queued: AtomicU64::new(0), ran: AtomicU64::new(0) })?;
        let top = Top {
            counts: counts.clone(),
            period_ms,
            queue: WorkQueue::new(c"rust_timer")?,
            work: Work::new(Bottom(counts.clone()))?,
        };
        let timer = Timer::new(top)?;
        let file = ProcFile::create(c"rust_timer", Stats(counts.clone()))?;
        // Armed last: if anything above failed, nothing was running yet.
        timer.arm(period_ms);
        pr_info!("timer armed, firing every {} ms", period_ms);
        Ok(RustTimer { _file: file, timer, counts })
    }
}

impl Drop for RustTimer {
    fn drop(&mut self) {
        // The timer first, so that nothing queues work any more; then wait
        // for the work already queued. Dropping the fields afterwards finds
        // both idle.
        // Module exit runs in process context, where neither fails (their
        // only error, EDEADLK, is for atomic context).
        let _ = self.timer.stop();
        let _ = self.timer.data().queue.flush();
        let c = &self.counts;
        pr_info!(
            "stopped: timer fired {} times, work queued {} times and ran {} times",
            c.fired.load(Ordering::Relaxed),
            c.queued.load(Ordering::Relaxed),
            c.ran.load(Ordering::Relaxed)
        );
    }
}

module! {
    type: RustTimer,
    author: "The rust-kmod template authors",
    description: "A periodic kernel timer that queues work, in Rust",
    params: {
        period_ms: u32 = 50, 0o444, "Timer period in milliseconds (1 to 10000)",
    },
}
