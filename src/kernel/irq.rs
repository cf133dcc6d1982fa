// SPDX-License-Identifier: GPL-2.0
//! Interrupt handlers: a hard-IRQ handler and a threaded handler, registered
//! with `request_threaded_irq` for as long as a [`Registration`] lives.
//!
//! The hard-IRQ handler runs as soon as the device interrupts, on whichever
//! CPU took the interrupt, with interrupts off: it must not sleep. Its job is
//! to find out whether its device interrupted, silence it (acknowledge the
//! interrupt) and note what happened; it returns
//! [`IrqReturn::WakeThread`] to have the threaded handler run, in a kernel
//! thread (`irq/<n>-<name>`), where sleeping is allowed.
//!
//! # What the hard handler can reach
//!
//! [`Handler::handle_irq`] has no `self`: it sees only the state given to
//! [`Registration::new`] for it, of type [`Handler::Hard`], through a
//! [`HardIrq`] context. That type must be [`IrqSafe`], a trait only this
//! crate implements, for things whose every operation is safe in hard-IRQ
//! context: atomics, a mapped [`Bar`](crate::pci::Bar), and `Arc`s, tuples
//! and arrays of them. A [`Mutex`](crate::sync::Mutex), a
//! [`WaitQueue`](crate::completion::WaitQueue) or
//! [`Completion`](crate::completion::Completion) (which can wait), a `Vec`
//! (which can grow, allocating with `GFP_KERNEL`) or user memory cannot be
//! put there, so the handler cannot sleep through its state. Free functions
//! that sleep remain callable from anywhere in Rust: those of this crate
//! check at run time and fail with `EDEADLK` in atomic context, and a `Box`
//! is allocated with `GFP_ATOMIC` there ([`context`](crate::context)).
//!
//! The threaded handler, [`Handler::handle_threaded`], gets `&self`: the
//! handler value, which may hold anything `Send + Sync` (a wait queue to wake
//! a sleeping process, counters, locks).
//!
//! Underneath, `helpers/irq.c` registers C trampolines that call the two
//! halves through a function table. Dropping the [`Registration`] calls
//! `free_irq`, which waits until neither half runs any more; only then are
//! the state and the handler dropped.

use core::ffi::{c_char, c_int, c_uint, c_void, CStr};
use core::marker::PhantomData;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicU32, AtomicU64, AtomicUsize};

use alloc::sync::Arc;

use crate::allocator::try_box;
use crate::context::{might_sleep, might_sleep_in_drop};
use crate::error::{code::EINVAL, to_result, Result};
use crate::pci::{Bar, IrqVectors};

extern "C" {
    fn rust_helper_irq_request(
        irq: c_uint,
        name: *const c_char,
        shared: bool,
        ops: *const Ops,
        data: *const c_void,
        out: *mut *mut c_void,
    ) -> c_int;
    fn rust_helper_irq_free(irq: c_uint, raw: *mut c_void);
}

/// What a handler tells the kernel (`irqreturn_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqReturn {
    /// `IRQ_NONE`: not this device's interrupt (on a shared INTx line,
    /// another device's). A line that keeps interrupting with nobody
    /// handling it is disabled by the kernel ("nobody cared").
    None,
    /// `IRQ_HANDLED`: handled; the threaded handler does not run.
    Handled,
    /// `IRQ_WAKE_THREAD`: handled so far; run the threaded handler.
    WakeThread,
}

impl IrqReturn {
    fn to_c(self) -> c_int {
        match self {
            IrqReturn::None => 0,
            IrqReturn::Handled => 1,
            IrqReturn::WakeThread => 2,
        }
    }
}

mod private {
    pub trait Sealed {}
}

/// State that may be used in hard-IRQ context: none of its operations
/// sleeps. Sealed: implemented by this crate for atomics, [`Bar`], and
/// `Arc`s, tuples (up to four) and arrays of such types, and for `()`.
pub trait IrqSafe: Send + Sync + private::Sealed {}

