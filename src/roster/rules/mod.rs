//! Pure rules of the roster, by sub-domain: ID-card numbers (GB 11643-1999), mobile
//! numbers, people's names, the coded values and how spreadsheets write them, where a
//! doctor may be registered, reading a spreadsheet row and checking an API body.

mod body;
mod id_number;
mod name;
mod phone;
mod place;
mod row;
mod values;

pub use body::{MAX_NOTE_CHARS, check_body, check_status, status_filter};
pub use id_number::{IdNumber, check_char};
pub use name::{MAX_NAME_CHARS, PersonName, is_han};
pub use phone::Phone;
pub use place::{
    IdClash, PlaceFacts, PlaceRefusal, Placement, ancestor_scope, county_of_path, id_clash, place,
};
pub use row::{COLUMNS, RowProblems, TEMPLATE_HEADERS, parse_row};
pub use values::{
    DoctorStatus, Education, Gender, Qualification, cohort_year, effective_on, loose_date,
};

/// A person's name as the roster, instructors and accounts check it (see [`PersonName`]).
pub fn person_name(raw: &str) -> Result<String, String> {
    PersonName::parse(raw).map(PersonName::into_string)
}
