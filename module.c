// SPDX-License-Identifier: GPL-2.0
/*
 * module.c - the C side of every module built here.
 *
 * Rust cannot use the kernel's C macros or inline functions, and must not guess
 * the layout of kernel structures (it changes between versions and configs). So
 * this file, compiled by kbuild with the kernel's own flags, holds:
 *
 *   - the module metadata and parameters: MODULE_LICENSE here, the rest from
 *     the module! declaration in Rust, which the build writes out as
 *     module_info.h (see scripts/module-info.sh),
 *   - module_init/module_exit, which call into Rust,
 *   - the helpers the core of the Rust support crate calls (printing, BUG(),
 *     memory), declared on the Rust side in src/kernel/bindings.rs.
 *
 * Helpers for particular kernel facilities (devices, files, locks, timers...)
 * are in src/kernel/helpers/, one file each, linked in only when used.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "context.h"	/* src/kernel/helpers/context.h */

/* Implemented in Rust, by the module! macro (src/kernel/module.rs). */
int rust_module_init(void);
void rust_module_exit(void);

/* Called from Rust; prototypes keep -Wmissing-prototypes quiet. */
void rust_helper_printk(int level, const char *msg, int len);
void rust_helper_printf(const char *fmt, const u64 *words, unsigned int count, bool named);
void __noreturn rust_helper_bug(void);
const void *rust_helper_current(void);
void *rust_helper_krealloc(const void *ptr, size_t size);
bool rust_helper_in_atomic_context(void);
void rust_helper_atomic_sleep_report(const char *file, unsigned int file_len, unsigned int line,
				     unsigned int col);

/* --- Metadata and parameters ---------------------------------------------------- */

/*
 * The C code here and in helpers/ is GPL, and it uses the kernel's GPL-only
 * exports, so the module's licence is GPL whatever its Rust part says.
 */
MODULE_LICENSE("GPL");

/*
 * One parameter. Its value lives in Rust (rust_param_<name>, a static with the
 * default from the module! declaration); module_param_named() tells the kernel
 * where it is and how to parse it (command line, /sys/module/<module>/
 * parameters/<name>). Rust reads it only through the getter, under
 * kernel_param_lock(), the lock a write through sysfs takes, so a read never
 * sees a value half-written (src/kernel/params.rs).
 */