macro_rules! irq_safe {
    ($($ty:ty),*) => {
        $(impl private::Sealed for $ty {} impl IrqSafe for $ty {})*
    };
}
irq_safe!((), AtomicBool, AtomicI32, AtomicI64, AtomicU32, AtomicU64, AtomicUsize);

impl<const SIZE: usize> private::Sealed for Bar<SIZE> {}
impl<const SIZE: usize> IrqSafe for Bar<SIZE> {}
impl<T: IrqSafe> private::Sealed for Arc<T> {}
impl<T: IrqSafe> IrqSafe for Arc<T> {}
impl<T: IrqSafe, const N: usize> private::Sealed for [T; N] {}
impl<T: IrqSafe, const N: usize> IrqSafe for [T; N] {}

macro_rules! irq_safe_tuple {
    ($($name:ident),+) => {
        impl<$($name: IrqSafe),+> private::Sealed for ($($name,)+) {}
        impl<$($name: IrqSafe),+> IrqSafe for ($($name,)+) {}
    };
}
irq_safe_tuple!(A);
irq_safe_tuple!(A, B);
irq_safe_tuple!(A, B, C);
irq_safe_tuple!(A, B, C, D);

/// The hard-IRQ context: what [`Handler::handle_irq`] gets. Through it the
/// handler reaches only its [`IrqSafe`] state and the IRQ number; it is
/// made only by this crate, for the duration of one hard-IRQ call, and
/// cannot leave it (it is neither `Send` nor `Clone`).
pub struct HardIrq<'a, T: IrqSafe> {
    state: &'a T,
    irq: u32,
    _not_send: PhantomData<*mut ()>,
}

impl<T: IrqSafe> HardIrq<'_, T> {
    /// The state given to [`Registration::new`] for the hard handler.
    pub fn state(&self) -> &T {
        self.state
    }

    /// The Linux IRQ number being handled.
    pub fn irq(&self) -> u32 {
        self.irq
    }
}

/// An interrupt handler in two halves.
pub trait Handler: Send + Sync + Sized + 'static {
    /// What the hard half may touch (see the [module](self) documentation).
    type Hard: IrqSafe + 'static;

    /// The hard-IRQ half. Hard-IRQ context: interrupts are off, and it must
    /// not sleep (the types see to it for its state). Return
    /// [`IrqReturn::None`] if the device did not interrupt,
    /// [`IrqReturn::WakeThread`] to run [`handle_threaded`](Handler::handle_threaded).
    fn handle_irq(ctx: &HardIrq<'_, Self::Hard>) -> IrqReturn;

    /// The threaded half: runs in the IRQ's kernel thread after the hard
    /// half returned [`IrqReturn::WakeThread`]. Process context, may sleep.
    /// The default does nothing.
    fn handle_threaded(&self, _irq: u32) -> IrqReturn {
        IrqReturn::Handled
    }
}

/// The data C's trampolines pass to the two halves.
struct Halves<H: Handler> {
    hard: H::Hard,
    handler: H,
}

/// A registered interrupt handler: `request_threaded_irq` on creation,
/// `free_irq` on drop.
///
/// # Invariants
///
/// `raw` is the live registration of IRQ `irq` in C, whose data pointer is
/// `halves`, a leaked `Box` freed only in `Drop`, after `free_irq`.
pub struct Registration<H: Handler> {
    irq: u32,
    raw: NonNull<c_void>,
    halves: NonNull<Halves<H>>,
    _owns: PhantomData<Halves<H>>,
}

// SAFETY: the handler and its state are Send + Sync (Handler and IrqSafe
// require both); the rest is pointers owned by the registration.
unsafe impl<H: Handler> Send for Registration<H> {}
// SAFETY: `&Registration` only gives out `&H` and `&H::Hard`, both Sync.
unsafe impl<H: Handler> Sync for Registration<H> {}

