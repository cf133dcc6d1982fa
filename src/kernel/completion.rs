// SPDX-License-Identifier: GPL-2.0
//! Waiting for something to happen: completions and wait queues.
//!
//! A [`Completion`] is a one-way signal with memory: each
//! [`complete`](Completion::complete) lets one wait return, whether the wait
//! started before or after it (the kernel counts them).
//! [`complete_all`](Completion::complete_all) lets every wait return from
//! then on. The usual use is "wait until that thread has started" or "...
//! has finished".
//!
//! ```ignore
//! let started = Completion::new()?;
//! // in the thread:  started.complete();
//! match started.wait_interruptible_timeout(1000)? {
//!     WaitResult::Ready => pr_info!("the thread runs"),
//!     WaitResult::TimedOut => return Err(ETIMEDOUT),
//! }
//! ```
//!
//! A [`WaitQueue`] has no memory: a waiter sleeps until a condition of its
//! own holds (typically on atomics it shares with the waker), and whoever
//! changes what the condition looks at calls [`wake_up`](WaitQueue::wake_up).
//!
//! ```ignore
//! // Sleeper (process context):
//! queue.wait_interruptible_timeout(1000, || pending.load(Ordering::Acquire) > 0)?;
//! // Waker (any context, a timer callback too):
//! pending.fetch_add(1, Ordering::Release);
//! queue.wake_up();
//! ```
//!
//! The C half (`helpers/completion.c`) allocates and owns the
//! `struct completion` and the `wait_queue_head_t`. The condition of a
//! wait queue is a Rust closure that the kernel's
//! `wait_event_interruptible_timeout()` macro calls, through a function
//! pointer, wherever it would evaluate a C condition: once before sleeping
//! and again after each wake-up, with the task already marked as sleeping.
//! So the condition must be quick and must not sleep itself (no mutex, no
//! allocation); it may be called any number of times.
//!
//! Waiting sleeps: process context only (init, exit, system calls, work
//! items, kernel threads), never in a timer callback or under a spinlock.
//! Signalling ([`complete`](Completion::complete),
//! [`wake_up`](WaitQueue::wake_up)) works in any context. Neither object can
//! be dropped while someone waits on it, since waiting borrows it.
//!
//! In a kernel thread ([`crate::kthread`]) the condition should include
//! [`StopToken::should_stop`](crate::kthread::StopToken::should_stop):
//! `kthread_stop()` wakes the thread, and the condition then ends the wait.

use core::ffi::{c_int, c_long, c_uint, c_void};
use core::ptr::NonNull;

use crate::context::might_sleep;
use crate::error::{code, Error, Result};

/// A wait condition as C calls it.
type CondFn = unsafe extern "C" fn(ctx: *mut c_void) -> bool;

extern "C" {
    fn rust_helper_completion_create() -> *mut c_void;
    fn rust_helper_completion_free(c: *mut c_void);
    fn rust_helper_completion_complete(c: *mut c_void);
    fn rust_helper_completion_complete_all(c: *mut c_void);
    fn rust_helper_completion_reinit(c: *mut c_void);
    fn rust_helper_completion_done(c: *mut c_void) -> bool;
    /// 0 on timeout, > 0 when completed.
    fn rust_helper_completion_wait_timeout(c: *mut c_void, msecs: c_uint) -> c_long;
    /// 0 on timeout, > 0 when completed, -ERESTARTSYS on a signal.
    fn rust_helper_completion_wait_interruptible_timeout(c: *mut c_void, msecs: c_uint) -> c_long;
    fn rust_helper_completion_waitq_create() -> *mut c_void;
    fn rust_helper_completion_waitq_free(wq: *mut c_void);
    fn rust_helper_completion_waitq_wake_up(wq: *mut c_void);
    fn rust_helper_completion_waitq_wake_up_all(wq: *mut c_void);
    /// 0 on timeout (condition false), > 0 when `cond(ctx)` is true,
    /// -ERESTARTSYS on a signal.
    fn rust_helper_completion_waitq_wait_interruptible_timeout(
        wq: *mut c_void,
        cond: CondFn,
        ctx: *mut c_void,
        msecs: c_uint,
    ) -> c_long;
}

