//! QR codes as vector rectangles: one rectangle per horizontal run of dark modules.

use qrcode::{Color, EcLevel, QrCode};

/// The dark runs of `data`'s QR code (error correction M): the symbol is `width` modules
/// square, and each run is (column, row from the top, length) in modules. `None` if the
/// data is too long for any QR version.
pub struct Modules {
    pub width: usize,
    pub runs: Vec<(usize, usize, usize)>,
}

pub fn modules(data: &str) -> Option<Modules> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let mut runs = Vec::new();
    for row in 0..width {
        let mut col = 0;
        while col < width {
            if colors[row * width + col] == Color::Dark {
                let start = col;
                while col < width && colors[row * width + col] == Color::Dark {
                    col += 1;
                }
                runs.push((start, row, col - start));
            } else {
                col += 1;
            }
        }
    }
    Some(Modules { width, runs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let data = "https://cunyi.example/verify/CERT-2026-000123";
        let m = modules(data).unwrap();
        let code = QrCode::with_error_correction_level(data, EcLevel::M).unwrap();
        assert_eq!(m.width, code.width());
        let dark = code
            .to_colors()
            .iter()
            .filter(|c| **c == Color::Dark)
            .count();
        assert_eq!(m.runs.iter().map(|r| r.2).sum::<usize>(), dark);
        // The top-left finder pattern: a full row of 7 dark modules.
        assert_eq!(m.runs[0], (0, 0, 7));
    }

    #[test]
    fn data_too_long_for_a_qr_code_is_refused_not_a_panic() {
        assert!(modules(&"长".repeat(3000)).is_none());
    }
}
