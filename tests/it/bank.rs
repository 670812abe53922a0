//! The question bank over HTTP: the shipped bank loaded at start, imports of GIFT,
//! Aiken, Moodle XML and `.xlsx` as people write them, malformed files refused whole,
//! exports, and the command line's `bank check`.

use cunyi::auth::Role;
use reqwest::Method;

use crate::both_backends;
use crate::support::{Backend, TestApp, spawn};

both_backends!(
    the_shipped_bank_is_loaded_and_summarised,
    well_formed_files_of_every_format_import_and_reimport_changes_nothing,
    malformed_files_name_the_fault_and_write_nothing,
    imports_need_a_manager_a_known_area_and_a_collection_of_their_own,
    exports_round_trip_through_the_xlsx_template,
);

pub const GIFT: &str = r#"// 枣庄市 2026 年乡村医生单元测试题（由 Moodle 导出后修改）
// question: 101  name: 随访频次
$CATEGORY: $course$/top/默认/高血压

::随访频次::[html]<p>对原发性高血压患者，每年至少提供几次面对面随访？</p>{
	~1 次#太少
	=4 次#正确
	~12 次
}

::危险因素::下列属于高血压危险因素的是 {
	~%50%高盐饮食
	~%50%过量饮酒
	~%-100%规律运动
	####高盐和过量饮酒均为危险因素。
}

// 判断
::限盐::成人每日食盐摄入量应少于 5 g。{TRUE}

::转义::血压 140/90 mmHg 记作 140\/90，比值写作 1\:2 {=对 ~错}

::论述::论述高血压的三级预防。{}
"#;

pub const AIKEN: &str = "糖尿病患者每年至少随访几次？\nA. 1 次\nB. 2 次\nC. 4 次\nD. 12 次\nANSWER: C\n\n空腹血糖受损的范围是\nA) 5.6–6.0 mmol/L\nB) 6.1–<7.0 mmol/L\nC) 7.0–<7.8 mmol/L\nANSWER: B\n";

pub const MOODLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/慢病</text></category></question>
  <question type="multichoice">
    <name><text>转诊</text></name>
    <questiontext format="html"><text><![CDATA[<p>血压&nbsp;≥180/110 mmHg 时应当</p>]]></text></questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>紧急转诊。</p>]]></text></generalfeedback>
    <single>true</single>
    <answer fraction="0"><text>3 个月后随访</text></answer>
    <answer fraction="100"><text>处理后紧急转诊</text></answer>
    <answer fraction="0"><text>加大药量 &amp; 观察</text></answer>
  </question>
  <question type="truefalse">
    <name><text>判断</text></name>
    <questiontext format="html"><text>高血压患者应限盐。</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="matching">
    <name><text>配对</text></name>
    <questiontext format="html"><text>配对</text></questiontext>
  </question>
</quiz>
"#;

async fn admin(app: &TestApp) -> String {
    app.accounts(&[("city", Role::CityAdmin, "370400")])
        .await
        .remove(0)
}

fn question_count(app: &TestApp, collection: &str) -> i64 {
    use diesel::prelude::*;
    let collection = collection.to_owned();
    app.with_conn(move |c| {
        cunyi::db::schema::questions::table
            .filter(cunyi::db::schema::questions::collection.eq(collection))
            .count()
            .get_result(c)
            .unwrap()
    })
}

async fn import(
    app: &TestApp,
    token: &str,
    format: &str,
    collection: &str,
    bytes: &[u8],
    name: &str,
) -> crate::support::Reply {
    app.upload(
        &format!("/api/v1/question-bank/import?format={format}&area=public_health&collection={collection}"),
        token,
        bytes.to_vec(),
        name,
    )
    .await
}

