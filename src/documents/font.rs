//! The one font of our PDFs: Noto Sans CJK SC, vendored (pre-cut to CJK + Latin, see
//! `static/fonts/README.md`), parsed once, and subset per document to the glyphs it uses.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use ttf_parser::{Face, GlyphId, Tag};

/// The vendored font file (OpenType, CFF outlines).
static FONT_FILE: &[u8] = include_bytes!("../../static/fonts/NotoSansCJKsc-Regular-subset.otf");

/// The PostScript name the embedded subsets carry (after their six-letter tag).
pub const POSTSCRIPT_NAME: &str = "NotoSansCJKsc-Regular";

/// Metrics of the parsed font, in font units.
pub struct Font {
    face: Face<'static>,
    pub units_per_em: f32,
    pub ascender: f32,
    pub descender: f32,
    pub cap_height: f32,
    pub bbox: [f32; 4],
}

/// The font, parsed on first use. `None` only if the vendored file were broken, which
/// the unit tests rule out; layout then still works (every glyph 1 em wide, glyph 0).
pub fn font() -> Option<&'static Font> {
    static FONT: OnceLock<Option<Font>> = OnceLock::new();
    FONT.get_or_init(|| {
        let face = Face::parse(FONT_FILE, 0).ok()?;
        let bb = face.global_bounding_box();
        Some(Font {
            units_per_em: f32::from(face.units_per_em()),
            ascender: f32::from(face.ascender()),
            descender: f32::from(face.descender()),
            cap_height: f32::from(face.capital_height().unwrap_or(733)),
            bbox: [
                f32::from(bb.x_min),
                f32::from(bb.y_min),
                f32::from(bb.x_max),
                f32::from(bb.y_max),
            ],
            face,
        })
    })
    .as_ref()
}

/// A character as drawn: its glyph in the full font and its advance in ems.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Glyph {
    pub id: u16,
    pub advance_em: f32,
}

/// The glyph for `c`. A character the font lacks becomes glyph 0 (the replacement box)
/// — never a panic, never a silently dropped character.
pub fn glyph(c: char) -> Glyph {
    let Some(font) = font() else {
        return Glyph {
            id: 0,
            advance_em: 1.0,
        };
    };
    let id = font.face.glyph_index(c).unwrap_or(GlyphId(0));
    let advance = font
        .face
        .glyph_hor_advance(id)
        .map_or(font.units_per_em, f32::from);
    Glyph {
        id: id.0,
        advance_em: advance / font.units_per_em,
    }
}

/// Width of `text` in points at `size`.
pub fn width(text: &str, size: f32) -> f32 {
    text.chars().map(|c| glyph(c).advance_em).sum::<f32>() * size
}

/// One document's subset: glyphs renumbered 1.. in first-use order (0 stays 0), with
/// the text each stands for (for the ToUnicode map) and its advance.
#[derive(Default)]
pub struct Subset {
    remapper: subsetter::GlyphRemapper,
    /// new glyph id → (character, advance in ems)
    used: BTreeMap<u16, (char, f32)>,
}

impl Subset {
    /// The glyph id to write into the content stream for `c` (2 bytes, Identity-H).
    pub fn encode(&mut self, c: char) -> u16 {
        let g = glyph(c);
        let new = self.remapper.remap(g.id);
        let shown = if g.id == 0 { '\u{FFFD}' } else { c };
        self.used.entry(new).or_insert((shown, g.advance_em));
        new
    }

    /// Glyphs in use: (new id, character, advance in ems).
    pub fn glyphs(&self) -> impl Iterator<Item = (u16, char, f32)> + '_ {
        self.used.iter().map(|(&id, &(c, w))| (id, c, w))
    }

    /// A six-letter subset tag (PDF 9.6.4), derived from the glyph set.
    pub fn tag(&self) -> String {
        let mut h: u32 = 2_166_136_261;
        for &id in self.used.keys() {
            h = (h ^ u32::from(id)).wrapping_mul(16_777_619);
        }
        (0..6)
            .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
            .collect()
    }

    /// The bare CFF program of the subset (for a /FontFile3 /CIDFontType0C), or `None`
    /// if subsetting failed.
    pub fn cff(&self) -> Option<Vec<u8>> {
        let otf = subsetter::subset(FONT_FILE, 0, &self.remapper).ok()?;
        let face = ttf_parser::RawFace::parse(&otf, 0).ok()?;
        face.table(Tag::from_bytes(b"CFF ")).map(<[u8]>::to_vec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_font_parses_and_covers_chinese_and_latin() {
        let f = font().unwrap();
        assert_eq!(f.units_per_em, 1000.0);
        for c in "村医培训第页共堃喆：，。Aa1".chars() {
            assert_ne!(glyph(c).id, 0, "{c} missing");
        }
        assert_eq!(glyph('中').advance_em, 1.0);
        assert!(glyph('i').advance_em < 0.5);
    }

    #[test]
    fn a_missing_character_becomes_the_replacement_glyph() {
        let g = glyph('\u{1F600}');
        assert_eq!(g.id, 0);
        let mut s = Subset::default();
        assert_eq!(s.encode('\u{1F600}'), 0);
        assert_eq!(s.glyphs().next().map(|g| g.1), Some('\u{FFFD}'));
    }

    #[test]
    fn a_subset_is_small_and_numbered_from_one() {
        let mut s = Subset::default();
        let ids: Vec<u16> = "村医村A".chars().map(|c| s.encode(c)).collect();
        assert_eq!(ids, vec![1, 2, 1, 3]);
        let cff = s.cff().unwrap();
        assert!(cff.len() < 20_000, "{} bytes", cff.len());
        assert_eq!(s.tag().len(), 6);
    }
}
