//! The exam engine's JSON, typed (API.md "Exams"): the same shapes the API has always
//! answered. Points serialize as plain numbers (`80`, `85.5`).

mod attempt;
mod exam;
mod results;

pub use attempt::{
    AttemptView, CandidateQuestion, ItemKey, ItemText, PaperView, ReviewItem, SubmitView,
};
pub use exam::{DoctorExamView, ExamView};
pub use results::{AnalysisItem, AnalysisView, ResultItem, ResultsView, TestView};
