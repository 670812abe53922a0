//! GIFT text as tokens: each character with whether it was escaped with `\`.

/// A character and whether it was escaped with `\`.
pub(super) type Tok = (char, bool);

pub(super) fn tokens(s: &str) -> Vec<Tok> {
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

pub(super) fn text(toks: &[Tok]) -> String {
    toks.iter().map(|(c, _)| *c).collect()
}

pub(super) fn find(toks: &[Tok], from: usize, pattern: &str) -> Option<usize> {
    let pat: Vec<char> = pattern.chars().collect();
    (from..toks.len()).find(|&i| {
        toks.len() - i >= pat.len()
            && pat
                .iter()
                .enumerate()
                .all(|(k, p)| toks[i + k] == (*p, false))
    })
}

pub(super) fn split_unescaped(toks: &[Tok], sep: char) -> Vec<&[Tok]> {
    toks.split(|t| *t == (sep, false)).collect()
}
