// SPDX-License-Identifier: GPL-2.0
//! What happens when Rust code panics in the kernel.
//!
//! There is no unwinding (the target is `panic = "abort"`). Instead the handler
//! logs one `KERN_EMERG` line with the panic message and its source location,
//! then calls the kernel's `BUG()`. That oopses like a bug in C code would: the
//! kernel prints registers and a backtrace, kills the task that was running the
//! module's code (for example `insmod`), and carries on, unless the system was
//! booted with `panic_on_oops`, in which case it panics.
//!
//! Formatting the message runs the module's own code (`Display` and `Debug`
//! implementations), which may panic in turn, and so on until the kernel
//! stack overflows. So the handler notes, for the task it runs in, that it is
//! formatting a message ([`PanicSlots`]); a panic while it is, in the same
//! task, is reported without formatting anything: both locations, built by
//! hand ([`reentry_line`]), then the one `BUG()`.

use core::panic::Location;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// How many tasks may be formatting a panic message at the same time with
/// re-entry detected; a further one logs only its location (see [`Entry::Full`]).
const SLOTS: usize = 8;

/// The tasks formatting a panic message right now, with where their panic was.
///
/// # Invariants
///
/// A slot's `location`, when not null, points to the `Location` of the panic
/// that the task in its `task` is formatting; that panic's handler is still
/// running on that task's stack (it clears the slot before `BUG()`), so the
/// `Location` is alive for as long as the same task can look at the slot.
pub(crate) struct PanicSlots {
    task: [AtomicUsize; SLOTS],
    location: [AtomicPtr<Location<'static>>; SLOTS],
}

/// What [`PanicSlots::enter`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    /// The task's first panic: format the message, then [`PanicSlots::leave`].
    First(usize),
    /// A panic while this task formats the message of an earlier one: the
    /// slot, and where that earlier panic was (null if unknown).
    Reentered(usize, *const Location<'static>),
    /// Every slot is taken by other tasks: log the location only, to be safe.
    Full,
}

impl PanicSlots {
    pub(crate) const fn new() -> Self {
        PanicSlots {
            task: [const { AtomicUsize::new(0) }; SLOTS],
            location: [const { AtomicPtr::new(core::ptr::null_mut()) }; SLOTS],
        }
    }

    /// Called by the panic handler of `task` (a non-zero identity: the
    /// kernel's `current`) for a panic at `location`.
    pub(crate) fn enter(&self, task: usize, location: *const Location<'_>) -> Entry {
        for (i, slot) in self.task.iter().enumerate() {
            if slot.load(Ordering::Acquire) == task {
                return Entry::Reentered(i, self.location[i].load(Ordering::Acquire));
            }
        }
        for (i, slot) in self.task.iter().enumerate() {
            if slot.compare_exchange(0, task, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
                self.location[i].store(location.cast_mut().cast(), Ordering::Release);
                return Entry::First(i);
            }
        }
        Entry::Full
    }

    /// Frees the slot `enter` gave, before `BUG()`.
    pub(crate) fn leave(&self, slot: usize) {
        self.location[slot].store(core::ptr::null_mut(), Ordering::Release);
        self.task[slot].store(0, Ordering::Release);
    }
}

/// A line built by hand, without `core::fmt`, in a fixed buffer; what does
/// not fit is dropped.
pub(crate) struct RawLine {
    buf: [u8; crate::print::LINE_CAPACITY],
    len: usize,
}

impl RawLine {
    pub(crate) const fn new() -> Self {
        RawLine { buf: [0; crate::print::LINE_CAPACITY], len: 0 }
    }

    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.push_bytes(text.as_bytes())
    }

    // Not inlined: the handler's few lines call it a dozen times, and it
    // would be copied into each call (this code is kept small, as it is in
    // every module).
    #[inline(never)]
    fn push_bytes(&mut self, bytes: &[u8]) -> &mut Self {
        let n = bytes.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
        self
    }

    #[inline(never)]
    pub(crate) fn push_number(&mut self, mut n: u32) -> &mut Self {
        let mut digits = [0u8; 10];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.push_bytes(&digits[i..])
    }

