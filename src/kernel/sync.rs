// SPDX-License-Identifier: GPL-2.0
//! Locks: [`Mutex<T>`] over the kernel's `struct mutex` and [`SpinLock<T>`]
//! over its `spinlock_t`; [`CondVar`], to sleep until the data behind a
//! `Mutex` changes.
//!
//! Both own the data they protect, as `std::sync::Mutex` does: the only way
//! to the data is through the guard that `lock()` returns, and dropping the
//! guard unlocks. Guards are `!Send`: the kernel requires a lock to be
//! released by the task (mutex) or on the CPU (spinlock) that took it.
//!
//! # Which one to use
//!
//! - [`Mutex`]: the default for state that system calls share, and the only
//!   choice when the critical section may sleep: copying from or to user
//!   memory (a page fault may have to read from disk), allocating with
//!   `GFP_KERNEL` (`Vec`, `Box`), waiting for anything. A task that finds it
//!   locked sleeps until it is free. It cannot be locked in atomic context
//!   (timer callbacks, interrupt handlers, under a spinlock): there `lock()`
//!   fails with `EDEADLK` instead of sleeping, and the first such call is
//!   reported in the kernel log ([`context`](crate::context)).
//! - [`SpinLock`]: short critical sections that never sleep, in particular
//!   for state that atomic context (a timer callback) shares with process
//!   context. A waiter spins; `lock()` also disables interrupts on the CPU
//!   (`spin_lock_irqsave`), so a timer firing on that CPU cannot deadlock on
//!   a lock its own CPU holds. Inside, do not copy user memory, allocate, or
//!   take a `Mutex`: each would fail with `EDEADLK` (an allocation through
//!   `Box` or `Vec` is made with `GFP_ATOMIC` instead), after a report.
//!   On a `PREEMPT_RT` kernel (Debian's `-rt` flavour) a `spinlock_t` is a
//!   sleeping lock with priority inheritance: `lock()` neither spins nor
//!   disables interrupts, timer callbacks run in a kernel thread, and the
//!   critical section may be preempted. The rules above are the same there,
//!   and still checked: the kernel counts a held `spinlock_t` as an RCU
//!   read-side section, which [`context`](crate::context) sees.
//! - `spin::Mutex` (the pure-Rust crate): no lockdep, no interrupt masking,
//!   and it spins with preemption enabled, so a waiter may spin for the whole
//!   time slice of a preempted holder. Only for trivial, never-contended
//!   state, such as the slot that holds a module's value (`module.rs`).
//! - `core::sync::atomic`: single counters and flags, no lock at all.
//!
//! # Lockdep
//!
//! The kernel's `struct mutex` and `spinlock_t` are allocated by C
//! (`helpers/sync.c`): their size changes with the configuration. Kernels
//! built with lockdep (`CONFIG_PROVE_LOCKING`, debug kernels such as make
//! test-debug's; distribution kernels such as Debian's are built without)
//! check lock ordering per *lock class*. In C, a class is one `mutex_init()`
//! call site: the macro declares a `static struct lock_class_key` there, and
//! lockdep uses its address. Here a class is one call site of
//! [`Mutex::new`] or [`SpinLock::new`], the same rule: both are
//! `#[track_caller]`, so the compiler hands them a `Location` (file, line,
//! column) that lives in the module's static memory, one per call site, and
//! its address is the key passed to C. Lockdep only compares keys by
//! address and asks that they be static, which a `Location` is; the kernel
//! forgets the module's classes when it unloads. So two locks made on
//! different lines can be held together, and taking them in both orders is
//! reported as a possible deadlock, as for C locks.
//!
//! # Waiting for the data to change: [`CondVar`]
//!
//! A reader of a buffer that is empty must sleep until a writer adds to it,
//! and it must look at the buffer under the lock. A [`CondVar`] does both:
//! [`wait_interruptible`](CondVar::wait_interruptible) takes the guard,
//! unlocks, sleeps until [`notify_one`](CondVar::notify_one) or
//! [`notify_all`](CondVar::notify_all) (or a signal), and locks again before
//! it returns. No notification is lost between the check and the sleep: the
//! waiter is on the wait queue before the lock is released. It may return
//! without a notification, so check the condition in a loop:
//!
//! ```ignore
//! let mut pipe = self.pipe.lock_interruptible()?;
//! while pipe.is_empty() {
//!     self.readable.wait_interruptible(&mut pipe)?; // ERESTARTSYS on a signal
//! }
//! // ... take data from `pipe`, then: self.writable.notify_all();
//! ```
//!
//! # Signals and `ERESTARTSYS`
//!
//! The interruptible waits here ([`Mutex::lock_interruptible`], the
//! `CondVar` waits) end with `ERESTARTSYS` when a signal arrives. A system
//! call returns it as it is; the kernel then runs the signal's handler and
//! either restarts the call (the handler was installed with `SA_RESTART`,
//! or the signal was ignored or stopped the process) or makes it fail with
//! `EINTR`. A fatal signal (`SIGKILL`) kills the process on its way out.
//! Return it only before anything was done: a `read` that has copied bytes
//! returns their count instead.

