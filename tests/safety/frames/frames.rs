// SPDX-License-Identifier: GPL-2.0
//! rust_frames: a function whose stack frame is larger than the kernel's
//! `CONFIG_FRAME_WARN` (2048 bytes on Debian), for the safety tests
//! (tests/safety/checks.sh): the build must name it and give its size, as
//! gcc does for C (`the frame size of 3080 bytes is larger than 2048 bytes`),
//! and still build the module, which loads and runs.

#![no_std]

use core::hint::black_box;
use kernel::prelude::*;

/// Fills a 3 KB array on the stack and sums it.
#[inline(never)]
fn three_kb_frame(seed: u8) -> u32 {
    let mut bytes = [0u8; 3072];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = seed.wrapping_add(i as u8);
    }
    black_box(&mut bytes);
    bytes.iter().map(|&b| b as u32).sum()
}

struct Frames;

impl Module for Frames {
    fn init() -> Result<Self> {
        pr_info!("sum of a 3 KB frame: {}", three_kb_frame(black_box(1)));
        Ok(Frames)
    }
}

module! {
    type: Frames,
    author: "The rust-kmod template authors",
    description: "A 3 KB stack frame: a build warning",
}
