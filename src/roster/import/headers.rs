//! Step 1: which column of the file holds what; a missing required column stops the
//! import before any row is read.

use std::collections::HashMap;

use crate::error::AppError;
use crate::roster::rules::COLUMNS;
use crate::sheet::{Sheet, column_letter, map_headers};

/// The file's columns by canonical key.
pub struct Headers<'s> {
    sheet: &'s Sheet,
    found: HashMap<&'static str, usize>,
}

impl<'s> Headers<'s> {
    /// Map the headers; every required column must be there (a 422 on `file` naming
    /// the missing ones otherwise).
    pub fn map(sheet: &'s Sheet) -> Result<Headers<'s>, AppError> {
        let aliases: Vec<(&'static str, &[&str])> =
            COLUMNS.iter().map(|(k, a, _)| (*k, *a)).collect();
        let found = map_headers(&sheet.headers, &aliases);
        let missing: Vec<&str> = COLUMNS
            .iter()
            .filter(|(k, _, required)| *required && !found.contains_key(k))
            .map(|(_, aliases, _)| aliases[0])
            .collect();
        if !missing.is_empty() {
            return Err(AppError::field(
                "file",
                format!("表头缺少必填列：{}（请使用导入模板）", missing.join("、")),
            ));
        }
        Ok(Headers { sheet, found })
    }

    /// The cells of one row by key.
    pub fn cells<'r>(
        &self,
        row: &'r [crate::sheet::Cell],
        empty: &'r crate::sheet::Cell,
    ) -> HashMap<&'static str, &'r crate::sheet::Cell> {
        self.found
            .iter()
            .map(|(key, &i)| (*key, row.get(i).unwrap_or(empty)))
            .collect()
    }

    /// The column of a key as the file heads it, with its letter (`身份证号（B列）`); the
    /// template's header for a column the file lacks.
    pub fn column_of(&self, key: &str) -> String {
        match self.found.get(key) {
            Some(&i) => format!("{}（{}列）", self.sheet.headers[i], column_letter(i)),
            None => COLUMNS
                .iter()
                .find(|(k, ..)| *k == key)
                .map_or(key, |(_, a, _)| a[0])
                .to_owned(),
        }
    }
}
