//! The one ledger write path. Whatever credits minutes — a self-report and its
//! approval, attendance, a shadowing day and its sign-off, the platform import,
//! tutoring, support visits — goes through [`credit`], which checks the ledger's
//! invariants ([`crate::study::rules::Book`]) on facts it reads inside its own write
//! transaction, with the doctors' rows locked on PostgreSQL.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::db::{self, AnyConnection};
use crate::error::{AppError, FieldError};
use crate::study::rules::{Book, Refusal, Terms};
use crate::study::store::credit as store;
use crate::study::{NewRecord, RecordStatus};

/// What to write to the ledger, in one transaction, all or nothing.
#[derive(Debug, Clone, Default)]
pub struct Credit {
    /// New records, checked in order (each against the ledger and the lines before it).
    pub lines: Vec<NewRecord>,
    /// Pending records to approve (a review, a rotation's sign-off).
    pub approve: Vec<i64>,
    /// Who approves them.
    pub reviewer: Option<i64>,
    pub review_note: Option<String>,
    /// Check everything, write nothing.
    pub dry_run: bool,
}

impl Credit {
    /// New records only.
    pub fn lines(lines: Vec<NewRecord>) -> Credit {
        Credit {
            lines,
            ..Credit::default()
        }
    }

    /// Approvals only.
    pub fn approvals(ids: Vec<i64>, reviewer: Option<i64>, note: Option<String>) -> Credit {
        Credit {
            approve: ids,
            reviewer,
            review_note: note,
            ..Credit::default()
        }
    }
}

/// What became of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Written (or, in a dry run, would be); the record's id (0 in a dry run).
    Created(i64),
    /// The doctor already has a record with this source reference: left as it is.
    Duplicate,
}

/// What a credit did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credited {
    /// One per line, in order.
    pub outcomes: Vec<Outcome>,
    /// Records approved.
    pub approved: usize,
}

impl Credited {
    pub fn created(&self) -> Vec<i64> {
        self.outcomes
            .iter()
            .filter_map(|o| match o {
                Outcome::Created(id) => Some(*id),
                Outcome::Duplicate => None,
            })
            .collect()
    }

    pub fn duplicates(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| **o == Outcome::Duplicate)
            .count()
    }
}

/// A line (or approval) the ledger refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRefusal {
    /// The index of the line in [`Credit::lines`], or of the id in [`Credit::approve`]
    /// for approvals.
    pub line: usize,
    pub approval: bool,
    /// The doctor's name, for messages about several doctors.
    pub doctor: String,
    pub refusal: Refusal,
}

