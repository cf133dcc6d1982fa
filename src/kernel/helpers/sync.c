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
 */
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

struct mutex *rust_helper_sync_mutex_new(struct lock_class_key *key);
void rust_helper_sync_mutex_free(struct mutex *lock);
void rust_helper_sync_mutex_lock(struct mutex *lock);
int rust_helper_sync_mutex_lock_interruptible(struct mutex *lock);
void rust_helper_sync_mutex_unlock(struct mutex *lock);
spinlock_t *rust_helper_sync_spinlock_new(struct lock_class_key *key);
void rust_helper_sync_spinlock_free(spinlock_t *lock);
unsigned long rust_helper_sync_spinlock_lock_irqsave(spinlock_t *lock);
void rust_helper_sync_spinlock_unlock_irqrestore(spinlock_t *lock, unsigned long flags);

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

/* Waits (sleeping, not interruptible) until the mutex is ours. */
void rust_helper_sync_mutex_lock(struct mutex *lock)
{
	mutex_lock(lock);
}

/* As above, but a signal ends the wait: 0 when locked, -EINTR if not. */
int rust_helper_sync_mutex_lock_interruptible(struct mutex *lock)
{
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
