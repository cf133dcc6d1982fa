// SPDX-License-Identifier: GPL-2.0
//! Work items: run a function later, in process context, on a kernel worker
//! thread.
//!
//! ```ignore
//! struct Count { runs: AtomicU64 }
//!
//! impl WorkCallback for Count {
//!     // Process context: may sleep, take mutexes, allocate.
//!     fn run(&self) {
//!         self.runs.fetch_add(1, Ordering::Relaxed);
//!     }
//! }
//!
//! let work = Work::new(Count { runs: AtomicU64::new(0) })?;
//! work.queue(); // true: it runs soon on the system workqueue
//! // Dropping `work` cancels it: it never runs after drop.
//! ```
//!
//! A [`Work`] is the usual way out of atomic context: a timer callback or an
//! interrupt handler cannot sleep, but it can queue work that does the rest.
//! Queueing an item that is already queued and has not started yet does
//! nothing ([`queue`](Work::queue) returns `false`): the item runs once for
//! both. Once it has started it can be queued again, and then runs again.
//!
//! The C half (`helpers/workqueue.c`) allocates and owns the
//! `struct work_struct`; the data `T` lives in its own heap block. Dropping a
//! [`Work`] calls `cancel_work_sync()`: a queued run is dropped, a running
//! one is waited for, so afterwards the function is not running and will not
//! run. Drop therefore waits: process context only, and never from the
//! item's own function.
//!
//! [`WorkQueue`] is a workqueue of the module's own (`alloc_workqueue()`):
//! [`flush`](WorkQueue::flush) waits for everything queued on it, and
//! dropping it drains it (`destroy_workqueue()`). Without one, work goes to
//! the kernel's shared system workqueue.

use alloc::boxed::Box;
use core::ffi::{c_char, c_void, CStr};
use core::marker::PhantomData;
use core::ptr::{self, NonNull};

use crate::allocator::try_box;
use crate::context::{might_sleep, might_sleep_in_drop};
use crate::error::{code, Result};

/// The work function as C calls it.
type WorkFn = unsafe extern "C" fn(data: *const c_void);

extern "C" {
    /// A new idle work item calling `func(data)`; null when out of memory.
    fn rust_helper_workqueue_work_create(func: WorkFn, data: *const c_void) -> *mut c_void;
    /// Queues the item on `wq` (null: the system workqueue); false if it was
    /// queued already.
    fn rust_helper_workqueue_work_queue(work: *mut c_void, wq: *mut c_void) -> bool;
    /// `cancel_work_sync()`, then frees the item.
    fn rust_helper_workqueue_work_free(work: *mut c_void);
    /// `alloc_workqueue("%s", 0, 0, name)`; null when out of memory.
    fn rust_helper_workqueue_create(name: *const c_char) -> *mut c_void;
    /// `flush_workqueue()`.
    fn rust_helper_workqueue_flush(wq: *mut c_void);
    /// `destroy_workqueue()`: drains, then frees.
    fn rust_helper_workqueue_destroy(wq: *mut c_void);
}

/// The code a [`Work`] item runs.
pub trait WorkCallback: Send + Sync + 'static {
    /// Runs on a kernel worker thread, in process context: it may sleep.
    /// Runs of one item never overlap when it is only queued on one
    /// workqueue at a time.
    fn run(&self);
}

/// A work item that runs `T::run` each time it is queued. Cancelled on drop.
pub struct Work<T: WorkCallback> {
    /// The C `struct rust_work`.
    raw: NonNull<c_void>,
    /// The data, a leaked `Box<T>`, freed in `Drop` after the work item.
    data: NonNull<T>,
    _owns: PhantomData<T>,
}

// SAFETY: the C work item may be queued and cancelled from any thread, and
// `T` is `Send + Sync`.
unsafe impl<T: WorkCallback> Send for Work<T> {}
// SAFETY: `&Work` only queues the item, which the kernel allows from any
// context concurrently, and gives out `&T`; `T` is `Sync`.
unsafe impl<T: WorkCallback> Sync for Work<T> {}