/// How a wait that did not fail ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitResult {
    /// Completed, or the condition holds.
    Ready,
    /// The time ran out first.
    TimedOut,
}

/// The result of an interruptible wait, from C's convention.
fn interruptible_result(ret: c_long) -> Result<WaitResult> {
    match ret {
        0 => Ok(WaitResult::TimedOut),
        1.. => Ok(WaitResult::Ready),
        // -ERESTARTSYS, the one error these waits return.
        _ => Err(Error::from_errno(ret.max(-4095) as c_int)),
    }
}

/// A `struct completion`: counts `complete()` calls, each wait consumes one.
pub struct Completion {
    raw: NonNull<c_void>,
}

// SAFETY: completions are made to be signalled and waited on from any
// thread; the C object is freed only in Drop.
unsafe impl Send for Completion {}
// SAFETY: every operation through `&Completion` is one the kernel allows
// concurrently (its own spinlock protects the count and the waiters).
unsafe impl Sync for Completion {}

impl Completion {
    /// A new completion, not completed. `ENOMEM` if memory runs out;
    /// `EDEADLK` in atomic context (it allocates with `GFP_KERNEL`).
    #[track_caller]
    pub fn new() -> Result<Self> {
        might_sleep()?;
        // SAFETY: no preconditions; the result is checked for null.
        let raw = unsafe { rust_helper_completion_create() };
        NonNull::new(raw).map(|raw| Completion { raw }).ok_or(code::ENOMEM)
    }

    /// Lets one wait return: a waiting one, or the next one. Any context.
    pub fn complete(&self) {
        // SAFETY: `raw` is the live completion.
        unsafe { rust_helper_completion_complete(self.raw.as_ptr()) }
    }

    /// Lets every wait return, now and from now on, until
    /// [`reinit`](Completion::reinit). Any context.
    pub fn complete_all(&self) {
        // SAFETY: `raw` is the live completion.
        unsafe { rust_helper_completion_complete_all(self.raw.as_ptr()) }
    }

    /// Back to not completed. `&mut self`: no one can be waiting or
    /// completing meanwhile.
    pub fn reinit(&mut self) {
        // SAFETY: `raw` is the live completion, and the exclusive borrow
        // means there is no concurrent waiter or completer.
        unsafe { rust_helper_completion_reinit(self.raw.as_ptr()) }
    }

    /// Whether a wait would return at once (does not consume a completion).
    pub fn is_done(&self) -> bool {
        // SAFETY: `raw` is the live completion.
        unsafe { rust_helper_completion_done(self.raw.as_ptr()) }
    }

    /// Waits, at most `msecs` milliseconds, for a completion; signals do not
    /// interrupt it. Sleeps: process context only (`EDEADLK` in atomic
    /// context, its only error: [`context`](crate::context)).
    #[track_caller]
    pub fn wait_timeout(&self, msecs: u32) -> Result<WaitResult> {
        might_sleep()?;
        // SAFETY: `raw` is the live completion; waiting borrows `self`, so
        // it cannot be freed during the wait.
        Ok(match unsafe { rust_helper_completion_wait_timeout(self.raw.as_ptr(), msecs) } {
            0 => WaitResult::TimedOut,
            _ => WaitResult::Ready,
        })
    }

    /// Waits, at most `msecs` milliseconds, for a completion, or until a
    /// signal arrives (`ERESTARTSYS`: return it from a system call, and the
    /// call is restarted or fails with `EINTR`). Sleeps: process context
    /// only (`EDEADLK` in atomic context).
    #[track_caller]
    pub fn wait_interruptible_timeout(&self, msecs: u32) -> Result<WaitResult> {
        might_sleep()?;
        // SAFETY: `raw` is the live completion; waiting borrows `self`.
        interruptible_result(unsafe { rust_helper_completion_wait_interruptible_timeout(self.raw.as_ptr(), msecs) })
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        // SAFETY: `raw` is the live completion; no one waits on it (that
        // would borrow `self`).
        unsafe { rust_helper_completion_free(self.raw.as_ptr()) }
    }
}

