// SPDX-License-Identifier: GPL-2.0
//! rust_canary: a module that commits, on request, each kind of bug that
//! make test-debug's kernel checkers exist to catch, in Rust.
//!
//! The debug kernel's suite passes when KASAN, kmemleak, lockdep and the
//! atomic-sleep check report nothing. That means something only if they do
//! report these bugs when Rust code commits them: this module is the proof
//! (tests/debug/canary.sh loads it once per bug and expects each report).
//!
//! ```text
//! insmod rust_canary.ko bug=lock-order       WARNING: possible circular locking dependency detected
//! insmod rust_canary.ko bug=sleep-in-atomic  BUG: sleeping function called from invalid context at kernel/...
//! insmod rust_canary.ko bug=out-of-bounds    BUG: KASAN: slab-out-of-bounds in ...canary...
//! insmod rust_canary.ko bug=use-after-free   BUG: KASAN: use-after-free in ...canary...
//! insmod rust_canary.ko bug=leak             kmemleak: unreferenced object (size 256)
//! ```
//!
//! Never load it anywhere but a throw-away test VM. It is not an example to
//! follow: the `unsafe` blocks below break their own rules on purpose.

#![no_std]

use core::hint::black_box;
use core::ptr;
use kernel::prelude::*;
use kernel::sync::{Mutex, SpinLock};
use kernel::workqueue::WorkQueue;

/// A heap read one byte past the end of a 24-byte allocation.
#[inline(never)] // so that reports name it
fn out_of_bounds() -> Result {
    let mut bytes: Vec<u8> = Vec::new();
    bytes.try_reserve_exact(24)?;
    bytes.resize(24, 0x5a);
    let start = black_box(bytes.as_ptr());
    // SAFETY: none: the read is past the end of the allocation, on purpose.
    let past = unsafe { ptr::read_volatile(start.add(24)) };
    pr_info!("read {past:#x} past the end of a 24-byte Vec");
    Ok(())
}

/// A heap read after the memory was freed.
#[inline(never)] // so that reports name it
fn use_after_free() -> Result {
    let boxed = try_box([0x5au8; 64])?;
    let raw = black_box(Box::into_raw(boxed));
    // SAFETY: `raw` came from `Box::into_raw` just above and is freed once.
    drop(unsafe { Box::from_raw(raw) });
    // SAFETY: none: the memory was freed on the line above, on purpose.
    let stale = unsafe { ptr::read_volatile(raw.cast::<u8>()) };
    pr_info!("read {stale:#x} from a freed Box");
    Ok(())
}

/// An allocation that nothing points to once init returns.
#[inline(never)] // so that reports name it
fn leak() -> Result {
    let lost: &'static mut [u8; 256] = Box::leak(try_box([0x5au8; 256])?);
    pr_info!("leaked 256 bytes at {:p}", black_box(lost));
    Ok(())
}

/// Two locks taken in one order, then in the other: a deadlock waiting for
/// two CPUs to run the two orders at once. (Made on two lines, they are two
/// lockdep classes: kernel::sync explains.)
#[inline(never)] // so that reports name it
fn lock_order() -> Result {
    let first = Mutex::new(0u32)?;
    let second = Mutex::new(0u32)?;
    {
        let _a = first.lock()?;
        let _b = second.lock()?;
    }
    {
        let _b = second.lock()?;
        let _a = first.lock()?;
    }
    pr_info!("took two Mutexes in both orders");
    Ok(())
}

/// A WorkQueue dropped while holding a SpinLock: `destroy_workqueue()`
/// takes mutexes. (`Mutex::lock` there would fail with `EDEADLK` without
/// sleeping, kernel::context; a `Drop` cannot fail, so it reports and goes
/// on, and the kernel's own check must see the sleep.)
#[inline(never)] // so that reports name it
fn sleep_in_atomic() -> Result {
    let spinning = SpinLock::new(0u32)?;
    let queue = WorkQueue::new(c"rust_canary")?;
    let _s = spinning.lock();
    drop(queue);
    pr_info!("dropped a WorkQueue under a SpinLock");
    Ok(())
}

struct Canary;

impl Module for Canary {
    fn init() -> Result<Self> {
        let bug = params::bug.get()?;
        match bug.trim_end() {
            "none" => {}
            "out-of-bounds" => out_of_bounds()?,
            "use-after-free" => use_after_free()?,
            "leak" => leak()?,
            "lock-order" => lock_order()?,
            "sleep-in-atomic" => sleep_in_atomic()?,
            other => {
                pr_err!("unknown bug '{other}'");
                return Err(EINVAL);
            }
        }
        Ok(Canary)
    }
}

module! {
    type: Canary,
    author: "The rust-kmod template authors",
    description: "Commits the bugs that the debug kernel's checkers must catch (test VMs only)",
    params: {
        bug: str = "none", 0o444, "none, out-of-bounds, use-after-free, leak, lock-order or sleep-in-atomic",
    },
}
