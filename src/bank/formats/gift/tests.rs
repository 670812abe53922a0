use super::*;
use crate::bank::QType;

fn read_ok(text: &str) -> Read {
    let r = read(text, "public_health");
    assert!(r.faults.is_empty(), "{:?}", r.faults);
    r
}

fn faults(text: &str) -> Vec<Malformed> {
    read(text, "public_health").faults
}

#[test]
fn a_moodle_users_file() {
    let file = r#"// 高血压题目，由县卫健局教研组整理
// question: 1 name: 随访频次
$CATEGORY: $course$/top/默认/高血压管理

::随访频次::[html]<p>对原发性高血压患者，每年至少提供几次面对面随访？</p>{
	~1 次#太少
	~2 次
	=4 次#正确：每年至少 4 次
	~12 次
}

::多选::以下属于高血压危险因素的是 {
  ~%50%高盐饮食
  ~%50%过量饮酒
  ~%-100%规律运动
  ####高盐和饮酒是危险因素。
}

// 判断题
血压 140/90 mmHg 及以上可诊断高血压（非同日 3 次）。{TRUE#错了#对}

比值\{1\:2\}和等号\= 的转义 {=是 ~否}

请写出高血压的定义。{}

高血压的英文缩写是 {=HTN =hypertension}

心率正常值 {#60..100}

配对 {=A -> 甲 =B -> 乙 =C -> 丙}

这是一段说明文字，不是题目。
"#;
    let r = read_ok(file);
    assert_eq!(r.found.len(), 4, "{:?}", r.found);
    let q = &r.found[0].question;
    assert_eq!(q.stem, "对原发性高血压患者，每年至少提供几次面对面随访？");
    assert_eq!(q.options, vec!["1 次", "2 次", "4 次", "12 次"]);
    assert_eq!(
        (q.qtype, q.answer.as_str(), q.explanation.as_str()),
        (QType::A1, "C", "正确：每年至少 4 次")
    );
    assert_eq!(q.topic, "高血压管理");
    assert_eq!(r.found[0].position, "第 5 行");
    let x = &r.found[1].question;
    assert_eq!(
        (x.qtype, x.answer.as_str(), x.explanation.as_str()),
        (QType::X, "AB", "高盐和饮酒是危险因素。")
    );
    let tf = &r.found[2].question;
    assert_eq!(
        (tf.qtype, tf.answer.as_str(), tf.explanation.as_str()),
        (QType::TF, "T", "对")
    );
    assert_eq!(r.found[3].question.stem, "比值{1:2}和等号= 的转义");
    let reasons: Vec<&str> = r.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(r.skipped.len(), 5, "{reasons:?}");
    assert!(
        reasons[0].contains("essay")
            && reasons[1].contains("short answer")
            && reasons[2].contains("numerical")
    );
    assert!(reasons[3].contains("matching") && reasons[4].contains("说明"));
}

#[test]
fn missing_word_questions_keep_the_gap() {
    let r = read_ok("高血压患者每年至少随访 {=4 ~2 ~1} 次。");
    assert_eq!(r.found[0].question.stem, "高血压患者每年至少随访____次。");
}

#[test]
fn faults_name_their_line() {
    let e = &faults("\n\n::t::题目 {=甲 ~乙\n\n")[0];
    assert_eq!(e.position, "第 3 行");
    let e = &faults("题目 {~甲 ~乙}")[0];
    assert!(e.message.contains("没有正确答案"));
    let e = &faults("::没有结尾 题目 {=甲 ~乙}")[0];
    assert!(e.message.contains("::"));
}

#[test]
fn every_fault_in_a_file_is_reported() {
    let file = "题一 {~甲 ~乙}\n\n::好::题二 {=甲 ~乙}\n\n::坏 题三 {=甲 ~乙}\n\n题四 {=甲 ~%x%乙}\n\n题五 {=甲 ~乙\n";
    let found: Vec<String> = faults(file).into_iter().map(|f| f.position).collect();
    assert_eq!(found, vec!["第 1 行", "第 5 行", "第 7 行", "第 9 行"]);
}

#[test]
fn format_markers_are_stripped_from_answers_and_feedback() {
    let r = read_ok(
        "::色::[html]<p>天空是什么颜色？</p>{\n\
             ~[plain]red#[html]<b>不对</b>\n\
             =[plain]blue#[markdown]对\n\
             ~[moodle]green\n\
             ~%0%[html]<i>black</i>\n\
             ####[html]<p>晴天是<b>蓝色</b></p>\n}\n\n\
             判断 {TRUE#[plain]错了#[html]<p>对</p>}\n",
    );
    let q = &r.found[0].question;
    assert_eq!(q.options, vec!["red", "blue", "green", "black"]);
    assert_eq!(
        (q.answer.as_str(), q.explanation.as_str()),
        ("B", "晴天是蓝色")
    );
    assert_eq!(r.found[1].question.explanation, "对");
    let r = read_ok("题 {=[html]<b>甲</b>#[plain]对 ~乙}");
    assert_eq!(r.found[0].question.options[0], "甲");
    assert_eq!(r.found[0].question.explanation, "对");
}

#[test]
fn media_leaves_a_stem_with_a_warning_and_an_option_with_a_skip() {
    let r = read_ok(
        "::图::[html]<p>心电图如下<img src=\"@@PLUGINFILE@@/ecg.png\">，诊断为</p>{=房颤 ~窦律}\n\n\
             ::图选项::[html]选出房颤 {=<img src=\"@@PLUGINFILE@@/a.png\"> ~窦律}\n\n\
             ::只有图::[html]<img src=\"@@PLUGINFILE@@/b.png\">{=甲 ~乙}\n",
    );
    assert_eq!(r.found.len(), 1);
    assert_eq!(r.found[0].question.stem, "心电图如下，诊断为");
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].position, "第 1 行");
    assert!(r.warnings[0].reason.contains("图片"), "{:?}", r.warnings);
    assert!(r.skipped[0].reason.contains("选项含"));
    assert!(r.skipped[1].reason.contains("题干只有"));
}

#[test]
fn an_exports_meta_line_travels_with_its_question() {
    let r = read_ok(
        "// cunyi: {\"id\":\"zz-1\",\"collection\":\"zz\",\"type\":\"A2\"}\n::zz-1::题 {=甲 ~乙}\n\n::b::题二 {=甲 ~乙}\n",
    );
    let meta = r.found[0].exported.as_ref().unwrap();
    assert_eq!(
        (meta.id.as_str(), meta.qtype.as_deref()),
        ("zz-1", Some("A2"))
    );
    assert!(r.found[1].exported.is_none());
}
