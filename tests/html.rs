//! The HTML report as a person sees it: loaded in a real headless browser (Chromium, which CI
//! installs), without errors, with the clusters and members in the page, the six occurrences of
//! the DayDayNews paragraph highlighted in seed 001, and the passages 000 and 005 share
//! highlighted on both sides. Without a browser the tests say so and pass, unless
//! NEARDUP_REQUIRE_BROWSER is set (as CI sets it).

mod common;

use std::path::{Path, PathBuf};

/// The browser to drive, if there is one.
fn browser() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .map(|name| {
            std::process::Command::new("sh")
                .args(["-c", &format!("command -v {name}")])
                .output()
        })
        .filter_map(Result::ok)
        .find(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim().to_string()));
    if found.is_none() {
        assert!(
            std::env::var_os("NEARDUP_REQUIRE_BROWSER").is_none(),
            "NEARDUP_REQUIRE_BROWSER is set but no Chromium was found"
        );
        eprintln!("no Chromium: the HTML report is not checked in a browser");
    }
    found
}

/// The page's DOM after its scripts ran, opened at `fragment`, and what the browser logged.
fn dom(browser: &Path, page: &Path, fragment: &str) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}#{fragment}", page.display()))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The HTML report of corpus/ and its JSON report.
fn corpus_report(dir: &Path) -> (PathBuf, neardup::Report) {
    let page = dir.join("report.html");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let (report, _) = common::scan_json(
        &[corpus.to_str().unwrap(), "--html", page.to_str().unwrap()],
        dir,
        0,
    );
    (page, report)
}

fn loaded_cleanly(dom: &str, log: &str) {
    let body = &dom[dom.find("<body").unwrap()..];
    let body = &body[..body.find('>').unwrap()];
    assert!(
        body.contains("data-ready=\"1\""),
        "the page did not draw: {body}\n{log}"
    );
    assert!(!body.contains("data-error"), "a script error: {body}");
    // The page writes nothing to the console: any message there is an error or a warning.
    assert!(!log.contains(":CONSOLE"), "{log}");
}

#[test]
fn the_report_of_the_corpus_loads_and_lists_every_cluster_and_member() {
    let Some(browser) = browser() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (page, report) = corpus_report(tmp.path());
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page reaches out"
    );
    let (dom, log) = dom(&browser, &page, "clusters");
    loaded_cleanly(&dom, &log);
    assert_eq!(dom.matches("data-cluster=").count(), report.clusters.len());
    for cluster in &report.clusters {
        let (dom, log) = dom_of(&browser, &page, cluster.id);
        loaded_cleanly(&dom, &log);
        assert_eq!(dom.matches("data-member=").count(), cluster.members.len());
        for member in &cluster.members {
            assert!(dom.contains(&member.path), "{} not shown", member.path);
        }
    }
}

fn dom_of(browser: &Path, page: &Path, cluster: usize) -> (String, String) {
    dom(browser, page, &format!("cluster/{cluster}/1"))
}

#[test]
fn seed_001_shows_six_highlighted_occurrences_one_of_them_kept() {
    let Some(browser) = browser() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (page, report) = corpus_report(tmp.path());
    let index = report
        .repeats
        .iter()
        .position(|r| r.path.ends_with("001_bc7ac223c58f7b41.txt"))
        .unwrap();
    let (dom, log) = dom(&browser, &page, &format!("repeat/{index}"));
    loaded_cleanly(&dom, &log);
    let marks: Vec<&str> = dom.split("<mark class=\"occurrence").skip(1).collect();
    assert_eq!(marks.len(), 6, "{dom}");
    assert_eq!(marks.iter().filter(|m| m.starts_with(" kept")).count(), 1);
    // Each highlighted occurrence is the pasted paragraph.
    for mark in &marks {
        let text = &mark[mark.find('>').unwrap() + 1..mark.find("</mark>").unwrap()];
        assert!(
            text.starts_with("Of course, the emergence of the Russia-Ukraine conflict"),
            "{text}"
        );
    }
}

#[test]
fn the_side_by_side_view_of_000_and_005_highlights_their_shared_passages_on_both_sides() {
    let Some(browser) = browser() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (page, report) = corpus_report(tmp.path());
    let cluster = report
        .clusters
        .iter()
        .find(|c| {
            c.members
                .iter()
                .any(|m| m.path.ends_with("000_19d78a4ffbec308a.txt"))
        })
        .unwrap();
    let member = cluster
        .members
        .iter()
        .position(|m| !m.representative)
        .unwrap();
    let (dom, log) = dom(&browser, &page, &format!("cluster/{}/{member}", cluster.id));
    loaded_cleanly(&dom, &log);
    let a = &dom[dom.find("id=\"side-a\"").unwrap()..dom.find("id=\"side-b\"").unwrap()];
    let b = &dom[dom.find("id=\"side-b\"").unwrap()..dom.find("class=\"keys\"").unwrap()];
    let keys = |side: &str| -> std::collections::BTreeSet<String> {
        side.split("data-key=\"")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].to_string())
            .collect()
    };
    let (ka, kb) = (keys(a), keys(b));
    assert!(ka.len() >= 2, "{a}");
    assert_eq!(ka, kb, "every passage on both sides");
    // The passages cover most of the shorter text: 96% of 000 is in 005.
    let marked = |side: &str| -> usize {
        side.split("<mark ")
            .skip(1)
            .map(|m| m[m.find('>').unwrap() + 1..m.find("</mark>").unwrap()].len())
            .sum()
    };
    assert!(
        marked(a) > 1500 && marked(b) > 1500,
        "{} {}",
        marked(a),
        marked(b)
    );
}

#[test]
fn compare_and_the_cleaning_plan_draw_their_pages() {
    let Some(browser) = browser() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let (a, b) = (
        corpus.join("000_19d78a4ffbec308a.txt"),
        corpus.join("005_syndicated_copy.txt"),
    );
    let page = tmp.path().join("compare.html");
    let output = common::neardup()
        .args([
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--json",
            "--html",
        ])
        .arg(&page)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let comparison: neardup::compare::Comparison = serde_json::from_slice(&output.stdout).unwrap();
    let (dom, log) = dom(&browser, &page, "");
    loaded_cleanly(&dom, &log);
    let a_side = &dom[dom.find("id=\"side-a\"").unwrap()..dom.find("id=\"side-b\"").unwrap()];
    // One highlighted run per passage, or more where a passage crosses lines.
    let marks = a_side.matches("<mark class=\"passage").count();
    assert!(marks >= comparison.passages.len() && !comparison.passages.is_empty());
    assert!(dom.contains(&format!("{:.4}", comparison.jaccard)));

    let plan = tmp.path().join("plan.html");
    let output = common::neardup()
        .args([
            "clean",
            corpus.to_str().unwrap(),
            "--dry-run",
            "--json",
            "--html",
        ])
        .arg(&plan)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let manifest: neardup::clean::Manifest = serde_json::from_slice(&output.stdout).unwrap();
    let (plan_dom, log) = self::dom(&browser, &plan, "");
    loaded_cleanly(&plan_dom, &log);
    let dom = plan_dom;
    // Every removal of seed 001 is highlighted, beside the paragraph they repeat.
    let removed: usize = manifest.documents.iter().map(|d| d.removed.len()).sum();
    assert_eq!(removed, 5);
    assert_eq!(dom.matches("<mark class=\"removed\"").count(), removed);
    assert_eq!(dom.matches("<mark class=\"repeated\"").count(), 1);
}
