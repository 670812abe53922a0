//! Display width, for "the longest option" as a reader sees it and for the table.

/// Display width in a terminal or a fixed-width font: East Asian wide and fullwidth
/// characters count 2, others 1, combining marks 0.
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let u = c as u32;
    match u {
        0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F => 0,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x20000..=0x2FFFD
        | 0x30000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// The index of the option uniquely longest by display width, if one is.
pub fn uniquely_longest(options: &[String]) -> Option<usize> {
    let widths: Vec<usize> = options.iter().map(|o| display_width(o.trim())).collect();
    let max = *widths.iter().max()?;
    let mut at = widths.iter().enumerate().filter(|(_, w)| **w == max);
    let (first, _) = at.next()?;
    at.next().is_none().then_some(first)
}
