//! Media in imported text: images, audio, video, embedded players, links to files and
//! Moodle's `@@PLUGINFILE@@` references. cunyi's questions are text, so media is
//! removed — and the import says so (a warning on a stem, a skipped question when an
//! option held it), never silently.

/// What kind of media was removed, in the words of the warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Media {
    Image,
    Audio,
    Video,
    Embedded,
    FileLink,
}

impl Media {
    pub fn label(self) -> &'static str {
        match self {
            Media::Image => "图片",
            Media::Audio => "音频",
            Media::Video => "视频",
            Media::Embedded => "嵌入内容",
            Media::FileLink => "文件链接",
        }
    }
}

/// The kinds removed, for a message: `图片、音频`.
pub fn describe(kinds: &[Media]) -> String {
    kinds
        .iter()
        .map(|m| m.label())
        .collect::<Vec<_>>()
        .join("、")
}

const FILE_EXTENSIONS: [&str; 14] = [
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".svg", ".webp", ".mp3", ".wav", ".ogg", ".mp4",
    ".webm", ".avi", ".pdf",
];

/// `text` (HTML or plain) without its media, and the kinds removed (sorted, once each).
/// Tags are matched without recursion: a player's fallback text up to its closing tag
/// goes with it.
pub fn strip(text: &str) -> (String, Vec<Media>) {
    let mut kinds = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        let Some(gt) = after.find('>') else {
            out.push_str(after);
            rest = "";
            break;
        };
        let tag = &after[1..gt];
        let lower = tag.to_ascii_lowercase();
        let name: String = lower
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let closing = lower.starts_with('/');
        let kind = match name.as_str() {
            "img" | "picture" => Some((Media::Image, false)),
            "audio" => Some((Media::Audio, true)),
            "video" => Some((Media::Video, true)),
            "object" | "iframe" => Some((Media::Embedded, true)),
            "embed" | "source" | "track" => Some((Media::Embedded, false)),
            "a" if !closing && links_to_a_file(&lower) => Some((Media::FileLink, false)),
            _ => None,
        };
        match kind {
            Some((media, with_content)) if !closing => {
                kinds.push(media);
                rest = &after[gt + 1..];
                if with_content {
                    let close = format!("</{name}");
                    if let Some(end) = rest.to_ascii_lowercase().find(&close) {
                        let tail = &rest[end..];
                        rest = tail.find('>').map_or("", |g| &tail[g + 1..]);
                    }
                }
            }
            Some(_) => rest = &after[gt + 1..],
            None => {
                out.push_str(&after[..=gt]);
                rest = &after[gt + 1..];
            }
        }
    }
    out.push_str(rest);
    let out = strip_markdown_images(&out, &mut kinds);
    let out = strip_plugin_files(&out, &mut kinds);
    kinds.sort_unstable();
    kinds.dedup();
    (out, kinds)
}

fn links_to_a_file(tag: &str) -> bool {
    let Some(href) = tag.find("href") else {
        return false;
    };
    let value = &tag[href..];
    value.contains("@@pluginfile@@")
        || value.contains("/pluginfile.php")
        || FILE_EXTENSIONS.iter().any(|e| value.contains(e))
}

/// `![alt](url)` as Markdown writes an image.
fn strip_markdown_images(text: &str, kinds: &mut Vec<Media>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("![") {
        let after = &rest[start + 2..];
        let image = after.find("](").and_then(|mid| {
            let tail = &after[mid + 2..];
            tail.find(')').map(|end| mid + 2 + end + 1)
        });
        match image {
            Some(len) if !after[..len].contains('\n') => {
                out.push_str(&rest[..start]);
                kinds.push(Media::Image);
                rest = &after[len..];
            }
            _ => {
                out.push_str(&rest[..start + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A bare `@@PLUGINFILE@@/name.png` left in the text.
fn strip_plugin_files(text: &str, kinds: &mut Vec<Media>) -> String {
    const MARK: &str = "@@PLUGINFILE@@";
    if !text.contains(MARK) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')'))
            .unwrap_or(tail.len());
        kinds.push(Media::FileLink);
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn every_kind_of_media_goes_and_is_named() {
        let (text, kinds) = strip(
            "<p>听诊录音：<audio controls><source src=\"@@PLUGINFILE@@/a.mp3\">不支持</audio>，\
             心电图<img src=\"@@PLUGINFILE@@/ecg.png\" alt=\"ecg\"/>，\
             <a href=\"@@PLUGINFILE@@/x.pdf\">附件</a>，<video src=v.mp4></video>请判断</p>",
        );
        assert_eq!(
            text, "<p>听诊录音：，心电图，附件</a>，请判断</p>",
            "{kinds:?}"
        );
        assert_eq!(
            kinds,
            vec![Media::Image, Media::Audio, Media::Video, Media::FileLink]
        );
        assert_eq!(describe(&kinds), "图片、音频、视频、文件链接");
    }

    #[test]
    fn plain_text_references_and_markdown_images_go_too() {
        let (text, kinds) = strip("见图 @@PLUGINFILE@@/ecg%20a.png 与 ![心电图](ecg.png) 所示");
        assert_eq!(text, "见图  与  所示");
        assert_eq!(kinds, vec![Media::Image, Media::FileLink]);
        let (text, kinds) = strip("<p>血压 <b>160</b>/100，<a href=\"https://x.cn\">指南</a></p>");
        assert_eq!(
            text,
            "<p>血压 <b>160</b>/100，<a href=\"https://x.cn\">指南</a></p>"
        );
        assert!(kinds.is_empty());
    }

    proptest! {
        #[test]
        fn text_without_media_is_left_alone(s in "[^<@!]{0,200}") {
            let (text, kinds) = strip(&s);
            prop_assert_eq!(text, s);
            prop_assert!(kinds.is_empty());
        }
    }
}