use core::cell::UnsafeCell;
use core::ffi::{c_int, c_long, c_uint, c_ulong, c_void};
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::panic::Location;
use core::ptr::{self, NonNull};

use crate::completion::{WaitQueue, WaitResult};
use crate::context::{might_sleep, refused_in_atomic_context};
use crate::error::{
    code::{EDEADLK, ENOMEM, ERESTARTSYS},
    Result,
};

extern "C" {
    fn rust_helper_sync_mutex_new(key: *const c_void) -> *mut c_void;
    fn rust_helper_sync_mutex_free(lock: *mut c_void);
    // Both make the atomic-context test themselves (helpers/context.h):
    // -EDEADLK, without waiting.
    fn rust_helper_sync_mutex_lock(lock: *mut c_void) -> c_int;
    fn rust_helper_sync_mutex_lock_interruptible(lock: *mut c_void) -> c_int;
    fn rust_helper_sync_mutex_unlock(lock: *mut c_void);
    fn rust_helper_sync_spinlock_new(key: *const c_void) -> *mut c_void;
    fn rust_helper_sync_spinlock_free(lock: *mut c_void);
    fn rust_helper_sync_spinlock_lock_irqsave(lock: *mut c_void) -> c_ulong;
    fn rust_helper_sync_spinlock_unlock_irqrestore(lock: *mut c_void, flags: c_ulong);
    /// > 0 when notified, 0 on timeout, -ERESTARTSYS on a signal.
    fn rust_helper_sync_condvar_wait(
        queue: *mut c_void,
        lock: *mut c_void,
        interruptible: bool,
        timeout: c_long,
    ) -> c_long;
    fn rust_helper_sync_condvar_timeout(msecs: c_uint) -> c_long;
    fn rust_helper_sync_condvar_notify(queue: *mut c_void, all: bool);
}

/// Which of the two lock types a class key is for.
const MUTEX: usize = 0;
const SPINLOCK: usize = 8;

