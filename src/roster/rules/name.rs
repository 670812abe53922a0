//! People's names (姓名) of doctors, instructors and accounts.
//!
//! A name is what a clerk reads aloud and prints on a certificate: Chinese characters
//! (the extensions included, and the middle dot of minority names, 买买提·艾力), or, for a
//! name written in letters, letters with spaces and dots (`Anna K. Smith`). Digits of
//! any script (fullwidth ２, Arabic-Indic ٣), invisible characters (zero-width spaces,
//! right-to-left overrides), symbols and emoji are refused: they make two records that
//! look alike differ, or one record print wrong.

/// Longest name accepted, in characters (long minority names with ·, such as
/// 阿卜杜热合曼·阿卜杜克力木, stay far below it).
pub const MAX_NAME_CHARS: usize = 30;

/// A checked person's name — see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

/// The middle dot stored in names (U+00B7, as on ID cards of minority citizens).
const MIDDLE_DOT: char = '·';

/// Ways the middle dot gets typed: •, ‧, ・, ･ and the full stop ．of Chinese keyboards.
const MIDDLE_DOTS: [char; 6] = ['·', '•', '‧', '・', '･', '．'];

/// Is `c` a CJK ideograph: the unified block, extensions A–I, the compatibility blocks?
pub fn is_han(c: char) -> bool {
    matches!(u32::from(c),
        0x3400..=0x4DBF      // extension A
        | 0x4E00..=0x9FFF    // unified ideographs
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0x20000..=0x2A6DF  // extension B
        | 0x2A700..=0x2EE5F  // extensions C, D, E, F, I
        | 0x2F800..=0x2FA1F  // compatibility supplement
        | 0x30000..=0x323AF) // extensions G, H
}

/// Is `c` a letter of the Latin script (with its accented forms)?
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(u32::from(c), 0xC0..=0x24F | 0x1E00..=0x1EFF) && c != '×' && c != '÷'
}

/// Characters that change how text displays without showing: bidirectional overrides
/// and isolates, zero-width spaces and joiners, the BOM, variation selectors, tags.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(u32::from(c),
            0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5
            | 0x180B..=0x180F | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F
            | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF9..=0xFFFB
            | 0xE0000..=0xE007F | 0xE0100..=0xE01EF)
}

const ONLY: &str = "姓名只能由汉字组成（少数民族姓名可用间隔号“·”），或由字母组成（可含空格和点）";

