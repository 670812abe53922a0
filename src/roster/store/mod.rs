//! The roster's queries: reading doctors, writing them, and what an import reads and
//! writes besides.

mod doctors;
pub mod import;
mod write;

pub use doctors::{
    by_ids, by_indexes, by_user, encrypted_id, encrypted_ids, get, get_scoped, holder_of, list,
};
pub use write::{
    Clash, DoctorRow, insert, insert_many, link_user, set_status, update, update_audited,
};
