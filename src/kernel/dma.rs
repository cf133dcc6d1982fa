// SPDX-License-Identifier: GPL-2.0
//! DMA memory: coherent buffers ([`CoherentBuffer`], `dma_alloc_coherent`)
//! and streaming mappings of a kernel buffer ([`StreamingMapping`],
//! `dma_map_single`), each given back when dropped.
//!
//! A device reaches memory by its DMA address ([`dma_handle`]), not by the
//! CPU's pointer. Set the device's DMA mask first
//! ([`Device::dma_set_mask_and_coherent`]); the memory is then taken (or
//! bounced) where the device can address it.
//!
//! The device may write into a coherent buffer at any time, so the CPU side
//! is read and written only by copying ([`CoherentBuffer::read`],
//! [`CoherentBuffer::write`], volatile accesses), never through a Rust
//! reference. A streaming mapping owns its buffer (a [`DeviceBuffer`], or a
//! `Vec<u8>` for a device that reaches all memory) while the device has it:
//! the CPU gets it back, with what the device wrote, from
//! [`StreamingMapping::unmap`].
//!
//! [`dma_handle`]: CoherentBuffer::dma_handle
//! [`Device::dma_set_mask_and_coherent`]: crate::pci::Device::dma_set_mask_and_coherent

use core::ffi::{c_int, c_void};
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;

use alloc::vec::Vec;

use crate::context::might_sleep;
use crate::error::{
    code::{EINVAL, ENOMEM},
    to_result, Result,
};
use crate::pci::Device;

extern "C" {
    fn rust_helper_dma_alloc_coherent(dev: *mut c_void, size: usize, handle: *mut u64) -> *mut c_void;
    fn rust_helper_dma_free_coherent(dev: *mut c_void, size: usize, cpu: *mut c_void, handle: u64);
    fn rust_helper_dma_map_single(
        dev: *mut c_void,
        cpu: *mut c_void,
        size: usize,
        dir: c_int,
        handle: *mut u64,
    ) -> c_int;
    fn rust_helper_dma_unmap_single(dev: *mut c_void, handle: u64, size: usize, dir: c_int);
    fn rust_helper_dma_kmalloc(dev: *mut c_void, size: usize) -> *mut c_void;
    fn kfree(ptr: *const c_void);
}

/// Whether `len` bytes at `offset` lie inside `size` bytes.
pub const fn range_fits(offset: usize, len: usize, size: usize) -> bool {
    offset <= size && len <= size - offset
}

/// A coherent DMA buffer (`dma_alloc_coherent`), freed
/// (`dma_free_coherent`) on drop.
///
/// # Invariants
///
/// `cpu` is the CPU address of `size` bytes of coherent memory of `dev`,
/// at DMA address `handle`, live until drop.
pub struct CoherentBuffer {
    dev: Device,
    cpu: NonNull<u8>,
    handle: u64,
    size: usize,
}

// SAFETY: the buffer is reached only by volatile copies through `&self` and
// freed in Drop; it may be used from any thread.
unsafe impl Send for CoherentBuffer {}
// SAFETY: as above; concurrent copies may interleave, as the device's may.
unsafe impl Sync for CoherentBuffer {}

impl CoherentBuffer {
    /// `dma_alloc_coherent(&pdev->dev, size, ..., GFP_KERNEL)`: `size` bytes
    /// (zeroed) that `dev` can address with its coherent DMA mask. `EINVAL`
    /// for size 0, `ENOMEM` if there is no such memory. May sleep.
    #[track_caller]
    pub fn alloc(dev: &Device, size: usize) -> Result<Self> {
        might_sleep()?;
        if size == 0 {
            return Err(EINVAL);
        }
        let mut handle = 0;
        // SAFETY: `dev` is live; `handle` is a valid place.
        let cpu = unsafe { rust_helper_dma_alloc_coherent(dev.as_device_ptr(), size, &mut handle) };
        let cpu = NonNull::new(cpu.cast::<u8>()).ok_or(ENOMEM)?;
        Ok(CoherentBuffer { dev: dev.clone(), cpu, handle, size })
    }

