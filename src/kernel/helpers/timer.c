// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/timer.c - the C half of src/kernel/timer.rs: a kernel timer
 * (struct timer_list) whose callback is Rust.
 *
 * C owns the timer: struct rust_timer below is allocated here and holds the
 * timer_list, the Rust callback (a monomorphised trampoline) and its data
 * pointer. The callback runs in softirq context. It returns the delay in
 * milliseconds after which to fire again, or a negative value to stay idle.
 *
 * Teardown must be final: once rust_helper_timer_shutdown() returns, the
 * timer must never be queued again (the module's code and the data may be
 * gone next). Two kinds of re-arm can race with it:
 *
 *   - the callback's own: it returns a delay while shutdown waits for it.
 *     del_timer_sync() copes with that one: it loops until the callback
 *     has returned and then deletes the expiry the callback queued (a
 *     running timer cannot change its base, so the loop finds it).
 *   - an arm from another context (Rust's Timer::arm() through a shared
 *     reference, e.g. a work item that re-arms the timer while Timer::stop()
 *     runs): it can come after del_timer_sync() has returned, and then the
 *     timer is live again. Nothing in del_timer_sync() prevents that.
 *
 * So every arm goes through rust_timer_arm(), which checks a "stopping" flag
 * under a spinlock, and shutdown sets the flag under that lock before it
 * deletes. An arm that saw the flag clear has finished its mod_timer() when
 * the lock is released, so the delete that follows removes it; every later
 * arm sees the flag and does nothing.
 *
 * From 6.2 on, timer_shutdown_sync() does this inside the timer core (it
 * deletes the timer and makes every later mod_timer() a silent no-op), and
 * the flag is merely redundant there. Upstream 6.1.0 has neither that nor
 * the timer_delete_sync() name, only del_timer_sync(); later 6.1.y updates
 * (Debian's among them) backported both, which a version check cannot see.
 * So every 6.1 build uses del_timer_sync(), and there the flag is what makes
 * teardown final.
 *
 * The callback finds its struct rust_timer with container_of(), which is
 * what from_timer() (renamed timer_container_of() in 6.16) expands to.
 */

#include <linux/jiffies.h>
#include <linux/kernel.h>	/* container_of(), min_t(), UINT_MAX: in all versions */
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/version.h>

/* The Rust callback: the delay in ms until the next run, or < 0 for none. */
typedef long (*rust_timer_fn_t)(const void *data);

struct rust_timer {
	struct timer_list timer;
	/* Orders every arm against shutdown; protects stopping. */
	spinlock_t lock;
	bool stopping;
	rust_timer_fn_t fn;
	const void *data;
};

struct rust_timer *rust_helper_timer_create(rust_timer_fn_t fn, const void *data);
int rust_helper_timer_arm(struct rust_timer *t, unsigned int msecs);
void rust_helper_timer_shutdown(struct rust_timer *t);
void rust_helper_timer_free(struct rust_timer *t);

/*
 * (Re)arms the timer to fire @msecs from now unless it is being shut down.
 * Returns 1 if it was pending (mod_timer() moved it), 0 otherwise. Any
 * context: the lock is taken with interrupts off.
 */
static int rust_timer_arm(struct rust_timer *t, unsigned int msecs)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&t->lock, flags);
	if (!t->stopping)
		ret = mod_timer(&t->timer, jiffies + msecs_to_jiffies(msecs));
	spin_unlock_irqrestore(&t->lock, flags);
	return ret;
}

/* Softirq context: calls Rust, then re-arms if Rust asked for it. */
static void rust_timer_callback(struct timer_list *timer)
{
	struct rust_timer *t = container_of(timer, struct rust_timer, timer);
	long msecs = t->fn(t->data);

	if (msecs >= 0)
		rust_timer_arm(t, min_t(unsigned long, msecs, UINT_MAX));
}

/* A new, idle timer that calls @fn(@data); NULL when out of memory. */
struct rust_timer *rust_helper_timer_create(rust_timer_fn_t fn, const void *data)
{
	struct rust_timer *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	spin_lock_init(&t->lock);
	t->fn = fn;
	t->data = data;
	timer_setup(&t->timer, rust_timer_callback, 0);
	return t;
}

int rust_helper_timer_arm(struct rust_timer *t, unsigned int msecs)
{
	return rust_timer_arm(t, msecs);
}

/*
 * Stops the timer for good: no arm queues it any more, a pending expiry is
 * deleted, and a running callback has returned when this returns. May be
 * called more than once. Process context (it waits for the callback).
 */
void rust_helper_timer_shutdown(struct rust_timer *t)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	t->stopping = true;
	spin_unlock_irqrestore(&t->lock, flags);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	timer_shutdown_sync(&t->timer);
#else
	del_timer_sync(&t->timer);
#endif
}

/* Shuts the timer down and frees it. */
void rust_helper_timer_free(struct rust_timer *t)
{
	rust_helper_timer_shutdown(t);
	kfree(t);
}
