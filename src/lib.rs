// SPDX-License-Identifier: GPL-2.0
//! hello: a Linux kernel module written in Rust.
//!
//! It shows the pieces a first module needs: formatted logging with numbers
//! and strings, heap memory (`Vec`, `String`) with allocation failure handled,
//! state kept from load to unload, and an error code that fails the load.
//!
//! ```text
//! $ sudo insmod build/hello.ko count=2     # count: 0-16, default 3
//! $ sudo dmesg | tail -n 4
//! hello: Hello from Rust! Keeping 2 greetings.
//! hello: core::fmt works here:  right|left  |0xbeef|-42
//! hello: a literal percent sign: 100%
//! hello: greeting #1 of 2 ready
//! ...
//! $ sudo insmod build/hello.ko count=99
//! insmod: ERROR: could not insert module build/hello.ko: Invalid argument
//! ```
//!
//! The support code it is built on, the `kernel` crate, is in `src/kernel/`.

#![no_std]

use core::fmt::Write;
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
            panic!("panic_on_init was set (count = {count})");
        }
        if !(0..=MAX_COUNT).contains(&count) {
            pr_err!("count={count} is out of range (0 to {MAX_COUNT})");
            return Err(EINVAL);
        }

        pr_info!("Hello from Rust! Keeping {count} greetings.");
        pr_info!("core::fmt works here: {:>6}|{:<6}|{:#x}|{}", "right", "left", 0xbeef, -42);
        pr_info!("a literal percent sign: 100%");

        // Reserve up front and report failure as ENOMEM: the plain `push`
        // and `format!` would panic if the kernel ran out of memory.
        let mut greetings = Vec::new();
        greetings.try_reserve_exact(count as usize)?;
        for n in 1..=count {
            let mut greeting = String::new();
            greeting.try_reserve(32)?;
            // Fits in the 32 bytes reserved, so this does not allocate.
            let _ = write!(greeting, "greeting #{n} of {count}");
            pr_info!("{greeting} ready");
            greetings.push(greeting);
        }
        Ok(Hello { greetings })
    }
}

impl Drop for Hello {
    fn drop(&mut self) {
        pr_info!("Goodbye from Rust! Dropping {} greetings kept since init:", self.greetings.len());
        for greeting in &self.greetings {
            pr_info!("  {greeting}");
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

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use kernel::bindings::take_printed;
    use std::string::ToString;

    #[test]
    fn init_keeps_count_greetings_and_drop_says_goodbye() {
        params::count.set(2);
        take_printed();
        let hello = Hello::init().unwrap();
        assert_eq!(hello.greetings, ["greeting #1 of 2", "greeting #2 of 2"]);
        drop(hello);
        let lines: Vec<String> = take_printed().into_iter().map(|(_, line)| line).collect();
        assert_eq!(lines.last().unwrap(), "  greeting #2 of 2");
        assert!(lines.contains(&"Goodbye from Rust! Dropping 2 greetings kept since init:".to_string()));
    }

    #[test]
    fn init_rejects_out_of_range_count_with_einval() {
        for bad in [-1, MAX_COUNT + 1, i32::MAX] {
            params::count.set(bad);
            take_printed();
            assert_eq!(Hello::init().err(), Some(EINVAL));
            assert_eq!(take_printed(), [(3, std::format!("count={bad} is out of range (0 to 16)"))]);
        }
    }
}
