//! GIFT, Moodle's plain-text question format, as Moodle users write it: `//` comments,
//! `$CATEGORY:` lines, `::title::`, `[html]` and the other text formats (on the
//! question, each answer and each feedback, stripped as Moodle strips them), `\~ \= \#
//! \{ \} \:` escapes, per-answer `#feedback` and `####general feedback`, `%50%` weights.
//!
//! Mapped: multiple choice with one right answer → A1, several right (positive weights)
//! → X, `{T}`/`{FALSE}` → TF. Reported in `skipped`: descriptions, essays, short answer,
//! numerical, matching and multi-gap (cloze) questions, and questions with media in an
//! option. Media in a stem is removed with a warning.
//!
//! cunyi's own export writes a `// cunyi: {json}` comment before each question (`Meta`):
//! Moodle ignores it; imported into the same collection, it keeps the question's id and
//! what GIFT cannot say.

use serde::{Deserialize, Serialize};

use super::media;
use super::{Found, Read, blank, html_to_text, key_of, malformed, tidy};
use crate::bank::{Malformed, QType, Skipped};

/// A character and whether it was escaped with `\`.
type Tok = (char, bool);

/// What a cunyi export says of a question beyond GIFT (`// cunyi: {…}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub id: String,
    pub collection: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub qtype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The comment line that carries a `Meta`.
pub const META_PREFIX: &str = "// cunyi:";

struct Block {
    line: usize,
    text: String,
    meta: Option<Meta>,
}

pub fn read(text: &str, area: &str) -> Read {
    let mut out = Read::default();
    let mut topic = String::new();
    let mut category = String::new();
    let (blocks, unclosed) = blocks(text);
    for block in blocks {
        let position = format!("第 {} 行", block.line);
        let trimmed = block.text.trim_start();
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
        let toks = tokens(&block.text);
        match question(&toks, &position) {
            Err(fault) => out.faults.push(fault),
            Ok(Parsed::Skip(reason)) => out.skipped.push(Skipped { position, reason }),
            Ok(Parsed::Question {
                title,
                stem,
                removed,
                kind,
            }) => {
                let (qtype, options, answer, explanation) = kind;
                if !removed.is_empty() {
                    out.warn(
                        &position,
                        format!(
                            "题干中的{}已删除（题目只保存文字），请核对题目是否仍可作答",
                            media::describe(&removed)
                        ),
                    );
                }
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
                let mut found = Found::new(position, key, q);
                found.exported = block.meta;
                out.found.push(found);
            }
        }
    }
    out.faults.extend(unclosed);
    out
}

/// Question blocks: runs of lines separated by blank lines, with `//` comment lines
/// dropped (a `// cunyi:` line is kept for the next block); a block whose `{` is still
/// open continues past a blank line. Each block comes with its first line's number; a
/// last block still open at the end of the file is a fault.
fn blocks(text: &str) -> (Vec<Block>, Option<Malformed>) {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    let mut meta: Option<Meta> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            if current.is_none()
                && let Some(json) = trimmed.strip_prefix(META_PREFIX)
            {
                meta = serde_json::from_str(json.trim()).ok();
            }
            continue;
        }
        if line.trim().is_empty() {
            if let Some(block) = current.take() {
                if open_brace(&block.text) {
                    current = Some(Block {
                        text: block.text + "\n",
                        ..block
                    });
                } else {
                    blocks.push(block);
                }
            }
            continue;
        }
        match &mut current {
            Some(block) => {
                block.text.push('\n');
                block.text.push_str(line);
            }
            None => {
                current = Some(Block {
                    line: n,
                    text: line.to_owned(),
                    meta: meta.take(),
                })
            }
        }
    }
    let mut unclosed = None;
    if let Some(block) = current {
        if open_brace(&block.text) {
            unclosed = Some(malformed(
                &format!("第 {} 行", block.line),
                "答案区的 { 没有对应的 }".into(),
            ));
        } else {
            blocks.push(block);
        }
    }
    (blocks, unclosed)
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