async fn the_shipped_bank_is_loaded_and_summarised(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin(&app).await;
    let r = app.get("/api/v1/question-bank/summary", &token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let s = r.json();
    let total = s["total"].as_i64().unwrap();
    assert!(total >= 300, "{total}");
    assert_eq!(s["by_collection"]["core"].as_i64(), Some(total));
    assert_eq!(s["by_area"].as_object().unwrap().len(), 9);
    for t in ["A1", "A2", "A3", "A4", "B1", "X", "TF"] {
        assert!(s["by_type"][t].as_i64().unwrap() > 0, "{t}");
    }
    // Starting again over the same database changes nothing.
    let again = app.with_conn(|c| {
        let (shipped, _) = cunyi::bank::files::shipped();
        cunyi::bank::store::sync_core(c, &shipped, cunyi::time::now()).unwrap()
    });
    assert_eq!((again.added, again.updated, again.retired), (0, 0, 0));
    assert_eq!(again.unchanged as i64, total);
}

async fn well_formed_files_of_every_format_import_and_reimport_changes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin(&app).await;
    let gift = import(
        &app,
        &token,
        "gift",
        "zz-unit",
        GIFT.as_bytes(),
        "unit.gift.txt",
    )
    .await;
    assert_eq!(gift.status, 201, "{}", gift.text);
    let g = gift.json();
    assert_eq!(
        (g["collection"].as_str(), g["imported"].as_u64()),
        (Some("zz-unit"), Some(4))
    );
    assert_eq!(
        g["skipped"].as_array().unwrap().len(),
        1,
        "the essay is reported, not dropped"
    );
    assert!(
        g["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("essay")
    );
    assert_eq!(g["skipped"][0]["position"], "第 23 行");
    assert_eq!(
        g["warnings"],
        serde_json::json!([]),
        "nothing was changed on the way"
    );

    let again = import(
        &app,
        &token,
        "gift",
        "zz-unit",
        GIFT.as_bytes(),
        "unit.gift.txt",
    )
    .await;
    assert_eq!(again.status, 201);
    assert_eq!(
        (
            again.json()["added"].as_u64(),
            again.json()["unchanged"].as_u64()
        ),
        (Some(0), Some(4))
    );
    assert_eq!(question_count(&app, "zz-unit"), 4);

    let aiken = import(&app, &token, "aiken", "zz-aiken", AIKEN.as_bytes(), "a.txt").await;
    assert_eq!(aiken.status, 201, "{}", aiken.text);
    assert_eq!(aiken.json()["imported"], 2);

    let moodle = import(
        &app,
        &token,
        "moodle_xml",
        "zz-moodle",
        MOODLE.as_bytes(),
        "q.xml",
    )
    .await;
    assert_eq!(moodle.status, 201, "{}", moodle.text);
    assert_eq!(moodle.json()["imported"], 2);
    assert!(
        moodle.json()["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("matching")
    );

    let csv = "题型,组号,共用题干,题干,选项A,选项B,选项C,选项D,选项E,答案,解析\n\
               A3,c1,患者男，62 岁，血压 170/100 mmHg,血压分级为,1 级,2 级,3 级,正常高值,单纯收缩期,B,\n\
               A3,c1,,首选处理是,观察,生活方式干预加药物,手术,转诊,输液,B,\n\
               多选,,,属于危险因素的是,吸烟,运动,肥胖,饮酒,睡眠,\"A,C,D\",\n";
    let xlsx = import(&app, &token, "xlsx", "zz-sheet", csv.as_bytes(), "q.csv").await;
    assert_eq!(xlsx.status, 201, "{}", xlsx.text);
    assert_eq!(xlsx.json()["imported"], 3);

    let summary = app
        .get("/api/v1/question-bank/summary", &token)
        .await
        .json();
    for (c, n) in [
        ("zz-unit", 4),
        ("zz-aiken", 2),
        ("zz-moodle", 2),
        ("zz-sheet", 3),
    ] {
        assert_eq!(summary["by_collection"][c], n, "{c}");
    }
    assert!(
        app.audit_actions()
            .iter()
            .filter(|a| *a == "bank.imported")
            .count()
            >= 5
    );
    // The stored questions say what the files said.
    let stored = app.with_conn(|c| {
        cunyi::bank::store::list(
            c,
            &cunyi::bank::store::Filter {
                collection: Some("zz-unit".into()),
                areas: None,
                active_only: true,
            },
        )
        .unwrap()
    });
    let x = stored
        .iter()
        .find(|q| q.qtype == cunyi::bank::QType::X)
        .unwrap();
    assert_eq!(
        (x.answer.as_str(), x.explanation.as_str()),
        ("AB", "高盐和过量饮酒均为危险因素。")
    );
    let escaped = stored.iter().find(|q| q.stem.contains("比值")).unwrap();
    assert_eq!(escaped.stem, "血压 140/90 mmHg 记作 140/90，比值写作 1:2");
}

async fn malformed_files_name_the_fault_and_write_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin(&app).await;
    let before = app.audit_count();
    let cases: [(&str, &[u8], &str); 6] = [
        (
            "gift",
            b"::a::\xe9\xa2\x98\xe7\x9b\xae {=\xe7\x94\xb2 ~\xe4\xb9\x99\n\n::b:: ok {=1 ~2}\n",
            "第 1 行",
        ),
        (
            "gift",
            "::a::题目一 {=甲 ~乙}\n\n::b::题目二 {~甲 ~乙}\n".as_bytes(),
            "第 3 行",
        ),
        (
            "aiken",
            "题目\nA. 甲\nB. 乙\nANSWER: C\n".as_bytes(),
            "第 4 行",
        ),
        (
            "moodle_xml",
            "<quiz>\n<question type=\"multichoice\">\n<name><text>x</name>\n</question>\n</quiz>"
                .as_bytes(),
            "第 3 行",
        ),
        (
            "xlsx",
            "题型,题干,选项A,选项B,答案\nA1,题,甲,乙,B\nA1,题二,甲,乙,Q\n".as_bytes(),
            "第 3 行「答案」",
        ),
        ("xlsx", b"\x00\x01binary", "文件"),
    ];
    for (format, bytes, position) in cases {
        let r = import(&app, &token, format, "zz-bad", bytes, "bad").await;
        assert_eq!(r.status, 422, "{format}: {}", r.text);
        assert_eq!(r.header("content-type"), "application/problem+json");
        assert_eq!(r.json()["position"], position, "{format}: {}", r.text);
        assert_eq!(r.json()["errors"][0]["field"], "file");
    }
    assert_eq!(question_count(&app, "zz-bad"), 0);
    assert_eq!(app.audit_count(), before, "nothing was written");
}

async fn imports_need_a_manager_a_known_area_and_a_collection_of_their_own(backend: Backend) {
    let app = spawn(backend).await;
    let tokens = app
        .accounts(&[
            ("city", Role::CityAdmin, "370400"),
            ("teacher", Role::Instructor, "370402"),
        ])
        .await;
    let (city, teacher) = (&tokens[0], &tokens[1]);
    let r = import(&app, teacher, "gift", "zz-x", GIFT.as_bytes(), "g").await;
    assert_eq!(r.status, 403);
    for (query, field) in [
        ("format=docx&area=public_health&collection=zz-x", "format"),
        ("format=gift&area=surgery&collection=zz-x", "area"),
        (
            "format=gift&area=public_health&collection=core",
            "collection",
        ),
        (
            "format=gift&area=public_health&collection=Bad%20Name",
            "collection",
        ),
    ] {
        let r = app
            .upload(
                &format!("/api/v1/question-bank/import?{query}"),
                city,
                GIFT.as_bytes().to_vec(),
                "g",
            )
            .await;
        assert_eq!(r.status, 422, "{query}");
        assert_eq!(r.error_fields(), vec![field.to_owned()], "{query}");
    }
    // Ids a file names explicitly may not take over another collection's questions.
    let csv = "编号,题型,题干,选项A,选项B,答案\nph-dm-001,A1,改写的题目,甲,乙,A\n";
    let r = import(&app, city, "xlsx", "zz-x", csv.as_bytes(), "q.csv").await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("core"));
    let core = app.with_conn(|c| {
        cunyi::bank::store::list(
            c,
            &cunyi::bank::store::Filter {
                collection: Some("core".into()),
                ..Default::default()
            },
        )
        .unwrap()
    });
    assert!(
        core.iter()
            .any(|q| q.qid == "ph-dm-001" && q.stem != "改写的题目")
    );
    assert_eq!(question_count(&app, "zz-x"), 0);
    let anonymous = app
        .send(Method::GET, "/api/v1/question-bank/summary", None, None)
        .await;
    assert_eq!(anonymous.status, 401);
}

