//! Step 3: write every checked row in one transaction — new doctors in batches, changed
//! ones updated, unchanged ones counted — or, on a dry run, do it all and roll back.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};

use super::Target;
use super::check::Planned;
use crate::audit::{self, Actor, Entry};
use crate::db::{self, AnyConnection};
use crate::error::AppError;
use crate::pii::Pii;
use crate::roster::store::import::ClinicKey;
use crate::roster::store::{self, DoctorRow};
use crate::roster::{Doctor, ImportReport};

/// Ends the write transaction: a dry run rolls back carrying its counts.
enum WriteOutcome {
    DryRun(ImportReport),
    Failed(AppError),
}

impl From<diesel::result::Error> for WriteOutcome {
    fn from(e: diesel::result::Error) -> Self {
        WriteOutcome::Failed(e.into())
    }
}

/// What a write needs besides the rows.
pub struct Writer<'a> {
    pub pii: &'a Pii,
    pub target: &'a Target,
    pub actor: &'a Actor,
    pub today: NaiveDate,
    pub now: NaiveDateTime,
    pub progress: &'a dyn Fn(usize),
}

impl Writer<'_> {
    /// Write the rows (or rehearse them on a dry run) and fill in the report's counts.
    pub fn write(
        &self,
        conn: &mut AnyConnection,
        planned: &[Planned],
        existing: &HashMap<String, Doctor>,
        report: ImportReport,
    ) -> Result<ImportReport, AppError> {
        let outcome = db::write(conn, |conn| -> Result<ImportReport, WriteOutcome> {
            let report = self.rows(conn, planned, existing, report)?;
            if self.target.dry_run {
                Err(WriteOutcome::DryRun(report))
            } else {
                Ok(report)
            }
        });
        match outcome {
            Ok(report) | Err(WriteOutcome::DryRun(report)) => Ok(report),
            Err(WriteOutcome::Failed(e)) => Err(e),
        }
    }

    fn rows(
        &self,
        conn: &mut AnyConnection,
        planned: &[Planned],
        existing: &HashMap<String, Doctor>,
        mut report: ImportReport,
    ) -> diesel::QueryResult<ImportReport> {
        let key = |p: &Planned| {
            p.clinic.as_ref().map(|name| ClinicKey {
                village: p.region_code.clone(),
                name: name.clone(),
            })
        };
        let wanted: HashSet<ClinicKey> = planned.iter().filter_map(key).collect();
        let clinics = store::import::clinic_ids(conn, &wanted, self.now)?;
        report.clinics_created = clinics.created;
        let mut fresh = Vec::new();
        for (i, p) in planned.iter().enumerate() {
            let clinic_id = key(p).and_then(|k| clinics.ids.get(&k).copied());
            let old = existing.get(&p.index);
            let person = &p.person;
            let row = DoctorRow {
                name: person.name.as_str().to_owned(),
                id_number_enc: self.pii.encrypt(person.id_number.as_str()),
                id_number_index: p.index.clone(),
                id_number_masked: person.id_number.masked(),
                phone: person.phone.as_str().to_owned(),
                gender: person.gender,
                birth_date: person.birth_date,
                education: person.education,
                qualification: person.qualification,
                region_code: p.region_code.clone(),
                county_code: self.target.county.code.clone(),
                clinic_id: clinic_id.or_else(|| old.and_then(|d| d.clinic_id)),
                program_id: p.program_id,
                cohort_year: person.cohort_year,
                status: person.status,
            };
            match old {
                Some(d) if !row.differs_from(d) => report.unchanged += 1,
                Some(d) => {
                    store::update(conn, d.id, &row, self.today, self.now)?;
                    report.updated += 1;
                }
                None => fresh.push(row),
            }
            if i % 1000 == 999 {
                (self.progress)(i + 1);
            }
        }
        report.created = store::insert_many(conn, &fresh, self.actor.id, self.now)?;
        (self.progress)(planned.len());
        if !self.target.dry_run {
            audit::record(
                conn,
                self.actor,
                &Entry::new("roster.imported")
                    .target(format!("region:{}", self.target.county.code))
                    .detail(serde_json::json!({
                        "created": report.created, "updated": report.updated,
                        "unchanged": report.unchanged, "clinics_created": report.clinics_created,
                    })),
                self.now,
            )?;
        }
        Ok(report)
    }
}
