// SPDX-License-Identifier: GPL-2.0
/*
 * c_hello: the template's hello module (src/lib.rs) written in C, as the
 * baseline make bench measures the Rust one against.
 *
 * It does the same work: the same log lines (with "C" for "Rust", and
 * printk's own format where the Rust one shows core::fmt), the same count
 * and panic_on_init parameters with the same range check, and the greetings
 * kept from load to unload as kmalloc'd strings in a kmalloc'd array, the
 * counterpart of the Rust Vec<String>.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/slab.h>

#define MAX_COUNT 16
/* What each greeting's buffer holds, as the Rust one reserves 32 bytes. */
#define GREETING_SIZE 32

static int count = 3;
module_param(count, int, 0444);
MODULE_PARM_DESC(count, "How many greetings to keep (0-16, default 3)");

static bool panic_on_init;
module_param(panic_on_init, bool, 0444);
MODULE_PARM_DESC(panic_on_init, "Oops during init, to show the panic path (default: no)");

static char **greetings;
static int kept;

static void free_greetings(void)
{
	while (kept > 0)
		kfree(greetings[--kept]);
	kfree(greetings);
	greetings = NULL;
}

static int __init c_hello_init(void)
{
	int n;

	if (panic_on_init) {
		/* What the Rust panic handler does: log the message, then BUG(). */
		pr_emerg("panicked at %s:%d: panic_on_init was set (count = %d)\n",
			 __FILE__, __LINE__, count);
		BUG();
	}
	if (count < 0 || count > MAX_COUNT) {
		pr_err("count=%d is out of range (0 to %d)\n", count, MAX_COUNT);
		return -EINVAL;
	}

	pr_info("Hello from C! Keeping %d greetings.\n", count);
	pr_info("printk works here: %6s|%-6s|%#x|%d\n", "right", "left", 0xbeef, -42);
	pr_info("a literal percent sign: 100%%\n");

	greetings = kmalloc_array(count, sizeof(*greetings), GFP_KERNEL);
	if (!greetings)
		return -ENOMEM;
	for (n = 1; n <= count; n++) {
		char *greeting = kmalloc(GREETING_SIZE, GFP_KERNEL);

		if (!greeting) {
			free_greetings();
			return -ENOMEM;
		}
		snprintf(greeting, GREETING_SIZE, "greeting #%d of %d", n, count);
		pr_info("%s ready\n", greeting);
		greetings[kept++] = greeting;
	}
	return 0;
}

static void __exit c_hello_exit(void)
{
	int n;

	pr_info("Goodbye from C! Dropping %d greetings kept since init:\n", kept);
	for (n = 0; n < kept; n++)
		pr_info("  %s\n", greetings[n]);
	free_greetings();
}

module_init(c_hello_init);
module_exit(c_hello_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The rust-kmod template authors");
MODULE_DESCRIPTION("Hello, world in C: the baseline of the Rust hello module");
