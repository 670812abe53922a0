//! The roster import from whole `.xlsx` files (zip, then XML): reading and row checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cunyi_fuzz::roster(data);
});
