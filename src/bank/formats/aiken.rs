//! Aiken: a stem (one or more lines), options `A.` / `B)` (also the Chinese `A．`、`A、`、
//! `A）`), then `ANSWER: B`. One letter → A1; several (`ANSWER: AC`, a common Chinese
//! extension) → X. An optional `解析：` / `EXPLANATION:` line after the answer becomes
//! the explanation.

use super::{Found, Read, blank, key_of, malformed};
use crate::bank::Malformed;

enum State {
    Idle,
    Stem,
    Options,
}

struct Pending {
    line: usize,
    stem: Vec<String>,
    options: Vec<String>,
}

pub fn read(text: &str, area: &str) -> Result<Read, Malformed> {
    let mut out = Read::default();
    let mut state = State::Idle;
    let mut pending = Pending {
        line: 0,
        stem: Vec::new(),
        options: Vec::new(),
    };
    for (i, raw) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let at = format!("第 {n} 行");
        if let Some(value) = answer_line(line) {
            if pending.options.len() < 2 {
                return Err(malformed(
                    &at,
                    "ANSWER 行之前应有题干和至少两个选项（A. … B. …）".into(),
                ));
            }
            let letters: Vec<char> = value
                .chars()
                .filter(|c| c.is_ascii_alphabetic())
                .map(|c| c.to_ascii_uppercase())
                .collect();
            let mut correct = vec![false; pending.options.len()];
            for c in &letters {
                let index = (*c as u8 - b'A') as usize;
                match correct.get_mut(index) {
                    Some(slot) => *slot = true,
                    None => {
                        return Err(malformed(
                            &at,
                            format!(
                                "答案 {c} 不在选项 A–{} 中",
                                (b'A' + pending.options.len() as u8 - 1) as char
                            ),
                        ));
                    }
                }
            }
            let (qtype, answer) = key_of(&correct);
            let Some(qtype) = qtype else {
                return Err(malformed(
                    &at,
                    format!("ANSWER 行“{value}”没有给出选项字母"),
                ));
            };
            let mut q = blank(area, "", qtype);
            q.stem = pending.stem.join("\n");
            q.options = std::mem::take(&mut pending.options);
            q.answer = answer;
            q.source = "Aiken 导入".into();
            out.found.push(Found {
                position: format!("第 {} 行", pending.line),
                key: q.stem.clone(),
                explicit_id: None,
                question: q,
            });
            pending.stem.clear();
            state = State::Idle;
            continue;
        }
        if let Some(explanation) = explanation_line(line)
            && matches!(state, State::Idle)
            && let Some(last) = out.found.last_mut()
        {
            last.question.explanation = explanation.to_owned();
            continue;
        }
        let expected = (b'A' + pending.options.len() as u8) as char;
        match (&state, option_line(line)) {
            (State::Stem | State::Options, Some((letter, text))) if letter == expected => {
                pending.options.push(text.to_owned());
                state = State::Options;
            }
            (State::Options, Some((letter, _))) => {
                return Err(malformed(
                    &at,
                    format!("选项字母应为 {expected}，而不是 {letter}"),
                ));
            }
            (State::Options, None) => {
                return Err(malformed(
                    &at,
                    "选项之后应为下一个选项或 ANSWER 行（例如 ANSWER: B）".into(),
                ));
            }
            (State::Idle, _) => {
                pending = Pending {
                    line: n,
                    stem: vec![line.to_owned()],
                    options: Vec::new(),
                };
                state = State::Stem;
            }
            (State::Stem, _) => pending.stem.push(line.to_owned()),
        }
    }
    if !matches!(state, State::Idle) {
        return Err(malformed(
            &format!("第 {} 行", pending.line),
            "这道题缺少 ANSWER 行（例如 ANSWER: B）".into(),
        ));
    }
    Ok(out)
}

fn answer_line(line: &str) -> Option<&str> {
    let upper = line.get(..6)?;
    if upper.eq_ignore_ascii_case("ANSWER") {
        let rest = line[6..].trim_start();
        return rest.strip_prefix([':', '：']).map(str::trim);
    }
    None
}

fn explanation_line(line: &str) -> Option<&str> {
    for prefix in ["解析：", "解析:", "EXPLANATION:", "Explanation:"] {
        if let Some(rest) = line.strip_prefix(prefix) {
            return Some(rest.trim());
        }
    }
    None
}

fn option_line(line: &str) -> Option<(char, &str)> {
    let mut chars = line.char_indices();
    let (_, letter) = chars.next()?;
    if !letter.is_ascii_uppercase() {
        return None;
    }
    let (at, sep) = chars.next()?;
    if !matches!(sep, '.' | ')' | '．' | '、' | '）') {
        return None;
    }
    let text = line[at + sep.len_utf8()..].trim();
    (!text.is_empty()).then_some((letter, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::QType;

    #[test]
    fn a_chinese_aiken_file() {
        let file = "\u{feff}老年人健康管理的服务对象是辖区内\n多少岁及以上的常住居民？\nA. 55 岁\nB) 60 岁\nC．65 岁\nD、70 岁\nANSWER: C\n解析：65 岁及以上常住居民。\n\n属于高血压危险因素的有\nA. 高盐饮食\nB. 规律运动\nC. 过量饮酒\nANSWER：AC\n";
        let r = read(file, "public_health").unwrap();
        assert_eq!(r.found.len(), 2);
        let q = &r.found[0].question;
        assert_eq!(
            q.stem,
            "老年人健康管理的服务对象是辖区内\n多少岁及以上的常住居民？"
        );
        assert_eq!(q.options, vec!["55 岁", "60 岁", "65 岁", "70 岁"]);
        assert_eq!((q.qtype, q.answer.as_str()), (QType::A1, "C"));
        assert_eq!(q.explanation, "65 岁及以上常住居民。");
        assert_eq!(
            (
                r.found[1].question.qtype,
                r.found[1].question.answer.as_str()
            ),
            (QType::X, "AC")
        );
        assert_eq!(r.found[1].position, "第 10 行");
    }

    #[test]
    fn faults_name_their_line() {
        let e = read("题干\nA. 甲\nB. 乙\nANSWER: E\n", "x").unwrap_err();
        assert_eq!(e.position, "第 4 行");
        let e = read("题干\nA. 甲\nB. 乙\n\n下一题\nA. 甲\n", "x").unwrap_err();
        assert_eq!(e.position, "第 5 行", "{e:?}");
        let e = read("题干\nA. 甲\nC. 乙\nANSWER: A\n", "x").unwrap_err();
        assert_eq!(e.position, "第 3 行");
        let e = read("题干\nA. 甲\nB. 乙\n", "x").unwrap_err();
        assert!(e.message.contains("ANSWER"));
    }
}
