//! The audit log as people read it: each action's Chinese name and the detail's fields
//! in words, so the log page never shows codes like `auth.login` or raw JSON. Pure.
//!
//! Every action the code records must be named here: a test scans `src/` for
//! `Entry::new("…")` and fails on a new action without a name.

use serde_json::Value;

/// (action code, Chinese name): the actions written to the log.
pub const ACTIONS: &[(&str, &str)] = &[
    ("access.denied", "越权访问被拒绝"),
    ("assessment.completion", "结业考核结果"),
    ("assessment.confirm", "确认年度考核成绩"),
    ("assessment.rating", "录入态度与能力评价"),
    ("assessment.reassess", "重新评定考核"),
    ("archive.attached", "上传归档材料"),
    ("archive.deleted", "删除归档材料"),
    ("auth.login", "登录"),
    ("auth.login_failed", "登录失败"),
    ("auth.login_throttled", "登录尝试过多被限制"),
    ("auth.logout", "退出登录"),
    ("auth.password_changed", "修改密码"),
    ("auth.token_rejected", "登录凭证被拒绝"),
    ("bank.exported", "导出题库"),
    ("bank.imported", "导入题库"),
    ("certificate.revoke", "撤销结业证书"),
    ("doctor.created", "新增村医"),
    ("doctor.registration_refused", "村医登记被拒绝"),
    ("doctor.status_changed", "变更村医状态"),
    ("doctor.updated", "修改村医信息"),
    ("dossier.export_started", "批量导出学员档案"),
    ("exam.attempt_started", "开始考试"),
    ("exam.attempt_submitted", "交卷"),
    ("exam.closed", "提前结束考试"),
    ("exam.created", "创建考试"),
    ("exam.withdrawn", "撤回考试"),
    ("instructor.created", "新增带教老师"),
    ("notify.failed", "提醒邮件发送失败"),
    ("notify.planned", "生成提醒邮件"),
    ("notify.retried", "重发提醒邮件"),
    ("organization.created", "新增机构"),
    ("pii.id_number_revealed", "查看完整身份证号"),
    ("pii.roster_exported", "导出含身份证号的花名册"),
    ("placement.assessed", "跟班学习考核"),
    ("placement.created", "安排跟班学习"),
    ("program.created", "建立培训项目"),
    ("program.updated", "修改培训项目"),
    ("region.imported", "导入行政区划"),
    ("report.accepted", "市级通过报送材料"),
    ("report.created", "新建报送材料"),
    ("report.edited", "修改报送材料"),
    ("report.refreshed", "刷新报送统计"),
    ("report.returned", "市级退回报送材料"),
    ("report.submitted", "报送材料"),
    ("roster.imported", "导入花名册"),
    ("rotation.signed_off", "轮转科室签字确认"),
    ("session.attendance", "登记集中培训签到"),
    ("session.created", "新建集中培训"),
    ("sessions.checkin_throttled", "签到码尝试过多被限制"),
    ("sessions.checkin_wrong_code", "签到码错误"),
    ("skills.exam_created", "创建技能考核"),
    ("skills.sheet_corrected", "更正技能评分表"),
    ("skills.sheet_submitted", "提交技能评分表"),
    ("skills.station_created", "新增技能考站"),
    ("study.approved", "审核通过学习记录"),
    ("study.rejected", "退回学习记录"),
    ("study.imported", "导入线上学习记录"),
    ("study.recorded", "登记学习记录"),
    ("tutoring.group_created", "建立学习小组"),
    ("tutoring.members_changed", "调整小组成员"),
    ("user.created", "新建账号"),
    ("user.disabled", "停用账号"),
    ("user.enabled", "启用账号"),
    ("user.password_reset", "重置密码"),
    ("user.email_changed", "修改电子邮箱"),
];

/// (permission, Chinese name): what a refusal (`access.denied`) says was attempted.
pub const ATTEMPTS: &[(&str, &str)] = &[
    ("doctor.reveal_id_number", "查看完整身份证号"),
    ("doctor.read", "查看村医"),
    ("doctor.write", "修改村医"),
    ("exam.read", "查看考试"),
    ("report.create", "新建报送材料"),
    ("report.list", "查看报送列表"),
    ("report.read", "查看报送材料"),
    ("roster.import", "导入花名册"),
    ("study.import", "导入线上学习记录"),
    ("study.review", "审核学习记录"),
    ("user.create", "新建账号"),
    ("user.disable", "停用账号"),
    ("user.enable", "启用账号"),
    ("user.list", "查看账号列表"),
    ("user.read", "查看账号"),
];

