//! Aiken: a stem (one or more lines), options `A.` / `B)` (also the Chinese `A．`、`A、`、
//! `A）`), then `ANSWER: B`. One letter → A1; several (`ANSWER: AC`, a common Chinese
//! extension) → X. An optional `解析：` / `EXPLANATION:` line after the answer becomes
//! the explanation.

use super::{Found, Read, blank, key_of, media};

enum State {
    Idle,
    Stem,
    Options,
    /// After a fault inside a question: wait for its ANSWER line.
    Skipping,
}

struct Pending {
    line: usize,
    stem: Vec<String>,
    options: Vec<String>,
}

impl Pending {
    fn starting(line: usize, text: &str) -> Pending {
        Pending {
            line,
            stem: vec![text.to_owned()],
            options: Vec::new(),
        }
    }
}

/// Every fault is reported: after one, reading goes on at the next question (the next
/// ANSWER line, or the line that should have been one).
pub fn read(text: &str, area: &str) -> Read {
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
            if matches!(state, State::Skipping) {
                state = State::Idle;
                continue;
            }
            state = State::Idle;
            if pending.options.len() < 2 {
                out.fault(&at, "ANSWER 行之前应有题干和至少两个选项（A. … B. …）");
                continue;
            }
            if let Some(found) = question(&mut pending, value, area, &at, &mut out) {
                out.found.push(found);
            }
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
            (State::Skipping, _) => {}
            (State::Stem | State::Options, Some((letter, text))) if letter == expected => {
                pending.options.push(text.to_owned());
                state = State::Options;
            }
            (State::Options, Some((letter, _))) => {
                out.fault(&at, format!("选项字母应为 {expected}，而不是 {letter}"));
                state = State::Skipping;
            }
            (State::Options, None) => {
                out.fault(
                    &at,
                    format!(
                        "第 {} 行起的题目缺少 ANSWER 行（例如 ANSWER: B）：选项之后应为下一个选项或 ANSWER 行",
                        pending.line
                    ),
                );
                // Most likely the next question's stem: read on from here.
                pending = Pending::starting(n, line);
                state = State::Stem;
            }
            (State::Idle, _) => {
                pending = Pending::starting(n, line);
                state = State::Stem;
            }
            (State::Stem, _) => pending.stem.push(line.to_owned()),
        }
    }
    if matches!(state, State::Stem | State::Options) {
        out.fault(
            &format!("第 {} 行", pending.line),
            "这道题缺少 ANSWER 行（例如 ANSWER: B）",
        );
    }
    out
}

/// The question `pending` makes with the key `value` (on the line `at`), or the fault.
fn question(
    pending: &mut Pending,
    value: &str,
    area: &str,
    at: &str,
    out: &mut Read,
) -> Option<Found> {
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
                out.fault(
                    at,
                    format!(
                        "答案 {c} 不在选项 A–{} 中",
                        (b'A' + pending.options.len() as u8 - 1) as char
                    ),
                );
                return None;
            }
        }
    }
    let (qtype, answer) = key_of(&correct);
    let Some(qtype) = qtype else {
        out.fault(at, format!("ANSWER 行“{value}”没有给出选项字母"));
        return None;
    };
    let position = format!("第 {} 行", pending.line);
    let (stem, removed) = media::strip(&pending.stem.join("\n"));
    if !removed.is_empty() {
        out.warn(
            &position,
            format!(
                "题干中的{}已删除（题目只保存文字），请核对题目是否仍可作答",
                media::describe(&removed)
            ),
        );
    }
    let mut q = blank(area, "", qtype);
    q.stem = super::tidy(&stem);
    q.options = std::mem::take(&mut pending.options);
    q.answer = answer;
    q.source = "Aiken 导入".into();
    let key = pending.stem.join("\n");
    Some(Found::new(position, key, q))
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
        let r = read(file, "public_health");
        assert!(r.faults.is_empty(), "{:?}", r.faults);
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

    fn first_fault(text: &str) -> crate::bank::Malformed {
        read(text, "x").faults.remove(0)
    }

    #[test]
    fn faults_name_their_line() {
        let e = first_fault("题干\nA. 甲\nB. 乙\nANSWER: E\n");
        assert_eq!(e.position, "第 4 行");
        let e = first_fault("题干\nA. 甲\nB. 乙\n\n下一题\nA. 甲\n");
        assert_eq!(e.position, "第 5 行", "{e:?}");
        let e = first_fault("题干\nA. 甲\nC. 乙\nANSWER: A\n");
        assert_eq!(e.position, "第 3 行");
        let e = first_fault("题干\nA. 甲\nB. 乙\n");
        assert!(e.message.contains("ANSWER"));
    }

    #[test]
    fn four_faults_are_four_positions_and_good_questions_between_are_read() {
        let file = "题一\nA. 甲\nB. 乙\nANSWER: F\n\n\
                    题二\nA. 甲\nC. 乙\nANSWER: A\n\n\
                    题三\nA. 甲\nB. 乙\nANSWER: B\n\n\
                    题四\nA. 甲\nB. 乙\n题五\nA. 甲\nB. 乙\nANSWER: A\n\n\
                    题六\nANSWER: A\n";
        let r = read(file, "x");
        let at: Vec<&str> = r.faults.iter().map(|f| f.position.as_str()).collect();
        assert_eq!(
            at,
            vec!["第 4 行", "第 8 行", "第 19 行", "第 25 行"],
            "{:?}",
            r.faults
        );
        let stems: Vec<&str> = r.found.iter().map(|f| f.question.stem.as_str()).collect();
        assert_eq!(stems, vec!["题三", "题五"]);
    }
}
