// SPDX-License-Identifier: GPL-2.0
//! rust_vinput: a virtual keyboard, "Rust virtual keyboard", that types
//! what is written to `/dev/rust_vinput`.
//!
//! It shows an input device in Rust, as the Linux Kernel Module Programming
//! Guide's `vinput` chapter does in C: the module registers a keyboard with
//! the kernel's input core, and every program that reads keyboards (through
//! `/dev/input/eventN`, the virtual console, X or Wayland) sees its keys:
//!
//! ```text
//! # grep -A7 'Rust virtual keyboard' /proc/bus/input/devices
//! N: Name="Rust virtual keyboard"
//! P: Phys=rust_vinput/input0
//! S: Sysfs=/devices/virtual/input/input2
//! U: Uniq=
//! H: Handlers=kbd event1
//! B: PROP=0
//! B: EV=3
//! B: KEY=23ff5ffd3fffffe
//! # /vinput_events type hi      (opens /dev/input/event1, writes "hi" to /dev/rust_vinput)
//! write=2 events: KEY_H:1 SYN KEY_H:0 SYN KEY_I:1 SYN KEY_I:0 SYN
//! # /vinput_events type 'Hi!'   ('!' has no key: EINVAL, and not even the H is typed)
//! write=EINVAL events:
//! ```
//!
//! At its edges:
//!
//! - Each byte written is typed as on a US keyboard: its key goes down, then
//!   up, each change followed by a `SYN_REPORT`; a capital letter is typed
//!   with `KEY_LEFTSHIFT` held down around it. Letters, digits, space,
//!   newline (Enter), tab and `- = ; ' , . /` have a key.
//! - A write with any other byte fails with `EINVAL` and types nothing: the
//!   whole write is checked before the first key goes down.
//! - A write types at most 256 bytes and returns how many it typed: a longer
//!   one is a short write, and `write(2)` callers that loop (`printf`,
//!   `dd`, `cat`) write the rest in the next call. A bad buffer fails with
//!   `EFAULT` and types nothing.
//! - Writers take turns: one write's keys are never mixed with another's.
//! - Unloading the module removes the keyboard; a process that holds its
//!   `/dev/input/eventN` open is woken and gets `ENODEV` (the event device
//!   is the input core's, so it does not keep the module loaded).

#![no_std]

use kernel::input::{us_ascii, InputDevice, InputId, Key, Stroke, ALL_KEYS, KEY_LEFTSHIFT};
use kernel::miscdev::{File, FileOperations, MiscDevice};
use kernel::prelude::*;
use kernel::sync::Mutex;
use kernel::uaccess::UserSliceReader;

/// The most bytes one write types.
const MAX_WRITE: usize = 256;

/// The keyboard and how many characters it has typed, behind one lock: a
/// write types all its keys while holding it.
struct Keyboard {
    device: InputDevice,
    typed: usize,
}

impl Keyboard {
    /// A key going down or up, reported on its own (`SYN_REPORT`).
    fn change(&self, key: Key, pressed: bool) {
        self.device.report_key(key, pressed);
        self.device.sync();
    }

    /// Types one character: Shift down if needed, the key down and up,
    /// Shift up.
    fn stroke(&mut self, stroke: Stroke) {
        if stroke.shift {
            self.change(KEY_LEFTSHIFT, true);
        }
        self.change(stroke.key, true);
        self.change(stroke.key, false);
        if stroke.shift {
            self.change(KEY_LEFTSHIFT, false);
        }
        self.typed += 1;
    }
}

/// The state of `/dev/rust_vinput`.
struct Typist {
    keyboard: Mutex<Keyboard>,
}

kernel::file_operations! {
    impl FileOperations for Typist {
        fn write(&self, _file: &File<'_>, input: &mut UserSliceReader<'_>, _offset: &mut i64) -> Result<usize> {
            let count = input.len().min(MAX_WRITE);
            let mut text = [0u8; MAX_WRITE];
            let text = &mut text[..count];
            input.read_slice(text)?;
            // Every byte must have a key before the first one is typed.
            if text.iter().any(|&byte| us_ascii(byte).is_none()) {
                return Err(EINVAL);
            }
            let mut keyboard = self.keyboard.lock()?;
            for stroke in text.iter().filter_map(|&byte| us_ascii(byte)) {
                keyboard.stroke(stroke);
            }
            Ok(count)
        }
    }
}

struct Vinput {
    device: MiscDevice<Typist>,
}

impl Module for Vinput {
    fn init() -> Result<Self> {
        let device = InputDevice::register(
            c"Rust virtual keyboard",
            c"rust_vinput/input0",
            InputId::virtual_device(0x0001, 0x0001, 0x0001),
            ALL_KEYS,
        )?;
        let typist = Typist { keyboard: Mutex::new(Keyboard { device, typed: 0 })? };
        let device = MiscDevice::register(c"rust_vinput", typist)?;
        pr_info!("a keyboard of {} keys types what /dev/rust_vinput is given", ALL_KEYS.len());
        Ok(Vinput { device })
    }
}

impl Drop for Vinput {
    // Runs before the fields are dropped: the keyboard still exists here.
    // It goes with the device's state, after /dev/rust_vinput.
    fn drop(&mut self) {
        // Module exit runs in process context, where lock() cannot fail.
        if let Ok(keyboard) = self.device.data().keyboard.lock() {
            pr_info!("removing the keyboard, which typed {} characters", keyboard.typed);
        }
    }
}

module! {
    type: Vinput,
    author: "The rust-kmod template authors",
    description: "A virtual keyboard that types what /dev/rust_vinput is given",
}
