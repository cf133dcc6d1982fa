// SPDX-License-Identifier: GPL-2.0
//! Input devices: a keyboard, as the kernel's input core sees one, whose key
//! presses the module reports.
//!
//! [`InputDevice::register`] makes and registers a `struct input_dev` that
//! can send the keys it declares (`EV_KEY` events); every handler the kernel
//! has attaches to it as to a real keyboard: `evdev` gives it a
//! `/dev/input/eventN` that user space reads `struct input_event` records
//! from, `kbd` types into the virtual console, and it is listed in
//! `/proc/bus/input/devices`. The module then reports key changes with
//! [`InputDevice::report_key`] and closes each set of changes with
//! [`InputDevice::sync`] (`SYN_REPORT`), which is when readers see them:
//!
//! ```ignore
//! let keyboard = InputDevice::register(c"My keyboard", c"my/input0", InputId::virtual_device(1, 1, 1), &[KEY_A])?;
//! keyboard.report_key(KEY_A, true); // pressed
//! keyboard.sync();
//! keyboard.report_key(KEY_A, false); // released
//! keyboard.sync();
//! ```
//!
//! Dropping the [`InputDevice`] unregisters it: its handlers let go (a
//! process reading its `/dev/input/eventN` gets `ENODEV`) and the input
//! core frees it when the last of them has. The event device belongs to the
//! input core, not to the module, so the module can be unloaded while a
//! process holds it open.
//!
//! Underneath, `helpers/input.c` calls `input_allocate_device`,
//! `input_set_capability` and `input_register_device`, and
//! `input_unregister_device` on drop.

use core::ffi::{c_char, c_int, c_uint, c_void, CStr};
use core::ptr::{self, NonNull};

use crate::context::{might_sleep, might_sleep_in_drop};
use crate::error::{code::EINVAL, to_result, Result};

extern "C" {
    #[allow(clippy::too_many_arguments)]
    fn rust_helper_input_register(
        name: *const c_char,
        phys: *const c_char,
        bustype: u16,
        vendor: u16,
        product: u16,
        version: u16,
        keys: *const u16,
        nkeys: usize,
        out: *mut *mut c_void,
    ) -> c_int;
    fn rust_helper_input_unregister(dev: *mut c_void);
    fn rust_helper_input_report_key(dev: *mut c_void, code: c_uint, pressed: c_int);
    fn rust_helper_input_sync(dev: *mut c_void);
}

/// A key: a code of `include/uapi/linux/input-event-codes.h`, as the
/// constants of this module ([`KEY_A`], ...) name them. `helpers/input.c`
/// checks every one against the kernel's header at build time.
///
/// `repr(transparent)`: a `&[Key]` is a C array of `u16` codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Key(u16);

impl Key {
    /// The kernel's code for the key (`KEY_A` is 30), as
    /// `struct input_event`'s `code` carries it to user space.
    pub const fn code(self) -> u16 {
        self.0
    }
}

macro_rules! keys {
    ($($name:ident = $code:literal,)*) => {
        $(
            #[doc = concat!("`", stringify!($name), "` (", stringify!($code), ").")]
            pub const $name: Key = Key($code);
        )*

        /// Every key this module names, in the order of their codes.
        pub const ALL_KEYS: &[Key] = &[$($name),*];
    };
}

keys! {
    KEY_ESC = 1,
    KEY_1 = 2, KEY_2 = 3, KEY_3 = 4, KEY_4 = 5, KEY_5 = 6,
    KEY_6 = 7, KEY_7 = 8, KEY_8 = 9, KEY_9 = 10, KEY_0 = 11,
    KEY_MINUS = 12, KEY_EQUAL = 13, KEY_BACKSPACE = 14, KEY_TAB = 15,
    KEY_Q = 16, KEY_W = 17, KEY_E = 18, KEY_R = 19, KEY_T = 20,
    KEY_Y = 21, KEY_U = 22, KEY_I = 23, KEY_O = 24, KEY_P = 25,
    KEY_ENTER = 28,
    KEY_A = 30, KEY_S = 31, KEY_D = 32, KEY_F = 33, KEY_G = 34,
    KEY_H = 35, KEY_J = 36, KEY_K = 37, KEY_L = 38,
    KEY_SEMICOLON = 39, KEY_APOSTROPHE = 40,
    KEY_LEFTSHIFT = 42,
    KEY_Z = 44, KEY_X = 45, KEY_C = 46, KEY_V = 47, KEY_B = 48,
    KEY_N = 49, KEY_M = 50,
    KEY_COMMA = 51, KEY_DOT = 52, KEY_SLASH = 53,
    KEY_SPACE = 57,
}