/// Why nothing was written.
#[derive(Debug)]
pub enum CreditError {
    /// The ledger refuses these lines: nothing written. `duplicates` counts the lines
    /// that were already in the ledger.
    Refused {
        refusals: Vec<LineRefusal>,
        duplicates: usize,
    },
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for CreditError {
    fn from(e: diesel::result::Error) -> Self {
        CreditError::Db(e)
    }
}

impl From<CreditError> for AppError {
    /// The first refusal decides: a conflict is 409, bad input 422 naming the fields.
    fn from(e: CreditError) -> Self {
        match e {
            CreditError::Db(e) => e.into(),
            CreditError::Refused { refusals, .. } => {
                if let Some(c) = refusals.iter().find(|r| r.refusal.conflict) {
                    return AppError::Conflict(c.refusal.message.clone());
                }
                AppError::Validation(
                    refusals
                        .into_iter()
                        .map(|r| FieldError {
                            field: r.refusal.field.into(),
                            message: r.refusal.message,
                        })
                        .collect(),
                )
            }
        }
    }
}

/// Write `credit` to the ledger — all of it or, when any line is refused, none — after
/// checking every line and approval against the ledger's invariants: the doctor in
/// post, 1–1440 minutes, the program's years and not the future, 24 h per day, no
/// overlapping intervals (naming the clash), a course credited at most its length.
/// The facts are read inside the write transaction (`BEGIN IMMEDIATE` on SQLite; on
/// PostgreSQL after `SELECT … FROM doctors … ORDER BY id FOR UPDATE`), so two credits of
/// one doctor never both pass on the same totals. Inside a caller's transaction it is a
/// savepoint, and the locks last until the caller commits.
#[tracing::instrument(skip_all, fields(lines = credit.lines.len(), approvals = credit.approve.len(), dry_run = credit.dry_run))]
pub fn credit(
    conn: &mut AnyConnection,
    credit: &Credit,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Credited, CreditError> {
    db::write(conn, |conn| {
        let mut doctor_ids: Vec<i64> = credit.lines.iter().map(|l| l.doctor_id).collect();
        if !credit.approve.is_empty() {
            doctor_ids.extend(
                store::records(conn, &credit.approve)?
                    .iter()
                    .map(|r| r.doctor_id),
            );
        }
        let doctors = store::lock_doctors(conn, &doctor_ids)?;
        // Read again under the locks: a concurrent review may have decided them.
        let approvals = store::records(conn, &credit.approve)?;
        let mut ids: Vec<i64> = doctors.keys().copied().collect();
        ids.sort_unstable();
        let mut facts = Facts::read(conn, credit, &approvals, &doctors, &ids)?;
        let mut book = std::mem::take(&mut facts.book);
        let mut refusals = Vec::new();
        let mut taken = std::mem::take(&mut facts.taken);
        let mut outcomes = Vec::with_capacity(credit.lines.len());
        let mut accepted = Vec::new();
        for (i, line) in credit.lines.iter().enumerate() {
            if !taken.insert((line.doctor_id, line.source_ref.clone())) {
                outcomes.push(Outcome::Duplicate);
                continue;
            }
            let Some(doctor) = doctors.get(&line.doctor_id) else {
                refusals.push(LineRefusal {
                    line: i,
                    approval: false,
                    doctor: String::new(),
                    refusal: Refusal {
                        field: "doctor_id",
                        message: format!("学员 {} 不存在", line.doctor_id),
                        conflict: false,
                    },
                });
                outcomes.push(Outcome::Created(0));
                continue;
            };
            let Some(years) = facts.years.get(&doctor.program_id).cloned() else {
                refusals.push(LineRefusal {
                    line: i,
                    approval: false,
                    doctor: doctor.name.clone(),
                    refusal: Refusal {
                        field: "doctor_id",
                        message: "该学员的培训项目不存在".into(),
                        conflict: false,
                    },
                });
                outcomes.push(Outcome::Created(0));
                continue;
            };
            let training_ends = facts.ends.get(&doctor.program_id).copied().flatten();
            let makeup_until = match training_ends {
                Some(end) if line.occurred_on > end => {
                    facts.makeup_until(conn, line.doctor_id, doctor.program_id, today)?
                }
                _ => None,
            };
            let terms = Terms {
                years,
                in_post: doctor.in_post,
                course_minutes: line.course_id.and_then(|c| facts.courses.get(&c).copied()),
                training_ends,
                makeup_until,
            };
            let entry = line.entry();
            match book.check(line.doctor_id, &entry, &terms, today) {
                Ok(()) => {
                    book.take(line.doctor_id, &entry);
                    accepted.push((line, doctor.program_id));
                }
                Err(refusal) => refusals.push(LineRefusal {
                    line: i,
                    approval: false,
                    doctor: doctor.name.clone(),
                    refusal,
                }),
            }
            outcomes.push(Outcome::Created(0));
        }
        let mut approving = Vec::new();
        for record in &approvals {
            let i = credit
                .approve
                .iter()
                .position(|id| *id == record.id)
                .unwrap_or(0);
            let name = doctors
                .get(&record.doctor_id)
                .map(|d| d.name.clone())
                .unwrap_or_default();
            if record.status != RecordStatus::Pending {
                refusals.push(LineRefusal {
                    line: i,
                    approval: true,
                    doctor: name,
                    refusal: Refusal {
                        field: "status",
                        message: format!("该记录已{}，不能再审核", record.status.label()),
                        conflict: true,
                    },
                });
                continue;
            }
            let entry = record.entry();
            let cap = record
                .course_id
                .and_then(|c| facts.courses.get(&c).copied());
            match book.check_approval(record.doctor_id, &entry, cap) {
                Ok(()) => {
                    book.take_approval(record.doctor_id, &entry);
                    approving.push(record.id);
                }
                Err(refusal) => refusals.push(LineRefusal {
                    line: i,
                    approval: true,
                    doctor: name,
                    refusal,
                }),
            }
        }
        if !refusals.is_empty() {
            let duplicates = outcomes
                .iter()
                .filter(|o| **o == Outcome::Duplicate)
                .count();
            return Err(CreditError::Refused {
                refusals,
                duplicates,
            });
        }
        if credit.dry_run {
            return Ok(Credited {
                outcomes,
                approved: approving.len(),
            });
        }
        let written = store::insert(conn, &accepted, now)?;
        let ids: HashMap<(i64, &str), i64> = written
            .iter()
            .map(|(id, doctor, r)| ((*doctor, r.as_str()), *id))
            .collect();
        for (line, outcome) in credit.lines.iter().zip(outcomes.iter_mut()) {
            if let Outcome::Created(id) = outcome {
                *id = ids
                    .get(&(line.doctor_id, line.source_ref.as_str()))
                    .copied()
                    .unwrap_or(0);
            }
        }
        let approved = store::approve(
            conn,
            &approving,
            credit.reviewer,
            credit.review_note.as_deref(),
            now,
        )?;
        // The totals progress reads, in the same transaction as the records.
        let touched: Vec<i64> = accepted
            .iter()
            .map(|(line, _)| line.doctor_id)
            .chain(
                approvals
                    .iter()
                    .filter(|r| approving.contains(&r.id))
                    .map(|r| r.doctor_id),
            )
            .collect();
        crate::study::store::totals::refresh(conn, &touched)?;
        Ok(Credited { outcomes, approved })
    })
}

/// What the checks read, once per credit.
struct Facts {
    book: Book,
    taken: HashSet<(i64, String)>,
    years: HashMap<i64, std::ops::RangeInclusive<i32>>,
    /// The last day of each program's training (11-30 of its last year).
    ends: HashMap<i64, Option<NaiveDate>>,
    /// Doctors' make-up deadlines, read when a line falls after the training.
    makeup: HashMap<i64, Option<NaiveDate>>,
    courses: HashMap<i64, i32>,
}

impl Facts {
    /// The make-up deadline of a doctor whose completion is `makeup` (read once): the
    /// decided completion when there is one, otherwise the hours — a doctor short of
    /// hours when the training ended is in make-up (Weifang 五(三)).
    fn makeup_until(
        &mut self,
        conn: &mut AnyConnection,
        doctor_id: i64,
        program_id: i64,
        today: NaiveDate,
    ) -> Result<Option<NaiveDate>, CreditError> {
        if let Some(known) = self.makeup.get(&doctor_id) {
            return Ok(*known);
        }
        let until = match crate::assessment::decided_makeup(conn, doctor_id, program_id)? {
            Some(decided) => decided,
            None => match crate::program::policy(conn, program_id)? {
                Some((policy, years)) => {
                    let ledger = crate::study::store::totals::ledger_of(conn, doctor_id)?;
                    let p = crate::study::rules::progress(
                        &policy.requirements,
                        &policy.deadlines,
                        years,
                        &ledger,
                        today,
                    );
                    p.completion.makeup_deadline
                }
                None => None,
            },
        };
        self.makeup.insert(doctor_id, until);
        Ok(until)
    }
}

impl Facts {
    fn read(
        conn: &mut AnyConnection,
        credit: &Credit,
        approvals: &[crate::study::StudyRecord],
        doctors: &HashMap<i64, store::DoctorFacts>,
        ids: &[i64],
    ) -> Result<Facts, CreditError> {
        let mut programs: Vec<i64> = doctors.values().map(|d| d.program_id).collect();
        programs.sort_unstable();
        programs.dedup();
        let years = store::program_years(conn, &programs)?;
        let mut ends = HashMap::new();
        for p in &programs {
            if let Some((policy, years)) = crate::program::policy(conn, *p)? {
                let end = crate::study::rules::program_end(&policy.deadlines, *years.end());
                ends.insert(*p, end);
            }
        }
        let mut course_ids: Vec<i64> = credit
            .lines
            .iter()
            .filter_map(|l| l.course_id)
            .chain(approvals.iter().filter_map(|r| r.course_id))
            .collect();
        course_ids.sort_unstable();
        course_ids.dedup();
        let courses = store::course_lengths(conn, &course_ids)?;
        let mut book = Book::default();
        let days = credit.lines.iter().map(|l| l.occurred_on);
        if let (Some(first), Some(last)) = (days.clone().min(), days.max()) {
            let line_doctors: HashSet<i64> = credit.lines.iter().map(|l| l.doctor_id).collect();
            let mut line_doctors: Vec<i64> = line_doctors.into_iter().collect();
            line_doctors.sort_unstable();
            // A day either side: intervals may cross midnight.
            let around = store::counting_between(
                conn,
                &line_doctors,
                first - Duration::days(1),
                last + Duration::days(1),
            )?;
            for c in around {
                book.hold(c.doctor_id, &c.entry, Some(c.id));
            }
        }
        for ((doctor, course), minutes) in store::course_used(conn, ids, &course_ids)? {
            book.hold_course(doctor, course, minutes);
        }
        let pairs: Vec<(i64, &str)> = credit
            .lines
            .iter()
            .map(|l| (l.doctor_id, l.source_ref.as_str()))
            .collect();
        let taken = store::taken_refs(conn, &pairs)?;
        Ok(Facts {
            book,
            taken,
            years,
            ends,
            makeup: HashMap::new(),
            courses,
        })
    }
}
