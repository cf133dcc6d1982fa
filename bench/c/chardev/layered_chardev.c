// SPDX-License-Identifier: GPL-2.0
/*
 * layered_chardev: c_chardev.c's device (the same buffer rules, read, write
 * and llseek) with the call structure of the Rust one, for make bench to
 * measure what those layers cost apart from the language: /dev/rust_chardev
 * against /dev/layered_chardev. Not a model to follow; c_chardev.c is the
 * baseline.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/barrier.h>

#define CAPACITY 4096

static struct {
	struct mutex lock;
	u8 *bytes;	/* CAPACITY bytes */
	size_t size;	/* the end of the data */
} buffer;

static loff_t layered_chardev_llseek(struct file *file, loff_t offset, int whence)
{
	loff_t base, pos;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = file->f_pos;
		break;
	case SEEK_END:
		mutex_lock(&buffer.lock);
		base = buffer.size;
		mutex_unlock(&buffer.lock);
		break;
	default:
		return -EINVAL;
	}
	if (check_add_overflow(base, offset, &pos) || pos < 0)
		return -EINVAL;
	file->f_pos = pos;
	return pos;
}

/*
 * The file operation calls the implementation through a
 * table of function pointers (helpers/miscdev.c's ops, an indirect call:
 * a retpoline on kernels that use them); the implementation takes the lock,
 * copies and unlocks through helpers of their own, out of line (Rust calls
 * helpers/sync.c and helpers/uaccess.c, which it cannot inline), and the lock
 * and the copy make the atomic-context test of helpers/context.h first.
 * make bench compares the Rust device with this one too.
 */
static noinline bool layered_in_atomic_context(void)
{
	return in_atomic() || in_interrupt() || irqs_disabled() || rcu_preempt_depth() ||
	       is_idle_task(current);
}

static noinline int layered_mutex_lock(struct mutex *lock)
{
	if (layered_in_atomic_context())
		return -EDEADLK;
	mutex_lock(lock);
	return 0;
}

static noinline void layered_mutex_unlock(struct mutex *lock)
{
	mutex_unlock(lock);
}

static noinline unsigned long layered_copy_to_user(void __user *to, const void *from,
						   unsigned long n)
{
	if (layered_in_atomic_context())
		return ULONG_MAX;
	return copy_to_user(to, from, n);
}

static noinline unsigned long layered_copy_from_user_partial(void *to, const void __user *from,
							     unsigned long n)
{
	if (layered_in_atomic_context())
		return ULONG_MAX;
	if (!access_ok(from, n))
		return n;
	barrier_nospec();
	return __copy_from_user(to, from, n);
}

static noinline ssize_t layered_impl_read(const void *data, struct file *file, void *open,
					  char __user *buf, size_t count, loff_t *pos)
{
	size_t start;
	ssize_t ret;

	if (layered_mutex_lock(&buffer.lock))
		return -EDEADLK;
	if (*pos < 0) {
		ret = -EINVAL;
		goto out;
	}
	start = *pos;
	if (start >= buffer.size) {
		ret = 0;
		goto out;
	}
	count = min(count, buffer.size - start);
	if (layered_copy_to_user(buf, buffer.bytes + start, count)) {
		ret = -EFAULT;
		goto out;
	}
	*pos += count;
	ret = count;
out:
	layered_mutex_unlock(&buffer.lock);
	return ret;
}

static noinline ssize_t layered_impl_write(const void *data, struct file *file, void *open,
					   const char __user *buf, size_t count, loff_t *pos)
{
	size_t start, missed;
	ssize_t ret;

	if (!count)
		return 0;
	if (layered_mutex_lock(&buffer.lock))
		return -EDEADLK;
	if (*pos < 0) {
		ret = -EINVAL;
		goto out;
	}
	start = *pos;
	if (start >= CAPACITY) {
		ret = -ENOSPC;
		goto out;
	}
	count = min_t(size_t, count, CAPACITY - start);
	missed = layered_copy_from_user_partial(buffer.bytes + start, buf, count);
	if (missed >= count) {
		ret = -EFAULT;
		goto out;
	}
	if (start > buffer.size)
		memset(buffer.bytes + buffer.size, 0, start - buffer.size);
	buffer.size = max(buffer.size, start + count - missed);
	*pos += count - missed;
	ret = count - missed;
out:
	layered_mutex_unlock(&buffer.lock);
	return ret;
}

static struct {
	ssize_t (*read)(const void *data, struct file *file, void *open, char __user *buf,
			size_t count, loff_t *pos);
	ssize_t (*write)(const void *data, struct file *file, void *open, const char __user *buf,
			 size_t count, loff_t *pos);
} layered_ops;	/* filled in at load, as Rust's table is handed over at registration */

static ssize_t layered_read(struct file *file, char __user *buf, size_t count, loff_t *pos)
{
	return layered_ops.read(&buffer, file, file->private_data, buf, count, pos);
}

static ssize_t layered_write(struct file *file, const char __user *buf, size_t count,
			     loff_t *pos)
{
	return layered_ops.write(&buffer, file, file->private_data, buf, count, pos);
}

static const struct file_operations layered_chardev_fops = {
	.owner = THIS_MODULE,
	.read = layered_read,
	.write = layered_write,
	.llseek = layered_chardev_llseek,
};

static struct miscdevice layered_chardev_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "layered_chardev",
	.mode = 0666,
	.fops = &layered_chardev_fops,
};

static int __init layered_chardev_init(void)
{
	int ret;

	layered_ops.read = layered_impl_read;
	layered_ops.write = layered_impl_write;
	mutex_init(&buffer.lock);
	buffer.bytes = kzalloc(CAPACITY, GFP_KERNEL);
	if (!buffer.bytes)
		return -ENOMEM;
	ret = misc_register(&layered_chardev_misc);
	if (ret)
		kfree(buffer.bytes);
	return ret;
}

static void __exit layered_chardev_exit(void)
{
	misc_deregister(&layered_chardev_misc);
	kfree(buffer.bytes);
}

module_init(layered_chardev_init);
module_exit(layered_chardev_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The rust-kmod template authors");
MODULE_DESCRIPTION("c_chardev with the Rust chardev's call structure, for make bench");
