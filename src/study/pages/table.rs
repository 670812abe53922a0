//! `GET /progress`: the county progress table with its distribution chart — one page and
//! the chart's counts, both from SQL over the ledger's totals.

use actix_web::web;
use askama::Template;

use crate::auth::PageUser;
use crate::page::{Nav, PageResult, Pager, encode_query_value, html};
use crate::state::AppState;
use crate::study::ops::progress::{self, TableQuery, Want};
use crate::study::views::ProgressRow;

/// A bar of the distribution chart.
pub struct Bin {
    pub label: &'static str,
    pub count: usize,
    pub x: usize,
    pub y: usize,
    pub height: usize,
    pub label_y: usize,
}

/// How far doctors are, in fifths of their requirements (SVG drawn by the template),
/// from the counts per fifth (the last: hours met).
pub fn histogram(counts: [usize; 6]) -> (Vec<Bin>, usize) {
    const LABELS: [&str; 6] = ["<20%", "20–40%", "40–60%", "60–80%", "80–99%", "达标"];
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let (chart_h, bar_w, gap) = (140usize, 44usize, 10usize);
    let bins = counts
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let height = count * chart_h / max;
            Bin {
                label: LABELS[i],
                count,
                x: 10 + i * (bar_w + gap),
                y: 20 + chart_h - height,
                height,
                label_y: 14 + chart_h - height,
            }
        })
        .collect();
    (bins, 10 + 6 * (bar_w + gap))
}

#[derive(Template)]
#[template(path = "study/table.html")]
struct TablePage {
    nav: Option<Nav>,
    rows: Vec<ProgressRow>,
    pager: Pager,
    bins: Vec<Bin>,
    chart_width: usize,
    total: usize,
    behind_count: usize,
    met_count: usize,
    region: String,
    behind: bool,
    regions: Vec<(String, String)>,
    query: String,
}

/// `GET /progress`.
pub async fn table(
    state: web::Data<AppState>,
    user: PageUser,
    query: web::Query<TableQuery>,
) -> PageResult {
    let query = query.into_inner();
    let table = progress::county_table(&state, &user, &query, Want::PageAndSummary).await?;
    let regions = progress::child_regions(&state, &user).await?;
    let summary = table.summary.clone().unwrap_or_default();
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    let (bins, chart_width) = histogram(summary.bins.map(count));
    let region = query.region.clone().unwrap_or_default();
    let behind = table.behind_only;
    let base = format!(
        "region={}&behind={}",
        encode_query_value(&region),
        if behind { "true" } else { "" }
    );
    let page = table.page;
    html(&TablePage {
        nav: Nav::of(&user),
        pager: Pager {
            page: page.page,
            pages: table.paging.pages(page.total),
            total: page.total,
            base: base.clone(),
        },
        rows: page.items,
        bins,
        chart_width,
        total: count(summary.total),
        behind_count: count(summary.behind),
        met_count: count(summary.bins[5]),
        region,
        behind,
        regions,
        query: base,
    })
}
