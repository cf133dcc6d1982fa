// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/vmalloc.c - the C half of src/kernel/vmalloc.rs: kvmalloc() and
 * kvfree() for Rust's KVVec.
 *
 * kvmalloc() is an inline function (and on 6.10 and later a macro around
 * kvmalloc_node_noprof for memory profiling), so Rust cannot call it
 * directly. It first tries kmalloc; for more than a page it asks kmalloc
 * not to retry hard (__GFP_NORETRY) and falls back to vmalloc, which needs
 * no physically contiguous memory. kvfree() frees either kind.
 *
 * __GFP_NOWARN, as for the global allocator's krealloc (module.c): a failure
 * is an ENOMEM for the caller, not a warning with a stack trace in the log.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

void *rust_helper_vmalloc_kvmalloc(size_t size);
void rust_helper_vmalloc_kvfree(const void *ptr);

/* @size bytes (not zeroed), aligned to at least 8; NULL when out of memory. */
void *rust_helper_vmalloc_kvmalloc(size_t size)
{
	return kvmalloc(size, GFP_KERNEL | __GFP_NOWARN);
}

void rust_helper_vmalloc_kvfree(const void *ptr)
{
	kvfree(ptr);
}
