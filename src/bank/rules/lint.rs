//! The bank's quality lint (issue 13): the cues a test-wise candidate could score on
//! without knowing the medicine, and the bank's mix against the national exam frame.
//! Pure: questions and thresholds (question_bank/lint.toml) in, a report out.
//!
//! Measured: longest-option-is-key, key letters per type (χ² against uniform), X key
//! sizes, absolute words in keys and distractors, the true/false balance, enemy pairs
//! declared on one side only, the frame mix and the 中医 share, and the bank's size.

mod config;
mod table;
mod width;

use std::collections::BTreeMap;

pub use config::{
    AbsoluteWords, FrameMix, KeyLetters, LintConfig, LongestOption, TrueFalse, XKeys,
};

pub use width::{display_width, uniquely_longest};

use super::stats::{ChiSquare, chi_square_gof};
use crate::bank::{Frame, QType, Question};

/// Which measure a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    ItemCount,
    LongestOption,
    KeyLetters,
    XKeyCount,
    AbsoluteWords,
    TrueFalse,
    OneSidedEnemies,
    FrameMix,
    TcmShare,
}

impl Check {
    pub fn label(self) -> &'static str {
        match self {
            Check::ItemCount => "题量",
            Check::LongestOption => "最长选项即答案",
            Check::KeyLetters => "答案字母分布",
            Check::XKeyCount => "X 型题答案个数",
            Check::AbsoluteWords => "绝对化用语",
            Check::TrueFalse => "判断题对错比例",
            Check::OneSidedEnemies => "单方声明的互斥题",
            Check::FrameMix => "考试大纲板块比例",
            Check::TcmShare => "全科医疗中的中医比例",
        }
    }
}

/// Fail: a threshold is exceeded. Warn: worth a look, never fails the lint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Fail,
    Warn,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub check: Check,
    pub severity: Severity,
    /// What part of the bank: `全部`, a type (`A1`), an area code, a frame.
    pub scope: String,
    pub message: String,
}

/// A rate: hits among counted items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    pub hits: usize,
    pub counted: usize,
}

impl Rate {
    pub fn value(self) -> Option<f64> {
        (self.counted > 0).then(|| self.hits as f64 / self.counted as f64)
    }

    fn add(&mut self, hit: bool) {
        self.counted += 1;
        self.hits += usize::from(hit);
    }
}

/// Key letters of one type: counts per letter (A first) and the χ² test.
#[derive(Debug, Clone, PartialEq)]
pub struct LetterSpread {
    pub qtype: QType,
    pub counts: Vec<usize>,
    pub test: ChiSquare,
}

impl LetterSpread {
    pub fn n(&self) -> usize {
        self.counts.iter().sum()
    }
}

/// Options with an absolute word among keys and among distractors.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WordUse {
    pub keys: Rate,
    pub distractors: Rate,
    /// Per word: (word, in keys, in distractors).
    pub per_word: Vec<(String, usize, usize)>,
}

/// What the lint measured, and what it found.
#[derive(Debug, Clone, PartialEq)]
pub struct LintReport {
    pub total: usize,
    pub min_items: usize,
    /// Longest option is the key: overall, per type, per area (codes).
    pub longest_overall: Rate,
    pub longest_by_type: BTreeMap<QType, Rate>,
    pub longest_by_area: BTreeMap<String, Rate>,
    pub letters: Vec<LetterSpread>,
    /// X items by the number of letters in their key.
    pub x_key_sizes: BTreeMap<usize, usize>,
    pub words: WordUse,
    pub true_false: Rate,
    pub enemy_pairs: usize,
    pub one_sided: Vec<(String, String)>,
    pub frames: BTreeMap<Frame, usize>,
    /// Items per area (code), shown with the frame mix.
    pub by_area: BTreeMap<String, usize>,
    /// 中医 items among 全科医疗 items.
    pub tcm_in_general_practice: Rate,
    pub findings: Vec<Finding>,
}

impl LintReport {
    pub fn failures(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Fail)
    }

    pub fn passed(&self) -> bool {
        self.failures().next().is_none()
    }
}

/// The option indexes of a key (`"B"` → 1, `"ACD"` → 0, 2, 3).
fn key_indexes(q: &Question) -> Vec<usize> {
    q.answer
        .bytes()
        .filter(u8::is_ascii_uppercase)
        .map(|b| usize::from(b - b'A'))
        .filter(|i| *i < q.options.len())
        .collect()
}

fn single_with_own_options(t: QType) -> bool {
    matches!(t, QType::A1 | QType::A2 | QType::A3 | QType::A4)
}

pub(super) fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

pub(super) fn rate_text(r: Rate) -> String {
    match r.value() {
        Some(v) => format!("{} ({}/{})", percent(v), r.hits, r.counted),
        None => "—".into(),
    }
}

