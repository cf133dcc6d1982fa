// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/sysfs.c - the C half of src/kernel/sysfs.rs: a directory
 * /sys/kernel/<name>/ of attribute files whose show and store are Rust
 * callbacks.
 *
 * C owns the kernel structures: one allocation holds the kobject, the
 * kobj_attribute of each file and the attribute_group; a second one the
 * NULL-terminated array of struct attribute pointers the group needs. Rust
 * describes the attributes (names, modes) and passes one show and one store
 * trampoline and a data pointer; each call names its attribute by index.
 *
 * The kobject has a kobj_type of its own, so kobject_init_and_add() reports
 * its real error (EEXIST for a name in use) and the release callback frees
 * everything once the last reference goes. Removal (rust_helper_sysfs_remove)
 * deletes the directory first: kernfs waits for every show and store in
 * progress and refuses new ones (ENODEV for files still open), so the Rust
 * data may go as soon as it returns.
 */

#include <linux/err.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/version.h>

/* Rust's callbacks: the length shown or -errno; 0 or -errno. */
typedef ssize_t (*rust_sysfs_show_t)(const void *data, unsigned int index,
				     char *buf, size_t size);
typedef int (*rust_sysfs_store_t)(const void *data, unsigned int index,
				  const char *buf, size_t len);

int rust_helper_sysfs_create(const char *name, const char *const *names,
			     const unsigned short *modes, unsigned int count,
			     rust_sysfs_show_t show, rust_sysfs_store_t store,
			     const void *data, void **dir);
void rust_helper_sysfs_remove(void *dir);

struct rust_sysfs_attr {
	struct kobj_attribute kattr;
	unsigned int index;
};

struct rust_sysfs_dir {
	struct kobject kobj;
	rust_sysfs_show_t show;
	rust_sysfs_store_t store;
	const void *data;
	struct attribute_group group;
	struct rust_sysfs_attr attrs[];
};

static struct rust_sysfs_dir *to_dir(struct kobject *kobj)
{
	return container_of(kobj, struct rust_sysfs_dir, kobj);
}

static ssize_t rust_sysfs_show(struct kobject *kobj, struct kobj_attribute *kattr,
			       char *buf)
{
	struct rust_sysfs_dir *dir = to_dir(kobj);
	struct rust_sysfs_attr *attr = container_of(kattr, struct rust_sysfs_attr, kattr);

	/* sysfs treats a full page as an overflow: at most PAGE_SIZE - 1. */
	return dir->show(dir->data, attr->index, buf, PAGE_SIZE - 1);
}

static ssize_t rust_sysfs_store(struct kobject *kobj, struct kobj_attribute *kattr,
				const char *buf, size_t count)
{
	struct rust_sysfs_dir *dir = to_dir(kobj);
	struct rust_sysfs_attr *attr = container_of(kattr, struct rust_sysfs_attr, kattr);
	int ret = dir->store(dir->data, attr->index, buf, count);

	/* The whole write is consumed, or fails. */
	return ret < 0 ? ret : count;
}

static void rust_sysfs_release(struct kobject *kobj)
{
	struct rust_sysfs_dir *dir = to_dir(kobj);

	kfree(dir->group.attrs);
	kfree(dir);
}

/* kobject_init_and_add() takes a const kobj_type from 6.2 on. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static const struct kobj_type rust_sysfs_ktype = {
#else
static struct kobj_type rust_sysfs_ktype = {
#endif
	.release	= rust_sysfs_release,
	.sysfs_ops	= &kobj_sysfs_ops,
};

/*
 * Creates /sys/kernel/@name/ with @count files: @names[i] with mode
 * @modes[i]. A mode with a write bit gets a store operation; without one,
 * kernfs refuses to open the file for writing, even for root (EACCES).
 * The names must stay valid until remove (Rust passes 'static strings).
 */
int rust_helper_sysfs_create(const char *name, const char *const *names,
			     const unsigned short *modes, unsigned int count,
			     rust_sysfs_show_t show, rust_sysfs_store_t store,
			     const void *data, void **out)
{
	struct rust_sysfs_dir *dir;
	unsigned int i;
	int ret;

	dir = kzalloc(struct_size(dir, attrs, count), GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	dir->group.attrs = kcalloc(count + 1, sizeof(*dir->group.attrs), GFP_KERNEL);
	if (!dir->group.attrs) {
		kfree(dir);
		return -ENOMEM;
	}
	dir->show = show;
	dir->store = store;
	dir->data = data;
	for (i = 0; i < count; i++) {
		struct kobj_attribute *kattr = &dir->attrs[i].kattr;

		/* Dynamically allocated attributes need a lockdep key. */
		sysfs_attr_init(&kattr->attr);
		kattr->attr.name = names[i];
		kattr->attr.mode = modes[i];
		kattr->show = rust_sysfs_show;
		if (modes[i] & 0222)
			kattr->store = rust_sysfs_store;
		dir->attrs[i].index = i;
		dir->group.attrs[i] = &kattr->attr;
	}

	/* From here on the kobject owns dir: kobject_put() frees it. */
	ret = kobject_init_and_add(&dir->kobj, &rust_sysfs_ktype, kernel_kobj, "%s", name);
	if (ret) {
		kobject_put(&dir->kobj);
		return ret;
	}
	ret = sysfs_create_group(&dir->kobj, &dir->group);
	if (ret) {
		kobject_del(&dir->kobj);
		kobject_put(&dir->kobj);
		return ret;
	}
	*out = dir;
	return 0;
}

/* Removes the directory; when this returns no show or store runs. */
void rust_helper_sysfs_remove(void *handle)
{
	struct rust_sysfs_dir *dir = handle;

	/* kobject_del() removes the files and waits for their users. */
	kobject_del(&dir->kobj);
	kobject_put(&dir->kobj);
}