impl PersonName {
    /// Check a name as typed: surrounding white space dropped; in a Chinese name, the
    /// spaces that align two-character names (张　三) dropped and the middle dot's
    /// look-alikes made `·`; in a name of letters, runs of spaces made one.
    pub fn parse(raw: &str) -> Result<PersonName, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("姓名不能为空".into());
        }
        if name.chars().any(is_invisible) {
            return Err(
                "姓名不能包含不可见字符或排版控制字符（如零宽空格、文字方向控制符）".into(),
            );
        }
        if name.chars().any(char::is_numeric) {
            return Err("姓名不能包含数字".into());
        }
        let name = if name.chars().any(is_han) {
            han_name(name)?
        } else {
            letters_name(name)?
        };
        let len = name.chars().count();
        if len > MAX_NAME_CHARS {
            return Err(format!(
                "姓名不能超过 {MAX_NAME_CHARS} 个字符，现为 {len} 个"
            ));
        }
        Ok(PersonName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name of Chinese characters, with single middle dots between its parts.
fn han_name(name: &str) -> Result<String, String> {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().filter(|c| !c.is_whitespace()) {
        if is_han(c) {
            out.push(c);
        } else if MIDDLE_DOTS.contains(&c) {
            if out.is_empty() || out.ends_with(MIDDLE_DOT) {
                return Err("间隔号“·”只能出现在姓名的两部分之间".into());
            }
            out.push(MIDDLE_DOT);
        } else {
            return Err(ONLY.into());
        }
    }
    if out.ends_with(MIDDLE_DOT) {
        return Err("间隔号“·”只能出现在姓名的两部分之间".into());
    }
    Ok(out)
}

/// A name of letters: words of letters, with a dot after an initial (`K.`), a hyphen or
/// an apostrophe inside (`Jean-Luc`, `O'Neil`), separated by single spaces.
fn letters_name(name: &str) -> Result<String, String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    for word in &words {
        let chars: Vec<char> = word.chars().collect();
        if !chars
            .iter()
            .all(|&c| is_latin_letter(c) || matches!(c, '.' | '-' | '\''))
        {
            return Err(ONLY.into());
        }
        let starts_with_letter = chars.first().is_some_and(|&c| is_latin_letter(c));
        let joined_well = chars
            .windows(2)
            .all(|w| is_latin_letter(w[0]) || is_latin_letter(w[1]));
        let ends_well = chars
            .last()
            .is_some_and(|&c| is_latin_letter(c) || c == '.');
        if !(starts_with_letter && joined_well && ends_well) {
            return Err("字母姓名中的点、连字符和撇号应位于字母之间或缩写之后".into());
        }
    }
    Ok(words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chinese_minority_and_foreign_names_are_accepted() {
        for (raw, stored) in [
            ("王某华", "王某华"),
            (" 李四 ", "李四"),
            ("张　三", "张三"),
            ("买买提·艾力", "买买提·艾力"),
            ("买买提•艾力", "买买提·艾力"),
            ("阿卜杜热合曼・阿卜杜克力木", "阿卜杜热合曼·阿卜杜克力木"),
            ("𠀾𪚥", "𠀾𪚥"),
            ("Anna  K. Smith", "Anna K. Smith"),
            ("Jean-Luc O'Neil", "Jean-Luc O'Neil"),
            ("José Müller", "José Müller"),
            ("王", "王"),
        ] {
            assert_eq!(PersonName::parse(raw).unwrap().as_str(), stored, "{raw}");
        }
    }

    #[test]
    fn digits_invisible_characters_symbols_and_emoji_are_refused_in_chinese() {
        let cases = [
            ("", "不能为空"),
            ("王某1", "数字"),
            ("王某２", "数字"),
            ("王某٣", "数字"),
            ("王\u{202E}某华", "不可见"),
            ("王\u{200B}某华", "不可见"),
            ("王某\u{FEFF}", "不可见"),
            ("王某华😀", "只能由汉字"),
            ("王某A", "只能由汉字"),
            ("王某_华", "只能由汉字"),
            ("·王某", "间隔号"),
            ("王某··华", "间隔号"),
            ("王某·", "间隔号"),
            ("Anna_Smith", "只能由汉字"),
            ("Ａnna", "只能由汉字"),
            ("-Anna", "字母姓名"),
            ("Anna..Smith", "字母姓名"),
        ];
        for (raw, why) in cases {
            let e = PersonName::parse(raw).unwrap_err();
            assert!(e.contains(why), "{raw:?}: {e}");
        }
        let long = "王".repeat(MAX_NAME_CHARS + 1);
        assert!(PersonName::parse(&long).unwrap_err().contains("不能超过"));
        assert!(PersonName::parse(&"王".repeat(MAX_NAME_CHARS)).is_ok());
    }

    fn han() -> impl Strategy<Value = char> {
        prop_oneof![
            (0x4E00u32..=0x9FFF).prop_map(|c| char::from_u32(c).unwrap()),
            (0x20000u32..=0x2A6DF).prop_map(|c| char::from_u32(c).unwrap()),
        ]
    }

    fn han_name() -> impl Strategy<Value = String> {
        prop::collection::vec(han(), 1..=10).prop_map(|v| v.into_iter().collect())
    }

    /// Characters no name may hold: digits of other scripts, invisible ones, emoji and
    /// symbols.
    fn forbidden() -> impl Strategy<Value = char> {
        prop::sample::select(vec![
            '0', '9', '０', '９', '٣', '۷', '४', '\u{202E}', '\u{202D}', '\u{2066}', '\u{200B}',
            '\u{200D}', '\u{FEFF}', '\u{2060}', '\u{0007}', '😀', '👍', '❤', '#', '@', '_', '/',
            '※', '（', '"',
        ])
    }

    proptest! {
        /// Every name of Chinese characters is accepted as it is.
        #[test]
        fn chinese_names_are_kept(name in han_name()) {
            let parsed = PersonName::parse(&name).unwrap();
            prop_assert_eq!(parsed.as_str(), name.as_str());
        }

        /// One forbidden character anywhere in a valid name makes it invalid.
        #[test]
        fn one_forbidden_character_spoils_a_name(name in han_name(), bad in forbidden(), at in 0usize..11) {
            let mut chars: Vec<char> = name.chars().collect();
            let at = at.min(chars.len());
            chars.insert(at, bad);
            let spoiled: String = chars.into_iter().collect();
            prop_assert!(PersonName::parse(&spoiled).is_err(), "{:?} accepted", spoiled);
        }

        /// Whatever comes in, what is accepted holds only Chinese characters with inner
        /// middle dots, or letters, single spaces, dots, hyphens and apostrophes; never
        /// more than the limit.
        #[test]
        fn accepted_names_hold_only_name_characters(raw in "\\PC{0,40}") {
            if let Ok(name) = PersonName::parse(&raw) {
                let s = name.as_str();
                prop_assert!(s.chars().count() <= MAX_NAME_CHARS);
                prop_assert!(s.chars().all(|c| is_han(c) || c == MIDDLE_DOT)
                    || s.chars().all(|c| is_latin_letter(c) || matches!(c, ' ' | '.' | '-' | '\'')), "{:?}", s);
                prop_assert!(!s.starts_with(' ') && !s.ends_with(' ') && !s.contains("  "));
            }
        }
    }
}