/// The lockdep class key for a lock of type `KIND` made by the caller's
/// caller (`Mutex::new`'s caller): the address of the `Location` that the
/// compiler made for that call site, plus `KIND`. Lockdep takes the 8 bytes
/// from a key on as that class's (for its subclasses), so a spinlock's key 8
/// bytes in keeps a `Mutex` and a `SpinLock` made at one site (through a
/// `#[track_caller]` function of their own) in two classes. A `Location` is
/// 24 bytes, so no other site's keys overlap.
#[track_caller]
fn class_key<const KIND: usize>() -> *const c_void {
    let site: &'static Location<'static> = Location::caller();
    const { assert!(KIND + 8 <= size_of::<Location<'static>>()) };
    ptr::from_ref(site).cast::<u8>().wrapping_add(KIND).cast()
}

/// A sleeping lock protecting a `T`: the kernel's `struct mutex`.
pub struct Mutex<T> {
    /// The C `struct mutex`, allocated by `rust_helper_sync_mutex_new`.
    lock: NonNull<c_void>,
    data: UnsafeCell<T>,
}

// SAFETY: the mutex hands out access to `T` to one thread at a time, so it can
// be shared and sent between threads as long as `T` itself can be sent.
unsafe impl<T: Send> Send for Mutex<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    /// A new, unlocked mutex holding `value`. Fails with `ENOMEM`, or
    /// `EDEADLK` in atomic context (it allocates with `GFP_KERNEL`). Locks
    /// made on one line of source share a lockdep class ([lockdep](self#lockdep)).
    #[track_caller]
    pub fn new(value: T) -> Result<Self> {
        might_sleep()?;
        // SAFETY: the key is a static object that stands for this call site;
        // returns a fresh initialised mutex or null.
        let lock = NonNull::new(unsafe { rust_helper_sync_mutex_new(class_key::<MUTEX>()) }).ok_or(ENOMEM)?;
        Ok(Mutex { lock, data: UnsafeCell::new(value) })
    }

    /// Waits until the mutex is free, sleeping meanwhile, and takes it
    /// (`mutex_lock()`). The guard unlocks when dropped. Process context
    /// only: in atomic context it fails with `EDEADLK` instead of sleeping
    /// ([`context`](crate::context)); that is its only error.
    #[track_caller]
    pub fn lock(&self) -> Result<MutexGuard<'_, T>> {
        // SAFETY: `lock` is a live mutex (freed only in Drop).
        if unsafe { rust_helper_sync_mutex_lock(self.lock.as_ptr()) } != 0 {
            return Err(refused_in_atomic_context(Location::caller()));
        }
        Ok(MutexGuard { mutex: self, _not_send: PhantomData })
    }

    /// Like [`lock`](Self::lock) (`mutex_lock_interruptible()`), but a
    /// signal to the waiting process ends the wait with `ERESTARTSYS`, so a
    /// stuck process can still be killed, and a `read` or `write` that
    /// returns the error is restarted or fails with `EINTR` as the signal's
    /// handler asks ([signals](self#signals-and-erestartsys)). C drivers
    /// turn the `EINTR` of `mutex_lock_interruptible()` into `ERESTARTSYS`
    /// the same way. Process context only: `EDEADLK` in atomic context.
    #[track_caller]
    pub fn lock_interruptible(&self) -> Result<MutexGuard<'_, T>> {
        // SAFETY: `lock` is a live mutex (freed only in Drop).
        match unsafe { rust_helper_sync_mutex_lock_interruptible(self.lock.as_ptr()) } {
            0 => {}
            e if e == EDEADLK.to_errno() => return Err(refused_in_atomic_context(Location::caller())),
            _ => return Err(ERESTARTSYS),
        }
        Ok(MutexGuard { mutex: self, _not_send: PhantomData })
    }

    /// The data, without locking: `&mut self` proves nobody else has it.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T> Drop for Mutex<T> {
    fn drop(&mut self) {
        // SAFETY: no guard is alive (they borrow self), so the mutex is
        // unlocked, and it is freed only here.
        unsafe { rust_helper_sync_mutex_free(self.lock.as_ptr()) }
    }
}

/// Access to the data of a locked [`Mutex`]; unlocks when dropped.
pub struct MutexGuard<'a, T> {
    mutex: &'a Mutex<T>,
    /// `!Send`: a mutex is unlocked by the task that locked it.
    _not_send: PhantomData<*mut ()>,
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, so no one else accesses the data.
        unsafe { &*self.mutex.data.get() }
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, and `&mut self` makes this the only
        // reference through the guard.
        unsafe { &mut *self.mutex.data.get() }
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: this guard locked the mutex, on this task (it is !Send).
        unsafe { rust_helper_sync_mutex_unlock(self.mutex.lock.as_ptr()) }
    }
}

/// A condition variable for a [`Mutex`]: sleep, with the lock released,
/// until another task says that the data behind it changed.
///
/// Underneath is a `wait_queue_head_t` (`helpers/sync.c`): a waiter queues
/// itself exclusively (`prepare_to_wait_exclusive()`), unlocks the mutex,
/// sleeps (`schedule_timeout()`) and locks it again.
/// [`notify_one`](Self::notify_one) is `wake_up()`: one waiter, plus every
/// `poll(2)`, `select(2)` and epoll waiter registered on it with
/// [`PollTable::register`](crate::miscdev::PollTable::register);
/// [`notify_all`](Self::notify_all) is `wake_up_all()`. Notifying works in
/// any context and needs no lock, but notify after the change, which you
/// make under the mutex, or a waiter may check before it and sleep on.
///
/// A wait may return without a notification (a notification meant for a
/// waiter that had already given up is passed on), so always wait in a loop
/// that checks the condition.
pub struct CondVar {
    queue: WaitQueue,
}

