//! Lays blocks out on A4 pages: a cursor moves down the page and a block that does not
//! fit starts the next one. Coordinates are PDF points, origin at the bottom left.

use super::Block;
use super::font;
use super::layout::{column_widths, longest_piece, wrap};
use super::qr;

pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
/// 18 mm.
pub const MARGIN: f32 = 51.02;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const TOP: f32 = PAGE_HEIGHT - MARGIN;
const BOTTOM: f32 = MARGIN;

const TITLE_SIZE: f32 = 18.0;
const HEADING_SIZE: f32 = 13.5;
/// 五号 (10.5 pt), the size of Chinese official documents' body text.
const BODY_SIZE: f32 = 10.5;
const TABLE_SIZE: f32 = 9.5;
const FOOTER_SIZE: f32 = 9.0;
const LEADING: f32 = 1.5;
const TABLE_LEADING: f32 = 1.35;
const CELL_PAD: f32 = 3.5;
/// A cell up to this many ems wide is not wrapped unless the table cannot fit otherwise.
const SHORT_CELL: f32 = 8.0;
const BORDER_GRAY: f32 = 0.45;
const HEADER_FILL_GRAY: f32 = 0.9;

/// Something drawn on a page.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// One line of text; `y` is its baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        bold: bool,
    },
    /// Filled rectangles (x, y, w, h) in one gray.
    Fill { rects: Vec<[f32; 4]>, gray: f32 },
    /// Outlined rectangles (x, y, w, h), 0.5 pt lines.
    Stroke { rects: Vec<[f32; 4]>, gray: f32 },
}

struct Flow {
    pages: Vec<Vec<Op>>,
    y: f32,
}

/// The pages of a document, footers included.
pub fn lay_out(title: &str, blocks: &[Block]) -> Vec<Vec<Op>> {
    let mut f = Flow {
        pages: vec![Vec::new()],
        y: TOP,
    };
    f.title(title);
    for block in blocks {
        match block {
            Block::Heading(text) => f.heading(text),
            Block::Paragraph(text) => f.paragraph(text),
            Block::Fields(pairs) => f.fields(pairs),
            Block::Table { headers, rows } => f.table(headers, rows),
            Block::Qr { data, size_mm } => f.qr(data, *size_mm),
            Block::PageBreak => f.page_break(),
        }
    }
    // A page break at the very end leaves nothing to print on its page.
    while f.pages.len() > 1 && f.pages.last().is_some_and(Vec::is_empty) {
        f.pages.pop();
    }
    let total = f.pages.len();
    for (i, page) in f.pages.iter_mut().enumerate() {
        let text = format!("第 {} 页 / 共 {} 页", i + 1, total);
        let x = (PAGE_WIDTH - font::width(&text, FOOTER_SIZE)) / 2.0;
        page.push(Op::Text {
            x,
            y: MARGIN / 2.0,
            size: FOOTER_SIZE,
            text,
            bold: false,
        });
    }
    f.pages
}

fn advance(size: f32) -> impl Fn(char) -> f32 {
    move |c| font::glyph(c).advance_em * size
}

/// The baseline of a line of `size` text whose line box (height `line_h`) starts at `top`.
fn baseline(top: f32, size: f32, line_h: f32) -> f32 {
    top - (line_h - size) / 2.0 - 0.88 * size
}

