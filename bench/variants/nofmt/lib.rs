// SPDX-License-Identifier: GPL-2.0
//! hello without formatting: the template's hello module (src/lib.rs) with
//! every `{}` taken out of its log lines, so the module itself formats
//! nothing at run time. bench/variants.sh builds it in place of src/lib.rs
//! to measure what `core::fmt` costs in size (docs/performance.md). The
//! panic handler of the kernel crate still formats its message.

#![no_std]

use kernel::prelude::*;

/// The most greetings `count` may ask for.
const MAX_COUNT: i32 = 16;

/// The module's state, from `insmod` to `rmmod`.
struct Hello {
    greetings: Vec<String>,
}

impl Module for Hello {
    fn init() -> Result<Self> {
        let count = params::count.get();
        if params::panic_on_init.get() {
            panic!("panic_on_init was set");
        }
        if !(0..=MAX_COUNT).contains(&count) {
            pr_err!("count is out of range (0 to 16)");
            return Err(EINVAL);
        }

        pr_info!("Hello from Rust! Keeping the greetings.");
        pr_info!("no core::fmt here");
        pr_info!("a literal percent sign: 100%");

        let mut greetings = Vec::new();
        greetings.try_reserve_exact(count as usize)?;
        for _ in 1..=count {
            let mut greeting = String::new();
            greeting.try_reserve(32)?;
            greeting.push_str("a greeting");
            pr_info!("a greeting ready");
            greetings.push(greeting);
        }
        Ok(Hello { greetings })
    }
}

impl Drop for Hello {
    fn drop(&mut self) {
        pr_info!("Goodbye from Rust! Dropping the greetings kept since init:");
        for _ in &self.greetings {
            pr_info!("  a greeting");
        }
    }
}

module! {
    type: Hello,
    author: "The rust-kmod template authors",
    description: "Hello, world in Rust, for stock distribution kernels",
    params: {
        count: i32 = 3, 0o444, "How many greetings to keep (0-16, default 3)",
        panic_on_init: bool = false, 0o444, "Panic in Rust during init, to show the panic path (default: no)",
    },
}
