//! A Moodle XML file read as a stream into a small tree of `Node`s, within a `Budget`.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::bank::Malformed;
use crate::bank::formats::{decode_entities, html_to_text, malformed, media, tidy};

/// What a Moodle XML file may hold. A real export nests 5 deep (quiz › question ›
/// answer › feedback › text) and has a few dozen elements per question.
pub struct Budget;

impl Budget {
    pub const MAX_DEPTH: usize = 64;
    pub const MAX_ELEMENTS: usize = 500_000;
    /// Text kept from the file (embedded `<file>` contents are not kept).
    pub const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;
}

#[derive(Debug, Default)]
pub(super) struct Node {
    pub(super) name: String,
    pub(super) attrs: Vec<(String, String)>,
    pub(super) children: Vec<Node>,
    pub(super) text: String,
    pub(super) line: usize,
}

impl Node {
    pub(super) fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `<text>` of a child like `<questiontext format="html"><text>…</text>`, as plain
    /// text without media, and the kinds of media removed.
    pub(super) fn rich(&self, name: &str) -> (String, Vec<media::Media>) {
        let Some(node) = self.child(name) else {
            return (String::new(), Vec::new());
        };
        let raw = node.child("text").map_or("", |t| t.text.as_str());
        let (raw, mut removed) = media::strip(raw);
        if removed.is_empty() && node.children.iter().any(|c| c.name == "file") {
            removed.push(media::Media::FileLink);
        }
        let text = match node.attr("format") {
            Some("html") | None => html_to_text(&raw),
            _ => tidy(&raw),
        };
        (text, removed)
    }
}

/// Counts lines up to a byte offset, moving forward only.
struct Lines<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, offset: u64) -> usize {
        let offset = (offset as usize).min(self.text.len());
        if offset > self.pos {
            self.line += self.text.as_bytes()[self.pos..offset]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.pos = offset;
        }
        self.line
    }
}

pub(super) fn tree(text: &str) -> Result<Node, Malformed> {
    let mut reader = Reader::from_str(text);
    let mut lines = Lines {
        text,
        pos: 0,
        line: 1,
    };
    let mut stack: Vec<Node> = vec![Node::default()];
    let (mut elements, mut text_bytes) = (0usize, 0usize);
    let over = |line: usize, what: String| {
        malformed(
            &format!("第 {line} 行"),
            format!("{what}，不像 Moodle 导出的题目文件，未导入"),
        )
    };
    loop {
        let start = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let line = lines.at(reader.error_position());
                return Err(malformed(
                    &format!("第 {line} 行"),
                    format!("XML 格式错误：{e}"),
                ));
            }
        };
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            if elements > Budget::MAX_ELEMENTS {
                return Err(over(
                    lines.at(start),
                    format!("XML 元素超过 {} 个", Budget::MAX_ELEMENTS),
                ));
            }
            // The root placeholder is not an element of the file.
            if matches!(event, Event::Start(_)) && stack.len() > Budget::MAX_DEPTH {
                return Err(over(
                    lines.at(start),
                    format!("XML 元素嵌套超过 {} 层", Budget::MAX_DEPTH),
                ));
            }
        }
        match event {
            Event::Start(e) => {
                let node = element(&e, lines.at(start))?;
                stack.push(node);
            }
            Event::Empty(e) => {
                let node = element(&e, lines.at(start))?;
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            Event::End(_) => {
                let Some(node) = stack.pop() else { break };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => {
                        return Err(malformed(
                            &format!("第 {} 行", lines.at(start)),
                            "多余的结束标签".into(),
                        ));
                    }
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content(), &mut text_bytes),
            Event::CData(t) => push_text(&mut stack, &t.xml10_content(), &mut text_bytes),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => decode_entities(&format!("&{};", r.xml10_content())),
                };
                push_text(&mut stack, &resolved, &mut text_bytes);
            }
            Event::Eof => break,
            _ => {}
        }
        if text_bytes > Budget::MAX_TEXT_BYTES {
            return Err(over(
                lines.at(start),
                format!("文字内容超过 {} MB", Budget::MAX_TEXT_BYTES / 1024 / 1024),
            ));
        }
    }
    if stack.len() != 1 {
        let open = stack.last().map_or(String::new(), |n| n.name.clone());
        let line = stack.last().map_or(0, |n| n.line);
        return Err(malformed(
            &format!("第 {line} 行"),
            format!("文件在 <{open}> 元素中途结束"),
        ));
    }
    let root = stack.pop().unwrap_or_default();
    root.children
        .into_iter()
        .next()
        .ok_or_else(|| malformed("文件", "文件中没有 XML 元素".into()))
}

fn element(e: &quick_xml::events::BytesStart<'_>, line: usize) -> Result<Node, Malformed> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a =
            a.map_err(|err| malformed(&format!("第 {line} 行"), format!("XML 属性错误：{err}")))?;
        let key = a.key.local_name().into_inner().to_owned();
        attrs.push((key, decode_entities(&a.value)));
    }
    Ok(Node {
        name: e.local_name().into_inner().to_owned(),
        attrs,
        children: Vec::new(),
        text: String::new(),
        line,
    })
}

/// Text goes to the open element, except an embedded file's contents (base64 media,
/// never shown), which are dropped unread.
fn push_text(stack: &mut [Node], text: &str, kept: &mut usize) {
    if let Some(node) = stack.last_mut()
        && node.name != "file"
    {
        *kept += text.len();
        node.text.push_str(text);
    }
}
