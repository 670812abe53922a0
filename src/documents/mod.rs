//! 打印文档 — printable A4 PDFs with Chinese text, shared by every area that prints
//! (公示 notices, certificates, report filings, the 一人一册 dossier).
//!
//! Build a [`Document`] block by block, `render()` it to bytes, answer with
//! [`pdf_response`]. The font (Noto Sans CJK SC) is embedded and subset per document, and
//! a ToUnicode map makes the text searchable and extractable.
//!
//! ```
//! use cunyi::documents::Document;
//! let mut doc = Document::new("培训签到表");
//! doc.fields(&[("培训项目", "2026 年乡村医生岗位培训".to_string())])
//!     .table(&["序号", "姓名"], &[vec!["1".into(), "张三".into()]]);
//! let pdf = doc.render();
//! assert!(pdf.starts_with(b"%PDF-"));
//! ```

mod flow;
mod font;
mod layout;
mod pdf;
mod qr;
mod response;

pub use response::{ascii_filename, content_disposition, pdf_response};

/// One piece of a document, laid out top to bottom in the order added.
#[derive(Clone, Debug, PartialEq)]
enum Block {
    Heading(String),
    Paragraph(String),
    Fields(Vec<(String, String)>),
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Qr {
        data: String,
        size_mm: f32,
    },
    PageBreak,
}

/// A printable document: A4 portrait, 18 mm margins, page numbers in the footer.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    title: String,
    blocks: Vec<Block>,
}

impl Document {
    /// A document whose `title` is both the PDF's Title and its first, big heading.
    pub fn new(title: &str) -> Self {
        Document {
            title: title.to_owned(),
            blocks: Vec::new(),
        }
    }

    /// A section heading (kept on the same page as the lines that follow it).
    pub fn heading(&mut self, text: &str) -> &mut Self {
        self.blocks.push(Block::Heading(text.to_owned()));
        self
    }

    /// Body text, wrapped to the page width; `\n` starts a new line.
    pub fn paragraph(&mut self, text: &str) -> &mut Self {
        self.blocks.push(Block::Paragraph(text.to_owned()));
        self
    }

    /// "label：value" lines; a long value wraps under itself, not under the label.
    pub fn fields(&mut self, pairs: &[(&str, String)]) -> &mut Self {
        self.blocks.push(Block::Fields(
            pairs
                .iter()
                .map(|(l, v)| ((*l).to_owned(), v.clone()))
                .collect(),
        ));
        self
    }

    /// A ruled table: column widths from the content, cell text wraps, a row is never
    /// split across pages (unless it is taller than a page), and the header row repeats
    /// on every page the table continues on.
    pub fn table(&mut self, headers: &[&str], rows: &[Vec<String>]) -> &mut Self {
        self.blocks.push(Block::Table {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: rows.to_vec(),
        });
        self
    }

    /// A QR code of `data`, `size_mm` wide (10–150 mm, at most the text width; vector,
    /// error correction M), at the left margin with its quiet zone. Data too long for a
    /// QR code prints as text instead.
    pub fn qr(&mut self, data: &str, size_mm: f32) -> &mut Self {
        self.blocks.push(Block::Qr {
            data: data.to_owned(),
            size_mm,
        });
        self
    }

    /// Continue on a new page (nothing happens at the top of an empty page).
    pub fn page_break(&mut self) -> &mut Self {
        self.blocks.push(Block::PageBreak);
        self
    }

    /// The PDF: laid out, page-numbered "第 n 页 / 共 m 页", font subset and embedded.
    pub fn render(&self) -> Vec<u8> {
        let pages = flow::lay_out(&self.title, &self.blocks);
        pdf::write(&self.title, &pages)
    }
}
