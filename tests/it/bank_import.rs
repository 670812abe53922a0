//! Importing questions as Moodle does (issue 13): every fault of a file listed, format
//! markers stripped, media removed with a warning, contradicting duplicates refused,
//! exports that import into their own collection unchanged — and hostile files (deep
//! XML, over-long questions) refused with a message, never a crash or a broken export.

use cunyi::auth::Role;

use crate::both_backends;
use crate::support::{Backend, Reply, TestApp, spawn};

both_backends!(
    an_aiken_file_with_four_faults_lists_four_positions_and_writes_nothing,
    a_long_list_of_faults_is_capped,
    every_faulty_row_of_a_sheet_and_question_of_a_moodle_file_is_listed,
    gift_format_markers_never_reach_the_stored_question,
    media_removed_from_a_stem_is_a_warning_in_the_answer,
    a_repeat_with_another_key_names_both_positions,
    gift_and_xlsx_exports_import_into_their_collection_unchanged,
    a_deeply_nested_moodle_file_is_refused_not_a_crash,
    an_over_long_question_is_refused_and_the_export_never_fails,
    the_shipped_bank_is_stored_with_frames_and_imports_take_their_areas,
);

async fn admin(app: &TestApp) -> String {
    app.accounts(&[("city", Role::CityAdmin, "370400")])
        .await
        .remove(0)
}

async fn import(
    app: &TestApp,
    token: &str,
    format: &str,
    area: &str,
    collection: &str,
    bytes: &[u8],
) -> Reply {
    app.upload(
        &format!(
            "/api/v1/question-bank/import?format={format}&area={area}&collection={collection}"
        ),
        token,
        bytes.to_vec(),
        "file",
    )
    .await
}

fn positions(r: &Reply) -> Vec<String> {
    r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["position"].as_str().unwrap().to_owned())
        .collect()
}

fn collection(app: &TestApp, name: &str) -> Vec<cunyi::bank::Question> {
    let name = name.to_owned();
    app.with_conn(move |c| {
        cunyi::bank::store::list(
            c,
            &cunyi::bank::store::Filter {
                collection: Some(name),
                areas: None,
                active_only: true,
            },
        )
        .unwrap()
    })
}

async fn an_aiken_file_with_four_faults_lists_four_positions_and_writes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin(&app).await;
    let before = app.audit_count();
    let file = "题一\nA. 甲\nB. 乙\nANSWER: F\n\n\
                题二\nA. 甲\nC. 乙\nANSWER: A\n\n\
                好题\nA. 甲\nB. 乙\nANSWER: B\n\n\
                题四\nA. 甲\nB. 乙\n题五\nA. 甲\nB. 乙\nANSWER: A\n\n\
                题六\nANSWER: A\n";
    let r = import(
        &app,
        &token,
        "aiken",
        "emergency",
        "zz-four",
        file.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.header("content-type"), "application/problem+json");
    assert_eq!(
        positions(&r),
        vec!["第 4 行", "第 8 行", "第 19 行", "第 25 行"],
        "{}",
        r.text
    );
    let body = r.json();
    assert_eq!(body["error_count"], 4);
    assert_eq!(body["position"], "第 4 行", "the first fault, as before");
    assert!(
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["field"] == "file")
    );
    assert!(body["detail"].as_str().unwrap().contains("4 处错误"));
    assert!(collection(&app, "zz-four").is_empty());
    assert_eq!(app.audit_count(), before, "nothing was written");
}

async fn a_long_list_of_faults_is_capped(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin(&app).await;
    let file: String = (1..=150)
        .map(|i| format!("题{i}\nA. 甲\nB. 乙\nANSWER: Z\n\n"))
        .collect();
    let r = import(
        &app,
        &token,
        "aiken",
        "emergency",
        "zz-many",
        file.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 422);
    let body = r.json();
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 101, "100 faults and a line for the rest");
    assert_eq!(body["error_count"], 150);
    assert!(
        errors[100]["message"]
            .as_str()
            .unwrap()
            .contains("另有 50 处"),
        "{}",
        errors[100]
    );
}

