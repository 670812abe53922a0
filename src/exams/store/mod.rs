//! The exam engine in the database, by table family: exams; attempts and answers;
//! grading (the graded items and the deadline sweep); results; the item contents papers
//! refer to; the in-memory caches; and the bank as the engine reads it.

mod attempts;
mod bank;
mod caches;
mod exams;
mod grading;
mod papers;
mod results;
mod starts;

pub use attempts::{
    AnswerSave, GradedRow, SaveRefused, answers_of, attempts_of, get_attempt, items_of,
    save_answer, save_batch, summaries_of,
};
pub use bank::{AreaCount, collection_exists, counts_by_area, pool};
pub use caches::{Caches, Shape, ShapeItem};
pub use exams::{
    NewExam, RowLock, attempt_count, close, codes_of, find, get_exam, insert_exam, list_for_doctor,
    list_for_region, lock_status, region_path, withdraw,
};
pub use grading::{close_overdue, submit};
pub use papers::{read as read_paper, remember as remember_contents, store_contents};
pub use results::{
    AnnualResult, QuestionText, ResultRow, annual_results, has_passed, question_texts, responses,
    results, results_counts,
};
pub use starts::{Drawn, NewAttempt, Started, start};
