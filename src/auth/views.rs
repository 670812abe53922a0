//! What identity answers: the login's `{token, expires_at, user}`, and the places a
//! role's landing page lists.

use serde::Serialize;

use super::Role;
use super::ops::LoggedIn;
use crate::users::UserView;

/// `{token, expires_at, user}` as the API answers a login or a password change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginAnswer {
    pub token: String,
    pub expires_at: String,
    pub user: UserView,
}

impl LoggedIn {
    pub fn answer(&self) -> LoginAnswer {
        LoginAnswer {
            token: self.issued.token.clone(),
            expires_at: self
                .issued
                .expires_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            user: self.user.view(Some(&self.region)),
        }
    }
}

/// A place on the landing page.
#[derive(Debug, Clone)]
pub struct Area {
    pub title: &'static str,
    pub href: String,
    pub description: &'static str,
}

/// The areas a role can reach. Only built pages are listed: no dead ends.
pub fn areas_for(role: Role, region_code: &str) -> Vec<Area> {
    let area = |title: &'static str, href: String, description: &'static str| Area {
        title,
        href,
        description,
    };
    let mut areas = Vec::new();
    match role {
        Role::Doctor => {
            areas.push(area(
                "我的学习",
                "/study".into(),
                "学时进度、登记自学、上传证明、跟班日志",
            ));
            areas.push(area(
                "集中培训",
                "/sessions".into(),
                "近期培训安排与扫码签到",
            ));
            areas.push(area(
                "我的考试",
                "/exams".into(),
                "单元测试、年度考核、结业考核：在线答题与成绩",
            ));
        }
        Role::Instructor => {
            areas.push(area(
                "集中培训",
                "/sessions".into(),
                "我授课的培训：签到码、出勤登记、签到表",
            ));
            areas.push(area(
                "学时审核",
                "/study/review".into(),
                "审核我带教学员提交的学习记录",
            ));
        }
        Role::CountyAdmin | Role::CityAdmin | Role::Sysadmin => {
            areas.push(area(
                "学员花名册",
                "/roster".into(),
                "查询学员，导入或导出 Excel 花名册，登记离岗",
            ));
            areas.push(area(
                "学习进度",
                "/progress".into(),
                "各乡镇、各学员的学时进度，进度落后筛选与导出",
            ));
            areas.push(area(
                "集中培训",
                "/sessions".into(),
                "安排培训、签到、出勤与签到表",
            ));
            if role != Role::Sysadmin {
                areas.push(area(
                    "学时审核",
                    "/study/review".into(),
                    "审核学员自学登记与证明",
                ));
            }
            areas.push(area(
                "考试管理",
                "/exams".into(),
                "按组卷规则随机出卷，成绩与试题分析",
            ));
            areas.push(area(
                "题库",
                "/bank".into(),
                "各领域题目统计，导入 GIFT / Aiken / Moodle XML / Excel，导出",
            ));
            areas.push(area(
                "导入平台学时",
                "/study/import".into(),
                "导入中国继续医学教育网等平台的学习记录",
            ));
            areas.push(area(
                "用户管理",
                "/users".into(),
                "查看、新建、停用本辖区的账号，重置密码",
            ));
            areas.push(area(
                "行政区划",
                format!("/regions?parent={region_code}"),
                "浏览辖区内的乡镇（街道）和村（居）",
            ));
            areas.push(area(
                "导入乡镇和村",
                "/regions/import".into(),
                "从 CSV 文件批量导入或更新辖区内的乡镇、村",
            ));
        }
    }
    if role == Role::Sysadmin {
        areas.push(area(
            "审计日志",
            "/audit".into(),
            "登录、拒绝访问与账号变更记录，及防篡改校验",
        ));
    }
    let program = if role.is_admin() {
        "学时要求、报送期限与名额分配表"
    } else {
        "学时要求与各项期限"
    };
    areas.push(area("培训项目", "/programs".into(), program));
    areas.push(area(
        "我的账户",
        "/account".into(),
        "查看账户信息，修改密码",
    ));
    areas
}
