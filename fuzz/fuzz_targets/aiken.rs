//! The question-bank importer, format aiken: arbitrary bytes in, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cunyi_fuzz::bank(cunyi::bank::formats::Format::Aiken, data);
});