async fn every_faulty_row_of_a_sheet_and_question_of_a_moodle_file_is_listed(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin(&app).await;
    let csv = "题型,题干,选项A,选项B,答案\nA1,好题,甲,乙,A\nQ9,坏题型,甲,乙,A\nA1,坏答案,甲,乙,Z\nA1,好题二,甲,乙,B\nA3,缺组号,甲,乙,A\n";
    let r = import(
        &app,
        &token,
        "xlsx",
        "public_health",
        "zz-rows",
        csv.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        positions(&r),
        vec!["第 3 行「题型」", "第 4 行「答案」", "第 6 行「组号」"],
        "{}",
        r.text
    );
    let xml = "<quiz>\n\
        <question type=\"multichoice\"><questiontext><text></text></questiontext><answer fraction=\"100\"><text>甲</text></answer></question>\n\
        <question type=\"multichoice\"><questiontext><text>好题</text></questiontext><answer fraction=\"100\"><text>甲</text></answer><answer><text>乙</text></answer></question>\n\
        <question type=\"multichoice\"><questiontext><text>没有对的</text></questiontext><answer fraction=\"0\"><text>甲</text></answer><answer><text>乙</text></answer></question>\n\
        </quiz>";
    let r = import(
        &app,
        &token,
        "moodle_xml",
        "public_health",
        "zz-rows",
        xml.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        positions(&r),
        vec!["第 1 题（第 2 行）", "第 3 题（第 4 行）"],
        "{}",
        r.text
    );
    assert!(collection(&app, "zz-rows").is_empty());
}