    /// `file:line:column`.
    pub(crate) fn push_location(&mut self, at: &Location<'_>) -> &mut Self {
        self.push(at.file()).push(":").push_number(at.line()).push(":").push_number(at.column())
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The line logged for a panic at `inner` while formatting the message of the
/// panic at `outer` (or, with `outer` unknown, for a panic whose message is
/// not formatted): locations only, nothing that runs the module's code.
#[inline(never)]
pub(crate) fn reentry_line(inner: Option<&Location<'_>>, outer: Option<&Location<'_>>) -> RawLine {
    let mut line = RawLine::new();
    line.push("panicked");
    if let Some(at) = outer {
        line.push(" at ").push_location(at).push(", and again while formatting its message");
    }
    match inner {
        Some(at) => line.push(" at ").push_location(at),
        None => line.push(" at an unknown location"),
    };
    if outer.is_none() {
        line.push(" (message not formatted)");
    }
    line
}

#[cfg(target_os = "none")]
mod handler {
    use super::{reentry_line, Entry, PanicSlots};
    use core::panic::PanicInfo;

    static PANICKING: PanicSlots = PanicSlots::new();

    /// A `str` that `{}` writes as it is (as str's `Display` does without a
    /// width or precision).
    struct Text<'a>(&'a str);

    impl core::fmt::Display for Text<'_> {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str(self.0)
        }
    }

    /// Logs `line` at `KERN_EMERG`, without formatting.
    fn emerg(line: &[u8]) {
        // SAFETY: `line` is at most LINE_CAPACITY bytes, so its length fits in
        // a C int; the C side only reads it, during the call.
        unsafe { crate::bindings::rust_helper_printk(0, line.as_ptr().cast(), line.len() as i32) }
    }

    #[panic_handler]
    fn panic(info: &PanicInfo<'_>) -> ! {
        // SAFETY: rust_helper_current() only reads `current`, valid in any context.
        let task = unsafe { crate::bindings::rust_helper_current() } as usize;
        let at = info.location();
        match PANICKING.enter(task, at.map_or(core::ptr::null(), |at| at as *const _)) {
            Entry::First(slot) => {
                // A message without arguments (`panic!("text")`, and core's
                // own) is lowered to a printk format: no core::fmt, no
                // module code run. One with arguments is formatted; the file
                // name goes in by write_str, not by str's Display, whose
                // padding code nothing else may need.
                match (at, info.message().as_str()) {
                    (Some(at), Some(message)) => {
                        crate::pr_emerg!("panicked at {}:{}:{}: {}", at.file(), at.line(), at.column(), message)
                    }
                    (Some(at), None) => {
                        crate::pr_emerg!(
                            "panicked at {}:{}:{}: {}",
                            Text(at.file()),
                            at.line(),
                            at.column(),
                            info.message()
                        )
                    }
                    (None, _) => crate::pr_emerg!("panicked: {}", info.message()),
                }
                PANICKING.leave(slot);
            }
            Entry::Reentered(slot, outer) => {
                // SAFETY: by the invariant of PanicSlots, `outer` is null or
                // points to the Location of the panic this task's handler is
                // formatting, further up this very stack, still alive.
                let outer = unsafe { outer.as_ref() };
                emerg(reentry_line(at, outer).as_bytes());
                PANICKING.leave(slot);
            }
            Entry::Full => emerg(reentry_line(at, None).as_bytes()),
        }
        // SAFETY: rust_helper_bug() takes no arguments and has no preconditions.
        unsafe { crate::bindings::rust_helper_bug() };
        // BUG() does not return. objtool checks this object's control flow on its
        // own and cannot see that in module.c, so end the path with an undefined
        // instruction, which objtool knows ends it (arm64 has no objtool; its
        // permanently undefined instruction, `udf`, ends the path the same way).
        end_of_path()
    }

    /// An undefined instruction, never reached: it ends the panic path
    /// (inlined, so that objtool sees it in the panic handler itself).
    #[inline(always)]
    fn end_of_path() -> ! {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `ud2` only raises an invalid-opcode exception; it is unreachable.
        unsafe {
            core::arch::asm!("ud2", options(noreturn))
        };
        #[cfg(target_arch = "aarch64")]
        // SAFETY: `udf` only raises an undefined-instruction exception; it is unreachable.
        unsafe {
            core::arch::asm!("udf #0", options(noreturn))
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;

    fn text(line: &RawLine) -> String {
        String::from_utf8(line.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn a_second_panic_in_the_same_task_is_seen_as_reentry_with_the_first_location() {
        let slots = PanicSlots::new();
        let first = Location::caller();
        let Entry::First(slot) = slots.enter(1, first) else { panic!("not first") };
        let entry = slots.enter(1, Location::caller());
        assert_eq!(entry, Entry::Reentered(slot, first as *const _));
        slots.leave(slot);
        assert!(matches!(slots.enter(1, first), Entry::First(_)));
    }

    #[test]
    fn panics_in_other_tasks_are_each_a_first_panic_until_the_slots_run_out() {
        let slots = PanicSlots::new();
        for task in 1..=SLOTS {
            assert!(matches!(slots.enter(task, Location::caller()), Entry::First(_)), "{task}");
        }
        assert_eq!(slots.enter(SLOTS + 1, Location::caller()), Entry::Full);
        assert!(matches!(slots.enter(3, Location::caller()), Entry::Reentered(2, _)));
    }

    #[test]
    fn the_reentry_line_gives_both_locations() {
        let outer = Location::caller();
        let inner = Location::caller();
        let want = std::format!(
            "panicked at {}:{}:{}, and again while formatting its message at {}:{}:{}",
            outer.file(),
            outer.line(),
            outer.column(),
            inner.file(),
            inner.line(),
            inner.column()
        );
        assert_eq!(text(&reentry_line(Some(inner), Some(outer))), want);
    }

    #[test]
    fn without_the_first_location_the_line_says_the_message_was_not_formatted() {
        let inner = Location::caller();
        let want =
            std::format!("panicked at {}:{}:{} (message not formatted)", inner.file(), inner.line(), inner.column());
        assert_eq!(text(&reentry_line(Some(inner), None)), want);
        assert_eq!(text(&reentry_line(None, None)), "panicked at an unknown location (message not formatted)");
    }

    #[test]
    fn numbers_are_written_in_decimal_and_long_lines_are_cut() {
        let mut line = RawLine::new();
        line.push_number(0).push(" ").push_number(u32::MAX);
        assert_eq!(text(&line), "0 4294967295");
        let mut line = RawLine::new();
        line.push(&"x".repeat(crate::print::LINE_CAPACITY + 10)).push_number(7);
        assert_eq!(line.as_bytes().len(), crate::print::LINE_CAPACITY);
    }
}
