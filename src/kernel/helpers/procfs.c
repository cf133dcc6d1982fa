// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/procfs.c - the C half of src/kernel/procfs.rs: read-only /proc files
 * whose content a Rust `show` callback produces on every read, through
 * seq_file's single_open().
 *
 * C owns everything with a kernel layout: the proc_ops (one static table for
 * every file), the proc_dir_entry and, per open file, the seq_file. Rust
 * passes a show trampoline and a data pointer at creation; this file keeps
 * them in a small struct that is the entry's private data.
 *
 * proc_ops has no .owner, so an open /proc file does not pin the module.
 * It does not need to: proc_remove() waits for every call in progress
 * (open, read, lseek) to return, releases the seq_file of every file still
 * open, and from then on the VFS answers reads on those files with EIO
 * without calling into this module.
 */

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/version.h>

/* pde_data() was PDE_DATA() before 5.17. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 17, 0)
#define pde_data PDE_DATA
#endif

/* The show callback Rust registers: 0 or a negative errno. */
typedef int (*rust_procfs_show_t)(struct seq_file *m, const void *data);

int rust_helper_procfs_create(const char *name, rust_procfs_show_t show,
			      const void *data, void **entry);
void rust_helper_procfs_remove(void *entry);
int rust_helper_procfs_write(struct seq_file *m, const void *buf, size_t len);
int rust_helper_procfs_overflowed(struct seq_file *m);

struct rust_procfs_entry {
	struct proc_dir_entry *pde;
	rust_procfs_show_t show;
	const void *data;
};

static int rust_procfs_show(struct seq_file *m, void *v)
{
	const struct rust_procfs_entry *entry = m->private;
	int ret = entry->show(m, entry->data);

	/*
	 * An error while the buffer is already full is most likely the output
	 * not fitting: return 0 so that seq_read_iter() calls show again with
	 * a buffer twice as large. A real error comes back on that retry.
	 */
	if (ret < 0 && seq_has_overflowed(m))
		return 0;
	return ret;
}

static int rust_procfs_open(struct inode *inode, struct file *file)
{
	return single_open(file, rust_procfs_show, pde_data(inode));
}

/* No .proc_write: a write(2) gets EIO from procfs itself. */
static const struct proc_ops rust_procfs_ops = {
	.proc_open	= rust_procfs_open,
	.proc_read_iter	= seq_read_iter,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};

/*
 * Creates /proc/@name (mode 0444). On success stores the handle for
 * rust_helper_procfs_remove() in *@entry and returns 0. @show may be called
 * with @data from the moment the file exists until remove returns.
 */
int rust_helper_procfs_create(const char *name, rust_procfs_show_t show,
			      const void *data, void **entry)
{
	struct rust_procfs_entry *e;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->show = show;
	e->data = data;
	/* NULL means out of memory or a name that exists already. */
	e->pde = proc_create_data(name, 0444, NULL, &rust_procfs_ops, e);
	if (!e->pde) {
		kfree(e);
		return -ENOMEM;
	}
	*entry = e;
	return 0;
}

/* Removes the file; when this returns no show runs or will run again. */
void rust_helper_procfs_remove(void *entry)
{
	struct rust_procfs_entry *e = entry;

	proc_remove(e->pde);
	kfree(e);
}

/* Appends @len bytes; -1 once the buffer is full (seq_file then retries). */
int rust_helper_procfs_write(struct seq_file *m, const void *buf, size_t len)
{
	return seq_write(m, buf, len);
}

/* Has the output run past the end of the buffer? */
int rust_helper_procfs_overflowed(struct seq_file *m)
{
	return seq_has_overflowed(m);
}
