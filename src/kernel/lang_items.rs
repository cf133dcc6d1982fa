// SPDX-License-Identifier: GPL-2.0
//! What happens when Rust code panics in the kernel.
//!
//! There is no unwinding (the target is `panic = "abort"`). Instead the handler
//! logs one `KERN_EMERG` line with the panic message and its source location,
//! then calls the kernel's `BUG()`. That oopses like a bug in C code would: the
//! kernel prints registers and a backtrace, kills the task that was running the
//! module's code (for example `insmod`), and carries on, unless the system was
//! booted with `panic_on_oops`, in which case it panics.

use core::panic::PanicInfo;

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    match info.location() {
        Some(at) => crate::pr_emerg!("panicked at {}:{}:{}: {}", at.file(), at.line(), at.column(), info.message()),
        None => crate::pr_emerg!("panicked: {}", info.message()),
    }
    // SAFETY: rust_helper_bug() takes no arguments and has no preconditions.
    unsafe { crate::bindings::rust_helper_bug() };
    // BUG() does not return. objtool checks this object's control flow on its
    // own and cannot see that in module.c, so end the path with an undefined
    // instruction, which objtool knows ends it.
    // SAFETY: `ud2` only raises an invalid-opcode exception; it is unreachable.
    unsafe { core::arch::asm!("ud2", options(noreturn)) }
}