impl<H: Handler> Registration<H> {
    /// `request_threaded_irq` for vector `index` of `vectors`, named `name`
    /// in `/proc/interrupts`, with `hard` as the hard half's state and
    /// `handler` as the threaded half. INTx vectors are requested with
    /// `IRQF_SHARED` (the line may be shared), MSI ones without. The
    /// interrupt may fire before this returns. Errors: `EINVAL` for a bad
    /// index, `ENOMEM`, or `request_threaded_irq`'s (`EBUSY`...). Process
    /// context, may sleep.
    ///
    /// Drop the registration before `vectors`.
    #[track_caller]
    pub fn new(vectors: &IrqVectors, index: u32, name: &'static CStr, hard: H::Hard, handler: H) -> Result<Self> {
        might_sleep()?;
        let irq = vectors.irq(index)?;
        let halves = NonNull::from(alloc::boxed::Box::leak(try_box(Halves { hard, handler })?));
        let mut raw = ptr::null_mut();
        // SAFETY: `name` lives for ever; `OPS`' functions expect the data
        // pointer to be a `Halves<H>`, which it is, and it stays alive until
        // after free_irq (Drop); `raw` is a valid place.
        let ret = unsafe {
            rust_helper_irq_request(
                irq,
                name.as_ptr(),
                !vectors.is_msi(),
                Adapter::<H>::OPS,
                halves.as_ptr().cast(),
                &mut raw,
            )
        };
        if let Err(err) = to_result(ret) {
            // SAFETY: the request failed, so no handler runs or will; the
            // box is still ours.
            drop(unsafe { alloc::boxed::Box::from_raw(halves.as_ptr()) });
            return Err(err);
        }
        let raw = NonNull::new(raw).ok_or(EINVAL)?;
        Ok(Registration { irq, raw, halves, _owns: PhantomData })
    }

    /// The Linux IRQ number.
    pub fn irq(&self) -> u32 {
        self.irq
    }

    /// The threaded half's handler value.
    pub fn handler(&self) -> &H {
        // SAFETY: `halves` lives until Drop (the invariant); only shared.
        unsafe { &self.halves.as_ref().handler }
    }

    /// The hard half's state.
    pub fn hard(&self) -> &H::Hard {
        // SAFETY: as in `handler`.
        unsafe { &self.halves.as_ref().hard }
    }
}

impl<H: Handler> Drop for Registration<H> {
    fn drop(&mut self) {
        might_sleep_in_drop();
        // SAFETY: `raw` is the live registration (the invariant); after
        // free_irq no half runs, so the box can be freed.
        unsafe {
            rust_helper_irq_free(self.irq, self.raw.as_ptr());
            drop(alloc::boxed::Box::from_raw(self.halves.as_ptr()));
        }
    }
}

/// The function table C calls: `struct rust_irq_ops` in `helpers/irq.c`.
#[repr(C)]
struct Ops {
    hard: unsafe extern "C" fn(data: *const c_void, irq: c_int) -> c_int,
    thread: unsafe extern "C" fn(data: *const c_void, irq: c_int) -> c_int,
}

/// The C-callable halves for `H`. Their `# Safety` contract: `data` is the
/// `Halves<H>` of a live registration (free_irq has not returned).
struct Adapter<H>(PhantomData<H>);

impl<H: Handler> Adapter<H> {
    const OPS: &'static Ops = &Ops { hard: Self::hard, thread: Self::thread };

    /// # Safety
    ///
    /// See [`Adapter`]; called in hard-IRQ context.
    unsafe extern "C" fn hard(data: *const c_void, irq: c_int) -> c_int {
        // SAFETY: see Adapter.
        let halves = unsafe { &*data.cast::<Halves<H>>() };
        let ctx = HardIrq { state: &halves.hard, irq: irq as u32, _not_send: PhantomData };
        H::handle_irq(&ctx).to_c()
    }

    /// # Safety
    ///
    /// See [`Adapter`]; called in the IRQ thread.
    unsafe extern "C" fn thread(data: *const c_void, irq: c_int) -> c_int {
        // SAFETY: see Adapter.
        let halves = unsafe { &*data.cast::<Halves<H>>() };
        halves.handler.handle_threaded(irq as u32).to_c()
    }
}
