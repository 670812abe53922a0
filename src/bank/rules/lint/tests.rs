//! The lint on a synthetic bank that passes every threshold, then broken one threshold
//! at a time: each break is named, and only it.

use std::collections::BTreeSet;

use super::*;
use crate::bank::{Difficulty, Question};

fn config() -> LintConfig {
    LintConfig::parse(crate::bank::files::LINT_CONFIG).unwrap()
}

/// How to build the synthetic bank; `Knobs::default()` passes every threshold.
#[derive(Clone)]
struct Knobs {
    n: usize,
    /// Every A1 key is its item's longest option (else one in ten).
    longest_always: bool,
    /// …or only in this area.
    longest_in: Option<&'static str>,
    /// Every A1 key is `A` (else A–E in turn).
    keys_all_a: bool,
    /// Every X key has two letters (else 2, 3, 4 in turn).
    x_all_two: bool,
    /// Distractors carry an absolute word (else no option does).
    absolute_distractors: bool,
    /// Every TF answer is true (else T and F in turn).
    tf_all_true: bool,
    /// Public health share in percent (32 otherwise).
    public_health_percent: usize,
    /// No 中医 items (else 3 in 10 of 全科医疗).
    no_tcm: bool,
    /// The first item names the second as an enemy, not the other way round.
    one_sided_enemy: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            n: 1200,
            longest_always: false,
            longest_in: None,
            keys_all_a: false,
            x_all_two: false,
            absolute_distractors: false,
            tf_all_true: false,
            public_health_percent: 32,
            no_tcm: false,
            one_sided_enemy: false,
        }
    }
}

const GENERAL_AREAS: [&str; 6] = [
    "general_practice",
    "clinical_skills",
    "emergency",
    "pharmacy",
    "diagnostics",
    "health_management",
];

fn bank(k: &Knobs) -> Vec<Question> {
    let (mut a1, mut x, mut tf, mut gp) = (0usize, 0usize, 0usize, 0usize);
    // A1 items per area, so that each area has its one in ten longest keys.
    let mut a1_in: std::collections::HashMap<&str, usize> = Default::default();
    let mut out = Vec::with_capacity(k.n);
    for i in 0..k.n {
        let slot = i % 100;
        let (area, frame) = if slot < k.public_health_percent {
            ("public_health", Frame::PublicHealth)
        } else if slot < 92 {
            gp += 1;
            (
                GENERAL_AREAS[gp % GENERAL_AREAS.len()],
                Frame::GeneralPractice,
            )
        } else {
            ("policy_law", Frame::Humanities)
        };
        let tcm = frame == Frame::GeneralPractice && !k.no_tcm && gp % 10 < 3;
        let qtype = match i % 10 {
            0..=5 => QType::A1,
            6 | 7 => QType::X,
            _ => QType::TF,
        };
        let mut q = Question {
            qid: format!("fx-{i:05}"),
            collection: "core".into(),
            area: area.into(),
            topic: "合成".into(),
            qtype,
            difficulty: Some(Difficulty::Medium),
            group_id: None,
            case_text: None,
            stem: format!("第 {i} 题"),
            options: Vec::new(),
            answer: String::new(),
            explanation: "解析".into(),
            source: "出处".into(),
            frame,
            tcm,
            excludes: Vec::new(),
        };
        let word = |is_key: bool| {
            if k.absolute_distractors && !is_key {
                "一定"
            } else {
                "大致"
            }
        };
        match qtype {
            QType::A1 => {
                let key = if k.keys_all_a { 0 } else { a1 % 5 };
                let nth = a1_in.entry(area).or_default();
                let longest_is_key =
                    k.longest_always || k.longest_in == Some(area) || nth.is_multiple_of(10);
                *nth += 1;
                let longest = if longest_is_key { key } else { (key + 1) % 5 };
                q.options = (0..5)
                    .map(|o| {
                        let tail = if o == longest { "较长的说法" } else { "" };
                        format!("选项{}{}{tail}", word(o == key), Question::letter(o))
                    })
                    .collect();
                q.answer = Question::letter(key).to_string();
                a1 += 1;
            }
            QType::X => {
                let size = if k.x_all_two { 2 } else { 2 + x % 3 };
                let keys: Vec<usize> = (0..size).map(|s| (x + s) % 5).collect();
                q.options = (0..5)
                    .map(|o| format!("选项{}{}", word(keys.contains(&o)), Question::letter(o)))
                    .collect();
                let mut letters: Vec<char> = keys.iter().map(|i| Question::letter(*i)).collect();
                letters.sort_unstable();
                q.answer = letters.into_iter().collect();
                x += 1;
            }
            _ => {
                q.answer = if k.tf_all_true || tf.is_multiple_of(2) {
                    "T"
                } else {
                    "F"
                }
                .into();
                tf += 1;
            }
        }
        out.push(q);
    }
    if k.one_sided_enemy {
        out[0].excludes = vec![out[1].qid.clone()];
    }
    out
}

fn failing(report: &LintReport) -> BTreeSet<Check> {
    report.failures().map(|f| f.check).collect()
}

#[test]
fn the_synthetic_bank_passes_every_threshold() {
    let report = lint(&bank(&Knobs::default()), &config());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.passed());
    assert_eq!(report.total, 1200);
    let table = report.table(&config());
    assert!(table.contains("题库质量检查通过"), "{table}");
}

