// SPDX-License-Identifier: GPL-2.0
//! rust_hugeframe: a function whose stack frame (24 KB) cannot fit the
//! kernel stack (16 KB on x86_64, `THREAD_SIZE`), for the safety tests
//! (tests/safety/checks.sh): the build must fail, naming it. Loaded, it
//! would run off the stack at once (`traps: PANIC: double fault`).

#![no_std]

use core::hint::black_box;
use kernel::prelude::*;

/// Fills a 24 KB array on the stack and sums it.
#[inline(never)]
fn twenty_four_kb_frame(seed: u8) -> u32 {
    let mut bytes = [0u8; 24 * 1024];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = seed.wrapping_add(i as u8);
    }
    black_box(&mut bytes);
    bytes.iter().map(|&b| b as u32).sum()
}

struct HugeFrame;

impl Module for HugeFrame {
    fn init() -> Result<Self> {
        pr_info!("sum of a 24 KB frame: {}", twenty_four_kb_frame(black_box(1)));
        Ok(HugeFrame)
    }
}

module! {
    type: HugeFrame,
    author: "The rust-kmod template authors",
    description: "A 24 KB stack frame: a build error",
}
