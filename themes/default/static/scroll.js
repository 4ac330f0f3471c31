/* A code box, table or equation wider than its column scrolls sideways: it then takes
   keyboard focus (tabindex 0), so arrow keys scroll it (axe: scrollable-region-focusable).
   A box that fits gets no extra tab stop; a resize or late fonts measure again. */
(function () {
  "use strict";
  var boxes = "pre, .math-display, .prose table, .nb-table-scroll, .chart-scroll";
  function mark() {
    document.querySelectorAll(boxes).forEach(function (el) {
      var wide = el.scrollWidth > el.clientWidth + 1;
      if (wide && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("data-scrolls", "");
      } else if (!wide && el.hasAttribute("data-scrolls")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-scrolls");
      }
    });
  }
  var timer;
  if (document.readyState === "complete") { mark(); } else { window.addEventListener("load", mark); }
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(mark, 150); });
  if (document.fonts) { document.fonts.ready.then(mark); }
})();
