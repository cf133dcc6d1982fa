// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/sync.c - the C half of src/kernel/sync.rs: the kernel's mutex and
 * spinlock, for Rust's Mutex<T> and SpinLock<T>.
 *
 * struct mutex and spinlock_t change size with the kernel's configuration
 * (lockdep, debugging options, PREEMPT_RT), so C allocates them and Rust only
 * holds the pointer. On a kernel with lockdep, each lock then gets the class
 * that Rust passes: the key is an address in the module's static memory that
 * stands for the Rust call site that made the lock (sync.rs explains).
 * mutex_init() and spin_lock_init() alone would give every Rust lock the
 * class of the one line below that initialises it.
 *
 * The condition variable (Rust's CondVar) is a wait_queue_head_t and
 * rust_helper_sync_condvar_wait() below, which sleeps on it with a mutex
 * released. Its comment explains the one race it handles.
 */
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "context.h"

struct mutex *rust_helper_sync_mutex_new(struct lock_class_key *key);
void rust_helper_sync_mutex_free(struct mutex *lock);
int rust_helper_sync_mutex_lock(struct mutex *lock);
int rust_helper_sync_mutex_lock_interruptible(struct mutex *lock);
void rust_helper_sync_mutex_unlock(struct mutex *lock);
spinlock_t *rust_helper_sync_spinlock_new(struct lock_class_key *key);
void rust_helper_sync_spinlock_free(spinlock_t *lock);
unsigned long rust_helper_sync_spinlock_lock_irqsave(spinlock_t *lock);
void rust_helper_sync_spinlock_unlock_irqrestore(spinlock_t *lock, unsigned long flags);
long rust_helper_sync_condvar_wait(wait_queue_head_t *queue, struct mutex *lock,
				   bool interruptible, long timeout);
long rust_helper_sync_condvar_timeout(unsigned int msecs);
void rust_helper_sync_condvar_notify(wait_queue_head_t *queue, bool all);

/* --- Mutex: a sleeping lock ------------------------------------------------------ */

/*
 * A new, unlocked mutex in lockdep class @key, or NULL if out of memory.
 * (Without lockdep, lockdep_set_class_and_name() does nothing.)
 */
struct mutex *rust_helper_sync_mutex_new(struct lock_class_key *key)
{
	struct mutex *lock = kmalloc(sizeof(*lock), GFP_KERNEL);

	if (lock) {
		mutex_init(lock);
		lockdep_set_class_and_name(lock, key, "rust_mutex");
	}
	return lock;
}

/* Frees an unlocked mutex. */
void rust_helper_sync_mutex_free(struct mutex *lock)
{
	mutex_destroy(lock);
	kfree(lock);
}

/*
 * Waits (sleeping, not interruptible) until the mutex is ours: 0. In atomic
 * context (context.h) -EDEADLK, without waiting: Rust reports it.
 */
int rust_helper_sync_mutex_lock(struct mutex *lock)
{
	if (rust_in_atomic_context())
		return -EDEADLK;
	mutex_lock(lock);
	return 0;
}

/* As above, but a signal ends the wait: 0 when locked, -EINTR if not. */
int rust_helper_sync_mutex_lock_interruptible(struct mutex *lock)
{
	if (rust_in_atomic_context())
		return -EDEADLK;
	return mutex_lock_interruptible(lock);
}

void rust_helper_sync_mutex_unlock(struct mutex *lock)
{
	mutex_unlock(lock);
}

/* --- SpinLock: a busy-waiting lock, usable in atomic context ------------------- */

/* A new, unlocked spinlock in lockdep class @key, or NULL if out of memory. */
spinlock_t *rust_helper_sync_spinlock_new(struct lock_class_key *key)
{
	spinlock_t *lock = kmalloc(sizeof(*lock), GFP_KERNEL);

	if (lock) {
		spin_lock_init(lock);
		lockdep_set_class_and_name(lock, key, "rust_spinlock");
	}
	return lock;
}

/* Frees an unlocked spinlock. */
void rust_helper_sync_spinlock_free(spinlock_t *lock)
{
	kfree(lock);
}

/*
 * Disables interrupts on this CPU and takes the lock; returns the interrupt
 * state to restore at unlock. With interrupts off, a timer or interrupt
 * handler on this CPU cannot try to take the lock while we hold it.
 */
unsigned long rust_helper_sync_spinlock_lock_irqsave(spinlock_t *lock)
{
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	return flags;
}

void rust_helper_sync_spinlock_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	spin_unlock_irqrestore(lock, flags);
}

/* --- CondVar: sleep with a mutex released until notified ---------------------- */

/*
 * @msecs as a timeout for rust_helper_sync_condvar_wait(), in jiffies
 * (rounded up); 0 means none (MAX_SCHEDULE_TIMEOUT).
 */
long rust_helper_sync_condvar_timeout(unsigned int msecs)
{
	unsigned long j;

	if (!msecs)
		return MAX_SCHEDULE_TIMEOUT;
	j = msecs_to_jiffies(msecs);
	return j >= MAX_SCHEDULE_TIMEOUT ? MAX_SCHEDULE_TIMEOUT - 1 : (long)j;
}

/*
 * With @lock held by the caller: queue up on @queue, release @lock, sleep
 * until woken, for at most @timeout jiffies (MAX_SCHEDULE_TIMEOUT: no limit),
 * and take @lock again. Returns > 0 when woken by a notification, 0 when
 * the time ran out, -ERESTARTSYS when (@interruptible and) a signal is
 * pending.
 *
 * No notification is lost between the caller's check and the sleep: the
 * task is on the queue, in its sleeping state, before @lock is released, so
 * a notify after the change (made under @lock) finds it, and schedule()
 * does not sleep if the wake-up came first. A pending signal likewise makes
 * schedule() return at once in TASK_INTERRUPTIBLE.
 *
 * The race: the waiter is queued exclusively, so notify_one (wake_up())
 * wakes one waiter only. If the time runs out or a signal comes at the
 * moment a notification picks this waiter, returning "timed out" or
 * -ERESTARTSYS would swallow the notification, and another waiter would
 * sleep on with the condition true. So the waiter checks, under the queue's
 * lock, whether the notification took it off the queue
 * (autoremove_wake_function does, under that lock), and if so reports
 * "woken", whatever else happened; the caller then checks its condition
 * again. The kernel's own exclusive waits (___wait_event) do the same.
 */
long rust_helper_sync_condvar_wait(wait_queue_head_t *queue, struct mutex *lock,
				   bool interruptible, long timeout)
{
	DEFINE_WAIT(wait);
	unsigned long flags;
	bool woken;

	prepare_to_wait_exclusive(queue, &wait,
				  interruptible ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE);
	mutex_unlock(lock);
	timeout = schedule_timeout(timeout);

	/* finish_wait(), noting whether a wake-up took us off the queue. */
	__set_current_state(TASK_RUNNING);
	spin_lock_irqsave(&queue->lock, flags);
	woken = list_empty(&wait.entry);
	list_del_init(&wait.entry);
	spin_unlock_irqrestore(&queue->lock, flags);

	mutex_lock(lock);
	if (woken)
		return timeout > 0 ? timeout : 1;
	if (interruptible && signal_pending(current))
		return -ERESTARTSYS;
	return timeout;
}

/* Wakes one exclusive waiter (@all: every waiter), and every poller. Any context. */
void rust_helper_sync_condvar_notify(wait_queue_head_t *queue, bool all)
{
	if (all)
		wake_up_all(queue);
	else
		wake_up(queue);
}
