// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/miscdev.c - the C half of src/kernel/miscdev.rs: a misc character
 * device, /dev/<name>, whose file operations are implemented in Rust.
 *
 * C allocates and owns the kernel structures: one struct rust_miscdev holds
 * the struct miscdevice, its struct file_operations and a reference count.
 * Each file operation here finds the rust_miscdev from the open file and calls
 * Rust through the function table (struct rust_miscdev_ops) Rust passed at
 * registration, with the Rust data pointer as first argument, then the
 * struct file and the file's own Rust state.
 *
 * The open file: misc_open() points file->private_data at our struct
 * miscdevice and file->f_op at our file_operations before it calls our open.
 * From then on the device is found from file->f_op (container_of), which
 * leaves file->private_data free for the per-open state that Rust's open
 * returns; release hands it back to Rust to drop. The file's flags are read
 * at every call (fcntl(F_SETFL) may change O_NONBLOCK and O_APPEND while
 * the file is open), with READ_ONCE as fcntl writes them under f_lock only.
 *
 * poll: fops.poll is set only if the Rust type implements poll (its
 * table entry is not NULL). A file without it is "always ready" to poll(2)
 * and select(2) and refused by epoll_ctl(EPOLL_CTL_ADD) with EPERM, as for a
 * C driver that leaves poll out; with a poll that said "always ready" epoll
 * would accept it and report it ready for ever.
 *
 * Wait queues given to poll_wait() must outlive the registration it makes:
 * poll(2) and select(2) remove theirs before returning, but epoll keeps its
 * entry until EPOLL_CTL_DEL or until the file's last fput, where
 * eventpoll_release() runs before ->release. Both the device's state (freed
 * with the last reference below, after the last release) and the per-open
 * state (dropped in release) therefore outlive every epoll entry made on
 * their wait queues.
 *
 * Lifetimes: the registration holds one reference and every open file holds
 * one more. Deregistering removes /dev/<name> and drops the registration's
 * reference; the last reference (maybe the last close of a file that was open
 * at the time) tells Rust to drop its data and frees the structure. Nothing a
 * file operation uses can go away while a file is open. And since
 * fops.owner is THIS_MODULE, the module cannot be unloaded while a file is
 * open either (rmmod fails).
 *
 * One exception to "frees the structure": when the last reference goes in
 * release (a file that stayed open after the device was deregistered, e.g. a
 * PCI driver unbound while its device file was open), the structure holds the
 * file's f_op, and __fput() reads f_op->owner after ->release returns, to
 * drop the module reference the open took (fops_put()). Freeing it there
 * would be a use after free (make stress's slub_debug boot caught one). So
 * such a structure is only retired: kept on a list until the module is
 * unloaded (rust_helper_miscdev_exit(), from module.c), which cannot happen
 * before fops_put() has read the owner and dropped that very reference.
 */
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/llist.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>

/*
 * miscdev.rs spells out these open(2) flags and poll bits (the user-space
 * ABI of x86-64); the build fails if the kernel disagrees.
 */
static_assert(O_ACCMODE == 00000003 && O_RDONLY == 0 && O_WRONLY == 1 && O_RDWR == 2);
static_assert(O_APPEND == 00002000 && O_NONBLOCK == 00004000);
static_assert((__force unsigned int)EPOLLIN == 0x001 && (__force unsigned int)EPOLLPRI == 0x002);
static_assert((__force unsigned int)EPOLLOUT == 0x004 && (__force unsigned int)EPOLLERR == 0x008);
static_assert((__force unsigned int)EPOLLHUP == 0x010 && (__force unsigned int)EPOLLRDNORM == 0x040);
static_assert((__force unsigned int)EPOLLWRNORM == 0x100 && (__force unsigned int)EPOLLRDHUP == 0x2000);

/*
 * Implemented in Rust (src/kernel/miscdev.rs, struct Ops, same field order).
 * Each returns 0 or a count on success and a negative errno on failure.
 */
struct rust_miscdev_ops {
	int (*open)(const void *data, struct file *file, void **open);
	void (*release)(const void *data, struct file *file, void *open);
	ssize_t (*read)(const void *data, struct file *file, void *open, char __user *buf,
			size_t count, loff_t *pos);
	ssize_t (*write)(const void *data, struct file *file, void *open, const char __user *buf,
			 size_t count, loff_t *pos);
	loff_t (*llseek)(const void *data, struct file *file, void *open, loff_t pos,
			 loff_t offset, int whence);
	long (*ioctl)(const void *data, struct file *file, void *open, unsigned int cmd,
		      unsigned long arg);
	/* NULL when the Rust type has no poll. */
	__poll_t (*poll)(const void *data, struct file *file, void *open, poll_table *wait);
	void (*free_data)(void *data);
};

struct rust_miscdev {
	struct miscdevice misc;
	struct file_operations fops;
	struct kref refs;
	const struct rust_miscdev_ops *ops;
	void *data;
	struct llist_node retired;
};

/* Structures whose last reference went in release: freed at module unload. */
static LLIST_HEAD(retired_devs);

void rust_helper_miscdev_exit(void);

int rust_helper_miscdev_register(const char *name, umode_t mode,
				 const struct rust_miscdev_ops *ops, void *data,
				 struct rust_miscdev **out);
void rust_helper_miscdev_deregister(struct rust_miscdev *dev);
unsigned int rust_helper_miscdev_file_flags(struct file *file);
void rust_helper_miscdev_poll_wait(struct file *file, wait_queue_head_t *queue, poll_table *wait);

/* misc_open() made file->f_op our dev->fops. */
static struct rust_miscdev *file_dev(struct file *file)
{
	return container_of(file->f_op, struct rust_miscdev, fops);
}

static void rust_miscdev_free(struct kref *refs)
{
	struct rust_miscdev *dev = container_of(refs, struct rust_miscdev, refs);

	dev->ops->free_data(dev->data);
	kfree(dev);
}

/* The last reference, from release: the file still points at dev->fops. */
static void rust_miscdev_retire(struct kref *refs)
{
	struct rust_miscdev *dev = container_of(refs, struct rust_miscdev, refs);

	dev->ops->free_data(dev->data);
	llist_add(&dev->retired, &retired_devs);
}

/* At module unload (module.c): no file can use a retired structure any more. */
void rust_helper_miscdev_exit(void)
{
	struct rust_miscdev *dev, *next;

	llist_for_each_entry_safe(dev, next, llist_del_all(&retired_devs), retired)
		kfree(dev);
}

/*
 * misc_open() calls this under misc_mtx, the mutex misc_deregister() takes:
 * the device cannot be deregistered (and lose its reference) meanwhile.
 */
static int rust_miscdev_open(struct inode *inode, struct file *file)
{
	struct rust_miscdev *dev = container_of((struct miscdevice *)file->private_data,
						struct rust_miscdev, misc);
	void *open = NULL;
	int ret;

	kref_get(&dev->refs);
	ret = dev->ops->open(dev->data, file, &open);
	if (ret) {
		kref_put(&dev->refs, rust_miscdev_free);
		return ret;
	}
	file->private_data = open;
	return 0;
}

static int rust_miscdev_release(struct inode *inode, struct file *file)
{
	struct rust_miscdev *dev = file_dev(file);

	dev->ops->release(dev->data, file, file->private_data);
	kref_put(&dev->refs, rust_miscdev_retire);
	return 0;
}

static ssize_t rust_miscdev_read(struct file *file, char __user *buf, size_t count, loff_t *pos)
{
	struct rust_miscdev *dev = file_dev(file);

	return dev->ops->read(dev->data, file, file->private_data, buf, count, pos);
}

static ssize_t rust_miscdev_write(struct file *file, const char __user *buf, size_t count,
				  loff_t *pos)
{
	struct rust_miscdev *dev = file_dev(file);

	return dev->ops->write(dev->data, file, file->private_data, buf, count, pos);
}

/* Rust computes the new position; the file's position is C's to set. */
static loff_t rust_miscdev_llseek(struct file *file, loff_t offset, int whence)
{
	struct rust_miscdev *dev = file_dev(file);
	loff_t pos = dev->ops->llseek(dev->data, file, file->private_data, file->f_pos, offset,
				      whence);

	if (pos >= 0)
		file->f_pos = pos;
	return pos;
}

static long rust_miscdev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct rust_miscdev *dev = file_dev(file);

	return dev->ops->ioctl(dev->data, file, file->private_data, cmd, arg);
}

static __poll_t rust_miscdev_poll(struct file *file, poll_table *wait)
{
	struct rust_miscdev *dev = file_dev(file);

	return dev->ops->poll(dev->data, file, file->private_data, wait);
}

/* The open flags, as they are now (O_NONBLOCK and O_APPEND may change). */
unsigned int rust_helper_miscdev_file_flags(struct file *file)
{
	return READ_ONCE(file->f_flags);
}

/*
 * poll_wait(): adds the caller to @queue for poll(2)/select(2)/epoll (a no-op
 * when @wait is NULL or asks for no queue, as on epoll's re-checks).
 */
void rust_helper_miscdev_poll_wait(struct file *file, wait_queue_head_t *queue, poll_table *wait)
{
	poll_wait(file, queue, wait);
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
	if (ops->poll)
		dev->fops.poll = rust_miscdev_poll;
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
