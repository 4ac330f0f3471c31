/* Draws the Vega and Vega-Lite (Altair) charts saved in notebook outputs.
   Each `.vega-output` holds a `<script type="application/vnd.vegalite.v5+json">` (or vega) with
   the spec and a `.vega-fallback` (the static image or text the notebook saved). The page loads
   vega, vega-lite and vega-embed once, with `defer`, before this file; if they cannot load, the
   fallback simply stays visible. */
(function () {
  "use strict";

  function render(container) {
    var script = container.querySelector('script[type^="application/vnd.vega"]');
    var target = container.querySelector(".vega-figure");
    var fallback = container.querySelector(".vega-fallback");
    if (!script || !target || typeof window.vegaEmbed !== "function") { return; }
    var spec;
    try { spec = JSON.parse(script.textContent); } catch (e) { return; }
    var mode = script.type.indexOf("vegalite") >= 0 ? "vega-lite" : "vega";
    window.vegaEmbed(target, spec, { mode: mode, actions: false }).then(function () {
      if (fallback) { fallback.hidden = true; }
    }).catch(function () { /* keep the fallback */ });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".vega-output"), render);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
