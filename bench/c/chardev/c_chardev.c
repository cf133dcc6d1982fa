// SPDX-License-Identifier: GPL-2.0
/*
 * c_chardev: examples/chardev written in C, as the baseline make bench
 * measures the Rust one against. /dev/c_chardev behaves like a small file of
 * at most 4096 bytes kept in kernel memory, exactly as /dev/rust_chardev does
 * (make bench runs examples/chardev/test.sh against both):
 *
 *   - reads and writes start at the file position and move it on;
 *   - a read stops at the end of the data; a write stores what fits and one
 *     that starts at or past the end of the buffer fails with ENOSPC;
 *     writing past the end of the data leaves a gap of zeroes;
 *   - SEEK_END counts from the end of the data, negative positions are
 *     EINVAL, a bad user pointer is EFAULT and moves nothing, and a write
 *     whose buffer turns bad partway stores the bytes before the bad one
 *     and returns their count;
 *   - one struct mutex around the buffer, allocated once at load.
 *
 * The difference is the one being measured: here the file operations are
 * plain C, there they go through helpers/miscdev.c into Rust.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
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

static ssize_t c_chardev_read(struct file *file, char __user *buf, size_t count, loff_t *pos)
{
	size_t start;
	ssize_t ret;

	mutex_lock(&buffer.lock);
	if (*pos < 0) {
		ret = -EINVAL;
		goto out;
	}
	start = *pos;
	if (start >= buffer.size) {
		ret = 0;	/* end of file */
		goto out;
	}
	count = min(count, buffer.size - start);
	if (copy_to_user(buf, buffer.bytes + start, count)) {
		ret = -EFAULT;
		goto out;
	}
	*pos += count;
	ret = count;
out:
	mutex_unlock(&buffer.lock);
	return ret;
}

static ssize_t c_chardev_write(struct file *file, const char __user *buf, size_t count,
			       loff_t *pos)
{
	size_t start, copied;
	ssize_t ret;

	/* Like a regular file: writing nothing changes nothing, anywhere. */
	if (!count)
		return 0;
	mutex_lock(&buffer.lock);
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
	/*
	 * A buffer that turns bad partway gives a short write of the bytes
	 * before the bad one, a bad start EFAULT; bytes not copied are left as
	 * they were (copy_from_user() would zero them): the Rust example's
	 * read_slice_partial(), helpers/uaccess.c.
	 */
	if (!access_ok(buf, count)) {
		ret = -EFAULT;
		goto out;
	}
	barrier_nospec();
	copied = count - __copy_from_user(buffer.bytes + start, buf, count);
	if (!copied) {
		ret = -EFAULT;
		goto out;
	}
	if (start > buffer.size)
		memset(buffer.bytes + buffer.size, 0, start - buffer.size);
	buffer.size = max(buffer.size, start + copied);
	*pos += copied;
	ret = copied;
out:
	mutex_unlock(&buffer.lock);
	return ret;
}

static loff_t c_chardev_llseek(struct file *file, loff_t offset, int whence)
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

static const struct file_operations c_chardev_fops = {
	.owner = THIS_MODULE,
	.read = c_chardev_read,
	.write = c_chardev_write,
	.llseek = c_chardev_llseek,
};

static struct miscdevice c_chardev_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "c_chardev",
	.mode = 0666,
	.fops = &c_chardev_fops,
};

static int __init c_chardev_init(void)
{
	int ret;

	mutex_init(&buffer.lock);
	buffer.bytes = kzalloc(CAPACITY, GFP_KERNEL);
	if (!buffer.bytes)
		return -ENOMEM;
	ret = misc_register(&c_chardev_misc);
	if (ret) {
		kfree(buffer.bytes);
		return ret;
	}
	pr_info("/dev/c_chardev is ready (%d bytes)\n", CAPACITY);
	return 0;
}

static void __exit c_chardev_exit(void)
{
	size_t size;

	mutex_lock(&buffer.lock);
	size = buffer.size;
	mutex_unlock(&buffer.lock);
	pr_info("removing /dev/c_chardev, which holds %zu bytes\n", size);
	misc_deregister(&c_chardev_misc);
	kfree(buffer.bytes);
}

module_init(c_chardev_init);
module_exit(c_chardev_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The rust-kmod template authors");
MODULE_DESCRIPTION("A character device holding a 4096-byte buffer, in C: the baseline of rust_chardev");
