// SPDX-License-Identifier: GPL-2.0
//! Large buffers: [`KVVec<T>`], a vector whose memory comes from
//! `kvmalloc()`, which falls back to `vmalloc()` when no physically
//! contiguous block of that size is free.
//!
//! `Vec`, `Box` and `String` use `kmalloc` (the global allocator,
//! [`crate::allocator`]): one physically contiguous block. Up to a few
//! pages that is the right choice, and the fastest. Beyond that a
//! long-running system's memory is fragmented, and a large `kmalloc` (from
//! 32 KiB on, above `PAGE_ALLOC_COSTLY_ORDER`) can fail although plenty of
//! memory is free. `kvmalloc()` tries `kmalloc` without insisting, then
//! `vmalloc`, which maps scattered pages at consecutive virtual addresses.
//! The rule, as docs/runtime.md gives it: a buffer that may be larger than a
//! few pages (say over 16 KiB) and is only touched by the CPU is a `KVVec`.
//! Memory a device reads by DMA must stay a `kmalloc` block (or a DMA API
//! allocation).
//!
//! ```ignore
//! let mut buffer = KVVec::from_elem(0u8, 1 << 20)?; // 1 MiB, or ENOMEM
//! buffer[..5].copy_from_slice(b"hello");
//! ```
//!
//! Allocation is fallible only: every method that allocates returns
//! `ENOMEM` rather than panicking. It may sleep (`GFP_KERNEL`): process
//! context only, never under a spinlock; so does dropping (`vfree()`).
//! `make FAIL_ALLOC=1` counts and fails these allocations like the global
//! allocator's. On the host (`cargo test`) the memory comes from the host's
//! allocator, so the vector's own logic is tested there.

use core::fmt;
use core::marker::PhantomData;
use core::mem::{align_of, size_of};
use core::ops::{Deref, DerefMut};
use core::ptr::{self, NonNull};

use crate::allocator::fail_alloc;
use crate::context::might_sleep;
use crate::error::{code::ENOMEM, Result};

#[cfg(target_os = "none")]
extern "C" {
    fn rust_helper_vmalloc_kvmalloc(size: usize) -> *mut core::ffi::c_void;
    fn rust_helper_vmalloc_kvfree(ptr: *const core::ffi::c_void);
}

/// The alignment `kvmalloc()` guarantees: `kmalloc`'s minimum (vmalloc
/// gives whole pages).
const KVMALLOC_ALIGN: usize = 8;

/// `size` bytes (not zero) from `kvmalloc`, or null.
fn raw_alloc(size: usize) -> *mut u8 {
    if size > isize::MAX as usize || fail_alloc::should_fail() {
        return ptr::null_mut();
    }
    #[cfg(target_os = "none")]
    // SAFETY: no preconditions; the result is null or a fresh block.
    let block = unsafe { rust_helper_vmalloc_kvmalloc(size) }.cast::<u8>();
    #[cfg(not(target_os = "none"))]
    // SAFETY: the size is not zero and the layout is valid (checked above).
    let block = unsafe { std::alloc::alloc(host_layout(size)) };
    if !block.is_null() {
        fail_alloc::count_live(1);
    }
    block
}

/// Frees a block of `size` bytes from [`raw_alloc`].
///
/// # Safety
///
/// `block` came from `raw_alloc(size)` and is not used afterwards.
unsafe fn raw_free(block: *mut u8, size: usize) {
    fail_alloc::count_live(-1);
    #[cfg(target_os = "none")]
    {
        let _ = size;
        // SAFETY: by the contract, a live kvmalloc block.
        unsafe { rust_helper_vmalloc_kvfree(block.cast()) };
    }
    #[cfg(not(target_os = "none"))]
    // SAFETY: by the contract, allocated with this very layout.
    unsafe {
        std::alloc::dealloc(block, host_layout(size))
    };
}

#[cfg(not(target_os = "none"))]
fn host_layout(size: usize) -> std::alloc::Layout {
    std::alloc::Layout::from_size_align(size, KVMALLOC_ALIGN).expect("size checked by raw_alloc")
}