impl<T: WorkCallback> Work<T> {
    /// A new work item around `data`, not queued. `ENOMEM` if memory runs out.
    #[track_caller]
    pub fn new(data: T) -> Result<Self> {
        might_sleep()?;
        let data = NonNull::from(Box::leak(try_box(data)?));
        // SAFETY: `data` points to a live `T` that stays put until Drop frees
        // it after freeing the work item; `run_trampoline::<T>` expects
        // exactly such a pointer.
        let raw = unsafe { rust_helper_workqueue_work_create(run_trampoline::<T>, data.as_ptr().cast_const().cast()) };
        match NonNull::new(raw) {
            Some(raw) => Ok(Work { raw, data, _owns: PhantomData }),
            None => {
                // SAFETY: `data` came from Box::leak above and C never saw it.
                drop(unsafe { Box::from_raw(data.as_ptr()) });
                Err(code::ENOMEM)
            }
        }
    }

    /// Queues the item on the system workqueue (`schedule_work()`). Returns
    /// `true` if it was newly queued, `false` if it was queued already (it
    /// then runs once for both). Any context, atomic included.
    pub fn queue(&self) -> bool {
        // SAFETY: `raw` is the live C work item, freed only in Drop.
        unsafe { rust_helper_workqueue_work_queue(self.raw.as_ptr(), ptr::null_mut()) }
    }

    /// Queues the item on `wq`, as [`queue`](Work::queue) does on the
    /// system workqueue.
    pub fn queue_on(&self, wq: &WorkQueue) -> bool {
        // SAFETY: `raw` is the live C work item and `wq.raw` a live workqueue
        // (borrowed for the call; destroy_workqueue drains it before freeing).
        unsafe { rust_helper_workqueue_work_queue(self.raw.as_ptr(), wq.raw.as_ptr()) }
    }

    /// The data the work function sees.
    pub fn data(&self) -> &T {
        // SAFETY: `data` is live until Drop, and only ever shared.
        unsafe { self.data.as_ref() }
    }
}

impl<T: WorkCallback> Drop for Work<T> {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // SAFETY: `raw` is the live C work item, freed only here; when this
        // returns the function neither runs nor is queued.
        unsafe { rust_helper_workqueue_work_free(self.raw.as_ptr()) };
        // SAFETY: `data` came from Box::leak in `new`; the work item that
        // used it is gone, so this is the only pointer to it.
        drop(unsafe { Box::from_raw(self.data.as_ptr()) });
    }
}

/// Called by `helpers/workqueue.c` on a kworker thread.
///
/// # Safety
///
/// `data` is the pointer to the `T` that [`Work::new`] registered, alive
/// for as long as the work item exists.
unsafe extern "C" fn run_trampoline<T: WorkCallback>(data: *const c_void) {
    // SAFETY: by this function's contract `data` points to a live `T`, which
    // is only ever shared while the work item exists.
    unsafe { &*data.cast::<T>() }.run();
}

/// A workqueue of the module's own. Dropping it runs what is still queued
/// on it, then frees it.
pub struct WorkQueue {
    /// The C `struct workqueue_struct`.
    raw: NonNull<c_void>,
}

// SAFETY: a workqueue may be used and destroyed from any thread.
unsafe impl Send for WorkQueue {}
// SAFETY: queueing and flushing are allowed concurrently from any thread.
unsafe impl Sync for WorkQueue {}

impl WorkQueue {
    /// A new workqueue called `name` (the kernel copies it; at most 23
    /// bytes are kept). `ENOMEM` if memory runs out; `EDEADLK` in atomic
    /// context.
    #[track_caller]
    pub fn new(name: &CStr) -> Result<Self> {
        might_sleep()?;
        // SAFETY: `name` is NUL-terminated and only read during the call.
        let raw = unsafe { rust_helper_workqueue_create(name.as_ptr()) };
        NonNull::new(raw).map(|raw| WorkQueue { raw }).ok_or(code::ENOMEM)
    }

    /// Waits until every work item queued on this workqueue before the call
    /// has finished running. Sleeps: process context only, and never from a
    /// work item running on this workqueue (it would wait for itself).
    /// `EDEADLK` in atomic context, its only error.
    #[track_caller]
    pub fn flush(&self) -> Result {
        might_sleep()?;
        // SAFETY: `raw` is the live workqueue, destroyed only in Drop.
        unsafe { rust_helper_workqueue_flush(self.raw.as_ptr()) };
        Ok(())
    }
}

impl Drop for WorkQueue {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // SAFETY: `raw` is the live workqueue, destroyed only here; nothing
        // can queue on it any more (that needs a borrow of `self`).
        unsafe { rust_helper_workqueue_destroy(self.raw.as_ptr()) }
    }
}
