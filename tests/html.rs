//! The HTML report as a person sees it: loaded in a real headless browser (Chromium, which CI
//! installs), without errors, with the clusters and members in the page, the six occurrences of
//! the DayDayNews paragraph highlighted in seed 001, and the passages 000 and 005 share
//! highlighted on both sides; texts holding markup shown exactly on every page (scan, compare,
//! the cleaning plan), a page whose data does not read saying so, boilerplate examples as links,
//! and where the page and its text panes are scrolled when a view opens. Without a browser the
//! tests say so and pass, unless NEARDUP_REQUIRE_BROWSER is set (as CI sets it).

mod browser;
mod common;

use browser::{body_tag, browser, dom, loaded_cleanly, pane_texts, sight};

use std::path::{Path, PathBuf};

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

/// A paragraph that is markup to an HTML parser (a comment, script tags, an ampersand) and
/// holds the line and paragraph separators U+2028 and U+2029: the page must show it as text.
const MARKUP: &str = "Markup that is only text here: <!-- not a comment --> and </script><script>\
    document.body.setAttribute(\"data-injected\", \"1\")</script> then <!--<script> and an \
    & ampersand > 2, a line\u{2028}separator and a paragraph\u{2029}separator. The rest of this \
    paragraph is plain prose, long enough that the few symbols above read as a quotation inside \
    running text rather than as code, so that pasting it twice into an article makes a repeat \
    that the report draws in its own view, which is what this corpus is here to show, the end";

/// `words` as one paragraph wrapped at about 70 columns.
fn wrap(words: &[String]) -> String {
    let mut text = String::new();
    for w in words {
        let line = text.len() - text.rfind('\n').map_or(0, |n| n + 1);
        if line > 0 && line + w.len() > 70 {
            text.push('\n');
        } else if line > 0 {
            text.push(' ');
        }
        text.push_str(w);
    }
    text
}

/// `count` paragraphs of 60 random words (about 8 lines each).
fn paragraphs(rng: &mut common::Rng, count: usize) -> Vec<String> {
    (0..count).map(|_| wrap(&common::words(rng, 60))).collect()
}

/// Writes `paragraphs` as the text file `dir/name`.
fn write_text(dir: &Path, name: &str, paragraphs: &[String]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), paragraphs.join("\n\n") + "\n").unwrap();
}

/// Two near-duplicates that open and end with [`MARKUP`], a paragraph each of them repeats.
fn markup_corpus(dir: &Path) {
    let mut rng = common::Rng::new(11);
    let mut text = vec![MARKUP.to_string()];
    text.extend(paragraphs(&mut rng, 3));
    text.push(MARKUP.to_string());
    write_text(dir, "markup_a.txt", &text);
    text[2].push_str(" edited");
    write_text(dir, "markup_b.txt", &text);
}

/// A corpus whose highlights are far down its texts and whose cluster list is longer than the
/// window: 40 unrelated texts of 12 paragraphs, each with a copy (a cluster) and the same
/// footer (boilerplate); late_a.txt and late_b.txt, which share 12 paragraphs after 6 of their
/// own each (Jaccard about 0.5: scan them with `--threshold 0.4`); and repeat.txt, whose ninth
/// paragraph comes back as its twelfth.
fn long_corpus(dir: &Path) {
    let mut rng = common::Rng::new(5);
    let footer = "Subscribe to the Long Letter for more articles like this one, every week in \
                  your inbox, free of charge and without adverts.";
    for d in 0..40 {
        let mut text = paragraphs(&mut rng, 12);
        text.push(footer.to_string());
        write_text(dir, &format!("long{d:02}.txt"), &text);
        text[0].push_str(" edited");
        write_text(dir, &format!("long{d:02}_copy.txt"), &text);
    }
    let shared = paragraphs(&mut rng, 12);
    for name in ["late_a.txt", "late_b.txt"] {
        let mut text = paragraphs(&mut rng, 6);
        text.extend(shared.iter().cloned());
        write_text(dir, name, &text);
    }
    let mut text = paragraphs(&mut rng, 11);
    text.push(text[8].clone());
    write_text(dir, "repeat.txt", &text);
}

/// Asserts that the page drew, ran nothing from the texts, and that its text panes show
/// exactly the files at `paths`, in any order.
fn shows_exactly(dom: &str, log: &str, paths: &[&str]) {
    loaded_cleanly(dom, log);
    assert!(
        !body_tag(dom).contains("data-injected"),
        "a text ran as a script"
    );
    assert!(dom.contains("<title>neardup report</title>"));
    let mut shown = pane_texts(dom);
    let mut expected: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(expected.iter().all(|t| t.contains(MARKUP)));
    shown.sort();
    expected.sort();
    assert_eq!(shown, expected);
}

