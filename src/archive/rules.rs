//! What an archive document may be: its type from its first bytes (never its name), its
//! size, a clean file name; who may download it.

use crate::access::Role;
use crate::error::{AppError, AppResult, Problems};

use super::DocKind;

/// The largest document accepted: 10 MB (a scanned sign-in sheet, a handbook PDF).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The longest file name kept (characters).
pub const MAX_NAME: usize = 100;

/// An allowed type, judged by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Jpeg,
    Png,
    Xlsx,
    Docx,
}

impl FileType {
    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
            FileType::Xlsx => "xlsx",
            FileType::Docx => "docx",
        }
    }
}

/// The type of a file from its bytes: `%PDF-`, JPEG's `FF D8 FF`, PNG's eight-byte
/// signature, or a zip (`PK\x03\x04`) whose entries are an Office Open XML workbook
/// (`xl/workbook.xml`) or document (`word/document.xml`). Anything else is `None`.
pub fn sniff(bytes: &[u8]) -> Option<FileType> {
    if bytes.starts_with(b"%PDF-") {
        return Some(FileType::Pdf);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileType::Jpeg);
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(FileType::Png);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
        let names: Vec<String> = zip
            .file_names()
            .filter_map(Result::ok)
            .map(|n| n.into_owned())
            .collect();
        let has = |n: &str| names.iter().any(|x| x == n);
        if has("[Content_Types].xml") && has("xl/workbook.xml") {
            return Some(FileType::Xlsx);
        }
        if has("[Content_Types].xml") && has("word/document.xml") {
            return Some(FileType::Docx);
        }
    }
    None
}

/// The file name as kept: no directories, no control characters, at most
/// [`MAX_NAME`] characters, and the extension of its real type.
pub fn clean_name(raw: Option<&str>, ty: FileType) -> String {
    let base = raw
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let stem = match base.rsplit_once('.') {
        Some((s, _)) => s,
        None => base,
    };
    let stem: String = stem
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | ':' | '*' | '?'))
        .take(MAX_NAME - 6)
        .collect();
    let stem = stem.trim();
    let stem = if stem.is_empty() { "document" } else { stem };
    format!("{stem}.{}", ty.extension())
}

/// A checked upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub kind: DocKind,
    pub ty: FileType,
    pub filename: String,
}

/// Check an upload before anything is written: the kind is one of [`DocKind`], the file
/// is not empty, at most [`MAX_BYTES`], and of an allowed type by its bytes. Every bad
/// field is named.
pub fn check(kind: Option<&str>, filename: Option<&str>, bytes: &[u8]) -> AppResult<Checked> {
    let mut p = Problems::new();
    let kind = p.take(
        "kind",
        kind.map(str::trim)
            .and_then(DocKind::parse)
            .ok_or_else(|| format!("资料类型应为 {} 之一", DocKind::codes())),
    );
    let ty = if bytes.is_empty() {
        p.add("file", "请选择要上传的文件");
        None
    } else if bytes.len() > MAX_BYTES {
        p.add(
            "file",
            format!("文件不能超过 {} MB", MAX_BYTES / 1024 / 1024),
        );
        None
    } else {
        p.take(
            "file",
            sniff(bytes).ok_or_else(|| {
                "只接受 PDF、JPG、PNG、Excel（.xlsx）或 Word（.docx）文件".to_owned()
            }),
        )
    };
    p.finish()?;
    match (kind, ty) {
        (Some(kind), Some(ty)) => Ok(Checked {
            kind,
            ty,
            filename: clean_name(filename, ty),
        }),
        _ => Err(AppError::field("file", "上传的资料有误")),
    }
}

/// Who may download a document, once the owner is in their reach: administrators any;
/// a doctor only a session's notice or handbook, of a session it attended.
pub fn may_download(role: Role, kind: DocKind, attended: bool) -> bool {
    match role {
        r if Role::ADMINS.contains(&r) => true,
        Role::Doctor => attended && matches!(kind, DocKind::Notice | DocKind::Handbook),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Write;

    fn office(entry: &str) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            for name in ["[Content_Types].xml", entry] {
                z.start_file(name, opts).unwrap();
                z.write_all(b"<x/>").unwrap();
            }
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileType::Pdf));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(FileType::Jpeg));
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some(FileType::Png)
        );
        assert_eq!(sniff(&office("xl/workbook.xml")), Some(FileType::Xlsx));
        assert_eq!(sniff(&office("word/document.xml")), Some(FileType::Docx));
        // a zip that is neither, an executable, a script named .pdf
        assert_eq!(sniff(&office("payload.bin")), None);
        assert_eq!(sniff(b"MZ\x90\x00"), None);
        assert_eq!(sniff(b"<script>alert(1)</script>"), None);
        assert_eq!(sniff(b"PK\x03\x04broken"), None);
    }

    #[test]
    fn names_are_cleaned_and_take_the_real_extension() {
        assert_eq!(
            clean_name(Some("../../etc/签到表.exe"), FileType::Pdf),
            "签到表.pdf"
        );
        assert_eq!(
            clean_name(Some("C:\\scan\\a\"b.JPG"), FileType::Jpeg),
            "ab.jpg"
        );
        assert_eq!(clean_name(None, FileType::Png), "document.png");
        let long = "字".repeat(300);
        assert!(clean_name(Some(&long), FileType::Docx).chars().count() <= MAX_NAME);
    }

    #[test]
    fn check_names_every_bad_field() {
        let e = check(Some("poster"), None, b"hello").unwrap_err();
        let text = format!("{e:?}");
        assert!(text.contains("kind") && text.contains("file"), "{text}");
        let big = vec![b'%'; MAX_BYTES + 1];
        assert!(check(Some("notice"), None, &big).is_err());
        assert!(check(Some("notice"), None, b"").is_err());
        let ok = check(Some("sign_in"), Some("scan.png"), b"%PDF-1.4").unwrap();
        assert_eq!((ok.kind, ok.ty), (DocKind::SignIn, FileType::Pdf));
        assert_eq!(ok.filename, "scan.pdf");
    }

    #[test]
    fn doctors_download_only_their_sessions_notices_and_handbooks() {
        assert!(may_download(Role::CountyAdmin, DocKind::Expense, false));
        assert!(may_download(Role::Doctor, DocKind::Notice, true));
        assert!(!may_download(Role::Doctor, DocKind::Notice, false));
        assert!(!may_download(Role::Doctor, DocKind::SignIn, true));
        assert!(!may_download(Role::Instructor, DocKind::Handbook, true));
    }

    proptest! {
        /// Bytes that start with none of the signatures are never accepted, and
        /// sniffing never panics on anything.
        #[test]
        fn unknown_bytes_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let t = sniff(&bytes);
            let signed = bytes.starts_with(b"%PDF-")
                || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
                || bytes.starts_with(&[0x89, b'P', b'N', b'G'])
                || bytes.starts_with(b"PK\x03\x04");
            prop_assert!(signed || t.is_none());
        }

        /// A cleaned name never holds a path separator and ends with the type's extension.
        #[test]
        fn clean_names_are_flat(raw in ".{0,200}") {
            let n = clean_name(Some(&raw), FileType::Pdf);
            prop_assert!(!n.contains('/') && !n.contains('\\'));
            prop_assert!(n.ends_with(".pdf"));
            prop_assert!(n.chars().count() <= MAX_NAME);
        }
    }
}
