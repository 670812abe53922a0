//! Fuzzed worksheet / shared-strings / workbook XML inside a valid `.xlsx` archive, read
//! by the roster import and by the question bank's `.xlsx` import.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let book = cunyi_fuzz::xlsx_from_parts(data);
    cunyi_fuzz::roster(&book);
    cunyi_fuzz::bank(cunyi::bank::formats::Format::Xlsx, &book);
});
