//! Pure layout rules: where lines break and how wide table columns get. Widths come from a
//! measure (points per character) so the rules are testable without the font.

/// What a character does at a line break.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Space,
    /// Breakable on both sides (hanzi, kana, full-width forms).
    Cjk,
    /// Part of a word: breaks only at spaces (or by force when a word is wider than a line).
    Word,
}

fn kind(c: char) -> Kind {
    if c.is_whitespace() {
        Kind::Space
    } else if matches!(u32::from(c), 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
    {
        Kind::Cjk
    } else {
        Kind::Word
    }
}

/// Punctuation that must not start a line (GB/T 15834 line-breaking rules): it sticks to
/// what comes before it.
fn closing(c: char) -> bool {
    "，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}".contains(c)
}

/// Punctuation that must not end a line: it sticks to what comes after it.
fn opening(c: char) -> bool {
    "（《「『【〔〈“‘([{".contains(c)
}

/// Splits one line of text into unbreakable pieces and runs of spaces.
fn tokens(line: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut glue_next = false;
    for c in line.chars() {
        let k = kind(c);
        let last = out.last_mut();
        match (k, last) {
            (Kind::Space, Some((t, true))) => t.push(c),
            (Kind::Space, _) => out.push((c.to_string(), true)),
            (_, Some((t, false))) if glue_next || closing(c) => t.push(c),
            (Kind::Word, Some((t, false)))
                if t.chars().last().is_some_and(|p| kind(p) == Kind::Word) =>
            {
                t.push(c)
            }
            _ => out.push((c.to_string(), false)),
        }
        glue_next = k != Kind::Space && opening(c);
    }
    out
}

fn measure(text: &str, advance: &impl Fn(char) -> f32) -> f32 {
    text.chars().map(advance).sum()
}

/// Breaks `text` into lines no wider than `max` points: CJK text breaks between any two
/// characters, Latin words at spaces, a word wider than a line by character, and
/// closing punctuation never starts a line. `\n` forces a break.
pub fn wrap(text: &str, max: f32, advance: impl Fn(char) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut width = 0.0;
        let mut pending_space = String::new();
        for (token, is_space) in tokens(para.trim_end_matches('\r')) {
            if is_space {
                if !line.is_empty() {
                    pending_space = token;
                }
                continue;
            }
            let w = measure(&token, &advance);
            let space_w = measure(&pending_space, &advance);
            if width + space_w + w <= max {
                line.push_str(&pending_space);
                line.push_str(&token);
                width += space_w + w;
            } else {
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    width = 0.0;
                }
                if w <= max {
                    line = token;
                    width = w;
                } else {
                    // Too wide for any line: break it wherever it has to break.
                    for c in token.chars() {
                        let cw = advance(c);
                        if width + cw > max && !line.is_empty() {
                            lines.push(std::mem::take(&mut line));
                            width = 0.0;
                        }
                        line.push(c);
                        width += cw;
                    }
                }
            }
            pending_space.clear();
        }
        lines.push(line);
    }
    lines
}

/// The widest piece of `text` that cannot be broken (a Latin word, a hanzi with its
/// punctuation): a column narrower than this must break words.
pub fn longest_piece(text: &str, advance: impl Fn(char) -> f32) -> f32 {
    text.split('\n')
        .flat_map(tokens)
        .filter(|(_, space)| !space)
        .map(|(t, _)| measure(&t, &advance))
        .fold(0.0, f32::max)
}