#[test]
fn texts_holding_markup_and_separators_show_exactly_on_every_page() {
    let Some(browser) = browser() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    markup_corpus(&corpus);
    let page = tmp.path().join("report.html");
    let (report, _) = common::scan_json(
        &[corpus.to_str().unwrap(), "--html", page.to_str().unwrap()],
        tmp.path(),
        0,
    );
    assert_eq!((report.clusters.len(), report.repeats.len()), (1, 2));
    let cluster = &report.clusters[0];
    let members: Vec<&str> = cluster.members.iter().map(|m| m.path.as_str()).collect();
    let (dom, log) = dom(&browser, &page, &format!("cluster/{}/1", cluster.id));
    shows_exactly(&dom, &log, &members);
    for (i, repeats) in report.repeats.iter().enumerate() {
        let (dom, log) = self::dom(&browser, &page, &format!("repeat/{i}"));
        shows_exactly(&dom, &log, &[&repeats.path]);
    }

    let compared = tmp.path().join("compare.html");
    let output = common::neardup()
        .args(["compare", members[0], members[1], "--html"])
        .arg(&compared)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let (dom, log) = self::dom(&browser, &compared, "");
    shows_exactly(&dom, &log, &members);

    let plan = tmp.path().join("plan.html");
    let output = common::neardup()
        .args(["clean", corpus.to_str().unwrap(), "--dry-run", "--html"])
        .arg(&plan)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let (dom, log) = self::dom(&browser, &plan, "");
    shows_exactly(&dom, &log, &members);
    assert_eq!(dom.matches("<mark class=\"removed\"").count(), 2);
}

#[test]
fn a_page_whose_data_does_not_read_says_so_in_the_page() {
    let Some(browser) = browser() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (page, _) = corpus_report(tmp.path());
    let html = std::fs::read_to_string(&page).unwrap();
    let opening = "<script type=\"application/json\" id=\"data\">";
    assert!(html.contains(opening));
    std::fs::write(
        &page,
        html.replace(opening, &format!("{opening}{{broken, ")),
    )
    .unwrap();
    let (dom, _) = dom(&browser, &page, "clusters");
    assert!(body_tag(&dom).contains("data-error"));
    assert!(!body_tag(&dom).contains("data-ready"));
    let failure = &dom[dom
        .find("<p id=\"failure\"")
        .expect("no message in the page")..];
    let failure = &failure[..failure.find("</p>").unwrap()];
    assert!(
        failure.contains("This report could not be drawn: its data"),
        "{failure}"
    );
}

/// The scan report of [`long_corpus`] in `dir`.
fn long_report(dir: &Path) -> (PathBuf, neardup::Report) {
    let corpus = dir.join("corpus");
    long_corpus(&corpus);
    let page = dir.join("report.html");
    let (report, _) = common::scan_json(
        &[
            corpus.to_str().unwrap(),
            "--threshold",
            "0.4",
            "--html",
            page.to_str().unwrap(),
        ],
        dir,
        0,
    );
    (page, report)
}

/// The cluster whose representative is the file `name`.
fn cluster_of(report: &neardup::Report, name: &str) -> usize {
    report
        .clusters
        .iter()
        .find(|c| c.members[0].path.ends_with(name))
        .unwrap()
        .id
}

#[test]
fn an_address_or_a_click_brings_the_view_it_opens_into_sight() {
    let Some(browser) = browser() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (page, report) = long_report(tmp.path());
    assert_eq!((report.clusters.len(), report.boilerplate.len()), (41, 1));
    let late = cluster_of(&report, "late_a.txt");
    let repeat = report
        .repeats
        .iter()
        .position(|r| r.path.ends_with("repeat.txt"));
    let cases = [
        (
            format!("cluster/{late}/1"),
            None,
            "#cluster-detail".to_string(),
        ),
        (
            format!("repeat/{}", repeat.unwrap()),
            None,
            "#repeat-detail".into(),
        ),
        (
            "boilerplate/0/1".into(),
            None,
            "[data-boilerplate=\"0\"]".into(),
        ),
        (
            "clusters".into(),
            Some(format!("tr[data-cluster=\"{late}\"]")),
            "#cluster-detail".into(),
        ),
        (
            "boilerplate".into(),
            Some("[data-boilerplate=\"0\"] button.link:nth-of-type(2)".into()),
            "[data-boilerplate=\"0\"]".into(),
        ),
    ];
    for (fragment, click, view) in cases {
        let (seen, _) = sight(&browser, &page, &fragment, click.as_deref(), &view);
        let (top, window) = (
            seen["view"].as_f64().unwrap(),
            seen["window"].as_f64().unwrap(),
        );
        // The view starts at the top of the window, or as near as the page's end lets it.
        assert!(
            seen["page"].as_f64().unwrap() > 0.0 && top > -1.0 && top < window / 4.0,
            "#{fragment} {click:?}: {seen}"
        );
    }
    // A list shows from the top of the page, its header and tabs in sight, whether it is
    // opened or gone back to.
    for (fragment, click) in [
        ("clusters".to_string(), None),
        ("repeats".into(), None),
        (format!("cluster/{late}/1"), Some("nav button")),
    ] {
        let (seen, _) = sight(&browser, &page, &fragment, click, "header");
        assert_eq!(seen["page"], 0, "#{fragment} {click:?}: {seen}");
    }
}

