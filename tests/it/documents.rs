//! `crate::documents`: the shared PDF renderer, read back with a real parser
//! (tests/it/support/pdf.rs). It has no HTTP route of its own; the areas that print test
//! their routes.

use std::time::Instant;

use cunyi::documents::Document;

use crate::support::pdf::{compact, dump, pdf_pages, pdf_text, pdf_title};

fn roster_rows(n: usize) -> Vec<Vec<String>> {
    (1..=n)
        .map(|i| {
            vec![
                i.to_string(),
                format!("学员{i:03}"),
                format!("枣庄市山亭区第{}卫生室", i % 7 + 1),
                format!("{}.{}", 60 + i % 40, i % 10),
            ]
        })
        .collect()
}

#[test]
fn chinese_text_comes_back_out_of_the_pdf() {
    let mut doc = Document::new("2026 年乡村医生岗位培训结业公示");
    doc.heading("一、培训概况")
        .paragraph("根据《山东省乡村医生岗位培训实施方案》，现将 2026 年度集中培训结果公示如下，公示期为 5 个工作日。")
        .fields(&[
            ("培训项目", "基层常见病诊疗".to_string()),
            ("主办单位", "枣庄市卫生健康委员会".to_string()),
        ])
        .heading("二、查验")
        .qr("https://cunyi.example/verify/2026-000123", 30.0);
    let pdf = doc.render();
    dump("notice", &pdf);

    assert!(pdf.starts_with(b"%PDF-1.7"));
    assert_eq!(
        pdf_title(&pdf).as_deref(),
        Some("2026 年乡村医生岗位培训结业公示")
    );
    let text = compact(&pdf_text(&pdf));
    for expected in [
        "2026年乡村医生岗位培训结业公示",
        "一、培训概况",
        "根据《山东省乡村医生岗位培训实施方案》，现将2026年度集中培训结果公示如下",
        "培训项目：基层常见病诊疗",
        "主办单位：枣庄市卫生健康委员会",
        "二、查验",
        "第1页/共1页",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
    // The QR code is drawn, not written: its data is not in the text.
    assert!(!text.contains("verify"));
}

#[test]
fn a_long_table_spans_pages_and_repeats_its_header_on_each() {
    let rows = roster_rows(120);
    let mut doc = Document::new("培训签到表");
    doc.table(&["序号", "姓名", "所在卫生室", "成绩"], &rows);
    let pdf = doc.render();
    dump("table", &pdf);

    let pages = pdf_pages(&pdf);
    assert!(pages.len() > 1, "120 rows on {} page(s)", pages.len());
    let total = pages.len();
    for (i, page) in pages.iter().enumerate() {
        let page = compact(page);
        assert!(
            page.contains("序号姓名所在卫生室成绩"),
            "no header on page {}: {page:?}",
            i + 1
        );
        assert!(
            page.contains(&format!("第{}页/共{}页", i + 1, total)),
            "page {} footer",
            i + 1
        );
    }
    // Every row exactly once, in order: none lost at a page break, none repeated.
    let text = compact(&pdf_text(&pdf));
    let mut at = 0;
    for row in &rows {
        let cells = row.concat();
        assert_eq!(
            text.matches(&format!("学员{:03}", row[0].parse::<usize>().unwrap()))
                .count(),
            1
        );
        let found = text[at..]
            .find(&cells)
            .unwrap_or_else(|| panic!("row {cells:?} missing"));
        at += found + cells.len();
    }
}

#[test]
fn long_cells_wrap_inside_their_column_and_lose_nothing() {
    let remark = "该学员在跟班学习期间认真负责，完成门诊接诊、慢病随访、预防接种等全部带教任务，带教老师评价为优秀。".repeat(3);
    let mut doc = Document::new("跟班学习记录");
    doc.table(
        &["姓名", "带教评价"],
        &[vec!["王小明".into(), remark.clone()]],
    );
    let pdf = doc.render();
    dump("wrapped-cells", &pdf);
    let text = compact(&pdf_text(&pdf));
    assert!(text.contains("王小明"));
    assert!(
        text.contains(&compact(&remark)),
        "wrapped cell lost text: {text:?}"
    );
}

#[test]
fn a_three_page_document_is_small_and_fast() {
    let mut doc = Document::new("一人一册");
    for part in ["基本信息", "培训记录", "考核成绩"] {
        doc.heading(part)
            .paragraph(
                &"乡村医生是农村居民健康的“守门人”，承担着常见病、多发病的初级诊疗服务。".repeat(6),
            )
            .table(&["序号", "姓名", "所在卫生室", "成绩"], &roster_rows(25))
            .page_break();
    }
    doc.qr("https://cunyi.example/dossier/370406-0001", 25.0);

    let started = Instant::now();
    let pdf = doc.render();
    let took = started.elapsed();
    dump("dossier", &pdf);
    let again = Instant::now();
    doc.render();
    let warm = again.elapsed();

    assert_eq!(pdf_pages(&pdf).len(), 4, "three parts and the QR page");
    assert!(pdf.len() < 300_000, "{} bytes", pdf.len());
    // Unoptimised test build: generous, but seconds would mean the font is re-parsed.
    assert!(
        warm.as_millis() < 1500,
        "rendering took {warm:?} (first {took:?})"
    );
    eprintln!(
        "4-page document: {} bytes, first render {took:?}, then {warm:?}",
        pdf.len()
    );
}

#[test]
fn a_character_missing_from_the_font_prints_a_replacement_not_a_crash() {
    let mut doc = Document::new("缺字测试");
    doc.paragraph("姓名：李😀明");
    let text = compact(&pdf_text(&doc.render()));
    assert!(text.contains("姓名：李\u{FFFD}明"), "{text:?}");
}

#[test]
fn an_empty_document_is_one_page_with_its_title() {
    let pdf = Document::new("空白").render();
    let pages = pdf_pages(&pdf);
    assert_eq!(pages.len(), 1);
    assert!(compact(&pages[0]).contains("空白"));
}
