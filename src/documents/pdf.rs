//! Writes laid-out pages as a PDF 1.7 file: one Type0 (CID-keyed) font with Identity-H
//! encoding, its CFF subset embedded, a ToUnicode map for extraction, and every stream
//! deflated.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, TextRenderingMode, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::flow::{Op, PAGE_HEIGHT, PAGE_WIDTH};
use super::font::{self, Subset};

const FONT: Name = Name(b"F1");

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// The content stream of one page; characters are added to `subset` as they are used.
fn content(ops: &[Op], subset: &mut Subset) -> Vec<u8> {
    let mut c = Content::new();
    for op in ops {
        match op {
            Op::Text {
                x,
                y,
                size,
                text,
                bold,
            } => {
                let mut bytes = Vec::with_capacity(text.len() * 2);
                for ch in text.chars() {
                    bytes.extend_from_slice(&subset.encode(ch).to_be_bytes());
                }
                c.save_state();
                if *bold {
                    // One weight is embedded: bold is the outline stroked over the fill.
                    c.set_line_width(size * 0.035);
                    c.set_text_rendering_mode(TextRenderingMode::FillStroke);
                }
                c.begin_text();
                c.set_font(FONT, *size);
                c.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y]);
                c.show(Str(&bytes));
                c.end_text();
                c.restore_state();
            }
            Op::Fill { rects, gray } => {
                c.save_state();
                c.set_fill_gray(*gray);
                for [x, y, w, h] in rects {
                    c.rect(*x, *y, *w, *h);
                }
                c.fill_nonzero();
                c.restore_state();
            }
            Op::Stroke { rects, gray } => {
                c.save_state();
                c.set_stroke_gray(*gray);
                c.set_line_width(0.5);
                for [x, y, w, h] in rects {
                    c.rect(*x, *y, *w, *h);
                }
                c.stroke();
                c.restore_state();
            }
        }
    }
    c.finish().to_vec()
}

/// The PDF bytes of `pages`.
pub fn write(title: &str, pages: &[Vec<Op>]) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    let type0 = Ref::new(4);
    let cid_font = Ref::new(5);
    let descriptor = Ref::new(6);
    let to_unicode = Ref::new(7);
    let font_file = Ref::new(8);
    let page_ref = |i: usize| Ref::new(9 + 2 * i as i32);
    let content_ref = |i: usize| Ref::new(10 + 2 * i as i32);

    let mut catalog_w = pdf.catalog(catalog);
    catalog_w.pages(tree);
    catalog_w.lang(TextStr("zh-CN"));
    catalog_w.viewer_preferences().display_doc_title(true);
    catalog_w.finish();
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("cunyi 村医培训考核平台"));
    pdf.pages(tree)
        .kids((0..pages.len()).map(page_ref))
        .count(pages.len() as i32);

    let mut subset = Subset::default();
    for (i, ops) in pages.iter().enumerate() {
        let stream = deflate(&content(ops, &mut subset));
        pdf.stream(content_ref(i), &stream)
            .filter(Filter::FlateDecode);
        let mut page = pdf.page(page_ref(i));
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(tree);
        page.contents(content_ref(i));
        page.resources().fonts().pair(FONT, type0);
        page.finish();
    }

    let base_font = format!("{}+{}", subset.tag(), font::POSTSCRIPT_NAME);
    let base_font = Name(base_font.as_bytes());
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(type0)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font)
        .to_unicode(to_unicode);

    let mut cid = pdf.cid_font(cid_font);
    cid.subtype(CidFontType::Type0)
        .base_font(base_font)
        .system_info(system_info)
        .font_descriptor(descriptor)
        .default_width(1000.0);
    {
        let mut widths = cid.widths();
        for (id, _, advance) in subset.glyphs() {
            widths.consecutive(id, [advance * 1000.0]);
        }
    }
    cid.finish();

    let (ascent, descent, cap_height, bbox) = match font::font() {
        Some(f) => {
            let k = 1000.0 / f.units_per_em;
            let [x0, y0, x1, y1] = f.bbox;
            (
                f.ascender * k,
                f.descender * k,
                f.cap_height * k,
                Rect::new(x0 * k, y0 * k, x1 * k, y1 * k),
            )
        }
        None => (880.0, -120.0, 733.0, Rect::new(0.0, -120.0, 1000.0, 880.0)),
    };
    let cff = subset.cff();
    let mut fd = pdf.font_descriptor(descriptor);
    fd.name(base_font)
        .flags(FontFlags::SYMBOLIC)
        .bbox(bbox)
        .italic_angle(0.0)
        .ascent(ascent)
        .descent(descent)
        .cap_height(cap_height)
        .stem_v(80.0);
    if cff.is_some() {
        fd.font_file3(font_file);
    }
    fd.finish();

    let mut cmap = UnicodeCmap::new(
        Name(b"Custom"),
        SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"UCS"),
            supplement: 0,
        },
    );
    for (id, c, _) in subset.glyphs() {
        cmap.pair(id, c);
    }
    let cmap = deflate(&cmap.finish());
    pdf.cmap(to_unicode, &cmap).filter(Filter::FlateDecode);

    if let Some(cff) = cff {
        let data = deflate(&cff);
        pdf.stream(font_file, &data)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
    }
    pdf.finish()
}