    /// The address the device uses (`dma_addr_t`).
    pub fn dma_handle(&self) -> u64 {
        self.handle
    }

    /// The size in bytes.
    pub fn len(&self) -> usize {
        self.size
    }

    /// Always false: a buffer has at least one byte.
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Copies `out.len()` bytes from `offset` into `out`. `EINVAL` if they
    /// are not all inside the buffer. Any context.
    pub fn read(&self, offset: usize, out: &mut [u8]) -> Result {
        if !range_fits(offset, out.len(), self.size) {
            return Err(EINVAL);
        }
        for (i, byte) in out.iter_mut().enumerate() {
            // SAFETY: offset + i is inside the live buffer (checked above,
            // the invariant); volatile, as the device may write it.
            *byte = unsafe { self.cpu.as_ptr().add(offset + i).read_volatile() };
        }
        Ok(())
    }

    /// Copies `data` into the buffer at `offset`. `EINVAL` if it does not
    /// fit. Any context.
    pub fn write(&self, offset: usize, data: &[u8]) -> Result {
        if !range_fits(offset, data.len(), self.size) {
            return Err(EINVAL);
        }
        for (i, byte) in data.iter().enumerate() {
            // SAFETY: as in `read`.
            unsafe { self.cpu.as_ptr().add(offset + i).write_volatile(*byte) };
        }
        Ok(())
    }
}

impl Drop for CoherentBuffer {
    fn drop(&mut self) {
        // SAFETY: allocated in `alloc` for this device (the invariant), freed once.
        unsafe {
            rust_helper_dma_free_coherent(self.dev.as_device_ptr(), self.size, self.cpu.as_ptr().cast(), self.handle)
        }
    }
}

/// The direction of a streaming transfer (`enum dma_data_direction`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `DMA_TO_DEVICE`: the device reads the buffer.
    ToDevice,
    /// `DMA_FROM_DEVICE`: the device writes the buffer.
    FromDevice,
    /// `DMA_BIDIRECTIONAL`: both.
    Bidirectional,
}

impl Direction {
    fn to_c(self) -> c_int {
        match self {
            Direction::Bidirectional => 0,
            Direction::ToDevice => 1,
            Direction::FromDevice => 2,
        }
    }
}

