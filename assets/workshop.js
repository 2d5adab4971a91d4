// Keyboard shortcuts for workshops on a shared screen:
//   P presentation mode, F chart full screen (Esc leaves), [ / ] previous / next page,
//   1-9 the n-th page, S share this view.
(function () {
  let pointed = null;
  document.addEventListener("mouseover", function (e) {
    const graph = e.target.closest && e.target.closest(".dash-graph");
    if (graph) { pointed = graph; }
  });

  function typing(e) {
    const el = e.target;
    return el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  }

  function navLinks() {
    return Array.from(document.querySelectorAll("#shell-nav a.nav-link"));
  }

  function go(link) {
    if (link) { link.click(); }
  }

  document.addEventListener("keydown", function (e) {
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) { return; }
    const key = e.key;
    if (key === "p" || key === "P") {
      const sw = document.getElementById("shell-present-switch");
      if (sw) { sw.click(); e.preventDefault(); }
    } else if (key === "f" || key === "F") {
      const graph = (pointed && document.body.contains(pointed)) ? pointed : document.querySelector(".dash-graph");
      if (graph && graph.requestFullscreen) {
        graph.requestFullscreen().then(function () { window.dispatchEvent(new Event("resize")); });
        e.preventDefault();
      }
    } else if (key === "s" || key === "S") {
      go(document.getElementById("shell-share"));
    } else if (key === "[" || key === "]") {
      const links = navLinks();
      const here = links.findIndex(function (a) { return a.classList.contains("active"); });
      const next = key === "]" ? here + 1 : here - 1;
      go(links[(next + links.length) % links.length]);
    } else if (/^[1-9]$/.test(key)) {
      go(navLinks()[parseInt(key, 10) - 1]);
    }
  });
  document.addEventListener("fullscreenchange", function () {
    window.dispatchEvent(new Event("resize"));
  });
})();
