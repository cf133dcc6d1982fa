// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/workqueue.c - the C half of src/kernel/workqueue.rs: work items
 * (struct work_struct) whose function is Rust, and workqueues of a module's
 * own.
 *
 * C owns the work item: struct rust_work below is allocated here and holds
 * the work_struct, the Rust function (a monomorphised trampoline) and its
 * data pointer. The function runs in a kworker thread, process context, so
 * it may sleep.
 *
 * Freeing a work item cancels it first with cancel_work_sync(): a queued
 * run is dropped, a running one is waited for, and a run that queues the
 * item again is not re-run. Afterwards the item is idle and nothing
 * references it.
 *
 * A workqueue of the module's own (alloc_workqueue()) can be flushed, which
 * waits for everything queued on it so far; destroy_workqueue() drains it
 * (runs what is queued, including work queued by that work) and frees it.
 */

#include <linux/slab.h>
#include <linux/version.h>
#include <linux/workqueue.h>

/* The Rust work function. */
typedef void (*rust_work_fn_t)(const void *data);

struct rust_work {
	struct work_struct work;
	rust_work_fn_t fn;
	const void *data;
};

struct rust_work *rust_helper_workqueue_work_create(rust_work_fn_t fn, const void *data);
bool rust_helper_workqueue_work_queue(struct rust_work *w, struct workqueue_struct *wq);
void rust_helper_workqueue_work_free(struct rust_work *w);
struct workqueue_struct *rust_helper_workqueue_create(const char *name);
void rust_helper_workqueue_flush(struct workqueue_struct *wq);
void rust_helper_workqueue_destroy(struct workqueue_struct *wq);

/* Runs in a kworker: process context. */
static void rust_work_func(struct work_struct *work)
{
	struct rust_work *w = container_of(work, struct rust_work, work);

	w->fn(w->data);
}

/* A new idle work item that calls @fn(@data); NULL when out of memory. */
struct rust_work *rust_helper_workqueue_work_create(rust_work_fn_t fn, const void *data)
{
	struct rust_work *w = kzalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return NULL;
	w->fn = fn;
	w->data = data;
	INIT_WORK(&w->work, rust_work_func);
	return w;
}

/*
 * Queues the item on @wq, or on the system workqueue (schedule_work()) when
 * @wq is NULL. False if it was queued already and has not started running:
 * then it runs once for both requests. Any context.
 */
bool rust_helper_workqueue_work_queue(struct rust_work *w, struct workqueue_struct *wq)
{
	if (!wq)
		return schedule_work(&w->work);
	return queue_work(wq, &w->work);
}

/* Cancels the item, waiting for a run in progress, and frees it. */
void rust_helper_workqueue_work_free(struct rust_work *w)
{
	cancel_work_sync(&w->work);
	kfree(w);
}

/*
 * Per-CPU (bound) workqueues were the default of flags 0 until 6.17 added
 * WQ_PERCPU, to be said explicitly; newer kernels warn about a workqueue
 * that says neither WQ_PERCPU nor WQ_UNBOUND ("workqueue: <name> is using
 * neither WQ_PERCPU or WQ_UNBOUND", a WARNING and taint W, seen on sid's
 * 7.2). WQ_PERCPU is an enum value, which #ifdef cannot see: a version check.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
#define RUST_WQ_FLAGS WQ_PERCPU
#else
#define RUST_WQ_FLAGS 0
#endif

/*
 * A new workqueue, named @name (shown by the kworkers that run its work);
 * NULL when out of memory. The name is copied. Per-CPU: work runs on the
 * CPU that queued it, as with flags 0 before 6.17.
 */
struct workqueue_struct *rust_helper_workqueue_create(const char *name)
{
	return alloc_workqueue("%s", RUST_WQ_FLAGS, 0, name);
}

/* Waits until every work item queued on @wq before the call has run. */
void rust_helper_workqueue_flush(struct workqueue_struct *wq)
{
	flush_workqueue(wq);
}

/* Runs what is still queued on @wq, then frees it. */
void rust_helper_workqueue_destroy(struct workqueue_struct *wq)
{
	destroy_workqueue(wq);
}
