//! The group's archive (带教档案) as a spreadsheet: members and moves, team,
//! activities, evaluations — one sheet each.

use rust_xlsxwriter::XlsxError;

use super::views::GroupView;
use crate::sheet::{Column, XlsxBook};
use crate::time;

/// The archive of a group as `.xlsx` bytes.
pub fn archive_xlsx(g: &GroupView) -> Result<Vec<u8>, XlsxError> {
    let mut book = XlsxBook::new();
    let team: Vec<Vec<String>> = g
        .team
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
                m.level_label.unwrap_or("").to_owned(),
                m.phone.clone().unwrap_or_default(),
            ]
        })
        .collect();
    book.sheet(
        "带教团队",
        &[
            Column::new("姓名", 12.0),
            Column::new("专业", 8.0),
            Column::new("类别", 10.0),
            Column::new("派出单位", 22.0),
            Column::new("层级", 10.0),
            Column::new("联系电话", 14.0).text(),
        ],
        &team,
    )?;
    let members: Vec<Vec<String>> = g
        .history
        .iter()
        .map(|m| {
            vec![
                m.name.clone(),
                time::display_cst(m.joined_at),
                m.left_at.map(time::display_cst).unwrap_or_default(),
                if m.left_at.is_none() {
                    "在组"
                } else {
                    "已调出"
                }
                .to_owned(),
            ]
        })
        .collect();
    book.sheet(
        "小组成员及调整",
        &[
            Column::new("学员", 12.0),
            Column::new("入组时间", 18.0),
            Column::new("离组时间", 18.0),
            Column::new("状态", 8.0),
        ],
        &members,
    )?;
    let activities: Vec<Vec<String>> = g
        .activities
        .iter()
        .map(|a| {
            vec![
                time::display_cst(a.starts_at),
                time::display_cst(a.ends_at),
                a.kind_label.to_owned(),
                a.topic.clone(),
                a.minutes.to_string(),
                a.attendees.join("、"),
                a.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    book.sheet(
        "带教活动",
        &[
            Column::new("开始", 18.0),
            Column::new("结束", 18.0),
            Column::new("形式", 10.0),
            Column::new("主题", 24.0),
            Column::new("分钟", 8.0).number(),
            Column::new("参加学员", 30.0),
            Column::new("备注", 24.0),
        ],
        &activities,
    )?;
    let evaluations: Vec<Vec<String>> = g
        .evaluations
        .iter()
        .map(|e| {
            vec![
                e.month.clone(),
                e.score.to_string(),
                e.progress.clone(),
                e.remarks.clone(),
            ]
        })
        .collect();
    book.sheet(
        "月度评估",
        &[
            Column::new("月份", 10.0),
            Column::new("评分", 8.0).number(),
            Column::new("学习进度", 30.0),
            Column::new("评语", 30.0),
        ],
        &evaluations,
    )?;
    book.into_bytes()
}
