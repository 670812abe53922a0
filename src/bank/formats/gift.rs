//! GIFT, Moodle's plain-text question format, as Moodle users write it: `//` comments,
//! `$CATEGORY:` lines, `::title::`, `[html]` and other text formats, `\~ \= \# \{ \} \:`
//! escapes, per-answer `#feedback` and `####general feedback`, `%50%` weights.
//!
//! Mapped: multiple choice with one right answer → A1, several right (positive weights)
//! → X, `{T}`/`{FALSE}` → TF. Reported in `skipped`: descriptions, essays, short answer,
//! numerical, matching and multi-gap (cloze) questions.

use super::{Found, Read, blank, html_to_text, key_of, malformed, tidy};
use crate::bank::{Malformed, QType, Skipped};

/// A character and whether it was escaped with `\`.
type Tok = (char, bool);

pub fn read(text: &str, area: &str) -> Result<Read, Malformed> {
    let mut out = Read::default();
    let mut topic = String::new();
    let mut category = String::new();
    for (line, block) in blocks(text)? {
        let position = format!("第 {line} 行");
        let trimmed = block.trim_start();
        if let Some(rest) = trimmed.strip_prefix("$CATEGORY:") {
            category = rest.trim().to_owned();
            topic = category
                .rsplit('/')
                .map(str::trim)
                .find(|s| !s.is_empty() && !s.starts_with('$') && *s != "top")
                .unwrap_or_default()
                .to_owned();
            continue;
        }
        let toks = tokens(&block);
        match question(&toks, &position)? {
            Parsed::Skip(reason) => out.skipped.push(Skipped { position, reason }),
            Parsed::Question { title, stem, kind } => {
                let (qtype, options, answer, explanation) = kind;
                let mut q = blank(area, &topic, qtype);
                q.stem = stem;
                q.options = options;
                q.answer = answer;
                q.explanation = explanation;
                q.source = if title.is_empty() {
                    "GIFT 导入".into()
                } else {
                    format!("GIFT 导入：{title}")
                };
                let key = format!("{category}\u{1f}{title}\u{1f}{}", q.stem);
                out.found.push(Found {
                    position,
                    key,
                    explicit_id: None,
                    question: q,
                });
            }
        }
    }
    Ok(out)
}

/// Question blocks: runs of lines separated by blank lines, with `//` comment lines
/// dropped; a block whose `{` is still open continues past a blank line. Each block
/// comes with its first line's number.
fn blocks(text: &str) -> Result<Vec<(usize, String)>, Malformed> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim_start().starts_with("//") {
            continue;
        }
        if line.trim().is_empty() {
            if let Some((start, block)) = current.take() {
                if open_brace(&block) {
                    current = Some((start, block + "\n"));
                } else {
                    out.push((start, block));
                }
            }
            continue;
        }
        match &mut current {
            Some((_, block)) => {
                block.push('\n');
                block.push_str(line);
            }
            None => current = Some((n, line.to_owned())),
        }
    }
    if let Some((start, block)) = current {
        if open_brace(&block) {
            return Err(malformed(
                &format!("第 {start} 行"),
                "答案区的 { 没有对应的 }".into(),
            ));
        }
        out.push((start, block));
    }
    Ok(out)
}

fn open_brace(block: &str) -> bool {
    let mut depth = 0i32;
    for (c, escaped) in tokens(block) {
        match (c, escaped) {
            ('{', false) => depth += 1,
            ('}', false) => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}

fn tokens(s: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push(('\n', true)),
                Some(next) => out.push((next, true)),
                None => out.push(('\\', true)),
            }
        } else {
            out.push((c, false));
        }
    }
    out
}

fn text(toks: &[Tok]) -> String {
    toks.iter().map(|(c, _)| *c).collect()
}

fn find(toks: &[Tok], from: usize, pattern: &str) -> Option<usize> {
    let pat: Vec<char> = pattern.chars().collect();
    (from..toks.len()).find(|&i| {
        toks.len() - i >= pat.len()
            && pat
                .iter()
                .enumerate()
                .all(|(k, p)| toks[i + k] == (*p, false))
    })
}

