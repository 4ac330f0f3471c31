/* Draws the plotly figures saved in notebook outputs.
   Each `.plotly-output` holds a `<script type="application/vnd.plotly.v1+json">` with the figure
   and a `.plotly-fallback` (the static PNG the notebook saved). The page loads plotly.js from a
   CDN with `defer` before this file; without it (offline, blocked) the fallback stays visible. */
(function () {
  "use strict";

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  /* Theme colours from the stylesheet so charts match light and dark mode. */
  function themeLayout() {
    var text = cssVar("--text", "#161b26");
    var grid = cssVar("--border", "#e1e5ec");
    return {
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { color: text, family: getComputedStyle(document.body).fontFamily },
      xaxis: { gridcolor: grid, zerolinecolor: grid, linecolor: grid },
      yaxis: { gridcolor: grid, zerolinecolor: grid, linecolor: grid },
      legend: { font: { color: text } }
    };
  }

  /* Our colours fill in what the figure leaves unset; the author's own choices win. */
  function merge(base, own) {
    var out = {};
    var key;
    for (key in base) { out[key] = base[key]; }
    for (key in own) {
      var b = out[key];
      var o = own[key];
      var both = b && o && typeof b === "object" && typeof o === "object" && !Array.isArray(o);
      out[key] = both ? merge(b, o) : o;
    }
    return out;
  }

  function note(container, text) {
    var p = document.createElement("p");
    p.className = "plotly-note";
    p.textContent = text;
    container.appendChild(p);
  }

  function render(container) {
    var target = container.querySelector(".plotly-figure");
    var script = container.querySelector('script[type="application/vnd.plotly.v1+json"]');
    if (!target || !script) { return; }
    if (!window.Plotly) {
      note(container, "Interactive chart unavailable (plotly.js did not load): showing the saved image.");
      return;
    }
    var figure;
    try {
      figure = JSON.parse(script.textContent);
    } catch (err) {
      note(container, "Interactive chart unavailable (its data could not be read).");
      return;
    }
    var layout = merge(themeLayout(), figure.layout || {});
    /* A fixed width wider than the column (a phone) would scroll: let plotly autosize instead. */
    if (layout.width && layout.width > target.clientWidth) {
      delete layout.width;
      layout.autosize = true;
    }
    window.Plotly.newPlot(target, figure.data || [], layout, { responsive: true, displaylogo: false })
      .then(function () {
        container.classList.add("is-live");
        var fallback = container.querySelector(".plotly-fallback");
        if (fallback) { fallback.hidden = true; }
      })
      .catch(function () { note(container, "Interactive chart failed to draw: showing the saved image."); });
  }

  function renderAll() {
    var outputs = document.querySelectorAll(".plotly-output");
    for (var i = 0; i < outputs.length; i++) { render(outputs[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
})();
