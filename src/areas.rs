//! The nine training content areas (培训内容) of the plans, with the codes the course
//! catalog, sessions, the question bank and blueprints share (DOMAIN.md).

/// (code, Chinese name), in the plans' order.
pub const AREAS: [(&str, &str); 9] = [
    ("clinical_skills", "临床基本技能和操作技术"),
    ("appropriate_techniques", "中西医适宜技术"),
    ("diagnostics", "检查检验指标解读、检查检验设备使用"),
    ("public_health", "基本公共卫生服务（含传染病防控与处置）"),
    ("pharmacy", "合理用药和药品存储"),
    ("emergency", "院前急救"),
    ("health_management", "社区和个体健康管理、健康教育"),
    ("general_practice", "全科医学问诊、沟通和生活方式干预技巧"),
    (
        "policy_law",
        "卫生健康、医疗保障、药品保障和人口发展政策法规",
    ),
];

pub fn is_area(code: &str) -> bool {
    AREAS.iter().any(|(c, _)| *c == code)
}

/// The Chinese name of an area code (the code itself if unknown).
pub fn label(code: &str) -> &str {
    AREAS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| l)
}

/// The codes, for messages.
pub fn codes() -> String {
    AREAS.iter().map(|(c, _)| *c).collect::<Vec<_>>().join("、")
}