enum Parsed {
    Skip(String),
    Question {
        title: String,
        stem: String,
        /// Media removed from the stem.
        removed: Vec<media::Media>,
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

fn split_unescaped(toks: &[Tok], sep: char) -> Vec<&[Tok]> {
    toks.split(|t| *t == (sep, false)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_ok(text: &str) -> Read {
        let r = read(text, "public_health");
        assert!(r.faults.is_empty(), "{:?}", r.faults);
        r
    }

    fn faults(text: &str) -> Vec<Malformed> {
        read(text, "public_health").faults
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
        let e = &faults("\n\n::t::题目 {=甲 ~乙\n\n")[0];
        assert_eq!(e.position, "第 3 行");
        let e = &faults("题目 {~甲 ~乙}")[0];
        assert!(e.message.contains("没有正确答案"));
        let e = &faults("::没有结尾 题目 {=甲 ~乙}")[0];
        assert!(e.message.contains("::"));
    }

    #[test]
    fn every_fault_in_a_file_is_reported() {
        let file = "题一 {~甲 ~乙}\n\n::好::题二 {=甲 ~乙}\n\n::坏 题三 {=甲 ~乙}\n\n题四 {=甲 ~%x%乙}\n\n题五 {=甲 ~乙\n";
        let found: Vec<String> = faults(file).into_iter().map(|f| f.position).collect();
        assert_eq!(found, vec!["第 1 行", "第 5 行", "第 7 行", "第 9 行"]);
    }

    #[test]
    fn format_markers_are_stripped_from_answers_and_feedback() {
        let r = read_ok(
            "::色::[html]<p>天空是什么颜色？</p>{\n\
             ~[plain]red#[html]<b>不对</b>\n\
             =[plain]blue#[markdown]对\n\
             ~[moodle]green\n\
             ~%0%[html]<i>black</i>\n\
             ####[html]<p>晴天是<b>蓝色</b></p>\n}\n\n\
             判断 {TRUE#[plain]错了#[html]<p>对</p>}\n",
        );
        let q = &r.found[0].question;
        assert_eq!(q.options, vec!["red", "blue", "green", "black"]);
        assert_eq!(
            (q.answer.as_str(), q.explanation.as_str()),
            ("B", "晴天是蓝色")
        );
        assert_eq!(r.found[1].question.explanation, "对");
        let r = read_ok("题 {=[html]<b>甲</b>#[plain]对 ~乙}");
        assert_eq!(r.found[0].question.options[0], "甲");
        assert_eq!(r.found[0].question.explanation, "对");
    }

    #[test]
    fn media_leaves_a_stem_with_a_warning_and_an_option_with_a_skip() {
        let r = read_ok(
            "::图::[html]<p>心电图如下<img src=\"@@PLUGINFILE@@/ecg.png\">，诊断为</p>{=房颤 ~窦律}\n\n\
             ::图选项::[html]选出房颤 {=<img src=\"@@PLUGINFILE@@/a.png\"> ~窦律}\n\n\
             ::只有图::[html]<img src=\"@@PLUGINFILE@@/b.png\">{=甲 ~乙}\n",
        );
        assert_eq!(r.found.len(), 1);
        assert_eq!(r.found[0].question.stem, "心电图如下，诊断为");
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].position, "第 1 行");
        assert!(r.warnings[0].reason.contains("图片"), "{:?}", r.warnings);
        assert!(r.skipped[0].reason.contains("选项含"));
        assert!(r.skipped[1].reason.contains("题干只有"));
    }

    #[test]
    fn an_exports_meta_line_travels_with_its_question() {
        let r = read_ok(
            "// cunyi: {\"id\":\"zz-1\",\"collection\":\"zz\",\"type\":\"A2\"}\n::zz-1::题 {=甲 ~乙}\n\n::b::题二 {=甲 ~乙}\n",
        );
        let meta = r.found[0].exported.as_ref().unwrap();
        assert_eq!(
            (meta.id.as_str(), meta.qtype.as_deref()),
            ("zz-1", Some("A2"))
        );
        assert!(r.found[1].exported.is_none());
    }
}
