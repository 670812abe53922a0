//! The roster import from `.csv` (UTF-8 or GB18030): reading and the row checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The `.xlsx` path has targets of its own.
    if !data.starts_with(b"PK") {
        cunyi_fuzz::roster(data);
    }
});