#[test]
fn each_broken_threshold_is_named_and_only_it() {
    let cases: Vec<(Knobs, Check, &str)> = vec![
        (
            Knobs {
                n: 999,
                ..Knobs::default()
            },
            Check::ItemCount,
            "全部",
        ),
        (
            Knobs {
                longest_always: true,
                ..Knobs::default()
            },
            Check::LongestOption,
            "全部",
        ),
        (
            Knobs {
                longest_in: Some("emergency"),
                ..Knobs::default()
            },
            Check::LongestOption,
            "emergency",
        ),
        (
            Knobs {
                keys_all_a: true,
                ..Knobs::default()
            },
            Check::KeyLetters,
            "A1",
        ),
        (
            Knobs {
                x_all_two: true,
                ..Knobs::default()
            },
            Check::XKeyCount,
            "2 个答案",
        ),
        (
            Knobs {
                absolute_distractors: true,
                ..Knobs::default()
            },
            Check::AbsoluteWords,
            "全部",
        ),
        (
            Knobs {
                tf_all_true: true,
                ..Knobs::default()
            },
            Check::TrueFalse,
            "TF",
        ),
        (
            Knobs {
                public_health_percent: 20,
                ..Knobs::default()
            },
            Check::FrameMix,
            "public_health",
        ),
        (
            Knobs {
                no_tcm: true,
                ..Knobs::default()
            },
            Check::TcmShare,
            "general_practice",
        ),
    ];
    let config = config();
    for (knobs, check, scope) in cases {
        let report = lint(&bank(&knobs), &config);
        assert_eq!(
            failing(&report),
            BTreeSet::from([check]),
            "{check:?}: {:#?}",
            report.findings
        );
        assert!(
            report
                .failures()
                .any(|f| f.check == check && f.scope == scope),
            "{check:?} at {scope}: {:#?}",
            report.findings
        );
        let table = report.table(&config);
        assert!(
            table.contains(check.label()) && table.contains("不通过"),
            "{table}"
        );
    }
}

#[test]
fn an_area_breaking_alone_does_not_break_the_whole() {
    let report = lint(
        &bank(&Knobs {
            longest_in: Some("emergency"),
            ..Knobs::default()
        }),
        &config(),
    );
    assert!(
        report.longest_overall.value().unwrap() <= 0.25,
        "{:?}",
        report.longest_overall
    );
    assert_eq!(report.longest_by_area["emergency"].value(), Some(1.0));
}

#[test]
fn a_one_sided_enemy_pair_is_a_warning_not_a_failure() {
    let report = lint(
        &bank(&Knobs {
            one_sided_enemy: true,
            ..Knobs::default()
        }),
        &config(),
    );
    assert!(report.passed());
    assert_eq!(report.enemy_pairs, 1);
    assert_eq!(
        report.one_sided,
        vec![("fx-00000".to_owned(), "fx-00001".to_owned())]
    );
    let warning = &report.findings[0];
    assert_eq!(
        (warning.check, warning.severity),
        (Check::OneSidedEnemies, Severity::Warn)
    );
    assert!(warning.message.contains("fx-00000 → fx-00001"));
}

#[test]
fn widths_count_chinese_twice_and_ties_have_no_longest() {
    assert_eq!(display_width("abc"), 3);
    assert_eq!(display_width("高血压"), 6);
    assert_eq!(display_width("高 bp（）"), 2 + 1 + 2 + 2 + 2);
    let opts = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(uniquely_longest(&opts(&["甲", "乙乙", "ab"])), Some(1));
    assert_eq!(uniquely_longest(&opts(&["甲甲", "abcd", "丙"])), None);
    assert_eq!(uniquely_longest(&opts(&["甲甲", "abc"])), Some(0));
    assert_eq!(uniquely_longest(&[]), None);
}

#[test]
fn an_items_key_counts_only_when_one_option_is_longest() {
    let mut questions = bank(&Knobs {
        n: 10,
        ..Knobs::default()
    });
    let before = lint(&questions, &config()).longest_overall.counted;
    questions[0].options = ["同", "等", "长", "度", "的"].map(String::from).to_vec();
    assert_eq!(
        lint(&questions, &config()).longest_overall.counted,
        before - 1
    );
}

#[test]
fn a_bad_config_is_refused_with_reasons() {
    let text = crate::bank::files::LINT_CONFIG.replace(
        "public_health = [0.30, 0.35]",
        "public_health = [0.35, 0.30]",
    );
    let e = LintConfig::parse(&text).unwrap_err();
    assert!(e.contains("frame.public_health"), "{e}");
    assert!(LintConfig::parse("enforce = true\nunknown = 1\n").is_err());
}

#[test]
fn the_shipped_config_is_read_and_the_shipped_bank_is_measured() {
    let config = config();
    let (questions, _) = crate::bank::files::shipped();
    let report = lint(&questions, &config);
    assert_eq!(report.total, questions.len());
    assert!(!report.letters.is_empty());
    assert!(!report.table(&config).is_empty());
}

#[test]
fn the_shipped_bank_passes_the_lint() {
    let config = config();
    let (questions, _) = crate::bank::files::shipped();
    let report = lint(&questions, &config);
    assert!(report.passed(), "{}", report.table(&config));
}
