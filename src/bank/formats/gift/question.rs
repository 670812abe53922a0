//! One GIFT question block: its title, stem, answers and feedback, mapped to a type.

use super::tokens::{Tok, find, split_unescaped, text};
use crate::bank::formats::{html_to_text, key_of, malformed, media, tidy};
use crate::bank::{Malformed, QType};

/// A text's format marker as Moodle reads it (`[html]`, `[plain]`, `[moodle]`,
/// `[markdown]` at its start): whether the text is HTML (`None`: no marker, the
/// question's format), and the text without the marker.
fn format_marker(s: &str) -> (Option<bool>, &str) {
    let trimmed = s.trim_start();
    for (marker, html) in [
        ("[html]", true),
        ("[plain]", false),
        ("[moodle]", false),
        ("[markdown]", false),
    ] {
        if trimmed.len() >= marker.len()
            && trimmed.is_char_boundary(marker.len())
            && trimmed[..marker.len()].eq_ignore_ascii_case(marker)
        {
            return (Some(html), &trimmed[marker.len()..]);
        }
    }
    (None, s)
}

/// A piece of text (answer, feedback) as plain text: its own format marker stripped,
/// HTML turned into text when it (or else the question) is HTML.
fn clean_text(raw: &str, question_html: bool) -> String {
    let (marker, body) = format_marker(raw);
    if marker.unwrap_or(question_html) {
        html_to_text(body)
    } else {
        tidy(body)
    }
}

pub(super) enum Parsed {
    Skip(String),
    Question {
        title: String,
        stem: String,
        /// Media removed from the stem.
        removed: Vec<media::Media>,
        kind: (QType, Vec<String>, String, String),
    },
}