async fn exports_round_trip_through_the_xlsx_template(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin(&app).await;
    assert_eq!(
        import(&app, &token, "gift", "zz-unit", GIFT.as_bytes(), "g")
            .await
            .status,
        201
    );
    let export = app
        .api
        .get(app.url("/api/v1/question-bank/export?format=xlsx&collection=zz-unit"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let bytes = export.bytes().await.unwrap().to_vec();
    let back = import(&app, &token, "xlsx", "zz-unit", &bytes, "export.xlsx").await;
    assert_eq!(back.status, 201, "{}", back.text);
    assert_eq!(
        (
            back.json()["added"].as_u64(),
            back.json()["updated"].as_u64(),
            back.json()["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(4)),
        "{}",
        back.text
    );
    let gift = app
        .get(
            "/api/v1/question-bank/export?format=gift&collection=zz-unit",
            &token,
        )
        .await;
    assert_eq!(gift.status, 200);
    assert!(gift.text.contains("~%50%高盐饮食"), "{}", gift.text);
    let template = app.get("/api/v1/question-bank/template.xlsx", &token).await;
    assert_eq!(template.status, 200);
    let doctor_export = app
        .get("/api/v1/question-bank/export?format=gift", "not-a-token")
        .await;
    assert_eq!(doctor_export.status, 401);
}
