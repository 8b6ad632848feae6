"use strict";
// Draws the report's views from the JSON in #data. Routes (the address's #fragment):
// #clusters, #cluster/ID/MEMBER, #repeats, #repeat/INDEX, #boilerplate, #boilerplate/I/EXAMPLE,
// #problems. The body gets data-ready="1" once a view is drawn. Any error is shown at the top of
// the page (#failure) and in the body's data-error. No element's id is a route, so that the
// browser does not scroll to one by itself: the script brings the view it draws into sight.
function fail(message) {
  document.body.setAttribute("data-error", message);
  let box = document.getElementById("failure");
  if (!box) {
    box = document.createElement("p");
    box.id = "failure";
    box.setAttribute("role", "alert");
    document.body.prepend(box);
  }
  box.textContent = message;
}
window.addEventListener("error", (e) => fail("This report's script failed: " + e.message));
(function () {
  let data;
  try {
    data = JSON.parse(document.getElementById("data").textContent);
  } catch (e) {
    console.error(e);
    fail("This report could not be drawn: its data (the JSON in the page) does not read: " +
      e.message);
    return;
  }
  // Members come packed as [doc, label, similarity, flags, tokens].
  for (const c of data.clusters || []) {
    c.members = c.members.map(([doc, label, similarity, flags, tokens]) => ({
      doc, label, similarity, tokens,
      representative: (flags & 1) !== 0, kept: (flags & 2) !== 0, dropped: (flags & 4) !== 0,
    }));
  }
  const app = document.getElementById("app");
  const state = { sort: "size", ascending: false, filter: "", current: 0, shown: 500 };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }
  const fixed = (x) => Number(x).toFixed(4);

  // A text with line numbers and highlighted ranges [{start, end, cls, title, key}], one row per
  // line so that long lines wrap beside their number; a range over several lines is cut at them.
  function textView(text, marks) {
    const sorted = [...marks].sort((a, b) => a.start - b.start);
    const view = el("div", { class: "text" });
    let start = 0, number = 1, next = 0;
    for (const line of text.split("\n")) {
      const end = start + line.length;
      const content = el("div", { class: "lc" });
      let at = start;
      while (next < sorted.length && sorted[next].end <= start) next++;
      for (let i = next; i < sorted.length && sorted[i].start < end; i++) {
        const m = sorted[i];
        const from = Math.max(m.start, at), to = Math.min(m.end, end);
        if (to <= from) continue;
        content.append(text.slice(at, from));
        const attrs = { class: m.cls };
        if (m.title) attrs.title = m.title;
        if (m.key !== undefined) attrs["data-key"] = m.key;
        content.append(el("mark", attrs, text.slice(from, to)));
        at = to;
      }
      content.append(text.slice(at, end));
      view.append(el("div", { class: "ln" }, number), content);
      start = end + 1;
      number++;
    }
    return view;
  }

  function header() {
    const s = data.stats, p = data.params;
    const fact = (name, value) => el("span", {}, name + " ", el("b", {}, value));
    return el("header", {},
      el("h1", {}, "neardup report"),
      el("div", { class: "facts" },
        fact("documents", s.documents), fact("files", s.files),
        fact("clusters", s.clusters), fact("duplicates", s.duplicate_documents),
        fact("documents with repeats", s.documents_with_repeats),
        fact("boilerplate paragraphs", s.boilerplate_paragraphs),
        fact("input problems", s.input_errors)),
      el("div", { class: "facts" },
        fact("threshold", p.threshold), fact("shingles", p.shingle + " " + p.shingle_size),
        fact("permutations", p.num_perm), fact("bands", p.bands + " x " + p.rows),
        fact("linkage", p.linkage), fact("keep", p.keep), fact("version", data.version)));
  }

  function tabs(active) {
    const tab = (route, name, count) => el("button", {
      "aria-selected": String(active === route), role: "tab",
      onclick: () => { location.hash = route; },
    }, name + " (" + count + ")");
    return el("nav", { role: "tablist" },
      tab("clusters", "Clusters", data.clusters.length),
      tab("repeats", "Repeated paragraphs", data.repeats.length),
      tab("boilerplate", "Boilerplate", data.boilerplate.length),
      tab("problems", "Problems", data.problems.length));
  }

  function leftOut() {
    const l = data.left_out, parts = [];
    if (l.clusters_not_listed) parts.push(l.clusters_not_listed + " clusters not listed");
    if (l.clusters_without_texts) parts.push(l.clusters_without_texts + " clusters");
    if (l.repeats_without_texts) parts.push(l.repeats_without_texts + " documents with repeats");
    if (l.boilerplate_without_texts) parts.push(l.boilerplate_without_texts + " boilerplate paragraphs");
    if (!parts.length) return null;
    return el("p", { class: "note" }, "Texts are included for the first " + l.texts +
      " of each list (--html-texts); left without texts: " + parts.join(", ") +
      ". The JSON report (--json) has every entry.");
  }

  function visibleClusters() {
    const f = state.filter.toLowerCase();
    const rows = data.clusters.filter((c) => !f ||
      c.members.some((m) => m.label.toLowerCase().includes(f)));
    const key = { id: (c) => c.id, size: (c) => c.size, min: (c) => c.min,
      rep: (c) => c.members[0].label }[state.sort];
    rows.sort((a, b) => {
      const x = key(a), y = key(b);
      const order = x < y ? -1 : x > y ? 1 : a.id - b.id;
      return state.ascending ? order : -order;
    });
    return rows;
  }

  function clusterList() {
    const rows = visibleClusters();
    state.current = Math.min(state.current, Math.max(rows.length - 1, 0));
    const column = (key, name) => el("th", {
      "aria-sort": state.sort === key ? (state.ascending ? "ascending" : "descending") : "none",
      onclick: () => {
        state.ascending = state.sort === key ? !state.ascending : key === "rep" || key === "id";
        state.sort = key;
        draw();
      },
    }, name);
    const filter = el("input", {
      type: "search", id: "filter", placeholder: "Filter by path (press /)",
      value: state.filter,
      oninput: (e) => { state.filter = e.target.value; state.current = 0; redrawTable(); },
    });
    const table = el("table", { id: "cluster-table" },
      el("thead", {}, el("tr", {}, column("id", "#"), column("size", "size"),
        column("min", "lowest pair"), column("rep", "representative"))),
      el("tbody", {}, rows.slice(0, state.shown).map((c, i) => el("tr", {
        "data-cluster": c.id, class: i === state.current ? "current" : "",
        tabindex: "-1", onclick: () => { location.hash = "cluster/" + c.id + "/1"; },
      }, el("td", { class: "num" }, c.id), el("td", { class: "num" }, c.size),
      el("td", { class: "num" }, fixed(c.min)), el("td", { class: "path" }, c.members[0].label)))));
    function redrawTable() {
      const fresh = clusterList();
      app.querySelector("#cluster-table").parentNode.replaceWith(fresh);
      const input = app.querySelector("#filter");
      input.focus();
      input.setSelectionRange(input.value.length, input.value.length);
    }
    const more = rows.length > state.shown ? el("button", {
      class: "link", id: "more",
      onclick: () => { state.shown += 500; redrawTable(); },
    }, "show 500 more of " + rows.length) : null;
    return el("section", {}, leftOut(), filter, table, more);
  }

  function clusterDetail(id, memberIndex) {
    const c = data.clusters.find((x) => x.id === id);
    if (!c) return el("p", {}, "No cluster " + id + ".");
    const member = Math.min(Math.max(memberIndex, 1), c.members.length - 1);
    const members = el("table", { id: "members" },
      el("thead", {}, el("tr", {}, el("th", {}, "similarity to the representative"),
        el("th", {}, "member"), el("th", {}, "words"))),
      el("tbody", {}, c.members.map((m, i) => el("tr", {
        "data-member": i, class: i === member ? "current" : "",
        onclick: () => { if (i > 0) location.hash = "cluster/" + c.id + "/" + i; },
      }, el("td", { class: "num" }, fixed(m.similarity)),
      el("td", { class: "path" }, m.label,
        m.representative ? el("span", { class: "tag" }, "representative") : null,
        m.kept ? el("span", { class: "tag kept" }, "kept") : null,
        m.dropped ? el("span", { class: "tag dropped" }, "dropped by clean") : null),
      el("td", { class: "num" }, m.tokens)))));
    const parts = [el("h2", {}, "Cluster " + c.id + ": " + c.size + " documents, lowest pair " +
      fixed(c.min)), members];
    if (c.lowest) {
      parts.push(el("p", { class: "note", id: "lowest" }, "Lowest pair (the chaining): " +
        c.lowest[0] + " and " + c.lowest[1] + ", " + fixed(c.lowest[2])));
    }
    const rep = c.members[0], other = c.members[member];
    const spans = data.passages[c.id + ":" + member];
    if (rep.doc === null || other === undefined || other.doc === null || spans === undefined) {
      parts.push(el("p", { class: "note" }, "Texts are not included for this cluster."));
    } else {
      const a = data.docs[rep.doc].text, b = data.docs[other.doc].text;
      const mark = (side) => spans.map((s, k) => ({
        start: s[side], end: s[side + 1], cls: "passage p" + (k % 6), key: k,
        title: "shared passage " + (k + 1) + ", " + s[4] + " words",
      }));
      parts.push(el("p", { class: "note" }, spans.length + " shared passages highlighted " +
        "(pointing at one lights up its twin, clicking it brings the twin into view); " +
        "plain text differs."));
      const sides = el("div", { class: "sides" },
        el("div", { class: "side", id: "side-a" }, el("h3", {}, "representative: " + rep.label),
          textView(a, mark(0))),
        el("div", { class: "side", id: "side-b" }, el("h3", {}, "member: " + other.label),
          textView(b, mark(2))));
      // Clicking a passage brings its twin on the other side into view.
      sides.addEventListener("click", (e) => {
        const key = e.target.getAttribute && e.target.getAttribute("data-key");
        if (key === null) return;
        const other = e.target.closest("#side-a") ? "#side-b" : "#side-a";
        const twin = sides.querySelector(other + ' mark[data-key="' + key + '"]');
        if (twin) twin.scrollIntoView({ block: "center", inline: "nearest" });
      });
      sides.addEventListener("mouseover", (e) => {
        const key = e.target.getAttribute && e.target.getAttribute("data-key");
        sides.querySelectorAll("mark.hot").forEach((m) => m.classList.remove("hot"));
        if (key !== null) {
          sides.querySelectorAll('mark[data-key="' + key + '"]').forEach((m) => m.classList.add("hot"));
        }
      });
      parts.push(sides);
    }
    return el("section", { class: "detail", id: "cluster-detail" }, parts);
  }

  function repeatList() {
    return el("section", {}, leftOut(), el("table", { id: "repeat-table" },
      el("thead", {}, el("tr", {}, el("th", {}, "document"), el("th", {}, "groups"),
        el("th", {}, "occurrences"))),
      el("tbody", {}, data.repeats.map((r, i) => el("tr", {
        "data-repeat": i, onclick: () => { location.hash = "repeat/" + i; },
      }, el("td", { class: "path" }, r.label), el("td", { class: "num" }, r.groups.length),
      el("td", { class: "num" }, r.groups.reduce((n, g) => n + g.count, 0)))))));
  }

  function repeatDetail(index) {
    const r = data.repeats[index];
    if (!r) return el("p", {}, "No document " + index + " with repeats.");
    const parts = [el("h2", {}, r.label)];
    for (const g of r.groups) {
      parts.push(el("p", { class: "note" }, g.count + " times, lines " +
        g.lines.map((l) => l[0]).join(", ") + " (clean keeps line " + g.lines[g.kept][0] +
        "): " + g.preview));
    }
    if (r.doc === null) {
      parts.push(el("p", { class: "note" }, "The text is not included for this document."));
    } else {
      const marks = [];
      r.groups.forEach((g, gi) => g.spans.forEach((s, k) => marks.push({
        start: s[0], end: s[1], cls: "occurrence" + (k === g.kept ? " kept" : ""),
        title: "group " + (gi + 1) + ", occurrence " + (k + 1) +
          (k === g.kept ? " (kept by clean)" : " (removed by clean)"),
      })));
      parts.push(textView(data.docs[r.doc].text, marks));
    }
    return el("section", { class: "detail", id: "repeat-detail" }, parts);
  }

  function boilerplateList(open, example) {
    const items = data.boilerplate.map((b, i) => el("div", { class: "detail", "data-boilerplate": i },
      el("h2", {}, b.documents + " documents, " + b.families + " unrelated families"),
      el("p", {}, b.preview),
      el("p", { class: "note" }, "Examples: ", b.examples.map((x, j) => [
        j ? ", " : "",
        el("button", { class: "link", onclick: () => { location.hash = "boilerplate/" + i + "/" + j; } },
          x.label)])),
      i === open && b.examples[example] && b.examples[example].doc !== null
        ? textView(data.docs[b.examples[example].doc].text, b.examples[example].span
          ? [{ start: b.examples[example].span[0], end: b.examples[example].span[1],
            cls: "boilerplate", title: "the boilerplate paragraph" }] : [])
        : null));
    return el("section", {}, leftOut(), items);
  }

  function problemList() {
    return el("section", {}, data.problems.length ? el("table", {},
      el("thead", {}, el("tr", {}, el("th", {}, "file"), el("th", {}, "problem"))),
      el("tbody", {}, data.problems.map((p) => el("tr", {},
        el("td", { class: "path" }, p.path + (p.line ? ":" + p.line : "") +
          (p.row !== undefined && p.row !== null ? "#" + p.row : "")),
        el("td", {}, p.message))))) : el("p", {}, "Every input was read."));
  }

  // Two documents side by side, as compare --html writes them.
  function compareView() {
    const c = data.comparison;
    const pct = (x) => (x * 100).toFixed(1) + "%";
    const mark = (side) => data.spans.map((s, k) => ({
      start: s[side], end: s[side + 1], cls: "passage p" + (k % 6), key: k,
      title: "shared passage " + (k + 1) + ", " + s[4] + " words",
    }));
    const sides = el("div", { class: "sides" },
      el("div", { class: "side", id: "side-a" }, el("h3", {}, "a: " + c.a), textView(data.a, mark(0))),
      el("div", { class: "side", id: "side-b" }, el("h3", {}, "b: " + c.b), textView(data.b, mark(2))));
    return [el("header", {}, el("h1", {}, "neardup compare"),
      el("div", { class: "facts" },
        el("span", {}, "jaccard ", el("b", {}, fixed(c.jaccard))),
        el("span", {}, "of a in b ", el("b", {}, pct(c.containment_a_in_b))),
        el("span", {}, "of b in a ", el("b", {}, pct(c.containment_b_in_a))),
        el("span", {}, "shared passages ", el("b", {}, c.passages.length)))),
      el("main", {}, sides)];
  }

  // A cleaning plan, as clean --dry-run --html writes it: each changed document with what goes
  // highlighted beside the paragraph it repeats.
  function planView() {
    const s = data.stats;
    const docs = data.documents.map((d, i) => el("section", { class: "detail", "data-document": i },
      el("h2", {}, d.label),
      d.removed.map((r) => el("p", { class: "note" }, "lines " + r.lines[0] + "-" + r.lines[1] +
        ": " + (r.reason === "repeat" ? "repeats line " + r.repeat_of_line + " (" + r.repeat_kind +
          ", " + fixed(r.similarity) + ")" : "boilerplate in " + r.boilerplate_documents +
          " documents") + ": " + r.preview)),
      d.text === null ? el("p", { class: "note" }, "The text is not included.")
        : textView(d.text, d.marks)));
    const notShown = data.not_shown ? el("p", { class: "note" }, data.not_shown +
      " more documents change; the manifest lists them all.") : null;
    const dropped = data.dropped.length ? el("section", { class: "detail" },
      el("h2", {}, data.dropped.length + " near-duplicates left out"),
      el("table", {}, el("tbody", {}, data.dropped.slice(0, 500).map((d) => el("tr", {},
        el("td", { class: "path" }, d.path + (d.line ? ":" + d.line : "") +
          (d.row !== undefined && d.row !== null ? "#" + d.row : "")),
        el("td", { class: "path" }, "duplicate of " + d.duplicate_of),
        el("td", { class: "num" }, fixed(d.similarity))))))) : null;
    return [el("header", {}, el("h1", {}, "neardup clean: the plan"),
      el("div", { class: "facts" },
        el("span", {}, "documents ", el("b", {}, s.documents)),
        el("span", {}, "changed ", el("b", {}, s.documents_changed)),
        el("span", {}, "repeats removed ", el("b", {}, s.repeats_removed)),
        el("span", {}, "boilerplate removed ", el("b", {}, s.boilerplate_removed)),
        el("span", {}, "duplicates left out ", el("b", {}, s.duplicates_dropped)))),
      el("main", {}, notShown, docs, dropped)];
  }

  // Each text pane opens on its first highlight, with some lines above it, unless the highlight
  // is in the pane's first screen: positions are all read before any pane scrolls.
  function showHighlights() {
    const moves = [];
    for (const pane of app.querySelectorAll(".text")) {
      const mark = pane.querySelector("mark");
      if (!mark) continue;
      const top = mark.getBoundingClientRect().top - pane.getBoundingClientRect().top +
        pane.scrollTop;
      if (top > pane.clientHeight * 0.75) moves.push([pane, top - pane.clientHeight / 5]);
    }
    for (const [pane, top] of moves) pane.scrollTop = top;
  }

  // Draws the view the address names; `navigated` (a new address, or the first drawing) also
  // brings it into sight.
  function draw(navigated) {
    if (data.kind === "compare" || data.kind === "plan") {
      app.replaceChildren(...(data.kind === "compare" ? compareView() : planView()));
      showHighlights();
      document.body.setAttribute("data-ready", "1");
      return;
    }
    const route = decodeURIComponent(location.hash.replace(/^#/, "")).split("/");
    const view = route[0] || "clusters";
    const tab = view.startsWith("cluster") ? "clusters" : view.startsWith("repeat") ? "repeats"
      : view.startsWith("boilerplate") ? "boilerplate" : view === "problems" ? "problems" : "clusters";
    let content;
    if (view === "cluster") {
      content = [clusterList(), clusterDetail(Number(route[1]), Number(route[2] || 1))];
    } else if (view === "repeat") {
      content = [repeatList(), repeatDetail(Number(route[1]))];
    } else if (view === "repeats") {
      content = repeatList();
    } else if (view === "boilerplate") {
      content = boilerplateList(route[1] === undefined ? -1 : Number(route[1]), Number(route[2] || 0));
    } else if (view === "problems") {
      content = problemList();
    } else {
      content = clusterList();
    }
    app.replaceChildren(header(), tabs(tab), el("main", {}, content,
      el("p", { class: "keys" }, el("kbd", {}, "j"), "/", el("kbd", {}, "k"), " move, ",
        el("kbd", {}, "Enter"), " open, ", el("kbd", {}, "Esc"), " back, ", el("kbd", {}, "/"),
        " filter, ", el("kbd", {}, "1"), "-", el("kbd", {}, "4"), " tabs")));
    showHighlights();
    if (navigated) {
      // A view opened below a list comes into sight; a list shows from the top of the page.
      const opened = view === "cluster" || view === "repeat" ? app.querySelector(".detail")
        : view === "boilerplate" && route[1] !== undefined
          ? app.querySelector('[data-boilerplate="' + Number(route[1]) + '"]') : null;
      if (opened) opened.scrollIntoView({ block: "start" });
      else window.scrollTo(0, 0);
    }
    document.body.setAttribute("data-ready", "1");
  }

  document.addEventListener("keydown", (e) => {
    if (data.kind !== "report") return;
    if (e.target.tagName === "INPUT") {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    const tabsByKey = { 1: "clusters", 2: "repeats", 3: "boilerplate", 4: "problems" };
    if (tabsByKey[e.key]) { location.hash = tabsByKey[e.key]; return; }
    if (e.key === "/") { e.preventDefault(); const f = app.querySelector("#filter"); if (f) f.focus(); return; }
    if (e.key === "Escape") { location.hash = "clusters"; return; }
    const rows = visibleClusters().slice(0, state.shown);
    if (!rows.length) return;
    if (e.key === "j" || e.key === "ArrowDown") state.current = Math.min(state.current + 1, rows.length - 1);
    else if (e.key === "k" || e.key === "ArrowUp") state.current = Math.max(state.current - 1, 0);
    else if (e.key === "Enter") { location.hash = "cluster/" + rows[state.current].id + "/1"; return; }
    else return;
    e.preventDefault();
    app.querySelectorAll("#cluster-table tbody tr").forEach((tr, i) => {
      tr.classList.toggle("current", i === state.current);
      if (i === state.current) tr.scrollIntoView({ block: "nearest" });
    });
  });
  window.addEventListener("hashchange", () => draw(true));
  draw(true);
})();