/// A `wait_queue_head_t`: sleep until a condition holds.
pub struct WaitQueue {
    raw: NonNull<c_void>,
}

// SAFETY: wait queues are made to be woken and waited on from any thread;
// the C object is freed only in Drop.
unsafe impl Send for WaitQueue {}
// SAFETY: waking and waiting are safe concurrently (the queue's spinlock).
unsafe impl Sync for WaitQueue {}

impl WaitQueue {
    /// A new, empty wait queue. `ENOMEM` if memory runs out; `EDEADLK` in
    /// atomic context (it allocates with `GFP_KERNEL`).
    #[track_caller]
    pub fn new() -> Result<Self> {
        might_sleep()?;
        // SAFETY: no preconditions; the result is checked for null.
        let raw = unsafe { rust_helper_completion_waitq_create() };
        NonNull::new(raw).map(|raw| WaitQueue { raw }).ok_or(code::ENOMEM)
    }

    /// Wakes one waiter (exclusive waiters aside, every waiter), so that it
    /// checks its condition again. Any context.
    pub fn wake_up(&self) {
        // SAFETY: `raw` is the live wait queue.
        unsafe { rust_helper_completion_waitq_wake_up(self.raw.as_ptr()) }
    }

    /// Wakes every waiter. Any context.
    pub fn wake_up_all(&self) {
        // SAFETY: `raw` is the live wait queue.
        unsafe { rust_helper_completion_waitq_wake_up_all(self.raw.as_ptr()) }
    }

    /// Sleeps until `condition()` returns true, at most `msecs` milliseconds,
    /// or until a signal arrives (`ERESTARTSYS`). Returns at once if the
    /// condition holds already. `condition` runs on this thread, possibly
    /// many times, with the task marked as sleeping: it must not sleep. A
    /// waker must change what `condition` looks at *before* calling
    /// [`wake_up`](WaitQueue::wake_up). Sleeps: process context only
    /// (`EDEADLK` in atomic context).
    #[track_caller]
    pub fn wait_interruptible_timeout<F: FnMut() -> bool>(&self, msecs: u32, mut condition: F) -> Result<WaitResult> {
        might_sleep()?;
        let ctx: *mut F = &mut condition;
        // SAFETY: `raw` is the live wait queue (borrowed for the wait);
        // `ctx` points to `condition`, which outlives the call, and
        // `cond_trampoline::<F>` expects exactly such a pointer. C calls the
        // condition only on this thread, during this call.
        interruptible_result(unsafe {
            rust_helper_completion_waitq_wait_interruptible_timeout(
                self.raw.as_ptr(),
                cond_trampoline::<F>,
                ctx.cast(),
                msecs,
            )
        })
    }
}

impl WaitQueue {
    /// The C `wait_queue_head_t`, for other wrappers' helpers
    /// (`poll_wait()`, the condition variable's wait).
    pub(crate) fn as_raw(&self) -> *mut c_void {
        self.raw.as_ptr()
    }
}

impl AsRef<WaitQueue> for WaitQueue {
    fn as_ref(&self) -> &WaitQueue {
        self
    }
}

impl Drop for WaitQueue {
    fn drop(&mut self) {
        // SAFETY: `raw` is the live wait queue; no one waits on it (that
        // would borrow `self`).
        unsafe { rust_helper_completion_waitq_free(self.raw.as_ptr()) }
    }
}

/// Evaluates a wait condition for `helpers/completion.c`.
///
/// # Safety
///
/// `ctx` points to a live `F` that nothing else uses during the call.
unsafe extern "C" fn cond_trampoline<F: FnMut() -> bool>(ctx: *mut c_void) -> bool {
    // SAFETY: by this function's contract `ctx` is a live, unshared `F`.
    let condition = unsafe { &mut *ctx.cast::<F>() };
    condition()
}
