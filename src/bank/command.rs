//! `cunyi bank check` and `cunyi bank lint`: the format checks and the quality lint over
//! the shipped bank or a folder laid out like question_bank/. Off the request path, so
//! errors are `anyhow` and output is printed.

use anyhow::{Context as _, bail};

fn bank_questions(
    dir: Option<&std::path::Path>,
) -> anyhow::Result<(Vec<crate::bank::Question>, Vec<crate::bank::rules::Problem>)> {
    Ok(match dir {
        Some(dir) => crate::bank::files::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?,
        None => crate::bank::files::shipped(),
    })
}

/// The lint's thresholds: `--config`, else the bank folder's lint.toml, else the shipped.
fn lint_config(
    dir: Option<&std::path::Path>,
    config: Option<&std::path::Path>,
) -> anyhow::Result<crate::bank::rules::lint::LintConfig> {
    let path = config
        .map(std::path::Path::to_path_buf)
        .or_else(|| dir.map(|d| d.join("lint.toml")).filter(|p| p.exists()));
    let text = match &path {
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?
        }
        None => crate::bank::files::LINT_CONFIG.to_owned(),
    };
    crate::bank::rules::lint::LintConfig::parse(&text)
        .map_err(|e| anyhow::anyhow!("lint.toml: {e}"))
}

pub fn check(dir: Option<&std::path::Path>, strict: bool) -> anyhow::Result<()> {
    use crate::bank::rules;
    let (questions, mut problems) = bank_questions(dir)?;
    problems.extend(rules::check_bank(&questions));
    let (by_area, by_type, by_difficulty) = rules::totals(&questions);
    let line = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("{} questions", questions.len());
    println!("  by area: {}", line(&by_area));
    println!("  by type: {}", line(&by_type));
    println!("  by difficulty: {}", line(&by_difficulty));
    for p in &problems {
        eprintln!("{}: {}", p.location, p.message);
    }
    if !problems.is_empty() {
        bail!("{} problem(s) in the question bank", problems.len());
    }
    println!("the question bank passes every check");
    let (stations, station_problems) =
        crate::skills::files::check(dir).with_context(|| "cannot read the skill stations")?;
    for p in &station_problems {
        eprintln!("{}: {}", p.location, p.message);
    }
    if !station_problems.is_empty() {
        bail!(
            "{} problem(s) in the skill stations",
            station_problems.len()
        );
    }
    println!("{stations} skill stations pass every check");
    let config = lint_config(dir, None)?;
    let report = rules::lint::lint(&questions, &config);
    println!("\n{}", report.table(&config));
    let failures = report.failures().count();
    if failures > 0 {
        if strict || config.enforce {
            bail!("{failures} lint threshold(s) exceeded");
        }
        eprintln!(
            "warning: {failures} lint threshold(s) exceeded (warnings for now: lint.toml enforce = false; --strict fails)"
        );
    }
    Ok(())
}

pub fn lint(dir: Option<&std::path::Path>, config: Option<&std::path::Path>) -> anyhow::Result<()> {
    let (questions, problems) = bank_questions(dir)?;
    for p in &problems {
        eprintln!("{}: {}", p.location, p.message);
    }
    let config = lint_config(dir, config)?;
    let report = crate::bank::rules::lint::lint(&questions, &config);
    println!("{}", report.table(&config));
    let failures = report.failures().count();
    if failures > 0 {
        bail!("{failures} lint threshold(s) exceeded");
    }
    Ok(())
}
