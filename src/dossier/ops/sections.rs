//! The dossier's sections kept by other areas, each read through that area's public face:
//! learning groups and their monthly evaluations (`crate::tutoring`), the 3331 visits the
//! doctor took part in (`crate::support`), skills exams with their stations
//! (`crate::skills`), the assessment year by year with completion and the certificate
//! (`crate::assessment`).

use crate::access::{Caller, Role};
use crate::db::AnyConnection;
use crate::dossier::views::VisitEntry;
use crate::error::AppResult;
use crate::roster::DoctorRecord;

/// What the other areas add to a dossier.
pub(super) struct Sections {
    pub tutoring: Vec<crate::tutoring::views::DoctorGroup>,
    pub visits: Vec<VisitEntry>,
    pub skills: Vec<crate::skills::SatExam>,
    pub assessment: crate::assessment::History,
    pub certificate: Option<crate::assessment::views::CertificateView>,
}

/// Read them for a doctor the caller may see (scope already checked). The certificate is
/// shown to those who may download it (the doctor and admins), as its own route does.
pub(super) fn read(
    conn: &mut AnyConnection,
    caller: &Caller,
    record: &DoctorRecord,
) -> AppResult<Sections> {
    let d = &record.doctor;
    let visits = crate::support::visits_of_doctor(conn, d.id)?
        .into_iter()
        .map(|v| VisitEntry {
            starts_on: v.visit.starts_on,
            ends_on: v.visit.ends_on,
            modes: v.visit.modes().iter().map(|m| m.label()).collect(),
            hours: v.visit.hours,
            team: v.team_name,
            clinic: v.clinic_name,
        })
        .collect();
    let certificate = if caller.role() == Role::Instructor {
        None
    } else {
        crate::assessment::certificate_in(conn, d.id, d.program_id)?
    };
    Ok(Sections {
        tutoring: crate::tutoring::groups_in(conn, d.id)?,
        visits,
        skills: crate::skills::sat_exams(conn, d.id, d.program_id)?,
        assessment: crate::assessment::history_in(conn, d, crate::time::today_cst())?,
        certificate,
    })
}
