//! The approval queue's requests: its search and order, and the records picked for a
//! bulk approval. Pure; the store pages the queue in SQL.

/// At most this many records approved by one bulk request (one page of the queue
/// and a margin): the whole batch is one transaction.
pub const MAX_BULK: usize = 200;

/// The queue's search: trimmed, empty as none, at most 50 characters (a name or a
/// village name is far shorter).
pub fn search(raw: Option<&str>) -> Result<Option<String>, String> {
    let text = raw.map(str::trim).filter(|t| !t.is_empty());
    match text {
        Some(t) if t.chars().count() > 50 => Err("搜索词不能超过 50 个字符".into()),
        other => Ok(other.map(str::to_owned)),
    }
}

/// The queue's order: `newest` (the default on the page: what came in last is on top)
/// or `oldest`. `Ok(true)` means oldest first.
pub fn oldest_first(raw: Option<&str>, default_oldest: bool) -> Result<bool, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(default_oldest),
        Some("newest") => Ok(false),
        Some("oldest") => Ok(true),
        Some(_) => Err("排序应为 newest 或 oldest".into()),
    }
}

/// The record ids of a bulk approval: at least one, at most [`MAX_BULK`], each a
/// positive integer; repeats collapse, the order of first appearance is kept.
pub fn bulk_ids<'a>(raw: impl IntoIterator<Item = &'a str>) -> Result<Vec<i64>, String> {
    let mut ids: Vec<i64> = Vec::new();
    for r in raw {
        let id = r
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| format!("记录编号“{}”无效", r.chars().take(20).collect::<String>()))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err("请先勾选要认定的记录".into());
    }
    if ids.len() > MAX_BULK {
        return Err(format!("一次最多认定 {MAX_BULK} 条记录"));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn search_and_order() {
        assert_eq!(search(Some("  ")), Ok(None));
        assert_eq!(search(Some(" 王村 ")), Ok(Some("王村".into())));
        assert!(search(Some(&"张".repeat(51))).is_err());
        assert_eq!(oldest_first(None, false), Ok(false));
        assert_eq!(oldest_first(None, true), Ok(true));
        assert_eq!(oldest_first(Some("oldest"), false), Ok(true));
        assert_eq!(oldest_first(Some("newest"), true), Ok(false));
        assert!(oldest_first(Some("name"), false).is_err());
    }

    #[test]
    fn bulk_ids_refuse_nothing_junk_and_too_many() {
        assert_eq!(bulk_ids(["3", " 5", "3"]), Ok(vec![3, 5]));
        assert!(bulk_ids([]).is_err());
        assert!(bulk_ids(["0"]).is_err());
        assert!(bulk_ids(["-4"]).is_err());
        assert!(bulk_ids(["1; drop"]).is_err());
        let many: Vec<String> = (1..=(MAX_BULK as i64 + 1)).map(|i| i.to_string()).collect();
        assert!(bulk_ids(many.iter().map(String::as_str)).is_err());
        assert!(bulk_ids(many[..MAX_BULK].iter().map(String::as_str)).is_ok());
    }

    proptest! {
        /// Whatever was picked, the batch holds each picked record once and nothing else.
        #[test]
        fn bulk_ids_are_the_distinct_picks(picks in proptest::collection::vec(1i64..1000, 1..60)) {
            let raw: Vec<String> = picks.iter().map(|i| i.to_string()).collect();
            let ids = bulk_ids(raw.iter().map(String::as_str)).unwrap();
            let mut want = picks.clone();
            want.sort_unstable();
            want.dedup();
            let mut got = ids.clone();
            got.sort_unstable();
            prop_assert_eq!(got, want);
            prop_assert_eq!(ids[0], picks[0]);
        }
    }
}