impl CondVar {
    /// A new condition variable, no one waiting. Fails with `ENOMEM`, or
    /// `EDEADLK` in atomic context.
    #[track_caller]
    pub fn new() -> Result<Self> {
        Ok(CondVar { queue: WaitQueue::new()? })
    }

    /// The common wait. `timeout` is in jiffies
    /// (`MAX_SCHEDULE_TIMEOUT` for none).
    #[track_caller]
    fn wait_raw<T>(&self, guard: &mut MutexGuard<'_, T>, interruptible: bool, timeout: c_long) -> Result<WaitResult> {
        might_sleep()?;
        // SAFETY: the queue is alive (borrowed by `self`); the guard proves
        // this task holds `lock`, which C unlocks and locks again before it
        // returns, so the guard still holds it afterwards. `&mut` on the
        // guard means no reference into the data lives across the wait.
        let ret = unsafe {
            rust_helper_sync_condvar_wait(self.queue.as_raw(), guard.mutex.lock.as_ptr(), interruptible, timeout)
        };
        match ret {
            1.. => Ok(WaitResult::Ready),
            0 => Ok(WaitResult::TimedOut),
            _ => Err(ERESTARTSYS),
        }
    }

    /// Unlocks the mutex of `guard`, sleeps until notified, locks it again.
    /// Signals do not end the wait (the process shows as `D` in `ps` and
    /// cannot be killed meanwhile): prefer
    /// [`wait_interruptible`](Self::wait_interruptible) wherever a system
    /// call waits for user space. Sleeps: process context only (`EDEADLK`
    /// in atomic context, its only error).
    #[track_caller]
    pub fn wait<T>(&self, guard: &mut MutexGuard<'_, T>) -> Result {
        // SAFETY: a plain value, no preconditions.
        let forever = unsafe { rust_helper_sync_condvar_timeout(0) };
        // An uninterruptible wait without a timeout only returns notified.
        self.wait_raw(guard, false, forever).map(|_| ())
    }

    /// As [`wait`](Self::wait), but a signal ends it with `ERESTARTSYS`
    /// ([signals](self#signals-and-erestartsys)); the mutex is locked again
    /// either way. A notification that arrives with the signal wins (`Ok`).
    /// Sleeps: process context only (`EDEADLK` in atomic context).
    #[track_caller]
    pub fn wait_interruptible<T>(&self, guard: &mut MutexGuard<'_, T>) -> Result {
        // SAFETY: a plain value, no preconditions.
        let forever = unsafe { rust_helper_sync_condvar_timeout(0) };
        self.wait_raw(guard, true, forever).map(|_| ())
    }

    /// As [`wait_interruptible`](Self::wait_interruptible), for at most
    /// `msecs` milliseconds (rounded up to whole jiffies; 0 is no wait at
    /// all, `u32::MAX` about 50 days): `Ready` when notified, `TimedOut` when
    /// the time ran out first, `ERESTARTSYS` on a signal. Sleeps: process
    /// context only (`EDEADLK` in atomic context).
    #[track_caller]
    pub fn wait_interruptible_timeout<T>(&self, guard: &mut MutexGuard<'_, T>, msecs: u32) -> Result<WaitResult> {
        if msecs == 0 {
            return Ok(WaitResult::TimedOut);
        }
        // SAFETY: a plain value, no preconditions.
        let timeout = unsafe { rust_helper_sync_condvar_timeout(msecs) };
        self.wait_raw(guard, true, timeout)
    }

    /// As [`wait`](Self::wait), for at most `msecs` milliseconds (as above);
    /// signals do not end it. Sleeps: process context only (`EDEADLK` in
    /// atomic context, its only error).
    #[track_caller]
    pub fn wait_timeout<T>(&self, guard: &mut MutexGuard<'_, T>, msecs: u32) -> Result<WaitResult> {
        if msecs == 0 {
            return Ok(WaitResult::TimedOut);
        }
        // SAFETY: a plain value, no preconditions.
        let timeout = unsafe { rust_helper_sync_condvar_timeout(msecs) };
        self.wait_raw(guard, false, timeout)
    }

