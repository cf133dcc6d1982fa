// SPDX-License-Identifier: GPL-2.0
/*
 * module.c - the C side of the hello module.
 *
 * Rust cannot use the kernel's C macros or inline functions, and must not guess
 * the layout of kernel structures (it changes between versions and configs). So
 * this file, compiled by kbuild with the kernel's own flags, holds:
 *
 *   - the module metadata (MODULE_LICENSE and friends) and parameters,
 *   - module_init/module_exit, which call into Rust,
 *   - one small helper for each kernel API that Rust cannot call directly.
 *
 * Everything Rust calls here is declared on the Rust side in src/bindings.rs;
 * keep the two in step.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/slab.h>

/* Implemented in Rust (src/lib.rs, through the module! macro in src/module.rs). */
int rust_module_init(void);
void rust_module_exit(void);

/* Called from Rust; prototypes keep -Wmissing-prototypes quiet. */
void rust_helper_printk(int level, const char *msg, int len);
void __noreturn rust_helper_bug(void);
void *rust_helper_krealloc(const void *ptr, size_t size);
int hello_param_count(void);
bool hello_param_panic_on_init(void);

/* --- Parameters: /sys/module/hello/parameters/ ------------------------------ */

static int count = 3;
module_param(count, int, 0444);
MODULE_PARM_DESC(count, "How many greetings to keep (0-16, default 3)");

static bool panic_on_init;
module_param(panic_on_init, bool, 0444);
MODULE_PARM_DESC(panic_on_init, "Panic in Rust during init, to show the panic path (default: no)");

int hello_param_count(void)
{
	return count;
}

bool hello_param_panic_on_init(void)
{
	return panic_on_init;
}

/* --- Helpers for Rust --------------------------------------------------------- */

/*
 * printk() and its KERN_* levels are macros. Rust hands over one formatted line
 * (not NUL-terminated) and its level, 0 (KERN_EMERG) to 7 (KERN_DEBUG); the line
 * goes in as a "%.*s" argument, so a '%' in it is printed as it is.
 */
void rust_helper_printk(int level, const char *msg, int len)
{
	static const char *const levels[] = {
		KERN_EMERG, KERN_ALERT, KERN_CRIT, KERN_ERR,
		KERN_WARNING, KERN_NOTICE, KERN_INFO, KERN_DEBUG,
	};

	if (level < 0 || level >= ARRAY_SIZE(levels))
		level = 3; /* KERN_ERR: a bad level is a bug worth seeing */
	printk("%s" pr_fmt("%.*s\n"), levels[level], len, msg);
}

/*
 * BUG() is a macro that plants an undefined instruction and a bug-table entry,
 * so the oops names this file and line. The Rust panic handler has already
 * logged the Rust message and location (src/lang_items.rs).
 */
void __noreturn rust_helper_bug(void)
{
	BUG();
}

/*
 * The Rust allocator (src/allocator.rs) relies on kmalloc's minimum alignment
 * and on power-of-two sizes being naturally aligned.
 */
static_assert(ARCH_KMALLOC_MINALIGN >= 8, "src/allocator.rs assumes 8-byte kmalloc alignment");

/*
 * krealloc() is a macro on newer kernels (memory allocation profiling).
 * krealloc(NULL, size) is kmalloc(size). __GFP_NOWARN: a failed allocation is
 * returned to Rust as an error, so the kernel need not warn about it.
 */
void *rust_helper_krealloc(const void *ptr, size_t size)
{
	return krealloc(ptr, size, GFP_KERNEL | __GFP_NOWARN);
}

/* --- The module itself: all logic lives in Rust -------------------------------- */

static int __init hello_init(void)
{
	return rust_module_init();
}

static void __exit hello_exit(void)
{
	rust_module_exit();
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The rust-kmod template authors");
MODULE_DESCRIPTION("Hello, world in Rust, for stock distribution kernels");