async fn gift_format_markers_never_reach_the_stored_question(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin(&app).await;
    let gift = "::色::[html]<p>晴天时天空是什么颜色？</p>{\n\
                ~[plain]red#[html]<b>不对</b>\n\
                =[plain]blue#[markdown]对，蓝色\n\
                ~[moodle]green\n\
                ~[markdown]black\n}\n\n\
                ::多::[moodle]属于三原色的是 {\n\
                ~%50%[html]<b>红</b>\n\
                ~%50%[plain]蓝\n\
                ~%-100%[markdown]黑\n\
                ####[html]<p>红、蓝是<i>三原色</i>之二</p>\n}\n\n\
                ::判::天空是蓝的 {TRUE#[plain]错了#[html]<p>对</p>}\n";
    let r = import(
        &app,
        &token,
        "gift",
        "public_health",
        "zz-marks",
        gift.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let stored = collection(&app, "zz-marks");
    let everything: String = stored
        .iter()
        .map(|q| format!("{} {} {}", q.stem, q.options.join(" "), q.explanation))
        .collect();
    for marker in ["[plain]", "[html]", "[moodle]", "[markdown]", "<b>", "<p>"] {
        assert!(!everything.contains(marker), "{marker} in {everything}");
    }
    let single = stored
        .iter()
        .find(|q| q.stem.contains("天空是什么"))
        .unwrap();
    assert_eq!(single.options, vec!["red", "blue", "green", "black"]);
    assert_eq!(single.explanation, "对，蓝色");
    let multi = stored.iter().find(|q| q.stem.contains("三原色")).unwrap();
    assert_eq!(
        (
            multi.options.clone(),
            multi.answer.as_str(),
            multi.explanation.as_str()
        ),
        (
            vec!["红".to_owned(), "蓝".into(), "黑".into()],
            "AB",
            "红、蓝是三原色之二"
        )
    );
    let tf = stored.iter().find(|q| q.stem == "天空是蓝的").unwrap();
    assert_eq!(tf.explanation, "对");
}

async fn media_removed_from_a_stem_is_a_warning_in_the_answer(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin(&app).await;
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>心电图</text></name>
    <questiontext format="html"><text><![CDATA[<p>心电图如下：<img src="@@PLUGINFILE@@/ecg.png"></p><p>最可能的诊断是</p>]]></text>
    <file name="ecg.png" path="/" encoding="base64">iVBORw0KGgo=</file></questiontext>
    <answer fraction="100"><text>心房颤动</text></answer>
    <answer fraction="0"><text>窦性心律</text></answer>
  </question>
  <question type="multichoice">
    <name><text>听诊</text></name>
    <questiontext format="html"><text><![CDATA[<p>听录音<audio controls src="@@PLUGINFILE@@/a.mp3">不支持</audio>，判断杂音位置</p>]]></text></questiontext>
    <answer fraction="100"><text>二尖瓣区</text></answer>
    <answer fraction="0"><text>主动脉瓣区</text></answer>
  </question>
  <question type="essay">
    <name><text>论述</text></name>
    <questiontext format="html"><text>论述</text></questiontext>
  </question>
</quiz>"#;
    let r = import(
        &app,
        &token,
        "moodle_xml",
        "diagnostics",
        "zz-media",
        xml.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.json();
    assert_eq!(body["imported"], 2);
    let warnings = body["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{}", r.text);
    assert_eq!(warnings[0]["position"], "第 1 题（第 3 行）");
    assert!(warnings[0]["reason"].as_str().unwrap().contains("图片"));
    assert!(warnings[1]["reason"].as_str().unwrap().contains("音频"));
    assert_eq!(body["skipped"].as_array().unwrap().len(), 1, "the essay");
    let stored = collection(&app, "zz-media");
    assert!(stored.iter().all(|q| !q.stem.contains("PLUGINFILE")));
    assert!(
        stored
            .iter()
            .any(|q| q.stem == "心电图如下：\n最可能的诊断是")
    );
}

async fn a_repeat_with_another_key_names_both_positions(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin(&app).await;
    // In one file: the same stem and options, another key.
    let file = "首选降压药之一是\nA. 氨氯地平\nB. 维生素C\nANSWER: A\n\n\
                另一题\nA. 甲\nB. 乙\nANSWER: A\n\n\
                首选降压药之一是\nA. 维生素C\nB. 氨氯地平\nANSWER: A\n";
    let r = import(&app, &token, "aiken", "pharmacy", "zz-dup", file.as_bytes()).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(positions(&r), vec!["第 11 行"]);
    let message = r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("第 1 行") && message.contains("答案不同"),
        "{message}"
    );
    // The same key (options shuffled): a repeat, skipped, not an error.
    let same = "首选降压药之一是\nA. 氨氯地平\nB. 维生素C\nANSWER: A\n\n\
                首选降压药之一是\nA. 维生素C\nB. 氨氯地平\nANSWER: B\n";
    let r = import(&app, &token, "aiken", "pharmacy", "zz-dup", same.as_bytes()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["imported"], 1);
    assert!(
        r.json()["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("第 1 行")
    );
    // Against the collection: the same question under another title, another key.
    let gift = "::别的标题::首选降压药之一是 {~氨氯地平 =维生素C}\n";
    let r = import(&app, &token, "gift", "pharmacy", "zz-dup", gift.as_bytes()).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let stored = collection(&app, "zz-dup");
    let message = r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains(&stored[0].qid) && message.contains("答案不同"),
        "{message}"
    );
    assert_eq!(positions(&r), vec!["第 1 行"]);
    assert_eq!(collection(&app, "zz-dup").len(), 1, "nothing was written");
}

async fn gift_and_xlsx_exports_import_into_their_collection_unchanged(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin(&app).await;
    // A collection of two areas, with a case group and difficulties: GIFT cannot say
    // those, the export's `// cunyi:` lines do.
    let csv = "题型,难度,主题,组号,共用题干,题干,选项A,选项B,选项C,答案,解析,出处\n\
               A3,hard,高血压,c1,患者男，62 岁，血压 170/100 mmHg,血压分级为,1 级,2 级,3 级,B,解析一,指南\n\
               A3,,高血压,c1,,首选处理是,观察,药物,手术,B,,指南\n\
               B1,,用药,b1,,降压首选,甲,乙,丙,A,,\n\
               B1,,用药,b1,,降糖首选,,,,C,,\n\
               多选,easy,,,,属于危险因素的是,吸烟,运动,肥胖,\"A,C\",,\n\
               判断,,,,,限盐有益,,,,对,,\n";
    let r = import(
        &app,
        &token,
        "xlsx",
        "public_health",
        "zz-trip",
        csv.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let aiken = "心搏骤停时按压频率是\nA. 60–80 次/分\nB. 100–120 次/分\nANSWER: B\n";
    let r = import(
        &app,
        &token,
        "aiken",
        "emergency",
        "zz-trip",
        aiken.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let before = collection(&app, "zz-trip");
    assert_eq!(before.len(), 7);

    let gift = app
        .get(
            "/api/v1/question-bank/export?format=gift&collection=zz-trip",
            &token,
        )
        .await;
    assert_eq!(gift.status, 200);
    assert!(gift.text.contains("// cunyi: {"), "{}", gift.text);
    // Into the same collection (under any area): nothing changes.
    let r = import(
        &app,
        &token,
        "gift",
        "policy_law",
        "zz-trip",
        gift.text.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.json();
    assert_eq!(
        (
            body["added"].as_u64(),
            body["updated"].as_u64(),
            body["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(7)),
        "{}",
        r.text
    );
    assert_eq!(collection(&app, "zz-trip"), before);

    let xlsx = app
        .api
        .get(app.url("/api/v1/question-bank/export?format=xlsx&collection=zz-trip"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    let r = import(&app, &token, "xlsx", "policy_law", "zz-trip", &bytes).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.json();
    assert_eq!(
        (
            body["added"].as_u64(),
            body["updated"].as_u64(),
            body["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(7)),
        "{}",
        r.text
    );
    assert_eq!(collection(&app, "zz-trip"), before);

    // Into another collection, the GIFT export is a copy with ids of its own.
    let r = import(
        &app,
        &token,
        "gift",
        "public_health",
        "zz-copy",
        gift.text.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["added"], 7);
    assert!(
        collection(&app, "zz-copy")
            .iter()
            .all(|q| q.qid.starts_with("zz-copy-"))
    );
}

async fn a_deeply_nested_moodle_file_is_refused_not_a_crash(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin(&app).await;
    let depth = 50_000;
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<quiz>{}{}</quiz>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    assert!(xml.len() > 340_000);
    let r = import(
        &app,
        &token,
        "moodle_xml",
        "public_health",
        "zz-deep",
        xml.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("嵌套超过 64 层"),
        "{}",
        r.text
    );
    // The server is still there.
    let summary = app.get("/api/v1/question-bank/summary", &token).await;
    assert_eq!(summary.status, 200);
}

async fn an_over_long_question_is_refused_and_the_export_never_fails(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin(&app).await;
    let long = "长".repeat(40_000);
    let gift = format!("::短::短题 {{=甲 ~乙}}\n\n::长::{long} {{=甲 ~乙}}\n");
    let r = import(
        &app,
        &token,
        "gift",
        "public_health",
        "zz-long",
        gift.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let message = r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(positions(&r), vec!["第 3 行"]);
    assert!(message.contains("题干超过 4000 字"), "{message}");
    // A question stored before the limit existed: the export leaves it out, says so,
    // and answers 200.
    let mut q = cunyi::bank::formats::blank("public_health", "旧题", cunyi::bank::QType::TF);
    q.qid = "zz-long-old".into();
    q.collection = "zz-long".into();
    q.stem = long;
    q.answer = "T".into();
    let short = {
        let mut s = q.clone();
        s.qid = "zz-long-short".into();
        s.stem = "短题".into();
        s
    };
    app.with_conn(|c| {
        cunyi::bank::store::store(c, &[q, short], None, cunyi::time::now()).unwrap();
    });
    let export = app
        .api
        .get(app.url("/api/v1/question-bank/export?format=xlsx&collection=zz-long"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let bytes = export.bytes().await.unwrap().to_vec();
    let sheet = cunyi::sheet::read(&bytes, &cunyi::sheet::Limits::default()).unwrap();
    assert_eq!(sheet.rows.len(), 1, "only the short question fits");
    let gift = app
        .get(
            "/api/v1/question-bank/export?format=gift&collection=zz-long",
            &token,
        )
        .await;
    assert_eq!(gift.status, 200);
    assert!(gift.text.contains("zz-long-old"));
}

async fn the_shipped_bank_is_stored_with_frames_and_imports_take_their_areas(backend: Backend) {
    use cunyi::bank::Frame;
    let app = spawn(backend).await;
    let token = admin(&app).await;
    // As the files say (by default, the area's frame).
    let core = collection(&app, "core");
    let (shipped, _) = cunyi::bank::files::shipped();
    for q in &shipped {
        let stored = core.iter().find(|s| s.qid == q.qid).unwrap();
        assert_eq!((stored.frame, stored.tcm), (q.frame, q.tcm), "{}", q.qid);
    }
    assert!(core.iter().any(|q| q.frame == Frame::PublicHealth));
    let r = import(
        &app,
        &token,
        "aiken",
        "policy_law",
        "zz-frame",
        "题\nA. 甲\nB. 乙\nANSWER: A\n".as_bytes(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let imported = collection(&app, "zz-frame");
    assert_eq!(
        (
            imported[0].frame,
            imported[0].tcm,
            imported[0].excludes.len()
        ),
        (Frame::Humanities, false, 0)
    );
    // Enemy items are stored on both sides whatever the files declare.
    let mut shipped = shipped;
    for q in &mut shipped {
        q.excludes.clear();
    }
    let single: Vec<usize> = (0..shipped.len())
        .filter(|i| shipped[*i].group_id.is_none())
        .take(2)
        .collect();
    let (a, b) = (
        shipped[single[0]].qid.clone(),
        shipped[single[1]].qid.clone(),
    );
    shipped[single[0]].excludes = vec![b.clone()];
    app.with_conn(|c| cunyi::bank::store::sync_core(c, &shipped, cunyi::time::now()).unwrap());
    let core = collection(&app, "core");
    let of = |id: &str| core.iter().find(|q| q.qid == id).unwrap().excludes.clone();
    assert_eq!((of(&a), of(&b)), (vec![b.clone()], vec![a.clone()]));
}
