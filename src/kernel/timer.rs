// SPDX-License-Identifier: GPL-2.0
//! Kernel timers: run a callback a number of milliseconds from now, once or
//! periodically.
//!
//! ```ignore
//! struct Tick { fired: AtomicU64 }
//!
//! impl TimerCallback for Tick {
//!     // Softirq context: no sleeping, no mutex, no GFP_KERNEL allocation.
//!     fn run(&self) -> Restart {
//!         self.fired.fetch_add(1, Ordering::Relaxed);
//!         Restart::After(100) // again in 100 ms
//!     }
//! }
//!
//! let timer = Timer::new(Tick { fired: AtomicU64::new(0) })?;
//! timer.arm(100); // first run in 100 ms
//! // Dropping `timer` stops it; the callback has returned by then.
//! ```
//!
//! Underneath is a `struct timer_list` that the C half (`helpers/timer.c`)
//! allocates and owns; Rust keeps an opaque pointer to it. The data `T` lives
//! in its own heap block, so a [`Timer`] can move while the callback holds a
//! pointer to the data.
//!
//! The callback runs in softirq context (atomic): it must not sleep, so no
//! mutex, no `GFP_KERNEL` allocation (`Box`, `Vec` growth, `try_box`), no
//! `copy_to_user` (each fails with `EDEADLK` there, or allocates with
//! `GFP_ATOMIC`, after a report: [`context`](crate::context)); atomics,
//! spinlocks that disable interrupts, `pr_info!`,
//! waking a thread or queueing work (`kernel::workqueue`) are fine. It gets
//! only `&T`, shared with whoever else holds the timer, hence `T: Sync`.
//!
//! [`stop`](Timer::stop) and `Drop` shut the timer down for good: a callback
//! that is running has returned when they return, a pending expiry is
//! deleted, and neither a [`Restart::After`] from that callback nor a later
//! [`arm`](Timer::arm) queues it again. Both wait, so call them in process
//! context, never from the timer's own callback (that would wait for
//! itself forever).

use alloc::boxed::Box;
use core::ffi::{c_int, c_long, c_uint, c_void};
use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::allocator::try_box;
use crate::context::{might_sleep, might_sleep_in_drop};
use crate::error::{code, Result};

/// The callback as C calls it: the next delay in ms, or negative for none.
type TimerFn = unsafe extern "C" fn(data: *const c_void) -> c_long;

extern "C" {
    /// A new idle timer calling `callback(data)`; null when out of memory.
    fn rust_helper_timer_create(callback: TimerFn, data: *const c_void) -> *mut c_void;
    /// (Re)arms the timer for `msecs` from now unless shut down; 1 if it
    /// was pending, else 0.
    fn rust_helper_timer_arm(timer: *mut c_void, msecs: c_uint) -> c_int;
    /// Shuts the timer down for good and waits for a running callback.
    fn rust_helper_timer_shutdown(timer: *mut c_void);
    /// Shuts the timer down and frees it.
    fn rust_helper_timer_free(timer: *mut c_void);
}

/// What the timer does after its callback returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    /// Stay idle until the next [`Timer::arm`].
    No,
    /// Fire again this many milliseconds from now (a periodic timer).
    After(u32),
}

/// The code a [`Timer`] runs when it expires.
pub trait TimerCallback: Send + Sync + 'static {
    /// Runs when the timer expires, in softirq context: it must not sleep
    /// (see the module documentation) and should be short. Returns whether
    /// to fire again.
    fn run(&self) -> Restart;
}

/// A kernel timer that calls `T::run` on expiry. Idle until armed; stopped
/// and freed on drop.
pub struct Timer<T: TimerCallback> {
    /// The C `struct rust_timer`.
    raw: NonNull<c_void>,
    /// The data, a leaked `Box<T>`, freed in `Drop` after the timer.
    data: NonNull<T>,
    _owns: PhantomData<T>,
}

// SAFETY: the C timer may be armed, stopped and freed from any thread, and
// `T` is `Send + Sync`.
unsafe impl<T: TimerCallback> Send for Timer<T> {}
// SAFETY: `&Timer` only arms or stops the timer, which C allows from any
// context concurrently (under its lock), and gives out `&T`; `T` is `Sync`.
unsafe impl<T: TimerCallback> Sync for Timer<T> {}

impl<T: TimerCallback> Timer<T> {
    /// A new timer around `data`, not armed yet. `ENOMEM` if memory runs
    /// out; `EDEADLK` in atomic context.
    #[track_caller]
    pub fn new(data: T) -> Result<Self> {
        might_sleep()?;
        let data = NonNull::from(Box::leak(try_box(data)?));
        // SAFETY: `data` points to a live `T` that stays put until Drop frees
        // it after freeing the timer; `run_trampoline::<T>` expects exactly
        // such a pointer.
        let raw = unsafe { rust_helper_timer_create(run_trampoline::<T>, data.as_ptr().cast_const().cast()) };
        match NonNull::new(raw) {
            Some(raw) => Ok(Timer { raw, data, _owns: PhantomData }),
            None => {
                // SAFETY: `data` came from Box::leak above and C never saw it.
                drop(unsafe { Box::from_raw(data.as_ptr()) });
                Err(code::ENOMEM)
            }
        }
    }

    /// Arms the timer to fire `msecs` milliseconds from now (rounded up to
    /// whole jiffies), or moves it there if it is pending already. Returns
    /// whether it was pending. After [`stop`](Timer::stop) it does nothing
    /// and returns `false`. Any context, including the callback of another
    /// timer.
    pub fn arm(&self, msecs: u32) -> bool {
        // SAFETY: `raw` is the live C timer, freed only in Drop.
        unsafe { rust_helper_timer_arm(self.raw.as_ptr(), msecs) != 0 }
    }

    /// Stops the timer for good: when this returns the callback is not
    /// running and will not run again, and [`arm`](Timer::arm) does nothing.
    /// Waits for a running callback: process context only, and never from
    /// this timer's own callback (it would wait for itself). In atomic
    /// context (that callback included) it fails with `EDEADLK`, its only
    /// error, and leaves the timer as it was ([`context`](crate::context)).
    #[track_caller]
    pub fn stop(&self) -> Result {
        might_sleep()?;
        // SAFETY: `raw` is the live C timer; shutting down twice is allowed.
        unsafe { rust_helper_timer_shutdown(self.raw.as_ptr()) };
        Ok(())
    }

    /// The data the callback sees.
    pub fn data(&self) -> &T {
        // SAFETY: `data` is live until Drop, and only ever shared.
        unsafe { self.data.as_ref() }
    }
}

impl<T: TimerCallback> Drop for Timer<T> {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // SAFETY: `raw` is the live C timer, freed only here. When this
        // returns the callback neither runs nor can be queued again.
        unsafe { rust_helper_timer_free(self.raw.as_ptr()) };
        // SAFETY: `data` came from Box::leak in `new`; the timer that used it
        // is gone, so this is the only pointer to it.
        drop(unsafe { Box::from_raw(self.data.as_ptr()) });
    }
}

/// Called by `helpers/timer.c` when the timer expires (softirq context).
///
/// # Safety
///
/// `data` is the pointer to the `T` that [`Timer::new`] registered, alive
/// for as long as the timer exists.
unsafe extern "C" fn run_trampoline<T: TimerCallback>(data: *const c_void) -> c_long {
    // SAFETY: by this function's contract `data` points to a live `T`, which
    // is only ever shared while the timer exists.
    let data = unsafe { &*data.cast::<T>() };
    match data.run() {
        Restart::No => -1,
        Restart::After(msecs) => c_long::from(msecs),
    }
}
