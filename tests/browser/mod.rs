//! Driving headless Chromium for the HTML report's tests: the page's DOM once its scripts ran,
//! the texts its panes show, and what a probe script measures of where the page and its panes
//! are scrolled.

use std::path::{Path, PathBuf};

/// The browser to drive, if there is one.
pub fn browser() -> Option<PathBuf> {
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
pub fn dom(browser: &Path, page: &Path, fragment: &str) -> (String, String) {
    open(browser, page, fragment, &[])
}

/// The page's DOM after its scripts ran, opened at `fragment` with the browser's `extra`
/// arguments, and what the browser logged.
fn open(browser: &Path, page: &Path, fragment: &str, extra: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .args(extra)
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

/// The page's `<body ...>` tag, where the script records whether it drew.
pub fn body_tag(dom: &str) -> &str {
    let body = &dom[dom.find("<body").unwrap()..];
    &body[..body.find('>').unwrap()]
}

pub fn loaded_cleanly(dom: &str, log: &str) {
    let body = body_tag(dom);
    assert!(
        body.contains("data-ready=\"1\""),
        "the page did not draw: {body}\n{log}"
    );
    assert!(!body.contains("data-error"), "a script error: {body}");
    // The page writes nothing to the console: any message there is an error or a warning.
    assert!(!log.contains(":CONSOLE"), "{log}");
}

/// The texts of the page's text panes as it shows them, line numbers and highlights left out.
pub fn pane_texts(dom: &str) -> Vec<String> {
    const NUMBER: &str = "<div class=\"ln\">";
    const LINE: &str = "<div class=\"lc\">";
    let text_of = |html: &str| -> String {
        // Markup in the text is escaped, so every '<' starts a tag (a highlight's).
        let mut text = String::new();
        let mut rest = html;
        while let Some(at) = rest.find('<') {
            text.push_str(&rest[..at]);
            rest = &rest[at + rest[at..].find('>').unwrap() + 1..];
        }
        text.push_str(rest);
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&nbsp;", "\u{a0}")
            .replace("&amp;", "&")
    };
    dom.split("<div class=\"text\">")
        .skip(1)
        .map(|pane| {
            let mut lines = Vec::new();
            let mut rest = pane;
            while let Some(number) = rest.strip_prefix(NUMBER) {
                let line = &number[number.find(LINE).unwrap() + LINE.len()..];
                let end = line.find("</div>").unwrap();
                lines.push(text_of(&line[..end]));
                rest = &line[end + "</div>".len()..];
            }
            lines.join("\n")
        })
        .collect()
}

/// What a probe script measures in `page` opened at `fragment` in a 1400x1000 window, once it
/// has loaded and, with `click` (a CSS selector), once that element was clicked and the view it
/// opens drawn: the page's scroll (`page`), the top of the element `view` in the window
/// (`view`), the window's height (`window`) and, per text pane, its scroll, its height and the
/// top of its first highlight in it (`panes`: `scroll`, `height`, `mark`). With the DOM.
pub fn sight(
    browser: &Path,
    page: &Path,
    fragment: &str,
    click: Option<&str>,
    view: &str,
) -> (serde_json::Value, String) {
    let probe = format!(
        "<script>\n(function (VIEW, CLICK) {{\n{}}})({}, {});\n</script>\n",
        include_str!("probe.js"),
        serde_json::to_string(view).unwrap(),
        serde_json::to_string(&click).unwrap(),
    );
    let html = std::fs::read_to_string(page).unwrap();
    let end = html.rfind("</body>").unwrap();
    let probed = page.with_file_name("probed.html");
    std::fs::write(&probed, format!("{}{probe}{}", &html[..end], &html[end..])).unwrap();
    let (dom, log) = open(
        browser,
        &probed,
        fragment,
        &["--window-size=1400,1000", "--virtual-time-budget=1000"],
    );
    loaded_cleanly(&dom, &log);
    const OUT: &str = "<pre id=\"probe\">";
    let at = dom.find(OUT).expect("the probe measured nothing") + OUT.len();
    let json = &dom[at..at + dom[at..].find("</pre>").unwrap()];
    let json = json
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    (serde_json::from_str(&json).unwrap(), dom)
}
