//! The dossier as tables: one sheet per section, the same for the spreadsheet and the PDF.

use crate::dossier::views::DossierView;
use crate::sheet::{Book, Column};

pub(super) fn tables(
    v: &DossierView,
    book: &mut impl Book,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let i = &v.identity;
    let facts: Vec<Vec<String>> = [
        ("姓名", i.name.clone()),
        ("身份证号", i.id_number.clone()),
        ("性别", i.gender.into()),
        ("出生日期", i.birth_date.to_string()),
        ("联系电话", i.phone.clone()),
        ("学历", i.education.into()),
        ("执业资格", i.qualification.into()),
        ("所在地区", i.region_name.clone()),
        ("所在村卫生室", i.clinic_name.clone().unwrap_or_default()),
        ("在岗状态", i.status.into()),
        ("培训项目", i.program_name.clone()),
        ("培训年度", i.cohort_year.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| vec![k.to_owned(), v])
    .chain(
        v.total_lines()
            .into_iter()
            .map(|(k, m)| vec![format!("{k}（分钟）"), m.to_string()]),
    )
    .collect();
    book.sheet(
        "基本信息",
        &[Column::new("项目", 20.0), Column::new("内容", 40.0).text()],
        &facts,
    )?;
    let records: Vec<Vec<String>> = v
        .records
        .iter()
        .map(|r| {
            vec![
                r.occurred_on.to_string(),
                r.kind_label.into(),
                r.minutes.to_string(),
                r.source_label.into(),
                r.evidence.clone(),
            ]
        })
        .collect();
    book.sheet(
        "学时记录",
        &[
            Column::new("日期", 12.0),
            Column::new("类别", 12.0),
            Column::new("分钟", 8.0).number(),
            Column::new("来源", 12.0),
            Column::new("依据", 50.0),
        ],
        &records,
    )?;
    let rotations: Vec<Vec<String>> = v
        .shadowing
        .iter()
        .flat_map(|p| {
            p.rotations.iter().map(move |r| {
                vec![
                    p.base_name.clone(),
                    r.department.clone(),
                    format!("{} 至 {}", r.starts_on, r.ends_on),
                    r.supervisor.clone().unwrap_or_default(),
                    r.signed_off_by.clone().unwrap_or_default(),
                    r.signed_cst(),
                    r.assessment_score
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                ]
            })
        })
        .collect();
    book.sheet(
        "跟班轮转",
        &[
            Column::new("基地", 24.0),
            Column::new("科室", 14.0),
            Column::new("时间", 24.0),
            Column::new("带教老师", 12.0),
            Column::new("签字确认人", 12.0),
            Column::new("签字时间", 18.0),
            Column::new("出科成绩", 10.0).number(),
        ],
        &rotations,
    )?;
    let exams: Vec<Vec<String>> = v
        .exams
        .iter()
        .map(|e| {
            vec![
                e.title.clone(),
                e.kind_label.into(),
                e.year.to_string(),
                e.score.map(|s| s.to_string()).unwrap_or_default(),
                e.max_score.to_string(),
                e.result_label().into(),
            ]
        })
        .collect();
    book.sheet(
        "考核",
        &[
            Column::new("考核", 30.0),
            Column::new("类型", 12.0),
            Column::new("年度", 8.0),
            Column::new("成绩", 8.0).number(),
            Column::new("满分", 8.0).number(),
            Column::new("结论", 8.0),
        ],
        &exams,
    )?;
    skills(v, book)?;
    assessment(v, book)?;
    tutoring(v, book)?;
    visits(v, book)?;
    let documents: Vec<Vec<String>> = v
        .documents
        .iter()
        .map(|d| {
            vec![
                d.kind_label.into(),
                d.filename.clone(),
                d.size_label(),
                d.uploaded_cst(),
            ]
        })
        .collect();
    book.sheet(
        "存档资料",
        &[
            Column::new("类型", 12.0),
            Column::new("文件", 40.0),
            Column::new("大小", 10.0),
            Column::new("上传时间", 18.0),
        ],
        &documents,
    )?;
    Ok(())
}

/// One row per station of each skills exam sat.
fn skills(v: &DossierView, book: &mut impl Book) -> Result<(), rust_xlsxwriter::XlsxError> {
    let rows: Vec<Vec<String>> = v
        .skills
        .iter()
        .flat_map(|k| {
            k.stations.iter().map(move |s| {
                vec![
                    k.title.clone(),
                    k.kind_label.into(),
                    k.held_on.to_string(),
                    s.title.clone(),
                    s.points.map(|p| p.to_string()).unwrap_or_default(),
                    s.max_points.to_string(),
                    if s.critical_missed { "是" } else { "" }.into(),
                    if s.passed { "合格" } else { "不合格" }.into(),
                    k.result_label().into(),
                ]
            })
        })
        .collect();
    book.sheet(
        "技能考核",
        &[
            Column::new("考核", 24.0),
            Column::new("类型", 12.0),
            Column::new("日期", 12.0),
            Column::new("考站", 24.0),
            Column::new("得分", 8.0).number(),
            Column::new("满分", 8.0).number(),
            Column::new("关键项未完成", 10.0),
            Column::new("考站结论", 10.0),
            Column::new("考核结论", 10.0),
        ],
        &rows,
    )
}

/// The assessment year by year, then completion and the certificate.
fn assessment(v: &DossierView, book: &mut impl Book) -> Result<(), rust_xlsxwriter::XlsxError> {
    let a = &v.assessment;
    let mut rows: Vec<Vec<String>> = a
        .years
        .iter()
        .map(|y| {
            vec![
                format!("{} 年度", y.year),
                y.ongoing.online.to_string(),
                y.ongoing.offline.to_string(),
                y.ongoing.score.to_string(),
                y.annual.exam.map(|e| e.to_string()).unwrap_or_default(),
                y.annual.score.to_string(),
                format!(
                    "{}{}",
                    if y.annual.passed {
                        "合格"
                    } else {
                        "不合格"
                    },
                    if y.annual.confirmed {
                        "（已确认）"
                    } else {
                        "（未确认）"
                    }
                ),
            ]
        })
        .collect();
    let c = &a.completion;
    let mut completion = c.status_label.to_owned();
    if let Some(m) = c.makeup_deadline {
        completion.push_str(&format!("，补训补考截止 {m}"));
    }
    if let Some(cert) = &v.certificate {
        completion.push_str(&format!(
            "；结业证书 {}，验证码 {}",
            cert.issued_on, cert.code
        ));
    }
    let mut last = vec![String::new(); 7];
    last[0] = "结业".into();
    last[6] = completion;
    rows.push(last);
    book.sheet(
        "年度考核与结业",
        &[
            Column::new("年度", 16.0).text(),
            Column::new("平时考核·线上", 10.0).number(),
            Column::new("平时考核·线下", 10.0).number(),
            Column::new("平时考核", 10.0).number(),
            Column::new("年度考试", 10.0).number(),
            Column::new("综合成绩", 10.0).number(),
            Column::new("结论", 40.0),
        ],
        &rows,
    )
}

/// Each learning group with its monthly evaluations.
fn tutoring(v: &DossierView, book: &mut impl Book) -> Result<(), rust_xlsxwriter::XlsxError> {
    let rows: Vec<Vec<String>> = v
        .tutoring
        .iter()
        .flat_map(|g| {
            let head = vec![
                g.name.clone(),
                g.team.name.clone(),
                String::new(),
                String::new(),
                String::new(),
            ];
            std::iter::once(head).chain(g.evaluations.iter().map(move |e| {
                vec![
                    g.name.clone(),
                    g.team.name.clone(),
                    e.month.clone(),
                    e.score.to_string(),
                    e.progress.clone(),
                ]
            }))
        })
        .collect();
    book.sheet(
        "学习小组",
        &[
            Column::new("小组", 20.0),
            Column::new("带教团队", 20.0),
            Column::new("月份", 10.0),
            Column::new("月度评价", 10.0).number(),
            Column::new("学习进展", 40.0),
        ],
        &rows,
    )
}

/// The 3331 visits the doctor took part in.
fn visits(v: &DossierView, book: &mut impl Book) -> Result<(), rust_xlsxwriter::XlsxError> {
    let rows: Vec<Vec<String>> = v
        .visits
        .iter()
        .map(|x| {
            vec![
                format!("{} 至 {}", x.starts_on, x.ends_on),
                x.team.clone(),
                x.clinic.clone(),
                x.modes.join("、"),
                x.hours.map(|h| h.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    book.sheet(
        "3331帮扶",
        &[
            Column::new("时间", 24.0),
            Column::new("帮扶小组", 20.0),
            Column::new("村卫生室", 20.0),
            Column::new("方式", 16.0),
            Column::new("小时", 8.0).number(),
        ],
        &rows,
    )
}