/// A growable array of `T` in `kvmalloc` memory: `Vec<T>`'s common methods,
/// every allocation fallible.
///
/// `T` must not need more than 8-byte alignment (a compile-time check) and
/// must not be zero-sized.
///
/// # Invariants
///
/// `ptr` is dangling when `cap` is 0, else a live block from
/// `raw_alloc(cap * size_of::<T>())` owned by this vector; its first `len`
/// (`<= cap`) elements are initialised.
pub struct KVVec<T> {
    ptr: NonNull<T>,
    len: usize,
    cap: usize,
    _owns: PhantomData<T>,
}

// SAFETY: the vector owns its elements, like Vec<T>.
unsafe impl<T: Send> Send for KVVec<T> {}
// SAFETY: `&KVVec<T>` only gives out `&T`, like Vec<T>.
unsafe impl<T: Sync> Sync for KVVec<T> {}

impl<T> KVVec<T> {
    const CHECK: () = assert!(
        align_of::<T>() <= KVMALLOC_ALIGN && size_of::<T>() != 0,
        "KVVec<T>: T must be sized, with an alignment of at most 8"
    );

    /// An empty vector; allocates nothing.
    pub const fn new() -> Self {
        let () = Self::CHECK;
        KVVec { ptr: NonNull::dangling(), len: 0, cap: 0, _owns: PhantomData }
    }

    /// An empty vector with room for `capacity` elements, or `ENOMEM`.
    #[track_caller]
    pub fn with_capacity(capacity: usize) -> Result<Self> {
        let mut vec = Self::new();
        vec.try_reserve_exact(capacity)?;
        Ok(vec)
    }

    /// `len` copies of `value`, or `ENOMEM`.
    #[track_caller]
    pub fn from_elem(value: T, len: usize) -> Result<Self>
    where
        T: Clone,
    {
        let mut vec = Self::with_capacity(len)?;
        vec.resize_within_capacity(len, value);
        Ok(vec)
    }

    /// How many elements it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many elements fit without allocating.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Makes room for at least `additional` more elements (at least
    /// doubling the capacity when it grows), or `ENOMEM` with the vector
    /// unchanged.
    #[track_caller]
    pub fn try_reserve(&mut self, additional: usize) -> Result {
        let needed = self.len.checked_add(additional).ok_or(ENOMEM)?;
        if needed <= self.cap {
            return Ok(());
        }
        self.grow_to(needed.max(self.cap.saturating_mul(2)).max(4))
    }

    /// Makes room for exactly `additional` more elements, or `ENOMEM` with
    /// the vector unchanged.
    #[track_caller]
    pub fn try_reserve_exact(&mut self, additional: usize) -> Result {
        let needed = self.len.checked_add(additional).ok_or(ENOMEM)?;
        if needed <= self.cap {
            return Ok(());
        }
        self.grow_to(needed)
    }

    /// Moves the elements to a new block of `cap` elements. kvrealloc()'s
    /// signature differs between kernel versions, so this copies.
    #[track_caller]
    fn grow_to(&mut self, cap: usize) -> Result {
        might_sleep()?;
        let size = cap.checked_mul(size_of::<T>()).ok_or(ENOMEM)?;
        let block = NonNull::new(raw_alloc(size).cast::<T>()).ok_or(ENOMEM)?;
        // SAFETY: the new block holds `cap >= len` elements and does not
        // overlap the old one, whose first `len` are initialised.
        unsafe { ptr::copy_nonoverlapping(self.ptr.as_ptr(), block.as_ptr(), self.len) };
        if self.cap != 0 {
            // SAFETY: the old block (invariant); its elements were moved
            // (bitwise) to the new one and are not dropped here.
            unsafe { raw_free(self.ptr.as_ptr().cast(), self.cap * size_of::<T>()) };
        }
        self.ptr = block;
        self.cap = cap;
        Ok(())
    }

    /// Appends `value`, or gives `ENOMEM` (the vector unchanged).
    #[track_caller]
    pub fn try_push(&mut self, value: T) -> Result {
        self.try_reserve(1)?;
        // SAFETY: `len < cap` after the reserve, so the slot is in the block
        // and uninitialised.
        unsafe { self.ptr.as_ptr().add(self.len).write(value) };
        self.len += 1;
        Ok(())
    }

