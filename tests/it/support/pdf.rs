//! Reading our PDFs back with a real parser (pdf-extract on lopdf), as a reader's
//! copy-and-paste or a search engine would.

/// All the text of the PDF, pages in order. Panics (failing the test) if the file does
/// not parse.
pub fn pdf_text(bytes: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(bytes).expect("the PDF parses")
}

/// The text of each page.
pub fn pdf_pages(bytes: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(bytes).expect("the PDF parses")
}

/// Text with all whitespace removed: extractors differ in where they put spaces between
/// CJK glyphs, so tests compare characters.
pub fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The document's Title (from the Info dictionary).
pub fn pdf_title(bytes: &[u8]) -> Option<String> {
    let doc = pdf_extract::Document::load_mem(bytes).ok()?;
    let info = doc.trailer.get(b"Info").ok()?.as_reference().ok()?;
    let title = doc.get_dictionary(info).ok()?.get(b"Title").ok()?;
    pdf_extract::decode_text_string(title).ok()
}

/// Writes `bytes` to `$CUNYI_PDF_DUMP_DIR/<name>.pdf` when that variable is set, so a
/// person can look at what a test rendered (e.g. `pdftoppm -png`). Does nothing otherwise.
pub fn dump(name: &str, bytes: &[u8]) {
    if let Ok(dir) = std::env::var("CUNYI_PDF_DUMP_DIR") {
        let path = std::path::Path::new(&dir).join(format!("{name}.pdf"));
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