/// What typing an ASCII character takes on a US keyboard: a key, and
/// whether Shift is held down with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stroke {
    /// The key.
    pub key: Key,
    /// Whether `KEY_LEFTSHIFT` is held down around it.
    pub shift: bool,
}

/// The key that types `byte` on a US layout (the layout the kernel's default
/// keymap and most user-space ones start from): letters (capitals with
/// Shift), digits, space, `\n` (Enter), `\t` (Tab) and `- = ; ' , . /`.
/// `None` for every other byte. The kernel keeps no such table (a keymap
/// belongs to user space, or to the console's `kbd` handler), so this one is
/// the crate's own.
pub fn us_ascii(byte: u8) -> Option<Stroke> {
    const LETTERS: [Key; 26] = [
        KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J, KEY_K, KEY_L, KEY_M, KEY_N, KEY_O, KEY_P,
        KEY_Q, KEY_R, KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z,
    ];
    const DIGITS: [Key; 10] = [KEY_0, KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9];
    let plain = |key| Some(Stroke { key, shift: false });
    match byte {
        b'a'..=b'z' => plain(LETTERS[usize::from(byte - b'a')]),
        b'A'..=b'Z' => Some(Stroke { key: LETTERS[usize::from(byte - b'A')], shift: true }),
        b'0'..=b'9' => plain(DIGITS[usize::from(byte - b'0')]),
        b' ' => plain(KEY_SPACE),
        b'\n' => plain(KEY_ENTER),
        b'\t' => plain(KEY_TAB),
        b'-' => plain(KEY_MINUS),
        b'=' => plain(KEY_EQUAL),
        b';' => plain(KEY_SEMICOLON),
        b'\'' => plain(KEY_APOSTROPHE),
        b',' => plain(KEY_COMMA),
        b'.' => plain(KEY_DOT),
        b'/' => plain(KEY_SLASH),
        _ => None,
    }
}

/// `struct input_id`: how the device identifies itself (shown as
/// `I: Bus=... Vendor=... Product=... Version=...` in
/// `/proc/bus/input/devices`, and returned by `EVIOCGID`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputId {
    /// `BUS_*` of `include/uapi/linux/input.h`, such as [`BUS_VIRTUAL`].
    pub bustype: u16,
    /// The vendor's number.
    pub vendor: u16,
    /// The product's number.
    pub product: u16,
    /// The product's version.
    pub version: u16,
}

/// `BUS_VIRTUAL`: a device that no hardware stands behind.
pub const BUS_VIRTUAL: u16 = 0x06;

impl InputId {
    /// An identity on [`BUS_VIRTUAL`].
    pub const fn virtual_device(vendor: u16, product: u16, version: u16) -> InputId {
        InputId { bustype: BUS_VIRTUAL, vendor, product, version }
    }
}

/// A registered input device, that sends the keys it was registered with.
///
/// # Invariants
///
/// `dev` is a `struct input_dev` that `input_register_device` registered,
/// not yet unregistered: the input core keeps it alive until
/// `input_unregister_device` in `drop`.
pub struct InputDevice {
    dev: NonNull<c_void>,
}

// SAFETY: the input core serializes every event on the device under its
// `event_lock` (a spinlock taken with interrupts off), so events may be
// reported from any CPU and thread at once; unregistering (in drop) takes
// `&mut self`, after every other use.
unsafe impl Send for InputDevice {}
// SAFETY: as above: `report_key` and `sync` take `&self` and the input core
// locks around them.
unsafe impl Sync for InputDevice {}

impl InputDevice {
    /// Allocates an input device (`input_allocate_device`), names it (`name`:
    /// the `N: Name=` line of `/proc/bus/input/devices` and `EVIOCGNAME`;
    /// `phys`: its place in the system, `P: Phys=` and `EVIOCGPHYS`), sets
    /// its `id`, declares that it sends each of `keys`
    /// (`input_set_capability(dev, EV_KEY, code)`) and registers it
    /// (`input_register_device`), which gives it its handlers, among them
    /// `/dev/input/eventN`.
    ///
    /// Process context; may sleep (`EDEADLK` in atomic context). Fails with
    /// `ENOMEM`, or the errno `input_register_device` gives; nothing is left behind then (the
    /// device is freed with `input_free_device`, as the kernel requires of
    /// one that never was registered).
    ///
    /// The input core keeps `name` and `phys` as pointers, hence `'static`.
    #[track_caller]
    pub fn register(name: &'static CStr, phys: &'static CStr, id: InputId, keys: &[Key]) -> Result<InputDevice> {
        might_sleep()?;
        let mut dev = ptr::null_mut();
        // SAFETY: `name` and `phys` are NUL-terminated and live for ever, as
        // the input core needs; `keys` is `keys.len()` u16 codes (Key is
        // repr(transparent)), read only during the call; `dev` is a valid
        // place for the result.
        let ret = unsafe {
            rust_helper_input_register(
                name.as_ptr(),
                phys.as_ptr(),
                id.bustype,
                id.vendor,
                id.product,
                id.version,
                keys.as_ptr().cast::<u16>(),
                keys.len(),
                &mut dev,
            )
        };
        to_result(ret)?;
        // C returns a registered device whenever it returns 0 (the invariant).
        let dev = NonNull::new(dev).ok_or(EINVAL)?;
        Ok(InputDevice { dev })
    }

