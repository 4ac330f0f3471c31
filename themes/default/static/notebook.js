/* Draws the plotly figures saved in notebook outputs.
   Each `.plotly-output` holds a `<script type="application/vnd.plotly.v1+json">` with the figure
   and a `.plotly-fallback` (the static image the notebook saved, or its text). plotly.js is
   large: it is loaded once per page, from this script's `data-plotly` address, when the first
   chart comes within a screen of the viewport. If it cannot load, each chart says so plainly. */
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

  var source = document.currentScript && document.currentScript.getAttribute("data-plotly");
  var loading = null;

  /* One <script> for the whole page, whichever chart asks first. */
  function loadPlotly() {
    if (window.Plotly) { return Promise.resolve(); }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = source;
        tag.onload = function () { return window.Plotly ? resolve() : reject(); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function unavailable(container) {
    var image = container.querySelector(".plotly-fallback img");
    var colab = document.querySelector(".badge-colab");
    var p = document.createElement("p");
    p.className = "plotly-note";
    p.textContent = image ? "Interactive chart: it could not load here, so this is the image the notebook saved." : "Interactive chart: it could not load here";
    if (!image && colab) {
      p.appendChild(document.createTextNode(". "));
      var link = document.createElement("a");
      link.href = colab.href;
      link.textContent = "Open in Colab to run it";
      p.appendChild(link);
      p.appendChild(document.createTextNode("."));
    } else if (!image) {
      p.appendChild(document.createTextNode(": run the notebook to see it."));
    }
    container.appendChild(p);
  }

  /* On a phone the legend goes below the plot and the mode bar away, so neither covers it. */
  function narrowLayout(layout, width) {
    if (width >= 560) { return layout; }
    var legend = layout.legend || {};
    if (!legend.orientation) {
      layout.legend = merge({ orientation: "h", x: 0, y: -0.25, yanchor: "top" }, legend);
    }
    /* plotly never wraps a title: a long one is cut off on a phone, so break it in two */
    var title = layout.title;
    var text = typeof title === "string" ? title : (title && title.text);
    if (text && text.indexOf("<br") < 0 && text.length * 9 > width) {
      var middle = text.lastIndexOf(" ", Math.floor(text.length / 2) + 4);
      if (middle > 0) {
        text = text.slice(0, middle) + "<br>" + text.slice(middle + 1);
        layout.title = typeof title === "string" ? { text: text } : merge(title, { text: text });
      }
    }
    /* the right margin that held a vertical legend is not needed any more */
    layout.margin = merge({ l: 56, r: 16, t: 64, b: 48 }, layout.margin || {});
    return layout;
  }

  function render(container) {
    var target = container.querySelector(".plotly-figure");
    var script = container.querySelector('script[type="application/vnd.plotly.v1+json"]');
    if (!target || !script) { return; }
    if (!window.Plotly) { unavailable(container); return; }
    var figure;
    try {
      figure = JSON.parse(script.textContent);
    } catch (err) {
      note(container, "Interactive chart unavailable (its data could not be read).");
      return;
    }
    var layout = merge(themeLayout(), figure.layout || {});
    /* The figure's box is hidden while empty: show it first, so plotly measures the column
       and not its 700 px default. A fixed width wider than the column (a phone) would be cut
       off: the figure takes the column's width instead. */
    target.style.display = "block";
    var column = container.clientWidth;
    if (!layout.width || layout.width > column) {
      delete layout.width;
      layout.autosize = true;
    }
    layout = narrowLayout(layout, column);
    var phone = column < 560;
    window.Plotly.newPlot(target, figure.data || [], layout,
                          { responsive: true, displaylogo: false, displayModeBar: phone ? false : "hover" })
      .then(function () {
        container.classList.add("is-live");
        var fallback = container.querySelector(".plotly-fallback");
        if (fallback) { fallback.hidden = true; }
      })
      .catch(function () { unavailable(container); });
  }

  function whenNear(container) {
    loadPlotly().then(function () { render(container); }, function () { unavailable(container); });
  }

  function renderAll() {
    var outputs = document.querySelectorAll(".plotly-output");
    if (!outputs.length) { return; }
    if (!source || !("IntersectionObserver" in window)) {
      for (var i = 0; i < outputs.length; i++) { whenNear(outputs[i]); }
      return;
    }
    var watcher = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { watcher.unobserve(entry.target); whenNear(entry.target); }
      });
    }, { rootMargin: "100% 0px" });
    for (var j = 0; j < outputs.length; j++) { watcher.observe(outputs[j]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
})();
