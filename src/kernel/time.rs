// SPDX-License-Identifier: GPL-2.0
//! Time: the kernel's monotonic clock, for measuring how long something took.
//!
//! ```ignore
//! let start = Instant::now();
//! do_the_work();
//! pr_info!("took {} ns", start.elapsed_ns());
//! ```
//!
//! The clock is `CLOCK_MONOTONIC` (`ktime_get_ns()`): nanoseconds since boot,
//! not counting time the machine was suspended. It never goes back, and is
//! not affected by `settimeofday` or NTP steps. Reading it is cheap and works
//! in any context a module's code runs in (process, softirq, hard
//! interrupt), though not in NMI handlers, which modules built here do not
//! have.
//!
//! `ktime_get_ns()` is an inline function in `<linux/timekeeping.h>`, so the C
//! half (`helpers/time.c`) wraps it.

use core::time::Duration;

extern "C" {
    fn rust_helper_time_ktime_get_ns() -> u64;
}

/// Nanoseconds since boot on the monotonic clock (`ktime_get_ns()`).
pub fn ktime_get_ns() -> u64 {
    // SAFETY: the helper takes no arguments, touches no Rust memory and may be
    // called in any context.
    unsafe { rust_helper_time_ktime_get_ns() }
}

/// A reading of the monotonic clock. Later readings are never smaller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    ns: u64,
}

impl Instant {
    /// The clock now.
    pub fn now() -> Self {
        Instant { ns: ktime_get_ns() }
    }

    /// The reading in nanoseconds since boot.
    pub fn as_nanos(self) -> u64 {
        self.ns
    }

    /// Nanoseconds from `earlier` to `self`; 0 if `earlier` is in fact later.
    pub fn ns_since(self, earlier: Instant) -> u64 {
        self.ns.saturating_sub(earlier.ns)
    }

    /// Nanoseconds since this reading was taken.
    pub fn elapsed_ns(self) -> u64 {
        Instant::now().ns_since(self)
    }

    /// The time since this reading was taken, as a `Duration`.
    pub fn elapsed(self) -> Duration {
        Duration::from_nanos(self.elapsed_ns())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ns_since_is_the_difference_and_never_negative() {
        let early = Instant { ns: 1_000 };
        let late = Instant { ns: 3_500 };
        assert_eq!(late.ns_since(early), 2_500);
        assert_eq!(early.ns_since(late), 0);
        assert_eq!(late.as_nanos(), 3_500);
    }
}