    /// Reports that `key` went down (`pressed`) or up: `input_report_key`,
    /// an `EV_KEY` event with value 1 or 0. Readers see it at the next
    /// [`sync`](Self::sync). The input core drops an event that changes
    /// nothing (a press of a key already down, a release of one that is up)
    /// and one for a key the device was not registered with.
    ///
    /// Any context, atomic too (an interrupt handler, a timer, under a
    /// spinlock): the input core takes a spinlock with interrupts off.
    pub fn report_key(&self, key: Key, pressed: bool) {
        // SAFETY: `dev` is registered until drop (invariant).
        unsafe { rust_helper_input_report_key(self.dev.as_ptr(), key.code().into(), pressed.into()) }
    }

    /// Ends a set of changes that belong together: `input_sync`, an
    /// `EV_SYN`/`SYN_REPORT` event, after which readers of the device get
    /// what was reported since the last one.
    ///
    /// Any context, atomic too, as [`report_key`](Self::report_key).
    pub fn sync(&self) {
        // SAFETY: `dev` is registered until drop (invariant).
        unsafe { rust_helper_input_sync(self.dev.as_ptr()) }
    }
}

impl Drop for InputDevice {
    /// `input_unregister_device`: the handlers are disconnected (readers of
    /// `/dev/input/eventN` get `ENODEV`, keys still down are released) and
    /// the device is freed when its last reference goes. Process context;
    /// may sleep.
    fn drop(&mut self) {
        might_sleep_in_drop();
        // SAFETY: `dev` was registered (invariant) and is unregistered only
        // here, once; the input core frees it, and `self.dev` is not used
        // again.
        unsafe { rust_helper_input_unregister(self.dev.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_ascii_types_letters_with_shift_only_for_capitals() {
        assert_eq!(us_ascii(b'h'), Some(Stroke { key: KEY_H, shift: false }));
        assert_eq!(us_ascii(b'I'), Some(Stroke { key: KEY_I, shift: true }));
        assert_eq!(us_ascii(b'z').map(|s| s.key.code()), Some(44));
        assert_eq!(us_ascii(b'A').map(|s| s.key.code()), Some(30));
    }

    #[test]
    fn us_ascii_maps_digits_space_enter_and_punctuation() {
        assert_eq!(us_ascii(b'0').map(|s| s.key), Some(KEY_0));
        assert_eq!(us_ascii(b'1').map(|s| s.key), Some(KEY_1));
        assert_eq!(us_ascii(b' ').map(|s| s.key), Some(KEY_SPACE));
        assert_eq!(us_ascii(b'\n').map(|s| s.key), Some(KEY_ENTER));
        assert_eq!(us_ascii(b'.').map(|s| s.key), Some(KEY_DOT));
        assert!(b" \n\t-=;',./0123456789".iter().all(|&b| us_ascii(b).is_some_and(|s| !s.shift)));
    }

    #[test]
    fn us_ascii_has_no_key_for_other_bytes() {
        for byte in [b'!', b'@', b'~', b'\r', 0, 0x7f, 0x80, 0xff] {
            assert_eq!(us_ascii(byte), None, "byte {byte:#x}");
        }
    }

    #[test]
    fn all_keys_are_sorted_distinct_and_within_the_kernel_range() {
        // KEY_RESERVED (0) is never a key; KEY_MAX is 0x2ff.
        assert!(ALL_KEYS.windows(2).all(|w| w[0].code() < w[1].code()));
        assert!(ALL_KEYS.iter().all(|k| (1..=0x2ff).contains(&k.code())));
        // Every stroke's key is one of them, so a device registered with
        // ALL_KEYS can type every character us_ascii maps.
        assert!((0..=255u8).filter_map(us_ascii).all(|s| ALL_KEYS.contains(&s.key)));
    }
}
