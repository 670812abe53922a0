//! The study ledger's online-platform export import (`.xlsx` or `.csv`): reading and
//! every row's checks against a county of one doctor and one course.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cunyi_fuzz::platform(data);
});
