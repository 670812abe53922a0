//! The stored paper's reader: arbitrary bytes in, never a panic; what joins round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cunyi_fuzz::stored_paper(data);
});