/// Column widths that add up to `available`: every column gets its natural width (its
/// longest unwrapped cell) if all fit, the room left shared out in proportion; otherwise
/// each keeps at least its longest unbreakable piece and the wide columns wrap; only if
/// even that does not fit are all scaled down (and words break).
pub fn column_widths(natural: &[f32], minimum: &[f32], available: f32) -> Vec<f32> {
    let n = natural.len();
    if n == 0 {
        return Vec::new();
    }
    let minimum: Vec<f32> = (0..n)
        .map(|i| minimum.get(i).copied().unwrap_or(0.0).min(natural[i]))
        .collect();
    let sum_nat: f32 = natural.iter().sum();
    let sum_min: f32 = minimum.iter().sum();
    if sum_nat <= 0.0 {
        return vec![available / n as f32; n];
    }
    if sum_nat <= available {
        let extra = available - sum_nat;
        return natural.iter().map(|w| w + extra * w / sum_nat).collect();
    }
    if sum_min <= available && sum_nat > sum_min {
        let share = (available - sum_min) / (sum_nat - sum_min);
        return (0..n)
            .map(|i| minimum[i] + (natural[i] - minimum[i]) * share)
            .collect();
    }
    let base = if sum_min > 0.0 { sum_min } else { sum_nat };
    let of = if sum_min > 0.0 { &minimum[..] } else { natural };
    of.iter().map(|w| w * available / base).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Hanzi 10 pt, everything else 5 pt.
    fn adv(c: char) -> f32 {
        if kind(c) == Kind::Cjk { 10.0 } else { 5.0 }
    }

    #[test]
    fn chinese_breaks_between_characters_and_keeps_punctuation_with_the_text() {
        assert_eq!(
            wrap("村医培训考核平台", 30.0, adv),
            vec!["村医培", "训考核", "平台"]
        );
        // "，" may not start a line: it takes 培 along to the next one.
        assert_eq!(
            wrap("村医培，训考", 30.0, adv),
            vec!["村医", "培，训", "考"]
        );
        // "（" may not end a line.
        assert_eq!(wrap("村医（乡）", 30.0, adv), vec!["村医", "（乡）"]);
    }

    #[test]
    fn latin_breaks_at_spaces_and_long_words_by_force() {
        assert_eq!(wrap("ab cd ef", 25.0, adv), vec!["ab cd", "ef"]);
        assert_eq!(wrap("abcdefgh", 20.0, adv), vec!["abcd", "efgh"]);
        assert_eq!(wrap("第1次 training", 40.0, adv), vec!["第1次", "training"]);
    }

    #[test]
    fn newlines_force_breaks_and_blank_text_is_one_empty_line() {
        assert_eq!(wrap("甲\n\n乙", 100.0, adv), vec!["甲", "", "乙"]);
        assert_eq!(wrap("", 100.0, adv), vec![""]);
    }

    #[test]
    fn columns_get_their_natural_width_when_they_fit() {
        let w = column_widths(&[20.0, 60.0], &[10.0, 10.0], 160.0);
        assert_eq!(w, vec![40.0, 120.0]);
    }

    #[test]
    fn narrow_columns_keep_their_words_when_space_is_short() {
        // Natural 30 + 300 > 200: the short column keeps its 30, the long one wraps.
        let w = column_widths(&[30.0, 300.0], &[30.0, 20.0], 200.0);
        assert!((w[0] - 30.0).abs() < 0.01, "{w:?}");
        assert!((w[1] - 170.0).abs() < 0.01, "{w:?}");
    }

    #[test]
    fn the_longest_piece_is_a_word_or_a_hanzi() {
        assert_eq!(longest_piece("ab abcd 村", adv), 20.0);
        assert_eq!(longest_piece("培训，", adv), 20.0);
    }

    proptest! {
        #[test]
        fn wrapping_loses_no_character_and_no_line_overflows(
            text in "[村医培训a-c ，。（）\n]{0,60}",
            max in 10.0f32..200.0,
        ) {
            let lines = wrap(&text, max, adv);
            let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            prop_assert_eq!(strip(&lines.concat()), strip(&text));
            prop_assert_eq!(lines.len() >= text.split('\n').count(), true);
            for line in &lines {
                // A line may overflow only when it is a single unbreakable piece.
                let w = measure(line, &adv);
                let pieces = tokens(line).iter().filter(|(_, s)| !s).count();
                prop_assert!(w <= max + 0.001 || line.chars().count() == 1 || pieces == 1,
                    "{line:?} is {w} wide (max {max})");
            }
        }

        #[test]
        fn columns_fill_the_width_exactly(
            cols in proptest::collection::vec((0.0f32..300.0, 0.0f32..100.0), 1..8),
            available in 50.0f32..600.0,
        ) {
            let natural: Vec<f32> = cols.iter().map(|c| c.0).collect();
            let minimum: Vec<f32> = cols.iter().map(|c| c.1).collect();
            let w = column_widths(&natural, &minimum, available);
            prop_assert_eq!(w.len(), natural.len());
            let sum: f32 = w.iter().sum();
            prop_assert!((sum - available).abs() < 0.01 * available, "{sum} vs {available}");
            prop_assert!(w.iter().all(|x| *x >= 0.0));
            if natural.iter().sum::<f32>() <= available {
                for (got, nat) in w.iter().zip(&natural) {
                    prop_assert!(*got + 0.001 >= *nat);
                }
            }
        }
    }
}