#[test]
fn boilerplate_examples_are_links_to_their_documents() {
    let Some(browser) = browser() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (page, report) = long_report(tmp.path());
    let (dom, log) = dom(&browser, &page, "boilerplate/0/2");
    loaded_cleanly(&dom, &log);
    assert!(!dom.contains("[object"), "an element drawn as a string");
    let examples = &dom[dom.find("Examples: ").unwrap()..];
    let examples = &examples[..examples.find("</p>").unwrap()];
    let links: Vec<&str> = examples
        .split("<button class=\"link\">")
        .skip(1)
        .map(|b| &b[..b.find("</button>").unwrap()])
        .collect();
    assert_eq!(links, report.boilerplate[0].examples, "{examples}");
    assert!(examples.contains("</button>, <button"), "{examples}");
    // The third example is open, with the paragraph highlighted.
    let shown = pane_texts(&dom);
    assert_eq!(shown.len(), 1);
    assert_eq!(
        shown[0],
        std::fs::read_to_string(&report.boilerplate[0].examples[2]).unwrap()
    );
    assert_eq!(dom.matches("<mark class=\"boilerplate\"").count(), 1);
}

/// Asserts that every text pane of the page `seen` shows its first highlight, and that some
/// pane had to scroll to it.
fn panes_at_their_highlights(seen: &serde_json::Value, what: &str) {
    let panes = seen["panes"].as_array().unwrap();
    assert!(!panes.is_empty(), "{what}: no text pane");
    for pane in panes {
        let mark = pane["mark"].as_f64().unwrap();
        let height = pane["height"].as_f64().unwrap();
        // At least its first line (under 20 pixels) is in the pane: a highlight at the end of
        // the text sits at the pane's bottom.
        assert!(mark >= 0.0 && mark + 20.0 <= height, "{what}: {pane}");
    }
    assert!(
        panes.iter().any(|p| p["scroll"].as_f64().unwrap() > 0.0),
        "{what}: {seen}"
    );
}

#[test]
fn text_panes_open_at_their_first_highlight() {
    let Some(browser) = browser() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (page, report) = long_report(tmp.path());
    let late = cluster_of(&report, "late_a.txt");
    let repeat = report
        .repeats
        .iter()
        .position(|r| r.path.ends_with("repeat.txt"));
    for fragment in [
        format!("cluster/{late}/1"),
        format!("repeat/{}", repeat.unwrap()),
        "boilerplate/0/0".into(),
    ] {
        let (seen, _) = sight(&browser, &page, &fragment, None, "#app");
        panes_at_their_highlights(&seen, &fragment);
        assert_eq!(
            seen["panes"].as_array().unwrap().len(),
            1 + usize::from(fragment.starts_with("cluster"))
        );
    }

    let corpus = tmp.path().join("corpus");
    let compared = tmp.path().join("compare.html");
    let output = common::neardup()
        .arg("compare")
        .args([corpus.join("late_a.txt"), corpus.join("late_b.txt")])
        .arg("--html")
        .arg(&compared)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let (seen, _) = sight(&browser, &compared, "", None, "#app");
    panes_at_their_highlights(&seen, "compare");
    assert!(
        seen["panes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["scroll"].as_f64().unwrap() > 0.0)
    );

    let plan = tmp.path().join("plan.html");
    let output = common::neardup()
        .args(["clean", corpus.to_str().unwrap(), "--dry-run", "--html"])
        .arg(&plan)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let (seen, _) = sight(&browser, &plan, "", None, "#app");
    panes_at_their_highlights(&seen, "the cleaning plan");
}
