// SPDX-License-Identifier: GPL-2.0
//! The global allocator: `Box`, `Vec` and `String` on top of `kmalloc`.
//!
//! Allocations use `GFP_KERNEL`, which may sleep: allocate only where the
//! kernel allows sleeping (init, exit, system calls), never under a spinlock.
//! Failure is a null pointer, which `try_reserve` and friends turn into an
//! error ([`crate::error::code::ENOMEM`] through `?`); only the infallible APIs
//! (`Vec::push`, `Box::new`) panic on it.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::alloc::Layout;
use core::mem::MaybeUninit;

use crate::error::{code, Result};
#[cfg(target_os = "none")]
use {crate::bindings, core::alloc::GlobalAlloc, core::ffi::c_void, core::ptr};

/// `kmalloc` always aligns to at least this (`ARCH_KMALLOC_MINALIGN`; module.c
/// checks it at compile time).
const KMALLOC_MIN_ALIGN: usize = 8;

/// The size to ask `kmalloc` for so that the memory suits `layout`, or `None`
/// if that size would exceed `isize::MAX` (no `Layout` may be larger).
///
/// `kmalloc` aligns objects whose size is a power of two to that size, so a
/// stricter alignment than the minimum is met by rounding the size up to a
/// power of two at least as large as the alignment.
pub fn kmalloc_size(layout: Layout) -> Option<usize> {
    if layout.align() <= KMALLOC_MIN_ALIGN {
        Some(layout.size())
    } else {
        let size = layout.size().max(layout.align()).checked_next_power_of_two()?;
        (size <= isize::MAX as usize).then_some(size)
    }
}

/// `Box::new(value)`, but out of memory is `ENOMEM` instead of a panic.
pub fn try_box<T>(value: T) -> Result<Box<T>> {
    Ok(Box::write(try_box_uninit()?, value))
}

/// Room for a `T` on the heap, not initialised yet (`Box::new_uninit`), or
/// `ENOMEM`: allocate first, then do what cannot be undone and move its
/// result in with `Box::write`, which cannot fail.
pub fn try_box_uninit<T>() -> Result<Box<MaybeUninit<T>>> {
    let layout = Layout::new::<T>();
    if layout.size() == 0 {
        return Ok(Box::new_uninit());
    }
    // SAFETY: the layout has a non-zero size.
    let ptr = unsafe { alloc::alloc::alloc(layout) }.cast::<MaybeUninit<T>>();
    if ptr.is_null() {
        return Err(code::ENOMEM);
    }
    // SAFETY: `ptr` is a fresh, suitably aligned block for one `T` (so for a
    // `MaybeUninit<T>`, which needs no initialisation), allocated by the
    // global allocator with T's layout, as Box::from_raw requires.
    Ok(unsafe { Box::from_raw(ptr) })
}

/// `Arc::new(value)`, but out of memory is `ENOMEM` instead of a panic.
pub fn try_arc<T>(value: T) -> Result<Arc<T>> {
    #[cfg(target_os = "none")]
    return Arc::try_new(value).map_err(|_| code::ENOMEM);
    // Host tests: the standard library has no stable fallible Arc.
    #[cfg(not(target_os = "none"))]
    return Ok(Arc::new(value));
}

/// Moves the allocation at `ptr` (null for a new one) to a block that fits
/// `layout`, as `krealloc` does.
///
/// # Safety
///
/// `ptr` is null or a live allocation of this allocator, whose alignment was
/// `layout.align()`; `layout.size()` is not zero.
#[cfg(target_os = "none")]
unsafe fn krealloc(ptr: *mut u8, layout: Layout) -> *mut u8 {
    let Some(size) = kmalloc_size(layout) else {
        return ptr::null_mut();
    };
    if fail_alloc::should_fail() {
        return ptr::null_mut();
    }
    // SAFETY: by this function's contract `ptr` is null or came from krealloc,
    // and `size` is not zero, so krealloc neither frees nor returns ZERO_SIZE_PTR.
    let new: *mut u8 = unsafe { bindings::rust_helper_krealloc(ptr as *const c_void, size).cast() };
    if ptr.is_null() && !new.is_null() {
        fail_alloc::count_live(1);
    }
    new
}

/// Allocation-failure injection, for testing the paths that handle `ENOMEM`.
///
/// Built in only with `make FAIL_ALLOC=1` (`--cfg kmod_fail_alloc`): the
/// module then has two more parameters, `fail_alloc_nth` (0644: make the N-th
/// allocation since the module was loaded fail, 0 for none) and
/// `alloc_count` (0444: how many allocations it has made so far). So
/// `insmod m.ko fail_alloc_nth=3` fails the third allocation of init, and
/// writing `alloc_count + 1` to `fail_alloc_nth` fails the next one.
/// `make stress` runs every example that way (docs/reliability.md).
///
/// The kernel's parameter code reads and writes the two values as plain
/// `int`s (module_info.h points `module_param()` at them); Rust uses atomic
/// operations on them, which on x86 are the same loads and stores.
#[cfg(all(target_os = "none", kmod_fail_alloc))]
pub(crate) mod fail_alloc {
    use core::sync::atomic::{AtomicI32, Ordering::Relaxed};

    #[export_name = "rust_param_fail_alloc_nth"]
    static FAIL_NTH: AtomicI32 = AtomicI32::new(0);

