//! The lint's report as a readable table: what `cunyi bank lint` and `cunyi bank check`
//! print (and what the issue notes quote before and after).

use std::fmt::Write as _;

use super::{
    Check, LintConfig, LintReport, Rate, Severity, display_width, letter_counts, percent, rate_text,
};
use crate::bank::{Frame, QType};

/// Rows of cells, padded to each column's display width.
fn render(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| display_width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                let pad = widths[c].saturating_sub(display_width(cell)) + 2;
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

impl LintReport {
    /// The report as a readable table (what `cunyi bank lint` prints).
    pub fn table(&self, config: &LintConfig) -> String {
        let verdict = |check: Check, scope: &str| {
            match self
                .findings
                .iter()
                .find(|f| f.check == check && f.scope == scope)
                .map(|f| f.severity)
            {
                Some(Severity::Fail) => "✗ 不通过",
                Some(Severity::Warn) => "! 提示",
                None => "✓",
            }
            .to_owned()
        };
        let row = |cells: [String; 4]| cells.to_vec();
        let mut rows = vec![row([
            "检查项".into(),
            "实测".into(),
            "阈值".into(),
            "结果".into(),
        ])];
        rows.push(row([
            "题量".into(),
            self.total.to_string(),
            format!("≥ {}", self.min_items),
            verdict(Check::ItemCount, "全部"),
        ]));
        let max_rate = format!("≤ {}", percent(config.longest_option.max_rate));
        rows.push(row([
            "最长选项即答案（A1–A4，全部）".into(),
            rate_text(self.longest_overall),
            max_rate.clone(),
            verdict(Check::LongestOption, "全部"),
        ]));
        for (t, r) in &self.longest_by_type {
            rows.push(row([
                format!("  题型 {}", t.as_str()),
                rate_text(*r),
                "（仅列出）".into(),
                String::new(),
            ]));
        }
        for (area, r) in &self.longest_by_area {
            let judged = r.counted >= config.longest_option.min_sample;
            rows.push(row([
                format!("  领域 {area}"),
                rate_text(*r),
                if judged {
                    max_rate.clone()
                } else {
                    format!("样本 < {}，不判定", config.longest_option.min_sample)
                },
                if judged {
                    verdict(Check::LongestOption, area)
                } else {
                    String::new()
                },
            ]));
        }
        for s in &self.letters {
            let judged = s.n() >= config.key_letters.min_sample;
            rows.push(row([
                format!("答案字母 {}（{} 题）", s.qtype.as_str(), s.n()),
                format!(
                    "{}；χ² {:.2}，df {}，p {:.4}",
                    letter_counts(&s.counts),
                    s.test.statistic,
                    s.test.df,
                    s.test.p
                ),
                if judged {
                    format!("p ≥ {}", config.key_letters.alpha)
                } else {
                    format!("样本 < {}，不判定", config.key_letters.min_sample)
                },
                if judged {
                    verdict(Check::KeyLetters, s.qtype.as_str())
                } else {
                    String::new()
                },
            ]));
        }
        let x_total: usize = self.x_key_sizes.values().sum();
        let x_text = self
            .x_key_sizes
            .iter()
            .map(|(k, n)| format!("{k} 个 {}", percent(*n as f64 / x_total.max(1) as f64)))
            .collect::<Vec<_>>()
            .join("，");
        let x_ok = !self.findings.iter().any(|f| f.check == Check::XKeyCount);
        rows.push(row([
            format!("X 型题答案个数（{x_total} 题）"),
            if x_text.is_empty() {
                "—".into()
            } else {
                x_text
            },
            format!(
                "{} 各 ≥ {}，任一 ≤ {}",
                config
                    .x_keys
                    .spread
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join("/"),
                percent(config.x_keys.min_share),
                percent(config.x_keys.max_share)
            ),
            if x_ok {
                "✓".into()
            } else {
                "✗ 不通过".into()
            },
        ]));
        rows.push(row([
            "绝对化用语：答案 / 干扰项".into(),
            format!(
                "{} / {}",
                rate_text(self.words.keys),
                rate_text(self.words.distractors)
            ),
            format!(
                "干扰项 − 答案 ≤ {}",
                percent(config.absolute_words.max_margin)
            ),
            verdict(Check::AbsoluteWords, "全部"),
        ]));
        let used: Vec<String> = self
            .words
            .per_word
            .iter()
            .filter(|(_, k, d)| k + d > 0)
            .map(|(w, k, d)| format!("{w} {k}/{d}"))
            .collect();
        if !used.is_empty() {
            rows.push(row([
                "  各词（答案/干扰项）".into(),
                used.join("，"),
                String::new(),
                String::new(),
            ]));
        }
        rows.push(row([
            "判断题答案为“正确”".into(),
            rate_text(self.true_false),
            format!(
                "{}–{}",
                percent(config.true_false.min_true),
                percent(config.true_false.max_true)
            ),
            verdict(Check::TrueFalse, QType::TF.as_str()),
        ]));
        rows.push(row([
            "互斥题".into(),
            format!(
                "{} 对，其中单方声明 {} 对",
                self.enemy_pairs,
                self.one_sided.len()
            ),
            "双方声明".into(),
            verdict(Check::OneSidedEnemies, "全部"),
        ]));
        for (frame, n) in &self.frames {
            let [low, high] = config.frame.band(*frame);
            rows.push(row([
                format!("板块 {}", frame.label()),
                rate_text(Rate {
                    hits: *n,
                    counted: self.total,
                }),
                format!("{}–{}", percent(low), percent(high)),
                verdict(Check::FrameMix, frame.as_str()),
            ]));
        }
        let [low, high] = config.frame.tcm_in_general_practice;
        rows.push(row([
            "  全科医疗中的中医".into(),
            rate_text(self.tcm_in_general_practice),
            format!("{}–{}", percent(low), percent(high)),
            verdict(Check::TcmShare, Frame::GeneralPractice.as_str()),
        ]));
        for (area, n) in &self.by_area {
            rows.push(row([
                format!("  领域 {area}"),
                rate_text(Rate {
                    hits: *n,
                    counted: self.total,
                }),
                "（仅列出）".into(),
                String::new(),
            ]));
        }
        let mut out = render(&rows);
        let failures = self.failures().count();
        let _ = writeln!(
            out,
            "\n{}",
            if failures == 0 {
                "题库质量检查通过".to_owned()
            } else {
                format!("题库质量检查：{failures} 项不通过")
            }
        );
        for f in &self.findings {
            let mark = match f.severity {
                Severity::Fail => "不通过",
                Severity::Warn => "提示",
            };
            let _ = writeln!(out, "  [{mark}] {}：{}", f.check.label(), f.message);
        }
        out
    }
}
