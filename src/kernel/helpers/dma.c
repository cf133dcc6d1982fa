// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/dma.c - the C half of src/kernel/dma.rs: coherent DMA buffers
 * (dma_alloc_coherent) and streaming mappings (dma_map_single) for a device.
 *
 * A coherent buffer is memory the CPU and the device both see as it is,
 * with no cache maintenance: the CPU address is for Rust, the DMA address
 * (dma_addr_t) for the device. It is allocated from memory the device can
 * address, as its coherent DMA mask says (the edu device's 28 bits: the
 * lowest 256 MiB), and may sleep (GFP_KERNEL).
 *
 * A streaming mapping lends an ordinary kernel buffer to the device for one
 * transfer in one direction: dma_map_single() gives its DMA address (maybe a
 * bounce buffer of swiotlb's, when the buffer lies beyond the device's
 * mask), dma_unmap_single() ends the transfer and, for DMA_FROM_DEVICE,
 * makes what the device wrote visible to the CPU (copied back from the bounce
 * buffer if there was one). Without swiotlb (a machine whose memory all lies
 * below 4 GiB does not set it up) a buffer the device cannot address cannot
 * be mapped at all: the kernel warns and dma_map_single() fails. So a buffer
 * for a device with a mask below 32 bits comes from ZONE_DMA (kmalloc with
 * GFP_DMA: the lowest 16 MiB on x86), rust_helper_dma_kmalloc() below.
 * (GFP_DMA32 is not allowed for kmalloc; a 32-bit device on a machine with
 * more memory gets swiotlb's bounce buffers.)
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>

void *rust_helper_dma_alloc_coherent(struct device *dev, size_t size, u64 *handle);
void rust_helper_dma_free_coherent(struct device *dev, size_t size, void *cpu, u64 handle);
int rust_helper_dma_map_single(struct device *dev, void *cpu, size_t size, int dir, u64 *handle);
void rust_helper_dma_unmap_single(struct device *dev, u64 handle, size_t size, int dir);
void *rust_helper_dma_kmalloc(struct device *dev, size_t size);

/* @size zeroed bytes that @dev can reach with its DMA mask; free with kfree(). */
void *rust_helper_dma_kmalloc(struct device *dev, size_t size)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;

	if (dma_get_mask(dev) < DMA_BIT_MASK(32))
		gfp |= GFP_DMA;
	return kzalloc(size, gfp);
}

void *rust_helper_dma_alloc_coherent(struct device *dev, size_t size, u64 *handle)
{
	dma_addr_t addr;
	void *cpu = dma_alloc_coherent(dev, size, &addr, GFP_KERNEL);

	*handle = addr;
	return cpu;
}

void rust_helper_dma_free_coherent(struct device *dev, size_t size, void *cpu, u64 handle)
{
	dma_free_coherent(dev, size, cpu, handle);
}

/* Rust's directions: 1 to the device, 2 from it, 0 both (enum dma_data_direction). */
static enum dma_data_direction rust_dma_dir(int dir)
{
	switch (dir) {
	case 1:
		return DMA_TO_DEVICE;
	case 2:
		return DMA_FROM_DEVICE;
	default:
		return DMA_BIDIRECTIONAL;
	}
}

/* dma_map_single(): 0 and the DMA address, or -ENOMEM if it cannot be mapped. */
int rust_helper_dma_map_single(struct device *dev, void *cpu, size_t size, int dir, u64 *handle)
{
	dma_addr_t addr = dma_map_single(dev, cpu, size, rust_dma_dir(dir));

	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	*handle = addr;
	return 0;
}

void rust_helper_dma_unmap_single(struct device *dev, u64 handle, size_t size, int dir)
{
	dma_unmap_single(dev, handle, size, rust_dma_dir(dir));
}
