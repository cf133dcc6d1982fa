// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/miscdev.c - the C half of src/kernel/miscdev.rs: a misc character
 * device, /dev/<name>, whose file operations are implemented in Rust.
 *
 * C allocates and owns the kernel structures: one struct rust_miscdev holds
 * the struct miscdevice, its struct file_operations and a reference count.
 * Each file operation here finds the rust_miscdev from the open file and calls
 * Rust through the function table (struct rust_miscdev_ops) Rust passed at
 * registration, with the Rust data pointer as first argument.
 *
 * Lifetimes: the registration holds one reference and every open file holds
 * one more. Deregistering removes /dev/<name> and drops the registration's
 * reference; the last reference (maybe the last close of a file that was open
 * at the time) frees the structure and tells Rust to drop its data. Nothing a
 * file operation uses can go away while a file is open. And since
 * fops.owner is THIS_MODULE, the module cannot be unloaded while a file is
 * open either (rmmod fails).
 */
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>

/*
 * Implemented in Rust (src/kernel/miscdev.rs, struct Ops, same field order).
 * Each returns 0 or a count on success and a negative errno on failure.
 */
struct rust_miscdev_ops {
	int (*open)(const void *data);
	void (*release)(const void *data);
	ssize_t (*read)(const void *data, char __user *buf, size_t count, loff_t *pos);
	ssize_t (*write)(const void *data, const char __user *buf, size_t count, loff_t *pos);
	loff_t (*llseek)(const void *data, loff_t pos, loff_t offset, int whence);
	long (*ioctl)(const void *data, unsigned int cmd, unsigned long arg);
	void (*free_data)(void *data);
};

struct rust_miscdev {
	struct miscdevice misc;
	struct file_operations fops;
	struct kref refs;
	const struct rust_miscdev_ops *ops;
	void *data;
};

int rust_helper_miscdev_register(const char *name, umode_t mode,
				 const struct rust_miscdev_ops *ops, void *data,
				 struct rust_miscdev **out);
void rust_helper_miscdev_deregister(struct rust_miscdev *dev);

/* misc_open() set file->private_data to our struct miscdevice. */
static struct rust_miscdev *file_dev(struct file *file)
{
	return container_of((struct miscdevice *)file->private_data, struct rust_miscdev, misc);
}

static void rust_miscdev_free(struct kref *refs)
{
	struct rust_miscdev *dev = container_of(refs, struct rust_miscdev, refs);

	dev->ops->free_data(dev->data);
	kfree(dev);
}

/*
 * misc_open() calls this under misc_mtx, the mutex misc_deregister() takes:
 * the device cannot be deregistered (and lose its reference) meanwhile.
 */
static int rust_miscdev_open(struct inode *inode, struct file *file)
{
	struct rust_miscdev *dev = file_dev(file);
	int ret;

	kref_get(&dev->refs);
	ret = dev->ops->open(dev->data);
	if (ret)
		kref_put(&dev->refs, rust_miscdev_free);
	return ret;
}

static int rust_miscdev_release(struct inode *inode, struct file *file)
{
	struct rust_miscdev *dev = file_dev(file);

	dev->ops->release(dev->data);
	kref_put(&dev->refs, rust_miscdev_free);
	return 0;
}

static ssize_t rust_miscdev_read(struct file *file, char __user *buf, size_t count, loff_t *pos)
{
	struct rust_miscdev *dev = file_dev(file);

	return dev->ops->read(dev->data, buf, count, pos);
}

static ssize_t rust_miscdev_write(struct file *file, const char __user *buf, size_t count,
				  loff_t *pos)
{
	struct rust_miscdev *dev = file_dev(file);

	return dev->ops->write(dev->data, buf, count, pos);
}

/* Rust computes the new position; the file's position is C's to set. */
static loff_t rust_miscdev_llseek(struct file *file, loff_t offset, int whence)
{
	struct rust_miscdev *dev = file_dev(file);
	loff_t pos = dev->ops->llseek(dev->data, file->f_pos, offset, whence);

	if (pos >= 0)
		file->f_pos = pos;
	return pos;
}

static long rust_miscdev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct rust_miscdev *dev = file_dev(file);

	return dev->ops->ioctl(dev->data, cmd, arg);
}

/*
 * Registers /dev/<name> (a dynamic minor; the node's permissions are @mode).
 * @name must stay valid until rust_helper_miscdev_deregister(). On success
 * *out is the device and C owns @data: it calls ops->free_data(data) when the
 * last reference goes. On failure nothing is kept and @data is still the
 * caller's.
 */
int rust_helper_miscdev_register(const char *name, umode_t mode,
				 const struct rust_miscdev_ops *ops, void *data,
				 struct rust_miscdev **out)
{
	struct rust_miscdev *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;

	dev->fops.owner = THIS_MODULE;
	dev->fops.open = rust_miscdev_open;
	dev->fops.release = rust_miscdev_release;
	dev->fops.read = rust_miscdev_read;
	dev->fops.write = rust_miscdev_write;
	dev->fops.llseek = rust_miscdev_llseek;
	dev->fops.unlocked_ioctl = rust_miscdev_ioctl;
	/* 32-bit processes: the same handler, with the argument widened. */
	dev->fops.compat_ioctl = compat_ptr_ioctl;

	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.name = name;
	dev->misc.mode = mode;
	dev->misc.fops = &dev->fops;

	kref_init(&dev->refs);
	dev->ops = ops;
	dev->data = data;

	ret = misc_register(&dev->misc);
	if (ret) {
		kfree(dev);
		return ret;
	}
	*out = dev;
	return 0;
}

/*
 * Removes /dev/<name>: no new open can start once this returns. Files that
 * are still open keep working until they are closed.
 */
void rust_helper_miscdev_deregister(struct rust_miscdev *dev)
{
	misc_deregister(&dev->misc);
	kref_put(&dev->refs, rust_miscdev_free);
}
