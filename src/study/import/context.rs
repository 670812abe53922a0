//! Step 2 of an import: the county the rows may name — its doctors in post by ID-number
//! blind index and by platform account — and each of their programs' 学时 length and
//! course catalog. Roster facts only; the ledger's totals are read later, inside the
//! credit's transaction.

use std::collections::{HashMap, HashSet};

use diesel::QueryResult;

use super::ImportTarget;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::roster::DoctorStatus;
use crate::study::store;

/// A doctor the rows may name.
#[derive(Debug, Clone)]
pub struct Named {
    pub id: i64,
    pub program_id: i64,
    pub name: String,
}

/// A program's catalog as the rows name it.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub class_hour_minutes: i32,
    /// code → course id.
    pub by_code: HashMap<String, i64>,
    /// title → code.
    pub by_title: HashMap<String, String>,
}

impl Catalog {
    /// A course by its code or title: (code, id).
    pub fn course(&self, text: &str) -> Option<(String, i64)> {
        let code = if self.by_code.contains_key(text) {
            text.to_owned()
        } else {
            self.by_title.get(text)?.clone()
        };
        let id = *self.by_code.get(&code)?;
        Some((code, id))
    }
}

/// Everything the rows are matched against, loaded once.
#[derive(Debug, Clone, Default)]
pub struct County {
    pub by_index: HashMap<String, Named>,
    pub by_account: HashMap<String, i64>,
    pub by_id: HashMap<i64, Named>,
    pub programs: HashMap<i64, Catalog>,
    /// The platform the export comes from.
    pub platform: String,
    /// Who imports (the records' author).
    pub actor: Option<i64>,
}

impl County {
    pub fn load(
        conn: &mut AnyConnection,
        target: &ImportTarget,
        actor: Option<i64>,
    ) -> Result<County, AppError> {
        let doctors = store::accounts::county_doctors(conn, &target.county.code)?;
        let ids: Vec<i64> = doctors.iter().map(|d| d.id).collect();
        let by_account = store::accounts::accounts_of(conn, &target.platform, &ids)?;
        let mut by_index = HashMap::new();
        for d in doctors {
            if DoctorStatus::parse(&d.status) == Some(DoctorStatus::Active) {
                let named = Named {
                    id: d.id,
                    program_id: d.program_id,
                    name: d.name,
                };
                by_index.insert(d.id_number_index, named);
            }
        }
        let by_id: HashMap<i64, Named> = by_index.values().map(|d| (d.id, d.clone())).collect();
        let program_ids: HashSet<i64> = by_id.values().map(|d| d.program_id).collect();
        let mut programs = HashMap::new();
        for pid in program_ids {
            if let Some(catalog) = catalog(conn, pid)? {
                programs.insert(pid, catalog);
            }
        }
        Ok(County {
            by_index,
            by_account,
            by_id,
            programs,
            platform: target.platform.clone(),
            actor,
        })
    }
}

fn catalog(conn: &mut AnyConnection, program_id: i64) -> QueryResult<Option<Catalog>> {
    let Some((policy, _)) = crate::program::policy(conn, program_id)? else {
        return Ok(None);
    };
    let courses = store::accounts::catalog(conn, program_id)?;
    Ok(Some(Catalog {
        class_hour_minutes: policy.requirements.class_hour_minutes,
        by_code: courses
            .iter()
            .map(|(id, code, _, _)| (code.clone(), *id))
            .collect(),
        by_title: courses
            .into_iter()
            .map(|(_, code, title, _)| (title, code))
            .collect(),
    }))
}
