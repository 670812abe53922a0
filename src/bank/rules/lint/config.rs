//! The lint's thresholds, as question_bank/lint.toml writes them, checked on reading.

use serde::Deserialize;

use crate::bank::Frame;

/// The thresholds (question_bank/lint.toml).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// `cunyi bank check` fails on findings (as `--strict` does).
    #[serde(default)]
    pub enforce: bool,
    pub min_items: usize,
    pub longest_option: LongestOption,
    pub key_letters: KeyLetters,
    pub x_keys: XKeys,
    pub absolute_words: AbsoluteWords,
    pub true_false: TrueFalse,
    pub frame: FrameMix,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongestOption {
    pub max_rate: f64,
    pub min_sample: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyLetters {
    pub alpha: f64,
    pub min_sample: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XKeys {
    pub spread: Vec<usize>,
    pub min_share: f64,
    pub max_share: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbsoluteWords {
    pub words: Vec<String>,
    pub max_margin: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrueFalse {
    pub min_true: f64,
    pub max_true: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameMix {
    pub public_health: [f64; 2],
    pub general_practice: [f64; 2],
    pub humanities: [f64; 2],
    pub tcm_in_general_practice: [f64; 2],
}

impl FrameMix {
    pub fn band(&self, frame: Frame) -> [f64; 2] {
        match frame {
            Frame::PublicHealth => self.public_health,
            Frame::GeneralPractice => self.general_practice,
            Frame::Humanities => self.humanities,
        }
    }
}

impl LintConfig {
    /// Read and check a lint.toml: shares are fractions, bands run low to high.
    pub fn parse(text: &str) -> Result<LintConfig, String> {
        let config: LintConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        let fraction = |v: f64| (0.0..=1.0).contains(&v);
        let mut bad = Vec::new();
        let bands = [
            ("frame.public_health", config.frame.public_health),
            ("frame.general_practice", config.frame.general_practice),
            ("frame.humanities", config.frame.humanities),
            (
                "frame.tcm_in_general_practice",
                config.frame.tcm_in_general_practice,
            ),
            (
                "true_false",
                [config.true_false.min_true, config.true_false.max_true],
            ),
            ("x_keys", [config.x_keys.min_share, config.x_keys.max_share]),
        ];
        for (name, [low, high]) in bands {
            if !fraction(low) || !fraction(high) || low > high {
                bad.push(format!("{name}: 应为 0–1 之间、由小到大的两个数"));
            }
        }
        for (name, v) in [
            ("longest_option.max_rate", config.longest_option.max_rate),
            (
                "absolute_words.max_margin",
                config.absolute_words.max_margin,
            ),
        ] {
            if !fraction(v) {
                bad.push(format!("{name}: 应在 0–1 之间"));
            }
        }
        if !(config.key_letters.alpha > 0.0 && config.key_letters.alpha < 1.0) {
            bad.push("key_letters.alpha: 应在 0–1 之间".into());
        }
        if config.x_keys.spread.is_empty() {
            bad.push("x_keys.spread: 至少列出一个答案个数".into());
        }
        if config
            .absolute_words
            .words
            .iter()
            .any(|w| w.trim().is_empty())
        {
            bad.push("absolute_words.words: 有空词".into());
        }
        if bad.is_empty() {
            Ok(config)
        } else {
            Err(bad.join("；"))
        }
    }
}
