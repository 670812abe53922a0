//! The mails' templates, `templates/emails/<name>/{subject.txt,body.txt,body.html}`,
//! embedded in the binary (a county server has nothing beside it).

use super::Template;

/// The three parts of a template, as written.
#[derive(Debug, Clone, Copy)]
pub struct Parts {
    pub subject: &'static str,
    pub text: &'static str,
    pub html: &'static str,
}

macro_rules! parts {
    ($name:literal) => {
        Parts {
            subject: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/emails/",
                $name,
                "/subject.txt"
            )),
            text: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/emails/",
                $name,
                "/body.txt"
            )),
            html: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/emails/",
                $name,
                "/body.html"
            )),
        }
    };
}

/// The template's parts.
pub fn parts(template: Template) -> Parts {
    match template {
        Template::FilingDue => parts!("filing_due"),
        Template::FilingReturned => parts!("filing_returned"),
        Template::ExamSoon => parts!("exam_soon"),
        Template::MakeupDeadline => parts!("makeup_deadline"),
    }
}
