//! Text as the importers meet it: file bytes as UTF-8 or GB18030, HTML as plain text,
//! entities decoded, blank space tidied.

use super::malformed;
use crate::bank::Malformed;

/// A text file as UTF-8 (a BOM dropped), or GB18030 as Windows tools in China save it.
pub fn text_of(bytes: &[u8]) -> Result<String, Malformed> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.is_empty() {
        return Err(malformed("文件", "文件是空的".into()));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_owned(),
        Err(_) => {
            let (decoded, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(malformed(
                    "文件",
                    "无法识别文件编码：请保存为 UTF-8（或 GBK）文本".into(),
                ));
            }
            decoded.into_owned()
        }
    };
    if text.contains('\0') {
        return Err(malformed("文件", "文件含二进制内容，不是文本文件".into()));
    }
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// HTML (Moodle's question text) as plain text: tags dropped, paragraphs and line
/// breaks kept as newlines, entities decoded, runs of blank space collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let Some(gt) = rest[lt..].find('>') else {
            out.push_str(&decode_entities(&rest[lt..]));
            rest = "";
            break;
        };
        let tag = rest[lt + 1..lt + gt].to_ascii_lowercase();
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let block = matches!(
            name.as_str(),
            "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4"
        );
        if name == "br" || (closing && block) {
            out.push('\n');
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(&decode_entities(rest));
    tidy(&out)
}

/// Trim each line, drop blank lines at the ends, collapse repeated blank lines.
pub fn tidy(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(|l| l.trim()).collect();
    let mut out = String::new();
    let mut blank = false;
    for line in lines {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank {
                out.push('\n');
            }
        }
        blank = false;
        out.push_str(line);
    }
    out
}

/// `&amp;`, `&#160;`, `&nbsp;` and the other entities question editors produce.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| entity(&after[..e]));
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push_str(&c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        let c = char::from_u32(code)?;
        return Some(if c == '\u{a0}' {
            ' '.to_string()
        } else {
            c.to_string()
        });
    }
    let s = match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" | "ensp" | "emsp" | "thinsp" => " ",
        "ldquo" => "“",
        "rdquo" => "”",
        "lsquo" => "‘",
        "rsquo" => "’",
        "hellip" => "…",
        "mdash" => "—",
        "ndash" => "–",
        "middot" => "·",
        "times" => "×",
        "divide" => "÷",
        "deg" => "°",
        "plusmn" => "±",
        "le" => "≤",
        "ge" => "≥",
        "micro" => "µ",
        "alpha" => "α",
        "beta" => "β",
        "gamma" => "γ",
        "mu" => "μ",
        _ => return None,
    };
    Some(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            html_to_text(
                "<p dir=\"ltr\">患者&nbsp;男，<b>62</b>&#23681;</p><p>血压 &lt;140/90&gt; mmHg&amp;</p>"
            ),
            "患者 男，62岁\n血压 <140/90> mmHg&"
        );
        assert_eq!(decode_entities("a &unknown; b & c"), "a &unknown; b & c");
    }

    #[test]
    fn gbk_text_files_are_read() {
        let (gbk, _, _) = encoding_rs::GBK.encode("高血压\r\n");
        assert_eq!(text_of(&gbk).unwrap(), "高血压\n");
        assert!(text_of(b"").is_err());
    }
}
