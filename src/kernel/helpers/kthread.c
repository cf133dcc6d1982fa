// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/kthread.c - the C half of src/kernel/kthread.rs: kernel threads
 * that run a Rust function.
 *
 * struct rust_kthread below is allocated here. It holds the thread's
 * task_struct and the Rust entry point (a trampoline and its data) that the
 * thread reads when it starts, so it lives until the thread has been stopped.
 *
 * The thread may return from its function before anyone calls
 * kthread_stop(); it then exits, and without a reference of our own its
 * task_struct could be freed and kthread_stop() would use freed memory. So
 * rust_helper_kthread_run() takes a reference (get_task_struct()) before the
 * thread can run, and rust_helper_kthread_stop() drops it after
 * kthread_stop(), which for a thread that exited already just collects its
 * exit code. (6.6 added kthread_stop_put() for the two together; 6.1 lacks
 * it.)
 *
 * If kthread_stop() comes before the thread ever ran, the kthread core does
 * not call the thread function at all: kthread_stop() then returns -EINTR
 * and the Rust side drops the closure that never ran.
 */

#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

/* The Rust thread body. */
typedef void (*rust_kthread_fn_t)(void *data);

struct rust_kthread {
	struct task_struct *task;
	rust_kthread_fn_t fn;
	void *data;
};

int rust_helper_kthread_run(rust_kthread_fn_t fn, void *data, const char *name,
			    struct rust_kthread **handle);
int rust_helper_kthread_stop(struct rust_kthread *t);
bool rust_helper_kthread_should_stop(void);

static int rust_kthread_main(void *arg)
{
	struct rust_kthread *t = arg;

	t->fn(t->data);
	return 0;
}

/*
 * Starts a kernel thread called @name (at most 15 bytes are kept) that runs
 * @fn(@data). On success stores the handle for rust_helper_kthread_stop() in
 * *@handle and returns 0; otherwise a negative errno, and @fn never runs.
 */
int rust_helper_kthread_run(rust_kthread_fn_t fn, void *data, const char *name,
			    struct rust_kthread **handle)
{
	struct rust_kthread *t;
	struct task_struct *task;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->fn = fn;
	t->data = data;
	task = kthread_create(rust_kthread_main, t, "%s", name);
	if (IS_ERR(task)) {
		kfree(t);
		return PTR_ERR(task);
	}
	/* Created, but not running until woken: the reference comes first. */
	t->task = get_task_struct(task);
	wake_up_process(task);
	*handle = t;
	return 0;
}

/*
 * Makes kthread_should_stop() true for the thread, wakes it, waits until it
 * has exited (at once if it has already), and frees the handle. Returns 0 if
 * the thread function ran, -EINTR if the thread was stopped before it ran.
 */
int rust_helper_kthread_stop(struct rust_kthread *t)
{
	int ret = kthread_stop(t->task);

	put_task_struct(t->task);
	kfree(t);
	return ret;
}

/* kthread_should_stop(): only ever called on a thread started above. */
bool rust_helper_kthread_should_stop(void)
{
	return kthread_should_stop();
}
