//! Step 2: check every row — its cells, where it works, which program it joins, and that
//! no ID number appears twice — collecting every problem.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::Target;
use super::headers::Headers;
use super::places::Places;
use crate::pii::Pii;
use crate::roster::rules::parse_row;
use crate::roster::store::import::CityProgram;
use crate::roster::{Doctor, Person, RowError};
use crate::sheet::{Cell, Sheet};

/// A row that passed every check.
pub struct Planned {
    pub row_number: usize,
    pub person: Person,
    pub region_code: String,
    pub clinic: Option<String>,
    pub program_id: i64,
    /// The blind index of the ID number.
    pub index: String,
}

/// The problems found so far, each naming its row and column.
pub struct Problems<'h, 's> {
    headers: &'h Headers<'s>,
    pub errors: Vec<RowError>,
    /// Problems counted but not kept.
    pub more: usize,
}

impl<'h, 's> Problems<'h, 's> {
    pub fn new(headers: &'h Headers<'s>) -> Self {
        Problems {
            headers,
            errors: Vec::new(),
            more: 0,
        }
    }

    pub fn add(&mut self, row: usize, key: &str, message: impl Into<String>) {
        let error = RowError {
            row,
            field: key.to_owned(),
            column: self.headers.column_of(key),
            message: message.into(),
        };
        crate::roster::push_error(&mut self.errors, &mut self.more, error);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.more == 0
    }
}

/// The program a row joins: the one named for the import (which must cover the row's
/// year), or the city's program covering it.
fn program_for(programs: &[CityProgram], chosen: Option<i64>, year: i32) -> Result<i64, String> {
    match chosen {
        Some(id) => match programs.iter().find(|p| p.id == id) {
            Some(p) if p.covers(year) => Ok(id),
            _ => Err(format!("培训年度 {year} 不在该培训项目的年度内")),
        },
        None => programs
            .iter()
            .find(|p| p.covers(year))
            .map(|p| p.id)
            .ok_or_else(|| format!("本市没有覆盖 {year} 年度的培训项目")),
    }
}

/// Check every row of the sheet; the rows that passed, in file order.
#[allow(clippy::too_many_arguments)]
pub fn rows(
    sheet: &Sheet,
    headers: &Headers,
    places: &Places,
    programs: &[CityProgram],
    target: &Target,
    pii: &Pii,
    today: NaiveDate,
    problems: &mut Problems,
) -> Vec<Planned> {
    let empty = Cell::Empty;
    let mut planned: Vec<Planned> = Vec::with_capacity(sheet.rows.len());
    let mut first_row_of: HashMap<String, usize> = HashMap::new();
    for (row_number, cells) in &sheet.rows {
        let row_number = *row_number;
        let parsed = match parse_row(&headers.cells(cells, &empty), today) {
            Ok(parsed) => parsed,
            Err(errors) => {
                for (key, message) in errors {
                    problems.add(row_number, key, message);
                }
                continue;
            }
        };
        let region_code =
            match places.resolve(parsed.township.as_deref(), parsed.village.as_deref()) {
                Ok(code) => code,
                Err((key, message)) => {
                    problems.add(row_number, key, message);
                    continue;
                }
            };
        let program_id = match program_for(programs, target.program_id, parsed.person.cohort_year) {
            Ok(id) => id,
            Err(message) => {
                problems.add(row_number, "cohort_year", message);
                continue;
            }
        };
        if parsed.clinic.is_some() && !places.is_village(&region_code) {
            problems.add(row_number, "clinic", "填写村卫生室时须同时填写所在村");
            continue;
        }
        let index = pii.blind_index(parsed.person.id_number.as_str());
        if let Some(first) = first_row_of.get(&index) {
            problems.add(
                row_number,
                "id_number",
                format!("身份证号与第 {first} 行重复"),
            );
            continue;
        }
        first_row_of.insert(index.clone(), row_number);
        planned.push(Planned {
            row_number,
            person: parsed.person,
            region_code,
            clinic: parsed.clinic,
            program_id,
            index,
        });
    }
    planned
}

/// Rows whose doctor is registered in another county: a county imports only its own
/// (transfers between counties go through the city).
pub fn registered_elsewhere(
    planned: &[Planned],
    existing: &HashMap<String, Doctor>,
    county: &str,
    problems: &mut Problems,
) {
    for p in planned {
        if existing
            .get(&p.index)
            .is_some_and(|d| d.county_code != county)
        {
            problems.add(
                p.row_number,
                "id_number",
                "该学员已登记在其他区县，跨区县调动请联系市级管理员",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_joins_the_named_program_or_the_one_covering_its_year() {
        let programs = [
            CityProgram {
                id: 1,
                start_year: 2021,
                end_year: 2023,
            },
            CityProgram {
                id: 2,
                start_year: 2024,
                end_year: 2026,
            },
        ];
        assert_eq!(program_for(&programs, None, 2025), Ok(2));
        assert_eq!(program_for(&programs, None, 2022), Ok(1));
        assert!(program_for(&programs, None, 2030).is_err());
        assert_eq!(program_for(&programs, Some(2), 2024), Ok(2));
        assert!(program_for(&programs, Some(2), 2022).is_err());
        assert!(program_for(&programs, Some(9), 2024).is_err());
    }
}
