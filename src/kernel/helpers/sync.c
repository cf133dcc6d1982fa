// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/sync.c - the C half of src/kernel/sync.rs: the kernel's mutex and
 * spinlock, for Rust's Mutex<T> and SpinLock<T>.
 *
 * struct mutex and spinlock_t change size with the kernel's configuration
 * (lockdep, debugging options, PREEMPT_RT), so C allocates them and Rust only
 * holds the pointer. mutex_init() and spin_lock_init() are macros that give
 * every lock initialised at one place in the source one lockdep class: all
 * Rust mutexes share the class of the mutex_init() below, and all Rust
 * spinlocks that of the spin_lock_init() (sync.rs explains what follows).
 */
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

struct mutex *rust_helper_sync_mutex_new(void);
void rust_helper_sync_mutex_free(struct mutex *lock);
void rust_helper_sync_mutex_lock(struct mutex *lock);
int rust_helper_sync_mutex_lock_interruptible(struct mutex *lock);
void rust_helper_sync_mutex_unlock(struct mutex *lock);
spinlock_t *rust_helper_sync_spinlock_new(void);
void rust_helper_sync_spinlock_free(spinlock_t *lock);
unsigned long rust_helper_sync_spinlock_lock_irqsave(spinlock_t *lock);
void rust_helper_sync_spinlock_unlock_irqrestore(spinlock_t *lock, unsigned long flags);

/* --- Mutex: a sleeping lock ------------------------------------------------------ */

/* A new, unlocked mutex, or NULL if out of memory. */
struct mutex *rust_helper_sync_mutex_new(void)
{
	struct mutex *lock = kmalloc(sizeof(*lock), GFP_KERNEL);

	if (lock)
		mutex_init(lock);
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

/* A new, unlocked spinlock, or NULL if out of memory. */
spinlock_t *rust_helper_sync_spinlock_new(void)
{
	spinlock_t *lock = kmalloc(sizeof(*lock), GFP_KERNEL);

	if (lock)
		spin_lock_init(lock);
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
