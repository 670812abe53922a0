//! The printed documents of a group: the 公示 notice (team with professions and phone
//! numbers, members, the posting period) and the archive (带教档案), as PDFs through
//! the shared renderer `crate::documents`.

use chrono::NaiveDate;

use super::views::GroupView;
use crate::documents::Document;
use crate::time;

fn date(d: NaiveDate) -> String {
    d.format("%Y年%m月%d日").to_string()
}

fn team_rows(g: &GroupView) -> Vec<Vec<String>> {
    g.team
        .members
        .iter()
        .map(|m| {
            vec![
                m.name.clone(),
                m.role_label.to_owned(),
                if m.dispatched {
                    "下沉专家"
                } else {
                    "本地骨干"
                }
                .to_owned(),
                m.home_org.clone().unwrap_or_default(),
                m.phone.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

/// The 公示 notice of a group, posted `posted` to `until` at the township centre and
/// the village clinics.
pub fn notice_pdf(g: &GroupView, posted: NaiveDate, until: NaiveDate) -> Vec<u8> {
    let mut doc = Document::new("学习小组及带教团队公示");
    doc.paragraph(&format!(
        "根据乡村医生“千医培训”辅导带教工作安排，现将{}的带教团队及小组成员予以公示。公示期为 {} 至 {}。如有意见，请在公示期内向乡镇卫生院反映。",
        g.name,
        date(posted),
        date(until)
    ))
    .fields(&[
        ("学习小组", g.name.clone()),
        ("带教团队", g.team.name.clone()),
        ("公示期", format!("{} 至 {}", date(posted), date(until))),
    ])
    .heading(&format!("带教团队：{}", g.team.name))
    .table(&["姓名", "专业", "类别", "派出单位", "联系电话"], &team_rows(g))
    .heading(&format!("小组成员（{} 人）", g.members.len()))
    .table(
        &["序号", "姓名", "入组时间"],
        &g.members
            .iter()
            .enumerate()
            .map(|(i, m)| vec![(i + 1).to_string(), m.name.clone(), m.joined()])
            .collect::<Vec<_>>(),
    )
    .paragraph("张贴于乡镇卫生院及各村卫生室。");
    doc.render()
}

/// The group's archive: team, members and moves, activities, evaluations.
pub fn archive_pdf(g: &GroupView) -> Vec<u8> {
    let mut doc = Document::new(&format!("{} 带教档案", g.name));
    doc.fields(&[
        ("学习小组", g.name.clone()),
        ("分组依据", g.criteria.clone()),
        ("带教团队", g.team.name.clone()),
        ("导出日期", date(time::today_cst())),
    ])
    .heading("带教团队")
    .table(
        &["姓名", "专业", "类别", "派出单位", "联系电话"],
        &team_rows(g),
    )
    .heading("小组成员及调整")
    .table(
        &["学员", "入组时间", "离组时间"],
        &g.history
            .iter()
            .map(|m| {
                vec![
                    m.name.clone(),
                    m.joined(),
                    m.left().unwrap_or_else(|| "在组".into()),
                ]
            })
            .collect::<Vec<_>>(),
    )
    .heading("带教活动")
    .table(
        &["时间", "形式", "主题", "分钟", "参加学员"],
        &g.activities
            .iter()
            .map(|a| {
                vec![
                    a.starts(),
                    a.kind_label.to_owned(),
                    a.topic.clone(),
                    a.minutes.to_string(),
                    a.attendees.join("、"),
                ]
            })
            .collect::<Vec<_>>(),
    )
    .heading("月度评估")
    .table(
        &["月份", "评分", "学习进度", "评语"],
        &g.evaluations
            .iter()
            .map(|e| {
                vec![
                    e.month.clone(),
                    e.score.to_string(),
                    e.progress.clone(),
                    e.remarks.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    doc.render()
}

/// The 公示 of a township: each group with members there, its team and those members.
pub fn township_notice_pdf(
    region: &str,
    groups: &[GroupView],
    posted: NaiveDate,
    until: NaiveDate,
) -> Vec<u8> {
    let mut doc = Document::new("学习小组及带教团队公示");
    doc.paragraph(&format!(
        "根据乡村医生“千医培训”辅导带教工作安排，现将{region}乡村医生所在学习小组及其带教团队予以公示。公示期为 {} 至 {}。如有意见，请在公示期内向乡镇卫生院反映。",
        date(posted),
        date(until)
    ));
    for g in groups {
        doc.heading(&format!("{} · 带教团队：{}", g.name, g.team.name))
            .table(
                &["姓名", "专业", "类别", "派出单位", "联系电话"],
                &team_rows(g),
            )
            .table(
                &["序号", "小组成员"],
                &g.members
                    .iter()
                    .enumerate()
                    .map(|(i, m)| vec![(i + 1).to_string(), m.name.clone()])
                    .collect::<Vec<_>>(),
            );
    }
    if groups.is_empty() {
        doc.paragraph(&format!("{region}暂无学员编入学习小组。"));
    }
    doc.paragraph(&format!("张贴于{region}卫生院及各村卫生室。"));
    doc.render()
}
