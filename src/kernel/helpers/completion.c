// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/completion.c - the C half of src/kernel/completion.rs: completions
 * (struct completion) and wait queues (wait_queue_head_t) for Rust.
 *
 * C allocates and owns both; Rust holds opaque pointers. A completion
 * counts complete() calls and each wait consumes one, so a complete() that
 * comes before the wait is not lost. A wait queue has no memory of its own:
 * a waiter sleeps until a condition holds, and whoever makes it hold calls
 * wake_up().
 *
 * wait_event_interruptible_timeout() is a macro that evaluates its condition
 * expression in a loop, around the task-state changes that make the sleep
 * race-free. The condition here is a call through a function pointer into
 * Rust (a monomorphised trampoline for a closure, and the closure's address),
 * so the macro evaluates the Rust closure at exactly the points it would
 * evaluate a C expression: first with the task already marked as sleeping
 * (it must not sleep itself), then after every wake-up.
 */

#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>

/* A Rust wait condition: true when the wait is over. */
typedef bool (*rust_wait_cond_t)(void *ctx);

struct completion *rust_helper_completion_create(void);
void rust_helper_completion_free(struct completion *c);
void rust_helper_completion_complete(struct completion *c);
void rust_helper_completion_complete_all(struct completion *c);
void rust_helper_completion_reinit(struct completion *c);
bool rust_helper_completion_done(struct completion *c);
long rust_helper_completion_wait_timeout(struct completion *c, unsigned int msecs);
long rust_helper_completion_wait_interruptible_timeout(struct completion *c,
						       unsigned int msecs);
wait_queue_head_t *rust_helper_completion_waitq_create(void);
void rust_helper_completion_waitq_free(wait_queue_head_t *wq);
void rust_helper_completion_waitq_wake_up(wait_queue_head_t *wq);
void rust_helper_completion_waitq_wake_up_all(wait_queue_head_t *wq);
long rust_helper_completion_waitq_wait_interruptible_timeout(wait_queue_head_t *wq,
							      rust_wait_cond_t cond,
							      void *ctx,
							      unsigned int msecs);

/* --- Completions ---------------------------------------------------------------- */

/* A new completion, not completed; NULL when out of memory. */
struct completion *rust_helper_completion_create(void)
{
	struct completion *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (c)
		init_completion(c);
	return c;
}

void rust_helper_completion_free(struct completion *c)
{
	kfree(c);
}

/* Wakes one waiter, or lets the next wait return at once. Any context. */
void rust_helper_completion_complete(struct completion *c)
{
	complete(c);
}

/* Wakes every waiter, now and later, until reinit. Any context. */
void rust_helper_completion_complete_all(struct completion *c)
{
	complete_all(c);
}

/* Back to not completed; only with no waiter and no complete() running. */
void rust_helper_completion_reinit(struct completion *c)
{
	reinit_completion(c);
}

/* Would a wait return at once? (It does not consume a completion.) */
bool rust_helper_completion_done(struct completion *c)
{
	return completion_done(c);
}

/* Uninterruptible wait: 0 on timeout, > 0 when completed. */
long rust_helper_completion_wait_timeout(struct completion *c, unsigned int msecs)
{
	return wait_for_completion_timeout(c, msecs_to_jiffies(msecs));
}

/* Interruptible wait: 0 on timeout, > 0 when completed, -ERESTARTSYS on a signal. */
long rust_helper_completion_wait_interruptible_timeout(struct completion *c,
						       unsigned int msecs)
{
	return wait_for_completion_interruptible_timeout(c, msecs_to_jiffies(msecs));
}

/* --- Wait queues ---------------------------------------------------------------- */

/* A new, empty wait queue; NULL when out of memory. */
wait_queue_head_t *rust_helper_completion_waitq_create(void)
{
	wait_queue_head_t *wq = kzalloc(sizeof(*wq), GFP_KERNEL);

	if (wq)
		init_waitqueue_head(wq);
	return wq;
}

void rust_helper_completion_waitq_free(wait_queue_head_t *wq)
{
	kfree(wq);
}

/* Wakes the waiters so that they check their conditions. Any context. */
void rust_helper_completion_waitq_wake_up(wait_queue_head_t *wq)
{
	wake_up(wq);
}

void rust_helper_completion_waitq_wake_up_all(wait_queue_head_t *wq)
{
	wake_up_all(wq);
}

/*
 * Sleeps until @cond(@ctx) is true, at most @msecs: 0 on timeout with the
 * condition false, > 0 when it is true, -ERESTARTSYS on a signal.
 */
long rust_helper_completion_waitq_wait_interruptible_timeout(wait_queue_head_t *wq,
							      rust_wait_cond_t cond,
							      void *ctx,
							      unsigned int msecs)
{
	return wait_event_interruptible_timeout(*wq, cond(ctx), msecs_to_jiffies(msecs));
}
