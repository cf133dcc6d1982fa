// SPDX-License-Identifier: GPL-2.0
//! rust_printbench: placeholder until the benchmark module is written.

#![no_std]

use kernel::prelude::*;

struct PrintBench;

impl Module for PrintBench {
    fn init() -> Result<Self> {
        Ok(PrintBench)
    }
}

module! {
    type: PrintBench,
    author: "The rust-kmod template authors",
    description: "placeholder",
}