impl Flow {
    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn at_top(&self) -> bool {
        self.y >= TOP
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Makes room for `h` points, on a new page if this one is too full.
    fn ensure(&mut self, h: f32) {
        if self.y - h < BOTTOM && !self.at_top() {
            self.new_page();
        }
    }

    /// Vertical space, dropped at the top of a page.
    fn gap(&mut self, h: f32) {
        if !self.at_top() {
            self.y -= h;
        }
    }

    fn text(&mut self, x: f32, top: f32, size: f32, line_h: f32, text: String, bold: bool) {
        if text.is_empty() {
            return;
        }
        let y = baseline(top, size, line_h);
        self.page().push(Op::Text {
            x,
            y,
            size,
            text,
            bold,
        });
    }

    fn lines(&mut self, x: f32, lines: Vec<String>, size: f32, bold: bool) {
        let line_h = size * LEADING;
        for line in lines {
            self.ensure(line_h);
            let top = self.y;
            self.text(x, top, size, line_h, line, bold);
            self.y -= line_h;
        }
    }

    fn title(&mut self, title: &str) {
        let line_h = TITLE_SIZE * 1.4;
        for line in wrap(title, CONTENT_WIDTH, advance(TITLE_SIZE)) {
            let x = MARGIN + (CONTENT_WIDTH - font::width(&line, TITLE_SIZE)).max(0.0) / 2.0;
            let top = self.y;
            self.text(x, top, TITLE_SIZE, line_h, line, true);
            self.y -= line_h;
        }
        self.y -= BODY_SIZE;
    }

    fn heading(&mut self, text: &str) {
        self.gap(BODY_SIZE * 0.8);
        let lines = wrap(text, CONTENT_WIDTH, advance(HEADING_SIZE));
        // Keep the heading with at least two lines of what follows it.
        let h = lines.len() as f32 * HEADING_SIZE * LEADING + 2.0 * BODY_SIZE * LEADING;
        self.ensure(h);
        self.lines(MARGIN, lines, HEADING_SIZE, true);
        self.y -= BODY_SIZE * 0.2;
    }

    fn paragraph(&mut self, text: &str) {
        let lines = wrap(text, CONTENT_WIDTH, advance(BODY_SIZE));
        self.lines(MARGIN, lines, BODY_SIZE, false);
        self.gap(BODY_SIZE * 0.5);
    }

    fn fields(&mut self, pairs: &[(String, String)]) {
        let line_h = BODY_SIZE * LEADING;
        for (label, value) in pairs {
            let label = format!("{label}：");
            let label_w = font::width(&label, BODY_SIZE);
            if label_w > CONTENT_WIDTH / 2.0 {
                self.paragraph(&format!("{label}{value}"));
                continue;
            }
            let lines = wrap(value, CONTENT_WIDTH - label_w, advance(BODY_SIZE));
            for (i, line) in lines.into_iter().enumerate() {
                self.ensure(line_h);
                let top = self.y;
                if i == 0 {
                    self.text(MARGIN, top, BODY_SIZE, line_h, label.clone(), false);
                }
                self.text(MARGIN + label_w, top, BODY_SIZE, line_h, line, false);
                self.y -= line_h;
            }
        }
        self.gap(BODY_SIZE * 0.5);
    }

    fn table(&mut self, headers: &[String], rows: &[Vec<String>]) {
        let columns = rows.iter().map(Vec::len).fold(headers.len(), usize::max);
        if columns == 0 {
            return;
        }
        let cell = |row: &[String], i: usize| row.get(i).cloned().unwrap_or_default();
        let adv = advance(TABLE_SIZE);
        let mut natural = vec![0.0f32; columns];
        let mut minimum = vec![0.0f32; columns];
        for row in std::iter::once(headers).chain(rows.iter().map(Vec::as_slice)) {
            for i in 0..columns {
                let text = cell(row, i);
                let widest = text
                    .split('\n')
                    .map(|l| font::width(l, TABLE_SIZE))
                    .fold(0.0, f32::max);
                natural[i] = natural[i].max(widest + 2.0 * CELL_PAD);
                // Short cells (names, dates, scores) stay on one line while they can.
                let keep = longest_piece(&text, &adv).max(widest.min(SHORT_CELL * TABLE_SIZE));
                minimum[i] = minimum[i].max(keep + 2.0 * CELL_PAD);
            }
        }
        let widths = column_widths(&natural, &minimum, CONTENT_WIDTH);
        let wrap_row = |row: &[String]| -> Vec<Vec<String>> {
            (0..columns)
                .map(|i| wrap(&cell(row, i), (widths[i] - 2.0 * CELL_PAD).max(1.0), &adv))
                .collect()
        };
        let header = wrap_row(headers);
        let line_h = TABLE_SIZE * TABLE_LEADING;
        let height = |cells: &[Vec<String>]| {
            cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * line_h + 2.0 * CELL_PAD
        };
        let header_h = height(&header);
        // What a fresh page holds under the header; a taller row has to be split.
        let capacity = TOP - BOTTOM - header_h;
        let first_h = rows.first().map_or(0.0, |r| height(&wrap_row(r)));
        // The header never stands alone: the first row (or, if that must be split
        // anyway, its first lines) comes with it.
        let first_h = if first_h <= capacity {
            first_h
        } else {
            3.0 * line_h + 2.0 * CELL_PAD
        };
        self.ensure(header_h + first_h);
        self.row(&widths, &header, header_h, true);
        for row in rows {
            let mut cells = wrap_row(row);
            loop {
                let h = height(&cells);
                if self.y - h >= BOTTOM {
                    self.row(&widths, &cells, h, false);
                    break;
                }
                let fit = ((self.y - BOTTOM - 2.0 * CELL_PAD) / line_h).floor();
                if h <= capacity || fit < 1.0 {
                    // The whole row goes to the next page, under the header again.
                    self.new_page();
                    self.row(&widths, &header, header_h, true);
                    continue;
                }
                // Taller than a whole page: the only kind of row that is split.
                let fit = fit as usize;
                let rest: Vec<Vec<String>> = cells
                    .iter_mut()
                    .map(|c| c.split_off(fit.min(c.len())))
                    .collect();
                let h = height(&cells);
                self.row(&widths, &cells, h, false);
                self.new_page();
                self.row(&widths, &header, header_h, true);
                cells = rest;
            }
        }
        self.gap(BODY_SIZE * 0.8);
    }

    fn row(&mut self, widths: &[f32], cells: &[Vec<String>], h: f32, header: bool) {
        let line_h = TABLE_SIZE * TABLE_LEADING;
        let top = self.y;
        let mut x = MARGIN;
        let mut rects = Vec::with_capacity(widths.len());
        for w in widths {
            rects.push([x, top - h, *w, h]);
            x += w;
        }
        if header {
            self.page().push(Op::Fill {
                rects: vec![[MARGIN, top - h, CONTENT_WIDTH, h]],
                gray: HEADER_FILL_GRAY,
            });
        }
        self.page().push(Op::Stroke {
            rects: rects.clone(),
            gray: BORDER_GRAY,
        });
        for (rect, lines) in rects.iter().zip(cells) {
            for (i, line) in lines.iter().enumerate() {
                let line_top = top - CELL_PAD - i as f32 * line_h;
                self.text(
                    rect[0] + CELL_PAD,
                    line_top,
                    TABLE_SIZE,
                    line_h,
                    line.clone(),
                    header,
                );
            }
        }
        self.y -= h;
    }

    fn qr(&mut self, data: &str, size_mm: f32) {
        let Some(m) = qr::modules(data) else {
            self.paragraph(data);
            return;
        };
        let size_mm = if size_mm.is_finite() {
            size_mm.clamp(10.0, 150.0)
        } else {
            30.0
        };
        let size = (size_mm * 72.0 / 25.4).min(CONTENT_WIDTH);
        let module = size / m.width as f32;
        // The quiet zone: four modules of white around the symbol.
        self.gap(4.0 * module);
        self.ensure(size);
        let top = self.y;
        let rects = m
            .runs
            .iter()
            .map(|&(col, row, len)| {
                let y = top - (row + 1) as f32 * module;
                [MARGIN + col as f32 * module, y, len as f32 * module, module]
            })
            .collect();
        self.page().push(Op::Fill { rects, gray: 0.0 });
        self.y -= size;
        self.gap(4.0 * module);
    }

    fn page_break(&mut self) {
        if !self.at_top() {
            self.new_page();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(page: &[Op]) -> Vec<&str> {
        page.iter()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    fn table(rows: usize, remark: &str) -> Block {
        Block::Table {
            headers: vec!["姓名".into(), "评价".into()],
            rows: (0..rows)
                .map(|i| vec![format!("王小明{i}"), remark.to_owned()])
                .collect(),
        }
    }

    #[test]
    fn a_short_cell_stays_on_one_line_beside_a_long_one() {
        let pages = lay_out("记录", &[table(1, &"认真负责，".repeat(60))]);
        let t = texts(&pages[0]);
        assert!(t.contains(&"王小明0"), "{t:?}");
        let remark: Vec<&&str> = t
            .iter()
            .filter(|s| s.contains('认') || s.contains('负'))
            .collect();
        assert!(remark.len() > 3, "{t:?}");
    }

    #[test]
    fn rows_move_whole_to_the_next_page_under_a_repeated_header() {
        let pages = lay_out("记录", &[table(80, "合格")]);
        assert!(pages.len() > 1);
        let mut names = 0;
        for page in &pages {
            let t = texts(page);
            assert_eq!(t.iter().filter(|s| **s == "姓名").count(), 1, "{t:?}");
            // Every row on this page has its name and its remark: none split.
            let here = t.iter().filter(|s| s.starts_with("王小明")).count();
            assert_eq!(here, t.iter().filter(|s| **s == "合格").count());
            names += here;
        }
        assert_eq!(names, 80);
    }

    #[test]
    fn a_row_taller_than_a_page_is_split_rather_than_lost() {
        let remark = "很长的评价。".repeat(1500);
        let pages = lay_out("记录", &[table(1, &remark)]);
        assert!(pages.len() >= 2);
        for page in &pages {
            assert!(texts(page).contains(&"姓名"));
        }
        let body: String = pages
            .iter()
            .flat_map(|p| texts(p))
            .filter(|t| !["记录", "姓名", "评价", "王小明0"].contains(t) && !t.starts_with("第 "))
            .collect();
        assert_eq!(body, remark);
    }

    #[test]
    fn every_page_is_numbered_out_of_the_total() {
        let blocks = [
            Block::PageBreak,
            Block::Paragraph("甲".into()),
            Block::PageBreak,
        ];
        let pages = lay_out("题", &blocks);
        // A break at the top of a page does nothing; the first one leaves the title page.
        assert_eq!(pages.len(), 2);
        assert_eq!(texts(&pages[0]).last(), Some(&"第 1 页 / 共 2 页"));
        assert_eq!(texts(&pages[1]).last(), Some(&"第 2 页 / 共 2 页"));
    }

    #[test]
    fn a_qr_code_is_one_fill_of_its_dark_runs_at_the_requested_size() {
        let data = "https://cunyi.example/verify/1";
        let pages = lay_out(
            "题",
            &[Block::Qr {
                data: data.into(),
                size_mm: 30.0,
            }],
        );
        let runs = qr::modules(data).unwrap().runs;
        let rects = pages[0]
            .iter()
            .find_map(|op| match op {
                Op::Fill { rects, gray } if *gray == 0.0 => Some(rects),
                _ => None,
            })
            .unwrap();
        assert_eq!(rects.len(), runs.len());
        let left = rects.iter().map(|r| r[0]).fold(f32::MAX, f32::min);
        let right = rects.iter().map(|r| r[0] + r[2]).fold(0.0, f32::max);
        assert!((right - left - 30.0 * 72.0 / 25.4).abs() < 0.01);
    }

    #[test]
    fn a_qr_size_that_is_not_a_number_falls_back_to_30_mm() {
        let pages = lay_out(
            "题",
            &[Block::Qr {
                data: "x".into(),
                size_mm: f32::NAN,
            }],
        );
        let fills: Vec<&Vec<[f32; 4]>> = pages[0]
            .iter()
            .filter_map(|op| match op {
                Op::Fill { rects, .. } => Some(rects),
                _ => None,
            })
            .collect();
        assert_eq!(fills.len(), 1);
        assert!(fills[0].iter().flatten().all(|v| v.is_finite()));
        let right = fills[0].iter().map(|r| r[0] + r[2]).fold(0.0, f32::max);
        assert!((right - MARGIN - 30.0 * 72.0 / 25.4).abs() < 0.01);
    }

    #[test]
    fn a_heading_is_not_left_alone_at_the_bottom_of_a_page() {
        // Whatever room the page has left, the heading goes with its first line.
        for n in 25..40 {
            let mut blocks: Vec<Block> = (0..n)
                .map(|i| Block::Paragraph(format!("第{i}行")))
                .collect();
            blocks.push(Block::Heading("二、小结".into()));
            blocks.push(Block::Paragraph("内容".into()));
            let pages = lay_out("题", &blocks);
            let page = pages
                .iter()
                .position(|p| texts(p).contains(&"二、小结"))
                .unwrap();
            assert!(
                texts(&pages[page]).contains(&"内容"),
                "after {n} paragraphs"
            );
        }
    }
}