#define RUST_PARAM(type, ptype, name, perm, desc)				\
	extern type rust_param_##name;						\
	module_param_named(name, rust_param_##name, ptype, perm);		\
	MODULE_PARM_DESC(name, desc);						\
	type rust_getparam_##name(void);					\
	type rust_getparam_##name(void)					\
	{									\
		type v;								\
										\
		kernel_param_lock(THIS_MODULE);					\
		v = rust_param_##name;						\
		kernel_param_unlock(THIS_MODULE);				\
		return v;							\
	}

/*
 * A string parameter (charp): the getter copies at most @size bytes into @buf
 * and returns the whole length, so Rust can retry with a larger buffer.
 */
#define RUST_PARAM_CHARP(name, perm, desc)					\
	extern char *rust_param_##name;						\
	module_param_named(name, rust_param_##name, charp, perm);		\
	MODULE_PARM_DESC(name, desc);						\
	size_t rust_getparam_##name(char *buf, size_t size);			\
	size_t rust_getparam_##name(char *buf, size_t size)			\
	{									\
		size_t len;							\
										\
		kernel_param_lock(THIS_MODULE);					\
		len = rust_param_##name ? strlen(rust_param_##name) : 0;	\
		memcpy(buf, rust_param_##name, min(len, size));			\
		kernel_param_unlock(THIS_MODULE);				\
		return len;							\
	}

#include "module_info.h"

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
 * A line lowered to a printk format at compile time (src/kernel/print/lower.rs):
 * fmt is KERN_<level>, the prefix pr_fmt() gives above, the line with its
 * conversions and "\n". The prefix is the module name itself when the build
 * gave it to the Rust crate at compile time (named), else a "%s" for which
 * KBUILD_MODNAME is passed here (the kernel crate's own lines). Rust passes
 * each argument as a 64-bit word, sign- or zero-extended from its type, which
 * is what va_arg() of that type reads on x86-64 and arm64 (every variadic
 * integer argument takes a 64-bit register or stack slot there). The format
 * takes the first count of the sixteen words. A line of up to four words
 * (most lines) gets exactly those, as C's would: every argument more costs
 * printk's caller a store and printk a load, which `make bench` sees (about
 * 0.3 us a line in the emulated guest for sixteen). Longer lines and the
 * kernel crate's get all sixteen; those the format does not use are ignored,
 * as C allows. One printk, as C's pr_info() is: no copy of the line.
 */
void rust_helper_printf(const char *fmt, const u64 *w, unsigned int count, bool named)
{
	BUILD_BUG_ON(sizeof(long) != sizeof(u64));
	if (!named) {
		printk(fmt, KBUILD_MODNAME, w[0], w[1], w[2], w[3], w[4], w[5], w[6],
		       w[7], w[8], w[9], w[10], w[11], w[12], w[13], w[14], w[15]);
		return;
	}
	switch (count) {
	case 0:
		printk(fmt);
		break;
	case 1:
		printk(fmt, w[0]);
		break;
	case 2:
		printk(fmt, w[0], w[1]);
		break;
	case 3:
		printk(fmt, w[0], w[1], w[2]);
		break;
	case 4:
		printk(fmt, w[0], w[1], w[2], w[3]);
		break;
	default:
		printk(fmt, w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8],
		       w[9], w[10], w[11], w[12], w[13], w[14], w[15]);
	}
}

/*
 * BUG() is a macro that plants an undefined instruction and a bug-table entry,
 * so the oops names this file and line. The Rust panic handler has already
 * logged the Rust message and location (src/kernel/lang_items.rs).
 */
void __noreturn rust_helper_bug(void)
{
	BUG();
}

/*
 * current is a macro (a per-CPU read). The panic handler uses the task only as
 * an identity, to tell a panic while formatting a panic message in the same
 * task (src/kernel/lang_items.rs).
 */
const void *rust_helper_current(void)
{
	return current;
}

/*
 * The Rust allocator (src/kernel/allocator.rs) relies on kmalloc's minimum
 * alignment and on power-of-two sizes being naturally aligned.
 */
static_assert(ARCH_KMALLOC_MINALIGN >= 8, "src/kernel/allocator.rs assumes 8-byte kmalloc alignment");

/*
 * Whether the caller must not sleep (src/kernel/context.rs): the test of
 * helpers/context.h, which says what it sees.
 */
bool rust_helper_in_atomic_context(void)
{
	return rust_in_atomic_context();
}

/*
 * Reports, once per module load, a sleeping call in atomic context, in the
 * words of the kernel's own report ("BUG: sleeping function called from
 * invalid context at <file>:<line>", the context, a backtrace, taint W), with
 * the Rust caller's location. @file is NULL when the caller has no location
 * (the allocator).
 */
void rust_helper_atomic_sleep_report(const char *file, unsigned int file_len, unsigned int line,
				     unsigned int col)
{
	static atomic_t reported = ATOMIC_INIT(0);

	if (atomic_xchg(&reported, 1))
		return;
	if (file)
		pr_err("BUG: sleeping function called from invalid context at %.*s:%u:%u\n",
		       (int)file_len, file, line, col);
	else
		pr_err("BUG: sleeping allocation (GFP_KERNEL) called from invalid context\n");
	pr_err("in_atomic(): %d, irqs_disabled(): %d, in_interrupt(): %#lx, pid: %d, name: %s\n",
	       in_atomic(), irqs_disabled(), (unsigned long)in_interrupt(), current->pid, current->comm);
	if (file)
		pr_err("the call fails with EDEADLK instead of sleeping; later ones are not reported\n");
	else
		pr_err("allocating with GFP_ATOMIC instead; later ones are not reported\n");
	dump_stack();
	add_taint(TAINT_WARN, LOCKDEP_STILL_OK);
}

/*
 * krealloc() is a macro on newer kernels (memory allocation profiling).
 * krealloc(NULL, size) is kmalloc(size). __GFP_NOWARN: a failed allocation is
 * returned to Rust as an error, so the kernel need not warn about it. In
 * atomic context, where GFP_KERNEL may sleep, GFP_ATOMIC: the Rust
 * collections cannot fail cleanly (a failed Vec::push panics), so the
 * allocation is made without sleeping, after the report.
 */
void *rust_helper_krealloc(const void *ptr, size_t size)
{
	gfp_t gfp = GFP_KERNEL;

	if (unlikely(rust_helper_in_atomic_context())) {
		rust_helper_atomic_sleep_report(NULL, 0, 0, 0);
		gfp = GFP_ATOMIC;
	}
	return krealloc(ptr, size, gfp | __GFP_NOWARN);
}

/* --- The module itself: all logic lives in Rust -------------------------------- */

/*
 * helpers/miscdev.c, where the module uses it (the Kbuild file then defines
 * RUST_KMOD_MISCDEV), frees what files closed after their device was removed
 * left behind. (Not a weak symbol tested for NULL: on arm64 gcc reaches an
 * undefined weak symbol through the GOT, whose relocations the kernel's
 * module loader rejects.)
 */
#ifdef RUST_KMOD_MISCDEV
void rust_helper_miscdev_exit(void);
#endif

static int __init rust_kmod_init(void)
{
	return rust_module_init();
}

static void __exit rust_kmod_exit(void)
{
	rust_module_exit();
#ifdef RUST_KMOD_MISCDEV
	rust_helper_miscdev_exit();
#endif
}

module_init(rust_kmod_init);
module_exit(rust_kmod_exit);
