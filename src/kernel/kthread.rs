// SPDX-License-Identifier: GPL-2.0
//! Kernel threads: run a closure on a thread of its own, stopped on drop.
//!
//! ```ignore
//! let shared = try_arc(Shared::new()?)?;
//! let for_thread = shared.clone();
//! let thread = Thread::spawn(c"rust_worker", move |stop| {
//!     while !stop.should_stop() {
//!         // Sleep until there is work or we are told to stop.
//!         let _ = for_thread.queue.wait_interruptible_timeout(1000, || {
//!             stop.should_stop() || for_thread.pending.load(Ordering::Acquire) > 0
//!         });
//!         // ... do the work ...
//!     }
//! })?;
//! // Dropping `thread` stops it: kthread_stop() and wait until it exits.
//! ```
//!
//! The thread shows up in `ps` as `[name]`. It runs in process context, so it
//! may sleep; the closure gets a [`StopToken`] whose
//! [`should_stop`](StopToken::should_stop) turns true once the owner drops
//! the [`Thread`]. The closure should then return soon: dropping waits for it.
//! `kthread_stop()` wakes the thread, so a wait on a
//! [`WaitQueue`](crate::completion::WaitQueue) whose condition includes
//! `should_stop()` ends at once.
//!
//! Lifetimes: the closure is `'static` and owns what it uses (typically an
//! `Arc` of data shared with the module), so the data outlives the thread
//! however the two end. The closure may also return before it is asked to
//! stop: the thread then exits, and dropping the [`Thread`] later only
//! collects it. The C half (`helpers/kthread.c`) holds a reference to the
//! thread's `task_struct` from creation to stop for exactly that case,
//! since `kthread_stop()` on a thread that has exited needs it. If the thread
//! is stopped before its closure ever ran (the kernel then skips it), the
//! closure is dropped without running.
//!
//! Dropping a [`Thread`] waits: process context only, and never on the
//! thread itself (it would wait for itself).

use alloc::boxed::Box;
use core::ffi::{c_char, c_int, c_void, CStr};
use core::marker::PhantomData;
use core::ptr::{self, NonNull};

use crate::allocator::try_box;
use crate::context::{might_sleep, might_sleep_in_drop};
use crate::error::{Error, Result};

/// The thread body as C calls it.
type ThreadFn = unsafe extern "C" fn(data: *mut c_void);

extern "C" {
    /// Starts a thread running `func(data)`; stores its handle in `*handle`.
    /// 0 or a negative errno.
    fn rust_helper_kthread_run(
        func: ThreadFn,
        data: *mut c_void,
        name: *const c_char,
        handle: *mut *mut c_void,
    ) -> c_int;
    /// `kthread_stop()`, waits for the exit, frees the handle.
    fn rust_helper_kthread_stop(handle: *mut c_void) -> c_int;
    /// `kthread_should_stop()` for the calling thread.
    fn rust_helper_kthread_should_stop() -> bool;
}

/// The closure a thread runs, boxed so that [`Thread`] needs no type
/// parameter and can be a field of a module's struct.
type Body = Box<dyn FnOnce(&StopToken) + Send + 'static>;

/// Given to the thread's closure: asks whether the thread should stop.
///
/// It exists only on the thread that [`Thread::spawn`] started (it is
/// neither `Send` nor `Sync`), where `kthread_should_stop()` is valid.
pub struct StopToken {
    _this_thread_only: PhantomData<*const ()>,
}

impl StopToken {
    /// True once the [`Thread`] is being dropped: return from the closure.
    pub fn should_stop(&self) -> bool {
        // SAFETY: a StopToken only exists on a thread made by
        // rust_helper_kthread_run, where kthread_should_stop() is valid.
        unsafe { rust_helper_kthread_should_stop() }
    }
}

/// A running kernel thread. Dropping it stops the thread and waits for it.
pub struct Thread {
    /// The C `struct rust_kthread`.
    raw: NonNull<c_void>,
    /// The closure, until the thread takes it: a leaked `Box<Option<Body>>`
    /// that only the thread touches until it has exited.
    body: NonNull<Option<Body>>,
}

// SAFETY: the handle may be stopped from any thread; the body is `Send` and
// is only touched by the owner after the thread has exited.
unsafe impl Send for Thread {}
// SAFETY: `&Thread` gives access to nothing.
unsafe impl Sync for Thread {}

impl Thread {
    /// Starts a kernel thread called `name` (the kernel keeps at most 15
    /// bytes of it) running `body`. Errors: `ENOMEM`, or what
    /// `kthread_create()` returns (`EINTR` if the caller was killed
    /// meanwhile).
    #[track_caller]
    pub fn spawn<F>(name: &CStr, body: F) -> Result<Thread>
    where
        F: FnOnce(&StopToken) + Send + 'static,
    {
        might_sleep()?;
        let body: Body = try_box(body)?;
        let body = NonNull::from(Box::leak(try_box(Some(body))?));
        let mut raw = ptr::null_mut();
        // SAFETY: `name` is NUL-terminated and only read during the call;
        // `body` points to a live Option<Body> that stays put until Drop
        // frees it after the thread has exited, and `thread_main` expects
        // exactly such a pointer; `raw` is written on success only.
        let ret = unsafe { rust_helper_kthread_run(thread_main, body.as_ptr().cast(), name.as_ptr(), &mut raw) };
        match NonNull::new(raw) {
            Some(raw) if ret == 0 => Ok(Thread { raw, body }),
            _ => {
                // SAFETY: no thread was started, so nothing else has `body`,
                // which came from Box::leak above.
                drop(unsafe { Box::from_raw(body.as_ptr()) });
                Err(Error::from_errno(ret))
            }
        }
    }
}

impl Drop for Thread {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // SAFETY: `raw` is the live handle, stopped and freed only here.
        // When this returns the thread has exited.
        unsafe { rust_helper_kthread_stop(self.raw.as_ptr()) };
        // SAFETY: `body` came from Box::leak in `spawn` and the thread that
        // used it has exited. Still `Some` if the thread was stopped before
        // its closure ran: the closure is dropped here then.
        drop(unsafe { Box::from_raw(self.body.as_ptr()) });
    }
}

/// The first Rust code the new thread runs (called by `helpers/kthread.c`).
///
/// # Safety
///
/// `data` is the `Option<Body>` that [`Thread::spawn`] registered, alive and
/// touched by no one else until this thread has exited.
unsafe extern "C" fn thread_main(data: *mut c_void) {
    // SAFETY: by this function's contract the slot is live and ours alone.
    let slot = unsafe { &mut *data.cast::<Option<Body>>() };
    if let Some(body) = slot.take() {
        body(&StopToken { _this_thread_only: PhantomData });
    }
}
