// SPDX-License-Identifier: GPL-2.0
/*
 * stress_null: a C module that does nothing at load and unload, unless told
 * to leak.
 *
 * scripts/stress.sh loads and unloads it as many times as each Rust module,
 * in the same boot: what the kernel's slab usage does across those cycles is
 * the noise that the Rust modules' figures are compared with. Loaded with
 * leak_bytes=N it allocates N bytes at every load and never frees them: the
 * leak that the same measurement must then report (the check that the
 * method can see one).
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

static unsigned int leak_bytes;
module_param(leak_bytes, uint, 0444);
MODULE_PARM_DESC(leak_bytes, "Bytes to allocate at load and never free (0: none)");

static int __init stress_null_init(void)
{
	/* Deliberately lost: nothing keeps the pointer. */
	if (leak_bytes && !kmalloc(leak_bytes, GFP_KERNEL))
		return -ENOMEM;
	return 0;
}

static void __exit stress_null_exit(void)
{
}

module_init(stress_null_init);
module_exit(stress_null_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Does nothing, or leaks on purpose: the baseline of the load/unload stress test");
