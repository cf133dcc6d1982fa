// SPDX-License-Identifier: GPL-2.0
//! rust_kthread: placeholder until the example is written.

#![no_std]

use kernel::prelude::*;

struct Example;

impl Module for Example {
    fn init() -> Result<Self> {
        pr_info!("loaded");
        Ok(Example)
    }
}

module! {
    type: Example,
    author: "The rust-kmod template authors",
    description: "placeholder",
}
