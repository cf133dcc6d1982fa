// SPDX-License-Identifier: GPL-2.0
//! Where code may sleep: the check every sleeping operation of this crate
//! makes before it sleeps.
//!
//! Kernel code runs either in *process context* (a system call, a module's
//! init and exit, a kernel thread, a work item, a threaded interrupt
//! handler), where it may sleep, or in *atomic context* (a timer callback or
//! other softirq, a hard interrupt handler, with a [`SpinLock`] held), where
//! it must not: there is no task to put to sleep, or a CPU waits for the lock
//! the sleeper holds. A C driver that sleeps there gets `BUG: scheduling
//! while atomic` and, in a timer callback, a machine that stops working.
//!
//! # What safe Rust gets instead
//!
//! Every operation of this crate that may sleep first calls [`might_sleep`]
//! (named after the kernel's `might_sleep()`, which checks only in debug
//! kernels; this one checks on every kernel). In atomic context it does not
//! sleep: it reports the first such call of the module in the kernel log,
//! with the Rust caller's `file:line:col`, and fails with `EDEADLK`:
//!
//! ```text
//! rust_timer: BUG: sleeping function called from invalid context at examples/x/x.rs:42:31
//! rust_timer: in_atomic(): 1, irqs_disabled(): 0, in_interrupt(): 0x100, pid: 0, name: swapper/1
//! rust_timer: the call fails with EDEADLK instead of sleeping; later ones are not reported
//! CPU: 1 PID: 0 Comm: swapper/1 Tainted: G        W  O  ...
//! Call Trace: ... (the Rust functions on the way)
//! ```
//!
//! and taints the kernel `W`, as the kernel's own check does: it is a bug in
//! the module, found before it hung the machine. The operations:
//!
//! | operation | in atomic context |
//! |---|---|
//! | [`Mutex::lock`], [`Mutex::lock_interruptible`], every [`CondVar`] wait | `EDEADLK` |
//! | `Completion` and `WaitQueue` waits, [`Timer::stop`], `WorkQueue::flush` | `EDEADLK` |
//! | user copies (`UserSliceReader`, `UserSliceWriter`) | `EDEADLK` |
//! | making a lock, wait queue, timer, work item, thread, device, file, interrupt handler or DMA buffer; `KVVec` growth (vmalloc) | `EDEADLK` |
//! | `Box`, `Vec`, `String`, `Arc` (the global allocator, `GFP_KERNEL`) | reported, then allocated with `GFP_ATOMIC` (which never sleeps and fails more readily) |
//! | dropping a thread, timer, work queue, device, file or interrupt handler (these wait) | reported; then it waits, as it must |
//!
//! The last row is the gap: a `Drop` cannot fail, so dropping such an object
//! in atomic context (say, the last `Arc` of a device inside a timer
//! callback) still sleeps after the report. Keep owners of registrations out
//! of what atomic code can reach.
//!
//! # What "atomic" is seen as
//!
//! [`in_atomic_context`] is the kernel's own test (`__might_sleep()`, here
//! `src/kernel/helpers/context.h`, which the C helpers of [`Mutex::lock`],
//! [`Mutex::lock_interruptible`] and the user copies make themselves): the
//! preempt count is not zero (`in_atomic()`: hard and soft interrupt context
//! on every kernel; a spinlock held or preemption disabled only on kernels
//! with `CONFIG_PREEMPT_COUNT`, which Debian's 6.1 and 6.12 have and 5.10 has
//! not); softirq context on `PREEMPT_RT` kernels (`in_interrupt()`, counted
//! per task there); interrupts disabled (`irqs_disabled()`: a [`SpinLock`]
//! guard on every kernel but `PREEMPT_RT`, 5.10 included); an RCU read-side
//! section (`rcu_preempt_depth()`: on `PREEMPT_RT`, also every held
//! `spinlock_t`, so a [`SpinLock`] guard there); the idle task. What it cannot
//! see on 5.10: a C spinlock taken without disabling interrupts by the C code
//! that called the module. Locks of this crate are never such.
//!
//! Some code cannot reach a sleeping operation at all: a hard-IRQ handler
//! sees only its [`IrqSafe`](crate::irq::IrqSafe) state (atomics, a mapped
//! BAR), so it has no lock or allocation to call. The run-time check covers
//! the rest (timer callbacks, spinlock sections, free functions).
//!
//! [`SpinLock`]: crate::sync::SpinLock
//! [`Mutex::lock`]: crate::sync::Mutex::lock
//! [`Mutex::lock_interruptible`]: crate::sync::Mutex::lock_interruptible
//! [`CondVar`]: crate::sync::CondVar
//! [`Timer::stop`]: crate::timer::Timer::stop

#[cfg(target_os = "none")]
use core::ffi::{c_char, c_uint};
use core::panic::Location;

use crate::error::{code::EDEADLK, Result};

#[cfg(target_os = "none")]
extern "C" {
    fn rust_helper_in_atomic_context() -> bool;
    fn rust_helper_atomic_sleep_report(file: *const c_char, file_len: c_uint, line: c_uint, col: c_uint);
}

/// Whether the caller runs in atomic context, where it must not sleep (see
/// [what is seen as atomic](self#what-atomic-is-seen-as)). Any context.
pub fn in_atomic_context() -> bool {
    #[cfg(target_os = "none")]
    // SAFETY: the helper reads the current CPU's and task's state only.
    return unsafe { rust_helper_in_atomic_context() };
    // Host tests run as a process, where sleeping is fine.
    #[cfg(not(target_os = "none"))]
    return false;
}

/// `Ok` where the caller may sleep. In atomic context: reports the first
/// such call of the module in the kernel log with the caller's location
/// (`#[track_caller]`: a function that is itself `#[track_caller]` passes its
/// own caller's), taints the kernel `W`, and returns `EDEADLK`. Every
/// sleeping operation of this crate calls it first; call it in your own
/// code before something that sleeps and that this crate does not wrap.
/// Any context.
#[track_caller]
#[inline]
pub fn might_sleep() -> Result {
    if in_atomic_context() {
        report(Location::caller());
        return Err(EDEADLK);
    }
    Ok(())
}

/// For a `Drop` that must wait and cannot fail: reports the first call in
/// atomic context as [`might_sleep`] does; the caller then waits anyway.
#[track_caller]
pub(crate) fn might_sleep_in_drop() {
    if in_atomic_context() {
        report(Location::caller());
    }
}

/// For a C helper that made the test itself (helpers/context.h) and
/// refused: reports the call at `at` as [`might_sleep`] does, and gives the
/// error it returns, `EDEADLK`.
#[cold]
pub(crate) fn refused_in_atomic_context(at: &Location<'_>) -> crate::error::Error {
    report(at);
    EDEADLK
}

#[cold]
#[inline(never)]
fn report(at: &Location<'_>) {
    #[cfg(target_os = "none")]
    // SAFETY: the file name is valid for `len()` bytes; the helper copies
    // what it prints and keeps no pointer.
    unsafe {
        rust_helper_atomic_sleep_report(at.file().as_ptr().cast(), at.file().len() as c_uint, at.line(), at.column())
    };
    #[cfg(not(target_os = "none"))]
    let _ = at;
}