/// Measure `questions` against `config`.
pub fn lint(questions: &[Question], config: &LintConfig) -> LintReport {
    let mut findings = Vec::new();
    let mut fail = |check: Check, scope: &str, message: String| {
        findings.push(Finding {
            check,
            severity: Severity::Fail,
            scope: scope.to_owned(),
            message,
        })
    };

    let total = questions.len();
    if total < config.min_items {
        fail(
            Check::ItemCount,
            "全部",
            format!("题库有 {total} 题，少于 {} 题", config.min_items),
        );
    }

    // Longest option is the key.
    let mut longest_overall = Rate::default();
    let mut longest_by_type: BTreeMap<QType, Rate> = BTreeMap::new();
    let mut longest_by_area: BTreeMap<String, Rate> = BTreeMap::new();
    for q in questions
        .iter()
        .filter(|q| single_with_own_options(q.qtype))
    {
        let keys = key_indexes(q);
        let (Some(longest), [key]) = (uniquely_longest(&q.options), keys.as_slice()) else {
            continue;
        };
        let hit = longest == *key;
        longest_overall.add(hit);
        longest_by_type.entry(q.qtype).or_default().add(hit);
        longest_by_area.entry(q.area.clone()).or_default().add(hit);
    }
    let max_rate = config.longest_option.max_rate;
    if longest_overall.value().is_some_and(|v| v > max_rate) {
        fail(
            Check::LongestOption,
            "全部",
            format!(
                "最长选项即答案的比例 {}，超过 {}",
                rate_text(longest_overall),
                percent(max_rate)
            ),
        );
    }
    for (area, rate) in &longest_by_area {
        if rate.counted >= config.longest_option.min_sample
            && rate.value().is_some_and(|v| v > max_rate)
        {
            fail(
                Check::LongestOption,
                area,
                format!(
                    "“{}”中最长选项即答案的比例 {}，超过 {}",
                    crate::areas::label(area),
                    rate_text(*rate),
                    percent(max_rate)
                ),
            );
        }
    }

    // Key letters per single-answer type.
    let mut letters = Vec::new();
    for qtype in [QType::A1, QType::A2, QType::A3, QType::A4, QType::B1] {
        let items: Vec<&Question> = questions
            .iter()
            .filter(|q| q.qtype == qtype && q.answer.len() == 1 && !q.options.is_empty())
            .collect();
        if items.is_empty() {
            continue;
        }
        let width = items.iter().map(|q| q.options.len()).max().unwrap_or(0);
        let mut counts = vec![0usize; width];
        let mut expected = vec![0f64; width];
        for q in &items {
            if let [key] = key_indexes(q).as_slice() {
                counts[*key] += 1;
                for e in expected.iter_mut().take(q.options.len()) {
                    *e += 1.0 / q.options.len() as f64;
                }
            }
        }
        let observed: Vec<f64> = counts.iter().map(|c| *c as f64).collect();
        let spread = LetterSpread {
            qtype,
            test: chi_square_gof(&observed, &expected),
            counts,
        };
        if spread.n() >= config.key_letters.min_sample && spread.test.p < config.key_letters.alpha {
            fail(
                Check::KeyLetters,
                qtype.as_str(),
                format!(
                    "{} 答案字母分布不均（{}；χ² = {:.2}，自由度 {}，p = {:.4} < {}）",
                    qtype.as_str(),
                    letter_counts(&spread.counts),
                    spread.test.statistic,
                    spread.test.df,
                    spread.test.p,
                    config.key_letters.alpha
                ),
            );
        }
        letters.push(spread);
    }

    // X key sizes.
    let mut x_key_sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for q in questions.iter().filter(|q| q.qtype == QType::X) {
        *x_key_sizes.entry(key_indexes(q).len()).or_default() += 1;
    }
    let x_total: usize = x_key_sizes.values().sum();
    if x_total > 0 {
        let share = |k: usize| x_key_sizes.get(&k).copied().unwrap_or(0) as f64 / x_total as f64;
        for k in &config.x_keys.spread {
            if share(*k) < config.x_keys.min_share {
                fail(
                    Check::XKeyCount,
                    &format!("{k} 个答案"),
                    format!(
                        "X 型题中 {k} 个正确答案的只占 {}，应至少 {}",
                        percent(share(*k)),
                        percent(config.x_keys.min_share)
                    ),
                );
            }
        }
        for (k, _) in x_key_sizes.iter() {
            if share(*k) > config.x_keys.max_share {
                fail(
                    Check::XKeyCount,
                    &format!("{k} 个答案"),
                    format!(
                        "X 型题中 {k} 个正确答案的占 {}，超过 {}",
                        percent(share(*k)),
                        percent(config.x_keys.max_share)
                    ),
                );
            }
        }
    }

    // Absolute words in keys and distractors.
    let words = &config.absolute_words.words;
    let mut word_use = WordUse {
        per_word: words.iter().map(|w| (w.clone(), 0, 0)).collect(),
        ..WordUse::default()
    };
    for q in questions
        .iter()
        .filter(|q| single_with_own_options(q.qtype) || q.qtype == QType::X)
    {
        let keys = key_indexes(q);
        for (i, option) in q.options.iter().enumerate() {
            let is_key = keys.contains(&i);
            let mut any = false;
            for (w, in_keys, in_distractors) in word_use.per_word.iter_mut() {
                if option.contains(w.as_str()) {
                    any = true;
                    if is_key {
                        *in_keys += 1;
                    } else {
                        *in_distractors += 1;
                    }
                }
            }
            if is_key {
                word_use.keys.add(any);
            } else {
                word_use.distractors.add(any);
            }
        }
    }
    if let (Some(k), Some(d)) = (word_use.keys.value(), word_use.distractors.value())
        && d - k > config.absolute_words.max_margin
    {
        fail(
            Check::AbsoluteWords,
            "全部",
            format!(
                "干扰项含绝对化用语的比例 {} 比答案 {} 高出 {}，超过 {}",
                rate_text(word_use.distractors),
                rate_text(word_use.keys),
                percent(d - k),
                percent(config.absolute_words.max_margin)
            ),
        );
    }

    // True/false balance.
    let mut true_false = Rate::default();
    for q in questions.iter().filter(|q| q.qtype == QType::TF) {
        true_false.add(q.answer == "T");
    }
    if let Some(v) = true_false.value()
        && !(config.true_false.min_true..=config.true_false.max_true).contains(&v)
    {
        fail(
            Check::TrueFalse,
            QType::TF.as_str(),
            format!(
                "判断题中答案为“正确”的占 {}，应在 {}–{} 之间",
                rate_text(true_false),
                percent(config.true_false.min_true),
                percent(config.true_false.max_true)
            ),
        );
    }

    // Enemy pairs.
    let enemy_pairs = super::enemy_pairs(questions).len();
    let one_sided = super::one_sided_excludes(questions);
    if !one_sided.is_empty() {
        let shown: Vec<String> = one_sided
            .iter()
            .take(20)
            .map(|(a, b)| format!("{a} → {b}"))
            .collect();
        let more = one_sided.len().saturating_sub(shown.len());
        findings.push(Finding {
            check: Check::OneSidedEnemies,
            severity: Severity::Warn,
            scope: "全部".into(),
            message: format!(
                "{} 对互斥题只在一方声明（出卷时按双方互斥处理）：{}{}",
                one_sided.len(),
                shown.join("，"),
                if more > 0 {
                    format!("……另有 {more} 对")
                } else {
                    String::new()
                }
            ),
        });
    }

    // Frame mix.
    let mut frames: BTreeMap<Frame, usize> = Frame::ALL.iter().map(|f| (*f, 0)).collect();
    let mut tcm_in_general_practice = Rate::default();
    let mut by_area: BTreeMap<String, usize> = BTreeMap::new();
    for q in questions {
        *frames.entry(q.frame).or_default() += 1;
        *by_area.entry(q.area.clone()).or_default() += 1;
        if q.frame == Frame::GeneralPractice {
            tcm_in_general_practice.add(q.tcm);
        }
    }
    if total > 0 {
        for (frame, n) in &frames {
            let [low, high] = config.frame.band(*frame);
            let share = *n as f64 / total as f64;
            if !(low..=high).contains(&share) {
                findings.push(Finding {
                    check: Check::FrameMix,
                    severity: Severity::Fail,
                    scope: frame.as_str().into(),
                    message: format!(
                        "“{}”占 {}（{n}/{total}），应在 {}–{} 之间",
                        frame.label(),
                        percent(share),
                        percent(low),
                        percent(high)
                    ),
                });
            }
        }
        let [low, high] = config.frame.tcm_in_general_practice;
        let share = tcm_in_general_practice.value().unwrap_or(0.0);
        if !(low..=high).contains(&share) {
            findings.push(Finding {
                check: Check::TcmShare,
                severity: Severity::Fail,
                scope: Frame::GeneralPractice.as_str().into(),
                message: format!(
                    "全科医疗中的中医题占 {}，应在 {}–{} 之间",
                    rate_text(tcm_in_general_practice),
                    percent(low),
                    percent(high)
                ),
            });
        }
    }

    LintReport {
        total,
        min_items: config.min_items,
        longest_overall,
        longest_by_type,
        longest_by_area,
        letters,
        x_key_sizes,
        words: word_use,
        true_false,
        enemy_pairs,
        one_sided,
        frames,
        by_area,
        tcm_in_general_practice,
        findings,
    }
}

pub(super) fn letter_counts(counts: &[usize]) -> String {
    counts
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{} {n}", Question::letter(i)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;