enum Parsed {
    Skip(String),
    Question {
        title: String,
        stem: String,
        kind: (QType, Vec<String>, String, String),
    },
}

fn question(toks: &[Tok], position: &str) -> Result<Parsed, Malformed> {
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
    let clean = |t: &[Tok]| {
        let s = text(t);
        if html { html_to_text(&s) } else { tidy(&s) }
    };
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
    let before = clean(&toks[i..open]);
    let after = clean(after);
    let stem = if after.is_empty() {
        before
    } else {
        format!("{before}____{after}")
    };
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
        let option = if html {
            html_to_text(&body)
        } else {
            tidy(&body)
        };
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
        kind: (qtype, options, answer, explanation),
    })
}

fn split_unescaped(toks: &[Tok], sep: char) -> Vec<&[Tok]> {
    toks.split(|t| *t == (sep, false)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_ok(text: &str) -> Read {
        read(text, "public_health").unwrap()
    }

    #[test]
    fn a_moodle_users_file() {
        let file = r#"// 高血压题目，由县卫健局教研组整理
// question: 1 name: 随访频次
$CATEGORY: $course$/top/默认/高血压管理

::随访频次::[html]<p>对原发性高血压患者，每年至少提供几次面对面随访？</p>{
	~1 次#太少
	~2 次
	=4 次#正确：每年至少 4 次
	~12 次
}

::多选::以下属于高血压危险因素的是 {
  ~%50%高盐饮食
  ~%50%过量饮酒
  ~%-100%规律运动
  ####高盐和饮酒是危险因素。
}

// 判断题
血压 140/90 mmHg 及以上可诊断高血压（非同日 3 次）。{TRUE#错了#对}

比值\{1\:2\}和等号\= 的转义 {=是 ~否}

请写出高血压的定义。{}

高血压的英文缩写是 {=HTN =hypertension}

心率正常值 {#60..100}

配对 {=A -> 甲 =B -> 乙 =C -> 丙}

这是一段说明文字，不是题目。
"#;
        let r = read_ok(file);
        assert_eq!(r.found.len(), 4, "{:?}", r.found);
        let q = &r.found[0].question;
        assert_eq!(q.stem, "对原发性高血压患者，每年至少提供几次面对面随访？");
        assert_eq!(q.options, vec!["1 次", "2 次", "4 次", "12 次"]);
        assert_eq!(
            (q.qtype, q.answer.as_str(), q.explanation.as_str()),
            (QType::A1, "C", "正确：每年至少 4 次")
        );
        assert_eq!(q.topic, "高血压管理");
        assert_eq!(r.found[0].position, "第 5 行");
        let x = &r.found[1].question;
        assert_eq!(
            (x.qtype, x.answer.as_str(), x.explanation.as_str()),
            (QType::X, "AB", "高盐和饮酒是危险因素。")
        );
        let tf = &r.found[2].question;
        assert_eq!(
            (tf.qtype, tf.answer.as_str(), tf.explanation.as_str()),
            (QType::TF, "T", "对")
        );
        assert_eq!(r.found[3].question.stem, "比值{1:2}和等号= 的转义");
        let reasons: Vec<&str> = r.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(r.skipped.len(), 5, "{reasons:?}");
        assert!(
            reasons[0].contains("essay")
                && reasons[1].contains("short answer")
                && reasons[2].contains("numerical")
        );
        assert!(reasons[3].contains("matching") && reasons[4].contains("说明"));
    }

    #[test]
    fn missing_word_questions_keep_the_gap() {
        let r = read_ok("高血压患者每年至少随访 {=4 ~2 ~1} 次。");
        assert_eq!(r.found[0].question.stem, "高血压患者每年至少随访____次。");
    }

    #[test]
    fn faults_name_their_line() {
        let e = read("\n\n::t::题目 {=甲 ~乙\n\n", "public_health").unwrap_err();
        assert_eq!(e.position, "第 3 行");
        let e = read("题目 {~甲 ~乙}", "public_health").unwrap_err();
        assert!(e.message.contains("没有正确答案"));
        let e = read("::没有结尾 题目 {=甲 ~乙}", "public_health").unwrap_err();
        assert!(e.message.contains("::"));
    }
}
