// SPDX-License-Identifier: GPL-2.0
//! rust_printbench: what one `pr_info!` line costs in Rust, measured in the
//! kernel. `bench/c/printbench/c_printbench.c` does the same in C; `make
//! bench` loads the two in turn and compares.
//!
//! At load it runs `loops` rounds, each printing `lines` formatted lines
//! (`value 17 of bench`) and then `lines` lines without arguments, timing
//! each batch with the monotonic clock. Then it logs one line per batch at
//! `KERN_NOTICE`, `result formatted <lines> <ns>` or `result plain <lines>
//! <ns>`, after all the batches, so the ring buffer still holds them.
//! `make bench` keeps these lines off the serial console: what is measured is
//! formatting (`core::fmt` into a buffer on the stack) and storing into the
//! printk ring buffer.

#![no_std]

use kernel::prelude::*;
use kernel::time::Instant;

/// The most rounds one load runs.
const MAX_LOOPS: usize = 32;

/// Not a literal, so `format_args!` cannot fold it into the format string
/// (the C side passes it to `%s` likewise).
static WHAT: &str = "bench";

struct PrintBench;

impl Module for PrintBench {
    fn init() -> Result<Self> {
        let lines = params::lines.get();
        let loops = usize::try_from(params::loops.get()).map_err(|_| EINVAL)?;
        if lines < 1 || !(1..=MAX_LOOPS).contains(&loops) {
            return Err(EINVAL);
        }

        // (formatted, plain) nanoseconds of each round.
        let mut times = [(0u64, 0u64); MAX_LOOPS];
        for (formatted, plain) in times.iter_mut().take(loops) {
            let start = Instant::now();
            for i in 0..lines {
                pr_info!("value {} of {}", i, WHAT);
            }
            *formatted = start.elapsed_ns();

            let start = Instant::now();
            for _ in 0..lines {
                pr_info!("a line without arguments");
            }
            *plain = start.elapsed_ns();
        }

        for (formatted, plain) in &times[..loops] {
            pr_notice!("result formatted {lines} {formatted}");
            pr_notice!("result plain {lines} {plain}");
        }
        Ok(PrintBench)
    }
}

module! {
    type: PrintBench,
    author: "The rust-kmod template authors",
    description: "Times pr_info! lines in Rust, for make bench",
    params: {
        lines: i32 = 200, 0o444, "Lines per timed batch (default 200)",
        loops: i32 = 10, 0o444, "Rounds of batches (1-32, default 10)",
    },
}