    /// Wakes one waiter, and every poller registered on it (`wake_up()`).
    /// Any context.
    pub fn notify_one(&self) {
        // SAFETY: the queue is alive (borrowed by `self`).
        unsafe { rust_helper_sync_condvar_notify(self.queue.as_raw(), false) }
    }

    /// Wakes every waiter and poller (`wake_up_all()`). Any context.
    pub fn notify_all(&self) {
        // SAFETY: the queue is alive (borrowed by `self`).
        unsafe { rust_helper_sync_condvar_notify(self.queue.as_raw(), true) }
    }
}

/// The wait queue underneath, for [`PollTable::register`](crate::miscdev::PollTable::register).
impl AsRef<WaitQueue> for CondVar {
    fn as_ref(&self) -> &WaitQueue {
        &self.queue
    }
}

/// A busy-waiting lock protecting a `T`: the kernel's `spinlock_t`, taken
/// with interrupts disabled (`spin_lock_irqsave`; on `PREEMPT_RT` a sleeping
/// lock that leaves interrupts on: [which lock](self#which-one-to-use)).
pub struct SpinLock<T> {
    /// The C `spinlock_t`, allocated by `rust_helper_sync_spinlock_new`.
    lock: NonNull<c_void>,
    data: UnsafeCell<T>,
}

// SAFETY: the lock hands out access to `T` to one thread at a time.
unsafe impl<T: Send> Send for SpinLock<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    /// A new, unlocked spinlock holding `value`. Fails with `ENOMEM`, or
    /// `EDEADLK` in atomic context (it allocates with `GFP_KERNEL`). Locks
    /// made on one line of source share a lockdep class ([lockdep](self#lockdep)).
    #[track_caller]
    pub fn new(value: T) -> Result<Self> {
        might_sleep()?;
        // SAFETY: the key is a static object that stands for this call site;
        // returns a fresh initialised spinlock or null.
        let lock = NonNull::new(unsafe { rust_helper_sync_spinlock_new(class_key::<SPINLOCK>()) }).ok_or(ENOMEM)?;
        Ok(SpinLock { lock, data: UnsafeCell::new(value) })
    }

    /// Disables interrupts on this CPU and spins until the lock is free
    /// (`spin_lock_irqsave()`). Works in any context. Until the guard is
    /// dropped, the code runs in atomic context: whatever would sleep fails
    /// with `EDEADLK` ([`context`](crate::context)).
    pub fn lock(&self) -> SpinLockGuard<'_, T> {
        // SAFETY: `lock` is a live spinlock (freed only in Drop).
        let flags = unsafe { rust_helper_sync_spinlock_lock_irqsave(self.lock.as_ptr()) };
        SpinLockGuard { lock: self, flags, _not_send: PhantomData }
    }

    /// The data, without locking: `&mut self` proves nobody else has it.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T> Drop for SpinLock<T> {
    fn drop(&mut self) {
        // SAFETY: no guard is alive (they borrow self), so the lock is free,
        // and it is freed only here.
        unsafe { rust_helper_sync_spinlock_free(self.lock.as_ptr()) }
    }
}

/// Access to the data of a locked [`SpinLock`]; unlocks (and restores the
/// interrupt state) when dropped.
pub struct SpinLockGuard<'a, T> {
    lock: &'a SpinLock<T>,
    /// The interrupt state to restore, from `spin_lock_irqsave`.
    flags: c_ulong,
    /// `!Send`: the interrupt state belongs to the CPU that locked.
    _not_send: PhantomData<*mut ()>,
}

impl<T> Deref for SpinLockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, so no one else accesses the data.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T> DerefMut for SpinLockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, and `&mut self` makes this the only
        // reference through the guard.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T> Drop for SpinLockGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: this guard took the lock in this task, on this CPU (it is
        // !Send; preemption stays disabled while a spinlock is held, and on
        // PREEMPT_RT, where it does not, migration does) and `flags` is what
        // that lock_irqsave returned.
        unsafe { rust_helper_sync_spinlock_unlock_irqrestore(self.lock.lock.as_ptr(), self.flags) }
    }
}
