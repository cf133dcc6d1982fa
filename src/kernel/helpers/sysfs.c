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
 *
 * The same files can hang under a device instead (src/kernel/platform.rs's
 * Device::devm_attributes): device_attributes in one group, all three
 * parts device-managed, so the driver core removes the files when the
 * driver unbinds, after its remove(). Devres releases the newest first, so
 * they are acquired in the order that makes that safe: the structures sysfs
 * reads (devm_kzalloc, freed last), the Rust data (a devres action that
 * drops it, after the files are gone), the group (devm_device_add_group,
 * removed first, which waits for every show and store in progress).
 */

#include <linux/device.h>
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
int rust_helper_sysfs_devm_add_group(struct device *dev, const char *const *names,
				     const unsigned short *modes, unsigned int count,
				     rust_sysfs_show_t show, rust_sysfs_store_t store,
				     void *data, void (*drop)(void *));

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

/*
 * Fills in @attr as attribute @i of @group: @names[i], @modes[i]. Returns
 * whether it is writable (a mode with a write bit gets a store operation;
 * without one, kernfs refuses to open the file for writing, even for root:
 * EACCES).
 */
static bool rust_sysfs_init_attr(struct attribute *attr, struct attribute_group *group,
				 unsigned int i, const char *const *names,
				 const unsigned short *modes)
{
	/* Dynamically allocated attributes need a lockdep key. */
	sysfs_attr_init(attr);
	attr->name = names[i];
	attr->mode = modes[i];
	group->attrs[i] = attr;
	return modes[i] & 0222;
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
 * @modes[i] (rust_sysfs_init_attr). The names must stay valid until remove (Rust passes 'static strings).
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

		kattr->show = rust_sysfs_show;
		if (rust_sysfs_init_attr(&kattr->attr, &dir->group, i, names, modes))
			kattr->store = rust_sysfs_store;
		dir->attrs[i].index = i;
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

/* A device's attributes: the same callbacks, behind device_attributes. */
struct rust_sysfs_dev_attr {
	struct device_attribute dattr;
	unsigned int index;
	struct rust_sysfs_dev_group *owner;
};

struct rust_sysfs_dev_group {
	rust_sysfs_show_t show;
	rust_sysfs_store_t store;
	const void *data;
	struct attribute_group group;
	struct rust_sysfs_dev_attr attrs[];
};

static ssize_t rust_sysfs_dev_show(struct device *dev, struct device_attribute *dattr, char *buf)
{
	struct rust_sysfs_dev_attr *attr = container_of(dattr, struct rust_sysfs_dev_attr, dattr);

	return attr->owner->show(attr->owner->data, attr->index, buf, PAGE_SIZE - 1);
}

static ssize_t rust_sysfs_dev_store(struct device *dev, struct device_attribute *dattr,
				    const char *buf, size_t count)
{
	struct rust_sysfs_dev_attr *attr = container_of(dattr, struct rust_sysfs_dev_attr, dattr);
	int ret = attr->owner->store(attr->owner->data, attr->index, buf, count);

	return ret < 0 ? ret : count;
}

/*
 * Adds @count files to @dev's directory, device-managed (see the top of
 * this file for the order). @data is the Rust value behind them; from this
 * call on it belongs to the device: @drop(@data) runs when the driver
 * unbinds, after the files are removed, or at once if this fails before it
 * is registered. Call only from probe or remove, on a device the module's
 * driver is bound to. 0, -ENOMEM, or devm_device_add_group()'s error (then
 * the data is dropped when the failed probe releases the device's devres).
 * May sleep.
 */
int rust_helper_sysfs_devm_add_group(struct device *dev, const char *const *names,
				     const unsigned short *modes, unsigned int count,
				     rust_sysfs_show_t show, rust_sysfs_store_t store,
				     void *data, void (*drop)(void *))
{
	struct rust_sysfs_dev_group *grp;
	struct attribute **ptrs;
	unsigned int i;
	int ret;

	grp = devm_kzalloc(dev, struct_size(grp, attrs, count), GFP_KERNEL);
	ptrs = devm_kcalloc(dev, count + 1, sizeof(*ptrs), GFP_KERNEL);
	if (!grp || !ptrs) {
		drop(data);
		return -ENOMEM;
	}
	grp->show = show;
	grp->store = store;
	grp->data = data;
	grp->group.attrs = ptrs;
	for (i = 0; i < count; i++) {
		struct device_attribute *dattr = &grp->attrs[i].dattr;

		dattr->show = rust_sysfs_dev_show;
		if (rust_sysfs_init_attr(&dattr->attr, &grp->group, i, names, modes))
			dattr->store = rust_sysfs_dev_store;
		grp->attrs[i].index = i;
		grp->attrs[i].owner = grp;
	}
	ret = devm_add_action_or_reset(dev, drop, data);
	if (ret)
		return ret;
	return devm_device_add_group(dev, &grp->group);
}