/// A kernel buffer the device can reach with its DMA mask, for a
/// [`StreamingMapping`]: `kzalloc`, with `GFP_DMA` (the lowest 16 MiB on
/// x86) when the mask is below 32 bits; `kfree` on drop. It derefs to its
/// bytes.
///
/// # Invariants
///
/// `ptr` is a `kzalloc`ed block of `len` bytes owned by this value.
pub struct DeviceBuffer {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: plain owned memory.
unsafe impl Send for DeviceBuffer {}
// SAFETY: `&DeviceBuffer` only gives out `&[u8]`.
unsafe impl Sync for DeviceBuffer {}

impl DeviceBuffer {
    /// `len` zeroed bytes that `dev` can address (set its DMA mask first).
    /// `EINVAL` for 0 bytes, `ENOMEM`. May sleep.
    #[track_caller]
    pub fn alloc(dev: &Device, len: usize) -> Result<Self> {
        might_sleep()?;
        if len == 0 {
            return Err(EINVAL);
        }
        // SAFETY: `dev` is live; the result is checked for null.
        let ptr = unsafe { rust_helper_dma_kmalloc(dev.as_device_ptr(), len) };
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or(ENOMEM)?;
        Ok(DeviceBuffer { ptr, len })
    }
}

impl Deref for DeviceBuffer {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        // SAFETY: `len` initialised (zeroed) bytes owned by self (the invariant).
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl DerefMut for DeviceBuffer {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in deref, and `&mut self` is unique.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for DeviceBuffer {
    fn drop(&mut self) {
        // SAFETY: allocated by kzalloc in `alloc` (the invariant), freed once.
        unsafe { kfree(self.ptr.as_ptr().cast()) }
    }
}

mod private {
    pub trait Sealed {}
}

/// A buffer a [`StreamingMapping`] can lend to a device: its bytes are
/// `kmalloc` memory (physically contiguous, not on the stack) that stays
/// where it is while the mapping owns it. Implemented for [`DeviceBuffer`]
/// and for `Vec<u8>` (the kernel allocator's `kmalloc`; only for devices
/// that reach all memory, or with swiotlb to bounce through).
pub trait Mappable: DerefMut<Target = [u8]> + private::Sealed {}

impl private::Sealed for DeviceBuffer {}
impl Mappable for DeviceBuffer {}
impl private::Sealed for Vec<u8> {}
impl Mappable for Vec<u8> {}

/// A kernel buffer lent to the device (`dma_map_single`), unmapped
/// (`dma_unmap_single`) on drop or by [`unmap`](StreamingMapping::unmap),
/// which gives the buffer back. While mapped, the CPU cannot touch it: the
/// mapping owns it.
///
/// # Invariants
///
/// While `buffer` is `Some`, its bytes are mapped for `dev` at `handle` in
/// direction `dir`; it becomes `None` only after `dma_unmap_single`.
pub struct StreamingMapping<B: Mappable> {
    dev: Device,
    buffer: Option<B>,
    len: usize,
    handle: u64,
    dir: Direction,
}

impl<B: Mappable> StreamingMapping<B> {
    /// `dma_map_single(&pdev->dev, buffer, len, dir)`. `EINVAL` for an
    /// empty buffer, `ENOMEM` if it cannot be mapped (the buffer is then
    /// dropped). Any context.
    pub fn new(dev: &Device, mut buffer: B, dir: Direction) -> Result<Self> {
        let len = buffer.len();
        if len == 0 {
            return Err(EINVAL);
        }
        let mut handle = 0;
        // SAFETY: `dev` is live; the bytes are kmalloc memory (Mappable),
        // owned by the mapping from here on; `handle` is a valid place.
        to_result(unsafe {
            rust_helper_dma_map_single(dev.as_device_ptr(), buffer.as_mut_ptr().cast(), len, dir.to_c(), &mut handle)
        })?;
        Ok(StreamingMapping { dev: dev.clone(), buffer: Some(buffer), len, handle, dir })
    }

    /// The address the device uses (`dma_addr_t`).
    pub fn dma_handle(&self) -> u64 {
        self.handle
    }

    /// The size in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: an empty buffer cannot be mapped.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn unmap_now(&mut self) -> Option<B> {
        let buffer = self.buffer.take()?;
        // SAFETY: mapped in `new` with these arguments (the invariant), and
        // `buffer` was still `Some`, so not unmapped yet.
        unsafe { rust_helper_dma_unmap_single(self.dev.as_device_ptr(), self.handle, self.len, self.dir.to_c()) };
        Some(buffer)
    }

    /// `dma_unmap_single`: ends the transfer and gives the buffer back, with
    /// what the device wrote into it. Any context.
    pub fn unmap(mut self) -> B {
        match self.unmap_now() {
            Some(buffer) => buffer,
            // `buffer` is Some until unmapped, and only Drop or this unmaps.
            None => unreachable!("StreamingMapping unmapped twice"),
        }
    }
}

impl<B: Mappable> Drop for StreamingMapping<B> {
    fn drop(&mut self) {
        drop(self.unmap_now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_fits_accepts_ranges_inside_and_rejects_others() {
        assert!(range_fits(0, 4096, 4096));
        assert!(range_fits(4096, 0, 4096));
        assert!(!range_fits(1, 4096, 4096));
        assert!(!range_fits(4097, 0, 4096));
        assert!(!range_fits(8, usize::MAX, 4096));
    }
}
