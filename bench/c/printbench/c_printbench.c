// SPDX-License-Identifier: GPL-2.0
/*
 * c_printbench: what one pr_info() line costs in C, measured in the kernel.
 * bench/printbench/printbench.rs does the same in Rust; make bench loads the
 * two in turn and compares.
 *
 * At load it runs `loops` rounds, each printing `lines` formatted lines
 * ("value 17 of bench") and then `lines` lines without arguments, timing
 * each batch with ktime_get_ns(). Then it logs one line per batch at
 * KERN_NOTICE, "result formatted <lines> <ns>" or "result plain <lines>
 * <ns>", after all the batches, so the ring buffer still holds them.
 * make bench keeps these lines off the serial console: what is measured is
 * formatting and storing into the printk ring buffer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/timekeeping.h>

#define MAX_LOOPS 32

static int lines = 200;
module_param(lines, int, 0444);
MODULE_PARM_DESC(lines, "Lines per timed batch (default 200)");

static int loops = 10;
module_param(loops, int, 0444);
MODULE_PARM_DESC(loops, "Rounds of batches (1-32, default 10)");

/* Not a literal, so the compiler cannot fold it into the format. */
static const char *what = "bench";

static int __init c_printbench_init(void)
{
	u64 formatted[MAX_LOOPS], plain[MAX_LOOPS], start;
	int round, i;

	if (lines < 1 || loops < 1 || loops > MAX_LOOPS)
		return -EINVAL;

	for (round = 0; round < loops; round++) {
		start = ktime_get_ns();
		for (i = 0; i < lines; i++)
			pr_info("value %d of %s\n", i, what);
		formatted[round] = ktime_get_ns() - start;

		start = ktime_get_ns();
		for (i = 0; i < lines; i++)
			pr_info("a line without arguments\n");
		plain[round] = ktime_get_ns() - start;
	}

	for (round = 0; round < loops; round++) {
		pr_notice("result formatted %d %llu\n", lines, formatted[round]);
		pr_notice("result plain %d %llu\n", lines, plain[round]);
	}
	return 0;
}

static void __exit c_printbench_exit(void)
{
}

module_init(c_printbench_init);
module_exit(c_printbench_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The rust-kmod template authors");
MODULE_DESCRIPTION("Times pr_info() lines in C, for make bench");
