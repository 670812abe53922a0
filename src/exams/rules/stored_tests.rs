use std::collections::HashMap;
use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::exams::rules::testkit::q;
use crate::exams::rules::{draw, testkit};

fn contents_of(parsed: Vec<(String, Arc<ItemContent>)>) -> HashMap<String, Arc<ItemContent>> {
    parsed.into_iter().collect()
}

/// A drawn paper stored as references comes back exactly as drawn: options in the
/// candidate's order, the answer in the candidate's keys, points and lines.
#[test]
fn a_drawn_paper_comes_back_from_its_references_as_drawn() {
    let pool = testkit::pool();
    let paper = Paper(draw(&testkit::blueprint(), &pool, 7, true).unwrap());
    assert!(
        paper.items().iter().any(|i| i.order != [0, 1, 2, 3, 4]),
        "the fixture shuffles some options"
    );
    let split = split(&paper).unwrap();
    let parsed = split.parsed.clone();
    let Stored::Refs(refs) = parse(&split.refs).unwrap() else {
        panic!("a split paper is stored as references")
    };
    assert_eq!(join(&refs, &contents_of(parsed)).unwrap(), paper);
    // Each content once, in key order, and each body is what its key says.
    let keys: Vec<&str> = split.contents.iter().map(|c| c.key.as_str()).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(keys, sorted);
    for c in &split.contents {
        parse_content(&c.key, &c.body).unwrap();
    }
}

/// Two candidates who drew the same question in different orders share its content.
#[test]
fn one_question_in_two_orders_is_one_content() {
    let question = q("q1", QType::A1, "B", None);
    let content = ItemContent::of(&question);
    let a = Paper(vec![content.item(&[0, 1, 2, 3, 4], Points::whole(1), 0)]);
    let b = Paper(vec![content.item(&[4, 3, 2, 1, 0], Points::whole(1), 0)]);
    assert_eq!(a.items()[0].answer, "B");
    assert_eq!(b.items()[0].answer, "D");
    let sa = split(&a).unwrap();
    let sb = split(&b).unwrap();
    assert_eq!(sa.contents, sb.contents);
    assert_ne!(sa.refs, sb.refs);
}

/// A paper stored whole (before contents were kept apart) still reads.
#[test]
fn a_paper_stored_whole_reads_as_before() {
    let paper = Paper(vec![testkit::item_of(
        &q("q1", QType::X, "AC", None),
        Points::whole(2),
    )]);
    let mut whole = serde_json::to_value(&paper).unwrap();
    // Stored whole, an item had no order (and the reader does not need one).
    assert!(whole[0].get("order").is_none());
    whole[0]["points"] = serde_json::json!(2.0);
    let Stored::Whole(read) = parse(&whole.to_string()).unwrap() else {
        panic!("an array is a paper stored whole")
    };
    assert_eq!(read.items()[0].answer, "AC");
    assert_eq!(read.items()[0].points, Points::whole(2));
}

/// What does not parse, refers to a missing content, to a content of another question,
/// or to a content that is not what its key says, is an error — never an empty paper.
#[test]
fn a_damaged_stored_paper_is_an_error() {
    for bad in [
        "",
        "{",
        "{\"v\":3,\"items\":[]}",
        "{\"items\":[]}",
        "[{\"x\":1}]",
        "null",
    ] {
        assert!(parse(bad).is_err(), "{bad:?} parsed");
    }
    let paper = Paper(vec![testkit::item_of(
        &q("q1", QType::A1, "A", None),
        Points::whole(1),
    )]);
    let split = split(&paper).unwrap();
    let parsed = split.parsed.clone();
    let Stored::Refs(refs) = parse(&split.refs).unwrap() else {
        panic!()
    };
    assert!(join(&refs, &HashMap::new()).is_err(), "missing content");
    let mut renamed = refs.clone();
    renamed[0].q = "q2".into();
    assert!(join(&renamed, &contents_of(parsed.clone())).is_err());
    let mut reordered = refs.clone();
    reordered[0].o = vec![0, 0, 1, 2, 3];
    assert!(join(&reordered, &contents_of(parsed)).is_err());
    let c = &split.contents[0];
    let tampered = c.body.replace("\"answer\":\"A\"", "\"answer\":\"B\"");
    assert_ne!(tampered, c.body);
    assert!(parse_content(&c.key, &tampered).is_err());
}

/// A stored content with more options than there are key letters reads as an error,
/// whatever order refers to it.
#[test]
fn a_content_with_more_options_than_letters_is_an_error() {
    let mut question = q("q1", QType::A1, "A", None);
    question.options = (0..300).map(|i| format!("选项{i}")).collect();
    let content = ItemContent::of(&question);
    let body = serde_json::to_string(&content).unwrap();
    let key = key_of(&body);
    let parsed = parse_content(&key, &body).unwrap();
    let refs = vec![ItemRef {
        q: "q1".into(),
        c: key.clone(),
        o: (0..300).collect(),
        p: Points::whole(1),
        l: 0,
    }];
    let contents = HashMap::from([(key, Arc::new(parsed))]);
    assert!(join(&refs, &contents).is_err());
}

/// An item whose order is not a permutation of its options is not stored.
#[test]
fn an_item_without_its_order_is_not_split() {
    let mut item = testkit::item_of(&q("q1", QType::A1, "A", None), Points::whole(1));
    item.order.clear();
    assert!(split(&Paper(vec![item])).is_err());
    // True/false items have no options to order.
    let tf = testkit::item_of(&q("q2", QType::TF, "F", None), Points::whole(1));
    assert!(tf.order.is_empty());
    assert!(split(&Paper(vec![tf])).is_ok());
}

proptest! {
    /// Any question in any option order: splitting the item and joining it back gives
    /// the item, and the content is the same whatever the order.
    #[test]
    fn any_order_round_trips(
        n in 2usize..7,
        answer_bits in 1u8..64,
        multi in any::<bool>(),
        swaps in proptest::collection::vec((0usize..7, 0usize..7), 0..10),
        tenths in 1i32..100,
        line in 0usize..5,
    ) {
        let mut question = q("q9", if multi { QType::X } else { QType::A1 }, "A", None);
        question.options = (0..n).map(|i| format!("选项{i}")).collect();
        question.answer = if multi {
            (0..n).filter(|i| answer_bits & (1 << i) != 0).map(Question::letter).collect()
        } else {
            Question::letter(usize::from(answer_bits) % n).to_string()
        };
        prop_assume!(!question.answer.is_empty());
        let mut order: Vec<usize> = (0..n).collect();
        for (a, b) in swaps {
            order.swap(a % n, b % n);
        }
        let content = ItemContent::of(&question);
        let item = content.item(&order, Points::tenths(tenths), line);
        prop_assert_eq!(item.answer.len(), question.answer.len());
        prop_assert_eq!(&ItemContent::of_item(&item).unwrap(), &content);
        let paper = Paper(vec![item]);
        let split = split(&paper).unwrap();
    let parsed = split.parsed.clone();
        let identity = ItemContent::of_item(&content.item(&(0..n).collect::<Vec<_>>(), Points::ZERO, 0)).unwrap();
        prop_assert_eq!(&split.contents[0].body, &serde_json::to_string(&identity).unwrap());
        let Stored::Refs(refs) = parse(&split.refs).unwrap() else { panic!() };
        prop_assert_eq!(join(&refs, &contents_of(parsed)).unwrap(), paper);
    }
}