    /// Removes and returns the last element.
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        // SAFETY: the element at the old `len - 1` was initialised and is
        // now outside the initialised part, read once.
        Some(unsafe { self.ptr.as_ptr().add(self.len).read() })
    }

    /// Drops the elements from `len` on (nothing if it holds fewer).
    pub fn truncate(&mut self, len: usize) {
        while self.len > len {
            drop(self.pop());
        }
    }

    /// Drops every element; keeps the memory.
    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Grows to `len` elements with copies of `value`, or shrinks to it,
    /// allocating as needed; `ENOMEM` with the vector unchanged.
    #[track_caller]
    pub fn try_resize(&mut self, len: usize, value: T) -> Result
    where
        T: Clone,
    {
        if len > self.len {
            self.try_reserve_exact(len - self.len)?;
        }
        self.resize_within_capacity(len, value);
        Ok(())
    }

    /// As `try_resize` when `len <= capacity`.
    fn resize_within_capacity(&mut self, len: usize, value: T)
    where
        T: Clone,
    {
        debug_assert!(len <= self.cap);
        self.truncate(len);
        while self.len < len.min(self.cap) {
            // SAFETY: `len < cap`: the slot is in the block, uninitialised.
            unsafe { self.ptr.as_ptr().add(self.len).write(value.clone()) };
            self.len += 1;
        }
    }
}

impl<T> Default for KVVec<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Deref for KVVec<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        // SAFETY: the first `len` elements are initialised (invariant); the
        // pointer is dangling but aligned when `len` is 0.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T> DerefMut for KVVec<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as in deref, and `&mut self` makes the slice unique.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: fmt::Debug> fmt::Debug for KVVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T> Drop for KVVec<T> {
    fn drop(&mut self) {
        self.clear();
        if self.cap != 0 {
            // SAFETY: the block (invariant), its elements dropped above.
            unsafe { raw_free(self.ptr.as_ptr().cast(), self.cap * size_of::<T>()) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn new_vector_is_empty_and_allocates_nothing() {
        let vec = KVVec::<u64>::new();
        assert_eq!((vec.len(), vec.capacity()), (0, 0));
        assert_eq!(&*vec, &[] as &[u64]);
    }

    #[test]
    fn from_elem_fills_every_element() {
        let vec = KVVec::from_elem(7u8, 100_000).unwrap();
        assert_eq!(vec.len(), 100_000);
        assert!(vec.iter().all(|&b| b == 7));
    }

    #[test]
    fn push_grows_and_keeps_the_elements_in_order() {
        let mut vec = KVVec::new();
        for i in 0..1000u32 {
            vec.try_push(i).unwrap();
        }
        assert!(vec.capacity() >= 1000);
        assert!(vec.iter().copied().eq(0..1000));
        assert_eq!(vec.pop(), Some(999));
        assert_eq!(vec.len(), 999);
    }

    #[test]
    fn impossible_sizes_fail_with_enomem_and_change_nothing() {
        let mut vec = KVVec::from_elem(1u64, 3).unwrap();
        assert_eq!(vec.try_reserve(usize::MAX), Err(ENOMEM));
        assert_eq!(vec.try_reserve_exact(usize::MAX / 8), Err(ENOMEM));
        assert_eq!(KVVec::<u64>::with_capacity(usize::MAX / 4).err(), Some(ENOMEM));
        assert_eq!(&*vec, &[1, 1, 1]);
    }

    #[test]
    fn resize_truncate_and_drop_drop_each_element_once() {
        let counter = Rc::new(());
        let mut vec = KVVec::from_elem(counter.clone(), 10).unwrap();
        assert_eq!(Rc::strong_count(&counter), 11);
        vec.try_resize(4, counter.clone()).unwrap();
        assert_eq!(Rc::strong_count(&counter), 5);
        vec.try_resize(20, counter.clone()).unwrap();
        assert_eq!(Rc::strong_count(&counter), 21);
        drop(vec);
        assert_eq!(Rc::strong_count(&counter), 1);
    }

    #[test]
    fn slices_write_through_deref_mut() {
        let mut vec = KVVec::from_elem(0u8, 8).unwrap();
        vec[2..5].copy_from_slice(b"abc");
        assert_eq!(&*vec, b"\0\0abc\0\0\0");
    }
}
