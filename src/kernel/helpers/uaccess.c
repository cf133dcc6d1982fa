// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/uaccess.c - the C half of src/kernel/uaccess.rs: copying between
 * kernel memory and user memory.
 *
 * copy_from_user() and copy_to_user() are inline functions, so Rust reaches
 * them through these helpers. They check that the user range is in user space
 * (access_ok), handle page faults (which may sleep), and return how many bytes
 * they could NOT copy: 0 means all of them.
 *
 * copy_from_user() zeroes the bytes of the destination it could not fill, so
 * that a caller who ignores the count never sees stale kernel memory. A write
 * whose user buffer turns bad partway wants the opposite: the bytes before
 * the bad one, and the destination past them left as it was, so that it can
 * copy straight into its data and return a short count (what the kernel's own
 * file writes do, through the iov_iter copies). That is
 * rust_helper_uaccess_copy_from_user_partial(): access_ok() on the whole
 * range, the speculation barrier copy_from_user() has after it, then
 * __copy_from_user(), which does not zero. raw_copy_from_user()'s contract
 * (include/linux/uaccess.h) makes it exact: when it returns N, the first
 * n - N bytes are copied and everything past them is left unmodified. (How
 * close to the bad byte it gets is the architecture's: x86 copies up to it;
 * arm64 stops at the 8-byte load that faulted, then tries a single byte, as
 * the contract allows: fewer than possible, but not none when one can be.)
 * (arm64 defines no barrier_nospec(): <linux/nospec.h> gives an empty one
 * there, its raw_copy_from_user() masking the user pointer instead.)
 */
#include <linux/uaccess.h>
#include <asm/barrier.h>
#include <linux/nospec.h>

#include "context.h"

/*
 * What the copies return in atomic context (context.h), where they must not
 * run (a fault sleeps): more than any count of bytes. Rust reports it as
 * EDEADLK (uaccess.rs).
 */
#define RUST_UACCESS_ATOMIC ULONG_MAX

unsigned long rust_helper_uaccess_copy_from_user(void *to, const void __user *from,
						 unsigned long n);
unsigned long rust_helper_uaccess_copy_from_user_partial(void *to, const void __user *from,
							 unsigned long n);
unsigned long rust_helper_uaccess_copy_to_user(void __user *to, const void *from,
					       unsigned long n);

unsigned long rust_helper_uaccess_copy_from_user(void *to, const void __user *from,
						 unsigned long n)
{
	if (rust_in_atomic_context())
		return RUST_UACCESS_ATOMIC;
	return copy_from_user(to, from, n);
}

unsigned long rust_helper_uaccess_copy_from_user_partial(void *to, const void __user *from,
							 unsigned long n)
{
	if (rust_in_atomic_context())
		return RUST_UACCESS_ATOMIC;
	if (!access_ok(from, n))
		return n;
	barrier_nospec();
	return __copy_from_user(to, from, n);
}

unsigned long rust_helper_uaccess_copy_to_user(void __user *to, const void *from,
					       unsigned long n)
{
	if (rust_in_atomic_context())
		return RUST_UACCESS_ATOMIC;
	return copy_to_user(to, from, n);
}
