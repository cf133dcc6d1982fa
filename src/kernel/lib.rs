// SPDX-License-Identifier: GPL-2.0
//! `kernel`: what a Rust module needs to live in a stock Linux kernel.
//!
//! Every module in this repository (the template's `src/lib.rs` and each of
//! `examples/`) is built on this crate and on nothing else of the kernel's:
//!
//! - the core: `print.rs` (`pr_info!`), `error.rs` (errno values as
//!   `Result`), `allocator.rs` (`kmalloc` behind `alloc`), `lang_items.rs`
//!   (panics), `module.rs` (`module!`, init and exit), `params.rs` (module
//!   parameters), `context.rs` (where sleeping is allowed: the check every
//!   sleeping operation makes), `bindings.rs` (the C helpers these call, in
//!   `module.c`);
//! - one safe wrapper per kernel facility, each a Rust file here and its C
//!   half in `helpers/`, linked into a module only when it uses it.
//!
//! The C side owns every kernel structure; Rust never spells out their
//! layout. Modules use only the safe API: the `unsafe` is all in this crate,
//! each block with a `// SAFETY:` comment.
//!
//! Outside the kernel (`cargo test`, `cargo check`, rust-analyzer on the host)
//! the crate builds with the standard library, fakes for the few C functions
//! the tests reach, and no panic handler or global allocator of its own.

#![no_std]
// Fallible Arc::try_new (allocator.rs); RUSTC_BOOTSTRAP=1 allows it on stable,
// as for the kernel's own Rust code.
#![cfg_attr(target_os = "none", feature(allocator_api))]

extern crate alloc;
#[cfg(not(target_os = "none"))]
extern crate std;

pub mod allocator;
pub mod bindings;
pub mod error;
pub mod ioctl;
// The panic handler is the kernel's only; its re-entry logic is host-tested.
#[cfg_attr(not(target_os = "none"), allow(dead_code))]
mod lang_items;
pub mod module;
pub mod params;
pub mod print;

#[doc(hidden)]
pub use kernel_macros::__lower_pr;

// Safe wrappers over kernel facilities. They build on the host too (cargo
// check, rust-analyzer, unit tests of their pure parts); only their C calls
// need the kernel, and host tests do not reach those.
pub mod completion;
pub mod context;
pub mod dma;
pub mod driver;
pub mod input;
pub mod irq;
pub mod kthread;
pub mod miscdev;
pub mod pci;
pub mod platform;
pub mod procfs;
pub mod sync;
pub mod sysfs;
pub mod time;
pub mod timer;
pub mod uaccess;
pub mod vmalloc;
pub mod workqueue;

/// What a module file needs, in one `use kernel::prelude::*;`.
pub mod prelude {
    pub use crate::allocator::{try_arc, try_box};
    pub use crate::error::{code::*, Error, Result};
    pub use crate::module::Module;
    pub use crate::{module, pr_alert, pr_crit, pr_debug, pr_emerg, pr_err, pr_info, pr_notice, pr_warn};
    pub use alloc::boxed::Box;
    pub use alloc::string::String;
    pub use alloc::sync::Arc;
    pub use alloc::vec::Vec;
}
