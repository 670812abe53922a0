use super::*;

const EXPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category>
      <text>$course$/top/默认/慢病管理</text>
    </category>
  </question>

<!-- question: 101  -->
  <question type="multichoice">
    <name>
      <text>高血压随访</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p dir="ltr" style="text-align: left;">血压&nbsp;≥180/110 mmHg 时应当</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>紧急转诊，2 周内随访。</p>]]></text>
    </generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <answer fraction="0" format="html">
      <text><![CDATA[<p>3 个月后随访</p>]]></text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="100" format="html">
      <text><![CDATA[<p>处理后紧急转诊</p>]]></text>
      <feedback format="html"><text>对</text></feedback>
    </answer>
    <answer fraction="0" format="html">
      <text>加大药量 &amp; 观察</text>
    </answer>
  </question>

  <question type="multichoice">
    <name><text>危险因素</text></name>
    <questiontext format="moodle_auto_format"><text>下列属于危险因素的是 &lt;多选&gt;</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>吸烟</text><feedback><text>是</text></feedback></answer>
    <answer fraction="-100"><text>运动</text></answer>
    <answer fraction="50"><text>肥胖</text><feedback><text>也是</text></feedback></answer>
  </question>

  <question type="truefalse">
    <name><text>判断</text></name>
    <questiontext format="html"><text><![CDATA[<p>高血压患者应限盐 &lt; 5 g/天。</p>]]></text></questiontext>
    <answer fraction="100" format="moodle_auto_format"><text>true</text></answer>
    <answer fraction="0" format="moodle_auto_format"><text>false</text></answer>
  </question>

  <question type="essay">
    <name><text>论述</text></name>
    <questiontext format="html"><text>论述高血压的管理。</text></questiontext>
  </question>

  <question type="multichoice">
    <name><text>心电图</text></name>
    <questiontext format="html"><text><![CDATA[<p>看图：<img src="@@PLUGINFILE@@/ecg.png"></p>]]></text>
    <file name="ecg.png" path="/" encoding="base64">iVBORw0KGgo=</file></questiontext>
    <answer fraction="100"><text>房颤</text></answer>
    <answer fraction="0"><text>窦律</text></answer>
  </question>
</quiz>
"#;

#[test]
fn a_moodle_export() {
    let r = read(EXPORT, "public_health");
    assert!(r.faults.is_empty(), "{:?}", r.faults);
    assert_eq!(r.found.len(), 4, "{:?}", r.skipped);
    let q = &r.found[0].question;
    assert_eq!(q.stem, "血压 ≥180/110 mmHg 时应当");
    assert_eq!(
        q.options,
        vec!["3 个月后随访", "处理后紧急转诊", "加大药量 & 观察"]
    );
    assert_eq!((q.qtype, q.answer.as_str()), (QType::A1, "B"));
    assert_eq!(q.explanation, "紧急转诊，2 周内随访。");
    assert_eq!(q.topic, "慢病管理");
    let x = &r.found[1].question;
    assert_eq!(
        (x.qtype, x.answer.as_str(), x.explanation.as_str()),
        (QType::X, "AC", "是；也是")
    );
    assert_eq!(x.stem, "下列属于危险因素的是 <多选>");
    assert_eq!(
        (
            r.found[2].question.qtype,
            r.found[2].question.answer.as_str()
        ),
        (QType::TF, "T")
    );
    assert_eq!(r.found[2].question.stem, "高血压患者应限盐 < 5 g/天。");
    assert_eq!(r.skipped.len(), 1);
    assert!(r.skipped[0].reason.contains("essay"));
    // The ECG's image is removed from its stem, and the import says so.
    assert_eq!(r.found[3].question.stem, "看图：");
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].position, "第 5 题（第 61 行）");
    assert!(r.warnings[0].reason.contains("图片"), "{:?}", r.warnings);
    assert_eq!(r.found[0].position, "第 1 题（第 11 行）");
}

fn first_fault(text: &str) -> Malformed {
    read(text, "x").faults.remove(0)
}

#[test]
fn broken_xml_names_the_line() {
    let e = first_fault(
        "<quiz>\n<question type=\"multichoice\">\n<name><text>x</name>\n</question></quiz>",
    );
    assert_eq!(e.position, "第 3 行", "{e:?}");
    let e = first_fault("<quiz>\n<question type=\"multichoice\">\n");
    assert!(e.message.contains("中途结束"), "{e:?}");
    let e = first_fault("<html></html>");
    assert!(e.message.contains("<quiz>"));
}

#[test]
fn every_faulty_question_is_reported() {
    let file = "<quiz>\n\
            <question type=\"multichoice\"><questiontext><text></text></questiontext><answer fraction=\"100\"><text>甲</text></answer></question>\n\
            <question type=\"multichoice\"><questiontext><text>好题</text></questiontext><answer fraction=\"100\"><text>甲</text></answer><answer><text>乙</text></answer></question>\n\
            <question type=\"multichoice\"><questiontext><text>没有对的</text></questiontext><answer fraction=\"0\"><text>甲</text></answer></question>\n\
            <question type=\"truefalse\"><questiontext><text>判断</text></questiontext><answer fraction=\"x\"><text>true</text></answer></question>\n\
            </quiz>";
    let r = read(file, "x");
    let at: Vec<&str> = r.faults.iter().map(|f| f.position.as_str()).collect();
    assert_eq!(
        at,
        vec!["第 1 题（第 2 行）", "第 3 题（第 4 行）", "第 5 行"]
    );
    assert_eq!(r.found.len(), 1);
}

/// 350 KB nesting 50,000 elements: refused with a message (it once overflowed the
/// stack and aborted the whole server).
#[test]
fn a_deeply_nested_file_is_refused_not_a_crash() {
    let depth = 50_000;
    let xml = format!(
        "<quiz>{}{}</quiz>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    assert!(xml.len() > 340_000);
    let r = read(&xml, "public_health");
    assert_eq!(r.faults.len(), 1);
    assert!(
        r.faults[0].message.contains("嵌套超过 64 层"),
        "{:?}",
        r.faults
    );
    assert!(r.found.is_empty());
    // Right at the budget is still read (and then found not to be a quiz's question).
    let ok = format!(
        "<quiz>{}{}</quiz>",
        "<a>".repeat(Budget::MAX_DEPTH - 1),
        "</a>".repeat(Budget::MAX_DEPTH - 1)
    );
    let r = read(&ok, "public_health");
    assert!(r.faults.is_empty(), "{:?}", r.faults);
}

#[test]
fn too_many_elements_or_too_much_text_is_refused() {
    let many = format!("<quiz>{}</quiz>", "<a/>".repeat(Budget::MAX_ELEMENTS));
    assert!(first_fault(&many).message.contains("元素超过"));
    let text = format!(
        "<quiz><question type=\"essay\"><name><text>{}</text></name></question></quiz>",
        "字".repeat(Budget::MAX_TEXT_BYTES / 3 + 10)
    );
    assert!(first_fault(&text).message.contains("文字内容超过"));
    // An embedded file's base64 is not kept, and does not count.
    let file = format!(
        "<quiz><question type=\"essay\"><questiontext><file>{}</file></questiontext></question></quiz>",
        "A".repeat(Budget::MAX_TEXT_BYTES + 10)
    );
    assert!(read(&file, "x").faults.is_empty());
}