pub(super) fn question(toks: &[Tok], position: &str) -> Result<Parsed, Malformed> {
    let mut i = toks.iter().take_while(|(c, _)| c.is_whitespace()).count();
    let mut title = String::new();
    if find(toks, i, "::") == Some(i) {
        let Some(end) = find(toks, i + 2, "::") else {
            return Err(malformed(position, "题目标题缺少结尾的 ::".into()));
        };
        title = text(&toks[i + 2..end]).trim().to_owned();
        i = end + 2;
    }
    while toks.get(i).is_some_and(|(c, _)| c.is_whitespace()) {
        i += 1;
    }
    let mut html = false;
    if toks.get(i) == Some(&('[', false))
        && let Some(close) = find(toks, i, "]")
    {
        let format = text(&toks[i + 1..close]).to_ascii_lowercase();
        if matches!(format.as_str(), "html" | "moodle" | "plain" | "markdown") {
            html = format == "html";
            i = close + 1;
        }
    }
    let clean = |t: &[Tok]| clean_text(&text(t), html);
    let Some(open) = find(toks, i, "{") else {
        return Ok(Parsed::Skip("说明文字（没有答案区），不是题目".into()));
    };
    let Some(close) = find(toks, open, "}") else {
        return Err(malformed(position, "答案区的 { 没有对应的 }".into()));
    };
    let after = &toks[close + 1..];
    if find(after, 0, "{").is_some() {
        return Ok(Parsed::Skip(
            "一题有多个答案区（完形填空 / cloze），无法映射".into(),
        ));
    }
    let (before, mut removed) = media::strip(&text(&toks[i..open]));
    let (after, more) = media::strip(&text(after));
    removed.extend(more);
    removed.sort_unstable();
    removed.dedup();
    let as_text = |s: &str| if html { html_to_text(s) } else { tidy(s) };
    let (before, after) = (as_text(&before), as_text(&after));
    let stem = if after.is_empty() {
        before
    } else {
        format!("{before}____{after}")
    };
    if stem.is_empty() && !removed.is_empty() {
        return Ok(Parsed::Skip(format!(
            "题干只有{}，没有文字，无法导入",
            media::describe(&removed)
        )));
    }
    let body = &toks[open + 1..close];
    let (answers, general) = match find(body, 0, "####") {
        Some(g) => (&body[..g], clean(&body[g + 4..])),
        None => (body, String::new()),
    };
    let head = text(answers);
    let head = head.trim();
    if head.is_empty() {
        return Ok(Parsed::Skip("问答题（essay），无法自动评分，未导入".into()));
    }
    if head.starts_with('#') {
        return Ok(Parsed::Skip("数值题（numerical），无法映射".into()));
    }
    // True/false: `{T}`, `{FALSE#wrong feedback#right feedback}`.
    let first = find(answers, 0, "#").unwrap_or(answers.len());
    let word = text(&answers[..first]).trim().to_ascii_uppercase();
    if matches!(word.as_str(), "T" | "TRUE" | "F" | "FALSE") {
        let answer = if word.starts_with('T') { "T" } else { "F" };
        let feedbacks: Vec<String> = split_unescaped(&answers[first..], '#')
            .iter()
            .skip(1)
            .map(|f| clean(f))
            .collect();
        let explanation = if general.is_empty() {
            feedbacks.get(1).cloned().unwrap_or_default()
        } else {
            general
        };
        return Ok(Parsed::Question {
            title,
            stem,
            removed,
            kind: (QType::TF, Vec::new(), answer.into(), explanation),
        });
    }
    // Choices: `=right#feedback ~wrong ~%50%partly`.
    let start = answers
        .iter()
        .position(|t| *t == ('=', false) || *t == ('~', false));
    let Some(start) = start else {
        return Err(malformed(
            position,
            "答案应以 = （正确）或 ~ （错误）开头".into(),
        ));
    };
    if !text(&answers[..start]).trim().is_empty() {
        return Err(malformed(
            position,
            format!(
                "答案区开头“{}”不是以 = 或 ~ 开头的答案",
                text(&answers[..start]).trim()
            ),
        ));
    }
    let mut choices: Vec<(char, &[Tok])> = Vec::new();
    let mut from = start;
    for k in start + 1..=answers.len() {
        if k == answers.len() || answers[k] == ('=', false) || answers[k] == ('~', false) {
            choices.push((answers[from].0, &answers[from + 1..k]));
            from = k;
        }
    }
    if choices.iter().any(|(_, t)| find(t, 0, "->").is_some()) {
        return Ok(Parsed::Skip("配对题（matching），无法映射".into()));
    }
    if choices.iter().all(|(m, _)| *m == '=') {
        return Ok(Parsed::Skip(
            "填空 / 简答题（short answer），无法映射".into(),
        ));
    }
    let mut options = Vec::new();
    let mut correct = Vec::new();
    let mut feedback_right = Vec::new();
    for (marker, toks) in choices {
        let parts = split_unescaped(toks, '#');
        let mut body = text(parts[0]);
        let mut weight: Option<f64> = None;
        let trimmed = body.trim_start();
        if let Some(rest) = trimmed.strip_prefix('%')
            && let Some(end) = rest.find('%')
        {
            let Ok(w) = rest[..end].trim().parse::<f64>() else {
                return Err(malformed(
                    position,
                    format!("答案权重“%{}%”不是数字", &rest[..end]),
                ));
            };
            weight = Some(w);
            body = rest[end + 1..].to_owned();
        }
        let (_, kinds) = media::strip(format_marker(&body).1);
        if !kinds.is_empty() {
            return Ok(Parsed::Skip(format!(
                "选项含{}，暂不支持导入",
                media::describe(&kinds)
            )));
        }
        let option = clean_text(&body, html);
        let right = match marker {
            '=' => weight.is_none_or(|w| w > 0.0),
            _ => weight.is_some_and(|w| w > 0.0),
        };
        if right && parts.len() > 1 {
            feedback_right.push(clean(parts[1]));
        }
        options.push(option);
        correct.push(right);
    }
    let (qtype, answer) = key_of(&correct);
    let Some(qtype) = qtype else {
        return Err(malformed(
            position,
            "选择题没有正确答案（= 或正权重的 ~%n%）".into(),
        ));
    };
    let explanation = if general.is_empty() {
        feedback_right
            .into_iter()
            .filter(|f| !f.is_empty())
            .collect::<Vec<_>>()
            .join("；")
    } else {
        general
    };
    Ok(Parsed::Question {
        title,
        stem,
        removed,
        kind: (qtype, options, answer, explanation),
    })
}