/// (detail field, Chinese name).
pub const FIELDS: &[(&str, &str)] = &[
    ("added", "新增"),
    ("areas", "内容领域"),
    ("assessment_score", "考核成绩"),
    ("attempt", "尝试的操作"),
    ("attempt_no", "第几次作答"),
    ("base_org_id", "基地机构"),
    ("by", "操作方式"),
    ("candidates", "考生数"),
    ("certificates", "证书数"),
    ("closed", "已结束"),
    ("closes_at", "结束时间"),
    ("clinics_created", "新建村卫生室"),
    ("code", "编码"),
    ("collection", "题库"),
    ("comment", "意见"),
    ("confirmed", "已确认"),
    ("count", "数量"),
    ("created", "新增"),
    ("credited", "计入学时"),
    ("days_credited", "计入天数"),
    ("deadline", "截止时间"),
    ("decided", "已处理"),
    ("doctor_id", "村医编号"),
    ("doctor_ids", "村医编号"),
    ("duplicates", "重复"),
    ("exam_id", "考试编号"),
    ("failed", "失败"),
    ("format", "格式"),
    ("full_id_numbers", "含完整身份证号"),
    ("joined", "加入"),
    ("kind", "类别"),
    ("max_score", "满分"),
    ("minutes", "分钟"),
    ("name", "名称"),
    ("not_applicable_after", "更正后不适用项"),
    ("not_applicable_before", "更正前不适用项"),
    ("on", "日期"),
    ("open_attempts_cut", "强制交卷的作答"),
    ("passed", "合格"),
    ("passed_after", "更正后合格"),
    ("passed_before", "更正前合格"),
    ("platform", "平台"),
    ("points", "得分"),
    ("points_after", "更正后得分"),
    ("points_before", "更正前得分"),
    ("preset", "预设"),
    ("program_id", "培训项目编号"),
    ("rating", "评价"),
    ("reason", "原因"),
    ("region_code", "行政区划"),
    ("role", "角色"),
    ("rows", "行数"),
    ("score", "成绩"),
    ("seed", "随机种子"),
    ("skipped", "跳过"),
    ("station_id", "考站编号"),
    ("stations", "考站数"),
    ("status", "状态"),
    ("team_id", "辅导团队编号"),
    ("title", "标题"),
    ("to", "变更为"),
    ("unchanged", "无变化"),
    ("updated", "更新"),
    ("user_id", "账号编号"),
    ("username", "用户名"),
    ("version", "版本"),
    ("via", "途径"),
    ("warnings", "提示"),
    ("was_closing_at", "原结束时间"),
    ("year", "年度"),
];

/// An action's Chinese name; an action not (yet) named reads 其他操作.
pub fn action_label(code: &str) -> &'static str {
    ACTIONS
        .iter()
        .chain(ATTEMPTS)
        .find(|(c, _)| *c == code)
        .map_or("其他操作", |(_, l)| l)
}

fn field_label(key: &str) -> Option<&'static str> {
    FIELDS.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)
}

/// One value in words: 是/否 for booleans, names for known codes, lists joined by 、.
fn value_text(key: &str, v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if key == "attempt" => action_label(s).to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| value_text(key, i))
            .collect::<Vec<_>>()
            .join("、"),
        Value::Object(_) => detail_pairs(v)
            .into_iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join("，"),
    }
}

/// The detail as (name, value) pairs in the fields' order; a field without a Chinese
/// name keeps its own. Anything that is not a JSON object is one pair named 详情.
pub fn detail_pairs(detail: &Value) -> Vec<(String, String)> {
    match detail {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                (
                    field_label(k).map_or_else(|| k.clone(), str::to_owned),
                    value_text(k, v),
                )
            })
            .collect(),
        Value::Null => Vec::new(),
        other => vec![("详情".into(), value_text("", other))],
    }
}

/// The stored detail text (JSON) in words: 「名：值；名：值」, empty for `{}`.
pub fn detail_text(detail: &str) -> String {
    match serde_json::from_str::<Value>(detail) {
        Ok(v) => detail_pairs(&v)
            .into_iter()
            .map(|(k, v)| format!("{k}：{v}"))
            .collect::<Vec<_>>()
            .join("；"),
        Err(_) => detail.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_as_chinese() {
        assert_eq!(action_label("auth.login"), "登录");
        assert_eq!(action_label("no.such_action"), "其他操作");
    }

    #[test]
    fn details_read_as_words_not_json() {
        let text = detail_text(r#"{"attempt":"user.create","status":403,"full_id_numbers":true}"#);
        assert_eq!(text, "尝试的操作：新建账号；含完整身份证号：是；状态：403");
        assert_eq!(detail_text("{}"), "");
        assert_eq!(detail_text("not json"), "not json");
        let nested = detail_text(r#"{"doctor_ids":[3,4],"updated":{"name":"王"}}"#);
        assert_eq!(nested, "村医编号：3、4；更新：名称 王");
    }

    #[test]
    fn no_duplicate_codes() {
        let mut codes: Vec<&str> = ACTIONS.iter().chain(ATTEMPTS).map(|(c, _)| *c).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n, "an action is named twice");
    }

    /// Every `Entry::new("area.action")` in the source has a name: a new action cannot
    /// reach the log page as a code.
    #[test]
    fn every_recorded_action_has_a_name() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") || path.ends_with("labels.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for piece in text.split("Entry::new(").skip(1) {
                    let piece = piece.trim_start();
                    let Some(rest) = piece.strip_prefix('"') else {
                        continue;
                    };
                    let code = &rest[..rest.find('"').unwrap_or(0)];
                    if code.contains('.') && action_label(code) == "其他操作" {
                        missing.push(format!("{}: {code}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "actions without a name: {missing:?}");
    }
}
