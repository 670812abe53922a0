//! Sending a PDF: `application/pdf` as a download whose Chinese file name survives
//! (RFC 6266 with an RFC 5987 `filename*`, plus an ASCII `filename` for old clients).

use actix_web::HttpResponse;
use actix_web::http::header;

/// An actix response carrying `bytes` as the download `filename` (".pdf" added if
/// missing). Not cached: printed documents carry personal data.
pub fn pdf_response(filename: &str, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((header::CONTENT_DISPOSITION, content_disposition(filename)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(bytes)
}

fn with_pdf_extension(filename: &str) -> String {
    let name = filename.trim();
    let name = if name.is_empty() { "document" } else { name };
    if name.to_ascii_lowercase().ends_with(".pdf") {
        name.to_owned()
    } else {
        format!("{name}.pdf")
    }
}

/// The `Content-Disposition` value: `attachment; filename="<ascii>"; filename*=UTF-8''<utf8>`.
pub fn content_disposition(filename: &str) -> String {
    let name = with_pdf_extension(filename);
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        // RFC 5987 attr-char; everything else percent-encoded.
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{encoded}",
        ascii_filename(&name)
    )
}

/// An ASCII stand-in for `filename` (for clients that ignore `filename*`): letters,
/// digits, `-`, `_` and `.` kept, every other run of characters one `_`; a name with no
/// ASCII left becomes "document.pdf".
pub fn ascii_filename(filename: &str) -> String {
    let name = with_pdf_extension(filename);
    let stem = &name[..name.len() - 4];
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() || "-_.".contains(c) {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches(|c| "_.-".contains(c));
    if out.chars().any(|c| c.is_ascii_alphanumeric()) {
        format!("{out}.pdf")
    } else {
        "document.pdf".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn a_chinese_name_goes_in_filename_star_with_an_ascii_fallback() {
        assert_eq!(
            content_disposition("结业证书-张三 2026"),
            "attachment; filename=\"2026.pdf\"; \
             filename*=UTF-8''%E7%BB%93%E4%B8%9A%E8%AF%81%E4%B9%A6-%E5%BC%A0%E4%B8%89%202026.pdf"
        );
    }

    #[test]
    fn the_fallback_never_carries_quotes_or_paths() {
        assert_eq!(ascii_filename("a\"b\\c/../d.pdf"), "a_b_c_.._d.pdf");
        assert_eq!(ascii_filename("公示"), "document.pdf");
        assert_eq!(ascii_filename(""), "document.pdf");
        assert_eq!(ascii_filename("report-2026Q4.PDF"), "report-2026Q4.pdf");
    }

    #[test]
    fn the_response_is_a_pdf_download() {
        let r = pdf_response("公示.pdf", b"%PDF-1.7".to_vec());
        assert_eq!(r.status(), 200);
        let h = r.headers();
        assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
        let cd = h
            .get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            cd.starts_with("attachment; filename=\"document.pdf\"; filename*=UTF-8''%E5%85%AC")
        );
        assert_eq!(h.get(header::CACHE_CONTROL).unwrap(), "private, no-store");
        let body = r.into_body().try_into_bytes().unwrap();
        assert_eq!(&body[..], b"%PDF-1.7");
    }
}
