// The search page: Pagefind's UI, loaded from the site's own pagefind/ folder (written by
// `portfolio build`) under the base path, so it works on GitHub Pages and offline.
// `?q=word` in the address searches at once; "/" focuses the search box.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var bundle = box.getAttribute("data-bundle");
  var base = box.getAttribute("data-base");

  function unavailable() {
    box.innerHTML = "";
    var note = document.createElement("p");
    note.className = "search-note";
    note.textContent = "The search index did not load (portfolio build writes it to " +
      bundle + "). Browse the projects, the blog or the tags instead.";
    box.appendChild(note);
  }

  // Pagefind's box has only a title; a screen reader needs a label (axe label-title-only).
  function labelled(tries) {
    var input = box.querySelector("input");
    if (!input) {
      if (tries < 50) window.requestAnimationFrame(function () { labelled(tries + 1); });
      return;
    }
    input.setAttribute("aria-label", "Search this site");
  }

  function start() {
    if (typeof window.PagefindUI !== "function") return unavailable();
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: bundle,
      baseUrl: base,
      showImages: false,
      showSubResults: true,
      resetStyles: true,
      autofocus: true,
      focusOnSlash: true,
      translations: { placeholder: "Search posts, projects and pages" }
    });
    labelled(0);
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) ui.triggerSearch(query);
  }

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = bundle + "pagefind-ui.css";
  document.head.appendChild(style);
  var script = document.createElement("script");
  script.src = bundle + "pagefind-ui.js";
  script.onload = start;
  script.onerror = unavailable;
  document.head.appendChild(script);
})();