    #[export_name = "rust_param_alloc_count"]
    static COUNT: AtomicI32 = AtomicI32::new(0);

    /// Blocks allocated and not yet freed: a leak detector for the module's
    /// Rust code (`module.rs` checks it after a failed init and at unload).
    static LIVE: AtomicI32 = AtomicI32::new(0);

    /// Counts an allocation; true if it is the one to fail.
    pub(crate) fn should_fail() -> bool {
        let n = COUNT.fetch_add(1, Relaxed).wrapping_add(1);
        let nth = FAIL_NTH.load(Relaxed);
        nth > 0 && n == nth
    }

    pub(crate) fn count_live(change: i32) {
        LIVE.fetch_add(change, Relaxed);
    }

    pub(crate) fn live() -> Option<i32> {
        Some(LIVE.load(Relaxed))
    }
}

/// Without `make FAIL_ALLOC=1`, no allocation is made to fail or counted.
#[cfg(any(not(target_os = "none"), not(kmod_fail_alloc)))]
pub(crate) mod fail_alloc {
    #[allow(dead_code)]
    pub(crate) fn should_fail() -> bool {
        false
    }

    #[allow(dead_code)]
    pub(crate) fn count_live(_change: i32) {}

    pub(crate) fn live() -> Option<i32> {
        None
    }
}

/// With `make FAIL_ALLOC=1`, how many blocks the module's Rust code holds
/// (allocated and not freed); `None` in ordinary builds, which do not count.
pub fn live_allocations() -> Option<i32> {
    fail_alloc::live()
}

/// The module parameters of allocation-failure injection, as `module!`
/// records (see `fail_alloc` above); empty in ordinary builds.
#[doc(hidden)]
#[cfg(kmod_fail_alloc)]
#[macro_export]
macro_rules! __fail_alloc_params {
    () => {
        "param|int|fail_alloc_nth|0o644|Fail the N-th allocation since load with ENOMEM (0: none)\n\
         param|int|alloc_count|0o444|Allocations made since load\n"
    };
}

#[doc(hidden)]
#[cfg(not(kmod_fail_alloc))]
#[macro_export]
macro_rules! __fail_alloc_params {
    () => {
        ""
    };
}

/// The allocator behind `alloc` in this module. (Host unit tests use the
/// host's allocator instead; they only test the size arithmetic above.)
#[cfg(target_os = "none")]
pub struct KernelAllocator;

// SAFETY: every block comes from kmalloc sized by kmalloc_size(), so it is at
// least layout.size() bytes and aligned to layout.align(); blocks are freed
// with kfree, and krealloc keeps the old block intact when it fails.
#[cfg(target_os = "none")]
unsafe impl GlobalAlloc for KernelAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: GlobalAlloc's callers pass a layout of non-zero size.
        unsafe { krealloc(ptr::null_mut(), layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        fail_alloc::count_live(-1);
        // SAFETY: `ptr` is a live allocation of this allocator, so of kmalloc.
        unsafe { bindings::kfree(ptr as *const c_void) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: GlobalAlloc::realloc's callers guarantee that `new_size`,
        // rounded up to `layout.align()`, does not overflow isize.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: `ptr` is a live allocation with `layout`'s alignment and
        // `new_size` is not zero (GlobalAlloc::realloc's contract).
        unsafe { krealloc(ptr, new_layout) }
    }
}

#[cfg(target_os = "none")]
#[global_allocator]
static ALLOCATOR: KernelAllocator = KernelAllocator;

#[cfg(test)]
mod tests {
    use super::*;

    fn size_for(size: usize, align: usize) -> Option<usize> {
        kmalloc_size(Layout::from_size_align(size, align).unwrap())
    }

    #[test]
    fn small_alignments_keep_the_size() {
        for align in [1, 2, 4, 8] {
            assert_eq!(size_for(1, align), Some(1));
            assert_eq!(size_for(24, align), Some(24));
            assert_eq!(size_for(100, align), Some(100));
        }
    }

    #[test]
    fn larger_alignments_round_up_to_a_power_of_two_no_smaller_than_align() {
        assert_eq!(size_for(1, 16), Some(16));
        assert_eq!(size_for(24, 16), Some(32));
        assert_eq!(size_for(64, 64), Some(64));
        assert_eq!(size_for(65, 64), Some(128));
        assert_eq!(size_for(8, 4096), Some(4096));
        assert_eq!(size_for(5000, 4096), Some(8192));
    }

    #[test]
    fn every_alignment_gets_a_size_that_is_a_multiple_of_it() {
        for shift in 0..20 {
            let align = 1usize << shift;
            for size in [1, align / 2 + 1, align, align + 1, 3 * align] {
                let got = size_for(size, align).unwrap();
                assert!(got >= size);
                assert!(align <= KMALLOC_MIN_ALIGN || (got.is_power_of_two() && got.is_multiple_of(align)));
            }
        }
    }

    #[test]
    fn try_box_holds_the_value() {
        assert_eq!(*try_box(1234u64).unwrap(), 1234);
        assert_eq!(*try_box(()).unwrap(), ());
    }

    #[test]
    fn impossible_sizes_are_refused_not_wrapped() {
        let huge = Layout::from_size_align(isize::MAX as usize - 63, 64).unwrap();
        assert_eq!(kmalloc_size(huge), None);
    }
}
