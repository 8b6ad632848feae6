// Added to a page by tests/browser/mod.rs (sight), inside a function of VIEW (a CSS selector)
// and CLICK (a CSS selector, or null). Once the page has loaded and, with CLICK, once that
// element was clicked and the view it opens drawn, writes what it measures as JSON into a pre
// element whose id is "probe", the last of the body.
function measure() {
  const view = document.querySelector(VIEW);
  const panes = [...document.querySelectorAll("#app .text")].map((pane) => {
    const mark = pane.querySelector("mark");
    return { scroll: pane.scrollTop, height: pane.clientHeight, mark: mark
      ? mark.getBoundingClientRect().top - pane.getBoundingClientRect().top : null };
  });
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({ page: document.scrollingElement.scrollTop,
    view: view ? view.getBoundingClientRect().top : null, window: innerHeight, panes });
  document.body.append(out);
}
window.addEventListener("load", () => setTimeout(() => {
  if (CLICK === null) { measure(); return; }
  window.addEventListener("hashchange", () => setTimeout(measure, 50));
  document.querySelector(CLICK).click();
}, 50));
