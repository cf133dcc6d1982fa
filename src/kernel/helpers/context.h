/* SPDX-License-Identifier: GPL-2.0 */
/*
 * helpers/context.h - whether the caller must not sleep, the test of
 * src/kernel/context.rs: module.c's rust_helper_in_atomic_context() makes it
 * for Rust, and the helpers of the commonest sleeping calls (a mutex's lock,
 * the user copies) make it themselves before they sleep, which saves Rust a
 * call of its own on every one of them.
 *
 * The kernel makes this test before every sleep only when built with
 * CONFIG_DEBUG_ATOMIC_SLEEP (__might_resched() in kernel/sched/core.c), which
 * distribution kernels are not; Rust makes it on every kernel, before every
 * operation that may sleep, and fails the operation instead of sleeping.
 *
 *   in_atomic()          the preempt count: hard and soft interrupt context
 *                        always; spinlocks and preempt_disable() only with
 *                        CONFIG_PREEMPT_COUNT (Debian 6.1, 6.12; not 5.10)
 *   in_interrupt()       softirq context on PREEMPT_RT, where it is counted
 *                        per task, outside the preempt count
 *   irqs_disabled()      spin_lock_irqsave(), so a Rust SpinLock guard on any
 *                        kernel but PREEMPT_RT (5.10 included)
 *   rcu_preempt_depth()  rcu_read_lock() with preemptible RCU, and on
 *                        PREEMPT_RT every spinlock_t held (rt_spin_lock()
 *                        enters an RCU read-side section)
 *   is_idle_task()       the idle task, which must never sleep
 */
#ifndef RUST_KMOD_CONTEXT_H
#define RUST_KMOD_CONTEXT_H

#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

static inline bool rust_in_atomic_context(void)
{
	return in_atomic() || in_interrupt() || irqs_disabled() || rcu_preempt_depth() ||
	       is_idle_task(current);
}

#endif
