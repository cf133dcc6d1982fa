// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/uaccess.c - the C half of src/kernel/uaccess.rs: copying between
 * kernel memory and user memory.
 *
 * copy_from_user() and copy_to_user() are inline functions, so Rust reaches
 * them through these helpers. They check that the user range is in user space
 * (access_ok), handle page faults (which may sleep), and return how many bytes
 * they could NOT copy: 0 means all of them.
 */
#include <linux/uaccess.h>

unsigned long rust_helper_uaccess_copy_from_user(void *to, const void __user *from,
						 unsigned long n);
unsigned long rust_helper_uaccess_copy_to_user(void __user *to, const void *from,
					       unsigned long n);

unsigned long rust_helper_uaccess_copy_from_user(void *to, const void __user *from,
						 unsigned long n)
{
	return copy_from_user(to, from, n);
}

unsigned long rust_helper_uaccess_copy_to_user(void __user *to, const void *from,
					       unsigned long n)
{
	return copy_to_user(to, from, n);
}
