// SPDX-License-Identifier: GPL-2.0
/*
 * helpers/irq.c - the C half of src/kernel/irq.rs: an interrupt handler in
 * two halves, both Rust: the hard-IRQ handler, which runs with interrupts
 * off and must not sleep, and the threaded handler, which runs in a kernel
 * thread (irq/<n>-<name>) when the hard one returns IRQ_WAKE_THREAD, and may.
 *
 * request_threaded_irq() keeps dev_id, a struct rust_irq allocated here
 * with Rust's function table and data pointer. free_irq() waits until no
 * handler of this registration runs any more (the hard one on any CPU, and
 * the thread), so after rust_helper_irq_free() Rust may drop the data.
 *
 * A shared line (INTx) needs IRQF_SHARED, and a hard handler that says
 * IRQ_NONE when its device did not interrupt; MSI vectors are never shared.
 * No IRQF_ONESHOT: the hard handler silences the device itself (it
 * acknowledges the interrupt), so the line need not stay masked while the
 * thread runs.
 */
#include <linux/interrupt.h>
#include <linux/slab.h>

/* Implemented in Rust (src/kernel/irq.rs, struct Ops): 0 IRQ_NONE, 1 IRQ_HANDLED, 2 IRQ_WAKE_THREAD. */
struct rust_irq_ops {
	int (*hard)(const void *data, int irq);
	int (*thread)(const void *data, int irq);
};

struct rust_irq {
	const struct rust_irq_ops *ops;
	const void *data;
};

int rust_helper_irq_request(unsigned int irq, const char *name, bool shared,
			    const struct rust_irq_ops *ops, const void *data, struct rust_irq **out);
void rust_helper_irq_free(unsigned int irq, struct rust_irq *r);

static irqreturn_t rust_irqreturn(int ret)
{
	switch (ret) {
	case 1:
		return IRQ_HANDLED;
	case 2:
		return IRQ_WAKE_THREAD;
	default:
		return IRQ_NONE;
	}
}

static irqreturn_t rust_irq_hard(int irq, void *dev_id)
{
	struct rust_irq *r = dev_id;

	return rust_irqreturn(r->ops->hard(r->data, irq));
}

static irqreturn_t rust_irq_thread(int irq, void *dev_id)
{
	struct rust_irq *r = dev_id;

	return rust_irqreturn(r->ops->thread(r->data, irq));
}

/*
 * request_threaded_irq(@irq, hard, thread, @shared ? IRQF_SHARED : 0, @name, r).
 * @name shows in /proc/interrupts and must live until rust_helper_irq_free().
 * On success *out is the registration; on failure nothing is kept.
 */
int rust_helper_irq_request(unsigned int irq, const char *name, bool shared,
			    const struct rust_irq_ops *ops, const void *data, struct rust_irq **out)
{
	struct rust_irq *r;
	int ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->ops = ops;
	r->data = data;
	ret = request_threaded_irq(irq, rust_irq_hard, rust_irq_thread,
				   shared ? IRQF_SHARED : 0, name, r);
	if (ret) {
		kfree(r);
		return ret;
	}
	*out = r;
	return 0;
}

/* free_irq(): returns once no handler of @r runs, and none will. */
void rust_helper_irq_free(unsigned int irq, struct rust_irq *r)
{
	free_irq(irq, r);
	kfree(r);
}
